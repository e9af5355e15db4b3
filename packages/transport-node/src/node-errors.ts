/**
 * Node's `err.code` values for puretls errors, so code written against `node:tls` (which reports
 * OpenSSL's verify codes and `ERR_SSL_*` reason codes) keeps working. The puretls error object
 * stays what it is (class, `.reason`, message); only `code` is added. The codes were read from a
 * real Node 20 (OpenSSL 3.0) client run against node:tls servers for each condition (see
 * docs/node-compat.md); conditions OpenSSL has no code for get `ERR_PURETLS_<REASON>`.
 * @module
 */
import {
  AlertReceived,
  DecryptError,
  InappropriateMessage,
  InvalidCertificate,
  InvalidMessage,
  PeerIncompatible,
  PeerMisbehaved,
  UnexpectedEof,
  alertName,
} from '@puretls/tls-core';
import { isSelfSigned } from './peer-certificate.ts';

/** The handshake did not complete within `handshakeTimeout` (Node's server-side code for the same condition). */
export class HandshakeTimeout extends Error {
  override name = 'HandshakeTimeout';
  readonly code = 'ERR_TLS_HANDSHAKE_TIMEOUT';
  /** The deadline that passed, in ms. */
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`tls: handshake not completed within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Add Node's `code` to an error the socket is about to emit (errors that have one are left alone).
 * @param handshaking whether the handshake was still running (truncation then reads as Node's
 *   "socket disconnected before secure TLS connection was established")
 * @returns the error to emit: for a custom `checkServerIdentity` refusal, the caller's own Error
 */
export function withNodeCode(err: Error, handshaking: boolean): Error {
  const custom = callerIdentityError(err);
  if (custom !== undefined) return custom;
  if ((err as { code?: unknown }).code !== undefined) return err;
  const code = nodeCode(err, handshaking);
  if (code !== undefined) Object.defineProperty(err, 'code', { value: code, enumerable: true, configurable: true, writable: true });
  return err;
}

/** The caller's Error when `err` wraps a `checkServerIdentity` refusal. */
export function callerIdentityError(err: Error): Error | undefined {
  return err instanceof InvalidCertificate && err.cause instanceof Error ? err.cause : undefined;
}

function nodeCode(err: Error, handshaking: boolean): string | undefined {
  if (err instanceof InvalidCertificate) return verifyCode(err, err.peerCertificates ?? []);
  if (err instanceof UnexpectedEof) return 'ECONNRESET';
  if (err instanceof AlertReceived) return alertCode(err.alert);
  if (err instanceof DecryptError) return 'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC';
  if (err instanceof InappropriateMessage) return err.what === 'record content type' && handshaking ? 'ERR_SSL_WRONG_VERSION_NUMBER' : 'ERR_SSL_UNEXPECTED_MESSAGE';
  if (err instanceof PeerIncompatible) return PEER_INCOMPATIBLE_CODES[err.reason] ?? puretlsCode(err.reason);
  if (err instanceof PeerMisbehaved) return PEER_MISBEHAVED_CODES[err.reason] ?? puretlsCode(err.reason);
  if (err instanceof InvalidMessage) return err.reason === 'TooLong' ? 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE' : puretlsCode(err.reason);
  return undefined;
}

/**
 * The OpenSSL verify-error code Node uses (in `err.code` and `authorizationError`) for a chain
 * or host name failure. An unknown issuer reads as Node reports it: a lone self-signed leaf is
 * DEPTH_ZERO_SELF_SIGNED_CERT, a lone other leaf UNABLE_TO_VERIFY_LEAF_SIGNATURE, a chain
 * ending in a self-signed certificate SELF_SIGNED_CERT_IN_CHAIN, else UNABLE_TO_GET_ISSUER_CERT_LOCALLY.
 */
export function verifyCode(err: Error, chain: readonly Uint8Array[]): string {
  const custom = callerIdentityError(err);
  if (custom !== undefined) return (custom as { code?: string }).code ?? custom.message;
  const reason = (err as Partial<InvalidCertificate>).reason;
  if (reason === undefined) return (err as { code?: string }).code ?? err.message;
  if (reason === 'UnknownIssuer' && chain.length >= 1) {
    if (chain.length === 1) return safeSelfSigned(chain[0]!) ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
    return safeSelfSigned(chain[chain.length - 1]!) ? 'SELF_SIGNED_CERT_IN_CHAIN' : 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY';
  }
  return VERIFY_CODES[reason] ?? reason;
}

function safeSelfSigned(der: Uint8Array): boolean {
  try {
    return isSelfSigned(der);
  } catch {
    return false; // node:crypto cannot parse it: not reported as self-signed
  }
}

const VERIFY_CODES: Readonly<Record<string, string>> = {
  Expired: 'CERT_HAS_EXPIRED',
  NotYetValid: 'CERT_NOT_YET_VALID',
  UnknownIssuer: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  BadSignature: 'CERT_SIGNATURE_FAILURE',
  NotValidForName: 'ERR_TLS_CERT_ALTNAME_INVALID',
  CaUsedAsEndEntity: 'INVALID_PURPOSE',
  EndEntityUsedAsCa: 'INVALID_CA',
  PathLengthExceeded: 'PATH_LENGTH_EXCEEDED',
  WeakSignatureAlgorithm: 'CA_MD_TOO_WEAK',
  WeakKey: 'EE_KEY_TOO_SMALL',
  UnknownCriticalExtension: 'UNHANDLED_CRITICAL_EXTENSION',
  NameConstraintViolation: 'PERMITTED_VIOLATION',
  BadEncoding: 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  WrongKeyUsage: 'INVALID_PURPOSE',
  ChainTooLong: 'CERT_CHAIN_TOO_LONG',
  EmptyChain: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE',
};

const PEER_INCOMPATIBLE_CODES: Readonly<Record<string, string>> = {
  NoCommonVersion: 'ERR_SSL_UNSUPPORTED_PROTOCOL',
};

const PEER_MISBEHAVED_CODES: Readonly<Record<string, string>> = {
  SelectedUnofferedCipherSuite: 'ERR_SSL_WRONG_CIPHER_RETURNED',
  SelectedUnofferedVersion: 'ERR_SSL_UNSUPPORTED_PROTOCOL',
  BadCertificateVerify: 'ERR_SSL_BAD_SIGNATURE',
  BadServerKeyExchangeSignature: 'ERR_SSL_BAD_SIGNATURE',
  IncorrectFinished: 'ERR_SSL_DIGEST_CHECK_FAILED',
  RecordOverflow: 'ERR_SSL_DATA_LENGTH_TOO_LONG',
  BadRecordVersion: 'ERR_SSL_WRONG_VERSION_NUMBER',
  DowngradeDetected: 'ERR_SSL_INAPPROPRIATE_FALLBACK',
};

/**
 * OpenSSL's reason code for a received alert: `ERR_SSL_SSLV3_ALERT_*` for the alerts SSLv3
 * defined, `ERR_SSL_TLSV1_ALERT_*` for the TLS ones, `ERR_SSL_TLSV13_ALERT_*` for TLS 1.3's
 * (as Node printed `ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION` for alert 70).
 */
export function alertCode(alert: number): string {
  const name = alertName(alert); // snake_case, or 0x.. when unknown
  if (name.startsWith('0x')) return `ERR_SSL_TLSV1_ALERT_${alert}`;
  const family = SSLV3_ALERTS.has(alert) ? 'SSLV3' : alert === 116 || alert === 109 ? 'TLSV13' : 'TLSV1';
  return `ERR_SSL_${family}_ALERT_${name.toUpperCase()}`;
}

// unexpected_message, bad_record_mac, decompression_failure, handshake_failure, no_certificate,
// bad_certificate, unsupported_certificate, certificate_revoked, certificate_expired,
// certificate_unknown, illegal_parameter (OpenSSL's SSL_R_SSLV3_ALERT_* reasons).
const SSLV3_ALERTS = new Set([10, 20, 30, 40, 41, 42, 43, 44, 45, 46, 47]);

function puretlsCode(reason: string): string {
  return `ERR_PURETLS_${reason.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/**
 * The puretls error taxonomy and the one place that maps errors to TLS alerts
 * (RFC 8446 §6.2, RFC 5246 §7.2.2).
 *
 * Every protocol failure is a {@link TlsError} subclass carrying a machine-readable reason
 * (a string-literal union, never free text). Handshake states only *throw* these; the
 * connection catches the first one, makes it sticky, and asks {@link alertFor} which alert
 * to send. Nothing else in the code base chooses an alert.
 * @module
 */
import { AlertDescription } from './wire/enums.ts';

/** Base class of every error puretls raises on purpose. Messages start with `tls: `. */
export abstract class TlsError extends Error {
  override name = 'TlsError';
}

/** Why a message failed to decode (RFC 8446 §6: decode_error unless stated otherwise). */
export type InvalidMessageReason =
  | 'MissingData' // ran out of bytes
  | 'TrailingData' // bytes left after the structure ended
  | 'EmptyList' // a list that must be non-empty was empty
  | 'TooLong' // a length above the field's or the protocol's maximum
  | 'BadLength' // a length that is not a multiple of the element size, or otherwise inconsistent
  | 'BadValue' // a value outside what the field allows (syntax, not semantics)
  | 'DuplicateExtension' // RFC 8446 §4.2: illegal_parameter
  | 'PreSharedKeyNotLast'; // RFC 8446 §4.2.11: pre_shared_key must be the last ClientHello extension: illegal_parameter

/** A message or record that is syntactically wrong: decode_error (or the reason's own alert). */
export class InvalidMessage extends TlsError {
  override name = 'InvalidMessage';
  readonly reason: InvalidMessageReason;
  readonly what: string;
  constructor(reason: InvalidMessageReason, what: string) {
    super(`tls: invalid message: ${reason} in ${what}`);
    this.reason = reason;
    this.what = what;
  }
}

/** A record or handshake message of a type not allowed in the current state: unexpected_message. */
export class InappropriateMessage extends TlsError {
  override name = 'InappropriateMessage';
  readonly what: string;
  readonly expected: readonly string[];
  readonly got: string;
  constructor(what: string, expected: readonly string[], got: string) {
    super(`tls: unexpected ${what}: got ${got}, expected ${expected.join(' or ')}`);
    this.what = what;
    this.expected = expected;
    this.got = got;
  }
}

/** Reasons the peer broke a protocol rule; each maps to the alert the RFC names in {@link alertFor}. */
export type PeerMisbehavedReason =
  | 'RecordOverflow' // RFC 8446 §5.2 / §5.4: record_overflow
  | 'BadRecordVersion'
  | 'EmptyHandshakeFragment'
  | 'HandshakeInterleaved' // RFC 8446 §5.1: handshake messages must not interleave with other types
  | 'KeyChangeNotOnRecordBoundary' // RFC 8446 §5.1: unexpected_message
  | 'MissingInnerContentType' // RFC 8446 §5.4: all-zero plaintext: unexpected_message
  | 'IllegalInnerContentType'
  | 'SequenceNumberExhausted'
  | 'TooManyWarningAlerts'
  | 'TooManyEmptyRecords'
  | 'TooManyKeyUpdates'
  | 'TooManyHelloRequests' // TLS 1.2 renegotiation requests beyond LIMITS.helloRequests: unexpected_message
  | 'TooManyChangeCipherSpecs'
  | 'BadChangeCipherSpec'
  | 'UnsolicitedExtension' // RFC 8446 §4.2: unsupported_extension
  | 'ExtensionNotAllowedHere' // RFC 8446 §4.2: illegal_parameter
  | 'SelectedUnofferedCipherSuite'
  | 'SelectedUnofferedVersion'
  | 'SelectedUnofferedGroup'
  | 'SelectedUnofferedPsk'
  | 'SelectedUnofferedApplicationProtocol' // RFC 7301 §3.2: the client aborts (illegal_parameter / no_application_protocol)
  | 'SelectedUnofferedSignatureScheme'
  | 'IllegalHelloRetryRequest' // RFC 8446 §4.1.4
  | 'IllegalHelloRetryRequestWithNoChanges'
  | 'IllegalHelloRetryRequestWithOfferedGroup'
  | 'SecondHelloRetryRequest'
  | 'HelloRetryRequestChangedSuite'
  | 'MissingKeyShare'
  | 'MissingSignatureAlgorithms' // RFC 8446 §4.3.2: CertificateRequest without signature_algorithms: missing_extension
  | 'WrongGroupForKeyShare'
  | 'InvalidKeyShare' // bad point, or all-zero X25519 output: illegal_parameter
  | 'SessionIdMismatch' // RFC 8446 §4.1.3 legacy_session_id_echo
  | 'ServerEchoedCompatibilitySessionId' // a TLS 1.2 "resumption" of the TLS 1.3 compatibility session ID we never offered: illegal_parameter
  | 'BadLegacyVersion' // RFC 8446 §4.1.3: a TLS 1.3 ServerHello's legacy_version must be 0x0303: illegal_parameter
  | 'CertificateCurveNotOffered' // RFC 8422 §5.1: a TLS 1.2 ECDSA certificate on a curve not in our supported_groups: handshake_failure
  | 'MessageNotOnRecordBoundary' // ServerHelloDone / HelloRetryRequest end the server's flight, so they must end their record: unexpected_message
  | 'NonZeroCompression'
  | 'DowngradeDetected' // RFC 8446 §4.1.3 sentinel: illegal_parameter
  | 'BadCertificateVerify' // signature does not verify: decrypt_error
  | 'IncorrectFinished' // RFC 8446 §4.4.4: decrypt_error
  | 'BadServerKeyExchangeSignature'
  | 'BadRenegotiationInfo' // RFC 5746 §3.4: handshake_failure
  | 'MissingExtendedMasterSecret'
  | 'IllegalKeyUpdateRequest'
  | 'IllegalTicketLifetime'
  | 'IllegalEarlyData'
  | 'IllegalRecordSizeLimit' // RFC 8449 §4: a record_size_limit below 64: illegal_parameter
  | 'EmptyCertificateChain'
  | 'IllegalCertificateRequestContext'
  | 'IllegalMiddleboxChangeCipherSpec'
  | 'ApplicationDataBeforeHandshakeDone';

/** The peer broke a protocol rule. */
export class PeerMisbehaved extends TlsError {
  override name = 'PeerMisbehaved';
  readonly reason: PeerMisbehavedReason;
  constructor(reason: PeerMisbehavedReason, detail?: string) {
    super(`tls: peer misbehaved: ${reason}${detail === undefined ? '' : ` (${detail})`}`);
    this.reason = reason;
  }
}

/** Reasons the peer is well-behaved but we have nothing in common. */
export type PeerIncompatibleReason =
  | 'NoCommonVersion' // protocol_version
  | 'ExtendedMasterSecretRequired'
  | 'UnsupportedCertificateKey'
  | 'UnsupportedPointFormat';

/** The peer is compatible with the protocol but not with our configuration. */
export class PeerIncompatible extends TlsError {
  override name = 'PeerIncompatible';
  readonly reason: PeerIncompatibleReason;
  constructor(reason: PeerIncompatibleReason, detail?: string) {
    super(`tls: peer incompatible: ${reason}${detail === undefined ? '' : ` (${detail})`}`);
    this.reason = reason;
  }
}

/** Why a certificate chain or host name was refused (RFC 5280 §6, RFC 6125 / RFC 9525). */
export type CertificateErrorReason =
  | 'Expired'
  | 'NotYetValid'
  | 'UnknownIssuer'
  | 'BadSignature'
  | 'NotValidForName'
  | 'CaUsedAsEndEntity'
  | 'EndEntityUsedAsCa'
  | 'PathLengthExceeded'
  | 'WeakSignatureAlgorithm'
  | 'WeakKey'
  | 'UnknownCriticalExtension'
  | 'NameConstraintViolation'
  | 'BadEncoding'
  | 'WrongKeyUsage'
  | 'UnsupportedSignatureAlgorithm'
  | 'UnsupportedPublicKey'
  | 'ChainTooLong'
  | 'EmptyChain'
  | 'Revoked' // a stapled OCSP response says revoked (RFC 6960): certificate_revoked
  | 'BadOcspResponse' // a stapled OCSP response that is invalid, expired, or not for this certificate (RFC 6066 §8)
  | 'OcspResponseRequired'; // ocspPolicy 'require' and no staple

/** A certificate chain or host name check failed. */
export class InvalidCertificate extends TlsError {
  override name = 'InvalidCertificate';
  readonly reason: CertificateErrorReason;
  /**
   * The chain the server presented (DER, leaf first), set by the handshake when it refuses a chain:
   * transports derive OpenSSL's verify code from it (self-signed leaf, self-signed root in the chain).
   */
  peerCertificates: readonly Uint8Array[] | undefined;
  /**
   * @param cause the caller's own Error when a custom `checkServerIdentity` refused the certificate
   */
  constructor(reason: CertificateErrorReason, detail?: string, cause?: Error) {
    super(`tls: invalid certificate: ${reason}${detail === undefined ? '' : ` (${detail})`}`, cause === undefined ? undefined : { cause });
    this.reason = reason;
  }
}

/** Why a private key (or a client credential built from one) was refused. Raised when a config is built, never during a handshake. */
export type PrivateKeyErrorReason =
  | 'Encrypted' // an encrypted PEM (PKCS#8 ENCRYPTED PRIVATE KEY or a legacy Proc-Type: 4,ENCRYPTED block) and no usable passphrase
  | 'UnsupportedKeyType' // DSA, Ed448, X25519, P-521, multi-prime RSA, ...
  | 'UnsupportedFormat' // a PEM label or container puretls does not read (PKCS#12 / pfx, ...)
  | 'BadEncoding' // malformed PEM or DER
  | 'InconsistentKey' // the key's own parts do not agree (p·q ≠ n, point ≠ scalar·G, ...)
  | 'KeyMismatch' // the key does not belong to the certificate it was given with
  | 'NoKey'; // no private key block in the text

/** A private key or client credential could not be used. Not a protocol error: no alert is ever sent for it. */
export class InvalidPrivateKey extends TlsError {
  override name = 'InvalidPrivateKey';
  readonly reason: PrivateKeyErrorReason;
  constructor(reason: PrivateKeyErrorReason, detail?: string) {
    super(`tls: invalid private key: ${reason}${detail === undefined ? '' : ` (${detail})`}`);
    this.reason = reason;
  }
}

/**
 * A server certificate verifier (the config's `verifyServerCertificate` /
 * `dangerouslyReplaceServerVerifier`) refused the server, with the alert it chose to send
 * (RFC 8446 §6.2: bad_certificate, certificate_revoked, unknown_ca, ...).
 */
export class CertificateRejected extends TlsError {
  override name = 'CertificateRejected';
  readonly alert: AlertDescription;
  constructor(alert: AlertDescription, detail?: string) {
    super(`tls: server certificate rejected by the verifier (${alertName(alert)})${detail === undefined ? '' : `: ${detail}`}`);
    this.alert = alert;
  }
}

/** Record decryption or AEAD tag check failed: bad_record_mac. */
export class DecryptError extends TlsError {
  override name = 'DecryptError';
  constructor(what = 'record') {
    super(`tls: decryption failed (${what})`);
  }
}

/** The peer sent a fatal alert (or close_notify, which is not an error and is not thrown). */
export class AlertReceived extends TlsError {
  override name = 'AlertReceived';
  readonly alert: AlertDescription;
  constructor(alert: AlertDescription) {
    super(`tls: received fatal alert ${alertName(alert)} (${alert})`);
    this.alert = alert;
  }
}

/** The transport reached EOF without close_notify (RFC 8446 §6.1): a truncation attack or a broken peer. */
export class UnexpectedEof extends TlsError {
  override name = 'UnexpectedEof';
  constructor() {
    super('tls: peer closed the connection without sending close_notify (possible truncation)');
  }
}

/** API misuse by the caller (write before the handshake finished, bad option, ...). Never sent as an alert. */
export class UsageError extends TlsError {
  override name = 'UsageError';
  constructor(message: string) {
    super(`tls: ${message}`);
  }
}

/** A primitive refused its input (bad key, point not on the curve, ...). */
export class CryptoError extends TlsError {
  override name = 'CryptoError';
  readonly what: string;
  constructor(what: string) {
    super(`tls: crypto: ${what}`);
    this.what = what;
  }
}

/**
 * The single error-to-alert mapping. Returns undefined where no alert must be sent
 * (the peer's own alert, API misuse, or EOF).
 * @param e the error that ended the connection
 * @returns the alert description to send, or undefined
 */
export function alertFor(e: unknown): AlertDescription | undefined {
  if (!(e instanceof TlsError)) return AlertDescription.InternalError;
  if (e instanceof InvalidMessage) {
    if (e.reason === 'DuplicateExtension' || e.reason === 'PreSharedKeyNotLast') return AlertDescription.IllegalParameter;
    return AlertDescription.DecodeError;
  }
  if (e instanceof InappropriateMessage) return AlertDescription.UnexpectedMessage;
  if (e instanceof DecryptError) return AlertDescription.BadRecordMac;
  if (e instanceof PeerMisbehaved) return PEER_MISBEHAVED_ALERT[e.reason];
  if (e instanceof PeerIncompatible) return PEER_INCOMPATIBLE_ALERT[e.reason];
  if (e instanceof InvalidCertificate) return CERTIFICATE_ALERT[e.reason];
  if (e instanceof CertificateRejected) return e.alert;
  if (e instanceof CryptoError) return AlertDescription.IllegalParameter;
  // AlertReceived, UnexpectedEof, UsageError, InvalidPrivateKey: nothing to say to the peer.
  return undefined;
}

/** Human-readable alert name for messages: `handshake_failure`, or `0x99` for unknown values. */
export function alertName(alert: number): string {
  const entry = Object.entries(AlertDescription).find(([, v]) => v === alert);
  if (entry === undefined) return `0x${alert.toString(16).padStart(2, '0')}`;
  return entry[0].replace(/[A-Z]/g, (c, i: number) => (i === 0 ? c.toLowerCase() : `_${c.toLowerCase()}`));
}

const A = AlertDescription;

const PEER_MISBEHAVED_ALERT: Record<PeerMisbehavedReason, AlertDescription> = {
  RecordOverflow: A.RecordOverflow,
  BadRecordVersion: A.ProtocolVersion,
  EmptyHandshakeFragment: A.UnexpectedMessage,
  HandshakeInterleaved: A.UnexpectedMessage,
  KeyChangeNotOnRecordBoundary: A.UnexpectedMessage,
  MissingInnerContentType: A.UnexpectedMessage,
  IllegalInnerContentType: A.UnexpectedMessage,
  SequenceNumberExhausted: A.InternalError,
  TooManyWarningAlerts: A.UnexpectedMessage,
  TooManyEmptyRecords: A.UnexpectedMessage,
  TooManyKeyUpdates: A.UnexpectedMessage,
  TooManyHelloRequests: A.UnexpectedMessage,
  TooManyChangeCipherSpecs: A.UnexpectedMessage,
  BadChangeCipherSpec: A.UnexpectedMessage,
  UnsolicitedExtension: A.UnsupportedExtension,
  ExtensionNotAllowedHere: A.IllegalParameter,
  SelectedUnofferedCipherSuite: A.IllegalParameter,
  SelectedUnofferedVersion: A.IllegalParameter,
  SelectedUnofferedGroup: A.IllegalParameter,
  SelectedUnofferedPsk: A.IllegalParameter,
  SelectedUnofferedApplicationProtocol: A.IllegalParameter,
  SelectedUnofferedSignatureScheme: A.IllegalParameter,
  IllegalHelloRetryRequest: A.IllegalParameter,
  IllegalHelloRetryRequestWithNoChanges: A.IllegalParameter,
  IllegalHelloRetryRequestWithOfferedGroup: A.IllegalParameter,
  SecondHelloRetryRequest: A.UnexpectedMessage,
  HelloRetryRequestChangedSuite: A.IllegalParameter,
  MissingKeyShare: A.MissingExtension,
  MissingSignatureAlgorithms: A.MissingExtension,
  WrongGroupForKeyShare: A.IllegalParameter,
  InvalidKeyShare: A.IllegalParameter,
  SessionIdMismatch: A.IllegalParameter,
  ServerEchoedCompatibilitySessionId: A.IllegalParameter,
  BadLegacyVersion: A.IllegalParameter,
  CertificateCurveNotOffered: A.HandshakeFailure,
  MessageNotOnRecordBoundary: A.UnexpectedMessage,
  NonZeroCompression: A.IllegalParameter,
  DowngradeDetected: A.IllegalParameter,
  BadCertificateVerify: A.DecryptError,
  IncorrectFinished: A.DecryptError,
  BadServerKeyExchangeSignature: A.DecryptError,
  BadRenegotiationInfo: A.HandshakeFailure,
  MissingExtendedMasterSecret: A.HandshakeFailure,
  IllegalKeyUpdateRequest: A.IllegalParameter,
  IllegalTicketLifetime: A.IllegalParameter,
  IllegalRecordSizeLimit: A.IllegalParameter,
  IllegalEarlyData: A.IllegalParameter,
  EmptyCertificateChain: A.DecodeError,
  IllegalCertificateRequestContext: A.IllegalParameter,
  IllegalMiddleboxChangeCipherSpec: A.UnexpectedMessage,
  ApplicationDataBeforeHandshakeDone: A.UnexpectedMessage,
};

const PEER_INCOMPATIBLE_ALERT: Record<PeerIncompatibleReason, AlertDescription> = {
  NoCommonVersion: A.ProtocolVersion,
  ExtendedMasterSecretRequired: A.HandshakeFailure,
  UnsupportedCertificateKey: A.UnsupportedCertificate,
  UnsupportedPointFormat: A.IllegalParameter,
};

// RFC 8446 §6.2: the certificate alerts.
const CERTIFICATE_ALERT: Record<CertificateErrorReason, AlertDescription> = {
  Expired: A.CertificateExpired,
  NotYetValid: A.CertificateExpired, // RFC 8446 §6.2 has one alert for "expired or not currently valid"
  UnknownIssuer: A.UnknownCa,
  BadSignature: A.BadCertificate,
  NotValidForName: A.BadCertificate,
  CaUsedAsEndEntity: A.BadCertificate,
  EndEntityUsedAsCa: A.BadCertificate,
  PathLengthExceeded: A.BadCertificate,
  WeakSignatureAlgorithm: A.BadCertificate,
  WeakKey: A.BadCertificate,
  UnknownCriticalExtension: A.UnsupportedCertificate,
  NameConstraintViolation: A.BadCertificate,
  BadEncoding: A.BadCertificate, // decode of the certificate itself, not the TLS message
  WrongKeyUsage: A.UnsupportedCertificate,
  UnsupportedSignatureAlgorithm: A.UnsupportedCertificate,
  UnsupportedPublicKey: A.UnsupportedCertificate,
  ChainTooLong: A.BadCertificate,
  EmptyChain: A.DecodeError,
  Revoked: A.CertificateRevoked,
  BadOcspResponse: A.BadCertificateStatusResponse,
  OcspResponseRequired: A.BadCertificateStatusResponse,
};

/**
 * alertFor() against the RFCs: one row per error reason in errors.ts, with the alert(s) the RFC
 * text allows. Where the RFC names the alert ("MUST abort the handshake with an X alert") the row
 * has exactly that alert and quotes the section. Where the RFC only says "abort" (or is silent),
 * the row lists the alerts whose §6.2 definitions fit, and says so; the code must pick one of
 * them. The reason lists are read from errors.ts itself, so a new reason without a row fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AlertReceived,
  alertFor,
  CryptoError,
  DecryptError,
  InappropriateMessage,
  InvalidCertificate,
  InvalidMessage,
  PeerIncompatible,
  PeerMisbehaved,
  UnexpectedEof,
  UsageError,
  type CertificateErrorReason,
  type InvalidMessageReason,
  type PeerIncompatibleReason,
  type PeerMisbehavedReason,
} from '../../src/errors.ts';
import { AlertDescription as A } from '../../src/wire/enums.ts';

/** One row: the allowed alerts and where the expectation comes from. */
type Row = readonly [allowed: number | readonly number[], source: string];

const SILENT = 'RFC names no alert;';

// RFC 8446 §6.2 definitions used below:
//   unexpected_message: "An inappropriate message (e.g., the wrong handshake message, premature Application Data, etc.) was received."
//   illegal_parameter: "A field in the handshake was incorrect or inconsistent with other fields."
//   decode_error: "A message could not be decoded because some field was out of the specified range or the length of the message was incorrect."
//   handshake_failure: "...unable to negotiate an acceptable set of security parameters given the options available."
//   bad_certificate: "A certificate was corrupt, contained signatures that did not verify correctly, etc."
//   unsupported_certificate: "A certificate was of an unsupported type."
//   certificate_expired: "A certificate has expired or is not currently valid."
//   certificate_unknown: "Some other (unspecified) issue arose in processing the certificate, rendering it unacceptable."
//   unknown_ca: "...the CA certificate could not be located or could not be matched with a known trust anchor."

const INVALID_MESSAGE: Record<InvalidMessageReason, Row> = {
  MissingData: [A.DecodeError, '§6.2 decode_error: the length of the message was incorrect'],
  TrailingData: [A.DecodeError, '§6.2 decode_error'],
  EmptyList: [A.DecodeError, '§6.2 decode_error: a field out of its specified range (<1..>)'],
  TooLong: [A.DecodeError, '§6.2 decode_error'],
  BadLength: [A.DecodeError, '§6.2 decode_error'],
  BadValue: [[A.DecodeError, A.IllegalParameter], `${SILENT} a value outside the syntax: decode_error, or illegal_parameter`],
  DuplicateExtension: [[A.IllegalParameter, A.DecodeError], `${SILENT} §4.2 "MUST NOT be more than one extension of the same type"`],
  PreSharedKeyNotLast: [A.IllegalParameter, '§4.2.11 "...otherwise fail the handshake with an illegal_parameter alert"'],
};

const PEER_MISBEHAVED: Record<PeerMisbehavedReason, Row> = {
  RecordOverflow: [A.RecordOverflow, '§5.2 / §5.4 / RFC 5246 §6.2.3: record_overflow'],
  BadRecordVersion: [[A.ProtocolVersion, A.DecodeError, A.IllegalParameter], `${SILENT} RFC 5246 §E.1 record version handling`],
  EmptyHandshakeFragment: [[A.UnexpectedMessage, A.DecodeError], `${SILENT} §5.1 "MUST NOT send zero-length fragments of Handshake types"`],
  HandshakeInterleaved: [A.UnexpectedMessage, '§5 "If a TLS implementation receives an unexpected record type, it MUST terminate the connection with an unexpected_message alert"'],
  KeyChangeNotOnRecordBoundary: [A.UnexpectedMessage, '§5.1 "...MUST terminate the connection with an unexpected_message alert"'],
  MissingInnerContentType: [A.UnexpectedMessage, '§5.4 "does not find a non-zero octet ... unexpected_message"'],
  IllegalInnerContentType: [A.UnexpectedMessage, '§5 unexpected record type / protected change_cipher_spec: unexpected_message'],
  SequenceNumberExhausted: [[A.InternalError, A.CloseNotify], `${SILENT} §5.3 "MUST either rekey or terminate the connection"`],
  TooManyWarningAlerts: [[A.UnexpectedMessage, A.DecodeError], `${SILENT} an implementation limit`],
  TooManyEmptyRecords: [[A.UnexpectedMessage, A.DecodeError], `${SILENT} an implementation limit`],
  TooManyKeyUpdates: [[A.UnexpectedMessage, A.IllegalParameter], `${SILENT} an implementation limit`],
  TooManyHelloRequests: [[A.UnexpectedMessage, A.NoRenegotiation], `${SILENT} an implementation limit (RFC 5246 §7.4.1.1 lets the client ignore or decline each)`],
  TooManyChangeCipherSpecs: [A.UnexpectedMessage, '§5: a change_cipher_spec outside the allowed window is an unexpected record'],
  BadChangeCipherSpec: [A.UnexpectedMessage, '§5 "receives any other change_cipher_spec value ... MUST abort the handshake with an unexpected_message alert"'],
  UnsolicitedExtension: [A.UnsupportedExtension, '§4.2 "...MUST abort the handshake with an unsupported_extension alert"; RFC 5246 §7.4.1.4'],
  ExtensionNotAllowedHere: [A.IllegalParameter, '§4.2 "recognizes and which is not specified for the message ... illegal_parameter"'],
  SelectedUnofferedCipherSuite: [A.IllegalParameter, '§4.1.3 "a cipher suite that was not offered MUST abort the handshake with an illegal_parameter alert"'],
  SelectedUnofferedVersion: [A.IllegalParameter, '§4.2.1 "a version not offered by the client ... illegal_parameter"'],
  SelectedUnofferedGroup: [A.IllegalParameter, '§4.2.8 HRR selected_group checks: illegal_parameter'],
  SelectedUnofferedPsk: [A.IllegalParameter, '§4.2.11 "If these values are not consistent, the client MUST abort the handshake with an illegal_parameter alert"'],
  SelectedUnofferedApplicationProtocol: [[A.IllegalParameter, A.NoApplicationProtocol], `${SILENT} RFC 7301 defines no client-side alert`],
  SelectedUnofferedSignatureScheme: [[A.IllegalParameter, A.HandshakeFailure], `${SILENT} §4.4.3 "MUST be one offered"`],
  IllegalHelloRetryRequest: [A.IllegalParameter, '§4.1.4: a malformed/contradictory HRR: illegal_parameter (§6.2)'],
  IllegalHelloRetryRequestWithNoChanges: [A.IllegalParameter, '§4.1.4 "if the HelloRetryRequest would not result in any change ... illegal_parameter"'],
  IllegalHelloRetryRequestWithOfferedGroup: [A.IllegalParameter, '§4.2.8 "(2) ... does not correspond to a group which was provided in the key_share ... illegal_parameter"'],
  SecondHelloRetryRequest: [A.UnexpectedMessage, '§4.1.4 "a second HelloRetryRequest ... MUST abort the handshake with an unexpected_message alert"'],
  HelloRetryRequestChangedSuite: [A.IllegalParameter, '§4.1.4 "...the same as that in the HelloRetryRequest and otherwise abort the handshake with an illegal_parameter alert"'],
  MissingKeyShare: [[A.MissingExtension, A.IllegalParameter], '§6.2 missing_extension ("not containing an extension that is mandatory"); §4.2.11 uses illegal_parameter for the PSK case'],
  MissingSignatureAlgorithms: [[A.MissingExtension], '§4.3.2 "The "signature_algorithms" extension MUST be specified"; §6.2 missing_extension'],
  WrongGroupForKeyShare: [A.IllegalParameter, '§4.2.8 "...selected NamedGroup in the ServerHello is the same as that in the HelloRetryRequest ... illegal_parameter"'],
  InvalidKeyShare: [[A.IllegalParameter, A.HandshakeFailure], `${SILENT} §4.2.8.2 / §7.4.2 validate the share, refuse an all-zero X25519 result`],
  SessionIdMismatch: [A.IllegalParameter, '§4.1.3 "legacy_session_id_echo ... does not match ... illegal_parameter"'],
  ServerEchoedCompatibilitySessionId: [A.IllegalParameter, `${SILENT} §4.1.3 / Appendix D.4: a resumption of a session never offered; rustls sends illegal_parameter`],
  BadLegacyVersion: [[A.IllegalParameter, A.ProtocolVersion], `${SILENT} §4.1.3 "legacy_version ... MUST be set to 0x0303"`],
  CertificateCurveNotOffered: [[A.HandshakeFailure, A.IllegalParameter, A.UnsupportedCertificate], `${SILENT} RFC 8422 §5.1 "Servers MUST NOT negotiate ... unless they can complete the handshake while respecting the choice of curves"; OpenSSL: handshake_failure`],
  MessageNotOnRecordBoundary: [A.UnexpectedMessage, '§5.1 and RFC 5246 §7.4: a flight-ending message followed by more data in its record; OpenSSL: unexpected_message'],
  NonZeroCompression: [[A.IllegalParameter, A.DecodeError], `${SILENT} §4.1.3 "MUST have the value 0"`],
  DowngradeDetected: [A.IllegalParameter, '§4.1.3 "If a match is found, the client MUST abort the handshake with an illegal_parameter alert"'],
  BadCertificateVerify: [A.DecryptError, '§4.4.3 "If the verification fails, the receiver MUST terminate the handshake with a decrypt_error alert"'],
  IncorrectFinished: [A.DecryptError, '§4.4.4 "if incorrect MUST terminate the connection with a decrypt_error alert"; RFC 5246 §7.4.9'],
  BadServerKeyExchangeSignature: [A.DecryptError, 'RFC 5246 §7.2.2 decrypt_error: "unable to correctly verify a signature"'],
  BadRenegotiationInfo: [A.HandshakeFailure, 'RFC 5746 §3.4 "MUST abort the handshake (by sending a fatal handshake_failure alert)"'],
  MissingExtendedMasterSecret: [A.HandshakeFailure, 'RFC 7627 §5.3: abort the (abbreviated) handshake: handshake_failure'],
  IllegalKeyUpdateRequest: [A.IllegalParameter, '§4.6.3 "receives any other value, it MUST terminate the connection with an illegal_parameter alert"'],
  IllegalTicketLifetime: [[A.IllegalParameter, A.DecodeError], `${SILENT} §4.6.1 "MUST NOT use any value greater than 604800 seconds"`],
  IllegalRecordSizeLimit: [A.IllegalParameter, 'RFC 8449 §4 "An endpoint MUST treat receipt of a smaller value as a fatal error and generate an illegal_parameter alert"'],
  IllegalEarlyData: [[A.IllegalParameter, A.UnsupportedExtension, A.UnexpectedMessage], `${SILENT} §4.2.10 early_data not offered`],
  EmptyCertificateChain: [A.DecodeError, '§4.4.2.4 "If the server supplies an empty Certificate message, the client MUST abort the handshake with a decode_error alert"'],
  IllegalCertificateRequestContext: [[A.IllegalParameter, A.DecodeError], `${SILENT} §4.4.2 context "SHALL be zero length" for server authentication`],
  IllegalMiddleboxChangeCipherSpec: [A.UnexpectedMessage, '§5 "...after the peer\'s Finished message, it MUST be treated as an unexpected record type"'],
  ApplicationDataBeforeHandshakeDone: [A.UnexpectedMessage, '§6.2 unexpected_message: "premature Application Data"'],
};

const PEER_INCOMPATIBLE: Record<PeerIncompatibleReason, Row> = {
  NoCommonVersion: [A.ProtocolVersion, '§6.2 protocol_version; RFC 5246 §7.2.2'],
  ExtendedMasterSecretRequired: [A.HandshakeFailure, 'RFC 7627 §5.2: abort the handshake: handshake_failure (§6.2)'],
  UnsupportedCertificateKey: [[A.UnsupportedCertificate, A.HandshakeFailure], '§6.2 unsupported_certificate'],
  UnsupportedPointFormat: [[A.IllegalParameter, A.HandshakeFailure], 'RFC 8422 §5.1.2 / §5.2: the server must support uncompressed points'],
};

const CERTIFICATE: Record<CertificateErrorReason, Row> = {
  Expired: [A.CertificateExpired, '§6.2 certificate_expired: "has expired"'],
  NotYetValid: [A.CertificateExpired, '§6.2 certificate_expired: "or is not currently valid"'],
  UnknownIssuer: [A.UnknownCa, '§6.2 unknown_ca'],
  BadSignature: [A.BadCertificate, '§6.2 bad_certificate: "signatures that did not verify correctly"'],
  NotValidForName: [[A.BadCertificate, A.CertificateUnknown], `${SILENT} host name mismatch`],
  CaUsedAsEndEntity: [[A.BadCertificate, A.CertificateUnknown, A.UnsupportedCertificate], SILENT],
  EndEntityUsedAsCa: [[A.BadCertificate, A.CertificateUnknown, A.UnknownCa], SILENT],
  PathLengthExceeded: [[A.BadCertificate, A.CertificateUnknown, A.UnknownCa], SILENT],
  WeakSignatureAlgorithm: [[A.BadCertificate, A.UnsupportedCertificate, A.InsufficientSecurity], SILENT],
  WeakKey: [[A.BadCertificate, A.UnsupportedCertificate, A.InsufficientSecurity], SILENT],
  UnknownCriticalExtension: [[A.UnsupportedCertificate, A.BadCertificate], `${SILENT} RFC 5280 §4.2 "MUST reject the certificate"`],
  NameConstraintViolation: [[A.BadCertificate, A.CertificateUnknown], SILENT],
  BadEncoding: [[A.BadCertificate, A.DecodeError], '§6.2 bad_certificate: "A certificate was corrupt"'],
  WrongKeyUsage: [[A.UnsupportedCertificate, A.BadCertificate, A.CertificateUnknown], SILENT],
  UnsupportedSignatureAlgorithm: [[A.UnsupportedCertificate, A.BadCertificate], '§6.2 unsupported_certificate'],
  UnsupportedPublicKey: [[A.UnsupportedCertificate, A.BadCertificate], '§6.2 unsupported_certificate'],
  ChainTooLong: [[A.BadCertificate, A.CertificateUnknown, A.UnknownCa], SILENT],
  EmptyChain: [A.DecodeError, '§4.4.2.4 empty server Certificate: decode_error'],
  Revoked: [A.CertificateRevoked, '§6.2 certificate_revoked: "revoked by its signer" (a stapled OCSP response, RFC 6960)'],
  BadOcspResponse: [A.BadCertificateStatusResponse, 'RFC 6066 §8: an invalid staple: bad_certificate_status_response'],
  OcspResponseRequired: [A.BadCertificateStatusResponse, 'RFC 6066 §8 / RFC 8446 §6.2 bad_certificate_status_response: a required staple is missing'],
};

describe('every error reason maps to the alert the RFC names (alertFor)', () => {
  const check = (row: Row, got: number | undefined): void => {
    const allowed = typeof row[0] === 'number' ? [row[0]] : row[0];
    expect(allowed, row[1]).toContain(got);
  };

  for (const [reason, row] of Object.entries(INVALID_MESSAGE))
    it(`InvalidMessage ${reason}`, () => check(row, alertFor(new InvalidMessage(reason as InvalidMessageReason, 'test'))));
  for (const [reason, row] of Object.entries(PEER_MISBEHAVED))
    it(`PeerMisbehaved ${reason}`, () => check(row, alertFor(new PeerMisbehaved(reason as PeerMisbehavedReason))));
  for (const [reason, row] of Object.entries(PEER_INCOMPATIBLE))
    it(`PeerIncompatible ${reason}`, () => check(row, alertFor(new PeerIncompatible(reason as PeerIncompatibleReason))));
  for (const [reason, row] of Object.entries(CERTIFICATE))
    it(`InvalidCertificate ${reason}`, () => check(row, alertFor(new InvalidCertificate(reason as CertificateErrorReason))));

  it('InappropriateMessage: unexpected_message (§6.2 "the wrong handshake message")', () => {
    expect(alertFor(new InappropriateMessage('handshake message', ['Finished'], 'Certificate'))).toBe(A.UnexpectedMessage);
  });
  it('DecryptError: bad_record_mac (§5.2 "If the decryption fails, the receiver MUST terminate the connection with a bad_record_mac alert")', () => {
    expect(alertFor(new DecryptError())).toBe(A.BadRecordMac);
  });
  it('CryptoError: a peer value a primitive refused (illegal_parameter or handshake_failure)', () => {
    expect([A.IllegalParameter, A.HandshakeFailure, A.InternalError]).toContain(alertFor(new CryptoError('bad point')));
  });
  it('nothing is sent for the peer\'s own alert, for EOF and for API misuse (§6: never answer an alert with an alert)', () => {
    expect(alertFor(new AlertReceived(A.HandshakeFailure))).toBeUndefined();
    expect(alertFor(new UnexpectedEof())).toBeUndefined();
    expect(alertFor(new UsageError('misuse'))).toBeUndefined();
  });
  it('anything that is not a TlsError is internal_error (§6.2 "An internal error unrelated to the peer")', () => {
    expect(alertFor(new TypeError('bug'))).toBe(A.InternalError);
    expect(alertFor('string')).toBe(A.InternalError);
  });
  it('every alert is a fatal-capable description (never close_notify, user_canceled or a warning-only code)', () => {
    const all = [...Object.keys(PEER_MISBEHAVED).map((r) => alertFor(new PeerMisbehaved(r as PeerMisbehavedReason)))];
    for (const a of all) expect([A.CloseNotify, A.UserCanceled, A.NoRenegotiation]).not.toContain(a);
  });
});

describe('the table covers every reason declared in errors.ts', () => {
  const source = readFileSync(join(import.meta.dirname, '../../src/errors.ts'), 'utf8');
  const membersOf = (typeName: string): string[] => {
    const start = source.indexOf(`export type ${typeName} =`);
    expect(start, typeName).toBeGreaterThanOrEqual(0);
    const end = source.indexOf(';', start);
    return [...source.slice(start, end).matchAll(/\|\s*'([A-Za-z0-9]+)'/g)].map((m) => m[1]!);
  };
  for (const [typeName, table] of [
    ['InvalidMessageReason', INVALID_MESSAGE],
    ['PeerMisbehavedReason', PEER_MISBEHAVED],
    ['PeerIncompatibleReason', PEER_INCOMPATIBLE],
    ['CertificateErrorReason', CERTIFICATE],
  ] as const) {
    it(typeName, () => {
      const declared = membersOf(typeName);
      expect(declared.length).toBeGreaterThan(3);
      expect(Object.keys(table).sort()).toEqual([...declared].sort());
    });
  }
});

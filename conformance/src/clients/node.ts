/**
 * Node's own `tls.connect` as the client under test: the stand-in that proves the harness
 * before puretls exists, and the baseline of the benchmarks.
 *
 * Node cannot report the peer's signature scheme or tell close_notify from a bare EOF, and it
 * checks certificates after the handshake without sending an alert; those fields are reported
 * as 'n/a' and the matrix skips the matching checks for this client only.
 *
 * @module
 */
import tls from 'node:tls';
import { ianaGroupName, NOT_AVAILABLE, type ClientConnectOptions, type ObservedError } from '../types.ts';
import { tlsLikeClient, type TlsLikeSocket } from './tls-like.ts';

/** OpenSSL X509_V_ERR_* names as Node reports them in `err.code`, mapped to puretls' CertificateErrorReason. */
const NODE_CERT_CODES: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'Expired',
  CERT_NOT_YET_VALID: 'NotYetValid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'NotValidForName',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'UnknownIssuer',
  SELF_SIGNED_CERT_IN_CHAIN: 'UnknownIssuer',
  UNABLE_TO_GET_ISSUER_CERT: 'UnknownIssuer',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'UnknownIssuer',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'UnknownIssuer',
  CERT_SIGNATURE_FAILURE: 'BadSignature',
  CA_MD_TOO_WEAK: 'WeakSignatureAlgorithm',
  EE_KEY_TOO_SMALL: 'WeakKey',
  CA_KEY_TOO_SMALL: 'WeakKey',
  INVALID_PURPOSE: 'WrongKeyUsage',
  INVALID_CA: 'EndEntityUsedAsCa',
  PERMITTED_SUBTREE_VIOLATION: 'NameConstraintViolation',
  EXCLUDED_SUBTREE_VIOLATION: 'NameConstraintViolation',
  PATH_LENGTH_EXCEEDED: 'PathLengthExceeded',
  CERT_CHAIN_TOO_LONG: 'ChainTooLong',
};

/**
 * Node reports some X509_V_ERR_* values only as code `UNSPECIFIED` with OpenSSL's verify text as
 * the message (X509_verify_cert_error_string); these map by that text.
 */
const NODE_CERT_MESSAGES: readonly (readonly [string, string])[] = [
  ['CA signature digest algorithm too weak', 'WeakSignatureAlgorithm'],
  ['EE certificate key too weak', 'WeakKey'],
  ['CA certificate key too weak', 'WeakKey'],
  ['permitted subtree violation', 'NameConstraintViolation'],
  ['excluded subtree violation', 'NameConstraintViolation'],
  ['key usage does not include certificate signing', 'WrongKeyUsage'],
  ['invalid CA certificate', 'EndEntityUsedAsCa'],
  ['unsuitable certificate purpose', 'WrongKeyUsage'],
];


/** Maps the harness options to `tls.connect` options. */
export function nodeTlsOptions(options: ClientConnectOptions): tls.ConnectionOptions {
  const nodeOptions: tls.ConnectionOptions = {
    host: options.host,
    port: options.port,
    servername: options.servername,
    ca: options.ca,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
  };
  if (options.alpnProtocols !== undefined) nodeOptions.ALPNProtocols = [...options.alpnProtocols];
  if (options.minVersion !== undefined) nodeOptions.minVersion = options.minVersion;
  if (options.maxVersion !== undefined) nodeOptions.maxVersion = options.maxVersion;
  if (options.suites !== undefined) nodeOptions.ciphers = options.suites.join(':');
  if (options.groups !== undefined) nodeOptions.ecdhCurve = options.groups.join(':');
  if (options.session !== undefined) nodeOptions.session = Buffer.from(options.session);
  if (options.cert !== undefined) nodeOptions.cert = options.cert;
  if (options.externalPsk !== undefined) {
    const { identity, keyHex } = options.externalPsk;
    nodeOptions.pskCallback = () => ({ psk: Buffer.from(keyHex, 'hex'), identity });
  }
  if (options.key !== undefined) nodeOptions.key = options.key;
  if (options.preparedContext === true) {
    // One secureContext per distinct context-level option set (tls.createSecureContext takes these).
    const contextOptions: tls.SecureContextOptions = { ca: options.ca };
    for (const key of ['minVersion', 'maxVersion', 'ciphers', 'ecdhCurve'] as const) if (nodeOptions[key] !== undefined) Object.assign(contextOptions, { [key]: nodeOptions[key] });
    const key = JSON.stringify(contextOptions);
    let secureContext = PREPARED_CONTEXTS.get(key);
    if (secureContext === undefined) PREPARED_CONTEXTS.set(key, (secureContext = tls.createSecureContext(contextOptions)));
    nodeOptions.secureContext = secureContext;
  }
  return nodeOptions;
}

/** secureContexts prepared for `preparedContext` connections, by their options. */
const PREPARED_CONTEXTS = new Map<string, tls.SecureContext>();

/** Normalises a Node TLS error: alert numbers come from OpenSSL's "SSL alert number N" text. */
export function describeNodeError(error: unknown): ObservedError {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as NodeJS.ErrnoException).code;
  const alertMatch = /alert number (\d+)/.exec(error.message);
  const described: { -readonly [K in keyof ObservedError]: ObservedError[K] } = { message: error.message };
  if (code !== undefined) {
    described.code = code;
    const certReason = NODE_CERT_CODES[code];
    if (certReason !== undefined) described.certReason = certReason;
  }
  if (described.certReason === undefined) {
    const byMessage = NODE_CERT_MESSAGES.find(([text]) => error.message === text);
    if (byMessage !== undefined) described.certReason = byMessage[1];
  }
  if (alertMatch !== null) described.alertReceived = Number(alertMatch[1]);
  return described;
}

function readNodeGroup(socket: TlsLikeSocket): string {
  const info = (socket as unknown as tls.TLSSocket).getEphemeralKeyInfo();
  if (info === null || typeof info !== 'object') return NOT_AVAILABLE;
  const { type, name, size } = info as { type?: string; name?: string; size?: number };
  if (name !== undefined) return ianaGroupName(name);
  if (type === 'DH' && size !== undefined) return `ffdhe${size}`;
  return NOT_AVAILABLE;
}

/** The Node client: `tls.connect` with the options above. */
export const nodeClient = tlsLikeClient({
  name: 'node',
  capabilities: { group: true, sigScheme: false, keylog: true, closeNotify: false, alertSent: false, errorReason: false, requireExtendedMasterSecret: false },
  knownDeviations: {
    'badssl-rsa1024': 'Node/OpenSSL verifies at security level 1, where RSA-1024 (80-bit) leaves are still accepted',
    'badssl-cn-only-no-san': "Node's checkServerIdentity falls back to the subject CN when the certificate has no DNS SAN",
    's12-hello-request-declined': 'Node/OpenSSL as a client accepts a server HelloRequest and renegotiates (a second ClientHello) instead of declining',
    'gnutls12-rehandshake-declined': 'Node/OpenSSL as a client accepts a server HelloRequest and renegotiates (a second ClientHello) instead of declining',
    's13-resume-other-sni-not-offered': "Node/OpenSSL offers a session given to tls.connect({ session }) whatever the servername: the match is left to the application",
    'gnutls13-resume-other-sni-not-offered': "Node/OpenSSL offers a session given to tls.connect({ session }) whatever the servername: the match is left to the application",
    's12-resume-empty-key-share': 'Node/OpenSSL sends its usual X25519 key share when offering a TLS 1.2 session (no empty key_share prediction)',
    's12-session-to-upgraded-server': 'Node/OpenSSL sends its usual X25519 key share when offering a TLS 1.2 session, so a TLS 1.3 server needs no HelloRetryRequest',
  },
  open: (options) => tls.connect(nodeTlsOptions(options)) as unknown as TlsLikeSocket,
  describeError: describeNodeError,
  readGroup: readNodeGroup,
  readSigScheme: () => NOT_AVAILABLE,
  endMeansCloseNotify: false,
});

/**
 * The client's own certificate and key (RFC 8446 §4.3.2, §4.4.2, §4.4.3; RFC 5246 §7.4.4, §7.4.6,
 * §7.4.8): a typed credential (chain + private key, checked against each other once, when it is
 * built), the choice of credential and signature scheme for a CertificateRequest, and the
 * CertificateVerify signature.
 *
 * Choice (the same shape as Node's and OpenSSL's client certificate callback, rustls'
 * ResolvesClientCert): the config's `selectClientCredential` callback when given, else the first
 * configured credential that can sign one of the server's schemes (and, in TLS 1.2, whose key type
 * is among the requested certificate_types). The scheme is the first of puretls' signing order
 * (crypto/signer.ts) that the server listed. No fitting credential: an empty Certificate, and the
 * server decides (RFC 8446 §4.4.2: "If the server requests client authentication but no suitable
 * certificate is available, the client MUST send a Certificate message containing no certificates").
 *
 * The engine signs through the credential's own `sign` (which {@link createClientCredential}
 * binds to crypto/signer.ts): the state machine does not import the signing code (RSA signing,
 * noble's ECDSA signer) or the private key parser, so an embedding that never builds a
 * credential does not carry them (docs/embedding.md).
 * @module
 */
import { concatBytes, equalBytes, utf8 } from '../codec/bytes.ts';
import { Reader } from '../codec/reader.ts';
import { InvalidPrivateKey } from '../errors.ts';
import { publicKeyOf, type PrivateKey, type PublicKey } from '../crypto/keys.ts';
import { signingSchemesFor, signWithScheme } from '../crypto/signer.ts';
import { parseCertificate } from '../x509/certificate.ts';
import { decodePemCertificates } from '../x509/pem.ts';
import { parsePrivateKeyPem } from '../x509/private-key.ts';

/** A client certificate chain (DER, leaf first) and the private key of its leaf. Build it with {@link createClientCredential}. */
export interface ClientCredential {
  readonly chain: readonly Uint8Array[];
  readonly key: PrivateKey;
  /** The leaf's public key, as the certificate states it (PSS-only RSA keys included). */
  readonly publicKey: PublicKey;
  /** Sign `message` under TLS SignatureScheme `scheme` with `key` (createClientCredential binds crypto/signer.ts `signWithScheme`). */
  readonly sign: (scheme: number, message: Uint8Array, randomBytes: (n: number) => Uint8Array) => Uint8Array;
}

/** What the server asked for, as the selection callback sees it. */
export interface CertificateRequestInfo {
  readonly version: 'TLSv1.3' | 'TLSv1.2';
  /** The server's signature_algorithms (TLS 1.3) / supported_signature_algorithms (TLS 1.2), its order. */
  readonly signatureSchemes: readonly number[];
  /** TLS 1.3 signature_algorithms_cert, when the server sent it (RFC 8446 §4.2.3). */
  readonly signatureSchemesCert: readonly number[] | undefined;
  /** DER DistinguishedNames of acceptable CAs (TLS 1.2 list, TLS 1.3 certificate_authorities); may be empty. */
  readonly certificateAuthorities: readonly Uint8Array[];
  /** TLS 1.2 certificate_types (rsa_sign = 1, ecdsa_sign = 64); undefined in TLS 1.3. */
  readonly certificateTypes: readonly number[] | undefined;
}

/** Picks a credential for a request; undefined sends an empty Certificate. */
export type ClientCredentialSelector = (request: CertificateRequestInfo, credentials: readonly ClientCredential[]) => ClientCredential | undefined;

/** A credential and the scheme it will sign with. */
export interface CredentialChoice {
  readonly credential: ClientCredential;
  readonly scheme: number;
}

/**
 * Build a credential from PEM or DER and check that the key belongs to the leaf.
 * @param options.certificateChain PEM text (leaf first, intermediates after) or DER certificates
 * @param options.privateKey PEM text (PKCS#8, SEC1 or PKCS#1) or a parsed key
 * @throws {InvalidPrivateKey} for an unreadable, encrypted or unsupported key, or one that does not match the leaf
 * @throws {InvalidCertificate} when the leaf certificate does not parse
 * @example createClientCredential({ certificateChain: readFileSync('client.pem', 'utf8'), privateKey: readFileSync('client.key', 'utf8') })
 */
export function createClientCredential(options: { certificateChain: string | readonly Uint8Array[]; privateKey: string | PrivateKey }): ClientCredential {
  const chain = typeof options.certificateChain === 'string' ? decodePemCertificates(options.certificateChain) : options.certificateChain.map((c) => c.slice());
  if (chain.length === 0) throw new InvalidPrivateKey('KeyMismatch', 'no certificate given with the key');
  const key = typeof options.privateKey === 'string' ? parsePrivateKeyPem(options.privateKey) : options.privateKey;
  const publicKey = parseCertificate(chain[0]!).publicKey;
  if (!samePublicKey(publicKeyOf(key), publicKey)) throw new InvalidPrivateKey('KeyMismatch', 'the private key does not belong to the leaf certificate');
  const sign = (scheme: number, message: Uint8Array, randomBytes: (n: number) => Uint8Array): Uint8Array => signWithScheme(key, scheme, message, randomBytes);
  return Object.freeze({ chain: Object.freeze(chain), key, publicKey, sign });
}

/**
 * Choose a credential and scheme for a CertificateRequest.
 * @returns undefined when nothing fits (send an empty Certificate)
 */
export function chooseClientCredential(
  request: CertificateRequestInfo,
  credentials: readonly ClientCredential[],
  selector: ClientCredentialSelector | undefined,
): CredentialChoice | undefined {
  const candidates = selector === undefined ? credentials : [selector(request, credentials)].filter((c) => c !== undefined);
  for (const credential of candidates) {
    if (request.certificateTypes !== undefined && !request.certificateTypes.includes(CERTIFICATE_TYPE[credential.key.kind])) continue;
    const key = credential.publicKey.kind === 'rsa' ? { ...credential.key, pssOnly: credential.publicKey.pssOnly } : credential.key;
    const scheme = signingSchemesFor(key as PrivateKey, request.version).find((s) => request.signatureSchemes.includes(s));
    if (scheme !== undefined) return { credential, scheme };
  }
  return undefined;
}

/** The TLS 1.3 client CertificateVerify signature over the transcript hash (RFC 8446 §4.4.3). */
export function signTls13ClientCertificateVerify(choice: CredentialChoice, transcriptHash: Uint8Array, randomBytes: (n: number) => Uint8Array): Uint8Array {
  return choice.credential.sign(choice.scheme, concatBytes(CLIENT_CV_PREFIX, transcriptHash), randomBytes);
}

/** The TLS 1.2 CertificateVerify signature over all handshake messages so far (RFC 5246 §7.4.8). */
export function signTls12CertificateVerify(choice: CredentialChoice, handshakeMessages: Uint8Array, randomBytes: (n: number) => Uint8Array): Uint8Array {
  return choice.credential.sign(choice.scheme, handshakeMessages, randomBytes);
}

/**
 * The DistinguishedNames of a TLS 1.3 certificate_authorities extension body (RFC 8446 §4.2.4).
 * @throws InvalidMessage
 */
export function decodeCertificateAuthorities(data: Uint8Array): Uint8Array[] {
  const r = new Reader(data);
  const list = r.vec16('certificate_authorities', { nonEmpty: true });
  r.expectEnd('certificate_authorities');
  const out: Uint8Array[] = [];
  while (!list.atEnd) out.push(list.opaque16('DistinguishedName', { nonEmpty: true }));
  return out;
}

function samePublicKey(a: PublicKey, b: PublicKey): boolean {
  if (a.kind === 'rsa' && b.kind === 'rsa') return a.n === b.n && a.e === b.e;
  if (a.kind === 'ec' && b.kind === 'ec') return a.curve === b.curve && equalBytes(a.point, b.point);
  if (a.kind === 'ed25519' && b.kind === 'ed25519') return equalBytes(a.key, b.key);
  return false;
}

// RFC 5246 §7.4.4 ClientCertificateType; RFC 8422 §5.5: Ed25519 keys use ecdsa_sign.
const CERTIFICATE_TYPE: Readonly<Record<PrivateKey['kind'], number>> = { rsa: 1, ec: 64, ed25519: 64 };

// RFC 8446 §4.4.3: 64 spaces, the context string, a zero byte, then the transcript hash.
const CLIENT_CV_PREFIX = /* @__PURE__ */ concatBytes(new Uint8Array(64).fill(0x20), utf8('TLS 1.3, client CertificateVerify'), new Uint8Array(1));

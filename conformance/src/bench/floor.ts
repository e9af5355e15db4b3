/**
 * The pure-JS crypto floor of a handshake: the cryptographic calls a client on @noble/* (and
 * puretls' BigInt RSA, noble having none) must make for it, timed with no protocol around them:
 * no parsing, no state machine, no sockets. A handshake row's protocol overhead is its client CPU
 * per handshake minus this floor.
 *
 * What each floor contains (one call each unless said):
 * - every handshake: SHA-256 over the transcript's bytes (ClientHello ~260 + ServerHello ~90 +
 *   the certificate chain DER + ~200), AES-128-GCM (noble `gcm()`) over the encrypted flight;
 * - full handshakes: an X25519 key pair and shared secret; the server's signature (CertificateVerify
 *   in TLS 1.3, ServerKeyExchange in TLS 1.2) verified with the leaf key; on first contact also
 *   leaf ← intermediate and intermediate ← root; on repeat contact not (a client may remember a
 *   verified link; puretls does) and the leaf key with precomputed tables (puretls prepares a
 *   server key it has seen a few times);
 * - TLS 1.3 key schedule: 3 HKDF-Extract, 19 HKDF-Expand, 2 HMAC (Finished); resumed psk_dhe_ke adds
 *   the binder (1 Extract, 2 Expand, 1 HMAC) and keeps the X25519 exchange;
 * - TLS 1.2: the PRF for the extended master secret, key block and both Finished (14 HMAC-SHA256);
 *   resumed: key block and Finished only (10 HMAC).
 *
 * {@link x25519Sides}: the X25519 part alone, once in noble (as the floor has it) and once in
 * node:crypto (OpenSSL), so that a row can show both clients' CPU with their X25519 taken out: what
 * the rest of a pure-JS client costs next to the rest of node:tls.
 *
 * @module
 */
import { constants, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SHA256, decodePemCertificates, parseCertificate, prepareVerificationKey, verifySignature, type PublicKey, type SignatureAlgorithm } from '@puretls/tls-core/internal';
import { cpuPerCall } from './measure.ts';

type Bytes = Uint8Array;
interface NobleParts {
  readonly x25519: { utils: { randomSecretKey(): Bytes }; getPublicKey(sk: Bytes): Bytes; getSharedSecret(sk: Bytes, pk: Bytes): Bytes };
  readonly sha256: (data: Bytes) => Bytes;
  readonly hkdfExtract: (hash: unknown, ikm: Bytes, salt: Bytes) => Bytes;
  readonly hkdfExpand: (hash: unknown, prk: Bytes, info: Bytes, length: number) => Bytes;
  readonly hmac: (hash: unknown, key: Bytes, data: Bytes) => Bytes;
  readonly gcm: (key: Bytes, nonce: Bytes, aad?: Bytes) => { encrypt(data: Bytes): Bytes; decrypt(data: Bytes): Bytes };
}

let noble: Promise<NobleParts> | undefined;

/** noble, resolved from @puretls/tls-core's own dependencies (the copy puretls runs). */
export function loadNoble(): Promise<NobleParts> {
  noble ??= (async () => {
    const requireFromCore = createRequire(fileURLToPath(import.meta.resolve('@puretls/tls-core')));
    const load = async (name: string): Promise<Record<string, unknown>> => (await import(pathToFileURL(requireFromCore.resolve(name)).href)) as Record<string, unknown>;
    const [ed, sha2, hkdf, hmac, aes] = await Promise.all([
      load('@noble/curves/ed25519.js'),
      load('@noble/hashes/sha2.js'),
      load('@noble/hashes/hkdf.js'),
      load('@noble/hashes/hmac.js'),
      load('@noble/ciphers/aes.js'),
    ]);
    return {
      x25519: ed.x25519 as NobleParts['x25519'],
      sha256: sha2.sha256 as NobleParts['sha256'],
      hkdfExtract: hkdf.extract as NobleParts['hkdfExtract'],
      hkdfExpand: hkdf.expand as NobleParts['hkdfExpand'],
      hmac: hmac.hmac as NobleParts['hmac'],
      gcm: aes.gcm as NobleParts['gcm'],
    };
  })();
  return noble;
}

export interface FloorSpec {
  readonly version: 'TLSv1.3' | 'TLSv1.2';
  /** PKI directory and the PEM files of the chain (leaf key: `<leaf>.key`). */
  readonly dir: string;
  readonly leaf: string;
  readonly intermediate: string;
  readonly root: string;
  readonly firstContact: boolean;
  readonly resumed?: boolean;
  /** TLS 1.3 psk_ke: no X25519 exchange. */
  readonly noKeyExchange?: boolean;
}

async function certificate(dir: string, name: string) {
  return parseCertificate(decodePemCertificates(await readFile(join(dir, `${name}.pem`), 'utf8'))[0]!);
}

/** A checker for "issuer signed child" with fresh (unprepared) key objects. */
function linkCheck(child: Awaited<ReturnType<typeof certificate>>, issuerKey: PublicKey): () => void {
  const alg = child.signatureAlgorithm;
  if (alg.kind !== 'supported') throw new Error('floor: unsupported certificate signature');
  return () => {
    if (!verifySignature(alg.algorithm, issuerKey, child.tbs, child.signature)) throw new Error('floor: chain signature did not verify');
  };
}

/** The CPU ms of the floor described in the module comment, measured alone over about `ms` ms. */
export async function cryptoFloorMs(spec: FloorSpec, ms = 1500): Promise<number> {
  return cpuPerCall(await cryptoFloorOp(spec), ms, 20);
}

/** One handshake's floor as a function, to be timed in the same interleaved rounds as the clients. */
export async function cryptoFloorOp(spec: FloorSpec): Promise<() => void> {
  const n = await loadNoble();
  const leaf = await certificate(spec.dir, spec.leaf);
  const intermediate = await certificate(spec.dir, spec.intermediate);
  const root = await certificate(spec.dir, spec.root);
  const chainBytes = leaf.der.length + intermediate.der.length;
  const transcript = new Uint8Array(260 + 90 + chainBytes + 200).fill(7);
  const key = new Uint8Array(16).fill(1);
  const nonce = new Uint8Array(12).fill(2);
  const flight = n.gcm(key, nonce, new Uint8Array(5)).encrypt(new Uint8Array(chainBytes + 400));
  const finished = n.gcm(key, nonce, new Uint8Array(5)).encrypt(new Uint8Array(40));
  const secret = new Uint8Array(32).fill(3);
  const info = new Uint8Array(40).fill(4);
  const serverShare = n.x25519.getPublicKey(n.x25519.utils.randomSecretKey());

  // The server's handshake signature, made with the leaf's private key by node:crypto.
  const message = new Uint8Array(130).fill(0x20);
  const leafKey = createPrivateKey(await readFile(join(spec.dir, `${spec.leaf}.key`), 'utf8'));
  const ec = leaf.publicKey.kind === 'ec';
  const serverSignature = ec
    ? new Uint8Array(sign('sha256', message, { key: leafKey, dsaEncoding: 'der' }))
    : new Uint8Array(sign('sha256', message, { key: leafKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }));
  const signatureAlg: SignatureAlgorithm = ec ? { kind: 'ecdsa', hash: SHA256 } : { kind: 'rsa-pss', hash: SHA256, saltLength: 32 };
  const verifyKey = spec.firstContact ? leaf.publicKey : prepareVerificationKey((await certificate(spec.dir, spec.leaf)).publicKey);
  const links = spec.firstContact ? [linkCheck(leaf, (await certificate(spec.dir, spec.intermediate)).publicKey), linkCheck(intermediate, root.publicKey)] : [];

  const full = spec.resumed !== true;
  const tls13 = spec.version === 'TLSv1.3';
  // Resumed TLS 1.3 is psk_dhe_ke unless psk_ke is asked for; resumed TLS 1.2 has no key exchange.
  const dhe = full || (tls13 && spec.noKeyExchange !== true);
  const op = (): void => {
    if (dhe) {
      const sk = n.x25519.utils.randomSecretKey();
      n.x25519.getPublicKey(sk);
      n.x25519.getSharedSecret(sk, serverShare);
    }
    if (full) {
      if (!verifySignature(signatureAlg, verifyKey, message, serverSignature)) throw new Error('floor: server signature did not verify');
      for (const check of links) check();
    }
    n.sha256(full ? transcript : transcript.subarray(0, 700));
    if (tls13) {
      const extracts = spec.resumed === true ? 4 : 3;
      const expands = spec.resumed === true ? 21 : 19;
      const macs = spec.resumed === true ? 3 : 2;
      let prk: Uint8Array = secret;
      for (let i = 0; i < extracts; i++) prk = n.hkdfExtract(n.sha256, secret, prk);
      for (let i = 0; i < expands; i++) n.hkdfExpand(n.sha256, prk, info, 32);
      for (let i = 0; i < macs; i++) n.hmac(n.sha256, prk, secret);
    } else {
      const macs = full ? 14 : 10;
      for (let i = 0; i < macs; i++) n.hmac(n.sha256, secret, info);
    }
    n.gcm(key, nonce, new Uint8Array(5)).decrypt(full ? flight : finished);
    n.gcm(key, nonce, new Uint8Array(5)).decrypt(finished);
  };
  return op;
}

/** One X25519 exchange of a side: the client's public value (32 bytes) and the shared secret. */
export interface X25519Exchange {
  readonly publicKey: Uint8Array;
  readonly shared: Uint8Array;
}

/** The two X25519 sides of a row: one key pair and one shared secret each (see {@link x25519Sides}). */
export interface X25519Sides {
  /** noble, as puretls and the floor call it: a secret key, its public key, the shared secret. */
  readonly noble: () => X25519Exchange;
  /**
   * node:crypto (OpenSSL): `generateKeyPairSync('x25519')`, the public key exported as the key
   * share would be (DER SPKI, whose last 32 bytes are the share), `diffieHellman` with the server's
   * key. node:tls makes the same two OpenSSL calls inside the handshake without the KeyObject
   * wrappers, so this is an upper bound on what node:tls spends on X25519, and the node:tls CPU
   * "without X25519" derived from it is a lower bound: the row's "CPU ratio without X25519" does
   * not flatter the subject.
   */
  readonly native: () => X25519Exchange;
}

/**
 * X25519 alone, in noble and in node:crypto, to be timed as two more sides of a row's rounds,
 * against a server share made from `serverSecretKey` (random unless given: tests check the secrets).
 */
export async function x25519Sides(serverSecretKey?: Uint8Array): Promise<X25519Sides> {
  const n = await loadNoble();
  const serverSecret = serverSecretKey ?? n.x25519.utils.randomSecretKey();
  const serverShare = n.x25519.getPublicKey(serverSecret);
  // The same share as a node:crypto key: RFC 8410 SubjectPublicKeyInfo, id-X25519 (1.3.101.110).
  const spkiPrefix = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00);
  const nativeServerKey = createPublicKey({ key: Buffer.concat([spkiPrefix, serverShare]), format: 'der', type: 'spki' });
  return {
    noble: () => {
      const sk = n.x25519.utils.randomSecretKey();
      const publicKey = n.x25519.getPublicKey(sk);
      return { publicKey, shared: n.x25519.getSharedSecret(sk, serverShare) };
    },
    native: () => {
      const { privateKey, publicKey } = generateKeyPairSync('x25519');
      const spki = publicKey.export({ format: 'der', type: 'spki' });
      return { publicKey: new Uint8Array(spki.subarray(spki.length - 32)), shared: new Uint8Array(diffieHellman({ privateKey, publicKey: nativeServerKey })) };
    },
  };
}

/**
 * The security domain of a Context: a SHA-256 fingerprint of every configuration setting that
 * decides whether a resumed session is as trustworthy as a full handshake made with that
 * Context (versions, cipher suites, ALPN offer, trust anchors, verification policy, the EMS
 * requirement, the client certificates). Sessions and cache keys carry it, so two differently configured Contexts never
 * share a session, even through a file (compare rustls' `ClientSessionKey` and Go's cache key
 * of server name plus config). Groups, signature schemes, PSK modes and the record size do not
 * change what a resumed session proves and are left out.
 * @module
 */
import { SHA256, Writer, utf8, type ClientConfig, type TrustStore } from '@puretls/tls-core/internal';

/**
 * The 32-byte domain id of a config.
 * @example securityDomainId(createClientConfig({ trustStore })) // Uint8Array(32)
 */
export function securityDomainId(config: ClientConfig): Uint8Array {
  const w = new Writer();
  w.opaque(1, utf8('puretls session security domain v1'));
  w.u16(config.minVersion).u16(config.maxVersion);
  w.prefixed(2, (b) => config.tls13Suites.forEach((s) => b.u16(s)));
  w.prefixed(2, (b) => config.tls12Suites.forEach((s) => b.u16(s)));
  w.prefixed(2, (b) => config.alpnProtocols.forEach((p) => b.opaque(1, utf8(p))));
  w.opaque(1, config.trustStore === undefined ? new Uint8Array(0) : trustAnchorsId(config.trustStore));
  w.u8(config.verifyCertificates ? 1 : 0);
  // A custom identity check cannot be fingerprinted; its presence at least separates the domains.
  w.u8(config.checkServerIdentity === undefined ? 0 : 1);
  w.u8(config.requireExtendedMasterSecret ? 1 : 0);
  // Server verifiers cannot be fingerprinted either; their presence separates the domains (only
  // written when present, so the ids of configs without them are unchanged).
  if (config.verifyServerCertificate !== undefined || config.dangerouslyReplaceServerVerifier !== undefined) {
    w.opaque(1, utf8('server verifiers'));
    w.u8(config.verifyServerCertificate === undefined ? 0 : 1).u8(config.dangerouslyReplaceServerVerifier === undefined ? 0 : 1);
  }
  // Client identities: a session authenticated with one credential is not offered by a Context
  // holding others. Written only when present, so the ids of configs without any are unchanged.
  if (config.clientCredentials.length > 0 || config.selectClientCredential !== undefined) {
    w.opaque(1, utf8('client credentials'));
    w.prefixed(2, (b) => config.clientCredentials.forEach((c) => b.bytes(SHA256.digest(c.chain[0]!))));
    w.u8(config.selectClientCredential === undefined ? 0 : 1);
  }
  return SHA256.digest(w.finish());
}

/** SHA-256 over the sorted SHA-256 hashes of the anchors' DER: independent of order and PEM text. */
export function trustAnchorsId(store: TrustStore): Uint8Array {
  const cached = ANCHOR_IDS.get(store);
  if (cached !== undefined) return cached;
  const hashes = store.anchors.map((c) => SHA256.digest(c.der));
  hashes.sort(compareBytes);
  const w = new Writer();
  for (const h of hashes) w.bytes(h);
  const id = SHA256.digest(w.finish());
  ANCHOR_IDS.set(store, id);
  return id;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Trust stores are immutable: hash each once (Node's default roots are ~140 certificates). */
const ANCHOR_IDS = /* @__PURE__ */ new WeakMap<TrustStore, Uint8Array>();

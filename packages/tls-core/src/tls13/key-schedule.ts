/**
 * TLS 1.3 key schedule (RFC 8446 §7.1–7.5, §4.4.4, §4.6.1, §4.2.11.2).
 *
 * The schedule is split into typed phases, so that "derived the wrong secret at the wrong
 * time" is a type error rather than a runtime bug:
 *
 * ```
 *   PSK or 0 ─► EarlySecret ──(EC)DHE──► HandshakeSecret ──0──► MasterSecret
 *               binder keys               c/s hs traffic          c/s ap traffic, exporter,
 *               c e traffic, e exp                                resumption master
 * ```
 *
 * Each phase consumes the previous one (`intoHandshake`, `intoMaster`) and exposes only the
 * derivations the RFC allows at that point. The PSK a session carries is a type of its own,
 * {@link ResumptionPsk} (§4.2.11, §4.6.1): its bytes leave it only through the internal entry. Transcript hashes are passed in as digests
 * (see `transcript.ts`), never as raw messages.
 *
 * Each secret keys its HMAC once for all its expansions and drops it when they are done; the
 * PSK-less Early Secret is a constant made once per suite, and `intoHandshake` continues an
 * Early Secret under the negotiated suite of the same hash (docs/design.md, "Derived secrets and
 * their keyed HMACs").
 *
 * Free functions cover the rest of §7: HKDF-Expand-Label and Derive-Secret (§7.1), traffic
 * key/IV derivation (§7.3), the Finished key and verify_data (§4.4.4), KeyUpdate's
 * next-generation secret (§7.2), the resumption PSK (§4.6.1) and TLS-Exporter (§7.5).
 * @module
 */
import { utf8 } from '../codec/bytes.ts';
import { UsageError } from '../errors.ts';
import { AEAD_KEY_LENGTH, hkdfExpand, hkdfExpandWith, hkdfExtract, hmac, hmacWithKey, type AeadAlgorithm, type HashAlgorithm } from '../crypto/noble.ts';

/** What the key schedule needs from a TLS 1.3 cipher suite (a `Tls13Suite` from `crypto/suites.ts` fits). */
export interface Tls13KeyScheduleSuite {
  readonly hash: HashAlgorithm;
  readonly aead: AeadAlgorithm;
}

/** The write key and IV of one traffic secret (RFC 8446 §7.3). */
export interface TrafficKeys {
  readonly aead: AeadAlgorithm;
  /** `HKDF-Expand-Label(secret, "key", "", key_length)` */
  readonly key: Uint8Array;
  /** `HKDF-Expand-Label(secret, "iv", "", 12)` */
  readonly iv: Uint8Array;
}

/**
 * The `HkdfLabel` structure of RFC 8446 §7.1: `uint16 length || opaque label<7..255> ("tls13 " + label) || opaque context<0..255>`.
 * @param label the label without the `tls13 ` prefix, e.g. `c hs traffic`
 * @param context the context (usually a transcript hash), at most 255 bytes
 * @param length the output length in bytes
 * @throws UsageError if a field does not fit
 */
export function hkdfLabel(label: string, context: Uint8Array, length: number): Uint8Array {
  let fullLabel = FULL_LABELS.get(label);
  if (fullLabel === undefined) {
    fullLabel = utf8(LABEL_PREFIX + label);
    if (FULL_LABELS.size < FULL_LABELS_MAX) FULL_LABELS.set(label, fullLabel);
  }
  if (fullLabel.length > 255 || context.length > 255 || !Number.isInteger(length) || length < 0 || length > 0xffff)
    throw new UsageError('HKDF-Expand-Label argument out of range');
  const out = new Uint8Array(2 + 1 + fullLabel.length + 1 + context.length);
  out[0] = length >>> 8;
  out[1] = length & 0xff;
  out[2] = fullLabel.length;
  out.set(fullLabel, 3);
  out[3 + fullLabel.length] = context.length;
  out.set(context, 4 + fullLabel.length);
  return out;
}

/**
 * `HKDF-Expand-Label(Secret, Label, Context, Length)` (RFC 8446 §7.1).
 * @example hkdfExpandLabel(SHA256, trafficSecret, 'key', new Uint8Array(0), 16)
 */
export function hkdfExpandLabel(
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  return hkdfExpand(hash, secret, hkdfLabel(label, context, length), length);
}

/**
 * `Derive-Secret(Secret, Label, Messages)` (RFC 8446 §7.1), given `Transcript-Hash(Messages)`.
 * @param transcriptHash the hash of the messages (for an empty transcript: `hash.digest(new Uint8Array(0))`)
 */
export function deriveSecret(hash: HashAlgorithm, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, secret, label, transcriptHash, hash.outputLen);
}

/** Traffic key and IV for `suite` from a traffic secret (RFC 8446 §7.3). */
export function deriveTrafficKeys(suite: Tls13KeyScheduleSuite, trafficSecret: Uint8Array): TrafficKeys {
  return {
    aead: suite.aead,
    key: hkdfExpandLabel(suite.hash, trafficSecret, 'key', EMPTY, AEAD_KEY_LENGTH[suite.aead]),
    iv: hkdfExpandLabel(suite.hash, trafficSecret, 'iv', EMPTY, IV_LENGTH),
  };
}

/** `finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length)` (RFC 8446 §4.4.4). */
export function finishedKey(hash: HashAlgorithm, baseKey: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, baseKey, 'finished', EMPTY, hash.outputLen);
}

/**
 * `verify_data = HMAC(finished_key, Transcript-Hash(...))` (RFC 8446 §4.4.4). The base key is
 * the sender's handshake (or, post-handshake, application) traffic secret, or a binder key.
 */
export function finishedVerifyData(hash: HashAlgorithm, baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
  return hmac(hash, finishedKey(hash, baseKey), transcriptHash);
}

/** `application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length)` (RFC 8446 §7.2). */
export function nextApplicationTrafficSecret(hash: HashAlgorithm, current: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, current, 'traffic upd', EMPTY, hash.outputLen);
}

/**
 * The PSK a ticket stands for: `HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length)`
 * (RFC 8446 §4.6.1).
 */
export function resumptionPsk(hash: HashAlgorithm, resumptionMasterSecret: Uint8Array, ticketNonce: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, resumptionMasterSecret, 'resumption', ticketNonce, hash.outputLen);
}

/**
 * `TLS-Exporter(label, context_value, key_length)` (RFC 8446 §7.5):
 * `HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context_value), key_length)`.
 * Like every HKDF-Expand-Label, Derive-Secret puts `tls13 ` in front of the exporter label. In
 * TLS 1.3 an absent context and an empty one are the same (RFC 8446 §7.5): both hash the empty string.
 * @param exporterSecret the (early_)exporter_master_secret
 */
export function exportKeyingMaterial(
  hash: HashAlgorithm,
  exporterSecret: Uint8Array,
  label: string,
  context: Uint8Array | undefined,
  length: number,
): Uint8Array {
  const labelBytes = utf8(label);
  // HkdfLabel.label is <7..255> and already carries "tls13 ".
  if (labelBytes.length > 255 - LABEL_PREFIX.length) throw new UsageError('exporter label too long');
  const perLabel = deriveSecret(hash, exporterSecret, label, hash.digest(EMPTY));
  return hkdfExpandLabel(hash, perLabel, 'exporter', hash.digest(context ?? EMPTY), length);
}

/** Which binder a PSK needs (RFC 8446 §7.1: "ext binder" for external PSKs, "res binder" for tickets). */
export type PskKind = 'resumption' | 'external';

/** Reads a schedule secret's bytes; installed by ScheduleSecret's `static` block, module-private. */
let reveal: (s: ScheduleSecret) => Uint8Array;

/**
 * What every typed secret of the schedule is: the suite and the secret bytes, held privately.
 * No phase or secret class has a getter for its bytes; {@link revealSecret} is the one way out,
 * for the NSS key log and for known-answer tests, and it is not in the package's public entry.
 */
export abstract class ScheduleSecret {
  readonly suite: Tls13KeyScheduleSuite;
  readonly #secret: Uint8Array;
  /**
   * `HMAC(secret, ·)` keyed once, made on the first derivation: a secret expands two to four labels
   * (traffic key, IV and finished key; the next phase's secrets). Secret like the bytes it was made
   * from, and owned with them by this object.
   */
  #mac: ((data: Uint8Array) => Uint8Array) | undefined;

  /** `key`: the capability token only this module holds (EarlySecret, whose constructor is private, passes it too). */
  protected constructor(suite: Tls13KeyScheduleSuite, secret: Uint8Array, key: typeof KEY) {
    if (key !== KEY) throw new UsageError('made by the key schedule only');
    this.suite = suite;
    this.#secret = secret;
  }

  /** `HKDF-Expand-Label(this, label, context, length)` (RFC 8446 §7.1), with this secret's keyed HMAC. */
  protected expandLabel(label: string, context: Uint8Array, length: number): Uint8Array {
    this.#mac ??= hmacWithKey(this.suite.hash, this.#secret);
    return hkdfExpandWith(this.#mac, this.suite.hash, hkdfLabel(label, context, length), length);
  }

  /**
   * Drop the keyed HMAC once the expansions a secret is kept for are done: an established connection
   * holds its traffic and resumption secrets for its whole life, and a keyed HMAC each (three hash
   * states) cost it ~1.5 KiB of heap (the idle row of `pnpm bench`: 25.5 -> 23.7-24.2 KiB, 2026-12-05).
   */
  protected forgetKeyedMac(): void {
    this.#mac = undefined;
  }

  /** `Derive-Secret(this, label, transcriptHash)` (RFC 8446 §7.1): for subclasses only. */
  protected derive(label: string, transcriptHash: Uint8Array): Uint8Array {
    return this.expandLabel(label, transcriptHash, this.suite.hash.outputLen);
  }

  /** `HKDF-Extract(Derive-Secret(this, "derived", ""), ikm)`: the next phase's secret (RFC 8446 §7.1). */
  protected extractNext(ikm: Uint8Array): Uint8Array {
    return hkdfExtract(this.suite.hash, this.derive('derived', emptyHash(this.suite.hash)), ikm);
  }

  static {
    reveal = (s) => s.#secret;
  }
}

/**
 * A copy of a schedule secret's bytes: for the NSS key log (SSLKEYLOGFILE, written only when the
 * config enables it) and for known-answer tests against RFC 8448. Exported from this module and
 * the package's internal entry only; production code reads no other secret bytes.
 */
export function revealSecret(s: ScheduleSecret): Uint8Array {
  return reveal(s).slice();
}

/**
 * Early Secret phase (RFC 8446 §7.1): `HKDF-Extract(0, PSK)` or `HKDF-Extract(0, 0)` without a PSK.
 * @example
 * const early = EarlySecret.withPsk(suite, psk);
 * const binder = early.binder('resumption', transcript.hashWith(truncatedClientHello));
 * const hs = early.intoHandshake(sharedSecret);
 */
export class EarlySecret extends ScheduleSecret {
  private constructor(suite: Tls13KeyScheduleSuite, secret: Uint8Array) {
    super(suite, secret, KEY);
  }

  /**
   * Early Secret without a PSK (IKM = Hash.length zero bytes): a public constant, so made (and its
   * HMAC keyed) once per suite and shared by every full handshake, which only expand "derived" from it.
   */
  static withoutPsk(suite: Tls13KeyScheduleSuite): EarlySecret {
    let early = NO_PSK.get(suite);
    if (early === undefined) NO_PSK.set(suite, (early = new EarlySecret(suite, hkdfExtract(suite.hash, EMPTY, new Uint8Array(suite.hash.outputLen)))));
    return early;
  }

  /** Early Secret from a PSK (a resumption PSK from {@link ResumptionMasterSecret.psk}, or an external one). */
  static withPsk(suite: Tls13KeyScheduleSuite, psk: ResumptionPsk): EarlySecret {
    return new EarlySecret(suite, hkdfExtract(suite.hash, EMPTY, revealPsk(psk)));
  }

  /** `binder_key = Derive-Secret(., "res binder" | "ext binder", "")`. */
  binderKey(kind: PskKind): Uint8Array {
    return this.derive(kind === 'resumption' ? 'res binder' : 'ext binder', emptyHash(this.suite.hash));
  }

  /**
   * The PSK binder value (RFC 8446 §4.2.11.2): a Finished-style HMAC with the binder key over the
   * hash of the transcript up to and including the truncated ClientHello.
   */
  binder(kind: PskKind, truncatedTranscriptHash: Uint8Array): Uint8Array {
    return finishedVerifyData(this.suite.hash, this.binderKey(kind), truncatedTranscriptHash);
  }

  /** `client_early_traffic_secret = Derive-Secret(., "c e traffic", ClientHello)`. */
  clientEarlyTrafficSecret(clientHelloHash: Uint8Array): TrafficSecret {
    return new TrafficSecret(this.suite, this.derive('c e traffic', clientHelloHash), KEY);
  }

  /** `early_exporter_master_secret = Derive-Secret(., "e exp master", ClientHello)`. */
  earlyExporterMasterSecret(clientHelloHash: Uint8Array): ExporterSecret {
    return new ExporterSecret(this.suite, this.derive('e exp master', clientHelloHash), KEY);
  }

  /**
   * Handshake Secret = `HKDF-Extract(Derive-Secret(., "derived", ""), (EC)DHE)`, for `suite`: the
   * negotiated suite, which may differ from the PSK's in its AEAD but never in its hash (§4.2.11),
   * so that the Early Secret of the binder is the one the schedule continues from.
   * @throws UsageError if `suite` has another hash than this Early Secret
   */
  intoHandshake(sharedSecret: Uint8Array, suite = this.suite): HandshakeSecret {
    if (suite.hash !== this.suite.hash) throw new UsageError('Early Secret of another hash');
    return new HandshakeSecret(suite, this.extractNext(sharedSecret), KEY);
  }
}

/** Handshake Secret phase (RFC 8446 §7.1). Create with {@link EarlySecret.intoHandshake}. */
export class HandshakeSecret extends ScheduleSecret {
  /** @internal Use {@link EarlySecret.intoHandshake}. */
  constructor(suite: Tls13KeyScheduleSuite, secret: Uint8Array, key: typeof KEY) {
    super(suite, secret, key);
  }

  /** `client_handshake_traffic_secret = Derive-Secret(., "c hs traffic", ClientHello...ServerHello)`. */
  clientTrafficSecret(helloHash: Uint8Array): TrafficSecret {
    return new TrafficSecret(this.suite, this.derive('c hs traffic', helloHash), KEY, true);
  }

  /** `server_handshake_traffic_secret = Derive-Secret(., "s hs traffic", ClientHello...ServerHello)`. */
  serverTrafficSecret(helloHash: Uint8Array): TrafficSecret {
    return new TrafficSecret(this.suite, this.derive('s hs traffic', helloHash), KEY, true);
  }

  /** Master Secret = `HKDF-Extract(Derive-Secret(., "derived", ""), 0)`. */
  intoMaster(): MasterSecret {
    return new MasterSecret(this.suite, this.extractNext(new Uint8Array(this.suite.hash.outputLen)), KEY);
  }
}

/** Master Secret phase (RFC 8446 §7.1). Create with {@link HandshakeSecret.intoMaster}. */
export class MasterSecret extends ScheduleSecret {
  /** @internal Use {@link HandshakeSecret.intoMaster}. */
  constructor(suite: Tls13KeyScheduleSuite, secret: Uint8Array, key: typeof KEY) {
    super(suite, secret, key);
  }

  /** `client_application_traffic_secret_0 = Derive-Secret(., "c ap traffic", ClientHello...server Finished)`. */
  clientApplicationTrafficSecret(serverFinishedHash: Uint8Array): TrafficSecret {
    return new TrafficSecret(this.suite, this.derive('c ap traffic', serverFinishedHash), KEY);
  }

  /** `server_application_traffic_secret_0 = Derive-Secret(., "s ap traffic", ClientHello...server Finished)`. */
  serverApplicationTrafficSecret(serverFinishedHash: Uint8Array): TrafficSecret {
    return new TrafficSecret(this.suite, this.derive('s ap traffic', serverFinishedHash), KEY);
  }

  /** `exporter_master_secret = Derive-Secret(., "exp master", ClientHello...server Finished)`. */
  exporterMasterSecret(serverFinishedHash: Uint8Array): ExporterSecret {
    return new ExporterSecret(this.suite, this.derive('exp master', serverFinishedHash), KEY);
  }

  /** `resumption_master_secret = Derive-Secret(., "res master", ClientHello...client Finished)`. */
  resumptionMasterSecret(clientFinishedHash: Uint8Array): ResumptionMasterSecret {
    return new ResumptionMasterSecret(this.suite, this.derive('res master', clientFinishedHash), KEY);
  }
}

/**
 * One direction's traffic secret: handshake (RFC 8446 §7.1), application generation N (§7.2), or
 * early. It yields its record keys (§7.3), its Finished verify_data (§4.4.4; the base key of a
 * post-handshake Finished too, §4.6.2) and its successor after a KeyUpdate (§7.2).
 */
export class TrafficSecret extends ScheduleSecret {
  /** A handshake traffic secret: its Finished comes after its keys, so {@link trafficKeys} keeps the keyed HMAC for it. */
  readonly #handshake: boolean;

  /** @internal Created by the phases. */
  constructor(suite: Tls13KeyScheduleSuite, secret: Uint8Array, key: typeof KEY, handshake = false) {
    super(suite, secret, key);
    this.#handshake = handshake;
  }

  /** Record protection key and IV (RFC 8446 §7.3). The keyed HMAC goes, unless a handshake Finished is still due. */
  trafficKeys(): TrafficKeys {
    const aead = this.suite.aead;
    const keys = { aead, key: this.expandLabel('key', EMPTY, AEAD_KEY_LENGTH[aead]), iv: this.expandLabel('iv', EMPTY, IV_LENGTH) };
    if (!this.#handshake) this.forgetKeyedMac();
    return keys;
  }

  /** `HMAC(finished_key, transcriptHash)` with this secret as the base key (RFC 8446 §4.4.4); the keyed HMAC goes after it. */
  finishedVerifyData(transcriptHash: Uint8Array): Uint8Array {
    const hash = this.suite.hash;
    const key = this.expandLabel('finished', EMPTY, hash.outputLen);
    this.forgetKeyedMac();
    return hmac(hash, key, transcriptHash);
  }

  /** `application_traffic_secret_N+1 = HKDF-Expand-Label(., "traffic upd", "", Hash.length)` (RFC 8446 §7.2). */
  next(): TrafficSecret {
    return new TrafficSecret(this.suite, this.expandLabel('traffic upd', EMPTY, this.suite.hash.outputLen), KEY);
  }
}

/** An (early_)exporter_master_secret: the base of TLS-Exporter (RFC 8446 §7.5). */
export class ExporterSecret extends ScheduleSecret {
  /** @internal Created by the phases. */
  constructor(suite: Tls13KeyScheduleSuite, secret: Uint8Array, key: typeof KEY) {
    super(suite, secret, key);
  }

  /** `TLS-Exporter(label, context_value, key_length)` (RFC 8446 §7.5); see {@link exportKeyingMaterial}. */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    return exportKeyingMaterial(this.suite.hash, reveal(this), label, context, length);
  }
}

/** resumption_master_secret (RFC 8446 §7.1): the PSK of each NewSessionTicket derives from it (§4.6.1). */
export class ResumptionMasterSecret extends ScheduleSecret {
  /** @internal Created by {@link MasterSecret.resumptionMasterSecret}. */
  constructor(suite: Tls13KeyScheduleSuite, secret: Uint8Array, key: typeof KEY) {
    super(suite, secret, key);
  }

  /**
   * The PSK a ticket stands for: `HKDF-Expand-Label(., "resumption", ticket_nonce, Hash.length)`
   * (RFC 8446 §4.6.1), as a {@link ResumptionPsk} that becomes the session's own.
   */
  psk(ticketNonce: Uint8Array): ResumptionPsk {
    const psk = ResumptionPsk.fromBytes(this.expandLabel('resumption', ticketNonce, this.suite.hash.outputLen));
    this.forgetKeyedMac();
    return psk;
  }
}

/** Reads a PSK's bytes; installed by ResumptionPsk's `static` block, module-private. */
let revealPsk: (p: ResumptionPsk) => Uint8Array;

/**
 * The PSK a TLS 1.3 resumption offers (RFC 8446 §4.2.11): a ticket's, derived by
 * {@link ResumptionMasterSecret.psk} (§4.6.1), or the external PSK the config names. It travels
 * inside the session data (`Tls13TicketData.psk`) from the engine to the session package and
 * back; its bytes have no getter. Ownership (docs/security.md): one owner; whoever takes it into
 * long-lived state takes a {@link copy}; only the owner calls {@link wipe}. The session format
 * reads the bytes with {@link revealResumptionPsk} and makes one with {@link fromBytes}, both
 * from the package's internal entry only.
 */
export class ResumptionPsk {
  readonly #secret: Uint8Array;

  /** Private: made by {@link ResumptionPsk.fromBytes} (which {@link ResumptionMasterSecret.psk} uses) and {@link copy}. */
  private constructor(secret: Uint8Array) {
    this.#secret = secret;
  }

  /** A PSK holding a copy of `bytes` (the caller keeps, and may wipe, its own): a parsed session's, an external PSK's, a test's. */
  static fromBytes(bytes: Uint8Array): ResumptionPsk {
    return new ResumptionPsk(bytes.slice());
  }

  /** A copy with bytes of its own: for a new owner (a Session, a connection offering the session). */
  copy(): ResumptionPsk {
    return new ResumptionPsk(this.#secret.slice());
  }

  /** Overwrite the bytes with zeros. Only the owner calls this (Session.free(), a parse copy once taken over). */
  wipe(): void {
    this.#secret.fill(0);
  }

  static {
    revealPsk = (p) => p.#secret;
  }
}

/**
 * A copy of a PSK's bytes: for the session format's serialization (and the s_client session
 * printout, as `openssl sess_id -text` prints it). Exported from the package's internal entry only.
 */
export function revealResumptionPsk(p: ResumptionPsk): Uint8Array {
  return revealPsk(p).slice();
}

const LABEL_PREFIX = 'tls13 ';
/**
 * `tls13 ` + label as bytes, by label: the schedule's own dozen labels are encoded once per process,
 * not once per expansion. Read-only once stored (hkdfLabel copies them); bounded, because exporter
 * labels come from the caller.
 */
const FULL_LABELS = new Map<string, Uint8Array>();
const FULL_LABELS_MAX = 32;
const IV_LENGTH = 12;
const EMPTY = /* @__PURE__ */ new Uint8Array(0);
/** `Hash("")` per hash function (the context of "derived" and the binder keys), computed once. */
const EMPTY_HASHES = /* @__PURE__ */ new Map<HashAlgorithm, Uint8Array>();
function emptyHash(hash: HashAlgorithm): Uint8Array {
  let digest = EMPTY_HASHES.get(hash);
  if (digest === undefined) EMPTY_HASHES.set(hash, (digest = hash.digest(EMPTY)));
  return digest;
}
/** The PSK-less Early Secret per suite ({@link EarlySecret.withoutPsk}). */
const NO_PSK = /* @__PURE__ */ new WeakMap<Tls13KeyScheduleSuite, EarlySecret>();
/** Capability token: only this module can construct the later phases. */
const KEY: unique symbol = Symbol('key-schedule');

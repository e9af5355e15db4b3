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
 * derivations the RFC allows at that point. Transcript hashes are passed in as digests
 * (see `transcript.ts`), never as raw messages.
 *
 * Free functions cover the rest of §7: HKDF-Expand-Label and Derive-Secret (§7.1), traffic
 * key/IV derivation (§7.3), the Finished key and verify_data (§4.4.4), KeyUpdate's
 * next-generation secret (§7.2), the resumption PSK (§4.6.1) and TLS-Exporter (§7.5).
 * @module
 */
import { utf8 } from '../codec/bytes.ts';
import { UsageError } from '../errors.ts';
import { AEAD_KEY_LENGTH, hkdfExpand, hkdfExtract, hmac, type AeadAlgorithm, type HashAlgorithm } from '../crypto/noble.ts';

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
  const fullLabel = utf8(LABEL_PREFIX + label);
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

/**
 * Early Secret phase (RFC 8446 §7.1): `HKDF-Extract(0, PSK)` or `HKDF-Extract(0, 0)` without a PSK.
 * @example
 * const early = EarlySecret.withPsk(suite, psk);
 * const binder = early.binder('resumption', transcript.hashWith(truncatedClientHello));
 * const hs = early.intoHandshake(sharedSecret);
 */
export class EarlySecret {
  readonly suite: Tls13KeyScheduleSuite;
  readonly #secret: Uint8Array;

  private constructor(suite: Tls13KeyScheduleSuite, secret: Uint8Array) {
    this.suite = suite;
    this.#secret = secret;
  }

  /** Early Secret without a PSK (IKM = Hash.length zero bytes). */
  static withoutPsk(suite: Tls13KeyScheduleSuite): EarlySecret {
    return new EarlySecret(suite, hkdfExtract(suite.hash, EMPTY, new Uint8Array(suite.hash.outputLen)));
  }

  /** Early Secret from a PSK (a resumption PSK from {@link resumptionPsk}, or an external one). */
  static withPsk(suite: Tls13KeyScheduleSuite, psk: Uint8Array): EarlySecret {
    return new EarlySecret(suite, hkdfExtract(suite.hash, EMPTY, psk));
  }

  /** The Early Secret itself. Sensitive: for key logging and known-answer tests only. */
  get secret(): Uint8Array {
    return this.#secret;
  }

  /** `binder_key = Derive-Secret(., "res binder" | "ext binder", "")`. */
  binderKey(kind: PskKind): Uint8Array {
    return deriveSecret(this.suite.hash, this.#secret, kind === 'resumption' ? 'res binder' : 'ext binder', this.#emptyHash());
  }

  /**
   * The PSK binder value (RFC 8446 §4.2.11.2): a Finished-style HMAC with the binder key over the
   * hash of the transcript up to and including the truncated ClientHello.
   */
  binder(kind: PskKind, truncatedTranscriptHash: Uint8Array): Uint8Array {
    return finishedVerifyData(this.suite.hash, this.binderKey(kind), truncatedTranscriptHash);
  }

  /** `client_early_traffic_secret = Derive-Secret(., "c e traffic", ClientHello)`. */
  clientEarlyTrafficSecret(clientHelloHash: Uint8Array): Uint8Array {
    return deriveSecret(this.suite.hash, this.#secret, 'c e traffic', clientHelloHash);
  }

  /** `early_exporter_master_secret = Derive-Secret(., "e exp master", ClientHello)`. */
  earlyExporterMasterSecret(clientHelloHash: Uint8Array): Uint8Array {
    return deriveSecret(this.suite.hash, this.#secret, 'e exp master', clientHelloHash);
  }

  /** Handshake Secret = `HKDF-Extract(Derive-Secret(., "derived", ""), (EC)DHE)`. */
  intoHandshake(sharedSecret: Uint8Array): HandshakeSecret {
    const salt = deriveSecret(this.suite.hash, this.#secret, 'derived', this.#emptyHash());
    return new HandshakeSecret(this.suite, hkdfExtract(this.suite.hash, salt, sharedSecret), KEY);
  }

  #emptyHash(): Uint8Array {
    return this.suite.hash.digest(EMPTY);
  }
}

/** Handshake Secret phase (RFC 8446 §7.1). Create with {@link EarlySecret.intoHandshake}. */
export class HandshakeSecret {
  readonly suite: Tls13KeyScheduleSuite;
  readonly #secret: Uint8Array;

  /** @internal Use {@link EarlySecret.intoHandshake}. */
  constructor(suite: Tls13KeyScheduleSuite, secret: Uint8Array, key: typeof KEY) {
    if (key !== KEY) throw new UsageError('HandshakeSecret is created by EarlySecret.intoHandshake');
    this.suite = suite;
    this.#secret = secret;
  }

  /** The Handshake Secret itself. Sensitive: for known-answer tests only. */
  get secret(): Uint8Array {
    return this.#secret;
  }

  /** `client_handshake_traffic_secret = Derive-Secret(., "c hs traffic", ClientHello...ServerHello)`. */
  clientTrafficSecret(helloHash: Uint8Array): Uint8Array {
    return deriveSecret(this.suite.hash, this.#secret, 'c hs traffic', helloHash);
  }

  /** `server_handshake_traffic_secret = Derive-Secret(., "s hs traffic", ClientHello...ServerHello)`. */
  serverTrafficSecret(helloHash: Uint8Array): Uint8Array {
    return deriveSecret(this.suite.hash, this.#secret, 's hs traffic', helloHash);
  }

  /** Master Secret = `HKDF-Extract(Derive-Secret(., "derived", ""), 0)`. */
  intoMaster(): MasterSecret {
    const hash = this.suite.hash;
    const salt = deriveSecret(hash, this.#secret, 'derived', hash.digest(EMPTY));
    return new MasterSecret(this.suite, hkdfExtract(hash, salt, new Uint8Array(hash.outputLen)), KEY);
  }
}

/** Master Secret phase (RFC 8446 §7.1). Create with {@link HandshakeSecret.intoMaster}. */
export class MasterSecret {
  readonly suite: Tls13KeyScheduleSuite;
  readonly #secret: Uint8Array;

  /** @internal Use {@link HandshakeSecret.intoMaster}. */
  constructor(suite: Tls13KeyScheduleSuite, secret: Uint8Array, key: typeof KEY) {
    if (key !== KEY) throw new UsageError('MasterSecret is created by HandshakeSecret.intoMaster');
    this.suite = suite;
    this.#secret = secret;
  }

  /** The Master Secret itself. Sensitive: for known-answer tests only. */
  get secret(): Uint8Array {
    return this.#secret;
  }

  /** `client_application_traffic_secret_0 = Derive-Secret(., "c ap traffic", ClientHello...server Finished)`. */
  clientApplicationTrafficSecret(serverFinishedHash: Uint8Array): Uint8Array {
    return deriveSecret(this.suite.hash, this.#secret, 'c ap traffic', serverFinishedHash);
  }

  /** `server_application_traffic_secret_0 = Derive-Secret(., "s ap traffic", ClientHello...server Finished)`. */
  serverApplicationTrafficSecret(serverFinishedHash: Uint8Array): Uint8Array {
    return deriveSecret(this.suite.hash, this.#secret, 's ap traffic', serverFinishedHash);
  }

  /** `exporter_master_secret = Derive-Secret(., "exp master", ClientHello...server Finished)`. */
  exporterMasterSecret(serverFinishedHash: Uint8Array): Uint8Array {
    return deriveSecret(this.suite.hash, this.#secret, 'exp master', serverFinishedHash);
  }

  /** `resumption_master_secret = Derive-Secret(., "res master", ClientHello...client Finished)`. */
  resumptionMasterSecret(clientFinishedHash: Uint8Array): Uint8Array {
    return deriveSecret(this.suite.hash, this.#secret, 'res master', clientFinishedHash);
  }
}

const LABEL_PREFIX = 'tls13 ';
const IV_LENGTH = 12;
const EMPTY = /* @__PURE__ */ new Uint8Array(0);
/** Capability token: only this module can construct the later phases. */
const KEY: unique symbol = Symbol('key-schedule');

/**
 * The handshake transcript (RFC 8446 §4.4.1; RFC 5246 §7.4.9 uses the same running hash).
 *
 * Two typed stages:
 * - {@link TranscriptBuffer}: raw handshake messages, kept until the hash is known (the cipher
 *   suite is chosen by the server). It can already hash "buffer + extra" for PSK binders computed
 *   over a truncated ClientHello (RFC 8446 §4.2.11.2).
 * - {@link Transcript}: a running hash with `fork()`-free snapshots (`currentHash()`), plus the
 *   HelloRetryRequest rule of §4.4.1: ClientHello1 is replaced by the synthetic
 *   `message_hash` message `254 || 00 00 Hash.length || Hash(ClientHello1)`.
 * @module
 */
import { concatBytes } from '../codec/bytes.ts';
import { UsageError } from '../errors.ts';
import type { HashAlgorithm, IncrementalHash } from '../crypto/noble.ts';
import { HandshakeType } from '../wire/enums.ts';

/** Raw transcript before the hash function is known. */
export class TranscriptBuffer {
  readonly #messages: Uint8Array[] = [];

  /**
   * Append one complete handshake message (header included). The bytes are kept, not copied:
   * pass bytes nobody will change (a decoded message's `raw`, a freshly encoded message).
   */
  add(rawMessage: Uint8Array): this {
    this.#messages.push(rawMessage);
    return this;
  }

  /** Number of buffered messages. */
  get length(): number {
    return this.#messages.length;
  }

  /**
   * `Hash(buffered messages || extra)` without changing the buffer: the binder hash over a
   * truncated ClientHello (RFC 8446 §4.2.11.2).
   */
  hashWith(hash: HashAlgorithm, extra: Uint8Array): Uint8Array {
    const h = hash.create();
    for (const m of this.#messages) h.update(m);
    return h.update(extra).peek();
  }

  /**
   * Switch to a running hash once the suite is known. `keepMessages` also keeps the raw messages,
   * for a TLS 1.2 client CertificateVerify, which signs them whole (RFC 5246 §7.4.8).
   */
  startHash(hash: HashAlgorithm, keepMessages = false): Transcript {
    const t = new Transcript(hash, keepMessages);
    for (const m of this.#messages) t.add(m);
    return t;
  }
}

/** Running transcript hash for one hash function. */
export class Transcript {
  readonly hash: HashAlgorithm;
  #state: IncrementalHash;
  readonly #kept: Uint8Array[] | undefined;

  constructor(hash: HashAlgorithm, keepMessages = false) {
    this.hash = hash;
    this.#state = hash.create();
    this.#kept = keepMessages ? [] : undefined;
  }

  /**
   * Append one complete handshake message (header included). When the transcript keeps its
   * messages, the bytes are kept, not copied: pass bytes nobody will change.
   */
  add(rawMessage: Uint8Array): this {
    this.#state.update(rawMessage);
    this.#kept?.push(rawMessage);
    return this;
  }

  /** Every message added so far, concatenated. @throws UsageError unless the transcript keeps messages */
  messages(): Uint8Array {
    if (this.#kept === undefined) throw new UsageError('transcript does not keep its messages');
    return concatBytes(...this.#kept);
  }

  /** `Transcript-Hash` of everything added so far. */
  currentHash(): Uint8Array {
    return this.#state.peek();
  }

  /** `Hash(transcript || extra)` without adding `extra` (binders over a truncated ClientHello). */
  hashWith(extra: Uint8Array): Uint8Array {
    return this.#state.fork().update(extra).peek();
  }

  /** An independent copy (for a Finished computed over a prefix while the original goes on). */
  fork(): Transcript {
    const t = new Transcript(this.hash);
    t.#state = this.#state.fork();
    return t;
  }

  /**
   * The transcript after a HelloRetryRequest (RFC 8446 §4.4.1): a new transcript that starts
   * with `message_hash(Hash(ClientHello1))`. Call it when this transcript holds exactly
   * ClientHello1; then add the HelloRetryRequest and ClientHello2 to the result.
   */
  rollupForHelloRetryRequest(): Transcript {
    const t = new Transcript(this.hash);
    t.add(messageHash(this.hash, this.currentHash()));
    return t;
  }
}

/**
 * The synthetic `message_hash` handshake message of RFC 8446 §4.4.1:
 * `HandshakeType.message_hash (254) || uint24 Hash.length || Hash(ClientHello1)`.
 */
export function messageHash(hash: HashAlgorithm, clientHello1Hash: Uint8Array): Uint8Array {
  if (clientHello1Hash.length !== hash.outputLen) throw new UsageError('message_hash: digest length does not match the hash');
  const out = new Uint8Array(4 + clientHello1Hash.length);
  out[0] = HandshakeType.MessageHash;
  out[3] = clientHello1Hash.length; // < 256 for every TLS hash
  out.set(clientHello1Hash, 4);
  return out;
}

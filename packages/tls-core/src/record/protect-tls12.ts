/**
 * TLS 1.2 AEAD record protection (RFC 5246 §6.2.3.3):
 * - AAD = seq_num(8) || type(1) || version(2) || plaintext length(2);
 * - AES-GCM (RFC 5288 §3): nonce = 4-byte fixed IV (salt) || 8-byte explicit nonce, and the
 *   explicit nonce is sent in front of the ciphertext. We use the sequence number as the
 *   explicit nonce (unique per key, as RFC 5288 §3 requires);
 * - ChaCha20-Poly1305 (RFC 7905 §2): nonce = 12-byte fixed IV XOR the left-padded sequence
 *   number; nothing explicit on the wire.
 * Decrypted plaintext over 2^14 bytes is `record_overflow` (RFC 5246 §6.2.3); a bad tag is
 * `bad_record_mac` (DecryptError).
 * @module
 */
import { DecryptError, PeerMisbehaved, UsageError } from '../errors.ts';
import { AEAD_TAG_LENGTH, createAead, type Aead, type AeadAlgorithm } from '../crypto/noble.ts';
import { RECORD_HEADER_LENGTH, writeRecordHeader } from '../wire/record-header.ts';
import {
  checkPlaintextLength,
  MAX_PLAINTEXT_LENGTH,
  MAX_TLS12_CIPHERTEXT_LENGTH,
  TLS12_RECORD_VERSION,
  writeU32,
  xorU32,
  type PlainRecord,
  type RecordProtector,
  type TlsRecord,
} from './record.ts';

/** Key material for one direction of a TLS 1.2 AEAD connection (from the key block). */
export interface Tls12TrafficKeys {
  readonly aead: AeadAlgorithm;
  readonly key: Uint8Array;
  /** 4 bytes for AES-GCM, 12 for ChaCha20-Poly1305. */
  readonly fixedIv: Uint8Array;
}

/** Seals and opens TLS 1.2 AEAD records with one key. */
export class Tls12Protector implements RecordProtector {
  readonly kind = 'tls12';
  readonly #aead: Aead;
  readonly #fixedIv: Uint8Array;
  readonly #explicitNonceLength: number;
  readonly #nonce = new Uint8Array(NONCE_LENGTH);
  readonly #aad = new Uint8Array(AAD_LENGTH);

  constructor(keys: Tls12TrafficKeys) {
    const chacha = keys.aead === 'CHACHA20-POLY1305';
    if (keys.fixedIv.length !== (chacha ? NONCE_LENGTH : GCM_SALT_LENGTH))
      throw new UsageError(`TLS 1.2 ${keys.aead} fixed IV must be ${chacha ? NONCE_LENGTH : GCM_SALT_LENGTH} bytes`);
    this.#aead = createAead(keys.aead, keys.key);
    this.#fixedIv = keys.fixedIv.slice();
    this.#explicitNonceLength = chacha ? 0 : EXPLICIT_NONCE_LENGTH;
  }

  seal(type: number, plaintext: Uint8Array, seqHi: number, seqLo: number): Uint8Array {
    checkPlaintextLength(plaintext.length);
    const explicit = this.#explicitNonceLength;
    const nonce = this.#nonceFor(seqHi, seqLo);
    const aad = this.#aadFor(seqHi, seqLo, type, TLS12_RECORD_VERSION, plaintext.length);
    // One allocation per record: the AEAD writes ciphertext || tag straight after header and explicit nonce.
    const sealedLength = plaintext.length + AEAD_TAG_LENGTH;
    const out = new Uint8Array(RECORD_HEADER_LENGTH + explicit + sealedLength);
    writeRecordHeader(out, type, TLS12_RECORD_VERSION, explicit + sealedLength);
    if (explicit > 0) out.set(nonce.subarray(GCM_SALT_LENGTH), RECORD_HEADER_LENGTH);
    this.#aead.seal(nonce, aad, plaintext, out.subarray(RECORD_HEADER_LENGTH + explicit));
    return out;
  }

  open(record: TlsRecord, seqHi: number, seqLo: number, recordSizeLimit?: number): PlainRecord {
    const fragment = record.fragment;
    if (fragment.length > MAX_TLS12_CIPHERTEXT_LENGTH)
      throw new PeerMisbehaved('RecordOverflow', 'TLS 1.2 ciphertext longer than 2^14 + 2048');
    const explicit = this.#explicitNonceLength;
    if (fragment.length < explicit + AEAD_TAG_LENGTH) throw new DecryptError('TLS 1.2 record too short');
    const plaintextLength = fragment.length - explicit - AEAD_TAG_LENGTH;
    // RFC 5246 §6.2.3: a decrypted TLSCompressed.length over 2^14 is record_overflow; the length is known before decrypting.
    if (plaintextLength > MAX_PLAINTEXT_LENGTH) throw new PeerMisbehaved('RecordOverflow', 'TLS 1.2 plaintext longer than 2^14');
    // RFC 8449 §4: the plaintext must fit the limit we advertised.
    if (recordSizeLimit !== undefined && plaintextLength > recordSizeLimit)
      throw new PeerMisbehaved('RecordOverflow', `TLS 1.2 plaintext of ${plaintextLength} bytes, record_size_limit ${recordSizeLimit}`);
    let nonce: Uint8Array;
    if (explicit > 0) {
      nonce = this.#nonce;
      nonce.set(this.#fixedIv);
      nonce.set(fragment.subarray(0, explicit), GCM_SALT_LENGTH);
    } else {
      nonce = this.#nonceFor(seqHi, seqLo);
    }
    const aad = this.#aadFor(seqHi, seqLo, record.type, record.version, plaintextLength);
    const plaintext = this.#aead.open(nonce, aad, fragment.subarray(explicit));
    return { type: record.type, plaintext, owned: true };
  }

  retire(): void {
    this.#aead.wipe();
    this.#fixedIv.fill(0);
    this.#nonce.fill(0);
  }

  /** GCM: salt || seq (the explicit nonce we send); ChaCha20: iv XOR left-padded seq. */
  #nonceFor(seqHi: number, seqLo: number): Uint8Array {
    const n = this.#nonce;
    if (this.#explicitNonceLength > 0) {
      n.set(this.#fixedIv);
      writeU32(n, 4, seqHi);
      writeU32(n, 8, seqLo);
    } else {
      n.set(this.#fixedIv);
      xorU32(n, 4, seqHi);
      xorU32(n, 8, seqLo);
    }
    return n;
  }

  #aadFor(seqHi: number, seqLo: number, type: number, version: number, length: number): Uint8Array {
    const a = this.#aad;
    writeU32(a, 0, seqHi);
    writeU32(a, 4, seqLo);
    a[8] = type;
    a[9] = version >>> 8;
    a[10] = version & 0xff;
    a[11] = length >>> 8;
    a[12] = length & 0xff;
    return a;
  }
}

const NONCE_LENGTH = 12;
const GCM_SALT_LENGTH = 4;
const EXPLICIT_NONCE_LENGTH = 8;
const AAD_LENGTH = 13;

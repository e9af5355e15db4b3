/**
 * The protector in use before any keys (RFC 8446 §5.1, RFC 5246 §6.2.1): records go out and come
 * in as they are. The interface it shares with the TLS 1.3 and TLS 1.2 protectors, and the record
 * size facts, are in record.ts (re-exported here for the package entry).
 * @module
 */
import { PeerMisbehaved } from '../errors.ts';
import { RECORD_HEADER_LENGTH, writeRecordHeader } from '../wire/record-header.ts';
import { checkPlaintextLength, MAX_PLAINTEXT_LENGTH, TLS12_RECORD_VERSION, type PlainRecord, type RecordProtector, type TlsRecord } from './record.ts';

export { MAX_PLAINTEXT_LENGTH, MAX_TLS12_CIPHERTEXT_LENGTH, MAX_TLS13_CIPHERTEXT_LENGTH, TLS12_RECORD_VERSION } from './record.ts';
export type { PlainRecord, RecordProtector } from './record.ts';

/** The protector in use before any keys: records go out and come in as they are. */
export class PlaintextProtector implements RecordProtector {
  readonly kind = 'plaintext';
  /** legacy_record_version written on sealed records (0x0301 is allowed for the initial ClientHello, RFC 8446 §5.1). */
  readonly legacyVersion: number;

  constructor(legacyVersion: number = TLS12_RECORD_VERSION) {
    this.legacyVersion = legacyVersion;
  }

  seal(type: number, plaintext: Uint8Array): Uint8Array {
    checkPlaintextLength(plaintext.length);
    const out = new Uint8Array(RECORD_HEADER_LENGTH + plaintext.length);
    writeRecordHeader(out, type, this.legacyVersion, plaintext.length);
    out.set(plaintext, RECORD_HEADER_LENGTH);
    return out;
  }

  open(record: TlsRecord): PlainRecord {
    // RFC 8446 §5.1 / RFC 5246 §6.2.1: TLSPlaintext.length MUST NOT exceed 2^14.
    if (record.fragment.length > MAX_PLAINTEXT_LENGTH) throw new PeerMisbehaved('RecordOverflow', 'plaintext record longer than 2^14');
    return { type: record.type, plaintext: record.fragment };
  }

  /** No keys to wipe. */
  retire(): void {}
}

/**
 * Record fragmentation (RFC 8446 §5.1, RFC 5246 §6.2.1): split outgoing data into record-sized
 * pieces of at most 2^14 bytes, or a smaller configured limit (e.g. RFC 8449 record_size_limit,
 * or RFC 6066 max_fragment_length).
 * @module
 */
import { UsageError } from '../errors.ts';
import { MAX_PLAINTEXT_LENGTH } from './record.ts';

/**
 * Split `data` into views of at most `maxFragmentLength` bytes (no copies). Empty input yields no
 * fragments: callers that mean to send an empty record say so explicitly.
 * @throws UsageError if the limit is not an integer in 1..2^14
 * @example fragment(bytes, 4096).map((piece) => layer.seal(ContentType.ApplicationData, piece))
 */
export function fragment(data: Uint8Array, maxFragmentLength: number = MAX_PLAINTEXT_LENGTH): Uint8Array[] {
  if (!Number.isInteger(maxFragmentLength) || maxFragmentLength < 1 || maxFragmentLength > MAX_PLAINTEXT_LENGTH)
    throw new UsageError(`record fragment limit must be in 1..${MAX_PLAINTEXT_LENGTH}`);
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += maxFragmentLength)
    out.push(data.subarray(off, Math.min(data.length, off + maxFragmentLength)));
  return out;
}

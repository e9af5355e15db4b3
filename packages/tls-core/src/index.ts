/**
 * @puretls/tls-core: the sans-IO TLS 1.2/1.3 client engine, record layer, wire codec, key
 * schedules and X.509 validation. This entry exports the most used pieces only.
 * @module
 */
export * from './errors.ts';
export * from './wire/enums.ts';
export { Reader } from './codec/reader.ts';
export { Writer, encode } from './codec/writer.ts';
export { concatBytes, equalBytes, toHex, fromHex, utf8, fromUtf8 } from './codec/bytes.ts';

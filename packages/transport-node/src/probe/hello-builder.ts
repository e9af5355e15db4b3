/**
 * ClientHello construction for the scanner (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2, RFC 6101 §5.6.1.2
 * for SSL 3.0), framed into plaintext handshake records of at most 2^14 bytes (RFC 8446 §5.1), so
 * a hello over 16 KiB spans two records. Extensions come from tls-core's wire codec; values the
 * codec has no typed form for (GREASE, an unassigned type, padding) are raw extensions.
 *
 * Hellos whose handshake message would be 256..511 bytes long are padded to 512 (RFC 7685 §1, the
 * F5 workaround BoringSSL and OpenSSL use) unless a probe asks for that zone on purpose.
 * @module
 */
import { ExtensionType, HandshakeType, utf8 } from '@puretls/tls-core';
import { Writer, encodeHandshake, encodeRecordHeader, extension, type Extension, type KeyShare } from '@puretls/tls-core/wire';
import { SCAN_SIGNATURE_SCHEMES } from './scan-tables.ts';

/** What one probe's ClientHello carries. */
export interface HelloSpec {
  /** ClientHello.legacy_version (0x0303 for TLS 1.2 and 1.3 hellos). */
  readonly legacyVersion: number;
  /** Record-layer version of the records carrying the hello (default 0x0301; 0x0300 for SSL 3.0). */
  readonly recordVersion?: number;
  readonly suites: readonly number[];
  /** supported_versions (RFC 8446 §4.2.1); omitted when undefined. */
  readonly supportedVersions?: readonly number[];
  /** supported_groups; omitted when undefined. */
  readonly groups?: readonly number[];
  /** key_share entries (an empty list asks the server to pick, RFC 8446 §4.2.8); omitted when undefined. */
  readonly keyShares?: readonly { readonly group: number; readonly keyExchange: Uint8Array }[];
  readonly servername?: string;
  /** No extensions block at all (SSL 3.0 hellos). */
  readonly noExtensions?: boolean;
  /** Extra raw extensions, placed first (GREASE, unknown types). */
  readonly extraExtensions?: readonly { readonly type: number; readonly data: Uint8Array }[];
  /** Pad (RFC 7685) so the handshake message is exactly this long; ignored if already longer. */
  readonly padTo?: number;
}

/** An encoded hello: the records to write and the handshake message length. */
export interface EncodedHello {
  readonly records: Uint8Array;
  readonly helloLength: number;
}

const PADDING = 21; // RFC 7685
const F5_ZONE_MIN = 256;
const F5_ZONE_PADDED = 512;
const MAX_FRAGMENT = 16384;

/** A key_share entry from a tls-core key share. */
export function shareEntry(share: KeyShare): { group: number; keyExchange: Uint8Array } {
  return { group: share.group, keyExchange: share.publicKey };
}

/**
 * Encode the ClientHello of `spec` and frame it into records.
 * @param random the 32-byte client random; `sessionId` the legacy_session_id (0..32 bytes)
 */
export function encodeHello(spec: HelloSpec, random: Uint8Array, sessionId: Uint8Array): EncodedHello {
  const base = encodeMessage(spec, random, sessionId, undefined);
  let target = spec.padTo;
  if (target === undefined && base.length >= F5_ZONE_MIN && base.length < F5_ZONE_PADDED && spec.noExtensions !== true) target = F5_ZONE_PADDED;
  let message = base;
  if (target !== undefined && target > base.length && spec.noExtensions !== true) {
    // The padding extension adds 4 header bytes plus its data.
    message = encodeMessage(spec, random, sessionId, Math.max(0, target - base.length - 4));
  }
  return { records: frame(message, spec.recordVersion ?? 0x0301), helloLength: message.length };
}

function encodeMessage(spec: HelloSpec, random: Uint8Array, sessionId: Uint8Array, padding: number | undefined): Uint8Array {
  if (spec.noExtensions === true) {
    // RFC 6101 §5.6.1.2: no extensions block at all (the codec always writes one).
    const w = new Writer();
    w.u8(HandshakeType.ClientHello);
    w.prefixed(3, (w) => {
      w.u16(spec.legacyVersion).bytes(random).opaque(1, sessionId);
      w.prefixed(2, (w) => spec.suites.forEach((s) => w.u16(s)));
      w.prefixed(1, (w) => w.u8(0));
    });
    return w.finish();
  }
  const exts: Extension[] = [...(spec.extraExtensions ?? [])];
  if (spec.servername !== undefined)
    exts.push(extension(ExtensionType.ServerName, { form: 'list', names: [{ nameType: 0, name: utf8(spec.servername) }] }));
  if (spec.supportedVersions !== undefined) exts.push(extension(ExtensionType.SupportedVersions, { form: 'CH', versions: spec.supportedVersions }));
  if (spec.groups !== undefined) {
    exts.push(extension(ExtensionType.SupportedGroups, { groups: spec.groups }));
    exts.push(extension(ExtensionType.EcPointFormats, { formats: [0] }));
  }
  if (spec.legacyVersion >= 0x0303) exts.push(extension(ExtensionType.SignatureAlgorithms, { schemes: SCAN_SIGNATURE_SCHEMES }));
  if (spec.keyShares !== undefined) exts.push(extension(ExtensionType.KeyShare, { form: 'CH', entries: spec.keyShares }));
  exts.push(extension(ExtensionType.ExtendedMasterSecret, {}));
  exts.push(extension(ExtensionType.RenegotiationInfo, { renegotiatedConnection: new Uint8Array(0) }));
  if (padding !== undefined) exts.push({ type: PADDING, data: new Uint8Array(padding) });
  return encodeHandshake({
    type: HandshakeType.ClientHello,
    legacyVersion: spec.legacyVersion,
    random,
    legacySessionId: sessionId,
    cipherSuites: spec.suites,
    legacyCompressionMethods: [0],
    extensions: exts,
  });
}

/** Split a handshake message into plaintext handshake records of at most 2^14 bytes. */
function frame(message: Uint8Array, recordVersion: number): Uint8Array {
  const w = new Writer(message.length + 16);
  for (let at = 0; at < message.length; at += MAX_FRAGMENT) {
    const part = message.subarray(at, Math.min(message.length, at + MAX_FRAGMENT));
    w.bytes(encodeRecordHeader({ contentType: 22, legacyVersion: recordVersion, length: part.length })).bytes(part);
  }
  return w.finish();
}

/** A fatal handshake_failure alert record (RFC 8446 §6.2), sent to end a probe. */
export function fatalAlertRecord(recordVersion: number): Uint8Array {
  return new Uint8Array([21, recordVersion >>> 8, recordVersion & 0xff, 0, 2, 2, 40]);
}

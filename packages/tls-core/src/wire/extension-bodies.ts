/**
 * Typed bodies of the TLS extensions puretls understands, with one decoder and one encoder per
 * extension (RFC 8446 §4.2, RFC 6066 §3 and §8, RFC 7301 §3.1, RFC 7627 §5.1, RFC 5746 §3.2,
 * RFC 5077 §3.2, RFC 8422 §5.1, RFC 8449 §4).
 *
 * Bodies whose shape depends on the message carrying them (key_share, supported_versions,
 * pre_shared_key, early_data, status_request, server_name, ALPN) take the decoding context and
 * return a value tagged with a `form`, so the engine can tell them apart after decoding. The
 * table that ties these functions to extension types lives in `extensions.ts`.
 * @module
 */
import { InvalidMessage } from '../errors.ts';
import type { Reader } from '../codec/reader.ts';
import type { Writer } from '../codec/writer.ts';
import { CertificateStatusType } from './enums.ts';

/**
 * The message an extension list is decoded from (RFC 8446 §4.2 table). `SH` covers both TLS 1.3 and
 * TLS 1.2 ServerHello extensions, since the version is only known after decoding; `CT` is one
 * TLS 1.3 CertificateEntry.
 */
export type DecodeContext = 'CH' | 'SH' | 'HRR' | 'EE' | 'CT' | 'CR' | 'NST';

/** A server_name entry (RFC 6066 §3); name type 0 is host_name. */
export interface ServerNameEntry {
  readonly nameType: number;
  readonly name: Uint8Array;
}
/** server_name: the client's list, or the server's empty acknowledgement (RFC 6066 §3). */
export type ServerNameBody = { readonly form: 'list'; readonly names: readonly ServerNameEntry[] } | { readonly form: 'ack' };

/**
 * status_request (RFC 6066 §8, RFC 8446 §4.4.2.1): an OCSP request (CH, CR), an OCSP response carried in a
 * TLS 1.3 CertificateEntry (CT), or the TLS 1.2 server's empty acknowledgement (SH).
 */
export type StatusRequestBody =
  | {
      readonly form: 'request';
      readonly statusType: number;
      readonly responderIds: readonly Uint8Array[];
      readonly requestExtensions: Uint8Array;
    }
  | { readonly form: 'response'; readonly statusType: number; readonly response: Uint8Array }
  | { readonly form: 'ack' };

/** supported_groups (RFC 8446 §4.2.7). */
export interface SupportedGroupsBody {
  readonly groups: readonly number[];
}
/** ec_point_formats (RFC 8422 §5.1.2). */
export interface EcPointFormatsBody {
  readonly formats: readonly number[];
}
/** signature_algorithms and signature_algorithms_cert (RFC 8446 §4.2.3). */
export interface SignatureSchemesBody {
  readonly schemes: readonly number[];
}
/** application_layer_protocol_negotiation (RFC 7301 §3.1): a list in CH, exactly one name from the server. */
export interface AlpnBody {
  readonly protocols: readonly Uint8Array[];
}
/** An extension whose body is empty (extended_master_secret, post_handshake_auth). */
export type EmptyBody = Record<string, never>;
/** record_size_limit (RFC 8449 §4). */
export interface RecordSizeLimitBody {
  readonly limit: number;
}
/** session_ticket (RFC 5077 §3.2): the opaque ticket (empty to ask for one, or as the server's ack). */
export interface SessionTicketBody {
  readonly ticket: Uint8Array;
}
/** One offered PSK identity (RFC 8446 §4.2.11). */
export interface PskIdentity {
  readonly identity: Uint8Array;
  readonly obfuscatedTicketAge: number;
}
/** pre_shared_key (RFC 8446 §4.2.11): identities and binders (CH) or the selected index (SH). */
export type PreSharedKeyBody =
  | { readonly form: 'CH'; readonly identities: readonly PskIdentity[]; readonly binders: readonly Uint8Array[] }
  | { readonly form: 'SH'; readonly selectedIdentity: number };
/** early_data (RFC 8446 §4.2.10): empty in CH/EE, max_early_data_size in NewSessionTicket. */
export type EarlyDataBody = { readonly form: 'empty' } | { readonly form: 'NST'; readonly maxEarlyDataSize: number };
/** supported_versions (RFC 8446 §4.2.1): the client's list, or the server's one selected version. */
export type SupportedVersionsBody =
  | { readonly form: 'CH'; readonly versions: readonly number[] }
  | { readonly form: 'SH'; readonly selectedVersion: number };
/** cookie (RFC 8446 §4.2.2). */
export interface CookieBody {
  readonly cookie: Uint8Array;
}
/** psk_key_exchange_modes (RFC 8446 §4.2.9). */
export interface PskKeyExchangeModesBody {
  readonly modes: readonly number[];
}
/** One KeyShareEntry (RFC 8446 §4.2.8). */
export interface KeyShareEntry {
  readonly group: number;
  readonly keyExchange: Uint8Array;
}
/** key_share (RFC 8446 §4.2.8): CH list, SH single entry, HRR selected group only. */
export type KeyShareBody =
  | { readonly form: 'CH'; readonly entries: readonly KeyShareEntry[] }
  | { readonly form: 'SH'; readonly entry: KeyShareEntry }
  | { readonly form: 'HRR'; readonly selectedGroup: number };
/** renegotiation_info (RFC 5746 §3.2): empty on an initial handshake. */
export interface RenegotiationInfoBody {
  readonly renegotiatedConnection: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// Decoders: each reads the whole extension body from `r` (the caller checks the end).

export function decodeServerName(r: Reader, ctx: DecodeContext): ServerNameBody {
  if (ctx !== 'CH') return { form: 'ack' }; // RFC 6066 §3: the server's extension_data is empty
  const list = r.vec16('server_name.server_name_list', { nonEmpty: true });
  const names: ServerNameEntry[] = [];
  while (!list.atEnd) {
    const nameType = list.u8('server_name.name_type');
    names.push({ nameType, name: list.opaque16('server_name.host_name', { nonEmpty: true }) });
  }
  return { form: 'list', names };
}

export function decodeStatusRequest(r: Reader, ctx: DecodeContext): StatusRequestBody {
  if (ctx === 'CT') {
    // RFC 8446 §4.4.2.1: the body is a CertificateStatus (RFC 6066 §8).
    const statusType = r.u8('status_request.status_type');
    if (statusType !== CertificateStatusType.ocsp) throw new InvalidMessage('BadValue', 'status_request.status_type');
    return { form: 'response', statusType, response: r.opaque24('status_request.ocsp_response', { nonEmpty: true }) };
  }
  // RFC 8446 §4.4.2.1: a server asks for the client's OCSP staple with an EMPTY status_request in
  // CertificateRequest (gnutls-serv sends it so); a request-form body is still read.
  if (ctx === 'CR' && r.atEnd) return { form: 'ack' };
  if (ctx === 'CH' || ctx === 'CR') {
    const statusType = r.u8('status_request.status_type');
    if (statusType !== CertificateStatusType.ocsp) throw new InvalidMessage('BadValue', 'status_request.status_type');
    const ids = r.vec16('status_request.responder_id_list');
    const responderIds: Uint8Array[] = [];
    while (!ids.atEnd) responderIds.push(ids.opaque16('status_request.responder_id', { nonEmpty: true }));
    return { form: 'request', statusType, responderIds, requestExtensions: r.opaque16('status_request.request_extensions') };
  }
  return { form: 'ack' };
}

export function decodeSupportedGroups(r: Reader): SupportedGroupsBody {
  return { groups: u16List(r.vec16('supported_groups', { nonEmpty: true, multipleOf: 2 }), 'supported_groups') };
}

export function decodeEcPointFormats(r: Reader): EcPointFormatsBody {
  const list = r.vec8('ec_point_formats', { nonEmpty: true });
  const formats: number[] = [];
  while (!list.atEnd) formats.push(list.u8('ec_point_formats.format'));
  return { formats };
}

export function decodeSignatureSchemes(r: Reader): SignatureSchemesBody {
  return { schemes: u16List(r.vec16('signature_algorithms', { nonEmpty: true, multipleOf: 2 }), 'signature_algorithms') };
}

export function decodeAlpn(r: Reader, ctx: DecodeContext): AlpnBody {
  const list = r.vec16('alpn.protocol_name_list', { nonEmpty: true });
  const protocols: Uint8Array[] = [];
  while (!list.atEnd) protocols.push(list.opaque8('alpn.protocol_name', { nonEmpty: true }));
  // RFC 7301 §3.1: the server's list MUST contain exactly one protocol name.
  if (ctx !== 'CH' && protocols.length !== 1) throw new InvalidMessage('BadValue', 'alpn: server must select exactly one protocol');
  return { protocols };
}

export function decodeEmpty(): EmptyBody {
  return {};
}

export function decodeRecordSizeLimit(r: Reader): RecordSizeLimitBody {
  return { limit: r.u16('record_size_limit') };
}

export function decodeSessionTicket(r: Reader, ctx: DecodeContext): SessionTicketBody {
  // RFC 5077 §3.2: the server's SessionTicket extension is empty (the caller rejects trailing bytes).
  return { ticket: ctx === 'CH' ? r.rest() : new Uint8Array(0) };
}

export function decodePreSharedKey(r: Reader, ctx: DecodeContext): PreSharedKeyBody {
  if (ctx !== 'CH') return { form: 'SH', selectedIdentity: r.u16('pre_shared_key.selected_identity') };
  const ids = r.vec16('pre_shared_key.identities', { min: 7 });
  const identities: PskIdentity[] = [];
  while (!ids.atEnd) {
    const identity = ids.opaque16('pre_shared_key.identity', { nonEmpty: true });
    identities.push({ identity, obfuscatedTicketAge: ids.u32('pre_shared_key.obfuscated_ticket_age') });
  }
  const list = r.vec16('pre_shared_key.binders', { min: 33 });
  const binders: Uint8Array[] = [];
  while (!list.atEnd) binders.push(list.opaque8('pre_shared_key.binder', { min: 32 }));
  return { form: 'CH', identities, binders };
}

export function decodeEarlyData(r: Reader, ctx: DecodeContext): EarlyDataBody {
  if (ctx === 'NST') return { form: 'NST', maxEarlyDataSize: r.u32('early_data.max_early_data_size') };
  return { form: 'empty' };
}

export function decodeSupportedVersions(r: Reader, ctx: DecodeContext): SupportedVersionsBody {
  if (ctx !== 'CH') return { form: 'SH', selectedVersion: r.u16('supported_versions.selected_version') };
  return { form: 'CH', versions: u16List(r.vec8('supported_versions', { min: 2, max: 254, multipleOf: 2 }), 'supported_versions') };
}

export function decodeCookie(r: Reader): CookieBody {
  return { cookie: r.opaque16('cookie', { nonEmpty: true }) };
}

export function decodePskKeyExchangeModes(r: Reader): PskKeyExchangeModesBody {
  const list = r.vec8('psk_key_exchange_modes', { nonEmpty: true });
  const modes: number[] = [];
  while (!list.atEnd) modes.push(list.u8('psk_key_exchange_modes.mode'));
  return { modes };
}

export function decodeKeyShare(r: Reader, ctx: DecodeContext): KeyShareBody {
  if (ctx === 'HRR') return { form: 'HRR', selectedGroup: r.u16('key_share.selected_group') };
  if (ctx !== 'CH') return { form: 'SH', entry: decodeKeyShareEntry(r) };
  const list = r.vec16('key_share.client_shares');
  const entries: KeyShareEntry[] = [];
  while (!list.atEnd) entries.push(decodeKeyShareEntry(list));
  return { form: 'CH', entries };
}

export function decodeRenegotiationInfo(r: Reader): RenegotiationInfoBody {
  return { renegotiatedConnection: r.opaque8('renegotiation_info.renegotiated_connection') };
}

// ---------------------------------------------------------------------------------------------
// Encoders: each writes the extension body only (the caller writes type and length).

export function encodeServerName(w: Writer, b: ServerNameBody): void {
  if (b.form === 'ack') return;
  w.prefixed(2, (w) => {
    for (const n of b.names) w.u8(n.nameType).opaque(2, n.name);
  });
}

export function encodeStatusRequest(w: Writer, b: StatusRequestBody): void {
  if (b.form === 'ack') return;
  if (b.form === 'response') {
    w.u8(b.statusType).opaque(3, b.response);
    return;
  }
  w.u8(b.statusType);
  w.prefixed(2, (w) => {
    for (const id of b.responderIds) w.opaque(2, id);
  });
  w.opaque(2, b.requestExtensions);
}

export function encodeSupportedGroups(w: Writer, b: SupportedGroupsBody): void {
  w.prefixed(2, (w) => b.groups.forEach((g) => w.u16(g)));
}

export function encodeEcPointFormats(w: Writer, b: EcPointFormatsBody): void {
  w.prefixed(1, (w) => b.formats.forEach((f) => w.u8(f)));
}

export function encodeSignatureSchemes(w: Writer, b: SignatureSchemesBody): void {
  w.prefixed(2, (w) => b.schemes.forEach((s) => w.u16(s)));
}

export function encodeAlpn(w: Writer, b: AlpnBody): void {
  w.prefixed(2, (w) => b.protocols.forEach((p) => w.opaque(1, p)));
}

export function encodeEmpty(): void {}

export function encodeRecordSizeLimit(w: Writer, b: RecordSizeLimitBody): void {
  w.u16(b.limit);
}

export function encodeSessionTicket(w: Writer, b: SessionTicketBody): void {
  w.bytes(b.ticket);
}

export function encodePreSharedKey(w: Writer, b: PreSharedKeyBody): void {
  if (b.form === 'SH') {
    w.u16(b.selectedIdentity);
    return;
  }
  w.prefixed(2, (w) => {
    for (const id of b.identities) w.opaque(2, id.identity).u32(id.obfuscatedTicketAge);
  });
  encodeBinders(w, b.binders);
}

/** The PskBinderEntry list (RFC 8446 §4.2.11), shared with the binder patching in `client-hello.ts`. */
export function encodeBinders(w: Writer, binders: readonly Uint8Array[]): void {
  w.prefixed(2, (w) => binders.forEach((b) => w.opaque(1, b)));
}

export function encodeEarlyData(w: Writer, b: EarlyDataBody): void {
  if (b.form === 'NST') w.u32(b.maxEarlyDataSize);
}

export function encodeSupportedVersions(w: Writer, b: SupportedVersionsBody): void {
  if (b.form === 'SH') w.u16(b.selectedVersion);
  else w.prefixed(1, (w) => b.versions.forEach((v) => w.u16(v)));
}

export function encodeCookie(w: Writer, b: CookieBody): void {
  w.opaque(2, b.cookie);
}

export function encodePskKeyExchangeModes(w: Writer, b: PskKeyExchangeModesBody): void {
  w.prefixed(1, (w) => b.modes.forEach((m) => w.u8(m)));
}

export function encodeKeyShare(w: Writer, b: KeyShareBody): void {
  if (b.form === 'HRR') w.u16(b.selectedGroup);
  else if (b.form === 'SH') w.u16(b.entry.group).opaque(2, b.entry.keyExchange);
  else w.prefixed(2, (w) => b.entries.forEach((e) => w.u16(e.group).opaque(2, e.keyExchange)));
}

export function encodeRenegotiationInfo(w: Writer, b: RenegotiationInfoBody): void {
  w.opaque(1, b.renegotiatedConnection);
}

// ---------------------------------------------------------------------------------------------

function decodeKeyShareEntry(r: Reader): KeyShareEntry {
  const group = r.u16('key_share.group');
  return { group, keyExchange: r.opaque16('key_share.key_exchange', { nonEmpty: true }) };
}

/** A list of u16 values; the caller's vector options guarantee an even length. */
function u16List(r: Reader, what: string): number[] {
  const out: number[] = [];
  while (!r.atEnd) out.push(r.u16(what));
  return out;
}

/**
 * Extension lists (RFC 8446 §4.2, RFC 5246 §7.4.1.4): the table of known extensions, the one
 * shared decode/encode loop, typed lookup, and the "is this extension allowed here" check.
 *
 * Every known `ExtensionType` has one table row with its decoder, its encoder and the messages it
 * may appear in (the RFC 8446 §4.2 table, plus `SH12` for TLS 1.2 ServerHello extensions).
 * Unknown extensions, and known ones found in a message whose form we cannot know, are kept as
 * raw `{ type, data }` and round-trip unchanged. Duplicates are rejected while decoding
 * (InvalidMessage 'DuplicateExtension', illegal_parameter); whether an extension may appear in a
 * message is a protocol rule the engine asks {@link checkExtensionsAllowed} about.
 * @module
 */
import { InvalidMessage, PeerMisbehaved, UsageError } from '../errors.ts';
import { Reader } from '../codec/reader.ts';
import type { Writer } from '../codec/writer.ts';
import { ExtensionType, nameOf } from './enums.ts';
import * as B from './extension-bodies.ts';
import type { DecodeContext } from './extension-bodies.ts';

export type { DecodeContext } from './extension-bodies.ts';

/**
 * Where an extension may appear, as in RFC 8446 §4.2: ClientHello, ServerHello (TLS 1.3),
 * ServerHello (TLS 1.2), HelloRetryRequest, EncryptedExtensions, CertificateEntry,
 * CertificateRequest, NewSessionTicket.
 */
export type ExtensionContext = 'CH' | 'SH' | 'SH12' | 'HRR' | 'EE' | 'CT' | 'CR' | 'NST';

/** The typed body of each known extension type. */
export interface ExtensionBodies {
  [ExtensionType.ServerName]: B.ServerNameBody;
  [ExtensionType.StatusRequest]: B.StatusRequestBody;
  [ExtensionType.SupportedGroups]: B.SupportedGroupsBody;
  [ExtensionType.EcPointFormats]: B.EcPointFormatsBody;
  [ExtensionType.SignatureAlgorithms]: B.SignatureSchemesBody;
  [ExtensionType.ApplicationLayerProtocolNegotiation]: B.AlpnBody;
  [ExtensionType.ExtendedMasterSecret]: B.EmptyBody;
  [ExtensionType.RecordSizeLimit]: B.RecordSizeLimitBody;
  [ExtensionType.SessionTicket]: B.SessionTicketBody;
  [ExtensionType.PreSharedKey]: B.PreSharedKeyBody;
  [ExtensionType.EarlyData]: B.EarlyDataBody;
  [ExtensionType.SupportedVersions]: B.SupportedVersionsBody;
  [ExtensionType.Cookie]: B.CookieBody;
  [ExtensionType.PskKeyExchangeModes]: B.PskKeyExchangeModesBody;
  [ExtensionType.PostHandshakeAuth]: B.EmptyBody;
  [ExtensionType.SignatureAlgorithmsCert]: B.SignatureSchemesBody;
  [ExtensionType.KeyShare]: B.KeyShareBody;
  [ExtensionType.RenegotiationInfo]: B.RenegotiationInfoBody;
}
export type KnownExtensionType = keyof ExtensionBodies;

/** A decoded known extension: its type and typed body. */
export type KnownExtension = { [K in KnownExtensionType]: { readonly type: K; readonly body: ExtensionBodies[K] } }[KnownExtensionType];
/** An extension kept as bytes: unknown to puretls, or known but in a message where it has no defined form. */
export interface RawExtension {
  readonly type: number;
  readonly data: Uint8Array;
}
export type Extension = KnownExtension | RawExtension;

/** One table row. */
export interface ExtensionCodec<Body> {
  readonly name: string;
  readonly allowedIn: readonly ExtensionContext[];
  decode(r: Reader, ctx: DecodeContext): Body;
  encode(w: Writer, body: Body): void;
}

/**
 * Build a typed known extension (for encoding).
 * @example extension(ExtensionType.SupportedVersions, { form: 'CH', versions: [0x0304] })
 */
export function extension<K extends KnownExtensionType>(type: K, body: ExtensionBodies[K]): Extension {
  return { type, body } as Extension;
}

/**
 * Decode an `Extension extensions<0..2^16-1>` list in the given message context.
 * @param r positioned at the list's 2-byte length
 * @param ctx the message carrying the list (picks each body's form)
 * @param what label for errors, e.g. 'ServerHello'
 * @throws InvalidMessage on malformed bodies, 'DuplicateExtension', or 'PreSharedKeyNotLast' in a ClientHello
 */
export function decodeExtensions(r: Reader, ctx: DecodeContext, what: string): Extension[] {
  const list = r.vec16(`${what}.extensions`);
  const out: Extension[] = [];
  const seen = new Set<number>();
  while (!list.atEnd) {
    const type = list.u16(`${what}.extension_type`);
    const data = list.opaque16(`${what}.extension_data`);
    // RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type in a given extension block."
    if (seen.has(type)) throw new InvalidMessage('DuplicateExtension', `${what} ${extensionName(type)}`);
    seen.add(type);
    const codec = codecFor(type);
    if (codec === undefined || !decodableIn(codec, ctx)) {
      out.push({ type, data });
      continue;
    }
    const body = new Reader(data);
    const decoded = codec.decode(body, ctx);
    body.expectEnd(`${what} ${codec.name}`);
    out.push({ type, body: decoded } as Extension);
  }
  // RFC 8446 §4.2.11: pre_shared_key MUST be the last extension in the ClientHello.
  if (ctx === 'CH' && seen.has(ExtensionType.PreSharedKey) && out[out.length - 1]?.type !== ExtensionType.PreSharedKey)
    throw new InvalidMessage('PreSharedKeyNotLast', `${what}.extensions`);
  return out;
}

/**
 * Encode an extension list behind its 2-byte length.
 * @throws UsageError on a duplicate type (a bug in the caller)
 */
export function encodeExtensions(w: Writer, exts: readonly Extension[]): void {
  const seen = new Set<number>();
  w.prefixed(2, (w) => {
    for (const e of exts) {
      if (seen.has(e.type)) throw new UsageError(`duplicate extension ${extensionName(e.type)} in an encoded list`);
      seen.add(e.type);
      w.u16(e.type);
      w.prefixed(2, (w) => {
        if ('data' in e) w.bytes(e.data);
        else (EXTENSIONS[e.type] as ExtensionCodec<unknown>).encode(w, e.body);
      });
    }
  });
}

/**
 * The typed body of extension `type`, or undefined when absent (or present only as raw bytes, which
 * {@link checkExtensionsAllowed} rejects for known types).
 * @example const ks = findExtension(sh.extensions, ExtensionType.KeyShare); if (ks?.form === 'SH') ...
 */
export function findExtension<K extends KnownExtensionType>(exts: readonly Extension[], type: K): ExtensionBodies[K] | undefined {
  for (const e of exts) if (e.type === type && 'body' in e) return e.body as ExtensionBodies[K];
  return undefined;
}

/** True when an extension of this type is in the list (typed or raw). */
export function hasExtension(exts: readonly Extension[], type: number): boolean {
  return exts.some((e) => e.type === type);
}

/**
 * The protocol check on a received list (RFC 8446 §4.2, RFC 5246 §7.4.1.4):
 * - a known extension in a message that may not carry it: PeerMisbehaved 'ExtensionNotAllowedHere'
 *   (illegal_parameter);
 * - in a server response (SH, SH12, HRR, EE, CT), an extension the client did not offer:
 *   PeerMisbehaved 'UnsolicitedExtension' (unsupported_extension), except cookie in HRR.
 *   Without `offered`, every extension unknown to puretls counts as unsolicited.
 * Unknown extensions in CertificateRequest and NewSessionTicket are ignored (RFC 8446 §4.3.2, §4.6.1).
 * @param offered extension types the client sent in its ClientHello
 */
export function checkExtensionsAllowed(exts: readonly Extension[], ctx: ExtensionContext, offered?: Iterable<number>): void {
  const offeredSet = offered === undefined ? undefined : new Set(offered);
  const isResponse = ctx === 'SH' || ctx === 'SH12' || ctx === 'HRR' || ctx === 'EE' || ctx === 'CT';
  for (const e of exts) {
    const codec = codecFor(e.type);
    if (codec !== undefined && !codec.allowedIn.includes(ctx))
      throw new PeerMisbehaved('ExtensionNotAllowedHere', `${codec.name} in ${ctx}`);
    if (!isResponse) continue;
    // RFC 8446 §4.1.4: cookie may appear in HRR without being offered.
    if (ctx === 'HRR' && e.type === ExtensionType.Cookie) continue;
    const solicited = offeredSet === undefined ? codec !== undefined : offeredSet.has(e.type);
    if (!solicited) throw new PeerMisbehaved('UnsolicitedExtension', `${extensionName(e.type)} in ${ctx}`);
  }
}

/** Display name of an extension type: `key_share`, or `0x1234` when unknown. */
export function extensionName(type: number): string {
  return codecFor(type)?.name ?? nameOf(ExtensionType, type);
}

/** The table row for a type, if puretls knows it. */
export function codecFor(type: number): ExtensionCodec<unknown> | undefined {
  return Object.hasOwn(EXTENSIONS, type) ? (EXTENSIONS[type as KnownExtensionType] as ExtensionCodec<unknown>) : undefined;
}

function decodableIn(codec: ExtensionCodec<unknown>, ctx: DecodeContext): boolean {
  // A ServerHello is decoded before its version is known: accept both TLS 1.3 and TLS 1.2 rows.
  return codec.allowedIn.includes(ctx) || (ctx === 'SH' && codec.allowedIn.includes('SH12'));
}

const E = ExtensionType;

/** The extension table (RFC 8446 §4.2 "TLS 1.3" column, extended with TLS 1.2 ServerHello). */
export const EXTENSIONS: { readonly [K in KnownExtensionType]: ExtensionCodec<ExtensionBodies[K]> } = /* @__PURE__ */ Object.freeze({
  [E.ServerName]: { name: 'server_name', allowedIn: ['CH', 'SH12', 'EE'], decode: B.decodeServerName, encode: B.encodeServerName },
  [E.StatusRequest]: {
    name: 'status_request',
    allowedIn: ['CH', 'SH12', 'CR', 'CT'],
    decode: B.decodeStatusRequest,
    encode: B.encodeStatusRequest,
  },
  [E.SupportedGroups]: { name: 'supported_groups', allowedIn: ['CH', 'EE'], decode: B.decodeSupportedGroups, encode: B.encodeSupportedGroups },
  [E.EcPointFormats]: { name: 'ec_point_formats', allowedIn: ['CH', 'SH12'], decode: B.decodeEcPointFormats, encode: B.encodeEcPointFormats },
  [E.SignatureAlgorithms]: {
    name: 'signature_algorithms',
    allowedIn: ['CH', 'CR'],
    decode: B.decodeSignatureSchemes,
    encode: B.encodeSignatureSchemes,
  },
  [E.ApplicationLayerProtocolNegotiation]: {
    name: 'application_layer_protocol_negotiation',
    allowedIn: ['CH', 'SH12', 'EE'],
    decode: B.decodeAlpn,
    encode: B.encodeAlpn,
  },
  [E.ExtendedMasterSecret]: { name: 'extended_master_secret', allowedIn: ['CH', 'SH12'], decode: B.decodeEmpty, encode: B.encodeEmpty },
  [E.RecordSizeLimit]: {
    name: 'record_size_limit',
    allowedIn: ['CH', 'SH12', 'EE'],
    decode: B.decodeRecordSizeLimit,
    encode: B.encodeRecordSizeLimit,
  },
  [E.SessionTicket]: { name: 'session_ticket', allowedIn: ['CH', 'SH12'], decode: B.decodeSessionTicket, encode: B.encodeSessionTicket },
  [E.PreSharedKey]: { name: 'pre_shared_key', allowedIn: ['CH', 'SH'], decode: B.decodePreSharedKey, encode: B.encodePreSharedKey },
  [E.EarlyData]: { name: 'early_data', allowedIn: ['CH', 'EE', 'NST'], decode: B.decodeEarlyData, encode: B.encodeEarlyData },
  [E.SupportedVersions]: {
    name: 'supported_versions',
    allowedIn: ['CH', 'SH', 'HRR'],
    decode: B.decodeSupportedVersions,
    encode: B.encodeSupportedVersions,
  },
  [E.Cookie]: { name: 'cookie', allowedIn: ['CH', 'HRR'], decode: B.decodeCookie, encode: B.encodeCookie },
  [E.PskKeyExchangeModes]: {
    name: 'psk_key_exchange_modes',
    allowedIn: ['CH'],
    decode: B.decodePskKeyExchangeModes,
    encode: B.encodePskKeyExchangeModes,
  },
  [E.PostHandshakeAuth]: { name: 'post_handshake_auth', allowedIn: ['CH'], decode: B.decodeEmpty, encode: B.encodeEmpty },
  [E.SignatureAlgorithmsCert]: {
    name: 'signature_algorithms_cert',
    allowedIn: ['CH', 'CR'],
    decode: B.decodeSignatureSchemes,
    encode: B.encodeSignatureSchemes,
  },
  [E.KeyShare]: { name: 'key_share', allowedIn: ['CH', 'SH', 'HRR'], decode: B.decodeKeyShare, encode: B.encodeKeyShare },
  [E.RenegotiationInfo]: {
    name: 'renegotiation_info',
    allowedIn: ['CH', 'SH12'],
    decode: B.decodeRenegotiationInfo,
    encode: B.encodeRenegotiationInfo,
  },
});

/**
 * Building the ClientHello (RFC 8446 §4.1.2, §4.2; RFC 5246 §7.4.1.2) for a client that offers
 * TLS 1.3 and/or TLS 1.2 in one message, and the second ClientHello after a HelloRetryRequest
 * (RFC 8446 §4.1.4: same message with the new key share, the cookie, and no early_data). The
 * early_data extension (§4.2.10) rides with a resumption PSK when 0-RTT is offered.
 * @module
 */
import { fromUtf8, utf8 } from '../codec/bytes.ts';
import { PeerMisbehaved } from '../errors.ts';
import { findExtension } from '../wire/extensions.ts';
import { encodeClientHandshake } from '../wire/handshake.ts';
import { extension } from '../wire/extensions.ts';
import type { Extension, RawExtension } from '../wire/extensions.ts';
import type { ClientHello } from '../wire/client-hello.ts';
import type { KeyShareEntry, PskIdentity } from '../wire/extension-bodies.ts';
import { CertificateStatusType, EcPointFormat, ExtensionType, HandshakeType, ProtocolVersion, PskKeyExchangeMode, ServerNameType, SignatureScheme } from '../wire/enums.ts';
import { parseIpAddress } from '../x509/hostname.ts';
import type { ClientConfig } from './config.ts';
import type { HandshakeIo } from './state.ts';

/** What varies between ClientHellos of one connection. */
export interface ClientHelloParams {
  readonly config: ClientConfig;
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  /** SNI host name (never an IP address literal, RFC 6066 §3). */
  readonly serverName: string | undefined;
  readonly keyShares: readonly KeyShareEntry[];
  /** TLS 1.3 PSK identities; binders are placeholders of the given lengths and patched afterwards. */
  readonly psk: { readonly identities: readonly PskIdentity[]; readonly binderLengths: readonly number[] } | undefined;
  /** RFC 5077 ticket to offer in session_ticket (TLS 1.2), or undefined for an empty extension. */
  readonly tls12Ticket: Uint8Array | undefined;
  /** cookie echoed from a HelloRetryRequest. */
  readonly cookie: Uint8Array | undefined;
  /** Send an empty early_data extension (RFC 8446 §4.2.10; only with a PSK, never after a HelloRetryRequest). */
  readonly earlyData?: boolean | undefined;
}

/** The ClientHello as data plus its encoding (with placeholder binders when a PSK is offered). */
export interface BuiltClientHello {
  readonly message: ClientHello;
  readonly encoded: Uint8Array;
  /** The extension types sent, for the "unsolicited extension" checks on the server's replies. */
  readonly offeredExtensions: ReadonlySet<number>;
}

/**
 * Take the server's record_size_limit (RFC 8449 §4) from its ServerHello (TLS 1.2) or
 * EncryptedExtensions (TLS 1.3), if it sent one; the caller already refused it unless we offered it.
 * @throws PeerMisbehaved 'IllegalRecordSizeLimit' (illegal_parameter) for a value below 64
 */
export function applyRecordSizeLimit(io: HandshakeIo, extensions: readonly Extension[], version: 'tls13' | 'tls12'): void {
  const ext = findExtension(extensions, ExtensionType.RecordSizeLimit);
  if (ext === undefined) return;
  // RFC 8449 §4: "Endpoints MUST NOT send a record_size_limit extension with a value smaller than
  // 64. An endpoint MUST treat receipt of a smaller value as a fatal error and generate an
  // illegal_parameter alert." Values above the version's maximum are read as that maximum.
  if (ext.limit < 64) throw new PeerMisbehaved('IllegalRecordSizeLimit', `${ext.limit}`);
  io.setRecordSizeLimit(ext.limit, version);
}

/** SNI is sent for DNS names only: not for IP literals (RFC 6066 §3), not for names with a trailing dot stripped to nothing. */
export function sniHostName(host: string | undefined): string | undefined {
  if (host === undefined || host === '') return undefined;
  if (parseIpAddress(host) !== undefined) return undefined;
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/** Build and encode a ClientHello. */
export function buildClientHello(p: ClientHelloParams): BuiltClientHello {
  const c = p.config;
  const offers13 = c.tls13Suites.length > 0;
  const offers12 = c.tls12Suites.length > 0;
  const exts: Extension[] = [];
  if (p.serverName !== undefined)
    exts.push(extension(ExtensionType.ServerName, { form: 'list', names: [{ nameType: ServerNameType.host_name, name: utf8(p.serverName) }] }));
  if (offers12) {
    exts.push(extension(ExtensionType.ExtendedMasterSecret, {}));
    // RFC 5746 §3.4: an empty renegotiation_info on the initial handshake (instead of the SCSV).
    exts.push(extension(ExtensionType.RenegotiationInfo, { renegotiatedConnection: new Uint8Array(0) }));
    exts.push(extension(ExtensionType.EcPointFormats, { formats: [EcPointFormat.uncompressed] }));
    if (c.sessionTickets) exts.push(extension(ExtensionType.SessionTicket, { ticket: p.tls12Ticket ?? new Uint8Array(0) }));
  }
  exts.push(extension(ExtensionType.SupportedGroups, { groups: c.groups }));
  // RFC 8446 §4.2.3: rsa_pkcs1_* only make sense where TLS 1.2 may be negotiated.
  const schemes = offers12 ? c.signatureSchemes : c.signatureSchemes.filter((s) => !PKCS1.has(s));
  exts.push(extension(ExtensionType.SignatureAlgorithms, { schemes }));
  if (c.alpnProtocols.length > 0)
    exts.push(extension(ExtensionType.ApplicationLayerProtocolNegotiation, { protocols: c.alpnProtocols.map(utf8) }));
  if (c.statusRequest)
    exts.push(extension(ExtensionType.StatusRequest, { form: 'request', statusType: CertificateStatusType.ocsp, responderIds: [], requestExtensions: new Uint8Array(0) }));
  // RFC 6962 §3.3.1: an empty signed_certificate_timestamp extension asks for the server's SCT list.
  SCT: if (c.signedCertificateTimestamps) exts.push({ type: ExtensionType.SignedCertificateTimestamp, data: new Uint8Array(0) });
  // RFC 8449 §4: the largest protected record plaintext we accept (only when configured).
  if (c.recordSizeLimit !== undefined) exts.push(extension(ExtensionType.RecordSizeLimit, { limit: c.recordSizeLimit }));
  const versions: number[] = [];
  if (offers13) versions.push(ProtocolVersion.TLSv1_3);
  if (offers12) versions.push(ProtocolVersion.TLSv1_2);
  exts.push(extension(ExtensionType.SupportedVersions, { form: 'CH', versions }));
  if (offers13) {
    if (p.cookie !== undefined) exts.push(extension(ExtensionType.Cookie, { cookie: p.cookie }));
    exts.push(extension(ExtensionType.KeyShare, { form: 'CH', entries: p.keyShares }));
    // Always sent with TLS 1.3: without it a server must not issue tickets (RFC 8446 §4.2.9).
    const modes = c.pskModes.map((m) => (m === 'psk_ke' ? PskKeyExchangeMode.psk_ke : PskKeyExchangeMode.psk_dhe_ke));
    exts.push(extension(ExtensionType.PskKeyExchangeModes, { modes }));
    // RFC 8446 §4.2.6: willing to answer a CertificateRequest after the handshake.
    if (c.postHandshakeAuth) exts.push(extension(ExtensionType.PostHandshakeAuth, {}));
    // RFC 8446 §4.2.10: "it MUST supply both the "pre_shared_key" and "early_data" extensions".
    EARLY_DATA: if (p.earlyData === true && p.psk !== undefined) exts.push(extension(ExtensionType.EarlyData, { form: 'empty' }));
    if (p.psk !== undefined) {
      // RFC 8446 §4.2.11: pre_shared_key MUST be the last extension.
      const binders = p.psk.binderLengths.map((n) => new Uint8Array(n));
      exts.push(extension(ExtensionType.PreSharedKey, { form: 'CH', identities: p.psk.identities, binders }));
    }
  }
  const message: ClientHello = {
    type: HandshakeType.ClientHello,
    legacyVersion: ProtocolVersion.TLSv1_2,
    random: p.random,
    legacySessionId: p.sessionId,
    cipherSuites: [...c.tls13Suites, ...c.tls12Suites],
    legacyCompressionMethods: [0],
    extensions: exts,
  };
  return { message, encoded: encodeClientHandshake(message), offeredExtensions: new Set(exts.map((e) => e.type)) };
}

/** The raw SignedCertificateTimestampList of a signed_certificate_timestamp extension (RFC 6962 §3.3.1), copied; undefined without one. */
export function sctListOf(extensions: readonly Extension[]): Uint8Array | undefined {
  // No codec row for this type (the engine never reads the list), so it is always a RawExtension.
  return (extensions.find((e) => e.type === ExtensionType.SignedCertificateTimestamp) as RawExtension | undefined)?.data.slice();
}

/**
 * The protocol the server selected in its ALPN extension (TLS 1.3 EncryptedExtensions, TLS 1.2
 * ServerHello), or undefined when it sent none.
 * @throws PeerMisbehaved 'SelectedUnofferedApplicationProtocol' unless it is exactly one name we offered (RFC 7301 §3.2)
 */
export function selectedAlpn(config: ClientConfig, extensions: readonly Extension[]): string | undefined {
  const ext = findExtension(extensions, ExtensionType.ApplicationLayerProtocolNegotiation);
  if (ext === undefined) return undefined;
  let name: string;
  try {
    name = fromUtf8(ext.protocols[0]!);
  } catch {
    throw new PeerMisbehaved('SelectedUnofferedApplicationProtocol', 'not UTF-8');
  }
  if (ext.protocols.length !== 1 || !config.alpnProtocols.includes(name)) throw new PeerMisbehaved('SelectedUnofferedApplicationProtocol', name);
  return name;
}

const PKCS1 = new Set<number>([SignatureScheme.rsa_pkcs1_sha256, SignatureScheme.rsa_pkcs1_sha384, SignatureScheme.rsa_pkcs1_sha512]);

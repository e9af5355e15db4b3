import { describe, expect, it } from 'vitest';
import { rfc8448 } from '@puretls/test-support/rfc8448';
import { decodeHandshake, encodeHandshake } from '../../src/wire/handshake.ts';
import type { HandshakeMessage, WireVersion } from '../../src/wire/handshake.ts';
import { checkExtensionsAllowed, extension, findExtension } from '../../src/wire/extensions.ts';
import { clientHelloBindersLength, patchBinders, truncateClientHelloForBinders } from '../../src/wire/client-hello.ts';
import type { ClientHello } from '../../src/wire/client-hello.ts';
import { ExtensionType, HandshakeType, NamedGroup, ProtocolVersion } from '../../src/wire/enums.ts';
import { fromUtf8 } from '../../src/codec/bytes.ts';

/** Every handshake message dump in RFC 8448, by section, label and occurrence. */
const VECTORS: readonly [section: number, label: string, nth: number, type: number][] = [
  [3, 'ClientHello', 0, HandshakeType.ClientHello],
  [3, 'ServerHello', 0, HandshakeType.ServerHello],
  [3, 'EncryptedExtensions', 0, HandshakeType.EncryptedExtensions],
  [3, 'Certificate', 0, HandshakeType.Certificate],
  [3, 'CertificateVerify', 0, HandshakeType.CertificateVerify],
  [3, 'Finished', 0, HandshakeType.Finished],
  [3, 'Finished', 1, HandshakeType.Finished],
  [3, 'NewSessionTicket', 0, HandshakeType.NewSessionTicket],
  // §4's 'ClientHello (477 octets)' dump is only the part before the binders; the full message is the first payload.
  [4, 'payload', 0, HandshakeType.ClientHello],
  [4, 'ServerHello', 0, HandshakeType.ServerHello],
  [4, 'EncryptedExtensions', 0, HandshakeType.EncryptedExtensions],
  [4, 'EndOfEarlyData', 0, HandshakeType.EndOfEarlyData],
  [5, 'ClientHello', 0, HandshakeType.ClientHello],
  [5, 'ServerHello', 0, HandshakeType.ServerHello],
  [5, 'ClientHello', 1, HandshakeType.ClientHello],
  [5, 'ServerHello', 1, HandshakeType.ServerHello],
  [5, 'EncryptedExtensions', 0, HandshakeType.EncryptedExtensions],
  [6, 'CertificateRequest', 0, HandshakeType.CertificateRequest],
  [6, 'Certificate', 0, HandshakeType.Certificate],
  [6, 'Certificate', 1, HandshakeType.Certificate],
  [6, 'CertificateVerify', 1, HandshakeType.CertificateVerify],
  [7, 'ClientHello', 0, HandshakeType.ClientHello],
  [7, 'ServerHello', 0, HandshakeType.ServerHello],
];

function decode(section: number, label: string, nth = 0, version: WireVersion = 'tls13'): HandshakeMessage {
  return decodeHandshake(rfc8448(section, label, nth), version);
}

describe('RFC 8448 traces', () => {
  it.each(VECTORS)('decodes §%i %s #%i and re-encodes it byte for byte', (section, label, nth, type) => {
    const bytes = rfc8448(section, label, nth);
    const msg = decodeHandshake(bytes, 'tls13');
    expect(msg.type).toBe(type);
    expect(msg.raw).toEqual(bytes);
    expect(encodeHandshake(msg)).toEqual(bytes);
  });

  it('reads the §3 ClientHello fields', () => {
    const ch = decode(3, 'ClientHello');
    if (ch.type !== HandshakeType.ClientHello) throw new Error('not a ClientHello');
    expect(ch.legacyVersion).toBe(ProtocolVersion.TLSv1_2);
    expect(ch.cipherSuites).toEqual([0x1301, 0x1303, 0x1302]);
    const sni = findExtension(ch.extensions, ExtensionType.ServerName);
    expect(sni?.form === 'list' && fromUtf8(sni.names[0]!.name)).toBe('server');
    const ks = findExtension(ch.extensions, ExtensionType.KeyShare);
    expect(ks?.form === 'CH' && ks.entries.map((e) => [e.group, e.keyExchange.length])).toEqual([[NamedGroup.x25519, 32]]);
    expect(findExtension(ch.extensions, ExtensionType.SupportedVersions)).toEqual({ form: 'CH', versions: [ProtocolVersion.TLSv1_3] });
    expect(findExtension(ch.extensions, ExtensionType.RecordSizeLimit)).toEqual({ limit: 0x4001 });
    expect(() => checkExtensionsAllowed(ch.extensions, 'CH')).not.toThrow();
  });

  it('reads the §3 ServerHello as TLS 1.3 with an x25519 share', () => {
    const sh = decode(3, 'ServerHello');
    if (sh.type !== HandshakeType.ServerHello) throw new Error('not a ServerHello');
    expect(sh.isHelloRetryRequest).toBe(false);
    expect(sh.cipherSuite).toBe(0x1301);
    expect(findExtension(sh.extensions, ExtensionType.SupportedVersions)).toEqual({ form: 'SH', selectedVersion: ProtocolVersion.TLSv1_3 });
    const ks = findExtension(sh.extensions, ExtensionType.KeyShare);
    expect(ks?.form === 'SH' && ks.entry.group).toBe(NamedGroup.x25519);
    expect(() => checkExtensionsAllowed(sh.extensions, 'SH', [ExtensionType.KeyShare, ExtensionType.SupportedVersions])).not.toThrow();
  });

  it('recognises the §5 HelloRetryRequest and its selected group and cookie', () => {
    const hrr = decode(5, 'ServerHello', 0);
    if (hrr.type !== HandshakeType.ServerHello) throw new Error('not a ServerHello');
    expect(hrr.isHelloRetryRequest).toBe(true);
    // §5 prose: "The server however prefers P-256".
    expect(findExtension(hrr.extensions, ExtensionType.KeyShare)).toEqual({ form: 'HRR', selectedGroup: NamedGroup.secp256r1 });
    expect(findExtension(hrr.extensions, ExtensionType.Cookie)?.cookie.length).toBeGreaterThan(0);
    expect(() => checkExtensionsAllowed(hrr.extensions, 'HRR', [ExtensionType.KeyShare, ExtensionType.SupportedVersions])).not.toThrow();
    const sh = decode(5, 'ServerHello', 1);
    expect(sh.type === HandshakeType.ServerHello && sh.isHelloRetryRequest).toBe(false);
  });

  it('reads the §3 NewSessionTicket with its early_data limit', () => {
    const nst = decode(3, 'NewSessionTicket');
    if (nst.type !== HandshakeType.NewSessionTicket || nst.version !== 'tls13') throw new Error('not a TLS 1.3 ticket');
    expect(nst.lifetime).toBe(30);
    expect(findExtension(nst.extensions, ExtensionType.EarlyData)?.form).toBe('NST');
  });

  it('reads the §6 CertificateRequest and the client Certificate', () => {
    const cr = decode(6, 'CertificateRequest');
    if (cr.type !== HandshakeType.CertificateRequest || cr.version !== 'tls13') throw new Error('not a TLS 1.3 CertificateRequest');
    expect(cr.context.length).toBe(0);
    expect(findExtension(cr.extensions, ExtensionType.SignatureAlgorithms)?.schemes.length).toBeGreaterThan(0);
    const cert = decode(6, 'Certificate', 1);
    expect(cert.type === HandshakeType.Certificate && cert.version === 'tls13' && cert.entries.length).toBe(1);
  });

  describe('PSK binders (§4)', () => {
    const full = rfc8448(4, 'payload', 0);
    // The binder is the HMAC output the trace labels 'finished' under "calculate PSK binder".
    const binder = rfc8448(4, 'finished', 0);
    const ch = decodeHandshake(full, 'tls13') as ClientHello & { raw: Uint8Array };

    it('finds pre_shared_key last, with one identity and one 32-byte binder', () => {
      expect(ch.extensions[ch.extensions.length - 1]!.type).toBe(ExtensionType.PreSharedKey);
      const psk = findExtension(ch.extensions, ExtensionType.PreSharedKey);
      expect(psk?.form === 'CH' && psk.identities.length).toBe(1);
      expect(psk?.form === 'CH' && psk.binders).toEqual([binder]);
    });

    it('truncates to exactly the trace\'s "ClientHello prefix"', () => {
      expect(clientHelloBindersLength(ch)).toBe(full.length - rfc8448(4, 'ClientHello prefix').length);
      expect(truncateClientHelloForBinders(full, ch)).toEqual(rfc8448(4, 'ClientHello prefix'));
    });

    it('encodes with placeholder binders, then patches the real binder in', () => {
      const psk = findExtension(ch.extensions, ExtensionType.PreSharedKey);
      if (psk?.form !== 'CH') throw new Error('no PSK');
      const placeholders = psk.binders.map((b) => new Uint8Array(b.length));
      const withPlaceholders: ClientHello = {
        ...ch,
        extensions: [...ch.extensions.slice(0, -1), extension(ExtensionType.PreSharedKey, { ...psk, binders: placeholders })],
      };
      const draft = encodeHandshake(withPlaceholders);
      expect(draft).not.toEqual(full);
      // The prefix the binder is computed over does not depend on the binder values.
      expect(truncateClientHelloForBinders(draft, withPlaceholders)).toEqual(rfc8448(4, 'ClientHello prefix'));
      expect(patchBinders(draft, [binder])).toEqual(full);
    });
  });
});

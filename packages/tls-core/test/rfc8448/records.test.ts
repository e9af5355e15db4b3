import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/codec/bytes.ts';
import { RecordDeframer } from '../../src/record/deframer.ts';
import { HandshakeReassembler } from '../../src/record/handshake-reassembler.ts';
import { Tls13Protector } from '../../src/record/protect-tls13.ts';
import { RecordLayer } from '../../src/record/record-layer.ts';
import { MAX_TLS13_CIPHERTEXT_LENGTH } from '../../src/record/protector.ts';
import { deriveTrafficKeys } from '../../src/tls13/key-schedule.ts';
import { decodeHandshake } from '../../src/wire/handshake.ts';
import { findExtension } from '../../src/wire/extensions.ts';
import { ContentType, ExtensionType, HandshakeType } from '../../src/wire/enums.ts';
import { DecryptError } from '../../src/errors.ts';
import { RFC8448 } from '@puretls/test-support/rfc8448';
import { fieldOf } from '@puretls/test-support/rfc8448';
import { replay } from './replay.ts';

const SECTIONS = [3, 4, 5, 6, 7] as const;
const TYPE_OF_STEP: Record<string, number> = {
  'send handshake record': ContentType.Handshake,
  'send application_data record': ContentType.ApplicationData,
  'send alert record': ContentType.Alert,
  'send change_cipher_spec record': ContentType.ChangeCipherSpec,
};

interface Received { actor: 'client' | 'server'; type: number; plaintext: Uint8Array; handshakeTypes: number[] }

/**
 * Receive every record of a section as its peer would: one deframer + read RecordLayer per
 * sender, keys installed from our key schedule at the points RFC 8446 prescribes.
 */
function receiveSection(section: number, chunking: 'whole' | 'bytewise'): { received: Received[]; expected: Received[] } {
  const r = replay(RFC8448, section);
  const protector = (secret: Uint8Array): Tls13Protector => new Tls13Protector(deriveTrafficKeys(r.suite, secret));
  const side = {
    client: { deframer: new RecordDeframer(MAX_TLS13_CIPHERTEXT_LENGTH), layer: new RecordLayer('read'), hs: new HandshakeReassembler(), early: false },
    server: { deframer: new RecordDeframer(MAX_TLS13_CIPHERTEXT_LENGTH), layer: new RecordLayer('read'), hs: new HandshakeReassembler(), early: false },
  };
  const received: Received[] = [];
  const expected: Received[] = [];
  for (const step of RFC8448.section(section)) {
    const type = TYPE_OF_STEP[step.title];
    if (type === undefined) continue;
    expected.push({ actor: step.actor, type, plaintext: fieldOf(step, 'payload'), handshakeTypes: [] });
    const me = side[step.actor];
    const bytes = fieldOf(step, 'complete record');
    if (chunking === 'whole') me.deframer.push(bytes);
    const records = [];
    for (let i = 0; i < (chunking === 'whole' ? 1 : bytes.length); i++) {
      if (chunking === 'bytewise') me.deframer.push(bytes.subarray(i, i + 1));
      for (let rec = me.deframer.next(); rec !== undefined; rec = me.deframer.next()) records.push(rec);
    }
    expect(records.length).toBe(1);
    const plain = me.layer.open(records[0]!);
    const got: Received = { actor: step.actor, type: plain.type, plaintext: plain.plaintext.slice(), handshakeTypes: [] };
    received.push(got);
    if (plain.type !== ContentType.Handshake) continue;
    me.hs.push(plain.plaintext);
    for (let m = me.hs.next(); m !== undefined; m = me.hs.next()) {
      const msg = decodeHandshake(m.raw, 'tls13');
      got.handshakeTypes.push(msg.type);
      // Key changes follow RFC 8446 §7.3 and must fall on record boundaries (§5.1).
      if (msg.type === HandshakeType.ClientHello && findExtension(msg.extensions, ExtensionType.EarlyData) !== undefined) {
        expect(m.boundary).toBeDefined();
        side.client.layer.installProtector(protector(r.secrets.cEarly));
        side.client.early = true;
      } else if (msg.type === HandshakeType.ServerHello && !msg.isHelloRetryRequest) {
        expect(m.boundary).toBeDefined();
        side.server.layer.installProtector(protector(r.secrets.sHs));
      } else if (msg.type === HandshakeType.Finished && step.actor === 'server') {
        expect(m.boundary).toBeDefined();
        side.server.layer.installProtector(protector(r.secrets.sAp));
        if (!side.client.early) side.client.layer.installProtector(protector(r.secrets.cHs));
      } else if (msg.type === HandshakeType.EndOfEarlyData) {
        expect(m.boundary).toBeDefined();
        side.client.layer.installProtector(protector(r.secrets.cHs));
      } else if (msg.type === HandshakeType.Finished && step.actor === 'client') {
        expect(m.boundary).toBeDefined();
        side.client.layer.installProtector(protector(r.secrets.cAp));
      }
    }
    expect(me.hs.hasPartialMessage).toBe(false);
  }
  return { received, expected };
}

describe('RFC 8448 records, opened by src/record', () => {
  it.each(SECTIONS)('§%i: every record decrypts to the trace plaintext with the right content type', (section) => {
    const { received, expected } = receiveSection(section, 'whole');
    expect(received.length).toBe(expected.length);
    expect(received.length).toBeGreaterThanOrEqual(6);
    received.forEach((got, i) => {
      expect(got.type, `record ${i}`).toBe(expected[i]!.type);
      expect(toHex(got.plaintext), `record ${i}`).toBe(toHex(expected[i]!.plaintext));
    });
  });

  it.each(SECTIONS)('§%i: the same holds when the records arrive one byte at a time', (section) => {
    const { received, expected } = receiveSection(section, 'bytewise');
    expect(received.map((g) => toHex(g.plaintext))).toEqual(expected.map((e) => toHex(e.plaintext)));
  });

  it('§3: decrypted handshake records decode to the expected messages', () => {
    const { received } = receiveSection(3, 'whole');
    const hs = received.filter((g) => g.type === ContentType.Handshake).map((g) => g.handshakeTypes);
    const H = HandshakeType;
    expect(hs).toEqual([[H.ClientHello], [H.ServerHello], [H.EncryptedExtensions, H.Certificate, H.CertificateVerify, H.Finished], [H.Finished], [H.NewSessionTicket]]);
  });

  it('§4 and §6: 0-RTT data, EndOfEarlyData and the client certificate flight decode as expected', () => {
    const H = HandshakeType;
    const s4 = receiveSection(4, 'whole').received;
    expect(s4.filter((g) => g.actor === 'client' && g.type === ContentType.Handshake).map((g) => g.handshakeTypes)).toEqual([
      [H.ClientHello],
      [H.EndOfEarlyData],
      [H.Finished],
    ]);
    expect(new TextDecoder().decode(s4.find((g) => g.type === ContentType.ApplicationData)!.plaintext)).toBe('ABCDEF');
    const s6 = receiveSection(6, 'whole').received;
    expect(s6.filter((g) => g.type === ContentType.Handshake).map((g) => g.handshakeTypes)).toContainEqual([H.Certificate, H.CertificateVerify, H.Finished]);
    expect(s6.filter((g) => g.type === ContentType.Handshake).map((g) => g.handshakeTypes)).toContainEqual([
      H.EncryptedExtensions,
      H.CertificateRequest,
      H.Certificate,
      H.CertificateVerify,
      H.Finished,
    ]);
  });

  it('§3: a record with one flipped ciphertext bit fails with DecryptError', () => {
    const r = replay(RFC8448, 3);
    const rec = RFC8448.value(3, 'server', 'send application_data record', 'complete record').slice();
    rec[10]! ^= 0x01;
    const d = new RecordDeframer();
    d.push(rec);
    const layer = new RecordLayer('read');
    layer.installProtector(new Tls13Protector(deriveTrafficKeys(r.suite, r.secrets.sAp)));
    layer.setSequenceNumber(1n); // the NewSessionTicket used sequence number 0
    expect(() => layer.open(d.next()!)).toThrow(DecryptError);
  });

  it('§3: our sealing reproduces the trace records byte for byte', () => {
    const r = replay(RFC8448, 3);
    const layer = new RecordLayer('write');
    layer.installProtector(new Tls13Protector(deriveTrafficKeys(r.suite, r.secrets.cAp)));
    const app = RFC8448.step(3, 'client', 'send application_data record');
    const alert = RFC8448.step(3, 'client', 'send alert record');
    expect(toHex(layer.seal(ContentType.ApplicationData, fieldOf(app, 'payload')))).toBe(toHex(fieldOf(app, 'complete record')));
    expect(toHex(layer.seal(ContentType.Alert, fieldOf(alert, 'payload')))).toBe(toHex(fieldOf(alert, 'complete record')));
  });
});

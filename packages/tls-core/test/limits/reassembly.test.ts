/**
 * Handshake reassembly is linear and capped (issue 10, defect 3). A server may split a handshake
 * message into 1-byte records (RFC 8446 §5.1 allows any split); the work must stay proportional
 * to the bytes received, and a message longer than limits.ts allows for its type is refused as
 * soon as its 4-byte header is in, with decode_error. CPU time is measured with
 * process.cpuUsage() as a safety limit (generous bounds: these are not benchmarks).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidMessage } from '../../src/errors.ts';
import { HandshakeReassembler } from '../../src/record/handshake-reassembler.ts';
import { DEFAULT_MAX_HANDSHAKE_LENGTH, MAX_HANDSHAKE_LENGTH, maxHandshakeLength } from '../../src/limits.ts';
import { AlertDescription as A, ContentType, HandshakeType } from '../../src/wire/enums.ts';
import { recordHeader } from '../client/helpers/harness.ts';
import { makeTestPki, type TestPki } from '../client/helpers/pki.ts';
import { Server12 } from '../client/helpers/server12.ts';
import { Server13 } from '../client/helpers/server13.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

/** CPU seconds (user + system) spent in `fn`. */
function cpuSeconds(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1e6;
}

/** `body` as plaintext handshake records of `size` bytes each, one buffer. */
function inRecordsOf(size: number, stream: Uint8Array): Uint8Array {
  const records = Math.ceil(stream.length / size);
  const out = new Uint8Array(stream.length + 5 * records);
  let at = 0;
  for (let off = 0; off < stream.length; off += size) {
    const piece = stream.subarray(off, Math.min(stream.length, off + size));
    out.set(recordHeader(ContentType.Handshake, 0x0303, piece.length), at);
    out.set(piece, at + 5);
    at += 5 + piece.length;
  }
  return out;
}

function handshakeMessage(type: number, bodyLength: number): Uint8Array {
  const m = new Uint8Array(4 + bodyLength);
  m.set([type, bodyLength >> 16, (bodyLength >> 8) & 0xff, bodyLength & 0xff]);
  for (let i = 4; i < m.length; i++) m[i] = i & 0xff;
  return m;
}

describe('HandshakeReassembler is linear in the bytes pushed', () => {
  it('a 256 KiB message pushed one byte at a time is reassembled exactly, in well under a second of CPU', () => {
    const m = handshakeMessage(HandshakeType.Certificate, 256 * 1024);
    const r = new HandshakeReassembler(maxHandshakeLength);
    const cpu = cpuSeconds(() => {
      for (let i = 0; i < m.length; i++) r.push(m.subarray(i, i + 1));
    });
    const out = r.next();
    expect(out?.raw.length).toBe(m.length);
    expect(Buffer.from(out!.raw).equals(Buffer.from(m))).toBe(true);
    expect(out?.boundary).toBeDefined();
    console.log(`262,148 one-byte pushes: ${cpu.toFixed(3)} s CPU`);
    expect(cpu, `CPU seconds for 262,148 one-byte pushes`).toBeLessThan(0.5);
  });

  it('the per-type caps: at the cap is accepted, one byte over is refused from the header alone', () => {
    for (const type of [HandshakeType.ServerHello, HandshakeType.EncryptedExtensions, HandshakeType.Certificate, HandshakeType.CertificateRequest, HandshakeType.NewSessionTicket, HandshakeType.Finished, HandshakeType.KeyUpdate, 99]) {
      const cap = MAX_HANDSHAKE_LENGTH[type] ?? DEFAULT_MAX_HANDSHAKE_LENGTH;
      const ok = new HandshakeReassembler(maxHandshakeLength);
      ok.push(handshakeMessage(type, cap));
      expect(ok.next()?.raw.length).toBe(cap + 4);
      const over = new HandshakeReassembler(maxHandshakeLength);
      expect(() => over.push(Uint8Array.of(type, (cap + 1) >> 16, ((cap + 1) >> 8) & 0xff, (cap + 1) & 0xff)), `type ${type}`).toThrow(InvalidMessage);
    }
  });
});

describe('a hostile server splitting handshake messages into 1-byte records', () => {
  it('a ServerHello announced at 256 KiB in 1-byte records (1.57 MB) is refused by the cap at once: decode_error, < 0.5 s CPU', () => {
    const s = new Server13(pki);
    const wire = inRecordsOf(1, handshakeMessage(HandshakeType.ServerHello, 256 * 1024));
    expect(wire.length).toBe(1_572_888);
    s.wire.raw(wire);
    let thrown: unknown;
    const cpu = cpuSeconds(() => {
      thrown = s.deliverExpectingFatal({ error: InvalidMessage, reason: 'TooLong', alert: A.DecodeError, encrypted: false });
    });
    console.log(`ServerHello 256 KiB in 1-byte records: ${cpu.toFixed(3)} s CPU`);
    expect((thrown as InvalidMessage).what).toMatch(/ServerHello|0x02/);
    expect(cpu, 'CPU seconds for 1.57 MB of 1-byte records').toBeLessThan(0.5);
  });

  it('a TLS 1.2 Certificate at the 256 KiB cap in 1-byte records (1.57 MB) is reassembled in linear time', () => {
    const s = new Server12(pki);
    s.sendPlain(s.serverHello());
    expect(s.deliver()).toBeUndefined();
    // A certificate_list holding the real chain and then one 256 KiB-filling junk entry.
    const chain = s.identity.chain;
    const chainBytes = chain.reduce((n, c) => n + 3 + c.length, 0);
    const bodyLength = 256 * 1024;
    const junkLength = bodyLength - 3 - chainBytes - 3;
    const body = new Uint8Array(bodyLength);
    const listLength = bodyLength - 3;
    body.set([listLength >> 16, (listLength >> 8) & 0xff, listLength & 0xff]);
    let at = 3;
    for (const c of [...chain, new Uint8Array(junkLength).fill(0x30)]) {
      body.set([c.length >> 16, (c.length >> 8) & 0xff, c.length & 0xff], at);
      body.set(c, at + 3);
      at += 3 + c.length;
    }
    expect(at).toBe(bodyLength);
    const msg = new Uint8Array(4 + bodyLength);
    msg.set([HandshakeType.Certificate, bodyLength >> 16, (bodyLength >> 8) & 0xff, bodyLength & 0xff]);
    msg.set(body, 4);
    s.wire.raw(inRecordsOf(1, msg));
    let thrown: unknown;
    const cpu = cpuSeconds(() => {
      thrown = s.deliver();
    });
    console.log(`TLS 1.2 Certificate of 256 KiB in 1-byte records: ${cpu.toFixed(3)} s CPU`);
    // The message was reassembled whole and accepted (the chain validates; the extra entry is unused).
    expect(thrown).toBeUndefined();
    expect(s.conn.stateName).toBe('ExpectServerKeyExchange');
    expect(cpu, 'CPU seconds for 1.57 MB of 1-byte records').toBeLessThan(3);
  });
});

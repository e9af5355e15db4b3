import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex, utf8 } from '../../src/codec/bytes.ts';
import { SHA256, SHA384 } from '../../src/crypto/noble.ts';
import { TLS13_SUITES } from '../../src/crypto/suites.ts';
import {
  deriveTrafficKeys,
  EarlySecret,
  ResumptionPsk,
  exportKeyingMaterial,
  hkdfExpandLabel,
  nextApplicationTrafficSecret,
  resumptionPsk,
  revealResumptionPsk,
} from '../../src/tls13/key-schedule.ts';
import { revealMasterSecret, Tls12MasterSecret } from '../../src/tls12/master-secret.ts';
import * as publicEntry from '../../src/index.ts';
import * as internalEntry from '../../src/internal.ts';
import { messageHash, Transcript, TranscriptBuffer } from '../../src/tls13/transcript.ts';

/** RFC 5869 HKDF-Expand and RFC 8446 §7.1 HkdfLabel written independently with node:crypto. */
function nodeExpandLabel(hash: 'sha256' | 'sha384', secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const full = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([context.length]), context]);
  const out: Buffer[] = [];
  let t = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    t = createHmac(hash, secret).update(Buffer.concat([t, info, Buffer.from([i])])).digest();
    out.push(t);
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, length));
}
const sha = (name: 'sha256' | 'sha384', data: Uint8Array): Uint8Array => new Uint8Array(createHash(name).update(data).digest());

describe('TLS 1.3 key schedule extras', () => {
  it('HKDF-Expand-Label agrees with an independent implementation for both hashes', () => {
    for (const [hash, name] of [[SHA256, 'sha256'], [SHA384, 'sha384']] as const) {
      const secret = new Uint8Array(randomBytes(hash.outputLen));
      const ctx = new Uint8Array(randomBytes(hash.outputLen));
      expect(toHex(hkdfExpandLabel(hash, secret, 'c hs traffic', ctx, 77))).toBe(toHex(nodeExpandLabel(name, secret, 'c hs traffic', ctx, 77)));
    }
  });

  it('KeyUpdate: the next application traffic secret is HKDF-Expand-Label(secret, "traffic upd", "", Hash.length) (RFC 8446 §7.2)', () => {
    const s0 = new Uint8Array(randomBytes(48));
    const s1 = nextApplicationTrafficSecret(SHA384, s0);
    expect(toHex(s1)).toBe(toHex(nodeExpandLabel('sha384', s0, 'traffic upd', new Uint8Array(0), 48)));
    expect(toHex(nextApplicationTrafficSecret(SHA384, s1))).not.toBe(toHex(s1));
  });

  it('TLS-Exporter follows RFC 8446 §7.5, with an absent context equal to an empty one', () => {
    const ems = new Uint8Array(randomBytes(32));
    const ctx = utf8('context value');
    const expected = nodeExpandLabel(
      'sha256',
      nodeExpandLabel('sha256', ems, 'EXPORTER-test', sha('sha256', new Uint8Array(0)), 32),
      'exporter',
      sha('sha256', ctx),
      42,
    );
    expect(toHex(exportKeyingMaterial(SHA256, ems, 'EXPORTER-test', ctx, 42))).toBe(toHex(expected));
    expect(toHex(exportKeyingMaterial(SHA256, ems, 'EXPORTER-test', undefined, 16))).toBe(
      toHex(exportKeyingMaterial(SHA256, ems, 'EXPORTER-test', new Uint8Array(0), 16)),
    );
  });

  it('resumption PSK depends on the ticket nonce (RFC 8446 §4.6.1)', () => {
    const rms = new Uint8Array(randomBytes(32));
    const a = resumptionPsk(SHA256, rms, new Uint8Array([0]));
    const b = resumptionPsk(SHA256, rms, new Uint8Array([1]));
    expect(toHex(a)).not.toBe(toHex(b));
    expect(toHex(a)).toBe(toHex(nodeExpandLabel('sha256', rms, 'resumption', new Uint8Array([0]), 32)));
  });

  it('traffic keys take the key length from the AEAD and a 12-byte IV', () => {
    for (const suite of TLS13_SUITES) {
      const k = deriveTrafficKeys(suite, new Uint8Array(suite.hash.outputLen));
      expect([k.key.length, k.iv.length]).toEqual([suite.keyLength, 12]);
    }
  });

  it('external and resumption binder keys differ', () => {
    const early = EarlySecret.withPsk(TLS13_SUITES[1], ResumptionPsk.fromBytes(new Uint8Array(32).fill(7)));
    expect(toHex(early.binderKey('external'))).not.toBe(toHex(early.binderKey('resumption')));
  });
});

describe('transcript', () => {
  it('TranscriptBuffer hashes buffered messages plus a truncated ClientHello without consuming it', () => {
    const m1 = new Uint8Array(randomBytes(40));
    const extra = new Uint8Array(randomBytes(20));
    const buf = new TranscriptBuffer().add(m1);
    expect(toHex(buf.hashWith(SHA256, extra))).toBe(toHex(sha('sha256', concatBytes(m1, extra))));
    const t = buf.startHash(SHA256);
    expect(toHex(t.currentHash())).toBe(toHex(sha('sha256', m1)));
    expect(toHex(t.hashWith(extra))).toBe(toHex(sha('sha256', concatBytes(m1, extra))));
    expect(toHex(t.currentHash())).toBe(toHex(sha('sha256', m1)));
  });

  it('replaces ClientHello1 with message_hash after a HelloRetryRequest (RFC 8446 §4.4.1)', () => {
    const ch1 = new Uint8Array(randomBytes(100));
    const hrr = new Uint8Array(randomBytes(50));
    const t = new Transcript(SHA384).add(ch1).rollupForHelloRetryRequest().add(hrr);
    const synthetic = concatBytes(new Uint8Array([254, 0, 0, 48]), sha('sha384', ch1));
    expect(toHex(messageHash(SHA384, sha('sha384', ch1)))).toBe(toHex(synthetic));
    expect(toHex(t.currentHash())).toBe(toHex(sha('sha384', concatBytes(synthetic, hrr))));
  });

  it('fork() snapshots are independent', () => {
    const t = new Transcript(SHA256).add(new Uint8Array([1]));
    const f = t.fork();
    t.add(new Uint8Array([2]));
    expect(toHex(f.currentHash())).toBe(toHex(sha('sha256', new Uint8Array([1]))));
  });
});

describe('typed resumption secrets (ResumptionPsk, Tls12MasterSecret)', () => {
  it('hold a copy of their bytes; copy() owns new bytes, wipe() zeroes only its own; the master secret compares by value', () => {
    const bytes = new Uint8Array(32).fill(9);
    const psk = ResumptionPsk.fromBytes(bytes);
    bytes.fill(0);
    expect([...revealResumptionPsk(psk)]).toEqual(new Array(32).fill(9));
    const copy = psk.copy();
    expect(revealResumptionPsk(copy)).toEqual(revealResumptionPsk(psk));
    psk.wipe();
    expect(revealResumptionPsk(psk).every((b) => b === 0)).toBe(true);
    expect(revealResumptionPsk(copy).every((b) => b === 9)).toBe(true);
    const master = Tls12MasterSecret.fromBytes(SHA256, new Uint8Array(48).fill(4));
    const masterCopy = master.copy();
    expect(masterCopy.equals(master)).toBe(true);
    master.wipe();
    expect(revealMasterSecret(masterCopy).every((b) => b === 4)).toBe(true);
    expect(masterCopy.equals(master)).toBe(false);
  });

  it('their bytes are reachable from the internal entry only, never from the main one', () => {
    const publicNames = Object.keys(publicEntry);
    for (const name of ['ResumptionPsk', 'Tls12MasterSecret', 'revealResumptionPsk', 'revealMasterSecret', 'revealSecret']) expect(publicNames).not.toContain(name);
    expect(internalEntry.revealResumptionPsk).toBe(revealResumptionPsk);
    expect(internalEntry.revealMasterSecret).toBe(revealMasterSecret);
  });

  it('show no bytes to enumeration or JSON (no getter, no own property)', () => {
    const psk = ResumptionPsk.fromBytes(new Uint8Array(32).fill(0xab));
    const master = Tls12MasterSecret.fromBytes(SHA256, new Uint8Array(48).fill(0xab));
    for (const s of [psk, master]) {
      expect(JSON.stringify(s)).not.toMatch(/171/);
      expect(Object.values(s).some((v) => v instanceof Uint8Array)).toBe(false);
    }
  });
});

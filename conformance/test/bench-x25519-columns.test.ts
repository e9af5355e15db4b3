/**
 * The benchmark's X25519 columns (bench/registry.ts `x25519Columns`, bench/floor.ts `x25519Sides`):
 * the arithmetic of "CPU ratio without X25519" and "CPU ratio if the rest cost node:tls's", and that
 * each side really makes one X25519 key pair and shared secret (a side that did nothing would make
 * both columns flatter the subject).
 */
import { describe, expect, it } from 'vitest';
import { loadNoble, x25519Sides } from '../src/bench/floor.ts';
import { x25519Columns, type BenchRow } from '../src/bench/registry.ts';

const row: BenchRow = { section: 'handshake', name: 'x', unit: 'handshakes/s', subject: 1, baseline: 1, subjectCpuMs: 3, baselineCpuMs: 1.5, x25519Ms: { subject: 1.4, baseline: 0.15 } };

describe('x25519Columns', () => {
  it('takes each client its own X25519 out, and prices a client at noble X25519 plus node:tls rest', () => {
    const columns = x25519Columns(row);
    expect(columns.ms).toBe('1.40 / 0.150');
    // (1.5 - 0.15) / (3 - 1.4) = 1.35 / 1.6
    expect(columns.without).toBe('0.84');
    // 1.5 / (1.5 - 0.15 + 1.4) = 1.5 / 2.75
    expect(columns.atBaselineRest).toBe('0.55');
  });

  it('is empty for a row without an X25519 exchange or without CPU figures', () => {
    const empty = { ms: '', without: '', atBaselineRest: '' };
    expect(x25519Columns({ ...row, x25519Ms: undefined })).toEqual(empty);
    expect(x25519Columns({ ...row, subjectCpuMs: undefined })).toEqual(empty);
  });
});

describe('x25519Sides', () => {
  // The server's secret is fixed so that each side's shared secret can be checked from the
  // server's end: a side that skipped its exchange would make both columns flatter the subject.
  const serverSecret = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);

  it.each(['noble', 'native'] as const)('the %s side makes a fresh key pair and the shared secret the server would compute', async (name) => {
    const { x25519 } = await loadNoble();
    const side = (await x25519Sides(serverSecret))[name];
    const a = side();
    const b = side();
    expect(a.publicKey).toHaveLength(32);
    expect(a.publicKey).not.toEqual(b.publicKey);
    for (const exchange of [a, b]) expect(x25519.getSharedSecret(serverSecret, exchange.publicKey)).toEqual(exchange.shared);
  });
});

import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/codec/bytes.ts';
import { RFC8448, RFC8448_TEXT, Trace, type TraceStep } from '@puretls/test-support/rfc8448';
import { computedStep, isMessageOrRecordStep, replay } from './replay.ts';

const SECTIONS = [3, 4, 5, 6, 7] as const;

/** Compare every value-carrying step of a section with what our code computes; returns the mismatches. */
function mismatches(trace: Trace, section: number): string[] {
  const out: string[] = [];
  for (const step of trace.section(section)) {
    if (step.fields.size === 0 || isMessageOrRecordStep(step)) continue;
    let mine: Record<string, Uint8Array> | undefined;
    try {
      mine = computedStep(trace, step);
    } catch (e) {
      out.push(`line ${step.line}: '${step.title}' could not be recomputed: ${String(e)}`);
      continue;
    }
    if (mine === undefined) {
      out.push(`line ${step.line}: step '{${step.actor}} ${step.title}' is not checked`);
      continue;
    }
    for (const [name, value] of step.fields) {
      const computed = mine[name];
      if (computed === undefined) out.push(`line ${step.line}: '${step.title}' field '${name}' not computed`);
      else if (toHex(computed) !== toHex(value)) out.push(`line ${step.line}: '${step.title}' ${name}: trace ${toHex(value)}, ours ${toHex(computed)}`);
    }
    for (const name of Object.keys(mine))
      if (!step.fields.has(name)) out.push(`line ${step.line}: '${step.title}' lacks field '${name}'`);
  }
  return out;
}

function checkedSteps(trace: Trace, section: number): TraceStep[] {
  return trace.section(section).filter((s) => s.fields.size > 0 && !isMessageOrRecordStep(s));
}

describe('RFC 8448 key schedule, recomputed with src/tls13', () => {
  it.each(SECTIONS)('§%i: every secret, key, IV, binder and Finished value equals the trace', (section) => {
    expect(mismatches(RFC8448, section)).toEqual([]);
    // The comparison covers a substantial number of steps, not an empty set.
    expect(checkedSteps(RFC8448, section).length).toBeGreaterThanOrEqual(section === 5 ? 15 : 16);
  });

  it('§4: the binder over the truncated ClientHello equals the binder the client sent', () => {
    const r = replay(RFC8448, 4);
    expect(r.binder).toBeDefined();
    expect(toHex(r.binder!.value)).toBe(toHex(r.binder!.sent));
    // The truncated ClientHello is the full message minus the binders list (2 + 1 + 32 bytes).
    const ch = r.messages[0]!.msg.raw;
    expect(r.binder!.truncated.length).toBe(ch.length - 35);
  });

  it('§4: the PSK is the §3 resumption secret for the §3 ticket nonce', () => {
    const r3 = replay(RFC8448, 3);
    const r4 = replay(RFC8448, 4);
    const step = RFC8448.step(3, 'server', 'generate resumption secret "tls13 resumption"');
    expect(toHex(r4.psk!)).toBe(toHex(step.fields.get('expanded')!));
    expect(r3.ticketNonce).toBeDefined();
  });

  it.each(SECTIONS)('§%i: the Finished messages carry the verify_data we compute', (section) => {
    const r = replay(RFC8448, section);
    const finished = r.messages.filter((m) => m.msg.type === 20);
    expect(finished.length).toBe(2);
    for (const { actor, msg } of finished) {
      const step = RFC8448.step(section, actor, 'calculate finished "tls13 finished"');
      if (msg.type !== 20) throw new Error('not Finished');
      expect(toHex(msg.verifyData)).toBe(toHex(step.fields.get('finished')!));
    }
  });

  it('§5: the handshake traffic secrets use the message_hash transcript (a plain transcript differs)', () => {
    const r = replay(RFC8448, 5);
    const hash = r.suite.hash;
    const plain = hash.create();
    for (const { msg } of r.messages.slice(0, 4)) plain.update(msg.raw); // CH1, HRR, CH2, SH without the rollup
    const traceHash = RFC8448.value(5, 'server', 'derive secret "tls13 c hs traffic"', 'hash');
    expect(toHex(r.hashes.hello)).toBe(toHex(traceHash));
    expect(toHex(plain.peek())).not.toBe(toHex(traceHash));
  });
});

describe('the trace check detects corruption', () => {
  it('fails when one byte of a derived secret in the trace text is changed', () => {
    // Flip one hex digit in §3's server handshake traffic secret ("expanded" of "tls13 s hs traffic").
    const at = RFC8448_TEXT.indexOf('expanded (32 octets):  30 31 e9 c2');
    expect(at).toBeGreaterThan(0);
    const pos = at + 'expanded (32 octets):  '.length;
    const text = RFC8448_TEXT.slice(0, pos) + '2' + RFC8448_TEXT.slice(pos + 1);
    const bad = mismatches(new Trace(text), 3);
    expect(bad.length).toBe(1);
    expect(bad[0]).toContain('tls13 s hs traffic');
  });

  it.each(SECTIONS)('§%i: flipping the first byte of a checked field is detected (every other step)', (section) => {
    const lines = RFC8448_TEXT.split('\n');
    for (const step of checkedSteps(RFC8448, section).filter((_, i) => i % 2 === 0)) {
      // Find the first field line of this step whose value starts with hex.
      let i = step.line; // 0-based index of the line after the heading
      while (!/ \(\d+ octets\): {1,2}[0-9a-f]{2}/.test(lines[i]!)) i++;
      const m = / \(\d+ octets\): {1,2}([0-9a-f])/.exec(lines[i]!)!;
      const col = m.index + m[0].length - 1;
      const flipped = lines.slice();
      flipped[i] = lines[i]!.slice(0, col) + (m[1] === '0' ? '1' : '0') + lines[i]!.slice(col + 1);
      expect(mismatches(new Trace(flipped.join('\n')), section).length, `line ${i + 1}`).toBeGreaterThan(0);
    }
  });
});

/**
 * isIpLiteral (src/ip-literal.ts) gives net.isIP's answer for every name: fast-checked against
 * net.isIP itself on addresses, near-addresses, host names and arbitrary strings.
 */
import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIpLiteral } from '../src/ip-literal.ts';

const nearAddress = fc.stringMatching(/^[0-9a-fA-F.:%]{0,24}$/);
const names = fc.oneof(fc.ipV4(), fc.ipV4Extended(), fc.ipV6(), fc.domain(), nearAddress, fc.string(), fc.string({ unit: 'grapheme' }));

describe('isIpLiteral', () => {
  it('equals net.isIP(name) !== 0 on addresses, near-addresses, host names and arbitrary strings', () => {
    fc.assert(
      fc.property(names, (name) => {
        expect(isIpLiteral(name)).toBe(isIP(name) !== 0);
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    ['127.0.0.1', true],
    ['::1', true],
    ['fe80::1%eth0', true],
    ['::ffff:192.0.2.1', true],
    ['localhost', false],
    ['example.com', false],
    ['1.2.3', false],
    ['256.1.1.1', false],
    ['', false],
  ])('%j is an address literal: %s', (name, expected) => {
    expect(isIpLiteral(name)).toBe(expected);
    expect(isIP(name) !== 0).toBe(expected);
  });
});

/**
 * `trustStoreFromPem` parses each distinct `ca` text once (engine-factory.ts): the same PEM gives
 * the same immutable TrustStore, any other text a store of its own, and bad input still throws.
 */
import { rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { UsageError } from '@puretls/tls-core';
import { trustStoreFromPem } from '../src/engine-factory.ts';

/** Node's bundled Mozilla roots: real PEM certificates, independent of this project. */
function somePems(): string[] {
  return rootCertificates.slice(0, 3);
}

describe('trustStoreFromPem cache', () => {
  it('returns the same store for the same text and a different one for other text', () => {
    const pems = somePems();
    expect(pems.length).toBeGreaterThan(0);
    const a = trustStoreFromPem(pems[0]!);
    expect(trustStoreFromPem(pems[0]!)).toBe(a);
    expect(trustStoreFromPem([pems[0]!])).toBe(a); // same joined text
    expect(trustStoreFromPem(Buffer.from(pems[0]!, 'latin1'))).toBe(a);
    const b = trustStoreFromPem(pems[0]! + '\n# other bundle\n');
    expect(b).not.toBe(a);
    expect(b.size).toBe(a.size);
  });

  it('still refuses text without a certificate, every time', () => {
    expect(() => trustStoreFromPem('not a pem')).toThrow(UsageError);
    expect(() => trustStoreFromPem('not a pem')).toThrow(UsageError);
  });
});

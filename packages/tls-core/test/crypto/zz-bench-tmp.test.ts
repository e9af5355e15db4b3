import { it } from 'vitest';
import { curves, SHA256, SHA384 } from '../../src/crypto/noble.ts';
import { prepareVerificationKey, verifySignature } from '../../src/crypto/signature.ts';
import type { PublicKey } from '../../src/crypto/keys.ts';

function bench(label: string, n: number, f: () => void): number {
  for (let i = 0; i < Math.min(n, 20); i++) f();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  const ms = (performance.now() - t0) / n;
  console.log(`${label}: ${ms.toFixed(3)} ms/op`);
  return ms;
}

it('bench', () => {
  for (const [name, curve, hash] of [['P-256', curves.p256, SHA256], ['P-384', curves.p384, SHA384]] as const) {
    const { secretKey } = (curve as typeof curves.p256).keygen();
    const pub = (curve as typeof curves.p256).getPublicKey(secretKey, false);
    const msg = new Uint8Array(100).fill(1);
    const sig = (curve as typeof curves.p256).sign(hash.digest(msg), secretKey, { prehash: false, format: 'der' });
    const alg = { kind: 'ecdsa', hash } as const;
    const plain: PublicKey = { kind: 'ec', curve: name, point: pub };
    bench(`${name} verify plain`, 200, () => { if (!verifySignature(alg, plain, msg, sig)) throw new Error('x'); });
    for (const w of [4, 6, 8]) {
      const P = (curve as typeof curves.p256).Point;
      let k!: PublicKey;
      // precompute on a fresh point each time to time it
      const t0 = performance.now();
      const reps = 3;
      for (let i = 0; i < reps; i++) P.fromBytes(pub).precompute(w, false);
      console.log(`${name} precompute w=${w}: ${((performance.now() - t0) / reps).toFixed(1)} ms`);
    }
    for (const w of [4, 5, 6, 7, 8]) {
    const prepared = prepareVerificationKey({ kind: 'ec', curve: name, point: pub } as PublicKey, { windowBits: w });
    bench(`${name} verify prepared(w=${w})`, 200, () => { if (!verifySignature(alg, prepared, msg, sig)) throw new Error('x'); });
    }
    bench(`${name} verify plain again`, 200, () => { if (!verifySignature(alg, plain, msg, sig)) throw new Error('x'); });
  }
});

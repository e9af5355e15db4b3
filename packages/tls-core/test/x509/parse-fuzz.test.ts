/**
 * Property: whatever is done to a certificate's bytes, parsing and validation fail only with
 * InvalidCertificate (never RangeError, TypeError or another exception), and mutations of the signed
 * part are never accepted.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidCertificate } from '../../src/errors.ts';
import { parseCertificate } from '../../src/x509/certificate.ts';
import { verifyServerCertificateChain } from '../../src/x509/path-validation.ts';
import { TrustStore } from '../../src/x509/trust-store.ts';
import { generatePki, type Pki } from './pki.ts';

let pki: Pki;
let samples: Uint8Array[];
let trust: TrustStore;
let now = 0;

beforeAll(() => {
  pki = generatePki();
  now = Date.now() + 1000;
  samples = ['leaf-ecdsa-p256', 'leaf-rsa2048-pss-signed', 'leaf-rsapss', 'ca-int', 'bad-nameconstraint', 'ca-int-nc', 'weird-no-subject', 'leaf-ed25519'].map((n) => pki.der(n));
  trust = new TrustStore([pki.der('ca-root')], { strict: true });
});
afterAll(() => pki?.cleanup());

/** Parse-time reasons: structure, or a well-formed but unsupported key/algorithm parameter. */
const PARSE_REASONS = new Set(['BadEncoding', 'UnsupportedPublicKey', 'UnsupportedSignatureAlgorithm']);

type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'xor'; at: number; mask: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0x00, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xff, 0x30, 0x05) }),
  fc.record({ kind: fc.constant('xor' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function apply(der: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = der;
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    switch (m.kind) {
      case 'set':
        b = b.slice();
        b[at] = m.value;
        break;
      case 'xor':
        b = b.slice();
        b[at]! ^= m.mask;
        break;
      case 'insert':
        b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
        break;
      case 'delete':
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.count)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

function onlyInvalidCertificate(f: () => unknown, allowed?: Set<string>): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof InvalidCertificate)) throw e; // RangeError, TypeError, ... fail the property
    if (allowed !== undefined && !allowed.has(e.reason)) throw new Error(`unexpected reason ${e.reason}: ${e.message}`);
  }
}

describe('mutated certificates', () => {
  it('parseCertificate throws only InvalidCertificate with a parse-time reason', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (pick, ms) => {
        const der = apply(samples[pick % samples.length]!, ms);
        onlyInvalidCertificate(() => parseCertificate(der), PARSE_REASONS);
      }),
      { numRuns: 3000 },
    );
  });

  it('parseCertificate survives random bytes and random DER-looking prefixes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        onlyInvalidCertificate(() => parseCertificate(bytes), PARSE_REASONS);
        onlyInvalidCertificate(() => parseCertificate(Uint8Array.from([0x30, 0x82, bytes.length >> 8, bytes.length & 0xff, ...bytes])), PARSE_REASONS);
      }),
      { numRuns: 2000 },
    );
  });

  it('validation of a chain with a mutated leaf or intermediate throws only InvalidCertificate, never accepts a changed TBS', () => {
    const leaf = () => pki.der('leaf-ecdsa-p256');
    const inter = () => pki.der('ca-int');
    fc.assert(
      fc.property(fc.boolean(), mutation, (mutateLeaf, m) => {
        const l = mutateLeaf ? apply(leaf(), [m]) : leaf();
        const i = mutateLeaf ? inter() : apply(inter(), [m]);
        let accepted = false;
        onlyInvalidCertificate(() => {
          verifyServerCertificateChain({ chain: [l, i], trust, hostname: 'localhost', now });
          accepted = true;
        });
        if (accepted) {
          // Only a change outside the signed part and the signature value could survive (e.g. none): the
          // TBS must be byte-identical to the original.
          const original = parseCertificate(mutateLeaf ? leaf() : inter());
          const mutated = parseCertificate(mutateLeaf ? l : i);
          expect(mutated.tbs).toEqual(original.tbs);
        }
      }),
      { numRuns: 300 },
    );
  });
});

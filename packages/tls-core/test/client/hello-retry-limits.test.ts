/**
 * A HelloRetryRequest whose cookie (RFC 8446 §4.2.2, cookie<1..2^16-1>) is legal on its own but
 * makes the second ClientHello too long for its extensions<8..2^16-1> (issue 10, defect 6): the
 * peer caused it, so the client fails with a peer error class and sends illegal_parameter
 * (RFC 8446 §6.2: "A field in the handshake was incorrect or inconsistent with other fields"),
 * not a UsageError without an alert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerMisbehaved } from '../../src/errors.ts';
import { AlertDescription as A, ExtensionType, NamedGroup } from '../../src/wire/enums.ts';
import { findExtension } from '../../src/wire/extensions.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server13 } from './helpers/server13.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

describe('HelloRetryRequest cookie size (RFC 8446 §4.1.4, §4.2.2)', () => {
  it('a 65,400-byte cookie that cannot fit a ClientHello: PeerMisbehaved, illegal_parameter in plaintext', () => {
    const s = new Server13(pki);
    s.sendPlain(s.helloRetryRequest({ group: NamedGroup.secp256r1, cookie: new Uint8Array(65_400).fill(0xc0) }));
    const err = s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'IllegalHelloRetryRequest', alert: A.IllegalParameter, encrypted: false });
    expect((err as Error).message).toMatch(/cannot be encoded/);
  });

  it('control: a 4 KiB cookie is echoed in the second ClientHello', () => {
    const s = new Server13(pki);
    const cookie = new Uint8Array(4096).fill(0xc1);
    s.sendPlain(s.helloRetryRequest({ group: NamedGroup.secp256r1, cookie }));
    expect(s.deliver()).toBeUndefined();
    expect(s.clientHellos.length).toBe(2);
    const echoed = findExtension(s.clientHellos[1]!.extensions, ExtensionType.Cookie);
    expect(Buffer.from(echoed?.cookie ?? []).equals(Buffer.from(cookie))).toBe(true);
  });
});

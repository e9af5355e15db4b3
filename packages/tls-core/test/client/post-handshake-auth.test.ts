/**
 * TLS 1.3 post-handshake authentication (RFC 8446 §4.2.6, §4.6.2), the refusals: a
 * CertificateRequest after the handshake is unexpected_message unless post_handshake_auth was
 * offered; offered, an empty or repeated context is illegal_parameter (§4.3.2). The accepted path
 * (Certificate, CertificateVerify, Finished verified by the server) is the conformance row
 * s13-clientauth-post-handshake against openssl s_server's 'c' command.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InappropriateMessage, PeerMisbehaved } from '../../src/errors.ts';
import { AlertDescription as A, ExtensionType, HandshakeType, SignatureScheme } from '../../src/wire/enums.ts';
import { encodeHandshake } from '../../src/wire/handshake.ts';
import { extension } from '../../src/wire/extensions.ts';
import { feed } from './helpers/harness.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server13, type Server13Options } from './helpers/server13.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

function connected(opts: Server13Options = {}): Server13 {
  const s = new Server13(pki, opts);
  s.handshake();
  return s;
}
const request = (context: number[]): Uint8Array =>
  encodeHandshake({
    type: HandshakeType.CertificateRequest,
    version: 'tls13',
    context: new Uint8Array(context),
    extensions: [extension(ExtensionType.SignatureAlgorithms, { schemes: [SignatureScheme.ecdsa_secp256r1_sha256] })],
  });

describe('post-handshake CertificateRequest', () => {
  it('the ClientHello carries post_handshake_auth only when enabled', () => {
    const off = new Server13(pki);
    const on = new Server13(pki, { client: { postHandshakeAuth: true } });
    expect(off.clientHello.extensions.some((e) => e.type === ExtensionType.PostHandshakeAuth)).toBe(false);
    expect(on.clientHello.extensions.some((e) => e.type === ExtensionType.PostHandshakeAuth)).toBe(true);
  });

  it('without post_handshake_auth offered: unexpected_message', () => {
    const s = connected();
    s.sendEncrypted([request([1, 2, 3])]);
    s.deliverExpectingFatal({ error: InappropriateMessage, alert: A.UnexpectedMessage, encrypted: true });
  });

  it('offered, an empty context: illegal_parameter', () => {
    const s = connected({ client: { postHandshakeAuth: true } });
    s.sendEncrypted([request([])]);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'IllegalCertificateRequestContext', alert: A.IllegalParameter, encrypted: true });
  });

  it('offered, a repeated context: illegal_parameter (the first request is answered)', () => {
    // Fed directly: the test server's record reader does not follow the client's post-handshake Finished.
    const s = connected({ client: { postHandshakeAuth: true } });
    s.sendEncrypted([request([9])]);
    expect(feed(s.conn, s.wire.take())).toBeUndefined();
    const answer = s.conn.takeOutgoing();
    // empty Certificate (no credential) and Finished: at least two protected records
    expect(answer?.length ?? 0).toBeGreaterThan(2 * (5 + 16));
    s.sendEncrypted([request([9])]);
    const err = feed(s.conn, s.wire.take());
    expect(err).toBeInstanceOf(PeerMisbehaved);
    expect((err as PeerMisbehaved).reason).toBe('IllegalCertificateRequestContext');
    expect(s.conn.error).toBe(err);
  });
});

/**
 * Pluggable server verification (rustls ServerCertVerifier / OpenSSL verify callback as models):
 * an SPKI-pinning verifier accepts the pinned key and refuses another with bad_certificate; a
 * verifier's thrown CertificateRejected sends the alert it chose; the replacing form skips the
 * built-in chain validation but never the CertificateVerify check; verifyCertificates: false
 * (Node's rejectUnauthorized: false) records a refusal instead of failing. The SPKI to pin comes
 * from node:crypto (createPublicKey(...).export spki), not from puretls' own parser.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateRejected, InvalidCertificate, PeerMisbehaved } from '../../src/errors.ts';
import { AlertDescription as A } from '../../src/wire/enums.ts';
import type { ServerCertificateInfo } from '../../src/client/server-certificate.ts';
import { makeTestPki, type ServerIdentity, type TestPki } from './helpers/pki.ts';
import { Server13, type Server13Options } from './helpers/server13.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const spkiHashOf = (id: ServerIdentity): string => sha256(createPublicKey(id.key).export({ type: 'spki', format: 'der' }));
const pinTo = (id: ServerIdentity) => (info: ServerCertificateInfo): void => {
  if (sha256(info.leafSpki) !== spkiHashOf(id)) throw new CertificateRejected(A.BadCertificate, 'SPKI pin mismatch');
};

function run(opts: Server13Options, edit?: (s: Server13) => Uint8Array[]): { s: Server13; thrown: unknown } {
  const s = new Server13(pki, opts);
  s.sendPlain(s.serverHello());
  s.wire.ccs();
  s.useHandshakeKeys();
  s.sendEncrypted(edit?.(s) ?? [s.encryptedExtensions(), s.certificate(), s.certificateVerify(), s.finished()]);
  return { s, thrown: s.deliver() };
}

describe('an extending verifier (verifyServerCertificate)', () => {
  it('an SPKI pin of the server’s key accepts, after the built-in validation passed', () => {
    let seen: ServerCertificateInfo | undefined;
    const { s, thrown } = run({ client: { verifyServerCertificate: (i) => ((seen = i), pinTo(pki.ecdsa)(i)) } });
    expect(thrown).toBeUndefined();
    expect(s.conn.isHandshaking).toBe(false);
    expect(seen?.hostname).toBe('localhost');
    expect(seen?.chain).toEqual(pki.ecdsa.chain);
  });

  it('a pin of another key refuses with bad_certificate', () => {
    const s = new Server13(pki, { client: { verifyServerCertificate: pinTo(pki.rsa) } });
    s.sendPlain(s.serverHello());
    s.wire.ccs();
    s.useHandshakeKeys();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate(), s.certificateVerify(), s.finished()]);
    s.deliverExpectingFatal({ error: CertificateRejected, alert: A.BadCertificate, encrypted: true });
  });

  it('a verifier that throws CertificateRejected fails the handshake with the alert it chose', () => {
    const s = new Server13(pki, { client: { verifyServerCertificate: () => { throw new CertificateRejected(A.CertificateRevoked, 'policy'); } } });
    s.sendPlain(s.serverHello());
    s.wire.ccs();
    s.useHandshakeKeys();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate(), s.certificateVerify(), s.finished()]);
    s.deliverExpectingFatal({ error: CertificateRejected, alert: A.CertificateRevoked, encrypted: true });
  });

  it('a verifier that throws anything else refuses with bad_certificate', () => {
    const s = new Server13(pki, { client: { verifyServerCertificate: () => { throw new Error('nope'); } } });
    s.sendPlain(s.serverHello());
    s.wire.ccs();
    s.useHandshakeKeys();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate(), s.certificateVerify(), s.finished()]);
    s.deliverExpectingFatal({ error: CertificateRejected, alert: A.BadCertificate, encrypted: true });
  });

  it('is not a way around the built-in validation: an untrusted root still fails with unknown_ca', () => {
    const s = new Server13(pki, { identity: pki.untrusted, client: { verifyServerCertificate: () => {} } });
    s.sendPlain(s.serverHello());
    s.wire.ccs();
    s.useHandshakeKeys();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate(), s.certificateVerify(), s.finished()]);
    s.deliverExpectingFatal({ error: InvalidCertificate, reason: 'UnknownIssuer', alert: A.UnknownCa, encrypted: true });
  });

  it('with verifyCertificates: false (rejectUnauthorized: false) the refusal is recorded and the handshake completes', () => {
    const { s, thrown } = run({ client: { verifyCertificates: false, verifyServerCertificate: pinTo(pki.rsa) } });
    expect(thrown).toBeUndefined();
    expect(s.conn.isHandshaking).toBe(false);
    expect(s.conn.negotiated?.certificateError).toBeInstanceOf(CertificateRejected);
  });
});

describe('the replacing verifier (dangerouslyReplaceServerVerifier)', () => {
  it('replaces chain validation: a pinned key under an untrusted root is accepted, with no trust store at all', () => {
    const { s, thrown } = run({ identity: pki.untrusted, client: { trustStore: undefined, dangerouslyReplaceServerVerifier: pinTo(pki.untrusted) } });
    expect(thrown).toBeUndefined();
    expect(s.conn.isHandshaking).toBe(false);
    expect(s.conn.negotiated?.certificateError).toBeUndefined();
  });

  it('refuses another key with bad_certificate', () => {
    const s = new Server13(pki, { identity: pki.untrusted, client: { dangerouslyReplaceServerVerifier: pinTo(pki.ecdsa) } });
    s.sendPlain(s.serverHello());
    s.wire.ccs();
    s.useHandshakeKeys();
    s.sendEncrypted([s.encryptedExtensions(), s.certificate(), s.certificateVerify(), s.finished()]);
    s.deliverExpectingFatal({ error: CertificateRejected, alert: A.BadCertificate, encrypted: true });
  });

  it('never skips the handshake signature: an accept-all verifier still fails a bad CertificateVerify with decrypt_error', () => {
    const s = new Server13(pki, { client: { dangerouslyReplaceServerVerifier: () => {} } });
    s.sendPlain(s.serverHello());
    s.wire.ccs();
    s.useHandshakeKeys();
    const flight = [s.encryptedExtensions(), s.certificate()];
    flight.push(s.certificateVerify({ edit: (m) => ({ ...m, signature: m.signature.map((b, i) => (i === 20 ? b ^ 1 : b)) }) }));
    s.sendEncrypted(flight);
    s.deliverExpectingFatal({ error: PeerMisbehaved, reason: 'BadCertificateVerify', alert: A.DecryptError, encrypted: true });
  });
});

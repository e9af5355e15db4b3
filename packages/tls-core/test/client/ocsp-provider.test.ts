/**
 * OCSP staple checking is a provider (`ocspStapleChecker` from `@puretls/tls-core/ocsp`,
 * docs/embedding.md): asking for a staple without it is a UsageError naming the import, never a
 * silently unchecked staple; not asking needs nothing; the configured checker is the one the
 * engine calls on a TLS 1.2 CertificateStatus (RFC 6066 §8), and its verdict maps to the alert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientConfig } from '../../src/client/config.ts';
import { InvalidCertificate, UsageError } from '../../src/errors.ts';
import { ocspStapleChecker } from '../../src/ocsp.ts';
import { checkOcspResponse } from '../../src/x509/ocsp.ts';
import { encodeHandshake } from '../../src/wire/handshake.ts';
import { AlertDescription as A, ExtensionType, HandshakeType } from '../../src/wire/enums.ts';
import type { OcspStapleChecker } from '../../src/client/config.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server12 } from './helpers/server12.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

describe('createClientConfig and the OCSP checker provider', () => {
  it('statusRequest: true without ocspStapleChecker is a UsageError that names the import', () => {
    expect(() => createClientConfig({ verifyCertificates: false, statusRequest: true })).toThrow(UsageError);
    expect(() => createClientConfig({ verifyCertificates: false, statusRequest: true })).toThrow(/import \{ ocspStapleChecker \} from "@puretls\/tls-core\/ocsp"/);
  });

  it("ocspPolicy 'require' (which asks for a staple) without the checker is a UsageError", () => {
    expect(() => createClientConfig({ verifyCertificates: false, ocspPolicy: 'require' })).toThrow(UsageError);
  });

  it("no staple asked for, or ocspPolicy 'ignore': no checker needed", () => {
    const plain = createClientConfig({ verifyCertificates: false });
    expect(plain.statusRequest).toBe(false);
    expect(plain.ocspStapleChecker).toBeUndefined();
    expect(createClientConfig({ verifyCertificates: false, ocspPolicy: 'check' }).statusRequest).toBe(false);
    expect(createClientConfig({ verifyCertificates: false, statusRequest: true, ocspPolicy: 'ignore' }).statusRequest).toBe(true);
  });

  it('with the checker: accepted, and the built-in checker is the RFC 6960 one', () => {
    const config = createClientConfig({ verifyCertificates: false, ocspPolicy: 'require', ocspStapleChecker });
    expect(config.statusRequest).toBe(true);
    expect(config.ocspStapleChecker).toBe(checkOcspResponse);
  });
});

describe('the engine calls the configured checker on a TLS 1.2 staple', () => {
  const staple = new Uint8Array([0x30, 3, 1, 2, 3]);
  const stapled = (s: Server12): Uint8Array[] => [
    s.serverHello((m) => ({ ...m, extensions: [...m.extensions, { type: ExtensionType.StatusRequest, data: new Uint8Array(0) }] })),
    s.certificate(),
    s.message(encodeHandshake({ type: HandshakeType.CertificateStatus, statusType: 1, response: staple })),
  ];

  it("a checker answering 'revoked' makes certificate_revoked, and it saw the staple, leaf and issuer", () => {
    const calls: Parameters<OcspStapleChecker>[] = [];
    const revoked: OcspStapleChecker = (...args) => {
      calls.push(args);
      return { status: 'revoked', revokedAt: 0 };
    };
    const s = new Server12(pki, { client: { statusRequest: true, ocspStapleChecker: revoked } });
    s.sendPlain(...stapled(s));
    s.deliverExpectingFatal({ error: InvalidCertificate, reason: 'Revoked', alert: A.CertificateRevoked, encrypted: false });
    expect(calls).toHaveLength(1);
    expect([...calls[0]![0]]).toEqual([...staple]);
    expect(calls[0]![1].subject).not.toEqual(calls[0]![2].subject);
  });
});

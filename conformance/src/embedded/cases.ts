/**
 * The conformance core an embedded engine must pass (issue 11; run in QuickJS by
 * conformance/test/quickjs.test.ts and, for the first rows, in a node:vm context by
 * packages/bundle/test): openssl s_server rows for TLS 1.3 (X25519, P-256, HelloRetryRequest),
 * TLS 1.2 ECDHE-ECDSA and ECDHE-RSA, ChaCha20 and AES-GCM, chains and host names verified,
 * an untrusted root and a wrong name refused with the typed errors.
 * @module
 */
import { CipherSuite, NamedGroup } from '@puretls/tls-core';

export interface EmbeddedCase {
  readonly id: string;
  /** s_server arguments (certificate, versions, suites, groups), without -accept / -naccept. */
  readonly server: readonly string[];
  /** Context options for the guest besides the trust anchors. */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly host?: string;
  readonly expect:
    | { readonly ok: true; readonly version: 'TLSv1.3' | 'TLSv1.2'; readonly suite: number; readonly group: number; readonly hrr?: boolean }
    | { readonly ok: false; readonly error: string; readonly reasons: readonly string[] };
}

const EC = ['-cert', 'leaf-ecdsa-p256.pem', '-key', 'leaf-ecdsa-p256.key', '-cert_chain', 'ca-int.pem'];
const RSA = ['-cert', 'leaf-rsa2048.pem', '-key', 'leaf-rsa2048.key', '-cert_chain', 'ca-int.pem'];
const ECHO = ['-rev'];

export const EMBEDDED_CASES: readonly EmbeddedCase[] = [
  {
    id: 'TLS 1.3 X25519 AES-128-GCM, ECDSA chain',
    server: [...EC, '-tls1_3', '-ciphersuites', 'TLS_AES_128_GCM_SHA256', ...ECHO],
    expect: { ok: true, version: 'TLSv1.3', suite: CipherSuite.TLS_AES_128_GCM_SHA256, group: NamedGroup.x25519 },
  },
  {
    id: 'TLS 1.3 P-256 share, ChaCha20-Poly1305, RSA chain',
    server: [...RSA, '-tls1_3', '-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256', '-groups', 'P-256', ...ECHO],
    config: { groups: [NamedGroup.secp256r1, NamedGroup.x25519], keyShareGroups: [NamedGroup.secp256r1] },
    expect: { ok: true, version: 'TLSv1.3', suite: CipherSuite.TLS_CHACHA20_POLY1305_SHA256, group: NamedGroup.secp256r1 },
  },
  {
    id: 'TLS 1.3 HelloRetryRequest X25519 -> P-256, AES-256-GCM',
    server: [...EC, '-tls1_3', '-ciphersuites', 'TLS_AES_256_GCM_SHA384', '-groups', 'P-256', ...ECHO],
    expect: { ok: true, version: 'TLSv1.3', suite: CipherSuite.TLS_AES_256_GCM_SHA384, group: NamedGroup.secp256r1, hrr: true },
  },
  {
    id: 'TLS 1.2 ECDHE-ECDSA AES-128-GCM',
    server: [...EC, '-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256', ...ECHO],
    expect: { ok: true, version: 'TLSv1.2', suite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, group: NamedGroup.x25519 },
  },
  {
    id: 'TLS 1.2 ECDHE-RSA ChaCha20-Poly1305',
    server: [...RSA, '-tls1_2', '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305', ...ECHO],
    expect: { ok: true, version: 'TLSv1.2', suite: CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, group: NamedGroup.x25519 },
  },
  {
    id: 'an untrusted root is refused',
    server: ['-cert', 'bad-untrusted.pem', '-key', 'bad-untrusted.key', '-cert_chain', 'evil-root.pem', '-tls1_3', ...ECHO],
    // The chain ends in a root with the trusted root's name but another key (CONFORMANCE.md §6.2).
    expect: { ok: false, error: 'InvalidCertificate', reasons: ['UnknownIssuer', 'BadSignature'] },
  },
  {
    id: 'a wrong host name is refused',
    server: ['-cert', 'bad-wronghost.pem', '-key', 'bad-wronghost.key', '-cert_chain', 'ca-int.pem', '-tls1_3', ...ECHO],
    expect: { ok: false, error: 'InvalidCertificate', reasons: ['NotValidForName'] },
  },
];

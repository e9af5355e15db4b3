/**
 * External PSK configuration (RFC 8446 §4.2.11, RFC 9257): validated once, bound to the first
 * enabled TLS 1.3 suite of its hash. The handshake itself is proved against openssl s_server
 * -psk and gnutls-serv --pskpasswd in the conformance matrix (section "external psk").
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { CipherSuite } from '../../src/wire/enums.ts';
import { createClientConfig } from '../../src/client/config.ts';

const key = new Uint8Array(32).fill(7);

describe('externalPsk in the config', () => {
  it('binds a SHA-256 PSK to the first enabled SHA-256 suite, and a SHA-384 one to AES-256-GCM', () => {
    const c = createClientConfig({ verifyCertificates: false, externalPsk: { identity: 'dev-1', key } });
    expect(c.externalPsk?.suite).toBe(CipherSuite.TLS_CHACHA20_POLY1305_SHA256);
    expect(new TextDecoder().decode(c.externalPsk?.identity)).toBe('dev-1');
    const c384 = createClientConfig({ verifyCertificates: false, externalPsk: { identity: 'dev-1', key, hash: 'sha384' } });
    expect(c384.externalPsk?.suite).toBe(CipherSuite.TLS_AES_256_GCM_SHA384);
  });

  it('copies the key: later changes to the caller’s array do not reach the config', () => {
    const mine = key.slice();
    const c = createClientConfig({ verifyCertificates: false, externalPsk: { identity: 'dev-1', key: mine } });
    mine.fill(0);
    expect(c.externalPsk?.key).toEqual(key);
  });

  it('refuses an empty identity or key, and a hash no enabled suite uses', () => {
    expect(() => createClientConfig({ verifyCertificates: false, externalPsk: { identity: '', key } })).toThrow(UsageError);
    expect(() => createClientConfig({ verifyCertificates: false, externalPsk: { identity: 'x', key: new Uint8Array(0) } })).toThrow(UsageError);
    expect(() =>
      createClientConfig({ verifyCertificates: false, cipherSuites: [CipherSuite.TLS_AES_128_GCM_SHA256], externalPsk: { identity: 'x', key, hash: 'sha384' } }),
    ).toThrow(UsageError);
  });
});

/**
 * The external-PSK rows against s_server -psk … -nocert (RFC 8446 §4.2.11, RFC 9257).
 * Part of the s_server rows (./index.ts); the row builder is ./spec.ts.
 *
 * @module
 */
import { NOT_AVAILABLE } from '../../types.ts';
import { ok13 } from '../common.ts';
import type { ConformanceCase } from '../schema.ts';
import { opensslCase, type OpensslCaseSpec } from './spec.ts';

const cases: ConformanceCase[] = [];
const openssl = (spec: OpensslCaseSpec): void => {
  cases.push(opensslCase(spec));
};

// ======================= external PSKs (RFC 8446 §4.2.11, RFC 9257): s_server -psk … -nocert =======================
const PSK_HEX = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const PSK_IDENTITY = 'puretls-device-1';
const PSK_SERVER = ['-nocert', '-psk', PSK_HEX, '-psk_identity', PSK_IDENTITY];
openssl({
  id: 's13-extpsk-psk_dhe_ke',
  section: 'openssl external psk',
  description: 's_server -nocert -psk, TLS 1.3: the client offers the external PSK with psk_dhe_ke (default); no certificate, ECDHE on X25519',
  flags: [...PSK_SERVER, '-msg'],
  client: { externalPsk: { identity: PSK_IDENTITY, keyHex: PSK_HEX } },
  expect: ok13({ sigScheme: NOT_AVAILABLE }),
  serverOutput: [
    { name: 'server sent no Certificate', pattern: '^>>> TLS 1\\.3, Handshake \\[length [0-9a-f]+\\], Certificate$', count: 0 },
    { name: 'ServerHello carried key_share (psk_dhe_ke)', pattern: '^>>> TLS 1\\.3, Handshake \\[length [0-9a-f]+\\], ServerHello$', count: 1 },
  ],
});
openssl({
  id: 's13-extpsk-psk_ke',
  section: 'openssl external psk',
  description: 's_server -nocert -psk -allow_no_dhe_kex, TLS 1.3: the client offers only psk_ke; no key exchange at all',
  flags: [...PSK_SERVER, '-allow_no_dhe_kex'],
  client: { externalPsk: { identity: PSK_IDENTITY, keyHex: PSK_HEX }, pskModes: ['psk_ke'] },
  expect: ok13({ sigScheme: NOT_AVAILABLE, group: NOT_AVAILABLE }),
});
openssl({
  id: 's13-extpsk-wrong-key',
  section: 'openssl external psk',
  // RFC 8446 §6.2 names decrypt_error for a binder that does not validate; OpenSSL 3.0 sends
  // illegal_parameter (47) for it (SSL_R_BINDER_DOES_NOT_VERIFY), which is what the client must surface.
  description: 's_server -nocert -psk, client with the right identity and another key: the binder fails, s_server answers illegal_parameter (47)',
  flags: PSK_SERVER,
  client: { externalPsk: { identity: PSK_IDENTITY, keyHex: PSK_HEX.replace(/^01/, 'ff') } },
  expect: { ok: false, alertReceived: 47 },
});

export const OPENSSL_PSK_CASES: readonly ConformanceCase[] = cases;

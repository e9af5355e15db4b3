/** `puretls s_client` flag parsing and the failure line. */
import { describe, expect, it } from 'vitest';
import { AlertReceived, InvalidCertificate, UnexpectedEof } from '@puretls/tls-core';
import { connectOptionsFor, failureLine, parseSClientArgs } from '../src/cli.ts';
import { toConfigOptions } from '../src/connect.ts';

describe('s_client flags', () => {
  it('parses the OpenSSL flags it supports', () => {
    const a = parseSClientArgs(['-connect', '127.0.0.1:4433', '-servername', 'test.local', '-alpn', 'h2,http/1.1', '-tls1_3', '-groups', 'X25519:P-256', '-brief', '-ign_eof']);
    expect(a).toMatchObject({ host: '127.0.0.1', port: 4433, servername: 'test.local', alpn: ['h2', 'http/1.1'], minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', groups: 'X25519:P-256', brief: true, ignEof: true });
    expect(parseSClientArgs(['-connect', '[::1]:443'])).toMatchObject({ host: '::1', port: 443 });
  });

  it('makes -quiet imply -ign_eof, as OpenSSL does', () => {
    expect(parseSClientArgs(['-quiet']).ignEof).toBe(true);
  });

  it('refuses unknown flags, missing values and bad ports', () => {
    expect(() => parseSClientArgs(['-frobnicate'])).toThrow(/unknown option/);
    expect(() => parseSClientArgs(['-CAfile'])).toThrow(/needs a value/);
    expect(() => parseSClientArgs(['-connect', 'host:99999'])).toThrow(/bad port/);
  });

  it('keeps the session flags parsed for later', () => {
    expect(parseSClientArgs(['-sess_out', 's.bin', '-reconnect'])).toMatchObject({ sessOut: 's.bin', reconnect: true });
  });
});

describe('-record_size_limit (puretls)', () => {
  it('passes the value through connect options to the tls-core config', () => {
    const o = connectOptionsFor(parseSClientArgs(['-record_size_limit', '512']));
    expect(o.recordSizeLimit).toBe(512);
    expect(toConfigOptions(o).recordSizeLimit).toBe(512);
    expect(toConfigOptions(connectOptionsFor(parseSClientArgs([]))).recordSizeLimit).toBeUndefined();
    expect(() => parseSClientArgs(['-record_size_limit', 'big'])).toThrow(/non-negative integer/);
  });
});

describe('client certificate flags', () => {
  it('parses -cert and -key; -key alone is refused when the options are built', () => {
    expect(parseSClientArgs(['-cert', 'c.pem', '-key', 'k.pem'])).toMatchObject({ certFile: 'c.pem', keyFile: 'k.pem' });
    expect(() => connectOptionsFor(parseSClientArgs(['-key', 'k.pem']))).toThrow(/-key needs -cert/);
  });

  it('parses -psk (hex) and -psk_identity (default Client_identity, as OpenSSL) into an external PSK', () => {
    const o = connectOptionsFor(parseSClientArgs(['-psk', '0a0b', '-psk_identity', 'dev-1']));
    expect(o.externalPsk).toEqual({ identity: 'dev-1', key: new Uint8Array([10, 11]) });
    expect(connectOptionsFor(parseSClientArgs(['-psk', '0a0b'])).externalPsk?.identity).toBe('Client_identity');
    expect(() => parseSClientArgs(['-psk', 'abc'])).toThrow(/hex/);
  });
});

describe('failure line', () => {
  it('names a received alert', () => {
    expect(failureLine(new AlertReceived(40), true)).toBe('puretls: handshake failed: received fatal alert handshake_failure (40)');
  });
  it('names the certificate error and the alert sent', () => {
    expect(failureLine(new InvalidCertificate('UnknownIssuer'), true)).toBe(
      'verify error:num=20:unable to get local issuer certificate\npuretls: handshake failed: certificate verify failed: unable to get local issuer certificate (UnknownIssuer) (sent alert unknown_ca (48))',
    );
  });
  it('reports truncation after the handshake', () => {
    expect(failureLine(new UnexpectedEof(), false)).toMatch(/^puretls: connection error: peer closed the connection without sending close_notify/);
  });
});

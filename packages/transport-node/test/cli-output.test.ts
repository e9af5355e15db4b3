/**
 * `puretls s_client` flags added for issue 13 and the OpenSSL-shaped output pieces
 * (cli/output.ts): parsing and refusals, `-help`, `-msg` / `-trace` / `-state` lines,
 * the `SSL-Session:` block, the OCSP status, certificate dates as `openssl x509` prints them,
 * Certificate-message parsing, `-CApath`, and the failure lines (refused connect, non-TLS peer,
 * self-signed). End-to-end runs against s_server are conformance rows (conformance/src/cli-cases.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidCertificate, decodePemCertificates, parseCertificate, type MessageEvent } from '@puretls/tls-core';
import { ResumptionPsk, SHA256, Tls12MasterSecret } from '@puretls/tls-core/internal';
import { connectOptionsFor, failureLine, main, nonTlsPreview, opensslTime, parseSClientArgs, readCaPath } from '../src/cli.ts';
import { certificateList } from '../src/peer-certificate.ts';
import { certificatePem, hexLines, msgLines, ocspLines, ocspResponseStatus, sessionBlock, stateLine, traceLines } from '../src/cli/output.ts';
import { freePort, makePki, opensslAvailable, type TestPki } from './helpers/servers.ts';

describe('s_client flags (issue 13)', () => {
  it('parses the new flags', () => {
    const a = parseSClientArgs(['-verify', '2', '-verify_hostname', 'test.local', '-CApath', '/etc/ssl/certs', '-msg', '-trace', '-state', '-status', '-no_ticket', '-timeout', '5', '-starttls', 'smtp', '-xmpphost', 'x.example', '-showcerts']);
    expect(a).toMatchObject({ verifyDepth: 2, verifyHostname: 'test.local', caPath: '/etc/ssl/certs', msg: true, trace: true, state: true, status: true, noTicket: true, timeoutSeconds: 5, starttls: 'smtp', xmppHost: 'x.example', showCerts: true });
    for (const proto of ['smtp', 'imap', 'pop3', 'ftp', 'xmpp']) expect(parseSClientArgs(['-starttls', proto]).starttls).toBe(proto);
  });

  it('has a handshake deadline by default; -timeout 0 turns it off (connect()\'s own deadline is off: the CLI keeps one)', () => {
    expect(parseSClientArgs([]).timeoutSeconds).toBe(30);
    expect(parseSClientArgs(['-timeout', '0']).timeoutSeconds).toBe(0);
    expect(connectOptionsFor(parseSClientArgs(['-timeout', '0'])).handshakeTimeout).toBe(0);
  });

  it('refuses bad values', () => {
    expect(() => parseSClientArgs(['-starttls', 'ldap'])).toThrow(/-starttls wants one of smtp, imap, pop3, ftp, xmpp/);
    expect(() => parseSClientArgs(['-verify', '-1'])).toThrow(/-verify wants a non-negative integer/);
    expect(() => parseSClientArgs(['-timeout', '2s'])).toThrow(/-timeout wants a non-negative integer/);
    expect(() => parseSClientArgs(['-verify_hostname'])).toThrow(/needs a value/);
  });

  it('-help prints every flag and exits 0', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (b: Buffer) => (text += b.toString()));
    const code = await main(['s_client', '-help'], { stdin: new PassThrough(), stdout: out, stderr: new PassThrough() });
    expect(code).toBe(0);
    for (const flag of ['-connect', '-showcerts', '-verify_hostname', '-verify ', '-CApath', '-msg', '-trace', '-state', '-status', '-no_ticket', '-timeout', '-starttls', '-brief', '-sess_out', '-reconnect']) expect(text).toContain(`  ${flag}`);
  });

  it('an unknown flag points to -help', () => {
    expect(() => parseSClientArgs(['-nope'])).toThrow(/unknown option -nope \(puretls s_client -help/);
  });
});

describe('-msg / -trace / -state lines', () => {
  const clientHello: MessageEvent = { type: 'message', direction: 'sent', contentType: 22, version: undefined, body: new Uint8Array([1, 0, 0, 0x2d, ...new Array<number>(0x2d).fill(0xab)]) };
  it('-msg: OpenSSL\'s header line and a 16-byte hex dump', () => {
    const lines = msgLines(clientHello, 'TLSv1.3');
    expect(lines[0]).toBe('>>> TLS 1.3, Handshake [length 0031], ClientHello');
    expect(lines).toHaveLength(1 + 4);
    expect(lines[1]).toBe('    01 00 00 2d ab ab ab ab ab ab ab ab ab ab ab ab');
    expect(msgLines({ ...clientHello, direction: 'received', contentType: 21, version: 'TLSv1.2', body: new Uint8Array([2, 48]) }, 'TLSv1.3')[0]).toBe('<<< TLS 1.2, Alert [length 0002], fatal unknown_ca');
    expect(msgLines({ ...clientHello, contentType: 20, body: new Uint8Array([1]) }, 'TLSv1.2')).toEqual(['>>> TLS 1.2, ChangeCipherSpec [length 0001]', '    01']);
  });

  it('-trace: record header and message name with the body length', () => {
    expect(traceLines(clientHello, 'TLSv1.3')).toEqual(['Sent Record', '  Content Type = Handshake (22)', '  Length = 49', '    ClientHello, Length=45']);
  });

  it('-state: SSL_connect lines as OpenSSL names the states', () => {
    expect(stateLine(clientHello)).toBe('SSL_connect:SSLv3/TLS write client hello');
    const rx = (type: number): string | undefined => stateLine({ ...clientHello, direction: 'received', body: new Uint8Array([type, 0, 0, 0]) });
    expect([2, 8, 11, 15, 20, 4, 12, 14].map(rx)).toEqual([
      'SSL_connect:SSLv3/TLS read server hello',
      'SSL_connect:TLSv1.3 read encrypted extensions',
      'SSL_connect:SSLv3/TLS read server certificate',
      'SSL_connect:TLSv1.3 read server certificate verify',
      'SSL_connect:SSLv3/TLS read finished',
      'SSL_connect:SSLv3/TLS read server session ticket',
      'SSL_connect:SSLv3/TLS read server key exchange',
      'SSL_connect:SSLv3/TLS read server done',
    ]);
    expect(stateLine({ ...clientHello, contentType: 21, body: new Uint8Array([1, 0]) })).toBe('SSL3 alert write:warning:close notify');
  });

  it('hex dump of an empty body is empty', () => {
    expect(hexLines(new Uint8Array(0))).toEqual([]);
  });
});

describe('SSL-Session block', () => {
  it('TLS 1.3: Resumption PSK, ticket dump, lifetime and max early data', () => {
    const lines = sessionBlock(
      { version: 'TLSv1.3', suite: 0x1301, psk: ResumptionPsk.fromBytes(new Uint8Array([0xde, 0xad])), ticket: new Uint8Array([0x41, 0x42, 0, 0xff, 0x20, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]), lifetimeSeconds: 7200, ageAdd: 1, receivedAtMs: 1_796_401_255_123, maxEarlyData: 0, alpn: undefined, serverName: 'localhost', peerCertificates: [] },
      '0 (ok)',
    );
    expect(lines).toEqual([
      'SSL-Session:',
      '    Protocol  : TLSv1.3',
      '    Cipher    : TLS_AES_128_GCM_SHA256',
      '    Session-ID: ',
      '    Session-ID-ctx: ',
      '    Resumption PSK: DEAD',
      '    PSK identity: None',
      '    PSK identity hint: None',
      '    SRP username: None',
      '    TLS session ticket lifetime hint: 7200 (seconds)',
      '    TLS session ticket:',
      '    0000 - 41 42 00 ff 20 05 06 07-08 09 0a 0b 0c 0d 0e 0f   AB.. ...........',
      '    0010 - 10                                                .',
      '',
      '    Start Time: 1796401255',
      '    Timeout   : 7200 (sec)',
      '    Verify return code: 0 (ok)',
      '    Extended master secret: no',
      '    Max Early Data: 0',
    ]);
  });

  it('TLS 1.2: Session-ID, Master-Key and the EMS flag', () => {
    const lines = sessionBlock(
      { version: 'TLSv1.2', suite: 0xc02b, masterSecret: Tls12MasterSecret.fromBytes(SHA256, new Uint8Array([1, 2])), sessionId: new Uint8Array([0xab]), ticket: undefined, lifetimeSeconds: 300, receivedAtMs: 0, extendedMasterSecret: true, alpn: undefined, serverName: undefined, peerCertificates: [] },
      '0 (ok)',
    );
    expect(lines).toContain('    Cipher    : ECDHE-ECDSA-AES128-GCM-SHA256');
    expect(lines).toContain('    Session-ID: AB');
    expect(lines).toContain('    Master-Key: 0102');
    expect(lines).toContain('    Extended master secret: yes');
    expect(lines.some((l) => l.includes('ticket'))).toBe(false);
  });
});

describe('-status', () => {
  it('no staple: OpenSSL\'s "no response sent"', () => {
    expect(ocspLines(undefined)).toEqual(['OCSP response: no response sent']);
  });
  it('reads responseStatus of an OCSPResponse (RFC 6960 §4.2.1)', () => {
    expect(ocspResponseStatus(new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x06]))).toBe(6);
    expect(ocspLines(new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x06]))[3]).toBe('    OCSP Response Status: unauthorized (0x6)');
    expect(ocspResponseStatus(new Uint8Array([0x04, 0x00]))).toBeUndefined();
  });
});

describe.skipIf(!opensslAvailable())('against the openssl CLI', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makePki();
  });
  afterAll(() => pki.cleanup());

  it('certificate dates as openssl x509 prints them', () => {
    const out = execFileSync('openssl', ['x509', '-in', pki.rsa.certFile, '-noout', '-startdate', '-enddate'], { encoding: 'utf8' });
    const cert = decodePemCertificates(pki.rsa.cert)[0]!;
    const lines = out.trim().split('\n');
    const x509 = { notBefore: lines[0]!.replace('notBefore=', ''), notAfter: lines[1]!.replace('notAfter=', '') };
    const parsed = parseCertificate(cert);
    expect(opensslTime(parsed.notBefore)).toBe(x509.notBefore);
    expect(opensslTime(parsed.notAfter)).toBe(x509.notAfter);
  });

  it('certificatePem round-trips to the PEM openssl wrote', () => {
    const der = decodePemCertificates(pki.ecdsa.cert)[0]!;
    expect(`${certificatePem(der)}\n`).toBe(pki.ecdsa.cert);
  });

  it('-CApath reads every certificate file of a directory and skips the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'puretls-capath-'));
    try {
      writeFileSync(join(dir, 'a.pem'), pki.caPem);
      writeFileSync(join(dir, 'b.0'), pki.rsa.cert);
      writeFileSync(join(dir, 'notes.txt'), 'not a certificate');
      mkdirSync(join(dir, 'sub'));
      expect(readCaPath(dir)).toEqual([pki.caPem, pki.rsa.cert]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('certificateList reads TLS 1.3 and TLS 1.2 Certificate messages', () => {
    const a = decodePemCertificates(pki.rsa.cert)[0]!;
    const b = decodePemCertificates(pki.caPem)[0]!;
    const u24 = (n: number): number[] => [(n >> 16) & 255, (n >> 8) & 255, n & 255];
    const list12 = [...u24(a.length), ...a, ...u24(b.length), ...b];
    const body12 = new Uint8Array([11, ...u24(3 + list12.length), ...u24(list12.length), ...list12]);
    expect(certificateList(body12, 'TLSv1.2')).toEqual([a, b]);
    const list13 = [...u24(a.length), ...a, 0, 0, ...u24(b.length), ...b, 0, 0];
    const body13 = new Uint8Array([11, ...u24(1 + 3 + list13.length), 0, ...u24(list13.length), ...list13]);
    expect(certificateList(body13, 'TLSv1.3')).toEqual([a, b]);
    expect(certificateList(body13.subarray(0, 40), 'TLSv1.3')).toEqual([]);
  });

  it('a self-signed leaf is named as OpenSSL names it', () => {
    const self = decodePemCertificates(pki.selfSigned.cert)[0]!;
    expect(failureLine(new InvalidCertificate('UnknownIssuer'), true, { certificates: [self], firstBytes: undefined, tcpConnected: true })).toMatch(/^verify error:num=18:self-signed certificate\npuretls: handshake failed: certificate verify failed: self-signed certificate \(UnknownIssuer\)/);
    expect(failureLine(new InvalidCertificate('NotValidForName'), true)).toMatch(/^verify error:num=62:hostname mismatch/);
  });
});

describe('failure lines', () => {
  it('a refused TCP connect says so, with errno 111 as openssl prints it', async () => {
    const port = await freePort();
    const err = await new Promise<Error>((resolve) => netConnect({ host: '127.0.0.1', port }).on('error', resolve));
    expect(failureLine(err, true, { certificates: [], firstBytes: undefined, tcpConnected: false })).toBe(`puretls: connect: Connection refused (ECONNREFUSED 127.0.0.1:${port})\nconnect:errno=111`);
  });

  it('a peer that answers in plaintext gets a hint', () => {
    expect(nonTlsPreview(new TextEncoder().encode('HTTP/1.0'))).toBe('HTTP/1.0');
    expect(nonTlsPreview(new Uint8Array([22, 3, 3, 0, 5]))).toBeUndefined();
    expect(nonTlsPreview(new Uint8Array([21, 3, 1]))).toBeUndefined();
    const line = failureLine(new Error('tls: unexpected record content type: got 72'), true, { certificates: [], firstBytes: new TextEncoder().encode('HTTP/1.1'), tcpConnected: true });
    expect(line).toMatch(/^puretls: handshake failed: wrong version number: the record layer is not TLS .*"HTTP\/1\.1"/);
    expect(line).toMatch(/\nhint: the peer does not speak TLS on this port/);
  });
});

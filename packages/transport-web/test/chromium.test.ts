/**
 * The conformance core inside headless Chromium (Debian's `chromium`, driven by playwright-core):
 * a page served from 127.0.0.1 runs `connect()` over `webSocketStreams(new WebSocket(...))`
 * to the relay (conformance/src/ws-relay.ts), which carries the bytes to `openssl s_server`.
 * Checked against the server: key logs equal to s_server's `-keylogfile`, the certificates it
 * sends, what its -rev mode answers. Skipped, saying why, only when there is no Chromium.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NamedGroup } from '@puretls/tls-core';
import { startWsRelay } from '../../../conformance/src/ws-relay.ts';
import type { PageResult, PageSpec } from './browser/page.ts';
import { createPki, keylogCheck, startOpensslServer, type Pki } from './helpers/peers.ts';

const CHROMIUM = process.env.PURETLS_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`chromium.test.ts skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set PURETLS_CHROMIUM)`);

let pki: Pki;
let browser: Browser;
let page: Page;
let http: Server;
let origin: string;

beforeAll(async () => {
  if (!haveChromium) return;
  pki = await createPki();
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./browser/page.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.contents;
  http = createServer((req, res) => {
    if (req.url === '/bundle.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><title>puretls</title><script src="/bundle.js"></script>');
    else res.writeHead(404).end();
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
  page = await browser.newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => 'puretlsRun' in globalThis);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (http !== undefined) await new Promise<void>((r) => http.close(() => r()));
  await pki?.dispose();
});

const EC = ['-cert', 'leaf-ecdsa-p256.pem', '-key', 'leaf-ecdsa-p256.key', '-cert_chain', 'ca-int.pem'];
const RSA = ['-cert', 'leaf-rsa2048.pem', '-key', 'leaf-rsa2048.key', '-cert_chain', 'ca-int.pem'];
const derHex = (file: string): string => Buffer.from(new X509Certificate(readFileSync(pki.path(file))).raw).toString('hex');
const reversed = (line: string): string => `${[...line.trimEnd()].reverse().join('')}\n`;

interface Run {
  results: PageResult[];
  serverKeylog: readonly string[];
  serverOutput: string;
}

/** Start s_server and a relay to it, run `specs` in the page one after another, stop both. */
async function inBrowser(serverArgs: string[], specs: Array<Omit<PageSpec, 'relayUrl' | 'port' | 'ca'> & { ca?: string; sessionFrom?: number; inWorker?: boolean }>): Promise<Run> {
  const mode = serverArgs.includes('-WWW') ? [] : ['-rev'];
  const server = await startOpensslServer({ args: [...serverArgs, ...mode], cwd: pki.dir, keylog: true, naccept: specs.length, exitGraceMs: 2000 });
  const relay = await startWsRelay({ target: { host: '127.0.0.1', port: server.port }, allowedOrigins: [origin] });
  const results: PageResult[] = [];
  try {
    for (const { sessionFrom, inWorker, ...spec } of specs) {
      const session = sessionFrom === undefined ? undefined : results[sessionFrom]?.session;
      const full: PageSpec = { ca: pki.caRootPem, ...spec, relayUrl: relay.url, port: server.port, ...(session === undefined ? {} : { session }) };
      results.push(
        await page.evaluate(
          ({ s, worker }) => {
            const g = globalThis as unknown as { puretlsRun: (s: PageSpec) => Promise<PageResult>; puretlsRunInWorker: (s: PageSpec) => Promise<PageResult> };
            return worker ? g.puretlsRunInWorker(s) : g.puretlsRun(s);
          },
          { s: full, worker: inWorker === true },
        ),
      );
    }
  } finally {
    // The page has its result as soon as the error surfaces; the alert it sends (the refused
    // certificate rows check it reached s_server) may still be on its way through the relay.
    await relay.close(2000);
  }
  const log = await server.stop();
  return { results, serverKeylog: log.keylog, serverOutput: log.output };
}

function expectEcho(r: PageResult, line: string): void {
  expect(r.errorMessage).toBeUndefined();
  expect(r.ok).toBe(true);
  expect(r.reply).toBe(reversed(line));
  expect(r.cleanEnd).toBe(true);
  expect(r.closedError).toBeUndefined();
}

// Generous per-test time: each row starts s_server and a relay and runs in a browser, and CI runs
// the whole suite in parallel on two cores.
describe.skipIf(!haveChromium)('headless Chromium: transport-web over a WebSocket relay to openssl s_server', { timeout: 90_000 }, () => {
  it('TLS 1.3 X25519 ChaCha20, ECDSA chain verified for localhost, ALPN; key log = server key log', async () => {
    const run = await inBrowser([...EC, '-tls1_3', '-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256', '-alpn', 'http/1.1'], [{ host: 'localhost', line: 'hello chromium\n', alpnProtocols: ['h2', 'http/1.1'] }]);
    const r = run.results[0]!;
    expectEcho(r, 'hello chromium\n');
    expect(r).toMatchObject({ protocol: 'TLSv1.3', cipher: 'TLS_CHACHA20_POLY1305_SHA256', group: 'x25519', helloRetryRequest: false, alpn: 'http/1.1' });
    expect(r.peerCertificates).toEqual([derHex('leaf-ecdsa-p256.pem'), derHex('ca-int.pem')]);
    expect(keylogCheck(r.keylog, run.serverKeylog).status).toBe('pass');
  });

  it('TLS 1.3 P-256 key share with AES-128-GCM, and a HelloRetryRequest to P-256 with AES-256-GCM', async () => {
    const p256 = await inBrowser([...EC, '-tls1_3', '-ciphersuites', 'TLS_AES_128_GCM_SHA256'], [{ host: 'localhost', line: 'p256\n', groups: [NamedGroup.secp256r1] }]);
    expectEcho(p256.results[0]!, 'p256\n');
    expect(p256.results[0]).toMatchObject({ cipher: 'TLS_AES_128_GCM_SHA256', group: 'secp256r1', helloRetryRequest: false });
    expect(keylogCheck(p256.results[0]!.keylog, p256.serverKeylog).status).toBe('pass');

    const hrr = await inBrowser([...EC, '-tls1_3', '-ciphersuites', 'TLS_AES_256_GCM_SHA384', '-groups', 'P-256', '-msg'], [{ host: 'localhost', line: 'retry\n' }]);
    expectEcho(hrr.results[0]!, 'retry\n');
    expect(hrr.results[0]).toMatchObject({ cipher: 'TLS_AES_256_GCM_SHA384', group: 'secp256r1', helloRetryRequest: true });
    // Two ServerHellos on the server side: the first is the HelloRetryRequest.
    expect(hrr.serverOutput.match(/^>>> TLS 1\.3, Handshake \[length [0-9a-f]+\], ServerHello$/gm)?.length).toBe(2);
    expect(keylogCheck(hrr.results[0]!.keylog, hrr.serverKeylog).status).toBe('pass');
  });

  it('TLS 1.2 ECDHE-ECDSA AES-128-GCM and ECDHE-RSA ChaCha20 (RSA chain); key logs = server key logs', async () => {
    const ecdsa = await inBrowser([...EC, '-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256'], [{ host: 'localhost', line: 'ecdsa12\n' }]);
    expectEcho(ecdsa.results[0]!, 'ecdsa12\n');
    expect(ecdsa.results[0]).toMatchObject({ protocol: 'TLSv1.2', cipher: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256' });
    expect(keylogCheck(ecdsa.results[0]!.keylog, ecdsa.serverKeylog).status).toBe('pass');

    const rsa = await inBrowser([...RSA, '-tls1_2', '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305'], [{ host: '127.0.0.1', line: 'rsa12\n' }]);
    expectEcho(rsa.results[0]!, 'rsa12\n');
    expect(rsa.results[0]).toMatchObject({ protocol: 'TLSv1.2', cipher: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256' });
    expect(rsa.results[0]!.peerCertificates).toEqual([derHex('leaf-rsa2048.pem'), derHex('ca-int.pem')]);
    expect(keylogCheck(rsa.results[0]!.keylog, rsa.serverKeylog).status).toBe('pass');
  });

  it('inside a dedicated Web Worker: TLS 1.3 handshake, data, close, and a resumption with the page\'s session', async () => {
    const run = await inBrowser([...EC, '-tls1_3'], [
      { host: 'localhost', line: 'from the page\n' },
      { host: 'localhost', line: 'from a worker\n', sessionFrom: 0, inWorker: true },
    ]);
    expectEcho(run.results[0]!, 'from the page\n');
    const w = run.results[1]!;
    expectEcho(w, 'from a worker\n');
    expect(run.results[0]!.where).toBe('page');
    expect(w).toMatchObject({ where: 'worker', protocol: 'TLSv1.3', sessionReused: true });
    const random = w.keylog[0]!.split(' ')[1];
    expect(keylogCheck(w.keylog, run.serverKeylog.filter((l) => l.split(' ')[1] === random)).status).toBe('pass');
  });

  it('a 1.33 MB download (s_server -WWW, full 16 KB records through the relay), every byte hashed in the page', async () => {
    const run = await inBrowser([...EC, '-tls1_3', '-WWW'], [{ host: 'localhost', line: '', download: `GET /${pki.bigFile.name} HTTP/1.0\r\n\r\n` }]);
    const r = run.results[0]!;
    expect(r.errorMessage).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.bodyLength).toBe(pki.bigFile.bytes);
    expect(r.bodySha256).toBe(pki.bigFile.sha256);
    expect(keylogCheck(r.keylog, run.serverKeylog).status).toBe('pass');
  });

  it('an untrusted root and a wrong host name are refused with typed InvalidCertificate errors', async () => {
    const evil = await inBrowser(['-cert', 'bad-untrusted.pem', '-key', 'bad-untrusted.key', '-cert_chain', 'evil-root.pem', '-tls1_3'], [{ host: 'localhost', line: 'x\n' }]);
    expect(evil.results[0]).toMatchObject({ ok: false, errorName: 'InvalidCertificate', errorReason: 'UnknownIssuer', errorIsTlsError: true });
    // The alert RFC 8446 §6.2 names reached the server through the WebSocket: unknown_ca (48), bad_certificate (42).
    expect(evil.serverOutput).toMatch(/SSL alert number 48\b/);
    const wrong = await inBrowser([...EC, '-tls1_3'], [{ host: 'wrong.example', line: 'x\n' }]);
    expect(wrong.results[0]).toMatchObject({ ok: false, errorName: 'InvalidCertificate', errorReason: 'NotValidForName', errorIsTlsError: true });
    expect(wrong.serverOutput).toMatch(/SSL alert number 42\b/);
  });

  it('resumption with a serialized session, TLS 1.3 (ticket) and TLS 1.2; resumed key logs = server key log', async () => {
    for (const version of ['-tls1_3', '-tls1_2']) {
      const run = await inBrowser([...EC, version], [
        { host: 'localhost', line: 'first\n' },
        { host: 'localhost', line: 'second\n', sessionFrom: 0 },
      ]);
      const [first, second] = run.results;
      expectEcho(first!, 'first\n');
      expect(first!.session).toBeDefined();
      expectEcho(second!, 'second\n');
      expect(second!.sessionReused).toBe(true);
      const random = second!.keylog[0]!.split(' ')[1];
      const serverLines = run.serverKeylog.filter((l) => l.split(' ')[1] === random);
      expect(keylogCheck(second!.keylog, serverLines).status).toBe('pass');
      expect(run.serverOutput).toMatch(/1 session cache hits|Reused session-id/);
    }
  });
});

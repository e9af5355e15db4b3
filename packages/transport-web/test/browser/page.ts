/**
 * The code chromium.test.ts runs inside headless Chromium (bundled with esbuild): one TLS
 * connection through the browser's own WebSocket to the relay, with `connect()` and
 * `webSocketStreams()` exactly as an application would use them, the browser's
 * `crypto.getRandomValues` as the only randomness. Returns plain data for the test to check.
 */
import { TlsError } from '@puretls/tls-core';
import { connect, webSocketStreams } from '../../src/index.ts';

export interface PageSpec {
  readonly relayUrl: string;
  readonly host: string;
  readonly port: number;
  readonly ca: string;
  readonly groups?: number[];
  readonly cipherSuites?: number[];
  readonly alpnProtocols?: string[];
  /** Base64 of a serialized session to offer. */
  readonly session?: string;
  /** A line to send; s_server -rev sends it back reversed. */
  readonly line: string;
  /** Instead: send this request (s_server -WWW) and read everything until the server's close_notify. */
  readonly download?: string;
}

export interface PageResult {
  readonly ok: boolean;
  /** Where it ran: a page has a document, a dedicated worker has WorkerGlobalScope. */
  readonly where: 'page' | 'worker';
  readonly protocol?: string;
  readonly cipher?: string;
  readonly group?: string | undefined;
  readonly alpn?: string | undefined;
  readonly helloRetryRequest?: boolean;
  readonly sessionReused?: boolean;
  readonly peerCertificates?: string[];
  readonly reply?: string;
  /** For `download`: the body's length and SHA-256 (hex), after the HTTP header. */
  readonly bodyLength?: number;
  readonly bodySha256?: string;
  /** The readable ended cleanly (the server's close_notify) after our close_notify. */
  readonly cleanEnd?: boolean;
  readonly closedError?: string;
  readonly session?: string;
  readonly keylog: string[];
  readonly errorName?: string;
  readonly errorReason?: string;
  readonly errorIsTlsError?: boolean;
  readonly errorMessage?: string;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const toB64 = (b: Uint8Array): string => btoa(String.fromCharCode(...b));
const fromB64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

const where = (): 'page' | 'worker' => ('document' in globalThis ? 'page' : typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'function' ? 'worker' : 'page');

async function run(spec: PageSpec): Promise<PageResult> {
  const keylog: string[] = [];
  const ws = new WebSocket(spec.relayUrl);
  try {
    const tls = await connect(webSocketStreams(ws), {
      host: spec.host,
      port: spec.port,
      ca: spec.ca,
      ...(spec.groups === undefined ? {} : { groups: spec.groups }),
      ...(spec.cipherSuites === undefined ? {} : { cipherSuites: spec.cipherSuites }),
      ...(spec.alpnProtocols === undefined ? {} : { alpnProtocols: spec.alpnProtocols }),
      ...(spec.session === undefined ? {} : { session: fromB64(spec.session) }),
      onKeyLog: (line) => keylog.push(line),
    });
    const writer = tls.writable.getWriter();
    const reader = tls.readable.getReader();
    if (spec.download !== undefined) return { ok: true, where: where(), keylog, ...(await download(spec.download, writer, reader)) };
    await writer.write(new TextEncoder().encode(spec.line));
    let reply = '';
    const decoder = new TextDecoder();
    while (reply.length < spec.line.length) {
      const r = await reader.read();
      if (r.done) break;
      reply += decoder.decode(r.value, { stream: true });
    }
    // Our close_notify; s_server answers with its own and closes, which ends the readable.
    await writer.close();
    const end = await reader.read();
    const closedError = await tls.closed;
    const session = tls.session;
    const h = tls.handshake;
    return {
      ok: true,
      where: where(),
      protocol: h.protocol,
      cipher: h.cipher,
      group: h.group,
      alpn: h.alpn,
      helloRetryRequest: h.helloRetryRequest,
      sessionReused: h.sessionReused,
      peerCertificates: h.peerCertificates.map(hex),
      reply,
      cleanEnd: end.done,
      ...(closedError === undefined ? {} : { closedError: `${closedError.name}: ${closedError.message}` }),
      ...(session === undefined ? {} : { session: toB64(session) }),
      keylog,
    };
  } catch (e) {
    const err = e as Error & { reason?: string };
    return { ok: false, where: where(), keylog, errorName: err.name, errorReason: err.reason, errorIsTlsError: e instanceof TlsError, errorMessage: err.message };
  }
}

/** Send `request`, read to the end (the server's close_notify), hash the body. */
async function download(request: string, writer: WritableStreamDefaultWriter<Uint8Array>, reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Partial<PageResult>> {
  await writer.write(new TextEncoder().encode(request));
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    chunks.push(r.value);
    total += r.value.length;
  }
  const all = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.length;
  }
  let start = 0;
  while (start + 3 < all.length && !(all[start] === 13 && all[start + 1] === 10 && all[start + 2] === 13 && all[start + 3] === 10)) start++;
  const body = all.subarray(start + 4);
  await writer.close().catch(() => {});
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
  return { bodyLength: body.length, bodySha256: hex(digest) }; // reached only through a clean end: an error throws from read()
}

/** The same run inside a dedicated Web Worker started from this bundle (its own WebSocket, crypto and streams). */
function runInWorker(spec: PageSpec): Promise<PageResult> {
  const worker = new Worker('/bundle.js');
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<PageResult>) => {
      worker.terminate();
      resolve(e.data);
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(`worker: ${e.message}`));
    };
    worker.postMessage(spec);
  });
}

const scope = globalThis as unknown as { puretlsRun: typeof run; puretlsRunInWorker: typeof runInWorker; document?: unknown; onmessage: unknown; postMessage: (m: unknown) => void; inWorker: boolean };
scope.puretlsRun = run;
if (scope.document === undefined) {
  // Loaded as a Worker script: run what the page posts and post the result back.
  scope.inWorker = true;
  scope.onmessage = async (e: MessageEvent<PageSpec>) => scope.postMessage(await run(e.data));
} else {
  scope.inWorker = false;
  scope.puretlsRunInWorker = runInWorker;
}

/**
 * Browser example: an HTTPS GET through the WebSocket relay with @puretls/transport-web.
 * serve.js bundles this file, serves it with the trust anchors, and starts the relay; the page
 * reads the relay URL and the host name from its query string.
 */
import { connect, webSocketStreams } from '../../src/index.ts';

const out = document.getElementById('out')!;
const log = (line: string): void => {
  out.textContent += `${line}\n`;
};

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const relay = params.get('relay')!;
  const host = params.get('host')!;
  const path = params.get('path') ?? '/';
  const ca = await (await fetch('/roots.pem')).text();
  log(`connecting to ${host} through ${relay}`);
  const tls = await connect(webSocketStreams(new WebSocket(relay)), { host, ca, alpnProtocols: ['http/1.1'] });
  const h = tls.handshake;
  log(`${h.protocol} ${h.cipher} group=${h.group ?? '-'} alpn=${h.alpn ?? '-'} certificates=${h.peerCertificates.length}`);
  const writer = tls.writable.getWriter();
  await writer.write(new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
  const decoder = new TextDecoder();
  let text = '';
  try {
    for await (const chunk of tls.readable as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
  } catch (e) {
    // Many HTTPS servers close without close_notify after "Connection: close": reported, not hidden.
    log(`read ended with ${(e as Error).name}: ${(e as Error).message}`);
  }
  await writer.close().catch(() => {});
  log(text.slice(0, 2000));
  log('done');
}

main().catch((e: unknown) => log(`failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`));

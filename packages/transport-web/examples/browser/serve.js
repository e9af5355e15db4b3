// Browser example server (run `pnpm build` first): bundles app.ts with esbuild, serves it on
// 127.0.0.1 with the trust anchors, and starts the WebSocket relay to the one target.
//   node packages/transport-web/examples/browser/serve.js --target example.com:443
//   node packages/transport-web/examples/browser/serve.js --target 127.0.0.1:4433 --host localhost --ca ca.pem
// then open the printed URL in a browser.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { rootCertificates } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startWsRelay } from '../../../../conformance/dist/ws-relay.js';

const args = process.argv.slice(2);
const arg = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const target = arg('--target');
const match = target === undefined ? null : /^(.+):(\d+)$/.exec(target);
if (match === null) {
  console.error('usage: serve.js --target host:port [--host name] [--ca file.pem] [--path /] [--port 8000]');
  process.exit(2);
}
const [, targetHost, targetPort] = match;
const host = arg('--host') ?? targetHost;
const roots = arg('--ca') === undefined ? rootCertificates.join('\n') : readFileSync(arg('--ca'), 'utf8');
const here = (file) => fileURLToPath(new URL(file, import.meta.url));

const bundle = await build({ entryPoints: [here('./app.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', conditions: ['source'], write: false, minify: true });
const files = {
  '/': ['text/html', readFileSync(here('./index.html'))],
  '/app.js': ['text/javascript', bundle.outputFiles[0].contents],
  '/roots.pem': ['text/plain', roots],
};
const http = createServer((req, res) => {
  const file = files[new URL(req.url, 'http://x').pathname];
  if (file === undefined) res.writeHead(404).end();
  else res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
});
http.listen(Number(arg('--port') ?? 0), '127.0.0.1', async () => {
  const origin = `http://127.0.0.1:${http.address().port}`;
  const relay = await startWsRelay({ target: { host: targetHost, port: Number(targetPort) }, allowedOrigins: [origin] });
  const query = new URLSearchParams({ relay: relay.url, host, path: arg('--path') ?? '/' });
  console.log(`relay ${relay.url} -> ${targetHost}:${targetPort}; bundle ${bundle.outputFiles[0].contents.length} bytes`);
  console.log(`open ${origin}/?${query}`);
});

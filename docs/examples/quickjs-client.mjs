// puretls inside QuickJS (quickjs-emscripten): the host gives the bundle a byte pipe and
// randomness, nothing else. Usage (after `pnpm install`, which builds the bundle):
//   node docs/examples/quickjs-client.mjs HOST PORT SERVERNAME CA.pem
// e.g. against `openssl s_server -accept 127.0.0.1:4433 -cert c.pem -key k.pem -www`:
//   node docs/examples/quickjs-client.mjs 127.0.0.1 4433 localhost ca.pem
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';

const [host, port, servername, caFile] = process.argv.slice(2);
const require = createRequire(new URL('../../conformance/package.json', import.meta.url));
const { getQuickJS } = await import(require.resolve('quickjs-emscripten'));
const bundle = readFileSync(new URL('../../packages/bundle/dist/puretls.iife.min.js', import.meta.url), 'utf8');

const QuickJS = await getQuickJS();
const vm = QuickJS.newContext(); // a bare context: no TextEncoder, TextDecoder, crypto or console
const socket = connect(Number(port), host);

// Host function 1: randomness (hex in, as strings cross the boundary most simply).
const hostRandom = vm.newFunction('hostRandom', (n) => vm.newString(randomBytes(vm.getNumber(n)).toString('hex')));
vm.setProp(vm.global, 'hostRandom', hostRandom);
// Host function 2: bytes to the network.
const hostSend = vm.newFunction('hostSend', (hex) => void socket.write(Buffer.from(vm.getString(hex), 'hex')));
vm.setProp(vm.global, 'hostSend', hostSend);
// Host function 3: print.
const hostPrint = vm.newFunction('hostPrint', (s) => void console.log(vm.getString(s)));
vm.setProp(vm.global, 'hostPrint', hostPrint);
[hostRandom, hostSend, hostPrint].forEach((h) => h.dispose());

vm.unwrapResult(vm.evalCode(bundle, 'puretls.iife.min.js')).dispose(); // defines globalThis.puretls
vm.unwrapResult(
  vm.evalCode(`
  const P = globalThis.puretls;
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const unhex = (s) => Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16));
  const config = P.createClientConfig({
    trustStore: P.TrustStore.fromPem(${JSON.stringify(readFileSync(caFile, 'utf8'))}),
    randomBytes: (n) => unhex(hostRandom(n)),   // required: QuickJS has no crypto.getRandomValues
  });
  const conn = new P.ClientConnection(config, { host: ${JSON.stringify(servername)} });
  function flush() {
    for (let b; (b = conn.takeOutgoing()) !== undefined; ) hostSend(hex(b));
    for (const e of conn.takeEvents()) {
      if (e.type === 'handshakeDone') {
        const n = conn.negotiated;
        hostPrint('handshake done: ' + n.versionName + ' suite 0x' + n.suite.toString(16));
        conn.write(P.utf8('GET / HTTP/1.0\\r\\n\\r\\n'));
        for (let b; (b = conn.takeOutgoing()) !== undefined; ) hostSend(hex(b));
      }
    }
    for (let p; (p = conn.readPlaintext()) !== undefined; ) hostPrint(P.fromUtf8(p));
  }
  globalThis.onBytes = (h) => {
    try { conn.receive(unhex(h)); } catch (e) { hostPrint(e.name + ' ' + (e.reason ?? '') + ': ' + e.message); }
    flush();
  };
  globalThis.onEof = () => { try { conn.receiveEof(); } catch (e) { hostPrint(e.name + ': ' + e.message); } flush(); };
  globalThis.socket_ready = () => { conn.start(); flush(); };
`),
).dispose();

const call = (name, ...args) => {
  const fn = vm.getProp(vm.global, name);
  const handles = args.map((a) => vm.newString(a));
  vm.unwrapResult(vm.callFunction(fn, vm.undefined, ...handles)).dispose();
  handles.forEach((h) => h.dispose());
  fn.dispose();
};
socket.on('connect', () => call('socket_ready'));
socket.on('data', (d) => call('onBytes', d.toString('hex')));
socket.on('end', () => {
  call('onEof');
  socket.destroy();
  vm.dispose();
});

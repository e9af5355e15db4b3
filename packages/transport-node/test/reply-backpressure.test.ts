/**
 * Issue 10 defect 4, transport side: output the protocol generates itself in answer to what the
 * server sends (alerts, KeyUpdate replies) must respect socket backpressure. A server that floods
 * records each demanding a reply and never reads must not make the client queue unbounded output:
 * once the replies sit above the socket's write high-water mark, the pump stops feeding socket
 * input to the engine until 'drain'. Driven by a fake engine whose "ping" records each demand a
 * 32-byte reply (the shape of a HelloRequest answered by an alert), over real loopback TCP.
 */
import { once } from 'node:events';
import { connect as netConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TLSSocket } from '../src/tls-socket.ts';
import { Deframer, FakeEngine, RecordType, frame } from './helpers/fake-engine.ts';

const PING = 6;
const REPLY = Buffer.alloc(32, 0x15);

/** The fake engine plus "ping" records, each answered with REPLY (and counted). */
class PingEngine extends FakeEngine {
  replies = 0;
  readonly #deframer = new Deframer();
  #queued: Buffer[] = [];
  override receive(bytes: Uint8Array): void {
    this.bytesReceived += bytes.length;
    for (const record of this.#deframer.push(bytes)) {
      if (record.type === PING) {
        this.replies++;
        this.#queued.push(REPLY);
      } else {
        super.receive(frame(record.type, record.payload));
        this.bytesReceived -= 3 + record.payload.length; // counted once, above
      }
    }
  }
  override takeOutgoing(): Uint8Array | undefined {
    const own = super.takeOutgoing();
    if (own === undefined && this.#queued.length === 0) return undefined;
    const out = Buffer.concat([...(own === undefined ? [] : [Buffer.from(own)]), ...this.#queued]);
    this.#queued = [];
    return out;
  }
}

let server: Server | undefined;
const peers: Socket[] = [];
afterEach(() => {
  for (const p of peers.splice(0)) p.destroy();
  server?.close();
  server = undefined;
});

/** A server that completes the fake handshake, then floods pings and never reads. */
async function floodingServer(pings: number): Promise<number> {
  server = createServer((s) => {
    peers.push(s);
    s.on('error', () => {});
    s.pause(); // never reads: our replies can only pile up
    s.write(frame(RecordType.HelloDone));
    s.write(Buffer.concat(Array.from({ length: pings }, () => frame(PING))));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function settle(engine: FakeEngine): Promise<void> {
  // Until the pump has read nothing new for 300 ms.
  let last = -1;
  while (engine.bytesReceived !== last) {
    last = engine.bytesReceived;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** A client of a {@link floodingServer} sending `pings`, connected and settled. */
async function floodedClient(pings: number): Promise<{ raw: Socket; engine: PingEngine; tls: TLSSocket }> {
  const port = await floodingServer(pings);
  const raw = netConnect({ host: '127.0.0.1', port });
  const engine = new PingEngine();
  const tls = new TLSSocket(raw, engine);
  tls.on('error', () => {});
  await once(tls, 'secureConnect');
  await settle(engine);
  return { raw, engine, tls };
}

describe('pump: replies the protocol generates obey socket backpressure', () => {
  it('stops reading a server that floods reply-demanding records and never reads', async () => {
    const pings = 300_000; // 900 kB in, 9.6 MB of replies if all were answered
    const { raw, engine, tls } = await floodedClient(pings);
    // What sits in our process: bounded by the high-water mark plus the replies to one socket read
    // (measured: 699 072 bytes = one 64 KiB read of pings answered; 5.8 MB without the bound).
    expect(raw.writableLength).toBeLessThan(2 * 1024 * 1024);
    expect(engine.replies).toBeLessThan(pings);
    expect(engine.bytesReceived).toBeLessThan(3 * pings);
    tls.destroy();
  });

  it('reads on once the server drains the replies', async () => {
    const pings = 200_000;
    const { engine, tls } = await floodedClient(pings);
    expect(engine.replies).toBeLessThan(pings);
    peers[0]!.resume(); // the server reads now
    const deadline = Date.now() + 20_000;
    while (engine.replies < pings && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(engine.replies).toBe(pings);
    tls.destroy();
  });
});

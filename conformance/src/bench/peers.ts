/**
 * The other JavaScript TLS clients, measured in the same interleaved rounds as puretls and node:tls
 * on the rows they can run (issue 16): `subtls` 0.5 (TLS 1.3 only; P-256 key exchange, AES-128-GCM
 * and its X.509 on WebCrypto, not pure JS) and `@reclaimprotocol/tls` 0.1 with its pure-JS crypto
 * provider (`pureJsCrypto`: noble 1.x, micro-rsa-dsa-dh; its X.509 goes through @peculiar/x509,
 * which verifies chain signatures with WebCrypto).
 *
 * Each peer gets the same operation as the other clients: open a TCP connection to the local server,
 * complete the handshake with the chain verified against the row's root and the host name
 * `localhost`, send the client Finished, close. On first-contact rows the peer parses its trust
 * anchors again for every connection (neither peer remembers verifications, so that is all the
 * difference); on repeat rows it parses them once.
 *
 * @module
 */
import { connect as netConnect, type Socket } from 'node:net';

/** What a handshake row asks of a client. */
export interface PeerRow {
  readonly version: 'TLSv1.3' | 'TLSv1.2';
  /** Key types of leaf / intermediate / root, e.g. 'ECDSA-P256/P-384/RSA-3072'. */
  readonly chain: string;
  readonly resumed?: boolean;
}

export interface Peer {
  readonly name: string;
  /** Undefined when the peer can run the row; otherwise why not. */
  unsupported(row: PeerRow): string | undefined;
  /** One full handshake (see the module comment). */
  handshake(port: number, caPem: string, firstContact: boolean): Promise<void>;
  /** Downloads `path` with `GET` over AES-128-GCM and returns the application bytes received. */
  download?(port: number, caPem: string, path: string): Promise<number>;
}

function tcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Ends a socket and waits for 'close'. */
function close(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.once('close', () => resolve());
    socket.destroy();
  });
}

// ------------------------------------------------------------------------------------------------
// subtls

interface SubtlsModule {
  startTls(
    host: string,
    roots: unknown,
    read: (bytes: number, mode?: number) => Promise<Uint8Array | undefined>,
    write: (data: Uint8Array) => void,
  ): Promise<{ read(): Promise<Uint8Array | undefined>; write(data: Uint8Array): Promise<void> }>;
  TrustedCert: { databaseFromPEM(pem: string): Promise<unknown> };
  SocketReadQueue: new (socket: Socket) => { read(bytes: number, mode?: number): Promise<Uint8Array | undefined> };
}

async function loadSubtls(): Promise<Peer> {
  const subtls = (await import('subtls')) as unknown as SubtlsModule;
  const databases = new Map<string, unknown>();
  const rootsFor = async (caPem: string, firstContact: boolean): Promise<unknown> => {
    if (firstContact) return subtls.TrustedCert.databaseFromPEM(caPem);
    let db = databases.get(caPem);
    if (db === undefined) databases.set(caPem, (db = await subtls.TrustedCert.databaseFromPEM(caPem)));
    return db;
  };
  const open = async (port: number, caPem: string, firstContact: boolean) => {
    const roots = await rootsFor(caPem, firstContact);
    const socket = await tcp(port);
    const queue = new subtls.SocketReadQueue(socket);
    try {
      const tls = await subtls.startTls('localhost', roots, (n, mode) => queue.read(n, mode), (data) => void socket.write(data));
      return { socket, tls };
    } catch (error) {
      await close(socket);
      throw error;
    }
  };
  return {
    name: 'subtls',
    unsupported(row) {
      if (row.version !== 'TLSv1.3') return 'TLS 1.3 only';
      if (row.resumed === true) return 'no resumption (ignores tickets)';
      // Chain signatures: ECDSA P-256/P-384 with SHA-256/384 and RSA PKCS#1 v1.5 with SHA-256 only.
      if (row.chain.endsWith('RSA-3072')) return 'the mixed chains\' root signs with RSA PKCS#1 v1.5 SHA-384, which subtls does not verify';
      return undefined;
    },
    async handshake(port, caPem, firstContact) {
      const { socket, tls } = await open(port, caPem, firstContact);
      await tls.write(new Uint8Array(0)); // sends the client Finished
      await close(socket);
    },
    async download(port, caPem, path) {
      const { socket, tls } = await open(port, caPem, false);
      await tls.write(new TextEncoder().encode(`GET /${path} HTTP/1.0\r\n\r\n`));
      let bytes = 0;
      try {
        for (;;) {
          const data = await tls.read();
          if (data === undefined) break;
          bytes += data.length;
        }
      } catch {
        // subtls throws on the server's close_notify / EOF; the byte count says whether all arrived
      }
      await close(socket);
      return bytes;
    },
  };
}

// ------------------------------------------------------------------------------------------------
// @reclaimprotocol/tls, pure-JS crypto

interface ReclaimClient {
  startHandshake(): Promise<void>;
  handleReceivedBytes(data: Uint8Array): Promise<void>;
  write(data: Uint8Array): Promise<void>;
  end(error?: Error): Promise<void>;
}
interface ReclaimModule {
  makeTLSClient(options: Record<string, unknown>): ReclaimClient;
  setCryptoImplementation(impl: unknown): void;
  loadX509FromPem(pem: string): unknown;
}

const SILENT = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

async function loadReclaim(): Promise<Peer> {
  const reclaim = (await import('@reclaimprotocol/tls')) as unknown as ReclaimModule;
  const { pureJsCrypto } = (await import('@reclaimprotocol/tls/purejs-crypto')) as { pureJsCrypto: unknown };
  reclaim.setCryptoImplementation(pureJsCrypto);
  const anchors = new Map<string, unknown>();
  const rootFor = (caPem: string, firstContact: boolean): unknown => {
    if (firstContact) return reclaim.loadX509FromPem(caPem);
    let root = anchors.get(caPem);
    if (root === undefined) anchors.set(caPem, (root = reclaim.loadX509FromPem(caPem)));
    return root;
  };
  const session = async (port: number, caPem: string, firstContact: boolean, version: 'TLS1_3' | 'TLS1_2', onData?: (data: Uint8Array) => void) => {
    const socket = await tcp(port);
    let settle!: { resolve: () => void; reject: (e: Error) => void };
    const handshake = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    let ended!: () => void;
    const end = new Promise<void>((resolve) => (ended = resolve));
    const client = reclaim.makeTLSClient({
      host: 'localhost',
      rootCAs: [rootFor(caPem, firstContact)],
      supportedProtocolVersions: [version],
      logger: SILENT,
      write: ({ header, content }: { header: Uint8Array; content: Uint8Array }) => {
        socket.write(header);
        socket.write(content);
      },
      onHandshake: () => settle.resolve(),
      onApplicationData: onData,
      onTlsEnd: (error?: Error) => {
        if (error !== undefined) settle.reject(error);
        ended();
      },
    });
    socket.on('data', (data: Buffer) => {
      client.handleReceivedBytes(new Uint8Array(data.buffer, data.byteOffset, data.length)).catch((error: unknown) => {
        settle.reject(error instanceof Error ? error : new Error(String(error)));
        socket.destroy();
      });
    });
    socket.once('close', () => {
      settle.reject(new Error('@reclaimprotocol/tls: connection closed during the handshake'));
      ended();
    });
    await client.startHandshake();
    try {
      await handshake;
    } catch (error) {
      await close(socket);
      throw error;
    }
    return { socket, client, end };
  };
  return {
    name: '@reclaimprotocol/tls (pure JS)',
    unsupported(row) {
      if (row.resumed === true) return 'resumption needs its PSK API, not wired into this bench';
      return undefined;
    },
    async handshake(port, caPem, firstContact) {
      // The rows' servers each speak one version; the client is told which, as the others negotiate it.
      const { socket } = await session(port, caPem, firstContact, currentVersion);
      await close(socket);
    },
    async download(port, caPem, path) {
      let bytes = 0;
      const { socket, client, end } = await session(port, caPem, false, 'TLS1_3', (data) => (bytes += data.length));
      await client.write(new TextEncoder().encode(`GET /${path} HTTP/1.0\r\n\r\n`));
      await Promise.race([end, new Promise<void>((resolve) => socket.once('close', () => resolve()))]);
      await close(socket);
      return bytes;
    },
  };
}

/** The version the reclaim client offers (set by the handshake section per row). */
let currentVersion: 'TLS1_3' | 'TLS1_2' = 'TLS1_3';
export function setPeerVersion(version: 'TLSv1.3' | 'TLSv1.2'): void {
  currentVersion = version === 'TLSv1.3' ? 'TLS1_3' : 'TLS1_2';
}

/** The peers that load in this process, and for those that do not, why. */
export async function loadPeers(only?: readonly string[]): Promise<{ peers: Peer[]; failed: string[] }> {
  const peers: Peer[] = [];
  const failed: string[] = [];
  for (const [name, load] of [
    ['subtls', loadSubtls],
    ['@reclaimprotocol/tls', loadReclaim],
  ] as const) {
    if (only !== undefined && !only.includes(name)) continue;
    try {
      peers.push(await load());
    } catch (error) {
      failed.push(`${name}: ${String(error)}`);
    }
  }
  return { peers, failed };
}

/**
 * A TCP proxy on 127.0.0.1 that can strip TLS 1.3 from a ClientHello in flight: the active
 * attacker of RFC 8446 §4.1.3. Between puretls (offering TLS 1.3 and 1.2) and a 1.3-capable
 * `openssl s_server`, it rewrites the ClientHello so that it offers only TLS 1.2 (no
 * supported_versions, key_share, psk_key_exchange_modes, pre_shared_key, early_data, cookie,
 * post_handshake_auth), with every length recomputed by @puretls/tls-core's wire codec. The
 * server then answers TLS 1.2 with `DOWNGRD\x01` in the last 8 bytes of ServerHello.random, and a
 * 1.3-capable client must abort with illegal_parameter. In `passthrough` mode it forwards bytes
 * unchanged (the control case: TLS 1.3 must still succeed through it).
 *
 * Only the client's first flight is parsed (handshake records up to the end of the ClientHello);
 * everything after it, and the whole server-to-client direction, is forwarded as is.
 *
 * @module
 */
import { createServer, connect as netConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import { ContentType, ExtensionType, HandshakeType, ProtocolVersion, decodeHandshake, decodeRecordHeader, encodeHandshake, encodeRecordHeader, RECORD_HEADER_LENGTH } from '@puretls/tls-core';

export type ProxyMode = 'passthrough' | 'strip-tls13';

/** ClientHello extensions that only make sense for TLS 1.3 (RFC 8446 §4.2 table, "CH" rows). */
export const TLS13_ONLY_EXTENSIONS: readonly number[] = [
  ExtensionType.SupportedVersions,
  ExtensionType.KeyShare,
  ExtensionType.PskKeyExchangeModes,
  ExtensionType.PreSharedKey,
  ExtensionType.EarlyData,
  ExtensionType.Cookie,
  ExtensionType.PostHandshakeAuth,
];

/** Largest TLSPlaintext fragment (RFC 8446 §5.1). */
const MAX_FRAGMENT = 16384;

/**
 * Rewrites one encoded ClientHello handshake message (header included) to offer TLS 1.2 only.
 * @returns the new message and the extension types removed
 * @throws InvalidMessage when the input is not a well-formed ClientHello
 */
export function stripTls13FromClientHello(message: Uint8Array): { message: Uint8Array; removed: number[] } {
  const decoded = decodeHandshake(message, 'tls13');
  if (decoded.type !== HandshakeType.ClientHello) throw new Error(`expected a ClientHello, got handshake type ${decoded.type}`);
  const removed = decoded.extensions.filter((e) => TLS13_ONLY_EXTENSIONS.includes(e.type)).map((e) => e.type);
  const rewritten = encodeHandshake({
    ...decoded,
    legacyVersion: ProtocolVersion.TLSv1_2,
    extensions: decoded.extensions.filter((e) => !TLS13_ONLY_EXTENSIONS.includes(e.type)),
  });
  return { message: rewritten, removed };
}

/** Frames handshake bytes as one or more handshake records. */
export function handshakeRecords(handshake: Uint8Array, legacyRecordVersion: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < handshake.length; offset += MAX_FRAGMENT) {
    const fragment = handshake.subarray(offset, Math.min(handshake.length, offset + MAX_FRAGMENT));
    parts.push(encodeRecordHeader({ contentType: ContentType.Handshake, legacyVersion: legacyRecordVersion, length: fragment.length }), fragment);
  }
  return Buffer.concat(parts);
}

/**
 * Tries to take a complete ClientHello from the start of `buffered` (client-to-server bytes).
 * @returns undefined while more bytes are needed; otherwise the rewritten bytes and the rest
 */
export function takeClientHello(buffered: Uint8Array): { records: Uint8Array; rest: Uint8Array; removed: number[] } | undefined {
  const fragments: Uint8Array[] = [];
  let offset = 0;
  let recordVersion: number = ProtocolVersion.TLSv1_0;
  for (;;) {
    if (buffered.length < offset + RECORD_HEADER_LENGTH) return undefined;
    const header = decodeRecordHeader(buffered.subarray(offset));
    if (header.contentType !== ContentType.Handshake) throw new Error(`expected a handshake record first, got content type ${header.contentType}`);
    if (offset === 0) recordVersion = header.legacyVersion;
    const end = offset + RECORD_HEADER_LENGTH + header.length;
    if (buffered.length < end) return undefined;
    fragments.push(buffered.subarray(offset + RECORD_HEADER_LENGTH, end));
    offset = end;
    const handshake = Buffer.concat(fragments);
    if (handshake.length < 4) continue;
    const total = 4 + ((handshake[1]! << 16) | (handshake[2]! << 8) | handshake[3]!);
    if (handshake.length < total) continue;
    if (handshake.length > total) throw new Error('data after the ClientHello in its records');
    const { message, removed } = stripTls13FromClientHello(handshake);
    return { records: handshakeRecords(message, recordVersion), rest: buffered.subarray(offset), removed };
  }
}

export interface RunningProxy {
  readonly port: number;
  /** Extension types removed from the ClientHello (empty in passthrough mode or before it arrived). */
  removedExtensions(): readonly number[];
  /** Connections accepted so far. */
  connections(): number;
  /** Errors seen while rewriting (a malformed ClientHello). */
  errors(): readonly string[];
  stop(): Promise<void>;
}

/**
 * Starts the proxy on 127.0.0.1 (an OS-assigned port) in front of `127.0.0.1:targetPort`.
 */
export async function startDowngradeProxy(targetPort: number, mode: ProxyMode): Promise<RunningProxy> {
  const sockets = new Set<Socket>();
  const removed: number[] = [];
  const errors: string[] = [];
  let accepted = 0;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    accepted++;
    track(client);
    const upstream = netConnect({ host: '127.0.0.1', port: targetPort });
    track(upstream);
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    upstream.on('end', () => client.end());
    client.on('end', () => upstream.end());
    let pending: Buffer | undefined = mode === 'strip-tls13' ? Buffer.alloc(0) : undefined;
    client.on('data', (chunk: Buffer) => {
      if (pending === undefined) {
        upstream.write(chunk);
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      let taken: ReturnType<typeof takeClientHello>;
      try {
        taken = takeClientHello(pending);
      } catch (error) {
        errors.push((error as Error).message);
        client.destroy();
        return;
      }
      if (taken === undefined) return;
      removed.push(...taken.removed);
      pending = undefined;
      upstream.write(taken.records);
      if (taken.rest.length > 0) upstream.write(taken.rest);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    removedExtensions: () => removed,
    connections: () => accepted,
    errors: () => errors,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

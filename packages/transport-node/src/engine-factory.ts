/**
 * Builds the real tls-core engine (`ClientConnection`) from Node-style connect options, and
 * the process-wide default trust store (Node's bundled Mozilla roots, `tls.rootCertificates`,
 * parsed once and cached, as Node does).
 * @module
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import {
  ClientConnection,
  TrustStore,
  cachedTrustStoreFromPem,
  createClientConfig,
  type ClientConfig,
  type ClientConfigOptions,
  type ResumptionData,
} from '@puretls/tls-core';
import type { TlsEngine } from './engine.ts';

let defaultRoots: TrustStore | undefined;

/**
 * Node's default trust store as a TrustStore, parsed on first use only: the bundled roots
 * (`tls.rootCertificates`) plus the PEM file named by `NODE_EXTRA_CA_CERTS`, as Node does. Node
 * reads that variable once at start-up; puretls reads it at the first connection without `ca`.
 * An unreadable file is skipped with a process warning, as Node skips it.
 */
export function defaultTrustStore(): TrustStore {
  defaultRoots ??= trustStoreFromPem([...rootCertificates, ...extraCaCertificates()]);
  return defaultRoots;
}

function extraCaCertificates(): string[] {
  const file = process.env['NODE_EXTRA_CA_CERTS'];
  if (file === undefined || file === '') return [];
  try {
    return [readFileSync(file, 'latin1')];
  } catch (e) {
    process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${(e as Error).message}`);
    return [];
  }
}

/**
 * A TrustStore from PEM text (Node's `ca` option: string, Buffer, or an array of them).
 * Certificates the X.509 layer cannot use are skipped (listed in `rejected`), as OpenSSL skips
 * them when loading a bundle.
 * @throws UsageError when no usable certificate remains
 */
export function trustStoreFromPem(pems: string | Uint8Array | ReadonlyArray<string | Uint8Array>): TrustStore {
  const list = typeof pems === 'string' || pems instanceof Uint8Array ? [pems] : pems;
  const text = list.map((p) => (typeof p === 'string' ? p : Buffer.from(p).toString('latin1'))).join('\n');
  return cachedTrustStoreFromPem(text);
}

/** Validate the options into a frozen config (throws UsageError synchronously on bad options). */
export function buildConfig(options: ClientConfigOptions): ClientConfig {
  return createClientConfig(options);
}

/** Per-connection engine inputs. */
export interface EngineTarget {
  /** Host name or IP address: SNI (for names) and the certificate identity. */
  readonly host: string;
  /** Send server_name (false: `openssl s_client -noservername`). */
  readonly sendServerName: boolean;
  readonly session: ResumptionData | undefined;
}

/** A new engine for one connection. */
export function createEngine(config: ClientConfig, target: EngineTarget): TlsEngine {
  return new ClientConnection(config, {
    host: target.host,
    sendServerName: target.sendServerName,
    ...(target.session === undefined ? {} : { session: target.session }),
  });
}

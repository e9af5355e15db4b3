/**
 * Node's own TLS server (`tls.createServer`) as a peer: this machine's Node 20 (`process.execPath`,
 * OpenSSL 3.0) and Node 26 from npm (servers/node26.ts, OpenSSL 3.5, which adds X25519MLKEM768).
 *
 * {@link startNodeServer} runs servers/node-server-child.ts (compiled, in conformance/dist) under
 * the chosen binary, bound to 127.0.0.1 on port 0; the child reports its port on stdout and writes
 * its 'keylog' events to `keylogPath`, which `stop()` (SIGTERM by PID, then SIGKILL) reads back
 * as the server's key log. Usable on its own, e.g. by a probe test:
 *
 * ```ts
 * const server = await startNodeServer({ node: 'node26', cwd: pki.dir, config: { cert: 'leaf-ecdsa-p256.chain.pem', key: 'leaf-ecdsa-p256.key' } });
 * // ... connect to 127.0.0.1:server.port ...
 * const { keylog } = await server.stop();
 * ```
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { compiledScript } from './netns.ts';
import type { NodeServerConfig } from './node-server-child.ts';
import { node26Binary } from './node26.ts';
import { readKeylog } from '@puretls/test-support/openssl';
import { serverProcess, spawnTracked } from '@puretls/test-support/process';
import type { RunningServer } from '../types.ts';

export type NodeServerKind = 'node20' | 'node26';

export interface NodeServerOptions {
  /** 'node20': this process's Node (`process.execPath`); 'node26': the npm Node 26 (servers/node26.ts). */
  readonly node: NodeServerKind;
  /** Directory that relative cert / key names resolve against (the PKI directory). */
  readonly cwd: string;
  /** The server's options; `keylogPath` is chosen by this module. */
  readonly config: Omit<NodeServerConfig, 'keylogPath'>;
  /** Lifetime bound in seconds (default 60). */
  readonly lifetimeSeconds?: number;
}

/** A running Node server: {@link RunningServer} with its key log file and OpenSSL version. */
export interface RunningNodeServer extends RunningServer {
  readonly keylogPath: string;
  /** `process.versions.openssl` of the server's Node. */
  readonly openssl: string;
}

/** The binary of a Node server kind. @throws Error when Node 26 is not installed */
export function nodeBinary(kind: NodeServerKind): string {
  return kind === 'node20' ? process.execPath : node26Binary();
}

/** Why servers of this kind cannot start here, or undefined. */
export function nodeServerUnavailableReason(kind: NodeServerKind): string | undefined {
  try {
    nodeBinary(kind);
    compiledScript('servers/node-server-child.js');
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

/**
 * Starts a Node TLS echo server on 127.0.0.1 and waits for its port.
 * @throws Error with the child's output when it does not start within 15 s
 */
export async function startNodeServer(options: NodeServerOptions): Promise<RunningNodeServer> {
  const workDir = await mkdtemp(join(tmpdir(), `puretls-${options.node}-`));
  const keylogPath = join(workDir, 'server.keys');
  const resolveFile = (name: string): string => (isAbsolute(name) ? name : join(options.cwd, name));
  const config: NodeServerConfig = { ...options.config, cert: resolveFile(options.config.cert), key: resolveFile(options.config.key), keylogPath };
  const proc = spawnTracked(nodeBinary(options.node), [compiledScript('servers/node-server-child.js'), JSON.stringify(config)], {
    cwd: options.cwd,
    lifetimeSeconds: options.lifetimeSeconds ?? 60,
  });
  try {
    await proc.waitForOutput(/^OPENSSL \S+$/m, 15_000);
  } catch (error) {
    await proc.stop();
    await rm(workDir, { recursive: true, force: true });
    throw new Error(`${options.node} TLS server failed to start: ${(error as Error).message}\n${proc.output()}`);
  }
  const port = Number(/^PORT (\d+)$/m.exec(proc.output())?.[1]);
  return {
    ...serverProcess(options.node, port, proc, { readKeylog: () => readKeylog(keylogPath), workDir }),
    keylogPath,
    openssl: /^OPENSSL (\S+)$/m.exec(proc.output())?.[1] ?? '',
    sendStdin: () => {
      throw new Error('the Node server takes no commands on stdin');
    },
  };
}

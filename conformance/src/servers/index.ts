/**
 * The peers of the matrix, one entry per {@link ServerKind}: how a case's {@link ServerSpec}
 * starts it, whether it must run inside the private network namespace (no bind-address option),
 * why it cannot run on this machine, and which key-log oracle it offers:
 * - `file`: the server writes NSS-format key log lines (s_server `-keylogfile`, gnutls
 *   `SSLKEYLOGFILE`, Node's 'keylog' event), compared line for line with the client's;
 * - `exporter`: NSS selfserv prints an exporter value derived from its secrets (nss.ts);
 * - `none`: Botan 2 exposes no secrets.
 *
 * Adding a peer: a module in this folder with a start function returning {@link RunningServer},
 * an entry here, its kind in types.ts, its rows in ../cases/<name>.ts (docs/conformance.md).
 *
 * @module
 */
import type { ServerSpec } from '../cases/schema.ts';
import type { RunningServer, ServerKind } from '../types.ts';
import { botanUnavailableReason, startBotanServer } from './botan.ts';
import { gnutlsUnavailableReason, startGnutlsServer } from './gnutls.ts';
import { nodeServerUnavailableReason, startNodeServer } from './node.ts';
import { nssUnavailableReason, startNssServer } from './nss.ts';
import { startOpensslServer } from '@puretls/test-support/openssl';

/** What the runner may change for one start (resumption cases: connections accepted, a restart on the same port). */
export interface StartOverrides {
  readonly naccept?: number;
  readonly port?: number;
  /** Replaces the spec's command line (a restarted server that changed its configuration). */
  readonly args?: readonly string[];
  /** s_server: wait this long for a voluntary exit on stop, so buffered -msg / -trace output is flushed. */
  readonly exitGraceMs?: number;
}

export interface ServerEntry {
  /** Listens on all interfaces: only started inside runInNetns(). */
  readonly netns: boolean;
  readonly keylog: 'file' | 'exporter' | 'none';
  /** Why this peer cannot run here, or undefined. */
  unavailable(): Promise<string | undefined>;
  start(spec: ServerSpec, pkiDir: string, overrides: StartOverrides): Promise<RunningServer>;
}

export const SERVERS: Readonly<Record<ServerKind, ServerEntry>> = {
  openssl: {
    netns: false,
    keylog: 'file',
    unavailable: () => Promise.resolve(undefined),
    start: (spec, cwd, { naccept, port, args, exitGraceMs }) =>
      startOpensslServer({
        args: args ?? spec.args,
        cwd,
        keylog: true,
        ...(spec.configText === undefined ? {} : { configText: spec.configText }),
        ...(exitGraceMs === undefined ? {} : { exitGraceMs }),
        ...(naccept === undefined ? {} : { naccept }),
        ...(port === undefined ? {} : { pickPort: () => port }),
      }),
  },
  gnutls: {
    netns: true,
    keylog: 'file',
    unavailable: gnutlsUnavailableReason,
    start: (spec, cwd, { args }) => startGnutlsServer({ args: args ?? spec.args, cwd, keylog: true }),
  },
  botan: {
    netns: true,
    keylog: 'none',
    unavailable: botanUnavailableReason,
    start: (spec, cwd, { args }) => startBotanServer({ args: args ?? spec.args, cwd, ...(spec.configText === undefined ? {} : { policy: spec.configText }) }),
  },
  nss: {
    netns: true,
    keylog: 'exporter',
    unavailable: nssUnavailableReason,
    start: (spec, pkiDir, { args }) => startNssServer({ pkiDir, args: args ?? spec.args }),
  },
  node20: nodeEntry('node20'),
  node26: nodeEntry('node26'),
};

function nodeEntry(kind: 'node20' | 'node26'): ServerEntry {
  return {
    netns: false,
    keylog: 'file',
    unavailable: () => Promise.resolve(nodeServerUnavailableReason(kind)),
    start: (spec, cwd) => {
      if (spec.node === undefined) throw new Error(`a ${kind} case needs server.node options`);
      return startNodeServer({ node: kind, cwd, config: spec.node });
    },
  };
}

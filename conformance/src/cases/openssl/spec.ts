/**
 * The one row builder of the s_server rows (OpenSSL 3.0; CONFORMANCE.md §2.1, §6.2): a short
 * {@link OpensslCaseSpec} becomes a {@link ConformanceCase} of the one case schema (../schema.ts),
 * with the s_server command line spelled out. Server parameters that a client's defaults would
 * otherwise decide (version, TLS 1.3 suite) are pinned on the server, so the expectations hold
 * for any client. s_server is bound to 127.0.0.1, takes commands on stdin, writes `-keylogfile`
 * (the key-log oracle) and `-msg` / `-trace` lines that the rows count for wire facts.
 *
 * @module
 */
import { AES128, certName, EC, HELLO, type CertFixture } from '../common.ts';
import type { ConformanceCase, Expectation, Resumption, ServerOutputCheck, ServerSpec, Step } from '../schema.ts';

/** s_server's certificate arguments for a gen-pki.sh fixture. */
export function opensslCert(cert: CertFixture): string[] {
  const args = ['-cert', `${cert.leaf}.pem`, '-key', `${cert.leaf}.key`];
  if (cert.chain !== undefined) args.push('-cert_chain', `${cert.chain}.pem`);
  return args;
}

/** s_server -rev: reversed line back, then `CLOSE` makes the server send close_notify (§2.1 row 48). */
export const REV_ECHO: readonly Step[] = [
  { op: 'send', text: HELLO },
  { op: 'expect', text: 'dlrow olleh' },
  { op: 'send', text: 'CLOSE\n' },
  { op: 'expect-close', kind: 'clean' },
];

export interface OpensslCaseSpec {
  readonly id: string;
  readonly section: string;
  readonly description: string;
  readonly cert?: CertFixture;
  /** Extra s_server flags; `-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256` are added unless `version`/`suites` say otherwise. */
  readonly flags?: readonly string[];
  readonly version?: 'tls1_3' | 'tls1_2' | 'any';
  /** Server TLS 1.3 suites (default: TLS_AES_128_GCM_SHA256). */
  readonly serverSuites?: string;
  /** Server mode flag (default `-rev`). */
  readonly mode?: readonly string[];
  /** An OpenSSL config passed as `OPENSSL_CONF` (select it with `-ssl_config` in `flags`). */
  readonly configText?: string;
  /** The in-test proxy of ../../servers/downgrade-proxy.ts between client and server. */
  readonly proxy?: ServerSpec['proxy'];
  readonly client?: ConformanceCase['client'];
  readonly steps?: readonly Step[];
  readonly expect: Expectation;
  readonly serverOutput?: readonly ServerOutputCheck[];
  readonly checkKeylog?: boolean;
  readonly resumption?: Resumption;
  readonly clientCertificate?: ConformanceCase['clientCertificate'];
}

/** The row of one spec: s_server arguments = certificate, version, TLS 1.3 suites, flags, mode. */
export function opensslCase(spec: OpensslCaseSpec): ConformanceCase {
  const cert = spec.cert ?? EC;
  const args: string[] = [...opensslCert(cert)];
  const version = spec.version ?? 'tls1_3';
  if (version !== 'any') args.push(`-${version}`);
  if (version !== 'tls1_2') args.push('-ciphersuites', spec.serverSuites ?? AES128);
  args.push(...(spec.flags ?? []), ...(spec.mode ?? ['-rev']));
  return {
    id: spec.id,
    section: spec.section,
    description: spec.description,
    server: {
      kind: 'openssl',
      args,
      ...(spec.configText === undefined ? {} : { configText: spec.configText }),
      ...(spec.proxy === undefined ? {} : { proxy: spec.proxy }),
    },
    certificate: certName(cert),
    client: spec.client ?? {},
    steps: spec.expect.ok ? (spec.steps ?? REV_ECHO) : [],
    expect: spec.expect,
    ...(spec.serverOutput === undefined ? {} : { serverOutput: spec.serverOutput }),
    ...(spec.checkKeylog === undefined ? {} : { checkKeylog: spec.checkKeylog }),
    ...(spec.resumption === undefined ? {} : { resumption: spec.resumption }),
    ...(spec.clientCertificate === undefined ? {} : { clientCertificate: spec.clientCertificate }),
  };
}

/** s_server -msg: two ServerHellos on one connection = a HelloRetryRequest was sent (RFC 8446 §4.1.4). */
export const TWO_SERVER_HELLOS: ServerOutputCheck = { name: 'HelloRetryRequest sent (2 ServerHellos in -msg)', pattern: '^>>> TLS 1\\.3, Handshake \\[length [0-9a-f]+\\], ServerHello$', count: 2 };

/** The TLS 1.2 suite the client-certificate and OCSP rows pin on the server (the client's preference would otherwise decide). */
export const CLIENTAUTH_TLS12_CIPHER = ['-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256'];

/**
 * The scanner's plan: which ClientHellos to send, in what order, within the connection budget and
 * the deadline (see hello-scan.ts for the facts and their RFC sections).
 *
 * Wave 1 runs independent chains side by side (at most four connections at once): legacy
 * versions, TLS 1.3 suites, TLS 1.3 groups (then the HelloRetryRequest test), TLS 1.2 curves and
 * tolerance. Wave 2 enumerates TLS 1.2 suites with what is left of the budget, because a server
 * may accept dozens and each accepted suite costs one connection. Enumeration is by removal:
 * offer every candidate not yet found, note the server's choice, drop it, repeat until the server
 * refuses (alert or close), which proves every remaining candidate refused.
 * @module
 */
import { TLS12_SUITES, UsageError } from '@puretls/tls-core';
import { generateKeyShare, isSupportedKeyExchangeGroup } from '@puretls/tls-core/wire';
import { randomBytes } from 'node:crypto';
import { isIpLiteral } from '../ip-literal.ts';
import type {
  AcceptedGroup,
  AcceptedSuite,
  Fact,
  GroupEnumeration,
  HelloProbe,
  HelloReply,
  HelloScanFacts,
  HelloScanOptions,
  ProbeEvidence,
  SuiteEnumeration,
  ToleranceFact,
} from './scan-types.ts';
import { encodeHello, shareEntry } from './hello-builder.ts';
import type { HelloSpec } from './hello-builder.ts';
import { probeConnection, tcpOpener } from './probe-connection.ts';
import type { Opener } from './probe-connection.ts';
import {
  GREASE_VALUES,
  LEGACY_SCAN_SUITES,
  SCAN_GROUPS,
  TLS12_SCAN_CURVES,
  TLS12_SCAN_SUITES,
  TLS13_SCAN_SUITES,
  UNASSIGNED_EXTENSION_TYPE,
  suiteKeyExchange,
} from './scan-tables.ts';

/** Most connections open at once. */
export const MAX_PARALLEL = 4;
/** Longest wait for one reply. */
export const PER_CONNECTION_TIMEOUT_MS = 5000;
/** A connection is not started with less than this left before the deadline. */
const MIN_CONNECTION_MS = 200;

type Entry = { readonly code: number; readonly name: string };

const PURETLS_SUITES: ReadonlySet<number> = new Set([...TLS13_SCAN_SUITES.slice(0, 3).map((s) => s.code), ...TLS12_SUITES.map((s) => s.id)]);
const ECDHE_SUITES: readonly Entry[] = TLS12_SCAN_SUITES.filter((s) => suiteKeyExchange(s.name) === 'ECDHE');
const MODERN_TLS12: readonly number[] = TLS12_SUITES.map((s) => s.id);
const TLS13_CODES: readonly number[] = TLS13_SCAN_SUITES.map((s) => s.code);
const DEFAULT_GROUPS: readonly number[] = [0x001d, 0x0017, 0x0018];

/** Runs probes within the budget, deadline and parallelism; records every probe. */
class Scanner {
  readonly probes: HelloProbe[] = [];
  used = 0;
  cutShort = false;
  #active = 0;
  readonly #waiting: (() => void)[] = [];
  readonly #deadlineAt: number;

  readonly opts: HelloScanOptions;
  readonly servername: string | undefined;
  readonly open: Opener;

  constructor(opts: HelloScanOptions, servername: string | undefined, open: Opener) {
    this.opts = opts;
    this.servername = servername;
    this.open = open;
    this.#deadlineAt = Date.now() + opts.deadlineMs;
  }

  /** Send one hello; undefined when the budget or the deadline forbids another connection. */
  async probe(id: string, offered: string, spec: HelloSpec, readKeyExchange = false): Promise<ProbeEvidence | undefined> {
    if (this.used >= this.opts.maxConnections) {
      this.cutShort = true;
      return undefined;
    }
    this.used++;
    await this.#acquire();
    try {
      const left = this.#deadlineAt - Date.now();
      if (left < MIN_CONNECTION_MS) {
        this.used--;
        this.cutShort = true;
        return undefined;
      }
      this.opts.onProgress?.(`${id}: ${offered}`);
      const hello = encodeHello(spec, randomBytes(32), randomBytes(32));
      const started = Date.now();
      const reply = await probeConnection({
        host: this.opts.host,
        port: this.opts.port,
        open: this.open,
        records: hello.records,
        recordVersion: spec.recordVersion ?? 0x0301,
        timeoutMs: Math.min(PER_CONNECTION_TIMEOUT_MS, left),
        readKeyExchange,
      });
      this.probes.push({ id, offered, helloLength: hello.helloLength, reply, ms: Date.now() - started });
      return { probe: id, reply };
    } finally {
      this.#release();
    }
  }

  /** The common TLS 1.2-and-1.3 parts of a hello. */
  base(): Pick<HelloSpec, 'servername'> {
    return this.servername === undefined ? {} : { servername: this.servername };
  }

  async #acquire(): Promise<void> {
    if (this.#active < MAX_PARALLEL) {
      this.#active++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#active--;
  }
}

/** Does the reply settle the question "refused"? (An alert or a close.) */
function isRefusal(r: HelloReply): boolean {
  return r.kind === 'alert' || r.kind === 'closed';
}

function names(list: readonly Entry[]): string {
  return list.length <= 3 ? list.map((e) => e.name).join(',') : `${list.length} (${list[0]!.name}...)`;
}

/** Removal enumeration result before it is shaped into the facts. */
interface Removal {
  readonly found: { entry: Entry; evidence: ProbeEvidence }[];
  readonly complete: boolean;
  readonly unresolved: readonly Entry[];
  readonly first?: ProbeEvidence;
}

/**
 * Offer `candidates`, take the chosen one out, repeat.
 * @param choose the candidate the reply names (undefined: the reply is no choice)
 */
async function removal(
  s: Scanner,
  label: string,
  candidates: readonly Entry[],
  cap: number,
  spec: (offer: readonly Entry[]) => HelloSpec,
  choose: (r: HelloReply) => number | undefined,
  readKeyExchange = false,
  refused: (r: HelloReply) => boolean = isRefusal,
): Promise<Removal> {
  let left = [...candidates];
  const found: { entry: Entry; evidence: ProbeEvidence }[] = [];
  let first: ProbeEvidence | undefined;
  for (let round = 1; left.length > 0; round++) {
    if (round > cap) return { found, complete: false, unresolved: left, ...(first ? { first } : {}) };
    const ev = await s.probe(`${label}#${round}`, names(left), spec(left), readKeyExchange);
    if (ev === undefined) return { found, complete: false, unresolved: left, ...(first ? { first } : {}) };
    first ??= ev;
    if (refused(ev.reply)) return { found, complete: true, unresolved: [], first };
    const code = choose(ev.reply);
    const entry = left.find((e) => e.code === code);
    // A choice we did not offer, a timeout or garbage: stop, the rest stays unresolved.
    if (entry === undefined) return { found, complete: false, unresolved: left, first };
    found.push({ entry, evidence: ev });
    left = left.filter((e) => e !== entry);
  }
  return { found, complete: true, unresolved: [], ...(first ? { first } : {}) };
}

function fact(value: boolean | undefined, evidence: readonly (ProbeEvidence | undefined)[]): Fact<boolean> {
  return { value, evidence: evidence.filter((e): e is ProbeEvidence => e !== undefined) };
}

const suiteOf = (r: HelloReply): number | undefined => (r.kind === 'server-hello' || r.kind === 'hello-retry-request' ? r.cipherSuite : undefined);

// ---------------------------------------------------------------------------------------------

function tls13Spec(s: Scanner, suites: readonly number[], groups: readonly number[], shares: HelloSpec['keyShares']): HelloSpec {
  return { ...s.base(), legacyVersion: 0x0303, suites, supportedVersions: [0x0304], groups, ...(shares ? { keyShares: shares } : {}) };
}

function tls12Spec(s: Scanner, suites: readonly number[], groups: readonly number[]): HelloSpec {
  return { ...s.base(), legacyVersion: 0x0303, suites, groups };
}

/** A TLS 1.3 + 1.2 hello as a modern client sends it, plus `extra` (the tolerance probes' base). */
function modernSpec(s: Scanner, share: Uint8Array, extra: Partial<HelloSpec> = {}): HelloSpec {
  return {
    ...s.base(),
    legacyVersion: 0x0303,
    suites: [...TLS13_CODES.slice(0, 3), ...MODERN_TLS12],
    supportedVersions: [0x0304, 0x0303],
    groups: DEFAULT_GROUPS,
    keyShares: [{ group: 0x001d, keyExchange: share }],
    ...extra,
  };
}

async function legacyVersion(s: Scanner, id: string, version: number): Promise<Fact<boolean>> {
  const ssl3 = version === 0x0300;
  const spec: HelloSpec = ssl3
    ? { legacyVersion: 0x0300, recordVersion: 0x0300, suites: [...LEGACY_SCAN_SUITES.map((e) => e.code), 0x00ff], noExtensions: true }
    : { ...s.base(), legacyVersion: version, suites: LEGACY_SCAN_SUITES.map((e) => e.code), groups: TLS12_SCAN_CURVES.map((g) => g.code) };
  const ev = await s.probe(id, `only ${id}, ${LEGACY_SCAN_SUITES.length} pre-TLS 1.2 suites`, spec);
  if (ev === undefined) return fact(undefined, []);
  const r = ev.reply;
  if (r.kind === 'server-hello') return fact(r.version === version, [ev]);
  return fact(isRefusal(r) ? false : undefined, [ev]);
}

/** Suites no modern client should use: NULL, anonymous, export, DES, RC4, 3DES. */
const WEAK_SUITE = /NULL|_anon_|EXPORT|_DES_|DES40|RC4|3DES/;

/**
 * When the removal was cut short, offer the unresolved weak suites alone: an alert proves them all
 * refused (they leave `unresolved`); a choice is added as accepted, outside the preference order.
 */
async function weakCheck(s: Scanner, rm: Removal, spec: (offer: readonly number[]) => HelloSpec): Promise<Removal & { outOfOrder?: ProbeEvidence }> {
  const weak = rm.unresolved.filter((e) => WEAK_SUITE.test(e.name));
  if (rm.complete || weak.length === 0) return rm;
  const ev = await s.probe('tls12-weak-suites', `the ${weak.length} unresolved weak suites`, spec(weak.map((e) => e.code)), true);
  if (ev === undefined) return rm;
  if (isRefusal(ev.reply) || (ev.reply.kind === 'server-hello' && ev.reply.version < 0x0303)) {
    const unresolved = rm.unresolved.filter((e) => !weak.includes(e));
    return { ...rm, unresolved, complete: unresolved.length === 0 };
  }
  const chosen = ev.reply.kind === 'server-hello' && ev.reply.version === 0x0303 ? weak.find((e) => e.code === suiteOf(ev.reply)) : undefined;
  if (chosen === undefined) return rm;
  return { ...rm, found: [...rm.found, { entry: chosen, evidence: ev }], unresolved: rm.unresolved.filter((e) => e !== chosen), outOfOrder: ev };
}

function suiteEnumeration(rm: Removal & { outOfOrder?: ProbeEvidence }, candidates: number, serverPreference: Fact<boolean>): SuiteEnumeration {
  const accepted: AcceptedSuite[] = rm.found.map(({ entry, evidence }) => {
    const r = evidence.reply;
    const kx = r.kind === 'server-hello' ? r : undefined;
    return {
      code: entry.code,
      name: entry.name,
      puretlsUses: PURETLS_SUITES.has(entry.code),
      ...(kx?.group !== undefined && kx.version < 0x0304 ? { group: kx.group, groupName: kx.groupName ?? '' } : {}),
      ...(kx?.dhBits !== undefined ? { dhBits: kx.dhBits } : {}),
      ...(evidence === rm.outOfOrder ? { outOfOrder: true as const } : {}),
      probe: evidence.probe,
    };
  });
  return { accepted, serverPreference, complete: rm.complete, unresolved: rm.unresolved.map((e) => e.name), candidates };
}

function groupEnumeration(rm: Removal, candidates: number, serverPreference: Fact<boolean>): GroupEnumeration {
  const accepted: AcceptedGroup[] = rm.found.map(({ entry, evidence }) => ({ code: entry.code, name: entry.name, probe: evidence.probe }));
  return { accepted, serverPreference, complete: rm.complete, unresolved: rm.unresolved.map((e) => e.name), candidates };
}

/** Reversed offer: the same first choice means the server imposes its order. */
async function preferenceTest(
  s: Scanner,
  id: string,
  rm: Removal,
  spec: (offer: readonly number[]) => HelloSpec,
  readKx = false,
  choose: (r: HelloReply) => number | undefined = suiteOf,
  what = 'suites',
): Promise<Fact<boolean>> {
  if (rm.found.length < 2) return fact(undefined, []);
  const offer = rm.found.map((f) => f.entry.code).reverse();
  const ev = await s.probe(id, `the ${offer.length} accepted ${what} in reverse order`, spec(offer), readKx);
  if (ev === undefined) return fact(undefined, []);
  const chosen = choose(ev.reply);
  if (chosen === undefined) return fact(undefined, [rm.found[0]!.evidence, ev]);
  return fact(chosen === rm.found[0]!.entry.code, [rm.found[0]!.evidence, ev]);
}

function tolerance(ev: ProbeEvidence | undefined, helloLength?: number): ToleranceFact {
  if (ev === undefined) return { outcome: 'not-probed', evidence: [] };
  const r = ev.reply;
  const outcome: ToleranceFact['outcome'] =
    r.kind === 'server-hello' || r.kind === 'hello-retry-request'
      ? 'accepted'
      : r.kind === 'alert'
        ? 'rejected'
        : r.kind === 'closed'
          ? 'closed'
          : r.kind === 'timeout'
            ? 'timeout'
            : 'error';
  return { outcome, ...(helloLength === undefined ? {} : { helloLength }), evidence: [ev] };
}

/** Run the whole scan (see the module comment of hello-scan.ts). */
export async function runScan(opts: HelloScanOptions): Promise<HelloScanFacts> {
  if (!(opts.maxConnections >= 1) || !(opts.deadlineMs > 0) || !Number.isInteger(opts.port))
    throw new UsageError('scanHellos: maxConnections ≥ 1, deadlineMs > 0 and an integer port are required');
  const started = Date.now();
  const servername = opts.servername ?? (isIpLiteral(opts.host) ? undefined : opts.host);
  const s = new Scanner(opts, servername, opts.connect ?? tcpOpener);
  const x25519 = generateKeyShare(0x001d);
  const helloLengthOf = (id: string): number | undefined => s.probes.find((p) => p.id === id)?.helloLength;

  // --- wave 1 -------------------------------------------------------------------------------
  const tls13Suites = removal(s, 'tls13-suites', TLS13_SCAN_SUITES, 6, (o) =>
    tls13Spec(s, o.map((e) => e.code), SCAN_GROUPS.map((g) => g.code), [shareEntry(x25519)]),
    suiteOf,
    false,
    (r) => isRefusal(r) || (r.kind === 'server-hello' && r.version < 0x0304),
  ).then(async (rm) => {
    const pref = await preferenceTest(s, 'tls13-suites-reversed', rm, (o) => tls13Spec(s, o, SCAN_GROUPS.map((g) => g.code), [shareEntry(x25519)]));
    return { rm, pref };
  });

  const hrrGroup = (r: HelloReply): number | undefined => (r.kind === 'hello-retry-request' ? r.selectedGroup : undefined);
  const tls13GroupSpec = (o: readonly number[]): HelloSpec => tls13Spec(s, TLS13_CODES, o, []);
  const tls13Groups = removal(s, 'tls13-groups', SCAN_GROUPS, 10, (o) => tls13GroupSpec(o.map((g) => g.code)), hrrGroup).then(async (rm) => ({
    rm,
    hrr: await hrrTest(s, rm),
    pref: await preferenceTest(s, 'tls13-groups-reversed', rm, tls13GroupSpec, false, hrrGroup, 'groups'),
  }));

  const ecdheGroup = (r: HelloReply): number | undefined => (r.kind === 'server-hello' && r.version === 0x0303 ? r.group : undefined);
  const tls12GroupSpec = (o: readonly number[]): HelloSpec => tls12Spec(s, ECDHE_SUITES.map((e) => e.code), o);
  const tls12Groups = removal(s, 'tls12-groups', TLS12_SCAN_CURVES, 6, (o) => tls12GroupSpec(o.map((g) => g.code)), ecdheGroup, true, (r) =>
    isRefusal(r) || (r.kind === 'server-hello' && r.version < 0x0303),
  ).then(async (rm) => ({ rm, pref: await preferenceTest(s, 'tls12-groups-reversed', rm, tls12GroupSpec, true, ecdheGroup, 'groups') }));

  const legacy = Promise.all([legacyVersion(s, 'TLSv1.1', 0x0302), legacyVersion(s, 'TLSv1.0', 0x0301), legacyVersion(s, 'SSLv3', 0x0300)]);

  const grease = GREASE_VALUES;
  const tol = Promise.all([
    s.probe('tolerance:unknown-extension', `extension 0x${UNASSIGNED_EXTENSION_TYPE.toString(16)}`, modernSpec(s, x25519.publicKey, {
      extraExtensions: [{ type: UNASSIGNED_EXTENSION_TYPE, data: new Uint8Array([1, 2, 3, 4]) }],
    })),
    s.probe('tolerance:grease', 'GREASE suite, group, key_share, extensions, version', modernSpec(s, x25519.publicKey, {
      suites: [grease[0]!, ...TLS13_CODES.slice(0, 3), ...MODERN_TLS12],
      supportedVersions: [grease[2]!, 0x0304, 0x0303],
      groups: [grease[3]!, ...DEFAULT_GROUPS],
      keyShares: [{ group: grease[3]!, keyExchange: new Uint8Array([0]) }, { group: 0x001d, keyExchange: x25519.publicKey }],
      extraExtensions: [{ type: grease[4]!, data: new Uint8Array(0) }, { type: grease[5]!, data: new Uint8Array([0]) }],
    })),
    s.probe('tolerance:hello-400', 'ClientHello padded to 400 bytes', modernSpec(s, x25519.publicKey, { padTo: 400 })),
    s.probe('tolerance:hello-600', 'ClientHello padded to 600 bytes', modernSpec(s, x25519.publicKey, { padTo: 600 })),
    s.probe('tolerance:hello-17000', 'ClientHello padded to 17000 bytes (two records)', modernSpec(s, x25519.publicKey, { padTo: 17000 })),
  ]);

  const [t13, t13g, t12g, [tls11, tls10, ssl3], [unknownExt, greaseEv, h400, h600, h17k]] = await Promise.all([tls13Suites, tls13Groups, tls12Groups, legacy, tol]);

  // --- wave 2: TLS 1.2 suites with the budget left -------------------------------------------
  const allGroups = SCAN_GROUPS.filter((g) => g.code !== 0x11ec).map((g) => g.code);
  const t12Spec = (o: readonly number[]): HelloSpec => tls12Spec(s, o, allGroups);
  // Kept back: one connection for the reversed offer, one for the weak-suite check below.
  const reserved = 2;
  const t12cap = Math.max(0, opts.maxConnections - s.used - reserved);
  const t12 = await removal(s, 'tls12-suites', TLS12_SCAN_SUITES, t12cap, (o) => t12Spec(o.map((e) => e.code)), (r) =>
    r.kind === 'server-hello' && r.version === 0x0303 ? r.cipherSuite : undefined,
    true,
    // A server that answers a TLS 1.2 hello with an older version does not speak TLS 1.2.
    (r) => isRefusal(r) || (r.kind === 'server-hello' && r.version < 0x0303),
  );
  const t12pref = await preferenceTest(s, 'tls12-suites-reversed', t12, t12Spec, true);
  const t12all = await weakCheck(s, t12, t12Spec);

  // --- facts ----------------------------------------------------------------------------------
  const first13 = t13.rm.first;
  const tls13Accepted = first13 === undefined ? undefined : ((r) => (r.kind === 'server-hello' || r.kind === 'hello-retry-request' ? r.kind === 'hello-retry-request' || r.version === 0x0304 : isRefusal(r) ? false : undefined))(first13.reply);
  const first12 = t12.first;
  const sh12 = first12?.reply.kind === 'server-hello' && first12.reply.version === 0x0303 ? first12.reply : undefined;
  const tls12Accepted =
    first12 === undefined
      ? undefined
      : sh12 !== undefined
        ? true
        : isRefusal(first12.reply) || (first12.reply.kind === 'server-hello' && first12.reply.version < 0x0303)
          ? false
          : undefined;
  const hrrs = s.probes.filter((p) => p.reply.kind === 'hello-retry-request');
  const withCookie = hrrs.filter((p) => p.reply.kind === 'hello-retry-request' && p.reply.cookie);
  const cookieEvidence = (withCookie.length > 0 ? withCookie : hrrs).slice(0, 3).map((p) => ({ probe: p.id, reply: p.reply }));
  const hrrCookie = hrrs.length === 0 ? fact(undefined, []) : fact(withCookie.length > 0, cookieEvidence);
  const complete = !s.cutShort && t13.rm.complete && t13g.rm.complete && t12g.rm.complete && t12.complete;

  return {
    host: opts.host,
    port: opts.port,
    ...(servername === undefined ? {} : { servername }),
    connectionsUsed: s.used,
    durationMs: Date.now() - started,
    complete,
    versions: { tls13: fact(tls13Accepted, [first13]), tls12: fact(tls12Accepted, [first12]), tls11, tls10, ssl3 },
    tls13: {
      suites: suiteEnumeration(t13.rm, TLS13_SCAN_SUITES.length, t13.pref),
      groups: groupEnumeration(t13g.rm, SCAN_GROUPS.length, t13g.pref),
      hrrWhenShareNotPreferred: t13g.hrr,
      hrrCookie,
    },
    tls12: {
      suites: suiteEnumeration(t12all, TLS12_SCAN_SUITES.length, t12pref),
      groups: groupEnumeration(t12g.rm, TLS12_SCAN_CURVES.length, t12g.pref),
      secureRenegotiation: fact(sh12 === undefined ? undefined : sh12.extensions.includes(0xff01), [first12]),
      extendedMasterSecret: fact(sh12 === undefined ? undefined : sh12.extensions.includes(23), [first12]),
      downgradeSentinel: fact(sh12 === undefined || tls13Accepted !== true ? undefined : sh12.downgradeSentinel === 'tls12', [first12]),
    },
    tolerance: {
      unknownExtension: tolerance(unknownExt, helloLengthOf('tolerance:unknown-extension')),
      grease: tolerance(greaseEv, helloLengthOf('tolerance:grease')),
      helloIn256To511: tolerance(h400, helloLengthOf('tolerance:hello-400')),
      helloOver512: tolerance(h600, helloLengthOf('tolerance:hello-600')),
      helloOver16k: tolerance(h17k, helloLengthOf('tolerance:hello-17000')),
    },
    probes: s.probes,
  };
}

/**
 * Send a key_share only for the second group the server accepted (one puretls can generate) and
 * supported_groups in the order found: a HelloRetryRequest for the first means the server insists
 * on its preference; a ServerHello with the sent group means it takes the share it got.
 */
async function hrrTest(s: Scanner, rm: Removal): Promise<Fact<boolean>> {
  const preferred = rm.found[0]?.entry;
  const other = rm.found.slice(1).find((f) => isSupportedKeyExchangeGroup(f.entry.code))?.entry;
  if (preferred === undefined || other === undefined) return fact(undefined, []);
  const share = generateKeyShare(other.code);
  const ev = await s.probe('tls13-hrr-share', `groups ${preferred.name},${other.name}; key_share ${other.name} only`, tls13Spec(s, TLS13_CODES, [preferred.code, other.code], [shareEntry(share)]));
  if (ev === undefined) return fact(undefined, []);
  const r = ev.reply;
  // An HRR without a group (e.g. only a cookie, a stateless server) says nothing about groups.
  if (r.kind === 'hello-retry-request') return fact(r.selectedGroup === undefined ? undefined : r.selectedGroup === preferred.code, [ev]);
  if (r.kind === 'server-hello' && r.group === other.code) return fact(false, [ev]);
  return fact(undefined, [ev]);
}

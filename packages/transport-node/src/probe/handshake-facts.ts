/**
 * The handshake-based part of `puretls probe`: full handshakes and resumptions through
 * puretls's public client (connect() with a session Context), each step one or two connections:
 * the default handshake (TLS 1.3 preferred; certificate chain, OCSP staple per RFC 6066 §8, SCTs
 * per RFC 6962 §3.3, ALPN per RFC 7301, record_size_limit per RFC 8449, KeyUpdate per RFC 8446
 * §4.6.3, close_notify per RFC 8446 §6.1), TLS 1.3 resumption (RFC 8446 §2.2, §4.2.9 psk_ke / psk_dhe_ke, §4.6.1
 * ticket lifetime and max_early_data_size, ticket reuse, a ticket used after a delay), and TLS 1.2
 * resumption by session ID (RFC 5246 §7.4.1.2) and by ticket (RFC 5077).
 * @module
 */
import { Context, Session } from '@puretls/session';
import { type ClientConfigOptions, type ResumptionData, type TrustStore } from '@puretls/tls-core';
import { SUPPORTED_KEY_EXCHANGE_GROUPS } from '@puretls/tls-core/wire';
import { x25519MLKEM768 } from '@puretls/tls-core/pq';
import { ocspStapleChecker } from '@puretls/tls-core/ocsp';
import { cipherInfo, groupName, signatureSchemeName } from '../names.ts';
import { certificateFacts } from './certificates.ts';
import { sctFacts } from './scts.ts';
import type { Dialer } from './dial.ts';
import { observe, type Observation } from './connection.ts';
import type { BehaviourFacts, CertificateFacts, HandshakeFacts, ResumptionFacts, Tls12ResumptionFacts, Tls13ResumptionFacts } from './report.ts';

/** Settings of the handshake steps. */
export interface HandshakeStepOptions {
  readonly servername: string;
  readonly trustStore: TrustStore;
  readonly trustSource: string;
  /** How long an unused ticket waits before it is offered (ms; 0 skips that step). */
  readonly ticketDelayMs: number;
  /** How long to wait for the server's KeyUpdate and close_notify (ms). */
  readonly answerWaitMs: number;
  /**
   * What to send as 0-RTT early data when a ticket allows it (an HTTP HEAD request by default:
   * early data is application data, and the server may act on it); undefined skips the 0-RTT step
   * (after STARTTLS: the application protocol is not HTTP).
   */
  readonly earlyData?: Uint8Array | undefined;
  readonly now: () => number;
  readonly progress: (step: string) => void;
}

/** The facts these steps find. */
export interface HandshakeStepFacts {
  readonly handshake: HandshakeFacts | null;
  readonly certificate: CertificateFacts | null;
  readonly resumption: ResumptionFacts;
  readonly behaviour: BehaviourFacts;
  readonly notes: string[];
}

/** Offered in every connection, so that ALPN's answer is visible; sessions carry it (one security domain). */
export const PROBE_ALPN = ['h2', 'http/1.1'] as const;

/** The record_size_limit puretls offers (the largest RFC 8449 allows for TLS 1.3). */
export const PROBE_RECORD_SIZE_LIMIT = 16385;

/**
 * Run the handshake steps (at most 9 connections).
 * @throws BudgetExhausted when the dialer's budget runs out
 */
export async function handshakeSteps(dialer: Dialer, options: HandshakeStepOptions): Promise<HandshakeStepFacts> {
  const notes: string[] = [];
  const base: ClientConfigOptions & { alpnProtocols?: string[] } = {
    trustStore: options.trustStore,
    verifyCertificates: false, // the chain is judged in certificates.ts; a bad one must not stop the probe
    alpnProtocols: [...PROBE_ALPN],
    // Every group puretls has, the hybrid last (a key share for the first only; a server wanting
    // another asks with a HelloRetryRequest), so that a server with one group still completes.
    groups: [...SUPPORTED_KEY_EXCHANGE_GROUPS, x25519MLKEM768],
    traceMessages: true,
    now: options.now,
    ocspStapleChecker, // the probe asks for a staple and reports what it says
  };
  const context = (extra: ClientConfigOptions): Context => new Context({ ...base, ...extra, sessionCacheMode: 'off' });
  const plan = { servername: options.servername, answerWaitMs: options.answerWaitMs };

  options.progress('full handshake');
  let main = await observe(dialer, { ...plan, context: context({ statusRequest: true, signedCertificateTimestamps: true, recordSizeLimit: PROBE_RECORD_SIZE_LIMIT }), keyUpdate: true });
  // A server that answers with a protocol we did not offer is refused (RFC 7301 §3.2): note it,
  // and make every other connection without ALPN so that the rest of the probe still runs.
  let unofferedAlpn: string | null = null;
  if (main.error !== undefined && /SelectedUnofferedApplicationProtocol/.test(main.error.message)) {
    unofferedAlpn = /\(([^)]*)\)/.exec(main.error.message)?.[1] ?? '?';
    notes.push(`connection ${main.index}: the server selected ALPN ${unofferedAlpn}, which was not offered: refused (RFC 7301 §3.2); the other connections offer no ALPN`);
    delete base.alpnProtocols;
    main = await observe(dialer, { ...plan, context: context({ statusRequest: true, signedCertificateTimestamps: true, recordSizeLimit: PROBE_RECORD_SIZE_LIMIT }), keyUpdate: true });
  }
  const n = main.negotiated;
  if (main.error !== undefined) notes.push(`connection ${main.index} (full handshake, puretls defaults): ${main.error.message.replace(/^tls: /, '')}`);
  const handshake: HandshakeFacts | null =
    n === undefined
      ? null
      : {
          version: n.versionName,
          suite: cipherInfo(n.suite).standardName,
          group: n.group === undefined ? null : groupName(n.group),
          signatureScheme: n.signatureScheme === undefined ? null : signatureSchemeName(n.signatureScheme),
          evidence: `connection ${main.index}: ServerHello and the server's signature`,
        };
  let certificate: CertificateFacts | null = null;
  if (main.certificates.length > 0) {
    const facts = certificateFacts(main.certificates, options.trustStore, options.trustSource, options.servername, options.now());
    certificate = {
      ...facts,
      ...(n === undefined
        ? {}
        : {
            ocsp: {
              stapled: n.ocspResponse !== undefined,
              status: n.ocspStatus ?? 'none',
              evidence: `connection ${main.index}: status_request offered; ${n.ocspResponse === undefined ? 'no staple' : `a ${n.ocspResponse.length}-byte OCSPResponse stapled, checked against the leaf and its issuer`}`,
            },
          }),
      sct: sctFacts({ connection: main.index, tlsExtension: n?.signedCertificateTimestamps, leaf: main.certificates[0], ocspResponse: n?.ocspResponse }),
    };
  }
  const behaviour: BehaviourFacts =
    n === undefined
      ? { alpn: null, keyUpdate: null, closeNotify: null, recordSizeLimit: null }
      : {
          alpn:
            unofferedAlpn === null
              ? { offered: [...PROBE_ALPN], selected: n.alpn ?? null, unofferedSelected: null, evidence: `connection ${main.index}: ${n.alpn === undefined ? 'no ALPN extension in the server answer' : `the server selected ${n.alpn}`}` }
              : { offered: [...PROBE_ALPN], selected: null, unofferedSelected: unofferedAlpn, evidence: `connection ${main.index - 1}: the server selected ${unofferedAlpn}, not offered; the handshake was refused` },
          keyUpdate:
            main.keyUpdateAnswered === undefined
              ? null
              : {
                  answered: main.keyUpdateAnswered,
                  waitedMs: options.answerWaitMs,
                  evidence: `connection ${main.index}: KeyUpdate(update_requested) sent after the handshake, ${main.keyUpdateAnswered ? 'the server sent its KeyUpdate' : `no KeyUpdate from the server within ${options.answerWaitMs} ms (no application data was sent)`}`,
                },
          closeNotify:
            main.closeNotifyReceived === undefined
              ? null
              : {
                  sent: main.closeNotifyReceived,
                  evidence: `connection ${main.index}: after our close_notify the server ${main.closeNotifyReceived ? 'sent close_notify' : 'closed or went silent without close_notify'}`,
                },
          recordSizeLimit: {
            offered: PROBE_RECORD_SIZE_LIMIT,
            serverLimit: n.recordSizeLimit?.send ?? null,
            evidence: `connection ${main.index}: ${n.recordSizeLimit === undefined ? 'the server did not answer record_size_limit' : `the server's record_size_limit is ${n.recordSizeLimit.send}`}`,
          },
        };

  let tls13: Tls13ResumptionFacts | null = null;
  let tls12: Tls12ResumptionFacts | null = null;
  if (n?.versionName === 'TLSv1.3') tls13 = await tls13Resumption(dialer, main, context, plan, options);
  options.progress('TLS 1.2 resumption');
  const tls12Try = await tls12Resumption(dialer, context, plan);
  if ('facts' in tls12Try) tls12 = tls12Try.facts;
  else notes.push(tls12Try.note);
  return { handshake, certificate, resumption: { tls13, tls12 }, behaviour, notes };
}

type Plan = { servername: string; answerWaitMs: number };

async function tls13Resumption(dialer: Dialer, main: Observation, context: (extra: ClientConfigOptions) => Context, plan: Plan, options: HandshakeStepOptions): Promise<Tls13ResumptionFacts> {
  options.progress('TLS 1.3 resumption');
  const evidence: string[] = [];
  const dhe = context({ pskModes: ['psk_dhe_ke'] });
  const tickets = main.sessions.map((bytes) => ({ bytes, data: dataOf(dhe, bytes), at: options.now() }));
  const lifetimes = tickets.map((t) => t.data?.lifetimeSeconds ?? 0);
  const maxEarly = tickets.reduce((m, t) => Math.max(m, t.data?.maxEarlyData ?? 0), 0);
  evidence.push(`connection ${main.index}: ${tickets.length} NewSessionTicket(s), lifetimes ${lifetimes.join(', ') || '-'} s, max_early_data_size ${maxEarly}`);
  const pool = tickets.slice(1);
  const first = tickets[0];
  let pskDheKe: boolean | null = null;
  let pskKe: boolean | null = null;
  let reuse: Tls13ResumptionFacts['reuse'] = null;
  let afterDelay: Tls13ResumptionFacts['afterDelay'] = null;
  let earlyAccepted: boolean | null = null;
  if (first !== undefined) {
    const a = await observe(dialer, { ...plan, context: dhe, session: first.bytes });
    pskDheKe = a.resumed;
    evidence.push(`connection ${a.index}: ticket 1 offered with psk_dhe_ke: ${a.resumed ? `resumed (group ${a.negotiated?.group === undefined ? 'none' : groupName(a.negotiated.group)})` : 'full handshake'}`);
    pool.push(...a.sessions.map((bytes) => ({ bytes, data: dataOf(dhe, bytes), at: options.now() })));
    if (a.resumed) {
      const b = await observe(dialer, { ...plan, context: dhe, session: first.bytes });
      reuse = b.resumed ? 'reusable' : 'single-use';
      evidence.push(`connection ${b.index}: ticket 1 offered again: ${b.resumed ? 'resumed again' : 'full handshake'}`);
      pool.push(...b.sessions.map((bytes) => ({ bytes, data: dataOf(dhe, bytes), at: options.now() })));
    }
    const forKe = pool.shift();
    if (forKe !== undefined) {
      const c = await observe(dialer, { ...plan, context: context({ pskModes: ['psk_ke'] }), session: forKe.bytes });
      pskKe = c.resumed && c.negotiated?.group === undefined;
      evidence.push(`connection ${c.index}: an unused ticket offered with psk_ke only: ${c.resumed ? (c.negotiated?.group === undefined ? 'resumed without key exchange' : 'resumed with a key exchange') : 'full handshake'}`);
      pool.push(...c.sessions.map((bytes) => ({ bytes, data: dataOf(dhe, bytes), at: options.now() })));
    } else evidence.push('psk_ke not tested: no unused ticket left');
    // 0-RTT (RFC 8446 §4.2.10): an unused ticket that allows early data, offered with it.
    const payload = options.earlyData;
    const forEarly = maxEarly > 0 && payload !== undefined ? pool.findIndex((t) => (t.data?.maxEarlyData ?? 0) > 0) : -1;
    if (payload !== undefined && forEarly >= 0) {
      const ticket = pool.splice(forEarly, 1)[0]!;
      const e = await observe(dialer, { ...plan, context: dhe, session: ticket.bytes, earlyData: payload });
      earlyAccepted = e.earlyData === undefined || e.earlyData === 'not-offered' ? null : e.earlyData === 'accepted';
      evidence.push(`connection ${e.index}: an unused ticket offered with ${payload.length} bytes of early data: ${e.earlyData ?? 'handshake failed'}${e.resumed ? ', resumed' : ', full handshake'}`);
      pool.push(...e.sessions.map((bytes) => ({ bytes, data: dataOf(dhe, bytes), at: options.now() })));
    } else if (maxEarly > 0) evidence.push(payload === undefined ? '0-RTT not tested (after STARTTLS)' : '0-RTT not tested: no unused ticket allowing early data left');
    const late = pool.shift();
    if (late !== undefined && options.ticketDelayMs > 0) {
      const wait = late.at + options.ticketDelayMs - options.now();
      options.progress(`waiting ${Math.max(0, wait)} ms before offering a ticket`);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const d = await observe(dialer, { ...plan, context: dhe, session: late.bytes });
      const delayMs = options.now() - late.at;
      afterDelay = { delayMs: options.ticketDelayMs, resumed: d.resumed };
      evidence.push(`connection ${d.index}: an unused ticket offered ${delayMs} ms after it arrived: ${d.resumed ? 'resumed' : 'full handshake'}`);
    }
  } else evidence.push('no ticket: resumption not tested');
  return { ticketsPerHandshake: tickets.length, ticketLifetimesSeconds: lifetimes, pskDheKe, pskKe, reuse, afterDelay, earlyData: { advertisedMaxSize: maxEarly, acceptanceTested: earlyAccepted !== null, accepted: earlyAccepted }, evidence };
}

async function tls12Resumption(dialer: Dialer, context: (extra: ClientConfigOptions) => Context, plan: Plan): Promise<{ facts: Tls12ResumptionFacts } | { note: string }> {
  const evidence: string[] = [];
  const withTicket = context({ maxVersion: 'TLSv1.2' });
  const a = await observe(dialer, { ...plan, context: withTicket });
  if (a.negotiated === undefined) return { note: `connection ${a.index} (TLS 1.2 only): ${a.error?.message.replace(/^tls: /, '') ?? 'no handshake'}; TLS 1.2 resumption not tested` };
  const sessionA = a.sessions.at(-1);
  const dataA = sessionA === undefined ? undefined : dataOf(withTicket, sessionA);
  const ticketIssued = dataA?.version === 'TLSv1.2' && dataA.ticketLength > 0;
  const ticketLifetimeSeconds = ticketIssued ? dataA.lifetimeSeconds : null;
  evidence.push(`connection ${a.index}: TLS 1.2 with session_ticket: ${ticketIssued ? `NewSessionTicket, lifetime hint ${ticketLifetimeSeconds ?? 0} s` : 'no ticket'}`);
  let ticketResumed: boolean | null = null;
  if (ticketIssued && sessionA !== undefined) {
    const b = await observe(dialer, { ...plan, context: withTicket, session: sessionA });
    ticketResumed = b.resumed;
    evidence.push(`connection ${b.index}: the ticket offered: ${b.resumed ? 'resumed' : 'full handshake'}`);
  }
  const noTicket = context({ maxVersion: 'TLSv1.2', sessionTickets: false });
  const c = await observe(dialer, { ...plan, context: noTicket });
  const sessionC = c.sessions.at(-1);
  const dataC = sessionC === undefined ? undefined : dataOf(noTicket, sessionC);
  const sessionIdIssued = dataC?.version === 'TLSv1.2' && dataC.sessionIdLength > 0 && dataC.ticketLength === 0;
  evidence.push(`connection ${c.index}: TLS 1.2 without session_ticket: ${sessionIdIssued ? `session ID of ${dataC.sessionIdLength} bytes` : 'no session ID'}`);
  let sessionIdResumed: boolean | null = null;
  if (sessionIdIssued && sessionC !== undefined) {
    const d = await observe(dialer, { ...plan, context: noTicket, session: sessionC });
    sessionIdResumed = d.resumed;
    evidence.push(`connection ${d.index}: the session ID offered: ${d.resumed ? 'resumed' : 'full handshake'}`);
  }
  return { facts: { sessionIdIssued, sessionIdResumed, ticketIssued, ticketLifetimeSeconds, ticketResumed, evidence } };
}

/** The public facts of serialized session bytes (the Session is freed at once, wiping its secret). */
interface SessionFacts {
  readonly version: 'TLSv1.3' | 'TLSv1.2';
  readonly lifetimeSeconds: number;
  readonly maxEarlyData: number;
  readonly ticketLength: number;
  readonly sessionIdLength: number;
}

function dataOf(context: Context, bytes: Uint8Array): SessionFacts | undefined {
  let session: Session;
  try {
    session = Session.fromBytes(context, bytes);
  } catch {
    return undefined;
  }
  const data: ResumptionData = session.resumptionData();
  const facts: SessionFacts =
    data.version === 'TLSv1.3'
      ? { version: data.version, lifetimeSeconds: data.lifetimeSeconds, maxEarlyData: data.maxEarlyData, ticketLength: data.ticket.length, sessionIdLength: 0 }
      : { version: data.version, lifetimeSeconds: data.lifetimeSeconds, maxEarlyData: 0, ticketLength: data.ticket?.length ?? 0, sessionIdLength: data.sessionId.length };
  session.free();
  return facts;
}

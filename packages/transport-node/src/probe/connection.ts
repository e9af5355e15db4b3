/**
 * One probe connection through puretls's public client API: `connect({ socket, context })` over a
 * socket from the probe's {@link Dialer}, with a session Context whose settings the step chooses
 * (versions, PSK modes, tickets, OCSP, record_size_limit). It records what the connection showed:
 * the negotiated parameters, every new session (RFC 8446 §4.6.1 NewSessionTicket, RFC 5077
 * ticket, RFC 5246 session ID), the server's Certificate message (also for a refused chain),
 * whether the server answered a KeyUpdate with update_requested (RFC 8446 §4.6.3), and whether it
 * answered our close_notify with its own (RFC 8446 §6.1).
 * @module
 */
import type { Context } from '@puretls/session';
import type { MessageEvent, NegotiatedParameters } from '@puretls/tls-core';
import { connect } from '../connect.ts';
import { certificateList } from '../peer-certificate.ts';
import type { TLSSocket } from '../tls-socket.ts';
import type { Dialer } from './dial.ts';

/** What one connection showed. */
export interface Observation {
  /** 1-based number of this connection among the probe's connections. */
  readonly index: number;
  readonly negotiated: NegotiatedParameters | undefined;
  readonly resumed: boolean;
  /** Serialized sessions (Session.toBytes()) in arrival order. */
  readonly sessions: Uint8Array[];
  /** The certificate_list of the server's Certificate message (empty when none was seen). */
  readonly certificates: Uint8Array[];
  /** TLS 1.3 KeyUpdate(update_requested) sent: did the server's KeyUpdate come back? undefined: not tried. */
  readonly keyUpdateAnswered: boolean | undefined;
  /** After our close_notify: true when the server's close_notify came, false on a bare EOF / reset / silence. */
  readonly closeNotifyReceived: boolean | undefined;
  /** Why the connection failed, if it did. */
  readonly error: Error | undefined;
  /** With `plan.earlyData`: what became of it ('accepted', 'rejected', 'not-offered'); undefined otherwise or when the handshake failed. */
  readonly earlyData?: 'accepted' | 'rejected' | 'not-offered' | undefined;
}

/** What a step asks of one connection. */
export interface ConnectionPlan {
  readonly context: Context;
  readonly servername: string;
  /** Send SNI (false for IP literals, RFC 6066 §3; connect() decides). */
  readonly session?: Uint8Array | undefined;
  /** Send KeyUpdate(update_requested) after the handshake and wait for the answer. */
  readonly keyUpdate?: boolean;
  /** Offer these bytes as TLS 1.3 0-RTT early data with the session (docs/early-data.md). */
  readonly earlyData?: Uint8Array | undefined;
  /** How long to wait for an answer to KeyUpdate / close_notify (ms). */
  readonly answerWaitMs: number;
}

/**
 * Run one connection: handshake, optional KeyUpdate, then close_notify and read until the server
 * closes (which also collects the tickets it sends after the handshake).
 * @returns the observation; never throws for server behaviour (it lands in `error`)
 * @throws BudgetExhausted when the dialer's budget is spent
 */
export async function observe(dialer: Dialer, plan: ConnectionPlan): Promise<Observation> {
  const index = dialer.opened + 1;
  let socket;
  try {
    socket = await dialer.dial();
  } catch (e) {
    if ((e as Error).name === 'BudgetExhausted') throw e;
    return { index, negotiated: undefined, resumed: false, sessions: [], certificates: [], keyUpdateAnswered: undefined, closeNotifyReceived: undefined, error: e as Error };
  }
  const tls = connect({
    socket,
    host: dialer.target.host,
    port: dialer.target.port,
    servername: plan.servername,
    context: plan.context,
    ...(plan.session === undefined ? {} : { session: plan.session }),
    ...(plan.earlyData === undefined ? {} : { earlyData: plan.earlyData }),
    handshakeTimeout: dialer.deadlineMs,
    allowUnauthenticatedEnd: true,
  });
  return run(tls, plan, index, dialer.deadlineMs);
}

function run(tls: TLSSocket, plan: ConnectionPlan, index: number, deadlineMs: number): Promise<Observation> {
  const sessions: Uint8Array[] = [];
  let certificates: Uint8Array[] = [];
  let keyUpdateAnswered: boolean | undefined;
  let closeNotifyReceived: boolean | undefined;
  let error: Error | undefined;
  let keyUpdateSent = false;
  let secure = false;
  let answered: (() => void) | undefined;
  tls.on('session', (bytes: Uint8Array) => sessions.push(new Uint8Array(bytes)));
  tls.on('message', (event: MessageEvent) => {
    if (event.direction === 'received' && event.contentType === 22 && event.body[0] === 11) certificates = certificateList(event.body, event.version ?? 'TLSv1.3');
  });
  tls.on('keyUpdate', (event: { direction: string }) => {
    if (keyUpdateSent && event.direction === 'received') {
      keyUpdateAnswered = true;
      answered?.();
    }
  });
  tls.on('error', (e: Error) => (error ??= e));
  tls.on('data', () => {}); // whatever the server sends (a banner, an echo) is read and dropped
  const wait = (ms: number, until: (wake: () => void) => void): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      until(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  tls.once('secureConnect', () => {
    secure = true;
    void (async () => {
      if (plan.keyUpdate === true && tls.getProtocol() === 'TLSv1.3') {
        keyUpdateSent = true;
        keyUpdateAnswered = false;
        try {
          tls.updateKeys(true);
          await wait(plan.answerWaitMs, (wake) => (answered = wake));
        } catch (e) {
          error ??= e as Error;
        }
      }
      closeNotifyReceived = false;
      tls.end();
    })();
  });
  tls.once('end', () => {
    if (closeNotifyReceived === false) closeNotifyReceived = !tls.unauthenticatedEnd;
  });
  return new Promise((resolve) => {
    // After our close_notify, a server that never closes is cut off after answerWaitMs.
    const hardStop = setTimeout(() => tls.destroy(), deadlineMs + plan.answerWaitMs * 2);
    const closeWait = (): void => {
      setTimeout(() => tls.destroy(), plan.answerWaitMs).unref();
    };
    tls.once('finish', closeWait);
    tls.once('close', () => {
      clearTimeout(hardStop);
      resolve({
        index,
        negotiated: secure ? tls.negotiated : undefined,
        resumed: tls.isSessionReused(),
        sessions,
        certificates,
        keyUpdateAnswered,
        closeNotifyReceived,
        earlyData: secure ? tls.earlyDataStatus : undefined,
        // After the handshake a reset or an EOF is the close behaviour being observed, not a failure.
        error: secure ? undefined : (error ?? new Error('the connection closed before the handshake completed')),
      });
    });
  });
}

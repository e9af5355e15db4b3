/**
 * The probe's connection budget and dialer: every connection `puretls probe` opens goes through
 * one {@link Dialer}, which counts it against a fixed budget (at most 60 per probe, issue #17),
 * opens the TCP connection, runs the `--starttls` plaintext exchange (cli/starttls.ts: SMTP
 * RFC 3207, IMAP RFC 3501, POP3 RFC 2595, FTP RFC 4217, XMPP RFC 6120) and bounds the whole
 * connection by a per-connection deadline. A refused dial (budget spent) is a typed error,
 * never a silent skip.
 * @module
 */
import { connect as netConnect, type Socket } from 'node:net';
import { startTls, type StartTlsProtocol } from '../cli/starttls.ts';

/** The budget is spent: the probe reports the facts it could not gather as not tested. */
export class BudgetExhausted extends Error {
  override name = 'BudgetExhausted';
}

/** A connection that did not finish within the per-connection deadline. */
export class ConnectionDeadline extends Error {
  override name = 'ConnectionDeadline';
}

/** Where and how to connect. */
export interface DialTarget {
  readonly host: string;
  readonly port: number;
  readonly starttls?: StartTlsProtocol | undefined;
  /** The name for XMPP's `to=` (default: the host). */
  readonly starttlsName?: string | undefined;
}

/** Counts and opens the probe's connections. */
export class Dialer {
  readonly target: DialTarget;
  /** Most connections this dialer opens. */
  readonly budget: number;
  /** Milliseconds a single connection may take, TCP connect to close. */
  readonly deadlineMs: number;
  #opened = 0;

  constructor(target: DialTarget, budget: number, deadlineMs: number) {
    this.target = target;
    this.budget = budget;
    this.deadlineMs = deadlineMs;
  }

  /** Connections opened so far (each counts once it is attempted). */
  get opened(): number {
    return this.#opened;
  }

  /** Connections left. */
  get remaining(): number {
    return this.budget - this.#opened;
  }

  /**
   * Open one TCP connection (and run STARTTLS) ready for a ClientHello. The socket is destroyed
   * when the deadline passes; the caller ends it when done.
   * @throws BudgetExhausted when the budget is spent, ConnectionDeadline, or the socket / STARTTLS error
   */
  async dial(): Promise<Socket> {
    if (this.#opened >= this.budget) throw new BudgetExhausted(`connection budget of ${this.budget} spent`);
    this.#opened++;
    const tcp = netConnect({ host: this.target.host, port: this.target.port });
    const timer = setTimeout(() => tcp.destroy(new ConnectionDeadline(`no answer within ${this.deadlineMs} ms`)), this.deadlineMs);
    timer.unref();
    tcp.once('close', () => clearTimeout(timer));
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('connect', resolve);
        tcp.once('error', reject);
      });
      if (this.target.starttls !== undefined) await startTls(this.target.starttls, tcp, this.target.starttlsName ?? this.target.host);
    } catch (e) {
      tcp.destroy();
      throw e;
    }
    return tcp;
  }
}

/** The probe's default connection budget (issue #17: at most 60 connections per server). */
export const DEFAULT_CONNECTION_BUDGET = 60;

/** The default per-connection deadline in ms. */
export const DEFAULT_CONNECTION_DEADLINE_MS = 5000;

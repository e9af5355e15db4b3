/**
 * The assertions every hostile-server case shares: the client failed with the expected TlsError
 * class and reason, exactly once, without hanging; and the last record it wrote is exactly one
 * fatal alert with the expected description, read and decrypted by the server (under the key the
 * case names).
 */
import { expect } from 'vitest';
import type { TlsError } from '@puretls/tls-core';
import type { ClientRecord, Peer, RunResult } from './server.ts';
import { ALERT, CT } from './wire.ts';

export interface Rejection {
  /** The TlsError subclass. */
  error: abstract new (...args: never[]) => TlsError;
  /** Its `reason` field, when the class has one. */
  reason?: string;
  /** The alert description seen on the wire (fatal), or null for "no alert at all". */
  alert: number | null;
  /** The protection the alert record was under: 'plaintext', 'client hs', 'client app', 'client' (TLS 1.2). */
  key?: string;
  /** The failure came after 'secureConnect' (default: before). */
  afterHandshake?: boolean;
}

/** The server's script after a resumed handshake: the text 'resumed', then close_notify. */
export async function sendResumedAndClose(p: Peer): Promise<void> {
  await p.clientConnected;
  p.data(Buffer.from('resumed'));
  p.alert(1, ALERT.close_notify);
}

/** The client resumed without error and read what {@link sendResumedAndClose} sent. */
export function expectResumed(r: RunResult<ClientRecord[]>): void {
  expect(r.client.error).toBeUndefined();
  expect(r.client.socket.isSessionReused()).toBe(true);
  expect(r.client.data.toString()).toBe('resumed');
}

export function alertsOf(records: readonly ClientRecord[]): ClientRecord[] {
  return records.filter((r) => r.type === CT.Alert);
}

export function expectRejected(r: RunResult<ClientRecord[]>, x: Rejection): void {
  const { client } = r;
  expect(client.hung, 'the client must not hang').toBe(false);
  expect(client.error, `expected ${x.error.name}${x.reason === undefined ? '' : ` ${x.reason}`}`).toBeInstanceOf(x.error);
  if (x.reason !== undefined) expect((client.error as { reason?: string }).reason).toBe(x.reason);
  expect(client.errorCount, "'error' exactly once").toBe(1);
  expect(client.connected, 'secureConnect').toBe(x.afterHandshake === true);
  const records = r.value;
  expect(records.filter((rec) => rec.key === 'undecryptable'), 'every client record must decrypt under a key the server derived').toEqual([]);
  const alerts = alertsOf(records);
  if (x.alert === null) {
    expect(alerts, 'no alert').toEqual([]);
    return;
  }
  expect(alerts.map((a) => [...a.content]), 'exactly one fatal alert').toEqual([[2, x.alert]]);
  expect(records[records.length - 1]!.type, 'the alert is the last record').toBe(CT.Alert);
  if (x.key !== undefined) expect(alerts[0]!.key, 'the key the alert was sent under').toBe(x.key);
}

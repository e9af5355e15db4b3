/**
 * The key-log comparison of a 0-RTT connection (runner/keylog.ts): the client's early secrets
 * (CLIENT_EARLY_TRAFFIC_SECRET, EARLY_EXPORTER_SECRET, RFC 8446 §7.1) are compared whenever the
 * server logged them; they are left out only for a connection whose early data the server
 * rejected and for which it derived none (a restarted server, a replay).
 */
import { describe, expect, it } from 'vitest';
import { fileKeylogCheck } from '../src/runner/keylog.ts';

const R = 'ab'.repeat(32);
const line = (label: string, secret: string): string => `${label} ${R} ${secret.repeat(32)}`;
const handshake = [line('CLIENT_HANDSHAKE_TRAFFIC_SECRET', '01'), line('SERVER_HANDSHAKE_TRAFFIC_SECRET', '02'), line('CLIENT_TRAFFIC_SECRET_0', '03'), line('SERVER_TRAFFIC_SECRET_0', '04'), line('EXPORTER_SECRET', '05')];
const early = [line('CLIENT_EARLY_TRAFFIC_SECRET', '06'), line('EARLY_EXPORTER_SECRET', '07')];
const leg = (keylog: readonly string[], server: readonly string[], earlyDataRejected: boolean) => ({
  prefix: 'second connection ',
  keylog,
  log: { output: '', keylog: server },
  version: 'TLSv1.3',
  earlyDataRejected,
});

describe('key log comparison with 0-RTT', () => {
  it('accepted: the early secrets must be on both sides', () => {
    expect(fileKeylogCheck(leg([...early, ...handshake], [...early, ...handshake], false), false).status).toBe('pass');
    expect(fileKeylogCheck(leg([...early, ...handshake], handshake, false), false).status).toBe('fail');
  });

  it('rejected, the server derived no early secrets: the client early lines are left out (and the rest still compared)', () => {
    const result = fileKeylogCheck(leg([...early, ...handshake], handshake, true), false);
    expect(result.status).toBe('pass');
    expect(result.name).toContain('client early secrets left out');
    expect(fileKeylogCheck(leg([...early, ...handshake.slice(1), line('CLIENT_HANDSHAKE_TRAFFIC_SECRET', '99')], handshake, true), false).status).toBe('fail');
  });

  it('rejected, but the server logged early secrets: they are compared', () => {
    expect(fileKeylogCheck(leg([line('CLIENT_EARLY_TRAFFIC_SECRET', '99'), ...handshake], [...early, ...handshake], true), false).status).toBe('fail');
  });
});

/**
 * Closure (RFC 8446 §6.1; RFC 5246 §7.2.1), issue 10 defect 5: "Any data received after a closure
 * alert has been received MUST be ignored." Application data authenticated before the server's
 * close_notify is delivered, whatever arrives with it or after it in the same read; what follows
 * the alert is not parsed at all (no error, and no alert is sent after the peer's close_notify).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../../src/codec/bytes.ts';
import { ContentType } from '../../src/wire/enums.ts';
import { feed } from './helpers/harness.ts';
import { makeTestPki, type TestPki } from './helpers/pki.ts';
import { Server12 } from './helpers/server12.ts';
import { Server13 } from './helpers/server13.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

/** Junk that would be an error if it were parsed: a bad record header, and a forged record. */
const JUNKS: readonly (readonly [string, Uint8Array])[] = [
  ['an unknown content type', Uint8Array.of(0xff, 3, 3, 0, 2, 1, 2)],
  ['a record version from another protocol', Uint8Array.of(23, 9, 9, 0, 1, 0)],
  ['an application_data record that does not authenticate', Uint8Array.of(23, 3, 3, 0, 20, ...new Uint8Array(20).fill(0x5a))],
  ['a record longer than any limit', Uint8Array.of(23, 3, 3, 0xff, 0xff)],
];

for (const version of ['TLS 1.3', 'TLS 1.2'] as const) {
  describe(`${version}: application data ‖ close_notify ‖ junk in one read`, () => {
    const connected = (): Server13 | Server12 => {
      const s = version === 'TLS 1.3' ? new Server13(pki) : new Server12(pki);
      s.handshake();
      return s;
    };
    for (const [name, junk] of JUNKS) {
      it(`${name} after close_notify: the data is delivered, no error, no alert, a clean end`, () => {
        const s = connected();
        s.sendData(utf8('authenticated before the closure'));
        s.wire.record(ContentType.Alert, Uint8Array.of(1, 0));
        s.wire.raw(junk);
        expect(s.deliver()).toBeUndefined();
        expect(s.lastRecords, 'nothing is written in answer').toEqual([]);
        expect(fromUtf8(s.readAll())).toBe('authenticated before the closure');
        expect(s.conn.isClosed).toBe(true);
        expect(s.conn.error).toBeUndefined();
        // Later reads are ignored too; EOF is a clean end; our side may still write (half-close).
        expect(feed(s.conn, junk)).toBeUndefined();
        expect(() => s.conn.receiveEof()).not.toThrow();
        s.conn.write(utf8('still writing'));
        expect(fromUtf8(s.clientData(s.pump()))).toBe('still writing');
      });
    }
  });
}

/**
 * Record keys end with the directions they serve (docs/design.md, "Record-key retirement"): when
 * the transport is gone (`destroy()`), the keys of both directions are wiped, so nothing can be
 * sealed or opened with them any more (record/protect.test.ts covers retire() itself).
 * `destroy()` sends nothing and leaves `error` alone.
 */
for (const version of ['TLS 1.3', 'TLS 1.2'] as const) {
  describe(`${version}: record keys after closure and destroy()`, () => {
    const connected = (): Server13 | Server12 => {
      const s = version === 'TLS 1.3' ? new Server13(pki) : new Server12(pki);
      s.handshake();
      return s;
    };

    it('destroy() wipes both directions: nothing is sent, a later write or record throws UsageError (key wiped)', () => {
      const s = connected();
      s.conn.write(utf8('before'));
      expect(fromUtf8(s.clientData(s.pump()))).toBe('before');
      s.sendData(utf8('sealed before the destroy'));
      s.conn.destroy();
      s.conn.destroy(); // idempotent
      expect(s.conn.takeOutgoing(), 'no alert, no close_notify').toBeUndefined();
      expect(s.conn.error).toBeUndefined();
      const error = s.deliver();
      expect(error, 'the record that arrived is not opened').toMatchObject({ name: 'UsageError', message: expect.stringMatching(/key wiped/) });
      expect(s.conn.readPlaintext()).toBeUndefined();
      expect(s.conn.takeOutgoing(), 'no alert after a destroy either').toBeUndefined();
      expect(() => s.conn.write(utf8('after'))).toThrow(error!);

      const fresh = connected();
      fresh.conn.destroy();
      expect(() => fresh.conn.write(utf8('after'))).toThrow(/key wiped/);
    });
  });
}

/**
 * The guest side of an embedded run (docs/embedding.md): JavaScript text evaluated inside a bare
 * engine context (QuickJS, or a node:vm context with no TextEncoder/TextDecoder/crypto) after the
 * shipped IIFE bundle (`globalThis.puretls`). It uses only the bundle and one host function,
 * `hostRandom(n)` (n random bytes as hex); bytes cross the boundary as hex strings and results as
 * JSON, so any host that can call a function with a string and read a string back can drive it.
 *
 * Guest API (each returns a JSON string):
 * - `guest.connect(json)`: `{ config, host, port, session? }`; `config` are Context options
 *   (`caPem`, `cipherSuites`, `groups`, `keyShareGroups`, `minVersion`, `maxVersion`); a Context is
 *   reused while the same config is passed (a prepared context), `session` is a serialized
 *   Session (hex of `Session.toBytes()`). Returns the first flight.
 * - `guest.pump(hex)`: bytes from the server; `guest.write(text)`, `guest.close()`, `guest.eof()`.
 * Every result: `{ out, handshakeDone, closed, error?, info?, data, keylog, sessions }` where `out`
 * is the hex to send, `data` the text received so far, `sessions` serialized new Sessions (hex).
 * @module
 */
export const GUEST_SCRIPT = String.raw`
(function () {
  'use strict';
  var P = globalThis.puretls;
  var HEXCHARS = '0123456789abcdef';
  function hex(b) { var s = ''; for (var i = 0; i < b.length; i++) s += HEXCHARS[b[i] >> 4] + HEXCHARS[b[i] & 15]; return s; }
  function unhex(s) { var b = new Uint8Array(s.length >> 1); for (var i = 0; i < b.length; i++) b[i] = parseInt(s.substr(2 * i, 2), 16); return b; }
  function randomBytes(n) { return unhex(hostRandom(n)); }
  var context, contextKey, conn, data, keylog, sessions, handshakeDone, failure;
  function result() {
    var out = [];
    for (;;) { var b = conn.takeOutgoing(); if (b === undefined) break; out.push(hex(b)); }
    for (;;) { var p = conn.readPlaintext(); if (p === undefined) break; data += P.fromUtf8(p); }
    var events = conn.takeEvents();
    for (var i = 0; i < events.length; i++) {
      var e = events[i];
      if (e.type === 'handshakeDone') handshakeDone = true;
      if (e.type === 'keyLog') keylog.push(e.entry.line);
    }
    var n = conn.negotiated;
    var err = failure || conn.error;
    return JSON.stringify({
      out: out.join(''),
      handshakeDone: handshakeDone,
      closed: conn.isClosed,
      error: err === undefined ? undefined : { name: err.name, reason: err.reason, message: err.message },
      info: n === undefined || !handshakeDone ? undefined : { version: n.versionName, suite: n.suite, group: n.group, scheme: n.signatureScheme, resumed: n.sessionReused, hrr: n.helloRetryRequest },
      data: data,
      keylog: keylog,
      sessions: sessions,
    });
  }
  function guarded(fn) { try { fn(); } catch (e) { if (failure === undefined) failure = e; } return result(); }
  globalThis.guest = {
    connect: function (json) {
      var o = JSON.parse(json);
      var key = JSON.stringify(o.config);
      if (key !== contextKey) {
        var c = o.config;
        var options = { trustStore: P.TrustStore.fromPem(c.caPem), randomBytes: randomBytes, keyLog: true, sessionCacheMode: 'off' };
        for (var k in c) if (k !== 'caPem') options[k] = c[k];
        context = new P.Context(options);
        contextKey = key;
      }
      data = ''; keylog = []; sessions = []; handshakeDone = false; failure = undefined;
      conn = context.createConnection({ host: o.host, port: o.port, keyLog: true, onNewSession: function (s) { sessions.push(hex(s.toBytes())); } });
      if (o.session !== undefined) { var s = P.Session.fromBytes(context, unhex(o.session)); conn.setSession(s); s.free(); }
      return guarded(function () { conn.start(); });
    },
    pump: function (h) { return guarded(function () { conn.receive(unhex(h)); }); },
    write: function (text) { return guarded(function () { conn.write(P.utf8(text)); }); },
    close: function () { return guarded(function () { conn.close(); }); },
    eof: function () { return guarded(function () { conn.receiveEof(); }); },
    free: function () { if (conn !== undefined) conn.free(); conn = undefined; return '{}'; },
  };
})();
`;

/**
 * The client engine's halves of the handshake codec (wire/handshake.ts): encodeClientHandshake
 * writes exactly what encodeHandshake writes for every message a client sends, and
 * decodeServerHandshake reads every message a server sends as decodeHandshake does, while a
 * message type only a client sends (ClientHello, ClientKeyExchange, EndOfEarlyData) is refused
 * as unexpected_message (RFC 8446 §6.2, RFC 5246 §7.2.2) before its body is read.
 */
import { describe, expect, it } from 'vitest';
import { MESSAGE_SAMPLES } from './samples.ts';
import { decodeHandshake, decodeServerHandshake, encodeClientHandshake, encodeHandshake, type ClientHandshakeContent } from '../../src/wire/handshake.ts';
import { InappropriateMessage, alertFor } from '../../src/errors.ts';
import { AlertDescription, HandshakeType as H } from '../../src/wire/enums.ts';

const CLIENT_SENT: ReadonlySet<number> = new Set([H.ClientHello, H.ClientKeyExchange, H.EndOfEarlyData]);
const CLIENT_ENCODED: ReadonlySet<number> = new Set([H.ClientHello, H.Certificate, H.CertificateVerify, H.ClientKeyExchange, H.Finished, H.KeyUpdate, H.EndOfEarlyData]);

describe('client-side handshake codec', () => {
  it('the samples cover every message type a client sends and some it does not', () => {
    const types = new Set(MESSAGE_SAMPLES.map((s) => s.msg.type));
    for (const t of CLIENT_ENCODED) expect(types).toContain(t);
    expect([...types].filter((t) => !CLIENT_SENT.has(t)).length).toBeGreaterThan(5);
  });

  for (const sample of MESSAGE_SAMPLES) {
    const encoded = encodeHandshake(sample.msg);
    if (CLIENT_ENCODED.has(sample.msg.type)) {
      it(`${sample.name} (${sample.version}): encodeClientHandshake writes the same bytes as encodeHandshake`, () => {
        expect(encodeClientHandshake(sample.msg as ClientHandshakeContent)).toEqual(encoded);
      });
    }
    if (CLIENT_SENT.has(sample.msg.type)) {
      it(`${sample.name} (${sample.version}) from a server: unexpected_message, while decodeHandshake still reads it`, () => {
        expect(decodeHandshake(encoded, sample.version).type).toBe(sample.msg.type);
        let error: unknown;
        try {
          decodeServerHandshake(encoded.slice(), sample.version);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(InappropriateMessage);
        expect(alertFor(error)).toBe(AlertDescription.UnexpectedMessage);
      });
    } else {
      it(`${sample.name} (${sample.version}): decodeServerHandshake reads it as decodeHandshake does`, () => {
        expect(decodeServerHandshake(encoded.slice(), sample.version)).toEqual(decodeHandshake(encoded, sample.version));
      });
    }
  }

  it('an unknown message type is unexpected_message on both', () => {
    const unknown = Uint8Array.of(99, 0, 0, 0);
    expect(() => decodeHandshake(unknown, 'tls13')).toThrow(InappropriateMessage);
    expect(() => decodeServerHandshake(unknown.slice(), 'tls13')).toThrow(InappropriateMessage);
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EXTENSION_SAMPLES, MESSAGE_SAMPLES } from './samples.ts';
import { rfc8448 } from '@puretls/test-support/rfc8448';
import { Reader } from '../../src/codec/reader.ts';
import { TlsError } from '../../src/errors.ts';
import { decodeHandshake, decodeHandshakeHeader, encodeHandshake } from '../../src/wire/handshake.ts';
import type { WireVersion } from '../../src/wire/handshake.ts';
import { decodeRecordHeader } from '../../src/wire/record-header.ts';
import { decodeAlert } from '../../src/wire/alert.ts';
import { decodeExtensions, encodeExtensions } from '../../src/wire/extensions.ts';
import type { DecodeContext } from '../../src/wire/extensions.ts';
import { Writer } from '../../src/codec/writer.ts';
import { decodeClientHello } from '../../src/wire/client-hello.ts';
import { decodeServerHello } from '../../src/wire/server-hello.ts';
import { decodeEncryptedExtensions } from '../../src/wire/encrypted-extensions.ts';
import * as C from '../../src/wire/certificate.ts';
import { decodeCertificateVerify } from '../../src/wire/certificate-verify.ts';
import { decodeFinished } from '../../src/wire/finished.ts';
import * as T from '../../src/wire/new-session-ticket.ts';
import { decodeKeyUpdate } from '../../src/wire/key-update.ts';
import * as K from '../../src/wire/server-key-exchange.ts';
import { HandshakeType } from '../../src/wire/enums.ts';

const CONTEXTS: readonly DecodeContext[] = ['CH', 'SH', 'HRR', 'EE', 'CT', 'CR', 'NST'];
const VERSIONS: readonly WireVersion[] = ['tls13', 'tls12'];

/** Every decoder, each taking raw bytes. */
const DECODERS: readonly [string, (b: Uint8Array) => unknown][] = [
  ...VERSIONS.map((v) => [`decodeHandshake ${v}`, (b: Uint8Array) => decodeHandshake(b, v)] as [string, (b: Uint8Array) => unknown]),
  ['decodeHandshakeHeader', decodeHandshakeHeader],
  ['decodeRecordHeader', decodeRecordHeader],
  ['decodeAlert', decodeAlert],
  ...CONTEXTS.map(
    (ctx) => [`decodeExtensions ${ctx}`, (b: Uint8Array) => decodeExtensions(new Reader(b), ctx, 'Fuzz')] as [string, (b: Uint8Array) => unknown],
  ),
  ...(
    [
      decodeClientHello,
      decodeServerHello,
      decodeEncryptedExtensions,
      C.decodeCertificate13,
      C.decodeCertificate12,
      C.decodeCertificateRequest13,
      C.decodeCertificateRequest12,
      C.decodeCertificateStatus,
      decodeCertificateVerify,
      decodeFinished,
      T.decodeNewSessionTicket13,
      T.decodeNewSessionTicket12,
      decodeKeyUpdate,
      K.decodeServerKeyExchange,
      K.decodeClientKeyExchange,
    ] as ((r: Reader) => unknown)[]
  ).map((d) => [d.name, (b: Uint8Array) => d(new Reader(b))] as [string, (b: Uint8Array) => unknown]),
];

/** Run `f`; it must either return or throw a TlsError (never RangeError, TypeError, ...). */
function onlyTlsErrors(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof TlsError)) throw new Error(`non-TlsError escaped: ${String(e)}`, { cause: e });
    return undefined;
  }
}

const VALID: readonly [Uint8Array, WireVersion][] = [
  ...MESSAGE_SAMPLES.map((s) => [encodeHandshake(s.msg), s.version] as [Uint8Array, WireVersion]),
  ...(
    [
      [3, 'ClientHello', 0],
      [3, 'ServerHello', 0],
      [3, 'EncryptedExtensions', 0],
      [3, 'Certificate', 0],
      [3, 'NewSessionTicket', 0],
      [4, 'payload', 0],
      [5, 'ServerHello', 0],
      [6, 'CertificateRequest', 0],
    ] as const
  ).map(([sec, label, nth]) => [rfc8448(sec, label, nth), 'tls13'] as [Uint8Array, WireVersion]),
];

/** A valid encoding with a few random edits: flips, truncation, insertion, deletion. */
const mutated = fc
  .tuple(
    fc.constantFrom(...VALID),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'xor', 'insert', 'delete', 'truncate')), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([[bytes, version], edits]) => {
    let b = Array.from(bytes);
    for (const [pos, v, op] of edits) {
      const i = b.length === 0 ? 0 : pos % b.length;
      if (op === 'set') b[i] = v;
      else if (op === 'xor') b[i] = (b[i] ?? 0) ^ (v | 1);
      else if (op === 'insert') b.splice(i, 0, v);
      else if (op === 'delete') b.splice(i, 1);
      else b = b.slice(0, i);
    }
    return [Uint8Array.from(b), version] as const;
  });

/** Random bodies framed under a correct header of a random (mostly known) type, to reach deep decoders. */
const framed = fc
  .tuple(fc.constantFrom(...Object.values(HandshakeType), 3, 200), fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...VERSIONS))
  .map(([type, body, version]) => [new Uint8Array([type, 0, body.length >>> 8, body.length & 0xff, ...body]), version] as const);

/** Correctly framed extension lists with random types (mostly known) and random bodies. */
const extensionLists = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...EXTENSION_SAMPLES.map((s) => s.ext.type), 0x9999), fc.uint8Array({ maxLength: 40 })), {
      maxLength: 5,
    }),
    fc.constantFrom(...CONTEXTS),
  )
  .map(([exts, ctx]) => {
    // Framed by hand (not by encodeExtensions) so duplicate types reach the decoder too.
    const w = new Writer();
    w.prefixed(2, (w) => exts.forEach(([type, data]) => w.u16(type).opaque(2, data)));
    return [w.finish(), ctx] as const;
  });

describe('decoders on hostile input', () => {
  it.each(DECODERS)('%s throws only TlsError on arbitrary bytes', (_name, decode) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        onlyTlsErrors(() => decode(b));
      }),
      { numRuns: 300 },
    );
  });

  it('decodeHandshake throws only TlsError on mutated valid encodings, and what it accepts re-encodes stably', () => {
    fc.assert(
      fc.property(mutated, ([bytes, version]) => {
        const msg = onlyTlsErrors(() => decodeHandshake(bytes, version)) as ReturnType<typeof decodeHandshake> | undefined;
        if (msg === undefined) return;
        const again = decodeHandshake(encodeHandshake(msg), version);
        const { raw: _a, ...first } = msg;
        const { raw: _b, ...second } = again;
        expect(second).toEqual(first);
      }),
      { numRuns: 3000 },
    );
  });

  it('decodeHandshake throws only TlsError on random bodies under a correct header', () => {
    fc.assert(
      fc.property(framed, ([bytes, version]) => {
        onlyTlsErrors(() => decodeHandshake(bytes, version));
      }),
      { numRuns: 3000 },
    );
  });

  it('decodeExtensions throws only TlsError on framed random extension bodies in every context', () => {
    fc.assert(
      fc.property(extensionLists, ([bytes, ctx]) => {
        const exts = onlyTlsErrors(() => decodeExtensions(new Reader(bytes), ctx, 'Fuzz')) as ReturnType<typeof decodeExtensions> | undefined;
        if (exts === undefined) return;
        const w = new Writer();
        encodeExtensions(w, exts);
        expect(w.finish()).toEqual(bytes);
      }),
      { numRuns: 3000 },
    );
  });
});

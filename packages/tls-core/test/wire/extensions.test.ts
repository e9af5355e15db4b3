import { describe, expect, it } from 'vitest';
import { EXTENSION_SAMPLES } from './samples.ts';
import type { ExtensionSample } from './samples.ts';
import { Reader } from '../../src/codec/reader.ts';
import { Writer } from '../../src/codec/writer.ts';
import {
  checkExtensionsAllowed,
  codecFor,
  decodeExtensions,
  encodeExtensions,
  EXTENSIONS,
  extension,
  extensionName,
  findExtension,
  hasExtension,
} from '../../src/wire/extensions.ts';
import type { DecodeContext, Extension } from '../../src/wire/extensions.ts';
import { ExtensionType as E, NamedGroup } from '../../src/wire/enums.ts';
import { alertFor, InvalidMessage, PeerMisbehaved, UsageError } from '../../src/errors.ts';
import { AlertDescription } from '../../src/wire/enums.ts';

function encodeList(exts: readonly Extension[]): Uint8Array {
  const w = new Writer();
  encodeExtensions(w, exts);
  return w.finish();
}

function decodeList(bytes: Uint8Array, ctx: DecodeContext): Extension[] {
  const r = new Reader(bytes);
  const out = decodeExtensions(r, ctx, 'Test');
  r.expectEnd('Test');
  return out;
}

/** An encoded one-extension list whose body is `body`. */
function frame(type: number, body: Uint8Array): Uint8Array {
  return encodeList([{ type, data: body }]);
}

function reasonOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidMessage || e instanceof PeerMisbehaved) return e.reason;
    throw e;
  }
  return undefined;
}

const label = (s: ExtensionSample): string => `${extensionName(s.ext.type)} in ${s.ctx}`;

describe.each(EXTENSION_SAMPLES.map((s) => [label(s), s] as const))('%s', (_name, sample) => {
  const list = encodeList([sample.ext]);
  const body = list.subarray(6);

  it('round-trips through the shared list loop', () => {
    const decoded = decodeList(list, sample.ctx);
    expect(decoded).toEqual([sample.ext]);
    expect(encodeList(decoded)).toEqual(list);
  });

  it('rejects every strict prefix of the body framed with a consistent length', () => {
    for (let k = 0; k < body.length; k++) {
      const framed = frame(sample.ext.type, body.subarray(0, k));
      if (sample.anyPrefixValid === true || (k === 0 && sample.emptyValid === true)) expect(() => decodeList(framed, sample.ctx)).not.toThrow();
      else expect(reasonOf(() => decodeList(framed, sample.ctx)), `prefix ${k}`).toBeDefined();
    }
  });

  it('rejects every strict prefix of the list encoding', () => {
    for (let k = 0; k < list.length; k++) expect(reasonOf(() => decodeList(list.subarray(0, k), sample.ctx))).toBe('MissingData');
  });

  it.runIf(sample.length !== undefined)('rejects a corrupted inner length', () => {
    const { at, size } = sample.length!;
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + body[at + i]!;
    for (const next of [v - 1, v + 1]) {
      if (next < 0) continue;
      const bad = body.slice();
      for (let i = size - 1, x = next; i >= 0; i--, x >>>= 8) bad[at + i] = x & 0xff;
      expect(reasonOf(() => decodeList(frame(sample.ext.type, bad), sample.ctx))).toBeDefined();
    }
  });

  it('rejects a trailing byte after a typed body', () => {
    if ('data' in sample.ext || sample.anyPrefixValid === true) return;
    expect(reasonOf(() => decodeList(frame(sample.ext.type, new Uint8Array([...body, 0])), sample.ctx))).toBeDefined();
  });

  it('is rejected when duplicated, with illegal_parameter', () => {
    const twice = new Uint8Array([0, 0, ...list.subarray(2), ...list.subarray(2)]);
    twice[0] = (twice.length - 2) >>> 8;
    twice[1] = (twice.length - 2) & 0xff;
    let err: unknown;
    try {
      decodeList(twice, sample.ctx);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidMessage);
    expect((err as InvalidMessage).reason).toBe('DuplicateExtension');
    expect(alertFor(err)).toBe(AlertDescription.IllegalParameter);
  });
});

describe('extension table', () => {
  it('has one row for every known type, allowed where its samples decode', () => {
    for (const type of Object.keys(EXTENSIONS).map(Number)) {
      const codec = codecFor(type)!;
      expect(codec.allowedIn.length).toBeGreaterThan(0);
      expect(EXTENSION_SAMPLES.some((s) => s.ext.type === type && 'body' in s.ext), codec.name).toBe(true);
    }
  });

  it('has a round-trip sample for every allowed context of every row', () => {
    for (const [type, codec] of Object.entries(EXTENSIONS)) {
      for (const ctx of codec.allowedIn) {
        const decodeCtx = ctx === 'SH12' ? 'SH' : ctx;
        expect(
          EXTENSION_SAMPLES.some((s) => s.ext.type === Number(type) && s.ctx === decodeCtx),
          `${codec.name} in ${ctx}`,
        ).toBe(true);
      }
    }
  });

  it('names known and unknown types', () => {
    expect(extensionName(E.KeyShare)).toBe('key_share');
    expect(extensionName(E.Padding)).toBe('Padding');
    expect(extensionName(0x1234)).toBe('0x1234');
  });
});

describe('decodeExtensions', () => {
  it('keeps a known extension as raw bytes in a message where it has no defined form', () => {
    const list = encodeList([extension(E.KeyShare, { form: 'HRR', selectedGroup: NamedGroup.x25519 })]);
    expect(decodeList(list, 'EE')).toEqual([{ type: E.KeyShare, data: new Uint8Array([0, 0x1d]) }]);
  });

  it('requires ALPN from the server to name exactly one protocol (RFC 7301 §3.1)', () => {
    const two = encodeList([extension(E.ApplicationLayerProtocolNegotiation, { protocols: [new Uint8Array([1]), new Uint8Array([2])] })]);
    expect(decodeList(two, 'CH')).toHaveLength(1);
    expect(reasonOf(() => decodeList(two, 'EE'))).toBe('BadValue');
    expect(reasonOf(() => decodeList(two, 'SH'))).toBe('BadValue');
  });

  it('rejects empty lists where the RFC gives a lower bound', () => {
    for (const [type, body] of [
      [E.SupportedGroups, [0, 0]],
      [E.SignatureAlgorithms, [0, 0]],
      [E.SupportedVersions, [0]],
      [E.PskKeyExchangeModes, [0]],
      [E.Cookie, [0, 0]],
      [E.ApplicationLayerProtocolNegotiation, [0, 0]],
    ] as const)
      expect(reasonOf(() => decodeList(frame(type, new Uint8Array(body)), 'CH')), extensionName(type)).toBe('EmptyList');
  });

  it('rejects odd-length u16 lists', () => {
    expect(reasonOf(() => decodeList(frame(E.SupportedGroups, new Uint8Array([0, 3, 0, 0x1d, 0])), 'CH'))).toBe('BadLength');
  });

  it('accepts an empty key_share list in ClientHello (RFC 8446 §4.2.8)', () => {
    expect(decodeList(frame(E.KeyShare, new Uint8Array([0, 0])), 'CH')).toEqual([
      { type: E.KeyShare, body: { form: 'CH', entries: [] } },
    ]);
  });
});

describe('encodeExtensions', () => {
  it('refuses duplicates', () => {
    const e = extension(E.ExtendedMasterSecret, {});
    expect(() => encodeList([e, e])).toThrowError(UsageError);
  });
});

describe('findExtension and hasExtension', () => {
  const exts = [
    extension(E.SupportedVersions, { form: 'SH', selectedVersion: 0x0304 }),
    { type: E.Padding, data: new Uint8Array(3) },
  ];
  it('returns the typed body or undefined', () => {
    expect(findExtension(exts, E.SupportedVersions)).toEqual({ form: 'SH', selectedVersion: 0x0304 });
    expect(findExtension(exts, E.KeyShare)).toBeUndefined();
    expect(hasExtension(exts, E.Padding)).toBe(true);
    expect(hasExtension(exts, E.Cookie)).toBe(false);
  });
});

describe('checkExtensionsAllowed', () => {
  const alpn = extension(E.ApplicationLayerProtocolNegotiation, { protocols: [new Uint8Array([0x68, 0x32])] });

  function reason(exts: readonly Extension[], ctx: Parameters<typeof checkExtensionsAllowed>[1], offered?: number[]): string | undefined {
    return reasonOf(() => checkExtensionsAllowed(exts, ctx, offered));
  }

  it('refuses a known extension in a message that may not carry it (illegal_parameter)', () => {
    expect(reason([alpn], 'SH', [E.ApplicationLayerProtocolNegotiation])).toBe('ExtensionNotAllowedHere');
    expect(reason([alpn], 'SH12', [E.ApplicationLayerProtocolNegotiation])).toBeUndefined();
    expect(reason([alpn], 'EE', [E.ApplicationLayerProtocolNegotiation])).toBeUndefined();
    expect(reason([extension(E.KeyShare, { form: 'HRR', selectedGroup: 0x17 })], 'EE')).toBe('ExtensionNotAllowedHere');
    expect(alertFor(new PeerMisbehaved('ExtensionNotAllowedHere'))).toBe(AlertDescription.IllegalParameter);
  });

  it('refuses extensions the client did not offer in server responses (unsupported_extension)', () => {
    expect(reason([alpn], 'EE', [E.ServerName])).toBe('UnsolicitedExtension');
    expect(reason([{ type: 0x9999, data: new Uint8Array(0) }], 'EE')).toBe('UnsolicitedExtension');
    expect(reason([{ type: 0x9999, data: new Uint8Array(0) }], 'CT', [E.StatusRequest])).toBe('UnsolicitedExtension');
    expect(alertFor(new PeerMisbehaved('UnsolicitedExtension'))).toBe(AlertDescription.UnsupportedExtension);
  });

  it('lets a HelloRetryRequest carry an unrequested cookie (RFC 8446 §4.1.4)', () => {
    expect(reason([extension(E.Cookie, { cookie: new Uint8Array([1]) })], 'HRR', [E.KeyShare])).toBeUndefined();
  });

  it('ignores unknown extensions in CertificateRequest and NewSessionTicket', () => {
    expect(reason([{ type: 0x9999, data: new Uint8Array(0) }], 'CR')).toBeUndefined();
    expect(reason([{ type: 0x9999, data: new Uint8Array(0) }], 'NST')).toBeUndefined();
  });
});

describe('status_request in a TLS 1.3 CertificateRequest (RFC 8446 §4.4.2.1)', () => {
  it('reads the empty body a server sends to ask for the client’s OCSP staple (as gnutls-serv does)', () => {
    // extensions<2..2^16-1>: one status_request (type 5) with an empty body
    const exts = decodeExtensions(new Reader(new Uint8Array([0x00, 0x04, 0x00, 0x05, 0x00, 0x00])), 'CR', 'CertificateRequest');
    expect(exts).toHaveLength(1);
    expect(findExtension(exts, E.StatusRequest)).toEqual({ form: 'ack' });
  });

  it('still reads a request-form body there', () => {
    const body = [0x01, 0x00, 0x00, 0x00, 0x00]; // ocsp, no responder ids, no extensions
    const exts = decodeExtensions(new Reader(new Uint8Array([0x00, 4 + body.length, 0x00, 0x05, 0x00, body.length, ...body])), 'CR', 'CertificateRequest');
    expect(findExtension(exts, E.StatusRequest)?.form).toBe('request');
  });
});

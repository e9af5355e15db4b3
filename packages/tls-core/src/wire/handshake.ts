/**
 * Handshake framing (RFC 8446 §4, RFC 5246 §7.4): the 4-byte header (type u8, length u24), the
 * `HandshakeMessage` union, and the decode/encode dispatch over every message puretls knows.
 *
 * Every decoded message keeps `raw`, a private copy of its exact bytes including the header, for
 * the transcript; the decoded fields are views into that copy, so they stay valid after the
 * caller reuses its input buffer. (The engine's own decoder, {@link decodeOwnedHandshake}, skips
 * the copy: its reassembler already made the one copy each message gets.)
 *
 * Unknown handshake types (and `message_hash`, which never appears on the wire) are not
 * representable: {@link decodeHandshake} throws InappropriateMessage, which maps to
 * unexpected_message (RFC 8446 §4, RFC 5246 §7.4). A client has no use for a message it cannot
 * interpret, and a closed union keeps `switch (msg.type)` exhaustive.
 * @module
 */
import { Reader } from '../codec/reader.ts';
import { Writer } from '../codec/writer.ts';
import { InappropriateMessage } from '../errors.ts';
import { HandshakeType, nameOf } from './enums.ts';
import { decodeClientHello, encodeClientHello } from './client-hello.ts';
import type { ClientHello } from './client-hello.ts';
import { decodeServerHello, encodeServerHello } from './server-hello.ts';
import type { ServerHello } from './server-hello.ts';
import { decodeEncryptedExtensions, encodeEncryptedExtensions } from './encrypted-extensions.ts';
import type { EncryptedExtensions } from './encrypted-extensions.ts';
import * as C from './certificate.ts';
import { decodeCertificateVerify, encodeCertificateVerify } from './certificate-verify.ts';
import type { CertificateVerify } from './certificate-verify.ts';
import { decodeFinished, encodeFinished } from './finished.ts';
import type { Finished } from './finished.ts';
import * as T from './new-session-ticket.ts';
import { decodeKeyUpdate, encodeKeyUpdate } from './key-update.ts';
import type { EndOfEarlyData, HelloRequest, KeyUpdate, ServerHelloDone } from './key-update.ts';
import * as K from './server-key-exchange.ts';

/** Size of the handshake message header in bytes. */
export const HANDSHAKE_HEADER_LENGTH = 4;

/** Which form of Certificate, CertificateRequest and NewSessionTicket to decode. */
export type WireVersion = 'tls13' | 'tls12';

/** The decoded content of any handshake message puretls knows, without `raw`. */
export type HandshakeContent =
  | HelloRequest
  | ClientHello
  | ServerHello
  | T.NewSessionTicket
  | EndOfEarlyData
  | EncryptedExtensions
  | C.Certificate
  | K.ServerKeyExchange
  | C.CertificateRequest
  | ServerHelloDone
  | CertificateVerify
  | K.ClientKeyExchange
  | Finished
  | C.CertificateStatus
  | KeyUpdate;

/** A decoded handshake message: its content plus the exact bytes (header included) for the transcript. */
export type HandshakeMessage = HandshakeContent extends infer M ? (M extends unknown ? M & { readonly raw: Uint8Array } : never) : never;

/** A decoded handshake header. */
export interface HandshakeHeader {
  readonly type: number;
  readonly length: number;
}

/**
 * Read the header at the start of `bytes` (for reassembly: the message is complete once
 * `HANDSHAKE_HEADER_LENGTH + length` bytes are buffered).
 * @throws InvalidMessage 'MissingData' when fewer than 4 bytes are given
 */
export function decodeHandshakeHeader(bytes: Uint8Array): HandshakeHeader {
  const r = new Reader(bytes);
  const type = r.u8('Handshake.msg_type');
  return { type, length: r.u24('Handshake.length') };
}

/**
 * Decode one complete handshake message (header and body, nothing after it).
 * @param raw the exact message bytes; copied, so the caller may reuse its buffer
 * @param version picks the TLS 1.3 or TLS 1.2 form of Certificate, CertificateRequest, NewSessionTicket
 * @throws InvalidMessage when malformed; InappropriateMessage for an unknown handshake type
 * @example const msg = decodeHandshake(bytes, 'tls13'); if (msg.type === HandshakeType.ServerHello) ...
 */
export function decodeHandshake(raw: Uint8Array, version: WireVersion): HandshakeMessage {
  return decodeOwnedHandshake(raw.slice(), version);
}

/**
 * {@link decodeHandshake} without the copy: the message takes `raw` over as its `raw`, and its
 * fields are views of it. For the engine, whose reassembler hands over memory nobody else
 * references (record/handshake-reassembler.ts); `raw` must not be changed afterwards.
 * @throws InvalidMessage when malformed; InappropriateMessage for an unknown handshake type
 */
export function decodeOwnedHandshake(owned: Uint8Array, version: WireVersion): HandshakeMessage {
  return decodeFramed(owned, version, decodeBody);
}

/**
 * {@link decodeOwnedHandshake} for what a client receives: a message type only a client sends
 * (ClientHello, ClientKeyExchange, EndOfEarlyData) is unexpected_message before its body is
 * read, so a client-only bundle does not carry their decoders.
 * @throws InappropriateMessage for a client's or an unknown message type; InvalidMessage when malformed
 */
export function decodeServerHandshake(owned: Uint8Array, version: WireVersion): HandshakeMessage {
  return decodeFramed(owned, version, decodeServerBody);
}

function decodeFramed(owned: Uint8Array, version: WireVersion, decode: typeof decodeBody): HandshakeMessage {
  const r = new Reader(owned);
  const type = r.u8('Handshake.msg_type');
  const body = r.vec24(`${nameOf(HandshakeType, type, 2)} body`);
  r.expectEnd('Handshake');
  const content = decode(type, body, version);
  body.expectEnd(nameOf(HandshakeType, type, 2));
  return { ...content, raw: owned } as HandshakeMessage;
}

/**
 * Encode a handshake message with its header. A `raw` field on the input is ignored.
 * @example encodeHandshake({ type: HandshakeType.Finished, verifyData })
 */
export function encodeHandshake(msg: HandshakeContent): Uint8Array {
  const w = new Writer();
  w.u8(msg.type);
  w.prefixed(3, (w) => encodeBody(w, msg));
  return w.finish();
}

/** The messages a client sends (RFC 8446 §4, RFC 5246 §7.4). */
export type ClientHandshakeContent = ClientHello | C.Certificate | CertificateVerify | K.ClientKeyExchange | Finished | KeyUpdate | EndOfEarlyData;

/**
 * {@link encodeHandshake} for the messages a client sends only: the engine uses this one, so that
 * a client-only bundle does not carry the encoders of the server's messages (tests and the
 * scripted servers use encodeHandshake).
 */
export function encodeClientHandshake(msg: ClientHandshakeContent): Uint8Array {
  const w = new Writer();
  w.u8(msg.type);
  w.prefixed(3, (w) => {
    const H = HandshakeType;
    switch (msg.type) {
      case H.EndOfEarlyData:
        return;
      case H.ClientHello:
        return encodeClientHello(w, msg);
      case H.Certificate:
        return msg.version === 'tls13' ? C.encodeCertificate13(w, msg) : C.encodeCertificate12(w, msg);
      case H.CertificateVerify:
        return encodeCertificateVerify(w, msg);
      case H.ClientKeyExchange:
        return K.encodeClientKeyExchange(w, msg);
      case H.Finished:
        return encodeFinished(w, msg);
      case H.KeyUpdate:
        return encodeKeyUpdate(w, msg);
    }
  });
  return w.finish();
}

function decodeBody(type: number, r: Reader, version: WireVersion): HandshakeContent {
  const H = HandshakeType;
  switch (type) {
    case H.ClientHello:
      return decodeClientHello(r);
    case H.EndOfEarlyData:
      return { type: H.EndOfEarlyData };
    case H.ClientKeyExchange:
      return K.decodeClientKeyExchange(r);
    default:
      return decodeServerBody(type, r, version, KNOWN_TYPE_NAMES);
  }
}

/** The bodies of the messages a server sends; any other type is unexpected (`expected` names the allowed ones). */
function decodeServerBody(type: number, r: Reader, version: WireVersion, expected: readonly string[] = SERVER_TYPE_NAMES): HandshakeContent {
  const H = HandshakeType;
  switch (type) {
    case H.HelloRequest:
      return { type: H.HelloRequest };
    case H.ServerHello:
      return decodeServerHello(r);
    case H.NewSessionTicket:
      return version === 'tls13' ? T.decodeNewSessionTicket13(r) : T.decodeNewSessionTicket12(r);
    case H.EncryptedExtensions:
      return decodeEncryptedExtensions(r);
    case H.Certificate:
      return version === 'tls13' ? C.decodeCertificate13(r) : C.decodeCertificate12(r);
    case H.ServerKeyExchange:
      return K.decodeServerKeyExchange(r);
    case H.CertificateRequest:
      return version === 'tls13' ? C.decodeCertificateRequest13(r) : C.decodeCertificateRequest12(r);
    case H.ServerHelloDone:
      return { type: H.ServerHelloDone };
    case H.CertificateVerify:
      return decodeCertificateVerify(r);
    case H.Finished:
      return decodeFinished(r);
    case H.CertificateStatus:
      return C.decodeCertificateStatus(r);
    case H.KeyUpdate:
      return decodeKeyUpdate(r);
    default:
      throw new InappropriateMessage('handshake message', expected, nameOf(HandshakeType, type, 2));
  }
}

function encodeBody(w: Writer, m: HandshakeContent): void {
  const H = HandshakeType;
  switch (m.type) {
    case H.HelloRequest:
    case H.EndOfEarlyData:
    case H.ServerHelloDone:
      return;
    case H.ClientHello:
      return encodeClientHello(w, m);
    case H.ServerHello:
      return encodeServerHello(w, m);
    case H.NewSessionTicket:
      return m.version === 'tls13' ? T.encodeNewSessionTicket13(w, m) : T.encodeNewSessionTicket12(w, m);
    case H.EncryptedExtensions:
      return encodeEncryptedExtensions(w, m);
    case H.Certificate:
      return m.version === 'tls13' ? C.encodeCertificate13(w, m) : C.encodeCertificate12(w, m);
    case H.ServerKeyExchange:
      return K.encodeServerKeyExchange(w, m);
    case H.CertificateRequest:
      return m.version === 'tls13' ? C.encodeCertificateRequest13(w, m) : C.encodeCertificateRequest12(w, m);
    case H.CertificateVerify:
      return encodeCertificateVerify(w, m);
    case H.ClientKeyExchange:
      return K.encodeClientKeyExchange(w, m);
    case H.Finished:
      return encodeFinished(w, m);
    case H.CertificateStatus:
      return C.encodeCertificateStatus(w, m);
    case H.KeyUpdate:
      return encodeKeyUpdate(w, m);
  }
}

const KNOWN_TYPE_NAMES: readonly string[] = /* @__PURE__ */ Object.keys(HandshakeType).filter((n) => n !== 'MessageHash');
const SERVER_TYPE_NAMES: readonly string[] = /* @__PURE__ */ KNOWN_TYPE_NAMES.filter((n) => n !== 'ClientHello' && n !== 'ClientKeyExchange' && n !== 'EndOfEarlyData');

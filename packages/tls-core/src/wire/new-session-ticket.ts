/**
 * NewSessionTicket: TLS 1.3 (RFC 8446 §4.6.1: lifetime, age_add, nonce, ticket, extensions incl.
 * early_data max size) and TLS 1.2 (RFC 5077 §3.3: lifetime hint and ticket).
 * @module
 */
import type { Reader } from '../codec/reader.ts';
import type { Writer } from '../codec/writer.ts';
import { HandshakeType } from './enums.ts';
import { decodeExtensions, encodeExtensions } from './extensions.ts';
import type { Extension } from './extensions.ts';

/** TLS 1.3 NewSessionTicket. The 7-day lifetime cap is the engine's check. */
export interface NewSessionTicket13 {
  readonly type: typeof HandshakeType.NewSessionTicket;
  readonly version: 'tls13';
  readonly lifetime: number;
  readonly ageAdd: number;
  readonly nonce: Uint8Array;
  readonly ticket: Uint8Array;
  readonly extensions: readonly Extension[];
}

/** TLS 1.2 NewSessionTicket (RFC 5077); an empty ticket means "no new ticket". */
export interface NewSessionTicket12 {
  readonly type: typeof HandshakeType.NewSessionTicket;
  readonly version: 'tls12';
  readonly lifetimeHint: number;
  readonly ticket: Uint8Array;
}

export type NewSessionTicket = NewSessionTicket13 | NewSessionTicket12;

/** Decode a TLS 1.3 NewSessionTicket body. @throws InvalidMessage */
export function decodeNewSessionTicket13(r: Reader): NewSessionTicket13 {
  const lifetime = r.u32('NewSessionTicket.ticket_lifetime');
  const ageAdd = r.u32('NewSessionTicket.ticket_age_add');
  const nonce = r.opaque8('NewSessionTicket.ticket_nonce');
  const ticket = r.opaque16('NewSessionTicket.ticket', { nonEmpty: true });
  const extensions = decodeExtensions(r, 'NST', 'NewSessionTicket');
  return { type: HandshakeType.NewSessionTicket, version: 'tls13', lifetime, ageAdd, nonce, ticket, extensions };
}

/** Encode a TLS 1.3 NewSessionTicket body. */
export function encodeNewSessionTicket13(w: Writer, m: NewSessionTicket13): void {
  w.u32(m.lifetime).u32(m.ageAdd).opaque(1, m.nonce).opaque(2, m.ticket);
  encodeExtensions(w, m.extensions);
}

/** Decode a TLS 1.2 NewSessionTicket body. @throws InvalidMessage */
export function decodeNewSessionTicket12(r: Reader): NewSessionTicket12 {
  const lifetimeHint = r.u32('NewSessionTicket.ticket_lifetime_hint');
  return { type: HandshakeType.NewSessionTicket, version: 'tls12', lifetimeHint, ticket: r.opaque16('NewSessionTicket.ticket') };
}

/** Encode a TLS 1.2 NewSessionTicket body. */
export function encodeNewSessionTicket12(w: Writer, m: NewSessionTicket12): void {
  w.u32(m.lifetimeHint).opaque(2, m.ticket);
}

/**
 * TLS 1.2 ECDHE key exchange messages: ServerKeyExchange (RFC 8422 §5.4 with the RFC 5246 §7.4.3
 * signature and algorithm) and ClientKeyExchange (RFC 8422 §5.7). Only named curves are
 * representable (explicit curves were deprecated by RFC 8422 §5.4).
 * @module
 */
import type { Reader } from '../codec/reader.ts';
import { Writer } from '../codec/writer.ts';
import { InvalidMessage } from '../errors.ts';
import { EcCurveType, HandshakeType } from './enums.ts';

/** ServerKeyExchange for ECDHE_ECDSA / ECDHE_RSA. */
export interface ServerKeyExchange {
  readonly type: typeof HandshakeType.ServerKeyExchange;
  readonly curveType: typeof EcCurveType.named_curve;
  readonly group: number;
  readonly publicPoint: Uint8Array;
  readonly scheme: number;
  readonly signature: Uint8Array;
}

/** ClientKeyExchange for ECDHE: the client's ephemeral public point. */
export interface ClientKeyExchange {
  readonly type: typeof HandshakeType.ClientKeyExchange;
  readonly publicPoint: Uint8Array;
}

/** Decode a ServerKeyExchange body (ECDHE). @throws InvalidMessage, 'BadValue' for a curve type other than named_curve */
export function decodeServerKeyExchange(r: Reader): ServerKeyExchange {
  const curveType = r.u8('ServerKeyExchange.curve_type');
  if (curveType !== EcCurveType.named_curve) throw new InvalidMessage('BadValue', 'ServerKeyExchange.curve_type');
  const group = r.u16('ServerKeyExchange.namedcurve');
  const publicPoint = r.opaque8('ServerKeyExchange.public', { nonEmpty: true });
  const scheme = r.u16('ServerKeyExchange.signature_algorithm');
  const signature = r.opaque16('ServerKeyExchange.signature');
  return { type: HandshakeType.ServerKeyExchange, curveType, group, publicPoint, scheme, signature };
}

/** Encode a ServerKeyExchange body. */
export function encodeServerKeyExchange(w: Writer, m: ServerKeyExchange): void {
  writeEcdhParams(w, m);
  w.u16(m.scheme).opaque(2, m.signature);
}

/**
 * The ServerECDHParams bytes (curve_type, named curve, public point) that the server signs after
 * client_random and server_random (RFC 8422 §5.4). Canonical, so equal to the received bytes.
 */
export function serverEcdhParams(m: Pick<ServerKeyExchange, 'group' | 'publicPoint'>): Uint8Array {
  const w = new Writer(8 + m.publicPoint.length);
  writeEcdhParams(w, m);
  return w.finish();
}

/** Decode a ClientKeyExchange body (ECDHE). @throws InvalidMessage */
export function decodeClientKeyExchange(r: Reader): ClientKeyExchange {
  return { type: HandshakeType.ClientKeyExchange, publicPoint: r.opaque8('ClientKeyExchange.ecdh_Yc', { nonEmpty: true }) };
}

/** Encode a ClientKeyExchange body. */
export function encodeClientKeyExchange(w: Writer, m: ClientKeyExchange): void {
  w.opaque(1, m.publicPoint);
}

function writeEcdhParams(w: Writer, m: Pick<ServerKeyExchange, 'group' | 'publicPoint'>): void {
  w.u8(EcCurveType.named_curve).u16(m.group).opaque(1, m.publicPoint);
}

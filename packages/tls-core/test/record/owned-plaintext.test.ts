/**
 * `PlainRecord.owned` (record/protector.ts): the connection hands owned plaintext to the
 * application without copying it, so "owned" must really mean that the bytes live in memory no
 * received record (and hence no caller buffer) shares; plaintext records are never owned.
 */
import { describe, expect, it } from 'vitest';
import { RecordDeframer } from '../../src/record/deframer.ts';
import { Tls12Protector } from '../../src/record/protect-tls12.ts';
import { Tls13Protector } from '../../src/record/protect-tls13.ts';
import { PlaintextProtector, type RecordProtector } from '../../src/record/protector.ts';

function roundTrip(protector: RecordProtector): void {
  const message = new Uint8Array(1000).map((_, i) => (i * 31) & 0xff);
  const wire = protector.seal(23, message, 0, 7);
  const received = wire.slice(); // the "socket buffer" the caller owns
  const deframer = new RecordDeframer();
  deframer.push(received);
  const record = deframer.next()!;
  const plain = protector.open(record, 0, 7);
  expect(plain.owned).toBe(true);
  expect(Array.from(plain.plaintext)).toEqual(Array.from(message));
  expect(plain.plaintext.buffer).not.toBe(received.buffer);
  received.fill(0); // the caller reuses its buffer
  expect(Array.from(plain.plaintext)).toEqual(Array.from(message));
}

describe('owned plaintext', () => {
  it('TLS 1.3 ChaCha20-Poly1305 and AES-GCM', () => {
    roundTrip(new Tls13Protector({ aead: 'CHACHA20-POLY1305', key: new Uint8Array(32).fill(1), iv: new Uint8Array(12).fill(2) }));
    roundTrip(new Tls13Protector({ aead: 'AES-128-GCM', key: new Uint8Array(16).fill(1), iv: new Uint8Array(12).fill(2) }));
  });

  it('TLS 1.2 ChaCha20-Poly1305 and AES-GCM', () => {
    roundTrip(new Tls12Protector({ aead: 'CHACHA20-POLY1305', key: new Uint8Array(32).fill(3), fixedIv: new Uint8Array(12).fill(4) }));
    roundTrip(new Tls12Protector({ aead: 'AES-256-GCM', key: new Uint8Array(32).fill(3), fixedIv: new Uint8Array(4).fill(4) }));
  });

  it('plaintext records alias the received bytes and are not owned', () => {
    const deframer = new RecordDeframer();
    const received = new PlaintextProtector().seal(22, Uint8Array.of(1, 2, 3));
    deframer.push(received);
    const plain = new PlaintextProtector().open(deframer.next()!);
    expect(plain.owned).not.toBe(true);
    expect(plain.plaintext.buffer).toBe(received.buffer);
  });
});

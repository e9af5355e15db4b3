import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { edwards } from '@noble/curves/abstract/edwards.js';
import { randomBytes } from 'node:crypto';
const rb = (n = 32) => new Uint8Array(randomBytes(n));
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const t0 = cpu();
const Ed = edwards(ed25519.Point.CURVE(), { randomBytes: rb });
const t1 = cpu();
const { Fp, Fn, BASE } = Ed;
const U9 = new Uint8Array(32); U9[0] = 9;
function viaTable(sk) { const k = sk.slice(); k[0] &= 248; k[31] &= 127; k[31] |= 64; let s = 0n; for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(k[i]); const p = BASE.multiply(Fn.create(s)); return Fp.toBytes(Fp.div(Fp.add(p.Z, p.Y), Fp.sub(p.Z, p.Y))); }
const mode = process.argv[2];
const sk = rb(32);
if (mode === 'first') {
  let a = cpu(); x25519.scalarMult(sk, U9); let b = cpu(); console.log('first ladder keygen', (b - a).toFixed(1), 'ms; curve instance', (t1 - t0).toFixed(1));
  a = cpu(); viaTable(sk); b = cpu(); console.log('first table keygen (builds table)', (b - a).toFixed(1), 'ms');
} else if (mode === 'tablefirst') {
  let a = cpu(); viaTable(sk); let b = cpu(); console.log('first table keygen (builds table, nothing warm)', (b - a).toFixed(1), 'ms');
} else {
  // warm both, then steady
  for (let i = 0; i < 300; i++) { x25519.scalarMult(rb(), U9); viaTable(rb()); }
  for (let r = 0; r < 5; r++) {
    let a = cpu(); for (let i = 0; i < 200; i++) x25519.scalarMult(rb(), U9); let b = cpu();
    let c = cpu(); for (let i = 0; i < 200; i++) viaTable(rb()); let d = cpu();
    console.log('ladder', ((b - a) / 200).toFixed(3), 'table', ((d - c) / 200).toFixed(3), 'ms');
  }
  const s = rb(); if (Buffer.compare(x25519.scalarMult(s, U9), viaTable(s)) !== 0) throw new Error('mismatch');
}

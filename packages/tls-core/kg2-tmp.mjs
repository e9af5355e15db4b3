import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { edwards } from '@noble/curves/abstract/edwards.js';
import { randomBytes } from 'node:crypto';
const rb = (n = 32) => new Uint8Array(randomBytes(n));
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const U9 = new Uint8Array(32); U9[0] = 9;
const K = Number(process.argv[2]);
function mk() { const Ed = edwards(ed25519.Point.CURVE(), { randomBytes: rb }); const { Fp, Fn, BASE } = Ed;
  return (sk) => { const k = sk.slice(); k[0] &= 248; k[31] &= 127; k[31] |= 64; let s = 0n; for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(k[i]); const p = BASE.multiply(Fn.create(s)); return Fp.toBytes(Fp.div(Fp.add(p.Z, p.Y), Fp.sub(p.Z, p.Y))); }; }
// simulate: K ladder keygens (+K ladder shared secrets, as in handshakes), then build table
let a = cpu(); for (let i = 0; i < K; i++) { x25519.scalarMult(rb(), U9); x25519.scalarMult(rb(), U9); } let b = cpu();
const f = mk(); const c = cpu(); f(rb()); const d = cpu();
const g = mk(); const e = cpu(); g(rb()); const h = cpu();
console.log(`K=${K}: ${K} ladder pairs ${(b - a).toFixed(0)} ms (${((b - a) / 2 / Math.max(K, 1)).toFixed(2)}/ladder), table build then ${(d - c).toFixed(1)} ms, a second build ${(h - e).toFixed(1)} ms`);

/**
 * Replays the key schedule of one RFC 8448 section with puretls's own functions: the handshake
 * messages come from the trace's plaintext handshake-record payloads (split by our reassembler,
 * decoded by our wire codec), the (EC)DHE secret from the trace's private keys, and every
 * secret, key, binder and Finished value is computed by src/tls13. `computedSteps` then says,
 * for each trace step that shows key-schedule values, what those values must be.
 * @module
 */
import { HandshakeReassembler } from '../../src/record/handshake-reassembler.ts';
import { keyShareFromPrivateKey } from '../../src/crypto/key-exchange.ts';
import { tls13SuiteById, type Tls13Suite } from '../../src/crypto/suites.ts';
import {
  deriveSecret,
  deriveTrafficKeys,
  EarlySecret,
  ResumptionPsk,
  finishedKey,
  finishedVerifyData,
  hkdfLabel,
  resumptionPsk,
  revealSecret,
  type HandshakeSecret,
  type MasterSecret,
} from '../../src/tls13/key-schedule.ts';
import { Transcript } from '../../src/tls13/transcript.ts';
import { decodeHandshake, type HandshakeMessage } from '../../src/wire/handshake.ts';
import { truncateClientHelloForBinders } from '../../src/wire/client-hello.ts';
import { findExtension } from '../../src/wire/extensions.ts';
import { ExtensionType, HandshakeType, NamedGroup } from '../../src/wire/enums.ts';
import { fieldOf, type Trace, type TraceStep } from '@puretls/test-support/rfc8448';

/** Every value the replay derived, by name. */
export interface Replay {
  readonly suite: Tls13Suite;
  readonly psk: Uint8Array | undefined;
  readonly early: EarlySecret;
  readonly sharedSecret: Uint8Array;
  readonly handshake: HandshakeSecret;
  readonly master: MasterSecret;
  readonly hashes: { clientHello: Uint8Array; hello: Uint8Array; beforeServerFinished: Uint8Array; serverFinished: Uint8Array; beforeClientFinished: Uint8Array; clientFinished: Uint8Array };
  readonly secrets: { cEarly: Uint8Array; eExp: Uint8Array; cHs: Uint8Array; sHs: Uint8Array; cAp: Uint8Array; sAp: Uint8Array; exp: Uint8Array; res: Uint8Array };
  readonly binder: { truncated: Uint8Array; hash: Uint8Array; key: Uint8Array; value: Uint8Array; sent: Uint8Array } | undefined;
  readonly ticketNonce: Uint8Array | undefined;
  readonly messages: readonly { actor: 'client' | 'server'; msg: HandshakeMessage }[];
}

/** The handshake messages of a section in trace order, from the plaintext payloads of its handshake records. */
export function handshakeMessages(trace: Trace, section: number): { actor: 'client' | 'server'; msg: HandshakeMessage }[] {
  const out: { actor: 'client' | 'server'; msg: HandshakeMessage }[] = [];
  for (const step of trace.section(section)) {
    if (step.title !== 'send handshake record') continue;
    const r = new HandshakeReassembler();
    r.push(fieldOf(step, 'payload'));
    for (let m = r.next(); m !== undefined; m = r.next()) out.push({ actor: step.actor, msg: decodeHandshake(m.raw, 'tls13') });
    if (r.hasPartialMessage) throw new Error(`replay: record payload at line ${step.line} ends inside a message`);
  }
  return out;
}

const replays = new WeakMap<Trace, Map<number, Replay>>();

/** Replay section 3, 4, 5, 6 or 7 of `trace` (memoised per trace). */
export function replay(trace: Trace, section: number): Replay {
  let bySection = replays.get(trace);
  if (bySection === undefined) replays.set(trace, (bySection = new Map()));
  let result = bySection.get(section);
  if (result === undefined) bySection.set(section, (result = compute(trace, section)));
  return result;
}

function compute(trace: Trace, section: number): Replay {
  const messages = handshakeMessages(trace, section);
  const sh = messages.find((m) => m.msg.type === HandshakeType.ServerHello && !m.msg.isHelloRetryRequest)?.msg;
  if (sh?.type !== HandshakeType.ServerHello) throw new Error('replay: no ServerHello');
  const suite = tls13SuiteById(sh.cipherSuite);
  if (suite === undefined) throw new Error('replay: unknown suite');
  const hash = suite.hash;

  // Section 4 resumes section 3: PSK from its resumption master secret and ticket nonce (RFC 8446 §4.6.1).
  let psk: Uint8Array | undefined;
  if (section === 4) {
    const prior = replay(trace, 3);
    if (prior.ticketNonce === undefined) throw new Error('replay: section 3 has no ticket');
    psk = resumptionPsk(hash, prior.secrets.res, prior.ticketNonce);
  }
  const early = psk === undefined ? EarlySecret.withoutPsk(suite) : EarlySecret.withPsk(suite, ResumptionPsk.fromBytes(psk));

  let transcript = new Transcript(hash);
  let binder: Replay['binder'];
  const h: Partial<Record<keyof Replay['hashes'], Uint8Array>> = {};
  let ticketNonce: Uint8Array | undefined;
  let sawClientFinished = false;
  for (const { actor, msg } of messages) {
    if (msg.type === HandshakeType.ClientHello) {
      const psks = findExtension(msg.extensions, ExtensionType.PreSharedKey);
      if (psks !== undefined && psks.form === 'CH') {
        // RFC 8446 §4.2.11.2: binder = Finished-style HMAC over Hash(transcript so far || truncated ClientHello).
        const truncated = truncateClientHelloForBinders(msg.raw, msg);
        const binderHash = transcript.hashWith(truncated);
        binder = {
          truncated,
          hash: binderHash,
          key: early.binderKey('resumption'),
          value: early.binder('resumption', binderHash),
          sent: psks.binders[0]!,
        };
      }
      transcript.add(msg.raw);
      h.clientHello = transcript.currentHash();
    } else if (msg.type === HandshakeType.ServerHello && msg.isHelloRetryRequest) {
      // RFC 8446 §4.4.1: ClientHello1 becomes message_hash, then the HRR follows.
      transcript = transcript.rollupForHelloRetryRequest().add(msg.raw);
    } else if (msg.type === HandshakeType.Finished) {
      if (actor === 'server') h.beforeServerFinished = transcript.currentHash();
      else h.beforeClientFinished = transcript.currentHash();
      transcript.add(msg.raw);
      if (actor === 'server') h.serverFinished = transcript.currentHash();
      else {
        h.clientFinished = transcript.currentHash();
        sawClientFinished = true;
      }
    } else if (msg.type === HandshakeType.NewSessionTicket) {
      if (!sawClientFinished || msg.version !== 'tls13') throw new Error('replay: unexpected NewSessionTicket');
      ticketNonce = msg.nonce; // post-handshake: not part of the transcript
    } else {
      transcript.add(msg.raw);
      if (msg.type === HandshakeType.ServerHello) h.hello = transcript.currentHash();
    }
  }
  const hashes = h as Replay['hashes'];

  const sharedSecret = ecdhe(trace, section);
  const handshake = early.intoHandshake(sharedSecret);
  const master = handshake.intoMaster();
  return {
    suite,
    psk,
    early,
    sharedSecret,
    handshake,
    master,
    hashes,
    binder,
    ticketNonce,
    messages,
    secrets: {
      // The test-only way out of the typed schedule (production classes have no secret getters).
      cEarly: revealSecret(early.clientEarlyTrafficSecret(hashes.clientHello)),
      eExp: revealSecret(early.earlyExporterMasterSecret(hashes.clientHello)),
      cHs: revealSecret(handshake.clientTrafficSecret(hashes.hello)),
      sHs: revealSecret(handshake.serverTrafficSecret(hashes.hello)),
      cAp: revealSecret(master.clientApplicationTrafficSecret(hashes.serverFinished)),
      sAp: revealSecret(master.serverApplicationTrafficSecret(hashes.serverFinished)),
      exp: revealSecret(master.exporterMasterSecret(hashes.serverFinished)),
      res: revealSecret(master.resumptionMasterSecret(hashes.clientFinished)),
    },
  };
}

/** The (EC)DHE secret from the trace's last client key pair and the server's key pair, computed both ways. */
function ecdhe(trace: Trace, section: number): Uint8Array {
  const pairs = trace.section(section).filter((s) => /^create an ephemeral (x25519|P-256) key pair$/.test(s.title));
  const client = pairs.filter((s) => s.actor === 'client').at(-1);
  const server = pairs.find((s) => s.actor === 'server');
  if (client === undefined || server === undefined) throw new Error('replay: key pairs missing');
  const c = keyShareFromPrivateKey(groupOf(client), fieldOf(client, 'private key'));
  const s = keyShareFromPrivateKey(groupOf(server), fieldOf(server, 'private key'));
  const fromClient = c.computeSharedSecret(fieldOf(server, 'public key'));
  const fromServer = s.computeSharedSecret(fieldOf(client, 'public key'));
  if (fromClient.length !== fromServer.length || !fromClient.every((b, i) => b === fromServer[i]))
    throw new Error('replay: the two sides of the key exchange disagree');
  return fromClient;
}

/** The named group of a "create an ephemeral ... key pair" step. */
export function groupOf(step: TraceStep): number {
  return step.title.includes('P-256') ? NamedGroup.secp256r1 : NamedGroup.x25519;
}

/** Fields our code computes for a trace step, or undefined for steps that carry no key-schedule values. */
export function computedStep(trace: Trace, step: TraceStep): Record<string, Uint8Array> | undefined {
  const r = replay(trace, step.section);
  const hash = r.suite.hash;
  const empty = new Uint8Array(0);
  const emptyHash = hash.digest(empty);
  const n = hash.outputLen;
  const derive = (prk: Uint8Array, label: string, context: Uint8Array, expanded: Uint8Array): Record<string, Uint8Array> => ({
    PRK: prk,
    hash: context,
    info: hkdfLabel(label, context, n),
    expanded,
  });
  const keys = (secret: Uint8Array): Record<string, Uint8Array> => {
    const k = deriveTrafficKeys(r.suite, secret);
    return {
      PRK: secret,
      'key info': hkdfLabel('key', empty, k.key.length),
      'key expanded': k.key,
      'iv info': hkdfLabel('iv', empty, 12),
      'iv expanded': k.iv,
    };
  };
  const finished = (base: Uint8Array, transcriptHash: Uint8Array): Record<string, Uint8Array> => ({
    PRK: base,
    hash: empty,
    info: hkdfLabel('finished', empty, n),
    expanded: finishedKey(hash, base),
    finished: finishedVerifyData(hash, base, transcriptHash),
  });
  const derived1 = deriveSecret(hash, revealSecret(r.early), 'derived', emptyHash);
  const derived2 = deriveSecret(hash, revealSecret(r.handshake), 'derived', emptyHash);
  const s = r.secrets;
  const server = step.actor === 'server';
  switch (step.title) {
    case 'extract secret "early"':
      return { salt: empty, IKM: r.psk ?? new Uint8Array(n), secret: revealSecret(r.early) };
    case 'derive secret for handshake "tls13 derived"':
      return derive(revealSecret(r.early), 'derived', emptyHash, derived1);
    case 'extract secret "handshake"':
      return { salt: derived1, IKM: r.sharedSecret, secret: revealSecret(r.handshake) };
    case 'derive secret "tls13 c hs traffic"':
      return derive(revealSecret(r.handshake), 'c hs traffic', r.hashes.hello, s.cHs);
    case 'derive secret "tls13 s hs traffic"':
      return derive(revealSecret(r.handshake), 's hs traffic', r.hashes.hello, s.sHs);
    case 'derive secret for master "tls13 derived"':
      return derive(revealSecret(r.handshake), 'derived', emptyHash, derived2);
    case 'extract secret "master"':
      return { salt: derived2, IKM: new Uint8Array(n), secret: revealSecret(r.master) };
    case 'derive secret "tls13 c ap traffic"':
      return derive(revealSecret(r.master), 'c ap traffic', r.hashes.serverFinished, s.cAp);
    case 'derive secret "tls13 s ap traffic"':
      return derive(revealSecret(r.master), 's ap traffic', r.hashes.serverFinished, s.sAp);
    case 'derive secret "tls13 exp master"':
      return derive(revealSecret(r.master), 'exp master', r.hashes.serverFinished, s.exp);
    case 'derive secret "tls13 res master"':
      return derive(revealSecret(r.master), 'res master', r.hashes.clientFinished, s.res);
    case 'derive secret "tls13 c e traffic"':
      return derive(revealSecret(r.early), 'c e traffic', r.hashes.clientHello, s.cEarly);
    case 'derive secret "tls13 e exp master"':
      return derive(revealSecret(r.early), 'e exp master', r.hashes.clientHello, s.eExp);
    case 'derive write traffic keys for handshake data':
      return keys(server ? s.sHs : s.cHs);
    case 'derive read traffic keys for handshake data':
      return keys(server ? s.cHs : s.sHs);
    case 'derive write traffic keys for application data':
      return keys(server ? s.sAp : s.cAp);
    case 'derive write traffic keys for early application data':
      return keys(s.cEarly);
    case 'calculate finished "tls13 finished"':
      return server ? finished(s.sHs, r.hashes.beforeServerFinished) : finished(s.cHs, r.hashes.beforeClientFinished);
    case 'generate resumption secret "tls13 resumption"': {
      const nonce = r.ticketNonce ?? empty;
      return { PRK: s.res, hash: nonce, info: hkdfLabel('resumption', nonce, n), expanded: resumptionPsk(hash, s.res, nonce) };
    }
    case 'calculate PSK binder': {
      const b = r.binder;
      if (b === undefined) return {};
      return { 'ClientHello prefix': b.truncated, 'binder hash': b.hash, ...finished(b.key, b.hash), finished: b.value };
    }
    case 'create an ephemeral x25519 key pair':
    case 'create an ephemeral P-256 key pair': {
      const share = keyShareFromPrivateKey(groupOf(step), fieldOf(step, 'private key'));
      return { 'private key': fieldOf(step, 'private key'), 'public key': share.publicKey };
    }
    default:
      return undefined;
  }
}

/** Steps whose fields are messages or records, checked by the record-layer and codec tests instead. */
export function isMessageOrRecordStep(step: TraceStep): boolean {
  return /^construct a .* handshake message$/.test(step.title) || /^send .* record$/.test(step.title);
}

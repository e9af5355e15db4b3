/**
 * The tls.TLSSocket surface (issue 13): ref/unref, connecting, pending, address(),
 * getFinished()/getPeerFinished(), getPeerX509Certificate(), bytesWritten/bytesRead and the
 * getPeerCertificate() object (bits, pubkey, modulus/exponent, asn1Curve/nistCurve,
 * ext_key_usage, infoAccess, the detailed chain up to the trust anchor, an empty subject). The
 * expected values come from the other side (Node's server socket) or from a node:tls client
 * connected to the same server in the same run.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect as nodeConnect, createServer, type DetailedPeerCertificate, type PeerCertificate as NodePeerCertificate, type TLSSocket as NodeTLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Context } from '@puretls/session';
import { TrustStore } from '@puretls/tls-core';
import { connect } from '../src/connect.ts';
import { opensslSubjectLine, type PeerCertificate } from '../src/peer-certificate.ts';
import { engineReady, makePki, opensslAvailable, type TestPki } from './helpers/servers.ts';

let pki: TestPki;
let emptySubject = { key: '', cert: '' };
beforeAll(() => {
  if (!engineReady || !opensslAvailable()) return;
  pki = makePki();
  // A valid certificate with an empty subject (SAN only, so the SAN is critical: RFC 5280 §4.2.1.6) and AIA.
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', 'empty.key', '-out', 'empty.pem', '-subj', '/', '-days', '30',
      '-addext', 'subjectAltName=critical,DNS:localhost', '-addext', 'authorityInfoAccess=OCSP;URI:http://ocsp.example/,caIssuers;URI:http://ca.example/ca.der',
      '-addext', 'extendedKeyUsage=serverAuth,clientAuth'],
    { cwd: pki.dir, stdio: 'ignore' },
  );
  emptySubject = { key: readFileSync(join(pki.dir, 'empty.key'), 'utf8'), cert: readFileSync(join(pki.dir, 'empty.pem'), 'utf8') };
});
afterAll(() => pki?.cleanup());

async function server(key: string, cert: string, extra: Record<string, unknown> = {}): Promise<{ port: number; accepted: () => Promise<NodeTLSSocket>; close: () => Promise<void> }> {
  const queue: NodeTLSSocket[] = [];
  const srv = createServer({ key, cert, ...extra }, (s) => {
    s.on('error', () => {});
    queue.push(s);
    srv.emit('queued');
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return {
    port: (srv.address() as AddressInfo).port,
    accepted: async () => {
      while (queue.length === 0) await once(srv, 'queued');
      return queue.shift()!;
    },
    close: () => new Promise((r) => srv.close(() => r())),
  };
}

/** The fields Node's getPeerCertificate() fills, for comparison (pubkey and raw as hex). */
function view(c: PeerCertificate | NodePeerCertificate | Record<string, never>): Record<string, unknown> {
  const o = c as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of ['subject', 'issuer', 'subjectaltname', 'infoAccess', 'ca', 'bits', 'modulus', 'exponent', 'asn1Curve', 'nistCurve', 'valid_from', 'valid_to', 'fingerprint', 'fingerprint256', 'fingerprint512', 'ext_key_usage', 'serialNumber']) {
    if (o[k] !== undefined) out[k] = JSON.parse(JSON.stringify(o[k])) as unknown;
  }
  if (Buffer.isBuffer(o['pubkey'])) out['pubkey'] = o['pubkey'].toString('hex');
  if (Buffer.isBuffer(o['raw'])) out['raw'] = o['raw'].toString('hex');
  return out;
}

function chainSubjects(c: PeerCertificate | DetailedPeerCertificate): string[] {
  const out: string[] = [];
  let cur: PeerCertificate | DetailedPeerCertificate | undefined = c;
  while (cur !== undefined && out.length < 6) {
    out.push(JSON.stringify(cur.subject));
    const next: PeerCertificate | DetailedPeerCertificate | undefined = cur.issuerCertificate;
    if (next === cur) {
      out.push('(self)');
      break;
    }
    cur = next;
  }
  return out;
}

const activeTcp = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

describe.skipIf(!engineReady || !opensslAvailable())('TLSSocket: the tls.TLSSocket surface', () => {
  it.each(['TLSv1.3', 'TLSv1.2'] as const)('%s: getFinished/getPeerFinished match the server, connecting/pending/address, byte counts', async (version) => {
    const srv = await server(pki.ecdsa.key, pki.ecdsa.cert);
    const client = connect({ host: '127.0.0.1', port: srv.port, ca: pki.caPem, maxVersion: version });
    expect(client.connecting).toBe(true);
    expect(client.pending).toBe(true);
    await once(client, 'secureConnect');
    expect(client.connecting).toBe(false);
    expect(client.pending).toBe(false);
    const peer = await srv.accepted();
    expect(client.getProtocol()).toBe(version);
    expect(client.getFinished()?.equals(peer.getPeerFinished()!)).toBe(true);
    expect(client.getPeerFinished()?.equals(peer.getFinished()!)).toBe(true);
    expect(client.getFinished()?.equals(client.getPeerFinished()!)).toBe(false);
    expect(client.address()).toEqual({ address: peer.remoteAddress, family: 'IPv4', port: peer.remotePort });

    await new Promise<void>((r) => client.write('hello', () => r()));
    expect(client.bytesWritten).toBe(5);
    peer.write('goodbye');
    await once(client, 'data');
    expect(client.bytesRead).toBe(7);
    client.destroy();
    peer.destroy(); // it never read 'hello', so it would not see the FIN
    await srv.close();
  });

  it('unref() stops the connection keeping the event loop alive, ref() restores it', async () => {
    const srv = await server(pki.ecdsa.key, pki.ecdsa.cert);
    const client = connect({ host: '127.0.0.1', port: srv.port, ca: pki.caPem });
    await once(client, 'secureConnect');
    const before = activeTcp();
    expect(client.unref()).toBe(client);
    expect(activeTcp()).toBe(before - 1);
    client.ref();
    expect(activeTcp()).toBe(before);
    client.destroy();
    await srv.close();
  });

  it.each([
    ['RSA leaf', () => pki.rsa],
    ['ECDSA P-256 leaf', () => pki.ecdsa],
  ] as const)('getPeerCertificate() and getPeerX509Certificate() of a %s equal node:tls', async (_name, pair) => {
    const srv = await server(pair().key, pair().cert);
    const ours = connect({ host: '127.0.0.1', port: srv.port, ca: pki.caPem, servername: 'localhost' });
    const theirs = nodeConnect({ host: '127.0.0.1', port: srv.port, ca: pki.caPem, servername: 'localhost' });
    await Promise.all([once(ours, 'secureConnect'), once(theirs, 'secureConnect')]);
    const mine = view(ours.getPeerCertificate());
    expect(mine['bits']).toBeGreaterThan(0);
    expect(mine).toEqual(view(theirs.getPeerCertificate()));
    // The server sends only its leaf: the detailed chain reaches the CA from `ca`, as Node's.
    // (Asked before getPeerX509Certificate(): after that call Node 20 returns {} for the detailed form.)
    const detailed = ours.getPeerCertificate(true) as PeerCertificate;
    const nodeDetailed = theirs.getPeerCertificate(true);
    expect(chainSubjects(detailed)).toEqual(chainSubjects(nodeDetailed));
    expect(chainSubjects(detailed)).toHaveLength(3); // leaf, CA, (self)
    expect(view(detailed.issuerCertificate!)).toEqual(view(nodeDetailed.issuerCertificate));
    expect(ours.getPeerX509Certificate()?.fingerprint256).toBe(theirs.getPeerX509Certificate()?.fingerprint256);
    ours.destroy();
    theirs.destroy();
    await srv.close();
  });

  it('getPeerCertificate(true) reaches the anchor of a connect({ context }) Context too', async () => {
    const srv = await server(pki.ecdsa.key, pki.ecdsa.cert);
    const context = new Context({ trustStore: TrustStore.fromPem(pki.caPem) });
    const ours = connect({ host: '127.0.0.1', port: srv.port, context });
    await once(ours, 'secureConnect');
    const detailed = ours.getPeerCertificate(true) as PeerCertificate;
    expect(detailed.issuerCertificate?.subject).toEqual({ CN: 'puretls transport test CA' });
    expect(detailed.issuerCertificate?.issuerCertificate).toBe(detailed.issuerCertificate);
    ours.destroy();
    await srv.close();
  });

  it('an empty-subject (SAN only) certificate with AIA and EKU does not throw and matches node:tls', async () => {
    const srv = await server(emptySubject.key, emptySubject.cert);
    const ours = connect({ host: '127.0.0.1', port: srv.port, ca: emptySubject.cert, servername: 'localhost' });
    const theirs = nodeConnect({ host: '127.0.0.1', port: srv.port, ca: emptySubject.cert, servername: 'localhost' });
    await Promise.all([once(ours, 'secureConnect'), once(theirs, 'secureConnect')]);
    const mine = ours.getPeerCertificate(true) as PeerCertificate;
    expect(mine.subject).toEqual({});
    expect(mine.infoAccess).toEqual({ 'OCSP - URI': ['http://ocsp.example/'], 'CA Issuers - URI': ['http://ca.example/ca.der'] });
    expect(mine.ext_key_usage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(mine.nistCurve).toBe('P-384');
    expect(view(mine)).toEqual(view(theirs.getPeerCertificate()));
    expect(opensslSubjectLine(mine.raw)).toBe('');
    ours.destroy();
    theirs.destroy();
    await srv.close();
  });
});

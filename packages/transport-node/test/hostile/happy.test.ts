/**
 * The hostile server behaving: every suite, group and signature scheme it can misuse must first
 * complete a correct handshake with the client, or a rejection case could pass for the wrong
 * reason (a broken server). Data goes both ways: the server decrypts what the client writes.
 */
import { describe, expect, it } from 'vitest';
import type { TLSSocket } from '../../src/tls-socket.ts';
import { run12, run13, useHostile } from './harness.ts';
import type { HostilePki } from './pki.ts';
import { Tls12, Tls13, type Identity, type Peer } from './server.ts';
import { ALERT, CT, GROUP, SCHEME, SUITE } from './wire.ts';

const h = useHostile();
const fromServer = Buffer.from('server to client');
const fromClient = Buffer.from('client to server');

/** After the handshake: read the client's data, answer, close. */
async function exchange(p: Peer): Promise<Buffer> {
  await p.clientConnected;
  const rec = await p.readRecord();
  p.data(fromServer);
  p.alert(1, ALERT.close_notify);
  return rec?.type === CT.ApplicationData ? rec.content : Buffer.alloc(0);
}

/** After the handshake: the server's data, then close_notify. */
async function sendAndClose(p: Peer): Promise<void> {
  await p.clientConnected;
  p.data(fromServer);
  p.alert(1, ALERT.close_notify);
}

const onConnect = (s: TLSSocket): void => void s.once('secureConnect', () => s.write(fromClient));

describe('TLS 1.3: every suite, group and server key', () => {
  const suites: [string, number][] = [
    ['TLS_AES_128_GCM_SHA256', SUITE.TLS_AES_128_GCM_SHA256],
    ['TLS_AES_256_GCM_SHA384', SUITE.TLS_AES_256_GCM_SHA384],
    ['TLS_CHACHA20_POLY1305_SHA256', SUITE.TLS_CHACHA20_POLY1305_SHA256],
  ];
  const groups: [string, number][] = [
    ['X25519', GROUP.x25519],
    ['P-256', GROUP.secp256r1],
    ['P-384', GROUP.secp384r1],
  ];
  const identities: [string, (p: HostilePki) => Identity, number][] = [
    ['ecdsa_secp256r1_sha256', (p) => p.ec256, SCHEME.ecdsa_secp256r1_sha256],
    ['ecdsa_secp384r1_sha384', (p) => p.ec384, SCHEME.ecdsa_secp384r1_sha384],
    ['rsa_pss_rsae_sha256', (p) => p.rsa, SCHEME.rsa_pss_rsae_sha256],
    ['rsa_pss_rsae_sha384', (p) => p.rsa, SCHEME.rsa_pss_rsae_sha384],
    ['rsa_pss_rsae_sha512', (p) => p.rsa, SCHEME.rsa_pss_rsae_sha512],
    ['ed25519', (p) => p.ed25519, SCHEME.ed25519],
  ];
  for (const [suiteName, suite] of suites) {
    for (const [groupName, group] of groups) {
      it(`${suiteName} over ${groupName}`, async () => {
        let got: Buffer = Buffer.alloc(0);
        const r = await h.server.run(async (p) => {
          const t = await Tls13.accept(p, { identity: h.pki.ec256, suite, group });
          await t.handshake();
          got = await exchange(p);
          return p.readUntilClose();
        }, h.client({ groups: groupName }), 3000, onConnect);
        expect(r.client.error).toBeUndefined();
        expect(r.client.socket.getCipher()?.standardName).toBe(suiteName);
        expect(r.client.socket.getNegotiatedGroup()).toBe(groupName);
        expect(got.equals(fromClient)).toBe(true);
        expect(r.client.data.equals(fromServer)).toBe(true);
        expect(r.value.map((x) => [x.type, x.key, ...(x.type === CT.Alert ? x.content : [])])).toEqual([[CT.Alert, 'client app', 1, 0]]);
      });
    }
  }
  for (const [name, identity, scheme] of identities) {
    it(`CertificateVerify with ${name}`, async () => {
      const r = await run13(h, async (t, p) => {
        await t.handshake();
        await sendAndClose(p);
      }, { identity, server13: { scheme } });
      expect(r.client.error).toBeUndefined();
      expect(r.client.socket.getPeerSignatureScheme()).toBe(name);
      expect(r.client.data.equals(fromServer)).toBe(true);
    });
  }
  it('after a HelloRetryRequest for P-256', async () => {
    const r = await run13(h, async (t, p) => {
      p.sendHandshake([t.helloRetryRequest({ group: GROUP.secp256r1 })]);
      const ch2 = await t.readSecondClientHello();
      expect(ch2.keyShares.map((k) => k.group)).toEqual([GROUP.secp256r1]);
      await t.handshake();
      await sendAndClose(p);
    });
    expect(r.client.error).toBeUndefined();
    expect(r.client.data.equals(fromServer)).toBe(true);
  });
  it('a ChangeCipherSpec before the ServerHello is dropped (RFC 8446 §5)', async () => {
    const r = await run13(h, async (t, p) => {
      p.ccs();
      await t.handshake();
      await sendAndClose(p);
    });
    expect(r.client.error).toBeUndefined();
    expect(r.client.data.equals(fromServer)).toBe(true);
  });
  it('every record split in two TCP writes, each half delayed by 15 ms', async () => {
    const r = await run13(h, async (t, p) => {
      const held: Buffer[] = [];
      p.hook = (rec) => {
        held.push(rec);
        return [];
      };
      t.flight({ frame: (msgs) => msgs.forEach((m) => p.sendHandshake([m])) });
      p.hook = undefined;
      for (const rec of held) {
        for (const half of [rec.subarray(0, 3), rec.subarray(3)]) {
          p.write(half);
          await p.sleep(15);
        }
      }
      await t.readClientFinished();
      await sendAndClose(p);
    });
    expect(r.client.error).toBeUndefined();
    expect(r.client.data.equals(fromServer)).toBe(true);
  });
  it('the flight in 1-byte records, and a KeyUpdate the client follows', async () => {
    const r = await run13(h, async (t, p) => {
      t.flight({ frame: (msgs) => p.sendHandshake(msgs, 1) });
      await t.readClientFinished();
      await p.clientConnected;
      t.sendKeyUpdate(false);
      p.data(fromServer);
      p.alert(1, ALERT.close_notify);
    });
    expect(r.client.error).toBeUndefined();
    expect(r.client.data.equals(fromServer)).toBe(true);
  });
});

describe('TLS 1.2: every suite', () => {
  const suites: [string, number, (p: HostilePki) => Identity][] = [
    ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', SUITE.ECDHE_ECDSA_AES_128_GCM_SHA256, (p) => p.ec256],
    ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', SUITE.ECDHE_ECDSA_AES_256_GCM_SHA384, (p) => p.ec384],
    ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', SUITE.ECDHE_ECDSA_CHACHA20_POLY1305, (p) => p.ed25519],
    ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', SUITE.ECDHE_RSA_AES_128_GCM_SHA256, (p) => p.rsa],
    ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', SUITE.ECDHE_RSA_AES_256_GCM_SHA384, (p) => p.rsa],
    ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', SUITE.ECDHE_RSA_CHACHA20_POLY1305, (p) => p.rsa],
  ];
  for (const [name, suite, identity] of suites) {
    it(name, async () => {
      let got: Buffer = Buffer.alloc(0);
      const r = await h.server.run(async (p) => {
        const t = await Tls12.accept(p, { identity: identity(h.pki), suite });
        await t.handshake();
        got = await exchange(p);
        return p.readUntilClose();
      }, h.client(), 3000, onConnect);
      expect(r.client.error).toBeUndefined();
      expect(r.client.socket.getProtocol()).toBe('TLSv1.2');
      expect(r.client.socket.getCipher()?.standardName).toBe(name);
      expect(got.equals(fromClient)).toBe(true);
      expect(r.client.data.equals(fromServer)).toBe(true);
    });
  }
  for (const [name, group] of [['P-256', GROUP.secp256r1], ['P-384', GROUP.secp384r1]] as const) {
    it(`ECDHE over ${name}, without extended_master_secret`, async () => {
      const r = await run12(h, async (t, p) => {
        await t.handshake();
        await sendAndClose(p);
      }, { server12: { group, ems: false } });
      expect(r.client.error).toBeUndefined();
      expect(r.client.data.equals(fromServer)).toBe(true);
    });
  }
  it('a HelloRequest after the handshake gets a no_renegotiation warning and the connection goes on', async () => {
    const r = await run12(h, async (t, p) => {
      await t.handshake();
      await p.clientConnected;
      p.sendRecord(CT.Handshake, Buffer.from([0, 0, 0, 0]));
      p.data(fromServer);
      p.alert(1, ALERT.close_notify);
    });
    expect(r.client.error).toBeUndefined();
    expect(r.client.data.equals(fromServer)).toBe(true);
    expect(r.value.filter((x) => x.type === CT.Alert).map((x) => [x.key, ...x.content])).toEqual([
      ['client', 1, ALERT.no_renegotiation],
      ['client', 1, ALERT.close_notify],
    ]);
  });
});

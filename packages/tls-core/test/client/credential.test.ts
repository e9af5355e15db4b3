/**
 * Client credentials (RFC 8446 §4.4.2, RFC 5246 §7.4.6): building one from the test PKI's PEM
 * files (PKCS#8, SEC1, PKCS#1 keys), refusing a key that is not the leaf's, and the choice of
 * credential and scheme from a server's CertificateRequest lists (RFC 8446 §4.2.3, RFC 5246 §7.4.4).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidPrivateKey } from '../../src/errors.ts';
import { SignatureScheme as S } from '../../src/wire/enums.ts';
import { chooseClientCredential, createClientCredential, type CertificateRequestInfo, type ClientCredential } from '../../src/client/credential.ts';
import { generatePki, type Pki } from '../x509/pki.ts';

let pki: Pki;
let ecdsa: ClientCredential, ecdsa384: ClientCredential, rsa: ClientCredential, rsaPss: ClientCredential, ed: ClientCredential;
const read = (f: string): string => readFileSync(pki.path(f), 'utf8');
const cred = (name: string, keyFile = `${name}.key`): ClientCredential => createClientCredential({ certificateChain: read(`${name}.chain.pem`), privateKey: read(keyFile) });

beforeAll(() => {
  pki = generatePki();
  ecdsa = cred('client-ecdsa');
  ecdsa384 = cred('client-ecdsa-p384');
  rsa = cred('client-rsa');
  rsaPss = cred('client-rsapss');
  ed = cred('client-ed25519');
});
afterAll(() => pki?.cleanup());

const req13 = (signatureSchemes: number[]): CertificateRequestInfo => ({ version: 'TLSv1.3', signatureSchemes, signatureSchemesCert: undefined, certificateAuthorities: [], certificateTypes: undefined });
const req12 = (signatureSchemes: number[], certificateTypes: number[]): CertificateRequestInfo => ({ version: 'TLSv1.2', signatureSchemes, signatureSchemesCert: undefined, certificateAuthorities: [], certificateTypes });

describe('building a credential', () => {
  it('keeps the chain (leaf + intermediate) and reads SEC1 and PKCS#1 keys as well as PKCS#8', () => {
    expect(ecdsa.chain).toHaveLength(2);
    expect(cred('client-ecdsa', 'client-ecdsa.sec1.key').key).toEqual(ecdsa.key);
    expect(cred('client-rsa', 'client-rsa.pkcs1.key').key).toEqual(rsa.key);
  });

  it('refuses a key that belongs to another certificate: KeyMismatch', () => {
    expect(() => createClientCredential({ certificateChain: read('client-ecdsa.pem'), privateKey: read('client-ecdsa-p384.key') })).toThrow(InvalidPrivateKey);
    let caught: unknown;
    try {
      createClientCredential({ certificateChain: read('client-rsa.pem'), privateKey: read('leaf-rsa2048.key') });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidPrivateKey);
    expect((caught as InvalidPrivateKey).reason).toBe('KeyMismatch');
    expect(() => createClientCredential({ certificateChain: '', privateKey: read('client-rsa.key') })).toThrow(InvalidPrivateKey);
  });
});

describe('choosing a credential and scheme', () => {
  it('TLS 1.3: the scheme must be the key curve’s and in the server list; PKCS#1 v1.5 is never used', () => {
    expect(chooseClientCredential(req13([S.ecdsa_secp256r1_sha256]), [ecdsa], undefined)?.scheme).toBe(S.ecdsa_secp256r1_sha256);
    expect(chooseClientCredential(req13([S.ecdsa_secp256r1_sha256]), [ecdsa384], undefined)).toBeUndefined();
    expect(chooseClientCredential(req13([S.rsa_pkcs1_sha256]), [rsa], undefined)).toBeUndefined();
    expect(chooseClientCredential(req13([S.rsa_pkcs1_sha256, S.rsa_pss_rsae_sha384]), [rsa], undefined)?.scheme).toBe(S.rsa_pss_rsae_sha384);
    expect(chooseClientCredential(req13([S.rsa_pss_rsae_sha256, S.rsa_pss_pss_sha256]), [rsaPss], undefined)?.scheme).toBe(S.rsa_pss_pss_sha256);
  });

  it('picks the first credential the server can take, in configuration order', () => {
    expect(chooseClientCredential(req13([S.ed25519, S.rsa_pss_rsae_sha256]), [ecdsa, rsa, ed], undefined)?.credential).toBe(rsa);
    expect(chooseClientCredential(req13([S.ed25519, S.rsa_pss_rsae_sha256]), [ed, rsa], undefined)?.credential).toBe(ed);
    expect(chooseClientCredential(req13([S.ecdsa_secp521r1_sha512]), [ecdsa, rsa, ed], undefined)).toBeUndefined();
  });

  it('TLS 1.2: certificate_types filter the key (Ed25519 counts as ecdsa_sign), PKCS#1 v1.5 and any ECDSA hash are allowed', () => {
    expect(chooseClientCredential(req12([S.rsa_pkcs1_sha256], [1]), [rsa], undefined)?.scheme).toBe(S.rsa_pkcs1_sha256);
    expect(chooseClientCredential(req12([S.rsa_pkcs1_sha256, S.ecdsa_secp256r1_sha256], [1]), [ecdsa, rsa], undefined)?.credential).toBe(rsa);
    expect(chooseClientCredential(req12([S.ecdsa_secp256r1_sha256], [64]), [ecdsa384], undefined)?.scheme).toBe(S.ecdsa_secp256r1_sha256);
    expect(chooseClientCredential(req12([S.ed25519], [64]), [ed], undefined)?.scheme).toBe(S.ed25519);
    expect(chooseClientCredential(req12([S.ed25519], [1]), [ed], undefined)).toBeUndefined();
  });

  it('a selection callback sees the request and decides; undefined means an empty Certificate', () => {
    let seen: CertificateRequestInfo | undefined;
    const pick = (r: CertificateRequestInfo, list: readonly ClientCredential[]): ClientCredential | undefined => ((seen = r), list[2]);
    expect(chooseClientCredential(req13([S.ed25519, S.ecdsa_secp256r1_sha256]), [ecdsa, rsa, ed], pick)?.credential).toBe(ed);
    expect(seen?.signatureSchemes).toEqual([S.ed25519, S.ecdsa_secp256r1_sha256]);
    expect(chooseClientCredential(req13([S.ecdsa_secp256r1_sha256]), [ecdsa], () => undefined)).toBeUndefined();
    // a callback's pick that cannot sign any listed scheme is not sent either
    expect(chooseClientCredential(req13([S.ecdsa_secp256r1_sha256]), [ecdsa, rsa], (_r, l) => l[1])).toBeUndefined();
  });
});

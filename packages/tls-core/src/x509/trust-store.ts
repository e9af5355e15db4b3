/**
 * Trust anchors (RFC 5280 §6.1.1 (d): trusted name and public key), parsed once from DER or a PEM
 * bundle and indexed by subject DER and by subjectKeyIdentifier, then shared by every handshake.
 * Immutable after construction.
 * @module
 */
import { equalBytes } from '../codec/bytes.ts';
import { InvalidCertificate } from '../errors.ts';
import { parseCertificate, type Certificate } from './certificate.ts';
import { decodePemCertificates } from './pem.ts';

/** A set of trusted certificates, indexed for issuer lookup. */
export class TrustStore {
  /** The anchors, in the order given (duplicates removed). */
  readonly anchors: readonly Certificate[];
  /** Certificates that could not be used as anchors, with the reason (unsupported key, bad encoding). */
  readonly rejected: readonly { readonly index: number; readonly error: InvalidCertificate }[];
  readonly #bySubject = new Map<string, Certificate[]>();
  readonly #byKeyId = new Map<string, Certificate[]>();

  /**
   * @param certificates DER certificates to trust
   * @param options `strict: true` throws on the first unusable certificate instead of recording it in `rejected`
   * @throws {InvalidCertificate} only with `strict`
   */
  constructor(certificates: Iterable<Uint8Array>, options: { strict?: boolean } = {}) {
    const anchors: Certificate[] = [];
    const rejected: { index: number; error: InvalidCertificate }[] = [];
    const seen = new Set<string>();
    let index = 0;
    for (const der of certificates) {
      try {
        const cert = parseCertificate(der);
        const id = bytesKey(cert.der);
        if (!seen.has(id)) {
          seen.add(id);
          anchors.push(cert);
          push(this.#bySubject, bytesKey(cert.subject.der), cert);
          if (cert.subjectKeyIdentifier !== undefined) push(this.#byKeyId, bytesKey(cert.subjectKeyIdentifier), cert);
        }
      } catch (e) {
        if (!(e instanceof InvalidCertificate) || options.strict === true) throw e;
        rejected.push({ index, error: e });
      }
      index++;
    }
    this.anchors = anchors;
    this.rejected = rejected;
  }

  /**
   * Build a store from a PEM bundle (e.g. a system CA file or `openssl` output).
   * @example
   * const trust = TrustStore.fromPem(readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8'));
   */
  static fromPem(pem: string, options: { strict?: boolean } = {}): TrustStore {
    return new TrustStore(decodePemCertificates(pem), options);
  }

  /** Number of usable anchors. */
  get size(): number {
    return this.anchors.length;
  }

  /** Anchors whose subject is exactly this Name DER. */
  bySubject(subjectDer: Uint8Array): readonly Certificate[] {
    return this.#bySubject.get(bytesKey(subjectDer)) ?? NONE;
  }

  /** Anchors whose subjectKeyIdentifier is exactly this key identifier. */
  byKeyIdentifier(keyId: Uint8Array): readonly Certificate[] {
    return this.#byKeyId.get(bytesKey(keyId)) ?? NONE;
  }

  /** Is this exact certificate one of the anchors? */
  contains(cert: Certificate): boolean {
    return this.bySubject(cert.subject.der).some((a) => equalBytes(a.der, cert.der));
  }
}

const NONE: readonly Certificate[] = Object.freeze([]);

function push(map: Map<string, Certificate[]>, key: string, cert: Certificate): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [cert]);
  else list.push(cert);
}

/** A Map key for bytes (latin-1 string: cheaper than hex, exact). */
export function bytesKey(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  return s;
}

/**
 * Signed certificate timestamps for `puretls probe` (RFC 6962 §3.3): the SCT lists a server gives
 * by the three routes RFC 6962 defines, from one handshake: the TLS extension
 * signed_certificate_timestamp (§3.3.1; asked for with tls-core's `signedCertificateTimestamps`
 * option, received in the TLS 1.2 ServerHello or the TLS 1.3 leaf CertificateEntry), the leaf
 * certificate's extension 1.3.6.1.4.1.11129.2.4.2, and the same extension in the stapled OCSP
 * response's SingleResponse. Each SCT is reported with its source, version, log ID and timestamp;
 * no signature is checked against a log's key (the probe has no log list).
 * @module
 */
import { certificateSctList, decodeSignedCertificateTimestampList, ocspSctLists, type SignedCertificateTimestamp } from '@puretls/tls-core/wire';
import type { CertificateFacts, SctEntry, SctSource } from './report.ts';

/** What one handshake gave. */
export interface SctInputs {
  /** The connection number, for the evidence. */
  readonly connection: number;
  /** The raw list of the TLS extension (NegotiatedParameters.signedCertificateTimestamps). */
  readonly tlsExtension: Uint8Array | undefined;
  readonly leaf: Uint8Array | undefined;
  readonly ocspResponse: Uint8Array | undefined;
}

type SctFacts = NonNullable<CertificateFacts['sct']>;

/** The SCT facts of one handshake; a malformed list is reported in `errors`, never thrown. */
export function sctFacts(input: SctInputs): SctFacts {
  const entries: SctEntry[] = [];
  const errors: string[] = [];
  const read = (source: SctSource, lists: () => readonly Uint8Array[]): number => {
    let count = 0;
    try {
      for (const list of lists()) {
        const scts = decodeSignedCertificateTimestampList(list);
        entries.push(...scts.map((sct) => entryOf(source, sct)));
        count += scts.length;
      }
    } catch (e) {
      errors.push(`${source}: ${(e as Error).message.replace(/^tls: /, '')}`);
    }
    return count;
  };
  const tlsExtension = read('tls-extension', () => (input.tlsExtension === undefined ? [] : [input.tlsExtension]));
  const embedded = read('certificate', () => {
    const list = input.leaf === undefined ? undefined : certificateSctList(input.leaf);
    return list === undefined ? [] : [list];
  });
  const ocsp = input.ocspResponse === undefined ? null : read('ocsp', () => ocspSctLists(input.ocspResponse!));
  const parts = [
    `signed_certificate_timestamp offered: ${input.tlsExtension === undefined ? 'no list in the server answer' : `a ${input.tlsExtension.length}-byte list with ${tlsExtension} SCT(s)`}`,
    `leaf extension 1.3.6.1.4.1.11129.2.4.2: ${embedded} SCT(s)`,
    ocsp === null ? 'no OCSP staple' : `OCSP staple: ${ocsp} SCT(s)`,
  ];
  return {
    count: entries.length,
    tlsExtension,
    embedded,
    ocsp,
    scts: entries,
    signaturesVerified: false,
    errors,
    evidence: `connection ${input.connection}: ${parts.join('; ')}; signatures not verified`,
  };
}

/** SCTs in a certificate's embedded list (0 without one or when it cannot be read). */
export function embeddedSctCount(der: Uint8Array): number {
  try {
    const list = certificateSctList(der);
    return list === undefined ? 0 : decodeSignedCertificateTimestampList(list).length;
  } catch {
    return 0;
  }
}

function entryOf(source: SctSource, sct: SignedCertificateTimestamp): SctEntry {
  if (!('logId' in sct)) return { source, version: sct.version, logId: null, timestamp: null, timestampMs: null };
  const hex = Array.from(sct.logId, (b) => b.toString(16).padStart(2, '0')).join('');
  const date = new Date(sct.timestamp);
  return { source, version: sct.version, logId: hex, timestamp: Number.isNaN(date.getTime()) ? null : date.toISOString(), timestampMs: sct.timestamp };
}

/**
 * The human-readable form of a probe report: one line per fact, `label  value  [evidence]`,
 * grouped by section, in the order of docs/probe.md. The JSON form (`--json`) is the report itself.
 * @module
 */
import type { ProbeReport } from './report.ts';

/** The report as text lines (no trailing newline). */
export function reportTable(report: ProbeReport): string {
  const rows: Array<[string, string, string?]> = [];
  const section = (title: string): void => {
    rows.push([`== ${title}`, '']);
  };
  const t = report.target;
  section(`${t.host}:${t.port}${t.starttls === null ? '' : ` (STARTTLS ${t.starttls})`}, server name ${t.servername}`);
  rows.push(['connections', `${report.connections.opened} of ${report.connections.budget}, deadline ${report.connections.deadlineMs} ms each, ${report.durationMs} ms in all`]);
  const hello = report.hello;
  if (hello !== null) {
    section(`ClientHello scan (${hello.connectionsUsed} connections${hello.complete ? '' : ', INCOMPLETE'})`);
    const v = hello.versions;
    const fact = (f: { value: boolean | undefined }): string => (f.value === undefined ? 'unknown' : f.value ? 'yes' : 'no');
    rows.push(['versions', `TLS 1.3 ${fact(v.tls13)}, TLS 1.2 ${fact(v.tls12)}, TLS 1.1 ${fact(v.tls11)}, TLS 1.0 ${fact(v.tls10)}, SSL 3.0 ${fact(v.ssl3)}`]);
    const suites = (e: typeof hello.tls13.suites): string => (e.accepted.length === 0 ? 'none' : e.accepted.map((a) => `${a.name}${a.puretlsUses ? '' : ' (puretls: never)'}`).join(', '));
    const order = (f: { value: boolean | undefined }): string => `order: ${f.value === true ? "server's" : f.value === false ? "client's" : 'unknown'}`;
    rows.push(['TLS 1.3 suites', suites(hello.tls13.suites), order(hello.tls13.suites.serverPreference)]);
    rows.push(['TLS 1.2 suites', suites(hello.tls12.suites), order(hello.tls12.suites.serverPreference)]);
    rows.push(['TLS 1.3 groups', hello.tls13.groups.accepted.map((g) => g.name).join(', ') || 'none', order(hello.tls13.groups.serverPreference)]);
    rows.push(['TLS 1.2 groups', hello.tls12.groups.accepted.map((g) => g.name).join(', ') || 'none', order(hello.tls12.groups.serverPreference)]);
    rows.push(['HelloRetryRequest', `for a non-preferred share: ${fact(hello.tls13.hrrWhenShareNotPreferred)}, cookie: ${fact(hello.tls13.hrrCookie)}`]);
    rows.push(['TLS 1.2 extensions', `EMS ${fact(hello.tls12.extendedMasterSecret)}, renegotiation_info ${fact(hello.tls12.secureRenegotiation)}, downgrade sentinel ${fact(hello.tls12.downgradeSentinel)}`]);
    const t = hello.tolerance;
    rows.push(['tolerance', `unknown extension ${t.unknownExtension.outcome}, GREASE ${t.grease.outcome}, 256-511 B ${t.helloIn256To511.outcome}, >512 B ${t.helloOver512.outcome}, >16 KiB ${t.helloOver16k.outcome}`]);
  }
  const h = report.handshake;
  section('Handshake (puretls defaults)');
  if (h === null) rows.push(['handshake', 'failed (see notes)']);
  else {
    rows.push(['version', h.version, h.evidence]);
    rows.push(['suite', h.suite]);
    rows.push(['group', h.group ?? '-']);
    rows.push(['signature', h.signatureScheme ?? '-']);
  }
  const c = report.certificate;
  section('Certificate');
  if (c === null) rows.push(['chain', 'none received']);
  else {
    for (const [i, cert] of c.chain.entries()) {
      const key = `${cert.keyType}${cert.keyBits === null ? '' : ` ${cert.keyBits}`}${cert.curve === null ? '' : ` (${cert.curve})`}`;
      rows.push([`#${i}`, `${cert.subject} <- ${cert.issuer}`]);
      rows.push(['', `key ${key}, signed ${cert.signatureAlgorithm ?? '?'}, ${cert.notBefore.slice(0, 10)} .. ${cert.notAfter.slice(0, 10)}${cert.expired ? ' EXPIRED' : ''}${cert.notYetValid ? ' NOT YET VALID' : ''}`]);
    }
    rows.push(['order', c.order.leafFirstEachIssuedByNext ? 'leaf first, each issued by the next' : 'NOT in issuing order', c.order.evidence]);
    rows.push(['trust', c.trust.trusted ? `trusted (${c.trust.store})${c.trust.validNow ? '' : ', but not valid now'}` : `UNTRUSTED (${c.trust.store})`, c.trust.error ?? c.trust.path.join(' <- ')]);
    rows.push(['host name', c.hostname.matches ? `matches ${c.hostname.name}` : `DOES NOT match ${c.hostname.name}`, c.hostname.error ?? undefined]);
    rows.push(['expiry', c.expiry.expired ? 'EXPIRED' : c.expiry.notYetValid ? 'NOT YET VALID' : `valid, leaf ${c.expiry.leafDaysLeft ?? '?'} days left`]);
    if (c.ocsp !== undefined) rows.push(['OCSP staple', c.ocsp.stapled ? `yes, ${c.ocsp.status}` : 'no', c.ocsp.evidence]);
    if (c.sct !== undefined) {
      const s = c.sct;
      rows.push(['SCTs', `${s.count}: ${s.tlsExtension} in the TLS extension, ${s.embedded} embedded, ${s.ocsp === null ? 'no staple' : `${s.ocsp} in the OCSP staple`}${s.errors.length > 0 ? `; unreadable: ${s.errors.join('; ')}` : ''}`, s.evidence]);
      for (const e of s.scts) rows.push(['', `${e.source}: ${e.logId === null ? `version ${e.version} (not decoded)` : `log ${e.logId}, ${e.timestamp ?? `timestamp ${e.timestampMs}`}`}`]);
    }
  }
  section('Resumption');
  const r13 = report.resumption.tls13;
  if (r13 === null) rows.push(['TLS 1.3', 'not tested']);
  else {
    rows.push(['TLS 1.3 tickets', `${r13.ticketsPerHandshake} per handshake, lifetime ${r13.ticketLifetimesSeconds.join('/') || '-'} s`]);
    rows.push(['psk_dhe_ke', yesNo(r13.pskDheKe)]);
    rows.push(['psk_ke', yesNo(r13.pskKe)]);
    rows.push(['ticket reuse', r13.reuse ?? 'not tested']);
    rows.push(['ticket after delay', r13.afterDelay === null ? 'not tested' : `${r13.afterDelay.resumed ? 'resumed' : 'refused'} after ${r13.afterDelay.delayMs} ms`]);
    const early = r13.earlyData;
    rows.push(['0-RTT', `max_early_data_size ${early.advertisedMaxSize}; ${early.accepted === null ? 'acceptance not tested' : early.accepted ? 'early data accepted' : 'early data refused'}`]);
    for (const e of r13.evidence) rows.push(['', '', e]);
  }
  const r12 = report.resumption.tls12;
  if (r12 === null) rows.push(['TLS 1.2', 'not tested']);
  else {
    rows.push(['TLS 1.2 session ID', r12.sessionIdIssued ? `issued, resumption ${yesNo(r12.sessionIdResumed)}` : 'none']);
    rows.push(['TLS 1.2 ticket', r12.ticketIssued ? `issued (${r12.ticketLifetimeSeconds ?? '?'} s), resumption ${yesNo(r12.ticketResumed)}` : 'none']);
    for (const e of r12.evidence) rows.push(['', '', e]);
  }
  section('Behaviour');
  const b = report.behaviour;
  if (b.alpn !== null) rows.push(['ALPN', b.alpn.selected ?? 'none selected', b.alpn.evidence]);
  if (b.keyUpdate !== null) rows.push(['KeyUpdate', b.keyUpdate.answered ? 'answered' : 'not answered while idle', b.keyUpdate.evidence]);
  if (b.closeNotify !== null) rows.push(['close_notify', b.closeNotify.sent ? 'sent' : 'NOT sent', b.closeNotify.evidence]);
  if (b.recordSizeLimit !== null) rows.push(['record_size_limit', b.recordSizeLimit.serverLimit === null ? 'not supported' : String(b.recordSizeLimit.serverLimit), b.recordSizeLimit.evidence]);
  if (report.policy.failOn.length > 0) {
    section(`Policy --fail-on ${report.policy.failOn.join(',')}`);
    if (report.policy.violations.length === 0) rows.push(['result', 'pass']);
    for (const v of report.policy.violations) rows.push([`FAIL ${v.policy}`, v.reason]);
  }
  if (report.notes.length > 0) {
    section('Notes');
    for (const n of report.notes) rows.push(['', n]);
  }
  const width = Math.max(...rows.filter(([l]) => !l.startsWith('==')).map(([l]) => l.length));
  return rows
    .map(([label, value, evidence]) => {
      if (label.startsWith('==')) return `\n${label}`;
      const line = `  ${label.padEnd(width)}  ${value}`;
      if (evidence === undefined || evidence === '') return line.trimEnd();
      return value === '' ? `${line}[${evidence}]` : `${line}  [${evidence}]`;
    })
    .join('\n')
    .trimStart();
}

function yesNo(v: boolean | null): string {
  return v === null ? 'not tested' : v ? 'yes' : 'no';
}

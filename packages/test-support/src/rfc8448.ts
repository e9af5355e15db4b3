/**
 * The one parser of the RFC 8448 trace text (fixtures/rfc8448.txt): splits it into steps such as
 *
 * ```
 *    {server}  derive secret "tls13 s hs traffic":
 *       PRK (32 octets):  ...
 *       hash (32 octets):  ...
 *       info (54 octets):  ...
 *       expanded (32 octets):  ...
 * ```
 *
 * and returns each step's labelled hex blocks as bytes, so the tests use the RFC's own values
 * (no hand-copied constants). Every block's octet count is checked against its hex, so a
 * truncated or garbled block fails loudly. `salt:  0 (all zero octets)` becomes an empty salt
 * (HKDF's "no salt"), `(empty)` an empty block. {@link rfc8448} looks up one block by its label
 * alone (the nth `ClientHello`, `payload`, ... of a section), for the wire codec's tests.
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One `{client}`/`{server}` step of a trace section. */
export interface TraceStep {
  readonly section: number;
  readonly actor: 'client' | 'server';
  /** The step title with whitespace normalised, without the trailing colon. */
  readonly title: string;
  /** 1-based line of the step heading (for error messages). */
  readonly line: number;
  /** Labelled blocks in order of appearance (e.g. 'PRK', 'hash', 'info', 'expanded', 'complete record'). */
  readonly fields: ReadonlyMap<string, Uint8Array>;
}

/** Parsed trace with lookup helpers that throw on anything missing. */
export class Trace {
  readonly steps: readonly TraceStep[];

  constructor(text: string) {
    this.steps = parseTrace(text);
  }

  /** The `nth` step in `section` by `actor` whose title equals `title`. */
  step(section: number, actor: 'client' | 'server', title: string, nth = 0): TraceStep {
    const found = this.steps.filter((s) => s.section === section && s.actor === actor && s.title === title);
    const s = found[nth];
    if (s === undefined) throw new Error(`trace: no step #${nth} '{${actor}} ${title}' in section ${section}`);
    return s;
  }

  /** All steps of a section in trace order. */
  section(section: number): TraceStep[] {
    return this.steps.filter((s) => s.section === section);
  }

  /** A field of a step. */
  value(section: number, actor: 'client' | 'server', title: string, field: string, nth = 0): Uint8Array {
    return fieldOf(this.step(section, actor, title, nth), field);
  }
}

/** A field of a step, or an error naming the step. */
export function fieldOf(step: TraceStep, name: string): Uint8Array {
  const v = step.fields.get(name);
  if (v === undefined) throw new Error(`trace: step '${step.title}' (line ${step.line}) has no field '${name}'`);
  return v;
}

/** Split the trace text into steps. */
export function parseTrace(text: string): TraceStep[] {
  const lines = text.split(/\r?\n/);
  const steps: TraceStep[] = [];
  let section = 0;
  let current: { section: number; actor: 'client' | 'server'; title: string; line: number; fields: Map<string, Uint8Array> } | undefined;
  let open: { name: string; octets: number; hex: string[] } | undefined;
  let titleOpen = false;

  const closeField = (lineNo: number): void => {
    if (open === undefined || current === undefined) return;
    if (open.hex.length !== open.octets)
      throw new Error(`trace: '${open.name}' before line ${lineNo} has ${open.hex.length} octets, declared ${open.octets}`);
    if (current.fields.has(open.name)) throw new Error(`trace: duplicate field '${open.name}' in '${current.title}'`);
    current.fields.set(open.name, Uint8Array.from(open.hex, (h) => parseInt(h, 16)));
    open = undefined;
  };
  const closeStep = (lineNo: number): void => {
    closeField(lineNo);
    if (current !== undefined) steps.push(current);
    current = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    const sectionHeading = /^(\d+)\. {2}\S/.exec(line);
    if (sectionHeading !== null) {
      closeStep(lineNo);
      section = Number(sectionHeading[1]);
      continue;
    }
    const stepHeading = /^ {3}\{(client|server)\} {2}(.*)$/.exec(line);
    if (stepHeading !== null) {
      closeStep(lineNo);
      current = { section, actor: stepHeading[1] as 'client' | 'server', title: stepHeading[2]!.trim(), line: lineNo, fields: new Map() };
      // "(same as ..." may wrap onto the next line.
      titleOpen = current.title.includes('(') && !current.title.includes(')');
      current.title = current.title.replace(/:$/, '');
      continue;
    }
    if (current === undefined || isPageFurniture(line)) continue;
    if (titleOpen && /^ {6}\S/.test(line)) {
      current.title = `${current.title} ${line.trim()}`;
      titleOpen = !line.includes(')');
      continue;
    }
    titleOpen = false;
    const fieldHeading = /^ {6}(\S.*?) \((\d+) octets\): {1,2}(.*)$/.exec(line);
    if (fieldHeading !== null) {
      closeField(lineNo);
      const rest = fieldHeading[3]!.trim();
      open = { name: fieldHeading[1]!, octets: Number(fieldHeading[2]), hex: rest === '(empty)' ? [] : hexTokens(rest, lineNo) };
      continue;
    }
    if (/^ {6}salt: {2}0 \(all zero octets\)$/.test(line)) {
      closeField(lineNo);
      current.fields.set('salt', new Uint8Array(0));
      continue;
    }
    if (open !== undefined && /^ {9}[0-9a-f]{2}( [0-9a-f]{2})*$/.test(line)) {
      open.hex.push(...hexTokens(line.trim(), lineNo));
      continue;
    }
    if (line.trim() === '') continue;
    // Any other text inside a step ends it (prose between sections, the Security Considerations, ...).
    closeStep(lineNo);
  }
  closeStep(lines.length);
  return steps;
}

function hexTokens(s: string, lineNo: number): string[] {
  if (!/^[0-9a-f]{2}( [0-9a-f]{2})*$/.test(s)) throw new Error(`trace: line ${lineNo} is not a hex dump: '${s}'`);
  return s.split(' ');
}

function isPageFurniture(line: string): boolean {
  const t = line.trim();
  return t === '\f' || /\[Page \d+\]$/.test(t) || /^Internet-Draft\s/.test(t) || /^RFC 8448\s/.test(t);
}

/** The vendored RFC 8448 text. */
export const RFC8448_TEXT = readFileSync(fileURLToPath(new URL('../fixtures/rfc8448.txt', import.meta.url)), 'utf8');

/** The parsed vendored trace. */
export const RFC8448 = /* @__PURE__ */ new Trace(RFC8448_TEXT);

/**
 * The `nth` block labelled `label` in section `section` (e.g. 3 = "Simple 1-RTT Handshake"),
 * whichever step it is in.
 * @example rfc8448(3, 'ClientHello') // the 196-octet ClientHello
 */
export function rfc8448(section: number, label: string, nth = 0): Uint8Array {
  let seen = 0;
  for (const step of RFC8448.section(section)) {
    const value = step.fields.get(label);
    if (value !== undefined && seen++ === nth) return value;
  }
  throw new Error(`rfc8448: no block #${nth} labelled '${label}' in section ${section}`);
}

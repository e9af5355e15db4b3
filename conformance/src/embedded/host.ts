/**
 * Hosts for the guest script (guest.ts): a bare QuickJS context (quickjs-emscripten, the wasm
 * engine) and a node:vm context, each given only the shipped IIFE bundle, the guest script and
 * one host function `hostRandom(n)`; plus {@link runGuestConnection}, the byte pipe between a
 * guest and a TCP server that the host drives (the guest never sees a socket).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import vm from 'node:vm';
import { getQuickJS, type QuickJSContext, type QuickJSHandle } from 'quickjs-emscripten';
import { REPO_ROOT } from '../pki.ts';
import { GUEST_SCRIPT } from './guest.ts';

/** A loaded guest: call one `guest.<method>(arg)` and get its JSON string back. */
export interface GuestHost {
  call(method: GuestMethod, arg?: string): string;
  /** Globals the context has, by `typeof` (the tests assert what is absent). */
  typeOf(name: string): string;
  dispose(): void;
}
export type GuestMethod = 'connect' | 'pump' | 'write' | 'close' | 'eof' | 'free';

/** What a guest call returns (guest.ts). */
export interface GuestResult {
  readonly out: string;
  readonly handshakeDone: boolean;
  readonly closed: boolean;
  readonly error?: { readonly name: string; readonly reason?: string; readonly message: string };
  readonly info?: { readonly version: string; readonly suite: number; readonly group?: number; readonly scheme?: number; readonly resumed: boolean; readonly hrr: boolean };
  readonly data: string;
  readonly keylog: readonly string[];
  readonly sessions: readonly string[];
}

/** The shipped IIFE bundle (built by `pnpm build`: packages/bundle/build.js). */
export const IIFE_BUNDLE_PATH = join(REPO_ROOT, 'packages', 'bundle', 'dist', 'puretls.iife.min.js');

export async function readIifeBundle(): Promise<string> {
  try {
    return await readFile(IIFE_BUNDLE_PATH, 'utf8');
  } catch {
    throw new Error(`${IIFE_BUNDLE_PATH} is missing: run pnpm build`);
  }
}

const hostRandom = (n: number): string => randomBytes(n).toString('hex');

/** A node:vm context: ECMAScript built-ins only (no TextEncoder, TextDecoder, crypto, console). */
export function nodeVmHost(bundle: string): GuestHost {
  const context = vm.createContext({ hostRandom });
  vm.runInContext(bundle, context, { filename: 'puretls.iife.min.js' });
  vm.runInContext(GUEST_SCRIPT, context, { filename: 'guest.js' });
  const guest = vm.runInContext('guest', context) as Record<GuestMethod, (arg?: string) => string>;
  return {
    call: (method, arg) => guest[method](arg),
    typeOf: (name) => vm.runInContext(`typeof ${name}`, context) as string,
    dispose: () => {},
  };
}

/** Load time of the QuickJS wasm module, once per process. */
let quickJsModule: ReturnType<typeof getQuickJS> | undefined;

/** A fresh bare QuickJS context (its own runtime) with the bundle and the guest loaded. */
export async function quickJsHost(bundle: string): Promise<GuestHost> {
  const QuickJS = await (quickJsModule ??= getQuickJS());
  const runtime = QuickJS.newRuntime();
  runtime.setMaxStackSize(4 * 1024 * 1024);
  const ctx = runtime.newContext();
  const fn = ctx.newFunction('hostRandom', (n) => ctx.newString(hostRandom(ctx.getNumber(n))));
  ctx.setProp(ctx.global, 'hostRandom', fn);
  fn.dispose();
  evalOrThrow(ctx, bundle, 'puretls.iife.min.js');
  evalOrThrow(ctx, GUEST_SCRIPT, 'guest.js');
  const guest = ctx.getProp(ctx.global, 'guest');
  const methods = new Map<GuestMethod, QuickJSHandle>();
  return {
    call(method, arg) {
      let f = methods.get(method);
      if (f === undefined) methods.set(method, (f = ctx.getProp(guest, method)));
      const a = ctx.newString(arg ?? '');
      const r = ctx.callFunction(f, guest, a);
      a.dispose();
      const h = ctx.unwrapResult(r);
      const s = ctx.getString(h);
      h.dispose();
      return s;
    },
    typeOf(name) {
      const h = ctx.unwrapResult(ctx.evalCode(`typeof ${name}`));
      const s = ctx.getString(h);
      h.dispose();
      return s;
    },
    dispose() {
      for (const f of methods.values()) f.dispose();
      guest.dispose();
      ctx.dispose();
      runtime.dispose();
    },
  };
}

function evalOrThrow(ctx: QuickJSContext, code: string, filename: string): void {
  const r = ctx.evalCode(code, filename);
  if (r.error) {
    const e = ctx.dump(r.error) as unknown;
    r.error.dispose();
    throw new Error(`QuickJS: ${filename}: ${JSON.stringify(e)}`);
  }
  r.value.dispose();
}

export interface GuestConnectOptions {
  readonly port: number;
  readonly host: string;
  /** Context options for the guest (guest.ts): caPem, cipherSuites, groups, keyShareGroups, min/maxVersion. */
  readonly config: Readonly<Record<string, unknown>>;
  /** A serialized Session (hex) to resume. */
  readonly session?: string;
  /** After the handshake: send this, wait for `expect` in the received text, then send `thenSend` and wait for the server's close. */
  readonly send?: string;
  readonly expect?: string;
  readonly thenSend?: string;
  readonly timeoutMs?: number;
}

/**
 * One connection: a TCP socket to 127.0.0.1:port on the host, and the guest's bytes through it.
 * Resolves with the guest's last result (handshake info, error, data, key log, sessions).
 */
export function runGuestConnection(guest: GuestHost, options: GuestConnectOptions): Promise<GuestResult> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(options.port, '127.0.0.1');
    let last: GuestResult | undefined;
    let phase: 'handshake' | 'data' | 'closing' = 'handshake';
    let finished = false;
    const timer = setTimeout(() => finish(new Error(`guest connection timed out in ${phase}: ${JSON.stringify(last?.error ?? {})}`)), options.timeoutMs ?? 20_000);
    function finish(error?: Error): void {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      guest.call('free');
      if (error !== undefined) reject(error);
      else resolve(last!);
    }
    function apply(json: string): void {
      last = JSON.parse(json) as GuestResult;
      if (last.out.length > 0 && !socket.destroyed) socket.write(Buffer.from(last.out, 'hex'));
      if (last.error !== undefined) return finish();
      if (phase === 'handshake' && last.handshakeDone) {
        if (options.send === undefined) return finish();
        phase = 'data';
        return apply(guest.call('write', options.send));
      }
      if (phase === 'data' && options.expect !== undefined && last.data.includes(options.expect)) {
        phase = 'closing';
        if (options.thenSend === undefined) return finish();
        return apply(guest.call('write', options.thenSend));
      }
      if (last.closed) finish();
    }
    socket.once('connect', () => apply(guest.call('connect', JSON.stringify({ config: options.config, host: options.host, port: options.port, session: options.session }))));
    socket.on('data', (d: Buffer) => {
      if (!finished) apply(guest.call('pump', d.toString('hex')));
    });
    socket.on('end', () => {
      if (!finished) apply(guest.call('eof'));
      finish();
    });
    socket.on('error', (e) => finish(e));
  });
}

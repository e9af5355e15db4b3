/**
 * The scripted steps a case runs on an established connection (../cases/schema.ts `Step`): send,
 * wait for text, write to the server's stdin, wait for server output, close, expect the server's
 * close or alert, download a file and check its size and hash.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { Step } from '../cases/schema.ts';
import type { Pki } from '../pki.ts';
import type { ClientConnection, ClientUnderTest, RunningServer } from '../types.ts';
import { check, notAvailable, type CheckResult } from './checks.ts';

const STEP_TIMEOUT_MS = 8000;
const DOWNLOAD_TIMEOUT_MS = 30_000;

/** Runs the steps in order; stops at the first failing one. */
export async function runSteps(steps: readonly Step[], connection: ClientConnection, server: RunningServer, pki: Pki, client: ClientUnderTest): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  for (const step of steps) {
    const result = await runStep(step, connection, server, pki, client);
    if (result !== undefined) checks.push(...result);
    if (result?.some((c) => c.status === 'fail')) break;
  }
  return checks;
}

async function runStep(step: Step, connection: ClientConnection, server: RunningServer, pki: Pki, client: ClientUnderTest): Promise<CheckResult[] | undefined> {
  switch (step.op) {
    case 'send':
      connection.write(step.text);
      return undefined;
    case 'sleep':
      await delay(step.ms);
      return undefined;
    case 'server-stdin':
      server.sendStdin(step.text);
      return undefined;
    case 'expect':
      return [await outcomeOf(`receive ${JSON.stringify(step.text.trim())}`, connection.waitForText(step.text, STEP_TIMEOUT_MS))];
    case 'expect-server-output':
      return [await outcomeOf(`server receives/logs ${JSON.stringify(step.text.trim())}`, server.waitForOutput(step.text, STEP_TIMEOUT_MS))];
    case 'end': {
      connection.end();
      const closed = await Promise.race([connection.closed, delay(STEP_TIMEOUT_MS).then(() => undefined)]);
      return [{ name: 'close after end()', expected: 'closed', observed: closed === undefined ? 'still open' : 'closed', status: closed === undefined ? 'fail' : 'pass' }];
    }
    case 'expect-close': {
      const name = step.kind === 'clean' ? 'server close_notify' : 'truncation detected';
      const closed = await Promise.race([connection.closed, delay(STEP_TIMEOUT_MS).then(() => undefined)]);
      if (closed === undefined) return [check(name, step.kind, 'still open', step.essential ?? false)];
      if (!client.capabilities.closeNotify && closed.kind === 'eof') return [notAvailable(name, step.kind, step.essential ?? false)];
      return [check(name, step.kind, closed.kind === 'error' ? `error: ${closed.error?.message ?? ''}` : closed.kind, step.essential ?? false)];
    }
    case 'expect-alert': {
      const name = `connection ended by alert ${step.alert}`;
      const closed = await Promise.race([connection.closed, delay(STEP_TIMEOUT_MS).then(() => undefined)]);
      if (closed === undefined) return [check(name, 'yes', 'still open', true)];
      const received = closed.error?.alertReceived;
      return [check(name, 'yes', received === step.alert ? 'yes' : `closed (${closed.kind}${received === undefined ? '' : `, alert ${received}`})`, true)];
    }
    case 'download':
      return download(connection, pki);
  }
}

async function download(connection: ClientConnection, pki: Pki): Promise<CheckResult[]> {
  const file = pki.bigFile;
  connection.write(`GET /${file.name} HTTP/1.0\r\n\r\n`);
  const closed = await Promise.race([connection.closed, delay(DOWNLOAD_TIMEOUT_MS).then(() => undefined)]);
  const data = Buffer.from(connection.received());
  const headerEnd = data.indexOf('\r\n\r\n');
  const status = data.subarray(0, Math.max(0, data.indexOf('\r\n'))).toString('latin1');
  const body = headerEnd < 0 ? Buffer.alloc(0) : data.subarray(headerEnd + 4);
  return [
    { name: 'download finished', expected: 'closed', observed: closed === undefined ? 'timed out' : 'closed', status: closed === undefined ? 'fail' : 'pass' },
    check('HTTP status', 'HTTP/1.0 200 ok', status),
    check('body size', String(file.bytes), String(body.length)),
    check('body sha256', file.sha256, createHash('sha256').update(body).digest('hex')),
  ];
}

async function outcomeOf(name: string, promise: Promise<void>): Promise<CheckResult> {
  try {
    await promise;
    return { name, expected: 'yes', observed: 'yes', status: 'pass' };
  } catch (error) {
    return { name, expected: 'yes', observed: (error as Error).message, status: 'fail' };
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}


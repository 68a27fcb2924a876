import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../shared/adapters/inbound/cli/connect.js';
import { sampleFill, sampleSubmission } from '../../shared/domain/sample-submission.js';
import { makeTemplate } from '../../shared/application/make-template.js';
import { issueToken } from '../../shared/application/tokens.js';
import { XLSX } from './helpers/pipeline-stack.js';

/**
 * The local stack keeps in-flight work across restarts: `npm start` is started as a real process,
 * an upload is held between its S3 write and its record, the process is killed (SIGKILL) or stopped
 * (SIGTERM), and after a restart without --fresh the upload has exactly one record and one receipt.
 */

const NOW = '2021-03-10T09:00:00+07:00';
let dir: string;
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function start(holdMs = 0): Promise<ChildProcess> {
  const [port, s3Port] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'infra/local/start.ts', '--data-dir', dir, '--port', String(port), '--s3-port', String(s3Port), '--now', NOW],
    {
      env: { ...process.env, CCHC_LOCAL_HOLD_VALIDATION_MS: String(holdMs), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the stack did not start:\n${out}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Press Ctrl+C')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`the stack exited (${code}):\n${out}`)));
  });
  return child;
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

async function uploadOne(unit: string): Promise<string> {
  const { deps, apiUrl } = connect({}, dir);
  const { token } = await issueToken(deps, unit);
  const sub = sampleSubmission(unit, '2021-Q1', { asOf: new Date(NOW) });
  const bytes = (
    await makeTemplate({
      unitCode: unit,
      periodId: '2021-Q1',
      key: readFileSync(join(dir, 'template-signing-key'), 'utf8').trim(),
      now: new Date(NOW),
      fill: sampleFill(sub),
    })
  ).bytes;
  const res = await fetch(`${apiUrl}/api/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ periodId: '2021-Q1', fileName: `${unit}.xlsx`, contentType: XLSX, size: bytes.length }),
  });
  const ticket = (await res.json()) as { url: string; fields: Record<string, string>; uploadId: string };
  const form = new FormData();
  for (const [k, v] of Object.entries(ticket.fields)) form.append(k, v);
  form.append('file', new Blob([bytes], { type: XLSX }), 'upload');
  expect((await fetch(ticket.url, { method: 'POST', body: form })).status).toBe(204);
  // The S3 event has reached the stack's journal: the upload is now between its write and its record.
  const journal = join(dir, 'data', 'events.jsonl');
  for (let i = 0; i < 200 && !(existsSync(journal) && readFileSync(journal, 'utf8').includes(ticket.uploadId)); i++)
    await new Promise((r) => setTimeout(r, 50));
  expect(readFileSync(journal, 'utf8')).toContain(ticket.uploadId);
  return ticket.uploadId;
}

/** Receipts kept as .eml files in the stack's mail folder (readable while the stack is stopped). */
async function receiptFiles(unit: string): Promise<number> {
  return (await readdir(join(dir, 'mail'))).filter((f) => f.includes(`_receipt-2021-Q1-${unit}-`)).length;
}

async function recordsAndReceipts(unit: string, uploadId: string): Promise<{ records: number; receipts: number }> {
  const { deps } = connect({}, dir);
  const records = (await deps.stores.submissions.listOfUnit(unit, '2021-Q1')).filter((r) => r.uploadId === uploadId);
  return { records: records.length, receipts: await receiptFiles(unit) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cchc-restart-'));
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('the local stack across restarts', () => {
  it('an upload killed (SIGKILL) between its S3 write and its record is processed exactly once after a restart', { timeout: 180_000 }, async () => {
    const first = await start(120_000);
    const uploadId = await uploadOne('STP');
    expect(await recordsAndReceipts('STP', uploadId)).toEqual({ records: 0, receipts: 0 });
    await stop(first, 'SIGKILL');

    const second = await start();
    expect(await recordsAndReceipts('STP', uploadId)).toEqual({ records: 1, receipts: 1 });
    expect(await stop(second, 'SIGTERM')).toBe(0);

    // A third start finds nothing left to do: still one record and one receipt.
    const third = await start();
    expect(await recordsAndReceipts('STP', uploadId)).toEqual({ records: 1, receipts: 1 });
    await stop(third, 'SIGTERM');
  });

  it('a graceful stop (SIGTERM) finishes the upload in flight, and the next start sends no second receipt', { timeout: 180_000 }, async () => {
    const first = await start(3_000);
    const uploadId = await uploadOne('SYT');
    expect(await stop(first, 'SIGTERM')).toBe(0);
    // The stop waited for the held upload: its receipt was sent before the emulators went down.
    expect(await receiptFiles('SYT')).toBe(1);

    const second = await start();
    expect(await recordsAndReceipts('SYT', uploadId)).toEqual({ records: 1, receipts: 1 });
    await stop(second, 'SIGTERM');
  });
});

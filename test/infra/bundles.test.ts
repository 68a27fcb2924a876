import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetEnvironment } from '../../infra/constructs/cchc-function.js';
import { systemClock } from '../../shared/application/ports.js';
import { issueToken } from '../../shared/application/tokens.js';
import type { LocalConnection } from '../../shared/runtime/local-connection.js';
import { localEnvironment } from '../../shared/runtime/local-connection.js';
import { type BundleGraph, buildFunction, bytesOf, functionBundles, inputsOf } from '../bench/bundle-graph.js';
import { basePdf, makeTestPki, signPdf } from '../fixtures/pdf-signing.js';
import { validFill } from '../fixtures/hostile-corpus.js';
import { KEY, slotOf, templateOf } from '../fixtures/xlsx-fixtures.js';
import { startTestStack, type TestStack, XLSX } from '../integration/helpers/pipeline-stack.js';

/**
 * The functions' bundles exactly as synthesis makes them (the construct's bundleOptions and asset
 * sets, all built in parallel): what each loads at a cold start stays within its budget and carries
 * none of the heavy parts, and the parts loaded lazily work on their first use, in a fresh Node
 * process importing the bundle's index.mjs against the local emulators.
 */

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Code loaded at a cold start (index.mjs and its static imports, transitively): 1 MiB for every
 * function, 600 KiB for the validator. Lazy chunks are not counted: docs/PERFORMANCE.md says why.
 */
const BUDGET: Readonly<Record<string, number>> = { 'validate-submission': 600 * KiB };
const DEFAULT_BUDGET = 1 * MiB;

/** Packages that no function may load at a cold start: each belongs to a path few invocations take. */
const NEVER_AT_COLD_START = [
  'exceljs',
  'pureimage',
  'opentype.js',
  'pkijs',
  'asn1js',
  '@peculiar/x509',
  'pdf-lib',
  'docx',
  'nodemailer',
  '@aws-sdk/s3-presigned-post',
  '@aws-sdk/s3-request-presigner',
  '@aws-sdk/client-secrets-manager',
  // Loaded by the first mail (shared/adapters/outbound/clients.ts).
  '@aws-sdk/client-ses',
  // The calendar's zone arithmetic runs on Intl (shared/domain/zone.ts); luxon is for the CLI and the CDK app.
  'luxon',
];

const NOW = new Date('2021-03-08T09:00:00+07:00');
const TOKEN_KEY = 'test-token-key';

let graphs: Map<string, BundleGraph>;
let stack: TestStack;
let connection: LocalConnection;

beforeAll(async () => {
  // Prepare: every function's bundle (one build each, in parallel) and a local stack whose queue is
  // paused, so that the bundled handler, not the stack's own validator, processes the uploads.
  const [built, started] = await Promise.all([
    Promise.all(functionBundles().map((spec) => buildFunction(spec))),
    startTestStack({ now: NOW, templateKey: KEY }),
  ]);
  graphs = new Map(built.map((g) => [g.name, g]));
  stack = started;
  stack.queue.pause();
  connection = JSON.parse(readFileSync(join(stack.dataDir, 'stack.json'), 'utf8')) as LocalConnection;
}, 120_000);

afterAll(async () => {
  stack?.queue.discardWaiting();
  await stack?.dispose();
  for (const g of graphs?.values() ?? []) rmSync(g.outdir, { recursive: true, force: true });
});

const graph = (name: string): BundleGraph => {
  const g = graphs.get(name);
  if (!g) throw new Error(`no bundle for ${name}`);
  return g;
};

/** The cold path's inputs from `names` (packages), for a message that says what a bundle carries. */
function carried(g: BundleGraph, files: readonly string[]): string {
  return inputsOf(g, files, 8)
    .map((i) => `${i.input} ${(i.bytes / KiB).toFixed(0)} KiB`)
    .join(', ');
}

/** Packages among the inputs of the given output files. */
function packagesIn(g: BundleGraph, files: readonly string[]): Set<string> {
  return new Set(inputsOf(g, files, Number.POSITIVE_INFINITY).map((i) => i.input));
}

describe('bundle budgets (the code a cold start loads)', () => {
  it('builds every project function', () => {
    expect([...graphs.keys()].sort()).toEqual([
      'close-period',
      'flush-outbox',
      'handle-mail-feedback',
      'record-unprocessable',
      'send-reminders',
      'unit-api',
      'validate-submission',
    ]);
  });

  it('keeps each function within its budget: 1 MiB, the validator 600 KiB', () => {
    for (const g of graphs.values()) {
      const budget = BUDGET[g.name] ?? DEFAULT_BUDGET;
      const cold = g.coldFiles['index.mjs']!;
      expect(g.coldBytes, `${g.name}: ${(g.coldBytes / KiB).toFixed(0)} KiB at cold start, mostly ${carried(g, cold)}`).toBeLessThanOrEqual(budget);
      expect(bytesOf(g, cold)).toBe(g.coldBytes);
    }
  });

  it('loads none of the heavy parts at a cold start: they are chunks of the paths that need them', () => {
    for (const g of graphs.values()) {
      const cold = packagesIn(g, g.coldFiles['index.mjs']!);
      expect(
        NEVER_AT_COLD_START.filter((p) => cold.has(p)),
        g.name,
      ).toEqual([]);
      // zod's full build (the JSON schema) is a chunk; the API checks its requests with zod/mini.
      expect(
        inputsOf(g, g.coldFiles['index.mjs']!, Number.POSITIVE_INFINITY).filter((i) => /zod\/v4\/classic/.test(i.input)),
        g.name,
      ).toEqual([]);
    }
  });

  it('gives the functions that check uploads their guard worker, which loads neither the PDF verifier nor the JSON schema until such a file arrives', () => {
    // record-unprocessable carries the guard's caller (process-upload) but never checks a file: it
    // records a dead letter as unprocessable without parsing it, so it has no worker.
    const withWorker = [...graphs.values()].filter((g) => g.coldFiles['check-worker.mjs']).map((g) => g.name);
    expect(withWorker.sort()).toEqual(['close-period', 'send-reminders', 'validate-submission']);
    for (const name of withWorker) {
      const g = graph(name);
      const worker = packagesIn(g, g.coldFiles['check-worker.mjs']!);
      expect(
        ['pkijs', 'asn1js', 'exceljs', 'nodemailer'].filter((p) => worker.has(p)),
        name,
      ).toEqual([]);
      expect(
        [...worker].filter((i) => /zod\/v4\/classic/.test(i)),
        name,
      ).toEqual([]);
      expect(worker.has('saxes'), name).toBe(true);
      // and the thread that records results loads no reader
      expect(packagesIn(g, g.coldFiles['index.mjs']!).has('saxes'), name).toBe(false);
    }
  });
});

const run = promisify(execFile);

/**
 * Invokes the bundle's handler once in a fresh Node process, as the Lambda runtime does: a module
 * beside index.mjs imports it and calls `handler(event, context)` (a file, not `--eval`: a worker
 * thread inherits the process's flags).
 */
async function invoke(name: string, event: unknown): Promise<any> {
  const g = graph(name);
  const runner = join(g.outdir, 'invoke-once.mjs');
  writeFileSync(
    runner,
    `import { handler } from './index.mjs';
const context = { functionName: ${JSON.stringify(name)}, functionVersion: '$LATEST', awsRequestId: 'bundle-test', memoryLimitInMB: '512',
  invokedFunctionArn: 'arn:aws:lambda:ap-southeast-1:000000000000:function:${name}', logGroupName: '/aws/lambda/${name}', logStreamName: 'test',
  getRemainingTimeInMillis: () => 30000 };
const out = await handler(JSON.parse(process.argv[2]), context);
process.stdout.write('\\n@@RESULT@@' + JSON.stringify(out ?? null) + '\\n');
process.exit(0);
`,
  );
  const env = {
    ...localEnvironment(connection, { templateKey: KEY, tokenKey: TOKEN_KEY, trustDir: join(g.outdir, 'trust') }),
    ...assetEnvironment(['portal', 'fonts', 'trust'], g.outdir),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const { stdout, stderr } = await run(process.execPath, [runner, JSON.stringify(event)], { env, maxBuffer: 16 * MiB });
  const marker = stdout.lastIndexOf('@@RESULT@@');
  if (marker < 0) throw new Error(`${name} printed no result: ${stdout.slice(-2000)} ${stderr.slice(-2000)}`);
  return JSON.parse(stdout.slice(marker + '@@RESULT@@'.length));
}

/** Stores a file through the real upload path (ticket, POST); the paused stack does not process it. */
async function uploadUnprocessed(token: string, bytes: Uint8Array, contentType: string, fileName: string): Promise<{ key: string; uploadId: string }> {
  const ticket = await stack.requestUpload(token, { periodId: '2021-Q1', fileName, contentType, size: bytes.length });
  expect(ticket.status).toBe(201);
  const res = await stack.post(ticket.json, bytes, contentType);
  expect(res.status).toBe(204);
  return { key: ticket.json.key as string, uploadId: ticket.json.uploadId as string };
}

/** The SQS message S3 sends for one object. */
function sqsEventOf(key: string, size: number) {
  const record = {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    eventName: 'ObjectCreated:Post',
    eventTime: NOW.toISOString(),
    s3: { bucket: { name: connection.bucket }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), size } },
  };
  return { Records: [{ messageId: `m-${key}`, body: JSON.stringify({ Records: [record] }), attributes: { ApproximateReceiveCount: '1' } }] };
}

describe('the bundles at work: each lazy part on its first use, in a fresh process', () => {
  it('validate-submission checks a workbook in its worker entry and receipts it (reader, validator, MIME composer)', async () => {
    // Prepare
    const token = await stack.token('STP');
    const slot = slotOf('STP', '2021-Q1');
    const bytes = await templateOf(slot, validFill(slot));
    const { key, uploadId } = await uploadUnprocessed(token, bytes, XLSX, 'bao-cao.xlsx');
    // Act
    const out = await invoke('validate-submission', sqsEventOf(key, bytes.length));
    // Assess
    expect(out).toEqual({ batchItemFailures: [] });
    const record = (await stack.deps.stores.submissions.listOfUnit('STP', '2021-Q1')).find((r) => r.uploadId === uploadId)!;
    expect(record, JSON.stringify(record.findings)).toMatchObject({ status: 'valid', format: 'xlsx' });
    const receipt = (await stack.sesMail()).find((m) => JSON.stringify(m).includes(record.receiptNo));
    expect(receipt?.subject).toContain('Sở Tư pháp');
  });

  it('validate-submission verifies a signed PDF with the verifier chunk (nothing trusted: a precise finding, not a crash)', async () => {
    // Prepare
    const token = await stack.token('STP');
    const pki = await makeTestPki();
    const pdf = (await signPdf(basePdf(), pki.leader, { signingTime: new Date('2021-03-05T10:00:00+07:00'), chain: [pki.intermediate] })).bytes;
    const { key, uploadId } = await uploadUnprocessed(token, pdf, 'application/pdf', 'bao-cao.pdf');
    // Act
    const out = await invoke('validate-submission', sqsEventOf(key, pdf.length));
    // Assess
    expect(out).toEqual({ batchItemFailures: [] });
    const record = (await stack.deps.stores.submissions.listOfUnit('STP', '2021-Q1')).find((r) => r.uploadId === uploadId)!;
    expect(record, JSON.stringify(record.findings)).toMatchObject({ part: 'report', format: 'pdf', status: 'invalid' });
    const codes = record.findings.map((f) => f.code);
    expect(codes).not.toContain('FILE_UNPROCESSABLE');
    expect(codes.some((c) => c.startsWith('PDF_'))).toBe(true);
  });

  it('unit-api serves the Excel template with the writer chunk', async () => {
    // Prepare: a token valid on the bundle's clock, the real one (the stack's is in 2021)
    const { token } = await issueToken({ ...stack.deps, clock: systemClock }, 'STP');
    // Act
    const out = await invoke('unit-api', {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/api/template',
      rawQueryString: 'periodId=2021-Q1',
      queryStringParameters: { periodId: '2021-Q1' },
      headers: { authorization: `Bearer ${token}`, host: 'localhost' },
      requestContext: { requestId: 'r-1', http: { method: 'GET', path: '/api/template', sourceIp: '127.0.0.1', userAgent: 'test' } },
      isBase64Encoded: false,
    });
    // Assess
    expect(out.statusCode).toBe(200);
    expect(out.headers['content-type']).toBe(XLSX);
    expect(Buffer.from(out.body, 'base64').subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it('close-period renders and stores the consolidated report with the renderers chunk (workbook, chart with its fonts)', async () => {
    // Act
    const out = await invoke('close-period', { periodId: '2021-Q1' });
    // Assess
    expect(out.outcome).toBe('closed');
    const keys = out.reportKeys as string[];
    for (const suffix of ['.xlsx', '.csv', '.json', '-bieu-do.png', '.eml'])
      expect(
        keys.some((k) => k.endsWith(suffix)),
        suffix,
      ).toBe(true);
    const png = await stack.deps.uploads.get({ key: keys.find((k) => k.endsWith('.png'))! }, 10 * MiB);
    expect(Buffer.from(png).subarray(1, 4).toString('latin1')).toBe('PNG');
  });
});

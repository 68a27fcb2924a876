/**
 * The deadline rush on the local stack (issue 15, point 2), end to end: the stack runs as `npm start`
 * does (its own process, data on disk), and clients do what the portal does: ask for an upload link,
 * POST the file to the S3 front, poll for the result (GET /api/submissions for the upload, with the
 * portal's back-off). Three measurements:
 *
 * 1. SDK round trips and CPU per upload: an in-process stack, sequential uploads, every HTTP request
 *    to DynamoDB, S3 and SES counted (node:http's diagnostics channel) and the process's CPU time.
 * 2. 39 units at once: one workbook each, upload → result p50/p95/max.
 * 3. A burst of 1,000 uploads with 50 in flight (the 39 units in turn, a fifth of them another unit's
 *    workbook, which is rejected): upload → result p50/p95/max, throughput, the stack's peak RSS and its
 *    RSS over the run, and lost/doubled counts taken from the table and from the mail the stack sent.
 *
 * Runnable alone: `npx tsx test/bench/rush.ts` prints the section's Markdown. Environment:
 * BENCH_RUSH_UPLOADS (1000), BENCH_RUSH_IN_FLIGHT (50), BENCH_RUSH_LIMIT_S (600: the burst stops
 * waiting after this), BENCH_CPU_PROF (a folder: the stack process writes a --cpu-prof profile there).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connect } from '../../shared/adapters/inbound/cli/connect.js';
import { makeTemplate } from '../../shared/application/make-template.js';
import { issueToken } from '../../shared/application/tokens.js';
import { findPeriod } from '../../shared/domain/calendar.js';
import { sampleFill, sampleSubmission } from '../../shared/domain/sample-submission.js';
import { defaultUnits, owes } from '../../shared/domain/units.js';
import { startLocalStack } from '../../infra/local/stack.js';
import { type BenchSection, baseline, summarise, table, type Timing } from './harness.js';

/**
 * The portal's wait before each poll for a result. The portal before issue 15 had none: it polled the
 * whole period's list every second (which this benchmark then plays, to measure what was).
 */
const PORTAL_COMMON: string = '../../shared/web/assets/common.js';
const portal = (await import(PORTAL_COMMON)) as { pollDelay?: (attempt: number) => number };
const pollDelay = portal.pollDelay ?? (() => 1000);

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NOW = '2021-03-10T08:00:00+07:00';
const PERIOD = '2021-Q1';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const UPLOADS = Number(process.env.BENCH_RUSH_UPLOADS ?? 1000);
const IN_FLIGHT = Number(process.env.BENCH_RUSH_IN_FLIGHT ?? 50);
const LIMIT_MS = Number(process.env.BENCH_RUSH_LIMIT_S ?? 600) * 1000;
/** How long the portal polls before it gives up and says the result will come by mail. */
const CLIENT_LIMIT_MS = 90_000;

interface Upload {
  unit: string;
  uploadId: string;
  /** ms: link asked for → result seen by the client; null when none was seen within the limit. */
  latency: number | null;
  polls: number;
}

/* ---------- the stack as its own process ---------- */

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

interface StackProcess {
  child: ChildProcess;
  dir: string;
  apiUrl: string;
  pid: number;
  /** `upload processed` log lines' durationMs, in order. */
  processing: number[];
  startMs: number;
}

async function startStackProcess(dir: string): Promise<StackProcess> {
  const [port, s3Port] = [await freePort(), await freePort()];
  const prof = process.env.BENCH_CPU_PROF;
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${resolve(prof)}`] : []),
      '--expose-gc',
      '--import',
      'tsx',
      '--import',
      './test/bench/memory-probe.ts',
      'infra/local/start.ts',
      '--data-dir',
      dir,
      '--fresh',
      '--port',
      String(port),
      '--s3-port',
      String(s3Port),
      '--now',
      NOW,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', BENCH_MEMORY_FILE: memoryFile(dir) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const processing: number[] = [];
  let out = '';
  let buffered = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (out.length < 20_000) out += `${line}\n`;
      if (line.includes('"upload processed"')) {
        const ms = /"durationMs":(\d+)/.exec(line);
        if (ms) processing.push(Number(ms[1]));
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => {
    if (out.length < 20_000) out += d.toString();
  });
  await new Promise<void>((res, rej) => {
    const timer = setInterval(() => {
      if (out.includes('Press Ctrl+C')) {
        clearInterval(timer);
        res();
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(timer);
      rej(new Error(`the stack exited (${code}):\n${out}`));
    });
  });
  const startMs = performance.now() - t0;
  const conn = JSON.parse(readFileSync(join(dir, 'stack.json'), 'utf8')) as { apiUrl: string; pid: number };
  return { child, dir, apiUrl: conn.apiUrl, pid: conn.pid, processing, startMs };
}

function stopStackProcess(s: StackProcess): Promise<void> {
  return new Promise((res) => {
    if (s.child.exitCode !== null) return res();
    s.child.once('exit', () => res());
    s.child.kill('SIGTERM');
  });
}

/** Where the stack's memory probe writes (memory-probe.ts). */
function memoryFile(dir: string): string {
  return join(dir, 'memory.jsonl');
}

/** The probe's samples (heap after a full collection, RSS) from `since` (ms since the epoch). */
function memorySamples(dir: string, since: number): { at: number; rss: number; heapUsed: number; external: number }[] {
  if (!existsSync(memoryFile(dir))) return [];
  return readFileSync(memoryFile(dir), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { at: number; rss: number; heapUsed: number; external: number })
    .filter((m) => m.at >= since);
}

/** The process's resident set now and at its peak (VmRSS, VmHWM), bytes. */
function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/* ---------- a client, as the portal ---------- */

interface Client {
  apiUrl: string;
  token: string;
  unit: string;
}

async function uploadAndWait(c: Client, bytes: Uint8Array, deadline: number): Promise<Upload> {
  const t0 = performance.now();
  const auth = { authorization: `Bearer ${c.token}` };
  const res = await fetch(`${c.apiUrl}/api/uploads`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ periodId: PERIOD, fileName: `${c.unit}.xlsx`, contentType: XLSX, size: bytes.length }),
  });
  if (res.status !== 201) throw new Error(`upload link refused: ${res.status} ${await res.text()}`);
  const ticket = (await res.json()) as { url: string; fields: Record<string, string>; uploadId: string };
  const form = new FormData();
  for (const [k, v] of Object.entries(ticket.fields)) form.append(k, v);
  form.append('file', new Blob([bytes], { type: XLSX }), 'upload');
  const posted = await fetch(ticket.url, { method: 'POST', body: form });
  if (posted.status !== 204) throw new Error(`upload refused: ${posted.status} ${await posted.text()}`);
  // Polls as the portal does: the upload's own result, after each of the portal's delays.
  const query = `periodId=${encodeURIComponent(PERIOD)}&uploadId=${encodeURIComponent(ticket.uploadId)}`;
  const until = Math.min(deadline, t0 + CLIENT_LIMIT_MS * 10);
  for (let attempt = 0; performance.now() < until; attempt++) {
    await new Promise((r) => setTimeout(r, pollDelay(attempt)));
    const r = await fetch(`${c.apiUrl}/api/submissions?${query}`, { headers: auth });
    if (r.status !== 200) continue;
    const body = (await r.json()) as { submissions: { uploadId: string }[] };
    if (body.submissions.some((s) => s.uploadId === ticket.uploadId)) {
      const latency = performance.now() - t0;
      // Then, as the portal does once the result is shown: the periods' statuses and the period's history.
      await Promise.all([
        fetch(`${c.apiUrl}/api/periods?year=${PERIOD.slice(0, 4)}`, { headers: auth }).then((x) => x.arrayBuffer()),
        fetch(`${c.apiUrl}/api/submissions?periodId=${encodeURIComponent(PERIOD)}`, { headers: auth }).then((x) => x.arrayBuffer()),
      ]);
      return { unit: c.unit, uploadId: ticket.uploadId, latency, polls: attempt + 1 };
    }
  }
  return { unit: c.unit, uploadId: ticket.uploadId, latency: null, polls: 0 };
}

/* ---------- what the table and the mail say ---------- */

/** Per upload: how many records the table holds and how many receipts were sent (.eml kept per sent message). */
async function countOutcomes(dir: string, uploads: Upload[]): Promise<{ lost: number; doubled: number; receiptsLost: number; receiptsDoubled: number }> {
  const { deps } = connect({}, dir);
  const byUpload = new Map<string, number>();
  for (const unit of new Set(uploads.map((u) => u.unit))) {
    for (const r of await deps.stores.submissions.listOfUnit(unit, PERIOD)) byUpload.set(r.uploadId, (byUpload.get(r.uploadId) ?? 0) + 1);
  }
  const receipts = new Map<string, number>();
  for (const f of await readdir(join(dir, 'mail'))) {
    const m = /_receipt-[^_]+?-[A-Z0-9]+-([0-9a-z]{10}-[0-9a-f]{16})/.exec(f);
    if (m) receipts.set(m[1]!, (receipts.get(m[1]!) ?? 0) + 1);
  }
  const count = (map: Map<string, number>, test: (n: number) => boolean) => uploads.filter((u) => test(map.get(u.uploadId) ?? 0)).length;
  return {
    lost: count(byUpload, (n) => n === 0),
    doubled: count(byUpload, (n) => n > 1),
    receiptsLost: count(receipts, (n) => n === 0),
    receiptsDoubled: count(receipts, (n) => n > 1),
  };
}

/** Waits until every upload has a record and a receipt (or the limit passes). */
async function settle(dir: string, uploads: Upload[], limitMs: number): Promise<void> {
  const until = performance.now() + limitMs;
  while (performance.now() < until) {
    const c = await countOutcomes(dir, uploads);
    if (c.lost === 0 && c.receiptsLost === 0) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/* ---------- the files ---------- */

async function workbooks(key: string, units: string[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const unit of units) {
    const sub = sampleSubmission(unit, PERIOD, { asOf: new Date(NOW) });
    out.set(unit, (await makeTemplate({ unitCode: unit, periodId: PERIOD, key, now: new Date(NOW), fill: sampleFill(sub) })).bytes);
  }
  return out;
}

/* ---------- 1. round trips per upload ---------- */

interface Trips {
  dynamodb: number;
  s3: number;
  ses: number;
  cpuMs: number;
}

interface RoundTrips extends Trips {
  uploads: number;
  /** The whole of one upload as the portal makes it: link, file, polls, then the periods and the history. */
  portal?: Trips & { polls: number };
}

let profiles = 0;

/** BENCH_TRIPS_PROFILE=<path prefix>: a CPU profile of the main thread over each counted step (as --cpu-prof writes). */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const { writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async (file) => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  };
}

/** Counts the HTTP requests to each emulator and the process's CPU while `fn` runs. */
async function counting(ports: Record<string, string>, fn: () => Promise<void>): Promise<Trips> {
  const counts: Record<string, number> = { dynamodb: 0, s3: 0, ses: 0 };
  const onRequest = (message: unknown) => {
    const req = (message as { request: ClientRequest }).request;
    const service = ports[String(req.getHeader('host') ?? '').split(':')[1] ?? ''];
    if (service) counts[service] = (counts[service] ?? 0) + 1;
  };
  subscribe('http.client.request.start', onRequest);
  const profile = process.env.BENCH_TRIPS_PROFILE ? await startProfile() : null;
  const cpu0 = process.cpuUsage();
  try {
    await fn();
  } finally {
    unsubscribe('http.client.request.start', onRequest);
    await profile?.(`${process.env.BENCH_TRIPS_PROFILE}-${++profiles}.cpuprofile`);
  }
  const cpu = process.cpuUsage(cpu0);
  return { dynamodb: counts.dynamodb!, s3: counts.s3!, ses: counts.ses!, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function roundTrips(n = 20): Promise<RoundTrips> {
  const dir = await mkdtemp(join(tmpdir(), 'cchc-bench-trips-'));
  const stack = await startLocalStack({
    dataDir: dir,
    port: 0,
    s3Port: 0,
    outboxIntervalMs: 0,
    schedulerIntervalMs: 0,
    now: new Date(NOW),
    templateKey: 'bench-template-key',
    tokenKey: 'bench-token-key',
  });
  try {
    const units = defaultUnits.filter((u) => owes(u, findPeriod(PERIOD))).map((u) => u.code);
    const files = await workbooks('bench-template-key', units.slice(0, n));
    const ports = Object.fromEntries(Object.entries(stack.endpoints).map(([name, url]) => [new URL(url).port, name]));
    const tokens = new Map<string, string>();
    for (const unit of units.slice(0, n)) tokens.set(unit, (await issueToken(stack.deps, unit)).token);
    const post = async (unit: string) => {
      const bytes = files.get(unit)!;
      const res = await fetch(`${stack.apiUrl}/api/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.get(unit)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ periodId: PERIOD, fileName: `${unit}.xlsx`, contentType: XLSX, size: bytes.length }),
      });
      const ticket = (await res.json()) as { url: string; fields: Record<string, string> };
      const form = new FormData();
      for (const [k, v] of Object.entries(ticket.fields)) form.append(k, v);
      form.append('file', new Blob([bytes], { type: XLSX }), 'upload');
      await fetch(ticket.url, { method: 'POST', body: form });
      await new Promise((r) => setTimeout(r, 20));
    };
    // warm-up: the guard's worker, the SDK clients, the reader
    await post(units[0]!);
    await stack.drain();
    const measured = units.slice(1, n);
    // Processing only: the uploads wait in the queue, then S3 event → record → receipt sent is counted.
    stack.queue.pause();
    for (const unit of measured) await post(unit);
    const processing = await counting(ports, async () => {
      stack.queue.resume();
      await new Promise((r) => setTimeout(r, 20));
      await stack.drain();
    });
    // The portal's whole upload, one unit after another (the same units again: a resubmission each).
    let polls = 0;
    const portal = await counting(ports, async () => {
      for (const unit of measured) {
        const c = { apiUrl: stack.apiUrl, token: tokens.get(unit)!, unit };
        polls += (await uploadAndWait(c, files.get(unit)!, performance.now() + 60_000)).polls;
      }
    });
    const k = measured.length;
    const per = (t: Trips): Trips => ({ dynamodb: t.dynamodb / k, s3: t.s3 / k, ses: t.ses / k, cpuMs: t.cpuMs / k });
    return { uploads: k, ...per(processing), portal: { ...per(portal), polls: polls / k } };
  } finally {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/* ---------- 2 and 3. the rush and the burst ---------- */

interface RushResult {
  startMs: number;
  units: { timing: Timing; seen: number; of: number };
  burst: {
    timing: Timing;
    seen: number;
    of: number;
    wallMs: number;
    throughput: number;
    processing: Timing;
    peakRss: number;
    rssSamples: { done: number; rss: number }[];
    /** The probe's: heap (and external memory) after a full collection, and RSS then. */
    heapSamples: { done: number; rss: number; heap: number }[];
    outcomes: Awaited<ReturnType<typeof countOutcomes>>;
    polls: number;
  };
  rushOutcomes: Awaited<ReturnType<typeof countOutcomes>>;
}

async function rushAndBurst(): Promise<RushResult> {
  const dir = await mkdtemp(join(tmpdir(), 'cchc-bench-rush-'));
  const stack = await startStackProcess(dir);
  try {
    const { deps } = connect({}, dir);
    const units = defaultUnits.filter((u) => owes(u, findPeriod(PERIOD))).map((u) => u.code);
    const key = readFileSync(join(dir, 'template-signing-key'), 'utf8').trim();
    const files = await workbooks(key, units);
    const clients = new Map<string, Client>();
    for (const unit of units) clients.set(unit, { apiUrl: stack.apiUrl, token: (await issueToken(deps, unit)).token, unit });

    // 2. every unit at once
    const rushDeadline = performance.now() + LIMIT_MS;
    const rush = await Promise.all(units.map((u) => uploadAndWait(clients.get(u)!, files.get(u)!, rushDeadline)));
    await settle(dir, rush, 120_000);
    const rushOutcomes = await countOutcomes(dir, rush);
    const processedBefore = stack.processing.length;

    // 3. the burst: UPLOADS uploads, IN_FLIGHT at a time, the units in turn; every fifth is another unit's workbook
    const jobs = Array.from({ length: UPLOADS }, (_, i) => ({ unit: units[i % units.length]!, foreign: i % 5 === 4 }));
    const done: Upload[] = [];
    const samples: { at: number; done: number; rss: number }[] = [];
    const burstStart = Date.now();
    const sampler = setInterval(() => samples.push({ at: Date.now(), done: done.length, rss: rssOf(stack.pid).rss }), 1000);
    const burstDeadline = performance.now() + LIMIT_MS;
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < jobs.length && performance.now() < burstDeadline) {
          const job = jobs[next++]!;
          const other = units[(units.indexOf(job.unit) + 1) % units.length]!;
          done.push(await uploadAndWait(clients.get(job.unit)!, files.get(job.foreign ? other : job.unit)!, burstDeadline));
        }
      }),
    );
    const wallMs = performance.now() - t0;
    clearInterval(sampler);
    const peakRss = rssOf(stack.pid).peak;
    const heap = memorySamples(dir, burstStart).map((m) => ({
      done: [...samples].reverse().find((x) => x.at <= m.at)?.done ?? 0,
      rss: m.rss,
      heap: m.heapUsed + m.external,
    }));
    await settle(dir, done, 120_000);
    const outcomes = await countOutcomes(dir, done);
    const seen = done.filter((u) => u.latency !== null);
    return {
      startMs: stack.startMs,
      units: {
        timing: summarise(rush.flatMap((u) => (u.latency === null ? [] : [u.latency]))),
        seen: rush.filter((u) => u.latency !== null).length,
        of: units.length,
      },
      burst: {
        timing: summarise(seen.map((u) => u.latency!)),
        seen: seen.length,
        of: UPLOADS,
        wallMs,
        throughput: seen.length / (wallMs / 1000),
        processing: summarise(stack.processing.slice(processedBefore)),
        peakRss,
        rssSamples: samples,
        heapSamples: heap,
        outcomes,
        polls: seen.reduce((a, u) => a + u.polls, 0) / Math.max(1, seen.length),
      },
      rushOutcomes,
    };
  } finally {
    await stopStackProcess(stack);
    await rm(dir, { recursive: true, force: true });
  }
}

/* ---------- the section ---------- */

/** Figures measured with this benchmark on the code before issue 15 (test/bench/rush-before.json), if recorded. */
interface Before {
  commit: string;
  measuredAt: string;
  trips: RoundTrips;
  rush: { p50: number; p95: number; max: number; seen: number; of: number };
  burst: {
    p50: number;
    p95: number;
    max: number;
    seen: number;
    of: number;
    throughput: number;
    peakRssMiB: number;
    processingP50: number;
    lost: number;
    doubled: number;
  };
  startMs: number;
}

function before(): Before | null {
  const file = join(dirname(fileURLToPath(import.meta.url)), 'rush-before.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Before) : null;
}

const s = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const mib = (b: number) => `${Math.round(b / 1024 / 1024)} MiB`;
const arrow = (was: string | undefined, now: string) => (was ? `${was} → ${now}` : now);

/**
 * Memory over the burst: the probe's samples (heap after a full collection, RSS) at each tenth of the
 * uploads done, and the least-squares growth per 100 uploads over the second half (after warm-up, and
 * once the SES emulator's inbox holds its newest SES_INBOX_MESSAGES and keeps no more).
 */
function memoryOverRun(samples: { done: number; rss: number; heap: number }[]): { rows: string[][]; heapPerHundred: number; rssPerHundred: number } {
  if (samples.length < 2) return { rows: [], heapPerHundred: 0, rssPerHundred: 0 };
  const last = samples.at(-1)!;
  const rows: string[][] = [];
  for (let tenth = 1; tenth <= 10; tenth++) {
    const sample = samples.find((x) => x.done >= (last.done * tenth) / 10) ?? last;
    rows.push([`${sample.done}`, mib(sample.heap), mib(sample.rss)]);
  }
  const after = samples.filter((x) => x.done >= last.done / 2);
  const slope = (value: (x: { done: number; rss: number; heap: number }) => number): number => {
    const n = after.length;
    const mx = after.reduce((a, x) => a + x.done, 0) / n;
    const my = after.reduce((a, x) => a + value(x), 0) / n;
    const sxx = after.reduce((a, x) => a + (x.done - mx) ** 2, 0);
    return sxx === 0 ? 0 : (after.reduce((a, x) => a + (x.done - mx) * (value(x) - my), 0) / sxx) * 100;
  };
  return { rows, heapPerHundred: slope((x) => x.heap), rssPerHundred: slope((x) => x.rss) };
}

export async function run(): Promise<BenchSection> {
  const trips = await roundTrips();
  const r = await rushAndBurst();
  const b = before();
  const memory = memoryOverRun(r.burst.heapSamples);
  const o = r.burst.outcomes;
  const md = [
    `The stack runs as \`npm start\` does (its own process, data on disk, clock at ${NOW}); each client asks for an upload link, posts the`,
    "workbook to the S3 front and polls for the upload's result with the portal's back-off (`pollDelay` in shared/web/assets/common.js).",
    'Upload → result is from the link request to the poll that returns the result. Lost and doubled are counted after the run from the',
    'table (records per upload) and from the mail the stack sent (one `.eml` is kept per message SES accepted).',
    b ? `Before: the same benchmark on commit ${b.commit} (${b.measuredAt}).` : '',
    '',
    '**Per upload** (in-process stack, one upload at a time; first the processing only, S3 event → record → receipt sent):',
    '',
    table(
      ['', 'DynamoDB requests', 'S3 requests', 'SES requests', 'CPU (all threads)'],
      [
        [
          `${trips.uploads} uploads, each`,
          arrow(b?.trips.dynamodb.toFixed(1), trips.dynamodb.toFixed(1)),
          arrow(b?.trips.s3.toFixed(1), trips.s3.toFixed(1)),
          arrow(b?.trips.ses.toFixed(1), trips.ses.toFixed(1)),
          arrow(b ? `${b.trips.cpuMs.toFixed(0)} ms` : undefined, `${trips.cpuMs.toFixed(0)} ms`),
        ],
        ...(trips.portal
          ? [
              [
                `the same, as the portal makes it (link, file, ${trips.portal.polls.toFixed(1)} polls, periods, history)`,
                arrow(b?.trips.portal?.dynamodb.toFixed(1), trips.portal.dynamodb.toFixed(1)),
                arrow(b?.trips.portal?.s3.toFixed(1), trips.portal.s3.toFixed(1)),
                arrow(b?.trips.portal?.ses.toFixed(1), trips.portal.ses.toFixed(1)),
                arrow(b?.trips.portal ? `${b.trips.portal.cpuMs.toFixed(0)} ms` : undefined, `${trips.portal.cpuMs.toFixed(0)} ms`),
              ],
            ]
          : []),
      ],
    ),
    '',
    '**Upload → result:**',
    '',
    table(
      ['', 'results seen', 'p50', 'p95', 'max'],
      [
        [
          `${r.units.of} units at once`,
          arrow(b ? `${b.rush.seen}/${b.rush.of}` : undefined, `${r.units.seen}/${r.units.of}`),
          arrow(b ? s(b.rush.p50) : undefined, s(r.units.timing.median)),
          arrow(b ? s(b.rush.p95) : undefined, s(r.units.timing.p95)),
          arrow(b ? s(b.rush.max) : undefined, s(r.units.timing.max)),
        ],
        [
          `${r.burst.of} uploads, ${IN_FLIGHT} in flight`,
          arrow(b ? `${b.burst.seen}/${b.burst.of}` : undefined, `${r.burst.seen}/${r.burst.of}`),
          arrow(b ? s(b.burst.p50) : undefined, s(r.burst.timing.median)),
          arrow(b ? s(b.burst.p95) : undefined, s(r.burst.timing.p95)),
          arrow(b ? s(b.burst.max) : undefined, s(r.burst.timing.max)),
        ],
      ],
    ),
    '',
    '**The burst:**',
    '',
    table(
      [
        'throughput',
        'processing per upload (p50 / p95)',
        'peak RSS of the stack',
        'growth per 100 uploads over the second half: heap after GC / RSS',
        'lost / doubled (table)',
        'receipts lost / doubled (mail)',
        'polls per upload',
      ],
      [
        [
          arrow(b ? `${b.burst.throughput.toFixed(1)}/s` : undefined, `${r.burst.throughput.toFixed(1)} uploads/s`),
          arrow(b ? `${b.burst.processingP50} ms` : undefined, `${Math.round(r.burst.processing.median)} / ${Math.round(r.burst.processing.p95)} ms`),
          arrow(b ? `${b.burst.peakRssMiB} MiB` : undefined, mib(r.burst.peakRss)),
          `${(memory.heapPerHundred / 1024 / 1024).toFixed(2)} MiB / ${(memory.rssPerHundred / 1024 / 1024).toFixed(2)} MiB`,
          arrow(b ? `${b.burst.lost} / ${b.burst.doubled}` : undefined, `${o.lost} / ${o.doubled}`),
          `${o.receiptsLost} / ${o.receiptsDoubled}`,
          r.burst.polls.toFixed(1),
        ],
      ],
    ),
    '',
    `The 39 units' own run: lost / doubled ${r.rushOutcomes.lost} / ${r.rushOutcomes.doubled}, receipts ${r.rushOutcomes.receiptsLost} / ${r.rushOutcomes.receiptsDoubled}.`,
    `Stack start (process spawn to ready, \`--fresh\`): ${arrow(b ? s(b.startMs) : undefined, s(r.startMs))}.`,
    '',
    "The stack's memory over the burst (its probe collects garbage every 2 s, then reads the heap, external memory included, and the RSS):",
    '',
    table(['uploads done', 'heap after GC', 'RSS'], memory.rows, ['r', 'r', 'r']),
  ].join('\n');
  const i = baseline;
  return {
    id: 'rush',
    title: 'The deadline rush on the local stack',
    markdown: md,
    before:
      `as the issue measured it: ${i.rush.units} units at once p50 ${i.rush.uploadToResultP50Ms / 1000} s, p95 ${i.rush.uploadToResultP95Ms / 1000} s; ` +
      `the burst of ${i.burst.uploads.toLocaleString('en-US')} (${i.burst.inFlight} in flight) had ~${i.burst.resultsAfter10Minutes} results after 10 minutes, ` +
      `processing at a median of ${i.burst.medianProcessingMs / 1000} s, the stack at ${i.burst.stackMemoryGB} GB, ${i.burst.lost} lost / ${i.burst.doubled} doubled.`,
  };
}

/** The raw figures, for recording them as the "before" of another commit (`--json`). */
export async function measureRaw(): Promise<{ trips: RoundTrips; rush: RushResult }> {
  return { trips: await roundTrips(), rush: await rushAndBurst() };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--trips')) console.log(JSON.stringify(await roundTrips(), null, 2));
  else if (process.argv.includes('--json')) console.log(JSON.stringify(await measureRaw(), null, 2));
  else console.log((await run()).markdown);
}

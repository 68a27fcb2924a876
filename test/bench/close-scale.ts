/**
 * The close at scale (issue 15, point 3): a period holding 40, 1,000 and 10,000 submission records
 * (the 39 units, most of them resubmitting many times; about a third of the files rejected) is closed
 * on the local stack, and the close is compared with a bare Query of the same records (every item of
 * the period's SUB# range, all pages, nothing done with them): the target is at most 2×.
 *
 * Each size runs in a process of its own (its peak memory is its own). The period is seeded as the
 * pipeline leaves it: for every file an upload intent, the object in S3, its record, its slot's file
 * set and, for a valid file, its pointer. The records are copies of records the pipeline made for
 * real workbooks, so they have their real size (all indicator values, narratives, findings).
 *
 * Runnable alone: `npx tsx test/bench/close-scale.ts` prints the section's Markdown;
 * `--size N --json` measures one size (what the section runs for each).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../shared/adapters/outbound/dynamo/keys.js';
import { Table } from '../../shared/adapters/outbound/dynamo/table.js';
import { closePeriod } from '../../shared/application/close-period.js';
import { makeTemplate } from '../../shared/application/make-template.js';
import type { CurrentPointer, SubmissionRecord } from '../../shared/application/records.js';
import { issueToken } from '../../shared/application/tokens.js';
import { findPeriod } from '../../shared/domain/calendar.js';
import { newUploadId } from '../../shared/domain/object-keys.js';
import { sampleFill, sampleSubmission } from '../../shared/domain/sample-submission.js';
import { defaultUnits, owes } from '../../shared/domain/units.js';
import { LOCAL_TABLE, startLocalStack } from '../../infra/local/stack.js';
import { type BenchSection, baseline, summarise, table } from './harness.js';

const PERIOD = '2021-Q1';
const NOW = new Date('2021-03-10T09:00:00+07:00');
const AFTER_DEADLINE = new Date('2021-03-16T00:05:00+07:00');
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const SIZES = [40, 1000, 10_000];
const SEED_CONCURRENCY = 16;

export interface CloseFigures {
  records: number;
  /** ms of the whole close (reconcile, roll-up, the report's files, the e-mail queued and sent). */
  closeMs: number;
  /** ms of a bare Query of the period's records (median of 3). */
  bareMs: number;
  /** Peak memory held (heap and external) above its start, during the close and during the bare Query, bytes. */
  closeRssGrowth: number;
  bareRssGrowth: number;
  /** Bytes of the records as DynamoDB returns them (JSON), the average. */
  recordBytes: number;
}

async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** The memory the process's JavaScript holds: heap, plus external memory and array buffers. */
function held(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/**
 * Peak memory held while `fn` runs (sampled every 5 ms), above what was held after a full collection
 * at its start (RSS would not say: the seeding grew the heap first, and RSS does not shrink back).
 */
async function memoryGrowthOf<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; growth: number }> {
  globalThis.gc?.();
  const start = held();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, held());
  }, 5);
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  clearInterval(timer);
  peak = Math.max(peak, held());
  return { value, ms, growth: peak - start };
}

/** Measures one size in this process. */
export async function measureSize(size: number): Promise<CloseFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'cchc-bench-close-'));
  const stack = await startLocalStack({
    dataDir: dir,
    port: 0,
    s3Port: 0,
    outboxIntervalMs: 0,
    schedulerIntervalMs: 0,
    now: NOW,
    templateKey: 'bench-template-key',
    tokenKey: 'bench-token-key',
  });
  try {
    const period = findPeriod(PERIOD);
    const units = defaultUnits.filter((u) => owes(u, period)).map((u) => u.code);
    const deps = stack.deps;
    // One real upload per unit (its record, as the pipeline makes it, is the model of the unit's copies).
    const models = new Map<string, { record: SubmissionRecord; bytes: Uint8Array }>();
    for (const unit of units) {
      const sub = sampleSubmission(unit, PERIOD, { asOf: NOW });
      const bytes = (await makeTemplate({ unitCode: unit, periodId: PERIOD, key: 'bench-template-key', now: NOW, fill: sampleFill(sub) })).bytes;
      const { token } = await issueToken(deps, unit);
      const res = await fetch(`${stack.apiUrl}/api/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ periodId: PERIOD, fileName: `${unit}.xlsx`, contentType: XLSX, size: bytes.length }),
      });
      const ticket = (await res.json()) as { url: string; fields: Record<string, string>; uploadId: string };
      const form = new FormData();
      for (const [k, v] of Object.entries(ticket.fields)) form.append(k, v);
      form.append('file', new Blob([bytes], { type: XLSX }), 'upload');
      await fetch(ticket.url, { method: 'POST', body: form });
      await new Promise((r) => setTimeout(r, 20));
      await stack.drain();
      const [record] = (await deps.stores.submissions.listOfUnit(unit, PERIOD)).filter((r) => r.uploadId === ticket.uploadId);
      models.set(unit, { record: record!, bytes });
    }
    // The rest of the period: copies, the units in turn; every third rejected (its values dropped, findings kept).
    const copies = Array.from({ length: Math.max(0, size - units.length) }, (_, i) => ({ unit: units[i % units.length]!, i }));
    const pointers = deps.stores.pointers as typeof deps.stores.pointers & { addFile?: (f: unknown) => Promise<void> };
    await pool(copies, SEED_CONCURRENCY, async ({ unit, i }) => {
      const model = models.get(unit)!;
      const requestedAt = new Date(NOW.getTime() - (i + 1) * 1000);
      const uploadId = newUploadId(requestedAt);
      const key = model.record.key.replace(model.record.uploadId, uploadId);
      const invalid = i % 3 === 2;
      const record: SubmissionRecord = {
        ...model.record,
        objectId: uploadId,
        uploadId,
        key,
        receivedAt: requestedAt.toISOString(),
        status: invalid ? 'invalid' : 'valid',
        ...(invalid ? { values: undefined, narratives: undefined } : {}),
      };
      await deps.stores.intents.put({
        uploadId,
        unitCode: unit,
        periodId: PERIOD,
        kind: period.kind,
        key,
        fileName: record.fileName,
        contentType: XLSX,
        declaredSize: model.bytes.length,
        requestedAt: requestedAt.toISOString(),
      });
      await deps.uploads.put(key, model.bytes, XLSX);
      await deps.stores.submissions.putOnce(record);
      if (!invalid) {
        const pointer: CurrentPointer = {
          periodId: PERIOD,
          unitCode: unit,
          kind: period.kind,
          objectId: uploadId,
          receivedAt: record.receivedAt,
          order: `${record.receivedAt}#${uploadId}`,
        };
        await deps.stores.pointers.advance('current', pointer);
      }
      await pointers.addFile?.({ periodId: PERIOD, unitCode: unit, kind: period.kind, objectId: uploadId, unprocessable: false });
    });

    // The bare Query: every record of the period, all pages, with the pipeline's own client settings.
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: stack.endpoints.dynamodb,
        region: stack.config.region,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        maxAttempts: 5,
      }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
    const bare = new Table(client, LOCAL_TABLE);
    const { pk, sk } = keys.submissionsOf(PERIOD);
    const bareRuns: { ms: number; growth: number; n: number; bytes: number }[] = [];
    for (let run = 0; run < 3; run++) {
      const r = await memoryGrowthOf(() => bare.query<SubmissionRecord>({ pk, skPrefix: sk }));
      bareRuns.push({ ms: r.ms, growth: r.growth, n: r.value.length, bytes: JSON.stringify(r.value).length });
    }
    if (bareRuns[0]!.n !== size) throw new Error(`seeded ${bareRuns[0]!.n} records, wanted ${size}`);
    client.destroy();

    stack.clock.set(AFTER_DEADLINE);
    const closed = await memoryGrowthOf(() => closePeriod(deps, PERIOD));
    if (closed.value.outcome !== 'closed') throw new Error(`the close answered ${closed.value.outcome}`);
    return {
      records: size,
      closeMs: closed.ms,
      bareMs: summarise(bareRuns.map((r) => r.ms)).median,
      closeRssGrowth: closed.growth,
      bareRssGrowth: summarise(bareRuns.map((r) => r.growth)).median,
      recordBytes: bareRuns[0]!.bytes / size,
    };
  } finally {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Each size in a child process of its own. */
function measureInChild(size: number): CloseFigures {
  const out = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--size', String(size), '--json'], {
    cwd: resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'),
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (out.status !== 0) throw new Error(`close-scale --size ${size} failed:\n${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1)!) as CloseFigures;
}

const ms = (x: number) => `${x >= 10_000 ? (x / 1000).toFixed(1) : Math.round(x)} ${x >= 10_000 ? 's' : 'ms'}`;
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

/** Figures of the same benchmark on the code before issue 15 (close-scale-before.json), if recorded. */
async function before(): Promise<{ commit: string; figures: CloseFigures[] } | null> {
  try {
    const { readFile } = await import('node:fs/promises');
    return JSON.parse(await readFile(new URL('./close-scale-before.json', import.meta.url), 'utf8')) as { commit: string; figures: CloseFigures[] };
  } catch {
    return null;
  }
}

export async function run(): Promise<BenchSection> {
  const figures = SIZES.map(measureInChild);
  const b = await before();
  const was = (n: number) => b?.figures.find((f) => f.records === n);
  const arrow = (old: string | undefined, now: string) => (old ? `${old} → ${now}` : now);
  const rows = figures.map((f) => {
    const o = was(f.records);
    return [
      f.records.toLocaleString('en-US'),
      arrow(o && ms(o.closeMs), ms(f.closeMs)),
      ms(f.bareMs),
      arrow(o && `${(o.closeMs / o.bareMs).toFixed(2)}×`, `${(f.closeMs / f.bareMs).toFixed(2)}×`),
      arrow(o && mib(o.closeRssGrowth), mib(f.closeRssGrowth)),
      mib(f.bareRssGrowth),
    ];
  });
  const big = figures.at(-1)!;
  const small = figures[0]!;
  const perRecordMs = (big.closeMs - small.closeMs) / (big.records - small.records);
  const perRecordKiB = (big.closeRssGrowth - small.closeRssGrowth) / (big.records - small.records) / 1024;
  const markdown = [
    'The period 2021-Q1 holds the given number of submission records (39 units, one real upload each and copies of',
    "it, a third of them rejected: the units' resubmissions), each with its intent, its object in S3, its slot's file",
    'set and its pointer; it is closed on the local stack (reconcile, roll-up, the report files, the e-mail). The bare',
    `Query reads every record of the period once (all pages) and does nothing with them; records average ${Math.round(big.recordBytes / 1024)} KiB`,
    'as returned. Memory is the peak the process holds (heap and external) during the step, above what it held after a',
    'full collection at its start. Each size runs in a process of its own.',
    b ? `Before: the same benchmark on commit ${b.commit}.` : '',
    '',
    table(['records', 'close', 'bare Query', 'close ÷ Query', 'close: peak memory', 'Query: peak memory'], rows, ['r', 'r', 'r', 'r', 'r', 'r']),
    '',
    `From ${small.records} to ${big.records.toLocaleString('en-US')} records the close grows by ${perRecordMs.toFixed(3)} ms and ${perRecordKiB.toFixed(2)} KiB of peak memory per record.`,
  ].join('\n');
  return {
    id: 'close-scale',
    title: 'The close at scale',
    markdown,
    before: `${baseline.close.ms / 1000} s for a close at ${baseline.close.records.toLocaleString('en-US')} records, linear at ~${baseline.close.perRecordMs} ms and ${baseline.close.perRecordKB} KB per record (${baseline.source.split(',')[0]}).`,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--size');
  if (at > 0) {
    const figures = await measureSize(Number(process.argv[at + 1]));
    if (process.argv.includes('--json')) console.log(JSON.stringify(figures));
    else console.log(figures);
  } else {
    console.log((await run()).markdown);
  }
}

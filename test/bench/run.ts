/**
 * `npm run bench`: how long reading and validating one uploaded workbook takes, against the floor of
 * merely unzipping it and tokenising its XML. Prints a table (median and p95 over N runs after a
 * warm-up), the ratio of the two, and the process's peak RSS. Figures are recorded in docs/PERFORMANCE.md.
 */
import { cpus } from 'node:os';
import { strFromU8, unzipSync } from 'fflate';
import { validateSubmission } from '../../shared/domain/validate.js';
import { inspectXlsx } from '../../shared/documents/xlsx/safe-zip.js';
import { readWorkbook } from '../../shared/documents/xlsx/workbook-reader.js';
import type { PlanTask } from '../../shared/domain/types.js';
import { sampleFill as productFill, sampleSubmission } from '../../shared/domain/sample-submission.js';
import { KEY, slotOf, templateOf } from '../fixtures/xlsx-fixtures.js';
import type { TemplateFill } from '../../shared/documents/xlsx/index.js';
import type { Slot } from '../fixtures/xlsx-fixtures.js';
import { guardedCheckUpload, uploadGuard } from '../../shared/application/guarded-check.js';
import { checkUpload } from '../../shared/application/check-upload.js';
import { measureBundles } from './bundles.js';

const WARMUP = 5;
const RUNS = Number(process.env.BENCH_RUNS ?? 50);

/**
 * The baseline: unzip every part with fflate and tokenise each XML part with one regular-expression
 * pass (elements, attributes, text runs), building no tree. It is the least any reader must do.
 */
function unzipAndTokenise(bytes: Uint8Array): number {
  const TOKEN = /<([/?!]?)([A-Za-z_][\w:.-]*)([^>]*)>|([^<]+)/g;
  const ATTR = /([\w:.-]+)\s*=\s*("[^"]*"|'[^']*')/g;
  let tokens = 0;
  for (const [name, data] of Object.entries(unzipSync(bytes))) {
    if (!/\.(xml|rels)$/.test(name)) continue;
    const xml = strFromU8(data);
    for (const m of xml.matchAll(TOKEN)) {
      tokens++;
      if (m[3]) for (const _ of m[3].matchAll(ATTR)) tokens++;
    }
  }
  return tokens;
}

interface Row {
  name: string;
  median: number;
  p95: number;
}

async function measure(name: string, fn: () => unknown): Promise<Row> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): number => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
  return { name, median: at(0.5), p95: at(0.95) };
}

/** A correctly filled workbook, as a unit that did its work would send it (validates with no finding). */
function sampleFill(slot: Slot): TemplateFill {
  const receivedAt = new Date(Date.parse(slot.period.deadline) - 86_400_000);
  return productFill(sampleSubmission(slot.unit.code, slot.period.id, { asOf: receivedAt }));
}

async function scenario(label: string, slot: Slot, fill: TemplateFill): Promise<Row[]> {
  const bytes = await templateOf(slot, fill);
  const slotRef = { unitCode: slot.unit.code, periodId: slot.period.id, kind: slot.period.kind };
  const receivedAt = new Date(Date.parse(slot.period.deadline) - 86_400_000);
  const check = await readWorkbook(bytes, { key: KEY });
  if (!check.submission || check.findings.length > 0) throw new Error(`${label}: the workbook does not read cleanly`);
  const verdict = validateSubmission({ submission: check.submission, slot: slotRef, receivedAt, skip: check.unreadable });
  console.log(`${label}: ${(bytes.length / 1024).toFixed(1)} KiB, validation ${verdict.status} with ${verdict.findings.length} finding(s)`);
  if (verdict.status !== 'valid') throw new Error(`${label}: the benchmark workbook should be valid: ${JSON.stringify(verdict.findings.slice(0, 3))}`);
  return [
    await measure(`${label} · (a) readWorkbook + validateSubmission`, async () => {
      const r = await readWorkbook(bytes, { key: KEY });
      return validateSubmission({ submission: r.submission!, slot: slotRef, receivedAt, skip: r.unreadable });
    }),
    await measure(`${label} ·     of which readWorkbook`, () => readWorkbook(bytes, { key: KEY })),
    await measure(`${label} ·     of which inspectXlsx (pre-check)`, () => inspectXlsx(bytes)),
    await measure(`${label} · (b) unzip + tokenise XML (floor)`, () => unzipAndTokenise(bytes)),
  ];
}

function planFill(slot: Slot): TemplateFill {
  const areas = slot.form.areas.filter((a) => a.no !== undefined);
  const tasks: PlanTask[] = Array.from({ length: slot.layout.tasks!.maxRows }, (_, i) => ({
    area: areas[i % areas.length]!.code,
    content: `Nhiệm vụ cải cách hành chính số ${i + 1}: rà soát, đơn giản hóa thủ tục hành chính thuộc phạm vi quản lý`,
    expectedResult: 'Báo cáo kết quả thực hiện',
    deadline: `2021-${String((i % 12) + 1).padStart(2, '0')}-28`,
    leadAgency: 'Văn phòng Sở',
    coordinatingAgencies: 'Các phòng chuyên môn',
    resources: 'Ngân sách nhà nước',
    row: null,
  }));
  return { ...sampleFill(slot), tasks };
}

async function main(): Promise<void> {
  const rssAtStart = process.memoryUsage().rss;
  console.log(`Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${RUNS} runs after ${WARMUP} warm-up runs\n`);
  const q1 = slotOf('STP', '2021-Q1');
  const plan = slotOf('STP', '2021-PLAN');
  const first = await templateOf(q1, sampleFill(q1));
  const t0 = performance.now();
  await readWorkbook(first, { key: KEY });
  console.log(`first readWorkbook in this process (cold JIT): ${(performance.now() - t0).toFixed(1)} ms`);
  const rows = [...(await scenario('STP/2021-Q1', q1, sampleFill(q1))), ...(await scenario('STP/2021-PLAN (200 tasks)', plan, planFill(plan)))];
  console.log('');
  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(`${'measure'.padEnd(width)}  median ms     p95 ms`);
  for (const r of rows) console.log(`${r.name.padEnd(width)}  ${r.median.toFixed(2).padStart(9)}  ${r.p95.toFixed(2).padStart(9)}`);
  for (let i = 0; i < rows.length; i += 4) {
    const a = rows[i]!;
    const b = rows[i + 3]!;
    console.log(`ratio (a)/(b), ${a.name.split(' · ')[0]}: ${(a.median / b.median).toFixed(1)}× at the median, ${(a.p95 / b.p95).toFixed(1)}× at p95`);
  }
  const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
  console.log(`RSS after loading modules: ${mib(rssAtStart)}; peak RSS of the run: ${mib(process.resourceUsage().maxRSS * 1024)}`);

  // The guard: the same check in the bounded worker (warm), and the worker's first start.
  const bytes = await templateOf(q1, sampleFill(q1));
  const slotRef = { unitCode: 'STP', periodId: '2021-Q1', kind: 'periodic' as const };
  const receivedAt = new Date(Date.parse(q1.period.deadline) - 86_400_000);
  const c0 = performance.now();
  await guardedCheckUpload(bytes, slotRef, receivedAt, { templateKey: KEY });
  const firstGuarded = performance.now() - c0;
  const guarded = await measure('STP/2021-Q1 · checkUpload in the guard (warm worker)', () =>
    guardedCheckUpload(bytes, slotRef, receivedAt, { templateKey: KEY }),
  );
  const direct = await measure('STP/2021-Q1 · checkUpload in the process', () => checkUpload(bytes, slotRef, receivedAt, { templateKey: KEY }));
  await uploadGuard().close();
  console.log(`\nguard: first call (worker start, source through tsx) ${firstGuarded.toFixed(0)} ms`);
  for (const r of [direct, guarded]) console.log(`${r.name.padEnd(width)}  ${r.median.toFixed(2).padStart(9)}  ${r.p95.toFixed(2).padStart(9)}`);
  console.log(`guard cost per upload: ${(guarded.median - direct.median).toFixed(2)} ms at the median`);

  if (process.env.BENCH_BUNDLES !== '0') {
    console.log('\nbundles (esbuild as the CDK construct builds them), cold import: median of 7 fresh processes');
    const figures = measureBundles([
      'validate-submission',
      'record-unprocessable',
      'unit-api',
      'close-period',
      'send-reminders',
      'flush-outbox',
      'handle-mail-feedback',
    ]);
    const floor = figures[0]!;
    for (const f of figures) {
      console.log(
        `${f.name.padEnd(28)} ${(f.bytes / 1024).toFixed(0).padStart(6)} KiB ${(f.bytes / floor.bytes).toFixed(2).padStart(6)}×   import ${f.importMs.toFixed(0).padStart(5)} ms ${(f.importMs / floor.importMs).toFixed(2).padStart(6)}×`,
      );
    }
  }
}

await main();

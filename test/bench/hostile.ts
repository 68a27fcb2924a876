/**
 * Bench section `hostile`: what hostile uploads cost the reader (time and memory), and the limits in
 * force, read from the constants themselves.
 */
import { zipSync } from 'fflate';
import { checkUpload } from '../../shared/application/check-upload.js';
import { CHECK_LIMITS } from '../../shared/application/guarded-check.js';
import { OOXML_LIMITS } from '../../shared/documents/xlsx/ooxml.js';
import { DEFAULT_LIMITS, inspectXlsx, RATIO_FLOOR } from '../../shared/documents/xlsx/safe-zip.js';
import { readWorkbook } from '../../shared/documents/xlsx/workbook-reader.js';
import { hostileWorkbooks } from '../fixtures/hostile-corpus.js';
import { KEY, minimalParts, patchZip, rewriteSizes, sheetPart, SHEETS, slotOf, templateOf, zipBomb } from '../fixtures/xlsx-fixtures.js';
import { type BenchSection, kib, mib, ms, summarise, table } from './harness.js';

/** Heap and array buffers in use: what a reader allocates, sampled while it runs. */
function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Runs `fn` once: its result, its time and how far memory in use rose above where it started. */
async function once<T>(fn: () => T | Promise<T>): Promise<{ value: T; ms: number; grew: number }> {
  const before = used();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, used())), 2);
  const t0 = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, used());
    return { value, ms: performance.now() - t0, grew: Math.max(0, peak - before) };
  } finally {
    clearInterval(timer);
  }
}

function codeOf(r: ReturnType<typeof inspectXlsx>): string {
  return r.ok ? 'accepted' : r.finding.code;
}

export async function run(): Promise<BenchSection> {
  const slot = slotOf('STP', '2021-Q1');
  const bomb = zipBomb(200);
  const lying = bomb.slice();
  rewriteSizes(lying, 'xl/worksheets/sheet1.xml', 1024);
  const manyParts: Record<string, Uint8Array> = minimalParts();
  for (let i = 0; i < 5000; i++) manyParts[`xl/media/image${i}.png`] = new Uint8Array([i & 0xff]);
  const many = zipSync(manyParts, { level: 0 });
  const sheet = sheetPart(slot, SHEETS.data);
  const rows = Array.from({ length: 100_000 }, (_, i) => `<row r="${i + 100}"><c r="A${i + 100}"><v>1</v></c></row>`).join('');
  const tall = patchZip(await templateOf(slot), (_, text) => text.set(sheet, text.get(sheet).replace('</sheetData>', `${rows}</sheetData>`)));

  const honest = await once(() => inspectXlsx(bomb));
  const lied = await once(() => inspectXlsx(lying));
  const entries = await once(() => inspectXlsx(many));
  const tallRead = await once(() => readWorkbook(tall, { key: KEY }));

  const cases = await hostileWorkbooks(KEY);
  const slotRef = { unitCode: 'STP', periodId: '2021-Q1', kind: slot.period.kind };
  const received = new Date('2021-03-10T03:00:00Z');
  const outcomes: { ms: number; grew: number; status: string }[] = [];
  for (const c of cases) {
    const r = await once(() => checkUpload(c.bytes, slotRef, received, { templateKey: KEY }));
    outcomes.push({ ms: r.ms, grew: r.grew, status: r.value.status });
  }
  const corpusTime = summarise(outcomes.map((o) => o.ms));
  const corpusGrowth = Math.max(...outcomes.map((o) => o.grew));
  const ended = outcomes.filter((o) => o.status === 'valid' || o.status === 'invalid').length;

  const markdown = `Each input once, in this process; memory is the rise of heap plus array buffers above where the call
started, sampled every 2 ms while it ran.

${table(
  ['input', 'result', 'time', 'memory'],
  [
    [
      `${kib(bomb.length)} ZIP holding a 200 MiB entry of zeros, sizes declared honestly`,
      `\`${codeOf(honest.value)}\` from the declared size`,
      ms(honest.ms),
      mib(honest.grew),
    ],
    [
      'the same bomb with the sizes in its headers rewritten to 1 KiB',
      `\`${codeOf(lied.value)}\` once the actual output exceeds ${DEFAULT_LIMITS.maxRatio} × the compressed size`,
      ms(lied.ms),
      mib(lied.grew),
    ],
    ['ZIP with 5,002 entries', `\`${codeOf(entries.value)}\` from the end-of-directory count`, ms(entries.ms), mib(entries.grew)],
    [
      'the periodic template with 100,000 extra rows in its data sheet',
      `\`${tallRead.value.findings.map((f) => f.code).join(', ')}\` (row count while streaming)`,
      ms(tallRead.ms),
      mib(tallRead.grew),
    ],
    [
      `the hostile corpus (\`test/fixtures/hostile-corpus.ts\`): ${cases.length} variants of whole-grid merges, validations, conditional formats, shared formulas, dimensions and defined names in every place a sheet allows, several \`sheetData\` elements, huge cells, 250,000 cells, 300,000 strings`,
      `${ended} of ${cases.length} end in a result (valid, or invalid with findings); nothing is expanded from a range`,
      `median ${ms(corpusTime.median)}, max ${ms(corpusTime.max)}`,
      `max ${mib(corpusGrowth)}`,
    ],
  ],
  ['l', 'l', 'r', 'r'],
)}

With the former exceljs reader, a single \`<dataValidation sqref="A1:XFD1048576">\` or a defined name over the whole
grid ran the heap out of memory (a fatal error no \`try\` catches); \`test/unit/xlsx-bounded.test.ts\` asserts every
corpus variant stays under 400 MiB.

**Limits in force** (read from the constants):

- \`DEFAULT_LIMITS\` (\`shared/documents/xlsx/safe-zip.ts\`): ${DEFAULT_LIMITS.maxEntries.toLocaleString('en-US')} entries,
  ${mib(DEFAULT_LIMITS.maxEntryBytes)} inflated per entry, ${mib(DEFAULT_LIMITS.maxTotalBytes)} inflated in total, and an
  inflated/compressed ratio of ${DEFAULT_LIMITS.maxRatio} for entries over ${mib(RATIO_FLOOR)} inflated; the
  reader counts the bytes it actually inflates, so sizes declared in the headers cannot lie past them.
- \`OOXML_LIMITS\` (\`shared/documents/xlsx/ooxml.ts\`), checked while streaming: ${Object.entries(OOXML_LIMITS)
    .map(([k, v]) => `${k} ${Number(v).toLocaleString('en-US')}`)
    .join(', ')}.
- The guard (\`CHECK_LIMITS\`, \`shared/application/guarded-check.ts\`): ${CHECK_LIMITS.maxHeapMb} MiB of heap and
  ${CHECK_LIMITS.timeoutMs / 1000} s per file.`;
  return { id: 'hostile', title: 'Hostile uploads and the limits in force', markdown, before: 'Issue 15 did not change the reader or its limits.' };
}

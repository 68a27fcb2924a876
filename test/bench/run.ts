/**
 * `npm run bench`: runs every bench module in order and writes docs/PERFORMANCE.md from one run
 * (intro, the machine, each module's section). Each module runs in a process of its own, so its
 * memory figures and warm-up are its own. `npm run bench -- --only bundles,reader` runs only those;
 * the file then keeps the other sections as the earlier run left them, and its header says which
 * sections this run measured.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import * as bundles from './bundles.js';
import * as closeScale from './close-scale.js';
import { type BenchModule, type BenchSection, baseline, type Machine, machine, table } from './harness.js';
import * as hostile from './hostile.js';
import * as pdf from './pdf-verify.js';
import * as reader from './reader.js';
import * as rush from './rush.js';

/**
 * The sections, in the order of the file, each a module exporting `run(): Promise<BenchSection>`
 * (rush: 39 units at once, the burst of 1,000 uploads and the local stack's start; close-scale: the
 * close of 40, 1,000 and 10,000 submissions against a bare Query).
 */
export const SECTIONS: readonly { id: string; module: BenchModule }[] = [
  { id: 'reader', module: reader },
  { id: 'hostile', module: hostile },
  { id: 'pdf', module: pdf },
  { id: 'bundles', module: bundles },
  { id: 'rush', module: rush },
  { id: 'close-scale', module: closeScale },
];

const OUT = resolve(import.meta.dirname, '../../docs/PERFORMANCE.md');

/** `--only a,b` or `--only=a,b`; every section when absent. */
export function selectedIds(argv: readonly string[], known: readonly string[]): string[] {
  const at = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (at < 0) return [...known];
  const value = argv[at]!.includes('=') ? argv[at]!.slice('--only='.length) : (argv[at + 1] ?? '');
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = ids.filter((id) => !known.includes(id));
  if (ids.length === 0 || unknown.length > 0) throw new Error(`--only takes some of: ${known.join(', ')} (got "${value}")`);
  return ids;
}

const START = (id: string) => `<!-- bench:section ${id} -->`;
const END = (id: string) => `<!-- /bench:section ${id} -->`;

/** The sections an earlier run wrote into the file, by id, as written (markers included). */
export function writtenSections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of markdown.matchAll(/<!-- bench:section ([\w-]+) -->[\s\S]*?<!-- \/bench:section \1 -->/g)) out.set(m[1]!, m[0]);
  return out;
}

/** One section as written: its markers, heading, when and where it was measured, its body. */
export function renderSection(s: BenchSection, m: Machine): string {
  const measured = `*Measured ${m.startedAt}, ${m.cores} × ${m.cpu}, Node ${m.node}.*`;
  const before = s.before ? `\n\n**Before issue 15:** ${s.before}` : '';
  return `${START(s.id)}\n## ${s.title}\n\n${measured}${before}\n\n${s.markdown.trim()}\n${END(s.id)}`;
}

/** The whole file: intro, the machine of this run, then every section (this run's, or kept). */
export function renderFile(m: Machine, ran: readonly string[], sections: readonly { id: string; text: string | null }[]): string {
  const kept = sections.filter((s) => s.text && !ran.includes(s.id)).map((s) => s.id);
  const missing = sections.filter((s) => !s.text).map((s) => s.id);
  const header = table(
    ['', ''],
    [
      ['CPU', `${m.cores} × ${m.cpu}`],
      ['memory', `${m.memoryGiB.toFixed(1)} GiB (${m.freeMemoryGiB.toFixed(1)} GiB free at the start)`],
      ['Node.js', `${m.node} (${m.platform})`],
      ['started', m.startedAt],
      ['load average at the start', m.load.map((l) => l.toFixed(2)).join(' / ')],
      ['sections of this run', ran.join(', ')],
      ...(kept.length ? [['kept from an earlier run', `${kept.join(', ')} (each says when it was measured)`]] : []),
      ...(missing.length ? [['not measured yet', missing.join(', ')]] : []),
    ],
  );
  return `# Performance

<!-- Written by \`npm run bench\` (test/bench/run.ts) from one run. Edit the bench modules, not this file. -->

What the product costs where it matters: reading and validating an upload, hostile uploads, verifying a signed
report, and what each Lambda function loads and how fast it starts. Each section says how it measures. Figures
that issue 15 ("Fast at the deadline") changed say **before → after**. The *before* figures are in
\`test/bench/baseline.json\`: ${baseline.source}

## How to reproduce

\`\`\`sh
npm run bench                          # every section, then this file is rewritten
npm run bench -- --only bundles,reader # some sections; the others are kept as they were
BENCH_RUNS=200 npm run bench           # more runs of the reader (default 50 after 5 warm-up runs)
\`\`\`

Sections: ${SECTIONS.map((s) => `\`${s.id}\``).join(', ')}. The machine is shared and not idle: absolute times move
with its load, ratios much less.

## Machine and run

${header}

${sections
  .filter((s) => s.text)
  .map((s) => s.text)
  .join('\n\n')}
`;
}

const RESULT = '@@BENCH-SECTION@@';

/** The repository's formatter over the written file, so that `biome check` (npm test) passes on it as written. */
function formatWithBiome(file: string): void {
  const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  const out = spawnSync(process.execPath, [biome, 'format', '--write', file], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`biome could not format ${file}: ${out.stderr || out.stdout}`);
}

/** Runs one section in a fresh process (the same Node and loader as this one) and returns what it measured. */
function runInChild(id: string): BenchSection {
  const child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, '--section', id], {
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
  });
  const at = child.stdout.lastIndexOf(RESULT);
  if (child.status !== 0 || at < 0) throw new Error(`bench section ${id} failed (exit ${child.status}): ${child.stdout.slice(-2000)}`);
  const section = JSON.parse(child.stdout.slice(at + RESULT.length)) as BenchSection;
  if (section.id !== id) throw new Error(`bench module ${id} returned the section "${section.id}"`);
  return section;
}

async function main(argv: readonly string[]): Promise<void> {
  const only = argv.indexOf('--section');
  if (only >= 0) {
    const entry = SECTIONS.find((s) => s.id === argv[only + 1]);
    if (!entry) throw new Error(`no bench section ${argv[only + 1]}`);
    process.stdout.write(`\n${RESULT}${JSON.stringify(await entry.module.run())}\n`);
    return;
  }
  const ids = selectedIds(
    argv,
    SECTIONS.map((s) => s.id),
  );
  const m = machine();
  const earlier = existsSync(OUT) ? writtenSections(readFileSync(OUT, 'utf8')) : new Map<string, string>();
  const fresh = new Map<string, string>();
  for (const s of SECTIONS) {
    if (!ids.includes(s.id)) continue;
    const t0 = performance.now();
    console.log(`bench: ${s.id} …`);
    fresh.set(s.id, renderSection(runInChild(s.id), m));
    console.log(`bench: ${s.id} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const sections = SECTIONS.map((s) => ({ id: s.id, text: fresh.get(s.id) ?? earlier.get(s.id) ?? null }));
  writeFileSync(OUT, renderFile(m, ids, sections));
  formatWithBiome(OUT);
  console.log(`bench: wrote ${OUT}`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await main(process.argv.slice(2));

/**
 * Bench section `bundles`: each function's bundle as synthesis makes it (the construct's
 * bundleOptions), what a cold start loads and what every chunk adds up to, what the paths that load
 * more load, and the cold import of each bundle in fresh Node processes against a handler that only
 * creates the S3, DynamoDB and SES clients, built with the same options.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assetEnvironment, bundleOptions } from '../../infra/constructs/cchc-function.js';
import { localEnvironment } from '../../shared/runtime/local-connection.js';
import { type BenchSection, baseline, beforeAfter, kib, ms, summarise, table, times } from './harness.js';
import { type BundleGraph, buildFunction, buildGraph, bytesOf, closureOf, functionBundles, inputsOf, lazyChunksOf } from './bundle-graph.js';

const RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 11);
const TARGET_RATIO = 1.3;
const KiB = 1024;
/** The budgets asserted by test/infra/bundles.test.ts. */
const BUDGET: Record<string, number> = { 'validate-submission': 600 * KiB };
const DEFAULT_BUDGET = 1024 * KiB;

/** The variables a function's configuration needs, pointing at no server: nothing is contacted at import. */
function environment(outdir: string): Record<string, string> {
  const nowhere = 'http://127.0.0.1:9';
  return {
    ...localEnvironment(
      {
        apiUrl: nowhere,
        s3PublicUrl: nowhere,
        endpoints: { dynamodb: nowhere, s3: nowhere, ses: nowhere },
        tableName: 'cchc',
        bucket: 'cchc-uploads',
        region: 'ap-southeast-1',
        mailDir: outdir,
        pid: 0,
        maxUploadBytes: 10 * 1024 * 1024,
      },
      { templateKey: 'bench', tokenKey: 'bench', trustDir: join(outdir, 'trust') },
    ),
    ...assetEnvironment(['portal', 'fonts', 'trust'], outdir),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** One fresh process importing `entry` of a bundle: ms from `import()` until its top level has run (config, clients, logger). */
function importOnce(outdir: string, entry: string): number {
  const runner = join(outdir, `import-${entry}`);
  writeFileSync(
    runner,
    `const t = performance.now(); await import(${JSON.stringify(`./${entry}`)}); process.stdout.write(String(performance.now() - t)); process.exit(0);\n`,
  );
  return Number(execFileSync(process.execPath, [runner], { env: environment(outdir) }).toString());
}

interface Paired {
  /** Median cold import of the bundle's entry. */
  ms: number;
  /** Median of the ratios to the floor imported just before it, pair by pair. */
  ratio: number;
  /** The floor's imports of those pairs. */
  floorSample: number[];
}

/**
 * `RUNS` pairs of fresh processes, the floor then the bundle, one after the other: the load of a
 * shared machine moves both halves of a pair alike, so the ratio of each pair is steadier than a
 * ratio of medians taken minutes apart.
 */
function pairedImport(floorDir: string, outdir: string, entry: string): Paired {
  const floorSample: number[] = [];
  const sample: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const f = importOnce(floorDir, 'index.mjs');
    const b = importOnce(outdir, entry);
    floorSample.push(f);
    sample.push(b);
    ratios.push(b / f);
  }
  return { ms: summarise(sample).median, ratio: summarise(ratios).median, floorSample };
}

interface ImportProfile {
  totalMs: number;
  /** V8 compiling module source (`compileSourceTextModule`). */
  compileMs: number;
  /** Every function of the bundle's own files, top levels included (self time). */
  bundleCodeMs: number;
  garbageCollectorMs: number;
}

/** One cold import under `--cpu-prof` (100 µs sampling): where its time goes. */
function profileImport(outdir: string): ImportProfile {
  const dir = mkdtempSync(join(tmpdir(), 'cchc-import-prof-'));
  try {
    execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval', '100', join(outdir, 'import-index.mjs')], {
      env: environment(outdir),
    });
    const profile = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8')) as {
      nodes: { id: number; callFrame: { functionName: string; url: string } }[];
      samples: number[];
      timeDeltas: number[];
    };
    const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    const out = { totalMs: 0, compileMs: 0, bundleCodeMs: 0, garbageCollectorMs: 0 };
    profile.samples.forEach((id, i) => {
      const us = profile.timeDeltas[i] ?? 0;
      const frame = frames.get(id);
      out.totalMs += us / 1000;
      if (frame?.functionName === 'compileSourceTextModule') out.compileMs += us / 1000;
      else if (frame?.url.startsWith(`file://${outdir}/`)) out.bundleCodeMs += us / 1000;
      else if (frame?.functionName === '(garbage collector)') out.garbageCollectorMs += us / 1000;
    });
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Figure {
  graph: BundleGraph;
  import: Paired;
  workerImport?: Paired;
}

/** A path that loads more than the cold start: its output files, from the entries and lazy modules named. */
function pathBytes(g: BundleGraph, entries: readonly string[], lazy: readonly RegExp[]): number {
  const start = entries.flatMap((e) => g.coldFiles[e] ?? []);
  const chunks = lazy.flatMap((m) => {
    const found = lazyChunksOf(g, m);
    if (found.length === 0) throw new Error(`${g.name}: no lazy chunk for ${m}`);
    return found;
  });
  return bytesOf(g, closureOf(g, [...start, ...chunks]));
}

export async function run(): Promise<BenchSection> {
  const specs = functionBundles();
  const floorDir = mkdtempSync(join(tmpdir(), 'cchc-bundle-floor-'));
  const floorEntry = resolve(import.meta.dirname, 'sdk-only-handler.ts');
  const [floorGraph, ...graphs] = await Promise.all([
    buildGraph('SDK clients only', {
      ...bundleOptions({ name: 'sdk-only', workers: [], assets: [] }, floorDir),
      entryPoints: { index: floorEntry },
      outdir: floorDir,
    }),
    ...specs.map((s) => buildFunction(s)),
  ]);
  try {
    // One process at a time: concurrent cold imports on a 2-core machine would measure each other.
    const figures: Figure[] = graphs.map((g) => ({
      graph: g,
      import: pairedImport(floorDir, g.outdir, 'index.mjs'),
      ...(g.coldFiles['check-worker.mjs'] ? { workerImport: pairedImport(floorDir, g.outdir, 'check-worker.mjs') } : {}),
    }));
    const floorSample = figures.flatMap((f) => [...f.import.floorSample, ...(f.workerImport?.floorSample ?? [])]);
    const floor = { graph: floorGraph!, ms: summarise(floorSample).median, runs: floorSample.length };
    const order = ['validate-submission', 'unit-api', 'send-reminders', 'close-period', 'record-unprocessable', 'flush-outbox', 'handle-mail-feedback'];
    figures.sort((a, b) => order.indexOf(a.graph.name) - order.indexOf(b.graph.name));
    const profile = profileImport(figures[0]!.graph.outdir);
    return section(floor, figures, profile);
  } finally {
    for (const g of [floorGraph, ...graphs]) if (g) rmSync(g.outdir, { recursive: true, force: true });
  }
}

function section(floor: { graph: BundleGraph; ms: number; runs: number }, figures: Figure[], profile: ImportProfile): BenchSection {
  const before = (name: string) => baseline.bundles[name];
  const beforeSize = (name: string) => before(name)?.size ?? null;
  const beforeImport = (name: string) => {
    const b = before(name)?.importMs;
    return b ? `~${ms(b)}` : before(name) ? before(name)!.size : null;
  };
  const floorBytes = floor.graph.coldBytes;
  const rows = [
    [
      '**SDK clients only (floor)**',
      beforeAfter(beforeSize('sdk-only'), `**${kib(floorBytes)}**`),
      '1.00×',
      kib(floor.graph.totalBytes),
      '—',
      beforeAfter(beforeImport('sdk-only'), `**${ms(floor.ms)}**`),
      '1.00×',
    ],
    ...figures.map((f) => {
      const g = f.graph;
      const budget = BUDGET[g.name] ?? DEFAULT_BUDGET;
      return [
        g.name,
        beforeAfter(beforeSize(g.name), `**${kib(g.coldBytes)}**`),
        times(g.coldBytes / floorBytes),
        kib(g.totalBytes),
        `${kib(budget)} ${g.coldBytes <= budget ? 'met' : '**exceeded**'}`,
        beforeAfter(beforeImport(g.name), `**${ms(f.import.ms)}**`),
        times(f.import.ratio),
      ];
    }),
    ...figures
      .filter((f) => f.workerImport !== undefined)
      .map((f) => [
        `${f.graph.name}: check-worker.mjs (the guard's thread)`,
        kib(bytesOf(f.graph, f.graph.coldFiles['check-worker.mjs']!)),
        '',
        '',
        '',
        ms(f.workerImport!.ms),
        times(f.workerImport!.ratio),
      ]),
  ];
  const met = figures.filter((f) => f.import.ratio <= TARGET_RATIO).map((f) => f.graph.name);
  const missed = figures.filter((f) => f.import.ratio > TARGET_RATIO).map((f) => `${f.graph.name} ${times(f.import.ratio)}`);

  const g = (name: string) => figures.find((f) => f.graph.name === name)!.graph;
  const vs = g('validate-submission');
  const api = g('unit-api');
  const close = g('close-period');
  const receipt = [/shared\/documents\/mail\/receipt\.ts$/, /nodemailer\/.*mail-composer/, /@aws-sdk\/client-ses\//];
  const secrets = /client-secrets-manager/;
  const paths: [string, string, number][] = [
    ['validate-submission', 'cold start (index.mjs and its static imports)', vs.coldBytes],
    [
      'validate-submission',
      'first workbook: + the guard worker (its own thread), the receipt, its MIME composer and the SES client, the Secrets Manager client',
      pathBytes(vs, ['index.mjs', 'check-worker.mjs'], [...receipt, secrets]),
    ],
    [
      'validate-submission',
      'first signed PDF: the same + the verifier (pkijs, asn1js) in the worker',
      pathBytes(vs, ['index.mjs', 'check-worker.mjs'], [...receipt, secrets, /shared\/application\/check-report\.ts$/, /shared\/documents\/pdf\/index\.ts$/]),
    ],
    ['unit-api', 'cold start: every call of a unit (periods, submissions, upload links)', api.coldBytes],
    [
      'unit-api',
      'first template download: + the template writer (exceljs), the Secrets Manager client',
      pathBytes(api, ['index.mjs'], [/make-template\.ts$/, secrets]),
    ],
    ['unit-api', "first admin request (the board): + the board's use cases", pathBytes(api, ['index.mjs'], [/shared\/application\/board\.ts$/])],
    ['close-period', 'cold start: a sweep that finds nothing due', close.coldBytes],
    [
      'close-period',
      'publishing a report: + the renderers (exceljs, the chart with pureimage), the MIME composer, the SES client',
      pathBytes(close, ['index.mjs'], [/shared\/documents\/reports\/index\.ts$/, /nodemailer\/.*mail-composer/, /@aws-sdk\/client-ses\//]),
    ],
  ];
  const top = (graph: BundleGraph) =>
    inputsOf(graph, graph.coldFiles['index.mjs']!, 6)
      .map((i) => `${i.input} ${kib(i.bytes)}`)
      .join(', ');

  const markdown = `Each function built with the construct's own options (\`bundleOptions\` in \`infra/constructs/cchc-function.ts\`:
ESM for node22, minified, SDK bundled, the \`createRequire\` banner, UTF-8 text, **split into chunks**), read from
esbuild's metafile. *Cold start* is what the Lambda loads before the handler runs: \`index.mjs\` and everything it
imports statically, transitively; *all files* adds every lazy chunk (\`await import()\`) and worker entry.
*Cold import* is the median of ${RUNS} fresh \`node\` processes each timing \`await import('./index.mjs')\` (module
load and top level: configuration, clients, logger; the environment points at no server). The floor is
\`test/bench/sdk-only-handler.ts\`, which only creates the S3, DynamoDB and SES clients, built with the same options;
each import of a bundle follows one of the floor, and *× floor* is the median of those pairs' ratios (the floor's own
figure is the median of its ${floor.runs} imports).
*Before* is issue 15's measurement (\`test/bench/baseline.json\`): one file per function, no splitting.

${table(['bundle', 'size: before → cold start', '× floor', 'all files', 'budget (CI)', 'cold import: before → after', '× floor'], rows, [
  'l',
  'r',
  'r',
  'r',
  'r',
  'r',
  'r',
])}

- Cold import within ${TARGET_RATIO}× the floor (the issue's target, measured, not asserted): ${met.length ? met.join(', ') : 'none'}${
    missed.length ? `; **not met**: ${missed.join(', ')}` : ''
  }.
- The floor itself got smaller: split, the SDK's other credential providers and their nested clients (STS, SSO,
  …) are chunks a Lambda never loads, as its role's credentials are in its environment; issue 15's 812 KB floor
  was one file.
- Where a cold import goes (one import of validate-submission under \`--cpu-prof\`, ${ms(profile.totalMs)} sampled):
  ${ms(profile.compileMs)} V8 compiling the modules' source, ${ms(profile.bundleCodeMs)} running the bundle's own code
  (every top level: configuration, clients, logger, data), ${ms(profile.garbageCollectorMs)} collecting garbage, the rest
  Node's module loader reading, resolving and linking the cold path's files.

**What each cold start carries**, largest inputs first (esbuild's metafile; packages, or files of this repository):

${table(
  ['function', 'largest inputs of the cold start'],
  figures.map((f) => [f.graph.name, top(f.graph)]),
)}

**Paths that load more** (bytes of every file the path has loaded once it has run; each lazy part loads once per
container):

${table(
  ['function', 'path', 'loaded'],
  paths.map(([fn, path, bytes]) => [fn, path, kib(bytes)]),
  ['l', 'l', 'r'],
)}

**Why the budget counts the cold start only.** A lazy chunk is loaded by the invocations that take its path, once
per container: the Excel writer by a template download, the renderers by a close that publishes, the verifier by
a PDF. Counting them would make the API pay, in its budget, for the board and the template it does not load when
a unit lists its submissions, which is what the budget exists to prevent; the totals are reported above so
nothing is hidden. Two lazy parts are on nearly every validator invocation and are counted in its first-workbook
path, not in its cold start: the receipt's MIME composer and the SES client, loaded after the result the unit waits for is recorded,
and the guard worker, which loads in its own thread while the recording thread waits for it.
\`test/infra/bundles.test.ts\` asserts the budgets, that no heavy package (exceljs, pureimage, pkijs, asn1js,
@peculiar/x509, pdf-lib, docx, nodemailer, the presigners, the Secrets Manager and SES clients, luxon, zod's full build) is on any
cold path, and runs each lazy path once from the bundle in a fresh process.`;
  return {
    id: 'bundles',
    title: 'Bundles and cold start',
    markdown,
  };
}

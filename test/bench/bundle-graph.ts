/**
 * What a function's bundle carries, read from esbuild's metafile: the files loaded at cold start (the
 * entry and everything it imports statically, transitively), the lazy chunks (reached only through
 * `await import()`), and which inputs make up the bytes. Builds use the construct's own options
 * (bundleOptions), so the figures are those of the synthesized assets. Used by the bundle-budget
 * test (test/infra/bundles.test.ts) and the benchmark (test/bench/bundles.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { buildApp } from '../../infra/app.js';
import { type BundleSpec, bundleOptions, CchcFunction, copyAssets } from '../../infra/constructs/cchc-function.js';

/** Every project function's bundle spec, as the stacks declare them (an app built without bundling). */
export function functionBundles(): BundleSpec[] {
  const outdir = mkdtempSync(join(tmpdir(), 'cchc-specs-'));
  try {
    const built = buildApp({ 'aws:cdk:bundling-stacks': [] }, outdir);
    return built.stateless.node
      .findAll()
      .filter((c): c is CchcFunction => c instanceof CchcFunction)
      .map((f) => f.bundle)
      .sort((a, b) => a.name.localeCompare(b.name));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export interface InputShare {
  /** An npm package (`exceljs`, `@aws-sdk/client-s3`) or a repository file. */
  input: string;
  bytes: number;
}

export interface BundleGraph {
  name: string;
  outdir: string;
  metafile: Metafile;
  /** Output files (names relative to outdir) by bytes. */
  files: Record<string, number>;
  /** For each entry (index.mjs, check-worker.mjs, …): the files loaded when it is imported. */
  coldFiles: Record<string, string[]>;
  /** Bytes of coldFiles['index.mjs']: what a cold start of the handler loads. */
  coldBytes: number;
  /** Bytes of every output file: the handler, its workers, every chunk. */
  totalBytes: number;
}

/** Builds one bundle with `options` (the construct's, or those with another entry) and reads its graph. */
export async function buildGraph(name: string, options: BuildOptions & { metafile: true; outdir: string }): Promise<BundleGraph> {
  const result = await build({ ...options, logLevel: 'silent' });
  const metafile = result.metafile;
  const byPath = new Map(Object.entries(metafile.outputs));
  const relative = (p: string) => basename(p);
  const files = Object.fromEntries([...byPath].map(([p, o]) => [relative(p), o.bytes]));
  // The declared entries (the handler and its workers); esbuild also marks each lazy chunk as an entry point.
  const entries = new Set(Object.keys(options.entryPoints as Record<string, string>).map((e) => `${e}.mjs`));
  const coldFiles: Record<string, string[]> = {};
  for (const path of byPath.keys()) {
    if (!entries.has(relative(path))) continue;
    const seen = new Set<string>();
    const stack = [path];
    while (stack.length > 0) {
      const at = stack.pop()!;
      if (seen.has(at)) continue;
      seen.add(at);
      for (const i of byPath.get(at)?.imports ?? []) if (i.kind === 'import-statement' && byPath.has(i.path)) stack.push(i.path);
    }
    coldFiles[relative(path)] = [...seen].map(relative).sort();
  }
  const index = coldFiles['index.mjs'];
  if (!index) throw new Error(`${name}: no index.mjs among the outputs`);
  const sum = (names: readonly string[]) => names.reduce((s, n) => s + (files[n] ?? 0), 0);
  return { name, outdir: options.outdir, metafile, files, coldFiles, coldBytes: sum(index), totalBytes: sum(Object.keys(files)) };
}

/** Builds a project function exactly as synthesis does (code, then asset sets), into a fresh folder (or `outdir`). */
export async function buildFunction(spec: BundleSpec, outdir = mkdtempSync(join(tmpdir(), `cchc-bundle-${spec.name}-`))): Promise<BundleGraph> {
  const graph = await buildGraph(spec.name, { ...bundleOptions(spec, outdir), outdir });
  copyAssets(spec, outdir);
  return graph;
}

/** Bytes of the given output files. */
export function bytesOf(graph: BundleGraph, names: readonly string[]): number {
  return names.reduce((s, n) => s + (graph.files[n] ?? 0), 0);
}

/** The package (or repository file) an esbuild input path belongs to. */
function inputOf(path: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return m ? m[1]! : path.replace(/^(\.\.\/)+[^/]+\//, '');
}

/** What the given output files are made of, largest first, by package or repository file. */
export function inputsOf(graph: BundleGraph, names: readonly string[], top = 12): InputShare[] {
  const wanted = new Set(names);
  const by = new Map<string, number>();
  for (const [path, out] of Object.entries(graph.metafile.outputs)) {
    if (!wanted.has(basename(path))) continue;
    for (const [input, share] of Object.entries(out.inputs)) by.set(inputOf(input), (by.get(inputOf(input)) ?? 0) + share.bytesInOutput);
  }
  return [...by]
    .map(([input, bytes]) => ({ input, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}

/** The repository files and packages that make up a bundle's inputs (every output file). */
export function allInputs(graph: BundleGraph): Set<string> {
  return new Set(Object.keys(graph.metafile.inputs).map(inputOf));
}

/** The output files `files` load, themselves included: their static imports, transitively. */
export function closureOf(graph: BundleGraph, files: readonly string[]): string[] {
  const byName = new Map(Object.entries(graph.metafile.outputs).map(([p, o]) => [basename(p), o]));
  const seen = new Set<string>();
  const stack = [...files];
  while (stack.length > 0) {
    const at = stack.pop()!;
    if (seen.has(at)) continue;
    seen.add(at);
    for (const i of byName.get(at)?.imports ?? []) if (i.kind === 'import-statement' && byName.has(basename(i.path))) stack.push(basename(i.path));
  }
  return [...seen].sort();
}

/** The chunks esbuild made for the modules loaded with `await import()` whose path matches `module`. */
export function lazyChunksOf(graph: BundleGraph, module: RegExp): string[] {
  return Object.entries(graph.metafile.outputs)
    .filter(([, o]) => o.entryPoint !== undefined && module.test(o.entryPoint))
    .map(([p]) => basename(p));
}

/**
 * The benchmark's shared parts: what a bench module returns, the machine it ran on, the "before"
 * figures of issue 15 (baseline.json), timing and formatting helpers.
 *
 * A bench module exports `run(): Promise<BenchSection>`; test/bench/run.ts runs the modules in order
 * and writes docs/PERFORMANCE.md from their sections.
 */
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';

/** One section of docs/PERFORMANCE.md, as a bench module measured it. */
export interface BenchSection {
  /** Stable id (`reader`, `bundles`, …): the `--only` name and the section's marker in the file. */
  id: string;
  /** The section's heading. */
  title: string;
  /** The section's body: method, tables, what the figures mean (Markdown, no heading). */
  markdown: string;
  /** What the figures were before issue 15 changed them, when the table does not say it. */
  before?: string;
}

export interface BenchModule {
  run(): Promise<BenchSection>;
}

/** The figures issue 15 started from (test/bench/baseline.json). */
export interface Baseline {
  source: string;
  bundles: Record<string, { size: string; kib: number | null; importMs: number | null }>;
  rush: { units: number; uploadToResultP50Ms: number; uploadToResultP95Ms: number; processingPerFileMs: number };
  burst: {
    uploads: number;
    inFlight: number;
    resultsAfter10Minutes: number;
    medianProcessingMs: number;
    stackMemoryGB: number;
    lost: number;
    doubled: number;
  };
  close: { records: number; ms: number; perRecordMs: number; perRecordKB: number };
}

export const baseline: Baseline = JSON.parse(readFileSync(new URL('./baseline.json', import.meta.url), 'utf8')) as Baseline;

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  memoryGiB: number;
  freeMemoryGiB: number;
  /** 1, 5 and 15 minute load averages when the run started. */
  load: [number, number, number];
  /** When the run started, in Vietnam time. */
  startedAt: string;
}

/** The machine and the moment, for the file's header. */
export function machine(now = new Date()): Machine {
  const cpu = cpus();
  const [l1 = 0, l5 = 0, l15 = 0] = loadavg();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    memoryGiB: totalmem() / 1024 ** 3,
    freeMemoryGiB: freemem() / 1024 ** 3,
    load: [l1, l5, l15],
    startedAt: vietnamTime(now),
  };
}

/** `2026-12-02 19:40 (giờ Việt Nam, UTC+7)`-style stamp, in English: `2026-12-02 19:40 Asia/Ho_Chi_Minh`. */
export function vietnamTime(d: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Ho_Chi_Minh',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} Asia/Ho_Chi_Minh`;
}

export interface Timing {
  median: number;
  p95: number;
  max: number;
  runs: number;
}

/** Times `fn` `runs` times after `warmup` untimed runs; milliseconds. */
export async function measure(fn: () => unknown, { warmup = 5, runs = 50 }: { warmup?: number; runs?: number } = {}): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return summarise(times);
}

/** Median, p95 (nearest rank) and max of a sample. */
export function summarise(sample: readonly number[]): Timing {
  const times = [...sample].sort((a, b) => a - b);
  const at = (q: number): number => times[Math.min(times.length - 1, Math.max(0, Math.ceil(q * times.length) - 1))] ?? Number.NaN;
  return { median: at(0.5), p95: at(0.95), max: times[times.length - 1] ?? Number.NaN, runs: times.length };
}

/** A Markdown table; `align` per column ('l' or 'r', default left). */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[], align: readonly ('l' | 'r')[] = []): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  const rule = `| ${header.map((_, i) => (align[i] === 'r' ? '---:' : '---')).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const number = (x: number, digits: number) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Milliseconds, with `digits` decimals. */
export const ms = (x: number, digits = 0): string => `${number(x, digits)} ms`;
/** Bytes as KiB. */
export const kib = (bytes: number): string => `${number(bytes / 1024, 0)} KiB`;
/** Bytes as MiB. */
export const mib = (bytes: number, digits = 0): string => `${number(bytes / 1024 / 1024, digits)} MiB`;
/** A ratio, `2.27×`. */
export const times = (x: number): string => `${number(x, 2)}×`;
/** `before → after`, or `after` alone when nothing was measured before. */
export const beforeAfter = (before: string | null | undefined, after: string): string => (before ? `${before} → ${after}` : after);

/** Peak resident set size of this process so far. */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

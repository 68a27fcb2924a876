/**
 * `npx tsx test/bench/pdf-verify.ts`: how long verifying a ~2 MB PDF with two signatures (leader and
 * organisation, the second an incremental update) takes, and the process's peak RSS. Prints the median
 * and p95 over N runs after a warm-up, and the same for 2 MB of garbage behind a PDF header. Figures are
 * recorded in docs/PERFORMANCE.md.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { verifyPdfSignatures } from '../../shared/documents/pdf/index.js';
import { basePdf, makeCrl, makeTestPki, signPdf } from '../fixtures/pdf-signing.js';

const WARMUP = 3;
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

async function measure(name: string, fn: () => Promise<unknown>): Promise<string> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const p95 = times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)]!;
  return `| ${name} | ${median.toFixed(1)} ms | ${p95.toFixed(1)} ms |`;
}

async function main(): Promise<void> {
  const pki = await makeTestPki();
  const once = await signPdf(basePdf(2 * 1024 * 1024), pki.leader);
  const twice = await signPdf(once, pki.organisation, { subFilter: 'ETSI.CAdES.detached', chain: [pki.intermediate] });
  const trust = { anchors: [pki.root.der], intermediates: [pki.intermediate.der] };
  const crls = [await makeCrl(pki.intermediate, ['9999']), await makeCrl(pki.root, [])];
  const check = await verifyPdfSignatures(twice.bytes, { ...trust, crls });
  if (check.findings.length > 0 || check.signatures.length !== 2) throw new Error(`unexpected result: ${JSON.stringify(check.findings)}`);
  const garbage = new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2 * 1024 * 1024)]));
  const rssBefore = process.memoryUsage().rss;
  const rows = [
    await measure(`two signatures, ${(twice.bytes.length / 1024 / 1024).toFixed(2)} MiB, no CRL`, () => verifyPdfSignatures(twice.bytes, trust)),
    await measure('the same with CRLs (intermediate and root)', () => verifyPdfSignatures(twice.bytes, { ...trust, crls })),
    await measure('2 MiB of random bytes behind a PDF header', () => verifyPdfSignatures(garbage, trust)),
  ];
  console.log(`Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${RUNS} runs after ${WARMUP} warm-up`);
  console.log('| input | median | p95 |\n| --- | ---: | ---: |');
  for (const row of rows) console.log(row);
  const usage = process.resourceUsage();
  console.log(`peak RSS ${(usage.maxRSS / 1024).toFixed(0)} MiB (RSS before the runs ${(rssBefore / 1024 / 1024).toFixed(0)} MiB)`);
}

await main();

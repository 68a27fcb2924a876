/**
 * Bench section `pdf`: verifying a ~2 MiB PDF with two signatures (the leader's, then the
 * organisation's as an incremental update), with and without CRLs, and 2 MiB of garbage behind a PDF
 * header. Also runs alone: `npx tsx test/bench/pdf-verify.ts` prints the section.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { verifyPdfSignatures } from '../../shared/documents/pdf/index.js';
import { basePdf, makeCrl, makeTestPki, signPdf } from '../fixtures/pdf-signing.js';
import { type BenchSection, mib, ms, measure, peakRss, table } from './harness.js';

const WARMUP = 3;
const RUNS = Number(process.env.BENCH_PDF_RUNS ?? 15);

export async function run(): Promise<BenchSection> {
  const pki = await makeTestPki();
  const once = await signPdf(basePdf(2 * 1024 * 1024), pki.leader);
  const twice = await signPdf(once, pki.organisation, { subFilter: 'ETSI.CAdES.detached', chain: [pki.intermediate] });
  const trust = { anchors: [pki.root.der], intermediates: [pki.intermediate.der] };
  const crls = [await makeCrl(pki.intermediate, ['9999']), await makeCrl(pki.root, [])];
  const check = await verifyPdfSignatures(twice.bytes, { ...trust, crls });
  if (check.findings.length > 0 || check.signatures.length !== 2) throw new Error(`unexpected result: ${JSON.stringify(check.findings)}`);
  const garbage = new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2 * 1024 * 1024)]));
  const rssBefore = process.memoryUsage().rss;
  const opts = { warmup: WARMUP, runs: RUNS };
  const rows: [string, Awaited<ReturnType<typeof measure>>][] = [
    [`two signatures, ${mib(twice.bytes.length, 2)}, no CRL`, await measure(() => verifyPdfSignatures(twice.bytes, trust), opts)],
    ['the same with CRLs (intermediate and root)', await measure(() => verifyPdfSignatures(twice.bytes, { ...trust, crls }), opts)],
    ['2 MiB of random bytes behind a PDF header', await measure(() => verifyPdfSignatures(garbage, trust), opts)],
  ];
  const markdown = `\`shared/documents/pdf/\`: a PDF of one page with a 2 MiB content stream, signed twice with RSA-2048 / SHA-256 (the
leader with \`adbe.pkcs7.detached\`, then the organisation with \`ETSI.CAdES.detached\` as an incremental update),
verified in full: scan, both byte ranges hashed, both CMS signatures, both chains to the test root, and revocation
when CRLs are given. ${RUNS} runs after ${WARMUP} warm-up runs.

${table(
  ['input', 'median', 'p95'],
  rows.map(([name, t]) => [name, ms(t.median, 1), ms(t.p95, 1)]),
  ['l', 'r', 'r'],
)}

Peak RSS of the process by the end of this section ${mib(peakRss())} (${mib(rssBefore)} before the runs, with pkijs and the test
PKI loaded): verifying holds the file, one copy of each signed range at a time, and at most 20 signatures of at
most 64 KiB of hex each. The scanner reads each byte a constant number of times and never follows a declared
length, so time and memory grow with the file's bytes only. In the functions the verifier is a chunk of the guard's
worker, loaded by the first PDF (see the bundles section).`;
  return {
    id: 'pdf',
    title: 'Verifying a signed report (PDF)',
    markdown,
    before: 'Issue 15 did not change the verifier; it moved it out of every cold start.',
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const section = await run();
  console.log(`## ${section.title}\n\n${section.markdown}`);
}

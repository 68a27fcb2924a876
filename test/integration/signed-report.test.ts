import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { currentRollup } from '../../shared/application/current-rollup.js';
import { writeConsolidatedWorkbook } from '../../shared/documents/reports/index.js';
import { findPeriod } from '../../shared/domain/calendar.js';
import { currentForm } from '../../shared/domain/forms.js';
import { defaultRoster } from '../../shared/domain/roster.js';
import { sampleSubmission } from '../../shared/domain/sample-submission.js';
import { toSubmissionJson } from '../../shared/domain/submission-json.js';
import { basePdf, type Identity, issue, makeTestPki, newKeys, signPdf, type TestPki } from '../fixtures/pdf-signing.js';
import { startTestStack, type TestStack } from './helpers/pipeline-stack.js';

/** A week before the Q1 2021 deadline, Vietnam time. */
const NOW = new Date('2021-03-08T09:00:00+07:00');
const PDF = 'application/pdf';
const headOfStp = defaultRoster.find((l) => l.unit === 'STP' && l.role === 'head' && l.from <= '2021-03-08' && (!l.to || l.to >= '2021-03-08'))!;

let stack: TestStack;
let pki: TestPki;
let trustDir: string;
let leader: Identity;
let organisation: Identity;

beforeAll(async () => {
  // A root and an intermediate valid in 2021 (the stack's clock), as the government CA's would be.
  const valid = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2030-01-01T00:00:00Z') };
  const test = await makeTestPki();
  const root = await issue({ subject: { '2.5.4.3': 'Root CA thử nghiệm 2020' }, keys: test.root.keys, ca: true, serial: '11', ...valid });
  const intermediate = await issue({
    subject: { '2.5.4.3': 'CA thử nghiệm cho cơ quan nhà nước' },
    keys: test.intermediate.keys,
    issuer: root,
    ca: true,
    serial: '12',
    ...valid,
  });
  pki = { ...test, root, intermediate };
  // The roster's head of Sở Tư pháp, and the organisation, with certificates valid in 2021.
  leader = await issue({
    subject: { '2.5.4.6': 'VN', '2.5.4.10': 'Sở Tư pháp tỉnh Thừa Thiên Huế', '2.5.4.12': 'Giám đốc', '2.5.4.3': headOfStp.name },
    keys: await newKeys(),
    issuer: pki.intermediate,
    ca: false,
    serial: '2001',
    ...valid,
  });
  organisation = await issue({
    subject: { '2.5.4.6': 'VN', '2.5.4.10': 'Sở Tư pháp tỉnh Thừa Thiên Huế', '2.5.4.3': 'Sở Tư pháp tỉnh Thừa Thiên Huế' },
    keys: await newKeys(),
    issuer: pki.intermediate,
    ca: false,
    serial: '2002',
    ...valid,
  });
  trustDir = await mkdtemp(join(tmpdir(), 'cchc-trust-'));
  await mkdir(join(trustDir, 'anchors'));
  await writeFile(join(trustDir, 'anchors', 'root.cer'), pki.root.der);
  stack = await startTestStack({ now: NOW, trustDir });
});

afterAll(async () => {
  await stack?.dispose();
  if (trustDir) await rm(trustDir, { recursive: true, force: true });
});

async function signedReport(signers: Identity[], signingTime = new Date('2021-03-05T10:00:00+07:00')): Promise<Uint8Array> {
  let draft = basePdf();
  for (const s of signers) draft = await signPdf(draft, s, { signingTime, chain: [pki.intermediate] });
  return draft.bytes;
}

async function submissionOf(uploadId: string) {
  const list = await stack.deps.stores.submissions.listOfUnit('STP', '2021-Q1');
  return list.find((r) => r.uploadId === uploadId)!;
}

describe('the signed report (PDF) through the pipeline', () => {
  it('a report signed by the head and issued with the organisation signature is valid, and its receipt says who signed', async () => {
    const token = await stack.token('STP');
    const uploadId = await stack.upload(token, '2021-Q1', await signedReport([leader, organisation]), PDF, 'Bao-cao-quy-I-da-ky.pdf');
    const record = await submissionOf(uploadId);
    expect(record).toMatchObject({ part: 'report', format: 'pdf', status: 'valid' });
    expect(record.report!.leader).toEqual({ name: headOfStp.name, office: 'Giám đốc' });
    expect(record.report!.signatures.map((s) => s.role)).toEqual(['leader', 'organisation']);
    // the report's own pointer; the form's pointers are untouched
    expect((await stack.deps.stores.pointers.listOfPeriod('2021-Q1', 'report')).current.map((p) => p.objectId)).toContain(record.objectId);
    expect((await stack.deps.stores.pointers.listOfPeriod('2021-Q1')).current.map((p) => p.objectId)).not.toContain(record.objectId);
    const receipt = (await stack.sesMail()).find((m) => JSON.stringify(m).includes(record.receiptNo))!;
    const text = JSON.stringify(receipt);
    expect(text).toContain('Chữ ký số trong văn bản');
    expect(text).toContain(headOfStp.name);
    expect(text).toContain('Cơ quan ký khi phát hành');
    expect(text).toContain(record.sha256!);
  });

  it('the roll-up and the consolidated workbook trace each unit to its signed report: signer, time, SHA-256', async () => {
    const period = findPeriod('2021-Q1');
    const rollup = await currentRollup(stack.deps, period);
    const line = rollup.units.find((u) => u.unitCode === 'STP')!;
    expect(line.signedReport).toMatchObject({ signer: headOfStp.name, office: 'Giám đốc', onTime: true });
    expect(line.signedReport!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rollup.units.find((u) => u.unitCode === 'HUE')!.signedReport).toBeNull();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await writeConsolidatedWorkbook(rollup, currentForm(period.kind))) as never);
    const rows = wb.worksheets.flatMap((ws) => ws.getRows(1, ws.rowCount) ?? []);
    const stp = rows.find((r) => r.getCell(2).value === 'STP' && String(r.getCell(14).value ?? '').length === 64)!;
    expect(String(stp.getCell(12).value)).toBe(`${headOfStp.name}, Giám đốc`);
    expect(stp.getCell(14).value).toBe(line.signedReport!.sha256);
  });

  it('a report signed by someone outside the leadership is rejected with a Vietnamese finding naming the signer', async () => {
    const stranger = await issue({
      subject: { '2.5.4.6': 'VN', '2.5.4.10': 'Sở Tư pháp tỉnh Thừa Thiên Huế', '2.5.4.3': 'Hoàng Văn Chuyên Viên' },
      keys: await newKeys(),
      issuer: pki.intermediate,
      ca: false,
      serial: '2003',
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2030-01-01T00:00:00Z'),
    });
    const token = await stack.token('STP');
    const record = await submissionOf(await stack.upload(token, '2021-Q1', await signedReport([stranger, organisation]), PDF, 'ky-nham.pdf'));
    expect(record.status).toBe('invalid');
    const f = record.findings.find((x) => x.code === 'PDF_SIGNER_NOT_LEADER')!;
    expect(f.message).toContain('Hoàng Văn Chuyên Viên');
  });

  it('a report whose signed bytes were changed is rejected as broken or changed after signing', async () => {
    const bytes = await signedReport([leader, organisation]);
    const tampered = new Uint8Array(bytes);
    const at = Buffer.from(tampered).indexOf('Bao cao');
    tampered[at] = 'X'.charCodeAt(0);
    const token = await stack.token('STP');
    const record = await submissionOf(await stack.upload(token, '2021-Q1', tampered, PDF, 'sua.pdf'));
    expect(record.status).toBe('invalid');
    expect(record.findings.some((x) => x.code === 'PDF_SIGNATURE_BROKEN')).toBe(true);
  });

  it('a report signed after the server received it is rejected; an Excel file sent as the report is refused', async () => {
    const token = await stack.token('STP');
    const late = await submissionOf(
      await stack.upload(token, '2021-Q1', await signedReport([leader, organisation], new Date('2021-03-20T10:00:00+07:00')), PDF),
    );
    expect(late.findings.map((f) => f.code)).toContain('PDF_SIGNED_AFTER_RECEIPT');
    const notPdf = await submissionOf(await stack.upload(token, '2021-Q1', new TextEncoder().encode('{"a":1}'), PDF, 'nham.pdf'));
    expect(notPdf.findings.map((f) => f.code)).toEqual(['REPORT_NOT_PDF']);
  });

  it('a PDF sent where the data form goes is refused with the step it belongs to', async () => {
    const token = await stack.token('HUE');
    const record = (await stack.deps.stores.submissions.listOfUnit('HUE', '2021-Q1')).length;
    const uploadId = await stack.upload(token, '2021-Q1', await signedReport([leader]), 'application/json', 'bao-cao.json');
    const mine = (await stack.deps.stores.submissions.listOfUnit('HUE', '2021-Q1')).find((r) => r.uploadId === uploadId)!;
    expect(record).toBe(0);
    expect(mine.findings.map((f) => f.code)).toEqual(['FILE_IS_PDF']);
  });

  it("the data form's typed signer must be the signed report's: another name is refused, the same one accepted", async () => {
    const token = await stack.token('STP');
    const form = (signerName: string) =>
      new TextEncoder().encode(JSON.stringify(toSubmissionJson(sampleSubmission('STP', '2021-Q1', { asOf: NOW, signerName }))));
    const other = await submissionOf(await stack.upload(token, '2021-Q1', form('Trần Thị Khác'), 'application/json', 'so-lieu.json'));
    expect(other.status).toBe('invalid');
    const mismatch = other.findings.find((f) => f.code === 'SIGNER_BLOCK_MISMATCH')!;
    expect(mismatch.message).toContain('Trần Thị Khác');
    expect(mismatch.message).toContain(headOfStp.name);
    const same = await submissionOf(await stack.upload(token, '2021-Q1', form(headOfStp.name.toUpperCase()), 'application/json', 'so-lieu.json'));
    expect(same.status).toBe('valid');
    expect(same.signerName).toBe(headOfStp.name.toUpperCase());
  });
});

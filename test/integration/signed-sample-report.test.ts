import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSubmission } from '../../shared/domain/sample-submission.js';
import { toSubmissionJson } from '../../shared/domain/submission-json.js';
import { startTestStack, type TestStack } from './helpers/pipeline-stack.js';

/**
 * The local stack's demo CA end to end: made at the first start of a data folder and trusted by its
 * default trust folder (and not by a folder the caller gives), the same CA at the next start, and a
 * unit's dossier (sample form + signed sample report, `uploadReport`) through the pipeline.
 */

const NOW = new Date('2021-03-08T09:00:00+07:00');

let dataDir: string;
let stack: TestStack;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cchc-demo-ca-stack-'));
  // Its own data folder and, unlike other test stacks, its own demo CA in it (<dataDir>/demo-ca).
  stack = await startTestStack({ dataDir, demoCaDir: undefined, now: NOW });
}, 120_000);

afterAll(async () => {
  await stack?.dispose();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function recordOf(uploadId: string) {
  const records = await stack.deps.stores.submissions.listOfPeriod('2021-Q1');
  return records.find((r) => r.uploadId === uploadId)!;
}

describe('the demo CA of the local stack', () => {
  it('is made at first start in <dataDir>/demo-ca and its root installed in the default trust folder, which holds no key', async () => {
    expect(stack.trust).toEqual({ dir: join(dataDir, 'trust'), demoCa: true });
    const root = await readFile(join(dataDir, 'demo-ca', 'root.cer'));
    expect((await readFile(join(dataDir, 'trust', 'anchors', 'demo-root.cer'))).equals(root)).toBe(true);
    expect(await readdir(join(dataDir, 'trust', 'intermediates'))).toEqual(['demo-intermediate.cer']);
    const trustFiles = (await Promise.all(['anchors', 'intermediates', 'crls'].map((d) => readdir(join(dataDir, 'trust', d))))).flat();
    expect(trustFiles.some((f) => f.includes('key'))).toBe(false);
  });

  it("a unit's sample form and signed report (uploadReport) make a valid dossier; the receipt names the head and the unit", async () => {
    const token = await stack.token('STP');
    const form = new TextEncoder().encode(JSON.stringify(toSubmissionJson(sampleSubmission('STP', '2021-Q1', { asOf: NOW }))));
    const formRecord = await recordOf(await stack.upload(token, '2021-Q1', form, 'application/json', 'so-lieu.json'));
    expect(formRecord.status).toBe('valid');
    const report = await recordOf(await stack.uploadReport(token, '2021-Q1'));
    expect(report).toMatchObject({ part: 'report', format: 'pdf', status: 'valid', findings: [] });
    expect(report.report!.leader).toEqual({ name: 'Hoàng Văn Hải', office: 'Giám đốc' });
    expect(report.report!.signatures.map((s) => [s.role, s.signer, s.chain, s.revocation])).toEqual([
      ['leader', 'Hoàng Văn Hải', 'trusted', 'good'],
      ['organisation', 'Sở Tư pháp', 'trusted', 'good'],
    ]);
    expect(formRecord.signerName).toBe('Hoàng Văn Hải');
    expect((await stack.deps.stores.pointers.listOfPeriod('2021-Q1', 'report')).current.map((p) => p.objectId)).toEqual([report.objectId]);
    const receipt = (await stack.sesMail()).find((m) => m.subject.includes(report.receiptNo))!;
    // both files of the dossier, each with its SHA-256: this one, and the data form received before
    expect(receipt.body.text).toContain(`Mã SHA-256: ${report.sha256}`);
    expect(receipt.body.text).toContain(`Hồ sơ — phần còn lại: Biểu số liệu: so-lieu.json, biên nhận ${formRecord.receiptNo}, SHA-256 ${formRecord.sha256}`);
    const formReceipt = (await stack.sesMail()).find((m) => m.subject.includes(formRecord.receiptNo))!;
    expect(formReceipt.body.text).toContain('Hồ sơ — phần còn lại: Báo cáo đã ký số (PDF): chưa có tệp hợp lệ');
    // the organisation signs at the stack's "now" (its clock runs), the leader an hour before
    expect(receipt.body.text).toMatch(/Lãnh đạo đơn vị ký: Hoàng Văn Hải, Giám đốc, Sở Tư pháp; ký lúc 08:0\d:\d\d ngày 08\/03\/2021/);
    expect(receipt.body.text).toMatch(/Cơ quan ký khi phát hành: Sở Tư pháp; ký lúc 09:0\d:\d\d ngày 08\/03\/2021/);
  });

  it('uploadReport with options sends the failing reports of the demo, each with its finding', async () => {
    const token = await stack.token('SKHDT');
    const stranger = await recordOf(await stack.uploadReport(token, '2021-Q1', undefined, { leader: { name: 'Trần Văn Chuyên', office: 'Chuyên viên' } }));
    expect(stranger.status).toBe('invalid');
    expect(stranger.findings.map((f) => f.code)).toEqual(['PDF_SIGNER_NOT_LEADER']);
    const resaved = await recordOf(await stack.uploadReport(token, '2021-Q1', undefined, { resavedAfterSigning: true }));
    expect(resaved.findings.map((f) => f.code)).toEqual(['PDF_CHANGED_AFTER_SIGNING']);
    const unsigned = await recordOf(await stack.uploadReport(token, '2021-Q1', undefined, { leader: null, organisation: false }));
    expect(unsigned.findings.map((f) => f.code)).toEqual(['PDF_NO_SIGNATURE']);
  });

  it('is the same CA at the next start of the data folder', async () => {
    const root = await readFile(join(dataDir, 'demo-ca', 'root.cer'));
    await stack.dispose();
    stack = await startTestStack({ dataDir, demoCaDir: undefined, now: NOW });
    expect((await readFile(join(dataDir, 'demo-ca', 'root.cer'))).equals(root)).toBe(true);
    expect(await readdir(join(dataDir, 'trust', 'anchors'))).toEqual(['demo-root.cer']);
    expect((await readFile(join(dataDir, 'trust', 'anchors', 'demo-root.cer'))).equals(root)).toBe(true);
    // a report signed before the restart still verifies after it
    const token = await stack.token('STP');
    expect((await recordOf(await stack.uploadReport(token, '2021-Q1'))).status).toBe('valid');
  }, 120_000);
});

describe('a trust folder the operator gives', () => {
  let given: TestStack;
  let trustDir: string;

  beforeAll(async () => {
    trustDir = await mkdtemp(join(tmpdir(), 'cchc-given-trust-'));
    await mkdir(join(trustDir, 'anchors'));
    given = await startTestStack({ trustDir, now: NOW });
  }, 120_000);

  afterAll(async () => {
    await given?.dispose();
    if (trustDir) await rm(trustDir, { recursive: true, force: true });
  });

  it('is left as it is: the demo root is not added, so a demo-signed report is untrusted there', async () => {
    expect(given.trust).toEqual({ dir: trustDir, demoCa: false });
    expect(await readdir(join(trustDir, 'anchors'))).toEqual([]);
    const token = await given.token('STP');
    const uploadId = await given.uploadReport(token, '2021-Q1');
    const record = (await given.deps.stores.submissions.listOfPeriod('2021-Q1')).find((r) => r.uploadId === uploadId)!;
    expect(record.status).toBe('invalid');
    expect(record.findings.map((f) => f.code)).toEqual(['PDF_CERT_UNTRUSTED', 'PDF_CERT_UNTRUSTED']);
    expect(await readdir(join(trustDir, 'anchors'))).toEqual([]);
  });
});

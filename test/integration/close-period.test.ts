import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFill, sampleSubmission } from '../../shared/domain/sample-submission.js';
import type { Submission } from '../../shared/domain/types.js';
import { makeTemplate } from '../../shared/application/make-template.js';
import type { UploadStore } from '../../shared/application/ports.js';
import { closePeriod, reissueReport } from '../../shared/application/close-period.js';
import { grantExtension } from '../../shared/application/extensions.js';
// The scheduled path (reconcile, then remind), as the test always exercised: sendReminders no longer reconciles itself.
import { remindAfterReconciling as sendReminders } from '../../shared/application/scheduled-reminders.js';
import { isFormPart } from '../../shared/application/records.js';
import { startTestStack, XLSX, type TestStack } from './helpers/pipeline-stack.js';

const at = (iso: string): Date => new Date(iso);

let stack: TestStack;
let failPut: RegExp | null = null;

async function workbook(sub: Submission): Promise<Uint8Array> {
  return (await makeTemplate({ unitCode: sub.unitCode, periodId: sub.periodId, key: 'test-template-key', now: new Date(), fill: sampleFill(sub) })).bytes;
}

/** A unit's data form at `when`; with its signed report a minute later unless `form only` (the dossier's two files). */
async function uploadAt(unit: string, when: string, mutate?: (s: Submission) => void, scale = 1, part: 'dossier' | 'form only' = 'dossier'): Promise<string> {
  stack.clock.set(at(when));
  const sub = sampleSubmission(unit, '2021-Q1', { scale, asOf: at(when) });
  mutate?.(sub);
  const token = await stack.token(unit);
  const id = await stack.upload(token, '2021-Q1', await workbook(sub), XLSX, `${unit}-quy-I.xlsx`);
  if (part === 'dossier') {
    stack.clock.set(new Date(at(when).getTime() + 60_000));
    await stack.uploadReport(token, '2021-Q1');
  }
  return id;
}

/** A unit's data-form records of the period (its signed reports are records of their own). */
async function forms(unit: string) {
  return (await stack.deps.stores.submissions.listOfUnit(unit, '2021-Q1')).filter(isFormPart);
}

/** Uploads while the queue is paused and then drops the event: the object is stored, the event lost. */
async function uploadWithLostEvent(unit: string, when: string): Promise<void> {
  stack.queue.pause();
  try {
    stack.clock.set(at(when));
    const sub = sampleSubmission(unit, '2021-Q1', { asOf: at(when) });
    const bytes = await workbook(sub);
    const t = await stack.requestUpload(await stack.token(unit), { periodId: '2021-Q1', fileName: `${unit}.xlsx`, contentType: XLSX, size: bytes.length });
    expect((await stack.post(t.json, bytes, XLSX)).status).toBe(204);
    await new Promise((r) => setTimeout(r, 30));
    expect(stack.queue.discardWaiting()).toBe(1);
  } finally {
    stack.queue.resume();
  }
}

/** Consolidated-report e-mails as SES accepted them (the local stack keeps each as an .eml file). */
async function reportMails(): Promise<ParsedMail[]> {
  const files = (await readdir(stack.mailDir)).filter((f) => f.includes('_report-2021-Q1-')).sort();
  const inSes = (await stack.sesMail()).filter((m) => m.subject.startsWith('[CCHC] Tổng hợp') || m.subject.includes('BỔ SUNG'));
  expect(inSes).toHaveLength(files.length);
  return Promise.all(files.map(async (f) => simpleParser(await readFile(join(stack.mailDir, f)))));
}

beforeAll(async () => {
  stack = await startTestStack({
    now: at('2021-03-12T09:00:00+07:00'),
    schedulerIntervalMs: 0,
    years: [2021],
  });
  const inner = stack.deps.uploads;
  const flaky: UploadStore = {
    ...inner,
    presignPost: (o) => inner.presignPost(o),
    head: (r) => inner.head(r),
    get: (r, m) => inner.get(r, m),
    list: (p) => inner.list(p),
    presignGet: (k, e, f) => inner.presignGet(k, e, f),
    async put(key, body, type) {
      if (failPut?.test(key)) {
        failPut = null;
        throw new Error('injected crash while storing the report');
      }
      return inner.put(key, body, type);
    },
  };
  stack.deps.uploads = flaky;

  await uploadAt('STP', '2021-03-12T09:00:00+07:00');
  await uploadAt('HUE', '2021-03-13T10:00:00+07:00', undefined, 2);
  await uploadAt(
    'STC',
    '2021-03-13T11:00:00+07:00',
    (s) => {
      s.values['TT.HS.02'] = 51;
    },
    1,
    'form only',
  ); // rejected only
  await uploadAt('CAT', '2021-03-14T08:00:00+07:00', undefined, 3);
  await uploadAt(
    'CAT',
    '2021-03-14T09:00:00+07:00',
    (s) => {
      s.signature.signingForm = 'TL.';
    },
    1,
    'form only',
  ); // a later rejected file never replaces the valid one
  // a valid data form whose signed report never comes: the dossier stays incomplete
  await uploadAt('SGTVT', '2021-03-14T10:00:00+07:00', undefined, 5, 'form only');
});
afterAll(async () => {
  await stack?.dispose();
});

describe('reminders', () => {
  it('go only to units without a valid current submission, with their personal link, once per label', async () => {
    stack.clock.set(at('2021-03-14T08:00:00+07:00'));
    const first = await sendReminders(stack.deps, '2021-Q1', 'D-1');
    expect(first.units).not.toContain('STP');
    expect(first.units).not.toContain('HUE');
    expect(first.units).toContain('STC');
    expect(first.units).toContain('SYT');
    // a valid form without its signed report is reminded of the report, by name
    expect(first.units).toContain('SGTVT');
    const toSgtvt = (await stack.sesMail()).find((m) => m.subject.startsWith('[CCHC] Nhắc nộp') && m.body.text?.includes('Sở Giao thông vận tải'))!;
    expect(toSgtvt.body.text).toContain('chưa nhận được bản báo cáo CCHC định kỳ đã được lãnh đạo đơn vị ký số (tệp PDF) hợp lệ');
    expect(toSgtvt.body.text).toContain('Hồ sơ báo cáo gồm hai tệp');
    const again = await sendReminders(stack.deps, '2021-Q1', 'D-1');
    expect(again.units).toEqual([]);
    const mail = (await stack.sesMail()).find((m) => m.subject.startsWith('[CCHC] Nhắc nộp') && m.destination.to.includes('vanthu.stc@thuathienhue.example'))!;
    expect(mail.body.text).toMatch(new RegExp(`${stack.apiUrl}/#t=cchc_[A-Za-z0-9_-]{43}`));
    expect(mail.subject).toContain('23:59:59 ngày 15/03/2021');
  });
});

describe('close-out at the deadline', () => {
  it('an upload at 23:59:59 whose event is lost is recovered by reconciliation and counted on time; one at 00:00:01 is late', async () => {
    stack.clock.set(at('2021-03-15T23:50:00+07:00'));
    await stack.uploadReport(await stack.token('SCT'), '2021-Q1');
    await uploadWithLostEvent('SCT', '2021-03-15T23:59:59+07:00');
    await uploadAt('SXD', '2021-03-16T00:00:01+07:00');
    expect(await forms('SCT')).toHaveLength(0);
    const sxd = await forms('SXD');
    expect(sxd.map((r) => [r.status, r.onTime])).toEqual([['valid', false]]);
  });

  it('a crash while storing the report leaves the period CLOSING; the rerun finishes with one report and one e-mail', async () => {
    stack.clock.set(at('2021-03-16T00:05:00+07:00'));
    failPut = /\.xlsx$/;
    await expect(closePeriod(stack.deps, '2021-Q1')).rejects.toThrow('injected crash');
    expect((await stack.deps.stores.periods.get('2021-Q1')).state).toBe('CLOSING');
    expect(await reportMails()).toHaveLength(0);
    // the lease of the crashed run must not block the rerun forever: let it expire
    await stack.deps.stores.periods.transition('2021-Q1', ['CLOSING'], 'CLOSING', { leaseUntil: new Date(0).toISOString() });
    const [a, b] = await Promise.all([closePeriod(stack.deps, '2021-Q1'), closePeriod(stack.deps, '2021-Q1')]);
    expect([a.outcome, b.outcome].sort()).toEqual(['busy', 'closed'].sort());
    expect((await closePeriod(stack.deps, '2021-Q1')).outcome).toBe('already-closed');
    expect((await stack.deps.stores.periods.get('2021-Q1')).state).toBe('CLOSED');
    expect(await reportMails()).toHaveLength(1);
  });

  it('the lost upload was recorded by reconciliation, on time', async () => {
    const sct = await forms('SCT');
    expect(sct.map((r) => [r.status, r.onTime, r.source])).toEqual([['valid', true, 'reconciliation']]);
  });

  it('the consolidated e-mail carries the workbook whose totals equal the sums of the valid on-time submissions', async () => {
    const [mail] = await reportMails();
    expect(mail!.to && 'text' in mail!.to ? mail!.to.text : '').toContain('phongcchc.snv@thuathienhue.example');
    const xlsx = mail!.attachments.find((a) => a.filename?.endsWith('.xlsx'))!;
    expect(xlsx).toBeDefined();
    expect(mail!.attachments.some((a) => a.contentType === 'image/png' && a.cid)).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.content as unknown as ArrayBuffer);
    // On time and valid: STP ×1, HUE ×2, CAT ×3 (its later rejected file changes nothing), SCT ×1 (recovered).
    const expected = 1000 + 2000 + 3000 + 1000;
    let found = false;
    wb.eachSheet((ws) => {
      ws.eachRow((row) => {
        if (row.getCell(1).value === 'TT.HS.01') {
          found = true;
          const numbers = (row.values as unknown[]).filter((v) => typeof v === 'number');
          expect(numbers[0]).toBe(expected);
        }
      });
    });
    expect(found).toBe(true);
    const text = mail!.text ?? '';
    expect(text).toContain('Sở Tài chính'); // rejected only
    expect(text).toContain('Sở Xây dựng'); // late
    expect(text).toContain('Sở Y tế'); // missing
    expect(text).toMatch(/Hồ sơ chưa đủ — chưa đưa vào số liệu tổng hợp \(1\)[\s\S]*Sở Giao thông vận tải \(thiếu báo cáo đã ký số \(tệp PDF\)\)/);
  });

  it('the stored roll-up names the missing and late units and traces every included figure to its file', async () => {
    const state = await stack.deps.stores.periods.get('2021-Q1');
    const key = state.reportKeys!.find((k) => k.endsWith('.json'))!;
    const rollup = JSON.parse(Buffer.from(await stack.deps.uploads.get({ key }, 1e7)).toString('utf8'));
    expect(rollup.late).toEqual(['SXD']);
    expect(rollup.rejectedOnly).toEqual(['STC']);
    expect(rollup.missing).toContain('SYT');
    expect(rollup.missing).not.toContain('CAT');
    expect(rollup.coverage.all.onTime).toBe(4);
    // SGTVT's valid form (×5) is not in the figures: its dossier lacks the signed report
    expect(rollup.incomplete).toEqual(['SGTVT']);
    expect(rollup.units.find((u: { unitCode: string }) => u.unitCode === 'SGTVT')).toMatchObject({ status: 'incomplete', missingParts: ['report'] });
    expect(rollup.units.find((u: { unitCode: string }) => u.unitCode === 'STP').signedReport.signer).toBeTruthy();
    const cat = rollup.units.find((u: { unitCode: string }) => u.unitCode === 'CAT');
    expect(cat.source.fileName).toBe('CAT-quy-I.xlsx');
    expect(cat.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('an extension, recorded with who granted it and why, makes a later upload of that unit on time', async () => {
    await grantExtension(stack.deps, {
      periodId: '2021-Q1',
      unitCode: 'SYT',
      until: '2021-03-20',
      grantedBy: 'Giám đốc Sở Nội vụ',
      reason: 'Sự cố mạng tại đơn vị',
    });
    expect(await stack.deps.stores.extensions.get('2021-Q1', 'SYT')).toMatchObject({
      until: '2021-03-20',
      grantedBy: 'Giám đốc Sở Nội vụ',
      reason: 'Sự cố mạng tại đơn vị',
    });
    await uploadAt('SYT', '2021-03-19T10:00:00+07:00');
    const recs = await forms('SYT');
    expect(recs.map((r) => [r.status, r.onTime])).toEqual([['valid', true]]);
    const receipt = (await stack.sesMail()).find((m) => m.subject.includes(recs[0]!.receiptNo))!;
    expect(receipt.body.text).toContain('được gia hạn đến hết ngày 20/03/2021');
    await expect(grantExtension(stack.deps, { periodId: '2021-Q1', unitCode: 'SYT', until: '2021-03-10', grantedBy: 'x', reason: 'y' })).rejects.toThrow(
      /sau hạn/,
    );
  });

  it('--reissue makes an addendum with the late units; the original stays', async () => {
    const before = await stack.deps.stores.periods.get('2021-Q1');
    const out = await reissueReport(stack.deps, '2021-Q1');
    expect(out.outcome).toBe('addendum');
    if (out.outcome !== 'addendum') return;
    expect(out.number).toBe(1);
    expect(out.rollup.includesLate).toBe(true);
    // SXD (late) and SYT (on time under its extension, after the close) join the figures.
    expect(out.rollup.indicators.find((i) => i.code === 'TT.HS.01')!.total).toBe(7000 + 1000 + 1000);
    const after = await stack.deps.stores.periods.get('2021-Q1');
    expect(after.reportKeys).toEqual(before.reportKeys);
    expect(after.addendumKeys!['1']!.every((k) => k.includes('/bo-sung-1/'))).toBe(true);
    expect((await reportMails()).filter((m) => m.subject?.includes('BỔ SUNG'))).toHaveLength(1);
  });
});

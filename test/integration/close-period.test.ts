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
import { startTestStack, XLSX, type TestStack } from './helpers/pipeline-stack.js';

const at = (iso: string): Date => new Date(iso);

let stack: TestStack;
let failPut: RegExp | null = null;

async function workbook(sub: Submission): Promise<Uint8Array> {
  return (await makeTemplate({ unitCode: sub.unitCode, periodId: sub.periodId, key: 'test-template-key', now: new Date(), fill: sampleFill(sub) })).bytes;
}

async function uploadAt(unit: string, when: string, mutate?: (s: Submission) => void, scale = 1): Promise<string> {
  stack.clock.set(at(when));
  const sub = sampleSubmission(unit, '2021-Q1', { scale, asOf: at(when) });
  mutate?.(sub);
  return stack.upload(await stack.token(unit), '2021-Q1', await workbook(sub), XLSX, `${unit}-quy-I.xlsx`);
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
  await uploadAt('STC', '2021-03-13T11:00:00+07:00', (s) => {
    s.values['TT.HS.02'] = 51;
  }); // rejected only
  await uploadAt('CAT', '2021-03-14T08:00:00+07:00', undefined, 3);
  await uploadAt('CAT', '2021-03-14T09:00:00+07:00', (s) => {
    s.signature.signingForm = 'TL.';
  }); // a later rejected file never replaces the valid one
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
    const again = await sendReminders(stack.deps, '2021-Q1', 'D-1');
    expect(again.units).toEqual([]);
    const mail = (await stack.sesMail()).find((m) => m.subject.startsWith('[CCHC] Nhắc nộp') && m.destination.to.includes('vanthu.stc@thuathienhue.example'))!;
    expect(mail.body.text).toMatch(new RegExp(`${stack.apiUrl}/#t=cchc_[A-Za-z0-9_-]{43}`));
    expect(mail.subject).toContain('23:59:59 ngày 15/03/2021');
  });
});

describe('close-out at the deadline', () => {
  it('an upload at 23:59:59 whose event is lost is recovered by reconciliation and counted on time; one at 00:00:01 is late', async () => {
    await uploadWithLostEvent('SCT', '2021-03-15T23:59:59+07:00');
    await uploadAt('SXD', '2021-03-16T00:00:01+07:00');
    expect(await stack.deps.stores.submissions.listOfUnit('SCT', '2021-Q1')).toHaveLength(0);
    const sxd = await stack.deps.stores.submissions.listOfUnit('SXD', '2021-Q1');
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
    const sct = await stack.deps.stores.submissions.listOfUnit('SCT', '2021-Q1');
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
    const recs = await stack.deps.stores.submissions.listOfUnit('SYT', '2021-Q1');
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

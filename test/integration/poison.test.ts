import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFill, sampleSubmission } from '../../shared/domain/sample-submission.js';
import { Guard } from '../../shared/runtime/guard.js';
import { guardedCheckUpload } from '../../shared/application/guarded-check.js';
import { makeTemplate } from '../../shared/application/make-template.js';
import type { PipelineDeps } from '../../shared/application/deps.js';
import { closeDuePeriods, closePeriod } from '../../shared/application/close-period.js';
import { hostileWorkbooks } from '../fixtures/hostile-corpus.js';
import { startTestStack, XLSX, type TestStack } from './helpers/pipeline-stack.js';

/**
 * One unit's file must never stop the province: whatever an upload makes the reader do, it ends in
 * one record and one truthful receipt, other units are unaffected, and the period still closes.
 */

const KEY = 'test-template-key';
let stack: TestStack;
const hog = new Guard(new URL('../fixtures/runaway-worker.ts', import.meta.url), 'runaway', { maxHeapMb: 64, timeoutMs: 5000 });
/** Units whose files the injected checker hands to a worker whose "parser" exhausts its heap. */
const poison = new Set<string>();

async function workbook(unit: string, periodId = '2021-Q1'): Promise<Uint8Array> {
  const sub = sampleSubmission(unit, periodId, { asOf: stack.clock.now() });
  return (await makeTemplate({ unitCode: unit, periodId, key: KEY, now: stack.clock.now(), fill: sampleFill(sub) })).bytes;
}

async function mailsTo(address: string) {
  return (await stack.sesMail()).filter((m) => m.destination.to.includes(address));
}

beforeAll(async () => {
  stack = await startTestStack({ now: new Date('2021-03-10T09:00:00+07:00'), schedulerIntervalMs: 0, years: [2021] });
  const check: NonNullable<PipelineDeps['check']> = async (bytes, slot, receivedAt, ctx) => {
    return guardedCheckUpload(bytes, slot, receivedAt, ctx, poison.has(slot.unitCode) ? hog : undefined);
  };
  stack.deps.check = check;
});

afterAll(async () => {
  await hog.close();
  await stack?.dispose();
});

describe('a file that exhausts the reader', () => {
  it('is recorded as unprocessable with a receipt that says so, and the next unit is unaffected', async () => {
    poison.add('STTTT');
    try {
      await stack.upload(await stack.token('STTTT'), '2021-Q1', await workbook('STTTT'), XLSX, 'bao-cao.xlsx');
    } finally {
      poison.delete('STTTT');
    }
    const [rec, ...more] = await stack.deps.stores.submissions.listOfUnit('STTTT', '2021-Q1');
    expect(more).toEqual([]);
    expect(rec!.status).toBe('invalid');
    expect(rec!.findings.map((f) => f.code)).toEqual(['FILE_UNPROCESSABLE']);
    expect(rec!.findings[0]!.message).toContain('bộ nhớ');
    const receipts = (await mailsTo('vanthu.stttt@thuathienhue.example')).filter((m) => m.subject.includes(rec!.receiptNo));
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.body.text).toContain('KHÔNG được ghi nhận là báo cáo hợp lệ');

    await stack.upload(await stack.token('SKHCN'), '2021-Q1', await workbook('SKHCN'), XLSX, 'bao-cao.xlsx');
    expect((await stack.deps.stores.submissions.listOfUnit('SKHCN', '2021-Q1')).map((r) => r.status)).toEqual(['valid']);
  });
});

describe('hostile workbooks through the whole pipeline', () => {
  it('each ends in one record and one receipt; a valid upload right after is valid', { timeout: 180_000 }, async () => {
    const all = await hostileWorkbooks(KEY);
    // One of each class is enough here; the reader-level test runs the whole corpus.
    const picked = [
      'mergeCells insideRow (data)',
      'dataValidations inExtLst (data)',
      'a second sheetData that redefines an indicator cell',
      'a 3 MB inline string in a narrative cell',
      '250,000 unknown cells',
      '1,000 sheets declared',
    ].map((name) => all.find((c) => c.name === name)!);
    const token = await stack.token('STP');
    const before = (await stack.deps.stores.submissions.listOfUnit('STP', '2021-Q1')).length;
    for (const c of picked) await stack.upload(token, '2021-Q1', c.bytes, XLSX, `${c.name}.xlsx`);
    const recs = await stack.deps.stores.submissions.listOfUnit('STP', '2021-Q1');
    expect(recs).toHaveLength(before + picked.length);
    const numbers = new Set(recs.map((r) => r.receiptNo));
    const receipts = (await mailsTo('vanthu.stp@thuathienhue.example')).filter((m) => [...numbers].some((n) => m.subject.includes(n)));
    expect(receipts).toHaveLength(recs.length);
    await stack.upload(await stack.token('SYT'), '2021-Q1', await workbook('SYT'), XLSX, 'bao-cao.xlsx');
    expect((await stack.deps.stores.submissions.listOfUnit('SYT', '2021-Q1')).map((r) => r.status)).toEqual(['valid']);
  });
});

describe('a period always closes', () => {
  it('closes with an object whose processing fails every time, listing it; the unit gets one receipt', async () => {
    // Prepare: SXD's upload is stored but its event is lost, and reading it from S3 always fails.
    stack.queue.pause();
    const bytes = await workbook('SXD');
    const t = await stack.requestUpload(await stack.token('SXD'), { periodId: '2021-Q1', fileName: 'sxd.xlsx', contentType: XLSX, size: bytes.length });
    expect((await stack.post(t.json, bytes, XLSX)).status).toBe(204);
    await new Promise((r) => setTimeout(r, 30));
    expect(stack.queue.discardWaiting()).toBe(1);
    stack.queue.resume();
    const inner = stack.deps.uploads;
    stack.deps.uploads = {
      ...inner,
      presignPost: (o) => inner.presignPost(o),
      head: (r) => inner.head(r),
      put: (k, b, c) => inner.put(k, b, c),
      list: (p) => inner.list(p),
      presignGet: (k, e, f) => inner.presignGet(k, e, f),
      get: async (r, m) => {
        if (r.key.includes('/SXD/')) throw new Error('S3 GET fails for this object (injected)');
        return inner.get(r, m);
      },
    };
    try {
      // Act: the close reconciles, meets the poisoned object, records it and goes on.
      stack.clock.set(new Date('2021-03-16T00:05:00+07:00'));
      const out = await closePeriod(stack.deps, '2021-Q1');
      // Assess
      expect(out.outcome).toBe('closed');
      expect((await stack.deps.stores.periods.get('2021-Q1')).state).toBe('CLOSED');
      const [rec] = await stack.deps.stores.submissions.listOfUnit('SXD', '2021-Q1');
      expect(rec!.findings.map((f) => f.code)).toEqual(['FILE_UNPROCESSABLE']);
      expect(rec!.source).toBe('reconciliation');
      if (out.outcome === 'closed') expect(out.rollup.unprocessable.map((u) => [u.unitCode, u.receiptNo])).toContainEqual(['SXD', rec!.receiptNo]);
      const report = (await stack.sesMail()).find((m) => m.subject.startsWith('[CCHC] Tổng hợp'))!;
      expect(report.body.text).toContain('Tệp không kiểm tra được');
      expect(report.body.text).toContain(rec!.receiptNo);
      expect((await mailsTo('vanthu.sxd@thuathienhue.example')).filter((m) => m.subject.includes(rec!.receiptNo))).toHaveLength(1);
    } finally {
      stack.deps.uploads = inner;
    }
  });

  it('a close that crashed half-way is left CLOSING, and the sweep resumes it: one report, one e-mail', async () => {
    // Prepare: the H1 close crashes while storing its workbook.
    stack.clock.set(new Date('2021-06-16T00:05:00+07:00'));
    const inner = stack.deps.uploads;
    stack.deps.uploads = {
      ...inner,
      presignPost: (o) => inner.presignPost(o),
      head: (r) => inner.head(r),
      get: (r, m) => inner.get(r, m),
      list: (p) => inner.list(p),
      presignGet: (k, e, f) => inner.presignGet(k, e, f),
      put: async (k, b, c) => {
        if (k.endsWith('.xlsx') && k.includes('2021-H1')) throw new Error('crash while storing the report (injected)');
        return inner.put(k, b, c);
      },
    };
    await expect(closePeriod(stack.deps, '2021-H1')).rejects.toThrow(/injected/);
    stack.deps.uploads = inner;
    expect((await stack.deps.stores.periods.get('2021-H1')).state).toBe('CLOSING');
    // The crashed run's lease is still live: a plain rerun waits, it does not close twice.
    expect((await closePeriod(stack.deps, '2021-H1')).outcome).toBe('busy');
    // Act: the sweep of a process that knows the holder is gone (the local stack at start-up).
    const swept = await closeDuePeriods(stack.deps, [2021], { onlyClosing: true, takeOver: true });
    // Assess
    expect(swept).toEqual([{ periodId: '2021-H1', outcome: 'closed' }]);
    expect((await stack.deps.stores.periods.get('2021-H1')).state).toBe('CLOSED');
    expect((await stack.sesMail()).filter((m) => m.subject.startsWith('[CCHC] Tổng hợp') && m.subject.includes('6 tháng'))).toHaveLength(1);
    expect(await closeDuePeriods(stack.deps, [2021])).toEqual(expect.not.arrayContaining([expect.objectContaining({ periodId: '2021-H1' })]));
  });
});

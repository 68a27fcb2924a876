import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTemplate } from '../../shared/application/make-template.js';
import type { IntentStore, SubmissionStore } from '../../shared/application/ports.js';
import { closePeriod } from '../../shared/application/close-period.js';
import { currentRollup } from '../../shared/application/current-rollup.js';
import { listPeriodSubmissions } from '../../shared/application/list-submissions.js';
import { issueToken } from '../../shared/application/tokens.js';
import { findPeriod } from '../../shared/domain/calendar.js';
import { newUploadId } from '../../shared/domain/object-keys.js';
import { sampleFill, sampleSubmission } from '../../shared/domain/sample-submission.js';
import { startTestStack, XLSX, type TestStack } from './helpers/pipeline-stack.js';

/**
 * The reads a unit and the Department make while a period runs (the result poll, the history, the
 * periods, the board, the roll-up, the close) go by key: they never list a period's records or a
 * unit's history, so their cost does not grow with the files received. Here every listing method is
 * made to fail while they run, over a unit with a long history.
 */

const NOW = new Date('2021-03-10T09:00:00+07:00');
let stack: TestStack;
let token: string;
const ids: string[] = [];

async function workbook(unit: string): Promise<Uint8Array> {
  const sub = sampleSubmission(unit, '2021-Q1', { asOf: NOW });
  return (await makeTemplate({ unitCode: unit, periodId: '2021-Q1', key: 'test-template-key', now: NOW, fill: sampleFill(sub) })).bytes;
}

async function api(path: string, as = token): Promise<{ status: number; json: any }> {
  const res = await fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${as}` } });
  return { status: res.status, json: await res.json() };
}

/** Runs `fn` with every method that reads a whole period or a whole history made to throw. */
async function withoutListings<T>(fn: () => Promise<T>, allow: { intentsOfPeriod?: boolean } = {}): Promise<T> {
  const submissions = stack.deps.stores.submissions;
  const intents = stack.deps.stores.intents;
  const refuse = (what: string) => () => Promise.reject(new Error(`${what} was read: a read that grows with history`));
  stack.deps.stores.submissions = { ...bind(submissions), listOfPeriod: refuse('every record of the period'), listOfUnit: refuse("the unit's whole history") };
  stack.deps.stores.intents = { ...bind(intents), ...(allow.intentsOfPeriod ? {} : { listOfPeriod: refuse('every intent of the period') }) };
  try {
    return await fn();
  } finally {
    stack.deps.stores.submissions = submissions;
    stack.deps.stores.intents = intents;
  }
}

/** A store's methods bound to it, as a plain object (class methods live on the prototype). */
function bind<T extends SubmissionStore | IntentStore>(store: T): T {
  const proto = Object.getPrototypeOf(store) as object;
  return Object.fromEntries(
    Object.getOwnPropertyNames(proto)
      .filter((k) => k !== 'constructor')
      .map((k) => [k, (store as unknown as Record<string, (...a: unknown[]) => unknown>)[k]!.bind(store)]),
  ) as unknown as T;
}

beforeAll(async () => {
  stack = await startTestStack({ now: NOW, schedulerIntervalMs: 0 });
  token = await stack.token('STP');
  const bytes = await workbook('STP');
  for (let i = 0; i < 3; i++) ids.push(await stack.upload(token, '2021-Q1', bytes, XLSX, `lan-${i + 1}.xlsx`));
  // A long history: 150 more files of the same slot, recorded as the pipeline records them (record, then its slot's file set).
  const [first] = await stack.deps.stores.submissions.ofUpload('2021-Q1', 'STP', ids[0]!);
  for (let i = 0; i < 150; i++) {
    const uploadId = newUploadId(new Date(NOW.getTime() - (i + 1) * 60_000));
    const record = { ...first!, objectId: uploadId, uploadId, key: first!.key.replace(first!.uploadId, uploadId), status: 'invalid' as const };
    await stack.deps.stores.submissions.putOnce(record);
    await stack.deps.stores.pointers.addFile({ periodId: '2021-Q1', unitCode: 'STP', kind: 'periodic', objectId: uploadId, unprocessable: false });
  }
}, 120_000);

afterAll(async () => {
  await stack?.dispose();
});

describe('reads by key', () => {
  it('(the guard itself: a listing fails while it is on, through the same dependencies the API runs on)', async () => {
    await expect(withoutListings(() => listPeriodSubmissions(stack.deps, '2021-Q1'))).rejects.toThrow('grows with history');
    expect(await listPeriodSubmissions(stack.deps, '2021-Q1')).toHaveLength(153);
  });

  it("the portal's poll returns one upload's result, by its upload id", async () => {
    const out = await withoutListings(() => api(`/api/submissions?periodId=2021-Q1&uploadId=${ids[1]}`));
    expect(out.status).toBe(200);
    expect(out.json.submissions.map((s: { uploadId: string }) => s.uploadId)).toEqual([ids[1]]);
    expect(out.json.nextCursor).toBeUndefined();
    // not recorded (yet): an empty answer, not an error
    const none = await withoutListings(() => api(`/api/submissions?periodId=2021-Q1&uploadId=${newUploadId()}`));
    expect(none).toEqual({ status: 200, json: { submissions: [] } });
    // the latest of the three is the one used for the roll-up
    const latest = await api(`/api/submissions?periodId=2021-Q1&uploadId=${ids[2]}`);
    expect(latest.json.submissions[0].current).toBe(true);
    expect(latest.json.submissions[0].outcome.code).toBe('CURRENT_REPLACEABLE');
  });

  it('the history comes in pages, newest first, each with the cursor of the next; every file appears once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    await withoutListings(async () => {
      do {
        const out = await api(`/api/submissions?periodId=2021-Q1&limit=40${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(out.status).toBe(200);
        expect(out.json.submissions.length).toBeLessThanOrEqual(40);
        seen.push(...out.json.submissions.map((s: { uploadId: string }) => s.uploadId));
        cursor = out.json.nextCursor;
        pages += 1;
      } while (cursor);
    });
    expect(pages).toBe(4);
    expect(seen).toHaveLength(153);
    expect(new Set(seen).size).toBe(153);
    // newest first: the three real uploads, latest first, then the older history
    expect(seen.slice(0, 3)).toEqual([...ids].reverse());
    // without a limit: the default page
    expect((await api('/api/submissions?periodId=2021-Q1')).json.submissions).toHaveLength(50);
  });

  it("refuses a cursor that is not this listing's: garbage, another period's, another unit's", async () => {
    const other = await stack.token('SYT');
    await stack.upload(other, '2021-Q1', await workbook('SYT'));
    await stack.upload(other, '2021-Q1', await workbook('SYT'));
    const theirs = (await api('/api/submissions?periodId=2021-Q1&limit=1', other)).json.nextCursor as string;
    expect(theirs).toBeTruthy();
    for (const cursor of ['garbage', theirs, Buffer.from('{"pk":"TOKEN#x","sk":"TOKEN"}').toString('base64url')]) {
      const out = await api(`/api/submissions?periodId=2021-Q1&cursor=${encodeURIComponent(cursor)}`);
      expect(out.status, cursor).toBe(400);
      expect(out.json.error.message).toContain('không hợp lệ');
    }
    const mine = (await api('/api/submissions?periodId=2021-Q1&limit=1')).json.nextCursor as string;
    expect((await api(`/api/submissions?periodId=2021-Q2x&cursor=${mine}`)).status).toBe(400);
    expect((await api(`/api/submissions?uploadId=${ids[0]}`)).status).toBe(400);
    expect((await api('/api/submissions?periodId=2021-Q1&uploadId=..%2F..')).status).toBe(400);
  });

  it('the periods, the board and the roll-up count every file without reading them', async () => {
    const admin = (await issueToken(stack.deps, 'SNV', 'admin')).token;
    const [periods, board, rollup] = await withoutListings(() =>
      Promise.all([api('/api/periods?year=2021'), api('/api/admin/board?periodId=2021-Q1', admin), currentRollup(stack.deps, findPeriod('2021-Q1'), true)]),
    );
    const q1 = periods.json.periods.find((p: { periodId: string }) => p.periodId === '2021-Q1');
    expect(q1.status).toBe('on_time');
    expect(q1.lastReceivedAt).toBeTruthy();
    const row = board.json.units.find((u: { unitCode: string }) => u.unitCode === 'STP');
    expect(row.submissions).toBe(153);
    expect(row.form.status).toBe('on_time');
    const line = rollup.units.find((u) => u.unitCode === 'STP')!;
    expect(line.files).toBe(153);
    expect(line.source?.objectId).toBe(ids[2]);
    expect(rollup.units.find((u) => u.unitCode === 'SYT')!.files).toBe(2);
  });

  it('a file recorded twice is counted once: the slot keeps a set of files', async () => {
    const before = (await stack.deps.stores.pointers.slots([{ periodId: '2021-Q1', unitCode: 'STP', kind: 'periodic' }]))[0]!.form.files.length;
    await stack.deps.stores.pointers.addFile({ periodId: '2021-Q1', unitCode: 'STP', kind: 'periodic', objectId: ids[0]!, unprocessable: false });
    const after = (await stack.deps.stores.pointers.slots([{ periodId: '2021-Q1', unitCode: 'STP', kind: 'periodic' }]))[0]!.form.files.length;
    expect(after).toBe(before);
  });

  it('the close reconciles from the upload intents and reads no record list', async () => {
    stack.clock.set(new Date('2021-03-16T00:10:00+07:00'));
    const out = await withoutListings(() => closePeriod(stack.deps, '2021-Q1'), { intentsOfPeriod: true });
    expect(out.outcome).toBe('closed');
    if (out.outcome !== 'closed') return;
    expect(out.rollup.units.find((u) => u.unitCode === 'STP')!.files).toBe(153);
  });
});

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localEventsFile } from '../../shared/adapters/outbound/event-sinks.js';
import { OUT_EVENT_TYPES, type OutEventType } from '../../shared/domain/audit.js';
import { sampleSubmission } from '../../shared/domain/sample-submission.js';
import { toSubmissionJson } from '../../shared/domain/submission-json.js';
import { recordStep, replayEvents, timelineOf } from '../../shared/application/audit.js';
import { closePeriod } from '../../shared/application/close-period.js';
import { grantExtension } from '../../shared/application/extensions.js';
import { flushOutbox } from '../../shared/application/outbox.js';
import { reviewSlot } from '../../shared/application/review.js';
import { remindAfterReconciling } from '../../shared/application/scheduled-reminders.js';
import { eventSchema, eventSchemaDocument } from '../../shared/documents/event-schemas.js';
import { startTestStack, type TestStack } from './helpers/pipeline-stack.js';

/**
 * Events out and the audit trail on the local stack: every step of a slot is on its trail (who,
 * when, why), the four documented events are appended to the stack's events file and each matches
 * its published JSON Schema, a retried step is published with its first time, and a replay sends
 * the same events again.
 */
const PERIOD = '2021-Q1';
const vn = (s: string): Date => new Date(`${s}+07:00`);
const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
const reviewer = { kind: 'department' as const, id: 'token-hoa', name: 'Lê Thị Hoa' };

let stack: TestStack;

interface Line {
  id: string;
  type: OutEventType;
  time: string;
  source: string;
  detail: Record<string, unknown>;
}

async function lines(): Promise<Line[]> {
  const text = await readFile(localEventsFile(stack.dataDir), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
}

beforeAll(async () => {
  stack = await startTestStack({ now: vn('2021-03-01T08:00:00') });
  stack.clock.set(vn('2021-03-08T09:00:00'));
  const token = await stack.token('STP');
  await stack.upload(
    token,
    PERIOD,
    enc(toSubmissionJson(sampleSubmission('STP', PERIOD, { asOf: vn('2021-03-08T09:00:00') }))),
    'application/json',
    'STP.json',
  );
  await stack.uploadReport(token, PERIOD);
  await grantExtension(stack.deps, {
    periodId: PERIOD,
    unitCode: 'SXD',
    until: '2021-03-20',
    grantedBy: 'Nguyễn Văn Nam',
    reason: 'Đơn vị đề nghị do sự cố mạng',
  });
  stack.clock.set(vn('2021-03-12T08:00:00'));
  await remindAfterReconciling(stack.deps, PERIOD, 'D-3');
  stack.clock.set(vn('2021-03-13T09:00:00'));
  await reviewSlot(stack.deps, { periodId: PERIOD, unitCode: 'STP', action: { type: 'accept' }, actor: reviewer });
  await flushOutbox(stack.deps);
  stack.clock.set(vn('2021-03-16T00:10:00'));
  await closePeriod(stack.deps, PERIOD);
  await flushOutbox(stack.deps);
}, 120_000);

afterAll(async () => {
  await stack?.dispose();
});

describe('the audit trail of a slot', () => {
  it('has every step from the upload link to the close, with who and when; nothing in it names a token', async () => {
    const trail = await timelineOf(stack.deps, PERIOD, 'STP');
    const types = trail.map((e) => e.type);
    // (STP had its dossier before the reminders: it was not reminded; SXD's trail has its reminder)
    for (const t of ['link.issued', 'upload.requested', 'object.received', 'result.recorded', 'receipt.sent', 'review.accepted', 'mail.sent', 'close.included'])
      expect(types, t).toContain(t);
    expect(types).not.toContain('reminder.sent');
    // two files (the form and the signed report): two of each file step
    expect(types.filter((t) => t === 'object.received')).toHaveLength(2);
    expect(types.filter((t) => t === 'receipt.sent')).toHaveLength(2);
    expect(trail.find((e) => e.type === 'upload.requested')!.actor).toEqual({ kind: 'unit', id: 'STP', name: null });
    expect(trail.find((e) => e.type === 'review.accepted')!.actor).toEqual(reviewer);
    expect(trail.find((e) => e.type === 'close.included')!.detail).toMatchObject({ review: 'accepted' });
    // the object's arrival is dated by its receipt, not by when the step was written
    const received = trail.find((e) => e.type === 'object.received')!;
    const record = (await stack.deps.stores.submissions.listOfUnit('STP', PERIOD)).find((r) => r.objectId === received.detail.objectId)!;
    expect(received.at).toBe(record.receivedAt);
    expect(JSON.stringify(trail)).not.toMatch(/cchc_[A-Za-z0-9_-]{43}/);
  });

  it('has the extension, with who granted it and why, and each reminder sent', async () => {
    const sxd = await timelineOf(stack.deps, PERIOD, 'SXD');
    const ext = sxd.find((e) => e.type === 'extension.granted')!;
    expect(ext).toMatchObject({ reason: 'Đơn vị đề nghị do sự cố mạng', actor: { name: 'Nguyễn Văn Nam' }, detail: { until: '2021-03-20' } });
    expect(sxd.map((e) => e.type)).toContain('reminder.sent');
  });
});

describe('events out (the local stack appends them to a file under its data folder)', () => {
  it('publishes the four documented events, each matching its JSON Schema, with the audit step ids', async () => {
    const all = await lines();
    expect(new Set(all.map((e) => e.type))).toEqual(new Set(OUT_EVENT_TYPES));
    for (const e of all) {
      const parsed = eventSchema(e.type).safeParse(e);
      expect(parsed.success, `${e.type} ${e.id}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
    expect(all.filter((e) => e.type === 'submission.recorded' && e.detail.unitCode === 'STP')).toHaveLength(2);
    expect(all.find((e) => e.type === 'submission.reviewed')!.detail).toMatchObject({
      unitCode: 'STP',
      status: 'accepted',
      by: { kind: 'department', id: 'token-hoa' },
    });
    expect(all.find((e) => e.type === 'period.closed')!.detail).toMatchObject({ periodId: PERIOD, valid: 1 });
    expect(all.find((e) => e.type === 'report.issued')!.detail).toMatchObject({ addendum: null, reviewed: 1 });
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
  });

  it('the published JSON Schemas in docs/events are the ones the code defines', async () => {
    for (const type of OUT_EVENT_TYPES) {
      const published = JSON.parse(await readFile(new URL(`../../docs/events/${type}.schema.json`, import.meta.url), 'utf8'));
      expect(published, `${type}: run npm run schema`).toEqual(eventSchemaDocument(type));
    }
  });

  it('a retried step adds nothing to the trail and is published again with its first time', async () => {
    const step = { eventId: 'test:retry', type: 'review.accepted' as const, periodId: PERIOD, unitCode: 'SCT', actor: reviewer };
    const out = { type: 'submission.reviewed' as const, detail: { periodId: PERIOD, unitCode: 'SCT' } };
    stack.clock.set(vn('2021-03-16T01:00:00'));
    const first = await recordStep(stack.deps, step, out);
    stack.clock.set(vn('2021-03-16T02:00:00'));
    const again = await recordStep(stack.deps, step, out);
    expect(again.at).toBe(first.at);
    const published = (await lines()).filter((e) => e.id === 'test:retry');
    expect(published.map((e) => e.time)).toEqual([first.at, first.at]);
    expect((await timelineOf(stack.deps, PERIOD, 'SCT')).filter((e) => e.eventId === 'test:retry')).toHaveLength(1);
  });

  it('cchc events replay publishes a period’s events again: the same ids, times and details', async () => {
    const before = await lines();
    const n = await replayEvents(stack.deps, PERIOD, ['submission.recorded', 'report.issued']);
    const after = await lines();
    const added = after.slice(before.length);
    expect(added).toHaveLength(n);
    expect(new Set(added.map((e) => e.type))).toEqual(new Set(['submission.recorded', 'report.issued']));
    for (const e of added) expect(before.find((b) => b.id === e.id)).toEqual(e);
  });
});

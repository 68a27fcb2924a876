import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSubmission } from '../../shared/domain/sample-submission.js';
import { toSubmissionJson } from '../../shared/domain/submission-json.js';
import type { Submission } from '../../shared/domain/types.js';
import { closePeriod } from '../../shared/application/close-period.js';
import { flushOutbox } from '../../shared/application/outbox.js';
import { timelineOf } from '../../shared/application/audit.js';
import { issueToken } from '../../shared/application/tokens.js';
import { isFormPart } from '../../shared/application/records.js';
import type { BoardResponse } from '../../shared/application/board.js';
import { startTestStack, type TestStack } from './helpers/pipeline-stack.js';

/**
 * The Department's review on the local stack, through the API as the board calls it: return with a
 * reason, the unit corrects, accept (the slot locks), reopen, bulk accept, the correction after the
 * deadline, the file from a link asked before the acceptance, the close saying who was reviewed.
 */
const PERIOD = '2021-Q1'; // due 15/03/2021
const vn = (s: string): Date => new Date(`${s}+07:00`);
const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

let stack: TestStack;
let reviewer: string;
let viewer: string;
const tokens = new Map<string, string>();

async function tokenOf(unit: string): Promise<string> {
  if (!tokens.has(unit)) tokens.set(unit, await stack.token(unit));
  return tokens.get(unit)!;
}

/** The unit's dossier at `when`: the data form (JSON), then its signed report a minute later. */
async function dossier(unit: string, when: string, mutate?: (s: Submission) => void): Promise<string> {
  stack.clock.set(vn(when));
  const sub = sampleSubmission(unit, PERIOD, { asOf: vn(when) });
  mutate?.(sub);
  const id = await stack.upload(await tokenOf(unit), PERIOD, enc(toSubmissionJson(sub)), 'application/json', `${unit}.json`);
  stack.clock.set(new Date(vn(when).getTime() + 60_000));
  await stack.uploadReport(await tokenOf(unit), PERIOD);
  return id;
}

async function api(token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

const review = (body: Record<string, unknown>, as = reviewer) => api(as, 'POST', '/api/admin/review', { periodId: PERIOD, ...body });
const board = async (): Promise<BoardResponse> => (await api(reviewer, 'GET', `/api/admin/board?periodId=${PERIOD}`)).json;
const unitOnBoard = async (code: string) => (await board()).units.find((u) => u.unitCode === code)!;
const forms = async (unit: string) => (await stack.deps.stores.submissions.listOfUnit(unit, PERIOD)).filter(isFormPart);

async function mailsTo(unit: string, subject: string) {
  await flushOutbox(stack.deps);
  const { findUnit } = await import('../../shared/domain/units.js');
  const to = findUnit(unit).emails[0]!;
  return (await stack.sesMail()).filter((m) => m.destination.to.includes(to) && m.subject.includes(subject));
}

beforeAll(async () => {
  stack = await startTestStack();
  stack.clock.set(vn('2021-03-01T08:00:00'));
  reviewer = (await issueToken(stack.deps, 'SNV', 'admin', { name: 'Lê Thị Hoa', email: 'hoa@snv.example.gov.vn', access: 'reviewer' })).token;
  viewer = (await issueToken(stack.deps, 'SNV', 'admin', { name: 'Trần Văn Bình', email: 'binh@snv.example.gov.vn', access: 'viewer' })).token;
}, 120_000);

afterAll(async () => {
  await stack?.dispose();
});

describe('the review of a period through the API', () => {
  it('returns a report with a reason and named items; the unit is told by e-mail with its link; accept waits for the correction', async () => {
    await dossier('STP', '2021-03-08T09:00:00');
    const before = await unitOnBoard('STP');
    expect(before.review.status).toBe('unreviewed');
    expect(before.actions).toEqual(['accept', 'return']);

    // a viewer may look but not decide
    const refused = await review({ unitCode: 'STP', action: 'accept' }, viewer);
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toContain('không có quyền xem xét báo cáo');
    expect((await api(viewer, 'GET', `/api/admin/board?periodId=${PERIOD}`)).status).toBe(200);

    stack.clock.set(vn('2021-03-09T10:00:00'));
    const returned = await review({ unitCode: 'STP', action: 'return', reason: 'Số liệu hồ sơ TTHC chưa khớp với báo cáo.', items: ['tt.hs.01'] });
    expect(returned.status).toBe(200);
    expect(returned.json).toMatchObject({ status: 'returned', version: 1, items: ['TT.HS.01'], correctionDue: '2021-03-15', by: { name: 'Lê Thị Hoa' } });

    const mail = await mailsTo('STP', 'Đề nghị chỉnh sửa');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.body.text).toContain('Lý do: Số liệu hồ sơ TTHC chưa khớp với báo cáo.');
    expect(mail[0]!.body.text).toContain('TT.HS.01');
    expect(mail[0]!.body.text).toMatch(/#t=cchc_/); // its personal link, rendered at send time

    const onBoard = await unitOnBoard('STP');
    expect(onBoard.review).toMatchObject({ status: 'returned', text: 'Trả lại để chỉnh sửa', by: 'Lê Thị Hoa', correctionDueText: '15/03/2021' });
    expect(onBoard.actions).toEqual([]);
    const early = await review({ unitCode: 'STP', action: 'accept' });
    expect(early.status).toBe(409);
    expect(early.json.error.code).toBe('AWAITING_CORRECTION');
  });

  it('accepts the corrected report and locks the slot: no new upload link, with a clear message', async () => {
    await dossier('STP', '2021-03-10T09:00:00');
    stack.clock.set(vn('2021-03-11T08:00:00'));
    const accepted = await review({ unitCode: 'STP', action: 'accept' });
    expect(accepted.status).toBe(200);
    expect(accepted.json).toMatchObject({ status: 'accepted', version: 2 });
    const corrected = (await forms('STP')).sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))[0]!;
    expect(accepted.json.objectId).toBe(corrected.objectId);

    const link = await stack.requestUpload(await tokenOf('STP'), { periodId: PERIOD, fileName: 'lai.json', contentType: 'application/json', size: 100 });
    expect(link.status).toBe(409);
    expect(link.json.error.code).toBe('SLOT_LOCKED');
    expect(link.json.error.message).toContain('đã được Sở Nội vụ chấp nhận');
    expect(link.json.error.message.normalize('NFC')).toBe(link.json.error.message);

    // the unit's portal says so on its file
    const page = await api(await tokenOf('STP'), 'GET', `/api/submissions?periodId=${PERIOD}`);
    const view = page.json.submissions.find((s: { uploadId: string }) => s.uploadId === corrected.uploadId);
    expect(view.outcome.code).toBe('ACCEPTED');
    expect((await review({ unitCode: 'STP', action: 'accept' })).json.error.code).toBe('ALREADY_ACCEPTED');
  });

  it('reopens with a reason: the unit may send again', async () => {
    const noReason = await review({ unitCode: 'STP', action: 'reopen', reason: '  ' });
    expect(noReason.json.error.code).toBe('REASON_REQUIRED');
    const reopened = await review({ unitCode: 'STP', action: 'reopen', reason: 'Đơn vị đề nghị bổ sung số liệu.' });
    expect(reopened.json).toMatchObject({ status: 'reopened', version: 3 });
    const link = await stack.requestUpload(await tokenOf('STP'), { periodId: PERIOD, fileName: 'lai.json', contentType: 'application/json', size: 100 });
    expect(link.status).toBe(201);
    expect(await mailsTo('STP', 'đã được mở lại')).toHaveLength(1);
  });

  it('keeps the accepted file when a file arrives from a link asked before the acceptance, and tells the truth in its receipt', async () => {
    await dossier('SXD', '2021-03-08T10:00:00');
    stack.clock.set(vn('2021-03-12T08:00:00'));
    const bytes = enc(toSubmissionJson(sampleSubmission('SXD', PERIOD, { asOf: vn('2021-03-12T08:00:00'), scale: 2 })));
    const ticket = await stack.requestUpload(await tokenOf('SXD'), {
      periodId: PERIOD,
      fileName: 'SXD-moi.json',
      contentType: 'application/json',
      size: bytes.length,
    });
    expect(ticket.status).toBe(201);
    const accepted = await review({ unitCode: 'SXD', action: 'accept' });
    expect(accepted.status).toBe(200);
    stack.clock.set(vn('2021-03-12T08:02:00'));
    expect((await stack.post(ticket.json, bytes, 'application/json')).status).toBe(204);
    await new Promise((r) => setTimeout(r, 20));
    await stack.drain();

    const all = await forms('SXD');
    expect(all).toHaveLength(2);
    const [slot] = await stack.deps.stores.pointers.slots([{ periodId: PERIOD, unitCode: 'SXD', kind: 'periodic' }]);
    expect(slot!.form.current!.objectId).toBe(accepted.json.objectId);
    const receipt = (await mailsTo('SXD', 'Biên nhận')).filter((m) => m.body.text?.includes('SXD-moi.json'));
    expect(receipt).toHaveLength(1);
    const text = receipt[0]!.body.text!;
    expect(text).toContain('không thay thế bản đã chấp nhận');
    expect(text).not.toContain('Báo cáo này được dùng để tổng hợp');
  });

  it('bulk accepts every valid report without warnings and says why each other was skipped', async () => {
    await dossier('SCT', '2021-03-08T11:00:00');
    await dossier('SYT', '2021-03-08T11:30:00', (s) => {
      s.values['XX.99'] = 5; // a code the form does not have: a warning-level finding
    });
    stack.clock.set(vn('2021-03-12T09:00:00'));
    const bulk = await api(reviewer, 'POST', '/api/admin/review/bulk-accept', { periodId: PERIOD });
    expect(bulk.status).toBe(200);
    expect(bulk.json.accepted).toContain('SCT');
    expect(bulk.json.accepted).not.toContain('SYT');
    const skipped = new Map(bulk.json.skipped.map((s: { unitCode: string; reason: string }) => [s.unitCode, s.reason]));
    expect(skipped.get('SYT')).toContain('cảnh báo');
    expect(skipped.get('SXD')).toBe('Đã chấp nhận trước đó.');
    expect(skipped.get('SNGV')).toBe('Chưa có báo cáo hợp lệ.');
    expect((await unitOnBoard('SYT')).warnings).toBeGreaterThan(0);
  });

  it('a unit explains a warning on its portal; the Department reads it beside the finding and accepts it; bulk accept then takes the report', async () => {
    const syt = await tokenOf('SYT');
    const record = (await forms('SYT'))[0]!;
    const index = record.findings.findIndex((f) => f.severity === 'warning');
    expect(index).toBeGreaterThanOrEqual(0);
    const justify = (body: Record<string, unknown>, as = syt) =>
      api(as, 'POST', '/api/justifications', { periodId: PERIOD, objectId: record.objectId, index, ...body });
    expect((await justify({ text: '   ' })).json.error.code).toBe('TEXT_REQUIRED');
    expect((await justify({ text: 'x', index: 999 })).json.error.code).toBe('NO_SUCH_FINDING');
    // another unit cannot explain SYT's file: the record is looked up under the caller's own unit
    expect((await justify({ text: 'x' }, await tokenOf('SCT'))).json.error.code).toBe('NO_SUCH_FILE');
    const sent = await justify({ text: 'Chỉ tiêu XX.99 là chỉ tiêu riêng của ngành y tế, đã thống nhất với Sở Nội vụ.' });
    expect(sent.status).toBe(201);
    expect(sent.json).toMatchObject({ status: 'submitted', seq: 1, by: { kind: 'unit', id: 'SYT' } });

    const page = await api(syt, 'GET', `/api/submissions?periodId=${PERIOD}`);
    const view = page.json.submissions.find((s: { objectId: string }) => s.objectId === record.objectId);
    expect(view.justifications).toEqual([expect.objectContaining({ index, status: 'submitted' })]);

    const warning = (await unitOnBoard('SYT')).warningList.find((w) => w.index === index)!;
    expect(warning.justification).toMatchObject({ status: 'submitted', text: 'Chỉ tiêu XX.99 là chỉ tiêu riêng của ngành y tế, đã thống nhất với Sở Nội vụ.' });
    // a viewer cannot accept it
    const accept = (as = reviewer) =>
      api(as, 'POST', '/api/admin/justifications/accept', { periodId: PERIOD, unitCode: 'SYT', objectId: record.objectId, index });
    expect((await accept(viewer)).status).toBe(403);
    const accepted = await accept();
    expect(accepted.json).toMatchObject({ status: 'accepted', seq: 2, by: { name: 'Lê Thị Hoa' } });
    expect((await accept()).json.error.code).toBe('ALREADY_ACCEPTED');
    expect((await justify({ text: 'lần nữa' })).json.error.code).toBe('ALREADY_ACCEPTED');

    const bulk = await api(reviewer, 'POST', '/api/admin/review/bulk-accept', { periodId: PERIOD });
    expect(bulk.json.accepted).toEqual(['SYT']);
    const steps = (await timelineOf(stack.deps, PERIOD, 'SYT')).map((e) => e.type);
    expect(steps).toEqual(expect.arrayContaining(['warning.justified', 'justification.accepted', 'review.accepted']));
  });

  it('a return after the deadline opens its own correction window: the corrected file is on time and replaces the current one; the original keeps its timeliness', async () => {
    await dossier('HUE', '2021-03-09T09:00:00');
    stack.clock.set(vn('2021-03-17T09:00:00'));
    const returned = await review({ unitCode: 'HUE', action: 'return', reason: 'Thiếu số liệu lĩnh vực cải cách thể chế.' });
    expect(returned.json).toMatchObject({ status: 'returned', correctionDue: '2021-03-22', returnedOnTime: true });
    await dossier('HUE', '2021-03-20T15:00:00');
    const hue = (await forms('HUE')).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    expect(hue.map((r) => r.onTime)).toEqual([true, true]);
    const [slot] = await stack.deps.stores.pointers.slots([{ periodId: PERIOD, unitCode: 'HUE', kind: 'periodic' }]);
    expect(slot!.form.current!.objectId).toBe(hue[1]!.objectId);

    // after the window, a file is late again
    await dossier('HUE', '2021-03-23T09:00:00');
    const third = (await forms('HUE')).sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))[0]!;
    expect(third.onTime).toBe(false);
  });

  it('a late report returned stays late when corrected (a return never makes a late unit timely)', async () => {
    await dossier('SGTVT', '2021-03-16T09:00:00');
    stack.clock.set(vn('2021-03-17T10:00:00'));
    const returned = await review({ unitCode: 'SGTVT', action: 'return', reason: 'Sai đơn vị tính.' });
    expect(returned.json).toMatchObject({ status: 'returned', returnedOnTime: false });
    await dossier('SGTVT', '2021-03-18T09:00:00');
    expect((await forms('SGTVT')).map((r) => r.onTime)).toEqual([false, false]);
  });

  it('the close uses the accepted files and says, per unit, whether its figures were reviewed; every decision is on the trail', async () => {
    stack.clock.set(vn('2021-03-24T09:00:00'));
    const out = await closePeriod(stack.deps, PERIOD);
    expect(out.outcome).toBe('closed');
    if (out.outcome !== 'closed') return;
    const line = (code: string) => out.rollup.units.find((u) => u.unitCode === code)!;
    expect(line('SXD').review).toMatchObject({ status: 'accepted', by: 'Lê Thị Hoa' });
    // the accepted file's figures, not the newer file that came from a link asked before the acceptance
    expect(line('SXD').source!.objectId).toBe(line('SXD').review!.objectId);
    expect(line('SCT').review?.status).toBe('accepted');
    expect(line('HUE').review?.status).toBe('returned');
    expect(line('SNGV').review).toBeNull();
    // the consolidated e-mail says it for the period
    const sentence =
      'Số liệu của 4/5 đơn vị được tổng hợp đã được Sở Nội vụ xem xét và chấp nhận; 1 đơn vị đang được trả lại để chỉnh sửa (số liệu hiện có vẫn được tổng hợp).';
    await flushOutbox(stack.deps);
    const report = (await stack.sesMail()).find((m) => m.subject.includes('Tổng hợp') || m.subject.includes('tổng hợp'));
    expect(report?.body.text).toContain(`Sở Nội vụ xem xét: ${sentence}`);

    const trail = await timelineOf(stack.deps, PERIOD, 'STP');
    // returned, accepted, reopened, then accepted again by the bulk accept (valid, no warning)
    const steps = trail.filter((e) => e.type.startsWith('review.')).map((e) => e.type);
    expect(steps).toEqual(['review.returned', 'review.accepted', 'review.reopened', 'review.accepted']);
    expect(trail.find((e) => e.type === 'review.returned')!.actor).toMatchObject({ kind: 'department', name: 'Lê Thị Hoa' });
  });
});

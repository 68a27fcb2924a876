import { describe, expect, it } from 'vitest';
import { currentForm } from '../../shared/domain/forms.js';
import { decideReview, isLocked, type ReviewAction, type ReviewFacts, type ReviewRecord } from '../../shared/domain/review.js';

const form = currentForm('periodic');
const reviewer = { kind: 'department' as const, id: 'u-1', name: 'Nguyễn Văn An' };
const slot = { periodId: '2021-Q1', unitCode: 'SNV', kind: 'periodic' as const };

function facts(over: Partial<ReviewFacts> = {}): ReviewFacts {
  return { current: { objectId: 'obj-1', warnings: 0 }, today: '2021-03-10', dueDate: '2021-03-15', form, ...over };
}

/** Applies a decision the way the use case stores it. */
function apply(current: ReviewRecord | null, action: ReviewAction, f: ReviewFacts): ReviewRecord {
  const d = decideReview(current, action, f);
  if (!d.ok) throw new Error(`refused: ${d.code}`);
  return { ...slot, ...d.next, by: reviewer, at: '2021-03-10T03:00:00.000Z' };
}

function refusal(current: ReviewRecord | null, action: ReviewAction, f: ReviewFacts = facts()): string {
  const d = decideReview(current, action, f);
  if (d.ok) throw new Error('accepted a transition that must be refused');
  expect(d.message).toBe(d.message.normalize('NFC'));
  expect(d.message.length).toBeGreaterThan(10);
  return d.code;
}

const indicator = form.indicators[0]!.code;
const section = form.narratives[0]!.code;

describe('the review of a slot: every transition', () => {
  it('never reviewed → accepted, and accepted locks the slot', () => {
    const accepted = apply(null, { type: 'accept' }, facts());
    expect(accepted).toMatchObject({ status: 'accepted', version: 1, objectId: 'obj-1', reason: null, items: [], correctionDue: null });
    expect(isLocked(accepted)).toBe(true);
    expect(isLocked(null)).toBe(false);
  });

  it('accepted → reopened (with a reason) → accepted again, each a new version', () => {
    const accepted = apply(null, { type: 'accept' }, facts());
    const reopened = apply(accepted, { type: 'reopen', reason: '  Số liệu   cần đối chiếu lại ' }, facts());
    expect(reopened).toMatchObject({ status: 'reopened', version: 2, reason: 'Số liệu cần đối chiếu lại', objectId: 'obj-1' });
    expect(isLocked(reopened)).toBe(false);
    expect(apply(reopened, { type: 'accept' }, facts({ current: { objectId: 'obj-2', warnings: 0 } }))).toMatchObject({
      status: 'accepted',
      version: 3,
      objectId: 'obj-2',
    });
  });

  it('returned before the deadline: whole report or named items, due by the period deadline', () => {
    const whole = apply(null, { type: 'return', reason: 'Thiếu số liệu lĩnh vực 2' }, facts());
    expect(whole).toMatchObject({ status: 'returned', items: [], correctionDue: '2021-03-15', objectId: 'obj-1' });
    const named = apply(null, { type: 'return', reason: 'Sửa', items: [indicator.toLowerCase(), section, indicator] }, facts());
    // typed in any case, kept as the form spells them
    expect(named.items).toEqual([indicator, section]);
  });

  it('returned after the deadline carries its own correction due date (default five days, or as given)', () => {
    const late = facts({ today: '2021-03-20' });
    expect(apply(null, { type: 'return', reason: 'Sửa' }, late).correctionDue).toBe('2021-03-25');
    expect(apply(null, { type: 'return', reason: 'Sửa', correctionDue: '2021-03-31' }, late).correctionDue).toBe('2021-03-31');
  });

  it('returned → resubmitted (a new current file) → accepted or returned again', () => {
    const returned = apply(null, { type: 'return', reason: 'Sửa' }, facts());
    const resubmitted = facts({ current: { objectId: 'obj-2', warnings: 0 } });
    expect(apply(returned, { type: 'accept' }, resubmitted)).toMatchObject({ status: 'accepted', objectId: 'obj-2', version: 2 });
    expect(apply(returned, { type: 'return', reason: 'Vẫn sai' }, resubmitted)).toMatchObject({ status: 'returned', objectId: 'obj-2', version: 2 });
  });
});

describe('the review of a slot: every refused transition', () => {
  const accepted = apply(null, { type: 'accept' }, facts());
  const returned = apply(null, { type: 'return', reason: 'Sửa' }, facts());

  it('accept: no valid report, twice, or a returned report not corrected yet', () => {
    expect(refusal(null, { type: 'accept' }, facts({ current: null }))).toBe('NO_VALID_REPORT');
    expect(refusal(accepted, { type: 'accept' })).toBe('ALREADY_ACCEPTED');
    expect(refusal(accepted, { type: 'accept' }, facts({ current: { objectId: 'obj-9', warnings: 0 } }))).toBe('ALREADY_ACCEPTED');
    expect(refusal(returned, { type: 'accept' })).toBe('AWAITING_CORRECTION');
  });

  it('return: an accepted report (reopen first), no valid report, twice without a correction', () => {
    expect(refusal(accepted, { type: 'return', reason: 'Sửa' })).toBe('ALREADY_ACCEPTED');
    expect(refusal(null, { type: 'return', reason: 'Sửa' }, facts({ current: null }))).toBe('NO_VALID_REPORT');
    expect(refusal(returned, { type: 'return', reason: 'Sửa nữa' })).toBe('AWAITING_CORRECTION');
  });

  it('return: a reason missing, blank or too long; items not in the form or too many', () => {
    expect(refusal(null, { type: 'return', reason: '' })).toBe('REASON_REQUIRED');
    expect(refusal(null, { type: 'return', reason: ' \n\t ' })).toBe('REASON_REQUIRED');
    expect(refusal(null, { type: 'return', reason: 'x'.repeat(2001) })).toBe('REASON_TOO_LONG');
    expect(refusal(null, { type: 'return', reason: 'Sửa', items: ['KHONG-CO'] })).toBe('UNKNOWN_ITEMS');
    expect(refusal(null, { type: 'return', reason: 'Sửa', items: Array.from({ length: 61 }, (_, i) => `X${i}`) })).toBe('TOO_MANY_ITEMS');
  });

  it('return: a correction due date that is not a date, is past, or before the deadline of a return made before it', () => {
    expect(refusal(null, { type: 'return', reason: 'Sửa', correctionDue: '31/03/2021' })).toBe('BAD_DUE_DATE');
    expect(refusal(null, { type: 'return', reason: 'Sửa', correctionDue: '2021-02-30' })).toBe('BAD_DUE_DATE');
    expect(refusal(null, { type: 'return', reason: 'Sửa', correctionDue: '2021-03-12' })).toBe('BAD_DUE_DATE');
    expect(refusal(null, { type: 'return', reason: 'Sửa', correctionDue: '2021-03-19' }, facts({ today: '2021-03-20' }))).toBe('BAD_DUE_DATE');
  });

  it('reopen: only an accepted report, and only with a reason', () => {
    expect(refusal(null, { type: 'reopen', reason: 'Lý do' })).toBe('NOT_ACCEPTED');
    expect(refusal(returned, { type: 'reopen', reason: 'Lý do' })).toBe('NOT_ACCEPTED');
    const reopened = apply(accepted, { type: 'reopen', reason: 'Lý do' }, facts());
    expect(refusal(reopened, { type: 'reopen', reason: 'Lý do' })).toBe('NOT_ACCEPTED');
    expect(refusal(accepted, { type: 'reopen', reason: '   ' })).toBe('REASON_REQUIRED');
  });
});

describe('the review of a whole dossier (data form and signed report)', () => {
  it('an acceptance needs the signed report where the period requires it, and locks both files', () => {
    expect(refusal(null, { type: 'accept' }, facts({ requiresReport: true, report: null }))).toBe('DOSSIER_INCOMPLETE');
    const accepted = apply(null, { type: 'accept' }, facts({ requiresReport: true, report: { objectId: 'pdf-1' } }));
    expect(accepted).toMatchObject({ status: 'accepted', objectId: 'obj-1', reportObjectId: 'pdf-1' });
    // a reopening keeps the files that were accepted, whatever is current when it is decided
    const reopened = apply(accepted, { type: 'reopen', reason: 'Sai số liệu' }, facts({ report: { objectId: 'pdf-2' } }));
    expect(reopened).toMatchObject({ status: 'reopened', objectId: 'obj-1', reportObjectId: 'pdf-1' });
  });

  it('a return does not need the signed report (the form alone can be sent back)', () => {
    const returned = apply(null, { type: 'return', reason: 'Thiếu số liệu' }, facts({ requiresReport: true, report: null }));
    expect(returned).toMatchObject({ status: 'returned', reportObjectId: null });
  });
});

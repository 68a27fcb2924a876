import type { Actor } from './audit.js';
import type { FormDef, IsoDate, SubmissionKind } from './types.js';
import { addDays, checkIsoDate } from './zone.js';
import { formatInstantVi } from './calendar.js';
import { formatDateVi } from './dates.js';

/**
 * The Department's review of a slot (period, unit, kind): the state machine of docs/REVIEW.md as one
 * pure function. What the validator decided (valid / rejected) is a fact of each file; the review is
 * the Department's decision on the slot's current valid file, kept as its own record with a version
 * number so that two reviewers never overwrite each other.
 */

export type ReviewStatus = 'accepted' | 'returned' | 'reopened';

/** The review of one slot, as stored (no record: never reviewed). */
export interface ReviewRecord {
  periodId: string;
  unitCode: string;
  kind: SubmissionKind;
  status: ReviewStatus;
  /** Incremented by each decision; the store writes version n+1 only over version n. */
  version: number;
  /** The file the decision was about (the data form): the accepted file, or the file returned. */
  objectId: string;
  /** The dossier's signed report (PDF) current when the decision was taken, if any: locked with the form. */
  reportObjectId?: string | null;
  /** Why (a return, a reopening); null for an acceptance. */
  reason: string | null;
  /** For a return: the indicators, areas and narrative sections named (codes of the form); empty = the whole report. */
  items: string[];
  /** For a return: the last day (inclusive, Vietnam time) by which the corrected file is expected. */
  correctionDue: IsoDate | null;
  /** For a return: whether the returned file had come on time (its correction then counts as on time until correctionDue). */
  returnedOnTime?: boolean;
  by: Actor;
  /** ISO UTC, the server's clock. */
  at: string;
}

/** What a decision needs of the slot's latest review. */
export type ReviewState = Pick<ReviewRecord, 'status' | 'version' | 'objectId' | 'reportObjectId'>;

/** The actions a reviewer can take on a slot now (each one decideReview would not refuse for its state alone). */
export function possibleActions(current: ReviewState | null, facts: ReviewFacts): ReviewAction['type'][] {
  const probes: ReviewAction[] = [{ type: 'accept' }, { type: 'return', reason: '·' }, { type: 'reopen', reason: '·' }];
  return probes.filter((a) => decideReview(current, a, facts).ok).map((a) => a.type);
}

export type ReviewAction =
  | { type: 'accept' }
  | { type: 'return'; reason: string; items?: readonly string[]; correctionDue?: string | null }
  | { type: 'reopen'; reason: string };

/** What the decision is taken on, read by the use case. */
export interface ReviewFacts {
  /** The slot's current valid file (the one the close would use), if any, and whether it came on time. */
  current: { objectId: string; warnings: number; onTime?: boolean } | null;
  /** Today in Vietnam, on the server's clock. */
  today: IsoDate;
  /** The period's due date. */
  dueDate: IsoDate;
  /** The slot's current valid signed report (PDF), if any. */
  report?: { objectId: string } | null;
  /** Whether the period's dossier needs the signed report (an acceptance needs the whole dossier). */
  requiresReport?: boolean;
  /** The form of the slot (the codes a return may name). */
  form: Pick<FormDef, 'indicators' | 'areas' | 'narratives'>;
}

export type ReviewRefusalCode =
  | 'NO_VALID_REPORT'
  | 'DOSSIER_INCOMPLETE'
  | 'ALREADY_ACCEPTED'
  | 'AWAITING_CORRECTION'
  | 'NOT_ACCEPTED'
  | 'REASON_REQUIRED'
  | 'REASON_TOO_LONG'
  | 'UNKNOWN_ITEMS'
  | 'TOO_MANY_ITEMS'
  | 'BAD_DUE_DATE';

export type ReviewDecision =
  | { ok: true; next: Omit<ReviewRecord, 'periodId' | 'unitCode' | 'kind' | 'by' | 'at'> }
  | { ok: false; code: ReviewRefusalCode; message: string };

export const REVIEW_LIMITS = { reasonChars: 2000, items: 60, defaultCorrectionDays: 5 } as const;

/** The correction due date of a return after the deadline, when the reviewer gives none. */
export function defaultCorrectionDue(today: IsoDate): IsoDate {
  return addDays(today, REVIEW_LIMITS.defaultCorrectionDays);
}

function refuse(code: ReviewRefusalCode, message: string): ReviewDecision {
  return { ok: false, code, message };
}

function cleanReason(raw: string): string {
  return raw.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** True when a file newer than the one the last decision was about is the current one. */
function resubmitted(current: ReviewState, facts: ReviewFacts): boolean {
  return facts.current !== null && facts.current.objectId !== current.objectId;
}

/**
 * The next review of a slot for an action, or the refusal a reviewer is shown (Vietnamese). `current`
 * is the stored review (null: never reviewed). Pure: the use case reads the facts and writes the result.
 */
export function decideReview(current: ReviewState | null, action: ReviewAction, facts: ReviewFacts): ReviewDecision {
  const version = (current?.version ?? 0) + 1;
  const base = { version, reason: null, items: [] as string[], correctionDue: null, reportObjectId: facts.report?.objectId ?? null };
  switch (action.type) {
    case 'accept': {
      if (current?.status === 'accepted') return refuse('ALREADY_ACCEPTED', 'Báo cáo này đã được chấp nhận trước đó.');
      if (!facts.current) return refuse('NO_VALID_REPORT', 'Đơn vị chưa có báo cáo hợp lệ để chấp nhận.');
      if (current?.status === 'returned' && !resubmitted(current, facts))
        return refuse('AWAITING_CORRECTION', 'Báo cáo đã được trả lại và đơn vị chưa nộp bản sửa; chưa thể chấp nhận.');
      if (facts.requiresReport && !facts.report)
        return refuse('DOSSIER_INCOMPLETE', 'Hồ sơ chưa đủ: đơn vị chưa có báo cáo đã ký số (tệp PDF) hợp lệ; chưa thể chấp nhận.');
      return { ok: true, next: { ...base, status: 'accepted', objectId: facts.current.objectId } };
    }
    case 'return': {
      if (current?.status === 'accepted') return refuse('ALREADY_ACCEPTED', 'Báo cáo đã được chấp nhận; hãy mở lại báo cáo trước khi trả lại.');
      if (!facts.current) return refuse('NO_VALID_REPORT', 'Đơn vị chưa có báo cáo hợp lệ để trả lại (báo cáo không hợp lệ đã được thông báo lỗi).');
      if (current?.status === 'returned' && !resubmitted(current, facts))
        return refuse('AWAITING_CORRECTION', 'Báo cáo đã được trả lại và đang chờ đơn vị nộp bản sửa.');
      const reason = cleanReason(action.reason ?? '');
      if (!reason) return refuse('REASON_REQUIRED', 'Cần ghi lý do trả lại để đơn vị biết cần sửa gì.');
      if (reason.length > REVIEW_LIMITS.reasonChars) return refuse('REASON_TOO_LONG', `Lý do dài quá ${REVIEW_LIMITS.reasonChars} ký tự.`);
      const items = [...new Set((action.items ?? []).map((i) => i.normalize('NFC').trim().toUpperCase()).filter(Boolean))];
      if (items.length > REVIEW_LIMITS.items) return refuse('TOO_MANY_ITEMS', `Chỉ nêu được tối đa ${REVIEW_LIMITS.items} chỉ tiêu, lĩnh vực hoặc mục.`);
      // matched without regard to case, kept as the form spells them (TT.HS.01, kho_khan)
      const known = new Map([...facts.form.indicators, ...facts.form.areas, ...facts.form.narratives].map((x) => [x.code.toUpperCase(), x.code]));
      const unknown = items.filter((i) => !known.has(i));
      if (unknown.length) return refuse('UNKNOWN_ITEMS', `Không có trong biểu mẫu: ${unknown.join(', ')}.`);
      const named = items.map((i) => known.get(i)!);
      const afterDeadline = facts.today > facts.dueDate;
      let due: IsoDate;
      if (action.correctionDue) {
        const given = checkIsoDate(action.correctionDue);
        if (!given) return refuse('BAD_DUE_DATE', 'Hạn nộp bản sửa không phải ngày hợp lệ (YYYY-MM-DD).');
        if (given < facts.today) return refuse('BAD_DUE_DATE', 'Hạn nộp bản sửa không được trước ngày hôm nay.');
        if (!afterDeadline && given < facts.dueDate)
          return refuse('BAD_DUE_DATE', 'Trả lại trước hạn: hạn nộp bản sửa không được sớm hơn hạn nộp báo cáo của kỳ.');
        due = given;
      } else due = afterDeadline ? defaultCorrectionDue(facts.today) : facts.dueDate;
      return {
        ok: true,
        next: {
          ...base,
          status: 'returned',
          objectId: facts.current.objectId,
          reason,
          items: named,
          correctionDue: due,
          returnedOnTime: facts.current.onTime ?? true,
        },
      };
    }
    case 'reopen': {
      if (current?.status !== 'accepted') return refuse('NOT_ACCEPTED', 'Chỉ mở lại được báo cáo đã được chấp nhận.');
      const reason = cleanReason(action.reason ?? '');
      if (!reason) return refuse('REASON_REQUIRED', 'Cần ghi lý do mở lại báo cáo.');
      if (reason.length > REVIEW_LIMITS.reasonChars) return refuse('REASON_TOO_LONG', `Lý do dài quá ${REVIEW_LIMITS.reasonChars} ký tự.`);
      return { ok: true, next: { ...base, status: 'reopened', objectId: current.objectId, reportObjectId: current.reportObjectId ?? null, reason } };
    }
  }
}

/** Whether a slot refuses new uploads: accepted, until the Department reopens it. */
export function isLocked(review: ReviewRecord | null): boolean {
  return review?.status === 'accepted';
}

/**
 * A locked slot's accepted file of one dossier part (what describeOutcome and the pointers keep), or
 * null when the slot is not accepted. A part with no accepted file (no signed report was needed) has
 * an objectId no file has: every file of it is kept and unused.
 */
export function acceptedFileOf(review: ReviewRecord | null, part: 'form' | 'report'): { objectId: string; at: string } | null {
  if (!isLocked(review)) return null;
  return { objectId: (part === 'form' ? review!.objectId : review!.reportObjectId) ?? '', at: review!.at };
}

/** A unit's deadline extension for a period, as the pipeline applies it (records.ts Extension's fields). */
export interface ExtensionLike {
  periodId: string;
  unitCode: string;
  until: IsoDate;
  grantedBy: string;
  reason: string;
  grantedAt: string;
}

/**
 * The extension that applies to a slot: the one granted, or the correction window of a return whose
 * correction is due after it (docs/REVIEW.md). A report returned after it came on time may be
 * corrected until the end of the due day and still count as on time, replacing the current file; a
 * late report's correction stays late (a return never makes a late unit timely). The record of the
 * returned file keeps its own timeliness; the correction's record says it came within this window.
 */
export function effectiveExtension<E extends ExtensionLike>(granted: E | null, review: ReviewRecord | null, dueDate: IsoDate): E | ExtensionLike | null {
  if (review?.status !== 'returned' || !review.correctionDue || review.returnedOnTime === false) return granted;
  if (review.correctionDue <= dueDate || (granted && granted.until >= review.correctionDue)) return granted;
  return {
    periodId: review.periodId,
    unitCode: review.unitCode,
    until: review.correctionDue,
    grantedBy: review.by.name ?? review.by.id,
    reason: `Sở Nội vụ trả lại để chỉnh sửa: ${review.reason ?? ''}`.trim(),
    grantedAt: review.at,
  };
}

/** The codes a return names, each with its name in the form: "TT.HS.01 (Tổng số hồ sơ tiếp nhận)". */
export function itemsText(items: readonly string[], form: Pick<FormDef, 'indicators' | 'areas' | 'narratives'>): string[] {
  const names = new Map([...form.indicators, ...form.areas, ...form.narratives].map((x) => [x.code, x.name]));
  return items.map((code) => (names.has(code) ? `${code} (${names.get(code)})` : code));
}

/** A slot's review in words, as the board and the unit's portal show it. */
export interface ReviewView {
  status: ReviewStatus | 'unreviewed';
  text: string;
  by: string | null;
  at: string | null;
  atText: string | null;
  reason: string | null;
  items: string[];
  /** The items with their names in the form (itemsText). */
  itemsText: string[];
  correctionDue: IsoDate | null;
  correctionDueText: string | null;
}

/** The words of a slot's latest review (null: never reviewed). */
export function describeReview(
  r: { status: ReviewStatus; by: string | Actor; at: string; reason: string | null; items: readonly string[]; correctionDue: IsoDate | null } | null,
  form: Pick<FormDef, 'indicators' | 'areas' | 'narratives'>,
): ReviewView {
  if (!r)
    return {
      status: 'unreviewed',
      text: REVIEW_STATUS_LABELS.unreviewed,
      by: null,
      at: null,
      atText: null,
      reason: null,
      items: [],
      itemsText: [],
      correctionDue: null,
      correctionDueText: null,
    };
  return {
    status: r.status,
    text: REVIEW_STATUS_LABELS[r.status],
    by: typeof r.by === 'string' ? r.by : (r.by.name ?? r.by.id),
    at: r.at,
    atText: formatInstantVi(r.at),
    reason: r.reason,
    items: [...r.items],
    itemsText: itemsText(r.items, form),
    correctionDue: r.correctionDue,
    correctionDueText: r.correctionDue ? formatDateVi(r.correctionDue) : null,
  };
}

/** The Vietnamese name of a review state, as the board and the portal show it. */
export const REVIEW_STATUS_LABELS: Record<ReviewStatus | 'unreviewed', string> = {
  unreviewed: 'Chưa xem xét',
  accepted: 'Đã chấp nhận',
  returned: 'Trả lại để chỉnh sửa',
  reopened: 'Đã mở lại',
};

import type { JustificationView } from '../domain/justification.js';
import { justificationViews } from './justifications.js';
import { describeSignature } from '../documents/signatures.js';
import { displayFileName } from '../domain/text.js';
import { buildCalendar, deadlineOf, findPeriod, formatInstantVi } from '../domain/calendar.js';
import type { Finding, Period, SubmissionKind } from '../domain/types.js';
import { findUnit, owes } from '../domain/units.js';
import { describeOutcome, slotPointers, type OutcomeCode, type OutcomeUse } from '../domain/outcome.js';
import { STATUS_LABELS } from '../domain/labels.js';
import type { UnitStatus } from '../domain/rollup.js';
import { dossierStanding, missingText, type PartStatus } from '../domain/dossier.js';
import type { DossierPart } from '../domain/object-keys.js';
import { type CurrentPointer, isFormPart, type SignatureSummary, type SubmissionRecord } from './records.js';
import type { PipelineDeps } from './deps.js';
import { ApiError, InvalidCursorError } from './errors.js';
import { lastFileOf, standingOfPart } from './slots.js';
import { acceptedFileOf, describeReview, effectiveExtension, type ReviewRecord, type ReviewView } from '../domain/review.js';
import { isUploadId } from '../domain/object-keys.js';

/** What a unit (or the aggregator) sees of one submission. */
export interface SubmissionView {
  receiptNo: string;
  uploadId: string;
  /** The file (an upload, or one version of its object): what a warning's explanation names. */
  objectId: string;
  unitCode: string;
  periodId: string;
  kind: SubmissionKind;
  fileName: string;
  size: number;
  sha256: string | null;
  receivedAt: string;
  receivedAtText: string;
  onTime: boolean;
  status: 'valid' | 'invalid';
  /** The status's label (STATUS_LABELS), with the late one's where late: "hợp lệ, nộp muộn". */
  statusText: string;
  /** True for the submission the roll-up uses. */
  current: boolean;
  /** The dossier part: the data form or the signed report. */
  part: 'form' | 'report';
  /** For a signed report: its signatures, each with its sentence (describeSignature) as the receipt words it. */
  signatures: (SignatureSummary & { text: string })[];
  findings: Finding[];
  /** What happens to the file now (describeOutcome): its code, where its figures go, and the sentence. */
  outcome: { code: OutcomeCode; use: OutcomeUse; text: string };
  /** The unit's explanations of this file's warnings (by the finding's index), with their state. */
  justifications: JustificationView[];
}

/** What a view needs besides the record: the period's pointers, the unit's extension, the server time. */
export interface ViewContext {
  pointers: { current: CurrentPointer[]; late: CurrentPointer[] };
  extendedUntil: string | null;
  now: Date;
  /** The part's accepted file when the Department accepted (locked) the slot. */
  accepted?: { objectId: string; at: string } | null;
  /** Explanations of warnings, by `objectId#index`. */
  justifications?: ReadonlyMap<string, JustificationView>;
}

export function toView(r: SubmissionRecord, currentIds: Set<string>, ctx: ViewContext): SubmissionView {
  const statusText = `${STATUS_LABELS[r.status]}${r.onTime ? '' : `, ${STATUS_LABELS.late}`}`;
  return {
    receiptNo: r.receiptNo,
    uploadId: r.uploadId,
    objectId: r.objectId,
    unitCode: r.unitCode,
    periodId: r.periodId,
    kind: r.kind,
    fileName: displayFileName(r.fileName),
    size: r.size,
    sha256: r.sha256,
    receivedAt: r.receivedAt,
    receivedAtText: formatInstantVi(r.receivedAt),
    onTime: r.onTime,
    status: r.status,
    statusText,
    current: currentIds.has(`${r.periodId}#${r.unitCode}#${r.objectId}`),
    part: isFormPart(r) ? 'form' : 'report',
    signatures: (r.report?.signatures ?? []).map((s) => ({ ...s, text: describeSignature(s) })),
    findings: r.findings,
    outcome: describeOutcome({
      objectId: r.objectId,
      status: r.status,
      warnings: r.findings.filter((f) => f.severity === 'warning').length,
      onTime: r.onTime,
      receivedAt: r.receivedAt,
      period: findPeriod(r.periodId),
      extendedUntil: ctx.extendedUntil,
      ...slotPointers(ctx.pointers, r.unitCode, r.kind),
      asOf: ctx.now,
      accepted: ctx.accepted ?? null,
    }),
    justifications: r.findings.flatMap((_f, i) => {
      const j = ctx.justifications?.get(`${r.objectId}#${i}`);
      return j ? [j] : [];
    }),
  };
}

interface PeriodContext {
  pointers: { current: CurrentPointer[]; late: CurrentPointer[] };
  /** The signed report's pointers (a separate "latest valid on time" per dossier part). */
  reportPointers: { current: CurrentPointer[]; late: CurrentPointer[] };
  extensions: Map<string, string | null>;
  /** Each unit's latest review of the period (docs/REVIEW.md). */
  reviews: Map<string, ReviewRecord>;
  justifications: Map<string, JustificationView>;
}

/** Pointers of each period and each unit's extension, read once per listing. */
async function contextOf(deps: Pick<PipelineDeps, 'stores'>, records: SubmissionRecord[]): Promise<{ ids: Set<string>; byPeriod: Map<string, PeriodContext> }> {
  const ids = new Set<string>();
  const byPeriod = new Map<string, PeriodContext>();
  for (const p of new Set(records.map((r) => r.periodId))) {
    const [pointers, reportPointers] = await Promise.all([deps.stores.pointers.listOfPeriod(p), deps.stores.pointers.listOfPeriod(p, 'report')]);
    for (const c of [...pointers.current, ...pointers.late, ...reportPointers.current, ...reportPointers.late])
      ids.add(`${c.periodId}#${c.unitCode}#${c.objectId}`);
    const extensions = new Map<string, string | null>();
    const reviews = new Map((await deps.stores.reviews.ofPeriod(p)).map((r) => [r.unitCode, r]));
    for (const u of new Set(records.filter((r) => r.periodId === p).map((r) => r.unitCode))) {
      extensions.set(u, effectiveExtension(await deps.stores.extensions.get(p, u), reviews.get(u) ?? null, findPeriod(p).dueDate)?.until ?? null);
    }
    byPeriod.set(p, { pointers, reportPointers, extensions, reviews, justifications: justificationViews(await deps.stores.justifications.of(p)) });
  }
  return { ids, byPeriod };
}

function viewsOf(records: SubmissionRecord[], c: { ids: Set<string>; byPeriod: Map<string, PeriodContext> }, now: Date): SubmissionView[] {
  return records.map((r) => {
    const p = c.byPeriod.get(r.periodId)!;
    const pointers = isFormPart(r) ? p.pointers : p.reportPointers;
    const review = p.reviews.get(r.unitCode);
    const accepted = review && review.kind === r.kind ? acceptedFileOf(review, isFormPart(r) ? 'form' : 'report') : null;
    return toView(r, c.ids, { pointers, extendedUntil: p.extensions.get(r.unitCode) ?? null, now, accepted, justifications: p.justifications });
  });
}

/** A page of a unit's submissions in the API's words: the views, and the cursor of the next page (absent on the last). */
export interface SubmissionPage {
  submissions: SubmissionView[];
  nextCursor?: string;
}

/** At most this many submissions per page of a unit's history; the page size when none is asked. */
export const SUBMISSIONS_PAGE_MAX = 100;
export const SUBMISSIONS_PAGE_DEFAULT = 50;

/** What a unit asks of its submissions: one upload's result, or a page of its history (one period or all). */
export interface UnitSubmissionsQuery {
  periodId?: string;
  /** One upload's result (what the portal polls for): needs the period. */
  uploadId?: string;
  limit?: number;
  cursor?: string;
}

/**
 * The slots and extensions of the periods of some records of one unit, read by key (no listing of the
 * period): what each view needs to say whether its file is current and what happens to it.
 */
async function unitContextOf(
  deps: Pick<PipelineDeps, 'stores'>,
  unitCode: string,
  records: SubmissionRecord[],
): Promise<{ ids: Set<string>; byPeriod: Map<string, PeriodContext> }> {
  const periods = [...new Set(records.map((r) => r.periodId))].map((id) => findPeriod(id));
  const [slots, reviews, explained] = await Promise.all([
    deps.stores.pointers.slots(periods.map((p) => ({ periodId: p.id, unitCode, kind: p.kind }))),
    Promise.all(periods.map((p) => deps.stores.reviews.latest(p.id, unitCode, p.kind))),
    Promise.all(periods.map((p) => deps.stores.justifications.of(p.id, unitCode))),
  ]);
  const ids = new Set<string>();
  const byPeriod = new Map<string, PeriodContext>();
  const list = (p: CurrentPointer | null) => (p ? [p] : []);
  periods.forEach((p, i) => {
    const slot = slots[i]!;
    const pointers = { current: list(slot.form.current), late: list(slot.form.late) };
    const reportPointers = { current: list(slot.report.current), late: list(slot.report.late) };
    for (const c of [...pointers.current, ...pointers.late, ...reportPointers.current, ...reportPointers.late])
      ids.add(`${c.periodId}#${c.unitCode}#${c.objectId}`);
    const review = reviews[i];
    byPeriod.set(p.id, {
      pointers,
      reportPointers,
      extensions: new Map([[unitCode, effectiveExtension(slot.extension, review ?? null, p.dueDate)?.until ?? null]]),
      reviews: new Map(review ? [[unitCode, review]] : []),
      justifications: justificationViews(explained[i]!),
    });
  });
  return { ids, byPeriod };
}

/**
 * A unit's submissions, read by key so that the cost never grows with the unit's history: one
 * upload's result (its records, by upload id), or one page of its history, newest first (a period's
 * by when each upload was asked for, all periods' by receipt time), with the cursor of the next page.
 */
export async function listUnitSubmissions(
  deps: Pick<PipelineDeps, 'stores' | 'clock'>,
  unitCode: string,
  query: UnitSubmissionsQuery = {},
): Promise<SubmissionPage> {
  const periodId = query.periodId ? findPeriod(query.periodId).id : undefined;
  let records: SubmissionRecord[];
  let nextCursor: string | undefined;
  if (query.uploadId !== undefined) {
    if (!periodId) throw new ApiError(400, 'BAD_REQUEST', 'Thiếu mã kỳ báo cáo (periodId) của lần nộp cần xem.');
    if (!isUploadId(query.uploadId)) throw new ApiError(400, 'BAD_REQUEST', 'Mã lần nộp (uploadId) không hợp lệ.');
    records = await deps.stores.submissions.ofUpload(periodId, unitCode, query.uploadId);
  } else {
    const limit = Math.min(SUBMISSIONS_PAGE_MAX, Math.max(1, Math.trunc(query.limit ?? SUBMISSIONS_PAGE_DEFAULT)));
    try {
      const page = await deps.stores.submissions.pageOfUnit(unitCode, periodId, { limit, cursor: query.cursor });
      records = page.items;
      nextCursor = page.cursor;
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new ApiError(400, 'BAD_REQUEST', 'Tham số trang (cursor) không hợp lệ; hãy tải lại danh sách từ đầu.');
      throw err;
    }
  }
  if (records.length === 0) return { submissions: [] };
  const newestFirst = [...records].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || b.objectId.localeCompare(a.objectId));
  const submissions = viewsOf(newestFirst, await unitContextOf(deps, unitCode, newestFirst), deps.clock.now());
  return { submissions, ...(nextCursor ? { nextCursor } : {}) };
}

/** Every submission of a period (operators, the board). */
export async function listPeriodSubmissions(deps: Pick<PipelineDeps, 'stores' | 'clock'>, periodId: string): Promise<SubmissionView[]> {
  const period = findPeriod(periodId);
  const records = await deps.stores.submissions.listOfPeriod(period.id);
  return viewsOf(records, await contextOf(deps, records), deps.clock.now());
}

/** Where a period stands on the server's clock. */
export type PeriodPhase = 'open' | 'due_soon' | 'overdue' | 'closed' | 'archived';

/** Late uploads are taken for this long after a deadline (as request-upload enforces). */
const ARCHIVE_AFTER_MS = 365 * 86_400_000;
/** "Due soon": the last three days before the deadline (the reminders' D-3). */
const DUE_SOON_MS = 3 * 86_400_000;

/**
 * The period's phase at `now` (the server's clock): open, due soon, past its deadline (still taking
 * late uploads), closed (consolidated report made), archived (no uploads any more). `overdue` is the
 * one answer to "has the deadline passed", for pages that must not ask the browser's clock.
 */
export function periodPhase(period: Pick<Period, 'closesAt'>, now: Date, closeState?: string): { phase: PeriodPhase; overdue: boolean } {
  const left = Date.parse(period.closesAt) - now.getTime();
  const overdue = left <= 0;
  if (overdue && -left > ARCHIVE_AFTER_MS) return { phase: 'archived', overdue };
  if (closeState === 'CLOSED') return { phase: 'closed', overdue };
  if (overdue) return { phase: 'overdue', overdue };
  return { phase: left <= DUE_SOON_MS ? 'due_soon' : 'open', overdue };
}

export interface UnitPeriodView {
  periodId: string;
  name: string;
  kind: SubmissionKind;
  dueDate: string;
  deadline: string;
  deadlineText: string;
  dataWindow: Period['dataWindow'];
  /**
   * The unit's status in the period, in the roll-up's codes: a valid file on time (on_time), a valid
   * file only after the deadline (late), files none of them valid (rejected_only), no file (missing).
   * Its words are STATUS_LABELS[status].
   */
  status: PartStatus;
  lastReceivedAt: string | null;
  /** The same for the dossier's signed report (the PDF signed by the unit's leadership). */
  reportStatus: PartStatus;
  /** Whether the period's dossier requires the signed report (calendar data). */
  reportRequired: boolean;
  /**
   * The slot's standing from both parts (domain/dossier.ts): on time, late, incomplete (one required
   * part valid), rejected only, missing; and the required parts still without a valid file, in words.
   */
  dossierStatus: UnitStatus;
  missingParts: DossierPart[];
  missingText: string;
  /** The period's phase on the server's clock, and whether its deadline (with the unit's extension) has passed. */
  phase: PeriodPhase;
  overdue: boolean;
  /** The unit's extension, when one was granted (uploads until then count as on time). */
  extendedUntil: string | null;
  /** The Department's review of the slot (docs/REVIEW.md): returned with a reason and a due date, accepted and locked, reopened. */
  review: ReviewView;
}

/**
 * The periods of a year a unit owes, with its status in each, read by key: each period's slot (both
 * parts' pointers and files), state and the unit's extension, and the record of its latest data form;
 * nothing that grows with the files the unit has sent.
 */
/** No form: a review without items names none. */
const NO_FORM = { indicators: [], areas: [], narratives: [] };

export async function listUnitPeriods(deps: Pick<PipelineDeps, 'stores' | 'units' | 'clock'>, unitCode: string, year: number): Promise<UnitPeriodView[]> {
  const unit = findUnit(unitCode, deps.units);
  const periods = buildCalendar(year).periods.filter((p) => owes(unit, p));
  const now = deps.clock.now();
  const [slots, reviews] = await Promise.all([
    deps.stores.pointers.slots(periods.map((p) => ({ periodId: p.id, unitCode: unit.code, kind: p.kind }))),
    Promise.all(periods.map((p) => deps.stores.reviews.latest(p.id, unit.code, p.kind))),
  ]);
  const lastIds = slots.flatMap((s) => {
    const id = lastFileOf(s.form);
    return id ? [{ periodId: s.periodId, unitCode: unit.code, objectId: id }] : [];
  });
  const [lasts, states] = await Promise.all([deps.stores.submissions.getMany(lastIds), deps.stores.periods.getMany(periods.map((p) => p.id))]);
  const extra = periods.map((p, i) => {
    const ext = effectiveExtension(slots[i]!.extension, reviews[i] ?? null, p.dueDate);
    const extended = ext && ext.until > p.dueDate ? deadlineOf(ext.until) : null;
    return { ...periodPhase(extended ?? p, now, states[i]!.state), extendedUntil: extended?.deadline ?? null };
  });
  const lastOf = new Map(lasts.map((r) => [r.periodId, r]));
  // The form names a return's items; it loads only when a review names some (off the API's cold path).
  const forms = reviews.some((r) => r?.items.length) ? await import('../domain/forms.js') : null;
  const formOf = (p: Period) => (forms ? forms.currentForm(p.kind) : NO_FORM);
  return periods.map((p, i) => {
    const slot = slots[i]!;
    const form = standingOfPart(slot.form);
    const report = standingOfPart(slot.report);
    const standing = dossierStanding(form, p.requiresSignedReport ? report : null);
    return {
      periodId: p.id,
      name: p.name,
      kind: p.kind,
      dueDate: p.dueDate,
      deadline: p.deadline,
      deadlineText: formatInstantVi(p.deadline),
      dataWindow: p.dataWindow,
      status: form,
      lastReceivedAt: lastOf.get(p.id)?.receivedAt ?? null,
      reportStatus: report,
      reportRequired: p.requiresSignedReport,
      dossierStatus: standing.status,
      missingParts: standing.missingParts,
      missingText: missingText(standing.missingParts),
      ...extra[i]!,
      review: describeReview(reviews[i] ?? null, formOf(p)),
    };
  });
}

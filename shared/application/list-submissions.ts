import { describeSignature } from '../documents/signatures.js';
import { displayFileName } from '../domain/text.js';
import { buildCalendar, deadlineOf, findPeriod, formatInstantVi } from '../domain/calendar.js';
import type { Finding, Period, SubmissionKind } from '../domain/types.js';
import { findUnit, owes } from '../domain/units.js';
import { describeOutcome, slotPointers, type OutcomeCode, type OutcomeUse } from '../domain/outcome.js';
import { STATUS_LABELS } from '../domain/labels.js';
import type { UnitStatus } from '../domain/rollup.js';
import { dossierStanding, missingText, type PartStatus, partStatusOf } from '../domain/dossier.js';
import type { DossierPart } from '../domain/object-keys.js';
import { type CurrentPointer, isFormPart, type SignatureSummary, type SubmissionRecord } from './records.js';
import type { PipelineDeps } from './deps.js';

/** What a unit (or the aggregator) sees of one submission. */
export interface SubmissionView {
  receiptNo: string;
  uploadId: string;
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
}

/** What a view needs besides the record: the period's pointers, the unit's extension, the server time. */
export interface ViewContext {
  pointers: { current: CurrentPointer[]; late: CurrentPointer[] };
  extendedUntil: string | null;
  now: Date;
}

export function toView(r: SubmissionRecord, currentIds: Set<string>, ctx: ViewContext): SubmissionView {
  const statusText = `${STATUS_LABELS[r.status]}${r.onTime ? '' : `, ${STATUS_LABELS.late}`}`;
  return {
    receiptNo: r.receiptNo,
    uploadId: r.uploadId,
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
    }),
  };
}

interface PeriodContext {
  pointers: { current: CurrentPointer[]; late: CurrentPointer[] };
  /** The signed report's pointers (a separate "latest valid on time" per dossier part). */
  reportPointers: { current: CurrentPointer[]; late: CurrentPointer[] };
  extensions: Map<string, string | null>;
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
    for (const u of new Set(records.filter((r) => r.periodId === p).map((r) => r.unitCode))) {
      extensions.set(u, (await deps.stores.extensions.get(p, u))?.until ?? null);
    }
    byPeriod.set(p, { pointers, reportPointers, extensions });
  }
  return { ids, byPeriod };
}

function viewsOf(records: SubmissionRecord[], c: { ids: Set<string>; byPeriod: Map<string, PeriodContext> }, now: Date): SubmissionView[] {
  return records.map((r) => {
    const p = c.byPeriod.get(r.periodId)!;
    const pointers = isFormPart(r) ? p.pointers : p.reportPointers;
    return toView(r, c.ids, { pointers, extendedUntil: p.extensions.get(r.unitCode) ?? null, now });
  });
}

/** A unit's submissions, newest first; one period or all. */
export async function listUnitSubmissions(deps: Pick<PipelineDeps, 'stores' | 'clock'>, unitCode: string, periodId?: string): Promise<SubmissionView[]> {
  const records = await deps.stores.submissions.listOfUnit(unitCode, periodId ? findPeriod(periodId).id : undefined);
  return viewsOf(records, await contextOf(deps, records), deps.clock.now()).reverse();
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
}

/** The periods of a year a unit owes, with its status in each. */
export async function listUnitPeriods(deps: Pick<PipelineDeps, 'stores' | 'units' | 'clock'>, unitCode: string, year: number): Promise<UnitPeriodView[]> {
  const unit = findUnit(unitCode, deps.units);
  const periods = buildCalendar(year).periods.filter((p) => owes(unit, p));
  const all = (await deps.stores.submissions.listOfUnit(unit.code)).filter((r) => r.periodId.startsWith(`${year}-`));
  const records = all.filter(isFormPart);
  const reports = all.filter((r) => !isFormPart(r));
  const now = deps.clock.now();
  const extra = await Promise.all(
    periods.map(async (p) => {
      const [state, ext] = await Promise.all([deps.stores.periods.get(p.id), deps.stores.extensions.get(p.id, unit.code)]);
      const extended = ext && ext.until > p.dueDate ? deadlineOf(ext.until) : null;
      return { ...periodPhase(extended ?? p, now, state.state), extendedUntil: extended?.deadline ?? null };
    }),
  );
  return periods.map((p, i) => {
    const mine = records.filter((r) => r.periodId === p.id);
    const form = partStatusOf(mine);
    const report = partStatusOf(reports.filter((r) => r.periodId === p.id));
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
      lastReceivedAt: mine.at(-1)?.receivedAt ?? null,
      reportStatus: report,
      reportRequired: p.requiresSignedReport,
      dossierStatus: standing.status,
      missingParts: standing.missingParts,
      missingText: missingText(standing.missingParts),
      ...extra[i]!,
    };
  });
}

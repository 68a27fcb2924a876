import type { JustificationView } from '../domain/justification.js';
import { justificationViews } from './justifications.js';
import { buildCalendar, findPeriod, formatInstantVi, localDateOf } from '../domain/calendar.js';
import { describeReview, possibleActions, type ReviewAction, type ReviewView } from '../domain/review.js';
import { currentForm } from '../domain/forms.js';
import { STATUS_LABELS, type StatusCode } from '../domain/labels.js';
import { MEDIA_TYPES } from '../domain/media-types.js';
import type { Coverage, KindKey, Rollup, UnitLine, UnitStatus } from '../domain/rollup.js';
import { missingText, type PartStatus } from '../domain/dossier.js';
import { type DossierPart, parseIncomingKey, partOfExtension } from '../domain/object-keys.js';
import { displayFileName } from '../domain/text.js';
import type { Period, SubmissionKind, UnitKind } from '../domain/types.js';
import { expectedUnits, UNIT_KIND_NAMES } from '../domain/units.js';
import { comparisonsFor } from './comparisons.js';
import { currentRollup } from './current-rollup.js';
import type { PipelineDeps } from './deps.js';
import { realTime } from './ports.js';
import { ApiError } from './errors.js';
import { periodPhase, type PeriodPhase } from './list-submissions.js';
import type { PartState, PeriodState, SlotState, SubmissionRecord, UploadIntent } from './records.js';
import { isUploadRecorded, lastFileOf, type PeriodSlots, readPeriodSlots, standingOfPart } from './slots.js';

/**
 * What the Department's board shows: the year's periods, a period's completeness and units, the
 * current figures and the stored consolidated reports. The HTTP adapter only parses the request
 * and answers with these.
 */

/** An upload asked for this recently, with no result yet, shows as "đang kiểm tra". */
const CHECKING_WINDOW_MS = 15 * 60 * 1000;

/** How long a download link of a stored report stays valid, seconds. */
export const REPORT_LINK_TTL_SECONDS = 300;

/** A period's close-out state and phase on the server's clock. */
interface PeriodPhaseView {
  state: string;
  phase: PeriodPhase;
  overdue: boolean;
}

/** GET /api/admin/periods: the server's time, the year's periods, and the status codes' words. */
export interface AdminPeriodsResponse {
  year: number;
  now: string;
  periods: (PeriodPhaseView & { id: string; name: string; kind: SubmissionKind; dueDate: string; deadline: string; deadlineText: string })[];
  statusLabels: Readonly<Record<StatusCode, string>>;
}

/** A unit's row on the board: its status in the roll-up's codes, or "checking" for an upload with no result yet. */
export interface BoardUnit {
  unitCode: string;
  name: string;
  kind: UnitKind;
  kindName: string;
  /** The unit's standing: its dossier's (domain/dossier.ts), or "checking" while a file of it is being checked. */
  status: UnitStatus | 'checking';
  /** The required parts the dossier has no valid file for ("thiếu …" in words), empty when complete. */
  missingParts: DossierPart[];
  missingText: string;
  /** The data form: its part's standing (or "checking"). */
  form: { status: PartStatus | 'checking' };
  receivedAt: string | null;
  receivedAtText: string | null;
  receiptNo: string | null;
  fileName: string | null;
  /** How many findings the unit's last file has. */
  findings: number;
  /** How many files the unit sent for the period. */
  submissions: number;
  /** The signed report: whether the unit has a valid one (on time or late), and who signed it as its leader. */
  report: { status: PartStatus; required: boolean; signedBy: string | null; office: string | null };
  /** Warning-level findings of the file the figures come from (bulk accept leaves such reports to a person, unless each explanation is accepted). */
  warnings: number;
  /** Those warnings, each with the unit's explanation when it gave one. */
  warningList: BoardWarning[];
  /** The Department's review of the slot, in words (docs/REVIEW.md). */
  review: BoardReview;
  /** What a reviewer can do with the slot now. */
  actions: ReviewAction['type'][];
}

/** A warning of the file a unit's figures come from, with its explanation. */
export interface BoardWarning {
  objectId: string;
  index: number;
  code: string;
  sheet: string | null;
  cell: string | null;
  message: string;
  justification: JustificationView | null;
}

/** A slot's review as the board shows it. */
export type BoardReview = ReviewView;

/** A stored consolidated report (original or addendum) the board lists. */
export interface BoardReport {
  key: string;
  name: string | undefined;
  format: string | undefined;
  createdAt: string | null;
  addendum: boolean;
}

/** GET /api/admin/board */
export interface BoardResponse {
  period: PeriodPhaseView & {
    id: string;
    name: string;
    kind: SubmissionKind;
    dueDate: string;
    deadline: string;
    deadlineText: string;
    dataWindow: Period['dataWindow'];
    warnings: string[];
  };
  now: string;
  /** Coverage of all units and of each kind. */
  summary: Record<KindKey, Coverage>;
  units: BoardUnit[];
  reports: BoardReport[];
  /** The Department user who asks (the API adds it): their name and what they may do. */
  user?: { name: string; access: 'viewer' | 'reviewer' | 'administrator' };
}

/** GET /api/admin/report: where the browser fetches a stored report (a short presigned GET). */
export interface ReportLinkResponse {
  url: string;
  fileName: string;
  expiresAt: string;
}

/** The periods of a year with their close-out state and phase on the server's clock. */
export async function adminPeriods(deps: Pick<PipelineDeps, 'stores' | 'clock'>, year: number): Promise<AdminPeriodsResponse> {
  const now = deps.clock.now();
  const periods = await Promise.all(
    buildCalendar(year).periods.map(async (p) => {
      const state = (await deps.stores.periods.get(p.id)).state;
      return {
        id: p.id,
        name: p.name,
        kind: p.kind,
        dueDate: p.dueDate,
        deadline: p.deadline,
        deadlineText: formatInstantVi(p.deadline),
        state,
        ...periodPhase(p, now, state),
      };
    }),
  );
  return { year, now: now.toISOString(), periods, statusLabels: STATUS_LABELS };
}

/** The dossier part an upload intent is for (by the extension of its key). */
function partOfIntent(i: UploadIntent): DossierPart {
  const parsed = parseIncomingKey(i.key);
  return parsed ? partOfExtension(parsed.extension) : 'form';
}

/**
 * Whether a unit has an upload of one part asked for recently (`recent`: its intents of the last
 * CHECKING_WINDOW_MS) whose result is not recorded yet, asked for after the part's latest recorded file.
 */
function isChecking(part: PartState, last: SubmissionRecord | undefined, recent: readonly UploadIntent[], which: DossierPart): boolean {
  return recent.some((i) => partOfIntent(i) === which && !isUploadRecorded(part, i.uploadId) && (!last || i.requestedAt > last.receivedAt));
}

/** The unit's signed report for the slot: its status and the leader of its current valid file (on time, else late). */
function reportOf(slot: SlotState, records: ReadonlyMap<string, SubmissionRecord>, required: boolean): BoardUnit['report'] {
  const p = slot.report.current ?? slot.report.late;
  const chosen = p ? records.get(p.objectId) : undefined;
  return { status: standingOfPart(slot.report), required, signedBy: chosen?.report?.leader?.name ?? null, office: chosen?.report?.leader?.office ?? null };
}

/** A unit's row: its roll-up line, its last file of the period's kind, and whether one is being checked. */
function boardUnit(
  line: UnitLine,
  read: PeriodSlots,
  recent: readonly UploadIntent[],
  period: Period,
  now: Date,
  justifications: ReadonlyMap<string, JustificationView>,
): BoardUnit {
  const slot = read.slots.get(line.unitCode)!;
  const lastId = lastFileOf(slot.form);
  const last = lastId ? read.records.get(lastId) : undefined;
  const lastReportId = lastFileOf(slot.report);
  const lastReport = lastReportId ? read.records.get(lastReportId) : undefined;
  const fileName = line.source?.fileName ?? last?.fileName;
  const source = line.source ? read.records.get(line.source.objectId) : undefined;
  const warningList: BoardWarning[] = source
    ? source.findings.flatMap((f, index) =>
        f.severity === 'warning'
          ? [
              {
                objectId: source.objectId,
                index,
                code: f.code,
                sheet: f.sheet,
                cell: f.cell,
                message: f.message,
                justification: justifications.get(`${source.objectId}#${index}`) ?? null,
              },
            ]
          : [],
      )
    : [];
  const warnings = warningList.length;
  const formChecking = isChecking(slot.form, last, recent, 'form');
  const checking = formChecking || isChecking(slot.report, lastReport, recent, 'report');
  const missingParts = line.missingParts ?? (line.source ? [] : ['form' as const]);
  return {
    unitCode: line.unitCode,
    name: line.name,
    kind: line.kind,
    kindName: UNIT_KIND_NAMES[line.kind],
    status: checking ? 'checking' : line.status,
    missingParts,
    missingText: missingText(missingParts),
    form: { status: formChecking ? 'checking' : standingOfPart(slot.form) },
    receivedAt: last?.receivedAt ?? null,
    receivedAtText: last ? formatInstantVi(last.receivedAt) : null,
    receiptNo: line.source?.receiptNo ?? last?.receiptNo ?? null,
    fileName: fileName ? displayFileName(fileName) : null,
    findings: last?.findings.length ?? 0,
    submissions: slot.form.files.length,
    report: reportOf(slot, read.records, period.requiresSignedReport),
    warnings,
    warningList,
    review: describeReview(line.review ?? null, currentForm(period.kind)),
    actions: possibleActions(line.review ?? null, {
      current: line.source ? { objectId: line.source.objectId, warnings } : null,
      report: line.signedReport ? { objectId: line.signedReport.key } : null,
      requiresReport: period.requiresSignedReport,
      today: localDateOf(now),
      dueDate: period.dueDate,
      form: currentForm(period.kind),
    }),
  };
}

/** Every stored report of a period the board offers (workbook, CSV, JSON of the close and of each addendum). */
function storedReports(state: PeriodState): BoardReport[] {
  return [
    ...(state.reportKeys ?? []).map((key) => ({ key, addendum: false })),
    ...Object.values(state.addendumKeys ?? {})
      .flat()
      .map((key) => ({ key, addendum: true })),
  ]
    .filter((r) => /\.(xlsx|csv|json|docx)$/.test(r.key))
    .map((r) => ({
      key: r.key,
      name: r.key.split('/').pop(),
      format: r.key.split('.').pop(),
      createdAt: r.addendum ? null : (state.closedAt ?? null),
      addendum: r.addendum,
    }));
}

/** The board of one period: its phase, completeness by unit kind, every expected unit's row, its stored reports. */
export async function boardOf(deps: PipelineDeps, period: Period): Promise<BoardResponse> {
  const now = deps.clock.now().getTime();
  // By key: each unit's slot and the records it names (its latest files included), and its intents of
  // the last minutes (for "đang kiểm tra"); nothing that grows with the files the period has received.
  const codes = expectedUnits(period, deps.units).map((u) => u.code);
  const since = new Date(now - CHECKING_WINDOW_MS).toISOString();
  const [read, state, recent, explained] = await Promise.all([
    readPeriodSlots(deps, period, codes, { last: true, lastReport: true }),
    deps.stores.periods.get(period.id),
    Promise.all(codes.map((code) => deps.stores.intents.recentOfUnit(period.id, code, since))),
    deps.stores.justifications.of(period.id),
  ]);
  const justifications = justificationViews(explained);
  const recentOf = new Map(codes.map((code, i) => [code, recent[i]!]));
  const rollup = await currentRollup(deps, period, true, [], read);
  const c = rollup.coverage;
  return {
    period: {
      id: period.id,
      name: period.name,
      kind: period.kind,
      dueDate: period.dueDate,
      deadline: period.deadline,
      deadlineText: formatInstantVi(period.deadline),
      dataWindow: period.dataWindow,
      state: state.state,
      warnings: rollup.warnings,
      ...periodPhase(period, new Date(now), state.state),
    },
    now: new Date(now).toISOString(),
    summary: { all: { ...c.all }, department: { ...c.department }, district: { ...c.district }, central: { ...c.central } },
    units: rollup.units.map((line) => boardUnit(line, read, recentOf.get(line.unitCode) ?? [], period, new Date(now), justifications)),
    reports: storedReports(state),
  };
}

/** The formats the current figures can be had in. */
export const ROLLUP_FORMATS = { xlsx: MEDIA_TYPES.xlsx, csv: MEDIA_TYPES.csv, json: MEDIA_TYPES.jsonText, docx: MEDIA_TYPES.docx } as const;
export type RollupFormat = keyof typeof ROLLUP_FORMATS;

/** The current figures of a period (late reports included), as a file. */
export async function currentFiguresFile(
  deps: PipelineDeps,
  period: Period,
  format: RollupFormat,
): Promise<{ bytes: Uint8Array; contentType: string; fileName: string }> {
  const rollup: Rollup = await currentRollup(deps, period, true);
  const fileName = format === 'docx' ? `Du-thao-bao-cao-${period.id}.docx` : `So-lieu-hien-tai-${period.id}.${format}`;
  if (format === 'docx') {
    // The Word draft on demand, with the comparisons; its library is loaded only for this.
    rollup.comparisons = await comparisonsFor(deps, period, rollup);
    const { writeReportDraft } = await import('../documents/reports/docx/report-draft.js');
    return { bytes: await writeReportDraft(rollup, currentForm(period.kind)), contentType: ROLLUP_FORMATS.docx, fileName };
  }
  // The writers load on the first download (the Excel one is the largest part of the API's bundle).
  const bytes =
    format === 'xlsx'
      ? await (await import('../documents/reports/workbook.js')).writeConsolidatedWorkbook(rollup, currentForm(period.kind))
      : await import('../documents/reports/csv.js').then(({ rollupToCsv, rollupToJson }) =>
          Buffer.from(format === 'csv' ? rollupToCsv(rollup) : rollupToJson(rollup), 'utf8'),
        );
  return { bytes, contentType: ROLLUP_FORMATS[format], fileName };
}

/**
 * A short download link for a stored consolidated report: only a key the period's state lists (the
 * close's or an addendum's). Reports go by presigned GET, never through the API (whose answers
 * Lambda caps at 6 MB).
 */
export async function reportLink(deps: PipelineDeps, key: string): Promise<ReportLinkResponse> {
  const m = /^reports\/([^/]+)\/[^/]+\/([^/]+\.(xlsx|csv|json|docx))$/.exec(key);
  if (!m) throw new ApiError(400, 'BAD_REQUEST', 'Tệp báo cáo không hợp lệ.');
  const period = findPeriod(m[1]!);
  const state = await deps.stores.periods.get(period.id);
  const known = [...(state.reportKeys ?? []), ...Object.values(state.addendumKeys ?? {}).flat()];
  if (!known.includes(key)) throw new ApiError(404, 'NOT_FOUND', 'Không tìm thấy tệp báo cáo này.');
  const fileName = m[2]!;
  const url = await deps.uploads.presignGet(key, REPORT_LINK_TTL_SECONDS, fileName);
  return { url, fileName, expiresAt: new Date(realTime.now().getTime() + REPORT_LINK_TTL_SECONDS * 1000).toISOString() };
}

import { displayFileName } from '../domain/text.js';
import { buildCalendar, findPeriod, formatInstantVi } from '../domain/calendar.js';
import type { Finding, Period, SubmissionKind } from '../domain/types.js';
import { findUnit, owes } from '../domain/units.js';
import type { SubmissionRecord } from '../ports.js';
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
  /** "hợp lệ" / "bị từ chối", with "nộp muộn" where late. */
  statusText: string;
  /** True for the submission the roll-up uses. */
  current: boolean;
  findings: Finding[];
}

export function toView(r: SubmissionRecord, currentIds: Set<string>): SubmissionView {
  const statusText = `${r.status === 'valid' ? 'hợp lệ' : 'bị từ chối'}${r.onTime ? '' : ', nộp muộn'}`;
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
    findings: r.findings,
  };
}

async function currentIdsOf(deps: Pick<PipelineDeps, 'store'>, periodIds: string[]): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const p of periodIds) {
    const { current, late } = await deps.store.getPointers(p);
    for (const c of [...current, ...late]) ids.add(`${c.periodId}#${c.unitCode}#${c.objectId}`);
  }
  return ids;
}

/** A unit's submissions, newest first; one period or all. */
export async function listUnitSubmissions(deps: Pick<PipelineDeps, 'store'>, unitCode: string, periodId?: string): Promise<SubmissionView[]> {
  const records = await deps.store.listUnitSubmissions(unitCode, periodId ? findPeriod(periodId).id : undefined);
  const ids = await currentIdsOf(deps, [...new Set(records.map((r) => r.periodId))]);
  return records.map((r) => toView(r, ids)).reverse();
}

/** Every submission of a period (operators, the board). */
export async function listPeriodSubmissions(deps: Pick<PipelineDeps, 'store'>, periodId: string): Promise<SubmissionView[]> {
  const period = findPeriod(periodId);
  const records = await deps.store.listPeriodSubmissions(period.id);
  const ids = await currentIdsOf(deps, [period.id]);
  return records.map((r) => toView(r, ids));
}

export interface UnitPeriodView {
  periodId: string;
  name: string;
  kind: SubmissionKind;
  dueDate: string;
  deadline: string;
  deadlineText: string;
  dataWindow: Period['dataWindow'];
  /** chưa nộp | hợp lệ | bị từ chối | nộp muộn */
  status: 'chưa nộp' | 'hợp lệ' | 'bị từ chối' | 'nộp muộn';
  lastReceivedAt: string | null;
}

/** The periods of a year a unit owes, with its status in each. */
export async function listUnitPeriods(deps: Pick<PipelineDeps, 'store' | 'units'>, unitCode: string, year: number): Promise<UnitPeriodView[]> {
  const unit = findUnit(unitCode, deps.units);
  const periods = buildCalendar(year).periods.filter((p) => owes(unit, p));
  const records = (await deps.store.listUnitSubmissions(unit.code)).filter((r) => r.periodId.startsWith(`${year}-`));
  return periods.map((p) => {
    const mine = records.filter((r) => r.periodId === p.id);
    const validOnTime = mine.some((r) => r.status === 'valid' && r.onTime);
    const validLate = mine.some((r) => r.status === 'valid' && !r.onTime);
    const status = validOnTime ? 'hợp lệ' : validLate ? 'nộp muộn' : mine.length > 0 ? 'bị từ chối' : 'chưa nộp';
    return {
      periodId: p.id,
      name: p.name,
      kind: p.kind,
      dueDate: p.dueDate,
      deadline: p.deadline,
      deadlineText: formatInstantVi(p.deadline),
      dataWindow: p.dataWindow,
      status,
      lastReceivedAt: mine.at(-1)?.receivedAt ?? null,
    };
  });
}

import { auditTypeName, type AuditEvent } from '../domain/audit.js';
import { findPeriod, formatInstantVi } from '../domain/calendar.js';
import { formatDateVi } from '../domain/dates.js';
import { REVIEW_STATUS_LABELS } from '../domain/review.js';
import type { Unit } from '../domain/types.js';
import { timelineOf } from './audit.js';
import type { PipelineDeps } from './deps.js';
import { ApiError } from './errors.js';

/**
 * The audit trail as people read it: each step in Vietnamese (what, when in Vietnam time, who, why,
 * the facts that matter), for the board's and the portal's timelines and the CSV/Excel exports.
 */

/** One step of a timeline. */
export interface TimelineEntry {
  eventId: string;
  type: AuditEvent['type'];
  /** The step's Vietnamese name. */
  typeName: string;
  at: string;
  atText: string;
  periodId: string | null;
  unitCode: string | null;
  /** Who did it, in words: the unit, a named Department officer, the operator, the system. */
  who: string;
  reason: string | null;
  /** The step's facts, in words ("Tệp: …; Biên nhận: …; hợp lệ, đúng hạn"). */
  details: string;
}

const PART = { form: 'biểu số liệu', report: 'báo cáo đã ký số' } as Record<string, string>;

/** The facts of a step, in words; keys a reader does not need (ids) are left to the export's id column. */
function detailsOf(e: AuditEvent): string {
  const d = e.detail;
  const out: string[] = [];
  if (typeof d.part === 'string' && PART[d.part]) out.push(capitalise(PART[d.part]!));
  if (typeof d.fileName === 'string') out.push(`tệp ${d.fileName}`);
  if (typeof d.size === 'number') out.push(`${d.size.toLocaleString('vi-VN')} byte`);
  if (typeof d.receiptNo === 'string') out.push(`biên nhận ${d.receiptNo}`);
  if (d.status === 'valid' || d.status === 'invalid') out.push(d.status === 'valid' ? 'hợp lệ' : 'không hợp lệ');
  if (typeof d.onTime === 'boolean' && e.type !== 'close.included' && e.type !== 'addendum.included') out.push(d.onTime ? 'đúng hạn' : 'nộp muộn');
  if (typeof d.errors === 'number' && d.errors > 0) out.push(`${d.errors} lỗi`);
  if (typeof d.warnings === 'number' && d.warnings > 0) out.push(`${d.warnings} cảnh báo`);
  if (typeof d.until === 'string') out.push(`gia hạn đến hết ngày ${formatDateVi(d.until)}`);
  if (typeof d.correctionDue === 'string') out.push(`hạn nộp bản sửa ${formatDateVi(d.correctionDue)}`);
  if (typeof d.items === 'string' && d.items) out.push(`cần sửa: ${d.items}`);
  if (typeof d.subject === 'string' && d.subject) out.push(`thư “${d.subject}”`);
  if (typeof d.address === 'string') out.push(`địa chỉ ${d.address}`);
  if (typeof d.review === 'string') out.push(`xem xét: ${REVIEW_STATUS_LABELS[d.review as keyof typeof REVIEW_STATUS_LABELS] ?? d.review}`);
  if (typeof d.addendum === 'number') out.push(`bản bổ sung số ${d.addendum}`);
  if (typeof d.expiresAt === 'string') out.push(`hiệu lực đến ${formatInstantVi(d.expiresAt)}`);
  if (typeof d.holder === 'string') out.push(`cán bộ ${d.holder}`);
  if (typeof d.included === 'number' && typeof d.expected === 'number') out.push(`${d.included}/${d.expected} đơn vị được tổng hợp`);
  return out.join('; ');
}

function capitalise(t: string): string {
  return t.charAt(0).toLocaleUpperCase('vi') + t.slice(1);
}

function whoOf(e: AuditEvent, units: readonly Unit[]): string {
  const a = e.actor;
  switch (a.kind) {
    case 'unit':
      return units.find((u) => u.code === a.id)?.name ?? a.id;
    case 'department':
      return `${a.name ?? 'Cán bộ'} (Phòng CCHC, Sở Nội vụ)`;
    case 'operator':
      return a.name ? `${a.name} (quản trị hệ thống)` : 'Quản trị hệ thống';
    case 'system':
      return 'Hệ thống';
  }
}

/** A step in words. */
export function toEntry(e: AuditEvent, units: readonly Unit[]): TimelineEntry {
  return {
    eventId: e.eventId,
    type: e.type,
    typeName: auditTypeName(e.type),
    at: e.at,
    atText: formatInstantVi(e.at),
    periodId: e.periodId,
    unitCode: e.unitCode,
    who: whoOf(e, units),
    reason: e.reason,
    details: detailsOf(e),
  };
}

function periodOf(periodId: string | undefined) {
  if (!periodId) throw new ApiError(400, 'BAD_REQUEST', 'Thiếu mã kỳ báo cáo (periodId).');
  try {
    return findPeriod(periodId);
  } catch {
    throw new ApiError(400, 'UNKNOWN_PERIOD', `Không có kỳ báo cáo ${periodId}.`);
  }
}

/** A slot's timeline (its steps and its unit's own, such as its links), oldest first. */
export async function slotTimeline(deps: Pick<PipelineDeps, 'stores' | 'units'>, periodId: string | undefined, unitCode: string): Promise<TimelineEntry[]> {
  const period = periodOf(periodId);
  if (!deps.units.some((u) => u.code === unitCode)) throw new ApiError(404, 'UNKNOWN_UNIT', `Không có đơn vị ${unitCode}.`);
  return (await timelineOf(deps, period.id, unitCode)).map((e) => toEntry(e, deps.units));
}

/** At most this many steps in one export (a period has a few thousand). */
export const EXPORT_MAX_EVENTS = 50_000;

/** Every step of a period (every unit's and the period's own), oldest first, optionally one unit's. */
export async function periodTrail(deps: Pick<PipelineDeps, 'stores' | 'units'>, periodId: string | undefined, unitCode?: string): Promise<TimelineEntry[]> {
  const period = periodOf(periodId);
  const out: TimelineEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.stores.audit.pageOfPeriod(period.id, { limit: 500, ...(cursor ? { cursor } : {}) });
    for (const e of page.items) if (!unitCode || e.unitCode === unitCode) out.push(toEntry(e, deps.units));
    cursor = page.cursor;
  } while (cursor && out.length < EXPORT_MAX_EVENTS);
  return out;
}

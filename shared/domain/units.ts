import { unitAsOf } from './registry.js';
import unitsData from '../data/units.json' with { type: 'json' };
import { UnknownUnitError } from './errors.js';
import type { Period, SubmissionKind, Unit } from './types.js';

/** The unit registry shipped with the product (shared/data/units.json). */
export const defaultUnits: readonly Unit[] = Object.freeze((unitsData as { units: Unit[] }).units.map((u) => Object.freeze(u)));

export const UNIT_KIND_NAMES = {
  department: 'Sở, ban, ngành cấp tỉnh',
  district: 'UBND cấp huyện',
  central: 'Cơ quan Trung ương trên địa bàn',
} as const;

/** Finds a unit by code (case-insensitive). */
export function findUnit(code: string, units: readonly Unit[] = defaultUnits): Unit {
  const c = code.trim().toUpperCase();
  const unit = units.find((u) => u.code === c);
  if (!unit) throw new UnknownUnitError(`Không có đơn vị mã "${code}" trong danh sách đơn vị báo cáo.`);
  return unit;
}

/** True when the unit is active on the given ISO date. */
export function isActiveOn(unit: Unit, date: string): boolean {
  return (!unit.activeFrom || unit.activeFrom <= date) && (!unit.activeTo || unit.activeTo >= date);
}

/** True when the unit owes a submission for the period (active on the due date, and named if the period names units). */
export function owes(unit: Unit, period: Period): boolean {
  if (!isActiveOn(unit, period.dueDate)) return false;
  return period.who === 'all' || period.who.includes(unit.code);
}

/** The units expected to file for a period: the registry's snapshot on the due date, in registry order. */
export function expectedUnits(period: Period, units: readonly Unit[] = defaultUnits): Unit[] {
  // each as it stood on the due date: a unit renamed since is named as it was then
  return units.filter((u) => owes(u, period)).map((u) => unitAsOf(u, period.dueDate));
}

/** Why a unit may not file a kind for a period, in Vietnamese; null when it may. */
export function slotRefusal(unit: Unit, period: Period, kind: SubmissionKind): string | null {
  if (kind !== period.kind) {
    return `Kỳ ${period.id} (${period.name}) nhận ${KIND_NAMES[period.kind]}, không nhận ${KIND_NAMES[kind]}.`;
  }
  if (!isActiveOn(unit, period.dueDate)) {
    return `${unit.name} không thuộc danh sách đơn vị báo cáo vào ngày ${period.dueDate}.`;
  }
  if (period.who !== 'all' && !period.who.includes(unit.code)) {
    return `${unit.name} không thuộc các đơn vị phải gửi ${period.name}. Chỉ Sở Tư pháp, Sở Thông tin và Truyền thông, Sở Khoa học và Công nghệ, Sở Tài chính và Văn phòng UBND tỉnh gửi báo cáo chuyên đề.`;
  }
  return null;
}

export const KIND_NAMES: Record<SubmissionKind, string> = {
  plan: 'kế hoạch CCHC năm',
  periodic: 'báo cáo CCHC định kỳ',
  thematic: 'báo cáo chuyên đề',
};

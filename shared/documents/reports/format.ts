import { formatInstantVi, formatWindow } from '../../domain/calendar.js';
import { formatDateVi } from '../../domain/dates.js';
import { getForm } from '../../domain/forms.js';
import type { IndicatorTotal, KindKey, RelationCheck, Rollup } from '../../domain/rollup.js';
import type { Area, FormDef } from '../../domain/types.js';
import { UNIT_KIND_NAMES } from '../../domain/units.js';

/** Shared wording and number formats of the consolidated outputs (workbook, CSV, chart, e-mail). */

export const PROVINCE = 'tỉnh Thừa Thiên Huế';
export const AGGREGATOR = `Sở Nội vụ ${PROVINCE}`;

/** Rows of the coverage table, in print order. */
export const KIND_ORDER: KindKey[] = ['department', 'district', 'central', 'all'];

/** The coverage rows worth showing: the kinds that owe the period, and the province. */
export function coverageKinds(rollup: Rollup): KindKey[] {
  return KIND_ORDER.filter((k) => k === 'all' || rollup.coverage[k].expected > 0);
}

export const KIND_LABELS: Record<KindKey, string> = { ...UNIT_KIND_NAMES, all: 'Toàn tỉnh' };

/** Short labels (chart axis, narrow columns). */
export const KIND_SHORT: Record<KindKey, string> = {
  department: 'Sở, ban, ngành',
  district: 'UBND cấp huyện',
  central: 'Cơ quan Trung ương',
  all: 'Toàn tỉnh',
};

/** Column labels of the per-kind figures. */
export const KIND_COLUMNS: Record<KindKey, string> = {
  all: 'Toàn tỉnh',
  department: 'Sở, ban, ngành',
  district: 'UBND cấp huyện',
  central: 'Cơ quan TW',
};

/** The headline indicators of a roll-up: its form's `headline.report` (form data), else the first six indicators. */
export function headlineIndicators(rollup: Rollup): IndicatorTotal[] {
  const codes = getForm(rollup.formId, rollup.formVersion).headline?.report ?? [];
  const chosen = codes.map((c) => rollup.indicators.find((i) => i.code === c)).filter((i): i is IndicatorTotal => !!i);
  return chosen.length > 0 ? chosen : rollup.indicators.slice(0, 6);
}

const NUM = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });
const PCT = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });

/** A number the Vietnamese way: 1.234,5. */
export function numberVi(n: number): string {
  return NUM.format(n);
}

/** A 0..1 ratio as a Vietnamese percentage: "86,5%". */
export function percentVi(ratio: number): string {
  return `${PCT.format(Math.round(ratio * 1000) / 10)}%`;
}

/** An indicator value for people: blank → "(chưa có số liệu)", rates with %, yes/no counted. */
export function valueVi(ind: Pick<IndicatorTotal, 'valueType'>, v: number | null): string {
  if (v === null) return '(chưa có số liệu)';
  if (ind.valueType === 'rate') return `${NUM.format(v)}%`;
  return NUM.format(v);
}

/** "15/06/2021 – 14/09/2021", or the note for periods without a data window. */
export function windowText(w: Rollup['dataWindow']): string {
  return w ? formatWindow(w) : 'không áp dụng cho kỳ này';
}

export function dueText(rollup: Rollup): string {
  return `ngày ${formatDateVi(rollup.dueDate)} (hạn nhận: ${formatInstantVi(rollup.deadline)}, giờ Việt Nam)`;
}

/** The name of a unit of the roll-up by code (the code itself if unknown). */
export function unitNamer(rollup: Rollup): (code: string) => string {
  const byCode = new Map(rollup.units.map((u) => [u.unitCode, u]));
  return (code) => byCode.get(code)?.name ?? code;
}

/** The relation's statement without the trailing blank-side policy sentence. */
export function relationText(r: RelationCheck): string {
  return r.description
    .replace(/\s*Nếu một vế để trống[^.]*\.?/u, '')
    .replace(/\s*Để trống thì[^.]*\.?/u, '')
    .trim();
}

export const SEVERITY_NAMES: Record<RelationCheck['severity'], string> = { error: 'Lỗi', warning: 'Cảnh báo' };

/** Relations that do not hold on the totals, errors first. */
export function failedChecks(rollup: Rollup): RelationCheck[] {
  return rollup.relationChecks.filter((c) => !c.ok).sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}

/** Title of the consolidated report. */
export function reportTitle(rollup: Rollup): string {
  return `TỔNG HỢP KẾT QUẢ BÁO CÁO CCHC — ${rollup.periodName.toLocaleUpperCase('vi')}`;
}

export const ADDENDUM = 'BẢN BỔ SUNG: gồm báo cáo nộp muộn';

/** Areas of the form that have indicators in the roll-up, in form order. */
export function areasWithIndicators(rollup: Rollup, form: FormDef): { area: Area; indicators: IndicatorTotal[] }[] {
  const known = form.areas.map((area) => ({ area, indicators: rollup.indicators.filter((i) => i.area === area.code) }));
  const unknown = [...new Set(rollup.indicators.map((i) => i.area))]
    .filter((code) => !form.areas.some((a) => a.code === code))
    .map((code) => ({ area: { code, name: code } as Area, indicators: rollup.indicators.filter((i) => i.area === code) }));
  return [...known, ...unknown].filter((x) => x.indicators.length > 0);
}

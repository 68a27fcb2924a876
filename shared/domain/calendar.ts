import { addDays, instantOfLocal, zonedDateOf, zonedParts } from './zone.js';
import calendarData from '../data/calendar.json' with { type: 'json' };
import { formatDateVi } from './dates.js';
import { MonthlyReportError, UnknownPeriodError } from './errors.js';
import type { Calendar, CalendarWarning, DateWindow, IsoDate, Period, PeriodType, SubmissionKind } from './types.js';

/** The only time zone the product reasons in (UTC+7, no daylight saving). */
export const ZONE = 'Asia/Ho_Chi_Minh';

interface MonthDayRule {
  yearOffset: number;
  monthDay: string;
}

export interface CalendarRules {
  firstYear: number;
  lastYear: number;
  planDue: string;
  periodicDueDay: number;
  thematicDue: string;
  thematicUnits: string[];
  /** Per submission kind: whether the slot needs the signed report (PDF) beside the data form. */
  signedReport: { required: Record<SubmissionKind, boolean> };
  windows: Record<'Q1' | 'H1' | 'Q3' | 'YEAR', { from: MonthDayRule; to: MonthDayRule }>;
  dueMonths: Record<'Q1' | 'H1' | 'Q3' | 'YEAR', number>;
}

interface LetterPeriod {
  type: string;
  dataFrom?: string;
  dataTo?: string;
  due: string;
}

export interface CalendarSource {
  rules: CalendarRules;
  letters: { year: number; source: string; periods: LetterPeriod[] }[];
  letterQuotes: Record<string, string>;
}

/** The calendar data shipped with the product (shared/data/calendar.json). */
export const defaultCalendarSource: CalendarSource = calendarData as CalendarSource;

/** The years the calendar has (see `_yearsBound` in calendar.json for why it ends), among `years`. */
export function calendarYears(years: Iterable<number>, rules: CalendarRules = defaultCalendarSource.rules): number[] {
  return [...new Set(years)].filter((y) => y >= rules.firstYear && y <= rules.lastYear).sort((a, b) => a - b);
}

/** `year`, brought into the calendar's range. */
export function clampToCalendar(year: number, rules: CalendarRules = defaultCalendarSource.rules): number {
  return Math.min(Math.max(year, rules.firstYear), rules.lastYear);
}

export const PERIOD_TYPES: readonly PeriodType[] = ['PLAN', 'Q1', 'H1', 'Q3', 'YEAR', 'THEMATIC'];

const PERIOD_NAMES: Record<PeriodType, (year: number) => string> = {
  PLAN: (y) => `Kế hoạch CCHC năm ${y}`,
  Q1: (y) => `Báo cáo CCHC quý I năm ${y}`,
  H1: (y) => `Báo cáo CCHC 6 tháng đầu năm ${y}`,
  Q3: (y) => `Báo cáo CCHC quý III năm ${y}`,
  YEAR: (y) => `Báo cáo CCHC năm ${y}`,
  THEMATIC: (y) => `Báo cáo chuyên đề CCHC năm ${y}`,
};

/** The kind of submission a period collects. */
export function kindOfPeriodType(type: PeriodType): SubmissionKind {
  if (type === 'PLAN') return 'plan';
  if (type === 'THEMATIC') return 'thematic';
  return 'periodic';
}

function monthDay(year: number, rule: MonthDayRule): IsoDate {
  return `${year + rule.yearOffset}-${rule.monthDay}`;
}

/** Last on-time instant and first late instant of a due day, Asia/Ho_Chi_Minh, as ISO UTC. */
export function deadlineOf(dueDate: IsoDate): { deadline: string; closesAt: string } {
  const start = instantOfLocal(dueDate, {}, ZONE);
  if (start === null) throw new UnknownPeriodError(`Ngày không hợp lệ: ${dueDate}`);
  const next = instantOfLocal(addDays(dueDate, 1), {}, ZONE)!;
  return { deadline: new Date(next - 1).toISOString(), closesAt: new Date(next).toISOString() };
}

function rulePeriod(year: number, type: PeriodType, rules: CalendarRules): Omit<Period, 'deadline' | 'closesAt'> {
  const kind = kindOfPeriodType(type);
  const base = {
    id: `${year}-${type}`,
    year,
    type,
    kind,
    name: PERIOD_NAMES[type](year),
    source: 'rules' as const,
    requiresSignedReport: rules.signedReport.required[kind],
  };
  if (type === 'PLAN') return { ...base, dataWindow: null, dueDate: `${year}-${rules.planDue}`, who: 'all' };
  if (type === 'THEMATIC') return { ...base, dataWindow: null, dueDate: `${year}-${rules.thematicDue}`, who: [...rules.thematicUnits] };
  const w = rules.windows[type];
  const month = String(rules.dueMonths[type]).padStart(2, '0');
  const day = String(rules.periodicDueDay).padStart(2, '0');
  return {
    ...base,
    dataWindow: { from: monthDay(year, w.from), to: monthDay(year, w.to) },
    dueDate: `${year}-${month}-${day}`,
    who: 'all',
  };
}

function sameWindow(a: DateWindow | null, b: DateWindow | null): boolean {
  return a?.from === b?.from && a?.to === b?.to;
}

/** A date window written the Vietnamese way: "15/12/2020 – 14/03/2021". */
export function formatWindow(w: DateWindow): string {
  return `${formatDateVi(w.from)} – ${formatDateVi(w.to)}`;
}

/**
 * Builds the calendar of one year. A year with a letter takes the letter's periods, checks each data
 * window against the rule, applies the rule where they differ and keeps the printed window with a
 * warning; other years are generated from the rules.
 */
export function buildCalendar(year: number, source: CalendarSource = defaultCalendarSource): Calendar {
  let bySource = calendars.get(source);
  if (!bySource) {
    bySource = new Map();
    calendars.set(source, bySource);
  }
  let cal = bySource.get(year);
  if (!cal) {
    cal = deepFreeze(computeCalendar(year, source));
    bySource.set(year, cal);
  }
  return cal;
}

/**
 * Calendars already built, per source and year: a calendar is a pure function of both, and building
 * one (time zone arithmetic for every period) costs more than validating a whole report.
 */
const calendars = new WeakMap<CalendarSource, Map<number, Calendar>>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function computeCalendar(year: number, source: CalendarSource): Calendar {
  const { rules } = source;
  if (!Number.isInteger(year) || year < rules.firstYear || year > rules.lastYear) {
    throw new UnknownPeriodError(`Lịch báo cáo chỉ có cho các năm ${rules.firstYear}–${rules.lastYear}; năm ${year} không nằm trong cấu hình.`);
  }
  const letter = source.letters.find((l) => l.year === year);
  const warnings: CalendarWarning[] = [];
  const periods: Period[] = PERIOD_TYPES.map((type) => {
    const fromRule = rulePeriod(year, type, rules);
    const printed = letter?.periods.find((p) => p.type === type);
    if (!printed) return { ...fromRule, ...deadlineOf(fromRule.dueDate) };
    const printedWindow = printed.dataFrom && printed.dataTo ? { from: printed.dataFrom, to: printed.dataTo } : null;
    const period: Period = { ...fromRule, dueDate: printed.due, source: 'letter-1588', ...deadlineOf(printed.due) };
    if (!sameWindow(printedWindow, fromRule.dataWindow) && printedWindow && fromRule.dataWindow) {
      period.printedDataWindow = printedWindow;
      warnings.push({
        periodId: period.id,
        code: 'PRINTED_WINDOW_DIFFERS',
        printed: printedWindow,
        applied: fromRule.dataWindow,
        message:
          `${period.name}: văn bản ghi thời gian chốt số liệu ${formatWindow(printedWindow)}, ` +
          `không đúng quy tắc của Nghị định 09/2019/NĐ-CP (từ ngày 15 tháng trước kỳ đến ngày 14 tháng cuối kỳ). ` +
          `Hệ thống áp dụng ${formatWindow(fromRule.dataWindow)}; giá trị in trong văn bản được lưu để đối chiếu.`,
      });
    }
    if (printed.due !== fromRule.dueDate) period.note = `Hạn nộp theo văn bản: ${formatDateVi(printed.due)}.`;
    return period;
  });
  return { year, periods, warnings };
}

const MONTHLY = /^(\d{4})-(M|T|THANG|MONTH|MONTHLY)[-_ ]?(\d{1,2})?$|^(\d{4})-(0?[1-9]|1[0-2])$/i;
const QUARTERS_WITHOUT_REPORT = /^(\d{4})-(Q2|Q4)$/i;

/**
 * Finds a period by id (`2021-Q1`). A monthly id is refused with the letter's words; Q2 and Q4 are
 * refused with the period that covers them.
 */
export function findPeriod(periodId: string, source: CalendarSource = defaultCalendarSource): Period {
  const id = periodId.trim().toUpperCase();
  if (MONTHLY.test(id)) {
    throw new MonthlyReportError(`Không có kỳ báo cáo tháng ("${periodId}"). Công văn 1588/SNV-CCHC ghi: "${source.letterQuotes.noMonthly}"`);
  }
  if (QUARTERS_WITHOUT_REPORT.test(id)) {
    const q = id.endsWith('Q2') ? 'H1 (6 tháng)' : 'YEAR (năm)';
    throw new UnknownPeriodError(`Không có báo cáo riêng cho "${periodId}": số liệu kỳ này nằm trong báo cáo ${q}.`);
  }
  const m = /^(\d{4})-([A-Z0-9]+)$/.exec(id);
  const type = m?.[2] as PeriodType | undefined;
  if (!m || !type || !PERIOD_TYPES.includes(type)) {
    throw new UnknownPeriodError(
      `Mã kỳ báo cáo "${periodId}" không hợp lệ. Dùng dạng NĂM-LOẠI, LOẠI là một trong: ${PERIOD_TYPES.join(', ')} (ví dụ 2021-Q1).`,
    );
  }
  const cal = buildCalendar(Number(m[1]), source);
  return cal.periods.find((p) => p.type === type)!;
}

/**
 * True when a file received at `receivedAt` (server time) is on time for the period, or for the
 * unit's extension when one was granted (its last day, inclusive, Asia/Ho_Chi_Minh).
 */
export function isOnTime(period: Period, receivedAt: Date | string, extendedUntil?: IsoDate): boolean {
  const t = typeof receivedAt === 'string' ? Date.parse(receivedAt) : receivedAt.getTime();
  const end = extendedUntil && extendedUntil > period.dueDate ? deadlineOf(extendedUntil).closesAt : period.closesAt;
  return t < Date.parse(end);
}

/** A Date or ISO instant shown in Asia/Ho_Chi_Minh: "23:59:59 ngày 15/03/2021". */
export function formatInstantVi(instant: Date | string): string {
  const at = zonedParts(instant, ZONE);
  if (!at) return String(instant);
  const [y, m, d] = at.date.split('-');
  return `${at.time} ngày ${d}/${m}/${y}`;
}

/** The calendar date of an instant in Asia/Ho_Chi_Minh. */
export function localDateOf(instant: Date | string): IsoDate {
  const date = zonedDateOf(instant, ZONE);
  if (!date) throw new RangeError(`not an instant: ${String(instant)}`);
  return date;
}

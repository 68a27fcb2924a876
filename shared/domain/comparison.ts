import { buildCalendar } from './calendar.js';
import type { IndicatorTotal, Rollup } from './rollup.js';
import type { DateWindow, Period, PeriodType } from './types.js';

/**
 * Comparisons of a period's roll-up with earlier ones: the previous period of the same year and the
 * same period of the previous year. Pure: roll-ups in, a value out.
 *
 * The data windows decide what a comparison means (letter 1588/SNV-CCHC): a 6-month report
 * (15/12–14/6) covers the first quarter (15/12–14/3), so H1 against Q1 is cumulative, not growth;
 * Q3 (15/6–14/9) does not overlap H1; the year covers everything. Where the earlier window lies
 * inside the current one, a count or amount is shown as "of which the earlier period" (and what
 * came after it, when the earlier window is a prefix), never as a percentage change. Rates are
 * compared in percentage points. A missing earlier report says so; it is never 0.
 */

/** Which earlier period: the previous one of the same year, or the same one a year earlier. */
export type ComparisonBasis = 'previous' | 'lastYear';

export const COMPARISON_BASES: readonly ComparisonBasis[] = ['previous', 'lastYear'];

/** How the earlier data window lies against the current one. */
export type WindowRelation = 'contains' | 'disjoint' | 'overlaps' | 'unknown';

/** The earlier report a comparison uses, or why there is none. */
export interface EarlierReport {
  basis: ComparisonBasis;
  /** The earlier period's id; null when the period has no such earlier period (Q1 has no previous one in its year). */
  periodId: string | null;
  periodName: string | null;
  dataWindow: DateWindow | null;
  relation: WindowRelation;
  /** Whether the earlier period's roll-up was found (it was closed); false: "chưa có số liệu". */
  found: boolean;
  /** The stored roll-up used (the close's or the latest addendum's). */
  source?: { key: string; generatedAt: string; includesLate: boolean };
}

/** The change of one figure against one earlier report. */
export type Change =
  /** The period has no such earlier period (e.g. the previous period of a Q1 report). */
  | { kind: 'no-period' }
  /** The earlier period exists but its report is not there (never closed). */
  | { kind: 'no-report' }
  /** The figure is blank in this report ("current") or in the earlier one ("earlier"). */
  | { kind: 'no-data'; side: 'current' | 'earlier' }
  /** A count or amount compared with a non-zero earlier value. */
  | { kind: 'percent'; current: number; earlier: number; delta: number; percent: number }
  /** A count or amount that was 0 before: no percentage exists. */
  | { kind: 'from-zero'; current: number; earlier: 0; delta: number }
  /** A rate: the difference in percentage points. */
  | { kind: 'points'; current: number; earlier: number; delta: number }
  /** The earlier window lies inside the current one: the earlier figure is part of this one. */
  | { kind: 'cumulative'; current: number; earlier: number; after: number | null };

export interface IndicatorComparison {
  code: string;
  /** Units that reported the indicator in each earlier report (totals of different sets of units differ). */
  reporting: Partial<Record<ComparisonBasis, number>>;
  changes: Record<ComparisonBasis, Change>;
}

export interface RollupComparison {
  bases: Record<ComparisonBasis, EarlierReport>;
  indicators: IndicatorComparison[];
  /** Completeness and timeliness (as percentages), compared in percentage points. */
  coverage: { completeness: Record<ComparisonBasis, Change>; timeliness: Record<ComparisonBasis, Change> };
}

/** The periodic period before each type in the same year (none before Q1; plans and thematic reports have none). */
const PREVIOUS_IN_YEAR: Partial<Record<PeriodType, PeriodType>> = { H1: 'Q1', Q3: 'H1', YEAR: 'Q3' };

function dayNumber(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
}

/** How window `earlier` lies against `current`. */
export function windowRelation(current: DateWindow | null, earlier: DateWindow | null): WindowRelation {
  if (!current || !earlier) return 'unknown';
  const [cf, ct, ef, et] = [current.from, current.to, earlier.from, earlier.to].map(dayNumber) as [number, number, number, number];
  if (ef >= cf && et <= ct) return 'contains';
  if (et < cf || ef > ct) return 'disjoint';
  return 'overlaps';
}

/** The period of a type in a year, or null when the calendar has no such year. */
function periodOf(year: number, type: PeriodType): Period | null {
  try {
    return buildCalendar(year).periods.find((p) => p.type === type) ?? null;
  } catch {
    return null;
  }
}

/**
 * The earlier periods a period is compared with: the previous one of the same year (Q1 → none,
 * H1 → Q1, Q3 → H1, YEAR → Q3) and the same type a year earlier (also when that year is outside the
 * calendar: the name and window follow the rule and its report is simply not found).
 */
export function earlierPeriods(period: Period): Record<ComparisonBasis, { periodId: string | null; periodName: string | null; dataWindow: DateWindow | null }> {
  const prevType = PREVIOUS_IN_YEAR[period.type];
  const prev = prevType ? periodOf(period.year, prevType) : null;
  const ly = periodOf(period.year - 1, period.type);
  const shift = (iso: string): string => `${Number(iso.slice(0, 4)) - 1}${iso.slice(4)}`;
  return {
    previous: prev ? { periodId: prev.id, periodName: prev.name, dataWindow: prev.dataWindow } : { periodId: null, periodName: null, dataWindow: null },
    lastYear: ly
      ? { periodId: ly.id, periodName: ly.name, dataWindow: ly.dataWindow }
      : {
          periodId: `${period.year - 1}-${period.type}`,
          periodName: period.name.replace(String(period.year), String(period.year - 1)),
          dataWindow: period.dataWindow ? { from: shift(period.dataWindow.from), to: shift(period.dataWindow.to) } : null,
        },
  };
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * The change of one value against an earlier one. `rate`: compared in points. `relation`
 * 'contains' (the earlier window inside the current one) makes a count or amount cumulative;
 * `prefix` says the earlier window starts with the current one, so `after` is what came since.
 */
export function changeOf(current: number | null, earlier: number | null, opts: { rate: boolean; relation: WindowRelation; prefix?: boolean }): Change {
  if (current === null) return { kind: 'no-data', side: 'current' };
  if (earlier === null) return { kind: 'no-data', side: 'earlier' };
  const delta = round(current - earlier);
  if (opts.rate) return { kind: 'points', current, earlier, delta };
  if (opts.relation === 'contains') return { kind: 'cumulative', current, earlier, after: opts.prefix ? delta : null };
  if (earlier === 0) return delta === 0 ? { kind: 'percent', current, earlier, delta: 0, percent: 0 } : { kind: 'from-zero', current, earlier: 0, delta };
  return { kind: 'percent', current, earlier, delta, percent: round((delta / Math.abs(earlier)) * 100, 1) };
}

/** An earlier roll-up found for a basis, with where it was read from. */
export interface EarlierRollup {
  rollup: Rollup;
  key: string;
}

/**
 * Compares a roll-up with the earlier roll-ups found (null: that period was never closed). Every
 * indicator of the current roll-up gets a change for each basis; an indicator the earlier report
 * lacks, or left blank, is "no data", never 0.
 */
export function compareRollups(current: Rollup, period: Period, found: Partial<Record<ComparisonBasis, EarlierRollup | null>>): RollupComparison {
  const periods = earlierPeriods(period);
  const bases = {} as Record<ComparisonBasis, EarlierReport>;
  for (const basis of COMPARISON_BASES) {
    const p = periods[basis];
    const e = p.periodId ? (found[basis] ?? null) : null;
    bases[basis] = {
      basis,
      ...p,
      relation: windowRelation(current.dataWindow, p.dataWindow),
      found: !!e,
      ...(e ? { source: { key: e.key, generatedAt: e.rollup.generatedAt, includesLate: e.rollup.includesLate } } : {}),
    };
  }
  const missing = (basis: ComparisonBasis): Change | null =>
    bases[basis].periodId === null ? { kind: 'no-period' } : bases[basis].found ? null : { kind: 'no-report' };
  const prefix = (basis: ComparisonBasis): boolean => !!current.dataWindow && bases[basis].dataWindow?.from === current.dataWindow.from;

  const indicators = current.indicators.map((ind): IndicatorComparison => {
    const reporting: Partial<Record<ComparisonBasis, number>> = {};
    const changes = {} as Record<ComparisonBasis, Change>;
    for (const basis of COMPARISON_BASES) {
      const none = missing(basis);
      if (none) {
        changes[basis] = none;
        continue;
      }
      const before: IndicatorTotal | undefined = found[basis]!.rollup.indicators.find((i) => i.code === ind.code);
      if (before) reporting[basis] = before.reporting;
      changes[basis] = changeOf(ind.total, before?.total ?? null, {
        rate: ind.valueType === 'rate',
        // A yes/no count is a number of units, not a flow over the window: compared as a level.
        relation: ind.valueType === 'yesno' ? 'unknown' : bases[basis].relation,
        prefix: prefix(basis),
      });
    }
    return { code: ind.code, reporting, changes };
  });

  const coverageChange = (pick: (r: Rollup) => number): Record<ComparisonBasis, Change> => {
    const out = {} as Record<ComparisonBasis, Change>;
    for (const basis of COMPARISON_BASES) {
      out[basis] = missing(basis) ?? changeOf(round(pick(current) * 100, 1), round(pick(found[basis]!.rollup) * 100, 1), { rate: true, relation: 'unknown' });
    }
    return out;
  };
  return {
    bases,
    indicators,
    coverage: {
      completeness: coverageChange((r) => r.coverage.all.completeness),
      timeliness: coverageChange((r) => r.coverage.all.timeliness),
    },
  };
}

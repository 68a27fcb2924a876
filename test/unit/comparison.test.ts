import { describe, expect, it } from 'vitest';
import { findPeriod } from '../../shared/domain/calendar.js';
import { changeOf, compareRollups, earlierPeriods, windowRelation } from '../../shared/domain/comparison.js';
import type { Rollup } from '../../shared/domain/rollup.js';
import { changeCell, changeClause } from '../../shared/documents/reports/comparison-text.js';
import { demoRollup } from '../fixtures/demo-rollup.js';

/** A roll-up whose indicator totals are set by hand (everything else from the demo). */
function withTotals(periodId: string, totals: Record<string, number | null>, completeness = 0.5): Rollup {
  const { rollup } = demoRollup({ periodId });
  return {
    ...rollup,
    coverage: { ...rollup.coverage, all: { ...rollup.coverage.all, completeness, timeliness: completeness } },
    indicators: rollup.indicators.map((i) => (i.code in totals ? { ...i, total: totals[i.code]! } : i)),
  };
}

describe('windowRelation', () => {
  it('H1 contains Q1, Q3 is disjoint from H1, the year contains Q3, last year is disjoint', () => {
    // Prepare
    const q1 = findPeriod('2021-Q1').dataWindow;
    const h1 = findPeriod('2021-H1').dataWindow;
    const q3 = findPeriod('2021-Q3').dataWindow;
    const year = findPeriod('2021-YEAR').dataWindow;
    // Act / Assess
    expect(windowRelation(h1, q1)).toBe('contains');
    expect(windowRelation(q3, h1)).toBe('disjoint');
    expect(windowRelation(year, q3)).toBe('contains');
    expect(windowRelation(findPeriod('2022-Q1').dataWindow, q1)).toBe('disjoint');
    expect(windowRelation(null, q1)).toBe('unknown');
  });
});

describe('earlierPeriods', () => {
  it('Q1 has no previous period in its year; H1 → Q1, Q3 → H1, YEAR → Q3; last year is the same type', () => {
    expect(earlierPeriods(findPeriod('2022-Q1')).previous.periodId).toBeNull();
    expect(earlierPeriods(findPeriod('2022-Q1')).lastYear.periodId).toBe('2021-Q1');
    expect(earlierPeriods(findPeriod('2022-H1')).previous.periodId).toBe('2022-Q1');
    expect(earlierPeriods(findPeriod('2022-Q3')).previous.periodId).toBe('2022-H1');
    expect(earlierPeriods(findPeriod('2022-YEAR')).previous.periodId).toBe('2022-Q3');
  });

  it('names the year before the calendar by the rule (its report is then never found)', () => {
    const ly = earlierPeriods(findPeriod('2021-H1')).lastYear;
    expect(ly).toEqual({ periodId: '2020-H1', periodName: 'Báo cáo CCHC 6 tháng đầu năm 2020', dataWindow: { from: '2019-12-15', to: '2020-06-14' } });
  });
});

describe('changeOf', () => {
  it('an increase: 40 → 50 is +25 %', () => {
    expect(changeOf(50, 40, { rate: false, relation: 'disjoint' })).toEqual({ kind: 'percent', current: 50, earlier: 40, delta: 10, percent: 25 });
  });

  it('a decrease: 80 → 60 is −25 %', () => {
    expect(changeOf(60, 80, { rate: false, relation: 'disjoint' })).toEqual({ kind: 'percent', current: 60, earlier: 80, delta: -20, percent: -25 });
  });

  it('a zero earlier value has no percentage: 0 → 7 is "from zero"', () => {
    expect(changeOf(7, 0, { rate: false, relation: 'disjoint' })).toEqual({ kind: 'from-zero', current: 7, earlier: 0, delta: 7 });
    expect(changeOf(0, 0, { rate: false, relation: 'disjoint' })).toMatchObject({ kind: 'percent', delta: 0, percent: 0 });
  });

  it('rates are compared in percentage points, not in percent of percent: 80 % → 82,5 % is +2,5 points', () => {
    expect(changeOf(82.5, 80, { rate: true, relation: 'disjoint' })).toEqual({ kind: 'points', current: 82.5, earlier: 80, delta: 2.5 });
  });

  it('a blank on either side is no data, never 0', () => {
    expect(changeOf(null, 5, { rate: false, relation: 'disjoint' })).toEqual({ kind: 'no-data', side: 'current' });
    expect(changeOf(5, null, { rate: false, relation: 'disjoint' })).toEqual({ kind: 'no-data', side: 'earlier' });
  });

  it('an earlier window inside the current one is cumulative: H1 120 of which Q1 45, 75 after it', () => {
    expect(changeOf(120, 45, { rate: false, relation: 'contains', prefix: true })).toEqual({ kind: 'cumulative', current: 120, earlier: 45, after: 75 });
    expect(changeOf(120, 45, { rate: false, relation: 'contains', prefix: false })).toEqual({ kind: 'cumulative', current: 120, earlier: 45, after: null });
  });
});

describe('the wording of a change', () => {
  const lastYear = {
    basis: 'lastYear' as const,
    periodId: '2021-Q1',
    periodName: 'Báo cáo CCHC quý I năm 2021',
    dataWindow: null,
    relation: 'disjoint' as const,
    found: true,
  };
  const previous = {
    basis: 'previous' as const,
    periodId: '2022-Q1',
    periodName: 'Báo cáo CCHC quý I năm 2022',
    dataWindow: { from: '2021-12-15', to: '2022-03-14' },
    relation: 'contains' as const,
    found: true,
  };

  it('says increases and decreases with the percentage and both values, the Vietnamese way', () => {
    expect(changeClause(changeOf(50, 40, { rate: false, relation: 'disjoint' }), lastYear)).toBe('tăng 25,0% so với cùng kỳ năm trước (từ 40 lên 50)');
    expect(changeClause(changeOf(1234, 1500, { rate: false, relation: 'disjoint' }), lastYear)).toBe(
      'giảm 17,7% so với cùng kỳ năm trước (từ 1.500 xuống 1.234)',
    );
  });

  it('says rates in percentage points', () => {
    expect(changeClause(changeOf(77.5, 80, { rate: true, relation: 'disjoint' }), lastYear, { valueType: 'rate' })).toBe(
      'giảm 2,5 điểm phần trăm so với cùng kỳ năm trước (từ 80% xuống 77,5%)',
    );
  });

  it('says a missing earlier period, never 0 %', () => {
    expect(changeClause({ kind: 'no-report' }, { ...lastYear, found: false })).toBe('chưa có số liệu cùng kỳ năm trước');
    expect(changeClause({ kind: 'no-report' }, { ...previous, found: false })).toBe('chưa có số liệu kỳ trước');
    expect(changeCell({ kind: 'no-report' }, { ...lastYear, found: false })).toBe('Chưa có số liệu cùng kỳ năm trước');
    expect(changeClause(changeOf(7, 0, { rate: false, relation: 'disjoint' }), lastYear)).toBe('tăng từ 0 lên 7 so với cùng kỳ năm trước');
  });

  it('a cumulative figure below the period it includes is flagged for checking, never a negative "after"', () => {
    const c = changeOf(189, 204, { rate: false, relation: 'contains', prefix: true });
    expect(changeClause(c, previous)).toBe('thấp hơn số liệu quý I năm 2022 (204) dù kỳ này bao gồm quý I năm 2022: đề nghị kiểm tra lại số liệu');
    expect(changeCell(c, previous)).toBe('Thấp hơn kỳ so sánh (204) dù bao gồm kỳ đó: cần kiểm tra');
  });

  it('says a cumulative figure as "of which" and what came after the earlier window', () => {
    expect(changeClause(changeOf(120, 45, { rate: false, relation: 'contains', prefix: true }), previous)).toBe(
      'số liệu lũy kế, trong đó quý I năm 2022: 45; phát sinh thêm từ sau ngày 14/03/2022: 75',
    );
  });
});

describe('compareRollups', () => {
  it('compares 2022-H1 with 2022-Q1 (cumulative) and 2021-H1 (percent), per indicator and for coverage', () => {
    // Prepare: hand-set totals for one count and one rate
    const current = withTotals('2022-H1', { 'CD.KH.01': 120, 'CD.KH.03': 82.5 }, 0.9);
    const q1 = withTotals('2022-Q1', { 'CD.KH.01': 45, 'CD.KH.03': 80 }, 0.8);
    const h1LastYear = withTotals('2021-H1', { 'CD.KH.01': 100, 'CD.KH.03': null }, 0.75);
    // Act
    const cmp = compareRollups(current, findPeriod('2022-H1'), {
      previous: { rollup: q1, key: 'reports/2022-Q1/tong-hop/x.json' },
      lastYear: { rollup: h1LastYear, key: 'reports/2021-H1/bo-sung-1/y.json' },
    });
    // Assess
    const kh01 = cmp.indicators.find((i) => i.code === 'CD.KH.01')!;
    expect(kh01.changes.previous).toEqual({ kind: 'cumulative', current: 120, earlier: 45, after: 75 });
    expect(kh01.changes.lastYear).toEqual({ kind: 'percent', current: 120, earlier: 100, delta: 20, percent: 20 });
    const kh03 = cmp.indicators.find((i) => i.code === 'CD.KH.03')!;
    expect(kh03.changes.previous).toEqual({ kind: 'points', current: 82.5, earlier: 80, delta: 2.5 });
    expect(kh03.changes.lastYear).toEqual({ kind: 'no-data', side: 'earlier' });
    expect(cmp.coverage.completeness.lastYear).toEqual({ kind: 'points', current: 90, earlier: 75, delta: 15 });
    expect(cmp.bases.lastYear).toMatchObject({ periodId: '2021-H1', found: true, relation: 'disjoint', source: { key: 'reports/2021-H1/bo-sung-1/y.json' } });
  });

  it('a period never closed gives "no report" for every indicator; Q1 has "no period" for the previous basis', () => {
    const current = withTotals('2022-Q1', { 'CD.KH.01': 10 });
    const cmp = compareRollups(current, findPeriod('2022-Q1'), { lastYear: null });
    expect(cmp.bases.previous.periodId).toBeNull();
    expect(cmp.bases.lastYear).toMatchObject({ periodId: '2021-Q1', found: false });
    expect(new Set(cmp.indicators.map((i) => i.changes.previous.kind))).toEqual(new Set(['no-period']));
    expect(new Set(cmp.indicators.map((i) => i.changes.lastYear.kind))).toEqual(new Set(['no-report']));
    expect(cmp.coverage.timeliness.lastYear).toEqual({ kind: 'no-report' });
  });
});

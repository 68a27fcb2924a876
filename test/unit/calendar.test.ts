import { describe, expect, it } from 'vitest';
import { buildCalendar, deadlineOf, findPeriod, formatInstantVi, isOnTime, type CalendarSource, defaultCalendarSource } from '../../shared/domain/calendar.js';
import { MonthlyReportError, UnknownPeriodError } from '../../shared/domain/errors.js';

describe('buildCalendar(2021)', () => {
  const cal = buildCalendar(2021);
  const byId = Object.fromEntries(cal.periods.map((p) => [p.id, p]));

  it('has exactly the six periods of the letter, in order', () => {
    expect(cal.periods.map((p) => p.id)).toEqual(['2021-PLAN', '2021-Q1', '2021-H1', '2021-Q3', '2021-YEAR', '2021-THEMATIC']);
    expect(cal.periods.every((p) => p.source === 'letter-1588')).toBe(true);
  });

  it('has the letter’s due dates, data windows and kinds', () => {
    const rows = cal.periods.map((p) => [p.id, p.kind, p.dataWindow?.from ?? null, p.dataWindow?.to ?? null, p.dueDate]);
    expect(rows).toEqual([
      ['2021-PLAN', 'plan', null, null, '2021-01-05'],
      ['2021-Q1', 'periodic', '2020-12-15', '2021-03-14', '2021-03-15'],
      ['2021-H1', 'periodic', '2020-12-15', '2021-06-14', '2021-06-15'],
      ['2021-Q3', 'periodic', '2021-06-15', '2021-09-14', '2021-09-15'],
      ['2021-YEAR', 'periodic', '2020-12-15', '2021-12-14', '2021-12-15'],
      ['2021-THEMATIC', 'thematic', null, null, '2021-12-05'],
    ]);
  });

  it('puts each deadline at the end of the due day in Asia/Ho_Chi_Minh (UTC+7)', () => {
    expect(byId['2021-PLAN']!.deadline).toBe('2021-01-05T16:59:59.999Z');
    expect(byId['2021-Q1']!.deadline).toBe('2021-03-15T16:59:59.999Z');
    expect(byId['2021-Q1']!.closesAt).toBe('2021-03-15T17:00:00.000Z');
    expect(byId['2021-H1']!.closesAt).toBe('2021-06-15T17:00:00.000Z');
    expect(byId['2021-Q3']!.closesAt).toBe('2021-09-15T17:00:00.000Z');
    expect(byId['2021-YEAR']!.closesAt).toBe('2021-12-15T17:00:00.000Z');
    expect(byId['2021-THEMATIC']!.closesAt).toBe('2021-12-05T17:00:00.000Z');
    expect(formatInstantVi(byId['2021-Q1']!.deadline)).toBe('23:59:59 ngày 15/03/2021');
  });

  it('detects the printed Q3 window, applies the rule and keeps the printed value', () => {
    const q3 = byId['2021-Q3']!;
    expect(q3.dataWindow).toEqual({ from: '2021-06-15', to: '2021-09-14' });
    expect(q3.printedDataWindow).toEqual({ from: '2020-06-15', to: '2021-09-14' });
    expect(cal.warnings).toHaveLength(1);
    expect(cal.warnings[0]).toMatchObject({
      periodId: '2021-Q3',
      code: 'PRINTED_WINDOW_DIFFERS',
      printed: { from: '2020-06-15' },
      applied: { from: '2021-06-15' },
    });
    expect(cal.warnings[0]!.message).toContain('15/06/2020');
    expect(cal.warnings[0]!.message).toContain('Nghị định 09/2019/NĐ-CP');
    expect(cal.periods.filter((p) => p.printedDataWindow)).toHaveLength(1);
  });

  it('names only the five departments for the thematic report', () => {
    expect(byId['2021-THEMATIC']!.who).toEqual(['STP', 'STTTT', 'SKHCN', 'STC', 'VPUB']);
    expect(cal.periods.filter((p) => p.who !== 'all').map((p) => p.id)).toEqual(['2021-THEMATIC']);
  });
});

describe('generated years', () => {
  it.each([2022, 2025, 2030])('%i follows the rules with no warnings', (year) => {
    const cal = buildCalendar(year);
    expect(cal.warnings).toEqual([]);
    const byType = Object.fromEntries(cal.periods.map((p) => [p.type, p]));
    expect(byType.PLAN!.dueDate).toBe(`${year}-01-05`);
    expect(byType.Q1!.dataWindow).toEqual({ from: `${year - 1}-12-15`, to: `${year}-03-14` });
    expect(byType.H1!.dueDate).toBe(`${year}-06-15`);
    expect(byType.Q3!.dataWindow).toEqual({ from: `${year}-06-15`, to: `${year}-09-14` });
    expect(byType.YEAR!.dataWindow).toEqual({ from: `${year - 1}-12-15`, to: `${year}-12-14` });
    expect(byType.THEMATIC!.dueDate).toBe(`${year}-12-05`);
    expect(cal.periods.every((p) => p.source === 'rules')).toBe(true);
  });

  it('takes its rules from configuration', () => {
    const source: CalendarSource = structuredClone(defaultCalendarSource);
    source.rules.periodicDueDay = 10;
    source.rules.planDue = '01-15';
    const cal = buildCalendar(2024, source);
    expect(cal.periods.find((p) => p.type === 'Q1')!.dueDate).toBe('2024-03-10');
    expect(cal.periods.find((p) => p.type === 'PLAN')!.dueDate).toBe('2024-01-15');
  });

  it('refuses years outside the configured range', () => {
    expect(() => buildCalendar(2019)).toThrow(UnknownPeriodError);
    expect(() => buildCalendar(2031)).toThrow(/2021–2030/);
  });
});

describe('findPeriod', () => {
  it('finds a period case-insensitively', () => {
    expect(findPeriod('2021-q3').id).toBe('2021-Q3');
  });

  it.each(['2021-M03', '2021-T3', '2021-03', '2021-THANG-3', '2021-MONTHLY-1'])('refuses the monthly id %s quoting the letter', (id) => {
    expect(() => findPeriod(id)).toThrow(MonthlyReportError);
    expect(() => findPeriod(id)).toThrow('Các đơn vị không gửi báo cáo tháng về Sở Nội vụ');
  });

  it('refuses Q2 and Q4, pointing to the report that covers them', () => {
    expect(() => findPeriod('2021-Q2')).toThrow(/H1/);
    expect(() => findPeriod('2021-Q4')).toThrow(/YEAR/);
  });

  it('refuses nonsense with the expected form', () => {
    expect(() => findPeriod('Q1-2021')).toThrow(/NĂM-LOẠI/);
  });
});

describe('timeliness', () => {
  const q1 = findPeriod('2021-Q1');
  it('23:59:59 on the due day (UTC+7) is on time; 00:00:00 and 00:00:01 the next day are late', () => {
    expect(isOnTime(q1, '2021-03-15T23:59:59+07:00')).toBe(true);
    expect(isOnTime(q1, '2021-03-15T23:59:59.999+07:00')).toBe(true);
    expect(isOnTime(q1, '2021-03-16T00:00:00+07:00')).toBe(false);
    expect(isOnTime(q1, '2021-03-16T00:00:01+07:00')).toBe(false);
  });
  it('uses Vietnam time, not UTC: 20:00 UTC on the due day is already late', () => {
    expect(isOnTime(q1, new Date('2021-03-15T20:00:00Z'))).toBe(false);
    expect(isOnTime(q1, new Date('2021-03-15T16:00:00Z'))).toBe(true);
  });
  it('deadlineOf refuses an invalid date', () => {
    expect(() => deadlineOf('2021-02-30')).toThrow();
  });
});

describe('buildCalendar is built once per year', () => {
  it('returns the same frozen calendar and periods every time (no luxon work per request)', () => {
    const first = buildCalendar(2021);
    expect(buildCalendar(2021)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.periods[0])).toBe(true);
    expect(findPeriod('2021-Q1')).toBe(first.periods.find((p) => p.id === '2021-Q1'));
    expect(buildCalendar(2022)).not.toBe(first);
  });
});

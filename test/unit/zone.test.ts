import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { deadlineOf, formatInstantVi, localDateOf, ZONE } from '../../shared/domain/calendar.js';
import { parseDateInput } from '../../shared/domain/dates.js';
import { scheduledJobs } from '../../shared/domain/schedule.js';
import { addDays, checkIsoDate, instantOfLocal, offsetAt, zonedDateOf, zonedParts } from '../../shared/domain/zone.js';

/** The zone module against luxon (the oracle: the library the calendar used before, kept as a dev dependency). */

/** A seeded generator (mulberry32): the same cases on every run, many of them. */
function random(seed: number): (min: number, max: number) => number {
  let a = seed >>> 0;
  return (min, max) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return min + Math.floor(r * (max - min + 1));
  };
}
const rnd = random(20210115);
const instant = () => rnd(Date.UTC(1976, 0, 1), Date.UTC(2100, 0, 1));
const date = () => `${rnd(1976, 2099)}-${String(rnd(1, 12)).padStart(2, '0')}-${String(rnd(1, 31)).padStart(2, '0')}`;
function times(n: number, f: () => void): void {
  for (let i = 0; i < n; i++) f();
}

describe('wall-clock time in a zone, checked against luxon', () => {
  it('the date, time and offset of an instant in Asia/Ho_Chi_Minh', () => {
    times(2000, () => {
      const ms = instant();
      const dt = DateTime.fromMillis(ms, { zone: ZONE });
      const at = zonedParts(ms, ZONE)!;
      expect(at.date).toBe(dt.toISODate());
      expect(at.time).toBe(dt.toFormat('HH:mm:ss'));
      expect(at.millisecond).toBe(dt.millisecond);
      expect(at.offset).toBe(dt.toFormat('ZZ'));
      expect(zonedDateOf(new Date(ms).toISOString(), ZONE)).toBe(dt.toISODate());
    });
  });

  it('the instant a wall-clock time begins, in Vietnam and in zones with daylight saving time (gaps and overlaps included)', () => {
    for (const zone of [ZONE, 'Europe/Paris', 'America/New_York', 'Australia/Lord_Howe']) {
      times(1500, () => {
        const [day, hour, minute] = [date(), rnd(0, 23), rnd(0, 59)];
        const dt = DateTime.fromISO(day, { zone }).set({ hour, minute });
        const ours = instantOfLocal(day, { hour, minute }, zone);
        if (!dt.isValid) expect(ours).toBeNull();
        else expect(ours).toBe(dt.toMillis());
      });
    }
  });

  it('the days around a change of clocks, hour by hour', () => {
    // 2021-03-28 and 2021-10-31 in Paris: a gap at 02:00 and an overlap at 02:00-03:00.
    for (const date of ['2021-03-28', '2021-10-31']) {
      for (let hour = 0; hour < 24; hour++) {
        expect(instantOfLocal(date, { hour }, 'Europe/Paris')).toBe(DateTime.fromISO(date, { zone: 'Europe/Paris' }).set({ hour }).toMillis());
      }
    }
    // Vietnam's own history: +08:00 until 13 June 1975.
    expect(offsetAt(Date.UTC(1975, 0, 1), ZONE)).toBe(DateTime.fromMillis(Date.UTC(1975, 0, 1), { zone: ZONE }).offset * 60_000);
    expect(offsetAt(Date.UTC(2021, 0, 1), ZONE)).toBe(7 * 3600_000);
  });

  it('dates: real days only, and day arithmetic across months, years and leap days', () => {
    times(2000, () => {
      const [day, days] = [date(), rnd(-800, 800)];
      const dt = DateTime.fromISO(day, { zone: 'utc' });
      expect(checkIsoDate(day)).toBe(dt.isValid ? day : null);
      if (dt.isValid) expect(addDays(day, days)).toBe(dt.plus({ days }).toISODate());
    });
    expect(checkIsoDate('2024-02-29')).toBe('2024-02-29');
    expect(checkIsoDate('2023-02-29')).toBeNull();
    expect(checkIsoDate('2021-13-01')).toBeNull();
    expect(checkIsoDate('21-01-01')).toBeNull();
  });

  it('the calendar functions give what they gave on luxon', () => {
    times(1000, () => {
      const due = date();
      const day = DateTime.fromISO(due, { zone: ZONE });
      if (!day.isValid) return;
      expect(deadlineOf(due)).toEqual({
        deadline: day.endOf('day').toUTC().toISO(),
        closesAt: day.plus({ days: 1 }).startOf('day').toUTC().toISO(),
      });
    });
    times(1000, () => {
      const ms = instant();
      const dt = DateTime.fromMillis(ms).setZone(ZONE);
      expect(formatInstantVi(new Date(ms))).toBe(`${dt.toFormat('HH:mm:ss')} ngày ${dt.toFormat('dd/MM/yyyy')}`);
      expect(localDateOf(new Date(ms).toISOString())).toBe(dt.toISODate());
    });
    expect(formatInstantVi('2021-03-15T16:59:59.999Z')).toBe('23:59:59 ngày 15/03/2021');
    expect(localDateOf('2021-03-15T17:00:00Z')).toBe('2021-03-16');
    expect(() => localDateOf('không phải ngày')).toThrow(RangeError);
  });

  it('a typed date: the same answers as on luxon', () => {
    times(2000, () => {
      const [d, m, y] = [rnd(0, 40), rnd(0, 14), rnd(1900, 2100)];
      const typed = `${d}/${m}/${y}`;
      const dt = DateTime.fromObject({ year: y, month: m, day: d });
      expect(parseDateInput(typed)).toBe(dt.isValid ? dt.toISODate() : null);
    });
  });

  it("the scheduler's reminders (08:00 Vietnam time, D-3 and D-1) and closes (5 minutes after the deadline)", () => {
    const jobs = scheduledJobs([2021, 2022]);
    expect(jobs.find((j) => j.id === 'remind-2021-Q1-D-3')?.at).toBe('2021-03-12T01:00:00.000Z');
    expect(jobs.find((j) => j.id === 'close-2021-Q1')?.at).toBe('2021-03-15T17:05:00.000Z');
    for (const j of jobs) {
      const p = j.periodId;
      const due = jobs.find((k) => k.id === `close-${p}`)!;
      if (j.type === 'remind') {
        const days = Number(j.label!.slice(2));
        const local = DateTime.fromISO(j.at).setZone(ZONE);
        expect(local.toFormat('HH:mm:ss')).toBe('08:00:00');
        const dueDay = DateTime.fromISO(due.at).setZone(ZONE).minus({ minutes: 5 }).minus({ days: 1 }).startOf('day');
        expect(local.startOf('day').plus({ days }).toISODate()).toBe(dueDay.toISODate());
      } else {
        expect(DateTime.fromISO(j.at).setZone(ZONE).toFormat('HH:mm')).toBe('00:05');
      }
    }
  });
});

import type { IsoDate } from './types.js';

/**
 * Wall-clock time in one IANA zone (Asia/Ho_Chi_Minh) on the runtime's own time-zone data (Intl,
 * ICU), for the calendar, deadlines and every time shown to a person.
 *
 * Why not luxon here: it was the one date library on every function's cold path (70 KiB of source
 * compiled at each cold start, for five conversions), and the zone arithmetic needed is small. The
 * zone's offset is read from ICU for the instant (never assumed to be +07:00), and a wall-clock time
 * is turned into an instant by the usual fixed-point step on that offset. test/unit/zone.test.ts
 * checks every function against luxon (a dev dependency kept as the oracle) over many instants and
 * over historical offset changes of the zone.
 */

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall clock of `ms` (epoch milliseconds) in `zone`, to the second. */
function wallClockAt(ms: number, zone: string): WallClock {
  const out: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  let bc = false;
  for (const p of formatterOf(zone).formatToParts(ms)) {
    if (p.type === 'era') bc = p.value.startsWith('B');
    else if (p.type in out) out[p.type as keyof WallClock] = Number(p.value);
  }
  if (bc) out.year = 1 - out.year;
  return out;
}

function utcOfWallClock(w: WallClock): number {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, 0);
  return d.getTime();
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (whole seconds). */
export function offsetAt(ms: number, zone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return utcOfWallClock(wallClockAt(whole, zone)) - whole;
}

/**
 * The instant at which the wall clock in `zone` reads the given time. The zone's offsets a day before
 * and after are the candidates (any change of clocks lies between them); an ambiguous time (an
 * overlap, when clocks go back) is its earlier instant, a time that does not exist (a gap, when they
 * go forward) is moved forward by the gap, as luxon and Temporal's "compatible" do. Asia/Ho_Chi_Minh
 * has had neither since 1975.
 */
export function instantOfWallClock(w: WallClock & { millisecond?: number }, zone: string): number {
  const local = utcOfWallClock(w) + (w.millisecond ?? 0);
  const candidates = [...new Set([offsetAt(local - DAY, zone), offsetAt(local, zone), offsetAt(local + DAY, zone)])];
  const valid = candidates.map((o) => local - o).filter((t) => offsetAt(t, zone) === local - t);
  return valid.length > 0 ? Math.min(...valid) : local - Math.min(...candidates);
}

const DAY = 86_400_000;

function parseIsoDate(date: string): { year: number; month: number; day: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  return realDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** The date, when year/month/day name a real day of the Gregorian calendar; else null. */
export function realDate(year: number, month: number, day: number): { year: number; month: number; day: number } | null {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day) || month < 1 || month > 12 || day < 1) return null;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? { year, month, day } : null;
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

function isoDateOf(year: number, month: number, day: number): IsoDate {
  return `${year < 0 ? '-' : ''}${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** An ISO date, or null when it is not one (format and a real day). */
export function checkIsoDate(date: string): IsoDate | null {
  const d = parseIsoDate(date);
  return d ? isoDateOf(d.year, d.month, d.day) : null;
}

/** The ISO date `days` after (or before, when negative) `date`. */
export function addDays(date: IsoDate, days: number): IsoDate {
  const d = parseIsoDate(date);
  if (!d) throw new RangeError(`not an ISO date: ${date}`);
  const t = new Date(0);
  t.setUTCFullYear(d.year, d.month - 1, d.day + days);
  return isoDateOf(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** The instant a wall-clock time of a date begins in `zone` (epoch ms); null when `date` is not a real date. */
export function instantOfLocal(date: string, time: { hour?: number; minute?: number; second?: number; millisecond?: number }, zone: string): number | null {
  const d = parseIsoDate(date);
  if (!d) return null;
  return instantOfWallClock({ ...d, hour: time.hour ?? 0, minute: time.minute ?? 0, second: time.second ?? 0, millisecond: time.millisecond ?? 0 }, zone);
}

/** An ISO instant without an offset is read as UTC (never as the process's local zone). */
function msOf(instant: Date | string | number): number {
  if (instant instanceof Date) return instant.getTime();
  if (typeof instant === 'number') return instant;
  return Date.parse(/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(instant) ? `${instant}Z` : instant);
}

/** The calendar date of an instant in `zone`; null for an instant that is not one. */
export function zonedDateOf(instant: Date | string | number, zone: string): IsoDate | null {
  const ms = msOf(instant);
  if (!Number.isFinite(ms)) return null;
  const w = wallClockAt(ms, zone);
  return isoDateOf(w.year, w.month, w.day);
}

/** Date and time of an instant in `zone`: `{ date: 'YYYY-MM-DD', time: 'HH:mm:ss', offset: '+07:00' }`; null for an invalid instant. */
export function zonedParts(instant: Date | string | number, zone: string): { date: IsoDate; time: string; millisecond: number; offset: string } | null {
  const ms = msOf(instant);
  if (!Number.isFinite(ms)) return null;
  const w = wallClockAt(ms, zone);
  const off = Math.round(offsetAt(ms, zone) / 60_000);
  const offset = `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  const millisecond = ((ms % 1000) + 1000) % 1000;
  return { date: isoDateOf(w.year, w.month, w.day), time: `${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`, millisecond, offset };
}

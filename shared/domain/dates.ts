import type { IsoDate } from './types.js';
import { checkIsoDate } from './zone.js';

/**
 * Reads a date typed by a person or a system: ISO `YYYY-MM-DD`, or the Vietnamese day-first forms
 * `d/m/yyyy`, `d-m-yyyy`, `d.m.yyyy`. Returns the ISO date, or null when it is not a real date.
 * Day-first is the only order accepted for slashed dates, so nothing is guessed.
 */
export function parseDateInput(raw: string | null): IsoDate | null {
  if (raw === null) return null;
  const s = raw.trim();
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const vi = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (vi) [d, m, y] = [Number(vi[1]), Number(vi[2]), Number(vi[3])];
  else return null;
  return checkIsoDate(`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
}

/** `2021-01-05` → `05/01/2021`. */
export function formatDateVi(date: IsoDate): string {
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}`;
}

import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { sampleSubmission } from '../demo/sample-submission.js';
import { ZONE, findPeriod } from '../domain/calendar.js';
import { currentForm } from '../domain/forms.js';
import { computeRollup } from '../domain/rollup.js';
import type { Rollup, RollupRecord } from '../domain/rollup.js';
import type { FormDef, Period, RawValue, Unit } from '../domain/types.js';
import { defaultUnits, expectedUnits } from '../domain/units.js';

/**
 * A realistic roll-up built from the demo submissions, for previews, tests and the demo: most units
 * on time with varied figures, a few missing, late and rejected-only ones, one unit that fixed a
 * rejected file, and one warning-level inconsistency that shows on the totals. Deterministic.
 */

export interface DemoRollupOptions {
  periodId?: string;
  /** Units that sent nothing (default: three of them). */
  missing?: string[];
  /** Units whose only valid file came after the deadline. */
  late?: string[];
  /** Units whose every file was rejected. */
  rejectedOnly?: string[];
  /** Include the late units' figures (an addendum). */
  includeLate?: boolean;
  /** The registry snapshot (e.g. with renamed units); default the shipped registry. */
  units?: readonly Unit[];
  /** Narrative text per unit and section, replacing the demo text. */
  narratives?: Record<string, Record<string, string>>;
  /** File names per unit, replacing the demo ones. */
  fileNames?: Record<string, string>;
  /** Values per unit replacing the demo ones (default: one warning-level inconsistency). */
  values?: Record<string, Record<string, RawValue>>;
  /** Only these units are expected (default: every unit that owes the period). */
  only?: string[];
  generatedAt?: Date;
}

export interface DemoRollup {
  rollup: Rollup;
  form: FormDef;
  period: Period;
}

/** Varies the demo figures by unit so that rates differ between units and kinds; every relation still holds. */
function vary(values: Record<string, RawValue>, i: number, scale: number): void {
  const set = (code: string, v: number): void => {
    if (typeof values[code] === 'number') values[code] = v * scale;
  };
  set('CD.KH.02', 8 + (i % 10));
  set('CD.KT.03', 3 + (i % 6));
  const d = (i * 13) % 60;
  set('TT.HS.06', 400 - d);
  set('TT.HS.08', 20 + d);
  const e = ((i * 37) % 200) - 100;
  set('TT.HS.03', 300 + e);
  set('TT.HS.04', 650 - e);
  set('DT.06', 300 + e);
  set('DT.02', 1900 - ((i * 29) % 300));
  set('TCC.08', 3000 + ((i * 173) % 1500));
  set('TT.PA.02', 9 - (i % 4));
}

function hex(s: string, n: number): string {
  return createHash('sha256').update(s).digest('hex').slice(0, n);
}

function uploadId(at: string, seed: string): string {
  return `${Date.parse(at).toString(36).padStart(10, '0')}-${hex(seed, 16)}`;
}

/** A local (Asia/Ho_Chi_Minh) instant on the given date, as ISO UTC. */
function localInstant(date: string, hour: number, minute: number, dayOffset = 0): string {
  return DateTime.fromISO(date, { zone: ZONE }).plus({ days: dayOffset }).set({ hour, minute }).toUTC().toISO()!;
}

export function demoRollup(options: DemoRollupOptions = {}): DemoRollup {
  const period = findPeriod(options.periodId ?? '2021-Q3');
  const form = currentForm(period.kind);
  const registry = options.units ?? defaultUnits;
  let units = expectedUnits(period, registry);
  if (options.only) units = units.filter((u) => options.only!.includes(u.code));
  const missing = new Set(options.missing ?? ['SNGV', 'NDONG', 'CTK']);
  const late = new Set(options.late ?? ['SDL', 'ALUOI']);
  const rejectedOnly = new Set(options.rejectedOnly ?? ['BDT', 'CQLTT']);
  const valuesOverride = options.values ?? { PVANG: { 'DT.06': 420 } };

  const records: RollupRecord[] = [];
  const current = new Set<string>();
  const lateIds = new Set<string>();
  const record = (unit: Unit, n: number, receivedAt: string, status: 'valid' | 'invalid', onTime: boolean, scale: number): RollupRecord => {
    const objectId = uploadId(receivedAt, `${period.id}/${unit.code}/${n}`);
    const sub = sampleSubmission(unit.code, period.id, { scale });
    vary(sub.values, units.indexOf(unit), scale);
    Object.assign(sub.values, valuesOverride[unit.code] ?? {});
    Object.assign(sub.narratives, options.narratives?.[unit.code] ?? {});
    const tasksPerArea: Record<string, number> = {};
    for (const t of sub.tasks) if (t.area) tasksPerArea[t.area] = (tasksPerArea[t.area] ?? 0) + 1;
    if (period.kind === 'plan') {
      // Vary the plans a little: more tasks in some areas for some units.
      const extra = form.areas[scale % form.areas.length]?.code;
      if (extra) tasksPerArea[extra] = (tasksPerArea[extra] ?? 0) + scale;
    }
    const ext = 'xlsx';
    return {
      objectId,
      unitCode: unit.code,
      kind: period.kind,
      status,
      onTime,
      receivedAt,
      receiptNo: `BN-${period.id.replace('-', '')}-${unit.code}-${objectId.slice(11, 19).toUpperCase()}`,
      fileName: options.fileNames?.[unit.code] ?? `Báo cáo CCHC ${period.id} - ${unit.code}${n > 1 ? ` (lần ${n})` : ''}.${ext}`,
      key: `incoming/${period.id}/${unit.code}/${objectId}/upload.${ext}`,
      sha256: createHash('sha256').update(objectId).digest('hex'),
      values: status === 'valid' ? sub.values : undefined,
      narratives: status === 'valid' ? sub.narratives : undefined,
      tasksPerArea: status === 'valid' && period.kind === 'plan' ? tasksPerArea : undefined,
    };
  };

  units.forEach((unit, i) => {
    const scale = 1 + (i % 4);
    if (missing.has(unit.code)) return;
    if (rejectedOnly.has(unit.code)) {
      records.push(record(unit, 1, localInstant(period.dueDate, 9, 10 + i, -2), 'invalid', true, scale));
      records.push(record(unit, 2, localInstant(period.dueDate, 16, 40, 0), 'invalid', true, scale));
      return;
    }
    if (late.has(unit.code)) {
      const r = record(unit, 1, localInstant(period.dueDate, 8, 5 + i, 2), 'valid', false, scale);
      records.push(r);
      lateIds.add(r.objectId);
      return;
    }
    if (i % 7 === 3) records.push(record(unit, 1, localInstant(period.dueDate, 10, i, -4), 'invalid', true, scale));
    const r = record(unit, i % 7 === 3 ? 2 : 1, localInstant(period.dueDate, 8 + (i % 9), (i * 7) % 60, -(i % 6)), 'valid', true, scale);
    records.push(r);
    current.add(r.objectId);
  });

  const generatedAt = options.generatedAt ?? new Date(Date.parse(period.closesAt) + (options.includeLate ? 5 * 86_400_000 : 60_000));
  const rollup = computeRollup({ period, form, units, records, current, late: lateIds, includeLate: options.includeLate ?? false, generatedAt });
  return { rollup, form, period };
}

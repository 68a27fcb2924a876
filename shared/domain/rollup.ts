import { buildCalendar } from './calendar.js';
import { applicableIndicators, relationCodes } from './forms.js';
import type { FormDef, IndicatorDef, Period, RawValue, Relation, SubmissionKind, Unit, UnitKind } from './types.js';

/**
 * The roll-up of a period: per indicator the sum overall and by unit kind, rates recomputed from the
 * summed parts (never averaged), relations re-checked on the totals, completeness and timeliness,
 * the missing, late and rejected-only units, and every number traceable to the file it came from.
 * Pure: records in, a value out.
 */

/** What the roll-up needs of a recorded submission. */
export interface RollupRecord {
  objectId: string;
  unitCode: string;
  kind: SubmissionKind;
  status: 'valid' | 'invalid';
  onTime: boolean;
  receivedAt: string;
  receiptNo: string;
  fileName: string;
  key: string;
  sha256: string | null;
  values?: Record<string, RawValue>;
  narratives?: Record<string, string | null>;
  tasksPerArea?: Record<string, number>;
  findings?: readonly { code: string }[];
}

/** An upload the pipeline could not check (recorded FILE_UNPROCESSABLE), or not even record. */
export interface UnprocessableFile {
  unitCode: string;
  key: string;
  /** The record's receipt number; null when the object could not be recorded at all. */
  receiptNo: string | null;
  fileName: string | null;
  receivedAt: string | null;
}

/** The finding code of a file that could not be checked within its bounds. */
export const UNPROCESSABLE_CODE = 'FILE_UNPROCESSABLE';

export type UnitStatus = 'on_time' | 'late' | 'rejected_only' | 'missing';

export const UNIT_STATUS_NAMES: Record<UnitStatus, string> = {
  on_time: 'Đúng hạn, hợp lệ',
  late: 'Nộp muộn',
  rejected_only: 'Chỉ có tệp bị từ chối',
  missing: 'Chưa nộp',
};

export interface UnitLine {
  unitCode: string;
  name: string;
  kind: UnitKind;
  status: UnitStatus;
  /** Files received (valid or not). */
  files: number;
  /** The file the figures come from, when any. */
  source: { receiptNo: string; objectId: string; key: string; sha256: string | null; fileName: string; receivedAt: string; onTime: boolean } | null;
}

export interface Coverage {
  expected: number;
  /** Units whose figures are included (on time, plus late ones in an addendum). */
  included: number;
  valid: number;
  onTime: number;
  late: number;
  rejectedOnly: number;
  missing: number;
  /** valid / expected (0..1). */
  completeness: number;
  /** onTime / expected (0..1). */
  timeliness: number;
}

export type KindKey = UnitKind | 'all';

export interface IndicatorTotal {
  code: string;
  name: string;
  area: string;
  measure: string;
  valueType: IndicatorDef['valueType'];
  /** Sum (counts, amounts), recomputed rate, or number of "Có" (yes/no). Null when nobody reported it. */
  total: number | null;
  byKind: Record<UnitKind, number | null>;
  /** Units whose value is in the total. */
  reporting: number;
  /** Units the indicator applies to among those included. */
  applicable: number;
  /** How a rate was obtained. */
  method?: string;
}

export interface RelationCheck {
  id: string;
  scope: KindKey;
  severity: 'error' | 'warning';
  ok: boolean;
  description: string;
  left: number;
  right: number;
}

export interface NarrativeEntry {
  unitCode: string;
  unitName: string;
  text: string;
}

export interface Rollup {
  periodId: string;
  periodName: string;
  kind: SubmissionKind;
  formId: string;
  formVersion: number;
  dueDate: string;
  deadline: string;
  dataWindow: Period['dataWindow'];
  printedDataWindow?: Period['dataWindow'];
  /** Vietnamese warnings to show with the figures (e.g. the 2021 Q3 printed window). */
  warnings: string[];
  generatedAt: string;
  /** True when late valid submissions are included (an addendum after close). */
  includesLate: boolean;
  /** Set when the period was closed before its deadline (by an operator, --force): when it was closed. */
  closedEarly?: { closedAt: string };
  /** Addenda: units whose figures were received after the previous report (close or addendum), on time or late. */
  sinceLastReport?: string[];
  coverage: Record<KindKey, Coverage>;
  units: UnitLine[];
  missing: string[];
  late: string[];
  rejectedOnly: string[];
  /** Uploads that could not be checked (or recorded): listed so that nobody takes silence for absence. */
  unprocessable: UnprocessableFile[];
  indicators: IndicatorTotal[];
  relationChecks: RelationCheck[];
  /** Plans: tasks per reform area, total and per unit. */
  plan?: { tasksPerArea: Record<string, number>; byUnit: Record<string, Record<string, number>> };
  /** Thematic: which of the named departments reported. */
  thematic?: { reported: string[]; notReported: string[] };
  narratives: Record<string, NarrativeEntry[]>;
}

export interface RollupInput {
  period: Period;
  form: FormDef;
  /** The period's expected units (the registry's snapshot). */
  units: readonly Unit[];
  records: readonly RollupRecord[];
  /** objectIds of the current (on-time) submissions. */
  current: ReadonlySet<string>;
  /** objectIds of the latest valid late submissions. */
  late: ReadonlySet<string>;
  /** Include late valid submissions (addendum). */
  includeLate: boolean;
  generatedAt: Date;
  /** Objects the reconciliation could not even record (S3 or the table failed on them). */
  unrecorded?: readonly { unitCode: string; key: string }[];
}

function ratio(n: number, d: number): number {
  return d === 0 ? 0 : n / d;
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function roundOrNull(n: number | null): number | null {
  return n === null ? null : round(n);
}

function numeric(v: RawValue | undefined, ind: IndicatorDef): number | null {
  if (v === null || v === undefined) return null;
  if (ind.valueType === 'yesno') {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'string') {
      const t = v.trim().normalize('NFC').toLocaleLowerCase('vi');
      return t === 'có' ? 1 : t === 'không' ? 0 : null;
    }
    return null;
  }
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Computes the roll-up. */
export function computeRollup(input: RollupInput): Rollup {
  const { period, form } = input;
  const records = input.records.filter((r) => r.kind === period.kind);

  const lines: UnitLine[] = input.units.map((unit) => {
    const mine = records.filter((r) => r.unitCode === unit.code);
    const cur = mine.find((r) => input.current.has(r.objectId) && r.status === 'valid' && r.onTime);
    const late = mine.find((r) => input.late.has(r.objectId) && r.status === 'valid' && !r.onTime);
    const chosen = cur ?? late;
    const status: UnitStatus = cur ? 'on_time' : late ? 'late' : mine.length > 0 ? 'rejected_only' : 'missing';
    return {
      unitCode: unit.code,
      name: unit.name,
      kind: unit.kind,
      status,
      files: mine.length,
      source: chosen
        ? { receiptNo: chosen.receiptNo, objectId: chosen.objectId, key: chosen.key, sha256: chosen.sha256, fileName: chosen.fileName, receivedAt: chosen.receivedAt, onTime: chosen.onTime }
        : null,
    };
  });
  const byObject = new Map(records.map((r) => [r.objectId, r]));
  const included = lines.filter((l) => l.status === 'on_time' || (input.includeLate && l.status === 'late'));
  const unitByCode = new Map(input.units.map((u) => [u.code, u]));

  const coverageOf = (kind: KindKey): Coverage => {
    const ls = kind === 'all' ? lines : lines.filter((l) => l.kind === kind);
    const count = (s: UnitStatus): number => ls.filter((l) => l.status === s).length;
    const onTime = count('on_time');
    const late = count('late');
    const valid = onTime + late;
    return {
      expected: ls.length,
      included: onTime + (input.includeLate ? late : 0),
      valid,
      onTime,
      late,
      rejectedOnly: count('rejected_only'),
      missing: count('missing'),
      completeness: ratio(valid, ls.length),
      timeliness: ratio(onTime, ls.length),
    };
  };
  const coverage = { all: coverageOf('all'), department: coverageOf('department'), district: coverageOf('district'), central: coverageOf('central') };

  // Per indicator sums over included units (and per kind).
  const perUnitValues = included.map((l) => ({ line: l, unit: unitByCode.get(l.unitCode)!, values: byObject.get(l.source!.objectId)?.values ?? {} }));
  const indicators: IndicatorTotal[] = [];
  const totals = new Map<string, { all: number | null; byKind: Record<UnitKind, number | null> }>();
  const catalogue = form.kind === 'plan' ? [] : form.indicators;
  const applicableCodes = new Map(input.units.map((u) => [u.code, new Set(applicableIndicators(form, u).map((i) => i.code))]));
  const applicableTo = (ind: IndicatorDef, unit: Unit): boolean => applicableCodes.get(unit.code)?.has(ind.code) ?? false;
  const expectedSomewhere = (ind: IndicatorDef): boolean => input.units.some((u) => applicableTo(ind, u));
  for (const ind of catalogue) {
    if (ind.valueType === 'rate') continue;
    const sums: Record<KindKey, number | null> = { all: null, department: null, district: null, central: null };
    let reporting = 0;
    let applicable = 0;
    for (const { unit, values } of perUnitValues) {
      if (!applicableTo(ind, unit)) continue;
      applicable += 1;
      const v = numeric(values[ind.code], ind);
      if (v === null) continue;
      reporting += 1;
      sums.all = (sums.all ?? 0) + v;
      sums[unit.kind] = (sums[unit.kind] ?? 0) + v;
    }
    if (!expectedSomewhere(ind)) continue;
    totals.set(ind.code, { all: sums.all, byKind: { department: sums.department, district: sums.district, central: sums.central } });
    indicators.push({
      code: ind.code, name: ind.name, area: ind.area, measure: ind.measure, valueType: ind.valueType,
      total: sums.all === null ? null : round(sums.all),
      byKind: { department: roundOrNull(sums.department), district: roundOrNull(sums.district), central: roundOrNull(sums.central) },
      reporting, applicable,
      method: ind.valueType === 'yesno' ? 'Số đơn vị trả lời "Có"' : undefined,
    });
  }
  // Rates: recomputed from the summed parts, over the units that reported every part.
  const ratios = form.relations.filter((r): r is Extract<Relation, { type: 'ratio' }> => r.type === 'ratio');
  for (const ind of catalogue.filter((i) => i.valueType === 'rate')) {
    const rel = ratios.find((r) => r.target === ind.code);
    if (!rel) continue;
    const acc: Record<KindKey, { n: number; d: number; units: number }> = {
      all: { n: 0, d: 0, units: 0 }, department: { n: 0, d: 0, units: 0 }, district: { n: 0, d: 0, units: 0 }, central: { n: 0, d: 0, units: 0 },
    };
    let applicable = 0;
    for (const { unit, values } of perUnitValues) {
      if (!applicableTo(ind, unit)) continue;
      applicable += 1;
      const parts = (codes: string[]): number | null => {
        let s = 0;
        for (const c of codes) {
          const def = form.indicators.find((i) => i.code === c)!;
          const v = numeric(values[c], def);
          if (v === null) return null;
          s += v;
        }
        return s;
      };
      const n = parts(rel.numerator);
      const d = parts(rel.denominator);
      if (n === null || d === null) continue;
      for (const k of ['all', unit.kind] as KindKey[]) {
        acc[k].n += n;
        acc[k].d += d;
        acc[k].units += 1;
      }
    }
    if (!expectedSomewhere(ind)) continue;
    const rate = (k: KindKey): number | null => (acc[k].units === 0 || acc[k].d === 0 ? null : round((acc[k].n / acc[k].d) * 100));
    indicators.push({
      code: ind.code, name: ind.name, area: ind.area, measure: ind.measure, valueType: 'rate',
      total: rate('all'), byKind: { department: rate('department'), district: rate('district'), central: rate('central') },
      reporting: acc.all.units, applicable,
      method: `(${rel.numerator.join(' + ')}) / (${rel.denominator.join(' + ')}) × 100, tính trên tổng của các đơn vị`,
    });
  }
  const order = new Map(form.indicators.map((i, n) => [i.code, n]));
  indicators.sort((a, b) => order.get(a.code)! - order.get(b.code)!);

  // Relations re-checked on the totals, overall and for each kind they apply to.
  const relationChecks: RelationCheck[] = [];
  if (form.kind !== 'plan') {
    // A thematic report's departments each report their own topic: only relations within one topic
    // add up across units.
    const topicOf = (code: string): string | undefined => form.topics?.find((t) => t.indicators.includes(code))?.code;
    for (const r of form.relations) {
      if (r.type === 'ratio') continue;
      if (form.kind === 'thematic' && new Set(relationCodes(r).map(topicOf)).size !== 1) continue;
      const scopes: KindKey[] = r.appliesTo ? r.appliesTo : ['all'];
      for (const scope of scopes) {
        const sum = (codes: string[]): number | null => {
          let s = 0;
          for (const c of codes) {
            const t = totals.get(c);
            const v = t ? (scope === 'all' ? t.all : t.byKind[scope]) : null;
            if (v === null || v === undefined) return null;
            s += v;
          }
          return s;
        };
        const left = sum(r.left);
        const right = sum(r.right);
        if (left === null || right === null) continue;
        if (!relationCodes(r).every((c) => totals.has(c))) continue;
        const ok = r.type === 'eq' ? Math.abs(left - right) < 1e-9 : left <= right + 1e-9;
        relationChecks.push({ id: r.id, scope, severity: r.severity, ok, description: r.description, left: round(left), right: round(right) });
      }
    }
  }

  // Narratives gathered by section, in unit order.
  const narratives: Record<string, NarrativeEntry[]> = {};
  for (const section of form.narratives) {
    narratives[section.code] = [];
    for (const { line } of perUnitValues) {
      const text = byObject.get(line.source!.objectId)?.narratives?.[section.code];
      if (text) narratives[section.code]!.push({ unitCode: line.unitCode, unitName: line.name, text });
    }
  }

  let plan: Rollup['plan'];
  if (form.kind === 'plan') {
    const tasksPerArea: Record<string, number> = Object.fromEntries(form.areas.map((a) => [a.code, 0]));
    const byUnit: Record<string, Record<string, number>> = {};
    for (const { line } of perUnitValues) {
      const counts = byObject.get(line.source!.objectId)?.tasksPerArea ?? {};
      byUnit[line.unitCode] = { ...counts };
      for (const [area, n] of Object.entries(counts)) tasksPerArea[area] = (tasksPerArea[area] ?? 0) + n;
    }
    plan = { tasksPerArea, byUnit };
  }
  let thematic: Rollup['thematic'];
  if (form.kind === 'thematic') {
    const reported = included.map((l) => l.unitCode);
    thematic = { reported, notReported: lines.map((l) => l.unitCode).filter((c) => !reported.includes(c)) };
  }

  const warnings = buildCalendar(period.year).warnings.filter((w) => w.periodId === period.id).map((w) => w.message);
  return {
    periodId: period.id,
    periodName: period.name,
    kind: period.kind,
    formId: form.id,
    formVersion: form.version,
    dueDate: period.dueDate,
    deadline: period.deadline,
    dataWindow: period.dataWindow,
    printedDataWindow: period.printedDataWindow,
    warnings,
    generatedAt: input.generatedAt.toISOString(),
    includesLate: input.includeLate,
    coverage,
    units: lines,
    missing: lines.filter((l) => l.status === 'missing').map((l) => l.unitCode),
    late: lines.filter((l) => l.status === 'late').map((l) => l.unitCode),
    rejectedOnly: lines.filter((l) => l.status === 'rejected_only').map((l) => l.unitCode),
    unprocessable: [
      ...records
        .filter((r) => r.findings?.some((f) => f.code === UNPROCESSABLE_CODE))
        .map((r) => ({ unitCode: r.unitCode, key: r.key, receiptNo: r.receiptNo, fileName: r.fileName, receivedAt: r.receivedAt })),
      ...(input.unrecorded ?? []).map((u) => ({ unitCode: u.unitCode, key: u.key, receiptNo: null, fileName: null, receivedAt: null })),
    ].sort((a, b) => a.unitCode.localeCompare(b.unitCode) || a.key.localeCompare(b.key)),
    indicators,
    relationChecks,
    plan,
    thematic,
    narratives,
  };
}


import type { ReviewRecord, ReviewStatus } from './review.js';
import { buildCalendar } from './calendar.js';
import type { RollupComparison } from './comparison.js';
import { type DossierStatus, dossierStanding, type PartStatus } from './dossier.js';
import type { DossierPart } from './object-keys.js';
import { applicableIndicators, relationCodes } from './forms.js';
import type { EqualRelation, FormDef, IndicatorDef, LteRelation, Period, RatioRelation, RawValue, SubmissionKind, Unit, UnitKind } from './types.js';

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
const UNPROCESSABLE_CODE = 'FILE_UNPROCESSABLE';

/**
 * A unit's standing in a period: its dossier's (domain/dossier.ts): on time, late, incomplete (one
 * required part valid, the other not), only rejected files, nothing received.
 */
export type UnitStatus = DossierStatus;

export interface UnitLine {
  unitCode: string;
  name: string;
  kind: UnitKind;
  status: UnitStatus;
  /** Data-form files received (valid or not). */
  files: number;
  /** Signed-report files received (valid or not), when the period's dossier has one. */
  reportFiles?: number;
  /** The required parts with no valid file (domain/dossier.ts); empty when the dossier is complete. */
  missingParts?: DossierPart[];
  /** The file the figures come from, when any. */
  source: { receiptNo: string; objectId: string; key: string; sha256: string | null; fileName: string; receivedAt: string; onTime: boolean } | null;
  /** The unit's current valid signed report (the dossier's PDF), when any: traceable like the figures. */
  signedReport?: SignedReportSource | null;
  /**
   * The Department's latest review of the slot (docs/REVIEW.md), null when never reviewed: whether
   * the figures were accepted, returned for correction or reopened, by whom and when.
   */
  review?: UnitReview | null;
}

/** A unit's review as the consolidated report says it. */
export interface UnitReview {
  status: ReviewStatus;
  version: number;
  /** The dossier's signed report locked with the form by an acceptance. */
  reportObjectId: string | null;
  /** The reviewer's name (or id). */
  by: string;
  /** ISO UTC. */
  at: string;
  /** The file the decision was about. */
  objectId: string;
  /** For a return: the reason, the codes named (empty: the whole report) and the correction due date. */
  reason: string | null;
  items: string[];
  correctionDue: string | null;
}

/** A unit's signed report as the consolidated report traces it: the file, and who signed it when. */
export interface SignedReportSource {
  receiptNo: string;
  key: string;
  sha256: string | null;
  receivedAt: string;
  onTime: boolean;
  /** The leader whose signature the roster matched, and their office. */
  signer: string | null;
  office: string | null;
  /** ISO: the leader's signing time. */
  signingTime: string | null;
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
  /** Units with one required part valid and the other not (counted in neither valid nor missing). */
  incomplete: number;
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
  /** Changes against the previous period of the year and the same period a year earlier (domain/comparison.ts), set at close. */
  comparisons?: RollupComparison;
  coverage: Record<KindKey, Coverage>;
  units: UnitLine[];
  missing: string[];
  late: string[];
  rejectedOnly: string[];
  /** Units whose dossier lacks a required part (see each line's missingParts). */
  incomplete: string[];
  /** Whether this period's dossier requires the signed report (calendar data). */
  requiresSignedReport: boolean;
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
  /**
   * Each unit's current valid signed report, by unit code: on time when it came on time, else its
   * latest valid late one. Where the period requires the signed report, a unit's dossier is complete
   * only with one (domain/dossier.ts); a unit absent here has none.
   */
  signedReports?: ReadonlyMap<string, SignedReportSource>;
  /** Signed-report files received per unit (valid or not), to tell a rejected report from none. */
  reportFiles?: ReadonlyMap<string, number>;
  /**
   * Data-form files received per unit (valid or not), when `records` holds only the files the roll-up
   * uses (the pointed ones and the unprocessable ones) rather than every file; absent: counted from `records`.
   */
  formFiles?: ReadonlyMap<string, number>;
  /** Each unit's latest review of the period (the board and the close read them), by unit code. */
  reviews?: ReadonlyMap<string, ReviewRecord>;
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

/** Raw (unrounded) totals of an indicator, overall and by unit kind; null where nobody reported it. */
type KindSums = Record<KindKey, number | null>;

/** An included unit with the record its figures come from. */
interface IncludedUnit {
  line: UnitLine;
  unit: Unit;
  record: RollupRecord | undefined;
  values: Record<string, RawValue>;
}

/** A relation between sums of indicators (every kind but a ratio). */
type SumRelation = EqualRelation | LteRelation;

/** Whether an indicator applies to a unit. */
type Applies = (ind: IndicatorDef, unit: Unit) => boolean;

/** The file a unit's figures come from, as listed on its line. */
function sourceOf(r: RollupRecord): NonNullable<UnitLine['source']> {
  return { receiptNo: r.receiptNo, objectId: r.objectId, key: r.key, sha256: r.sha256, fileName: r.fileName, receivedAt: r.receivedAt, onTime: r.onTime };
}

/**
 * The line of one expected unit: its current on-time valid record if any, else its latest valid late
 * one; the status says which (or whether only rejected files, or none, were received).
 */
function unitLine(unit: Unit, records: readonly RollupRecord[], input: RollupInput): UnitLine {
  const mine = records.filter((r) => r.unitCode === unit.code);
  const cur = mine.find((r) => input.current.has(r.objectId) && r.status === 'valid' && r.onTime);
  const late = mine.find((r) => input.late.has(r.objectId) && r.status === 'valid' && !r.onTime);
  const chosen = cur ?? late;
  const files = input.formFiles?.get(unit.code) ?? mine.length;
  const form: PartStatus = cur ? 'on_time' : late ? 'late' : files > 0 ? 'rejected_only' : 'missing';
  const signed = input.signedReports?.get(unit.code) ?? null;
  const reportFiles = input.reportFiles?.get(unit.code) ?? (signed ? 1 : 0);
  const report: PartStatus | null = !input.period.requiresSignedReport
    ? null
    : signed
      ? signed.onTime
        ? 'on_time'
        : 'late'
      : reportFiles > 0
        ? 'rejected_only'
        : 'missing';
  const standing = dossierStanding(form, report);
  return {
    unitCode: unit.code,
    name: unit.name,
    kind: unit.kind,
    status: standing.status,
    files,
    source: chosen ? sourceOf(chosen) : null,
    ...(input.signedReports ? { signedReport: signed } : {}),
    ...(input.period.requiresSignedReport ? { reportFiles, missingParts: standing.missingParts } : {}),
    ...(input.reviews ? { review: reviewOf(input.reviews.get(unit.code)) } : {}),
  };
}

function reviewOf(r: ReviewRecord | undefined): UnitReview | null {
  if (!r) return null;
  return {
    status: r.status,
    version: r.version,
    reportObjectId: r.reportObjectId ?? null,
    by: r.by.name ?? r.by.id,
    at: r.at,
    objectId: r.objectId,
    reason: r.reason,
    items: r.items,
    correctionDue: r.correctionDue,
  };
}

/** Whether a unit's figures are in the totals: on time, or late in an addendum. */
function isIncluded(line: UnitLine, includeLate: boolean): boolean {
  return line.status === 'on_time' || (includeLate && line.status === 'late');
}

/** The included units, in unit order, each with the record (and values) its figures come from. */
function includedUnits(lines: readonly UnitLine[], input: RollupInput, records: readonly RollupRecord[]): IncludedUnit[] {
  const byObject = new Map(records.map((r) => [r.objectId, r]));
  const unitByCode = new Map(input.units.map((u) => [u.code, u]));
  return lines
    .filter((l) => isIncluded(l, input.includeLate))
    .map((line) => {
      const record = byObject.get(line.source!.objectId);
      return { line, unit: unitByCode.get(line.unitCode)!, record, values: record?.values ?? {} };
    });
}

/** Coverage of the units of one kind (or of all): counts by status, completeness and timeliness. */
function coverageOf(lines: readonly UnitLine[], kind: KindKey, includeLate: boolean): Coverage {
  const ls = kind === 'all' ? lines : lines.filter((l) => l.kind === kind);
  const count = (s: UnitStatus): number => ls.filter((l) => l.status === s).length;
  const onTime = count('on_time');
  const late = count('late');
  const valid = onTime + late;
  return {
    expected: ls.length,
    included: onTime + (includeLate ? late : 0),
    valid,
    onTime,
    late,
    rejectedOnly: count('rejected_only'),
    missing: count('missing'),
    incomplete: count('incomplete'),
    completeness: ratio(valid, ls.length),
    timeliness: ratio(onTime, ls.length),
  };
}

/** Coverage overall and for each unit kind. */
function coverageByKind(lines: readonly UnitLine[], includeLate: boolean): Record<KindKey, Coverage> {
  return {
    all: coverageOf(lines, 'all', includeLate),
    department: coverageOf(lines, 'department', includeLate),
    district: coverageOf(lines, 'district', includeLate),
    central: coverageOf(lines, 'central', includeLate),
  };
}

/** A test of whether an indicator applies to a unit (precomputed per unit). */
function applicability(form: FormDef, units: readonly Unit[]): Applies {
  const codes = new Map(units.map((u) => [u.code, new Set(applicableIndicators(form, u).map((i) => i.code))]));
  return (ind, unit) => codes.get(unit.code)?.has(ind.code) ?? false;
}

/** The codes of the units with a status, in unit order. */
function codesWithStatus(lines: readonly UnitLine[], status: UnitStatus): string[] {
  return lines.filter((l) => l.status === status).map((l) => l.unitCode);
}

/** The sum of a count, amount or yes/no indicator over the included units it applies to: raw sums, and how many reported it. */
function sumOf(ind: IndicatorDef, included: readonly IncludedUnit[], applies: Applies): { sums: KindSums; reporting: number; applicable: number } {
  const sums: KindSums = { all: null, department: null, district: null, central: null };
  let reporting = 0;
  let applicable = 0;
  for (const { unit, values } of included) {
    if (!applies(ind, unit)) continue;
    applicable += 1;
    const v = numeric(values[ind.code], ind);
    if (v === null) continue;
    reporting += 1;
    sums.all = (sums.all ?? 0) + v;
    sums[unit.kind] = (sums[unit.kind] ?? 0) + v;
  }
  return { sums, reporting, applicable };
}

/** The total line of a summed indicator (rounded). */
function summedTotal(ind: IndicatorDef, sums: KindSums, reporting: number, applicable: number): IndicatorTotal {
  return {
    code: ind.code,
    name: ind.name,
    area: ind.area,
    measure: ind.measure,
    valueType: ind.valueType,
    total: sums.all === null ? null : round(sums.all),
    byKind: { department: roundOrNull(sums.department), district: roundOrNull(sums.district), central: roundOrNull(sums.central) },
    reporting,
    applicable,
    method: ind.valueType === 'yesno' ? 'Số đơn vị trả lời "Có"' : undefined,
  };
}

/** A unit's sum of the given indicators, or null when it left one of them blank. */
function partsOf(form: FormDef, values: Record<string, RawValue>, codes: readonly string[]): number | null {
  let s = 0;
  for (const c of codes) {
    const def = form.indicators.find((i) => i.code === c)!;
    const v = numeric(values[c], def);
    if (v === null) return null;
    s += v;
  }
  return s;
}

/**
 * The total line of a rate: recomputed from the numerator and denominator summed over the units that
 * reported every part (never an average of the units' rates), overall and by kind.
 */
function rateTotal(ind: IndicatorDef, rel: RatioRelation, form: FormDef, included: readonly IncludedUnit[], applies: Applies): IndicatorTotal {
  const acc: Record<KindKey, { n: number; d: number; units: number }> = {
    all: { n: 0, d: 0, units: 0 },
    department: { n: 0, d: 0, units: 0 },
    district: { n: 0, d: 0, units: 0 },
    central: { n: 0, d: 0, units: 0 },
  };
  let applicable = 0;
  for (const { unit, values } of included) {
    if (!applies(ind, unit)) continue;
    applicable += 1;
    const n = partsOf(form, values, rel.numerator);
    const d = partsOf(form, values, rel.denominator);
    if (n === null || d === null) continue;
    for (const k of ['all', unit.kind] as KindKey[]) {
      acc[k].n += n;
      acc[k].d += d;
      acc[k].units += 1;
    }
  }
  const rate = (k: KindKey): number | null => (acc[k].units === 0 || acc[k].d === 0 ? null : round((acc[k].n / acc[k].d) * 100));
  return {
    code: ind.code,
    name: ind.name,
    area: ind.area,
    measure: ind.measure,
    valueType: 'rate',
    total: rate('all'),
    byKind: { department: rate('department'), district: rate('district'), central: rate('central') },
    reporting: acc.all.units,
    applicable,
    method: `(${rel.numerator.join(' + ')}) / (${rel.denominator.join(' + ')}) × 100, tính trên tổng của các đơn vị`,
  };
}

/**
 * The indicator totals, in the form's order, for every indicator some expected unit has to report,
 * and the raw sums of the summed (non-rate) ones, by code, for the relation checks.
 * A plan form has no indicators.
 */
function indicatorTotals(
  form: FormDef,
  units: readonly Unit[],
  included: readonly IncludedUnit[],
): { indicators: IndicatorTotal[]; sums: Map<string, KindSums> } {
  const indicators: IndicatorTotal[] = [];
  const sums = new Map<string, KindSums>();
  const catalogue = form.kind === 'plan' ? [] : form.indicators;
  const applies = applicability(form, units);
  const expectedSomewhere = (ind: IndicatorDef): boolean => units.some((u) => applies(ind, u));
  for (const ind of catalogue) {
    if (ind.valueType === 'rate' || !expectedSomewhere(ind)) continue;
    const s = sumOf(ind, included, applies);
    sums.set(ind.code, s.sums);
    indicators.push(summedTotal(ind, s.sums, s.reporting, s.applicable));
  }
  const ratios = form.relations.filter((r): r is RatioRelation => r.type === 'ratio');
  for (const ind of catalogue) {
    if (ind.valueType !== 'rate') continue;
    const rel = ratios.find((r) => r.target === ind.code);
    if (!rel || !expectedSomewhere(ind)) continue;
    indicators.push(rateTotal(ind, rel, form, included, applies));
  }
  const order = new Map(form.indicators.map((i, n) => [i.code, n]));
  indicators.sort((a, b) => order.get(a.code)! - order.get(b.code)!);
  return { indicators, sums };
}

/**
 * The relations that can be re-checked on totals: not the ratios (rates are recomputed instead) and,
 * for a thematic form, whose departments each report their own topic, only those within one topic.
 */
function checkableRelations(form: FormDef): SumRelation[] {
  const topicOf = (code: string): string | undefined => form.topics?.find((t) => t.indicators.includes(code))?.code;
  return form.relations.filter((r): r is SumRelation => r.type !== 'ratio' && !(form.kind === 'thematic' && new Set(relationCodes(r).map(topicOf)).size !== 1));
}

/** The sum of some indicators' raw totals in one scope, or null when one of them has none there. */
function sumInScope(sums: ReadonlyMap<string, KindSums>, codes: readonly string[], scope: KindKey): number | null {
  let s = 0;
  for (const c of codes) {
    const v = sums.get(c)?.[scope] ?? null;
    if (v === null) return null;
    s += v;
  }
  return s;
}

/**
 * The relations re-checked on the totals, overall or for each unit kind they apply to; a relation is
 * skipped in a scope where one of its indicators has no total. None for a plan form.
 */
function relationChecksOn(form: FormDef, sums: ReadonlyMap<string, KindSums>): RelationCheck[] {
  if (form.kind === 'plan') return [];
  const checks: RelationCheck[] = [];
  for (const r of checkableRelations(form)) {
    if (!relationCodes(r).every((c) => sums.has(c))) continue;
    const scopes: KindKey[] = r.appliesTo ? r.appliesTo : ['all'];
    for (const scope of scopes) {
      const left = sumInScope(sums, r.left, scope);
      const right = sumInScope(sums, r.right, scope);
      if (left === null || right === null) continue;
      const ok = r.type === 'eq' ? Math.abs(left - right) < 1e-9 : left <= right + 1e-9;
      checks.push({ id: r.id, scope, severity: r.severity, ok, description: r.description, left: round(left), right: round(right) });
    }
  }
  return checks;
}

/** The narratives of the included units, by section, in unit order (blank ones left out). */
function narrativesBySection(form: FormDef, included: readonly IncludedUnit[]): Record<string, NarrativeEntry[]> {
  const narratives: Record<string, NarrativeEntry[]> = {};
  for (const section of form.narratives) {
    narratives[section.code] = [];
    for (const { line, record } of included) {
      const text = record?.narratives?.[section.code];
      if (text) narratives[section.code]!.push({ unitCode: line.unitCode, unitName: line.name, text });
    }
  }
  return narratives;
}

/** A plan's tasks per reform area, in total (every area of the form, 0 included) and per included unit. */
function planTasks(form: FormDef, included: readonly IncludedUnit[]): NonNullable<Rollup['plan']> {
  const tasksPerArea: Record<string, number> = Object.fromEntries(form.areas.map((a) => [a.code, 0]));
  const byUnit: Record<string, Record<string, number>> = {};
  for (const { line, record } of included) {
    const counts = record?.tasksPerArea ?? {};
    byUnit[line.unitCode] = { ...counts };
    for (const [area, n] of Object.entries(counts)) tasksPerArea[area] = (tasksPerArea[area] ?? 0) + n;
  }
  return { tasksPerArea, byUnit };
}

/** A thematic report's departments that reported (included) and those that did not, in unit order. */
function thematicReporting(lines: readonly UnitLine[], included: readonly IncludedUnit[]): NonNullable<Rollup['thematic']> {
  const reported = included.map(({ line }) => line.unitCode);
  return { reported, notReported: lines.map((l) => l.unitCode).filter((c) => !reported.includes(c)) };
}

/** The files recorded FILE_UNPROCESSABLE and the objects not recorded at all, by unit code then key. */
function unprocessableFiles(records: readonly RollupRecord[], unrecorded: RollupInput['unrecorded']): UnprocessableFile[] {
  return [
    ...records
      .filter((r) => r.findings?.some((f) => f.code === UNPROCESSABLE_CODE))
      .map((r) => ({ unitCode: r.unitCode, key: r.key, receiptNo: r.receiptNo, fileName: r.fileName, receivedAt: r.receivedAt })),
    ...(unrecorded ?? []).map((u) => ({ unitCode: u.unitCode, key: u.key, receiptNo: null, fileName: null, receivedAt: null })),
  ].sort((a, b) => a.unitCode.localeCompare(b.unitCode) || a.key.localeCompare(b.key));
}

/** The calendar's warnings about this period (e.g. the 2021 Q3 printed window). */
function periodWarnings(period: Period): string[] {
  return buildCalendar(period.year)
    .warnings.filter((w) => w.periodId === period.id)
    .map((w) => w.message);
}

/** Computes the roll-up of a period from its records (only those of the period's kind count). */
export function computeRollup(input: RollupInput): Rollup {
  const { period, form } = input;
  const records = input.records.filter((r) => r.kind === period.kind);
  const lines = input.units.map((unit) => unitLine(unit, records, input));
  const included = includedUnits(lines, input, records);
  const { indicators, sums } = indicatorTotals(form, input.units, included);
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
    warnings: periodWarnings(period),
    generatedAt: input.generatedAt.toISOString(),
    includesLate: input.includeLate,
    coverage: coverageByKind(lines, input.includeLate),
    units: lines,
    missing: codesWithStatus(lines, 'missing'),
    late: codesWithStatus(lines, 'late'),
    rejectedOnly: codesWithStatus(lines, 'rejected_only'),
    incomplete: codesWithStatus(lines, 'incomplete'),
    requiresSignedReport: period.requiresSignedReport,
    unprocessable: unprocessableFiles(records, input.unrecorded),
    indicators,
    relationChecks: relationChecksOn(form, sums),
    plan: form.kind === 'plan' ? planTasks(form, included) : undefined,
    thematic: form.kind === 'thematic' ? thematicReporting(lines, included) : undefined,
    narratives: narrativesBySection(form, included),
  };
}

/**
 * The reporting domain's data model. Pure types: no AWS, no I/O, no clock.
 * Dates are ISO calendar dates (`YYYY-MM-DD`) in Asia/Ho_Chi_Minh; instants are ISO-8601 UTC strings.
 */

/** What a unit is, for applicability of indicators and for the roll-up by kind. */
export type UnitKind = 'department' | 'district' | 'central';

/** The three things a unit files. Monthly reports do not exist (letter 1588/SNV-CCHC). */
export type SubmissionKind = 'plan' | 'periodic' | 'thematic';

/** Period types of one reporting year. */
export type PeriodType = 'PLAN' | 'Q1' | 'H1' | 'Q3' | 'YEAR' | 'THEMATIC';

/** An ISO calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

export interface DateWindow {
  /** First day, inclusive. */
  from: IsoDate;
  /** Last day, inclusive. */
  to: IsoDate;
}

export interface CalendarWarning {
  periodId: string;
  code: string;
  /** Vietnamese, for people. */
  message: string;
  /** What the source printed. */
  printed: DateWindow;
  /** What the product applies. */
  applied: DateWindow;
}

export interface Period {
  /** `2021-Q1`, `2021-PLAN`, … */
  id: string;
  year: number;
  type: PeriodType;
  kind: SubmissionKind;
  /** Vietnamese display name, e.g. "Báo cáo CCHC quý I năm 2021". */
  name: string;
  /** The data window (thời gian chốt số liệu); null for the plan and the thematic report. */
  dataWindow: DateWindow | null;
  /** The window as printed in the source, when it differs from the applied one (kept for audit). */
  printedDataWindow?: DateWindow;
  /** The last day on which Sở Nội vụ must have received the file. */
  dueDate: IsoDate;
  /** The last on-time instant: 23:59:59.999 of the due day in Asia/Ho_Chi_Minh, as ISO UTC. */
  deadline: string;
  /** First late instant: 00:00:00 of the next day in Asia/Ho_Chi_Minh, as ISO UTC. */
  closesAt: string;
  /** 'all' active units, or the codes of the units that owe it. */
  who: 'all' | string[];
  /**
   * Whether the slot is complete only with the report signed by the unit's leadership (the PDF)
   * beside the data form (calendar data, rules.signedReport; on for every kind by default).
   */
  requiresSignedReport: boolean;
  /** Where the period comes from: the letter's data, or generated from the rules. */
  source: 'letter-1588' | 'rules';
  note?: string;
}

export interface Calendar {
  year: number;
  periods: Period[];
  warnings: CalendarWarning[];
}

export interface Unit {
  code: string;
  /** Vietnamese name. */
  name: string;
  kind: UnitKind;
  /** Where receipts and reminders go. */
  emails: string[];
  /** Title of the unit's head, e.g. "Giám đốc", "Chủ tịch", "Cục trưởng". */
  headTitle: string;
  /** Thematic topic this unit owes a thematic report on, if any. */
  thematicTopic?: string;
  /** First day the unit reports (inclusive); absent means always. */
  activeFrom?: IsoDate;
  /** Last day the unit reports (inclusive); absent means still active. */
  activeTo?: IsoDate;
  /** The aggregator (Sở Nội vụ) also reports as a unit. */
  aggregator?: boolean;
  /** Names the unit had before a rename, each until the day before the new one (domain/registry.ts). */
  formerNames?: { name: string; until: IsoDate }[];
  /** The units merged into this one, from its activeFrom. */
  mergedFrom?: string[];
  /** The unit split to make this one, from its activeFrom. */
  splitFrom?: string;
}

/** The reporting slot an upload belongs to. */
export interface Slot {
  unitCode: string;
  periodId: string;
  kind: SubmissionKind;
}

// ---------------------------------------------------------------- forms

export type ValueType = 'count' | 'rate' | 'amount' | 'yesno';

export interface Area {
  code: string;
  name: string;
  /** 1–6 for the six reform areas; absent for the directing section. */
  no?: number;
}

export interface IndicatorDef {
  code: string;
  area: string;
  name: string;
  /** Unit of measure (đơn vị tính), Vietnamese. */
  measure: string;
  valueType: ValueType;
  /** Unit kinds that fill it. */
  appliesTo: UnitKind[];
  /** A blank required value is an error ("not reported" is not zero). */
  required: boolean;
  /** Vietnamese hint shown in the template. */
  hint?: string;
}

/** What a relation does when one of its sides is blank. */
export type BlankPolicy = 'skip' | 'error';

interface RelationBase {
  id: string;
  severity: 'error' | 'warning';
  /** Unit kinds the relation applies to; absent = all. */
  appliesTo?: UnitKind[];
  whenBlank: BlankPolicy;
  /** Vietnamese statement of the rule, used in messages and in the template. */
  description: string;
}

/** sum(left) = sum(right). */
export interface EqualRelation extends RelationBase {
  type: 'eq';
  left: string[];
  right: string[];
}

/** sum(left) ≤ sum(right). */
export interface LteRelation extends RelationBase {
  type: 'lte';
  left: string[];
  right: string[];
}

/** target = sum(numerator) / sum(denominator) × 100, within tolerance; blank when the denominator is 0. */
export interface RatioRelation extends RelationBase {
  type: 'ratio';
  target: string;
  numerator: string[];
  denominator: string[];
  tolerance: number;
}

export type Relation = EqualRelation | LteRelation | RatioRelation;

export interface NarrativeSection {
  code: string;
  name: string;
  hint: string;
  required: boolean;
}

export interface ThematicTopic {
  code: string;
  name: string;
  /** Indicator codes of the periodic form reported province-wide in the thematic report. */
  indicators: string[];
}

export interface FormDef {
  id: string;
  version: number;
  kind: SubmissionKind;
  title: string;
  areas: Area[];
  indicators: IndicatorDef[];
  relations: Relation[];
  narratives: NarrativeSection[];
  /** Thematic form only. */
  topics?: ThematicTopic[];
  /** Plan form only: maximum number of task rows in the template. */
  maxTasks?: number;
  /**
   * Headline figures, as data: `receipt` in a unit's receipt (default: its first eight indicators),
   * `report` in the consolidated e-mail and workbook (default: the first six).
   */
  headline?: { receipt?: string[]; report?: string[] };
}

// ---------------------------------------------------------------- submissions

export type SigningForm = 'none' | 'KT.' | 'TM.' | 'Q.' | 'TL.' | 'TUQ.';

export interface Signature {
  documentNumber: string | null;
  /** ISO date, or the raw text when it could not be read as a date. */
  issueDate: string | null;
  signerName: string | null;
  signerTitle: string | null;
  signingForm: string | null;
}

export interface PlanTask {
  area: string | null;
  content: string | null;
  expectedResult: string | null;
  deadline: string | null;
  leadAgency: string | null;
  coordinatingAgencies: string | null;
  resources: string | null;
  /** 1-based sheet row the task was read from; null when not from a workbook. */
  row: number | null;
}

/** A raw input value as read: numbers stay numbers, text stays text; nothing is guessed. */
export type RawValue = number | string | boolean | null;

/** The typed submission, the same whether it came from a workbook or from JSON. */
export interface Submission {
  formId: string;
  formVersion: number;
  unitCode: string;
  periodId: string;
  kind: SubmissionKind;
  values: Record<string, RawValue>;
  narratives: Record<string, string | null>;
  tasks: PlanTask[];
  signature: Signature;
}

export type Severity = 'error' | 'warning';

export interface Finding {
  code: string;
  severity: Severity;
  /** Sheet name of the template, or null when the finding concerns the whole file. */
  sheet: string | null;
  /** A1 reference, or null. */
  cell: string | null;
  /** Indicator code, when the finding concerns one. */
  indicator: string | null;
  /** Vietnamese, telling the official what to do. */
  message: string;
}

export interface ValidationResult {
  status: 'valid' | 'invalid';
  findings: Finding[];
}

import { RECORD_BOUNDS, excerpt, namedList } from './bounds.js';
import { defaultCalendarSource, findPeriod, localDateOf, type CalendarSource } from './calendar.js';
import { formatDateVi, parseDateInput } from './dates.js';
import { DomainError } from './errors.js';
import { applicableIndicators, applicableRelations, currentForm, FORMS } from './forms.js';
import { layoutOf, SHEETS, taskFieldCell, type CellRef, type Layout, type TaskField } from './layout.js';
import { checkSigner, parseSigningForm } from './signing.js';
import { hasInvisible, normalizeOptional, normalizeText } from './text.js';
import type { Finding, FormDef, IndicatorDef, Period, PlanTask, RawValue, Relation, Severity, Slot, Submission, Unit, ValidationResult } from './types.js';
import { defaultUnits, findUnit, KIND_NAMES, slotRefusal } from './units.js';

export interface ValidateInput {
  submission: Submission;
  /** The slot the file was uploaded to (taken from the server-built key, never from the file). */
  slot: Slot;
  /** Server receipt time. */
  receivedAt: Date;
  /** Indicator codes the reader already reported as unreadable (formula without value, error cell). */
  skip?: readonly string[];
  units?: readonly Unit[];
  calendar?: CalendarSource;
}

const num = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });
const fmt = (n: number): string => num.format(n);

/** Collects findings in the order they are found; the order of the checks makes the result deterministic. */
class Findings {
  readonly list: Finding[] = [];
  add(code: string, severity: Severity, at: CellRef | null, indicator: string | null, message: string): void {
    this.list.push({ code, severity, sheet: at?.sheet ?? null, cell: at?.cell ?? null, indicator, message });
  }
}

function where(at: CellRef): string {
  return `Ô ${at.cell} (trang "${at.sheet}")`;
}

/**
 * Validates a typed submission against its form and the letter's rules for the slot it was uploaded to.
 * Pure: the same input gives the same findings in the same order. Never throws on bad content: every
 * problem is a finding; status is "invalid" when any finding is an error.
 */
export function validateSubmission(input: ValidateInput): ValidationResult {
  const f = new Findings();
  const units = input.units ?? defaultUnits;
  const calendar = input.calendar ?? defaultCalendarSource;
  const { submission: sub, slot } = input;

  const context = resolveSlot(slot, units, calendar, f);
  if (!context) return result(f);
  const { unit, period } = context;

  const form = FORMS.find((x) => x.id === sub.formId && x.version === sub.formVersion);
  if (!checkIdentity(sub, slot, unit, period, form, f) || !form) return result(f);

  const layout = layoutOf(form, unit);
  if (form.kind === 'plan') {
    checkTasks(sub.tasks, form, period, layout, f);
  } else {
    const numbers = checkValues(sub.values, form, unit, layout, new Set(input.skip ?? []), f);
    checkRelations(applicableRelations(form, unit), numbers, form, layout, f);
  }
  checkNarratives(sub.narratives, form, layout, f);
  checkSignature(sub, unit, period, layout, input.receivedAt, units, f);
  return result(f);
}

function result(f: Findings): ValidationResult {
  return { status: f.list.some((x) => x.severity === 'error') ? 'invalid' : 'valid', findings: f.list };
}

function resolveSlot(slot: Slot, units: readonly Unit[], calendar: CalendarSource, f: Findings): { unit: Unit; period: Period } | null {
  try {
    const unit = findUnit(slot.unitCode, units);
    const period = findPeriod(slot.periodId, calendar);
    const refusal = slotRefusal(unit, period, slot.kind);
    if (refusal) {
      f.add(slot.kind === 'thematic' ? 'THEMATIC_NOT_OWED' : 'SLOT_NOT_OWED', 'error', null, null, refusal);
      return null;
    }
    return { unit, period };
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    f.add(err.name === 'MonthlyReportError' ? 'MONTHLY_NOT_ACCEPTED' : 'SLOT_UNKNOWN', 'error', null, null, err.message);
    return null;
  }
}

/** The file must belong to the slot it was uploaded to: unit, period, kind and form version. */
function checkIdentity(sub: Submission, slot: Slot, unit: Unit, period: Period, form: FormDef | undefined, f: Findings): boolean {
  const before = f.list.length;
  if (sub.unitCode.trim().toUpperCase() !== unit.code) {
    f.add(
      'SLOT_UNIT_MISMATCH',
      'error',
      null,
      null,
      `Tệp này lập cho đơn vị mã "${sub.unitCode}", nhưng được nộp cho ${unit.name} (${unit.code}). Hãy tải mẫu của đơn vị mình từ đường dẫn riêng của đơn vị, điền và nộp lại.`,
    );
  }
  if (sub.periodId.trim().toUpperCase() !== period.id) {
    f.add(
      'SLOT_PERIOD_MISMATCH',
      'error',
      null,
      null,
      `Tệp này lập cho kỳ "${sub.periodId}", nhưng được nộp cho kỳ ${period.id} (${period.name}). Hãy dùng mẫu của đúng kỳ báo cáo.`,
    );
  }
  if (sub.kind !== slot.kind) {
    f.add(
      'SLOT_KIND_MISMATCH',
      'error',
      null,
      null,
      `Tệp này là ${KIND_NAMES[sub.kind] ?? sub.kind}, nhưng được nộp vào ô ${KIND_NAMES[slot.kind]}. Hãy dùng đúng mẫu.`,
    );
  }
  if (!form) {
    f.add(
      'FORM_UNKNOWN',
      'error',
      null,
      null,
      `Biểu mẫu "${sub.formId}" phiên bản ${sub.formVersion} không có trong hệ thống. Hãy tải mẫu mới từ đường dẫn của đơn vị.`,
    );
  } else {
    const current = currentForm(form.kind);
    if (form.kind !== slot.kind) {
      if (sub.kind === slot.kind) {
        f.add('SLOT_KIND_MISMATCH', 'error', null, null, `Biểu mẫu "${form.id}" không dùng cho ${KIND_NAMES[slot.kind]}. Hãy dùng đúng mẫu.`);
      }
    } else if (current.version !== form.version) {
      f.add(
        'FORM_OUTDATED',
        'error',
        null,
        null,
        `Tệp dùng mẫu cũ (${form.id} phiên bản ${form.version}); mẫu hiện hành là phiên bản ${current.version}. Hãy tải mẫu mới, chép số liệu sang và nộp lại.`,
      );
    }
  }
  return f.list.length === before;
}

const SEPARATED_NUMBER = /^[+-]?[\d\s.,'\u00A0\u202F]*\d[\d\s.,'\u00A0\u202F]*$/;

/**
 * What a number typed as text looks like, so the official is told what to type. Vietnamese writing
 * uses "," for decimals and "." for thousands; English the reverse. A comma followed by exactly three
 * digits is a thousands separator in either ("1,234"), other commas are decimal commas ("1,5", "2,75").
 * Nothing is guessed: the value is refused either way, only the advice differs.
 */
export type NumberTextShape = 'plain' | 'decimal-comma' | 'decimal-point' | 'thousands' | 'thousands-and-decimal' | 'spaces' | 'invisible' | 'other';

export function numberTextShape(raw: string): NumberTextShape {
  if (hasInvisible(raw)) return 'invisible';
  const t = raw.trim();
  if (t !== raw) return 'spaces';
  if (/^[+-]?\d+$/.test(t)) return 'plain';
  if (/^[+-]?\d{1,3}([.,'\s\u202F]\d{3})+$/.test(t)) return /[\s\u202F]/.test(t) ? 'spaces' : 'thousands';
  if (/^[+-]?\d{1,3}(\.\d{3})+,\d+$/.test(t) || /^[+-]?\d{1,3}(,\d{3})+\.\d+$/.test(t)) return 'thousands-and-decimal';
  if (/^[+-]?\d+,\d+$/.test(t)) return 'decimal-comma';
  if (/^[+-]?\d+\.\d+$/.test(t)) return 'decimal-point';
  if (/^[+-]?[\d\s\u202F]+$/.test(t)) return 'spaces';
  return 'other';
}

function numberAsTextAdvice(ind: IndicatorDef, raw: string): string {
  const whole = ind.valueType === 'count' ? ' Chỉ tiêu này là số đếm nên phải là số nguyên.' : '';
  switch (numberTextShape(raw)) {
    case 'decimal-comma':
      return `dấu phẩy trong "${raw.trim()}" là dấu thập phân (số lẻ), nhưng ô đang chứa chữ, không phải số.${whole} Hãy gõ lại giá trị vào ô như một con số (Excel đặt kiểu Việt Nam gõ ${raw.trim()}, kiểu Anh gõ ${raw.trim().replace(',', '.')}) để ô hiện căn phải; hệ thống không tự đoán giá trị.`;
    case 'decimal-point':
      return `dấu chấm trong "${raw.trim()}" là dấu thập phân kiểu Anh, nhưng ô đang chứa chữ, không phải số.${whole} Hãy gõ lại giá trị vào ô như một con số (Excel đặt kiểu Việt Nam gõ ${raw.trim().replace('.', ',')}); hệ thống không tự đoán giá trị.`;
    case 'thousands':
      return `"${raw.trim()}" có dấu phân cách hàng nghìn (${raw.includes('.') ? 'dấu chấm' : raw.includes(',') ? 'dấu phẩy' : 'dấu nháy'}) nên ô đang chứa chữ, không phải số. Hãy nhập lại là số, không dùng dấu phân cách hàng nghìn (ví dụ ${raw.trim().replace(/[^\d+-]/g, '')}); hệ thống không tự đoán giá trị.`;
    case 'thousands-and-decimal':
      return `"${raw.trim()}" có cả dấu phân cách hàng nghìn và dấu thập phân nên ô đang chứa chữ, không phải số.${whole} Hãy nhập lại là số, không dùng dấu phân cách hàng nghìn; hệ thống không tự đoán giá trị.`;
    case 'spaces':
      return `"${raw}" có khoảng trắng nên ô đang chứa chữ, không phải số. Hãy xóa khoảng trắng và nhập lại là số (ví dụ ${raw.replace(/[^\d.,+-]/g, '')}); hệ thống không tự đoán giá trị.`;
    case 'plain':
      return `ô chứa "${raw}" ở dạng chữ (ô định dạng Text), không phải số. Hãy đổi định dạng ô sang số (Number) và gõ lại giá trị; hệ thống không tự đoán giá trị.`;
    case 'invisible':
      return `ô có ký tự ẩn (khoảng trắng không ngắt, ký tự không độ rộng) nên đang chứa chữ, không phải số. Hãy xóa nội dung ô và gõ lại con số; hệ thống không tự đoán giá trị.`;
    default:
      return `ô đang chứa chữ "${raw}" có dấu chấm, dấu phẩy hoặc khoảng trắng. Hãy nhập lại là số, không dùng dấu phân cách hàng nghìn (ví dụ 1234); hệ thống không tự đoán giá trị.`;
  }
}

function describe(ind: IndicatorDef): string {
  return `"${ind.name}" (${ind.code})`;
}

/** Checks every applicable indicator's value; returns the values that are usable numbers. */
function checkValues(values: Record<string, RawValue>, form: FormDef, unit: Unit, layout: Layout, skip: Set<string>, f: Findings): Map<string, number> {
  const numbers = new Map<string, number>();
  const indicators = applicableIndicators(form, unit);
  for (const ind of indicators) {
    if (skip.has(ind.code)) continue;
    const at = layout.indicators[ind.code]!;
    const v = Object.hasOwn(values, ind.code) ? values[ind.code]! : null;
    const parsed = checkValue(ind, v, at, f);
    if (parsed !== undefined) numbers.set(ind.code, parsed);
  }
  const known = new Set(indicators.map((i) => i.code));
  const extra = Object.keys(values)
    .filter((c) => !known.has(c) && values[c] !== null)
    .sort();
  const unknown: string[] = [];
  for (const code of extra) {
    const def = form.indicators.find((i) => i.code === code);
    if (def) f.add('INDICATOR_NOT_APPLICABLE', 'warning', null, code, `Chỉ tiêu ${describe(def)} không áp dụng cho ${unit.name}; giá trị này không được tính.`);
    else unknown.push(code);
  }
  // Codes the form does not know: one finding, however many there are (a record stays bounded).
  if (unknown.length > 0) {
    f.add(
      'INDICATOR_UNKNOWN',
      'warning',
      null,
      null,
      `Có ${unknown.length.toLocaleString('vi-VN')} mã chỉ tiêu không có trong biểu mẫu (${namedList(unknown)}); các giá trị này không được tính và không được lưu.`,
    );
  }
  return numbers;
}

/** Returns the numeric value (yes/no as 1/0), or undefined when the cell is blank or unusable. */
function checkValue(ind: IndicatorDef, v: RawValue, at: CellRef, f: Findings): number | undefined {
  if (v === null || (typeof v === 'string' && normalizeText(v) === '')) {
    if (ind.required) {
      const hint = ind.valueType === 'yesno' ? 'Chọn "Có" hoặc "Không".' : 'Nếu không phát sinh, nhập 0 (ô trống nghĩa là chưa báo cáo, khác với số 0).';
      f.add('REQUIRED_MISSING', 'error', at, ind.code, `${where(at)}: chưa nhập ${describe(ind)}. ${hint}`);
    }
    return undefined;
  }
  if (ind.valueType === 'yesno') {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'string') {
      const t = normalizeText(v).toLocaleLowerCase('vi');
      if (t === 'có') return 1;
      if (t === 'không') return 0;
    }
    f.add('YESNO_INVALID', 'error', at, ind.code, `${where(at)}: ${describe(ind)} chỉ nhận "Có" hoặc "Không"; đang có "${excerpt(String(v))}".`);
    return undefined;
  }
  if (typeof v === 'boolean') {
    f.add('NOT_A_NUMBER', 'error', at, ind.code, `${where(at)}: ${describe(ind)} phải là số; đang có giá trị đúng/sai.`);
    return undefined;
  }
  if (typeof v === 'string') {
    const shown = excerpt(v);
    if (SEPARATED_NUMBER.test(v) || hasInvisible(v)) {
      f.add('NUMBER_AS_TEXT', 'error', at, ind.code, `${where(at)}: ${describe(ind)}: ${numberAsTextAdvice(ind, shown)}`);
    } else {
      f.add('NOT_A_NUMBER', 'error', at, ind.code, `${where(at)}: ${describe(ind)} phải là số; đang có chữ "${shown}". Chỉ nhập con số vào ô này.`);
    }
    return undefined;
  }
  if (!Number.isFinite(v)) {
    f.add('NOT_A_NUMBER', 'error', at, ind.code, `${where(at)}: ${describe(ind)} không phải là số hợp lệ.`);
    return undefined;
  }
  if (ind.valueType === 'count') {
    if (v < 0) {
      f.add('NEGATIVE', 'error', at, ind.code, `${where(at)}: ${describe(ind)} là số đếm, không được âm (đang là ${fmt(v)}).`);
      return undefined;
    }
    if (!Number.isInteger(v)) {
      f.add('NOT_WHOLE', 'error', at, ind.code, `${where(at)}: ${describe(ind)} là số đếm, phải là số nguyên (đang là ${fmt(v)}).`);
      return undefined;
    }
  } else if (ind.valueType === 'rate') {
    if (v < 0 || v > 100) {
      f.add('RATE_RANGE', 'error', at, ind.code, `${where(at)}: ${describe(ind)} là tỷ lệ phần trăm, phải từ 0 đến 100 (đang là ${fmt(v)}).`);
      return undefined;
    }
  } else if (v < 0) {
    f.add('NEGATIVE', 'error', at, ind.code, `${where(at)}: ${describe(ind)} không được âm (đang là ${fmt(v)}).`);
    return undefined;
  }
  return v;
}

function sumOf(codes: string[], numbers: Map<string, number>): number | undefined {
  let total = 0;
  for (const c of codes) {
    const v = numbers.get(c);
    if (v === undefined) return undefined;
    total += v;
  }
  return total;
}

function cellsOf(codes: string[], layout: Layout): string {
  return codes.map((c) => layout.indicators[c]?.cell ?? c).join(', ');
}

function side(codes: string[]): string {
  return codes.join(' + ');
}

function checkRelations(relations: Relation[], numbers: Map<string, number>, form: FormDef, layout: Layout, f: Findings): void {
  const nameOf = (code: string): string => form.indicators.find((i) => i.code === code)?.name ?? code;
  for (const r of relations) {
    if (r.type === 'ratio') {
      const target = numbers.get(r.target);
      const n = sumOf(r.numerator, numbers);
      const d = sumOf(r.denominator, numbers);
      const at = layout.indicators[r.target]!;
      if (target === undefined || n === undefined || d === undefined) continue;
      if (d === 0) {
        f.add(
          'RATE_UNDEFINED',
          r.severity,
          at,
          r.target,
          `${where(at)}: "${nameOf(r.target)}" (${r.target}) phải để trống vì mẫu số (${side(r.denominator)}) bằng 0.`,
        );
        continue;
      }
      const expected = (n / d) * 100;
      if (Math.abs(expected - target) > r.tolerance) {
        f.add(
          'RATE_MISMATCH',
          r.severity,
          at,
          r.target,
          `${where(at)}: "${nameOf(r.target)}" (${r.target}) là ${fmt(target)}%, nhưng tính từ số liệu (${side(r.numerator)}) / (${side(r.denominator)}) × 100 được ${fmt(expected)}%. ` +
            `Sửa lại tỷ lệ hoặc để trống để hệ thống tự tính.`,
        );
      }
      continue;
    }
    const left = sumOf(r.left, numbers);
    const right = sumOf(r.right, numbers);
    const at = layout.indicators[r.left[0]!]!;
    if (left === undefined || right === undefined) {
      if (r.whenBlank === 'error') reportIncomplete(r, numbers, form, layout, f);
      continue;
    }
    const broken = r.type === 'eq' ? Math.abs(left - right) > 1e-9 : left > right + 1e-9;
    if (!broken) continue;
    const op = r.type === 'eq' ? 'phải bằng' : 'không được lớn hơn';
    f.add(
      r.type === 'eq' ? 'RELATION_SUM' : 'RELATION_PART_TOTAL',
      r.severity,
      at,
      r.left[0]!,
      `${where(at)}: ${side(r.left)} = ${fmt(left)} ${op} ${side(r.right)} = ${fmt(right)}. ` +
        `Kiểm tra lại các ô ${cellsOf([...r.left, ...r.right], layout)}.${explanation(r)}`,
    );
  }
}

/** The rule's own wording when it says more than the arithmetic (e.g. what a difference means). */
function explanation(r: Relation): string {
  if (r.type === 'ratio' || r.description.startsWith(`${side(r.left)} `)) return '';
  return ` (${r.description.replace(/\s*Nếu một vế[^.]*\.\s*$/, '')})`;
}

/** A relation whose blank side is an error: only reported when some of its values are present. */
function reportIncomplete(r: Relation & { left: string[]; right: string[] }, numbers: Map<string, number>, form: FormDef, layout: Layout, f: Findings): void {
  const all = [...r.left, ...r.right];
  const present = all.filter((c) => numbers.has(c));
  const blank = all.filter((c) => !numbers.has(c));
  const optionalBlank = blank.filter((c) => !form.indicators.find((i) => i.code === c)?.required);
  if (present.length === 0 || optionalBlank.length === 0) return;
  const at = layout.indicators[optionalBlank[0]!]!;
  f.add(
    'RELATION_INCOMPLETE',
    r.severity,
    at,
    optionalBlank[0]!,
    `${where(at)}: quan hệ ${side(r.left)} = ${side(r.right)} thiếu số liệu ở ô ${cellsOf(optionalBlank, layout)}. Nhập đủ các chỉ tiêu thành phần (nhập 0 nếu không phát sinh).`,
  );
}

function checkNarratives(narratives: Record<string, string | null>, form: FormDef, layout: Layout, f: Findings): void {
  form.narratives.forEach((n, i) => {
    const text = normalizeOptional(narratives[n.code] ?? null);
    const at = layout.narratives[n.code]!;
    if (n.required && !text) {
      f.add(
        'NARRATIVE_MISSING',
        'error',
        at,
        null,
        `${where(at)}: chưa có nội dung phần ${i + 1} "${n.name}". Báo cáo phải có đủ các phần theo Công văn 1588/SNV-CCHC.`,
      );
    } else if (text && text.length > RECORD_BOUNDS.narrativeChars) {
      f.add(
        'NARRATIVE_LONG',
        'warning',
        at,
        null,
        `${where(at)}: phần ${i + 1} "${n.name}" dài ${text.length.toLocaleString('vi-VN')} ký tự; bản tổng hợp chỉ trích ${RECORD_BOUNDS.narrativeChars.toLocaleString('vi-VN')} ký tự đầu, toàn văn vẫn được lưu trong tệp đã nộp. Nên viết ngắn gọn hơn.`,
      );
    }
  });
  const known = new Set(form.narratives.map((n) => n.code));
  const unknown = Object.keys(narratives)
    .filter((k) => !known.has(k) && narratives[k] !== null)
    .sort();
  if (unknown.length > 0) {
    f.add(
      'NARRATIVE_UNKNOWN',
      'warning',
      null,
      null,
      `Có ${unknown.length.toLocaleString('vi-VN')} mục thuyết minh không có trong biểu mẫu (${namedList(unknown)}); nội dung này không được tính và không được lưu.`,
    );
  }
}

function areaOf(raw: string | null, form: FormDef): string | null {
  const t = normalizeOptional(raw);
  if (!t) return null;
  const lower = t.toLocaleLowerCase('vi');
  const area = form.areas.find(
    (a) => a.code === t || a.name.toLocaleLowerCase('vi') === lower || `${a.no}. ${a.name}`.toLocaleLowerCase('vi') === lower || String(a.no) === t,
  );
  return area?.code ?? null;
}

function checkTasks(tasks: PlanTask[], form: FormDef, period: Period, layout: Layout, f: Findings): void {
  const t = layout.tasks!;
  const covered = new Set<string>();
  if (tasks.length > t.maxRows) {
    f.add(
      'PLAN_TOO_MANY_TASKS',
      'error',
      taskFieldCell(layout, tasks[t.maxRows]!, t.maxRows, 'content'),
      null,
      `Kế hoạch có ${tasks.length} nhiệm vụ, nhiều hơn ${t.maxRows} dòng của mẫu. Hãy gộp các nhiệm vụ nhỏ.`,
    );
  }
  tasks.forEach((task, i) => {
    const at = (field: TaskField): CellRef => taskFieldCell(layout, task, i, field);
    const n = i + 1;
    const area = areaOf(task.area, form);
    if (!normalizeOptional(task.area)) {
      f.add('TASK_AREA_MISSING', 'error', at('area'), null, `${where(at('area'))}: nhiệm vụ số ${n} chưa chọn lĩnh vực cải cách.`);
    } else if (!area) {
      f.add(
        'TASK_AREA_INVALID',
        'error',
        at('area'),
        null,
        `${where(at('area'))}: nhiệm vụ số ${n} có lĩnh vực "${task.area}" không thuộc 6 lĩnh vực cải cách. Chọn trong danh sách.`,
      );
    } else covered.add(area);
    if (!normalizeOptional(task.content)) {
      f.add('TASK_CONTENT_MISSING', 'error', at('content'), null, `${where(at('content'))}: nhiệm vụ số ${n} chưa có nội dung.`);
    }
    if (!normalizeOptional(task.expectedResult)) {
      f.add(
        'TASK_RESULT_MISSING',
        'error',
        at('expectedResult'),
        null,
        `${where(at('expectedResult'))}: nhiệm vụ số ${n} chưa xác định kết quả, sản phẩm dự kiến (Công văn 1588/SNV-CCHC yêu cầu xác định rõ kết quả đạt được).`,
      );
    }
    const deadline = parseDateInput(normalizeOptional(task.deadline));
    if (!normalizeOptional(task.deadline)) {
      f.add('TASK_DEADLINE_MISSING', 'error', at('deadline'), null, `${where(at('deadline'))}: nhiệm vụ số ${n} chưa có thời hạn hoàn thành.`);
    } else if (!deadline) {
      f.add(
        'TASK_DEADLINE_INVALID',
        'error',
        at('deadline'),
        null,
        `${where(at('deadline'))}: thời hạn "${task.deadline}" của nhiệm vụ số ${n} không phải ngày hợp lệ. Nhập theo dạng ngày/tháng/năm, ví dụ 30/06/${period.year}.`,
      );
    } else if (!deadline.startsWith(`${period.year}-`)) {
      f.add(
        'TASK_DEADLINE_OUTSIDE_YEAR',
        'error',
        at('deadline'),
        null,
        `${where(at('deadline'))}: thời hạn ${formatDateVi(deadline)} của nhiệm vụ số ${n} nằm ngoài năm kế hoạch ${period.year}.`,
      );
    }
    if (!normalizeOptional(task.leadAgency)) {
      f.add('TASK_LEAD_MISSING', 'error', at('leadAgency'), null, `${where(at('leadAgency'))}: nhiệm vụ số ${n} chưa xác định cơ quan chủ trì.`);
    }
    if (!normalizeOptional(task.resources)) {
      f.add(
        'TASK_RESOURCES_MISSING',
        'warning',
        at('resources'),
        null,
        `${where(at('resources'))}: nhiệm vụ số ${n} chưa nêu nguồn lực, kinh phí thực hiện (Công văn 1588/SNV-CCHC yêu cầu bố trí nguồn lực).`,
      );
    }
  });
  const header: CellRef = { sheet: t.sheet, cell: `${t.columns.area}${t.headerRow}`, row: t.headerRow, col: t.columns.area };
  if (tasks.length === 0) {
    f.add('PLAN_NO_TASKS', 'error', header, null, `Trang "${t.sheet}" chưa có nhiệm vụ nào. Kế hoạch phải nêu nhiệm vụ trên cả 6 lĩnh vực cải cách.`);
    return;
  }
  for (const area of form.areas) {
    if (area.no === undefined || covered.has(area.code)) continue;
    f.add(
      'PLAN_AREA_UNCOVERED',
      'error',
      header,
      null,
      `Kế hoạch chưa có nhiệm vụ nào thuộc lĩnh vực ${area.no}. ${area.name}. Công văn 1588/SNV-CCHC yêu cầu kế hoạch bảo đảm toàn diện trên tất cả 6 lĩnh vực cải cách.`,
    );
  }
}

function checkSignature(sub: Submission, unit: Unit, period: Period, layout: Layout, receivedAt: Date, units: readonly Unit[], f: Findings): void {
  const s = sub.signature;
  const at = layout.signature;
  const missing = (field: keyof typeof at, what: string): void => {
    f.add('SIGNATURE_MISSING', 'error', at[field], null, `${where(at[field])}: chưa nhập ${what} (trang "${SHEETS.sign}").`);
  };
  if (!normalizeOptional(s.documentNumber)) missing('documentNumber', 'số, ký hiệu văn bản');

  const rawDate = normalizeOptional(s.issueDate);
  const issued = parseDateInput(rawDate);
  if (!rawDate) missing('issueDate', 'ngày ban hành');
  else if (!issued) {
    f.add(
      'ISSUE_DATE_INVALID',
      'error',
      at.issueDate,
      null,
      `${where(at.issueDate)}: ngày ban hành "${excerpt(rawDate)}" không hợp lệ. Nhập theo dạng ngày/tháng/năm.`,
    );
  } else {
    const receivedDay = localDateOf(receivedAt);
    if (issued > receivedDay) {
      f.add(
        'ISSUE_DATE_FUTURE',
        'error',
        at.issueDate,
        null,
        `${where(at.issueDate)}: ngày ban hành ${formatDateVi(issued)} sau ngày hệ thống nhận tệp (${formatDateVi(receivedDay)}). Kiểm tra lại ngày ban hành.`,
      );
    }
    if (period.kind === 'plan' && issued > period.dueDate) {
      // The letter sets a deadline for issuing the plan; it does not make a late plan invalid. The
      // plan is accepted, kept with its issue date and marked late by its receipt time like any file.
      f.add(
        'PLAN_ISSUED_LATE',
        'warning',
        at.issueDate,
        null,
        `${where(at.issueDate)}: kế hoạch ban hành ngày ${formatDateVi(issued)}, sau hạn ${formatDateVi(period.dueDate)} (Công văn 1588/SNV-CCHC: "Thời điểm ban hành Kế hoạch của đơn vị, địa phương chậm nhất là ngày ${formatDateVi(period.dueDate)}."). ` +
          `Kế hoạch vẫn được tiếp nhận và ghi nhận ban hành muộn; Sở Nội vụ theo dõi việc ban hành chậm.`,
      );
    }
    const periodStart = period.dataWindow?.from ?? `${period.year}-01-01`;
    if (period.kind !== 'plan' && issued < periodStart) {
      f.add(
        'ISSUE_DATE_BEFORE_PERIOD',
        'warning',
        at.issueDate,
        null,
        `${where(at.issueDate)}: ngày ban hành ${formatDateVi(issued)} trước kỳ báo cáo ${period.name}. Kiểm tra lại ngày ban hành.`,
      );
    }
  }

  const formRaw = normalizeOptional(s.signingForm);
  const signingForm = parseSigningForm(formRaw);
  const title = normalizeOptional(s.signerTitle);
  if (!formRaw) missing('signingForm', 'hình thức ký');
  else if (!signingForm) {
    f.add(
      'SIGNING_FORM_INVALID',
      'error',
      at.signingForm,
      null,
      `${where(at.signingForm)}: hình thức ký "${formRaw}" không hợp lệ. Chọn trong danh sách: ký trực tiếp, KT., TM., Q.`,
    );
  }
  if (!title) missing('signerTitle', 'chức vụ người ký');
  if (!normalizeOptional(s.signerName)) missing('signerName', 'họ và tên người ký');
  if (signingForm && title) {
    for (const x of checkSigner(unit, signingForm, title, units)) {
      const cell = at[x.field];
      const quote =
        x.code === 'SIGNER_NOT_LEADERSHIP' || x.code === 'SIGNER_WRONG_UNIT'
          ? ' Công văn 1588/SNV-CCHC: "Báo cáo CCHC định kỳ phải do lãnh đạo cơ quan, đơn vị, địa phương ký ban hành."'
          : '';
      f.add(x.code, x.severity, cell, null, `${where(cell)}: ${x.message}${quote}`);
    }
  }
}

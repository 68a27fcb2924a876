import { formatDateVi } from '../../domain/dates.js';
import { UnknownFormError, UnknownUnitError } from '../../domain/errors.js';
import { getForm } from '../../domain/forms.js';
import { SHEETS, SIGNATURE_FIELDS, SIGNATURE_LABELS, TASK_FIELDS, TASK_LABELS, layoutOf, taskCell } from '../../domain/layout.js';
import type { CellRef, Layout } from '../../domain/layout.js';
import { parseSigningForm } from '../../domain/signing.js';
import { normalizeOptional, normalizeText } from '../../domain/text.js';
import type { Finding, FormDef, PlanTask, RawValue, Signature, Submission, SubmissionKind, Unit } from '../../domain/types.js';
import { defaultUnits, findUnit } from '../../domain/units.js';
import { META_FIELDS, verifyMeta } from './meta.js';
import type { TemplateMeta } from './meta.js';
import { inspectXlsx } from './safe-zip.js';
import { areaLabel } from '../../domain/forms.js';
import { EMPTY_CELL, OoxmlFormatError, OoxmlLimitError, OoxmlWorkbook, OOXML_LIMITS } from './ooxml.js';
import type { CellValue } from './ooxml.js';

/**
 * Reads an uploaded workbook into a Submission. Primary course: inspect the archive (safe-zip), open
 * it with the bounded SpreadsheetML reader (ooxml.ts: streaming, nothing expanded from a range), check
 * the signed `_meta` identity, check the template structure against `layoutOf`, then read every input
 * cell as typed. Never throws on hostile content: every problem is a finding.
 */

export interface ReadContext {
  /** HMAC key of the `_meta` signature. */
  key: string;
  /** Unit registry; the shipped one by default. */
  units?: readonly Unit[];
}

export interface ReadResult {
  submission: Submission | null;
  meta: TemplateMeta | null;
  findings: Finding[];
  /** Indicator codes already reported by the reader (formula without value, error, date): the validator skips them. */
  unreadable: string[];
}

/** Bounds of the reader (see ooxml.ts). */
export const PARSE_LIMITS = OOXML_LIMITS;

// ---------------------------------------------------------------- findings

function fileFinding(code: string, message: string): Finding {
  return { code, severity: 'error', sheet: null, cell: null, indicator: null, message };
}

const NEW_TEMPLATE = 'Vui lòng tải mẫu mới từ đường dẫn của đơn vị, nhập lại số liệu rồi tải lên.';

const UNREADABLE = fileFinding(
  'FILE_UNREADABLE',
  'Không đọc được nội dung tệp Excel (tệp bị hỏng hoặc được tạo bằng phần mềm không tương thích). Hãy mở tệp bằng Microsoft Excel, lưu lại dưới dạng Sổ làm việc Excel (.xlsx) rồi tải lên.',
);

function where(sheet: string, cell: string): string {
  return `Ô ${cell} (trang "${sheet}")`;
}

function shown(text: string): string {
  const t = normalizeText(text);
  if (t === '') return '(trống)';
  return `"${[...t].length > 60 ? `${[...t].slice(0, 57).join('')}…` : t}"`;
}

function failed(findings: Finding[], meta: TemplateMeta | null = null): ReadResult {
  return { submission: null, meta, findings, unreadable: [] };
}

function tooLarge(err: OoxmlLimitError): Finding {
  const detail: Record<OoxmlLimitError['limit'], string> = {
    rows: `một trang tính có hơn ${vn(PARSE_LIMITS.maxRowsPerSheet)} dòng`,
    cells: `hơn ${vn(PARSE_LIMITS.maxCells)} ô có dữ liệu`,
    sharedStrings: 'quá nhiều chuỗi văn bản',
    styles: 'quá nhiều định dạng ô',
    sheets: 'quá nhiều trang tính',
    text: `hơn ${vn(PARSE_LIMITS.maxTextChars)} ký tự văn bản`,
  };
  return fileFinding(
    'SHEET_TOO_LARGE',
    `Tệp có quá nhiều dữ liệu để xử lý (${detail[err.limit]}). Mẫu báo cáo chỉ có vài trăm dòng: hãy tải mẫu mới, chỉ nhập vào các ô nền vàng rồi tải lên.`,
  );
}

const vn = (n: number): string => n.toLocaleString('vi-VN');

// ---------------------------------------------------------------- cell values

type Read = CellValue;
const EMPTY: Read = EMPTY_CELL;

type Sheets = Map<string, Map<string, CellValue>>;

class CellReader {
  readonly findings: Finding[] = [];
  readonly unreadable: string[] = [];

  constructor(private readonly sheets: Sheets) {}

  raw(ref: CellRef): Read {
    return this.sheets.get(ref.sheet)?.get(ref.cell) ?? EMPTY;
  }

  private problem(r: Read, ref: CellRef, indicator: string | null): boolean {
    const at = where(ref.sheet, ref.cell);
    const add = (code: string, message: string): void => {
      this.findings.push({ code, severity: 'error', sheet: ref.sheet, cell: ref.cell, indicator, message });
    };
    if (r.t === 'noCache') {
      add('FORMULA_NO_CACHE', `${at} chứa công thức nhưng không có giá trị đã tính. Hãy mở tệp bằng Excel, lưu lại rồi tải lên.`);
    } else if (r.t === 'error') {
      add('CELL_ERROR', `${at} đang báo lỗi ${r.v} thay vì giá trị. Hãy sửa công thức hoặc nhập trực tiếp giá trị rồi tải lên lại.`);
    } else if (r.t === 'string' && r.truncated) {
      add(
        'CELL_TOO_LONG',
        `${at} có nội dung dài hơn ${vn(PARSE_LIMITS.maxCellChars)} ký tự, vượt giới hạn của một ô Excel. Hãy rút gọn nội dung ô này rồi tải lên lại.`,
      );
    } else if (r.t === 'date' && indicator !== null) {
      add('CELL_DATE', `${at} chứa ngày tháng, không phải số liệu. Hãy định dạng ô là Số (Number) và nhập lại giá trị (ví dụ 12).`);
    } else {
      return false;
    }
    if (indicator !== null) this.unreadable.push(indicator);
    return true;
  }

  /** An indicator value as typed: numbers, NFC text (not trimmed), booleans; null when blank or unreadable. */
  value(ref: CellRef, code: string): RawValue {
    const r = this.raw(ref);
    if (this.problem(r, ref, code)) return null;
    return r.t === 'number' || r.t === 'string' || r.t === 'boolean' ? r.v : null;
  }

  /** Text normalised (NFC, trimmed, invisible characters dropped); empty is null. */
  text(ref: CellRef): string | null {
    const r = this.raw(ref);
    if (this.problem(r, ref, null)) return null;
    switch (r.t) {
      case 'string':
        return normalizeOptional(r.v);
      case 'number':
        return String(r.v);
      case 'boolean':
        return r.v ? 'TRUE' : 'FALSE';
      case 'date':
        return formatDateVi(r.v);
      default:
        return null;
    }
  }

  /** A date cell as ISO `YYYY-MM-DD`; text as typed (normalised), for the validator to judge. */
  date(ref: CellRef): string | null {
    const r = this.raw(ref);
    if (r.t === 'date') return r.v;
    return this.text(ref);
  }
}

// ---------------------------------------------------------------- identity

type MetaOutcome = { ok: true; meta: TemplateMeta } | { ok: false; finding: Finding; meta: TemplateMeta | null };

const KINDS: readonly SubmissionKind[] = ['plan', 'periodic', 'thematic'];

function tampered(message: string): Finding {
  return { code: 'TEMPLATE_TAMPERED', severity: 'error', sheet: SHEETS.meta, cell: null, indicator: null, message };
}

function readMeta(ws: Map<string, CellValue>, key: string): MetaOutcome {
  const fields = new Map<string, string>();
  for (let r = 1; r <= 100; r++) {
    const k = ws.get(`A${r}`) ?? EMPTY;
    const v = ws.get(`B${r}`) ?? EMPTY;
    if (k.t !== 'string') continue;
    fields.set(k.v, v.t === 'string' ? v.v : v.t === 'number' ? String(v.v) : '');
  }
  const bad = tampered(`Thông tin nhận diện của mẫu (trang ẩn "${SHEETS.meta}") đã bị sửa hoặc mẫu không do hệ thống này cấp. ${NEW_TEMPLATE}`);
  const sig = fields.get('sig');
  if (sig === undefined || META_FIELDS.some((f) => !fields.has(f))) return { ok: false, finding: bad, meta: null };
  const kind = fields.get('kind') as SubmissionKind;
  const meta: TemplateMeta = {
    templateId: fields.get('templateId')!,
    formId: fields.get('formId')!,
    formVersion: Number(fields.get('formVersion')),
    unitCode: fields.get('unitCode')!,
    periodId: fields.get('periodId')!,
    kind,
    issuedAt: fields.get('issuedAt')!,
  };
  if (!verifyMeta(meta, sig, key) || String(meta.formVersion) !== fields.get('formVersion') || !KINDS.includes(kind)) {
    return { ok: false, finding: bad, meta: null };
  }
  return { ok: true, meta };
}

// ---------------------------------------------------------------- structure

function checkStructure(form: FormDef, layout: Layout, sheets: Sheets): Finding[] {
  const findings: Finding[] = [];
  const reported = new Set<string>();
  const changed = (sheet: string, cell: string, expected: string, actual: string): void => {
    if (reported.has(sheet)) return;
    reported.add(sheet);
    findings.push({
      code: 'TEMPLATE_STRUCTURE_CHANGED',
      severity: 'error',
      sheet,
      cell,
      indicator: null,
      message:
        `Cấu trúc mẫu đã bị thay đổi: ${where(sheet, cell)} phải là "${expected}" nhưng đang là ${shown(actual)}. ` +
        `Có thể dòng đã bị chèn, xóa hoặc di chuyển. ${NEW_TEMPLATE}`,
    });
  };
  for (const name of layout.sheets) {
    if (!sheets.has(name)) {
      reported.add(name);
      findings.push({
        code: 'TEMPLATE_STRUCTURE_CHANGED',
        severity: 'error',
        sheet: name,
        cell: null,
        indicator: null,
        message: `Không tìm thấy trang "${name}" của mẫu (trang đã bị đổi tên hoặc xóa). Không đổi tên, thêm hay xóa trang. ${NEW_TEMPLATE}`,
      });
    }
  }
  const textAt = (sheet: string, cell: string): string => {
    const r = sheets.get(sheet)?.get(cell) ?? EMPTY;
    return r.t === 'string' ? normalizeText(r.v) : r.t === 'number' ? String(r.v) : '';
  };
  const expect = (sheet: string, cell: string, expected: string, matches: (actual: string) => boolean): void => {
    if (reported.has(sheet)) return;
    const actual = textAt(sheet, cell);
    if (!matches(actual)) changed(sheet, cell, expected, actual);
  };

  if (layout.data) {
    const d = layout.data;
    for (const [code, ref] of Object.entries(layout.indicators)) {
      expect(d.sheet, `${d.codeCol}${ref.row}`, code, (a) => a === code);
    }
  }
  if (layout.tasks) {
    const t = layout.tasks;
    for (const f of TASK_FIELDS) {
      expect(t.sheet, `${t.columns[f]}${t.headerRow}`, TASK_LABELS[f], (a) => a === TASK_LABELS[f]);
    }
  }
  form.narratives.forEach((n, i) => {
    const ref = layout.narratives[n.code]!;
    const label = `${i + 1}. ${n.name}`;
    expect(ref.sheet, `A${ref.row}`, label, (a) => a.startsWith(label));
  });
  for (const f of SIGNATURE_FIELDS) {
    const ref = layout.signature[f];
    expect(ref.sheet, `A${ref.row}`, SIGNATURE_LABELS[f], (a) => a === SIGNATURE_LABELS[f]);
  }
  return findings;
}

// ---------------------------------------------------------------- content

function areaCodeOf(raw: string | null, form: FormDef): string | null {
  if (raw === null) return null;
  const key = raw.toLocaleLowerCase('vi');
  const area = form.areas.find((a) => areaLabel(a).toLocaleLowerCase('vi') === key || a.name.toLocaleLowerCase('vi') === key || a.code.toLowerCase() === key);
  return area ? area.code : raw;
}

function readTasks(form: FormDef, layout: Layout, cells: CellReader): PlanTask[] {
  const t = layout.tasks;
  if (!t) return [];
  const tasks: PlanTask[] = [];
  for (let i = 0; i < t.maxRows; i++) {
    const task = {} as PlanTask;
    for (const f of TASK_FIELDS) {
      const ref = taskCell(layout, i, f);
      task[f] = f === 'deadline' ? cells.date(ref) : cells.text(ref);
    }
    task.area = areaCodeOf(task.area, form);
    task.row = taskCell(layout, i, 'content').row;
    if (TASK_FIELDS.some((f) => task[f] !== null)) tasks.push(task);
  }
  return tasks;
}

function readSignature(layout: Layout, cells: CellReader): Signature {
  const s = layout.signature;
  const signingForm = cells.text(s.signingForm);
  return {
    documentNumber: cells.text(s.documentNumber),
    issueDate: cells.date(s.issueDate),
    signerName: cells.text(s.signerName),
    signerTitle: cells.text(s.signerTitle),
    signingForm: signingForm === null ? null : (parseSigningForm(signingForm) ?? signingForm),
  };
}

function interpret(book: OoxmlWorkbook, ctx: ReadContext): ReadResult {
  const metaSheet = book.sheet(SHEETS.meta);
  if (!metaSheet) {
    return failed([fileFinding('TEMPLATE_UNKNOWN', `Tệp không phải mẫu do hệ thống cấp hoặc đã bị xóa trang thông tin ẩn. ${NEW_TEMPLATE}`)]);
  }
  const read = readMeta(metaSheet, ctx.key);
  if (!read.ok) return failed([read.finding]);
  const { meta } = read;

  let form: FormDef;
  let unit: Unit;
  try {
    form = getForm(meta.formId, meta.formVersion);
  } catch (err) {
    if (!(err instanceof UnknownFormError)) throw err;
    return failed(
      [
        fileFinding(
          'TEMPLATE_OUTDATED',
          `Tệp được lập theo mẫu cũ hoặc không còn sử dụng (biểu mẫu "${meta.formId}" phiên bản ${meta.formVersion}). ` +
            'Vui lòng tải mẫu mới từ đường dẫn của đơn vị, chép số liệu sang mẫu mới rồi tải lên.',
        ),
      ],
      meta,
    );
  }
  try {
    unit = findUnit(meta.unitCode, ctx.units ?? defaultUnits);
  } catch (err) {
    if (!(err instanceof UnknownUnitError)) throw err;
    return failed(
      [
        fileFinding(
          'TEMPLATE_UNIT_UNKNOWN',
          `Mẫu được cấp cho đơn vị mã "${meta.unitCode}", không có trong danh sách đơn vị báo cáo hiện hành. ` +
            'Vui lòng tải mẫu mới từ đường dẫn của đơn vị; nếu đơn vị đã đổi tên hoặc sáp nhập, liên hệ Sở Nội vụ.',
        ),
      ],
      meta,
    );
  }

  const layout = layoutOf(form, unit);
  const sheets: Sheets = new Map();
  for (const name of layout.sheets) {
    const cells = book.sheet(name);
    if (cells) sheets.set(name, cells);
  }
  const structure = checkStructure(form, layout, sheets);
  if (structure.length > 0) return failed(structure, meta);

  const cells = new CellReader(sheets);
  const values: Record<string, RawValue> = {};
  for (const [code, ref] of Object.entries(layout.indicators)) values[code] = cells.value(ref, code);
  const narratives: Record<string, string | null> = {};
  for (const n of form.narratives) narratives[n.code] = cells.text(layout.narratives[n.code]!);
  const tasks = readTasks(form, layout, cells);
  const signature = readSignature(layout, cells);

  const submission: Submission = {
    formId: meta.formId,
    formVersion: meta.formVersion,
    unitCode: meta.unitCode,
    periodId: meta.periodId,
    kind: meta.kind,
    values,
    narratives,
    tasks,
    signature,
  };
  return { submission, meta, findings: cells.findings, unreadable: cells.unreadable };
}

// ---------------------------------------------------------------- entry point

/** Reads an untrusted .xlsx upload into a Submission, with findings for everything it could not accept. */
export async function readWorkbook(bytes: Uint8Array, ctx: ReadContext): Promise<ReadResult> {
  const inspected = inspectXlsx(bytes);
  if (!inspected.ok) return failed([inspected.finding]);
  try {
    return interpret(new OoxmlWorkbook(inspected.entries), ctx);
  } catch (err) {
    if (err instanceof OoxmlLimitError) return failed([tooLarge(err)]);
    if (err instanceof OoxmlFormatError) return failed([UNREADABLE]);
    throw err;
  }
}

import ExcelJS from 'exceljs';
import { formatInstantVi, formatWindow } from '../../domain/calendar.js';
import { formatDateVi } from '../../domain/dates.js';
import { applicableIndicators, applicableRelations, areaLabel, relationCodes, topicOf } from '../../domain/forms.js';
import { HEADER_ROWS, SHEETS, SIGNATURE_FIELDS, SIGNATURE_LABELS, TASK_FIELDS, TASK_LABELS, layoutOf, taskCell } from '../../domain/layout.js';
import type { CellRef, Layout } from '../../domain/layout.js';
import { SIGNING_FORMS, deputyTitle } from '../../domain/signing.js';
import type { Area, FormDef, IndicatorDef, Period, PlanTask, Signature, Unit, ValueType } from '../../domain/types.js';
import { META_FIELDS, signMeta } from './meta.js';
import type { TemplateMeta } from './meta.js';

/**
 * The Excel template a unit downloads: Vietnamese throughout, every position taken from `layoutOf`,
 * input cells yellow and unlocked with data validation, everything else locked, identity signed in a
 * very hidden `_meta` sheet.
 */

export interface TemplateFill {
  values?: Record<string, number | string | boolean | null>;
  narratives?: Record<string, string | null>;
  tasks?: PlanTask[];
  signature?: Partial<Signature>;
}

export interface WriteTemplateOptions {
  form: FormDef;
  unit: Unit;
  period: Period;
  meta: TemplateMeta;
  /** HMAC key for the `_meta` signature. */
  key: string;
  /** Values written into the input cells as given (for tests and fixtures). */
  fill?: TemplateFill;
}

// ---------------------------------------------------------------- look

const FONT = 'Times New Roman';
const COLOR = {
  input: 'FFFFF2CC',
  header: 'FFDDEBF7',
  area: 'FFF2F2F2',
  border: 'FF8C8C8C',
  title: 'FF1F3864',
  note: 'FF404040',
};

const thin = { style: 'thin' as const, color: { argb: COLOR.border } };
const BOX: Partial<ExcelJS.Borders> = { top: thin, left: thin, bottom: thin, right: thin };

function solid(argb: string): ExcelJS.Fill {
  return { type: 'pattern', pattern: 'solid', fgColor: { argb } };
}

function font(extra: Partial<ExcelJS.Font> = {}): Partial<ExcelJS.Font> {
  return { name: FONT, size: 12, ...extra };
}


/** Labels of the reform areas a plan task may belong to (the six numbered ones). */
export function taskAreaLabels(form: FormDef): string[] {
  return form.areas.filter((a) => a.no !== undefined).map(areaLabel);
}

/** An Excel inline list (`"a,b,c"`), checked against Excel's 255-character limit. */
function inlineList(items: string[]): string {
  const body = items.join(',');
  if (body.length > 253 || items.some((i) => i.includes(',') || i.includes('"'))) {
    throw new Error(`Inline validation list too long or malformed: ${body}`);
  }
  return `"${body}"`;
}

const ERROR_TITLE = 'Giá trị không hợp lệ';

const VALIDATION: Record<ValueType, ExcelJS.DataValidation> = {
  count: {
    type: 'whole',
    operator: 'greaterThanOrEqual',
    formulae: [0],
    allowBlank: true,
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: ERROR_TITLE,
    error: 'Nhập số nguyên không âm (0, 1, 2, …), không kèm chữ và không dùng dấu phân cách hàng nghìn. Không phát sinh thì nhập 0.',
    showInputMessage: true,
    promptTitle: 'Số nguyên ≥ 0',
    prompt: 'Ví dụ: 12. Không phát sinh thì nhập 0; để trống là chưa báo cáo.',
  },
  rate: {
    type: 'decimal',
    operator: 'between',
    formulae: [0, 100],
    allowBlank: true,
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: ERROR_TITLE,
    error: 'Nhập tỷ lệ phần trăm từ 0 đến 100 (ví dụ 85,5), không kèm dấu %. Có thể để trống để hệ thống tự tính.',
    showInputMessage: true,
    promptTitle: 'Tỷ lệ % (0–100)',
    prompt: 'Có thể để trống: hệ thống tự tính từ các chỉ tiêu thành phần.',
  },
  amount: {
    type: 'decimal',
    operator: 'greaterThanOrEqual',
    formulae: [0],
    allowBlank: true,
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: ERROR_TITLE,
    error: 'Nhập số không âm (ví dụ 1250 hoặc 1250,5), không kèm chữ và không dùng dấu phân cách hàng nghìn.',
    showInputMessage: true,
    promptTitle: 'Số tiền ≥ 0',
    prompt: 'Nhập số, theo đơn vị tính ghi ở cột C.',
  },
  yesno: {
    type: 'list',
    formulae: [inlineList(['Có', 'Không'])],
    allowBlank: true,
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: ERROR_TITLE,
    error: 'Chọn "Có" hoặc "Không" trong danh sách.',
    showInputMessage: true,
    promptTitle: 'Có / Không',
    prompt: 'Chọn trong danh sách.',
  },
};

const WIDTH = { data: { name: 52, note: 56 } } as const;

const TASK_WIDTHS: Record<Exclude<keyof PlanTask, 'row'>, number> = {
  area: 24,
  content: 40,
  expectedResult: 28,
  deadline: 13,
  leadAgency: 18,
  coordinatingAgencies: 20,
  resources: 18,
};

const NUM_FMT: Record<ValueType, string> = { count: '#,##0', rate: 'General', amount: 'General', yesno: '@' };
const DATE_FMT = 'dd/mm/yyyy';

// ---------------------------------------------------------------- helpers

function cellAt(ws: ExcelJS.Worksheet, ref: CellRef): ExcelJS.Cell {
  return ws.getCell(ref.cell);
}

function styleInput(cell: ExcelJS.Cell, numFmt: string, wrap = false): void {
  cell.fill = solid(COLOR.input);
  cell.border = BOX;
  cell.font = font();
  cell.numFmt = numFmt;
  cell.alignment = { vertical: 'top', wrapText: wrap, horizontal: wrap ? 'left' : undefined };
  cell.protection = { locked: false };
}

function styleHeader(cell: ExcelJS.Cell): void {
  cell.fill = solid(COLOR.header);
  cell.border = BOX;
  cell.font = font({ bold: true });
  cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
}

function styleText(cell: ExcelJS.Cell, extra: Partial<ExcelJS.Font> = {}, horizontal?: ExcelJS.Alignment['horizontal']): void {
  cell.border = BOX;
  cell.font = font(extra);
  cell.alignment = { vertical: 'top', wrapText: true, horizontal };
}

/**
 * Row height (points) that shows wrapped text whole. Neither Excel nor LibreOffice measures rows when
 * opening a file, so the height is estimated: about 1.2 characters of 12-point Times New Roman per
 * unit of column width (measured with LibreOffice, rounded down).
 */
function fitHeight(cells: { text: string; width: number; size?: number }[], min = 18): number {
  let lines = 1;
  let lineHeight = 15;
  for (const c of cells) {
    const size = c.size ?? 12;
    const perLine = Math.max(1, Math.floor((c.width * 1.2 * 12) / size));
    const n = c.text.split('\n').reduce((acc, p) => acc + Math.max(1, Math.ceil([...p].length / perLine)), 0);
    const h = size * 1.25 * n;
    if (h > lines * lineHeight) {
      lines = n;
      lineHeight = size * 1.25;
    }
  }
  return Math.max(min, Math.ceil(lines * lineHeight + 5));
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An ISO date as an Excel date (UTC midnight: Excel serials have no zone); anything else as given. */
function dateOrText(v: string): Date | string {
  const m = ISO_DATE.exec(v);
  if (!m) return v;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCDate() === Number(m[3]) ? d : v;
}

interface SheetInfo {
  form: FormDef;
  unit: Unit;
  period: Period;
}

/** The form title in capitals, completed with the year when it ends with "năm" (the plan's title). */
function titleOf(form: FormDef, period: Period): string {
  const t = form.title.toLocaleUpperCase('vi');
  return /\sNĂM$/u.test(t) ? `${t} ${period.year}` : t;
}

function dueLine(period: Period): string {
  return `Hạn nộp: ngày ${formatDateVi(period.dueDate)} (hạn nhận: ${formatInstantVi(period.deadline)}, giờ Việt Nam).`;
}

function windowLine(period: Period): string {
  if (!period.dataWindow) return 'Thời gian chốt số liệu: không áp dụng cho kỳ này.';
  let line = `Thời gian chốt số liệu: ${formatWindow(period.dataWindow)}.`;
  if (period.printedDataWindow) {
    line +=
      ` Công văn 1588/SNV-CCHC ghi ${formatWindow(period.printedDataWindow)}; hệ thống áp dụng ${formatWindow(period.dataWindow)} ` +
      'theo quy tắc của Nghị định 09/2019/NĐ-CP.';
  }
  return line;
}

function unitLine(info: SheetInfo): string {
  const topic = info.form.kind === 'thematic' ? topicOf(info.form, info.unit) : undefined;
  return `Đơn vị báo cáo: ${info.unit.name}` + (topic ? `. Chủ đề: ${topic.name}.` : '');
}

/** Rows 1..HEADER_ROWS of the data, task, text and signing sheets: title and the slot's identity. */
function writeHeaderBlock(ws: ExcelJS.Worksheet, lastCol: string, info: SheetInfo, sheetTitle: string, legend: string): void {
  const lines: [string, Partial<ExcelJS.Font>, number][] = [
    [`${titleOf(info.form, info.period)}\n${sheetTitle}`, { bold: true, size: 14, color: { argb: COLOR.title } }, 42],
    [unitLine(info), { bold: true }, 20],
    [`Kỳ báo cáo: ${info.period.name} (mã kỳ: ${info.period.id}).`, {}, 18],
    [windowLine(info.period), {}, 18],
    [dueLine(info.period), {}, 18],
    [legend, { italic: true, size: 11, color: { argb: COLOR.note } }, 18],
  ];
  if (lines.length !== HEADER_ROWS) throw new Error('Header block must fill HEADER_ROWS rows');
  const lastIndex = ws.getColumn(lastCol).number;
  let total = 0;
  for (let c = 1; c <= lastIndex; c++) total += ws.getColumn(c).width ?? 9;
  lines.forEach(([text, f, min], i) => {
    const row = i + 1;
    const height = fitHeight([{ text, width: total, size: f.size }], min);
    ws.mergeCells(`A${row}:${lastCol}${row}`);
    const cell = ws.getCell(`A${row}`);
    cell.value = text;
    cell.font = font(f);
    cell.alignment = { horizontal: i === 0 ? 'center' : 'left', vertical: 'middle', wrapText: true };
    ws.getRow(row).height = height;
  });
}

async function finishSheet(
  ws: ExcelJS.Worksheet,
  opts: { orientation: 'portrait' | 'landscape'; freezeRow?: number; printTitleRow?: number },
): Promise<void> {
  ws.views = [
    opts.freezeRow
      ? { state: 'frozen', ySplit: opts.freezeRow, xSplit: 0, topLeftCell: `A${opts.freezeRow + 1}`, showGridLines: false }
      : { state: 'normal', showGridLines: false },
  ];
  ws.pageSetup = {
    paperSize: 9,
    orientation: opts.orientation,
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    horizontalCentered: true,
    margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    ...(opts.printTitleRow ? { printTitlesRow: `${opts.printTitleRow}:${opts.printTitleRow}` } : {}),
  };
  ws.headerFooter = { oddFooter: `&L&"${FONT}"&9&A&R&"${FONT}"&9Trang &P/&N` };
  await ws.protect('', {
    selectLockedCells: true,
    selectUnlockedCells: true,
    formatColumns: true,
    formatRows: true,
  });
}

// ---------------------------------------------------------------- sheets

function guideSteps(info: SheetInfo): string[] {
  const { form, unit } = info;
  const head = unit.headTitle;
  const deputy = deputyTitle(head);
  const signers =
    unit.kind === 'district'
      ? `${head} ký trực tiếp hoặc ký "TM. Ủy ban nhân dân"; ${deputy} ký "KT. ${head}"`
      : `${head} ký trực tiếp; ${deputy} ký "KT. ${head}"`;
  const steps = ['Chỉ nhập vào các ô nền vàng. Các ô khác đã được khóa để giữ nguyên cấu trúc mẫu.'];
  if (form.kind === 'plan') {
    steps.push(
      `Trang "Nhiệm vụ": mỗi dòng một nhiệm vụ, bắt đầu từ dòng STT 1; tối đa ${form.maxTasks ?? 200} nhiệm vụ. Cột "${TASK_LABELS.area}" chọn trong danh sách 6 lĩnh vực cải cách; các dòng không dùng để trống.`,
      `Cột "${TASK_LABELS.deadline}" nhập ngày theo dạng ngày/tháng/năm (ví dụ 30/06/${info.period.year}).`,
    );
  } else {
    const scope = form.kind === 'thematic' ? 'số liệu toàn tỉnh của chủ đề được giao theo dõi, ' : '';
    steps.push(
      `Trang "Số liệu": nhập ${scope}giá trị của từng chỉ tiêu vào cột D. Chỉ tiêu đếm (văn bản, hồ sơ, người…) là số nguyên từ 0 trở lên: không ghi kèm chữ, không dùng dấu chấm hay dấu phẩy phân cách hàng nghìn.`,
      'Ô để trống nghĩa là "chưa báo cáo", khác với số 0. Nếu trong kỳ không phát sinh, nhập 0. Chỉ tiêu có dấu (*) bắt buộc phải nhập.',
      'Chỉ tiêu tỷ lệ (%) có thể để trống: hệ thống tự tính từ các chỉ tiêu thành phần. Nếu nhập, giá trị từ 0 đến 100 và phải khớp với cách tính ghi ở cột E.',
    );
  }
  steps.push(
    'Trang "Thuyết minh": viết nội dung của từng mục vào ô nền vàng ở cột B.',
    `Trang "Ký ban hành": nhập số, ký hiệu văn bản, ngày ban hành (ngày/tháng/năm), hình thức ký, chức vụ và họ tên người ký. Báo cáo phải do lãnh đạo đơn vị ký: ${signers}. Không chấp nhận "TL." (thừa lệnh) và "TUQ." (thừa ủy quyền).`,
    'Không chèn, xóa hay di chuyển dòng, cột; không đổi tên, thêm hay xóa trang tính. Hệ thống đọc số liệu theo đúng vị trí các ô của mẫu.',
    'Lưu tệp dưới dạng Sổ làm việc Excel (.xlsx), không có macro (không dùng .xlsm, .xls) và không đặt mật khẩu mở tệp. Tải tệp lên qua đường dẫn cá nhân của đơn vị đã được gửi qua thư điện tử.',
    'Hệ thống gửi thư điện tử xác nhận đã nhận báo cáo, hoặc danh sách lỗi theo từng trang và ô (ví dụ: trang "Số liệu", ô D12) để đơn vị sửa và tải lên lại trước hạn.',
  );
  return steps;
}

function writeGuide(wb: ExcelJS.Workbook, name: string, info: SheetInfo): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, { properties: { tabColor: { argb: 'FF2F5597' } } });
  ws.columns = [{ width: 5 }, { width: 100 }];
  const { form, period } = info;
  let row = 1;
  const put = (text: string, f: Partial<ExcelJS.Font> = {}, min = 20): void => {
    ws.mergeCells(`A${row}:B${row}`);
    const c = ws.getCell(`A${row}`);
    c.value = text;
    c.font = font(f);
    c.alignment = { wrapText: true, vertical: 'middle', horizontal: row === 1 ? 'center' : 'left' };
    ws.getRow(row).height = fitHeight([{ text, width: 105, size: f.size }], min);
    row += 1;
  };
  put(`${titleOf(form, period)}\n${period.name}`, { bold: true, size: 14, color: { argb: COLOR.title } }, 48);
  put('HƯỚNG DẪN ĐIỀN MẪU VÀ NỘP BÁO CÁO', { bold: true, size: 13 }, 24);
  row += 1;
  put(unitLine(info), { bold: true });
  put(`Kỳ báo cáo: ${period.name} (mã kỳ: ${period.id}).`);
  put(windowLine(period));
  put(dueLine(period) + ' Tệp nhận sau thời điểm này được ghi nhận là nộp muộn.', { bold: true });
  row += 1;
  put('Các bước thực hiện', { bold: true, size: 13 }, 24);
  guideSteps(info).forEach((step, i) => {
    const n = ws.getCell(`A${row}`);
    n.value = i + 1;
    n.font = font({ bold: true });
    n.alignment = { horizontal: 'center', vertical: 'top' };
    const t = ws.getCell(`B${row}`);
    t.value = step;
    t.font = font();
    t.alignment = { wrapText: true, vertical: 'top' };
    ws.getRow(row).height = fitHeight([{ text: step, width: 100 }], 20);
    row += 1;
  });
  row += 1;
  put('Ô nền vàng là ô nhập liệu. Mọi thắc mắc, liên hệ Phòng Cải cách hành chính, Sở Nội vụ.', { italic: true, color: { argb: COLOR.note } });
  return ws;
}

function relationNotes(form: FormDef, unit: Unit): Map<string, string[]> {
  const notes = new Map<string, string[]>();
  for (const r of applicableRelations(form, unit)) {
    const text = r.description.replace(/\s*Nếu một vế để trống, quan hệ không được kiểm tra\.?/u, '').trim();
    for (const code of new Set(relationCodes(r))) {
      const list = notes.get(code) ?? [];
      list.push(text);
      notes.set(code, list);
    }
  }
  return notes;
}

function writeData(wb: ExcelJS.Workbook, layout: Layout, info: SheetInfo): ExcelJS.Worksheet {
  const data = layout.data!;
  const ws = wb.addWorksheet(data.sheet, { properties: { tabColor: { argb: 'FFFFC000' } } });
  ws.columns = [{ width: 11 }, { width: WIDTH.data.name }, { width: 13 }, { width: 14 }, { width: WIDTH.data.note }];
  writeHeaderBlock(
    ws,
    data.noteCol,
    info,
    'BIỂU SỐ LIỆU',
    'Chỉ nhập vào ô nền vàng (cột D). (*) Chỉ tiêu bắt buộc: nếu không phát sinh, nhập 0; ô để trống là "chưa báo cáo", khác với 0. Tỷ lệ (%) có thể để trống để hệ thống tự tính.',
  );
  const header = ws.getRow(data.headerRow);
  ['Mã chỉ tiêu', 'Chỉ tiêu', 'Đơn vị tính', 'Giá trị', 'Ghi chú / quan hệ'].forEach((label, i) => {
    const c = header.getCell(i + 1);
    c.value = label;
    styleHeader(c);
  });
  header.height = 24;

  const { form, unit } = info;
  const areas = new Map(form.areas.map((a) => [a.code, a]));
  for (const ar of data.areaRows) {
    const area = areas.get(ar.area);
    ws.mergeCells(`${data.codeCol}${ar.row}:${data.noteCol}${ar.row}`);
    const c = ws.getCell(`${data.codeCol}${ar.row}`);
    c.value = area ? areaLabel(area) : ar.area;
    c.font = font({ bold: true });
    c.fill = solid(COLOR.area);
    c.border = BOX;
    c.alignment = { vertical: 'middle' };
    ws.getRow(ar.row).height = 20;
  }

  const notes = relationNotes(form, unit);
  for (const ind of applicableIndicators(form, unit)) {
    const ref = layout.indicators[ind.code]!;
    const row = ws.getRow(ref.row);
    const put = (col: string, value: string, extra: Partial<ExcelJS.Font> = {}, h?: ExcelJS.Alignment['horizontal']): void => {
      const c = row.getCell(col);
      c.value = value;
      styleText(c, extra, h);
    };
    put(data.codeCol, ind.code, { bold: true }, 'center');
    put(data.nameCol, ind.required ? `${ind.name} (*)` : ind.name);
    put(data.measureCol, ind.measure, {}, 'center');
    const note = noteOf(ind, notes.get(ind.code) ?? []);
    put(data.noteCol, note, { size: 10, color: { argb: COLOR.note } });
    row.height = fitHeight([
      { text: ind.name + ' (*)', width: WIDTH.data.name },
      { text: note, width: WIDTH.data.note, size: 10 },
    ]);
    const input = cellAt(ws, ref);
    styleInput(input, NUM_FMT[ind.valueType]);
    input.alignment = { vertical: 'top', horizontal: ind.valueType === 'yesno' ? 'center' : 'right' };
    input.dataValidation = VALIDATION[ind.valueType];
  }
  return ws;
}

function noteOf(ind: IndicatorDef, relations: string[]): string {
  return [ind.hint ?? '', ...relations.map((r) => `• ${r}`)].filter((s) => s !== '').join('\n');
}

function writeTasks(wb: ExcelJS.Workbook, layout: Layout, info: SheetInfo): ExcelJS.Worksheet {
  const t = layout.tasks!;
  const ws = wb.addWorksheet(t.sheet, { properties: { tabColor: { argb: 'FFFFC000' } } });
  ws.getColumn('A').width = 6;
  for (const f of TASK_FIELDS) ws.getColumn(t.columns[f]).width = TASK_WIDTHS[f];
  const lastCol = TASK_FIELDS.map((f) => t.columns[f]).sort().at(-1)!;
  writeHeaderBlock(
    ws,
    lastCol,
    info,
    'DANH MỤC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH',
    `Mỗi dòng một nhiệm vụ, nhập vào ô nền vàng; tối đa ${t.maxRows} nhiệm vụ, các dòng không dùng để trống. Lĩnh vực chọn trong danh sách; thời hạn hoàn thành nhập dạng ngày/tháng/năm.`,
  );
  const header = ws.getRow(t.headerRow);
  const stt = header.getCell('A');
  stt.value = 'STT';
  styleHeader(stt);
  for (const f of TASK_FIELDS) {
    const c = header.getCell(t.columns[f]);
    c.value = TASK_LABELS[f];
    styleHeader(c);
  }
  header.height = 36;

  const areaList: ExcelJS.DataValidation = {
    type: 'list',
    formulae: [inlineList(taskAreaLabels(info.form))],
    allowBlank: true,
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: ERROR_TITLE,
    error: 'Chọn một trong 6 lĩnh vực cải cách trong danh sách.',
  };
  const year = info.period.year;
  const deadline: ExcelJS.DataValidation = {
    type: 'date',
    operator: 'between',
    formulae: [new Date(Date.UTC(year, 0, 1)), new Date(Date.UTC(year, 11, 31))],
    allowBlank: true,
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: ERROR_TITLE,
    error: `Nhập ngày theo dạng ngày/tháng/năm, từ 01/01/${year} đến 31/12/${year} (ví dụ 30/06/${year}).`,
    showInputMessage: true,
    promptTitle: 'Ngày/tháng/năm',
    prompt: `Ví dụ: 30/06/${year}`,
  };
  for (let i = 0; i < t.maxRows; i++) {
    const r = t.firstRow + i;
    const n = ws.getCell(`A${r}`);
    n.value = i + 1;
    styleText(n, {}, 'center');
    for (const f of TASK_FIELDS) {
      const c = taskCell(layout, i, f);
      const cell = ws.getCell(c.cell);
      styleInput(cell, f === 'deadline' ? DATE_FMT : '@', f !== 'deadline');
      if (f === 'deadline') cell.alignment = { vertical: 'top', horizontal: 'center' };
      if (f === 'area') cell.dataValidation = areaList;
      if (f === 'deadline') cell.dataValidation = deadline;
    }
  }
  return ws;
}

/** A two-column input sheet: labels in A, yellow inputs in B, the slot's header block on top. */
function labelValueSheet(wb: ExcelJS.Workbook, sheet: string, info: SheetInfo, valueWidth: number, title: string, note: string, headers: [string, string]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(sheet, { properties: { tabColor: { argb: 'FFFFC000' } } });
  ws.columns = [{ width: 30 }, { width: valueWidth }];
  writeHeaderBlock(ws, 'B', info, title, note);
  const header = ws.getRow(HEADER_ROWS + 1);
  headers.forEach((label, i) => {
    const c = header.getCell(i + 1);
    c.value = label;
    styleHeader(c);
  });
  header.height = 22;
  return ws;
}

function writeNarratives(wb: ExcelJS.Workbook, sheet: string, layout: Layout, info: SheetInfo): ExcelJS.Worksheet {
  const ws = labelValueSheet(wb, sheet, info, 72, 'PHẦN THUYẾT MINH', 'Viết nội dung từng mục vào ô nền vàng ở cột B. (*) Mục bắt buộc. Có thể xuống dòng trong ô bằng Alt+Enter.', [
    'Mục',
    'Nội dung thuyết minh của đơn vị',
  ]);
  info.form.narratives.forEach((n, i) => {
    const ref = layout.narratives[n.code]!;
    const label = ws.getCell(`A${ref.row}`);
    label.value = {
      richText: [
        { text: `${i + 1}. ${n.name}${n.required ? ' (*)' : ''}`, font: font({ bold: true }) },
        { text: `\n${n.hint}`, font: font({ italic: true, size: 10, color: { argb: COLOR.note } }) },
      ],
    };
    styleText(label);
    label.font = font({ bold: true });
    styleInput(cellAt(ws, ref), '@', true);
    ws.getRow(ref.row).height = 150;
  });
  return ws;
}

function signingNote(unit: Unit): string[] {
  const head = unit.headTitle;
  const deputy = deputyTitle(head);
  const lines = [
    `Người ký phải là lãnh đạo ${unit.name}:`,
    `• ${head} ký trực tiếp: hình thức ký chọn "${SIGNING_FORMS[0]!.label}".`,
    `• ${deputy} ký thay: hình thức ký "KT.", chức vụ ghi "${deputy}".`,
  ];
  if (unit.kind === 'district') {
    lines.push(`• Văn bản của UBND ký "TM. Ủy ban nhân dân": người ký là ${head} hoặc ${deputy} UBND.`);
  }
  lines.push(
    '• Người được giao quyền người đứng đầu ký "Q.".',
    '• Không chấp nhận "TL." (thừa lệnh) và "TUQ." (thừa ủy quyền): báo cáo sẽ bị trả lại.',
    'Ngày ban hành nhập dạng ngày/tháng/năm (ví dụ 15/03/2021).',
  );
  return lines;
}

function writeSigning(wb: ExcelJS.Workbook, sheet: string, layout: Layout, info: SheetInfo): ExcelJS.Worksheet {
  const ws = labelValueSheet(wb, sheet, info, 70, 'THÔNG TIN KÝ BAN HÀNH', 'Nhập vào ô nền vàng ở cột B. Báo cáo phải do lãnh đạo đơn vị ký.', [
    'Nội dung',
    'Thông tin của văn bản báo cáo',
  ]);
  const labels = SIGNING_FORMS.map((f) => f.label);
  let last = HEADER_ROWS + 1;
  for (const f of SIGNATURE_FIELDS) {
    const ref = layout.signature[f];
    const label = ws.getCell(`A${ref.row}`);
    label.value = SIGNATURE_LABELS[f];
    styleText(label, { bold: true });
    label.alignment = { vertical: 'middle', wrapText: true };
    const input = cellAt(ws, ref);
    styleInput(input, f === 'issueDate' ? DATE_FMT : '@');
    input.alignment = { vertical: 'middle', horizontal: 'left' };
    ws.getRow(ref.row).height = 24;
    if (f === 'signingForm') {
      input.dataValidation = {
        type: 'list',
        formulae: [inlineList(labels)],
        allowBlank: true,
        showErrorMessage: true,
        errorStyle: 'stop',
        errorTitle: ERROR_TITLE,
        error: 'Chọn hình thức ký trong danh sách.',
      };
    }
    if (f === 'issueDate') {
      input.dataValidation = {
        type: 'date',
        operator: 'greaterThan',
        formulae: [new Date(Date.UTC(2000, 0, 1))],
        allowBlank: true,
        showErrorMessage: true,
        errorStyle: 'stop',
        errorTitle: ERROR_TITLE,
        error: 'Nhập ngày ban hành theo dạng ngày/tháng/năm, ví dụ 15/03/2021.',
        showInputMessage: true,
        promptTitle: 'Ngày/tháng/năm',
        prompt: 'Ví dụ: 15/03/2021',
      };
    }
    last = Math.max(last, ref.row);
  }
  let row = last + 2;
  signingNote(info.unit).forEach((line, i) => {
    ws.mergeCells(`A${row}:B${row}`);
    const c = ws.getCell(`A${row}`);
    c.value = line;
    c.font = font(i === 0 ? { bold: true } : { size: 11, color: { argb: COLOR.note } });
    c.alignment = { wrapText: true, vertical: 'top' };
    ws.getRow(row).height = fitHeight([{ text: line, width: 100, size: i === 0 ? 12 : 11 }]);
    row += 1;
  });
  return ws;
}

async function writeMeta(wb: ExcelJS.Workbook, name: string, meta: TemplateMeta, key: string): Promise<void> {
  const ws = wb.addWorksheet(name);
  ws.state = 'veryHidden';
  META_FIELDS.forEach((k, i) => {
    ws.getCell(`A${i + 1}`).value = k;
    ws.getCell(`B${i + 1}`).value = String(meta[k]);
  });
  ws.getCell(`A${META_FIELDS.length + 1}`).value = 'sig';
  ws.getCell(`B${META_FIELDS.length + 1}`).value = signMeta(meta, key);
  await ws.protect('', { selectLockedCells: true, selectUnlockedCells: true });
}

// ---------------------------------------------------------------- fill

function applyFill(wb: ExcelJS.Workbook, layout: Layout, form: FormDef, fill: TemplateFill): void {
  const put = (ref: CellRef, value: ExcelJS.CellValue): void => {
    const ws = wb.getWorksheet(ref.sheet);
    if (!ws) throw new Error(`Sheet ${ref.sheet} missing`);
    ws.getCell(ref.cell).value = value;
  };
  const blank = (v: unknown): boolean => v === null || v === undefined || v === '';
  for (const [code, v] of Object.entries(fill.values ?? {})) {
    const ref = layout.indicators[code];
    if (!ref) throw new Error(`Indicator ${code} is not in this template`);
    if (!blank(v)) put(ref, v);
  }
  for (const [code, v] of Object.entries(fill.narratives ?? {})) {
    const ref = layout.narratives[code];
    if (!ref) throw new Error(`Narrative ${code} is not in this template`);
    if (!blank(v)) put(ref, v);
  }
  const areaByCode = new Map(form.areas.map((a) => [a.code, areaLabel(a)]));
  const tasks = fill.tasks ?? [];
  if (tasks.length > 0 && !layout.tasks) throw new Error('This form has no task table');
  if (layout.tasks && tasks.length > layout.tasks.maxRows) throw new Error(`At most ${layout.tasks.maxRows} tasks`);
  tasks.forEach((task, i) => {
    const shown: { text: string; width: number }[] = [];
    for (const f of TASK_FIELDS) {
      const v = task[f];
      if (blank(v)) continue;
      const value = f === 'area' ? (areaByCode.get(v!) ?? v!) : f === 'deadline' ? dateOrText(v!) : v!;
      put(taskCell(layout, i, f), value);
      shown.push({ text: value instanceof Date ? 'dd/mm/yyyy' : value, width: TASK_WIDTHS[f] });
    }
    if (shown.length > 0) wb.getWorksheet(layout.tasks!.sheet)!.getRow(layout.tasks!.firstRow + i).height = fitHeight(shown);
  });
  const sig = fill.signature ?? {};
  for (const f of SIGNATURE_FIELDS) {
    const v = sig[f];
    if (blank(v)) continue;
    const value = f === 'signingForm' ? (SIGNING_FORMS.find((s) => s.code === v)?.label ?? v!) : f === 'issueDate' ? dateOrText(v!) : v!;
    put(layout.signature[f], value);
  }
}

// ---------------------------------------------------------------- entry point

/** Writes the template of a form for a unit and period, optionally filled, as .xlsx bytes. */
export async function writeTemplate(opts: WriteTemplateOptions): Promise<Buffer> {
  const { form, unit, period, meta, key, fill } = opts;
  const layout = layoutOf(form, unit);
  const info: SheetInfo = { form, unit, period };
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Hệ thống báo cáo CCHC - Sở Nội vụ';
  wb.created = new Date(meta.issuedAt);
  wb.modified = new Date(meta.issuedAt);
  wb.title = `${form.title} - ${period.name} - ${unit.name}`;

  for (const name of layout.sheets) {
    switch (name) {
      case SHEETS.guide:
        await finishSheet(writeGuide(wb, name, info), { orientation: 'portrait' });
        break;
      case SHEETS.data: {
        const row = layout.data!.headerRow;
        await finishSheet(writeData(wb, layout, info), { orientation: 'landscape', freezeRow: row, printTitleRow: row });
        break;
      }
      case SHEETS.tasks: {
        const row = layout.tasks!.headerRow;
        await finishSheet(writeTasks(wb, layout, info), { orientation: 'landscape', freezeRow: row, printTitleRow: row });
        break;
      }
      case SHEETS.text:
        await finishSheet(writeNarratives(wb, name, layout, info), { orientation: 'portrait', freezeRow: HEADER_ROWS + 1 });
        break;
      case SHEETS.sign:
        await finishSheet(writeSigning(wb, name, layout, info), { orientation: 'portrait' });
        break;
      case SHEETS.meta:
        await writeMeta(wb, name, meta, key);
        break;
      default:
        throw new Error(`No writer for sheet ${name}`);
    }
  }
  if (fill) applyFill(wb, layout, form, fill);
  wb.views = [{ x: 0, y: 0, width: 20000, height: 12000, firstSheet: 0, activeTab: 0, visibility: 'visible' }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

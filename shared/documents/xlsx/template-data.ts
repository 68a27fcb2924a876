import type ExcelJS from 'exceljs';
import { applicableIndicators, applicableRelations, areaLabel, relationCodes } from '../../domain/forms.js';
import type { CellRef, Layout } from '../../domain/layout.js';
import type { FormDef, IndicatorDef, Unit, ValueType } from '../../domain/types.js';
import { BOX, COLOR, ERROR_TITLE, NUM_FMT, cellAt, fitHeight, font, inlineList, solid, styleHeader, styleInput, styleText } from './template-look.js';
import { writeHeaderBlock, type SheetInfo } from './template-sheet.js';

/** The data sheet of a report template: one row per applicable indicator, grouped by area, the value in a yellow cell. */

/** Data validation of an indicator's input cell by value type. */
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

/** Widths of the name and note columns (also used to estimate row heights). */
const WIDTH = { name: 52, note: 56 } as const;

const LEGEND =
  'Chỉ nhập vào ô nền vàng (cột D). (*) Chỉ tiêu bắt buộc: nếu không phát sinh, nhập 0; ô để trống là "chưa báo cáo", khác với 0. ' +
  'Tỷ lệ (%) có thể để trống để hệ thống tự tính.';

/** The relations that apply to the unit, by each indicator they involve, as the note column states them. */
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

/** An indicator's note: its hint, then one bullet per relation it is in. */
function noteOf(ind: IndicatorDef, relations: string[]): string {
  return [ind.hint ?? '', ...relations.map((r) => `• ${r}`)].filter((s) => s !== '').join('\n');
}

/** The table's header row. */
function writeDataHeader(ws: ExcelJS.Worksheet, headerRow: number): void {
  const header = ws.getRow(headerRow);
  ['Mã chỉ tiêu', 'Chỉ tiêu', 'Đơn vị tính', 'Giá trị', 'Ghi chú / quan hệ'].forEach((label, i) => {
    const c = header.getCell(i + 1);
    c.value = label;
    styleHeader(c);
  });
  header.height = 24;
}

/** The row heading each area's indicators, merged across the table. */
function writeAreaRows(ws: ExcelJS.Worksheet, data: NonNullable<Layout['data']>, form: FormDef): void {
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
}

/** One indicator's row: code, name ((*) when required), measure, note, and its validated input cell. */
function writeIndicatorRow(ws: ExcelJS.Worksheet, data: NonNullable<Layout['data']>, ref: CellRef, ind: IndicatorDef, relations: string[]): void {
  const row = ws.getRow(ref.row);
  const put = (col: string, value: string, extra: Partial<ExcelJS.Font> = {}, h?: ExcelJS.Alignment['horizontal']): void => {
    const c = row.getCell(col);
    c.value = value;
    styleText(c, extra, h);
  };
  put(data.codeCol, ind.code, { bold: true }, 'center');
  put(data.nameCol, ind.required ? `${ind.name} (*)` : ind.name);
  put(data.measureCol, ind.measure, {}, 'center');
  const note = noteOf(ind, relations);
  put(data.noteCol, note, { size: 10, color: { argb: COLOR.note } });
  row.height = fitHeight([
    { text: `${ind.name} (*)`, width: WIDTH.name },
    { text: note, width: WIDTH.note, size: 10 },
  ]);
  const input = cellAt(ws, ref);
  styleInput(input, NUM_FMT[ind.valueType]);
  input.alignment = { vertical: 'top', horizontal: ind.valueType === 'yesno' ? 'center' : 'right' };
  input.dataValidation = VALIDATION[ind.valueType];
}

/** Writes the data sheet: header block, table header, area rows, then a row per indicator applicable to the unit. */
export function writeData(wb: ExcelJS.Workbook, layout: Layout, info: SheetInfo): ExcelJS.Worksheet {
  const data = layout.data!;
  const ws = wb.addWorksheet(data.sheet, { properties: { tabColor: { argb: 'FFFFC000' } } });
  ws.columns = [{ width: 11 }, { width: WIDTH.name }, { width: 13 }, { width: 14 }, { width: WIDTH.note }];
  writeHeaderBlock(ws, data.noteCol, info, 'BIỂU SỐ LIỆU', LEGEND);
  writeDataHeader(ws, data.headerRow);
  const { form, unit } = info;
  writeAreaRows(ws, data, form);
  const notes = relationNotes(form, unit);
  for (const ind of applicableIndicators(form, unit)) {
    writeIndicatorRow(ws, data, layout.indicators[ind.code]!, ind, notes.get(ind.code) ?? []);
  }
  return ws;
}

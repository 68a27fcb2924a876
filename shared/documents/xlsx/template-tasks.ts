import type ExcelJS from 'exceljs';
import { areaLabel } from '../../domain/forms.js';
import { TASK_FIELDS, TASK_LABELS, taskCell } from '../../domain/layout.js';
import type { Layout } from '../../domain/layout.js';
import type { FormDef, PlanTask } from '../../domain/types.js';
import { DATE_FMT, ERROR_TITLE, inlineList, styleHeader, styleInput, styleText } from './template-look.js';
import { writeHeaderBlock, type SheetInfo } from './template-sheet.js';

/** The task sheet of a plan template: a numbered table of yellow input rows, one task per row. */

/** Column widths of the task fields (also used to estimate the heights of filled rows). */
export const TASK_WIDTHS: Record<Exclude<keyof PlanTask, 'row'>, number> = {
  area: 24,
  content: 40,
  expectedResult: 28,
  deadline: 13,
  leadAgency: 18,
  coordinatingAgencies: 20,
  resources: 18,
};

/** Labels of the reform areas a plan task may belong to (the six numbered ones). */
export function taskAreaLabels(form: FormDef): string[] {
  return form.areas.filter((a) => a.no !== undefined).map(areaLabel);
}

/** The list of the six reform areas for the area column. */
function areaValidation(form: FormDef): ExcelJS.DataValidation {
  return {
    type: 'list',
    formulae: [inlineList(taskAreaLabels(form))],
    allowBlank: true,
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: ERROR_TITLE,
    error: 'Chọn một trong 6 lĩnh vực cải cách trong danh sách.',
  };
}

/** A date within the plan's year for the deadline column. */
function deadlineValidation(year: number): ExcelJS.DataValidation {
  return {
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
}

/** The table's header row: STT, then the task fields. */
function writeTaskHeader(ws: ExcelJS.Worksheet, t: NonNullable<Layout['tasks']>): void {
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
}

/** The numbered input rows: text cells, the area from its list, the deadline as a date of the plan's year. */
function writeTaskRows(ws: ExcelJS.Worksheet, layout: Layout, info: SheetInfo): void {
  const t = layout.tasks!;
  const areaList = areaValidation(info.form);
  const deadline = deadlineValidation(info.period.year);
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
}

/** Writes the task sheet: column widths, header block, table header and the input rows. */
export function writeTasks(wb: ExcelJS.Workbook, layout: Layout, info: SheetInfo): ExcelJS.Worksheet {
  const t = layout.tasks!;
  const ws = wb.addWorksheet(t.sheet, { properties: { tabColor: { argb: 'FFFFC000' } } });
  ws.getColumn('A').width = 6;
  for (const f of TASK_FIELDS) ws.getColumn(t.columns[f]).width = TASK_WIDTHS[f];
  const lastCol = TASK_FIELDS.map((f) => t.columns[f])
    .sort()
    .at(-1)!;
  writeHeaderBlock(
    ws,
    lastCol,
    info,
    'DANH MỤC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH',
    `Mỗi dòng một nhiệm vụ, nhập vào ô nền vàng; tối đa ${t.maxRows} nhiệm vụ, các dòng không dùng để trống. ` +
      'Lĩnh vực chọn trong danh sách; thời hạn hoàn thành nhập dạng ngày/tháng/năm.',
  );
  writeTaskHeader(ws, t);
  writeTaskRows(ws, layout, info);
  return ws;
}

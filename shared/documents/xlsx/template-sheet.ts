import type ExcelJS from 'exceljs';
import { formatInstantVi, formatWindow } from '../../domain/calendar.js';
import { formatDateVi } from '../../domain/dates.js';
import { topicOf } from '../../domain/forms.js';
import { HEADER_ROWS } from '../../domain/layout.js';
import type { FormDef, Period, Unit } from '../../domain/types.js';
import { COLOR, FONT, fitHeight, font, styleHeader } from './template-look.js';

/**
 * What the template's sheets have in common: the slot they are for, the header block on top of the
 * data, task, text and signing sheets, and the page setup and protection every sheet ends with.
 */

/** The slot a template is for. */
export interface SheetInfo {
  form: FormDef;
  unit: Unit;
  period: Period;
}

/** The form title in capitals, completed with the year when it ends with "năm" (the plan's title). */
export function titleOf(form: FormDef, period: Period): string {
  const t = form.title.toLocaleUpperCase('vi');
  return /\sNĂM$/u.test(t) ? `${t} ${period.year}` : t;
}

/** The due date and the deadline, in Vietnamese. */
export function dueLine(period: Period): string {
  return `Hạn nộp: ngày ${formatDateVi(period.dueDate)} (hạn nhận: ${formatInstantVi(period.deadline)}, giờ Việt Nam).`;
}

/** The data window, with the window printed in the letter when the system applies another. */
export function windowLine(period: Period): string {
  if (!period.dataWindow) return 'Thời gian chốt số liệu: không áp dụng cho kỳ này.';
  let line = `Thời gian chốt số liệu: ${formatWindow(period.dataWindow)}.`;
  if (period.printedDataWindow) {
    line +=
      ` Công văn 1588/SNV-CCHC ghi ${formatWindow(period.printedDataWindow)}; hệ thống áp dụng ${formatWindow(period.dataWindow)} ` +
      'theo quy tắc của Nghị định 09/2019/NĐ-CP.';
  }
  return line;
}

/** The reporting unit, with its topic for a thematic report. */
export function unitLine(info: SheetInfo): string {
  const topic = info.form.kind === 'thematic' ? topicOf(info.form, info.unit) : undefined;
  return `Đơn vị báo cáo: ${info.unit.name}${topic ? `. Chủ đề: ${topic.name}.` : ''}`;
}

/** Rows 1..HEADER_ROWS of the data, task, text and signing sheets: title and the slot's identity. */
export function writeHeaderBlock(ws: ExcelJS.Worksheet, lastCol: string, info: SheetInfo, sheetTitle: string, legend: string): void {
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

/** A two-column input sheet: labels in A, yellow inputs in B, the slot's header block on top. */
export function labelValueSheet(
  wb: ExcelJS.Workbook,
  sheet: string,
  info: SheetInfo,
  valueWidth: number,
  title: string,
  note: string,
  headers: [string, string],
): ExcelJS.Worksheet {
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

/** Views (frozen header when given), A4 page setup, footer, and protection (locked cells stay locked). */
export async function finishSheet(
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

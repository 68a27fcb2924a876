import type ExcelJS from 'exceljs';
import type { CellRef } from '../../domain/layout.js';
import type { ValueType } from '../../domain/types.js';

/**
 * The look of the template every sheet shares (template-writer.ts): fonts, colours, borders, the
 * styles of input, header and text cells, row heights estimated for wrapped text, inline lists.
 */

export const FONT = 'Times New Roman';
export const COLOR = {
  input: 'FFFFF2CC',
  header: 'FFDDEBF7',
  area: 'FFF2F2F2',
  border: 'FF8C8C8C',
  title: 'FF1F3864',
  note: 'FF404040',
};

const thin = { style: 'thin' as const, color: { argb: COLOR.border } };
export const BOX: Partial<ExcelJS.Borders> = { top: thin, left: thin, bottom: thin, right: thin };

/** A solid fill of the given colour. */
export function solid(argb: string): ExcelJS.Fill {
  return { type: 'pattern', pattern: 'solid', fgColor: { argb } };
}

/** The template's font (12-point Times New Roman) with the given overrides. */
export function font(extra: Partial<ExcelJS.Font> = {}): Partial<ExcelJS.Font> {
  return { name: FONT, size: 12, ...extra };
}

/** The title of every data validation's error box. */
export const ERROR_TITLE = 'Giá trị không hợp lệ';

/** Number format of an input cell by value type. */
export const NUM_FMT: Record<ValueType, string> = { count: '#,##0', rate: 'General', amount: 'General', yesno: '@' };
export const DATE_FMT = 'dd/mm/yyyy';

/** An Excel inline list (`"a,b,c"`), checked against Excel's 255-character limit. */
export function inlineList(items: string[]): string {
  const body = items.join(',');
  if (body.length > 253 || items.some((i) => i.includes(',') || i.includes('"'))) {
    throw new Error(`Inline validation list too long or malformed: ${body}`);
  }
  return `"${body}"`;
}

/** The cell a layout position names, on the given sheet. */
export function cellAt(ws: ExcelJS.Worksheet, ref: CellRef): ExcelJS.Cell {
  return ws.getCell(ref.cell);
}

/** An input cell: yellow, boxed, unlocked, with its number format (wrapped and left-aligned for text). */
export function styleInput(cell: ExcelJS.Cell, numFmt: string, wrap = false): void {
  cell.fill = solid(COLOR.input);
  cell.border = BOX;
  cell.font = font();
  cell.numFmt = numFmt;
  cell.alignment = { vertical: 'top', wrapText: wrap, horizontal: wrap ? 'left' : undefined };
  cell.protection = { locked: false };
}

/** A table header cell: blue, boxed, bold, centred. */
export function styleHeader(cell: ExcelJS.Cell): void {
  cell.fill = solid(COLOR.header);
  cell.border = BOX;
  cell.font = font({ bold: true });
  cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
}

/** A boxed, wrapped text cell. */
export function styleText(cell: ExcelJS.Cell, extra: Partial<ExcelJS.Font> = {}, horizontal?: ExcelJS.Alignment['horizontal']): void {
  cell.border = BOX;
  cell.font = font(extra);
  cell.alignment = { vertical: 'top', wrapText: true, horizontal };
}

/**
 * Row height (points) that shows wrapped text whole. Neither Excel nor LibreOffice measures rows when
 * opening a file, so the height is estimated: about 1.2 characters of 12-point Times New Roman per
 * unit of column width (measured with LibreOffice, rounded down).
 */
export function fitHeight(cells: { text: string; width: number; size?: number }[], min = 18): number {
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

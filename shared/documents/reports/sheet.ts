import type ExcelJS from 'exceljs';

/**
 * A small layout helper over exceljs for print-ready report sheets: rows written top to bottom,
 * merged spans with borders on every constituent cell, row heights estimated for wrapped text
 * (neither Excel nor LibreOffice measures rows when opening a file), and every string written as a
 * text cell (type string, number format "@"), never as a formula.
 */

const FONT = 'Times New Roman';
export const MONO = 'Courier New';

export const COLOR = {
  title: 'FF1F3864',
  header: 'FFDDEBF7',
  section: 'FFF2F2F2',
  total: 'FFFFF2CC',
  border: 'FF8C8C8C',
  note: 'FF404040',
  na: 'FFE7E6E6',
  good: 'FF1B7F3B',
  warn: 'FF9C5700',
  bad: 'FFB00020',
  warnFill: 'FFFFF4E5',
  badFill: 'FFFDECEE',
  muted: 'FF7F7F7F',
} as const;

const thin = { style: 'thin' as const, color: { argb: COLOR.border } };
const BOX: Partial<ExcelJS.Borders> = { top: thin, left: thin, bottom: thin, right: thin };

/** A solid fill of the given colour. */
function solid(argb: string): ExcelJS.Fill {
  return { type: 'pattern', pattern: 'solid', fgColor: { argb } };
}

/**
 * A string as it must be stored so that every reader gets it back unchanged: a literal `_xHHHH_`
 * (which OOXML readers decode as an escaped character) is itself escaped, and CR (which XML parsers
 * turn into LF) is written as `_x000D_`. exceljs drops the other control characters XML cannot carry.
 */
function storedText(s: string): string {
  return s.replace(/_(x[0-9A-Fa-f]{4}_)/g, '_x005F_$1').replace(/\r/g, '_x000D_');
}

export interface CellSpec {
  /** First column (1-based). */
  col: number;
  /** Last column of a merged span (inclusive); default `col`. */
  to?: number;
  value: string | number | null;
  /** Number format for numbers (default "#,##0"). */
  numFmt?: string;
  font?: Partial<ExcelJS.Font>;
  fill?: string;
  align?: Partial<ExcelJS.Alignment>;
  border?: boolean;
}

export interface SheetOptions {
  orientation: 'portrait' | 'landscape';
  /** Default font size of the sheet. */
  size?: number;
  tabColor?: string;
}

/** Options of a text line: alignment, fill, minimum height, the span (default the whole width), borders (default none). */
export interface LineOptions {
  align?: Partial<ExcelJS.Alignment>;
  fill?: string;
  minHeight?: number;
  from?: number;
  to?: number;
  border?: boolean;
}

/**
 * Characters per unit of column width at the given size: about 1.3 of 12-point Times New Roman
 * (Vietnamese text, measured with LibreOffice's metric-compatible Liberation Serif and rounded down
 * so that Excel does not clip), and the fixed advance of Courier New.
 */
function charsPerUnit(size: number, mono: boolean): number {
  return mono ? (1.09 * 8) / size : (1.3 * 12) / size;
}

/** How many lines a text takes when wrapped in a span of the given width (each paragraph at least one). */
function lineCount(text: string, width: number, size: number, mono = false): number {
  const perLine = Math.max(1, Math.floor(width * charsPerUnit(size, mono)));
  return text.split('\n').reduce((acc, p) => acc + Math.max(1, Math.ceil([...p].length / perLine)), 0);
}

/** A report sheet being written, row by row from the top. */
export class ReportSheet {
  readonly ws: ExcelJS.Worksheet;
  /** The next row to write. */
  row = 1;
  readonly size: number;
  readonly widths: number[];
  private readonly orientation: 'portrait' | 'landscape';

  constructor(wb: ExcelJS.Workbook, name: string, widths: number[], opts: SheetOptions) {
    this.ws = wb.addWorksheet(name, { properties: opts.tabColor ? { tabColor: { argb: opts.tabColor } } : {} });
    this.ws.columns = widths.map((width) => ({ width }));
    this.widths = widths;
    this.size = opts.size ?? 11;
    this.ws.properties.defaultRowHeight = 16;
    this.orientation = opts.orientation;
  }

  /** The last column of the sheet. */
  get lastCol(): number {
    return this.widths.length;
  }

  /** The width of a span of columns. */
  width(from: number, to: number): number {
    let w = 0;
    for (let c = from; c <= to; c++) w += this.widths[c - 1] ?? 9;
    return w;
  }

  /** The sheet's font with the given overrides. */
  font(extra: Partial<ExcelJS.Font> = {}): Partial<ExcelJS.Font> {
    return { name: FONT, size: this.size, ...extra };
  }

  /** Writes one row of cells (merged where `to` is given) and sets its height; returns the row number. */
  cells(specs: CellSpec[], minHeight = 18): number {
    const r = this.row;
    let height = minHeight;
    for (const s of specs) {
      const to = s.to ?? s.col;
      if (to > s.col) this.ws.mergeCells(r, s.col, r, to);
      const f = this.font(s.font);
      const isText = typeof s.value === 'string';
      for (let c = s.col; c <= to; c++) {
        const cell = this.ws.getCell(r, c);
        if (s.border !== false) cell.border = BOX;
        if (s.fill) cell.fill = solid(s.fill);
        cell.font = f;
        cell.numFmt = isText || (s.value === null && !s.numFmt) ? '@' : (s.numFmt ?? '#,##0');
      }
      const cell = this.ws.getCell(r, s.col);
      cell.value = isText ? storedText(s.value as string) : s.value;
      cell.alignment = {
        vertical: 'middle',
        wrapText: isText,
        horizontal: isText ? 'left' : 'right',
        ...s.align,
      };
      if (isText) {
        const size = f.size ?? this.size;
        const lines = lineCount(s.value as string, this.width(s.col, to) - 0.8, size, f.name === MONO);
        height = Math.max(height, Math.ceil(lines * size * 1.25 + 5));
      }
    }
    this.ws.getRow(r).height = Math.min(409, height);
    this.row += 1;
    return r;
  }

  /** A text line across the whole width (or a span), without borders. */
  line(text: string, font: Partial<ExcelJS.Font> = {}, opts: LineOptions = {}): number {
    const align: Partial<ExcelJS.Alignment> = { vertical: 'middle', ...opts.align };
    return this.cells(
      [{ col: opts.from ?? 1, to: opts.to ?? this.lastCol, value: text, font, fill: opts.fill, align, border: opts.border ?? false }],
      opts.minHeight ?? 18,
    );
  }

  /** A header row of a table. */
  header(specs: { col: number; to?: number; label: string }[], minHeight = 30): number {
    return this.cells(
      specs.map((s) => ({
        col: s.col,
        to: s.to,
        value: s.label,
        font: { bold: true },
        fill: COLOR.header,
        align: { horizontal: 'center', vertical: 'middle' },
      })),
      minHeight,
    );
  }

  /** An empty row of the given height. */
  gap(height = 8): void {
    this.ws.getRow(this.row).height = height;
    this.row += 1;
  }

  /** Page setup, footer (the text, the sheet name, the page number), views. */
  finish(opts: { footer: string; freezeRow?: number; freezeCol?: number; printTitleRow?: number }): void {
    const ws = this.ws;
    ws.views = [
      opts.freezeRow
        ? {
            state: 'frozen',
            ySplit: opts.freezeRow,
            xSplit: opts.freezeCol ?? 0,
            topLeftCell: `${colName((opts.freezeCol ?? 0) + 1)}${opts.freezeRow + 1}`,
            showGridLines: false,
          }
        : { state: 'normal', showGridLines: false },
    ];
    ws.pageSetup = {
      paperSize: 9,
      orientation: this.orientation,
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      horizontalCentered: true,
      margins: { left: 0.45, right: 0.45, top: 0.55, bottom: 0.6, header: 0.25, footer: 0.3 },
      ...(opts.printTitleRow ? { printTitlesRow: `${opts.printTitleRow}:${opts.printTitleRow}` } : {}),
    };
    ws.pageSetup.printArea = `A1:${colName(this.lastCol)}${Math.max(1, this.row - 1)}`;
    const f = `&"${FONT},Regular"&9`;
    ws.headerFooter = {
      oddFooter: `&L${f}${footerText(opts.footer)} — &A&R${f}Trang &P/&N`,
    };
  }
}

/** Text for a header/footer section: `&` doubled so it is not read as a code. */
function footerText(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/&/g, '&&');
}

/** The letters of a column (1 → A, 27 → AA). */
function colName(n: number): string {
  let s = '';
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

const FORBIDDEN = /[[\]:*?/\\]/g;

/** A valid, unique worksheet name (≤ 31 characters, none of `[]:*?/\`, not starting or ending with '). */
export function sheetName(wanted: string, taken: Set<string>): string {
  let base =
    wanted
      .replace(FORBIDDEN, '-')
      .replace(/^'+|'+$/g, '')
      .trim() || 'Trang';
  base = [...base].slice(0, 31).join('').trim();
  let name = base;
  for (let n = 2; [...taken].some((t) => t.toLocaleLowerCase('vi') === name.toLocaleLowerCase('vi')); n++) {
    const suffix = ` (${n})`;
    name =
      [...base]
        .slice(0, 31 - suffix.length)
        .join('')
        .trim() + suffix;
  }
  taken.add(name);
  return name;
}

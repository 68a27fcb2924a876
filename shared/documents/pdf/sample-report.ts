/**
 * A unit's CCHC report for a period as a real PDF, laid out as an administrative document of
 * Nghị định 30/2020/NĐ-CP (Phụ lục I): the unit and the national motto side by side, number and
 * date, the document's kind and summary (trích yếu), "Kính gửi", sections I–IV, the signature block and
 * "Nơi nhận". Written with pdf-lib in DejaVu Serif (every Vietnamese glyph), A4, and marked on every
 * page as a sample made by the system for trying it out: the demo and the CLI sign it with the demo
 * CA. Never on the path of the functions that check uploads.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { degrees, PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import { findPeriod } from '../../domain/calendar.js';
import { formatDateVi } from '../../domain/dates.js';
import { applicableIndicators, currentForm } from '../../domain/forms.js';
import { parseSignerTitle } from '../../domain/signing.js';
import type { FormDef, Period, Submission, Unit } from '../../domain/types.js';
import { defaultUnits, findUnit } from '../../domain/units.js';
import { fontsDir } from '../fonts.js';

/** The line every page carries, so that nobody takes the file for a real report. */
export const SAMPLE_NOTICE = 'Bản mẫu do hệ thống tạo để thử nghiệm — không có giá trị pháp lý';

export interface SampleReportInput {
  /** The report's content: narratives, figures and the signature block (what the data form says too). */
  submission: Submission;
  units?: readonly Unit[];
  /** The fonts' folder (default: the dejavu-fonts-ttf package). */
  fontsDir?: string;
}

const A4: [number, number] = [595.28, 841.89];
const MM = 72 / 25.4;
/** Margins of Nghị định 30/2020: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm. */
const MARGIN = { top: 20 * MM, bottom: 20 * MM, left: 30 * MM, right: 20 * MM };
const BODY = 13;
const LEADING = 1.38;
const INK = rgb(0, 0, 0);
const RED = rgb(0.72, 0.08, 0.08);
const GREY = rgb(0.45, 0.45, 0.45);
const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X'];
const PROVINCE = 'Thừa Thiên Huế';

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  italic: PDFFont;
  boldItalic: PDFFont;
}

let fontBytes: Promise<Record<keyof Fonts, Uint8Array>> | null = null;

/** The four DejaVu Serif (condensed) faces, read once per process. */
function loadFontBytes(dir?: string): Promise<Record<keyof Fonts, Uint8Array>> {
  if (!fontBytes || dir) {
    const folder = fontsDir(dir);
    const read = (name: string) => readFile(join(folder, name)).then((b) => new Uint8Array(b));
    // The condensed faces: DejaVu Serif at its regular width is far wider than the Times faces
    // administrative documents are set in, and the header's two columns would not fit.
    const loading = Promise.all([
      read('DejaVuSerifCondensed.ttf'),
      read('DejaVuSerifCondensed-Bold.ttf'),
      read('DejaVuSerifCondensed-Italic.ttf'),
      read('DejaVuSerifCondensed-BoldItalic.ttf'),
    ]).then(([regular, bold, italic, boldItalic]) => ({ regular, bold, italic, boldItalic }));
    if (dir) return loading;
    fontBytes = loading;
    fontBytes.catch(() => {
      fontBytes = null;
    });
  }
  return fontBytes;
}

/** "ngày 05 tháng 3 năm 2021": days below 10 and the months January and February take a leading zero (Nghị định 30/2020). */
export function documentDate(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = String(d).padStart(2, '0');
  const month = m <= 2 ? String(m).padStart(2, '0') : String(m);
  return `ngày ${day} tháng ${month} năm ${y}`;
}

/** What the report is about: "quý I năm 2021", "6 tháng đầu năm 2021", "năm 2021". */
function periodPhrase(period: Period): string {
  const y = period.year;
  const phrases: Record<Period['type'], string> = {
    PLAN: `năm ${y}`,
    Q1: `quý I năm ${y}`,
    H1: `6 tháng đầu năm ${y}`,
    Q3: `quý III năm ${y}`,
    YEAR: `năm ${y}`,
    THEMATIC: `năm ${y}`,
  };
  return phrases[period.type];
}

/** The document's kind and its summary line (trích yếu). */
function titleOf(period: Period): { kind: string; summary: string } {
  const when = periodPhrase(period);
  if (period.kind === 'plan') return { kind: 'KẾ HOẠCH', summary: `Cải cách hành chính ${when}` };
  if (period.kind === 'thematic') return { kind: 'BÁO CÁO', summary: `Chuyên đề về tình hình triển khai công tác cải cách hành chính ${when}` };
  return { kind: 'BÁO CÁO', summary: `Kết quả thực hiện công tác cải cách hành chính ${when}` };
}

/** The issuing authority above the unit's name (cơ quan chủ quản), where there is one. */
function parentOf(unit: Unit): string | null {
  return unit.kind === 'department' ? `UBND TỈNH ${PROVINCE.toLocaleUpperCase('vi')}` : null;
}

const upper = (s: string) => s.toLocaleUpperCase('vi');

/** The unit's name as a header writes it: capitals, "UBND" in full. */
function headerName(unit: Unit): string {
  return upper(unit.name.replace(/^UBND\b/, 'Ủy ban nhân dân'));
}

/** The lines above the signer's name: authority word, office (Nghị định 30/2020, Phụ lục I, mục 8). */
export function signatureLines(unit: Unit, signature: Submission['signature'], units: readonly Unit[] = defaultUnits): string[] {
  const title = signature.signerTitle ?? unit.headTitle;
  const parsed = parseSignerTitle(unit, title, units);
  const office = parsed.office ?? title;
  const form = (signature.signingForm ?? '').trim().toUpperCase();
  const deputy = parsed.rank === 'deputy';
  if (form.startsWith('TM')) return ['TM. ỦY BAN NHÂN DÂN', ...(deputy ? [`KT. ${upper(unit.headTitle)}`] : []), upper(office)];
  if (form.startsWith('KT') || deputy) return [`KT. ${upper(unit.headTitle)}`, upper(office)];
  if (form.startsWith('Q')) return [`Q. ${upper(unit.headTitle)}`];
  return [upper(office)];
}

function formatFigure(value: unknown, valueType: string): string {
  if (value === null || value === undefined || value === '') return 'chưa báo cáo';
  if (typeof value === 'number') {
    const text = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(value);
    return valueType === 'rate' ? `${text}%` : text;
  }
  return String(value);
}

/** A flowing A4 layout: lines and paragraphs from the top margin down, a new page when one is full. */
class Layout {
  readonly pages: PDFPage[] = [];
  private page!: PDFPage;
  y = 0;
  readonly width = A4[0] - MARGIN.left - MARGIN.right;

  constructor(
    private readonly doc: PDFDocument,
    readonly fonts: Fonts,
  ) {
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage(A4);
    this.pages.push(this.page);
    this.y = A4[1] - MARGIN.top;
  }

  /** Starts a new page unless `height` points fit above the bottom margin. */
  ensure(height: number): void {
    if (this.y - height < MARGIN.bottom + 14) this.newPage();
  }

  /** One line: left-aligned at `x` (relative to the left margin), or centred in [x, x + width]. */
  line(text: string, font: PDFFont, size: number, options: { x?: number; width?: number; align?: 'left' | 'center'; color?: typeof INK } = {}): void {
    const x0 = MARGIN.left + (options.x ?? 0);
    const box = options.width ?? this.width;
    const w = this.measure(text, font, size);
    const x = options.align === 'center' ? x0 + (box - w) / 2 : x0;
    this.page.drawText(text, { x, y: this.y - size, size, font, color: options.color ?? INK });
    this.y -= size * LEADING;
  }

  /** A short horizontal rule centred in [x, x + width], just under the previous line. */
  rule(length: number, options: { x?: number; width?: number } = {}): void {
    const x0 = MARGIN.left + (options.x ?? 0) + ((options.width ?? this.width) - length) / 2;
    // Clear of the descenders of the line above.
    const y = this.y - 2.5;
    this.page.drawLine({ start: { x: x0, y }, end: { x: x0 + length, y }, thickness: 0.6, color: INK });
    this.y -= 8;
  }

  private readonly widths = new Map<PDFFont, Map<string, number>>();

  /** A word's width at 1 pt, measured once per font (laying text out with fontkit is the writer's main cost). */
  private unitWidth(font: PDFFont, word: string): number {
    let known = this.widths.get(font);
    if (!known) {
      known = new Map();
      this.widths.set(font, known);
    }
    let w = known.get(word);
    if (w === undefined) {
      w = font.widthOfTextAtSize(word, 1);
      known.set(word, w);
    }
    return w;
  }

  /** Words broken into lines of at most `width` points (widths summed word by word, spaces included). */
  wrap(text: string, font: PDFFont, size: number, width: number, firstIndent = 0): string[] {
    const lines: string[] = [];
    const space = this.unitWidth(font, ' ') * size;
    let current: string[] = [];
    let used = 0;
    let limit = width - firstIndent;
    for (const word of text.split(/\s+/).filter(Boolean)) {
      const w = this.unitWidth(font, word) * size;
      if (current.length > 0 && used + space + w > limit) {
        lines.push(current.join(' '));
        current = [word];
        used = w;
        limit = width;
      } else {
        used += (current.length > 0 ? space : 0) + w;
        current.push(word);
      }
    }
    if (current.length > 0) lines.push(current.join(' '));
    return lines;
  }

  /** A text's width in points, from its words' widths. */
  measure(text: string, font: PDFFont, size: number): number {
    const words = text.split(' ');
    return (words.reduce((sum, w) => sum + this.unitWidth(font, w), 0) + (words.length - 1) * this.unitWidth(font, ' ')) * size;
  }

  /** A justified paragraph with a first-line indent, as the body of an administrative document. */
  paragraph(text: string, options: { font?: PDFFont; size?: number; indent?: number; after?: number; x?: number; width?: number } = {}): void {
    const font = options.font ?? this.fonts.regular;
    const size = options.size ?? BODY;
    const indent = options.indent ?? 1 * 28.35;
    const x = options.x ?? 0;
    const width = options.width ?? this.width - x;
    const lines = this.wrap(text, font, size, width, indent);
    lines.forEach((lineText, i) => {
      this.ensure(size * LEADING);
      const start = MARGIN.left + x + (i === 0 ? indent : 0);
      const room = width - (i === 0 ? indent : 0);
      const words = lineText.split(' ');
      const last = i === lines.length - 1;
      if (last || words.length === 1) {
        this.page.drawText(lineText, { x: start, y: this.y - size, size, font, color: INK });
      } else {
        const natural = words.reduce((s, w) => s + this.unitWidth(font, w) * size, 0);
        const gap = (room - natural) / (words.length - 1);
        let cx = start;
        for (const w of words) {
          this.page.drawText(w, { x: cx, y: this.y - size, size, font, color: INK });
          cx += this.unitWidth(font, w) * size + gap;
        }
      }
      this.y -= size * LEADING;
    });
    this.y -= options.after ?? 4;
  }

  /** A table with ruled cells; `widths` in points, the text of each cell wrapped. */
  table(rows: string[][], widths: number[], options: { header?: boolean; size?: number; align?: ('left' | 'center' | 'right')[] } = {}): void {
    const size = options.size ?? 11.5;
    const pad = 3;
    const lineHeight = size * 1.25;
    const heightOf = (row: string[], font: PDFFont) =>
      Math.max(...row.map((text, c) => this.wrap(text, font, size, widths[c]! - 2 * pad).length)) * lineHeight + 2 * pad;
    const drawRow = (row: string[], isHeader: boolean): void => {
      const font = isHeader ? this.fonts.bold : this.fonts.regular;
      const cells = row.map((text, c) => this.wrap(text, font, size, widths[c]! - 2 * pad));
      const height = heightOf(row, font);
      let x = MARGIN.left;
      const top = this.y;
      cells.forEach((lines, c) => {
        const w = widths[c]!;
        this.page.drawRectangle({ x, y: top - height, width: w, height, borderColor: INK, borderWidth: 0.5 });
        lines.forEach((text, i) => {
          const tw = this.measure(text, font, size);
          const align = isHeader ? 'center' : (options.align?.[c] ?? 'left');
          const tx = align === 'center' ? x + (w - tw) / 2 : align === 'right' ? x + w - pad - tw : x + pad;
          this.page.drawText(text, { x: tx, y: top - pad - size - i * lineHeight + 1, size, font, color: INK });
        });
        x += w;
      });
      this.y = top - height;
    };
    const [first, ...rest] = rows;
    if (!first) return;
    const headerRow = options.header ? first : null;
    const bodyRows = options.header ? rest : rows;
    if (headerRow) {
      // The header row never ends a page alone.
      this.ensure(heightOf(headerRow, this.fonts.bold) + (bodyRows[0] ? heightOf(bodyRows[0], this.fonts.regular) : 0));
      drawRow(headerRow, true);
    }
    for (const row of bodyRows) {
      const height = heightOf(row, this.fonts.regular);
      if (this.y - height < MARGIN.bottom + 14) {
        this.newPage();
        // A table continued on the next page repeats its header row.
        if (headerRow) drawRow(headerRow, true);
      }
      drawRow(row, false);
    }
    this.y -= 8;
  }

  space(points: number): void {
    this.y -= points;
  }

  /** The sample mark and the page number on every page (numbers from page 2, centred at the top). */
  finish(): void {
    const total = this.pages.length;
    this.pages.forEach((page, i) => {
      const { regular, italic, bold } = this.fonts;
      // The watermark across the page's centre: the rotated baseline starts half its length before it.
      const mark = 'BẢN MẪU THỬ NGHIỆM';
      const size = 52;
      const angle = (48 * Math.PI) / 180;
      const length = bold.widthOfTextAtSize(mark, size);
      const [cx, cy] = [A4[0] / 2, A4[1] / 2];
      page.drawText(mark, {
        x: cx - (length / 2) * Math.cos(angle) + (size / 3) * Math.sin(angle),
        y: cy - (length / 2) * Math.sin(angle) - (size / 3) * Math.cos(angle),
        size,
        font: bold,
        color: RED,
        opacity: 0.07,
        rotate: degrees(48),
      });
      const notice = `${SAMPLE_NOTICE} · trang ${i + 1}/${total}`;
      const w = italic.widthOfTextAtSize(notice, 9);
      page.drawText(notice, { x: (A4[0] - w) / 2, y: MARGIN.bottom - 12, size: 9, font: italic, color: GREY });
      if (i > 0) {
        const n = String(i + 1);
        page.drawText(n, { x: (A4[0] - regular.widthOfTextAtSize(n, 13)) / 2, y: A4[1] - MARGIN.top + 14, size: 13, font: regular, color: INK });
      }
    });
  }
}

/** Writes the report of `input.submission` as an A4 PDF (bytes). */
export async function writeSampleReport(input: SampleReportInput): Promise<Uint8Array> {
  const sub = input.submission;
  const units = input.units ?? defaultUnits;
  const unit = findUnit(sub.unitCode, units);
  const period = findPeriod(sub.periodId);
  const form = currentForm(sub.kind);
  const bytes = await loadFontBytes(input.fontsDir);
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);
  const fonts: Fonts = {
    regular: await doc.embedFont(bytes.regular, { subset: true }),
    bold: await doc.embedFont(bytes.bold, { subset: true }),
    italic: await doc.embedFont(bytes.italic, { subset: true }),
    boldItalic: await doc.embedFont(bytes.boldItalic, { subset: true }),
  };
  const { kind, summary } = titleOf(period);
  const issued = sub.signature.issueDate && /^\d{4}-\d{2}-\d{2}$/.test(sub.signature.issueDate) ? sub.signature.issueDate : period.dueDate;
  const at = new Date(`${issued}T08:00:00+07:00`);
  doc.setTitle(`${kind === 'KẾ HOẠCH' ? 'Kế hoạch' : 'Báo cáo'} ${summary.charAt(0).toLocaleLowerCase('vi')}${summary.slice(1)} — ${unit.name} (bản mẫu)`);
  doc.setAuthor(unit.name);
  doc.setSubject(SAMPLE_NOTICE);
  doc.setCreator('Hệ thống tiếp nhận báo cáo CCHC tỉnh Thừa Thiên Huế (bản mẫu thử nghiệm)');
  doc.setProducer('pdf-lib');
  doc.setLanguage('vi-VN');
  doc.setCreationDate(at);
  doc.setModificationDate(at);

  const layout = new Layout(doc, fonts);
  header(layout, unit, sub, issued);
  layout.space(10);
  layout.line(kind, fonts.bold, 14, { align: 'center' });
  for (const l of layout.wrap(summary, fonts.bold, 14, layout.width * 0.8)) layout.line(l, fonts.bold, 14, { align: 'center' });
  layout.rule(70);
  layout.space(6);
  // A report is addressed to the Department; a plan is issued, not sent to anyone in particular.
  if (period.kind !== 'plan') {
    layout.line(`Kính gửi: Sở Nội vụ tỉnh ${PROVINCE}.`, fonts.regular, BODY, { align: 'center' });
    layout.space(6);
  }
  layout.line(SAMPLE_NOTICE, fonts.italic, 10.5, { align: 'center', color: RED });
  layout.space(6);
  body(layout, sub, unit, period, form);
  signatureBlock(layout, unit, sub, units);
  layout.finish();
  return doc.save({ useObjectStreams: false });
}

/** The two header columns: the unit and the document's number | the national motto, place and date. */
function header(layout: Layout, unit: Unit, sub: Submission, issued: string): void {
  const { regular, bold, italic } = layout.fonts;
  const leftWidth = layout.width * 0.4;
  const rightX = leftWidth + 8;
  const rightWidth = layout.width - rightX;
  const top = layout.y;
  const parent = parentOf(unit);
  if (parent) layout.line(parent, regular, 12, { width: leftWidth, align: 'center' });
  for (const l of layout.wrap(headerName(unit), bold, 12, leftWidth)) layout.line(l, bold, 12, { width: leftWidth, align: 'center' });
  layout.rule(leftWidth * 0.4, { width: leftWidth });
  layout.space(4);
  layout.line(`Số: ${sub.signature.documentNumber ?? `     /BC-${unit.code}`}`, regular, BODY, { width: leftWidth, align: 'center' });
  const leftBottom = layout.y;

  layout.y = top;
  layout.line('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', bold, 11.5, { x: rightX, width: rightWidth, align: 'center' });
  const motto = 'Độc lập - Tự do - Hạnh phúc';
  layout.line(motto, bold, 13, { x: rightX, width: rightWidth, align: 'center' });
  layout.rule(bold.widthOfTextAtSize(motto, 13), { x: rightX, width: rightWidth });
  layout.space(6);
  layout.line(`${PROVINCE}, ${documentDate(issued)}`, italic, BODY, { x: rightX, width: rightWidth, align: 'center' });
  layout.y = Math.min(layout.y, leftBottom);
}

/** The opening, one section per narrative of the form (I–IV), the headline figures in the results section, the closing line. */
function body(layout: Layout, sub: Submission, unit: Unit, period: Period, form: FormDef): void {
  const { bold } = layout.fonts;
  const when = periodPhrase(period);
  const window = period.dataWindow ? ` (số liệu tính từ ngày ${formatDateVi(period.dataWindow.from)} đến ngày ${formatDateVi(period.dataWindow.to)})` : '';
  layout.paragraph(
    `Thực hiện chế độ báo cáo công tác cải cách hành chính (CCHC) theo hướng dẫn tại Công văn số 1588/SNV-CCHC ngày 28/12/2020 của Sở Nội vụ, ${unit.name} ${
      period.kind === 'plan' ? `ban hành Kế hoạch CCHC ${when}` : `báo cáo kết quả thực hiện công tác CCHC ${when}${window}`
    } như sau:`,
    { after: 8 },
  );
  form.narratives.forEach((n, i) => {
    layout.ensure(60);
    for (const l of layout.wrap(`${ROMAN[i]}. ${upper(n.name)}`, bold, BODY, layout.width)) layout.line(l, bold, BODY);
    layout.space(2);
    layout.paragraph(sub.narratives[n.code] ?? 'Không có nội dung.', { after: 6 });
    if (n.code === 'ket_qua' || (period.kind === 'plan' && i === 0)) figures(layout, sub, unit, form);
  });
  layout.paragraph(
    period.kind === 'plan'
      ? `Số liệu chi tiết các nhiệm vụ tại biểu mẫu kế hoạch kèm theo. Trên đây là Kế hoạch CCHC ${when} của ${unit.name}./.`
      : `Số liệu chi tiết tại biểu mẫu số liệu kèm theo. Trên đây là báo cáo kết quả thực hiện công tác CCHC ${when} của ${unit.name}./.`,
    { after: 10 },
  );
}

/** A few headline figures (the form's receipt headline that apply to the unit), or the plan's tasks. */
function figures(layout: Layout, sub: Submission, unit: Unit, form: FormDef): void {
  const w = layout.width;
  if (sub.kind === 'plan') {
    const rows = [
      ['TT', 'Nhiệm vụ', 'Kết quả dự kiến', 'Thời hạn'],
      ...sub.tasks.map((t, i) => [String(i + 1), t.content ?? '', t.expectedResult ?? '', t.deadline ? formatDateVi(t.deadline) : '']),
    ];
    layout.table(rows, [0.07 * w, 0.45 * w, 0.31 * w, 0.17 * w], { header: true, align: ['center', 'left', 'left', 'center'] });
    return;
  }
  const applicable = applicableIndicators(form, unit);
  const wanted = form.headline?.receipt ?? applicable.slice(0, 8).map((i) => i.code);
  const chosen = wanted.map((code) => applicable.find((i) => i.code === code)).filter((i) => i !== undefined);
  if (chosen.length === 0) return;
  const rows = [
    ['TT', 'Chỉ tiêu', 'Đơn vị tính', 'Kết quả'],
    ...chosen.map((ind, i) => [String(i + 1), ind.name, ind.measure, formatFigure(sub.values[ind.code], ind.valueType)]),
  ];
  layout.table(rows, [0.07 * w, 0.55 * w, 0.2 * w, 0.18 * w], { header: true, align: ['center', 'left', 'center', 'right'] });
}

/** "Nơi nhận" on the left, the signature block on the right, kept together on one page. */
function signatureBlock(layout: Layout, unit: Unit, sub: Submission, units: readonly Unit[]): void {
  const { bold, italic, boldItalic, regular } = layout.fonts;
  const lines = signatureLines(unit, sub.signature, units);
  layout.ensure(150);
  const top = layout.y;
  const leftWidth = layout.width * 0.45;
  layout.line('Nơi nhận:', boldItalic, 12, { width: leftWidth });
  for (const r of ['- Như trên;', `- Lãnh đạo ${unit.name};`, '- Lưu: VT.']) layout.line(r, regular, 11, { width: leftWidth });
  const rightX = leftWidth;
  const rightWidth = layout.width - leftWidth;
  layout.y = top;
  for (const l of lines) layout.line(l, bold, BODY, { x: rightX, width: rightWidth, align: 'center' });
  layout.space(8);
  layout.line('(Đã ký số)', italic, 11, { x: rightX, width: rightWidth, align: 'center', color: GREY });
  layout.space(34);
  layout.line(sub.signature.signerName ?? '', bold, BODY, { x: rightX, width: rightWidth, align: 'center' });
}

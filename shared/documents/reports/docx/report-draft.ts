import {
  AlignmentType,
  BorderStyle,
  Document,
  Header,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  SectionType,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlignTable,
  WidthType,
} from 'docx';
import type { Rollup } from '../../../domain/rollup.js';
import type { FormDef } from '../../../domain/types.js';
import { type DraftBlock, type DraftContent, draftContent } from './draft-content.js';

/**
 * The Department's draft report to the People's Committee as a Word document (.docx), in the layout
 * of Nghị định 30/2020/NĐ-CP, Phụ lục I (Mẫu 1.4, văn bản có tên loại). Pure: a roll-up (with its
 * comparisons) in, bytes out. Loaded with a dynamic import by the close path, so bundles that do not
 * draft reports do not carry the `docx` library. Where the decree gives a range, the choice is in
 * DRAFT_LAYOUT and docs/REPORT-DRAFT.md.
 */

const MM = 1440 / 25.4;

/** The decree's ranges and the values chosen (sizes in points, lengths in twips). */
export const DRAFT_LAYOUT = Object.freeze({
  /** A4 portrait: 210 × 297 mm. */
  page: { width: 11906, height: 16838 },
  /** Top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm: chosen 20, 20, 30, 15. */
  margin: { top: Math.round(20 * MM), bottom: Math.round(20 * MM), left: Math.round(30 * MM), right: Math.round(15 * MM) },
  font: 'Times New Roman',
  size: {
    /** Quốc hiệu 12–13, in hoa, đứng, đậm: 12 (13 would not fit the right column on one line). */
    motto1: 12,
    /** Tiêu ngữ 13–14, đứng, đậm. */
    motto2: 13,
    /** Tên cơ quan chủ quản and ban hành 12–13, in hoa (the issuer bold): 12, so that "UBND TỈNH THỪA THIÊN HUẾ" stays on one line. */
    agency: 12,
    /** Số, ký hiệu: 13. */
    number: 13,
    /** Địa danh, ngày tháng 13–14, nghiêng. */
    placeDate: 14,
    /** Tên loại (BÁO CÁO) 13–14, đậm; trích yếu 13–14, đậm. */
    docType: 14,
    summary: 14,
    /** Nội dung 13–14. */
    body: 14,
    /** Kính gửi: 14. */
    recipient: 14,
    /** Quyền hạn, chức vụ và họ tên người ký 13–14, đậm. */
    signer: 14,
    /** "Nơi nhận:" 12 nghiêng đậm; the list 11. */
    recipientsLabel: 12,
    recipients: 11,
    /** Page number 13–14. */
    pageNumber: 13,
  },
  /** Paragraphs: first-line indent 1–1,27 cm (1,27 chosen), at least 6 pt between paragraphs, line spacing single to 1,5 (single chosen). */
  indent: 720,
  after: 120,
  line: 240,
  /** The header's two columns (ô số 1–2 | ô số 3–4): 9.700 twips, set 345 twips into the left margin so each line fits on one line. */
  header: { left: 3800, right: 5900, indent: -345 },
});

const TEXT_WIDTH = DRAFT_LAYOUT.page.width - DRAFT_LAYOUT.margin.left - DRAFT_LAYOUT.margin.right;
const NO_BORDER = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' } as const;
const NO_BORDERS = { top: NO_BORDER, bottom: NO_BORDER, left: NO_BORDER, right: NO_BORDER, insideHorizontal: NO_BORDER, insideVertical: NO_BORDER };
const LINE = { style: BorderStyle.SINGLE, size: 6, color: '000000', space: 1 } as const;
const CELL_LINE = { style: BorderStyle.SINGLE, size: 4, color: '000000' } as const;

interface RunStyle {
  size: number;
  bold?: boolean;
  italic?: boolean;
}

function run(text: string, s: RunStyle): TextRun {
  return new TextRun({ text, size: s.size * 2, bold: s.bold, italics: s.italic, font: DRAFT_LAYOUT.font });
}

/** A centred line of the header or the signature block. */
function centred(text: string, s: RunStyle, after = 0): Paragraph {
  return new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 0, after, line: DRAFT_LAYOUT.line }, children: [run(text, s)] });
}

/** A horizontal rule of `length` twips centred in a column of `width` twips (a bordered empty paragraph). */
function rule(length: number, width: number, after = 0): Paragraph {
  const side = Math.max(0, Math.round((width - length) / 2));
  return new Paragraph({
    spacing: { before: 40, after, line: 60, lineRule: LineRuleType.EXACT },
    indent: { left: side, right: side },
    border: { top: LINE },
    children: [run('', { size: 2 })],
  });
}

function cell(children: Paragraph[], width: number, extra: { borders?: boolean; shade?: boolean } = {}): TableCell {
  return new TableCell({
    width: { size: width, type: WidthType.DXA },
    children,
    verticalAlign: VerticalAlignTable.TOP,
    margins: { left: 80, right: 80, top: 30, bottom: 30 },
    ...(extra.borders ? { borders: { top: CELL_LINE, bottom: CELL_LINE, left: CELL_LINE, right: CELL_LINE } } : { borders: NO_BORDERS }),
    ...(extra.shade ? { shading: { fill: 'F2F2F2' } } : {}),
  });
}

/** The two-column header: agency | national motto, number | place and date, with the rules under them. */
function headerTable(c: DraftContent): Table {
  const { left, right } = DRAFT_LAYOUT.header;
  const z = DRAFT_LAYOUT.size;
  return new Table({
    layout: TableLayoutType.FIXED,
    width: { size: left + right, type: WidthType.DXA },
    columnWidths: [left, right],
    indent: { size: DRAFT_LAYOUT.header.indent, type: WidthType.DXA },
    borders: NO_BORDERS,
    rows: [
      new TableRow({
        children: [
          cell(
            [
              centred(c.parent, { size: z.agency }),
              centred(c.issuer, { size: z.agency, bold: true }),
              rule(1300, left, 120),
              centred(c.number, { size: z.number }),
            ],
            left,
          ),
          cell(
            [
              centred('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { size: z.motto1, bold: true }),
              centred('Độc lập - Tự do - Hạnh phúc', { size: z.motto2, bold: true }),
              rule(3550, right, 120),
              centred(c.placeDate, { size: z.placeDate, italic: true }),
            ],
            right,
          ),
        ],
      }),
    ],
  });
}

/** A body paragraph: justified, first line indented, 6 pt after. */
function bodyParagraph(children: TextRun[], opts: { indent?: boolean; align?: (typeof AlignmentType)[keyof typeof AlignmentType] } = {}): Paragraph {
  return new Paragraph({
    alignment: opts.align ?? AlignmentType.JUSTIFIED,
    indent: opts.indent === false ? undefined : { firstLine: DRAFT_LAYOUT.indent },
    spacing: { before: 0, after: DRAFT_LAYOUT.after, line: DRAFT_LAYOUT.line },
    children,
  });
}

/** A table of figures: bordered, header row bold and shaded, repeated on each page. */
function figuresTable(b: Extract<DraftBlock, { type: 'table' }>): Table {
  const size = b.bodySize ?? 12;
  const align = (a: 'left' | 'center' | 'right' | undefined) =>
    a === 'center' ? AlignmentType.CENTER : a === 'right' ? AlignmentType.RIGHT : AlignmentType.LEFT;
  const para = (text: string, a: 'left' | 'center' | 'right' | undefined, bold = false) =>
    new Paragraph({ alignment: align(a), spacing: { before: 0, after: 0, line: DRAFT_LAYOUT.line }, children: [run(text, { size, bold })] });
  const total = b.columns.reduce((s, c) => s + c.width, 0);
  return new Table({
    layout: TableLayoutType.FIXED,
    width: { size: total, type: WidthType.DXA },
    columnWidths: b.columns.map((c) => c.width),
    rows: [
      new TableRow({
        tableHeader: true,
        cantSplit: true,
        children: b.columns.map((c) => cell([para(c.label, 'center', true)], c.width, { borders: true, shade: true })),
      }),
      ...b.rows.map(
        (r) =>
          new TableRow({
            cantSplit: true,
            // A row with only its second cell filled is a group heading (e.g. a unit kind).
            children: b.columns.map((c, j) => {
              const group = r.filter((x) => x !== '').length === 1 && r[1] !== '';
              return cell([para(r[j] ?? '', group ? 'left' : c.align, group)], c.width, { borders: true });
            }),
          }),
      ),
    ],
  });
}

/** The blocks of the body or of an appendix as paragraphs and tables. */
function blocksOf(blocks: readonly DraftBlock[]): (Paragraph | Table)[] {
  const size = DRAFT_LAYOUT.size.body;
  const out: (Paragraph | Table)[] = [];
  for (const b of blocks) {
    if (b.type === 'heading') out.push(bodyParagraph([run(b.text, { size, bold: true })]));
    else if (b.type === 'paragraph') out.push(bodyParagraph([run(b.text, { size, italic: b.italic })]));
    else if (b.type === 'bullet') out.push(bodyParagraph([run('- ', { size }), ...(b.lead ? [run(b.lead, { size })] : []), run(b.text, { size })]));
    else {
      out.push(figuresTable(b));
      out.push(bodyParagraph([run('', { size: 6 })], { indent: false }));
    }
  }
  return out;
}

/** Nơi nhận | the signature, side by side; the signer's name is left blank for the officer. */
function footerTable(c: DraftContent): Table {
  const z = DRAFT_LAYOUT.size;
  const left = 4400;
  const right = TEXT_WIDTH - left;
  const list = (text: string) => new Paragraph({ spacing: { before: 0, after: 0, line: DRAFT_LAYOUT.line }, children: [run(text, { size: z.recipients })] });
  return new Table({
    layout: TableLayoutType.FIXED,
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: [left, right],
    borders: NO_BORDERS,
    rows: [
      new TableRow({
        children: [
          cell(
            [
              new Paragraph({ spacing: { before: 120, after: 0 }, children: [run('Nơi nhận:', { size: z.recipientsLabel, bold: true, italic: true })] }),
              ...c.recipients.map(list),
            ],
            left,
          ),
          cell(
            [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                spacing: { before: 120, after: 0 },
                children: [run(c.signer.authority, { size: z.signer, bold: true })],
              }),
              centred(c.signer.office, { size: z.signer, bold: true }),
              // Space for the signature; the name (bold, 14) is left blank for the signer.
              ...Array.from({ length: 5 }, () => centred('', { size: z.signer })),
              centred('', { size: z.signer, bold: true }),
            ],
            right,
          ),
        ],
      }),
    ],
  });
}

/** Page numbers in the top margin, centred; the first page shows none (titlePage). */
function pageNumberHeader(): Header {
  return new Header({
    children: [
      new Paragraph({
        alignment: AlignmentType.CENTER,
        children: [new TextRun({ children: [PageNumber.CURRENT], size: DRAFT_LAYOUT.size.pageNumber * 2, font: DRAFT_LAYOUT.font })],
      }),
    ],
  });
}

const PAGE = {
  size: { width: DRAFT_LAYOUT.page.width, height: DRAFT_LAYOUT.page.height },
  margin: { ...DRAFT_LAYOUT.margin, header: Math.round(10 * MM), footer: Math.round(10 * MM) },
};

/** The draft as a Word document: the report section, then one section per appendix (each on a new page). */
export function draftDocument(rollup: Rollup, form: FormDef): Document {
  const c = draftContent(rollup, form);
  const z = DRAFT_LAYOUT.size;
  const main = [
    headerTable(c),
    new Paragraph({ spacing: { before: 240, after: 0 }, alignment: AlignmentType.CENTER, children: [run(c.docType, { size: z.docType, bold: true })] }),
    centred(c.summary, { size: z.summary, bold: true }),
    rule(2400, TEXT_WIDTH, 240),
    centred(c.recipient, { size: z.recipient }, 240),
    ...blocksOf(c.body),
    bodyParagraph([run(c.closing, { size: z.body })]),
    footerTable(c),
  ];
  return new Document({
    creator: 'Sở Nội vụ tỉnh Thừa Thiên Huế',
    title: `${c.docType} ${c.summary}`,
    description: 'Dự thảo báo cáo do hệ thống tiếp nhận báo cáo CCHC lập từ số liệu tổng hợp; cán bộ kiểm tra, chỉnh sửa trước khi trình ký.',
    styles: { default: { document: { run: { font: DRAFT_LAYOUT.font, size: z.body * 2 } } } },
    sections: [
      {
        properties: { page: { ...PAGE, pageNumbers: { start: 1 } }, titlePage: true },
        headers: { default: pageNumberHeader(), first: new Header({ children: [] }) },
        children: main,
      },
      ...c.appendices.map((a) => ({
        properties: { type: SectionType.NEXT_PAGE, page: PAGE },
        headers: { default: pageNumberHeader() },
        children: [
          centred(a.title.toLocaleUpperCase('vi'), { size: z.body, bold: true }),
          centred(a.subtitle, { size: z.body, bold: true }),
          centred(a.note, { size: z.body, italic: true }, 240),
          ...blocksOf(a.blocks),
        ],
      })),
    ],
  });
}

/** The draft report as .docx bytes. */
export async function writeReportDraft(rollup: Rollup, form: FormDef): Promise<Buffer> {
  return Packer.toBuffer(draftDocument(rollup, form));
}

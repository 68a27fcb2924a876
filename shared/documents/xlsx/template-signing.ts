import type ExcelJS from 'exceljs';
import { HEADER_ROWS, SIGNATURE_FIELDS, SIGNATURE_LABELS } from '../../domain/layout.js';
import type { CellRef, Layout } from '../../domain/layout.js';
import { SIGNING_FORMS, deputyTitle } from '../../domain/signing.js';
import type { Signature, Unit } from '../../domain/types.js';
import { COLOR, DATE_FMT, ERROR_TITLE, cellAt, fitHeight, font, inlineList, styleInput, styleText } from './template-look.js';
import { labelValueSheet, type SheetInfo } from './template-sheet.js';

/** The signing sheet of the template: the report's number, date, signing form and signer, then who may sign. */

/** The signing forms' list. */
function signingFormValidation(): ExcelJS.DataValidation {
  return {
    type: 'list',
    formulae: [inlineList(SIGNING_FORMS.map((f) => f.label))],
    allowBlank: true,
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: ERROR_TITLE,
    error: 'Chọn hình thức ký trong danh sách.',
  };
}

/** A date after 2000 for the issue date. */
function issueDateValidation(): ExcelJS.DataValidation {
  return {
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

/** The lines under the fields: who may sign for the unit, and how. */
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

/** One signature field: its label in A, its input in B (a list for the signing form, a date for the issue date). */
function writeSignatureField(ws: ExcelJS.Worksheet, f: keyof Signature, ref: CellRef): void {
  const label = ws.getCell(`A${ref.row}`);
  label.value = SIGNATURE_LABELS[f];
  styleText(label, { bold: true });
  label.alignment = { vertical: 'middle', wrapText: true };
  const input = cellAt(ws, ref);
  styleInput(input, f === 'issueDate' ? DATE_FMT : '@');
  input.alignment = { vertical: 'middle', horizontal: 'left' };
  ws.getRow(ref.row).height = 24;
  if (f === 'signingForm') input.dataValidation = signingFormValidation();
  if (f === 'issueDate') input.dataValidation = issueDateValidation();
}

/** The signing note, one merged row per line from the given row. */
function writeSigningNote(ws: ExcelJS.Worksheet, firstRow: number, unit: Unit): void {
  let row = firstRow;
  signingNote(unit).forEach((line, i) => {
    ws.mergeCells(`A${row}:B${row}`);
    const c = ws.getCell(`A${row}`);
    c.value = line;
    c.font = font(i === 0 ? { bold: true } : { size: 11, color: { argb: COLOR.note } });
    c.alignment = { wrapText: true, vertical: 'top' };
    ws.getRow(row).height = fitHeight([{ text: line, width: 100, size: i === 0 ? 12 : 11 }]);
    row += 1;
  });
}

/** Writes the signing sheet: the signature fields, then (a row apart) who may sign. */
export function writeSigning(wb: ExcelJS.Workbook, sheet: string, layout: Layout, info: SheetInfo): ExcelJS.Worksheet {
  const note = 'Nhập vào ô nền vàng ở cột B. Báo cáo phải do lãnh đạo đơn vị ký.';
  const ws = labelValueSheet(wb, sheet, info, 70, 'THÔNG TIN KÝ BAN HÀNH', note, ['Nội dung', 'Thông tin của văn bản báo cáo']);
  let last = HEADER_ROWS + 1;
  for (const f of SIGNATURE_FIELDS) {
    const ref = layout.signature[f];
    writeSignatureField(ws, f, ref);
    last = Math.max(last, ref.row);
  }
  writeSigningNote(ws, last + 2, info.unit);
  return ws;
}

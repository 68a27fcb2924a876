import type ExcelJS from 'exceljs';
import type { Layout } from '../../domain/layout.js';
import { COLOR, cellAt, font, styleInput, styleText } from './template-look.js';
import { labelValueSheet, type SheetInfo } from './template-sheet.js';

/** The text sheet of the template: one numbered section per row, its hint under its name, a tall yellow cell for the text. */

/** Writes the narrative sheet. */
export function writeNarratives(wb: ExcelJS.Workbook, sheet: string, layout: Layout, info: SheetInfo): ExcelJS.Worksheet {
  const note = 'Viết nội dung từng mục vào ô nền vàng ở cột B. (*) Mục bắt buộc. Có thể xuống dòng trong ô bằng Alt+Enter.';
  const ws = labelValueSheet(wb, sheet, info, 72, 'PHẦN THUYẾT MINH', note, ['Mục', 'Nội dung thuyết minh của đơn vị']);
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

import ExcelJS from 'exceljs';
import { HEADER_ROWS, SHEETS, layoutOf } from '../../domain/layout.js';
import type { Layout } from '../../domain/layout.js';
import type { FormDef, Period, Unit } from '../../domain/types.js';
import { META_FIELDS, signMeta } from './meta.js';
import type { TemplateMeta } from './meta.js';
import { writeData } from './template-data.js';
import { applyFill, type TemplateFill } from './template-fill.js';
import { writeGuide } from './template-guide.js';
import { writeNarratives } from './template-narratives.js';
import { finishSheet, type SheetInfo } from './template-sheet.js';
import { writeSigning } from './template-signing.js';
import { writeTasks } from './template-tasks.js';

/**
 * The Excel template a unit downloads: Vietnamese throughout, every position taken from `layoutOf`,
 * input cells yellow and unlocked with data validation, everything else locked, identity signed in a
 * very hidden `_meta` sheet. One module per sheet kind (template-guide, -data, -tasks, -narratives,
 * -signing), their common look and frame (template-look, template-sheet), and the fill (template-fill).
 */

export type { TemplateFill } from './template-fill.js';
export { taskAreaLabels } from './template-tasks.js';

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

/** The very hidden, protected `_meta` sheet: the template's identity, field by field, and its signature. */
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

/** Writes one sheet of the layout, finished (page setup, protection) as its kind requires. */
async function writeSheet(wb: ExcelJS.Workbook, name: string, layout: Layout, info: SheetInfo, meta: TemplateMeta, key: string): Promise<void> {
  switch (name) {
    case SHEETS.guide:
      return finishSheet(writeGuide(wb, name, info), { orientation: 'portrait' });
    case SHEETS.data: {
      const row = layout.data!.headerRow;
      return finishSheet(writeData(wb, layout, info), { orientation: 'landscape', freezeRow: row, printTitleRow: row });
    }
    case SHEETS.tasks: {
      const row = layout.tasks!.headerRow;
      return finishSheet(writeTasks(wb, layout, info), { orientation: 'landscape', freezeRow: row, printTitleRow: row });
    }
    case SHEETS.text:
      return finishSheet(writeNarratives(wb, name, layout, info), { orientation: 'portrait', freezeRow: HEADER_ROWS + 1 });
    case SHEETS.sign:
      return finishSheet(writeSigning(wb, name, layout, info), { orientation: 'portrait' });
    case SHEETS.meta:
      return writeMeta(wb, name, meta, key);
    default:
      throw new Error(`No writer for sheet ${name}`);
  }
}

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
  for (const name of layout.sheets) await writeSheet(wb, name, layout, info, meta, key);
  if (fill) applyFill(wb, layout, form, fill);
  wb.views = [{ x: 0, y: 0, width: 20000, height: 12000, firstSheet: 0, activeTab: 0, visibility: 'visible' }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

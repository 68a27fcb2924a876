import type ExcelJS from 'exceljs';
import { areaLabel } from '../../domain/forms.js';
import { SIGNATURE_FIELDS, TASK_FIELDS, taskCell } from '../../domain/layout.js';
import type { CellRef, Layout } from '../../domain/layout.js';
import { SIGNING_FORMS } from '../../domain/signing.js';
import type { FormDef, PlanTask, Signature } from '../../domain/types.js';
import { fitHeight } from './template-look.js';
import { TASK_WIDTHS } from './template-tasks.js';

/** Values written into a template's input cells as given (for tests and fixtures): what a unit would type. */

export interface TemplateFill {
  values?: Record<string, number | string | boolean | null>;
  narratives?: Record<string, string | null>;
  tasks?: PlanTask[];
  signature?: Partial<Signature>;
}

type Put = (ref: CellRef, value: ExcelJS.CellValue) => void;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An ISO date as an Excel date (UTC midnight: Excel serials have no zone); anything else as given. */
function dateOrText(v: string): Date | string {
  const m = ISO_DATE.exec(v);
  if (!m) return v;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCDate() === Number(m[3]) ? d : v;
}

/** Whether a value leaves its cell empty. */
function blank(v: unknown): boolean {
  return v === null || v === undefined || v === '';
}

/** Writes values by code into the cells the layout gives them; throws for a code that is not in the template. */
function fillByCode(put: Put, cells: Record<string, CellRef>, values: Record<string, unknown>, what: string): void {
  for (const [code, v] of Object.entries(values)) {
    const ref = cells[code];
    if (!ref) throw new Error(`${what} ${code} is not in this template`);
    if (!blank(v)) put(ref, v as ExcelJS.CellValue);
  }
}

/** Writes the tasks row by row (areas by label, deadlines as dates) and fits each filled row's height. */
function fillTasks(wb: ExcelJS.Workbook, put: Put, layout: Layout, form: FormDef, tasks: readonly PlanTask[]): void {
  const areaByCode = new Map(form.areas.map((a) => [a.code, areaLabel(a)]));
  if (tasks.length > 0 && !layout.tasks) throw new Error('This form has no task table');
  if (layout.tasks && tasks.length > layout.tasks.maxRows) throw new Error(`At most ${layout.tasks.maxRows} tasks`);
  tasks.forEach((task, i) => {
    const shown: { text: string; width: number }[] = [];
    for (const f of TASK_FIELDS) {
      const v = task[f];
      if (blank(v)) continue;
      const value = f === 'area' ? (areaByCode.get(v!) ?? v!) : f === 'deadline' ? dateOrText(v!) : v!;
      put(taskCell(layout, i, f), value);
      shown.push({ text: value instanceof Date ? 'dd/mm/yyyy' : value, width: TASK_WIDTHS[f] });
    }
    if (shown.length > 0) wb.getWorksheet(layout.tasks!.sheet)!.getRow(layout.tasks!.firstRow + i).height = fitHeight(shown);
  });
}

/** Writes the signature fields (the signing form by its label, the issue date as a date). */
function fillSignature(put: Put, layout: Layout, sig: Partial<Signature>): void {
  for (const f of SIGNATURE_FIELDS) {
    const v = sig[f];
    if (blank(v)) continue;
    const value = f === 'signingForm' ? (SIGNING_FORMS.find((s) => s.code === v)?.label ?? v!) : f === 'issueDate' ? dateOrText(v!) : v!;
    put(layout.signature[f], value);
  }
}

/** Writes a fill into a written template: values, narratives, tasks, signature; blanks leave their cells empty. */
export function applyFill(wb: ExcelJS.Workbook, layout: Layout, form: FormDef, fill: TemplateFill): void {
  const put: Put = (ref, value) => {
    const ws = wb.getWorksheet(ref.sheet);
    if (!ws) throw new Error(`Sheet ${ref.sheet} missing`);
    ws.getCell(ref.cell).value = value;
  };
  fillByCode(put, layout.indicators, fill.values ?? {}, 'Indicator');
  fillByCode(put, layout.narratives, fill.narratives ?? {}, 'Narrative');
  fillTasks(wb, put, layout, form, fill.tasks ?? []);
  fillSignature(put, layout, fill.signature ?? {});
}

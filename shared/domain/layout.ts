import { applicableIndicators } from './forms.js';
import type { FormDef, PlanTask, Signature, Unit } from './types.js';

/**
 * Where every value of a form lives in its Excel template. One pure function decides it, so the
 * template writer, the workbook reader and the validator (for JSON submissions too) all name the
 * same sheet and cell.
 */

export const SHEETS = {
  guide: 'Hướng dẫn',
  data: 'Số liệu',
  text: 'Thuyết minh',
  tasks: 'Nhiệm vụ',
  sign: 'Ký ban hành',
  meta: '_meta',
} as const;

export interface CellRef {
  sheet: string;
  cell: string;
  row: number;
  col: string;
}

export interface AreaRow {
  area: string;
  row: number;
}

/** The fields of a plan task that are cells of the task table (everything but where it was read). */
export type TaskField = Exclude<keyof PlanTask, 'row'>;

export interface TaskTableLayout {
  sheet: string;
  headerRow: number;
  firstRow: number;
  maxRows: number;
  columns: Record<TaskField, string>;
}

export interface Layout {
  /** Sheets in workbook order (the hidden meta sheet last). */
  sheets: string[];
  data?: {
    sheet: string;
    headerRow: number;
    codeCol: string;
    nameCol: string;
    measureCol: string;
    valueCol: string;
    noteCol: string;
    areaRows: AreaRow[];
  };
  indicators: Record<string, CellRef>;
  narratives: Record<string, CellRef>;
  signature: Record<keyof Signature, CellRef>;
  tasks?: TaskTableLayout;
}

function ref(sheet: string, col: string, row: number): CellRef {
  return { sheet, col, row, cell: `${col}${row}` };
}

/** Rows above the tables on the data, text and task sheets: title and the slot's identity. */
export const HEADER_ROWS = 6;

/** Signature fields in the order they appear on the signing sheet. */
export const SIGNATURE_FIELDS: (keyof Signature)[] = ['documentNumber', 'issueDate', 'signingForm', 'signerTitle', 'signerName'];

export const SIGNATURE_LABELS: Record<keyof Signature, string> = {
  documentNumber: 'Số, ký hiệu văn bản',
  issueDate: 'Ngày ban hành',
  signingForm: 'Hình thức ký',
  signerTitle: 'Chức vụ người ký',
  signerName: 'Họ và tên người ký',
};

export const TASK_FIELDS: TaskField[] = ['area', 'content', 'expectedResult', 'deadline', 'leadAgency', 'coordinatingAgencies', 'resources'];

export const TASK_LABELS: Record<TaskField, string> = {
  area: 'Lĩnh vực cải cách',
  content: 'Nội dung nhiệm vụ',
  expectedResult: 'Kết quả, sản phẩm dự kiến',
  deadline: 'Thời hạn hoàn thành',
  leadAgency: 'Cơ quan chủ trì',
  coordinatingAgencies: 'Cơ quan phối hợp',
  resources: 'Nguồn lực, kinh phí',
};

/** The template layout of a form for a unit. */
export function layoutOf(form: FormDef, unit: Unit): Layout {
  const sheets: string[] = [SHEETS.guide];
  const indicators: Record<string, CellRef> = {};
  let data: Layout['data'];
  let tasks: TaskTableLayout | undefined;

  if (form.kind === 'plan') {
    sheets.push(SHEETS.tasks);
    const headerRow = HEADER_ROWS + 1;
    const columns = {} as Record<TaskField, string>;
    TASK_FIELDS.forEach((f, i) => {
      columns[f] = String.fromCharCode('B'.charCodeAt(0) + i);
    });
    tasks = { sheet: SHEETS.tasks, headerRow, firstRow: headerRow + 1, maxRows: form.maxTasks ?? 200, columns };
  } else {
    sheets.push(SHEETS.data);
    const headerRow = HEADER_ROWS + 1;
    let row = headerRow;
    const areaRows: AreaRow[] = [];
    const inds = applicableIndicators(form, unit);
    for (const area of form.areas) {
      const inArea = inds.filter((i) => i.area === area.code);
      if (inArea.length === 0) continue;
      row += 1;
      areaRows.push({ area: area.code, row });
      for (const ind of inArea) {
        row += 1;
        indicators[ind.code] = ref(SHEETS.data, 'D', row);
      }
    }
    data = { sheet: SHEETS.data, headerRow, codeCol: 'A', nameCol: 'B', measureCol: 'C', valueCol: 'D', noteCol: 'E', areaRows };
  }

  sheets.push(SHEETS.text);
  const narratives: Record<string, CellRef> = {};
  form.narratives.forEach((n, i) => {
    narratives[n.code] = ref(SHEETS.text, 'B', HEADER_ROWS + 2 + i);
  });

  sheets.push(SHEETS.sign);
  const signature = {} as Record<keyof Signature, CellRef>;
  SIGNATURE_FIELDS.forEach((f, i) => {
    signature[f] = ref(SHEETS.sign, 'B', HEADER_ROWS + 2 + i);
  });

  sheets.push(SHEETS.meta);
  return { sheets, data, indicators, narratives, signature, tasks };
}

/** The cell of one field in the i-th row (0-based) of the task table. */
export function taskCell(layout: Layout, index: number, field: TaskField): CellRef {
  const t = layout.tasks;
  if (!t) throw new Error('This form has no task table');
  return ref(t.sheet, t.columns[field], t.firstRow + index);
}

/**
 * The cell that holds one field of a task: on the sheet row the task was read from, wherever that is
 * (blank rows left between tasks, rows inserted by the official); only a task not read from a workbook
 * (JSON, `row` null) is placed by its position in the list.
 */
export function taskFieldCell(layout: Layout, task: Pick<PlanTask, 'row'>, index: number, field: TaskField): CellRef {
  const t = layout.tasks;
  if (!t) throw new Error('This form has no task table');
  const row = typeof task.row === 'number' && Number.isInteger(task.row) && task.row > 0 ? task.row : t.firstRow + index;
  return ref(t.sheet, t.columns[field], row);
}

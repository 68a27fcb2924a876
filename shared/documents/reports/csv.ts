import { ZONE } from '../../domain/calendar.js';
import { zonedParts } from '../../domain/zone.js';
import { getForm } from '../../domain/forms.js';
import { UNIT_STATUS_REPORT_LABELS } from '../../domain/labels.js';
import type { Rollup } from '../../domain/rollup.js';
import type { FormDef } from '../../domain/types.js';
import { KIND_COLUMNS, KIND_SHORT } from './format.js';

/**
 * The roll-up as CSV for anyone who wants to recompute: UTF-8 with a BOM (so Excel reads the
 * Vietnamese correctly), CRLF line ends, RFC 4180 quoting, and OWASP CSV-injection neutralisation
 * (a text field starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`). Numbers are plain
 * numbers with a dot as decimal separator; a blank is "not reported", never 0.
 */

const BOM = '\uFEFF';
const CRLF = '\r\n';
const DANGEROUS = /^[=+\-@\t\r]/;

/** A text field made harmless for spreadsheets, then quoted when needed (RFC 4180). */
export function csvText(s: string): string {
  const safe = DANGEROUS.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A number as plain digits (float noise removed); null as an empty field. */
export function csvNumber(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '';
  return String(Number(n.toPrecision(15)));
}

type Field = string | number | null;

function csvRow(fields: Field[]): string {
  return fields.map((f) => (typeof f === 'number' || f === null ? csvNumber(f) : csvText(f))).join(',');
}

function vietnamTime(iso: string): string {
  const at = zonedParts(iso, ZONE);
  return at ? `${at.date}T${at.time}${at.millisecond ? `.${String(at.millisecond).padStart(3, '0')}` : ''}${at.offset}` : iso;
}

function formOf(rollup: Rollup): FormDef | null {
  try {
    return getForm(rollup.formId, rollup.formVersion);
  } catch {
    return null;
  }
}

export const CSV_INDICATOR_HEADER = [
  'Mã',
  'Chỉ tiêu',
  'Đơn vị tính',
  KIND_COLUMNS.all,
  KIND_COLUMNS.department,
  KIND_COLUMNS.district,
  KIND_COLUMNS.central,
  'Số đơn vị báo cáo',
  'Số đơn vị áp dụng',
];

export const CSV_PLAN_HEADER = ['Mã lĩnh vực', 'Lĩnh vực', 'Số nhiệm vụ'];

export const CSV_UNIT_HEADER = [
  'STT',
  'Mã',
  'Tên đơn vị',
  'Loại',
  'Tình trạng',
  'Số tệp đã nhận',
  'Số biên nhận',
  'Thời điểm nhận (giờ Việt Nam)',
  'Tên tệp',
  'SHA-256',
  'Khóa lưu trữ',
];

/** The indicator table (the tasks per area for a plan), a blank line, then the unit completeness table. */
export function rollupToCsv(rollup: Rollup): string {
  const rows: string[] = [];
  if (rollup.plan) {
    const form = formOf(rollup);
    rows.push(csvRow(CSV_PLAN_HEADER));
    for (const [code, n] of Object.entries(rollup.plan.tasksPerArea)) {
      rows.push(csvRow([code, form?.areas.find((a) => a.code === code)?.name ?? code, n]));
    }
  } else {
    rows.push(csvRow(CSV_INDICATOR_HEADER));
    for (const i of rollup.indicators) {
      rows.push(
        csvRow([
          i.code,
          i.name,
          i.valueType === 'yesno' ? 'đơn vị "Có"' : i.measure,
          i.total,
          i.byKind.department,
          i.byKind.district,
          i.byKind.central,
          i.reporting,
          i.applicable,
        ]),
      );
    }
  }
  rows.push('');
  rows.push(csvRow(CSV_UNIT_HEADER));
  rollup.units.forEach((u, n) => {
    const s = u.source;
    rows.push(
      csvRow([
        n + 1,
        u.unitCode,
        u.name,
        KIND_SHORT[u.kind],
        UNIT_STATUS_REPORT_LABELS[u.status],
        u.files,
        s?.receiptNo ?? '',
        s ? vietnamTime(s.receivedAt) : '',
        s?.fileName ?? '',
        s?.sha256 ?? '',
        s?.key ?? '',
      ]),
    );
  });
  return BOM + rows.join(CRLF) + CRLF;
}

/** The roll-up as pretty JSON (the machine-readable record of the consolidated report). */
export function rollupToJson(rollup: Rollup): string {
  return `${JSON.stringify(rollup, null, 2)}\n`;
}

import ExcelJS from 'exceljs';
import { columnName, OoxmlFormatError, OoxmlLimitError, OoxmlWorkbook, type CellValue } from './xlsx/ooxml.js';
import { inspectXlsx } from './xlsx/safe-zip.js';
import { RegistryError, type RegistryVersion } from '../domain/registry.js';
import type { LeaderTerm } from '../domain/roster.js';
import type { Unit, UnitKind } from '../domain/types.js';

/**
 * The unit registry as an Excel workbook, both ways: the board exports it, the Department edits it
 * in Excel (add a unit, close one with "Ngày kết thúc", record a merge or a split) and imports it
 * back. Reading goes through the product's bounded reader (safe-zip + ooxml), like any upload.
 */

export const REGISTRY_SHEET = 'Đơn vị';
export const ROSTER_SHEET = 'Lãnh đạo';

const UNIT_COLUMNS = [
  ['Mã', 10],
  ['Tên đơn vị', 42],
  ['Loại (department/district/central)', 16],
  ['Chức danh thủ trưởng', 20],
  ['Thư điện tử (cách nhau bởi dấu ;)', 40],
  ['Chuyên đề', 20],
  ['Ngày bắt đầu báo cáo', 14],
  ['Ngày kết thúc (thôi báo cáo)', 14],
  ['Tên cũ (tên|đến ngày; …)', 36],
  ['Hợp nhất từ (mã; …)', 16],
  ['Tách từ (mã)', 12],
] as const;

const ROSTER_COLUMNS = [
  ['Mã đơn vị', 10],
  ['Họ và tên', 28],
  ['Vai trò (head/deputy)', 14],
  ['Chức vụ', 28],
  ['Từ ngày', 14],
  ['Đến ngày', 14],
] as const;

function header(ws: ExcelJS.Worksheet, cols: readonly (readonly [string, number])[]): void {
  ws.columns = cols.map(([, width]) => ({ width }));
  const row = ws.getRow(1);
  cols.forEach(([label], i) => {
    const c = row.getCell(i + 1);
    c.value = label;
    c.font = { bold: true };
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
    c.alignment = { wrapText: true, vertical: 'middle' };
  });
  ws.views = [{ state: 'frozen', ySplit: 1 }];
}

/** The registry as a workbook: one sheet of units, one of the leadership roster. */
export async function registryToXlsx(v: RegistryVersion): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Hệ thống tiếp nhận báo cáo CCHC';
  const ws = wb.addWorksheet(REGISTRY_SHEET);
  header(ws, UNIT_COLUMNS);
  for (const u of v.units) {
    ws.addRow([
      u.code,
      u.name,
      u.kind,
      u.headTitle,
      u.emails.join('; '),
      u.thematicTopic ?? '',
      u.activeFrom ?? '',
      u.activeTo ?? '',
      (u.formerNames ?? []).map((f) => `${f.name}|${f.until}`).join('; '),
      (u.mergedFrom ?? []).join('; '),
      u.splitFrom ?? '',
    ]);
  }
  const rs = wb.addWorksheet(ROSTER_SHEET);
  header(rs, ROSTER_COLUMNS);
  for (const l of v.roster) rs.addRow([l.unit, l.name, l.role, l.office, l.from, l.to ?? '']);
  const about = wb.addWorksheet('Hướng dẫn');
  about.columns = [{ width: 110 }];
  for (const line of [
    `Danh mục đơn vị báo cáo, phiên bản ${v.version}${v.at ? ` (${v.at})` : ' (danh mục gốc)'}.`,
    'Sửa trong Excel rồi nhập lại trên bảng theo dõi. Không xóa dòng: một đơn vị thôi báo cáo thì ghi "Ngày kết thúc".',
    'Đơn vị mới: thêm dòng với mã mới (2–12 chữ in hoa hoặc số) và "Ngày bắt đầu báo cáo". Mã đã dùng không bao giờ dùng lại.',
    'Hợp nhất: ghi "Ngày kết thúc" cho các đơn vị cũ, thêm đơn vị mới với "Ngày bắt đầu" và "Hợp nhất từ" (mã các đơn vị cũ).',
    'Chia tách: ghi "Ngày kết thúc" cho đơn vị cũ, thêm các đơn vị mới với "Ngày bắt đầu" và "Tách từ" (mã đơn vị cũ).',
    'Đổi tên: dùng chức năng "Đổi tên" trên bảng theo dõi (giữ tên cũ cho các kỳ trước).',
    'Ngày ghi dạng YYYY-MM-DD. Trang "Lãnh đạo": thủ trưởng (head) và cấp phó (deputy) với thời gian giữ chức vụ, để đối chiếu chữ ký số.',
  ])
    about.addRow([line]);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

function text(c: CellValue | undefined): string {
  if (!c) return '';
  if (c.t === 'string') return c.v.normalize('NFC').trim();
  if (c.t === 'number') return String(c.v);
  if (c.t === 'date') return c.v.slice(0, 10);
  if (c.t === 'boolean') return c.v ? 'TRUE' : 'FALSE';
  return '';
}

function rowsOf(sheet: Map<string, CellValue>, width: number, max = 2000): string[][] {
  const out: string[][] = [];
  for (let r = 2; r <= max + 1; r++) {
    const row = Array.from({ length: width }, (_, i) => text(sheet.get(`${columnName(i + 1)}${r}`)));
    if (row.every((x) => !x)) {
      // two empty rows end the list
      const next = Array.from({ length: width }, (_, i) => text(sheet.get(`${columnName(i + 1)}${r + 1}`)));
      if (next.every((x) => !x)) break;
      continue;
    }
    out.push(row);
  }
  return out;
}

const list = (s: string) =>
  s
    .split(/[;,\n]/)
    .map((x) => x.trim())
    .filter(Boolean);

/** Reads an edited registry workbook (bounded), into units and a roster for checkRegistry; RegistryError in Vietnamese otherwise. */
export function registryFromXlsx(bytes: Uint8Array): { units: Unit[]; roster: LeaderTerm[] | null } {
  const inspected = inspectXlsx(bytes);
  if (!inspected.ok) throw new RegistryError(inspected.finding.message);
  let wb: OoxmlWorkbook;
  let sheet: Map<string, CellValue> | null;
  try {
    wb = new OoxmlWorkbook(inspected.entries);
    sheet = wb.sheet(REGISTRY_SHEET);
  } catch (err) {
    if (err instanceof OoxmlLimitError || err instanceof OoxmlFormatError)
      throw new RegistryError('Không đọc được tệp Excel danh mục (tệp hỏng hoặc quá lớn).');
    throw err;
  }
  if (!sheet) throw new RegistryError(`Tệp không có trang "${REGISTRY_SHEET}": hãy dùng tệp xuất từ bảng theo dõi.`);
  const units = rowsOf(sheet, UNIT_COLUMNS.length).map(([code, name, kind, headTitle, emails, topic, from, to, former, merged, split]) => {
    const formerNames = list(former ?? '').map((f) => {
      const [n, until] = f.split('|').map((x) => x.trim());
      if (!n || !until) throw new RegistryError(`Đơn vị ${code}: "Tên cũ" phải ghi dạng tên|YYYY-MM-DD.`);
      return { name: n, until };
    });
    return {
      code: code!,
      name: name!,
      kind: kind as UnitKind,
      headTitle: headTitle!,
      emails: list(emails ?? ''),
      ...(topic ? { thematicTopic: topic } : {}),
      ...(from ? { activeFrom: from } : {}),
      ...(to ? { activeTo: to } : {}),
      ...(formerNames.length ? { formerNames } : {}),
      ...(merged ? { mergedFrom: list(merged) } : {}),
      ...(split ? { splitFrom: split } : {}),
    } satisfies Unit;
  });
  let roster: LeaderTerm[] | null = null;
  let rs: Map<string, CellValue> | null = null;
  try {
    rs = wb.sheet(ROSTER_SHEET);
  } catch {
    throw new RegistryError('Không đọc được trang "Lãnh đạo".');
  }
  if (rs) {
    roster = rowsOf(rs, ROSTER_COLUMNS.length).map(([unitCode, name, role, office, from, to]) => {
      if (role !== 'head' && role !== 'deputy') throw new RegistryError(`Trang "Lãnh đạo", ${name}: vai trò phải là head hoặc deputy.`);
      return { unit: unitCode!.toUpperCase(), name: name!, role, office: office!, from: from!, ...(to ? { to } : {}) } satisfies LeaderTerm;
    });
  }
  return { units, roster };
}

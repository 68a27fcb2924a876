import ExcelJS from 'exceljs';
import type { TimelineEntry } from '../../application/timeline.js';
import type { Unit } from '../../domain/types.js';
import { csvText } from './csv.js';

/**
 * A period's audit trail as a file Phòng CCHC can keep or filter: CSV (UTF-8 with a BOM, CRLF,
 * neutralised against CSV injection, as the roll-up's) or an Excel sheet with a header row, filters
 * and frozen panes. Times in Vietnam time; one row per step, with its id so it can be traced back.
 */

const HEADERS = ['Thời điểm (giờ Việt Nam)', 'Kỳ báo cáo', 'Mã đơn vị', 'Đơn vị', 'Bước', 'Người thực hiện', 'Lý do', 'Chi tiết', 'Mã sự kiện'];

function rowOf(e: TimelineEntry, units: readonly Unit[]): string[] {
  const unit = e.unitCode ? (units.find((u) => u.code === e.unitCode)?.name ?? e.unitCode) : '';
  return [e.atText, e.periodId ?? '', e.unitCode ?? '', unit, e.typeName, e.who, e.reason ?? '', e.details, e.eventId];
}

export function trailToCsv(entries: readonly TimelineEntry[], units: readonly Unit[]): string {
  const lines = [HEADERS, ...entries.map((e) => rowOf(e, units))].map((r) => r.map(csvText).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export async function trailToXlsx(entries: readonly TimelineEntry[], units: readonly Unit[], title: string): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Hệ thống tiếp nhận báo cáo CCHC';
  const ws = wb.addWorksheet('Nhật ký', {
    views: [{ state: 'frozen', ySplit: 2 }],
    pageSetup: { orientation: 'landscape', paperSize: 9, fitToWidth: 1, fitToHeight: 0 },
  });
  ws.columns = [22, 11, 10, 30, 30, 30, 36, 60, 34].map((width) => ({ width }));
  ws.mergeCells(1, 1, 1, HEADERS.length);
  const t = ws.getCell(1, 1);
  t.value = title;
  t.font = { bold: true, size: 13, name: 'Times New Roman' };
  const head = ws.getRow(2);
  HEADERS.forEach((h, i) => {
    const c = head.getCell(i + 1);
    c.value = h;
    c.font = { bold: true, name: 'Times New Roman' };
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
    c.alignment = { wrapText: true, vertical: 'middle' };
  });
  for (const e of entries) {
    const row = ws.addRow(rowOf(e, units));
    row.alignment = { wrapText: true, vertical: 'top' };
    row.font = { name: 'Times New Roman', size: 11 };
  }
  ws.autoFilter = { from: { row: 2, column: 1 }, to: { row: 2 + entries.length, column: HEADERS.length } };
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

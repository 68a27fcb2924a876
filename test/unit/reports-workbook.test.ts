import ExcelJS from 'exceljs';
import { strFromU8, unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { UNIT_STATUS_REPORT_LABELS } from '../../shared/domain/labels.js';
import type { Rollup } from '../../shared/domain/rollup.js';
import type { FormDef, Unit } from '../../shared/domain/types.js';
import { defaultUnits } from '../../shared/domain/units.js';
import { demoRollup } from '../fixtures/demo-rollup.js';
import { SHEET_NAMES, writeConsolidatedWorkbook } from '../../shared/documents/reports/index.js';
import { splitLongText } from '../../shared/documents/reports/workbook.js';

/** Strings a unit could type that a spreadsheet would run as a formula, or that XML would alter. */
const HOSTILE = [
  '=HYPERLINK("http://x","y")',
  '+1',
  '@SUM(A1)',
  '-2+3',
  '\t=1+1',
  '\r=1+1',
  "=cmd|' /C calc'!A0",
  'Ô _x0041_ giữ nguyên',
  '<script>alert("x")</script> & Công ty',
];

async function load(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
}

function rowsOf(ws: ExcelJS.Worksheet): ExcelJS.Row[] {
  const rows: ExcelJS.Row[] = [];
  ws.eachRow((r) => rows.push(r));
  return rows;
}

function text(cell: ExcelJS.Cell): string {
  return typeof cell.value === 'string' ? cell.value : String(cell.value ?? '');
}

function sheetText(ws: ExcelJS.Worksheet): string {
  const parts: string[] = [];
  ws.eachRow((r) => r.eachCell((c) => parts.push(text(c))));
  return parts.join('\n');
}

const renamed: Unit[] = defaultUnits.map((u) =>
  u.code === 'SNGV' ? { ...u, name: '=Sở <b>Ngoại vụ</b>' } : u.code === 'SDL' ? { ...u, name: '@Sở Du lịch & "Lữ hành"' } : u,
);

describe('writeConsolidatedWorkbook — periodic report', () => {
  let rollup: Rollup;
  let form: FormDef;
  let bytes: Buffer;
  let wb: ExcelJS.Workbook;
  beforeAll(async () => {
    ({ rollup, form } = demoRollup({
      periodId: '2021-Q3',
      units: renamed,
      incomplete: ['SXD'],
      narratives: {
        STP: { to_chuc_thuc_hien: HOSTILE[0]!, ket_qua: HOSTILE[1]!, kho_khan: HOSTILE[2]!, kien_nghi: HOSTILE[3]! },
        STC: { to_chuc_thuc_hien: HOSTILE[4]!, ket_qua: HOSTILE[5]!, kho_khan: HOSTILE[7]!, kien_nghi: HOSTILE[8]! },
        SYT: { ket_qua: 'Kết quả nổi bật. '.repeat(400) },
      },
      fileNames: { STP: `${HOSTILE[6]!}.xlsx`, STC: '+SUM(1).xlsx', SXD: '-Báo cáo.xlsx' },
    }));
    bytes = await writeConsolidatedWorkbook(rollup, form);
    wb = await load(bytes);
  });

  it('has the summary, one sheet per area, the completeness and narrative sheets, with valid unique names', () => {
    const names = wb.worksheets.map((w) => w.name);
    expect(names).toEqual([
      'Tổng hợp',
      '0. Chỉ đạo điều hành',
      '1. Thể chế',
      '2. Thủ tục hành chính',
      '3. Tổ chức bộ máy',
      '4. Công vụ',
      '5. Tài chính công',
      '6. Chính phủ điện tử',
      'Đầy đủ - kịp thời',
      'Thuyết minh',
    ]);
    for (const n of names) {
      expect([...n].length).toBeLessThanOrEqual(31);
      expect(n).not.toMatch(/[[\]:*?/\\]/);
    }
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
  });

  it('the totals on every area sheet equal the roll-up totals, overall and by unit kind; blanks stay blank', () => {
    let checked = 0;
    for (const ind of rollup.indicators) {
      const ws = wb.worksheets.find((w) => rowsOf(w).some((r) => r.getCell(1).value === ind.code))!;
      const row = rowsOf(ws).find((r) => r.getCell(1).value === ind.code)!;
      expect(row.getCell(2).value).toBe(ind.name);
      expect(row.getCell(4).value ?? null).toBe(ind.total);
      expect(row.getCell(5).value ?? null).toBe(ind.byKind.department);
      expect(row.getCell(6).value ?? null).toBe(ind.byKind.district);
      expect(row.getCell(7).value ?? null).toBe(ind.byKind.central);
      expect(row.getCell(8).value).toBe(`${ind.reporting}/${ind.applicable}`);
      if (ind.valueType === 'rate') {
        expect(row.getCell(4).numFmt).toBe('0.00');
        expect(text(row.getCell(9))).toContain('tính lại từ tổng các thành phần'.replace(/^t/, 'T'));
      } else if (ind.valueType === 'count') {
        expect(row.getCell(4).numFmt).toBe('#,##0');
      }
      checked += 1;
    }
    expect(checked).toBe(rollup.indicators.length);
    const the_che = wb.getWorksheet('1. Thể chế')!;
    const tc01 = rowsOf(the_che).find((r) => r.getCell(1).value === 'TC.01')!;
    expect(tc01.getCell(4).value).toBe(rollup.indicators.find((i) => i.code === 'TC.01')!.total);
    // District-only indicators: the other kinds are blank (not 0) and say why.
    const cv07 = rowsOf(wb.getWorksheet('4. Công vụ')!).find((r) => r.getCell(1).value === 'CV.07')!;
    expect(cv07.getCell(5).value).toBeNull();
    expect(text(cv07.getCell(9))).toContain('Chỉ áp dụng cho UBND cấp huyện');
  });

  it('contains no formula anywhere, in the object model or in the XML', () => {
    for (const ws of wb.worksheets) {
      ws.eachRow((r) =>
        r.eachCell((c) => {
          expect(c.type).not.toBe(ExcelJS.ValueType.Formula);
          expect(c.formula).toBeUndefined();
        }),
      );
    }
    const files = unzipSync(new Uint8Array(bytes));
    const sheets = Object.keys(files).filter((f) => f.startsWith('xl/worksheets/sheet'));
    expect(sheets.length).toBe(wb.worksheets.length);
    for (const f of sheets) expect(strFromU8(files[f]!)).not.toMatch(/<f[ >]/);
    expect(Object.keys(files)).not.toContain('xl/calcChain.xml');
  });

  it('writes unit text that looks like a formula as the same string, typed text, formatted "@"', () => {
    const ws = wb.getWorksheet(SHEET_NAMES.narratives)!;
    const cells: ExcelJS.Cell[] = [];
    ws.eachRow((r) => cells.push(r.getCell(3)));
    for (const s of HOSTILE.filter((h) => !h.startsWith('=cmd'))) {
      const cell = cells.find((c) => c.value === s);
      expect(cell, JSON.stringify(s)).toBeDefined();
      expect(cell!.type).toBe(ExcelJS.ValueType.String);
      expect(cell!.numFmt).toBe('@');
    }
  });

  it('writes file names and unit names that look like formulas as text', () => {
    const ws = wb.getWorksheet(SHEET_NAMES.completeness)!;
    const all: ExcelJS.Cell[] = [];
    ws.eachRow((r) => r.eachCell((c) => all.push(c)));
    for (const s of [`${HOSTILE[6]}.xlsx`, '+SUM(1).xlsx', '-Báo cáo.xlsx', '=Sở <b>Ngoại vụ</b>', '@Sở Du lịch & "Lữ hành"']) {
      const cell = all.find((c) => c.value === s);
      expect(cell, s).toBeDefined();
      expect(cell!.type).toBe(ExcelJS.ValueType.String);
      expect(cell!.numFmt).toBe('@');
    }
    // The summary lists the missing and late units by name, as text too.
    const summary = sheetText(wb.getWorksheet(SHEET_NAMES.summary)!);
    expect(summary).toContain('=Sở <b>Ngoại vụ</b>');
    expect(summary).toContain('@Sở Du lịch & "Lữ hành"');
  });

  it('traces every expected unit to its file: status, files, receipt, time, name, SHA-256, key', () => {
    const ws = wb.getWorksheet(SHEET_NAMES.completeness)!;
    const rows = rowsOf(ws);
    for (const u of rollup.units) {
      const row = rows.find((r) => r.getCell(2).value === u.unitCode && typeof r.getCell(1).value === 'number');
      expect(row, u.unitCode).toBeDefined();
      expect(row!.getCell(3).value).toBe(u.name);
      expect(row!.getCell(5).value).toBe(UNIT_STATUS_REPORT_LABELS[u.status]);
      expect(row!.getCell(6).value).toBe(u.files);
      expect(row!.getCell(7).value ?? '').toBe(u.source?.receiptNo ?? '');
      expect(row!.getCell(9).value ?? '').toBe(u.source?.fileName ?? '');
      expect(row!.getCell(10).value ?? '').toBe(u.source?.sha256 ?? '');
      expect(row!.getCell(11).value ?? '').toBe(u.source?.key ?? '');
    }
    const numbered = rows.filter((r) => typeof r.getCell(1).value === 'number');
    expect(numbered.map((r) => r.getCell(1).value)).toEqual(rollup.units.map((_, i) => i + 1));
    // Receipt time in Vietnam time: the first on-time unit.
    const first = rollup.units.find((u) => u.source)!;
    const at = rows.find((r) => r.getCell(2).value === first.unitCode)!.getCell(8).value as string;
    const local = new Date(Date.parse(first.source!.receivedAt) + 7 * 3_600_000).toISOString();
    expect(at).toBe(`${local.slice(11, 19)}\n${local.slice(8, 10)}/${local.slice(5, 7)}/${local.slice(0, 4)}`);
  });

  it('the summary carries the coverage by kind, the lists, the warnings, the failed checks and the traceability note', () => {
    const ws = wb.getWorksheet(SHEET_NAMES.summary)!;
    const all = sheetText(ws);
    expect(all).toContain(`TỔNG HỢP KẾT QUẢ BÁO CÁO CCHC — ${rollup.periodName.toLocaleUpperCase('vi')}`);
    expect(all).not.toContain('BẢN BỔ SUNG');
    expect(rollup.warnings.length).toBeGreaterThan(0);
    for (const w of rollup.warnings) expect(all).toContain(w);
    expect(all).toContain('15/06/2021 – 14/09/2021');
    expect(all).toContain('15/06/2020 – 14/09/2021');
    expect(all).toContain('mọi số liệu truy được về tệp gốc'.replace(/^m/, 'M'));
    expect(all).toContain('Đầy đủ - kịp thời');
    const rows = rowsOf(ws);
    const byLabel = (label: string) => rows.find((r) => r.getCell(2).value === label)!;
    for (const [kind, label] of [
      ['department', 'Sở, ban, ngành cấp tỉnh'],
      ['district', 'UBND cấp huyện'],
      ['central', 'Cơ quan Trung ương trên địa bàn'],
      ['all', 'Toàn tỉnh'],
    ] as const) {
      const c = rollup.coverage[kind];
      const r = byLabel(label);
      expect([3, 4, 5, 6, 7, 8, 9].map((n) => r.getCell(n).value)).toEqual([c.expected, c.valid, c.onTime, c.late, c.incomplete, c.rejectedOnly, c.missing]);
      expect(r.getCell(10).value).toBeCloseTo(c.completeness * 100, 2);
      expect(r.getCell(11).value).toBeCloseTo(c.timeliness * 100, 2);
      expect(r.getCell(10).numFmt).toBe('0.00');
    }
    for (const code of [...rollup.missing, ...rollup.late, ...rollup.rejectedOnly, ...rollup.incomplete]) {
      expect(all).toContain(rollup.units.find((u) => u.unitCode === code)!.name);
    }
    // the incomplete dossier: what it lacks, and that its figures are not in
    expect(rollup.incomplete).toEqual(['SXD']);
    expect(all).toContain('Hồ sơ chưa đủ (1 đơn vị)');
    expect(all).toContain('Thiếu báo cáo đã ký số (tệp PDF); biểu số liệu hợp lệ, biên nhận');
    expect(all).toContain('hồ sơ thiếu một phần chưa được tính vào số liệu tổng hợp');
    const failed = rollup.relationChecks.filter((c) => !c.ok);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect(all).toContain(f.id);
  });

  it('is set up for A4 print: fit to width, page numbers, repeated header rows, frozen panes', () => {
    for (const ws of wb.worksheets) {
      expect(ws.pageSetup.paperSize).toBe(9);
      expect(ws.pageSetup.fitToPage).toBe(true);
      expect(ws.pageSetup.fitToWidth).toBe(1);
      expect(ws.pageSetup.fitToHeight).toBe(0);
      expect(ws.headerFooter.oddFooter).toContain('Trang &P/&N');
    }
    const area = wb.getWorksheet('2. Thủ tục hành chính')!;
    expect(area.pageSetup.orientation).toBe('landscape');
    expect(area.pageSetup.printTitlesRow).toMatch(/^\d+:\d+$/);
    const headerRow = Number(area.pageSetup.printTitlesRow!.split(':')[0]);
    expect(area.getRow(headerRow).getCell(1).value).toBe('Mã');
    expect(area.getRow(headerRow).getCell(9).value).toBe('Ghi chú');
    expect(area.views[0]).toMatchObject({ state: 'frozen', ySplit: headerRow, xSplit: 2 });
    expect(wb.getWorksheet(SHEET_NAMES.completeness)!.views[0]).toMatchObject({ state: 'frozen' });
  });

  it('splits a very long narrative over rows at sentence ends, losing nothing', () => {
    const ws = wb.getWorksheet(SHEET_NAMES.narratives)!;
    const original = 'Kết quả nổi bật. '.repeat(400);
    const syt = rollup.units.find((u) => u.unitCode === 'SYT')!.name;
    const parts = rowsOf(ws)
      .filter((r) => r.getCell(2).value === syt || r.getCell(2).value === `${syt} (tiếp)`)
      .map((r) => text(r.getCell(3)))
      .filter((t) => t.startsWith('Kết quả nổi bật'));
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join(' ').replace(/\s+/g, ' ').trim()).toBe(original.trim());
    for (const r of rowsOf(ws)) expect(r.height ?? 0).toBeLessThanOrEqual(409);
  });

  it('reads back identically when written twice (deterministic content)', async () => {
    const again = await load(await writeConsolidatedWorkbook(rollup, form));
    for (const ws of wb.worksheets) expect(sheetText(again.getWorksheet(ws.name)!)).toBe(sheetText(ws));
  });
});

describe('writeConsolidatedWorkbook — addendum, plan, thematic', () => {
  it('marks an addendum that includes late reports', async () => {
    const { rollup, form } = demoRollup({ periodId: '2021-Q1', includeLate: true });
    const wb = await load(await writeConsolidatedWorkbook(rollup, form));
    for (const ws of wb.worksheets) expect(sheetText(ws)).toContain('BẢN BỔ SUNG: gồm báo cáo nộp muộn');
    const late = rollup.units.filter((u) => u.status === 'late');
    expect(late.length).toBeGreaterThan(0);
    expect(sheetText(wb.getWorksheet('Tổng hợp')!)).toContain('Đã đưa vào bản bổ sung');
  });

  it('a plan: tasks per reform area, in total and per unit', async () => {
    const { rollup, form } = demoRollup({ periodId: '2022-PLAN' });
    const wb = await load(await writeConsolidatedWorkbook(rollup, form));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Tổng hợp', 'Nhiệm vụ theo lĩnh vực', 'Đầy đủ - kịp thời', 'Thuyết minh']);
    const ws = wb.getWorksheet('Nhiệm vụ theo lĩnh vực')!;
    const rows = rowsOf(ws);
    const header = rows.find((r) => r.getCell(3).value === 'Tên đơn vị')!;
    const areaCols = form.areas.map((a, i) => ({ code: a.code, col: 4 + i }));
    expect(areaCols.map((a) => header.getCell(a.col).value)).toEqual([
      '1. Thể chế',
      '2. Thủ tục hành chính',
      '3. Tổ chức bộ máy',
      '4. Công vụ',
      '5. Tài chính công',
      '6. Chính phủ điện tử',
    ]);
    const total = rows.find((r) => String(r.getCell(2).value).startsWith('Toàn tỉnh'))!;
    for (const a of areaCols) expect(total.getCell(a.col).value).toBe(rollup.plan!.tasksPerArea[a.code]);
    for (const [code, counts] of Object.entries(rollup.plan!.byUnit)) {
      const row = rows.find((r) => r.getCell(2).value === code)!;
      for (const a of areaCols) expect(row.getCell(a.col).value).toBe(counts[a.code] ?? 0);
      expect(row.getCell(10).value).toBe(Object.values(counts).reduce((x, y) => x + y, 0));
    }
  });

  it('a thematic report: which named departments reported and which did not', async () => {
    const { rollup, form } = demoRollup({ periodId: '2021-THEMATIC', missing: ['SKHCN'] });
    const wb = await load(await writeConsolidatedWorkbook(rollup, form));
    const ws = wb.getWorksheet('Báo cáo chuyên đề')!;
    const rows = rowsOf(ws);
    expect(rollup.thematic!.notReported).toEqual(['SKHCN']);
    expect(rows.find((r) => r.getCell(2).value === 'SKHCN')!.getCell(5).value).toMatch(/^Chưa báo cáo/);
    for (const code of rollup.thematic!.reported) expect(rows.find((r) => r.getCell(2).value === code)!.getCell(5).value).toBe('Đã báo cáo');
    expect(rows.find((r) => r.getCell(2).value === 'STTTT')!.getCell(4).value).toBe('Xây dựng và phát triển Chính phủ điện tử');
    // Only the department kind owes it: no empty rows for the other kinds.
    expect(sheetText(wb.getWorksheet('Tổng hợp')!)).not.toContain('Cơ quan Trung ương trên địa bàn');
  });
});

describe('writeConsolidatedWorkbook — nobody reported', () => {
  it('leaves every total blank (not 0) with a note, and still lists every unit', async () => {
    const { rollup, form } = demoRollup({ periodId: '2021-H1', only: ['STP', 'HUE', 'CAT'], missing: ['STP', 'HUE', 'CAT'], late: [], rejectedOnly: [] });
    expect(rollup.indicators.every((i) => i.total === null)).toBe(true);
    const wb = await load(await writeConsolidatedWorkbook(rollup, form));
    const row = rowsOf(wb.getWorksheet('2. Thủ tục hành chính')!).find((r) => r.getCell(1).value === 'TT.HS.01')!;
    expect(row.getCell(4).value).toBeNull();
    expect(row.getCell(4).numFmt).toBe('#,##0');
    expect(text(row.getCell(9))).toContain('để trống, không phải 0');
    const units = rowsOf(wb.getWorksheet(SHEET_NAMES.completeness)!).filter((r) => typeof r.getCell(1).value === 'number');
    expect(units.map((r) => r.getCell(5).value)).toEqual(['Chưa nộp', 'Chưa nộp', 'Chưa nộp']);
  });
});

describe('splitLongText', () => {
  it('keeps short text whole and cuts long text at paragraph, sentence or word ends', () => {
    expect(splitLongText('ngắn', 10)).toEqual(['ngắn']);
    expect(splitLongText('Một hai. Ba bốn năm sáu.', 12)).toEqual(['Một hai.', 'Ba bốn năm', 'sáu.']);
    expect(splitLongText('a'.repeat(25), 10)).toEqual(['a'.repeat(10), 'a'.repeat(10), 'a'.repeat(5)]);
    expect(splitLongText('dòng một\ndòng hai dài hơn', 12)).toEqual(['dòng một', 'dòng hai', 'dài hơn']);
  });
});

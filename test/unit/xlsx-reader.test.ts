import { describe, expect, it } from 'vitest';
import { signMeta } from '../../shared/documents/xlsx/meta.js';
import { readWorkbook } from '../../shared/documents/xlsx/workbook-reader.js';
import { editWorkbook, KEY, patchZip, sampleFill, sheetPart, SHEETS, slotOf, templateOf } from '../fixtures/xlsx-fixtures.js';

const STP_Q1 = slotOf('STP', '2021-Q1');
const PLAN = slotOf('STP', '2021-PLAN');
const cellOf = (code: string): string => STP_Q1.layout.indicators[code]!.cell;

/** Sets `_meta` fields (column B of the row whose column A is the key) with exceljs, as a person could. */
async function editMeta(bytes: Uint8Array, changes: Record<string, string>): Promise<Buffer> {
  return editWorkbook(bytes, (wb) => {
    const ws = wb.getWorksheet(SHEETS.meta)!;
    ws.eachRow((row) => {
      const key = String(row.getCell(1).value);
      if (key in changes) row.getCell(2).value = changes[key]!;
    });
  });
}

describe('readWorkbook: identity of the template', () => {
  it('accepts a template re-saved by a spreadsheet program without changes', async () => {
    const fill = sampleFill(STP_Q1);
    const resaved = await editWorkbook(await templateOf(STP_Q1, fill), () => {});
    const result = await readWorkbook(resaved, { key: KEY });
    expect(result.findings).toEqual([]);
    expect(result.submission!.values['TC.01']).toBe(fill.values!['TC.01']);
  });

  it('refuses a `_meta` whose unit was changed: TEMPLATE_TAMPERED on the `_meta` sheet', async () => {
    const edited = await editMeta(await templateOf(STP_Q1), { unitCode: 'SNV' });
    const result = await readWorkbook(edited, { key: KEY });
    expect(result.submission).toBeNull();
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ code: 'TEMPLATE_TAMPERED', severity: 'error', sheet: '_meta' });
    expect(result.findings[0]!.message).toContain('tải mẫu mới');
  });

  it('refuses a template signed with another key', async () => {
    const result = await readWorkbook(await templateOf(STP_Q1, undefined, 'another-key'), { key: KEY });
    expect(result.submission).toBeNull();
    expect(result.findings.map((f) => f.code)).toEqual(['TEMPLATE_TAMPERED']);
  });

  it('refuses a `_meta` whose signature row was removed', async () => {
    const edited = await editWorkbook(await templateOf(STP_Q1), (wb) => {
      wb.getWorksheet(SHEETS.meta)!.spliceRows(8, 1);
    });
    const result = await readWorkbook(edited, { key: KEY });
    expect(result.findings.map((f) => f.code)).toEqual(['TEMPLATE_TAMPERED']);
  });

  it('refuses a workbook without `_meta`: TEMPLATE_UNKNOWN', async () => {
    const edited = await editWorkbook(await templateOf(STP_Q1), (wb) => {
      wb.removeWorksheet(wb.getWorksheet(SHEETS.meta)!.id);
    });
    const result = await readWorkbook(edited, { key: KEY });
    expect(result.submission).toBeNull();
    expect(result.meta).toBeNull();
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ code: 'TEMPLATE_UNKNOWN', severity: 'error', sheet: null, cell: null });
    expect(result.findings[0]!.message).toContain('Tệp không phải mẫu do hệ thống cấp');
  });

  it('refuses an outdated form version even when correctly signed: TEMPLATE_OUTDATED', async () => {
    const meta = { ...STP_Q1.meta, formVersion: 99 };
    const edited = await editMeta(await templateOf(STP_Q1), { formVersion: '99', sig: signMeta(meta, KEY) });
    const result = await readWorkbook(edited, { key: KEY });
    expect(result.submission).toBeNull();
    expect(result.meta).toEqual(meta);
    expect(result.findings.map((f) => f.code)).toEqual(['TEMPLATE_OUTDATED']);
    expect(result.findings[0]!.message).toContain('mẫu cũ');
    expect(result.findings[0]!.message).toContain('tải mẫu mới');
  });

  it('refuses a correctly signed template for a unit not in the registry', async () => {
    const meta = { ...STP_Q1.meta, unitCode: 'XYZ' };
    const edited = await editMeta(await templateOf(STP_Q1), { unitCode: 'XYZ', sig: signMeta(meta, KEY) });
    const result = await readWorkbook(edited, { key: KEY });
    expect(result.submission).toBeNull();
    expect(result.findings.map((f) => f.code)).toEqual(['TEMPLATE_UNIT_UNKNOWN']);
    expect(result.findings[0]!.message).toContain('"XYZ"');
  });
});

describe('readWorkbook: structure of the template', () => {
  it('refuses a data sheet with an inserted row, naming the sheet and the first cell that moved', async () => {
    const firstIndicatorRow = STP_Q1.layout.data!.areaRows[0]!.row + 1;
    const edited = await editWorkbook(await templateOf(STP_Q1), (wb) => {
      wb.getWorksheet(SHEETS.data)!.spliceRows(firstIndicatorRow + 2, 0, ['X']);
    });
    const result = await readWorkbook(edited, { key: KEY });
    expect(result.submission).toBeNull();
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      code: 'TEMPLATE_STRUCTURE_CHANGED',
      severity: 'error',
      sheet: 'Số liệu',
      cell: `A${firstIndicatorRow + 2}`,
    });
    expect(result.findings[0]!.message).toContain('CD.KH.03');
  });

  it('refuses two indicator rows swapped', async () => {
    const a = STP_Q1.layout.indicators['TC.01']!.row;
    const b = STP_Q1.layout.indicators['TC.02']!.row;
    const edited = await editWorkbook(await templateOf(STP_Q1), (wb) => {
      const ws = wb.getWorksheet(SHEETS.data)!;
      ws.getCell(`A${a}`).value = 'TC.02';
      ws.getCell(`A${b}`).value = 'TC.01';
    });
    const result = await readWorkbook(edited, { key: KEY });
    expect(result.findings).toEqual([expect.objectContaining({ code: 'TEMPLATE_STRUCTURE_CHANGED', cell: `A${a}` })]);
  });

  it('refuses a renamed sheet, naming the missing sheet', async () => {
    const edited = await editWorkbook(await templateOf(STP_Q1), (wb) => {
      wb.getWorksheet(SHEETS.text)!.name = 'Thuyet minh';
    });
    const result = await readWorkbook(edited, { key: KEY });
    expect(result.submission).toBeNull();
    expect(result.findings).toEqual([expect.objectContaining({ code: 'TEMPLATE_STRUCTURE_CHANGED', sheet: 'Thuyết minh', cell: null })]);
  });

  it('refuses a task table whose header was changed', async () => {
    const t = PLAN.layout.tasks!;
    const edited = await editWorkbook(await templateOf(PLAN), (wb) => {
      wb.getWorksheet(t.sheet)!.spliceColumns(3, 1);
    });
    const result = await readWorkbook(edited, { key: KEY });
    expect(result.findings[0]).toMatchObject({ code: 'TEMPLATE_STRUCTURE_CHANGED', sheet: 'Nhiệm vụ', cell: `${t.columns.content}${t.headerRow}` });
  });
});

describe('readWorkbook: cell contents as typed', () => {
  it('keeps text in a number cell exactly as typed, for the validator to flag', async () => {
    const values = { 'TC.01': '1.234', 'TC.02': ' 12 ', 'TC.03': '12 hồ sơ', 'TC.04': '0' };
    const result = await readWorkbook(await templateOf(STP_Q1, { values }), { key: KEY });
    expect(result.findings).toEqual([]);
    expect(result.submission!.values).toMatchObject(values);
  });

  it('reads NFD Vietnamese text (typed on macOS) back as NFC, trimmed', async () => {
    const nfd = '  Những khó khăn, vướng mắc trong thực hiện cải cách hành chính  '.normalize('NFD');
    expect(nfd).not.toBe(nfd.normalize('NFC'));
    const result = await readWorkbook(
      await templateOf(STP_Q1, { narratives: { kho_khan: nfd }, signature: { signerName: 'Nguyễn Văn Ân'.normalize('NFD') } }),
      { key: KEY },
    );
    expect(result.submission!.narratives.kho_khan).toBe('Những khó khăn, vướng mắc trong thực hiện cải cách hành chính');
    expect(result.submission!.signature.signerName).toBe('Nguyễn Văn Ân'.normalize('NFC'));
  });

  it('keeps an NFD string in a number cell as NFC, untrimmed', async () => {
    const result = await readWorkbook(await templateOf(STP_Q1, { values: { 'TC.01': ' 12 hồ sơ'.normalize('NFD') } }), { key: KEY });
    expect(result.submission!.values['TC.01']).toBe(' 12 hồ sơ'.normalize('NFC'));
  });

  it('reads a formula by its cached value', async () => {
    const edited = await editWorkbook(await templateOf(STP_Q1), (wb) => {
      wb.getWorksheet(SHEETS.data)!.getCell(cellOf('TC.01')).value = { formula: '5+7', result: 12 } as never;
    });
    const result = await readWorkbook(edited, { key: KEY });
    expect(result.findings).toEqual([]);
    expect(result.submission!.values['TC.01']).toBe(12);
  });

  it('refuses a formula without a cached value instead of reading it as 0: FORMULA_NO_CACHE', async () => {
    const edited = await editWorkbook(await templateOf(STP_Q1, { values: { 'TC.02': 3 } }), (wb) => {
      wb.getWorksheet(SHEETS.data)!.getCell(cellOf('TC.01')).value = { formula: `${cellOf('TC.02')}+1` } as never;
    });
    const result = await readWorkbook(edited, { key: KEY });
    expect(result.findings).toEqual([
      {
        code: 'FORMULA_NO_CACHE',
        severity: 'error',
        sheet: 'Số liệu',
        cell: cellOf('TC.01'),
        indicator: 'TC.01',
        message: `Ô ${cellOf('TC.01')} (trang "Số liệu") chứa công thức nhưng không có giá trị đã tính. Hãy mở tệp bằng Excel, lưu lại rồi tải lên.`,
      },
    ]);
    expect(result.unreadable).toEqual(['TC.01']);
    expect(result.submission!.values['TC.01']).toBeNull();
    expect(result.submission!.values['TC.02']).toBe(3);
  });

  it('refuses error values (#DIV/0!) in an indicator cell: CELL_ERROR', async () => {
    const edited = await editWorkbook(await templateOf(STP_Q1), (wb) => {
      const ws = wb.getWorksheet(SHEETS.data)!;
      ws.getCell(cellOf('CD.KH.03')).value = { formula: '1/0', result: { error: '#DIV/0!' } } as never;
      ws.getCell(cellOf('TC.01')).value = { error: '#N/A' } as never;
    });
    const result = await readWorkbook(edited, { key: KEY });
    expect(result.findings.map((f) => [f.code, f.indicator])).toEqual([
      ['CELL_ERROR', 'CD.KH.03'],
      ['CELL_ERROR', 'TC.01'],
    ]);
    expect(result.findings[0]!.message).toContain('#DIV/0!');
    expect(result.unreadable).toEqual(['CD.KH.03', 'TC.01']);
  });

  it('refuses a date in an indicator cell: CELL_DATE', async () => {
    const edited = await editWorkbook(await templateOf(STP_Q1), (wb) => {
      const c = wb.getWorksheet(SHEETS.data)!.getCell(cellOf('TC.01'));
      c.value = new Date(Date.UTC(2021, 2, 12));
      c.numFmt = 'dd/mm/yyyy';
    });
    const result = await readWorkbook(edited, { key: KEY });
    expect(result.findings).toEqual([expect.objectContaining({ code: 'CELL_DATE', indicator: 'TC.01', cell: cellOf('TC.01') })]);
    expect(result.findings[0]!.message).toContain('ngày tháng');
    expect(result.unreadable).toEqual(['TC.01']);
  });

  it('reads a text issue date as typed and a signing form from its code or label', async () => {
    const result = await readWorkbook(await templateOf(STP_Q1, { signature: { issueDate: ' 10/3/2021 ', signingForm: 'TUQ. Giám đốc' } }), { key: KEY });
    expect(result.submission!.signature.issueDate).toBe('10/3/2021');
    expect(result.submission!.signature.signingForm).toBe('TUQ.');
    const raw = await readWorkbook(await templateOf(STP_Q1, { signature: { signingForm: 'Ủy quyền miệng' } }), { key: KEY });
    expect(raw.submission!.signature.signingForm).toBe('Ủy quyền miệng');
    const words = await readWorkbook(await templateOf(STP_Q1, { signature: { signingForm: 'Thay mặt' } }), { key: KEY });
    expect(words.submission!.signature.signingForm).toBe('TM.');
  });

  it('maps task areas given as label, name or code, and keeps unknown text', async () => {
    const task = { content: 'Nhiệm vụ', expectedResult: null, deadline: null, leadAgency: null, coordinatingAgencies: null, resources: null, row: null };
    const result = await readWorkbook(
      await templateOf(PLAN, {
        tasks: [
          { ...task, area: '2. Cải cách thủ tục hành chính' },
          { ...task, area: 'cải cách công vụ' },
          { ...task, area: 'tai_chinh_cong' },
          { ...task, area: 'Lĩnh vực khác' },
        ],
      }),
      { key: KEY },
    );
    expect(result.submission!.tasks.map((t) => t.area)).toEqual(['thu_tuc_hanh_chinh', 'cong_vu', 'tai_chinh_cong', 'Lĩnh vực khác']);
  });

  it('skips empty task rows and reads rows after a gap', async () => {
    const t = PLAN.layout.tasks!;
    const edited = await editWorkbook(await templateOf(PLAN), (wb) => {
      wb.getWorksheet(t.sheet)!.getCell(`${t.columns.content}${t.firstRow + 5}`).value = 'Nhiệm vụ ở dòng 6';
    });
    const result = await readWorkbook(edited, { key: KEY });
    expect(result.submission!.tasks).toEqual([
      {
        area: null,
        content: 'Nhiệm vụ ở dòng 6',
        expectedResult: null,
        deadline: null,
        leadAgency: null,
        coordinatingAgencies: null,
        resources: null,
        row: t.firstRow + 5,
      },
    ]);
  });

  it('reads dates of a workbook in the 1904 date system', async () => {
    // Prepare: a filled plan, then the workbook switched to 1904 with the serials Excel for Mac would write.
    const bytes = await templateOf(PLAN, { tasks: sampleFill(PLAN).tasks, signature: { issueDate: '2021-01-04' } });
    const serial1900 = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000 + 25_569;
    const to1904 = (xml: string, cell: string, iso: string): string => {
      const from = `<c r="${cell}"`;
      const at = xml.indexOf(from);
      const v = xml.indexOf(`<v>${serial1900(iso)}</v>`, at);
      expect(at).toBeGreaterThan(-1);
      expect(v).toBeGreaterThan(at);
      expect(xml.slice(at, v)).not.toContain('</c>');
      return `${xml.slice(0, v)}<v>${serial1900(iso) - 1462}</v>${xml.slice(v + `<v>${serial1900(iso)}</v>`.length)}`;
    };
    const t = PLAN.layout.tasks!;
    const patched = patchZip(bytes, (_, text) => {
      text.set('xl/workbook.xml', text.get('xl/workbook.xml').replace('<workbookPr ', '<workbookPr date1904="1" '));
      const sign = sheetPart(PLAN, SHEETS.sign);
      text.set(sign, to1904(text.get(sign), PLAN.layout.signature.issueDate.cell, '2021-01-04'));
      const tasks = sheetPart(PLAN, t.sheet);
      text.set(tasks, to1904(text.get(tasks), `${t.columns.deadline}${t.firstRow}`, '2021-06-30'));
    });
    // Act
    const result = await readWorkbook(patched, { key: KEY });
    // Assess
    expect(result.findings).toEqual([]);
    expect(result.submission!.signature.issueDate).toBe('2021-01-04');
    expect(result.submission!.tasks[0]!.deadline).toBe('2021-06-30');
    // The second task's serial was left in the 1900 system: read as 1904, it lands 1462 days later.
    expect(result.submission!.tasks[1]!.deadline).toBe('2026-01-01');
  });
});

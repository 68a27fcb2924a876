import type ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { SIGNATURE_FIELDS, SIGNATURE_LABELS, TASK_FIELDS, TASK_LABELS } from '../../shared/domain/layout.js';
import { deputyTitle, SIGNING_FORMS } from '../../shared/domain/signing.js';
import { readWorkbook } from '../../shared/documents/xlsx/workbook-reader.js';
import { expectedSubmission, KEY, loadWorkbook, sampleFill, SHEETS, slotOf, templateOf } from '../fixtures/xlsx-fixtures.js';

const text = (ws: ExcelJS.Worksheet, cell: string): string => {
  const v = ws.getCell(cell).value;
  if (v && typeof v === 'object' && 'richText' in v) return v.richText.map((r) => r.text).join('');
  return v === null || v === undefined ? '' : String(v);
};

function allText(ws: ExcelJS.Worksheet): string {
  const out: string[] = [];
  ws.eachRow((row) => row.eachCell((c) => out.push(text(ws, c.address))));
  return out.join('\n');
}

describe('writeTemplate: a periodic report (STP, 2021-Q1)', async () => {
  // Prepare
  const slot = slotOf('STP', '2021-Q1');
  const wb = await loadWorkbook(await templateOf(slot));
  const data = wb.getWorksheet(SHEETS.data)!;

  it('has the layout’s sheets in order, the meta sheet very hidden and holding the signed identity', () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual(slot.layout.sheets);
    expect(wb.worksheets.map((w) => w.state)).toEqual(['visible', 'visible', 'visible', 'visible', 'veryHidden']);
    const meta = wb.getWorksheet(SHEETS.meta)!;
    expect(text(meta, 'A1')).toBe('templateId');
    expect(text(meta, 'B3')).toBe('1');
    expect(text(meta, 'A8')).toBe('sig');
    expect(text(meta, 'B8')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('writes the guide in Vietnamese with the unit, period, data window and the exact deadline', () => {
    const guide = allText(wb.getWorksheet(SHEETS.guide)!);
    expect(guide).toContain('Sở Tư pháp');
    expect(guide).toContain('2021-Q1');
    expect(guide).toContain('15/12/2020 – 14/03/2021');
    expect(guide).toContain('hạn nhận: 23:59:59 ngày 15/03/2021, giờ Việt Nam');
    expect(guide).toContain('khác với số 0');
    expect(guide).toContain('"TL." (thừa lệnh)');
    expect(guide).toContain('Sổ làm việc Excel (.xlsx)');
    expect(guide).toContain('đường dẫn cá nhân');
    expect(guide).toContain('theo từng trang và ô');
  });

  it('writes every string in NFC', () => {
    for (const ws of wb.worksheets) {
      const all = allText(ws);
      expect(all).toBe(all.normalize('NFC'));
    }
  });

  it('heads the data sheet with the five Vietnamese column labels and the slot identity above', () => {
    const h = slot.layout.data!.headerRow;
    expect(['A', 'B', 'C', 'D', 'E'].map((c) => text(data, `${c}${h}`))).toEqual(['Mã chỉ tiêu', 'Chỉ tiêu', 'Đơn vị tính', 'Giá trị', 'Ghi chú / quan hệ']);
    expect(text(data, 'A1')).toContain('BÁO CÁO TÌNH HÌNH, KẾT QUẢ THỰC HIỆN CẢI CÁCH HÀNH CHÍNH');
    expect(text(data, 'A2')).toContain('Sở Tư pháp');
    expect(text(data, 'A3')).toContain('2021-Q1');
    expect(text(data, 'A4')).toContain('15/12/2020 – 14/03/2021');
    expect(text(data, 'A5')).toContain('23:59:59 ngày 15/03/2021');
  });

  it('writes area rows and one row per indicator at the layout’s positions, required ones marked', () => {
    const areaTexts = slot.layout.data!.areaRows.map((a) => text(data, `A${a.row}`));
    expect(areaTexts[0]).toBe('Công tác chỉ đạo, điều hành CCHC');
    expect(areaTexts[1]).toBe('1. Cải cách thể chế');
    expect(areaTexts).toContain('6. Xây dựng và phát triển Chính phủ điện tử');
    for (const ind of slot.form.indicators.filter((i) => i.appliesTo.includes('department'))) {
      const ref = slot.layout.indicators[ind.code]!;
      expect(text(data, `A${ref.row}`)).toBe(ind.code);
      expect(text(data, `B${ref.row}`)).toBe(ind.required ? `${ind.name} (*)` : ind.name);
      expect(text(data, `C${ref.row}`)).toBe(ind.measure);
    }
    expect(text(data, `E${slot.layout.indicators['CD.KH.02']!.row}`)).toContain('CD.KH.02 không được lớn hơn CD.KH.01');
    expect(slot.layout.indicators['TT.01a']).toBeUndefined();
  });

  it('makes every input cell yellow, unlocked and validated by its value type, and locks the rest', () => {
    const expected = { count: 'whole', rate: 'decimal', amount: 'decimal', yesno: 'list' };
    for (const ind of slot.form.indicators.filter((i) => i.appliesTo.includes('department'))) {
      const cell = data.getCell(slot.layout.indicators[ind.code]!.cell);
      expect(cell.protection?.locked, ind.code).toBe(false);
      expect((cell.fill as ExcelJS.FillPattern).fgColor?.argb).toBe('FFFFF2CC');
      expect(cell.dataValidation?.type, ind.code).toBe(expected[ind.valueType]);
      expect(cell.dataValidation?.error).toMatch(/[àáảãạăâđêôơư]/);
    }
    const count = data.getCell(slot.layout.indicators['TC.01']!.cell).dataValidation!;
    expect(count).toMatchObject({ operator: 'greaterThanOrEqual', formulae: [0], showErrorMessage: true });
    const rate = data.getCell(slot.layout.indicators['CD.KH.03']!.cell).dataValidation!;
    expect(rate).toMatchObject({ operator: 'between', formulae: [0, 100] });
    const yesno = data.getCell(slot.layout.indicators['DT.08a']!.cell).dataValidation!;
    expect(yesno.formulae).toEqual(['"Có,Không"']);
    expect(data.getCell('B9').protection?.locked).not.toBe(false);
    expect(data.getCell('A1').protection?.locked).not.toBe(false);
  });

  it('protects the structural sheets, freezes the header and prints on A4', () => {
    for (const name of slot.layout.sheets) {
      const ws = wb.getWorksheet(name)!;
      expect((ws as unknown as { sheetProtection: { sheet: boolean } }).sheetProtection?.sheet, name).toBe(true);
    }
    expect(data.views[0]).toMatchObject({ state: 'frozen', ySplit: slot.layout.data!.headerRow });
    expect(data.pageSetup).toMatchObject({ paperSize: 9, fitToWidth: 1, orientation: 'landscape' });
  });

  it('lists the signing forms, formats the issue date and says who may sign', () => {
    const sign = wb.getWorksheet(SHEETS.sign)!;
    for (const f of SIGNATURE_FIELDS) expect(text(sign, `A${slot.layout.signature[f].row}`)).toBe(SIGNATURE_LABELS[f]);
    const form = sign.getCell(slot.layout.signature.signingForm.cell);
    expect(form.dataValidation?.type).toBe('list');
    expect(form.dataValidation?.formulae[0]).toBe(`"${SIGNING_FORMS.map((f) => f.label).join(',')}"`);
    const date = sign.getCell(slot.layout.signature.issueDate.cell);
    expect(date.numFmt).toBe('dd/mm/yyyy');
    expect(date.dataValidation?.type).toBe('date');
    const all = allText(sign);
    expect(all).toContain(`${deputyTitle('Giám đốc')} ký thay: hình thức ký "KT."`);
    expect(all).toContain('Không chấp nhận "TL." (thừa lệnh) và "TUQ." (thừa ủy quyền)');
    expect(all).not.toContain('TM. Ủy ban nhân dân');
  });
});

describe('writeTemplate: other kinds and units', () => {
  it('includes the district-only indicators for a district (HUE) and says TM. is allowed', async () => {
    const slot = slotOf('HUE', '2021-Q1');
    const wb = await loadWorkbook(await templateOf(slot));
    const data = wb.getWorksheet(SHEETS.data)!;
    for (const code of ['TT.01a', 'TT.01b', 'CV.07', 'CV.08', 'CV.09']) {
      expect(text(data, `A${slot.layout.indicators[code]!.row}`)).toBe(code);
    }
    expect(allText(wb.getWorksheet(SHEETS.sign)!)).toContain('TM. Ủy ban nhân dân');
    expect(allText(wb.getWorksheet(SHEETS.guide)!)).toContain('Chủ tịch');
  });

  it('mentions the printed and the applied data window for 2021 Q3', async () => {
    const wb = await loadWorkbook(await templateOf(slotOf('STP', '2021-Q3')));
    const guide = allText(wb.getWorksheet(SHEETS.guide)!);
    expect(guide).toContain('15/06/2021 – 14/09/2021');
    expect(guide).toContain('15/06/2020 – 14/09/2021');
  });

  it('writes only the topic’s indicators for a thematic report (SKHCN: DT.08a, DT.08b)', async () => {
    const slot = slotOf('SKHCN', '2021-THEMATIC');
    const wb = await loadWorkbook(await templateOf(slot));
    expect(Object.keys(slot.layout.indicators)).toEqual(['DT.08a', 'DT.08b']);
    const data = wb.getWorksheet(SHEETS.data)!;
    const codes: string[] = [];
    data.getColumn('A').eachCell((c) => {
      if (/^[A-Z]{2,3}\./.test(text(data, c.address))) codes.push(text(data, c.address));
    });
    expect(codes).toEqual(['DT.08a', 'DT.08b']);
    expect(text(data, 'A2')).toContain('Áp dụng, duy trì Hệ thống quản lý chất lượng');
  });

  it('writes the plan’s task table: numbered rows, area list, date validation, landscape', async () => {
    const slot = slotOf('STP', '2021-PLAN');
    const wb = await loadWorkbook(await templateOf(slot));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Hướng dẫn', 'Nhiệm vụ', 'Thuyết minh', 'Ký ban hành', '_meta']);
    const t = slot.layout.tasks!;
    const ws = wb.getWorksheet(t.sheet)!;
    expect(text(ws, `A${t.headerRow}`)).toBe('STT');
    for (const f of TASK_FIELDS) expect(text(ws, `${t.columns[f]}${t.headerRow}`)).toBe(TASK_LABELS[f]);
    expect(text(ws, `A${t.firstRow}`)).toBe('1');
    expect(text(ws, `A${t.firstRow + t.maxRows - 1}`)).toBe(String(t.maxRows));
    expect(t.maxRows).toBe(200);
    const last = ws.getCell(`${t.columns.area}${t.firstRow + t.maxRows - 1}`);
    expect(last.dataValidation?.type).toBe('list');
    expect(last.dataValidation?.formulae[0]).toBe(
      '"1. Cải cách thể chế,2. Cải cách thủ tục hành chính,3. Cải cách tổ chức bộ máy,4. Cải cách công vụ,5. Cải cách tài chính công,6. Xây dựng và phát triển Chính phủ điện tử"',
    );
    const deadline = ws.getCell(`${t.columns.deadline}${t.firstRow}`);
    expect(deadline.dataValidation?.type).toBe('date');
    expect(deadline.numFmt).toBe('dd/mm/yyyy');
    expect(ws.getCell(`${t.columns.content}${t.firstRow}`).protection?.locked).toBe(false);
    expect(ws.pageSetup.orientation).toBe('landscape');
    expect(text(ws, 'A1')).toContain('KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2021');
  });

  it('writes fill values exactly as given: text stays text, numbers stay numbers', async () => {
    const slot = slotOf('STP', '2021-Q1');
    const wb = await loadWorkbook(await templateOf(slot, { values: { 'TC.01': '1.234', 'TC.02': 7, 'TC.03': null } }));
    const data = wb.getWorksheet(SHEETS.data)!;
    expect(data.getCell(slot.layout.indicators['TC.01']!.cell).value).toBe('1.234');
    expect(data.getCell(slot.layout.indicators['TC.02']!.cell).value).toBe(7);
    expect(data.getCell(slot.layout.indicators['TC.03']!.cell).value).toBeNull();
  });
});

describe('writeTemplate → readWorkbook round trip', () => {
  it.each([
    ['STP', '2021-Q1'],
    ['HUE', '2021-Q1'],
    ['STP', '2021-PLAN'],
    ['SKHCN', '2021-THEMATIC'],
    ['CAT', '2021-H1'],
  ])('%s / %s reads back exactly what was filled', async (unit, period) => {
    // Prepare
    const slot = slotOf(unit, period);
    const fill = sampleFill(slot);
    // Act
    const result = await readWorkbook(await templateOf(slot, fill), { key: KEY });
    // Assess
    expect(result.findings).toEqual([]);
    expect(result.unreadable).toEqual([]);
    expect(result.meta).toEqual(slot.meta);
    expect(result.submission).toEqual(expectedSubmission(slot, fill));
  });

  it('reads an empty template as all blank', async () => {
    const slot = slotOf('CAT', '2021-H1');
    const result = await readWorkbook(await templateOf(slot), { key: KEY });
    expect(result.findings).toEqual([]);
    expect(result.submission).toEqual(expectedSubmission(slot, {}));
    expect(Object.values(result.submission!.values).every((v) => v === null)).toBe(true);
  });

  it('keeps booleans in a yes/no cell as booleans', async () => {
    const slot = slotOf('STP', '2021-Q1');
    const result = await readWorkbook(await templateOf(slot, { values: { 'DT.08a': true } }), { key: KEY });
    expect(result.submission!.values['DT.08a']).toBe(true);
  });
});

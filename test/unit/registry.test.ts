import { describe, expect, it } from 'vitest';
import { findPeriod } from '../../shared/domain/calendar.js';
import { applicableIndicators, applicableRelations, currentForm, FORMS, getForm, relationCodes } from '../../shared/domain/forms.js';
import { layoutOf } from '../../shared/domain/layout.js';
import { checkSigner, parseSigningForm } from '../../shared/domain/signing.js';
import { displayFileName, normalizeText } from '../../shared/domain/text.js';
import type { Unit } from '../../shared/domain/types.js';
import { defaultUnits, expectedUnits, findUnit, slotRefusal } from '../../shared/domain/units.js';

describe('units registry', () => {
  it('holds 39 units: departments, 9 district-level units, central agencies, with unique codes', () => {
    expect(defaultUnits).toHaveLength(39);
    expect(new Set(defaultUnits.map((u) => u.code)).size).toBe(39);
    expect(defaultUnits.filter((u) => u.kind === 'district')).toHaveLength(9);
    expect(defaultUnits.filter((u) => u.kind === 'central').length).toBeGreaterThan(0);
  });
  it('names the five thematic departments and the aggregator', () => {
    expect(
      defaultUnits
        .filter((u) => u.thematicTopic)
        .map((u) => u.code)
        .sort(),
    ).toEqual(['SKHCN', 'STC', 'STP', 'STTTT', 'VPUB']);
    expect(defaultUnits.filter((u) => u.aggregator).map((u) => u.code)).toEqual(['SNV']);
  });
  it('stores names in NFC and e-mails on the reserved example domain', () => {
    for (const u of defaultUnits) {
      expect(u.name).toBe(u.name.normalize('NFC'));
      expect(u.emails.length).toBeGreaterThan(0);
      for (const e of u.emails) expect(e).toMatch(/@[a-z0-9.-]+\.example$/);
    }
  });
  it('finds a unit case-insensitively and refuses an unknown code in Vietnamese', () => {
    expect(findUnit('stp').name).toBe('Sở Tư pháp');
    expect(() => findUnit('XYZ')).toThrow('Không có đơn vị mã "XYZ"');
  });
  it('takes the period snapshot of active units', () => {
    const q1 = findPeriod('2021-Q1');
    const units: Unit[] = [{ ...findUnit('STP') }, { ...findUnit('STC'), activeTo: '2021-03-01' }, { ...findUnit('SYT'), activeFrom: '2021-04-01' }];
    expect(expectedUnits(q1, units).map((u) => u.code)).toEqual(['STP']);
    expect(expectedUnits(findPeriod('2021-H1'), units).map((u) => u.code)).toEqual(['STP', 'SYT']);
    expect(
      expectedUnits(findPeriod('2021-THEMATIC'))
        .map((u) => u.code)
        .sort(),
    ).toEqual(['SKHCN', 'STC', 'STP', 'STTTT', 'VPUB']);
  });
  it('refuses slots a unit does not owe', () => {
    const thematic = findPeriod('2021-THEMATIC');
    expect(slotRefusal(findUnit('SNV'), thematic, 'thematic')).toMatch(/không thuộc các đơn vị phải gửi/);
    expect(slotRefusal(findUnit('STP'), thematic, 'thematic')).toBeNull();
    expect(slotRefusal(findUnit('STP'), findPeriod('2021-Q1'), 'plan')).toMatch(/không nhận kế hoạch/);
  });
});

describe('forms as data', () => {
  it('has a versioned form per kind', () => {
    expect(currentForm('periodic')).toMatchObject({ id: 'cchc-periodic', version: 1 });
    expect(currentForm('plan')).toMatchObject({ id: 'cchc-plan', version: 1 });
    expect(currentForm('thematic')).toMatchObject({ id: 'cchc-thematic', version: 1 });
    expect(() => getForm('cchc-periodic', 9)).toThrow(/phiên bản 9/);
  });
  it('periodic form: directing section plus the six reform areas, four narrative sections', () => {
    const f = currentForm('periodic');
    expect(f.areas.map((a) => a.no ?? 0)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(f.narratives.map((n) => n.code)).toEqual(['to_chuc_thuc_hien', 'ket_qua', 'kho_khan', 'kien_nghi']);
    const areas = new Set(f.indicators.map((i) => i.area));
    expect(areas.size).toBe(7);
  });
  it('every relation names indicators of its form, and codes are unique', () => {
    for (const form of FORMS) {
      const codes = form.indicators.map((i) => i.code);
      expect(new Set(codes).size).toBe(codes.length);
      const all = new Set(currentForm('periodic').indicators.map((i) => i.code));
      for (const r of form.relations) for (const c of relationCodes(r)) expect(all.has(c), `${r.id} → ${c}`).toBe(true);
    }
  });
  it('applicability: district-only rows only for districts; thematic topic only', () => {
    const f = currentForm('periodic');
    const dept = applicableIndicators(f, findUnit('STP')).map((i) => i.code);
    const dist = applicableIndicators(f, findUnit('HUE')).map((i) => i.code);
    expect(dept).not.toContain('TT.01a');
    expect(dist).toContain('TT.01a');
    expect(dist).toContain('CV.09');
    expect(applicableRelations(f, findUnit('STP')).map((r) => r.id)).not.toContain('R.TT.01');
    expect(applicableRelations(f, findUnit('HUE')).map((r) => r.id)).toContain('R.TT.01');
    const t = currentForm('thematic');
    expect(applicableIndicators(t, findUnit('SKHCN')).map((i) => i.code)).toEqual(['DT.08a', 'DT.08b']);
    expect(applicableIndicators(t, findUnit('STC')).every((i) => i.code.startsWith('TCC.'))).toBe(true);
  });
  it('layout gives every applicable indicator its own cell on "Số liệu"', () => {
    const f = currentForm('periodic');
    const layout = layoutOf(f, findUnit('HUE'));
    const cells = Object.values(layout.indicators).map((c) => c.cell);
    expect(new Set(cells).size).toBe(cells.length);
    expect(Object.keys(layout.indicators)).toEqual(applicableIndicators(f, findUnit('HUE')).map((i) => i.code));
    expect(layout.sheets).toEqual(['Hướng dẫn', 'Số liệu', 'Thuyết minh', 'Ký ban hành', '_meta']);
    expect(layoutOf(currentForm('plan'), findUnit('STP')).sheets).toEqual(['Hướng dẫn', 'Nhiệm vụ', 'Thuyết minh', 'Ký ban hành', '_meta']);
  });
});

describe('signing rules', () => {
  const stp = findUnit('STP');
  const hue = findUnit('HUE');
  const vpub = findUnit('VPUB');
  it.each([
    [stp, 'none', 'Giám đốc'],
    [stp, 'KT.', 'Phó Giám đốc'],
    [stp, 'Q.', 'Giám đốc'],
    [hue, 'TM.', 'Chủ tịch'],
    [hue, 'TM.', 'Phó Chủ tịch'],
    [hue, 'KT.', 'PHÓ CHỦ TỊCH'],
    [vpub, 'none', 'Chánh Văn phòng'],
  ] as const)('%s signed %s by %s is leadership', (unit, form, title) => {
    expect(checkSigner(unit, form, title).filter((f) => f.severity === 'error')).toEqual([]);
  });
  it.each([
    [stp, 'TL.', 'Chánh Văn phòng', /TL\./],
    [stp, 'TUQ.', 'Trưởng phòng', /TUQ\./],
    [stp, 'none', 'Chuyên viên', /không phải lãnh đạo/],
    [stp, 'none', 'Chánh Văn phòng', /không phải lãnh đạo/],
    [stp, 'none', 'Phó Giám đốc', /KT\./],
    [stp, 'KT.', 'Giám đốc', /ký trực tiếp/],
    [stp, 'TM.', 'Giám đốc', /chỉ dùng cho tập thể/],
    [hue, 'TM.', 'Chánh Văn phòng', /không phải lãnh đạo của UBND thành phố Huế/],
  ] as const)('%s signed %s by %s is refused with the reason', (unit, form, title, reason) => {
    const errors = checkSigner(unit, form, title).filter((f) => f.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(reason);
  });
  it('reads signing forms from codes and template labels', () => {
    expect(parseSigningForm('KT.')).toBe('KT.');
    expect(parseSigningForm('kt')).toBe('KT.');
    expect(parseSigningForm('TL. (thừa lệnh)')).toBe('TL.');
    expect(parseSigningForm('Ký trực tiếp (người đứng đầu)')).toBe('none');
    expect(parseSigningForm('ký bừa')).toBeNull();
    expect(parseSigningForm('  ')).toBeNull();
  });
});

describe('text rules', () => {
  it('normalises to NFC, drops invisible characters and trims', () => {
    const nfd = 'Sở Tư pháp'.normalize('NFD');
    expect(normalizeText(`  ${nfd}\u200B\u00A0`)).toBe('Sở Tư pháp');
  });
  it('makes client file names safe for display only', () => {
    expect(displayFileName('../../etc/passwd')).toBe('passwd');
    expect(displayFileName('bao\u0000cao.xlsx')).toBe('baocao.xlsx');
    expect([...displayFileName('a'.repeat(500))].length).toBe(118);
    expect(displayFileName('Báo cáo.xlsx'.normalize('NFD'))).toBe('Báo cáo.xlsx');
    expect(displayFileName('..')).toBe('tep-khong-ten');
  });
});

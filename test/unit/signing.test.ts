import { describe, expect, it } from 'vitest';
import { checkSigner, parseSignerTitle, parseSigningForm } from '../../shared/domain/signing.js';
import type { SigningForm } from '../../shared/domain/types.js';
import { findUnit } from '../../shared/domain/units.js';

/**
 * Signer forms as Nghị định 30/2020/NĐ-CP (Phụ lục I) and provincial practice write them, for
 * departments (Sở), people's committees (UBND, a collective body) and central agencies (Cục, Công an,
 * Kho bạc…), valid and invalid.
 */

type Row = [unit: string, form: SigningForm, title: string];

const errorsOf = (unit: string, form: SigningForm, title: string) => checkSigner(findUnit(unit), form, title).filter((f) => f.severity === 'error');
const warningsOf = (unit: string, form: SigningForm, title: string) => checkSigner(findUnit(unit), form, title).filter((f) => f.severity === 'warning');

describe('checkSigner: leadership signing accepted', () => {
  it.each<Row>([
    // departments: the head signs directly, a deputy signs KT., an acting head Q.
    ['STP', 'none', 'Giám đốc'],
    ['STP', 'none', 'Giám đốc Sở Tư pháp'],
    ['STP', 'none', 'GIÁM ĐỐC SỞ TƯ PHÁP'],
    ['STP', 'none', 'GIÁM ĐỐC STP'],
    ['STP', 'none', 'Giám đốc Sở'],
    ['STP', 'none', 'Giám đốc Sở Tư pháp tỉnh Thừa Thiên Huế'],
    ['STP', 'none', '  giám   đốc\u00A0sở tư  pháp '],
    ['STP', 'none', 'Giám đốc Sở Tư pháp'.normalize('NFD')],
    ['STP', 'KT.', 'Phó Giám đốc'],
    ['STP', 'KT.', 'PHÓ GIÁM ĐỐC SỞ TƯ PHÁP'],
    ['STP', 'KT.', 'Phó Giám đốc phụ trách'],
    ['STP', 'KT.', 'KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC'],
    ['STP', 'KT.', 'KT. Giám đốc\nPhó Giám đốc'],
    ['STP', 'Q.', 'Giám đốc'],
    ['STP', 'Q.', 'Q. GIÁM ĐỐC'],
    ['STP', 'Q.', 'Phó Giám đốc'],
    ['SKHDT', 'KT.', 'Phó Giám đốc Sở KH&ĐT'],
    ['SKHDT', 'none', 'Giám đốc SKHĐT'],
    ['SLDTBXH', 'KT.', 'Phó Giám đốc Sở Lao động - Thương binh và Xã hội'],
    ['VPUB', 'none', 'Chánh Văn phòng'],
    ['VPUB', 'none', 'Chánh Văn phòng UBND tỉnh'],
    ['VPUB', 'KT.', 'Phó Chánh Văn phòng Ủy ban nhân dân tỉnh'],
    ['TTRA', 'none', 'Chánh Thanh tra tỉnh'],
    ['TTRA', 'KT.', 'Phó Chánh Thanh tra'],
    ['BDT', 'none', 'Trưởng ban Ban Dân tộc'],
    ['BDT', 'KT.', 'Phó Trưởng ban'],
    // people's committees: TM. over the chairman or a vice-chairman; KT. CHỦ TỊCH over a vice-chairman
    ['HUE', 'TM.', 'Chủ tịch'],
    ['HUE', 'TM.', 'Chủ tịch UBND thành phố Huế'],
    ['HUE', 'TM.', 'Phó Chủ tịch'],
    ['HUE', 'KT.', 'PHÓ CHỦ TỊCH'],
    ['PDIEN', 'KT.', 'Phó Chủ tịch Thường trực'],
    ['PDIEN', 'KT.', 'PHÓ CHỦ TỊCH THƯỜNG TRỰC UBND HUYỆN PHONG ĐIỀN'],
    ['PDIEN', 'TM.', 'Phó Chủ tịch Ủy ban nhân dân huyện Phong Điền'],
    ['PDIEN', 'TM.', 'Phó Chủ tịch Uỷ ban nhân dân huyện Phong Điền'],
    ['PDIEN', 'TM.', 'TM. ỦY BAN NHÂN DÂN CHỦ TỊCH'],
    ['PDIEN', 'TM.', 'TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH'],
    ['PDIEN', 'KT.', 'KT. CHỦ TỊCH PHÓ CHỦ TỊCH'],
    ['PDIEN', 'TM.', 'Chủ tịch UBND huyện'],
    ['HTHUY', 'TM.', 'Chủ tịch UBND thị xã Hương Thủy'],
    ['HTHUY', 'TM.', 'Chủ tịch UBND thị xã Hương Thuỷ'],
    // central agencies
    ['CTHUE', 'none', 'Cục trưởng'],
    ['CTHUE', 'none', 'Cục trưởng Cục Thuế tỉnh Thừa Thiên Huế'],
    ['CTHUE', 'KT.', 'Phó Cục trưởng'],
    ['CAT', 'none', 'Giám đốc Công an tỉnh'],
    ['CAT', 'KT.', 'Phó Giám đốc'],
    ['KBNN', 'none', 'Giám đốc Kho bạc Nhà nước tỉnh'],
    ['KBNN', 'Q.', 'Q. Giám đốc'],
    ['CHQ', 'none', 'Thủ trưởng'],
  ])('%s %s "%s" is the leadership', (unit, form, title) => {
    expect(errorsOf(unit, form, title)).toEqual([]);
  });
});

describe('checkSigner: refused, saying precisely what is wrong', () => {
  it.each<[...Row, string, RegExp]>([
    ['STP', 'TL.', 'Chánh Văn phòng', 'SIGNER_NOT_LEADERSHIP', /"TL\." \(thừa lệnh\).*không phải lãnh đạo đơn vị ký/],
    ['STP', 'TUQ.', 'Giám đốc', 'SIGNER_NOT_LEADERSHIP', /"TUQ\." \(thừa ủy quyền\)/],
    ['HUE', 'TL.', 'Chánh Văn phòng', 'SIGNER_NOT_LEADERSHIP', /thừa lệnh/],
    ['STP', 'none', 'Trưởng phòng Tổng hợp', 'SIGNER_NOT_LEADERSHIP', /"Trưởng phòng" không phải lãnh đạo của Sở Tư pháp/],
    ['STP', 'none', 'Chuyên viên', 'SIGNER_NOT_LEADERSHIP', /không phải lãnh đạo của Sở Tư pháp/],
    ['STP', 'none', 'Chánh Văn phòng Sở', 'SIGNER_NOT_LEADERSHIP', /"Chánh Văn phòng" không phải lãnh đạo của Sở Tư pháp/],
    ['STP', 'none', 'Người ký', 'SIGNER_NOT_LEADERSHIP', /không có chức danh lãnh đạo của Sở Tư pháp/],
    ['STP', 'none', 'Phó Giám đốc', 'SIGNER_NOT_LEADERSHIP', /phải ghi "KT\. GIÁM ĐỐC"/],
    ['STP', 'KT.', 'Giám đốc', 'SIGNER_NOT_LEADERSHIP', /Giám đốc ký trực tiếp, không ghi "KT\."/],
    ['STP', 'TM.', 'Giám đốc', 'SIGNER_NOT_LEADERSHIP', /"TM\." \(thay mặt\) chỉ dùng cho tập thể/],
    ['CTHUE', 'none', 'Giám đốc', 'SIGNER_NOT_LEADERSHIP', /"Giám đốc" không phải lãnh đạo của Cục Thuế tỉnh/],
    ['HUE', 'TM.', 'Chánh Văn phòng', 'SIGNER_NOT_LEADERSHIP', /không phải lãnh đạo của UBND thành phố Huế/],
    ['HUE', 'KT.', 'Chủ tịch', 'SIGNER_NOT_LEADERSHIP', /Chủ tịch ký trực tiếp/],
    // another unit's leadership after the title: a finding, not this unit's leadership
    ['STP', 'none', 'Giám đốc Sở Tài chính', 'SIGNER_WRONG_UNIT', /chức vụ của Sở Tài chính, không phải của Sở Tư pháp/],
    ['STP', 'KT.', 'PHÓ GIÁM ĐỐC STC', 'SIGNER_WRONG_UNIT', /Sở Tài chính/],
    ['PDIEN', 'TM.', 'Chủ tịch UBND huyện Phú Vang', 'SIGNER_WRONG_UNIT', /UBND huyện Phú Vang, không phải của UBND huyện Phong Điền/],
    ['CTHUE', 'none', 'Cục trưởng Cục Hải quan tỉnh', 'SIGNER_WRONG_UNIT', /Cục Hải quan tỉnh/],
    // the authority written in the title must match the chosen signing form
    ['STP', 'none', 'KT. Giám đốc Phó Giám đốc', 'SIGNING_FORM_CONFLICT', /ghi hình thức "KT\." \(ký thay\), nhưng ô hình thức ký chọn "ký trực tiếp"/],
    ['STP', 'KT.', 'TL. Giám đốc Chánh Văn phòng', 'SIGNING_FORM_CONFLICT', /"TL\." \(thừa lệnh\)/],
  ])('%s %s "%s" → %s', (unit, form, title, code, message) => {
    const errors = errorsOf(unit, form, title);
    expect(errors.map((e) => e.code)).toEqual([code]);
    expect(errors[0]!.message).toMatch(message);
    expect(errors[0]!.message.normalize('NFC')).toBe(errors[0]!.message);
  });

  it('TL./TUQ. findings point at the signing form, title findings at the title', () => {
    expect(errorsOf('STP', 'TL.', 'Giám đốc')[0]!.field).toBe('signingForm');
    expect(errorsOf('STP', 'none', 'Chuyên viên')[0]!.field).toBe('signerTitle');
    expect(errorsOf('STP', 'none', 'Giám đốc Sở Tài chính')[0]!.field).toBe('signerTitle');
  });
});

describe('checkSigner: accepted with a warning', () => {
  it('a title typed without diacritics is read, and the official is told to write it properly', () => {
    expect(errorsOf('STP', 'KT.', 'Pho Giam doc So Tu phap')).toEqual([]);
    const w = warningsOf('STP', 'KT.', 'Pho Giam doc So Tu phap');
    expect(w.map((x) => x.code)).toEqual(['SIGNER_TITLE_NO_DIACRITICS']);
    expect(w[0]!.message).toContain('sửa thành "Phó Giám đốc Sở Tư pháp"');
    expect(errorsOf('PDIEN', 'KT.', 'PHO CHU TICH THUONG TRUC UBND HUYEN PHONG DIEN')).toEqual([]);
    expect(errorsOf('STP', 'none', 'Truong phong').map((e) => e.code)).toEqual(['SIGNER_NOT_LEADERSHIP']);
  });
  it('an organisation the product does not recognise after a leadership title is a warning naming it', () => {
    const w = warningsOf('STP', 'none', 'Giám đốc Sở Tư pháp và Đào tạo');
    expect(errorsOf('STP', 'none', 'Giám đốc Sở Tư pháp và Đào tạo')).toEqual([]);
    expect(w.map((x) => x.code)).toEqual(['SIGNER_TITLE_UNCLEAR']);
    expect(w[0]!.message).toContain('"sở tư pháp và đào tạo"');
  });
  it("a people's committee chairman signing directly is accepted, with a reminder of TM.", () => {
    expect(warningsOf('HUE', 'none', 'Chủ tịch').map((x) => x.code)).toEqual(['SIGNING_FORM_UNUSUAL']);
  });
});

describe('reading the grammar', () => {
  it('splits authority, office, qualifier and organisation', () => {
    const p = parseSignerTitle(findUnit('PDIEN'), 'KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH THƯỜNG TRỰC UBND HUYỆN PHONG ĐIỀN');
    expect(p).toMatchObject({ authority: 'KT.', office: 'Phó Chủ tịch', rank: 'deputy', qualifiers: ['thường trực'], organisationOf: { kind: 'own' } });
  });
  it('reads signing forms written out in words', () => {
    expect(parseSigningForm('Ký thay')).toBe('KT.');
    expect(parseSigningForm('thay mặt')).toBe('TM.');
    expect(parseSigningForm('Quyền')).toBe('Q.');
    expect(parseSigningForm('Thừa uỷ quyền')).toBe('TUQ.');
    expect(parseSigningForm('thua lenh')).toBe('TL.');
    expect(parseSigningForm('Ký trực tiếp')).toBe('none');
  });
});

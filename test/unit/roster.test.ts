import { describe, expect, it } from 'vitest';
import { compareNames, defaultRoster, leadersOn, matchLeader, organisationIsUnit, sameSigner } from '../../shared/domain/roster.js';
import { findUnit } from '../../shared/domain/units.js';

const STP = findUnit('STP');
const PDIEN = findUnit('PDIEN');
const headOfStpUntilJune = defaultRoster.find((l) => l.unit === 'STP' && l.role === 'head' && l.to === '2021-06-30')!;
const headOfStpFromJuly = defaultRoster.find((l) => l.unit === 'STP' && l.role === 'head' && l.from === '2021-07-01')!;
const deputyOfStp = defaultRoster.find((l) => l.unit === 'STP' && l.role === 'deputy')!;

describe('the leadership roster (data)', () => {
  it('has a head and a deputy for every unit, each office a head or deputy title of that unit, NFC', () => {
    const units = new Set(defaultRoster.map((l) => l.unit));
    for (const code of units) {
      const unit = findUnit(code);
      const mine = leadersOn(code, '2021-03-15');
      expect(
        mine.filter((l) => l.role === 'head'),
        code,
      ).toHaveLength(1);
      expect(mine.filter((l) => l.role === 'deputy').length, code).toBeGreaterThan(0);
      for (const l of mine) {
        expect(l.name).toBe(l.name.normalize('NFC'));
        expect([unit.headTitle, `Phó ${unit.headTitle}`]).toContain(l.office);
      }
    }
    expect(units.size).toBeGreaterThanOrEqual(39);
  });

  it('knows who held office on a date: the head of STP changed on 01/07/2021', () => {
    expect(leadersOn('STP', '2021-06-30').map((l) => l.name)).toContain(headOfStpUntilJune.name);
    expect(leadersOn('STP', '2021-07-01').map((l) => l.name)).not.toContain(headOfStpUntilJune.name);
    expect(leadersOn('STP', '2021-07-01').map((l) => l.name)).toContain(headOfStpFromJuly.name);
  });
});

describe('compareNames', () => {
  it('is NFC-, case- and space-insensitive, and aware of diacritics', () => {
    expect(compareNames('Nguyễn Văn An', 'NGUYỄN  VĂN AN')).toBe('exact');
    expect(compareNames('Nguye\u0302\u0303n Văn An', 'Nguyễn Văn An')).toBe('exact');
    expect(compareNames('Nguyen Van An', 'Nguyễn Văn An')).toBe('without-diacritics');
    expect(compareNames('Đặng Thu Hà', 'Dang Thu Ha')).toBe('without-diacritics');
    expect(compareNames('Lê Văn An', 'Lê Văn Ân')).toBe('without-diacritics');
    expect(compareNames('Nguyễn Văn An', 'Nguyễn Văn Bình')).toBe('different');
    expect(compareNames('', 'Nguyễn Văn An')).toBe('different');
  });
});

describe('matchLeader', () => {
  it('accepts the head and a deputy in office on the signing date', () => {
    expect(matchLeader({ name: headOfStpUntilJune.name, title: 'Giám đốc', organization: null }, STP, '2021-03-14')).toEqual({
      leader: headOfStpUntilJune,
      findings: [],
    });
    expect(matchLeader({ name: deputyOfStp.name.toUpperCase(), title: 'Phó Giám đốc', organization: null }, STP, '2021-03-14').leader).toEqual(deputyOfStp);
  });

  it('refuses a former head after the end of the term, naming the term', () => {
    const m = matchLeader({ name: headOfStpUntilJune.name, title: 'Giám đốc', organization: null }, STP, '2021-09-14');
    expect(m.leader).toBeNull();
    expect(m.findings.map((f) => f.code)).toEqual(['PDF_SIGNER_NOT_LEADER']);
    expect(m.findings[0]!.message).toContain('14/09/2021');
    expect(m.findings[0]!.message).toContain('đến 30/06/2021');
  });

  it('refuses someone not in the leadership, and another unit’s leader', () => {
    expect(matchLeader({ name: 'Hoàng Văn Chuyên Viên', title: 'Chuyên viên', organization: null }, STP, '2021-03-14').findings[0]!.code).toBe(
      'PDF_SIGNER_NOT_LEADER',
    );
    const headOfPdien = leadersOn('PDIEN', '2021-03-14').find((l) => l.role === 'head')!;
    expect(matchLeader({ name: headOfPdien.name, title: 'Chủ tịch', organization: null }, STP, '2021-03-14').leader).toBeNull();
    expect(matchLeader({ name: headOfPdien.name, title: 'Chủ tịch', organization: null }, PDIEN, '2021-03-14').leader).toEqual(headOfPdien);
  });

  it('warns on a name that matches only without diacritics, and on a title that is not the roster’s', () => {
    const ascii = matchLeader({ name: foldAscii(deputyOfStp.name), title: 'Phó Giám đốc', organization: null }, STP, '2021-03-14');
    expect(ascii.leader).toEqual(deputyOfStp);
    expect(ascii.findings.map((f) => [f.code, f.severity])).toEqual([['PDF_SIGNER_NAME_DIACRITICS', 'warning']]);
    const asHead = matchLeader({ name: deputyOfStp.name, title: 'Giám đốc', organization: null }, STP, '2021-03-14');
    expect(asHead.findings.map((f) => f.code)).toEqual(['PDF_SIGNER_TITLE_MISMATCH']);
  });

  it('refuses a certificate without a name', () => {
    expect(matchLeader({ name: null, title: 'Giám đốc', organization: null }, STP, '2021-03-14').findings[0]!.code).toBe('PDF_SIGNER_UNNAMED');
  });
});

describe('organisationIsUnit and sameSigner', () => {
  it('knows a unit by its name, with the province, and by its short forms; not another unit', () => {
    expect(organisationIsUnit('Sở Tư pháp', STP)).toBe(true);
    expect(organisationIsUnit('SỞ TƯ PHÁP TỈNH THỪA THIÊN HUẾ', STP)).toBe(true);
    expect(organisationIsUnit('Sở Tài chính tỉnh Thừa Thiên Huế', STP)).toBe(false);
    expect(organisationIsUnit('UBND huyện Phong Điền', PDIEN)).toBe(true);
    expect(organisationIsUnit(null, STP)).toBe(false);
  });

  it('the workbook’s typed signer must be the PDF’s signer', () => {
    expect(sameSigner('Nguyễn Văn An', 'NGUYỄN VĂN AN')).toEqual([]);
    expect(sameSigner('Nguyen Van An', 'Nguyễn Văn An').map((f) => f.code)).toEqual(['SIGNER_BLOCK_DIACRITICS']);
    expect(sameSigner('Trần Thị Bé', 'Nguyễn Văn An').map((f) => [f.code, f.severity])).toEqual([['SIGNER_BLOCK_MISMATCH', 'error']]);
  });
});

function foldAscii(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
}

describe('compareNames, the one name comparison (certificates, the roster, the workbook)', () => {
  it.each([
    ['Nguyễn Văn An', 'Nguyễn Văn An', 'exact'],
    ['NGUYỄN VĂN AN', '  nguyễn   văn an ', 'exact'],
    ['Nguyễn Văn An'.normalize('NFD'), 'Nguyễn Văn An', 'exact'],
    ['Nguyen Van An', 'Nguyễn Văn An', 'without-diacritics'],
    ['Đặng Thị Lê', 'DANG THI LE', 'without-diacritics'],
    ['Lê Văn Bình', 'Lễ Văn Bình', 'without-diacritics'],
    ['Nguyễn Văn An', 'Nguyễn Văn Anh', 'different'],
    ['', '', 'different'],
  ] as const)('%s vs %s → %s', (a, b, expected) => {
    expect(compareNames(a, b)).toBe(expected);
  });
});

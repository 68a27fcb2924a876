import { describe, expect, it } from 'vitest';
import { findPeriod } from '../../shared/domain/calendar.js';
import { applyRegistryChange, checkRegistry, RegistryError, unitAsOf } from '../../shared/domain/registry.js';
import { defaultUnits, expectedUnits } from '../../shared/domain/units.js';

/** The registry's changes as the board makes them: each from a date, nothing removed, every period keeping its units and names. */
const units = [...defaultUnits];
const q1 = findPeriod('2021-Q1'); // due 15/03/2021
const h1 = findPeriod('2021-H1'); // due 15/06/2021
const codes = (list: readonly { code: string }[]) => list.map((u) => u.code);
const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as Error).message).toBe((err as Error).message.normalize('NFC'));
    return (err as Error).message;
  }
  throw new Error('a change that must be refused was applied');
};

describe('registry changes', () => {
  it('renames from a date: earlier periods keep the former name', () => {
    const { units: next, summary } = applyRegistryChange(units, { type: 'rename', code: 'SDL', name: 'Sở Văn hóa, Thể thao và Du lịch', from: '2021-04-01' });
    expect(summary).toBe('Đổi tên Sở Du lịch (SDL) thành Sở Văn hóa, Thể thao và Du lịch từ ngày 01/04/2021.');
    expect(expectedUnits(q1, next).find((u) => u.code === 'SDL')!.name).toBe('Sở Du lịch');
    expect(expectedUnits(h1, next).find((u) => u.code === 'SDL')!.name).toBe('Sở Văn hóa, Thể thao và Du lịch');
    expect(unitAsOf(next.find((u) => u.code === 'SDL')!, '2021-03-31').name).toBe('Sở Du lịch');
    // the input is left as it was
    expect(units.find((u) => u.code === 'SDL')!.name).toBe('Sở Du lịch');
  });

  it('merges from a date: the sources report until the day before, the new unit from the date', () => {
    const { units: next } = applyRegistryChange(units, {
      type: 'merge',
      codes: ['SDL', 'SVHTT'],
      into: {
        code: 'SVHTTDL',
        name: 'Sở Văn hóa, Thể thao và Du lịch',
        kind: 'department',
        headTitle: 'Giám đốc',
        emails: ['vanthu.svhttdl@thuathienhue.example'],
      },
      from: '2021-04-01',
    });
    expect(codes(expectedUnits(q1, next))).toEqual(expect.arrayContaining(['SDL', 'SVHTT']));
    expect(codes(expectedUnits(q1, next))).not.toContain('SVHTTDL');
    const later = codes(expectedUnits(h1, next));
    expect(later).toContain('SVHTTDL');
    expect(later).not.toContain('SDL');
    expect(next.find((u) => u.code === 'SVHTTDL')).toMatchObject({ activeFrom: '2021-04-01', mergedFrom: ['SDL', 'SVHTT'] });
    expect(next.find((u) => u.code === 'SDL')!.activeTo).toBe('2021-03-31');
    expect(next).toHaveLength(units.length + 1);
  });

  it('splits from a date into new units, and adds and closes units', () => {
    const split = applyRegistryChange(units, {
      type: 'split',
      code: 'SKHCN',
      into: [
        { code: 'SKHCN2', name: 'Sở Khoa học và Công nghệ (mới)', kind: 'department', headTitle: 'Giám đốc', emails: ['a@x.example'] },
        { code: 'STTDL', name: 'Trung tâm Dữ liệu tỉnh', kind: 'department', headTitle: 'Giám đốc', emails: ['b@x.example'] },
      ],
      from: '2021-05-01',
    }).units;
    expect(split.filter((u) => u.splitFrom === 'SKHCN').map((u) => u.code)).toEqual(['SKHCN2', 'STTDL']);
    const closed = applyRegistryChange(units, { type: 'close', code: 'CTK', to: '2021-03-31' }).units;
    expect(codes(expectedUnits(q1, closed))).toContain('CTK');
    expect(codes(expectedUnits(h1, closed))).not.toContain('CTK');
    const added = applyRegistryChange(units, {
      type: 'add',
      unit: { code: 'BQLDA', name: 'Ban Quản lý dự án', kind: 'department', headTitle: 'Giám đốc', emails: ['bql@x.example'] },
      from: '2021-04-01',
    }).units;
    expect(codes(expectedUnits(h1, added))).toContain('BQLDA');
    expect(codes(expectedUnits(q1, added))).not.toContain('BQLDA');
  });

  it('updates e-mail addresses, checked', () => {
    const { units: next } = applyRegistryChange(units, { type: 'update', code: 'STP', emails: [' VanThu@STP.example ', 'vanthu@stp.example'] });
    expect(next.find((u) => u.code === 'STP')!.emails).toEqual(['vanthu@stp.example']);
    expect(refused(() => applyRegistryChange(units, { type: 'update', code: 'STP', emails: ['không phải thư'] }))).toContain('không hợp lệ');
    expect(refused(() => applyRegistryChange(units, { type: 'update', code: 'STP', emails: [] }))).toContain('ít nhất một');
  });

  it('refuses what would lose history or make no sense, in Vietnamese', () => {
    expect(refused(() => applyRegistryChange(units, { type: 'add', unit: { ...units[2]!, code: 'STP' }, from: '2021-04-01' }))).toContain(
      'không bao giờ dùng lại',
    );
    expect(refused(() => applyRegistryChange(units, { type: 'close', code: 'SNV', to: '2021-03-31' }))).toContain('Sở Nội vụ');
    expect(refused(() => applyRegistryChange(units, { type: 'rename', code: 'STP', name: 'Sở Tư pháp', from: '2021-04-01' }))).toContain('trùng');
    expect(refused(() => applyRegistryChange(units, { type: 'rename', code: 'STP', name: 'X', from: '31/02/2021' }))).toContain('YYYY-MM-DD');
    expect(refused(() => applyRegistryChange(units, { type: 'close', code: 'NOPE', to: '2021-03-31' }))).toContain('Không có đơn vị mã NOPE');
    const closed = applyRegistryChange(units, { type: 'close', code: 'CTK', to: '2021-03-31' }).units;
    expect(refused(() => applyRegistryChange(closed, { type: 'close', code: 'CTK', to: '2021-05-31' }))).toContain('không còn hoạt động');
    expect(refused(() => applyRegistryChange(units, { type: 'merge', codes: ['STP'], into: { ...units[2]!, code: 'NEW' }, from: '2021-04-01' }))).toContain(
      'ít nhất hai',
    );
  });

  it('an imported list keeps every unit (closed, never deleted) and one aggregator', () => {
    expect(refused(() => checkRegistry(units, units.slice(1)))).toContain('không xóa đơn vị');
    expect(refused(() => checkRegistry(units, [...units, { ...units[0]!, code: 'VPUB' }]))).toContain('lặp lại');
    const kept = checkRegistry(units, units);
    expect(kept.filter((u) => u.aggregator).map((u) => u.code)).toEqual(['SNV']);
    expect(kept).toHaveLength(units.length);
  });
});

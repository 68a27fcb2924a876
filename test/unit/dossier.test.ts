import { describe, expect, it } from 'vitest';
import { buildCalendar, defaultCalendarSource } from '../../shared/domain/calendar.js';
import { dossierStanding, missingText, type PartStatus, partStatusOf } from '../../shared/domain/dossier.js';

describe('a dossier: the data form and the signed report', () => {
  const parts: PartStatus[] = ['on_time', 'late', 'rejected_only', 'missing'];

  it('is on time only when both parts came valid and on time', () => {
    for (const f of parts)
      for (const r of parts) {
        const s = dossierStanding(f, r).status;
        expect(s === 'on_time').toBe(f === 'on_time' && r === 'on_time');
      }
  });

  it('is late when both are valid and one came after the deadline (it is complete when its last part arrived)', () => {
    expect(dossierStanding('on_time', 'late')).toEqual({ status: 'late', missingParts: [] });
    expect(dossierStanding('late', 'on_time')).toEqual({ status: 'late', missingParts: [] });
    expect(dossierStanding('late', 'late')).toEqual({ status: 'late', missingParts: [] });
  });

  it('is incomplete when exactly one part is valid, naming the other', () => {
    expect(dossierStanding('on_time', 'missing')).toEqual({ status: 'incomplete', missingParts: ['report'] });
    expect(dossierStanding('on_time', 'rejected_only')).toEqual({ status: 'incomplete', missingParts: ['report'] });
    expect(dossierStanding('missing', 'late')).toEqual({ status: 'incomplete', missingParts: ['form'] });
    expect(dossierStanding('rejected_only', 'on_time')).toEqual({ status: 'incomplete', missingParts: ['form'] });
  });

  it('is rejected when no part is valid but some file came, missing when nothing came', () => {
    expect(dossierStanding('rejected_only', 'missing').status).toBe('rejected_only');
    expect(dossierStanding('missing', 'rejected_only').status).toBe('rejected_only');
    expect(dossierStanding('missing', 'missing')).toEqual({ status: 'missing', missingParts: ['form', 'report'] });
  });

  it('is decided by the form alone where the period does not require the signed report', () => {
    for (const f of parts) expect(dossierStanding(f, null).status).toBe(f);
    expect(dossierStanding('on_time', null).missingParts).toEqual([]);
  });

  it('words what is missing in Vietnamese (NFC)', () => {
    expect(missingText(['report'])).toBe('thiếu báo cáo đã ký số (tệp PDF)');
    expect(missingText(['form', 'report'])).toBe('thiếu biểu số liệu (tệp Excel) và báo cáo đã ký số (tệp PDF)');
    expect(missingText([])).toBe('');
    expect(missingText(['form']).normalize('NFC')).toBe(missingText(['form']));
  });

  it("a part's standing from its files: valid on time wins over valid late, then rejected, then none", () => {
    expect(partStatusOf([])).toBe('missing');
    expect(partStatusOf([{ status: 'invalid', onTime: true }])).toBe('rejected_only');
    expect(
      partStatusOf([
        { status: 'invalid', onTime: true },
        { status: 'valid', onTime: false },
      ]),
    ).toBe('late');
    expect(
      partStatusOf([
        { status: 'valid', onTime: false },
        { status: 'valid', onTime: true },
      ]),
    ).toBe('on_time');
  });
});

describe('whether a period requires the signed report is calendar data', () => {
  it('is on for every kind by default (letter 1588: the report is signed and issued by the leadership)', () => {
    for (const p of buildCalendar(2021).periods) expect(p.requiresSignedReport, p.id).toBe(true);
  });

  it('follows the data, per kind, with no code change', () => {
    const rules = { ...defaultCalendarSource.rules, signedReport: { required: { plan: true, periodic: false, thematic: true } } };
    const cal = buildCalendar(2022, { ...defaultCalendarSource, rules });
    expect(cal.periods.find((p) => p.type === 'PLAN')!.requiresSignedReport).toBe(true);
    expect(cal.periods.filter((p) => p.kind === 'periodic').every((p) => !p.requiresSignedReport)).toBe(true);
    expect(cal.periods.find((p) => p.type === 'THEMATIC')!.requiresSignedReport).toBe(true);
  });
});

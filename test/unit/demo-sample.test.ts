import { describe, expect, it } from 'vitest';
import { demoScale, sampleSubmission } from '../../shared/domain/sample-submission.js';
import { findPeriod } from '../../shared/domain/calendar.js';
import { defaultUnits, expectedUnits } from '../../shared/domain/units.js';
import { validateSubmission } from '../../shared/domain/validate.js';

/** The figures `npm run demo` uploads: varied by unit, each file valid against the form's relations. */
const period = findPeriod('2021-Q1');
const units = expectedUnits(period, defaultUnits);
const receivedAt = new Date('2021-03-14T03:00:00Z');
const demoSample = (code: string) => sampleSubmission(code, period.id, { asOf: receivedAt, scale: demoScale(code, period), varyByUnit: true });

describe('demo samples varied by unit', () => {
  it.each(units.map((u) => u.code))('%s: valid, with no relation finding at all', (code) => {
    const sub = demoSample(code);
    const r = validateSubmission({ submission: sub, slot: { unitCode: code, periodId: period.id, kind: 'periodic' }, receivedAt });
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.status).toBe('valid');
    expect(r.findings.filter((f) => f.code.startsWith('RELATION'))).toEqual([]);
  });

  it('rates differ across units, and the same unit always gets the same figures', () => {
    const rates = ['TT.HS.12', 'TT.HS.13', 'DT.03', 'CV.09', 'TCC.09', 'CD.KH.03'];
    for (const rate of rates) {
      const reported = units.map((u) => demoSample(u.code).values[rate]).filter((v) => v !== null && v !== undefined);
      expect(reported.length, rate).toBeGreaterThan(0);
      expect(new Set(reported).size, `${rate}: distinct values among ${reported.length} units`).toBeGreaterThanOrEqual(Math.min(8, reported.length));
    }
    expect(demoSample('STP').values).toEqual(demoSample('STP').values);
    // without the option, samples stay the fixed figures the hand-computed tests rely on
    expect(sampleSubmission('STP', period.id).values['TT.HS.03']).toBe(300);
  });
});

describe('demo figures across periods (what the comparisons of the Word draft read)', () => {
  const sample = (code: string, id: string) => {
    const p = findPeriod(id);
    return sampleSubmission(code, id, { asOf: new Date(`${p.dueDate}T03:00:00Z`), scale: demoScale(code, p), varyByUnit: true });
  };

  it('a cumulative report is never below the earlier report it includes, and the next year grows', () => {
    for (const code of units.map((u) => u.code)) {
      const q1 = sample(code, '2021-Q1').values;
      const h1 = sample(code, '2021-H1').values;
      const nextH1 = sample(code, '2022-H1').values;
      for (const [c, v] of Object.entries(q1)) {
        if (typeof v !== 'number' || v === 0) continue;
        expect(Number(h1[c]), `${code} ${c}`).toBeGreaterThanOrEqual(v);
        expect(Number(nextH1[c]), `${code} ${c}`).toBeGreaterThanOrEqual(Number(h1[c]));
      }
    }
    const h1 = findPeriod('2022-H1');
    const check = validateSubmission({
      submission: sample('STP', h1.id),
      slot: { unitCode: 'STP', periodId: h1.id, kind: 'periodic' },
      receivedAt: new Date(`${h1.dueDate}T03:00:00Z`),
    });
    expect(check.status).toBe('valid');
    expect(demoScale('STP', findPeriod('2021-H1'))).toBe(2 * demoScale('STP', findPeriod('2021-Q1')));
    expect(demoScale('STP', findPeriod('2022-Q1'))).toBe(demoScale('STP', findPeriod('2021-Q1')) + 1);
  });
});

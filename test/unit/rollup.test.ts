import { describe, expect, it } from 'vitest';
import { sampleSubmission } from '../../shared/domain/sample-submission.js';
import { findPeriod } from '../../shared/domain/calendar.js';
import { currentForm } from '../../shared/domain/forms.js';
import { computeRollup, type RollupRecord, type SignedReportSource } from '../../shared/domain/rollup.js';
import type { Submission } from '../../shared/domain/types.js';
import { findUnit } from '../../shared/domain/units.js';

let seq = 0;
function record(sub: Submission, over: Partial<RollupRecord> = {}): RollupRecord {
  seq += 1;
  const id = `obj-${sub.unitCode}-${seq}`;
  const tasksPerArea: Record<string, number> = {};
  for (const t of sub.tasks) tasksPerArea[t.area!] = (tasksPerArea[t.area!] ?? 0) + 1;
  return {
    objectId: id,
    unitCode: sub.unitCode,
    kind: sub.kind,
    status: 'valid',
    onTime: true,
    receivedAt: '2021-03-14T03:00:00.000Z',
    receiptNo: `BN-${id}`,
    fileName: `${sub.unitCode}.xlsx`,
    key: `incoming/${sub.periodId}/${sub.unitCode}/${id}/upload.xlsx`,
    sha256: 'a'.repeat(64),
    values: sub.values,
    narratives: sub.narratives,
    tasksPerArea: sub.kind === 'plan' ? tasksPerArea : undefined,
    ...over,
  };
}

/** Each record's unit also sent its signed report, valid, at the same time as the record (so on time or late alike). */
function signedFor(...rs: RollupRecord[]): Map<string, SignedReportSource> {
  return new Map(
    rs.map((r) => [
      r.unitCode,
      {
        receiptNo: `${r.receiptNo}-PDF`,
        key: r.key.replace(/upload\.\w+$/, 'upload.pdf'),
        sha256: 'b'.repeat(64),
        receivedAt: r.receivedAt,
        onTime: r.onTime,
        signer: 'Lãnh đạo',
        office: 'Giám đốc',
        signingTime: r.receivedAt,
      },
    ]),
  );
}

const q1 = findPeriod('2021-Q1');
const units = ['STP', 'STC', 'SYT', 'HUE', 'CAT'].map((c) => findUnit(c));

function fixture() {
  const stp = record(sampleSubmission('STP', '2021-Q1'));
  const stc = record(sampleSubmission('STC', '2021-Q1'), { status: 'invalid', values: undefined });
  const hueSub = sampleSubmission('HUE', '2021-Q1', { scale: 2 });
  Object.assign(hueSub.values, { 'TT.HS.05': 100, 'TT.HS.06': 50, 'TT.HS.07': 30, 'TT.HS.08': 20, 'TT.XL.01': 30 });
  const hueOld = record(sampleSubmission('HUE', '2021-Q1', { scale: 3 }), { receivedAt: '2021-03-10T03:00:00.000Z' });
  const hue = record(hueSub);
  const cat = record(sampleSubmission('CAT', '2021-Q1'), { onTime: false, receivedAt: '2021-03-16T03:00:00.000Z' });
  return { stp, stc, hue, hueOld, cat, records: [stp, stc, hueOld, hue, cat] };
}

describe('computeRollup (hand-computed fixtures)', () => {
  const f = fixture();
  const base = {
    period: q1,
    form: currentForm('periodic'),
    units,
    records: f.records,
    current: new Set([f.stp.objectId, f.hue.objectId]),
    late: new Set([f.cat.objectId]),
    generatedAt: new Date('2021-03-15T17:00:00Z'),
    signedReports: signedFor(f.stp, f.hue, f.cat),
  };
  const r = computeRollup({ ...base, includeLate: false });
  const ind = (code: string) => r.indicators.find((i) => i.code === code)!;

  it('sums counts overall and by unit kind from the current submissions only (the superseded one is not counted)', () => {
    expect(ind('TT.HS.01')).toMatchObject({ total: 3000, byKind: { department: 1000, district: 2000, central: null }, reporting: 2 });
    expect(ind('CD.KH.01')).toMatchObject({ total: 20 + 40, reporting: 2 });
  });

  it('recomputes rates from the summed parts, never averaging', () => {
    // STP: (400 + 450) / 870; HUE: (50 + 30) / 100. Average would be 88.85; the province is 930 / 970.
    expect(ind('TT.HS.12').total).toBe(95.88);
    expect(ind('TT.HS.12').byKind).toEqual({ department: 97.7, district: 80, central: null });
    expect(ind('TT.HS.12').method).toContain('TT.HS.06 + TT.HS.07');
  });

  it('counts yes/no answers and keeps district-only indicators to districts', () => {
    expect(ind('DT.08a').total).toBe(2);
    expect(ind('CV.07')).toMatchObject({ total: 600, byKind: { department: null, district: 600, central: null }, applicable: 1 });
  });

  it('completeness and timeliness, overall and by kind; the missing, late and rejected-only lists', () => {
    expect(r.coverage.all).toEqual({
      expected: 5,
      included: 2,
      valid: 3,
      onTime: 2,
      late: 1,
      incomplete: 0,
      rejectedOnly: 1,
      missing: 1,
      completeness: 0.6,
      timeliness: 0.4,
    });
    expect(r.coverage.department).toMatchObject({ expected: 3, valid: 1, onTime: 1, rejectedOnly: 1, missing: 1 });
    expect(r.coverage.district).toMatchObject({ expected: 1, valid: 1, completeness: 1, timeliness: 1 });
    expect(r.coverage.central).toMatchObject({ expected: 1, valid: 1, onTime: 0, late: 1, timeliness: 0 });
    expect(r.missing).toEqual(['SYT']);
    expect(r.late).toEqual(['CAT']);
    expect(r.rejectedOnly).toEqual(['STC']);
  });

  it('traces each unit’s figures to its file', () => {
    const hue = r.units.find((u) => u.unitCode === 'HUE')!;
    expect(hue.source).toMatchObject({ objectId: f.hue.objectId, receiptNo: f.hue.receiptNo, key: f.hue.key, sha256: 'a'.repeat(64) });
    expect(r.units.find((u) => u.unitCode === 'STC')).toMatchObject({ status: 'rejected_only', files: 1, source: null });
  });

  it('re-checks the declared relations on the totals', () => {
    const sum = r.relationChecks.find((c) => c.id === 'R.TT.HS.01' && c.scope === 'all')!;
    expect(sum).toMatchObject({ ok: true, left: 3000, right: 3000 });
    expect(r.relationChecks.find((c) => c.id === 'R.TT.01' && c.scope === 'district')).toMatchObject({ ok: true });
    expect(r.relationChecks.filter((c) => !c.ok)).toEqual([]);
  });

  it('reports a relation that fails on the totals', () => {
    const broken = { ...f.hue, values: { ...f.hue.values, 'TT.XL.01': 500 } };
    const rb = computeRollup({ ...base, records: [f.stp, f.stc, f.hueOld, broken, f.cat], includeLate: false });
    expect(rb.relationChecks.filter((c) => !c.ok)).toEqual([expect.objectContaining({ id: 'R.TT.XL.01', scope: 'all', left: 525, right: 70 })]);
  });

  it('gathers the narrative sections of the included units by section', () => {
    expect(r.narratives.kho_khan!.map((n) => n.unitCode)).toEqual(['STP', 'HUE']);
  });

  it('an addendum includes the late units', () => {
    const add = computeRollup({ ...base, includeLate: true });
    expect(add.includesLate).toBe(true);
    expect(add.indicators.find((i) => i.code === 'TT.HS.01')).toMatchObject({ total: 4000, byKind: { central: 1000 } });
    expect(add.coverage.all.included).toBe(3);
    expect(add.coverage.all.timeliness).toBe(0.4);
  });

  it('with nothing received every total is blank, not zero', () => {
    const empty = computeRollup({ ...base, records: [], current: new Set(), late: new Set(), includeLate: false, signedReports: new Map() });
    expect(empty.indicators.length).toBeGreaterThan(0);
    expect(empty.indicators.every((i) => i.total === null)).toBe(true);
    expect(empty.coverage.all).toMatchObject({ expected: 5, missing: 5, completeness: 0 });
  });
});

describe("computeRollup: the dossier (data form + signed report) decides a unit's standing", () => {
  const f = fixture();
  const base = {
    period: q1,
    form: currentForm('periodic'),
    units,
    records: f.records,
    current: new Set([f.stp.objectId, f.hue.objectId]),
    late: new Set([f.cat.objectId]),
    generatedAt: new Date('2021-03-15T17:00:00Z'),
    includeLate: false,
  };

  it('a valid form without its signed report is incomplete: listed by name, its figures left out', () => {
    const r = computeRollup({ ...base, signedReports: signedFor(f.stp, f.cat) });
    expect(r.incomplete).toEqual(['HUE']);
    expect(r.units.find((u) => u.unitCode === 'HUE')).toMatchObject({ status: 'incomplete', missingParts: ['report'], source: { objectId: f.hue.objectId } });
    expect(r.coverage.all).toMatchObject({ valid: 2, onTime: 1, incomplete: 1, included: 1, completeness: 0.4, timeliness: 0.2 });
    // only STP's figures: HUE's 2,000 are not in the total
    expect(r.indicators.find((i) => i.code === 'TT.HS.01')).toMatchObject({ total: 1000, reporting: 1 });
    expect(r.narratives.kho_khan!.map((n) => n.unitCode)).toEqual(['STP']);
  });

  it('a signed report without a valid form is incomplete too, lacking the form', () => {
    const r = computeRollup({ ...base, signedReports: signedFor(f.stp, f.hue, f.cat, f.stc) });
    expect(r.units.find((u) => u.unitCode === 'STC')).toMatchObject({ status: 'incomplete', missingParts: ['form'], source: null });
  });

  it('an on-time form with a late signed report is late: in the addendum, not at the close', () => {
    const signed = signedFor(f.stp, f.hue, f.cat);
    signed.set('HUE', { ...signed.get('HUE')!, onTime: false, receivedAt: '2021-03-16T02:00:00.000Z' });
    const atClose = computeRollup({ ...base, signedReports: signed });
    expect(atClose.units.find((u) => u.unitCode === 'HUE')!.status).toBe('late');
    expect(atClose.late).toEqual(['HUE', 'CAT']);
    expect(atClose.indicators.find((i) => i.code === 'TT.HS.01')!.total).toBe(1000);
    const addendum = computeRollup({ ...base, signedReports: signed, includeLate: true });
    expect(addendum.indicators.find((i) => i.code === 'TT.HS.01')!.total).toBe(4000);
  });

  it("only rejected signed reports, and no valid form: rejected, counting both parts' files", () => {
    const r = computeRollup({ ...base, signedReports: signedFor(f.stp, f.hue, f.cat), reportFiles: new Map([['SYT', 2]]) });
    expect(r.units.find((u) => u.unitCode === 'SYT')).toMatchObject({ status: 'rejected_only', files: 0, reportFiles: 2, missingParts: ['form', 'report'] });
  });

  it('where the period does not require the signed report, the form alone decides', () => {
    const r = computeRollup({ ...base, period: { ...q1, requiresSignedReport: false } });
    expect(r.requiresSignedReport).toBe(false);
    expect(r.incomplete).toEqual([]);
    expect(r.coverage.all).toMatchObject({ valid: 3, onTime: 2, late: 1, incomplete: 0 });
    expect(r.units.find((u) => u.unitCode === 'HUE')!.missingParts).toBeUndefined();
  });
});

describe('computeRollup for plans, thematic reports and the Q3 warning', () => {
  it('plans: units with a valid plan and tasks per reform area', () => {
    const p = findPeriod('2021-PLAN');
    const a = record(sampleSubmission('STP', '2021-PLAN'));
    const b = record(sampleSubmission('HUE', '2021-PLAN'));
    const r = computeRollup({
      period: p,
      form: currentForm('plan'),
      units,
      records: [a, b],
      current: new Set([a.objectId, b.objectId]),
      late: new Set(),
      includeLate: false,
      generatedAt: new Date(),
      signedReports: signedFor(a, b),
    });
    expect(r.plan!.tasksPerArea).toEqual({ the_che: 2, thu_tuc_hanh_chinh: 2, to_chuc_bo_may: 2, cong_vu: 2, tai_chinh_cong: 2, chinh_phu_dien_tu: 2 });
    expect(Object.keys(r.plan!.byUnit)).toEqual(['STP', 'HUE']);
    expect(r.indicators).toEqual([]);
    expect(r.coverage.all).toMatchObject({ expected: 5, valid: 2 });
  });

  it('thematic: which of the five departments reported', () => {
    const p = findPeriod('2021-THEMATIC');
    const five = ['STP', 'STTTT', 'SKHCN', 'STC', 'VPUB'].map((c) => findUnit(c));
    const a = record(sampleSubmission('SKHCN', '2021-THEMATIC'));
    const r = computeRollup({
      period: p,
      form: currentForm('thematic'),
      units: five,
      records: [a],
      current: new Set([a.objectId]),
      late: new Set(),
      includeLate: false,
      generatedAt: new Date(),
      signedReports: signedFor(a),
    });
    expect(r.thematic).toEqual({ reported: ['SKHCN'], notReported: ['STP', 'STTTT', 'STC', 'VPUB'] });
    expect(r.indicators.find((i) => i.code === 'DT.08b')!.total).toBe(25);
  });

  it('the 2021 Q3 roll-up carries the printed-window warning', () => {
    const r = computeRollup({
      period: findPeriod('2021-Q3'),
      form: currentForm('periodic'),
      units,
      records: [],
      current: new Set(),
      late: new Set(),
      includeLate: false,
      generatedAt: new Date(),
    });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain('15/06/2020');
    expect(r.printedDataWindow).toEqual({ from: '2020-06-15', to: '2021-09-14' });
  });
});

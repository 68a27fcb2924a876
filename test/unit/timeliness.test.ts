import { describe, expect, it } from 'vitest';
import { sampleSubmission } from '../../shared/domain/sample-submission.js';
import { buildCalendar, findPeriod, isOnTime } from '../../shared/domain/calendar.js';
import { currentForm } from '../../shared/domain/forms.js';
import { computeRollup, type RollupRecord } from '../../shared/domain/rollup.js';
import { findUnit } from '../../shared/domain/units.js';
import { validateSubmission } from '../../shared/domain/validate.js';

/** Vietnam wall-clock time on a date, as an instant. */
const vn = (date: string, time: string): Date => new Date(`${date}T${time}+07:00`);
const nextDay = (date: string): string => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

describe('timeliness is the server receipt time against the due day, the same rule for every kind', () => {
  const periods = buildCalendar(2021).periods;
  it.each(periods.map((p) => [p.id, p.kind, p.dueDate] as const))('%s (%s, due %s)', (id, _kind, due) => {
    const p = findPeriod(id);
    expect(isOnTime(p, vn(due, '08:00:00'))).toBe(true);
    expect(isOnTime(p, vn(due, '23:59:59.900'))).toBe(true);
    expect(isOnTime(p, vn(nextDay(due), '00:00:00.100'))).toBe(false);
    expect(isOnTime(p, vn(nextDay(due), '00:00:00.000'))).toBe(false);
    // an extension moves the last on-time day for that unit only, inclusive
    const until = nextDay(nextDay(due));
    expect(isOnTime(p, vn(until, '23:59:59.900'), until)).toBe(true);
    expect(isOnTime(p, vn(nextDay(until), '00:00:00.100'), until)).toBe(false);
  });
  it('the plan is due 05/01 like the letter says: received 06/01 00:00:00.100 is late', () => {
    const plan = findPeriod('2021-PLAN');
    expect(plan.dueDate).toBe('2021-01-05');
    expect(isOnTime(plan, vn('2021-01-05', '23:59:59.900'))).toBe(true);
    expect(isOnTime(plan, vn('2021-01-06', '00:00:00.100'))).toBe(false);
  });
});

describe('a late plan is accepted and recorded as late', () => {
  it('a plan issued and received after 05/01 is valid (a warning), so it can be recorded as late', () => {
    const sub = sampleSubmission('STP', '2021-PLAN');
    sub.signature.issueDate = '2021-01-20';
    const receivedAt = vn('2021-01-21', '09:00:00');
    const r = validateSubmission({ submission: sub, slot: { unitCode: 'STP', periodId: '2021-PLAN', kind: 'plan' }, receivedAt });
    expect(r.status).toBe('valid');
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([['PLAN_ISSUED_LATE', 'warning']]);
    expect(isOnTime(findPeriod('2021-PLAN'), receivedAt)).toBe(false);
  });

  it('the plan roll-up lists a late plan as late and does not count it on time', () => {
    const period = findPeriod('2021-PLAN');
    const mk = (code: string, onTime: boolean, receivedAt: string): RollupRecord => ({
      objectId: `o-${code}`,
      unitCode: code,
      kind: 'plan',
      status: 'valid',
      onTime,
      receivedAt,
      receiptNo: `BN-${code}`,
      fileName: `${code}.xlsx`,
      key: `incoming/2021-PLAN/${code}/o-${code}/upload.xlsx`,
      sha256: null,
      tasksPerArea: { the_che: 1, thu_tuc_hanh_chinh: 1, to_chuc_bo_may: 1, cong_vu: 1, tai_chinh_cong: 1, chinh_phu_dien_tu: 1 },
    });
    const stp = mk('STP', true, '2021-01-04T03:00:00.000Z');
    const stc = mk('STC', false, '2021-01-21T02:00:00.000Z');
    const input = {
      period,
      form: currentForm('plan'),
      units: ['STP', 'STC', 'HUE'].map((c) => findUnit(c)),
      records: [stp, stc],
      current: new Set([stp.objectId]),
      late: new Set([stc.objectId]),
      generatedAt: new Date('2021-01-06T00:00:00Z'),
      // each plan came with its signed PDF, at the same time (so the dossier's timeliness is the form's)
      signedReports: new Map(
        [stp, stc].map((r) => [
          r.unitCode,
          {
            receiptNo: `${r.receiptNo}-PDF`,
            key: r.key.replace('.xlsx', '.pdf'),
            sha256: null,
            receivedAt: r.receivedAt,
            onTime: r.onTime,
            signer: null,
            office: null,
            signingTime: null,
          },
        ]),
      ),
    };
    const onTime = computeRollup({ ...input, includeLate: false });
    expect(onTime.late).toEqual(['STC']);
    expect(onTime.missing).toEqual(['HUE']);
    expect(onTime.coverage.all).toMatchObject({ expected: 3, valid: 2, onTime: 1, late: 1, included: 1 });
    expect(onTime.units.find((u) => u.unitCode === 'STC')!.status).toBe('late');
    expect(onTime.plan!.tasksPerArea.the_che).toBe(1);
    const addendum = computeRollup({ ...input, includeLate: true });
    expect(addendum.plan!.tasksPerArea.the_che).toBe(2);
    expect(addendum.coverage.all.onTime).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { sampleSubmission } from '../../shared/domain/sample-submission.js';
import { layoutOf } from '../../shared/domain/layout.js';
import { currentForm } from '../../shared/domain/forms.js';
import type { Slot, Submission, ValidationResult } from '../../shared/domain/types.js';
import { findUnit } from '../../shared/domain/units.js';
import { validateSubmission } from '../../shared/domain/validate.js';

const Q1_RECEIVED = new Date('2021-03-15T03:00:00Z');

function run(sub: Submission, slot?: Partial<Slot>, receivedAt = Q1_RECEIVED): ValidationResult {
  return validateSubmission({
    submission: sub,
    slot: { unitCode: sub.unitCode, periodId: sub.periodId, kind: sub.kind, ...slot },
    receivedAt,
  });
}

function codes(r: ValidationResult): string[] {
  return r.findings.map((f) => f.code);
}

function stpQ1(): Submission {
  return sampleSubmission('STP', '2021-Q1');
}

const cellOf = (unit: string, code: string): string => layoutOf(currentForm('periodic'), findUnit(unit)).indicators[code]!.cell;

describe('validateSubmission: passing cases', () => {
  it.each([
    ['STP', '2021-Q1'],
    ['HUE', '2021-H1'],
    ['CAT', '2021-Q3'],
    ['SNV', '2021-YEAR'],
    ['STP', '2021-PLAN'],
    ['SKHCN', '2021-THEMATIC'],
    ['VPUB', '2021-THEMATIC'],
  ])('a complete %s %s submission is valid with no findings', (unit, period) => {
    const sub = sampleSubmission(unit, period);
    const r = run(sub, {}, new Date('2021-12-31T00:00:00Z'));
    expect(r).toEqual({ status: 'valid', findings: [] });
  });

  it('gives identical findings in identical order when run twice', () => {
    const sub = stpQ1();
    sub.values['TT.HS.01'] = '1.000';
    sub.values['BM.05'] = 90;
    sub.narratives.kho_khan = null;
    expect(run(sub)).toEqual(run(structuredClone(sub)));
  });
});

describe('validateSubmission: the file belongs to the slot', () => {
  it('refuses another unit’s slot', () => {
    const r = run(stpQ1(), { unitCode: 'STC' });
    expect(r.status).toBe('invalid');
    expect(codes(r)).toEqual(['SLOT_UNIT_MISMATCH']);
    expect(r.findings[0]!.message).toContain('Sở Tài chính');
  });
  it('refuses another period and another kind, naming each mismatch', () => {
    const sub = stpQ1();
    sub.periodId = '2021-H1';
    expect(codes(run(sub, { periodId: '2021-Q1' }))).toEqual(['SLOT_PERIOD_MISMATCH']);
    const plan = stpQ1();
    plan.kind = 'plan';
    expect(codes(run(plan, { kind: 'periodic' }))).toContain('SLOT_KIND_MISMATCH');
  });
  it('refuses an unknown or outdated form version', () => {
    const sub = stpQ1();
    sub.formVersion = 7;
    expect(codes(run(sub))).toEqual(['FORM_UNKNOWN']);
  });
  it('refuses a monthly report quoting the letter', () => {
    const r = run(stpQ1(), { periodId: '2021-M02' });
    expect(codes(r)).toEqual(['MONTHLY_NOT_ACCEPTED']);
    expect(r.findings[0]!.message).toContain('Các đơn vị không gửi báo cáo tháng về Sở Nội vụ');
  });
  it('accepts thematic reports only from the five departments', () => {
    const sub = sampleSubmission('STP', '2021-THEMATIC');
    sub.unitCode = 'SNV';
    const r = run(sub, { unitCode: 'SNV' });
    expect(codes(r)).toEqual(['THEMATIC_NOT_OWED']);
    expect(r.findings[0]!.message).toMatch(/Sở Tư pháp, Sở Thông tin và Truyền thông/);
  });
});

describe('validateSubmission: values', () => {
  it('a blank required value is an error at its cell; zero is a figure', () => {
    const sub = stpQ1();
    sub.values['TC.01'] = null;
    const r = run(sub);
    expect(r.findings).toEqual([
      expect.objectContaining({ code: 'REQUIRED_MISSING', severity: 'error', sheet: 'Số liệu', cell: cellOf('STP', 'TC.01'), indicator: 'TC.01' }),
    ]);
    expect(r.findings[0]!.message).toMatch(/nhập 0/);
    sub.values['TC.01'] = 0;
    expect(run(sub).status).toBe('valid');
  });
  it('a missing key counts as blank', () => {
    const sub = stpQ1();
    delete sub.values['CD.KS.01'];
    expect(codes(run(sub))).toEqual(['REQUIRED_MISSING']);
  });
  it('flags numbers typed as text or with separators, never guessing', () => {
    for (const text of ['1.000', '1,000', ' 1000 ', '1 000', '1000\u200B']) {
      const sub = stpQ1();
      sub.values['TT.HS.01'] = text;
      const r = run(sub);
      expect(codes(r), text).toEqual(['NUMBER_AS_TEXT']);
      expect(r.findings[0]!.cell).toBe(cellOf('STP', 'TT.HS.01'));
    }
    const sub = stpQ1();
    sub.values['TT.HS.01'] = '1000 hồ sơ';
    expect(codes(run(sub))).toEqual(['NOT_A_NUMBER']);
  });
  it.each([
    ['1,5', 'decimal-comma', /dấu phẩy trong "1,5" là dấu thập phân.*số đếm nên phải là số nguyên.*kiểu Anh gõ 1\.5/],
    ['2,75', 'decimal-comma', /dấu phẩy trong "2,75" là dấu thập phân/],
    ['1.234', 'thousands', /"1\.234" có dấu phân cách hàng nghìn \(dấu chấm\).*ví dụ 1234/],
    ['1,234', 'thousands', /"1,234" có dấu phân cách hàng nghìn \(dấu phẩy\).*ví dụ 1234/],
    ['1.234.567', 'thousands', /dấu phân cách hàng nghìn \(dấu chấm\).*ví dụ 1234567/],
    ['1.234,5', 'thousands-and-decimal', /cả dấu phân cách hàng nghìn và dấu thập phân/],
    ['1.5', 'decimal-point', /dấu chấm trong "1\.5" là dấu thập phân kiểu Anh/],
    ['1 000', 'spaces', /khoảng trắng.*ví dụ 1000/],
    ['1000', 'plain', /dạng chữ \(ô định dạng Text\)/],
  ])('number as text "%s" is told apart (%s) with the right advice', async (text, shape, advice) => {
    const { numberTextShape } = await import('../../shared/domain/validate.js');
    expect(numberTextShape(text)).toBe(shape);
    const sub = stpQ1();
    sub.values['TT.HS.01'] = text;
    const r = run(sub);
    expect(codes(r)).toEqual(['NUMBER_AS_TEXT']);
    expect(r.findings[0]!.message).toMatch(advice);
    if (shape === 'decimal-comma') expect(r.findings[0]!.message).not.toContain('hàng nghìn');
  });
  it('counts are whole and not negative; rates within 0–100; amounts not negative', () => {
    const neg = stpQ1();
    neg.values['CV.06'] = -1;
    expect(codes(run(neg))).toEqual(['NEGATIVE']);
    const dec = stpQ1();
    dec.values['CV.06'] = 1.5;
    expect(codes(run(dec))).toEqual(['NOT_WHOLE']);
    const rate = stpQ1();
    rate.values['DT.03'] = 101;
    expect(codes(run(rate))).toEqual(['RATE_RANGE']);
    const amount = stpQ1();
    amount.values['TCC.07'] = -5;
    expect(codes(run(amount))).toEqual(['NEGATIVE']);
    const bool = stpQ1();
    bool.values['CV.06'] = true;
    expect(codes(run(bool))).toEqual(['NOT_A_NUMBER']);
  });
  it('yes/no accepts Có/Không and booleans only', () => {
    const sub = stpQ1();
    sub.values['DT.08a'] = 'không';
    expect(run(sub).status).toBe('valid');
    sub.values['DT.08a'] = true;
    expect(run(sub).status).toBe('valid');
    sub.values['DT.08a'] = 'Yes';
    expect(codes(run(sub))).toEqual(['YESNO_INVALID']);
  });
  it('optional values (rates, amounts) may be blank', () => {
    const sub = stpQ1();
    sub.values['DT.03'] = null;
    sub.values['TCC.07'] = null;
    sub.values['TCC.08'] = null;
    sub.values['TCC.09'] = null;
    expect(run(sub)).toEqual({ status: 'valid', findings: [] });
  });
  it('values for indicators that do not apply are ignored with a warning', () => {
    const sub = stpQ1();
    sub.values['TT.01a'] = 5;
    sub.values['XX.99'] = 1;
    const r = run(sub);
    expect(r.status).toBe('valid');
    expect(r.findings.map((f) => [f.code, f.indicator])).toEqual([
      ['INDICATOR_NOT_APPLICABLE', 'TT.01a'],
      ['INDICATOR_UNKNOWN', null],
    ]);
    expect(r.findings[1]!.message).toContain('"XX.99"');
  });
});

describe('validateSubmission: declared relations', () => {
  it('total ≠ sum of parts is an error at the total cell', () => {
    const sub = stpQ1();
    sub.values['TT.HS.02'] = 51;
    const r = run(sub);
    expect(r.findings).toEqual([expect.objectContaining({ code: 'RELATION_SUM', severity: 'error', indicator: 'TT.HS.01', cell: cellOf('STP', 'TT.HS.01') })]);
    expect(r.findings[0]!.message).toContain('1.000');
    expect(r.findings[0]!.message).toContain('1.001');
  });
  it('part > total is an error', () => {
    const sub = stpQ1();
    sub.values['TC.03'] = 11;
    expect(codes(run(sub))).toEqual(['RELATION_PART_TOTAL']);
  });
  it('a warning relation warns without invalidating', () => {
    const sub = stpQ1();
    sub.values['BM.05'] = 81;
    const r = run(sub);
    expect(r.status).toBe('valid');
    expect(r.findings).toEqual([expect.objectContaining({ code: 'RELATION_PART_TOTAL', severity: 'warning', indicator: 'BM.05' })]);
  });
  it('a district-only relation applies to districts only', () => {
    const sub = sampleSubmission('HUE', '2021-Q1');
    sub.values['TT.01a'] = 99;
    expect(codes(run(sub))).toEqual(['RELATION_SUM']);
  });
  it('a blank side skips a "skip" relation (the blank is reported once, as required)', () => {
    const sub = stpQ1();
    sub.values['TT.HS.02'] = null;
    expect(codes(run(sub))).toEqual(['REQUIRED_MISSING']);
  });
  it('rates must match their parts within 0.1, and be blank when the denominator is 0', () => {
    const sub = stpQ1();
    sub.values['DT.03'] = 90;
    const r = run(sub);
    expect(codes(r)).toEqual(['RATE_MISMATCH']);
    expect(r.findings[0]!.message).toContain('95%');
    sub.values['DT.03'] = 95.05;
    expect(run(sub).status).toBe('valid');
    const zero = stpQ1();
    zero.values['TT.PA.01'] = 0;
    zero.values['TT.PA.02'] = 0;
    zero.values['TT.PA.03'] = 0;
    expect(codes(run(zero))).toEqual(['RATE_UNDEFINED']);
    zero.values['TT.PA.03'] = null;
    expect(run(zero).status).toBe('valid');
  });
});

describe('validateSubmission: narrative sections and signature', () => {
  it('all four narrative sections must be present', () => {
    const sub = stpQ1();
    sub.narratives.kien_nghi = '   ';
    const r = run(sub);
    expect(r.findings).toEqual([expect.objectContaining({ code: 'NARRATIVE_MISSING', sheet: 'Thuyết minh' })]);
    expect(r.findings[0]!.message).toContain('Kiến nghị, đề xuất');
  });
  it('TL. and TUQ. signers are refused with the reason', () => {
    for (const form of ['TL.', 'TUQ.']) {
      const sub = stpQ1();
      sub.signature.signingForm = form;
      sub.signature.signerTitle = 'Chánh Văn phòng';
      const r = run(sub);
      expect(codes(r)).toEqual(['SIGNER_NOT_LEADERSHIP']);
      expect(r.findings[0]!.sheet).toBe('Ký ban hành');
      expect(r.findings[0]!.message).toContain(form);
      expect(r.findings[0]!.message).toContain('phải do lãnh đạo');
    }
  });
  it('a non-leadership title is refused', () => {
    const sub = stpQ1();
    sub.signature.signingForm = 'none';
    sub.signature.signerTitle = 'Trưởng phòng Tổng hợp';
    expect(codes(run(sub))).toEqual(['SIGNER_NOT_LEADERSHIP']);
  });
  it('every signature field is required', () => {
    const sub = stpQ1();
    sub.signature = { documentNumber: null, issueDate: null, signerName: ' ', signerTitle: null, signingForm: null };
    expect(codes(run(sub))).toEqual(['SIGNATURE_MISSING', 'SIGNATURE_MISSING', 'SIGNATURE_MISSING', 'SIGNATURE_MISSING', 'SIGNATURE_MISSING']);
  });
  it('issue date: Vietnamese day-first text accepted; invalid or after receipt refused', () => {
    const sub = stpQ1();
    sub.signature.issueDate = '14/03/2021';
    expect(run(sub).status).toBe('valid');
    sub.signature.issueDate = '31/02/2021';
    expect(codes(run(sub))).toEqual(['ISSUE_DATE_INVALID']);
    sub.signature.issueDate = '2021-03-20';
    expect(codes(run(sub))).toEqual(['ISSUE_DATE_FUTURE']);
  });
  it('an unknown signing form is refused', () => {
    const sub = stpQ1();
    sub.signature.signingForm = 'Ủy quyền miệng';
    expect(codes(run(sub))).toEqual(['SIGNING_FORM_INVALID']);
  });
});

describe('validateSubmission: plans', () => {
  const planReceived = new Date('2021-01-05T02:00:00Z');
  const plan = (): Submission => sampleSubmission('STP', '2021-PLAN');
  it('a plan must cover all six reform areas', () => {
    const sub = plan();
    sub.tasks = sub.tasks.filter((t) => t.area !== 'tai_chinh_cong');
    const r = run(sub, {}, planReceived);
    expect(codes(r)).toEqual(['PLAN_AREA_UNCOVERED']);
    expect(r.findings[0]!.message).toContain('5. Cải cách tài chính công');
    expect(r.findings[0]!.sheet).toBe('Nhiệm vụ');
  });
  it('a plan with no tasks is refused', () => {
    const sub = plan();
    sub.tasks = [];
    expect(codes(run(sub, {}, planReceived))).toEqual(['PLAN_NO_TASKS']);
  });
  it('every task needs its result, a deadline inside the year and a lead agency', () => {
    const sub = plan();
    sub.tasks[0] = { ...sub.tasks[0]!, expectedResult: null };
    sub.tasks[1] = { ...sub.tasks[1]!, deadline: '2022-01-15' };
    sub.tasks[2] = { ...sub.tasks[2]!, leadAgency: '' };
    sub.tasks[3] = { ...sub.tasks[3]!, deadline: 'quý 2' };
    sub.tasks[4] = { ...sub.tasks[4]!, resources: null };
    const r = run(sub, {}, planReceived);
    expect(r.findings.map((f) => [f.code, f.cell])).toEqual([
      ['TASK_RESULT_MISSING', 'D8'],
      ['TASK_DEADLINE_OUTSIDE_YEAR', 'E9'],
      ['TASK_LEAD_MISSING', 'F10'],
      ['TASK_DEADLINE_INVALID', 'E11'],
      ['TASK_RESOURCES_MISSING', 'H12'],
    ]);
  });
  it('an area outside the six is refused; area names and numbers are accepted', () => {
    const sub = plan();
    sub.tasks[0] = { ...sub.tasks[0]!, area: '1. Cải cách thể chế' };
    expect(run(sub, {}, planReceived).status).toBe('valid');
    sub.tasks[0] = { ...sub.tasks[0]!, area: 'Thi đua khen thưởng' };
    expect(codes(run(sub, {}, planReceived))).toEqual(['TASK_AREA_INVALID', 'PLAN_AREA_UNCOVERED']);
  });
  it('a plan issued after 05/01 is accepted with a warning quoting the letter, not refused', () => {
    const sub = plan();
    sub.signature.issueDate = '2021-01-06';
    const r = run(sub, {}, new Date('2021-01-06T05:00:00Z'));
    expect(r.status).toBe('valid');
    expect(r.findings.map((f) => [f.code, f.severity, f.cell])).toEqual([['PLAN_ISSUED_LATE', 'warning', 'B9']]);
    expect(r.findings[0]!.message).toContain('05/01/2021');
    expect(r.findings[0]!.message).toContain('vẫn được tiếp nhận');
  });
});

describe('validateSubmission: plan findings name the row each task is on', () => {
  const planReceived = new Date('2021-01-05T02:00:00Z');
  /** The six sample tasks as read from a sheet with a blank row after the first and rows inserted later. */
  const onRows = (rows: number[]): Submission => {
    const sub = sampleSubmission('STP', '2021-PLAN');
    sub.tasks = sub.tasks.map((t, i) => ({ ...t, row: rows[i]! }));
    return sub;
  };
  it('with gaps and inserted rows, each finding points at the cell that holds the problem', () => {
    const sub = onRows([12, 14, 15, 19, 20, 31]);
    sub.tasks[1] = { ...sub.tasks[1]!, expectedResult: null };
    sub.tasks[2] = { ...sub.tasks[2]!, deadline: '2022-01-15' };
    sub.tasks[3] = { ...sub.tasks[3]!, leadAgency: ' ' };
    sub.tasks[4] = { ...sub.tasks[4]!, area: 'Thi đua khen thưởng' };
    sub.tasks[5] = { ...sub.tasks[5]!, resources: null, content: null };
    const r = run(sub, {}, planReceived);
    expect(r.findings.map((f) => [f.code, f.cell])).toEqual([
      ['TASK_RESULT_MISSING', 'D14'],
      ['TASK_DEADLINE_OUTSIDE_YEAR', 'E15'],
      ['TASK_LEAD_MISSING', 'F19'],
      ['TASK_AREA_INVALID', 'B20'],
      ['TASK_CONTENT_MISSING', 'C31'],
      ['TASK_RESOURCES_MISSING', 'H31'],
      ['PLAN_AREA_UNCOVERED', 'B7'],
    ]);
    expect(r.findings[0]!.message).toMatch(/^Ô D14 \(trang "Nhiệm vụ"\)/);
    expect(r.findings[4]!.message).toContain('Ô C31');
  });
  it('the same problem on a task read from row 12 and from row 19 names row 12 and row 19', () => {
    for (const row of [12, 19]) {
      const sub = onRows([8, 9, 10, 11, 13, row].map((r, i) => (i === 0 ? row : r + 20)));
      sub.tasks[0] = { ...sub.tasks[0]!, deadline: 'quý 2' };
      expect(run(sub, {}, planReceived).findings.map((f) => f.cell)).toEqual([`E${row}`]);
    }
  });
  it('tasks not read from a workbook (JSON, row null) are placed by their position', () => {
    const sub = sampleSubmission('STP', '2021-PLAN');
    sub.tasks[2] = { ...sub.tasks[2]!, leadAgency: null };
    expect(run(sub, {}, planReceived).findings.map((f) => f.cell)).toEqual(['F10']);
  });
});

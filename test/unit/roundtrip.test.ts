import { describe, expect, it } from 'vitest';
import { sampleFill, sampleSubmission } from '../../shared/domain/sample-submission.js';
import { toSubmissionJson } from '../../shared/domain/submission-json.js';
import type { Submission } from '../../shared/domain/types.js';
import { checkUpload } from '../../shared/application/check-upload.js';
import { makeTemplate } from '../../shared/application/make-template.js';

const KEY = 'roundtrip-test-key';
const RECEIVED = new Date('2021-12-31T02:00:00Z');

async function asXlsx(sub: Submission): Promise<Uint8Array> {
  const made = await makeTemplate({ unitCode: sub.unitCode, periodId: sub.periodId, key: KEY, now: new Date('2021-01-01T00:00:00Z'), fill: sampleFill(sub) });
  return made.bytes;
}

function asJson(sub: Submission): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(toSubmissionJson(sub)));
}

async function both(sub: Submission, received = RECEIVED) {
  const slot = { unitCode: sub.unitCode, periodId: sub.periodId, kind: sub.kind };
  const xlsx = await checkUpload(await asXlsx(sub), slot, received, { templateKey: KEY });
  const json = await checkUpload(asJson(sub), slot, received, { templateKey: KEY });
  return { xlsx, json };
}

describe('template → fill → read → validate, for every report kind', () => {
  it.each([
    ['STP', '2021-PLAN', new Date('2021-01-05T03:00:00Z')],
    ['STP', '2021-Q1', RECEIVED],
    ['HUE', '2021-H1', RECEIVED],
    ['CAT', '2021-Q3', RECEIVED],
    ['SNV', '2021-YEAR', RECEIVED],
    ['SKHCN', '2021-THEMATIC', RECEIVED],
    ['STC', '2021-THEMATIC', RECEIVED],
  ] as const)('%s %s filled correctly is valid as Excel and as JSON', async (unit, period, received) => {
    const { xlsx, json } = await both(sampleSubmission(unit, period), received);
    expect(xlsx.format).toBe('xlsx');
    expect(json.format).toBe('json');
    expect(xlsx.findings).toEqual([]);
    expect(xlsx.status).toBe('valid');
    expect(json.status).toBe('valid');
    // identical but for where each task was read: the sheet row (Excel) or nowhere (JSON)
    const rows = xlsx.submission!.tasks.map((t) => t.row);
    expect(rows).toEqual(xlsx.submission!.tasks.map((_, i) => 8 + i));
    expect(json.submission!.tasks.every((t) => t.row === null)).toBe(true);
    const noRows = (s: typeof xlsx.submission) => ({ ...s!, tasks: s!.tasks.map((t) => ({ ...t, row: null })) });
    expect(noRows(xlsx.submission)).toEqual(noRows(json.submission));
  });
});

describe('JSON and Excel give identical findings for the same content', () => {
  const cases: [string, (s: Submission) => void][] = [
    [
      'a broken sum',
      (s) => {
        s.values['TT.HS.02'] = 51;
      },
    ],
    [
      'a part above its total',
      (s) => {
        s.values['TC.03'] = 99;
      },
    ],
    [
      'a blank required value',
      (s) => {
        s.values['CV.02'] = null;
      },
    ],
    [
      'a number typed as text',
      (s) => {
        s.values['DT.01'] = '2.000';
      },
    ],
    [
      'a negative count and a wrong rate',
      (s) => {
        s.values['CV.06'] = -2;
        s.values['DT.03'] = 50;
      },
    ],
    [
      'a missing narrative section',
      (s) => {
        s.narratives.kho_khan = null;
      },
    ],
    [
      'a TL. signer',
      (s) => {
        s.signature.signingForm = 'TL.';
        s.signature.signerTitle = 'Chánh Văn phòng';
      },
    ],
    [
      'a non-leadership title',
      (s) => {
        s.signature.signingForm = 'none';
        s.signature.signerTitle = 'Chuyên viên';
      },
    ],
    [
      'an issue date after receipt',
      (s) => {
        s.signature.issueDate = '2022-01-10';
      },
    ],
  ];
  it.each(cases)('%s', async (_name, mutate) => {
    const sub = sampleSubmission('STP', '2021-Q1');
    mutate(sub);
    const { xlsx, json } = await both(sub);
    expect(xlsx.status).toBe('invalid');
    expect(xlsx.findings.length).toBeGreaterThan(0);
    expect(json.findings).toEqual(xlsx.findings);
    for (const f of xlsx.findings) {
      expect(f.sheet).toBeTruthy();
      expect(f.cell).toMatch(/^[A-Z]+\d+$/);
    }
  });

  it('plans: an uncovered area and a task without a result', async () => {
    const sub = sampleSubmission('HUE', '2021-PLAN');
    sub.tasks = sub.tasks.filter((t) => t.area !== 'cong_vu');
    sub.tasks[0] = { ...sub.tasks[0]!, expectedResult: null };
    const { xlsx, json } = await both(sub, new Date('2021-01-05T03:00:00Z'));
    expect(xlsx.findings.map((f) => f.code)).toEqual(['TASK_RESULT_MISSING', 'PLAN_AREA_UNCOVERED']);
    expect(json.findings).toEqual(xlsx.findings);
  });

  it('a workbook checked against another unit’s slot names the mismatch', async () => {
    const sub = sampleSubmission('STP', '2021-Q1');
    const r = await checkUpload(await asXlsx(sub), { unitCode: 'STC', periodId: '2021-Q1', kind: 'periodic' }, RECEIVED, { templateKey: KEY });
    expect(r.findings.map((f) => f.code)).toEqual(['SLOT_UNIT_MISMATCH']);
  });
});

import { strToU8 } from 'fflate';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { RECORD_BOUNDS, capFindings, excerpt } from '../../shared/domain/bounds.js';
import { findPeriod } from '../../shared/domain/calendar.js';
import { applicableIndicators, currentForm } from '../../shared/domain/forms.js';
import type { Finding } from '../../shared/domain/types.js';
import { findUnit } from '../../shared/domain/units.js';
import { checkUpload } from '../../shared/application/check-upload.js';
import type { UploadCheck } from '../../shared/application/check-upload.js';
import { buildRecord } from '../../shared/application/process-upload.js';
import { noise, validFill } from '../fixtures/hostile-corpus.js';
import { KEY, slotOf } from '../fixtures/xlsx-fixtures.js';

/** DynamoDB's item size: attribute names and values, UTF-8, numbers by their digits, 3 bytes per map or list. */
function attrSize(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S, 'utf8');
  if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L) return 3 + v.L.reduce((n, x) => n + 1 + attrSize(x), 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((n, [k, x]) => n + 1 + Buffer.byteLength(k, 'utf8') + attrSize(x), 0);
  throw new Error(`unsized attribute ${JSON.stringify(v).slice(0, 40)}`);
}
function itemSize(item: Record<string, unknown>): number {
  return Object.entries(marshall(item, { removeUndefinedValues: true })).reduce((n, [k, v]) => n + Buffer.byteLength(k, 'utf8') + attrSize(v), 0);
}

/** Well below DynamoDB's 400 KB, with room for the keys and any attribute added later. */
const BUDGET = 100 * 1024;
const SLOT = slotOf('STP', '2021-Q1');
const slot = { unitCode: 'STP', periodId: '2021-Q1', kind: SLOT.period.kind };
const unit = findUnit('STP');
const period = findPeriod('2021-Q1');

function recordOf(check: UploadCheck) {
  return buildRecord({
    objectId: '2021-03-10T03-00-00Z-0123456789abcdef',
    key: `incoming/2021-Q1/STP/${'u'.repeat(36)}/upload.json`,
    versionId: 'v'.repeat(32),
    uploadId: 'u'.repeat(36),
    unit,
    period,
    fileName: `${noise(5000)}.xlsx`,
    size: 10 * 1024 * 1024,
    sha256: 'f'.repeat(64),
    check,
    receivedAt: '2021-03-10T03:00:00.000Z',
    onTime: true,
    recordedAt: '2021-03-10T03:00:01.000Z',
    source: 'event',
  });
}

function jsonOf(values: Record<string, unknown>, narratives: Record<string, unknown>): Uint8Array {
  const fill = validFill(SLOT);
  return strToU8(
    JSON.stringify({
      format: 'cchc-submission',
      formatVersion: 1,
      formId: SLOT.form.id,
      formVersion: SLOT.form.version,
      unitCode: 'STP',
      periodId: '2021-Q1',
      kind: SLOT.period.kind,
      values,
      narratives,
      tasks: [],
      signature: fill.signature,
    }),
  );
}

describe('every stored record is bounded, whatever the file holds', () => {
  it('the largest invalid record: every indicator the longest text allowed, 20,000 unknown codes, every narrative at the schema limit', async () => {
    // Prepare: the worst the validator can be asked to quote, within what the JSON schema admits.
    const values: Record<string, unknown> = {};
    for (const ind of applicableIndicators(SLOT.form, SLOT.unit)) values[ind.code] = noise(200, ind.code.length);
    for (let i = 0; i < 20_000; i++) values[`${noise(24, i)}.${i}`.slice(0, 32)] = i;
    const narratives = Object.fromEntries([
      ...SLOT.form.narratives.map((n) => [n.code, noise(20_000)]),
      ...Array.from({ length: 3000 }, (_, i) => [`X${i}${noise(50, i)}`.slice(0, 64), noise(1000)]),
    ]);
    // Act
    const check = await checkUpload(jsonOf(values, narratives), slot, new Date('2021-03-10T03:00:00Z'), { templateKey: KEY });
    const record = recordOf(check);
    // Assess
    expect(check.status).toBe('invalid');
    expect(record.findings.length).toBeLessThanOrEqual(RECORD_BOUNDS.maxFindings);
    expect(record.findings.every((f) => f.message.length <= RECORD_BOUNDS.messageChars)).toBe(true);
    expect(record.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['NOT_A_NUMBER', 'INDICATOR_UNKNOWN', 'NARRATIVE_LONG', 'NARRATIVE_UNKNOWN']));
    expect(itemSize(record as unknown as Record<string, unknown>)).toBeLessThan(BUDGET);
  });

  it('the largest valid record: every narrative far past its bound, unknown codes dropped, not stored', async () => {
    const fill = validFill(SLOT);
    const values: Record<string, unknown> = { ...fill.values };
    for (let i = 0; i < 20_000; i++) values[`Z.${i}`] = i;
    const narratives = { ...Object.fromEntries(SLOT.form.narratives.map((n) => [n.code, `${noise(19_990)}\nhết`])), extra: noise(20_000) };
    const check = await checkUpload(jsonOf(values, narratives), slot, new Date('2021-03-10T03:00:00Z'), { templateKey: KEY });
    const record = recordOf(check);
    expect(check.status).toBe('valid');
    expect(check.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['INDICATOR_UNKNOWN', 'NARRATIVE_LONG', 'NARRATIVE_UNKNOWN']));
    expect(Object.keys(record.values!).sort()).toEqual(
      applicableIndicators(currentForm('periodic'), unit)
        .map((i) => i.code)
        .filter((c) => c in fill.values!)
        .sort(),
    );
    expect(Object.keys(record.narratives!).sort()).toEqual(SLOT.form.narratives.map((n) => n.code).sort());
    for (const text of Object.values(record.narratives!)) expect(text!.length).toBeLessThanOrEqual(RECORD_BOUNDS.narrativeChars);
    expect([...record.fileName].length).toBeLessThanOrEqual(120);
    expect(itemSize(record as unknown as Record<string, unknown>)).toBeLessThan(BUDGET);
  });

  it('a JSON file whose keys break the schema: at most 50 findings, each an excerpt', async () => {
    const values: Record<string, unknown> = { [noise(600_000)]: 1 };
    for (let i = 0; i < 5000; i++) values[noise(100, i)] = i;
    const check = await checkUpload(jsonOf(values, {}), slot, new Date('2021-03-10T03:00:00Z'), { templateKey: KEY });
    const record = recordOf(check);
    expect(check.findings.length).toBeLessThanOrEqual(50);
    expect(check.findings.every((f) => f.code === 'JSON_SCHEMA')).toBe(true);
    expect(itemSize(record as unknown as Record<string, unknown>)).toBeLessThan(BUDGET);
  });

  it('caps findings with a last one that says how many more there were', () => {
    const many: Finding[] = Array.from({ length: 250 }, (_, i) => ({
      code: 'X',
      severity: i % 5 === 0 ? 'warning' : 'error',
      sheet: 'Số liệu',
      cell: `D${i}`,
      indicator: null,
      message: 'm'.repeat(5000),
    }));
    const capped = capFindings(many);
    expect(capped).toHaveLength(RECORD_BOUNDS.maxFindings);
    expect(capped.at(-1)).toMatchObject({ code: 'MORE_FINDINGS', severity: 'error' });
    expect(capped.at(-1)!.message).toBe('… và 121 lỗi và 30 cảnh báo khác. Hãy sửa các lỗi đã nêu ở trên rồi tải lên lại để xem các lỗi còn lại.');
    expect(capped.slice(0, -1).every((f) => f.message.length === RECORD_BOUNDS.messageChars)).toBe(true);
    expect(capFindings(many.slice(0, 3))).toHaveLength(3);
  });

  it('quotes a short excerpt of any user text', () => {
    expect(excerpt('ngắn')).toBe('ngắn');
    expect([...excerpt(noise(1_000_000))].length).toBe(RECORD_BOUNDS.excerptChars);
    expect(excerpt('a\r\nb\u2028c')).toBe('a  b c');
  });
});

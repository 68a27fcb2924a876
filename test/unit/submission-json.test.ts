import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sampleSubmission } from '../../shared/domain/sample-submission.js';
import { parseSubmissionJson, submissionJsonSchemaDocument, toSubmissionJson } from '../../shared/domain/submission-json.js';

const enc = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

describe('JSON submission format', () => {
  it('round-trips a submission', () => {
    for (const [u, p] of [
      ['STP', '2021-Q1'],
      ['STP', '2021-PLAN'],
      ['SKHCN', '2021-THEMATIC'],
    ] as const) {
      const sub = sampleSubmission(u, p);
      const parsed = parseSubmissionJson(enc(toSubmissionJson(sub)));
      expect(parsed.findings).toEqual([]);
      expect(parsed.submission).toEqual(sub);
    }
  });

  it('keeps a number sent as a string as a string (the validator flags it)', () => {
    const j = toSubmissionJson(sampleSubmission('STP', '2021-Q1'));
    j.values['TT.HS.01'] = '1.000';
    expect(parseSubmissionJson(enc(j)).submission!.values['TT.HS.01']).toBe('1.000');
  });

  it('normalises text to NFC and trims it', () => {
    const j = toSubmissionJson(sampleSubmission('STP', '2021-Q1'));
    j.narratives.kho_khan = `  ${'Khó khăn về hạ tầng'.normalize('NFD')}  `;
    j.signature.signerName = 'Nguyễn Văn An'.normalize('NFD');
    const s = parseSubmissionJson(enc(j)).submission!;
    expect(s.narratives.kho_khan).toBe('Khó khăn về hạ tầng');
    expect(s.signature.signerName).toBe('Nguyễn Văn An');
  });

  it('reports broken JSON and a wrong structure as Vietnamese findings, never a crash', () => {
    const bad = parseSubmissionJson(enc('{ "format": '));
    expect(bad.submission).toBeNull();
    expect(bad.findings[0]).toMatchObject({ code: 'JSON_SYNTAX', severity: 'error' });
    expect(bad.findings[0]!.message).toMatch(/^Tệp JSON không đọc được/);

    const wrong = parseSubmissionJson(enc({ format: 'cchc-submission', formatVersion: 1, values: [] }));
    expect(wrong.submission).toBeNull();
    expect(wrong.findings.length).toBeGreaterThan(0);
    expect(wrong.findings.every((f) => f.code === 'JSON_SCHEMA' && f.message.startsWith('Tệp JSON sai cấu trúc'))).toBe(true);

    const notUtf8 = parseSubmissionJson(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    expect(notUtf8.findings[0]!.code).toBe('JSON_SYNTAX');
  });

  it('refuses unknown top-level fields', () => {
    const j = { ...toSubmissionJson(sampleSubmission('STP', '2021-Q1')), extra: 1 };
    expect(parseSubmissionJson(enc(j)).findings[0]!.code).toBe('JSON_SCHEMA');
  });

  it('the published schema in docs/ is the one the code generates', () => {
    const published = JSON.parse(readFileSync(new URL('../../docs/submission.schema.json', import.meta.url), 'utf8'));
    expect(published).toEqual(submissionJsonSchemaDocument());
    expect(published.required).toEqual(expect.arrayContaining(['formId', 'unitCode', 'periodId', 'kind', 'signature']));
  });
});

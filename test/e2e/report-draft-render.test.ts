import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findPeriod } from '../../shared/domain/calendar.js';
import { compareRollups } from '../../shared/domain/comparison.js';
import { writeReportDraft } from '../../shared/documents/reports/docx/report-draft.js';
import { demoRollup } from '../fixtures/demo-rollup.js';

/**
 * The Word draft rendered by LibreOffice (an external program, like the browser of the other e2e
 * tests): it converts, has the expected number of pages in A4, and its PDF and first page image are
 * kept under test-artifacts/report-draft/ for a person to look at.
 */

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'report-draft');

describe('the Word draft in LibreOffice', () => {
  let pdf: string;
  let info: string;

  beforeAll(async () => {
    // Prepare: 2022-H1 with both comparisons
    const { rollup, form } = demoRollup({ periodId: '2022-H1' });
    const q1 = demoRollup({ periodId: '2022-Q1' }).rollup;
    const lastYear = demoRollup({ periodId: '2021-H1' }).rollup;
    lastYear.indicators = lastYear.indicators.map((i) => ({ ...i, total: i.total === null ? null : Math.round(i.total * 0.8) }));
    rollup.comparisons = compareRollups(rollup, findPeriod('2022-H1'), { previous: { rollup: q1, key: 'q1' }, lastYear: { rollup: lastYear, key: 'h1' } });
    mkdirSync(ARTIFACTS, { recursive: true });
    const docx = join(ARTIFACTS, 'du-thao-bao-cao-2022-H1.docx');
    writeFileSync(docx, await writeReportDraft(rollup, form));
    // Act: a private profile so that parallel runs do not share LibreOffice's lock
    const profile = mkdtempSync(join(tmpdir(), 'lo-profile-'));
    execFileSync('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', ARTIFACTS, docx], {
      stdio: 'pipe',
      timeout: 120_000,
    });
    pdf = join(ARTIFACTS, 'du-thao-bao-cao-2022-H1.pdf');
    info = execFileSync('pdfinfo', [pdf]).toString();
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdf, join(ARTIFACTS, 'trang-1')]);
  });

  it('converts to an A4 PDF of a plausible number of pages, with the first page kept as an image', () => {
    expect(existsSync(pdf)).toBe(true);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    expect(pages).toBeGreaterThanOrEqual(4);
    expect(pages).toBeLessThanOrEqual(20);
    // A4 is 595 × 842 points
    const [w, h] = /Page size:\s+([\d.]+) x ([\d.]+)/.exec(info)!.slice(1).map(Number) as [number, number];
    expect(Math.round(w)).toBe(595);
    expect(Math.round(h)).toBe(842);
    expect(existsSync(join(ARTIFACTS, 'trang-1.png'))).toBe(true);
  });

  it('keeps the Vietnamese text and the header in the PDF', () => {
    const text = execFileSync('pdftotext', ['-f', '1', '-l', '1', '-layout', pdf, '-']).toString().normalize('NFC');
    for (const s of [
      'UBND TỈNH THỪA THIÊN HUẾ',
      'SỞ NỘI VỤ',
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'BÁO CÁO',
      'Kính gửi: Ủy ban nhân dân tỉnh.',
    ]) {
      expect(text).toContain(s);
    }
    // Page 1 shows no page number; page 2 shows "2" at the top
    const second = execFileSync('pdftotext', ['-f', '2', '-l', '2', pdf, '-']).toString().trim();
    expect(second.split('\n')[0]!.trim()).toBe('2');
  });
});

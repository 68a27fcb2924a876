import { describe, expect, it } from 'vitest';
import { UNIT_STATUS_REPORT_LABELS } from '../../shared/domain/labels.js';
import { demoRollup } from '../fixtures/demo-rollup.js';
import { rollupToCsv, rollupToJson } from '../../shared/documents/reports/index.js';
import { csvNumber, csvText } from '../../shared/documents/reports/csv.js';

/** A small RFC 4180 parser: quoted fields with "" escapes, CRLF records; returns the records. */
function parseCsv(s: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let i = 0;
  let quoted = false;
  while (i < s.length) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i += 1;
      } else {
        field += ch;
        i += 1;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
      i += 1;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      i += 1;
    } else if (ch === '\r' && s[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      if (ch === '"' || ch === '\r' || ch === '\n') throw new Error(`bare ${JSON.stringify(ch)} at ${i}`);
      field += ch;
      i += 1;
    }
  }
  if (quoted) throw new Error('unterminated quote');
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

const num = (f: string): number | null => (f === '' ? null : Number(f));

describe('rollupToCsv', () => {
  const { rollup } = demoRollup({
    periodId: '2021-Q3',
    fileNames: {
      STP: '=HYPERLINK("http://x","y").xlsx',
      STC: '+1, "trích", dẫn.xlsx',
      SYT: '@SUM(A1).xlsx',
      SXD: '-2+3.xlsx',
      SCT: '\tTab.xlsx',
      SGTVT: '\rCR.xlsx',
      SKHDT: 'Báo cáo\nhai dòng.xlsx',
    },
  });
  const csv = rollupToCsv(rollup);
  const body = csv.slice(1);
  const records = parseCsv(body);

  it('is UTF-8 text with a BOM and CRLF line ends only', () => {
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    // Every LF is preceded by CR, except the one quoted inside a field.
    const bare = [...body.matchAll(/(?<!\r)\n/g)];
    expect(bare.length).toBe(1);
    expect(body.endsWith('\r\n')).toBe(true);
  });

  it('the indicator table parses back to the roll-up numbers', () => {
    expect(records[0]).toEqual([
      'Mã',
      'Chỉ tiêu',
      'Đơn vị tính',
      'Toàn tỉnh',
      'Sở, ban, ngành',
      'UBND cấp huyện',
      'Cơ quan TW',
      'Số đơn vị báo cáo',
      'Số đơn vị áp dụng',
    ]);
    const rows = records.slice(1, 1 + rollup.indicators.length);
    expect(rows.map((r) => r[0])).toEqual(rollup.indicators.map((i) => i.code));
    rollup.indicators.forEach((ind, n) => {
      const r = rows[n]!;
      expect(r[1]).toBe(ind.name);
      expect(num(r[3]!)).toBe(ind.total);
      expect(num(r[4]!)).toBe(ind.byKind.department);
      expect(num(r[5]!)).toBe(ind.byKind.district);
      expect(num(r[6]!)).toBe(ind.byKind.central);
      expect(num(r[7]!)).toBe(ind.reporting);
      expect(num(r[8]!)).toBe(ind.applicable);
    });
    // A blank line separates the tables.
    expect(records[1 + rollup.indicators.length]).toEqual(['']);
  });

  it('the unit table has every expected unit, with neutralised text', () => {
    const start = 2 + rollup.indicators.length;
    expect(records[start]![0]).toBe('STT');
    const units = records.slice(start + 1);
    expect(units.length).toBe(rollup.units.length);
    rollup.units.forEach((u, n) => {
      const r = units[n]!;
      expect(r[0]).toBe(String(n + 1));
      expect(r[1]).toBe(u.unitCode);
      expect(r[2]).toBe(u.name);
      expect(r[4]).toBe(UNIT_STATUS_REPORT_LABELS[u.status]);
      expect(num(r[5]!)).toBe(u.files);
      expect(r[6]).toBe(u.source?.receiptNo ?? '');
      expect(r[9]).toBe(u.source?.sha256 ?? '');
      expect(r[10]).toBe(u.source?.key ?? '');
      if (u.source) expect(Date.parse(r[7]!)).toBe(Date.parse(u.source.receivedAt));
      if (u.source) expect(r[7]).toMatch(/\+07:00$/);
    });
    const fileOf = (code: string) => units[rollup.units.findIndex((u) => u.unitCode === code)]![8];
    expect(fileOf('STP')).toBe(`'=HYPERLINK("http://x","y").xlsx`);
    expect(fileOf('STC')).toBe(`'+1, "trích", dẫn.xlsx`);
    expect(fileOf('SYT')).toBe(`'@SUM(A1).xlsx`);
    expect(fileOf('SXD')).toBe(`'-2+3.xlsx`);
    expect(fileOf('SCT')).toBe(`'\tTab.xlsx`);
    expect(fileOf('SGTVT')).toBe(`'\rCR.xlsx`);
    expect(fileOf('SKHDT')).toBe('Báo cáo\nhai dòng.xlsx');
    // No parsed field starts with a formula trigger.
    for (const r of records) for (const f of r) expect(/^[=+\-@\t\r]/.test(f), f).toBe(false);
  });

  it('quotes and neutralises single fields per RFC 4180 and OWASP', () => {
    expect(csvText('a,b')).toBe('"a,b"');
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
    expect(csvText('=1+1')).toBe(`'=1+1`);
    expect(csvText('=A1,B1')).toBe(`"'=A1,B1"`);
    expect(csvText('\r\n')).toBe(`"'\r\n"`);
    expect(csvText('Sở Y tế')).toBe('Sở Y tế');
    expect(csvNumber(0.1 + 0.2)).toBe('0.3');
    expect(csvNumber(1234567)).toBe('1234567');
    expect(csvNumber(null)).toBe('');
  });

  it('a plan lists the tasks per reform area instead of indicators', () => {
    const { rollup: plan } = demoRollup({ periodId: '2022-PLAN' });
    const recs = parseCsv(rollupToCsv(plan).slice(1));
    expect(recs[0]).toEqual(['Mã lĩnh vực', 'Lĩnh vực', 'Số nhiệm vụ']);
    for (const [code, n] of Object.entries(plan.plan!.tasksPerArea)) {
      expect(recs.find((r) => r[0] === code)![2]).toBe(String(n));
    }
  });
});

describe('rollupToJson', () => {
  it('is pretty JSON that parses back to the roll-up', () => {
    const { rollup } = demoRollup({ periodId: '2021-Q1' });
    const json = rollupToJson(rollup);
    expect(json).toContain('\n  "periodId": "2021-Q1"');
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(rollup)));
  });
});

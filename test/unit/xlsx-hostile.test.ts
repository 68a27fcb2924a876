import { randomBytes } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, hasDtd, inspectXlsx, sniff } from '../../shared/documents/xlsx/safe-zip.js';
import type { ZipLimits } from '../../shared/documents/xlsx/safe-zip.js';
import { readWorkbook } from '../../shared/documents/xlsx/workbook-reader.js';
import { KEY, minimalParts, patchZip, rewriteSizes, sheetPart, SHEETS, slotOf, templateOf, zipBomb } from '../fixtures/xlsx-fixtures.js';

const STP_Q1 = slotOf('STP', '2021-Q1');
const MIB = 1024 * 1024;

function refusal(bytes: Uint8Array, limits?: ZipLimits): { code: string; message: string } {
  const r = inspectXlsx(bytes, limits);
  if (r.ok) throw new Error('expected a refusal');
  expect(r.finding).toMatchObject({ severity: 'error', sheet: null, cell: null, indicator: null });
  return r.finding;
}

describe('sniff', () => {
  it('tells a zip, JSON, empty and anything else apart by content', () => {
    expect(sniff(new Uint8Array())).toBe('empty');
    expect(sniff(strToU8(' \r\n\t'))).toBe('unknown');
    expect(sniff(zipSync(minimalParts()))).toBe('xlsx-zip');
    expect(sniff(strToU8('{"formId":"cchc-periodic"}'))).toBe('json');
    expect(sniff(strToU8('\uFEFF\n  {"a":1}'))).toBe('json');
    expect(sniff(strToU8('<!DOCTYPE html><html><body>Báo cáo</body></html>'))).toBe('unknown');
    expect(sniff(strToU8('[1,2]'))).toBe('unknown');
    expect(sniff(strToU8('MZ\x90\x00'))).toBe('unknown');
  });
});

describe('inspectXlsx: not a workbook', () => {
  it('refuses an empty file', () => {
    expect(refusal(new Uint8Array()).code).toBe('FILE_EMPTY');
  });

  it.each([
    ['random bytes', new Uint8Array(randomBytes(4096)).map((b, i) => (i === 0 ? 0x00 : b))],
    ['an HTML page renamed .xlsx', strToU8('<html><head><meta charset="utf-8"></head><body><table><tr><td>1</td></tr></table></body></html>')],
    ['a JSON text', strToU8('{"formId":"cchc-periodic","values":{}}')],
    ['an executable', strToU8('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00')],
  ])('refuses %s as not .xlsx, in Vietnamese', (_, bytes) => {
    const f = refusal(bytes);
    expect(f.code).toBe('FILE_NOT_XLSX');
    expect(f.message).toBe('Tệp không phải bảng tính Excel .xlsx. Vui lòng tải mẫu từ đường dẫn của đơn vị, điền và lưu dưới dạng .xlsx.');
  });

  it('says to remove the password of an encrypted (CFB) file', () => {
    const cfb = new Uint8Array(1024);
    cfb.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    const f = refusal(cfb);
    expect(f.code).toBe('FILE_NOT_XLSX');
    expect(f.message).toContain('mật khẩu');
    expect(f.message).toContain('.xls');
  });

  it('refuses a zip that is not a workbook, and a truncated one', async () => {
    expect(refusal(zipSync({ 'word/document.xml': strToU8('<w:document/>'), '[Content_Types].xml': strToU8('<Types/>') })).code).toBe('FILE_NOT_XLSX');
    const full = await templateOf(STP_Q1);
    for (const n of [10, 100, Math.floor(full.length / 2), full.length - 10]) {
      expect(refusal(full.subarray(0, n)).code).toBe('FILE_UNREADABLE');
    }
  });
});

describe('inspectXlsx: ZIP bombs', () => {
  // One 200 MiB bomb for both tests (deflating it takes about a second); the lying copy claims 1 KiB.
  const bomb = zipBomb(200);
  const lyingBomb = bomb.slice();
  rewriteSizes(lyingBomb, 'xl/worksheets/sheet1.xml', 1024);

  it('refuses a 200 MiB entry of zeros by its declared size, without inflating it', () => {
    expect(bomb.length).toBeLessThan(1 * MIB);
    const t0 = performance.now();
    const f = refusal(bomb);
    expect(performance.now() - t0).toBeLessThan(200);
    expect(f.code).toBe('ZIP_LIMITS');
    expect(f.message).toContain('giải nén');
  });

  it('stops inflating a bomb whose headers lie about its size, with bounded memory', () => {
    // Prepare
    const before = process.memoryUsage();
    const t0 = performance.now();
    // Act
    const f = refusal(lyingBomb);
    // Assess: the ratio cap stops it at 200 × the compressed size (≈ 40 MiB), long before 200 MiB.
    const grew = process.memoryUsage().arrayBuffers - before.arrayBuffers;
    expect(f.code).toBe('ZIP_LIMITS');
    expect(f.message).toContain('tỷ lệ nén');
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(grew).toBeLessThan(120 * MIB);
  });

  it('stops at the per-entry and total budgets counted on the actual output', () => {
    const noRatio = { ...DEFAULT_LIMITS, maxRatio: Number.POSITIVE_INFINITY };
    const lying = zipBomb(8, true);
    expect(refusal(lying, { ...noRatio, maxEntryBytes: 4 * MIB }).code).toBe('ZIP_LIMITS');
    expect(refusal(lying, { ...noRatio, maxTotalBytes: 6 * MIB }).code).toBe('ZIP_LIMITS');
    expect(inspectXlsx(lying, { ...noRatio, maxEntryBytes: 9 * MIB }).ok).toBe(true);
  });

  it('refuses 5000 entries before inflating any', () => {
    const parts: Record<string, Uint8Array> = minimalParts();
    for (let i = 0; i < 5000; i++) parts[`xl/media/image${i}.png`] = new Uint8Array([i & 0xff]);
    const f = refusal(zipSync(parts, { level: 0 }));
    expect(f.code).toBe('ZIP_LIMITS');
    expect(f.message).toContain('5.002 thành phần, tối đa 2.000');
  });
});

describe('inspectXlsx: dangerous content', () => {
  const sheet = sheetPart(STP_Q1, SHEETS.data);

  it.each([
    ['a billion-laughs DTD', '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'],
    ['an external entity', '<?xml version="1.0"?><!doctype foo [<!entity xxe SYSTEM "file:///etc/passwd">]>'],
    ['a lone ENTITY', '<?xml version="1.0"?><!ENTITY x "y">'],
  ])('refuses %s in a worksheet: XML_DTD', async (_, prolog) => {
    const bytes = patchZip(await templateOf(STP_Q1), (_, text) => {
      text.set(sheet, text.get(sheet).replace(/^<\?xml[^>]*\?>/, prolog));
    });
    const f = refusal(bytes);
    expect(f.code).toBe('XML_DTD');
    expect(f.message).toContain(sheet);
    const read = await readWorkbook(bytes, { key: KEY });
    expect(read.submission).toBeNull();
    expect(read.findings.map((x) => x.code)).toEqual(['XML_DTD']);
  });

  it('finds a DTD in a UTF-16 part, and none in ordinary XML', () => {
    const utf16 = Buffer.from('\uFEFF<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x><a/>', 'utf16le');
    expect(hasDtd(utf16)).toBe(true);
    expect(hasDtd(strToU8('<?xml version="1.0"?><a><![CDATA[x]]><!-- DOCTYPE --></a>'))).toBe(false);
  });

  it('refuses a macro-enabled workbook: vbaProject.bin or the macro content type', async () => {
    const base = await templateOf(STP_Q1);
    const withVba = patchZip(base, (parts) => {
      parts['xl/vbaProject.bin'] = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0]);
    });
    const f = refusal(withVba);
    expect(f.code).toBe('MACRO');
    expect(f.message).toBe('Tệp có chứa macro. Hãy lưu lại dưới dạng Sổ làm việc Excel (.xlsx) không có macro rồi tải lên.');
    const xlsm = patchZip(base, (_, text) => {
      text.set(
        '[Content_Types].xml',
        text
          .get('[Content_Types].xml')
          .replace('spreadsheetml.sheet.main+xml', '')
          .replace('</Types>', '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'),
      );
    });
    expect(refusal(xlsm).code).toBe('MACRO');
  });

  it('refuses external links and embedded objects', async () => {
    const base = await templateOf(STP_Q1);
    const linked = patchZip(base, (parts) => {
      parts['xl/externalLinks/externalLink1.xml'] = strToU8('<externalLink/>');
    });
    expect(refusal(linked).code).toBe('EXTERNAL_LINK');
    const ole = patchZip(base, (parts) => {
      parts['xl/embeddings/oleObject1.bin'] = new Uint8Array(16);
    });
    expect(refusal(ole).code).toBe('OLE_OBJECT');
  });

  it('passes an ordinary template and returns its parts', async () => {
    const r = inspectXlsx(await templateOf(STP_Q1));
    expect(r.ok).toBe(true);
    if (r.ok) expect([...r.entries.keys()]).toContain('xl/workbook.xml');
  });
});

describe('readWorkbook: hostile content past the pre-check', () => {
  const sheet = sheetPart(STP_Q1, SHEETS.data);

  it('reads a sheet whose validation, merge and defined name span the whole grid (nothing is expanded from a range)', async () => {
    const bytes = patchZip(await templateOf(STP_Q1, { values: { 'TC.01': 4 } }), (_, text) => {
      text.set(
        sheet,
        text
          .get(sheet)
          .replace(/<dataValidations count="\d+">/, '$&<dataValidation type="whole" sqref="A1:XFD1048576"><formula1>0</formula1></dataValidation>')
          .replace(/<mergeCells count="\d+">/, '$&<mergeCell ref="F1:Z1048576"/>'),
      );
      text.set(
        'xl/workbook.xml',
        text.get('xl/workbook.xml').replace('<definedNames>', `<definedNames><definedName name="x">'Số liệu'!$A$1:$XFD$1048576</definedName>`),
      );
    });
    const result = await readWorkbook(bytes, { key: KEY });
    expect(result.findings).toEqual([]);
    expect(result.submission!.values['TC.01']).toBe(4);
  });

  it('refuses a sheet of 100,000 rows: SHEET_TOO_LARGE', async () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => `<row r="${i + 100}"><c r="A${i + 100}"><v>1</v></c></row>`).join('');
    const bytes = patchZip(await templateOf(STP_Q1), (_, text) => {
      text.set(sheet, text.get(sheet).replace('</sheetData>', `${rows}</sheetData>`));
    });
    const result = await readWorkbook(bytes, { key: KEY });
    expect(result.submission).toBeNull();
    expect(result.findings.map((f) => f.code)).toEqual(['SHEET_TOO_LARGE']);
  });

  it('never throws on damaged content: each case ends in Vietnamese findings or a readable submission', async () => {
    const base = await templateOf(STP_Q1);
    const damaged: Uint8Array[] = [
      patchZip(base, (_, t) => t.set(sheet, t.get(sheet).replace('<sheetData>', '<sheetData><row r="x"><c r="??"><v>1'))),
      patchZip(base, (_, t) => t.set(sheet, '<worksheet><sheetData><row><c r="D9" t="s"><v>999999</v></c></row></sheetData></worksheet>')),
      patchZip(base, (_, t) => t.set(sheet, 'not xml at all')),
      patchZip(base, (_, t) => t.set('xl/sharedStrings.xml', '<sst><si><t>unterminated')),
      patchZip(base, (_, t) => t.set('xl/styles.xml', '<styleSheet><cellXfs><xf numFmtId="99999999999"/></cellXfs></styleSheet>')),
      patchZip(base, (_, t) => t.set('xl/workbook.xml', '<workbook><sheets><sheet name="_meta" sheetId="1" r:id="rId404"/></sheets></workbook>')),
      patchZip(base, (parts) => delete parts['xl/_rels/workbook.xml.rels']),
      patchZip(base, (parts) => delete parts['xl/sharedStrings.xml']),
    ];
    for (const [i, bytes] of damaged.entries()) {
      const result = await readWorkbook(bytes, { key: KEY });
      expect(result.submission !== null || result.findings.length > 0, `case ${i}`).toBe(true);
      expect(
        result.findings.every((f) => f.severity === 'error' && /[ạảãàáâăđêôơư]/.test(f.message)),
        `case ${i}`,
      ).toBe(true);
    }
  });
});

import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { checkUpload } from '../../shared/application/check-upload.js';
import { KEY, patchZip, sampleFill, sheetPart, SHEETS, slotOf, templateOf } from '../fixtures/xlsx-fixtures.js';

/** An OLE compound file (512-byte sectors) whose directory holds the given entries after the root. */
function cfb(names: string[]): Uint8Array {
  const b = new Uint8Array(512 * 3);
  b.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
  b[30] = 9; // sector shift: 512 bytes
  ['Root Entry', ...names].forEach((name, i) => {
    const p = 512 + i * 128;
    for (let k = 0; k < name.length; k++) b[p + k * 2] = name.charCodeAt(k);
    const len = (name.length + 1) * 2;
    b[p + 64] = len & 0xff;
    b[p + 65] = len >> 8;
    b[p + 66] = i === 0 ? 5 : 2;
  });
  return b;
}

const STP_Q1 = slotOf('STP', '2021-Q1');
const SLOT = { unitCode: 'STP', periodId: '2021-Q1', kind: 'periodic' as const };
const RECEIVED = new Date('2021-03-12T02:00:00Z');
const check = (bytes: Uint8Array) => checkUpload(bytes, SLOT, RECEIVED, { templateKey: KEY });

describe('checkUpload: other spreadsheet formats get their own message', () => {
  it('a password-protected workbook (EncryptionInfo/EncryptedPackage in an OLE container)', async () => {
    const r = await check(cfb(['\u0006DataSpaces', 'EncryptionInfo', 'EncryptedPackage']));
    expect(r.status).toBe('invalid');
    expect(r.findings.map((f) => f.code)).toEqual(['FILE_PASSWORD']);
    expect(r.findings[0]!.message).toContain('mật khẩu');
    expect(r.findings[0]!.message).toContain('xóa mật khẩu');
  });

  it('a legacy .xls (Workbook or Book stream)', async () => {
    for (const stream of ['Workbook', 'Book']) {
      const r = await check(cfb([stream, '\u0005SummaryInformation']));
      expect(r.findings.map((f) => f.code)).toEqual(['FILE_XLS']);
      expect(r.findings[0]!.message).toContain('.xls');
      expect(r.findings[0]!.message).toContain('(.xlsx)');
    }
  });

  it('an OLE container of neither kind keeps the general message', async () => {
    const r = await check(cfb(['WordDocument']));
    expect(r.findings.map((f) => f.code)).toEqual(['FILE_NOT_XLSX']);
  });

  it('an OpenDocument spreadsheet (.ods)', async () => {
    const ods = zipSync({
      mimetype: [strToU8('application/vnd.oasis.opendocument.spreadsheet'), { level: 0 }],
      'content.xml': strToU8('<office:document-content/>'),
    });
    const r = await check(ods);
    expect(r.findings.map((f) => f.code)).toEqual(['FILE_ODS']);
    expect(r.findings[0]!.message).toContain('.ods');
    expect(r.findings[0]!.message).toContain('.xlsx');
  });

  it('an Excel binary workbook (.xlsb)', async () => {
    const xlsb = zipSync({ '[Content_Types].xml': strToU8('<Types/>'), 'xl/workbook.bin': new Uint8Array([0x83, 0x01, 0x00]) });
    const r = await check(xlsb);
    expect(r.findings.map((f) => f.code)).toEqual(['FILE_XLSB']);
    expect(r.findings[0]!.message).toContain('.xlsb');
  });
});

describe('checkUpload: values the old reader got wrong', () => {
  const data = sheetPart(STP_Q1, SHEETS.data);
  const cellOf = (code: string): string => STP_Q1.layout.indicators[code]!.cell;

  it('a formula whose cached result is 0 reads as 0', async () => {
    const fill = sampleFill(STP_Q1);
    const bytes = patchZip(await templateOf(STP_Q1, { ...fill, values: { ...fill.values, 'TC.01': 0 } }), (_, text) => {
      const xml = text.get(data);
      const at = xml.indexOf(`<c r="${cellOf('TC.01')}"`);
      const end = xml.indexOf('</c>', at);
      const cell = xml.slice(at, end);
      expect(cell).toContain('<v>0</v>');
      text.set(data, xml.slice(0, at) + cell.replace('<v>0</v>', `<f>${cellOf('TC.02')}*0</f><v>0</v>`) + xml.slice(end));
    });
    const r = await check(bytes);
    expect(r.findings.filter((f) => f.code === 'FORMULA_NO_CACHE')).toEqual([]);
    expect(r.submission!.values['TC.01']).toBe(0);
  });

  it.each(['true', ' true ', '1', '\n1\t'])('date1904="%s" (LibreOffice writes "true") gives the right dates', async (flag) => {
    const plan = slotOf('STP', '2021-PLAN');
    const bytes = await templateOf(plan, { signature: { issueDate: '2021-01-04' } });
    const serial = Date.parse('2021-01-04T00:00:00Z') / 86_400_000 + 25_569;
    const sign = sheetPart(plan, SHEETS.sign);
    const patched = patchZip(bytes, (_, text) => {
      text.set('xl/workbook.xml', text.get('xl/workbook.xml').replace('<workbookPr ', `<workbookPr date1904="${flag}" `));
      expect(text.get(sign)).toContain(`<v>${serial}</v>`);
      text.set(sign, text.get(sign).replace(`<v>${serial}</v>`, `<v>${serial - 1462}</v>`));
    });
    const r = await checkUpload(patched, { unitCode: 'STP', periodId: '2021-PLAN', kind: 'plan' }, new Date('2021-01-05T02:00:00Z'), { templateKey: KEY });
    expect(r.submission!.signature.issueDate).toBe('2021-01-04');
  });

  it.each(['false', ' 0 '])('date1904="%s" keeps the 1900 system', async (flag) => {
    const plan = slotOf('STP', '2021-PLAN');
    const bytes = patchZip(await templateOf(plan, { signature: { issueDate: '2021-01-04' } }), (_, text) => {
      text.set('xl/workbook.xml', text.get('xl/workbook.xml').replace('<workbookPr ', `<workbookPr date1904="${flag}" `));
    });
    const r = await checkUpload(bytes, { unitCode: 'STP', periodId: '2021-PLAN', kind: 'plan' }, new Date('2021-01-05T02:00:00Z'), { templateKey: KEY });
    expect(r.submission!.signature.issueDate).toBe('2021-01-04');
  });
});

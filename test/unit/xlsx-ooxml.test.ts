import { strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { OoxmlFormatError, OoxmlWorkbook, isDateFormatCode, serialToIso, unescapeXstring } from '../../shared/documents/xlsx/ooxml.js';
import { readWorkbook } from '../../shared/documents/xlsx/workbook-reader.js';
import { validFill } from '../fixtures/hostile-corpus.js';
import { KEY, SHEETS, patchZip, sheetPart, slotOf, templateOf } from '../fixtures/xlsx-fixtures.js';

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

/** A one-sheet workbook's parts, as the bounded reader sees them after the archive check. */
function book(sheetXml: string, opts: { workbookPr?: string; shared?: string; styles?: string; prefix?: string } = {}): OoxmlWorkbook {
  const parts = new Map<string, Uint8Array>();
  parts.set('xl/workbook.xml', strToU8(`<workbook ${NS}>${opts.workbookPr ?? ''}<sheets><sheet name="Số liệu" sheetId="1" r:id="rId1"/></sheets></workbook>`));
  parts.set(
    'xl/_rels/workbook.xml.rels',
    strToU8(
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="x" Target="worksheets/sheet1.xml"/></Relationships>',
    ),
  );
  parts.set('xl/worksheets/sheet1.xml', strToU8(sheetXml));
  if (opts.shared) parts.set('xl/sharedStrings.xml', strToU8(`<sst ${NS}>${opts.shared}</sst>`));
  if (opts.styles) parts.set('xl/styles.xml', strToU8(`<styleSheet ${NS}>${opts.styles}</styleSheet>`));
  return new OoxmlWorkbook(parts);
}

const sheet = (rows: string): string => `<worksheet ${NS}><sheetData>${rows}</sheetData></worksheet>`;
const DATE_STYLES =
  '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs>';

describe('OoxmlWorkbook: cell values as Excel saved them', () => {
  it('reads a formula by its cached value, including a cached 0 (exceljs dropped it)', () => {
    const cells = book(
      sheet('<row r="1"><c r="A1"><f>B1-B1</f><v>0</v></c><c r="B1"><f>1+1</f><v>2</v></c><c r="C1" t="str"><f>"x"</f><v>chữ</v></c></row>'),
    ).sheet('Số liệu')!;
    expect(cells.get('A1')).toEqual({ t: 'number', v: 0 });
    expect(cells.get('B1')).toEqual({ t: 'number', v: 2 });
    expect(cells.get('C1')).toEqual({ t: 'string', v: 'chữ' });
  });

  it('marks a formula without a cached value, never 0 or blank', () => {
    const cells = book(sheet('<row r="1"><c r="A1"><f>B1*2</f></c><c r="B1" t="str"><f>"x"</f></c><c r="C1"><f>1</f><v></v></c></row>')).sheet('Số liệu')!;
    expect(cells.get('A1')).toEqual({ t: 'noCache' });
    expect(cells.get('B1')).toEqual({ t: 'noCache' });
    expect(cells.get('C1')).toEqual({ t: 'noCache' });
  });

  it('reads every cell type: shared, inline, str, boolean, error, ISO date, number', () => {
    const cells = book(
      sheet(
        '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="inlineStr"><is><t>nội tuyến</t></is></c><c r="C2" t="b"><v>1</v></c>' +
          '<c r="D2" t="e"><v>#DIV/0!</v></c><c r="E2" t="d"><v>2021-03-15T00:00:00</v></c><c r="F2"><v>12.5</v></c><c r="G2" t="b"><v>false</v></c></row>',
      ),
      { shared: '<si><t>không</t></si><si><t>một</t></si>' },
    ).sheet('Số liệu')!;
    expect(cells.get('A2')).toEqual({ t: 'string', v: 'một' });
    expect(cells.get('B2')).toEqual({ t: 'string', v: 'nội tuyến' });
    expect(cells.get('C2')).toEqual({ t: 'boolean', v: true });
    expect(cells.get('D2')).toEqual({ t: 'error', v: '#DIV/0!' });
    expect(cells.get('E2')).toEqual({ t: 'date', v: '2021-03-15' });
    expect(cells.get('F2')).toEqual({ t: 'number', v: 12.5 });
    expect(cells.get('G2')).toEqual({ t: 'boolean', v: false });
  });

  it('joins rich-text runs, skips phonetic runs, decodes _xHHHH_ escapes, and stores NFC', () => {
    const cells = book(sheet('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>A_x0042__x005F_x0043_</t></is></c></row>'), {
      shared: '<si><r><rPr><b/></rPr><t>Phần </t></r><r><t xml:space="preserve">đậm</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si>',
    }).sheet('Số liệu')!;
    expect(cells.get('A1')).toEqual({ t: 'string', v: 'Phần đậm' });
    expect(cells.get('B1')).toEqual({ t: 'string', v: 'AB_x0043_' });
    const nfd = book(sheet(`<row r="1"><c r="A1" t="inlineStr"><is><t>${'Việt'.normalize('NFD')}</t></is></c></row>`)).sheet('Số liệu')!;
    expect((nfd.get('A1') as { v: string }).v).toBe('Việt'.normalize('NFC'));
  });

  it('places cells that omit their address after the previous one, and rows that omit theirs after the previous row', () => {
    const cells = book(sheet('<row r="4"><c><v>1</v></c><c r="C4"><v>3</v></c><c><v>4</v></c></row><row><c><v>5</v></c></row>')).sheet('Số liệu')!;
    expect([...cells.keys()]).toEqual(['A4', 'C4', 'D4', 'A5']);
  });

  it('reads parts whose elements carry a namespace prefix (x:c), as some tools write them', () => {
    const xml =
      '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>7</x:v></x:c></x:row></x:sheetData></x:worksheet>';
    expect(book(xml).sheet('Số liệu')!.get('A1')).toEqual({ t: 'number', v: 7 });
  });

  it('tells dates from numbers by the cell format: built-in ids and custom codes', () => {
    const cells = book(sheet('<row r="1"><c r="A1" s="1"><v>44270</v></c><c r="B1" s="2"><v>44270</v></c><c r="C1" s="0"><v>44270</v></c></row>'), {
      styles: DATE_STYLES,
    }).sheet('Số liệu')!;
    expect(cells.get('A1')).toEqual({ t: 'date', v: '2021-03-15' });
    expect(cells.get('B1')).toEqual({ t: 'date', v: '2021-03-15' });
    expect(cells.get('C1')).toEqual({ t: 'number', v: 44270 });
    expect(['dd/mm/yyyy', 'd-mmm-yy', '[$-42A]dd/mm/yyyy', 'h:mm', '[h]:mm:ss'].every(isDateFormatCode)).toBe(true);
    expect(['General', '0.00', '#,##0', '"ngày"0', '0%', '@', '[Red]0.00', '#,##0 "đồng"'].some(isDateFormatCode)).toBe(false);
  });

  it('reads the 1904 date system in every spelling xsd:boolean allows', () => {
    for (const spelling of ['1', 'true', ' true ']) {
      const cells = book(sheet('<row r="1"><c r="A1" s="1"><v>42808</v></c></row>'), {
        workbookPr: `<workbookPr date1904="${spelling}"/>`,
        styles: DATE_STYLES,
      }).sheet('Số liệu')!;
      expect(cells.get('A1'), spelling).toEqual({ t: 'date', v: '2021-03-15' });
    }
    for (const spelling of ['0', 'false']) {
      const cells = book(sheet('<row r="1"><c r="A1" s="1"><v>44270</v></c></row>'), {
        workbookPr: `<workbookPr date1904="${spelling}"/>`,
        styles: DATE_STYLES,
      }).sheet('Số liệu')!;
      expect(cells.get('A1'), spelling).toEqual({ t: 'date', v: '2021-03-15' });
    }
    expect(serialToIso(1, false)).toBe('1900-01-01');
    expect(serialToIso(61, false)).toBe('1900-03-01');
    expect(serialToIso(0, true)).toBe('1904-01-01');
  });

  it('refuses a cell that appears twice and a reference outside the grid', () => {
    expect(() => book(sheet('<row r="1"><c r="A1"><v>1</v></c></row><row r="1"><c r="A1"><v>2</v></c></row>')).sheet('Số liệu')).toThrow(OoxmlFormatError);
    expect(() => book(sheet('<row r="1"><c r="XFE1"><v>1</v></c></row>')).sheet('Số liệu')).toThrow(OoxmlFormatError);
    expect(unescapeXstring('_x000D_')).toBe('\r');
  });
});

describe('readWorkbook on real templates: values Excel and LibreOffice write', () => {
  const slot = slotOf('STP', '2021-Q1');

  it('reads an indicator whose formula computes 0 as 0, without FORMULA_NO_CACHE', async () => {
    const code = Object.keys(slot.layout.indicators)[3]!;
    const cell = slot.layout.indicators[code]!.cell;
    const bytes = patchZip(await templateOf(slot, validFill(slot)), (_, t) => {
      const part = sheetPart(slot, SHEETS.data);
      t.set(part, t.get(part).replace(new RegExp(`<c r="${cell}"[^>]*?(/>|>[\\s\\S]*?</c>)`), `<c r="${cell}"><f>0*1</f><v>0</v></c>`));
    });
    const result = await readWorkbook(bytes, { key: KEY });
    expect(result.findings).toEqual([]);
    expect(result.submission!.values[code]).toBe(0);
  });

  it('reads a workbook LibreOffice saved with date1904="true" four years right', async () => {
    const plan = slotOf('STP', '2021-PLAN');
    const bytes = patchZip(await templateOf(plan, { signature: { issueDate: '2021-01-04' } }), (_, t) => {
      t.set('xl/workbook.xml', t.get('xl/workbook.xml').replace(/<workbookPr\b/, '<workbookPr date1904="true"'));
      const part = sheetPart(plan, SHEETS.sign);
      const serial1900 = Date.parse('2021-01-04T00:00:00Z') / 86_400_000 + 25_569;
      t.set(part, t.get(part).replace(`<v>${serial1900}</v>`, `<v>${serial1900 - 1462}</v>`));
    });
    const result = await readWorkbook(bytes, { key: KEY });
    expect(result.submission!.signature.issueDate).toBe('2021-01-04');
  });
});

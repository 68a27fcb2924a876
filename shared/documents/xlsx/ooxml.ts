import { SaxesParser, type SaxesTagPlain } from 'saxes';

/**
 * A reader of the few SpreadsheetML parts the product needs, made for untrusted uploads: the
 * workbook (sheets, `date1904`), the shared strings, the cell formats (to tell dates from numbers)
 * and each sheet's cells. It streams every part through saxes and keeps only cell values, so time and
 * memory grow with the bytes of the file and never with a range the file names: merges, data
 * validations, conditional formats, shared-formula ranges, dimensions and the like are never
 * expanded (they are skipped as unknown elements).
 *
 * Why saxes: a maintained, dependency-light (xmlchars only), spec-conformant streaming parser that
 * refuses malformed XML and resolves only the predefined entities; exceljs already relied on it, so
 * its behaviour on Excel's output is proven. DTDs never reach it (safe-zip refuses them first).
 */

/** What one cell holds, formulas by their cached result; text NFC, not trimmed. */
export type CellValue =
  | { t: 'empty' }
  | { t: 'number'; v: number }
  | { t: 'string'; v: string; truncated?: true }
  | { t: 'boolean'; v: boolean }
  | { t: 'date'; v: string }
  | { t: 'noCache' }
  | { t: 'error'; v: string };

export const EMPTY_CELL: CellValue = Object.freeze({ t: 'empty' });

/** Bounds, far above any template (the largest has about 210 rows and a few thousand characters). */
export const OOXML_LIMITS = Object.freeze({
  maxRowsPerSheet: 10_000,
  maxCells: 200_000,
  maxSharedStrings: 200_000,
  /** Excel itself allows 64,000 cell formats. */
  maxStyles: 65_000,
  maxSheets: 255,
  /** Excel's own limit of characters in one cell; longer text is cut and marked `truncated`. */
  maxCellChars: 32_767,
  /** Characters of text kept for the whole workbook (cells and shared strings together). */
  maxTextChars: 4_000_000,
});

/** The file breaks a bound: a clean refusal, never a partial read. */
export class OoxmlLimitError extends Error {
  override name = 'OoxmlLimitError';
  constructor(
    readonly limit: 'rows' | 'cells' | 'sharedStrings' | 'styles' | 'sheets' | 'text',
    readonly count: number,
  ) {
    super(`${limit} limit exceeded (${count})`);
  }
}

/** The XML is not a workbook we can read (malformed XML, missing parts, a cell without a place). */
export class OoxmlFormatError extends Error {
  override name = 'OoxmlFormatError';
}

export interface SheetInfo {
  /** NFC name as shown on the tab. */
  name: string;
  /** Archive entry name of the worksheet part, or null when it cannot be found. */
  part: string | null;
}

const MAX_COL = 16_384;
const MAX_ROW = 1_048_576;
const DAY_MS = 86_400_000;
/** Text passed to the parser at a time: decoding stays streaming, no whole-part string is built. */
const CHUNK = 64 * 1024;

function local(name: string): string {
  const i = name.indexOf(':');
  return i === -1 ? name : name.slice(i + 1);
}

/** The value of the attribute whose local name is `name` (any prefix). */
function attr(tag: SaxesTagPlain, name: string): string | undefined {
  const a = tag.attributes;
  if (name in a) return a[name];
  for (const k of Object.keys(a)) if (local(k) === name) return a[k];
  return undefined;
}

/** `xsd:boolean`: true, false, 1, 0, with surrounding whitespace. */
export function xsdBoolean(v: string | undefined): boolean | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return null;
}

/** Decodes ST_Xstring escapes: `_x000D_` is a carriage return, `_x005F_` an underscore. */
export function unescapeXstring(s: string): string {
  if (s.indexOf('_x') === -1) return s;
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** `B12` → [column 2, row 12]; null when it is not a cell address inside Excel's grid. */
export function parseCellRef(ref: string): [number, number] | null {
  const m = /^\$?([A-Za-z]{1,3})\$?(\d{1,7})$/.exec(ref.trim());
  if (!m) return null;
  let col = 0;
  for (const ch of m[1]!.toUpperCase()) col = col * 26 + (ch.charCodeAt(0) - 64);
  const row = Number(m[2]);
  if (col < 1 || col > MAX_COL || row < 1 || row > MAX_ROW) return null;
  return [col, row];
}

export function columnName(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** Streams one part's bytes (UTF-8 or UTF-16 with a byte-order mark) through a fresh saxes parser. */
function parsePart(bytes: Uint8Array, handlers: (p: SaxesParser) => void): void {
  const le = bytes[0] === 0xff && bytes[1] === 0xfe;
  const be = bytes[0] === 0xfe && bytes[1] === 0xff;
  const decoder = new TextDecoder(le ? 'utf-16le' : be ? 'utf-16be' : 'utf-8', { fatal: false });
  const parser = new SaxesParser({ position: false });
  let failure: Error | null = null;
  parser.on('error', (err) => {
    failure ??= err;
  });
  handlers(parser);
  for (let i = 0; i < bytes.length && failure === null; i += CHUNK) {
    parser.write(decoder.decode(bytes.subarray(i, Math.min(i + CHUNK, bytes.length)), { stream: true }));
  }
  if (failure === null) parser.write(decoder.decode()).close();
  if (failure !== null) throw new OoxmlFormatError(`malformed XML: ${(failure as Error).message}`);
}

/** Number formats Excel shows as dates: built-in ids, and custom codes with date or time tokens. */
const BUILTIN_DATE_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

export function isDateFormatCode(code: string): boolean {
  const stripped = code
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/[_*]./g, '')
    .replace(/\[(?!h+\]|m+\]|s+\])[^\]]*\]/gi, '')
    .split(';')[0]!;
  if (/^\s*general\s*$/i.test(stripped) || stripped.includes('@')) return false;
  return /[dmyhs]/i.test(stripped.replace(/general/gi, ''));
}

/** The workbook's text budget: shared strings and inline text together. */
class TextBudget {
  private used = 0;
  take(s: string): void {
    this.used += s.length;
    if (this.used > OOXML_LIMITS.maxTextChars) throw new OoxmlLimitError('text', this.used);
  }
}

/** Collects the text of one element (several runs), keeping at most `maxCellChars` characters. */
class TextSink {
  private parts: string[] = [];
  private length = 0;
  truncated = false;
  add(s: string): void {
    const room = OOXML_LIMITS.maxCellChars - this.length;
    if (room <= 0) {
      if (s.length > 0) this.truncated = true;
      return;
    }
    const piece = s.length > room ? s.slice(0, room) : s;
    if (piece.length < s.length) this.truncated = true;
    this.parts.push(piece);
    this.length += piece.length;
  }
  value(): string {
    return this.parts.join('');
  }
}

interface SharedString {
  v: string;
  truncated: boolean;
}

/**
 * A workbook opened for reading. Parts are parsed when first needed (the identity sheet first, then
 * only the sheets the template's layout names), each once.
 */
export class OoxmlWorkbook {
  readonly date1904: boolean;
  readonly sheets: SheetInfo[];
  private readonly parts = new Map<string, Uint8Array>();
  private readonly budget = new TextBudget();
  private shared: SharedString[] | null = null;
  private dateStyles: boolean[] | null = null;
  private readonly parsed = new Map<string, Map<string, CellValue>>();
  private cellCount = 0;

  constructor(entries: Map<string, Uint8Array>) {
    for (const [name, data] of entries) this.parts.set(name.toLowerCase().replace(/\\/g, '/').replace(/^\/+/, ''), data);
    const wb = this.part('xl/workbook.xml');
    if (!wb) throw new OoxmlFormatError('xl/workbook.xml missing');
    const rels = this.relationships('xl/_rels/workbook.xml.rels', 'xl/');
    let date1904 = false;
    const sheets: SheetInfo[] = [];
    parsePart(wb, (p) => {
      p.on('opentag', (tag) => {
        const n = local(tag.name);
        if (n === 'workbookPr') date1904 = xsdBoolean(attr(tag, 'date1904')) ?? false;
        else if (n === 'sheet') {
          if (sheets.length >= OOXML_LIMITS.maxSheets) throw new OoxmlLimitError('sheets', sheets.length + 1);
          const id = attr(tag, 'id');
          sheets.push({ name: unescapeXstring(attr(tag, 'name') ?? '').normalize('NFC'), part: id === undefined ? null : (rels.get(id) ?? null) });
        }
      });
    });
    this.date1904 = date1904;
    this.sheets = sheets;
  }

  private part(name: string): Uint8Array | undefined {
    return this.parts.get(name.toLowerCase());
  }

  /** Relationship id → archive entry name of the target, resolved against `base`. */
  private relationships(relsPart: string, base: string): Map<string, string> {
    const out = new Map<string, string>();
    const data = this.part(relsPart);
    if (!data) return out;
    parsePart(data, (p) => {
      p.on('opentag', (tag) => {
        if (local(tag.name) !== 'Relationship') return;
        const id = attr(tag, 'Id');
        const target = attr(tag, 'Target');
        if (id === undefined || target === undefined || attr(tag, 'TargetMode') === 'External') return;
        out.set(id, resolvePartName(base, target));
      });
    });
    return out;
  }

  private sharedStrings(): SharedString[] {
    if (this.shared) return this.shared;
    const list: SharedString[] = [];
    const data = this.part('xl/sharedStrings.xml');
    if (data) {
      let sink: TextSink | null = null;
      let inT = false;
      let phonetic = 0;
      parsePart(data, (p) => {
        p.on('opentag', (tag) => {
          const n = local(tag.name);
          if (n === 'si') {
            if (list.length >= OOXML_LIMITS.maxSharedStrings) throw new OoxmlLimitError('sharedStrings', list.length + 1);
            sink = new TextSink();
          } else if (n === 'rPh') phonetic++;
          else if (n === 't' && sink && phonetic === 0 && !tag.isSelfClosing) inT = true;
        });
        const text = (s: string): void => {
          if (inT && sink) sink.add(s);
        };
        p.on('text', text);
        p.on('cdata', text);
        p.on('closetag', (tag) => {
          const n = local(tag.name);
          if (n === 't') inT = false;
          else if (n === 'rPh') phonetic--;
          else if (n === 'si' && sink) {
            const v = unescapeXstring(sink.value()).normalize('NFC');
            this.budget.take(v);
            list.push({ v, truncated: sink.truncated });
            sink = null;
          }
        });
      });
    }
    this.shared = list;
    return list;
  }

  /** Per cell-format index (`s`), whether its number format shows a date. */
  private styles(): boolean[] {
    if (this.dateStyles) return this.dateStyles;
    const custom = new Map<number, string>();
    const xfs: number[] = [];
    const data = this.part('xl/styles.xml');
    if (data) {
      let inCellXfs = false;
      parsePart(data, (p) => {
        p.on('opentag', (tag) => {
          const n = local(tag.name);
          if (n === 'numFmt') {
            const id = Number(attr(tag, 'numFmtId'));
            if (Number.isInteger(id)) {
              if (custom.size >= OOXML_LIMITS.maxStyles) throw new OoxmlLimitError('styles', custom.size + 1);
              custom.set(id, unescapeXstring(attr(tag, 'formatCode') ?? ''));
            }
          } else if (n === 'cellXfs') inCellXfs = !tag.isSelfClosing;
          else if (n === 'xf' && inCellXfs) {
            if (xfs.length >= OOXML_LIMITS.maxStyles) throw new OoxmlLimitError('styles', xfs.length + 1);
            const id = Number(attr(tag, 'numFmtId') ?? 0);
            xfs.push(Number.isInteger(id) ? id : 0);
          }
        });
        p.on('closetag', (tag) => {
          if (local(tag.name) === 'cellXfs') inCellXfs = false;
        });
      });
    }
    this.dateStyles = xfs.map((id) => (custom.has(id) ? isDateFormatCode(custom.get(id)!) : BUILTIN_DATE_IDS.has(id)));
    return this.dateStyles;
  }

  /** The cells of the first sheet named `name` (NFC), keyed by address (`B12`); null when there is no such sheet. */
  sheet(name: string): Map<string, CellValue> | null {
    const wanted = name.normalize('NFC');
    const info = this.sheets.find((s) => s.name === wanted);
    if (!info) return null;
    if (info.part === null) throw new OoxmlFormatError(`sheet "${wanted}" has no part`);
    const cached = this.parsed.get(info.part);
    if (cached) return cached;
    const data = this.part(info.part);
    if (!data) throw new OoxmlFormatError(`sheet part ${info.part} missing`);
    const cells = this.readSheet(data);
    this.parsed.set(info.part, cells);
    return cells;
  }

  private readSheet(data: Uint8Array): Map<string, CellValue> {
    const cells = new Map<string, CellValue>();
    const seen = new Set<string>();
    let sheetData = 0;
    let inRow = false;
    let row = 0;
    let col = 0;
    let rows = 0;
    let cell: { address: string; t: string; s: number; hasF: boolean; v: TextSink | null; is: TextSink | null } | null = null;
    let capture: 'v' | 'is' | null = null;
    let inIs = false;
    let phonetic = 0;
    const finishCell = (): void => {
      if (cell === null) return;
      const c = cell;
      cell = null;
      capture = null;
      inIs = false;
      phonetic = 0;
      // Every cell element counts, empty or not, and an address may appear once: two readers of a
      // file with a repeated cell could disagree on its value.
      this.cellCount++;
      if (this.cellCount > OOXML_LIMITS.maxCells) throw new OoxmlLimitError('cells', this.cellCount);
      if (seen.has(c.address)) throw new OoxmlFormatError(`cell ${c.address} appears twice`);
      seen.add(c.address);
      const value = this.cellValue(c.t, c.s, c.hasF, c.v, c.is);
      if (value.t !== 'empty') cells.set(c.address, value);
    };

    parsePart(data, (p) => {
      p.on('opentag', (tag) => {
        const n = local(tag.name);
        if (n === 'sheetData') {
          if (!tag.isSelfClosing) sheetData++;
          return;
        }
        if (sheetData === 0) return;
        if (n === 'row' && !inRow && cell === null) {
          rows++;
          if (rows > OOXML_LIMITS.maxRowsPerSheet) throw new OoxmlLimitError('rows', rows);
          const r = attr(tag, 'r');
          row = r === undefined ? row + 1 : Number(r);
          if (!Number.isInteger(row) || row < 1 || row > MAX_ROW) throw new OoxmlFormatError(`bad row number ${r}`);
          col = 0;
          inRow = !tag.isSelfClosing;
          return;
        }
        if (!inRow) return;
        if (n === 'c' && cell === null) {
          const r = attr(tag, 'r');
          let address: string;
          if (r === undefined) {
            col += 1;
            if (col > MAX_COL) throw new OoxmlFormatError('column past XFD');
            address = `${columnName(col)}${row}`;
          } else {
            const at = parseCellRef(r);
            if (!at) throw new OoxmlFormatError(`bad cell reference ${r.slice(0, 20)}`);
            col = at[0];
            address = `${columnName(at[0])}${at[1]}`;
          }
          const s = Number(attr(tag, 's') ?? 0);
          cell = { address, t: attr(tag, 't') ?? 'n', s: Number.isInteger(s) ? s : 0, hasF: false, v: null, is: null };
          if (tag.isSelfClosing) finishCell();
          return;
        }
        if (cell === null) return;
        if (n === 'f') cell.hasF = true;
        else if (n === 'v' && !inIs) {
          cell.v ??= new TextSink();
          capture = tag.isSelfClosing ? null : 'v';
        } else if (n === 'is') {
          inIs = !tag.isSelfClosing;
          cell.is ??= new TextSink();
        } else if (n === 'rPh') phonetic++;
        else if (n === 't' && inIs && phonetic === 0 && !tag.isSelfClosing) capture = 'is';
      });
      const text = (s: string): void => {
        if (cell === null || capture === null) return;
        (capture === 'v' ? cell.v : cell.is)?.add(s);
      };
      p.on('text', text);
      p.on('cdata', text);
      p.on('closetag', (tag) => {
        const n = local(tag.name);
        if (n === 'sheetData') {
          if (sheetData > 0) sheetData--;
          if (sheetData === 0) inRow = false;
        } else if (n === 'row') inRow = false;
        else if (n === 'c') finishCell();
        else if (n === 'v' || n === 't') capture = null;
        else if (n === 'is') inIs = false;
        else if (n === 'rPh') phonetic--;
      });
    });
    return cells;
  }

  private cellValue(t: string, s: number, hasF: boolean, v: TextSink | null, is: TextSink | null): CellValue {
    const raw = v === null ? null : v.value();
    switch (t) {
      case 's': {
        if (raw === null || raw.trim() === '') return hasF ? { t: 'noCache' } : EMPTY_CELL;
        const idx = Number(raw);
        const entry = Number.isInteger(idx) ? this.sharedStrings()[idx] : undefined;
        if (!entry) return { t: 'error', v: '#REF!' };
        return entry.v === '' ? EMPTY_CELL : entry.truncated ? { t: 'string', v: entry.v, truncated: true } : { t: 'string', v: entry.v };
      }
      case 'inlineStr': {
        const sink = is ?? v;
        if (sink === null) return hasF ? { t: 'noCache' } : EMPTY_CELL;
        return this.text(sink);
      }
      case 'str': {
        if (v === null) return hasF ? { t: 'noCache' } : EMPTY_CELL;
        return this.text(v);
      }
      case 'b': {
        if (raw === null || raw.trim() === '') return hasF ? { t: 'noCache' } : EMPTY_CELL;
        const b = xsdBoolean(raw);
        return b === null ? { t: 'error', v: '#VALUE!' } : { t: 'boolean', v: b };
      }
      case 'e':
        return { t: 'error', v: (raw ?? '#N/A').trim().slice(0, 16) || '#N/A' };
      case 'd': {
        if (raw === null || raw.trim() === '') return hasF ? { t: 'noCache' } : EMPTY_CELL;
        const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(raw.trim());
        return m ? { t: 'date', v: `${m[1]}-${m[2]}-${m[3]}` } : { t: 'error', v: '#VALUE!' };
      }
      default: {
        if (raw === null || raw.trim() === '') return hasF ? { t: 'noCache' } : EMPTY_CELL;
        const n = Number(raw.trim());
        if (!Number.isFinite(n)) return { t: 'error', v: '#NUM!' };
        if (this.styles()[s] === true) {
          const iso = serialToIso(n, this.date1904);
          return iso === null ? { t: 'error', v: '#VALUE!' } : { t: 'date', v: iso };
        }
        return { t: 'number', v: n };
      }
    }
  }

  private text(sink: TextSink): CellValue {
    const v = unescapeXstring(sink.value()).normalize('NFC');
    this.budget.take(v);
    if (v === '') return EMPTY_CELL;
    return sink.truncated ? { t: 'string', v, truncated: true } : { t: 'string', v };
  }
}

/** `worksheets/sheet1.xml` against `xl/` → `xl/worksheets/sheet1.xml`; absolute targets from the root. */
export function resolvePartName(base: string, target: string): string {
  const path = target.startsWith('/') ? target.slice(1) : base + target;
  const out: string[] = [];
  for (const seg of path.replace(/\\/g, '/').split('/')) {
    if (seg === '..') out.pop();
    else if (seg !== '.' && seg !== '') out.push(seg);
  }
  return out.join('/').toLowerCase();
}

/**
 * An Excel serial day number as an ISO calendar date. The 1900 system counts the fictitious
 * 29/02/1900 (serial 60), so serials from 61 on are one day ahead of a plain count; the 1904 system
 * counts from 01/01/1904. Years outside 1900–9999 are not dates a report can hold.
 */
export function serialToIso(serial: number, date1904: boolean): string | null {
  if (!Number.isFinite(serial) || serial < 0) return null;
  const days = Math.floor(serial);
  const ms = date1904 ? Date.UTC(1904, 0, 1) + days * DAY_MS : days < 60 ? Date.UTC(1899, 11, 31) + days * DAY_MS : Date.UTC(1899, 11, 30) + days * DAY_MS;
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (y < 1900 || y > 9999) return null;
  return `${y}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

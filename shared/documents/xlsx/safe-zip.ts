import { Inflate } from 'fflate';
import type { Finding } from '../../domain/types.js';

/**
 * The pre-check every untrusted upload passes before any parser sees it: content sniffing, a ZIP
 * reader of our own that inflates each entry under a byte budget (declared sizes can lie), and the
 * refusal of parts a report never needs (DTDs, macros, external links, embedded objects).
 */

export interface ZipLimits {
  /** Most entries (files) in the archive. */
  maxEntries: number;
  /** Most inflated bytes of one entry. */
  maxEntryBytes: number;
  /** Most inflated bytes of all entries together. */
  maxTotalBytes: number;
  /** Largest inflated/compressed ratio of an entry, checked for entries over RATIO_FLOOR inflated bytes. */
  maxRatio: number;
}

const MIB = 1024 * 1024;

export const DEFAULT_LIMITS: ZipLimits = Object.freeze({
  maxEntries: 2000,
  maxEntryBytes: 50 * MIB,
  maxTotalBytes: 100 * MIB,
  maxRatio: 200,
});

/** Entries smaller than this (inflated) are never refused for their ratio: tiny XML compresses well. */
export const RATIO_FLOOR = MIB;

/** Compressed bytes handed to the inflater at a time, so that one push yields at most ~1 MiB. */
const INFLATE_SLICE = 1024;

export type Sniffed = 'xlsx-zip' | 'json' | 'empty' | 'unknown';

/** What the bytes are, by content only: 0 bytes are empty; `PK\x03\x04` is a zip; `{` first (after BOM/whitespace) is JSON. */
export function sniff(bytes: Uint8Array): Sniffed {
  if (bytes.length === 0) return 'empty';
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'xlsx-zip';
  let i = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x7b ? 'json' : 'unknown';
}

export type InspectResult = { ok: true; entries: Map<string, Uint8Array> } | { ok: false; finding: Finding };

// ---------------------------------------------------------------- messages

const NOT_XLSX = 'Tệp không phải bảng tính Excel .xlsx. Vui lòng tải mẫu từ đường dẫn của đơn vị, điền và lưu dưới dạng .xlsx.';

function fileFinding(code: string, message: string): { ok: false; finding: Finding } {
  return { ok: false, finding: { code, severity: 'error', sheet: null, cell: null, indicator: null, message } };
}

const refuse = {
  empty: () => fileFinding('FILE_EMPTY', 'Tệp tải lên rỗng (0 byte). Vui lòng chọn đúng tệp Excel .xlsx đã điền rồi tải lên lại.'),
  notXlsx: () => fileFinding('FILE_NOT_XLSX', NOT_XLSX),
  cfb: () =>
    fileFinding(
      'FILE_NOT_XLSX',
      'Tệp đang được đặt mật khẩu (mã hóa) hoặc ở định dạng Excel cũ .xls nên hệ thống không đọc được. ' +
        'Hãy gỡ mật khẩu mở tệp, lưu dưới dạng Sổ làm việc Excel (.xlsx) rồi tải lên lại.',
    ),
  notWorkbook: () =>
    fileFinding(
      'FILE_NOT_XLSX',
      'Tệp nén này không phải bảng tính Excel .xlsx (có thể là tệp .zip, .docx hoặc .ods). ' +
        'Vui lòng tải mẫu từ đường dẫn của đơn vị, điền và lưu dưới dạng .xlsx.',
    ),
  broken: () =>
    fileFinding(
      'FILE_UNREADABLE',
      'Tệp bị hỏng hoặc tải lên chưa trọn vẹn nên hệ thống không đọc được. Hãy mở tệp bằng Excel, lưu lại dưới dạng .xlsx rồi tải lên lại.',
    ),
  password: () =>
    fileFinding(
      'FILE_PASSWORD',
      'Tệp Excel đang được đặt mật khẩu mở tệp nên hệ thống không đọc được. Hãy mở tệp bằng Excel, vào Tệp → Thông tin → Bảo vệ sổ làm việc → ' +
        'Mã hóa bằng mật khẩu, xóa mật khẩu, lưu lại rồi tải lên. Không gửi mật khẩu cho bất kỳ ai.',
    ),
  xls: () =>
    fileFinding(
      'FILE_XLS',
      'Tệp ở định dạng Excel cũ .xls (Excel 97–2003). Hãy mở tệp bằng Excel, chọn Lưu thành → Sổ làm việc Excel (.xlsx) rồi tải tệp .xlsx lên; ' +
        'tốt nhất là tải mẫu mới từ đường dẫn của đơn vị và nhập số liệu vào mẫu.',
    ),
  ods: () =>
    fileFinding(
      'FILE_ODS',
      'Tệp ở định dạng OpenDocument .ods (LibreOffice, OpenOffice). Hãy mở tệp, chọn Lưu thành (Save As) → định dạng "Excel 2007-365 (.xlsx)", ' +
        'giữ định dạng đó khi được hỏi, rồi tải tệp .xlsx lên.',
    ),
  xlsb: () =>
    fileFinding(
      'FILE_XLSB',
      'Tệp ở định dạng Sổ làm việc nhị phân Excel (.xlsb). Hãy mở tệp bằng Excel, chọn Lưu thành → Sổ làm việc Excel (.xlsx) rồi tải tệp .xlsx lên.',
    ),
  encryptedEntry: () =>
    fileFinding(
      'FILE_NOT_XLSX',
      'Tệp đang được đặt mật khẩu nên hệ thống không đọc được. Hãy gỡ mật khẩu, lưu dưới dạng Sổ làm việc Excel (.xlsx) rồi tải lên lại.',
    ),
  limits: (detail: string) =>
    fileFinding(
      'ZIP_LIMITS',
      `Tệp bị từ chối vì cấu trúc nén bất thường (${detail}), có thể gây mất an toàn cho hệ thống. ` +
        'Hãy tải mẫu mới, chỉ nhập số liệu và nội dung (không chèn hình ảnh hay tệp đính kèm), lưu dưới dạng .xlsx rồi tải lên.',
    ),
  dtd: (part: string) =>
    fileFinding(
      'XML_DTD',
      `Tệp bị từ chối vì phần "${part}" có khai báo DOCTYPE/ENTITY, điều không có trong tệp Excel thông thường và có thể gây mất an toàn. ` +
        'Hãy mở tệp bằng Microsoft Excel, lưu lại dưới dạng .xlsx rồi tải lên; nếu vẫn lỗi, hãy tải mẫu mới và nhập lại.',
    ),
  macro: () => fileFinding('MACRO', 'Tệp có chứa macro. Hãy lưu lại dưới dạng Sổ làm việc Excel (.xlsx) không có macro rồi tải lên.'),
  external: () =>
    fileFinding(
      'EXTERNAL_LINK',
      'Tệp có liên kết tới tệp hoặc nguồn dữ liệu bên ngoài. Hãy ngắt các liên kết (chỉ giữ lại giá trị), lưu dưới dạng Sổ làm việc Excel (.xlsx) rồi tải lên.',
    ),
  ole: () =>
    fileFinding(
      'OLE_OBJECT',
      'Tệp có nhúng đối tượng (OLE, ActiveX hoặc tệp đính kèm). Hãy xóa các đối tượng nhúng, chỉ giữ số liệu trong các ô, lưu dưới dạng Sổ làm việc Excel (.xlsx) rồi tải lên.',
    ),
};

/** Vietnamese number with dot thousands separators: 2.000. */
function vn(n: number): string {
  return Math.round(n).toLocaleString('vi-VN');
}

function mib(n: number): string {
  return `${vn(n / MIB)} MB`;
}

// ---------------------------------------------------------------- ZIP structure

interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  declaredSize: number;
  localOffset: number;
}

class BrokenZip extends Error {
  override name = 'BrokenZip';
}

const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** True when the bytes start with the OLE compound file (CFB) signature. */
export function isCfb(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && CFB_MAGIC.every((m, k) => bytes[k] === m);
}

/**
 * The stream and storage names in a CFB container's directory. Hand-written, and only this much,
 * because telling the official "remove the password" from "save as .xlsx" needs nothing more than
 * the names: every directory entry is 128 bytes at a 128-byte boundary after the header, its name
 * UTF-16LE in the first 64 bytes, the name's byte length at +64 and the entry type (1 storage,
 * 2 stream, 5 root) at +66. Scanning every such slot finds the entries without following the FAT,
 * at a cost linear in the file's bytes; a slot of data that happens to look like an entry can only
 * add a name, so an unknown container still gets the general message.
 */
export function cfbNames(bytes: Uint8Array, max = 4096): Set<string> {
  const names = new Set<string>();
  for (let p = 512; p + 128 <= bytes.length && names.size < max; p += 128) {
    const len = bytes[p + 64]! | (bytes[p + 65]! << 8);
    const type = bytes[p + 66];
    if (len < 4 || len > 64 || len % 2 !== 0 || (type !== 1 && type !== 2 && type !== 5)) continue;
    if (bytes[p + len - 2] !== 0 || bytes[p + len - 1] !== 0) continue;
    let name = '';
    let ok = true;
    for (let i = 0; i < len - 2; i += 2) {
      const c = bytes[p + i]! | (bytes[p + i + 1]! << 8);
      if (c < 0x20) {
        ok = false;
        break;
      }
      name += String.fromCharCode(c);
    }
    if (ok) names.add(name);
  }
  return names;
}

/** What an OLE container holding a spreadsheet is: a password-encrypted .xlsx, a legacy .xls, or unknown. */
export function cfbKind(bytes: Uint8Array): 'encrypted' | 'xls' | 'unknown' {
  const names = cfbNames(bytes);
  if (names.has('EncryptionInfo') || names.has('EncryptedPackage')) return 'encrypted';
  if (names.has('Workbook') || names.has('Book')) return 'xls';
  return 'unknown';
}

/**
 * The finding for a file that is not an .xlsx but another spreadsheet format an official may have
 * saved by mistake (password-protected workbook, .xls, .ods, .xlsb), or null.
 */
export function foreignSpreadsheet(bytes: Uint8Array): Finding | null {
  if (isCfb(bytes)) {
    const kind = cfbKind(bytes);
    return (kind === 'encrypted' ? refuse.password() : kind === 'xls' ? refuse.xls() : refuse.cfb()).finding;
  }
  return null;
}

function u16(b: Uint8Array, o: number): number {
  if (o + 2 > b.length) throw new BrokenZip('u16 out of range');
  return b[o]! | (b[o + 1]! << 8);
}

function u32(b: Uint8Array, o: number): number {
  if (o + 4 > b.length) throw new BrokenZip('u32 out of range');
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000;
}

function u64(b: Uint8Array, o: number): number {
  const lo = u32(b, o);
  const hi = u32(b, o + 4);
  // Anything past 2^53 is far beyond every limit anyway.
  return hi * 0x100000000 + lo;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

interface Directory {
  count: number;
  cdOffset: number;
  cdSize: number;
}

function findDirectory(b: Uint8Array): Directory {
  const min = Math.max(0, b.length - 22 - 0xffff);
  for (let i = b.length - 22; i >= min; i--) {
    if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 0x05 && b[i + 3] === 0x06) {
      let count = u16(b, i + 10);
      let cdSize = u32(b, i + 12);
      let cdOffset = u32(b, i + 16);
      if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
        const loc = i - 20;
        if (loc < 0 || u32(b, loc) !== 0x07064b50) throw new BrokenZip('zip64 locator missing');
        const z = u64(b, loc + 8);
        if (z + 56 > b.length || u32(b, z) !== 0x06064b50) throw new BrokenZip('zip64 directory missing');
        count = u64(b, z + 32);
        cdSize = u64(b, z + 40);
        cdOffset = u64(b, z + 48);
      }
      return { count, cdOffset, cdSize };
    }
  }
  throw new BrokenZip('end of central directory not found');
}

function readEntries(b: Uint8Array, dir: Directory): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let p = dir.cdOffset;
  for (let n = 0; n < dir.count; n++) {
    if (u32(b, p) !== 0x02014b50) throw new BrokenZip('bad central header');
    const flags = u16(b, p + 8);
    const method = u16(b, p + 10);
    let compressedSize = u32(b, p + 20);
    let declaredSize = u32(b, p + 24);
    const nameLen = u16(b, p + 28);
    const extraLen = u16(b, p + 30);
    const commentLen = u16(b, p + 32);
    let localOffset = u32(b, p + 42);
    if (p + 46 + nameLen + extraLen > b.length) throw new BrokenZip('central header past end');
    const name = utf8.decode(b.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extra field: the 64-bit values present are those whose 32-bit field is saturated.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = u16(b, e);
      const size = u16(b, e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (declaredSize === 0xffffffff) {
          declaredSize = u64(b, q);
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = u64(b, q);
          q += 8;
        }
        if (localOffset === 0xffffffff) localOffset = u64(b, q);
      }
      e += 4 + size;
    }
    entries.push({ name, flags, method, compressedSize, declaredSize, localOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function dataOf(b: Uint8Array, entry: ZipEntry): Uint8Array {
  const o = entry.localOffset;
  if (u32(b, o) !== 0x04034b50) throw new BrokenZip('bad local header');
  const start = o + 30 + u16(b, o + 26) + u16(b, o + 28);
  const end = start + entry.compressedSize;
  if (end > b.length) throw new BrokenZip('entry data past end');
  return b.subarray(start, end);
}

class LimitExceeded extends Error {
  override name = 'LimitExceeded';
}

/**
 * Inflates one entry, counting the bytes actually produced and stopping as soon as the entry or the
 * archive budget, or the ratio, is exceeded: memory never grows past the budget plus one slice's output.
 */
function inflateBounded(data: Uint8Array, entryBudget: number, ratioCap: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let produced = 0;
  let ended = false;
  const inflater = new Inflate((chunk, final) => {
    produced += chunk.length;
    if (produced > entryBudget) throw new LimitExceeded('budget');
    if (produced > RATIO_FLOOR && produced > ratioCap) throw new LimitExceeded('ratio');
    chunks.push(chunk);
    if (final) ended = true;
  });
  for (let i = 0; i < data.length; i += INFLATE_SLICE) {
    const end = Math.min(i + INFLATE_SLICE, data.length);
    inflater.push(data.subarray(i, end), end === data.length);
  }
  if (data.length === 0) inflater.push(new Uint8Array(0), true);
  if (!ended) throw new BrokenZip('truncated deflate stream');
  const out = new Uint8Array(produced);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

const ODS_MIME = 'application/vnd.oasis.opendocument.spreadsheet';

/** An OpenDocument spreadsheet: a `mimetype` entry (stored, as ODF requires) naming the type. */
function isOds(bytes: Uint8Array, entries: ZipEntry[]): boolean {
  const m = entries.find((e) => e.name === 'mimetype');
  if (m?.method !== 0 || m.compressedSize > 200) return false;
  try {
    return utf8.decode(dataOf(bytes, m)).trim().startsWith(ODS_MIME);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- content checks

const XML_PART = /\.(xml|rels|vml)$/i;

/** True when the bytes hold `<!DOCTYPE` or `<!ENTITY`, case-insensitive, in UTF-8 or UTF-16 (either byte order). */
export function hasDtd(b: Uint8Array): boolean {
  const le = b.length >= 2 && b[0] === 0xff && b[1] === 0xfe;
  const be = b.length >= 2 && b[0] === 0xfe && b[1] === 0xff;
  const utf16NoBom = !le && !be && b.length >= 4 && ((b[0] === 0x3c && b[1] === 0) || (b[0] === 0 && b[1] === 0x3c));
  if (le || be || utf16NoBom) {
    const bigEndian = be || (utf16NoBom && b[0] === 0);
    const text = new TextDecoder(bigEndian ? 'utf-16be' : 'utf-16le').decode(b);
    return /<!\s*(DOCTYPE|ENTITY)/i.test(text);
  }
  return scanDtdUtf8(b);
}

const DOCTYPE = [0x44, 0x4f, 0x43, 0x54, 0x59, 0x50, 0x45];
const ENTITY = [0x45, 0x4e, 0x54, 0x49, 0x54, 0x59];

function matchesUpper(b: Uint8Array, at: number, word: number[]): boolean {
  if (at + word.length > b.length) return false;
  for (let k = 0; k < word.length; k++) {
    if ((b[at + k]! & 0xdf) !== word[k]) return false;
  }
  return true;
}

function scanDtdUtf8(b: Uint8Array): boolean {
  let i = b.indexOf(0x3c);
  while (i !== -1 && i + 1 < b.length) {
    if (b[i + 1] === 0x21) {
      let j = i + 2;
      while (j < b.length && (b[j] === 0x20 || b[j] === 0x09 || b[j] === 0x0a || b[j] === 0x0d)) j++;
      if (matchesUpper(b, j, DOCTYPE) || matchesUpper(b, j, ENTITY)) return true;
    }
    i = b.indexOf(0x3c, i + 1);
  }
  return false;
}

function lower(name: string): string {
  return name.toLowerCase().replace(/\\/g, '/').replace(/^\/+/, '');
}

function isMacroPart(n: string): boolean {
  return /(^|\/)vbaproject\.bin$/.test(n) || /(^|\/)vbadata\.xml$/.test(n) || n.startsWith('xl/macrosheets/') || n.startsWith('xl/dialogsheets/');
}

function isExternalPart(n: string): boolean {
  return n.startsWith('xl/externallinks/') || n === 'xl/connections.xml';
}

function isOlePart(n: string): boolean {
  return n.startsWith('xl/embeddings/') || n.startsWith('xl/activex/') || /(^|\/)oleobject[^/]*$/.test(n);
}

/** Content types that betray a part refused by name elsewhere, in case it hides under another name. */
const CONTENT_TYPE_REFUSALS: [RegExp, () => { ok: false; finding: Finding }][] = [
  [/macroEnabled|vbaProject/i, () => refuse.macro()],
  [/externalLink/i, () => refuse.external()],
  [/oleObject|ms-office\.activeX/i, () => refuse.ole()],
];

/** XML by its first bytes: `<`, or a UTF-8/UTF-16 byte-order mark, or UTF-16 `<` without one. */
function looksLikeXml(b: Uint8Array): boolean {
  const [b0, b1] = [b[0], b[1]];
  return b0 === 0x3c || (b0 === 0xef && b1 === 0xbb) || (b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff) || (b0 === 0x00 && b1 === 0x3c);
}

/**
 * Inspects an untrusted upload before any parser sees it. Returns the inflated entries when the bytes
 * are an .xlsx archive within the limits and free of DTDs, macros, external links and embedded
 * objects; otherwise one Vietnamese finding (severity error, whole file) saying what to do.
 */
export function inspectXlsx(bytes: Uint8Array, limits: ZipLimits = DEFAULT_LIMITS): InspectResult {
  const kind = sniff(bytes);
  if (kind === 'empty') return refuse.empty();
  if (kind !== 'xlsx-zip') {
    const foreign = foreignSpreadsheet(bytes);
    if (foreign) return { ok: false, finding: foreign };
    return refuse.notXlsx();
  }

  let entries: ZipEntry[];
  try {
    const dir = findDirectory(bytes);
    if (dir.count > limits.maxEntries) return refuse.limits(`${vn(dir.count)} thành phần, tối đa ${vn(limits.maxEntries)}`);
    entries = readEntries(bytes, dir);
  } catch (err) {
    if (err instanceof BrokenZip) return refuse.broken();
    throw err;
  }

  // Names first: refusals that need no inflation, and duplicates that would let two parsers disagree.
  const seen = new Set<string>();
  let declaredTotal = 0;
  for (const e of entries) {
    const n = lower(e.name);
    if (seen.has(n)) return refuse.broken();
    seen.add(n);
    if (isMacroPart(n)) return refuse.macro();
    if (isExternalPart(n)) return refuse.external();
    if (isOlePart(n)) return refuse.ole();
    if (e.flags & 0x1) return refuse.encryptedEntry();
    if (e.method !== 0 && e.method !== 8) return refuse.broken();
    if (e.declaredSize > limits.maxEntryBytes) {
      return refuse.limits(`thành phần "${e.name}" khai báo ${mib(e.declaredSize)} khi giải nén, tối đa ${mib(limits.maxEntryBytes)}`);
    }
    declaredTotal += e.declaredSize;
  }
  if (declaredTotal > limits.maxTotalBytes) {
    return refuse.limits(`tổng dung lượng khai báo khi giải nén ${mib(declaredTotal)}, tối đa ${mib(limits.maxTotalBytes)}`);
  }
  if (!seen.has('xl/workbook.xml')) {
    if (seen.has('xl/workbook.bin')) return refuse.xlsb();
    if (isOds(bytes, entries)) return refuse.ods();
    return refuse.notWorkbook();
  }
  if (!seen.has('[content_types].xml')) return refuse.notWorkbook();

  const out = new Map<string, Uint8Array>();
  let total = 0;
  for (const e of entries) {
    if (e.name.endsWith('/')) continue;
    let data: Uint8Array;
    try {
      const raw = dataOf(bytes, e);
      const budget = Math.min(limits.maxEntryBytes, limits.maxTotalBytes - total);
      if (e.method === 0) {
        if (raw.length > budget) throw new LimitExceeded('budget');
        data = raw;
      } else {
        data = inflateBounded(raw, budget, limits.maxRatio * Math.max(raw.length, 1));
      }
    } catch (err) {
      if (err instanceof LimitExceeded) {
        return err.message === 'ratio'
          ? refuse.limits(`thành phần "${e.name}" có tỷ lệ nén vượt ${vn(limits.maxRatio)} lần`)
          : refuse.limits(`dung lượng giải nén vượt ${mib(limits.maxEntryBytes)} mỗi thành phần hoặc ${mib(limits.maxTotalBytes)} cả tệp`);
      }
      if (err instanceof BrokenZip) return refuse.broken();
      // fflate reports corrupt deflate data with plain Errors carrying a numeric code.
      if (err instanceof Error && typeof (err as { code?: unknown }).code === 'number') return refuse.broken();
      throw err;
    }
    total += data.length;
    const n = lower(e.name);
    if ((XML_PART.test(n) || looksLikeXml(data)) && hasDtd(data)) {
      return refuse.dtd(e.name);
    }
    out.set(e.name, data);
  }

  const types = [...out.entries()].find(([name]) => lower(name) === '[content_types].xml')?.[1];
  if (types) {
    const text = utf8.decode(types);
    for (const [pattern, refusal] of CONTENT_TYPE_REFUSALS) if (pattern.test(text)) return refusal();
  }
  return { ok: true, entries: out };
}

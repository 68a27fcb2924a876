/**
 * A bounded scanner of the raw bytes of a PDF: it finds signature dictionaries and revision ends
 * without parsing the object graph. One forward pass, each byte inspected a constant number of times;
 * declared lengths (stream /Length, xref offsets) are never trusted, streams are skipped up to their
 * `endstream`. Garbage or truncated input gives fewer or partial results, never a throw or a hang.
 */

/** Most signature dictionaries a file may hold before it is refused. */
export const MAX_SIGNATURES = 20;
/** Most hex digits accepted in one /Contents (64 KiB of hex, 32 KiB of CMS). */
export const MAX_CONTENTS_HEX = 64 * 1024;
/** Nesting of arrays and dictionaries beyond which the scanner stops descending. */
const MAX_DEPTH = 64;
/** Characters kept from a text value (/Name, /Reason, /M). */
const MAX_TEXT = 512;
/** Tokens kept from a /ByteRange array (four are valid; more are counted, not kept). */
const MAX_RANGE_TOKENS = 8;

/** A /Contents value as found: its kind and where it lies in the file. */
export interface ContentsToken {
  kind: 'hex' | 'other';
  /** Offset of `<` for a hex string, else of the value's first byte. */
  start: number;
  /** Offset just past `>` for a hex string. */
  end: number;
  /** Number of hex digits (whitespace excluded); 0 for other kinds. */
  hexDigits: number;
}

/** A dictionary holding /ByteRange or /Type /Sig, as read from the bytes. */
export interface RawSignature {
  /** Offset of the dictionary's `<<`. */
  offset: number;
  isTypeSig: boolean;
  /** The /ByteRange entries as tokens: numbers, or `null` for anything else; null when absent. */
  byteRange: (number | null)[] | null;
  /** Count of entries in /ByteRange (may exceed the ones kept). */
  byteRangeLength: number;
  contents: ContentsToken | null;
  subFilter: string | null;
  signingTimeText: string | null;
  name: string | null;
  reason: string | null;
}

/** What the scanner found in a file. */
export interface PdfScan {
  hasHeader: boolean;
  /** Offsets just past each `%%EOF` marker and its end-of-line, in file order. */
  revisionEnds: number[];
  /** Offsets of each `startxref` keyword. */
  startxrefs: number[];
  signatures: RawSignature[];
  /** More than MAX_SIGNATURES signature dictionaries were seen (scanning stopped collecting). */
  tooManySignatures: boolean;
}

type Value =
  | { kind: 'number'; value: number; integer: boolean }
  | { kind: 'name'; value: string }
  | { kind: 'text'; value: string }
  | { kind: 'hex'; token: ContentsToken }
  | { kind: 'other'; start: number };

interface DictFrame {
  type: 'dict';
  offset: number;
  key: string | null;
  entries: Map<string, Value | ArrayFrame>;
}
interface ArrayFrame {
  type: 'array';
  start: number;
  key: string | null;
  items: (number | null)[];
  length: number;
}
type Frame = DictFrame | ArrayFrame;

const WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIMITERS = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);
const INTERESTING_KEYS = new Set(['Type', 'ByteRange', 'Contents', 'SubFilter', 'M', 'Name', 'Reason']);

const isRegular = (b: number) => !WHITESPACE.has(b) && !DELIMITERS.has(b);

/** Scans a PDF's bytes for its header, revision ends and signature dictionaries. */
export function scanPdf(bytes: Uint8Array): PdfScan {
  const scanner = new Scanner(bytes);
  scanner.run();
  return {
    hasHeader: findHeader(bytes),
    revisionEnds: findRevisionEnds(bytes),
    startxrefs: findAll(bytes, 'startxref'),
    signatures: scanner.signatures,
    tooManySignatures: scanner.tooMany,
  };
}

function findHeader(bytes: Uint8Array): boolean {
  const head = latin1(bytes, 0, Math.min(bytes.length, 1024));
  return head.includes('%PDF-');
}

function findRevisionEnds(bytes: Uint8Array): number[] {
  return findAll(bytes, '%%EOF').map((at) => {
    let end = at + 5;
    if (bytes[end] === 0x0d) end++;
    if (bytes[end] === 0x0a) end++;
    return end;
  });
}

/** Every offset of an ASCII needle, by Buffer's native search (linear in the bytes). */
function findAll(bytes: Uint8Array, needle: string): number[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found: number[] = [];
  let from = 0;
  for (;;) {
    const at = buffer.indexOf(needle, from, 'latin1');
    if (at < 0) return found;
    found.push(at);
    from = at + needle.length;
  }
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

class Scanner {
  readonly signatures: RawSignature[] = [];
  tooMany = false;
  private pos = 0;
  private readonly stack: Frame[] = [];
  private readonly buffer: Buffer;

  constructor(private readonly bytes: Uint8Array) {
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  run(): void {
    const n = this.bytes.length;
    while (this.pos < n && !this.tooMany) this.step();
  }

  private step(): void {
    const b = this.bytes[this.pos]!;
    if (WHITESPACE.has(b)) {
      this.pos++;
    } else if (b === 0x25) {
      this.skipComment();
    } else if (b === 0x3c && this.bytes[this.pos + 1] === 0x3c) {
      this.open({ type: 'dict', offset: this.pos, key: null, entries: new Map() });
      this.pos += 2;
    } else if (b === 0x3e && this.bytes[this.pos + 1] === 0x3e) {
      this.pos += 2;
      this.closeDict();
    } else if (b === 0x5b) {
      this.open({ type: 'array', start: this.pos, key: null, items: [], length: 0 });
      this.pos++;
    } else if (b === 0x5d) {
      this.pos++;
      this.closeArray();
    } else if (b === 0x3c) {
      this.value({ kind: 'hex', token: this.readHex() });
    } else if (b === 0x28) {
      this.value({ kind: 'text', value: this.readLiteral() });
    } else if (b === 0x2f) {
      this.name(this.readName());
    } else {
      this.word();
    }
  }

  private skipComment(): void {
    while (this.pos < this.bytes.length && this.bytes[this.pos] !== 0x0a && this.bytes[this.pos] !== 0x0d) this.pos++;
  }

  private open(frame: Frame): void {
    const parent = this.stack.at(-1);
    if (parent?.type === 'dict') frame.key = parent.key;
    if (this.stack.length >= MAX_DEPTH) this.stack.length = 0;
    this.stack.push(frame);
  }

  private closeDict(): void {
    const frame = this.stack.at(-1);
    if (frame?.type !== 'dict') return;
    this.stack.pop();
    this.collectSignature(frame);
    this.attach(frame.key, { kind: 'other', start: frame.offset });
  }

  private closeArray(): void {
    const frame = this.stack.at(-1);
    if (frame?.type !== 'array') return;
    this.stack.pop();
    this.attach(frame.key, frame);
  }

  /** Gives a finished composite value to the dictionary that holds it. */
  private attach(key: string | null, value: Value | ArrayFrame): void {
    const parent = this.stack.at(-1);
    if (parent?.type === 'array') {
      parent.length++;
      if (parent.items.length < MAX_RANGE_TOKENS) parent.items.push(null);
    } else if (parent?.type === 'dict' && parent.key !== null) {
      if (key !== null && INTERESTING_KEYS.has(key) && !parent.entries.has(key)) parent.entries.set(key, value);
      parent.key = null;
    }
  }

  /** A primitive value: stored in the open dictionary under its pending key, or counted in an array. */
  private value(value: Value): void {
    const parent = this.stack.at(-1);
    if (parent?.type === 'array') {
      parent.length++;
      if (parent.items.length < MAX_RANGE_TOKENS) parent.items.push(value.kind === 'number' && value.integer ? value.value : null);
    } else if (parent?.type === 'dict' && parent.key !== null) {
      if (INTERESTING_KEYS.has(parent.key) && !parent.entries.has(parent.key)) parent.entries.set(parent.key, value);
      parent.key = null;
    }
  }

  private name(name: string): void {
    const parent = this.stack.at(-1);
    if (parent?.type === 'dict' && parent.key === null) parent.key = name;
    else this.value({ kind: 'name', value: name });
  }

  /** Numbers, keywords (obj, endobj, stream, R, null, true…) and stray bytes. */
  private word(): void {
    const start = this.pos;
    while (this.pos < this.bytes.length && isRegular(this.bytes[this.pos]!)) this.pos++;
    if (this.pos === start) {
      this.pos++;
      return;
    }
    const text = latin1(this.bytes, start, this.pos);
    if (text === 'stream') return this.skipStream();
    if (text === 'endobj' || text === 'obj' || text === 'trailer' || text === 'xref') {
      this.stack.length = 0;
      return;
    }
    const parent = this.stack.at(-1);
    // An indirect reference's generation and `R` follow a value already stored: skip them in dictionaries.
    if (parent?.type === 'dict' && parent.key === null) return;
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) this.value({ kind: 'number', value: Number(text), integer: /^\d{1,15}$/.test(text) });
    else if (parent?.type === 'array' && text === 'R') this.collapseReference(parent);
    else this.value({ kind: 'other', start });
  }

  /** `a b R` in an array is one value, not three numbers: keep it as a non-number. */
  private collapseReference(array: ArrayFrame): void {
    array.length = Math.max(0, array.length - 1);
    if (array.items.length >= 2) array.items.splice(-2, 2, null);
  }

  private skipStream(): void {
    const end = this.buffer.indexOf('endstream', this.pos, 'latin1');
    this.pos = end < 0 ? this.bytes.length : end + 'endstream'.length;
    this.stack.length = 0;
  }

  private readHex(): ContentsToken {
    const start = this.pos;
    let digits = 0;
    this.pos++;
    while (this.pos < this.bytes.length && this.bytes[this.pos] !== 0x3e) {
      if (!WHITESPACE.has(this.bytes[this.pos]!)) digits++;
      this.pos++;
    }
    if (this.pos < this.bytes.length) this.pos++;
    return { kind: 'hex', start, end: this.pos, hexDigits: digits };
  }

  private readName(): string {
    const start = ++this.pos;
    while (this.pos < this.bytes.length && isRegular(this.bytes[this.pos]!)) this.pos++;
    return latin1(this.bytes, start, Math.min(this.pos, start + MAX_TEXT)).replace(/#([0-9A-Fa-f]{2})/g, (_, h: string) =>
      String.fromCharCode(Number.parseInt(h, 16)),
    );
  }

  /** A literal string with nested parentheses and escapes; at most MAX_TEXT bytes are kept. */
  private readLiteral(): string {
    const kept: number[] = [];
    let depth = 1;
    this.pos++;
    while (this.pos < this.bytes.length && depth > 0) {
      const b = this.bytes[this.pos++]!;
      if (b === 0x5c) {
        const escaped = this.readEscape();
        if (escaped !== null && kept.length < MAX_TEXT) kept.push(escaped);
        continue;
      }
      if (b === 0x28) depth++;
      if (b === 0x29 && --depth === 0) break;
      if (kept.length < MAX_TEXT) kept.push(b);
    }
    return decodeText(Uint8Array.from(kept));
  }

  private readEscape(): number | null {
    const b = this.bytes[this.pos++];
    if (b === undefined) return null;
    const simple: Record<number, number> = { 110: 0x0a, 114: 0x0d, 116: 0x09, 98: 0x08, 102: 0x0c };
    if (simple[b] !== undefined) return simple[b];
    if (b >= 0x30 && b <= 0x37) {
      let value = b - 0x30;
      for (let i = 0; i < 2 && this.bytes[this.pos]! >= 0x30 && this.bytes[this.pos]! <= 0x37; i++) value = value * 8 + this.bytes[this.pos++]! - 0x30;
      return value & 0xff;
    }
    if (b === 0x0d || b === 0x0a) {
      if (b === 0x0d && this.bytes[this.pos] === 0x0a) this.pos++;
      return null;
    }
    return b;
  }

  /** A text value, from a literal or a (short) hex string. */
  private textOf(value: Value | ArrayFrame | undefined): string | null {
    if (value === undefined || !('kind' in value)) return null;
    if (value.kind === 'text') return value.value;
    if (value.kind !== 'hex' || value.token.hexDigits > MAX_TEXT * 2) return null;
    const digits = latin1(this.bytes, value.token.start + 1, value.token.end - 1).replace(/[^0-9A-Fa-f]/g, '');
    return decodeText(Buffer.from(digits.length % 2 ? `${digits}0` : digits, 'hex'));
  }

  private collectSignature(frame: DictFrame): void {
    const entries = frame.entries;
    const type = entries.get('Type');
    const isTypeSig = type !== undefined && 'kind' in type && type.kind === 'name' && type.value === 'Sig';
    const range = entries.get('ByteRange');
    if (!isTypeSig && range === undefined) return;
    if (this.signatures.length >= MAX_SIGNATURES) {
      this.tooMany = true;
      return;
    }
    const contents = entries.get('Contents');
    this.signatures.push({
      offset: frame.offset,
      isTypeSig,
      byteRange: range === undefined ? null : isArray(range) ? range.items : [null],
      byteRangeLength: range === undefined ? 0 : isArray(range) ? range.length : 1,
      contents: contents === undefined ? null : contentsToken(contents),
      subFilter: nameOf(entries.get('SubFilter')),
      signingTimeText: this.textOf(entries.get('M')),
      name: this.textOf(entries.get('Name')),
      reason: this.textOf(entries.get('Reason')),
    });
  }
}

const isArray = (value: Value | ArrayFrame): value is ArrayFrame => 'type' in value && value.type === 'array';

function contentsToken(value: Value | ArrayFrame): ContentsToken {
  if ('kind' in value && value.kind === 'hex') return value.token;
  const start = 'kind' in value ? ('start' in value ? value.start : -1) : value.start;
  return { kind: 'other', start, end: start, hexDigits: 0 };
}

function nameOf(value: Value | ArrayFrame | undefined): string | null {
  return value !== undefined && 'kind' in value && value.kind === 'name' ? value.value : null;
}

/** PDF text strings: UTF-16BE with a byte-order mark, UTF-8 with one (PDF 2.0), else PDFDocEncoding (≈ Latin-1). */
export function decodeText(raw: Uint8Array): string {
  if (raw[0] === 0xfe && raw[1] === 0xff) return new TextDecoder('utf-16be').decode(raw.subarray(2)).normalize('NFC');
  if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) return new TextDecoder('utf-8').decode(raw.subarray(3)).normalize('NFC');
  return Buffer.from(raw).toString('latin1').normalize('NFC');
}

/**
 * Strict checks of a signature dictionary's /ByteRange and /Contents against the file, the defences
 * against universal signature forgery and signature wrapping: four non-negative integers, the first
 * offset 0, the one gap exactly the dictionary's own /Contents hex string with its angle brackets,
 * everything inside the file.
 */
import type { Finding } from '../../domain/types.js';
import { DETAIL, signatureFindings } from './findings.js';
import { MAX_CONTENTS_HEX, type RawSignature } from './scan.js';

export type ByteRange = [number, number, number, number];

/** A signature whose structure holds: its range and the DER bytes of its CMS. */
export interface SoundSignature {
  byteRange: ByteRange;
  der: Uint8Array;
}

/** Checks one signature dictionary; gives its range and CMS bytes, or the finding that refuses it. */
export function checkStructure(
  raw: RawSignature,
  index: number,
  bytes: Uint8Array,
): { sound: SoundSignature } | { finding: Finding; byteRange: ByteRange | null } {
  const byteRange = asByteRange(raw);
  const contents = raw.contents;
  if (contents === null || (contents.kind === 'hex' && contents.hexDigits === 0)) return { finding: signatureFindings.empty(index), byteRange };
  if (contents.kind !== 'hex') return { finding: signatureFindings.byteRangeInvalid(index, DETAIL.contentsNotHex), byteRange };
  if (contents.hexDigits > MAX_CONTENTS_HEX) return { finding: signatureFindings.tooLarge(index), byteRange };
  const rangeProblem = byteRangeProblem(raw, byteRange, bytes.length);
  if (rangeProblem !== null) return { finding: signatureFindings.byteRangeInvalid(index, rangeProblem), byteRange };
  const range = byteRange!;
  if (range[1] !== contents.start || range[2] !== contents.end) return { finding: signatureFindings.byteRangeInvalid(index, DETAIL.gapNotContents), byteRange };
  const der = decodeContents(bytes, contents.start + 1, contents.end - 1);
  if (der === null) return { finding: signatureFindings.byteRangeInvalid(index, DETAIL.contentsNotHex), byteRange };
  if (der.every((b) => b === 0)) return { finding: signatureFindings.empty(index), byteRange };
  return { sound: { byteRange: range, der } };
}

/** The four entries when they are four integers (in the scanner's strict sense), else null. */
function asByteRange(raw: RawSignature): ByteRange | null {
  const items = raw.byteRange;
  if (items === null || raw.byteRangeLength !== 4 || items.length !== 4) return null;
  if (!items.every((n): n is number => n !== null && Number.isSafeInteger(n) && n >= 0)) return null;
  return [items[0]!, items[1]!, items[2]!, items[3]!];
}

function byteRangeProblem(raw: RawSignature, range: ByteRange | null, fileLength: number): string | null {
  if (raw.byteRange === null) return DETAIL.missingByteRange;
  if (range === null) return DETAIL.notFourIntegers;
  const [start, length1, offset2, length2] = range;
  if (start !== 0) return DETAIL.notFromStart;
  if (length1 > offset2 || offset2 + length2 > fileLength) return DETAIL.outsideFile;
  return null;
}

/** Hex digits between the brackets (whitespace allowed) as bytes; null on any other character. */
function decodeContents(bytes: Uint8Array, start: number, end: number): Uint8Array | null {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start)
    .toString('latin1')
    .replace(/[\0\t\n\f\r ]+/g, '');
  if (!/^[0-9A-Fa-f]*$/.test(text)) return null;
  return new Uint8Array(Buffer.from(text.length % 2 === 0 ? text : `${text}0`, 'hex'));
}

/** The bytes a byte range signs, in order. */
export function signedBytes(bytes: Uint8Array, [, length1, offset2, length2]: ByteRange): Uint8Array {
  const out = new Uint8Array(length1 + length2);
  out.set(bytes.subarray(0, length1), 0);
  out.set(bytes.subarray(offset2, offset2 + length2), length1);
  return out;
}

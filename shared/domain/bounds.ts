import type { Finding } from './types.js';

/**
 * Bounds on what a record keeps of a unit's file, so that every stored item stays far below
 * DynamoDB's 400 KB limit whatever the file holds. The original file stays in S3 untouched; the
 * record keeps excerpts, the form's known codes, and a capped list of findings.
 */
export const RECORD_BOUNDS = Object.freeze({
  /** Characters of the user's text quoted in a finding. */
  excerptChars: 80,
  /** Characters of one finding's message. */
  messageChars: 600,
  /** Findings kept per record; the last one says how many more there were. */
  maxFindings: 100,
  /** Characters of one narrative section kept for the roll-up (about four typed pages). */
  narrativeChars: 10_000,
  /** Unknown codes named in the one finding that lists them. */
  namedUnknown: 5,
});

/** The user's text fit to quote: NFC, control characters shown as spaces, at most `max` characters. */
export function excerpt(text: string, max: number = RECORD_BOUNDS.excerptChars): string {
  // Cut before normalising, so that a huge string costs only the excerpt.
  const head = text.length > max * 4 ? text.slice(0, max * 4) : text;
  const clean = head.normalize('NFC').replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, ' ');
  const chars = [...clean];
  return chars.length > max || head.length < text.length ? `${chars.slice(0, max - 1).join('')}…` : clean;
}

/** Text cut to at most `max` characters (line breaks kept), ending in "…" when it was cut. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${[...text.slice(0, max + 1)].slice(0, max - 1).join('')}…`;
}

/** Vietnamese number with dot thousands separators. */
function vn(n: number): string {
  return n.toLocaleString('vi-VN');
}

/**
 * The findings a record keeps: each message and indicator bounded, at most `max` in all, the last
 * saying "… và N lỗi khác" (counting errors and warnings dropped) so that nobody thinks the list is whole.
 */
export function capFindings(findings: readonly Finding[], max: number = RECORD_BOUNDS.maxFindings): Finding[] {
  const bounded = (f: Finding): Finding => ({
    ...f,
    indicator: f.indicator === null ? null : excerpt(f.indicator, 40),
    sheet: f.sheet === null ? null : excerpt(f.sheet, 40),
    cell: f.cell === null ? null : excerpt(f.cell, 20),
    message: f.message.length > RECORD_BOUNDS.messageChars ? excerpt(f.message, RECORD_BOUNDS.messageChars) : f.message,
  });
  if (findings.length <= max) return findings.map(bounded);
  const kept = findings.slice(0, max - 1).map(bounded);
  const dropped = findings.slice(max - 1);
  const errors = dropped.filter((f) => f.severity === 'error').length;
  const warnings = dropped.length - errors;
  const parts = [errors > 0 ? `${vn(errors)} lỗi` : '', warnings > 0 ? `${vn(warnings)} cảnh báo` : ''].filter(Boolean).join(' và ');
  kept.push({
    code: 'MORE_FINDINGS',
    severity: errors > 0 ? 'error' : 'warning',
    sheet: null,
    cell: null,
    indicator: null,
    message: `… và ${parts} khác. Hãy sửa các lỗi đã nêu ở trên rồi tải lên lại để xem các lỗi còn lại.`,
  });
  return kept;
}

/** "a", "b", "c" và 17 mã khác — a bounded list of codes the form does not know. */
export function namedList(codes: readonly string[], max: number = RECORD_BOUNDS.namedUnknown): string {
  const named = codes
    .slice(0, max)
    .map((c) => `"${excerpt(c, 30)}"`)
    .join(', ');
  return codes.length > max ? `${named} và ${vn(codes.length - max)} mã khác` : named;
}

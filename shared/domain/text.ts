/** Text rules: everything compared and stored is NFC, trimmed, with invisible characters removed. */

const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;

/** NFC-normalises, drops zero-width characters, turns non-breaking spaces into spaces and trims. */
export function normalizeText(s: string): string {
  return s.normalize('NFC').replace(INVISIBLE, '').replace(/\u00A0/g, ' ').trim();
}

/** Like normalizeText, but an empty result is null ("not filled"). */
export function normalizeOptional(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  const t = normalizeText(s);
  return t === '' ? null : t;
}

/** True when the text contains characters people cannot see (zero-width, non-breaking, soft hyphen). */
export function hasInvisible(s: string): boolean {
  return /[\u200B-\u200D\u2060\uFEFF\u00AD\u00A0]/.test(s);
}

/** A file name fit to show: NFC, no path, no control characters, at most 120 characters. */
export function displayFileName(name: string): string {
  const base = name.normalize('NFC').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001F\u007F]/g, '').replace(INVISIBLE, '').trim();
  const short = [...clean].length > 120 ? [...clean].slice(0, 117).join('') + '…' : clean;
  return short === '' || short === '.' || short === '..' ? 'tep-khong-ten' : short;
}

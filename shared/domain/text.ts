/** Text rules: everything compared and stored is NFC, trimmed, with invisible characters removed. */

const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;

/** NFC-normalises, drops zero-width characters, turns non-breaking spaces into spaces and trims. */
export function normalizeText(s: string): string {
  return s
    .normalize('NFC')
    .replace(INVISIBLE, '')
    .replace(/\u00A0/g, ' ')
    .trim();
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

/**
 * Characters that change how a name is shown without being seen: C0 and C1 controls, bidi embeddings,
 * overrides and isolates (U+202A–202E, U+2066–2069: "…exe.json" shown for "…nosj.exe"), the bidi
 * marks U+200E/200F and U+061C, zero-width characters and joiners, invisible operators, BOM, soft
 * hyphen, the Mongolian vowel separator.
 */
const UNSHOWABLE = /[\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;

/** A file name fit to show: NFC, no path, no control or invisible characters, at most 120 characters. */
export function displayFileName(name: string): string {
  const base = name.normalize('NFC').split(/[\\/]/).pop() ?? '';
  const clean = base.replace(UNSHOWABLE, '').trim();
  const short = [...clean].length > 120 ? `${[...clean].slice(0, 117).join('')}…` : clean;
  return short === '' || short === '.' || short === '..' ? 'tep-khong-ten' : short;
}

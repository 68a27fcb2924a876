/**
 * Comparing a person's name in a certificate with a name written elsewhere (a roster, the form).
 * Vietnamese names differ by diacritics ("Lê" and "Lễ" are different names), so an equality that holds
 * only once the diacritics are removed is reported apart: the caller may accept it with a warning
 * (certificates issued without diacritics exist), never silently.
 */

/** `match`: same name with its diacritics; `match-without-diacritics`: equal only without them. */
export type NameComparison = 'match' | 'match-without-diacritics' | 'different';

/** NFC, trimmed, inner whitespace collapsed, lower case. */
function canonical(name: string): string {
  return name.normalize('NFC').replace(/\s+/gu, ' ').trim().toLocaleLowerCase('vi');
}

/** Without combining marks, and đ as d. */
function withoutDiacritics(name: string): string {
  return canonical(name).normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').normalize('NFC');
}

/** Compares two names NFC and case-insensitively, telling an exact match from one without diacritics. */
export function sameName(a: string, b: string): NameComparison {
  const left = canonical(a);
  const right = canonical(b);
  if (left.length === 0 || right.length === 0) return 'different';
  if (left === right) return 'match';
  return withoutDiacritics(left) === withoutDiacritics(right) ? 'match-without-diacritics' : 'different';
}

import signingData from '../data/signing.json' with { type: 'json' };
import { normalizeText } from './text.js';
import type { SigningForm, Unit } from './types.js';
import { defaultUnits } from './units.js';

/**
 * Signing conventions (Nghị định 30/2020/NĐ-CP) and the letter's rule that periodic reports are signed
 * by the unit's leadership, as data (shared/data/signing.json) and a small grammar:
 *
 *   title := [authority] [principal] office [qualifier…] [organisation [province]]
 *
 * authority is TM. / KT. / Q. / TL. / TUQ. (or the words spelled out), office is the unit's head title or
 * its deputy ("Phó " + head title), a qualifier is "Thường trực" or "Phụ trách", and the organisation is
 * the unit's own name, its code, the initials of its name or a short form listed in the data. Text is
 * compared NFC, case-folded (vi), with punctuation and repeated spaces ignored and the two tone-mark
 * placements of "uỷ/ủy", "hoà/hòa" treated alike.
 *
 * A title typed entirely without diacritics ("Pho Giam doc") is read by its letters and accepted with a
 * warning: the office it names is unambiguous, refusing a legitimate report for a keyboard setting would
 * be wrong, but an administrative document must be written in Vietnamese with diacritics
 * (Nghị định 30/2020, Điều 7), so the official is told to correct it.
 */

interface SigningData {
  authorities: { code: SigningForm; words: string[]; leadership: boolean }[];
  deputyPrefix: string;
  genericHeads: string[];
  offices: string[];
  qualifiers: string[];
  abbreviations: { long: string; short: string }[];
  provinceSuffixes: string[];
  aliases: Record<string, string[]>;
}

const DATA = signingData as SigningData;

export const SIGNING_FORMS: { code: SigningForm; label: string }[] = [
  { code: 'none', label: 'Ký trực tiếp (người đứng đầu)' },
  { code: 'KT.', label: 'KT. (cấp phó ký thay người đứng đầu)' },
  { code: 'TM.', label: 'TM. (thay mặt tập thể UBND)' },
  { code: 'Q.', label: 'Q. (quyền người đứng đầu)' },
  { code: 'TL.', label: 'TL. (thừa lệnh)' },
  { code: 'TUQ.', label: 'TUQ. (thừa ủy quyền)' },
];

/** Old-style tone placement → the form used here ("uỷ" → "ủy"), applied after NFC and lower-casing. */
const TONE_PLACEMENT: [RegExp, string][] = [
  [/uỷ/g, 'ủy'],
  [/uý/g, 'úy'],
  [/uỳ/g, 'ùy'],
  [/uỵ/g, 'ụy'],
  [/uỹ/g, 'ũy'],
  [/oà/g, 'òa'],
  [/oá/g, 'óa'],
  [/oả/g, 'ỏa'],
  [/oã/g, 'õa'],
  [/oạ/g, 'ọa'],
];

/** Lower-cased, NFC, tone placement unified, punctuation as spaces, single spaces. */
function words(s: string): string {
  let t = normalizeText(s).toLocaleLowerCase('vi');
  for (const [re, to] of TONE_PLACEMENT) t = t.replace(re, to);
  return t
    .replace(/[.,;:()[\]"'“”‘’/\\&+–—-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Without diacritics ("đ" → "d"), for titles typed without them. */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').normalize('NFC');
}

/** True when the text has letters and none of them carries a Vietnamese diacritic. */
function withoutDiacritics(s: string): boolean {
  return /[a-z]/i.test(s) && fold(s.toLocaleLowerCase('vi')) === s.toLocaleLowerCase('vi');
}

function abbreviate(s: string): string {
  let t = ` ${s} `;
  for (const a of DATA.abbreviations) t = t.split(` ${a.long} `).join(` ${a.short} `);
  return t.trim();
}

/** The comparison key of a phrase: words, abbreviations, optionally without diacritics. */
function keyOf(s: string, ascii: boolean): string {
  const k = abbreviate(words(s));
  return ascii ? fold(k) : k;
}

function stripProvince(k: string, ascii: boolean): string {
  for (const suffix of DATA.provinceSuffixes) {
    const sk = keyOf(suffix, ascii);
    if (k === sk) return '';
    if (k.endsWith(` ${sk}`)) return k.slice(0, -sk.length - 1);
  }
  return k;
}

/** Reads a signing form from its code, its template label or its words; null when it is none of them. */
export function parseSigningForm(raw: string | null): SigningForm | null {
  if (raw === null) return null;
  const t = normalizeText(raw).toUpperCase();
  if (t === '') return null;
  for (const f of SIGNING_FORMS) {
    if (t === f.code.toUpperCase() || t === f.label.toUpperCase()) return f.code;
  }
  const prefix = /^(KT|TM|Q|TL|TUQ)\.?(\s|$|\()/.exec(t);
  if (prefix) return `${prefix[1]}.` as SigningForm;
  const w = words(raw);
  const ascii = withoutDiacritics(w);
  const k = ascii ? fold(w) : w;
  for (const a of DATA.authorities) {
    if (a.words.some((x) => (ascii ? fold(x) : x) === k)) return a.code;
  }
  return null;
}

/** The deputy title of a head title ("Giám đốc" → "Phó Giám đốc"). */
export function deputyTitle(headTitle: string): string {
  return `${DATA.deputyPrefix} ${headTitle}`;
}

/** What a signer's title says, read by the grammar. */
export interface ParsedTitle {
  /** Authority word written in the title itself ("KT. Giám đốc / Phó Giám đốc"), if any. */
  authority: SigningForm | null;
  /** The signer's office as written, canonical spelling when known ("Phó Chủ tịch"), or null. */
  office: string | null;
  /** 'head' / 'deputy' of this unit, or 'other' (another office, or none found). */
  rank: 'head' | 'deputy' | 'other';
  qualifiers: string[];
  /** The organisation written after the office, as written (normalised words), or ''. */
  organisation: string;
  /** Whose organisation that is: this unit, another unit (its code), or not recognised. */
  organisationOf: { kind: 'none' } | { kind: 'own' } | { kind: 'other'; unitCode: string } | { kind: 'unknown' };
  /** Text between the authority word and the office that is not a principal's title. */
  leftover: string;
  /** Typed without any diacritic. */
  ascii: boolean;
}

interface OfficePhrase {
  key: string;
  canonical: string;
  rank: 'head' | 'deputy' | 'other';
}

function officePhrases(unit: Unit, ascii: boolean): OfficePhrase[] {
  const head = keyOf(unit.headTitle, ascii);
  const list: OfficePhrase[] = [];
  const add = (title: string): void => {
    const k = keyOf(title, ascii);
    const generic = DATA.genericHeads.some((g) => keyOf(g, ascii) === k);
    list.push({ key: k, canonical: title, rank: k === head || generic ? 'head' : 'other' });
    const d = deputyTitle(title);
    list.push({ key: keyOf(d, ascii), canonical: d, rank: k === head || generic ? 'deputy' : 'other' });
  };
  for (const o of new Set([unit.headTitle, ...DATA.offices])) add(o);
  return list;
}

/** Every name a unit is written by after a title, as comparison keys. */
function aliasKeys(unit: Unit, ascii: boolean): string[] {
  const name = keyOf(unit.name, ascii);
  const initials = words(unit.name)
    .split(' ')
    .filter((w) => w !== 'và' && w !== '-')
    .map((w) => [...w][0])
    .join('');
  const keys = [
    name,
    stripProvince(name, ascii),
    unit.code.toLowerCase(),
    ascii ? fold(initials) : initials,
    fold(initials),
    ...(DATA.aliases[unit.code] ?? []).map((a) => keyOf(a, ascii)),
  ];
  return [...new Set(keys.filter((k) => k !== ''))];
}

/** Finds the signer's office: the last office phrase in the title not inside a longer one. */
function findOffice(t: string, phrases: OfficePhrase[]): { at: number; end: number; phrase: OfficePhrase } | null {
  const hits: { at: number; end: number; phrase: OfficePhrase }[] = [];
  const padded = ` ${t} `;
  for (const p of phrases) {
    let from = 0;
    for (;;) {
      const i = padded.indexOf(` ${p.key} `, from);
      if (i < 0) break;
      hits.push({ at: i, end: i + p.key.length, phrase: p });
      from = i + 1;
    }
  }
  const outer = hits.filter((h) => !hits.some((o) => o !== h && o.at <= h.at && o.end >= h.end && o.end - o.at > h.end - h.at));
  outer.sort((a, b) => a.at - b.at || b.end - a.end);
  return outer.at(-1) ?? null;
}

/** Reads a signer's title by the grammar, for the unit it is signed for. */
export function parseSignerTitle(unit: Unit, title: string, units: readonly Unit[] = defaultUnits): ParsedTitle {
  const w = words(title);
  const ascii = withoutDiacritics(w);
  let t = abbreviate(ascii ? fold(w) : w);

  let authority: SigningForm | null = null;
  let longest = 0;
  for (const a of DATA.authorities) {
    if (a.code === 'none') continue;
    for (const word of a.words) {
      const k = ascii ? fold(word) : word;
      if ((t === k || t.startsWith(`${k} `)) && k.length > longest) {
        authority = a.code;
        longest = k.length;
      }
    }
  }
  if (authority) t = t.slice(longest).trim();

  const phrases = officePhrases(unit, ascii);
  const found = findOffice(t, phrases);
  if (!found) {
    return { authority, office: null, rank: 'other', qualifiers: [], organisation: '', organisationOf: { kind: 'none' }, leftover: t, ascii };
  }
  const before = t.slice(0, Math.max(0, found.at - 1)).trim();
  let rest = t.slice(found.end).trim();
  const qualifiers: string[] = [];
  for (let again = true; again; ) {
    again = false;
    for (const q of DATA.qualifiers) {
      const k = keyOf(q, ascii);
      if (rest === k || rest.startsWith(`${k} `)) {
        qualifiers.push(q);
        rest = rest.slice(k.length).trim();
        again = true;
      }
    }
  }
  // Text before the office is the principal of "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC" or "TM. UBND / CHỦ TỊCH".
  const principalOk =
    before === '' ||
    (authority !== null && (findOffice(before, phrases) !== null || before.startsWith('ubnd') || before.startsWith(keyOf('ủy ban nhân dân', ascii))));
  return {
    authority,
    office: found.phrase.canonical,
    rank: found.phrase.rank,
    qualifiers,
    organisation: rest,
    organisationOf: organisationOf(rest, unit, units, ascii),
    leftover: principalOk ? '' : before,
    ascii,
  };
}

function organisationOf(org: string, unit: Unit, units: readonly Unit[], ascii: boolean): ParsedTitle['organisationOf'] {
  if (org === '') return { kind: 'none' };
  const own = new Set(aliasKeys(unit, ascii));
  const counts = new Map<string, number>();
  const byUnit = units.map((u) => ({ u, keys: aliasKeys(u, ascii) }));
  for (const { keys } of byUnit) for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  const other = (k: string): string | null => byUnit.find(({ u, keys }) => u.code !== unit.code && keys.includes(k) && counts.get(k) === 1)?.u.code ?? null;
  const stripped = stripProvince(org, ascii);
  for (const k of [org, stripped]) {
    if (k === '' || own.has(k)) return { kind: 'own' };
    const code = other(k);
    if (code) return { kind: 'other', unitCode: code };
  }
  return { kind: 'unknown' };
}

/** One problem (or remark) about the signer, with the field of the signing sheet it concerns. */
export interface SignerFinding {
  code:
    | 'SIGNER_NOT_LEADERSHIP'
    | 'SIGNER_WRONG_UNIT'
    | 'SIGNING_FORM_CONFLICT'
    | 'SIGNER_TITLE_UNCLEAR'
    | 'SIGNER_TITLE_NO_DIACRITICS'
    | 'SIGNING_FORM_UNUSUAL';
  severity: 'error' | 'warning';
  field: 'signingForm' | 'signerTitle';
  message: string;
}

const FORM_WORDS: Record<SigningForm, string> = {
  none: 'ký trực tiếp',
  'KT.': '"KT." (ký thay)',
  'TM.': '"TM." (thay mặt)',
  'Q.': '"Q." (quyền)',
  'TL.': '"TL." (thừa lệnh)',
  'TUQ.': '"TUQ." (thừa ủy quyền)',
};

/**
 * Checks that a signer is the unit's leadership as the letter requires, by the authority word and the
 * office: the head signing directly, a deputy signing "KT.", an acting head "Q.", and for a people's
 * committee (a collective body) "TM." over the chairman or a vice-chairman. "TL." and "TUQ." are not the
 * leadership signing and are refused; so are other offices and another unit's leadership. Returns the
 * findings (errors and warnings) in Vietnamese; none means the signer is right.
 */
export function checkSigner(unit: Unit, form: SigningForm, title: string, units: readonly Unit[] = defaultUnits): SignerFinding[] {
  const head = unit.headTitle;
  const deputy = deputyTitle(unit.headTitle);
  const out: SignerFinding[] = [];
  const shown = normalizeText(title).replace(/\s+/g, ' ');
  const p = parseSignerTitle(unit, title, units);
  const refuse = (field: SignerFinding['field'], message: string, code: SignerFinding['code'] = 'SIGNER_NOT_LEADERSHIP'): SignerFinding[] => [
    ...out,
    { code, severity: 'error', field, message },
  ];
  const must = `Báo cáo phải do ${head} ${unit.name} ký trực tiếp${unit.kind === 'district' ? ` (hoặc "TM. Ủy ban nhân dân")` : ''}, hoặc ${deputy} ký "KT.".`;

  // A people's committee's block reads "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH": TM. and KT. go together.
  const together = unit.kind === 'district' && new Set([form, p.authority]).size === 2 && [form, p.authority].every((x) => x === 'TM.' || x === 'KT.');
  if (p.authority && p.authority !== form && !together) {
    const msg =
      form === 'none'
        ? `Chức vụ người ký "${shown}" ghi hình thức ${FORM_WORDS[p.authority]}, nhưng ô hình thức ký chọn "ký trực tiếp". Chọn hình thức ký ${FORM_WORDS[p.authority]} cho khớp với chữ ký trên văn bản.`
        : `Hình thức ký chọn ${FORM_WORDS[form]}, nhưng chức vụ người ký "${shown}" ghi ${FORM_WORDS[p.authority]}. Hai ô phải khớp với chữ ký trên văn bản.`;
    return refuse('signingForm', msg, 'SIGNING_FORM_CONFLICT');
  }
  if (form === 'TL.' || form === 'TUQ.') {
    const what = form === 'TL.' ? 'thừa lệnh' : 'thừa ủy quyền';
    return refuse(
      'signingForm',
      `Hình thức "${form}" (${what}) là người được giao ký thay mặt người đứng đầu, không phải lãnh đạo đơn vị ký ban hành (Nghị định 30/2020/NĐ-CP). ${must}`,
    );
  }
  if (p.ascii) {
    out.push({
      code: 'SIGNER_TITLE_NO_DIACRITICS',
      severity: 'warning',
      field: 'signerTitle',
      message: `Chức vụ người ký "${shown}" được viết không dấu. Văn bản hành chính phải viết bằng tiếng Việt có dấu; sửa thành "${p.office ?? head}${p.organisation ? ` ${unit.name}` : ''}".`,
    });
  }
  if (!p.office) {
    return refuse('signerTitle', `Chức vụ "${shown}" không có chức danh lãnh đạo của ${unit.name}. ${must}`);
  }
  if (p.organisationOf.kind === 'other') {
    const other = units.find((u) => u.code === (p.organisationOf as { unitCode: string }).unitCode)!;
    return refuse(
      'signerTitle',
      `Chức vụ "${shown}" là chức vụ của ${other.name}, không phải của ${unit.name}. Báo cáo của ${unit.name} phải do lãnh đạo của chính đơn vị ký (${head} hoặc ${deputy} ${unit.name}).`,
      'SIGNER_WRONG_UNIT',
    );
  }
  if (p.rank === 'other') {
    return refuse('signerTitle', `Chức vụ "${p.office}" không phải lãnh đạo của ${unit.name}. ${must}`);
  }
  const office = p.office;
  switch (form) {
    case 'TM.':
      if (unit.kind !== 'district') {
        return refuse(
          'signingForm',
          `"TM." (thay mặt) chỉ dùng cho tập thể lãnh đạo như Ủy ban nhân dân; ${unit.name} làm việc theo chế độ thủ trưởng nên ${head} ký trực tiếp, hoặc ${deputy} ký "KT.".`,
        );
      }
      break;
    case 'KT.':
      if (p.rank === 'head') return refuse('signingForm', `${office} ký trực tiếp, không ghi "KT."; "KT." (ký thay) dành cho ${deputy}.`);
      break;
    case 'Q.':
      break;
    case 'none':
      if (p.rank === 'deputy')
        return refuse('signingForm', `${office} ký thay người đứng đầu phải ghi "KT. ${head.toLocaleUpperCase('vi')}" (chọn hình thức ký "KT.").`);
      if (unit.kind === 'district') {
        out.push({
          code: 'SIGNING_FORM_UNUSUAL',
          severity: 'warning',
          field: 'signingForm',
          message: 'Văn bản của UBND thường ký "TM. Ủy ban nhân dân"; kiểm tra lại hình thức ký.',
        });
      }
      break;
  }
  if (p.organisationOf.kind === 'unknown') {
    out.push({
      code: 'SIGNER_TITLE_UNCLEAR',
      severity: 'warning',
      field: 'signerTitle',
      message: `Sau chức vụ "${office}" có "${p.organisation}", không phải tên ${unit.name} hay tên viết tắt của đơn vị. Kiểm tra lại; ví dụ ghi "${office} ${unit.name}".`,
    });
  } else if (p.leftover) {
    out.push({
      code: 'SIGNER_TITLE_UNCLEAR',
      severity: 'warning',
      field: 'signerTitle',
      message: `Chức vụ người ký có phần "${p.leftover}" trước chức vụ "${office}" mà hệ thống không hiểu. Kiểm tra lại; ví dụ ghi "${office} ${unit.name}".`,
    });
  }
  return out;
}

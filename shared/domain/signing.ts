import { normalizeText } from './text.js';
import type { SigningForm, Unit } from './types.js';

/**
 * Signing conventions (Nghị định 30/2020/NĐ-CP) and the letter's rule that periodic reports are signed
 * by the unit's leadership.
 */

export const SIGNING_FORMS: { code: SigningForm; label: string }[] = [
  { code: 'none', label: 'Ký trực tiếp (người đứng đầu)' },
  { code: 'KT.', label: 'KT. (cấp phó ký thay người đứng đầu)' },
  { code: 'TM.', label: 'TM. (thay mặt tập thể UBND)' },
  { code: 'Q.', label: 'Q. (quyền người đứng đầu)' },
  { code: 'TL.', label: 'TL. (thừa lệnh)' },
  { code: 'TUQ.', label: 'TUQ. (thừa ủy quyền)' },
];

/** Reads a signing form from its code or its template label; null when it is none of them. */
export function parseSigningForm(raw: string | null): SigningForm | null {
  if (raw === null) return null;
  const t = normalizeText(raw).toUpperCase();
  if (t === '' ) return null;
  for (const f of SIGNING_FORMS) {
    if (t === f.code.toUpperCase() || t === f.label.toUpperCase()) return f.code;
  }
  if (t === 'NONE' || t === 'KÝ TRỰC TIẾP') return 'none';
  const prefix = /^(KT|TM|Q|TL|TUQ)\.?(\s|$|\()/.exec(t);
  if (prefix) return `${prefix[1]}.` as SigningForm;
  return null;
}

function lower(s: string): string {
  return normalizeText(s).toLocaleLowerCase('vi');
}

/** The deputy title of a head title ("Giám đốc" → "Phó Giám đốc"). */
export function deputyTitle(headTitle: string): string {
  return `Phó ${headTitle}`;
}

export type SignerCheck = { ok: true; warning?: string } | { ok: false; reason: string };

/**
 * Checks that a signer is the unit's leadership as the letter requires: the head signing directly,
 * a deputy signing "KT.", an acting head "Q.", and for a people's committee "TM." over the chairman or a
 * vice-chairman. "TL.", "TUQ." and any other title are refused with the reason.
 */
export function checkSigner(unit: Unit, form: SigningForm, title: string): SignerCheck {
  const head = lower(unit.headTitle);
  const deputy = lower(deputyTitle(unit.headTitle));
  const t = lower(title).replace(/\s+/g, ' ');
  const isHead = t === head;
  const isDeputy = t === deputy;
  const headName = unit.headTitle;
  const deputyName = deputyTitle(unit.headTitle);
  switch (form) {
    case 'TL.':
      return { ok: false, reason: `Hình thức "TL." (thừa lệnh) không phải lãnh đạo đơn vị ký. Báo cáo phải do ${headName} ký, hoặc ${deputyName} ký "KT."` };
    case 'TUQ.':
      return { ok: false, reason: `Hình thức "TUQ." (thừa ủy quyền) không phải lãnh đạo đơn vị ký. Báo cáo phải do ${headName} ký, hoặc ${deputyName} ký "KT."` };
    case 'TM.':
      if (unit.kind !== 'district') {
        return { ok: false, reason: `"TM." chỉ dùng cho tập thể (UBND). ${unit.name} ký trực tiếp (${headName}) hoặc "KT." (${deputyName}).` };
      }
      if (isHead || isDeputy) return { ok: true };
      return { ok: false, reason: `Ký "TM. Ủy ban nhân dân" phải là Chủ tịch hoặc Phó Chủ tịch UBND; chức vụ "${title}" không phải lãnh đạo UBND.` };
    case 'KT.':
      if (isDeputy) return { ok: true };
      if (isHead) return { ok: false, reason: `${headName} ký trực tiếp, không ký "KT."; "KT." dành cho ${deputyName}.` };
      return { ok: false, reason: `Ký "KT." phải là ${deputyName}; chức vụ "${title}" không phải lãnh đạo đơn vị.` };
    case 'Q.':
      if (isHead || isDeputy) return { ok: true };
      return { ok: false, reason: `Ký "Q." phải là người được giao quyền ${headName}; chức vụ "${title}" không phải lãnh đạo đơn vị.` };
    case 'none':
      if (isHead) {
        return unit.kind === 'district'
          ? { ok: true, warning: 'Văn bản của UBND thường ký "TM. Ủy ban nhân dân"; kiểm tra lại hình thức ký.' }
          : { ok: true };
      }
      if (isDeputy) return { ok: false, reason: `${deputyName} ký thay người đứng đầu phải ghi "KT.".` };
      return { ok: false, reason: `Chức vụ "${title}" không phải lãnh đạo đơn vị. Báo cáo phải do ${headName} ký, hoặc ${deputyName} ký "KT."` };
  }
}

import rosterData from '../data/leadership.json' with { type: 'json' };
import { formatDateVi } from './dates.js';
import { parseSignerTitle } from './signing.js';
import { normalizeText } from './text.js';
import type { Finding, IsoDate, Unit } from './types.js';
import { defaultUnits } from './units.js';

/**
 * Who leads each reporting unit, and when: the roster a digital signature (chữ ký số) is checked
 * against. Data in shared/data/leadership.json (demo names until the province supplies its own).
 */

export interface LeaderTerm {
  unit: string;
  name: string;
  /** The office as written in documents ("Giám đốc", "Phó Chủ tịch"). */
  office: string;
  role: 'head' | 'deputy';
  /** First day in office (inclusive, Vietnam time). */
  from: IsoDate;
  /** Last day in office (inclusive); absent while still in office. */
  to?: IsoDate;
}

export const defaultRoster: readonly LeaderTerm[] = Object.freeze((rosterData as { leaders: LeaderTerm[] }).leaders);

/** The unit's leaders in office on `date`. */
export function leadersOn(unitCode: string, date: IsoDate, roster: readonly LeaderTerm[] = defaultRoster): LeaderTerm[] {
  return roster.filter((l) => l.unit === unitCode && l.from <= date && (l.to === undefined || date <= l.to));
}

/** How two personal or organisation names compare. */
export type NameMatch = 'exact' | 'without-diacritics' | 'different';

/** Lower case (Vietnamese rules), NFC, single spaces. */
function nameKey(s: string): string {
  return normalizeText(s).toLocaleLowerCase('vi').replace(/\s+/g, ' ').trim();
}

/** Without diacritics ("đ" → "d"). */
function foldDiacritics(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').normalize('NFC');
}

/**
 * Compares names NFC, case-insensitive and diacritic-aware: "exact" when they are the same words with
 * the same marks, "without-diacritics" when they are the same only once the marks are dropped (one
 * was typed without them, or with other marks: a different name is possible, so the caller warns),
 * else "different".
 */
export function compareNames(a: string, b: string): NameMatch {
  const ka = nameKey(a);
  const kb = nameKey(b);
  if (ka === '' || kb === '') return 'different';
  if (ka === kb) return 'exact';
  return foldDiacritics(ka) === foldDiacritics(kb) ? 'without-diacritics' : 'different';
}

/** Who a signature names: from the signer certificate (CN, title, O) or from the workbook's signer block. */
export interface SignerIdentity {
  name: string | null;
  title: string | null;
  organization: string | null;
}

export interface LeaderMatch {
  /** The roster entry the signer is, on the signing date; null when none. */
  leader: LeaderTerm | null;
  findings: Finding[];
}

function finding(code: string, severity: 'error' | 'warning', message: string): Finding {
  return { code, severity, sheet: null, cell: null, indicator: null, message };
}

/** The leader (if any) whose name is the signer's, with how the names compared. */
function findByName(name: string, leaders: LeaderTerm[]): { leader: LeaderTerm; match: NameMatch } | null {
  const ranked = leaders.map((l) => ({ leader: l, match: compareNames(name, l.name) })).filter((m) => m.match !== 'different');
  return ranked.find((m) => m.match === 'exact') ?? ranked[0] ?? null;
}

/** Findings on the certificate's title: another office than the roster's, or another unit's leadership. */
function titleFindings(signer: SignerIdentity, leader: LeaderTerm, unit: Unit, units: readonly Unit[]): Finding[] {
  if (!signer.title) return [];
  const parsed = parseSignerTitle(unit, signer.title, units);
  if (parsed.rank === 'other' || (parsed.rank === 'deputy') !== (leader.role === 'deputy')) {
    return [
      finding(
        'PDF_SIGNER_TITLE_MISMATCH',
        'warning',
        `Chức danh trong chứng thư số ("${signer.title}") khác chức danh của ${leader.name} trong danh sách lãnh đạo (${leader.office}). Đề nghị kiểm tra lại người ký.`,
      ),
    ];
  }
  return [];
}

/**
 * Matches a signer against the unit's leadership on the signing date: the name must be one of the
 * leaders in office that day (NFC, case-insensitive; a match only without diacritics is a warning);
 * the certificate's title, when present, must be a head's or a deputy's of this unit.
 */
export function matchLeader(
  signer: SignerIdentity,
  unit: Unit,
  signedOn: IsoDate,
  roster: readonly LeaderTerm[] = defaultRoster,
  units: readonly Unit[] = defaultUnits,
): LeaderMatch {
  if (!signer.name) {
    return {
      leader: null,
      findings: [finding('PDF_SIGNER_UNNAMED', 'error', 'Chứng thư số của chữ ký không ghi họ tên người ký; báo cáo phải do lãnh đạo đơn vị ký số.')],
    };
  }
  const hit = findByName(signer.name, leadersOn(unit.code, signedOn, roster));
  if (!hit) {
    const everHeld = findByName(
      signer.name,
      roster.filter((l) => l.unit === unit.code),
    );
    const when = formatDateVi(signedOn);
    const message = everHeld
      ? `${signer.name} không giữ chức vụ lãnh đạo của ${unit.name} vào ngày ký ${when} (${everHeld.leader.office} từ ${formatDateVi(everHeld.leader.from)}${everHeld.leader.to ? ` đến ${formatDateVi(everHeld.leader.to)}` : ''}). Báo cáo phải do lãnh đạo đương nhiệm ký.`
      : `Người ký số "${signer.name}" không có trong danh sách lãnh đạo của ${unit.name} vào ngày ký ${when}. Báo cáo phải do lãnh đạo đơn vị (người đứng đầu hoặc cấp phó) ký ban hành; nếu danh sách lãnh đạo đã thay đổi, đề nghị báo Phòng Cải cách hành chính, Sở Nội vụ cập nhật.`;
    return { leader: null, findings: [finding('PDF_SIGNER_NOT_LEADER', 'error', message)] };
  }
  const findings: Finding[] = [];
  if (hit.match === 'without-diacritics') {
    findings.push(
      finding(
        'PDF_SIGNER_NAME_DIACRITICS',
        'warning',
        `Họ tên người ký trong chứng thư số ("${signer.name}") chỉ trùng với "${hit.leader.name}" khi bỏ dấu. Đề nghị kiểm tra lại người ký.`,
      ),
    );
  }
  findings.push(...titleFindings(signer, hit.leader, unit, units));
  return { leader: hit.leader, findings };
}

/**
 * Whether an organisation name (a certificate's O, or the organisation signature's CN) is the unit:
 * its name, with or without the province ("Sở Tư pháp tỉnh Thừa Thiên Huế"), or a known short form.
 */
export function organisationIsUnit(organisation: string | null, unit: Unit, units: readonly Unit[] = defaultUnits): boolean {
  if (!organisation) return false;
  // The signing grammar already knows every way a unit is written after a title.
  const parsed = parseSignerTitle(unit, `${unit.headTitle} ${organisation}`, units);
  return parsed.organisationOf.kind === 'own';
}

/** The workbook's typed signer (name) against the PDF's signer: the same person, or a finding. */
export function sameSigner(typedName: string | null, signedName: string | null): Finding[] {
  if (!typedName || !signedName) return [];
  const match = compareNames(typedName, signedName);
  if (match === 'exact') return [];
  if (match === 'without-diacritics') {
    return [
      finding('SIGNER_BLOCK_DIACRITICS', 'warning', `Người ký ghi trong biểu mẫu ("${typedName}") chỉ trùng với người ký số ("${signedName}") khi bỏ dấu.`),
    ];
  }
  return [
    finding(
      'SIGNER_BLOCK_MISMATCH',
      'error',
      `Người ký ghi trong biểu mẫu số liệu ("${typedName}") khác người đã ký số báo cáo ("${signedName}"). Hai tệp của một hồ sơ phải cùng một người ký: sửa phần người ký trong biểu mẫu, hoặc nộp báo cáo do đúng người đó ký số.`,
    ),
  ];
}

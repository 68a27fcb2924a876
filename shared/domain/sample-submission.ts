import { findPeriod, localDateOf } from './calendar.js';
import { applicableIndicators, applicableRelations, currentForm } from './forms.js';
import { deputyTitle } from './signing.js';
import { defaultRoster, type LeaderTerm, leadersOn } from './roster.js';
import type { IsoDate, Period, PlanTask, RawValue, Signature, Submission, Unit } from './types.js';
import type { TemplateFill } from '../documents/xlsx/index.js';
import { findUnit } from './units.js';

/**
 * Consistent, fully valid demo content for any unit and period: used by the demo, the local stack's
 * examples, the tests and the benchmark. Figures scale with `scale` so that roll-ups can be checked by
 * hand; every declared relation holds.
 */

const BASE: Record<string, number | boolean> = {
  'CD.KH.01': 20,
  'CD.KH.02': 12,
  'CD.KT.01': 5,
  'CD.KT.02': 8,
  'CD.KT.03': 6,
  'CD.TT.01': 15,
  'CD.KS.01': 1,
  'TC.01': 3,
  'TC.02': 10,
  'TC.03': 2,
  'TC.04': 1,
  'TC.05': 12,
  'TC.06': 3,
  'TC.07': 2,
  'TT.01': 150,
  'TT.01a': 100,
  'TT.01b': 50,
  'TT.02': 10,
  'TT.03': 20,
  'TT.04': 30,
  'TT.05': 40,
  'TT.HS.01': 1000,
  'TT.HS.02': 50,
  'TT.HS.03': 300,
  'TT.HS.04': 650,
  'TT.HS.05': 870,
  'TT.HS.06': 400,
  'TT.HS.07': 450,
  'TT.HS.08': 20,
  'TT.HS.09': 110,
  'TT.HS.10': 100,
  'TT.HS.11': 10,
  'TT.XL.01': 25,
  'TT.PA.01': 10,
  'TT.PA.02': 9,
  'BM.01': 8,
  'BM.02': 6,
  'BM.03': 0,
  'BM.04': 80,
  'BM.05': 75,
  'BM.06': 200,
  'BM.07': 190,
  'BM.08': 2,
  'CV.01': 6,
  'CV.02': 3,
  'CV.03': 5,
  'CV.04': 2,
  'CV.05': 120,
  'CV.06': 0,
  'CV.07': 300,
  'CV.08': 280,
  'TCC.01': 6,
  'TCC.02': 1,
  'TCC.03': 1,
  'TCC.04': 2,
  'TCC.05': 2,
  'TCC.06': 1,
  'TCC.07': 5000,
  'TCC.08': 3000,
  'DT.01': 2000,
  'DT.02': 1900,
  'DT.04': 50,
  'DT.05': 40,
  'DT.06': 300,
  'DT.07': 60,
  'DT.08a': true,
  'DT.08b': 25,
};

const NARRATIVE_TEXT: Record<string, string> = {
  to_chuc_thuc_hien:
    'Đơn vị đã ban hành kế hoạch CCHC, kế hoạch kiểm tra và kế hoạch tuyên truyền CCHC; tổ chức kiểm tra tại các phòng, đơn vị trực thuộc theo kế hoạch.',
  ket_qua: 'Các nhiệm vụ CCHC trên 6 lĩnh vực được triển khai đúng tiến độ; tỷ lệ hồ sơ giải quyết đúng hạn đạt cao; tỷ lệ văn bản điện tử tiếp tục tăng.',
  kho_khan: 'Hạ tầng công nghệ thông tin ở một số đơn vị chưa đồng bộ; tỷ lệ hồ sơ trực tuyến còn thấp so với chỉ tiêu.',
  kien_nghi: 'Đề nghị UBND tỉnh tiếp tục đầu tư hạ tầng, hỗ trợ kinh phí cho các nhiệm vụ chuyển đổi số.',
  muc_dich_yeu_cau: 'Triển khai đồng bộ, hiệu quả các nhiệm vụ CCHC năm; tập trung cải cách thủ tục hành chính và xây dựng chính quyền điện tử.',
  tinh_hinh_trien_khai: 'Đã tham mưu UBND tỉnh ban hành các văn bản chỉ đạo, hướng dẫn thuộc lĩnh vực được giao theo dõi.',
};

const PLAN_TASKS: [string, string, string][] = [
  ['the_che', 'Rà soát, hệ thống hóa văn bản quy phạm pháp luật thuộc lĩnh vực quản lý', 'Báo cáo kết quả rà soát'],
  ['thu_tuc_hanh_chinh', 'Rà soát, đơn giản hóa thủ tục hành chính', 'Phương án đơn giản hóa trình UBND tỉnh'],
  ['to_chuc_bo_may', 'Sắp xếp, kiện toàn các phòng, đơn vị trực thuộc', 'Quyết định kiện toàn tổ chức'],
  ['cong_vu', 'Rà soát, cập nhật đề án vị trí việc làm', 'Đề án vị trí việc làm được phê duyệt'],
  ['tai_chinh_cong', 'Thực hiện cơ chế tự chủ tài chính tại đơn vị sự nghiệp', 'Phương án tự chủ được phê duyệt'],
  ['chinh_phu_dien_tu', 'Tăng tỷ lệ văn bản điện tử có ký số', 'Trên 95% văn bản đi được ký số'],
];

export interface SampleOptions {
  /** Multiplier of every count (rates stay). */
  scale?: number;
  signerName?: string;
  /** Sign no later than this instant's date (Vietnam time), so the file is not dated after its receipt. */
  asOf?: Date;
  /** Vary the figures by unit (deterministically), so that a roll-up of many units looks like a real quarter. */
  varyByUnit?: boolean;
  /**
   * The leader typed in the signer block, as the signed report names them: the head signs directly (a
   * people's committee "TM."), a deputy "KT.". Without it: a deputy's title and `signerName`.
   */
  signer?: SampleSigner;
}

/** A leader as the sample's signer block writes them. */
export interface SampleSigner {
  name: string;
  office: string;
  role: 'head' | 'deputy';
}

function rosterHead(unitCode: string, date: IsoDate, roster: readonly LeaderTerm[] = defaultRoster): SampleSigner | undefined {
  const leaders = leadersOn(unitCode, date, roster);
  const leader = leaders.find((l) => l.role === 'head') ?? leaders[0];
  return leader && { name: leader.name, office: leader.office, role: leader.role };
}

/** The unit's head in office on `date` (else its first leader that day): who signs a sample report. */
export function sampleSigner(unitCode: string, date: IsoDate, roster: readonly LeaderTerm[] = defaultRoster): SampleSigner {
  const signer = rosterHead(unitCode, date, roster);
  if (!signer) throw new Error(`No leader of ${unitCode} in office on ${date} in the roster`);
  return signer;
}

function signatureOf(unit: Unit, options: SampleOptions, issueDate: IsoDate): Pick<Signature, 'signingForm' | 'signerTitle' | 'signerName'> {
  const isDistrict = unit.kind === 'district';
  const { signerName } = options;
  const signer = options.signer ?? (signerName === undefined ? rosterHead(unit.code, issueDate) : undefined);
  if (!signer) {
    return {
      signingForm: isDistrict ? 'TM.' : 'KT.',
      signerTitle: isDistrict ? unit.headTitle : deputyTitle(unit.headTitle),
      signerName: signerName ?? 'Nguyễn Văn An',
    };
  }
  return { signingForm: isDistrict ? 'TM.' : signer.role === 'head' ? 'none' : 'KT.', signerTitle: signer.office, signerName: signer.name };
}

/** A small deterministic number from a unit code (FNV-1a), the same on every run. */
function seedOf(code: string): number {
  let h = 0x811c9dc5;
  for (const ch of code) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/**
 * Shifts counts within the bounds the form's relations set (parts moved between each other so sums
 * stay, parts kept at or below their totals), so each unit reports its own plausible figures and
 * rates; the derived rates are recomputed from them afterwards.
 */
function varyFigures(values: Record<string, RawValue>, unitCode: string, scale: number): void {
  const i = seedOf(unitCode);
  const set = (code: string, v: number): void => {
    if (typeof values[code] === 'number') values[code] = v * scale;
  };
  set('CD.KH.02', 8 + (i % 11)); // ≤ CD.KH.01 (20)
  set('CD.KT.03', 3 + ((i >>> 3) % 6)); // ≤ CD.KT.02 (8)
  set('TC.02', 8 + ((i >>> 5) % 5)); // ≥ TC.03 (2)
  const d = (i >>> 7) % 60;
  set('TT.HS.06', 400 - d); // TT.HS.05 = 06 + 07 + 08 stays 870
  set('TT.HS.08', 20 + d);
  const e = ((i >>> 9) % 200) - 100;
  set('TT.HS.03', 300 + e); // TT.HS.01 = 02 + 03 + 04 stays 1000
  set('TT.HS.04', 650 - e);
  set('DT.06', 300 + e); // = TT.HS.03
  set('DT.02', 1900 - ((i >>> 11) % 400)); // ≤ DT.01 (2000)
  set('TT.PA.02', 6 + ((i >>> 13) % 5)); // ≤ TT.PA.01 (10)
  set('CV.08', 300 - ((i >>> 15) % 90)); // ≤ CV.07 (300)
  set('TCC.08', 2500 + ((i >>> 17) % 2400)); // ≤ TCC.07 (5000)
  set('BM.05', 60 + ((i >>> 19) % 21)); // ≤ BM.04 (80)
  set('BM.07', 150 + ((i >>> 21) % 51)); // ≤ BM.06 (200)
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Quarters a periodic report's figures accumulate (the 6-month report includes the first quarter, …). */
const QUARTERS_REACHED: Partial<Record<Period['type'], number>> = { Q1: 1, H1: 2, Q3: 3, YEAR: 4 };

/**
 * The demo's multiplier of a unit's figures for a period: a size of its own (1 to 3), one more from
 * the second year of the calendar on, times the quarters the report accumulates. So a 6-month report
 * is never below the first quarter it includes, and a year compares with the one before as growth
 * rather than as the same figures: the comparisons of the Word draft read as a real year would.
 */
export function demoScale(unitCode: string, period: Pick<Period, 'type' | 'year'>, firstYear = 2021): number {
  const size = 1 + ((unitCode.charCodeAt(0) + unitCode.length) % 3) + (period.year > firstYear ? 1 : 0);
  return size * (QUARTERS_REACHED[period.type] ?? 1);
}

/** A valid submission for the unit and period, as a unit that did its work would send it. */
export function sampleSubmission(unitCode: string, periodId: string, options: SampleOptions = {}): Submission {
  const unit: Unit = findUnit(unitCode);
  const period = findPeriod(periodId);
  const form = currentForm(period.kind);
  const scale = options.scale ?? 1;
  const values: Record<string, RawValue> = {};
  for (const ind of applicableIndicators(form, unit)) {
    const base = BASE[ind.code];
    if (typeof base === 'boolean') values[ind.code] = base ? 'Có' : 'Không';
    else if (typeof base === 'number') values[ind.code] = ind.valueType === 'count' ? base * scale : base * scale;
    else values[ind.code] = null;
  }
  if (options.varyByUnit) varyFigures(values, unit.code, scale);
  for (const r of applicableRelations(form, unit)) {
    if (r.type !== 'ratio') continue;
    const sum = (codes: string[]): number => codes.reduce((s, c) => s + Number(values[c] ?? 0), 0);
    const d = sum(r.denominator);
    values[r.target] = d === 0 ? null : round2((sum(r.numerator) / d) * 100);
  }
  const narratives: Record<string, string | null> = {};
  for (const n of form.narratives) narratives[n.code] = NARRATIVE_TEXT[n.code] ?? `Nội dung phần "${n.name}" của ${unit.name}.`;

  const tasks: PlanTask[] =
    period.kind === 'plan'
      ? PLAN_TASKS.map(([area, content, result], i) => ({
          area,
          content,
          expectedResult: result,
          deadline: `${period.year}-${String(3 + i).padStart(2, '0')}-30`,
          leadAgency: unit.name,
          coordinatingAgencies: 'Sở Nội vụ',
          resources: 'Kinh phí chi thường xuyên của đơn vị',
          row: null,
        }))
      : [];

  // Early enough to precede any receipt inside the due month, late enough to sit inside the data window.
  let issueDate = period.kind === 'plan' ? `${period.year}-01-04` : `${period.dueDate.slice(0, 8)}01`;
  // Never after the day it is made: a sample for a future period is signed today (before the period
  // starts, which the validator only warns about), so it is valid the moment it is made.
  if (options.asOf) {
    const today = localDateOf(options.asOf);
    if (today < issueDate) issueDate = today;
  }
  return {
    formId: form.id,
    formVersion: form.version,
    unitCode: unit.code,
    periodId: period.id,
    kind: period.kind,
    values,
    narratives,
    tasks,
    signature: {
      documentNumber: `${period.kind === 'plan' ? 12 : 145}/${period.kind === 'plan' ? 'KH' : 'BC'}-${unit.code}`,
      issueDate,
      ...signatureOf(unit, options, issueDate),
    },
  };
}

/** The content of a submission as a template fill (what an official types into the workbook). */
export function sampleFill(sub: Submission): TemplateFill {
  return { values: sub.values, narratives: sub.narratives, tasks: sub.tasks, signature: sub.signature };
}

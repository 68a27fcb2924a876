import { formatDateVi } from '../../domain/dates.js';
import type { Change, ComparisonBasis, EarlierReport, RollupComparison } from '../../domain/comparison.js';
import type { IndicatorTotal } from '../../domain/rollup.js';

/**
 * The Vietnamese wording of comparisons with earlier periods, for the workbook, the e-mail and the
 * Word draft: one place, so the three say the same. A missing earlier report is said, never 0 %.
 */

const NUM = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });
const PCT = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** The short name of a period inside a sentence: "quý I năm 2021" from "Báo cáo CCHC quý I năm 2021". */
export function periodPhrase(name: string): string {
  return name.replace(/^Báo cáo (chuyên đề )?CCHC /u, (_m, t: string | undefined) => (t ? 'báo cáo chuyên đề ' : '')).replace(/^Kế hoạch CCHC /u, 'kế hoạch ');
}

/** How a basis is named after "so với": "cùng kỳ năm trước (quý I năm 2021)", "quý I năm 2022". */
export function basisPhrase(report: EarlierReport): string {
  if (report.basis === 'lastYear') return 'cùng kỳ năm trước';
  return report.periodName ? periodPhrase(report.periodName) : 'kỳ trước';
}

/** Column heading of a basis in the workbook. */
export const BASIS_HEADINGS: Record<ComparisonBasis, string> = {
  previous: 'So với kỳ trước trong năm',
  lastYear: 'So với cùng kỳ năm trước',
};

/** What is said when a basis has no data. */
export function noDataPhrase(basis: ComparisonBasis): string {
  return basis === 'lastYear' ? 'chưa có số liệu cùng kỳ năm trước' : 'chưa có số liệu kỳ trước';
}

function value(v: number, rate: boolean): string {
  return rate ? `${NUM.format(v)}%` : NUM.format(v);
}

/**
 * A change as a clause of a sentence: "tăng 25,0% so với cùng kỳ năm trước (từ 40 lên 50)",
 * "giảm 2,5 điểm phần trăm so với quý I năm 2021 (từ 80% xuống 77,5%)", "chưa có số liệu kỳ trước".
 * Empty when the period has no such earlier period or the current figure is blank (nothing to say).
 */
export function changeClause(change: Change, report: EarlierReport, ind: Pick<IndicatorTotal, 'valueType'> = { valueType: 'count' }): string {
  const rate = ind.valueType === 'rate';
  const vs = `so với ${basisPhrase(report)}`;
  switch (change.kind) {
    case 'no-period':
      return '';
    case 'no-report':
      return noDataPhrase(report.basis);
    case 'no-data':
      return change.side === 'current' ? '' : `${basisPhrase(report)} chưa có số liệu chỉ tiêu này`;
    case 'percent':
      if (change.delta === 0) return `bằng ${vs.replace('so với ', '')} (${value(change.current, rate)})`;
      return `${change.delta > 0 ? 'tăng' : 'giảm'} ${PCT.format(Math.abs(change.percent))}% ${vs} (từ ${value(change.earlier, rate)} ${change.delta > 0 ? 'lên' : 'xuống'} ${value(change.current, rate)})`;
    case 'from-zero':
      return `tăng từ 0 lên ${value(change.current, rate)} ${vs}`;
    case 'points':
      if (change.delta === 0) return `không đổi ${vs} (${value(change.current, true)})`;
      return `${change.delta > 0 ? 'tăng' : 'giảm'} ${NUM.format(Math.abs(change.delta))} điểm phần trăm ${vs} (từ ${value(change.earlier, true)} ${change.delta > 0 ? 'lên' : 'xuống'} ${value(change.current, true)})`;
    case 'cumulative': {
      const of = `số liệu lũy kế, trong đó ${basisPhrase(report)}: ${value(change.earlier, rate)}`;
      // A cumulative figure below the period it includes is not a result to report: it needs checking.
      if (change.after !== null && change.after < 0) {
        return `thấp hơn số liệu ${basisPhrase(report)} (${value(change.earlier, rate)}) dù kỳ này bao gồm ${basisPhrase(report)}: đề nghị kiểm tra lại số liệu`;
      }
      if (change.after === null) return of;
      const since = report.dataWindow ? ` từ sau ngày ${formatDateVi(report.dataWindow.to)}` : '';
      return `${of}; phát sinh thêm${since}: ${value(change.after, rate)}`;
    }
  }
}

/** A change for a table cell: "+25,0%", "−2,5 điểm %", "Từ 0 lên 5", "Chưa có số liệu kỳ trước", "—". */
export function changeCell(change: Change, report: EarlierReport, ind: Pick<IndicatorTotal, 'valueType'> = { valueType: 'count' }): string {
  const sign = (n: number): string => (n > 0 ? '+' : '−');
  switch (change.kind) {
    case 'no-period':
      return 'Không có kỳ trước trong năm';
    case 'no-report':
      return capitalise(noDataPhrase(report.basis));
    case 'no-data':
      return change.side === 'current' ? '—' : 'Kỳ so sánh chưa có số liệu';
    case 'percent':
      if (change.delta === 0) return `Không đổi (${value(change.current, ind.valueType === 'rate')})`;
      return `${sign(change.delta)}${PCT.format(Math.abs(change.percent))}% (kỳ so sánh: ${value(change.earlier, ind.valueType === 'rate')})`;
    case 'from-zero':
      return `Từ 0 lên ${value(change.current, ind.valueType === 'rate')}`;
    case 'points':
      if (change.delta === 0) return `Không đổi (${value(change.current, true)})`;
      return `${sign(change.delta)}${NUM.format(Math.abs(change.delta))} điểm % (kỳ so sánh: ${value(change.earlier, true)})`;
    case 'cumulative':
      if (change.after !== null && change.after < 0)
        return `Thấp hơn kỳ so sánh (${value(change.earlier, ind.valueType === 'rate')}) dù bao gồm kỳ đó: cần kiểm tra`;
      return `Lũy kế; trong đó kỳ so sánh: ${value(change.earlier, ind.valueType === 'rate')}${change.after === null ? '' : `, phát sinh thêm ${value(change.after, false)}`}`;
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toLocaleUpperCase('vi') + s.slice(1);
}

/** A sentence-ready list of the clauses of every basis that has something to say, joined by "; ". */
export function comparisonClauses(cmp: RollupComparison, changes: Record<ComparisonBasis, Change>, ind?: Pick<IndicatorTotal, 'valueType'>): string {
  return (['lastYear', 'previous'] as ComparisonBasis[])
    .map((b) => changeClause(changes[b], cmp.bases[b], ind))
    .filter((s) => s.length > 0)
    .join('; ');
}

import { formatInstantVi } from '../../domain/calendar.js';
import { formatDateVi } from '../../domain/dates.js';
import type { Rollup, UnitLine } from '../../domain/rollup.js';

/**
 * The Department's review as the consolidated reports say it (docs/REVIEW.md): one sentence for the
 * period (the workbook's note, the e-mail, the Word draft) and one cell per unit.
 */

/** How many included units' figures the Department accepted, in one sentence (the workbook, the e-mail, the draft). */
export function reviewedSentence(rollup: Rollup): string {
  const included = rollup.units.filter((u) => u.source && (u.status === 'on_time' || (rollup.includesLate && u.status === 'late')));
  const accepted = included.filter((u) => u.review?.status === 'accepted').length;
  const returned = included.filter((u) => u.review?.status === 'returned').length;
  if (included.length === 0) return 'chưa có số liệu nào được tổng hợp.';
  return (
    `số liệu của ${accepted}/${included.length} đơn vị được tổng hợp đã được Sở Nội vụ xem xét và chấp nhận` +
    (returned ? `; ${returned} đơn vị đang được trả lại để chỉnh sửa (số liệu hiện có vẫn được tổng hợp)` : '') +
    (included.length - accepted - returned > 0 ? `; ${included.length - accepted - returned} đơn vị chưa được xem xét` : '') +
    '.'
  );
}

/** Whether the Department reviewed the unit's figures: accepted (who, when), returned (why, by when), reopened, or not reviewed. */
export function reviewCellText(u: UnitLine): string {
  const r = u.review;
  if (!r) return 'Chưa xem xét';
  const when = formatInstantVi(r.at);
  if (r.status === 'accepted') return `Đã chấp nhận (${r.by}, ${when})`;
  if (r.status === 'returned')
    return `Trả lại để chỉnh sửa (${r.by}, ${when}; hạn sửa ${r.correctionDue ? formatDateVi(r.correctionDue) : '—'}): ${r.reason ?? ''}`;
  return `Đã mở lại (${r.by}, ${when}): ${r.reason ?? ''}`;
}

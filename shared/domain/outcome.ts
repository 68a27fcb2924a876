import { deadlineOf, formatInstantVi } from './calendar.js';
import { formatDateVi } from './dates.js';
import type { IsoDate, Period } from './types.js';

/**
 * What will actually happen to one recorded file, decided once from the record's facts and told in
 * one table of Vietnamese sentences used by the receipt e-mail and the portal alike. Pure.
 *
 * The matrix: timeliness (on time | on time thanks to an extension | late) × validity (valid | valid
 * with warnings | invalid) × the slot's pointers (this file is current | a newer on-time file is
 * current | an on-time current exists and this one is late | only late files exist …) × whether the
 * unit's deadline has passed at the time the sentence is given.
 */

export type OutcomeCode =
  /** Valid, on time, the current submission; the deadline has not passed: may still be replaced. */
  | 'CURRENT_REPLACEABLE'
  /** Valid, on time, the current submission; the deadline has passed: it is the one consolidated. */
  | 'CURRENT_FINAL'
  /** Valid, on time, but a newer valid on-time file is current. */
  | 'SUPERSEDED_ON_TIME'
  /** Valid, late; the unit has an on-time valid file, which the consolidation keeps. */
  | 'LATE_ON_TIME_KEPT'
  /** Valid, late, no on-time valid file: this one goes into the addendum (báo cáo bổ sung). */
  | 'LATE_IN_ADDENDUM'
  /** Valid, late, no on-time valid file, but a newer late valid file goes into the addendum. */
  | 'LATE_SUPERSEDED'
  /** Invalid, before the deadline: fix and resubmit before the deadline. */
  | 'INVALID_RESUBMIT'
  /** Invalid, deadline passed, an on-time valid file exists and stays. */
  | 'INVALID_ON_TIME_KEPT'
  /** Invalid, deadline passed, a late valid file exists and stays in the addendum. */
  | 'INVALID_LATE_KEPT'
  /** Invalid, deadline passed, nothing valid: a valid file now is late and goes to the addendum. */
  | 'INVALID_RESUBMIT_LATE'
  /** The Department accepted this very file: the slot is locked and this file is the one used. */
  | 'ACCEPTED'
  /** The Department accepted another file and locked the slot: this one is kept, never used. */
  | 'LOCKED_KEPT';

/** Where the file's figures go. */
export type OutcomeUse = 'consolidation' | 'addendum' | 'none';

/** A pointer of the slot, as much as the sentence needs. */
export interface OutcomePointer {
  objectId: string;
  receivedAt: string;
}

export interface OutcomeFacts {
  objectId: string;
  status: 'valid' | 'invalid';
  /** Number of warning findings. */
  warnings: number;
  onTime: boolean;
  receivedAt: string;
  period: Pick<Period, 'dueDate' | 'deadline'>;
  /** The unit's extension for the period (last on-time day, inclusive), if any. */
  extendedUntil?: IsoDate | null;
  /** The slot's on-time current submission, if any. */
  current: OutcomePointer | null;
  /** The slot's latest valid late submission, if any. */
  late: OutcomePointer | null;
  /** When the sentence is given (server time): the deadline has passed or not at this instant. */
  asOf: Date | string;
  /** The Department's acceptance of the slot (docs/REVIEW.md), when it is accepted now: the file accepted and when. */
  accepted?: { objectId: string; at: string } | null;
}

export interface Outcome {
  code: OutcomeCode;
  use: OutcomeUse;
  /** One or two Vietnamese sentences, for the receipt and the portal. */
  text: string;
}

interface Vars {
  valid: string;
  /** When the Department accepted the slot. */
  acceptedAt: string;
  deadline: string;
  other: string;
  extension: string;
}

/** The one table of wording. */
const WORDING: Record<OutcomeCode, (v: Vars) => string> = {
  CURRENT_REPLACEABLE: (v) =>
    `${v.valid} và nộp đúng hạn.${v.extension} Báo cáo này được dùng để tổng hợp. Nếu đơn vị nộp lại trước hạn (${v.deadline}), bản hợp lệ nộp sau cùng sẽ thay thế bản này.`,
  CURRENT_FINAL: (v) =>
    `${v.valid} và nộp đúng hạn.${v.extension} Báo cáo này được dùng để tổng hợp; hạn nộp (${v.deadline}) đã qua nên tệp nộp sau sẽ là nộp muộn và không thay thế bản này.`,
  SUPERSEDED_ON_TIME: (v) =>
    `${v.valid} và nộp đúng hạn, nhưng đơn vị đã nộp một bản hợp lệ khác sau bản này (nhận lúc ${v.other}); bản nộp sau cùng đó được dùng để tổng hợp, bản này được lưu lại.`,
  LATE_ON_TIME_KEPT: (v) =>
    `${v.valid} nhưng nộp muộn (nhận sau hạn ${v.deadline}).${v.extension} Báo cáo tổng hợp dùng bản hợp lệ đơn vị đã nộp đúng hạn (nhận lúc ${v.other}); bản nộp muộn này được lưu lại, không thay thế bản đúng hạn và không được dùng để tổng hợp.`,
  LATE_IN_ADDENDUM: (v) =>
    `${v.valid} nhưng nộp muộn (nhận sau hạn ${v.deadline}).${v.extension} Đơn vị chưa có báo cáo hợp lệ nộp đúng hạn, nên báo cáo này không có trong báo cáo tổng hợp đúng hạn; Sở Nội vụ đưa báo cáo này vào báo cáo bổ sung (các báo cáo nộp muộn) và ghi nhận đơn vị nộp muộn. Nếu đơn vị nộp lại, bản hợp lệ nộp sau cùng sẽ thay thế bản này trong báo cáo bổ sung.`,
  LATE_SUPERSEDED: (v) =>
    `${v.valid} nhưng nộp muộn (nhận sau hạn ${v.deadline}). Đơn vị đã nộp một bản hợp lệ khác sau bản này (nhận lúc ${v.other}); bản đó được đưa vào báo cáo bổ sung (các báo cáo nộp muộn), bản này được lưu lại.`,
  INVALID_RESUBMIT: (v) =>
    `Tệp chưa hợp lệ nên không được dùng để tổng hợp.${v.extension} Hãy sửa các lỗi (theo trang và ô trong tệp) rồi nộp lại trước hạn (${v.deadline}) để được tính là đúng hạn.${v.other ? ` Bản hợp lệ đơn vị đã nộp (nhận lúc ${v.other}) vẫn được dùng để tổng hợp cho đến khi có bản hợp lệ mới.` : ''}`,
  INVALID_ON_TIME_KEPT: (v) =>
    `Tệp không hợp lệ nên không được dùng. Bản hợp lệ đơn vị đã nộp đúng hạn (nhận lúc ${v.other}) vẫn được dùng để tổng hợp; đơn vị không cần nộp lại.`,
  INVALID_LATE_KEPT: (v) =>
    `Tệp không hợp lệ nên không được dùng. Bản hợp lệ nộp muộn của đơn vị (nhận lúc ${v.other}) vẫn được đưa vào báo cáo bổ sung (các báo cáo nộp muộn); nếu đơn vị nộp lại bản hợp lệ, bản nộp sau cùng sẽ thay thế bản đó.`,
  INVALID_RESUBMIT_LATE: (v) =>
    `Tệp không hợp lệ và hạn nộp (${v.deadline}) đã qua, nên đơn vị chưa có báo cáo hợp lệ cho kỳ này. Hãy sửa các lỗi (theo trang và ô trong tệp) và nộp lại sớm: bản hợp lệ nộp sau hạn được ghi nhận nộp muộn và đưa vào báo cáo bổ sung (các báo cáo nộp muộn), không có trong báo cáo tổng hợp đúng hạn.`,
  ACCEPTED: (v) =>
    `${v.valid}. Sở Nội vụ đã xem xét và chấp nhận báo cáo này lúc ${v.acceptedAt}; báo cáo được dùng để tổng hợp và đã khóa: đơn vị không cần nộp lại, muốn sửa thì liên hệ Phòng Cải cách hành chính, Sở Nội vụ để mở lại.`,
  LOCKED_KEPT: (v) =>
    `Sở Nội vụ đã chấp nhận một bản khác của đơn vị lúc ${v.acceptedAt} và đã khóa báo cáo kỳ này, nên tệp này được lưu lại nhưng không thay thế bản đã chấp nhận và không được dùng để tổng hợp. Nếu cần sửa, vui lòng liên hệ Phòng Cải cách hành chính, Sở Nội vụ để mở lại.`,
};

/** The unit's last on-time instant: the period's deadline, or the end of its extension's last day. */
export function unitDeadline(period: Pick<Period, 'dueDate' | 'deadline'>, extendedUntil?: IsoDate | null): string {
  return extendedUntil && extendedUntil > period.dueDate ? deadlineOf(extendedUntil).deadline : period.deadline;
}

/** Decides what happens to a file and says it. */
export function describeOutcome(facts: OutcomeFacts): Outcome {
  const deadline = unitDeadline(facts.period, facts.extendedUntil);
  const extended = Boolean(facts.extendedUntil && facts.extendedUntil > facts.period.dueDate);
  const asOf = typeof facts.asOf === 'string' ? Date.parse(facts.asOf) : facts.asOf.getTime();
  const passed = asOf > Date.parse(deadline);
  const byExtension = extended && facts.onTime && Date.parse(facts.receivedAt) > Date.parse(facts.period.deadline);
  const extension = byExtension
    ? ` Tệp nhận sau hạn chung của kỳ (${formatInstantVi(facts.period.deadline)}) nhưng trong thời hạn đơn vị được gia hạn (đến hết ngày ${formatDateVi(facts.extendedUntil!)}), nên được tính là đúng hạn.`
    : extended && !facts.onTime
      ? ` Hạn trên là hạn đã gia hạn cho đơn vị (đến hết ngày ${formatDateVi(facts.extendedUntil!)}).`
      : '';
  const valid = facts.warnings > 0 ? `Tệp hợp lệ (có ${facts.warnings} cảnh báo cần xem lại)` : 'Tệp hợp lệ';
  const at = (p: OutcomePointer | null): string => (p ? formatInstantVi(p.receivedAt) : '');
  const say = (code: OutcomeCode, use: OutcomeUse, other: OutcomePointer | null, ext = extension): Outcome => ({
    code,
    use,
    text: WORDING[code]({
      valid,
      deadline: formatInstantVi(deadline),
      other: at(other),
      extension: ext,
      acceptedAt: facts.accepted ? formatInstantVi(facts.accepted.at) : '',
    }),
  });
  if (facts.accepted) {
    if (facts.accepted.objectId !== facts.objectId) return say('LOCKED_KEPT', 'none', null);
    if (facts.status === 'valid') return say('ACCEPTED', facts.onTime ? 'consolidation' : 'addendum', null);
  }
  const otherCurrent = facts.current && facts.current.objectId !== facts.objectId ? facts.current : null;
  const otherLate = facts.late && facts.late.objectId !== facts.objectId ? facts.late : null;

  if (facts.status === 'valid') {
    if (facts.onTime) {
      if (otherCurrent && otherCurrent.receivedAt > facts.receivedAt) return say('SUPERSEDED_ON_TIME', 'none', otherCurrent);
      return say(passed ? 'CURRENT_FINAL' : 'CURRENT_REPLACEABLE', 'consolidation', null);
    }
    if (facts.current) return say('LATE_ON_TIME_KEPT', 'none', facts.current);
    if (otherLate && otherLate.receivedAt > facts.receivedAt) return say('LATE_SUPERSEDED', 'none', otherLate);
    return say('LATE_IN_ADDENDUM', 'addendum', null);
  }
  if (!passed && facts.onTime) return say('INVALID_RESUBMIT', 'none', facts.current);
  if (facts.current) return say('INVALID_ON_TIME_KEPT', 'none', facts.current, '');
  if (facts.late) return say('INVALID_LATE_KEPT', 'none', facts.late, '');
  return say('INVALID_RESUBMIT_LATE', 'none', null, '');
}

/** The slot's pointers out of a period's pointer lists. */
export function slotPointers<P extends OutcomePointer & { unitCode: string; kind: string }>(
  pointers: { current: readonly P[]; late: readonly P[] },
  unitCode: string,
  kind: string,
): { current: OutcomePointer | null; late: OutcomePointer | null } {
  const pick = (list: readonly P[]): OutcomePointer | null => {
    const p = list.find((x) => x.unitCode === unitCode && x.kind === kind);
    return p ? { objectId: p.objectId, receivedAt: p.receivedAt } : null;
  };
  return { current: pick(pointers.current), late: pick(pointers.late) };
}

import type { SubmissionKind } from './types.js';

/**
 * The audit trail: one append-only event per step of a (period, unit), and of what is not tied to a
 * period (a unit's links, the registry, the Department's users). Nothing in it is ever changed or
 * deleted: the store only adds an event whose id is new (a retried step adds nothing).
 */

/** Every kind of step, with its Vietnamese name as the timelines and exports show it. */
export const AUDIT_TYPES = {
  'link.issued': 'Cấp đường dẫn cá nhân',
  'link.revoked': 'Thu hồi đường dẫn cá nhân',
  'upload.requested': 'Yêu cầu tải tệp lên',
  'object.received': 'Hệ thống nhận tệp',
  'result.recorded': 'Ghi nhận kết quả kiểm tra',
  'receipt.sent': 'Gửi thư xác nhận',
  'receipt.bounced': 'Thư không đến được người nhận',
  'mail.sent': 'Gửi thư thông báo',
  'reminder.sent': 'Gửi thư nhắc',
  'extension.granted': 'Gia hạn nộp báo cáo',
  'review.accepted': 'Sở Nội vụ chấp nhận báo cáo',
  'review.returned': 'Sở Nội vụ trả lại để chỉnh sửa',
  'review.reopened': 'Sở Nội vụ mở lại báo cáo đã chấp nhận',
  'warning.justified': 'Đơn vị giải trình cảnh báo',
  'justification.accepted': 'Sở Nội vụ chấp nhận giải trình',
  'close.included': 'Đưa vào báo cáo tổng hợp',
  'period.closed': 'Khóa sổ kỳ báo cáo',
  'report.issued': 'Lập báo cáo tổng hợp',
  'addendum.included': 'Đưa vào báo cáo bổ sung',
  'registry.changed': 'Thay đổi danh sách đơn vị',
  'user.issued': 'Cấp quyền truy cập cho cán bộ Sở Nội vụ',
  'user.revoked': 'Thu hồi quyền truy cập của cán bộ Sở Nội vụ',
} as const;

export type AuditType = keyof typeof AUDIT_TYPES;

/** Who did a step: a unit (its personal link), a named Department user, the operator's CLI, or the pipeline itself. */
export interface Actor {
  kind: 'unit' | 'department' | 'operator' | 'system';
  /** The unit's code, the user's id, `cli` or the function's name. */
  id: string;
  /** The unit's or the person's name, as it stood when the step was done. */
  name: string | null;
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'pipeline', name: 'Hệ thống' };

export type AuditValue = string | number | boolean | null;

/** The events other systems can subscribe to (docs/EVENTS.md, a JSON Schema each in docs/events/). */
export const OUT_EVENT_TYPES = ['submission.recorded', 'submission.reviewed', 'period.closed', 'report.issued'] as const;
export type OutEventType = (typeof OUT_EVENT_TYPES)[number];

export interface AuditEvent {
  /**
   * Unique per step, and the same when the step is retried: made from what the step is about (the
   * object, the upload, the message, the review's sequence number), never from a clock or a random value.
   */
  eventId: string;
  type: AuditType;
  /** When the step was done, ISO UTC on the server's clock (shown in Vietnam time). */
  at: string;
  /** The period and unit the step is of; null for steps tied to neither (the registry, a user). */
  periodId: string | null;
  unitCode: string | null;
  kind?: SubmissionKind;
  actor: Actor;
  /** Why, when a person gave a reason (a return, a reopening, an extension, a registry change). */
  reason: string | null;
  /** What the step concerned: ids and short facts (a receipt number, a file name, a status); never a credential. */
  detail: Record<string, AuditValue>;
  /** The event other systems were told of this step, when any: kept so that it can be published again (`cchc events replay`). */
  out?: { type: OutEventType; detail: Record<string, unknown> };
}

/** The Vietnamese name of a step. */
export function auditTypeName(type: AuditType): string {
  return AUDIT_TYPES[type];
}

/** Events in the order they happened (ties by id, so every reader shows the same order). */
export function chronological(events: readonly AuditEvent[]): AuditEvent[] {
  return [...events].sort((a, b) => (a.at === b.at ? a.eventId.localeCompare(b.eventId) : a.at.localeCompare(b.at)));
}

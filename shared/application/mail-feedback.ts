import { SYSTEM_ACTOR } from '../domain/audit.js';
import { recordStep } from './audit.js';
import { createHash } from 'node:crypto';
import { paragraphsHtml } from '../documents/mail/mime.js';
import type { PipelineDeps } from './deps.js';
import { queueMail } from './outbox.js';

/** The parts of an SES bounce or complaint notification the product reads. */
export interface SesFeedback {
  eventType?: string;
  notificationType?: string;
  bounce?: { bounceType?: string; bouncedRecipients?: { emailAddress?: string; diagnosticCode?: string }[] };
  complaint?: { complainedRecipients?: { emailAddress?: string }[]; complaintFeedbackType?: string };
  mail?: { commonHeaders?: { subject?: string } };
}

/**
 * SES says a unit's address bounced permanently or complained: the address is marked and Phòng CCHC
 * is told which unit it belongs to, so the unit list can be corrected. Submissions are unaffected.
 * Transient bounces are left to SES's own retries.
 */
export async function handleMailFeedback(deps: PipelineDeps, feedback: SesFeedback): Promise<string[]> {
  const type = (feedback.eventType ?? feedback.notificationType ?? '').toLowerCase();
  let problems: { email: string; type: 'bounce' | 'complaint'; detail: string }[] = [];
  if (type === 'bounce' && feedback.bounce?.bounceType === 'Permanent') {
    problems = (feedback.bounce.bouncedRecipients ?? []).flatMap((r) =>
      r.emailAddress ? [{ email: r.emailAddress.toLowerCase(), type: 'bounce' as const, detail: r.diagnosticCode ?? 'Permanent bounce' }] : [],
    );
  } else if (type === 'complaint') {
    problems = (feedback.complaint?.complainedRecipients ?? []).flatMap((r) =>
      r.emailAddress
        ? [{ email: r.emailAddress.toLowerCase(), type: 'complaint' as const, detail: feedback.complaint?.complaintFeedbackType ?? 'complaint' }]
        : [],
    );
  }
  const marked: string[] = [];
  for (const p of problems) {
    const at = deps.clock.now().toISOString();
    if (!(await deps.stores.addresses.putOnce({ ...p, at }))) continue;
    marked.push(p.email);
    const units = deps.units.filter((u) => u.emails.some((e) => e.toLowerCase() === p.email));
    const who = units.length ? units.map((u) => `${u.name} (${u.code})`).join(', ') : 'không thuộc đơn vị nào trong danh sách';
    const what = p.type === 'bounce' ? 'bị trả lại vĩnh viễn (địa chỉ không nhận thư)' : 'bị người nhận đánh dấu là thư rác';
    const subject = `[CCHC] Địa chỉ thư của đơn vị cần kiểm tra: ${p.email}`;
    const text = [
      'Kính gửi: Phòng Cải cách hành chính, Sở Nội vụ',
      '',
      `Thư hệ thống gửi tới địa chỉ ${p.email} (${who}) ${what}.`,
      `Thư liên quan: "${feedback.mail?.commonHeaders?.subject ?? '(không rõ)'}". Chi tiết: ${p.detail}.`,
      'Báo cáo và kết quả nộp của đơn vị không bị ảnh hưởng, nhưng đơn vị có thể không nhận được biên nhận và thư nhắc.',
      'Đề nghị liên hệ đơn vị để lấy địa chỉ thư đúng, rồi cập nhật trong Danh mục đơn vị báo cáo trên bảng theo dõi (Sửa → Cập nhật địa chỉ thư điện tử).',
    ].join('\n');
    const html = paragraphsHtml(text);
    const messageId = `address-${p.type}-${createHash('sha256').update(p.email).digest('hex').slice(0, 16)}`;
    for (const u of units) {
      await recordStep(deps, {
        eventId: `bounced:${p.type}:${messageId}:${u.code}`,
        type: 'receipt.bounced',
        periodId: null,
        unitCode: u.code,
        actor: SYSTEM_ACTOR,
        at,
        detail: { address: p.email, problem: p.type, detail: p.detail.slice(0, 200), subject: (feedback.mail?.commonHeaders?.subject ?? '').slice(0, 200) },
      });
    }
    await queueMail(
      deps,
      { messageId, purpose: 'address-problem', to: deps.config.aggregatorRecipients, about: { periodId: null, unitCode: units[0]?.code ?? null } },
      () => ({
        subject,
        text,
        html,
      }),
    );
    deps.log.warn('unit address marked after SES feedback', { type: p.type, units: units.map((u) => u.code) });
  }
  return marked;
}

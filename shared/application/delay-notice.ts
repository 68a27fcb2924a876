import { displayFileName } from '../domain/text.js';
import { parseIncomingKey } from '../domain/object-keys.js';
import { findPeriod } from '../domain/calendar.js';
import { findUnit } from '../domain/units.js';
import { paragraphsHtml } from '../documents/mail/mime.js';
import type { PipelineDeps } from './deps.js';
import { queueMail } from './outbox.js';

/**
 * Tells a unit that its upload is being processed late because of a technical fault, so it is never
 * left in silence while the message is retried or waits in the dead-letter queue. Once per object.
 */
export async function sendDelayNotice(deps: PipelineDeps, key: string): Promise<void> {
  const parsed = parseIncomingKey(key);
  if (!parsed) return;
  const messageId = `delay-${parsed.periodId}-${parsed.unitCode}-${parsed.uploadId}`;
  if (await deps.stores.outbox.get(messageId)) return;
  const unit = findUnit(parsed.unitCode, deps.units);
  const period = findPeriod(parsed.periodId);
  const intent = await deps.stores.intents.get(parsed.uploadId);
  const fileName = intent?.fileName ? displayFileName(intent.fileName) : 'tệp đã tải lên';
  const subject = `[CCHC] Tệp đang được xử lý chậm: ${period.name} — ${unit.name}`;
  const text = [
    `Kính gửi: ${unit.name}`,
    '',
    `Hệ thống đã nhận tệp "${fileName}" cho kỳ ${period.name} nhưng gặp sự cố kỹ thuật khi kiểm tra và đang thử lại. Thời điểm nhận được ghi theo lúc tệp đến hệ thống, nên việc xử lý chậm không làm đơn vị bị tính nộp muộn.`,
    'Đơn vị sẽ nhận thêm một thư cho biết kết quả: thư biên nhận nếu tệp được kiểm tra xong, hoặc thư báo tệp không kiểm tra được; khi đó tệp không được ghi nhận và đơn vị cần nộp lại theo hướng dẫn trong thư.',
    'Nếu cần gấp, đơn vị có thể liên hệ Phòng Cải cách hành chính, Sở Nội vụ.',
    '',
    'Thư này được gửi tự động; vui lòng không trả lời thư này.',
  ].join('\n');
  const html = paragraphsHtml(text);
  await queueMail(deps, { messageId, purpose: 'delay', to: unit.emails, about: { periodId: period.id, unitCode: unit.code } }, () => ({ subject, text, html }));
}

import type { LinkTemplate } from '../../application/records.js';
import { composeMime, escapeHtml } from './mime.js';

/** Marks where a message's personal link goes; never a link itself. */
export const LINK_PLACEHOLDER = '{{personal-link}}';

/** What replaces the placeholder in the copy kept after sending (local .eml files): no credential. */
const KEPT_TEXT = '(đường dẫn riêng của đơn vị — chỉ có trong thư đã gửi, không lưu lại)';

/** How the link (or its absence) reads in the message. */
function linkParts(link: string | null): { text: string; html: string } {
  if (!link) {
    const none = 'Đơn vị chưa có đường dẫn riêng còn hiệu lực; vui lòng liên hệ Phòng Cải cách hành chính, Sở Nội vụ để được cấp.';
    return { text: none, html: escapeHtml(none) };
  }
  return {
    text: `Đơn vị mở đường dẫn riêng sau để tải mẫu và nộp: ${link}`,
    html: `Đơn vị mở <a href="${escapeHtml(link)}">đường dẫn riêng của đơn vị</a> để tải mẫu và nộp.`,
  };
}

/** The MIME message with the link rendered in, and the form to keep (the link replaced by a notice). */
export async function renderLinkTemplate(t: LinkTemplate, to: string[], subject: string, link: string | null): Promise<{ raw: Buffer; keptCopy: Buffer }> {
  const build = (parts: { text: string; html: string }) =>
    composeMime({
      from: t.from,
      to,
      subject,
      text: t.text.split(LINK_PLACEHOLDER).join(parts.text),
      html: t.html.split(LINK_PLACEHOLDER).join(parts.html),
      messageId: t.messageIdHeader,
      date: new Date(t.date),
    });
  const kept = link ? { text: KEPT_TEXT, html: escapeHtml(KEPT_TEXT) } : linkParts(null);
  return { raw: await build(linkParts(link)), keptCopy: await build(kept) };
}

export interface MailAttachment {
  filename: string;
  content: Uint8Array;
  contentType: string;
  /** Content-ID for inline images referenced as `cid:…` in the HTML. */
  cid?: string;
}

export interface MailContent {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Stable Message-ID, so that a resend of the same message is recognisable. */
  messageId: string;
  date: Date;
  attachments?: MailAttachment[];
}

/** Builds the MIME message (RFC 5322, UTF-8, encoded headers) with nodemailer's composer. */
export async function composeMime(mail: MailContent): Promise<Buffer> {
  // Loaded with the first mail: the composer and its MIME-type table are ~135 KiB, and a validator
  // composes its receipt only after the result the unit waits for is recorded.
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer');
  const composer = new MailComposer({
    from: mail.from,
    to: mail.to,
    subject: mail.subject.replace(/[\r\n]+/g, ' '),
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    date: mail.date,
    attachments: mail.attachments?.map((a) => ({
      filename: a.filename,
      content: Buffer.from(a.content),
      contentType: a.contentType,
      cid: a.cid,
    })),
  });
  return composer.compile().build();
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A plain notice as an HTML body: one paragraph per non-empty line, all text escaped. */
export function paragraphsHtml(text: string): string {
  const body = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => `<p>${escapeHtml(l)}</p>`)
    .join('');
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.5;color:#1a1a1a">${body}</body></html>`;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

import { composeMime, type MailAttachment } from '../documents/mail/mime.js';
import type { MailAbout, OutboxMessage } from './records.js';
import { SYSTEM_ACTOR, type AuditType } from '../domain/audit.js';
import { recordStep } from './audit.js';
import type { PipelineDeps } from './deps.js';
import { realTime } from './ports.js';
import { currentLinkOf } from './tokens.js';
import { MEDIA_TYPES } from '../domain/media-types.js';

/** How long a sender holds a message before another may retry it (real time: see `realTime`). */
const LEASE_MS = 2 * 60 * 1000;

/**
 * Queues a message once (by its id) and tries to send it now. Recording never waits on the mail
 * service: a failed send stays pending and `flushOutbox` retries it (invariant 3). A message this
 * process will send is added already leased to it (one write instead of an add and a lease); if the
 * process dies before sending, the lease expires and the flush sends it.
 */
export async function enqueueAndSend(deps: PipelineDeps, message: OutboxMessage): Promise<void> {
  if (message.template && !deps.tokenKey) {
    // Composed where no token key is (the validator's neighbours): the sender that has it sends it.
    await deps.stores.outbox.putOnce(message);
    deps.log.info('mail queued for a sender that renders personal links', { messageId: message.messageId, purpose: message.purpose });
    return;
  }
  const held = realTime.now().getTime();
  const leased: OutboxMessage = { ...message, attempts: message.attempts + 1, leaseUntil: new Date(held + LEASE_MS).toISOString() };
  if (await deps.stores.outbox.putOnce(leased)) {
    await sendLeased(deps, leased);
    return;
  }
  // Queued before (a retry, another run): sent now if it is still pending and nobody holds it.
  await deliverOutboxMessage(deps, message.messageId);
}

/**
 * Sends one pending message under a lease, then marks it sent. Never throws for a mail failure:
 * the message stays pending with the error recorded. `known` is the message as listed, when the
 * caller has it (saves reading it to see whether this sender may render it).
 */
export async function deliverOutboxMessage(deps: PipelineDeps, messageId: string, known?: OutboxMessage): Promise<'sent' | 'skipped' | 'failed'> {
  if (!deps.tokenKey) {
    const peek = known ?? (await deps.stores.outbox.get(messageId));
    if (peek?.template) return 'skipped';
  }
  const held = realTime.now().getTime();
  const message = await deps.stores.outbox.lease(messageId, new Date(held).toISOString(), new Date(held + LEASE_MS).toISOString());
  if (message?.status !== 'pending') return 'skipped';
  return sendLeased(deps, message);
}

/** Sends a message this process holds the lease of, and marks it sent (or records the failure). */
async function sendLeased(deps: PipelineDeps, message: OutboxMessage): Promise<'sent' | 'failed'> {
  const { messageId } = message;
  const now = deps.clock.now();
  try {
    let raw: Uint8Array;
    let keptCopy: Uint8Array | undefined;
    if (message.template) {
      const link = await currentLinkOf(deps, message.template.linkUnit);
      // Only the sender holding the token key renders personal links (flush-outbox).
      const { renderLinkTemplate } = await import('../documents/mail/link-template.js');
      ({ raw, keptCopy } = await renderLinkTemplate(message.template, message.to, message.subject, link));
    } else {
      raw = message.rawKey ? await deps.uploads.get({ key: message.rawKey }, 40 * 1024 * 1024) : Buffer.from(message.raw ?? '', 'base64');
    }
    const { providerMessageId } = await deps.mailer.sendRaw({ to: message.to, raw, ...(keptCopy ? { keptCopy } : {}) });
    await deps.stores.outbox.markSent(messageId, now.toISOString(), providerMessageId);
    deps.log.info('mail sent', { messageId, purpose: message.purpose, recipients: message.to.length });
    await recordSent(deps, message, now);
    return 'sent';
  } catch (err) {
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    await deps.stores.outbox.markFailed(messageId, reason);
    deps.log.warn('mail send failed; kept in outbox for retry', { messageId, purpose: message.purpose, reason });
    return 'failed';
  }
}

const SENT_STEP: Record<string, AuditType> = { receipt: 'receipt.sent', reminder: 'reminder.sent' };

/**
 * The sending of a message about a slot, as a step of its trail. After the message is marked sent,
 * never before (a failed step must not send the mail again); a step that cannot be written is logged
 * as an error (and alarmed), the mail being out already.
 */
async function recordSent(deps: PipelineDeps, message: OutboxMessage, at: Date): Promise<void> {
  if (!message.about) return;
  try {
    await recordStep(deps, {
      eventId: `sent:${message.messageId}`,
      type: SENT_STEP[message.purpose] ?? 'mail.sent',
      periodId: message.about.periodId,
      unitCode: message.about.unitCode,
      actor: SYSTEM_ACTOR,
      at: at.toISOString(),
      detail: {
        messageId: message.messageId,
        purpose: message.purpose,
        subject: message.subject,
        recipients: message.to.length,
        ref: message.about.ref ?? null,
      },
    });
  } catch (err) {
    deps.log.error('audit step not recorded', { step: 'mail sent', messageId: message.messageId, error: err instanceof Error ? err.message : String(err) });
  }
}

/** Retries every pending message (scheduled every few minutes). */
export async function flushOutbox(deps: PipelineDeps, limit = 100): Promise<{ sent: number; failed: number; skipped: number }> {
  const pending = await deps.stores.outbox.listPending(limit);
  const counts = { sent: 0, failed: 0, skipped: 0 };
  for (const m of pending) counts[await deliverOutboxMessage(deps, m.messageId, m)] += 1;
  if (pending.length > 0) deps.log.info('outbox flushed', counts);
  return counts;
}

/** The parts of a mail, composed only when the message is not queued yet. */
export interface MailBody {
  subject: string;
  text: string;
  html: string;
  attachments?: MailAttachment[];
}

/** Where a queued mail goes and how it is kept. */
export interface MailEnvelope {
  /** Deterministic id: the same message is queued (and sent) once, whatever retries happen. */
  messageId: string;
  /** What the message is about, e.g. `receipt`, `report`. */
  purpose: string;
  to: string[];
  /** Store the MIME message as this object (large messages such as reports) instead of in the item. */
  storeAt?: string;
  /**
   * Set when no run can have queued this message yet (the receipt of a record this run has just
   * created): it is composed and added without reading first. The add is conditional anyway, so a
   * wrong hint never queues a message twice.
   */
  isNew?: boolean;
  /** The slot or unit the message is about: once sent, it is a step on that audit trail. */
  about?: MailAbout;
  /**
   * Whose personal link goes where the body says LINK_PLACEHOLDER: the message is queued as a
   * template and the link rendered only at send time, by a sender holding the token key.
   */
  linkUnit?: string;
}

/** The Message-ID header of a message: its id at the sender's own domain. */
export function messageIdHeader(messageId: string, senderAddress: string): string {
  const domain = senderAddress.slice(senderAddress.lastIndexOf('@') + 1) || 'localhost';
  return `<${messageId}@${domain}>`;
}

/**
 * The one way a mail leaves the product: composed once (From the sender, a Message-ID at its
 * domain, the server's date), queued in the outbox under its id, then sent now when this process
 * can. A message already queued is not composed again; a pending one is tried again.
 */
export async function queueMail(deps: PipelineDeps, envelope: MailEnvelope, compose: () => MailBody | Promise<MailBody>): Promise<void> {
  if (!envelope.isNew) {
    const existing = await deps.stores.outbox.get(envelope.messageId);
    if (existing) {
      if (existing.status === 'pending') await enqueueAndSend(deps, existing);
      return;
    }
  }
  const body = await compose();
  const now = deps.clock.now();
  const header = messageIdHeader(envelope.messageId, deps.config.senderAddress);
  const base = {
    messageId: envelope.messageId,
    purpose: envelope.purpose,
    to: envelope.to,
    subject: body.subject,
    createdAt: now.toISOString(),
    status: 'pending' as const,
    attempts: 0,
    ...(envelope.about ? { about: envelope.about } : {}),
  };
  if (envelope.linkUnit) {
    const template = {
      from: deps.config.senderAddress,
      messageIdHeader: header,
      date: now.toISOString(),
      text: body.text,
      html: body.html,
      linkUnit: envelope.linkUnit,
    };
    await enqueueAndSend(deps, { ...base, template });
    return;
  }
  const raw = await composeMime({ from: deps.config.senderAddress, to: envelope.to, ...body, messageId: header, date: now });
  if (envelope.storeAt) {
    await deps.uploads.put(envelope.storeAt, raw, MEDIA_TYPES.eml);
    await enqueueAndSend(deps, { ...base, rawKey: envelope.storeAt });
  } else {
    await enqueueAndSend(deps, { ...base, raw: raw.toString('base64') });
  }
}

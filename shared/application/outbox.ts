import { renderLinkTemplate } from '../documents/mail/link-template.js';
import type { OutboxMessage } from './ports.js';
import type { PipelineDeps } from './deps.js';
import { currentLinkOf } from './tokens.js';

/** How long a sender holds a message before another may retry it. */
const LEASE_MS = 2 * 60 * 1000;

/**
 * Queues a message once (by its id) and tries to send it now. Recording never waits on the mail
 * service: a failed send stays pending and `flushOutbox` retries it (invariant 3).
 */
export async function enqueueAndSend(deps: PipelineDeps, message: OutboxMessage): Promise<void> {
  await deps.store.putOutboxOnce(message);
  if (message.template && !deps.tokenKey) {
    // Composed where no token key is (the validator's neighbours): the sender that has it sends it.
    deps.log.info('mail queued for a sender that renders personal links', { messageId: message.messageId, purpose: message.purpose });
    return;
  }
  await deliverOutboxMessage(deps, message.messageId);
}

/**
 * Sends one pending message under a lease, then marks it sent. Never throws for a mail failure:
 * the message stays pending with the error recorded.
 */
export async function deliverOutboxMessage(deps: PipelineDeps, messageId: string): Promise<'sent' | 'skipped' | 'failed'> {
  const now = deps.clock.now();
  if (!deps.tokenKey) {
    const peek = await deps.store.getOutbox(messageId);
    if (peek?.template) return 'skipped';
  }
  const leased = await deps.store.leaseOutbox(messageId, new Date().toISOString(), new Date(Date.now() + LEASE_MS).toISOString());
  if (!leased) return 'skipped';
  const message = await deps.store.getOutbox(messageId);
  if (!message || message.status !== 'pending') return 'skipped';
  try {
    let raw: Uint8Array;
    let keptCopy: Uint8Array | undefined;
    if (message.template) {
      const link = await currentLinkOf(deps, message.template.linkUnit);
      ({ raw, keptCopy } = await renderLinkTemplate(message.template, message.to, message.subject, link));
    } else {
      raw = message.rawKey ? await deps.uploads.get({ key: message.rawKey }, 40 * 1024 * 1024) : Buffer.from(message.raw ?? '', 'base64');
    }
    const { providerMessageId } = await deps.mailer.sendRaw({ to: message.to, raw, ...(keptCopy ? { keptCopy } : {}) });
    await deps.store.markOutboxSent(messageId, now.toISOString(), providerMessageId);
    deps.log.info('mail sent', { messageId, purpose: message.purpose, recipients: message.to.length });
    return 'sent';
  } catch (err) {
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    await deps.store.markOutboxFailed(messageId, reason);
    deps.log.warn('mail send failed; kept in outbox for retry', { messageId, purpose: message.purpose, reason });
    return 'failed';
  }
}

/** Retries every pending message (scheduled every few minutes). */
export async function flushOutbox(deps: PipelineDeps, limit = 100): Promise<{ sent: number; failed: number; skipped: number }> {
  const pending = await deps.store.listPendingOutbox(limit);
  const counts = { sent: 0, failed: 0, skipped: 0 };
  for (const m of pending) counts[await deliverOutboxMessage(deps, m.messageId)] += 1;
  if (pending.length > 0) deps.log.info('outbox flushed', counts);
  return counts;
}

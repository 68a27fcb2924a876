import type { PipelineDeps } from '../../../application/deps.js';
import { flushOutbox } from '../../../application/outbox.js';

/** Schedule (every 5 minutes) → retry every e-mail still pending in the outbox. */
export function makeFlushOutboxHandler(deps: PipelineDeps): () => Promise<{ sent: number; failed: number; skipped: number }> {
  return async () => flushOutbox(deps);
}

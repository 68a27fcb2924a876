/** Schedule (every 5 minutes) → resend e-mails still pending in the outbox. */
import { lambdaEntry } from '../../shared/adapters/inbound/lambda/entry.js';
import { makeFlushOutboxHandler } from '../../shared/adapters/inbound/lambda/flush-outbox.js';
import { bootstrap } from '../../shared/runtime/bootstrap.js';

const runtime = bootstrap('flush-outbox');

export const handler = lambdaEntry(runtime, makeFlushOutboxHandler(runtime.deps));

/** Schedule (D-3, D-1 at 08:00) → remind units that have no valid submission yet. */
import { lambdaEntry } from '../../shared/adapters/inbound/lambda/entry.js';
import { makeSendRemindersHandler } from '../../shared/adapters/inbound/lambda/send-reminders.js';
import { bootstrap } from '../../shared/runtime/bootstrap.js';

const runtime = bootstrap('send-reminders');

export const handler = lambdaEntry(runtime, makeSendRemindersHandler(runtime.deps));

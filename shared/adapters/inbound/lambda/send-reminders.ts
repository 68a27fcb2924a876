import type { PipelineDeps } from '../../../application/deps.js';
import type { ReminderResult } from '../../../application/reminders.js';
import { remindAfterReconciling } from '../../../application/scheduled-reminders.js';

export interface SendRemindersEvent {
  periodId: string;
  /** D-3, D-1, … */
  label: string;
}

/** Schedule (D-3 and D-1 at 08:00, Asia/Ho_Chi_Minh) → remind the units without a valid submission. */
export function makeSendRemindersHandler(deps: PipelineDeps): (event: SendRemindersEvent) => Promise<ReminderResult> {
  return async (event) => {
    if (!event?.periodId || !event.label) throw new Error('send-reminders needs { periodId, label }');
    return remindAfterReconciling(deps, event.periodId, event.label);
  };
}

import { findPeriod } from '../domain/calendar.js';
import type { PipelineDeps } from './deps.js';
import { reconcilePeriod } from './reconcile.js';
import { type ReminderResult, sendReminders } from './reminders.js';

/**
 * The scheduled reminders (D-3, D-1): first the period's files whose event was lost are processed
 * (reconciliation), so a unit that did submit is not reminded, then the reminders go out. A module of
 * its own: the board's manual reminder (the API) must not carry the reconciliation and the upload check.
 */
export async function remindAfterReconciling(deps: PipelineDeps, periodId: string, label: string): Promise<ReminderResult> {
  await reconcilePeriod(deps, findPeriod(periodId).id);
  return sendReminders(deps, periodId, label);
}

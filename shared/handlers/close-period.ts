import type { PipelineDeps } from '../use-cases/deps.js';
import { closePeriod, reissueReport, type CloseOutcome } from '../use-cases/close-period.js';

export interface ClosePeriodEvent {
  periodId: string;
  /** Issue an addendum with the late submissions instead (operators). */
  reissue?: boolean;
}

/**
 * Schedule (00:05 after the due day, Asia/Ho_Chi_Minh) → close the period and mail the consolidated
 * report. Safe to fire twice or rerun after a crash; a failure throws so the scheduler retries.
 */
export function makeClosePeriodHandler(deps: PipelineDeps): (event: ClosePeriodEvent) => Promise<Omit<CloseOutcome, 'rollup'>> {
  return async (event) => {
    if (!event?.periodId) throw new Error('close-period needs { periodId }');
    const out = event.reissue ? await reissueReport(deps, event.periodId) : await closePeriod(deps, event.periodId);
    const { rollup: _rollup, ...summary } = out as CloseOutcome & { rollup?: unknown };
    return summary;
  };
}

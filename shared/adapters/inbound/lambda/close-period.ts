import type { PipelineDeps } from '../../../application/deps.js';
import { closeDuePeriods, closePeriod, reissueReport, type CloseOutcome } from '../../../application/close-period.js';

export type ClosePeriodEvent =
  | {
      periodId: string;
      /** Issue an addendum with the late submissions instead (operators). */
      reissue?: boolean;
    }
  | {
      /** Every 15 minutes: close due periods of these years, resuming any close a crash left unfinished. */
      sweep: { years: number[] };
    };

/**
 * Schedule (00:05 after the due day, Asia/Ho_Chi_Minh) → close the period and mail the consolidated
 * report; schedule (every 15 minutes) → the sweep that closes whatever is due and resumes a close a
 * crash left in CLOSING. Safe to fire twice or rerun after a crash; a failure throws so it is retried.
 */
export function makeClosePeriodHandler(
  deps: PipelineDeps,
): (event: ClosePeriodEvent) => Promise<Omit<CloseOutcome, 'rollup'> | { swept: { periodId: string; outcome: string }[] }> {
  return async (event) => {
    if (event && 'sweep' in event) {
      const swept = await closeDuePeriods(deps, event.sweep.years);
      if (swept.some((s) => s.outcome === 'failed'))
        throw new Error(
          `close failed for ${swept
            .filter((s) => s.outcome === 'failed')
            .map((s) => s.periodId)
            .join(', ')}`,
        );
      return { swept };
    }
    if (!event?.periodId) throw new Error('close-period needs { periodId } or { sweep: { years } }');
    const out = event.reissue ? await reissueReport(deps, event.periodId) : await closePeriod(deps, event.periodId);
    const { rollup: _rollup, ...summary } = out as CloseOutcome & { rollup?: unknown };
    return summary;
  };
}

import { findPeriod } from '../domain/calendar.js';
import { COMPARISON_BASES, compareRollups, earlierPeriods, type EarlierRollup, type RollupComparison } from '../domain/comparison.js';
import { REPORTS_PREFIX } from '../domain/object-keys.js';
import type { Rollup } from '../domain/rollup.js';
import type { Period } from '../domain/types.js';
import type { PipelineDeps } from './deps.js';

/**
 * The earlier roll-ups a report is compared with, read from what earlier closes stored: the roll-up
 * JSON of the period's latest addendum, else of its close. A period never closed (or outside the
 * calendar) has none, and the comparison says "chưa có số liệu". Its own module so that the API's
 * board reads them without carrying the close.
 */

/** The key of a report's roll-up JSON; the same as close-period.ts writes (reportFolder + baseName). */
export function rollupJsonKey(periodId: string, addendum?: number): string {
  const folder = `${REPORTS_PREFIX}${periodId}/${addendum ? `bo-sung-${addendum}` : 'tong-hop'}/`;
  return `${folder}Tong-hop-CCHC-${periodId}${addendum ? `-bo-sung-${addendum}` : ''}.json`;
}

/** The latest stored roll-up of a period (its last addendum's, else its close's), or null. */
export async function latestStoredRollup(deps: Pick<PipelineDeps, 'uploads' | 'stores'>, periodId: string): Promise<EarlierRollup | null> {
  try {
    findPeriod(periodId);
  } catch {
    return null;
  }
  const state = await deps.stores.periods.get(periodId);
  if (state.state !== 'CLOSED') return null;
  for (let n = state.addenda ?? 0; n >= 0; n--) {
    const key = rollupJsonKey(periodId, n || undefined);
    if (await deps.uploads.head({ key })) {
      const rollup = JSON.parse(Buffer.from(await deps.uploads.get({ key }, 50 * 1024 * 1024)).toString('utf8')) as Rollup;
      return { rollup, key };
    }
  }
  return null;
}

/** The comparisons of a roll-up with the previous period of its year and the same period a year earlier. */
export async function comparisonsFor(deps: Pick<PipelineDeps, 'uploads' | 'stores'>, period: Period, rollup: Rollup): Promise<RollupComparison> {
  const periods = earlierPeriods(period);
  const found: Partial<Record<(typeof COMPARISON_BASES)[number], EarlierRollup | null>> = {};
  for (const basis of COMPARISON_BASES) {
    const id = periods[basis].periodId;
    found[basis] = id ? await latestStoredRollup(deps, id) : null;
  }
  return compareRollups(rollup, period, found);
}

import { parseIncomingKey, periodPrefix } from '../domain/object-keys.js';
import type { PipelineDeps } from './deps.js';
import { objectIdOf, processUploadedObject, recordUnprocessable } from './process-upload.js';

export interface ReconcileResult {
  objects: number;
  /** Objects that had no result and were processed now (their event was lost or is late). */
  recovered: string[];
  /** Objects whose processing failed here and that were recorded as unprocessable instead. */
  failed: string[];
  /** Objects that could not even be recorded (S3 or the table failed on them): listed by the close. */
  unrecorded: { unitCode: string; key: string }[];
}

/** Why a file is recorded as unprocessable by the reconciliation, as the unit reads it. */
export const RECONCILE_REASON = 'bộ kiểm tra gặp lỗi khi đọc tệp';

/**
 * Finds uploads of a period that have no recorded result — an S3 event lost or not yet delivered —
 * and processes them now, with their stored time (LastModified) as the receipt time. Runs before
 * reminders and before a close. Each object is isolated: one that fails is recorded as unprocessable
 * (or, if even that fails, listed), logged for the alarm, and the sweep goes on, so one file can never
 * keep a period from closing. Only a failure to list the period throws.
 */
export async function reconcilePeriod(deps: PipelineDeps, periodId: string): Promise<ReconcileResult> {
  const objects = await deps.uploads.list(periodPrefix(periodId));
  const recorded = new Set((await deps.stores.submissions.listOfPeriod(periodId)).map((r) => `${r.unitCode}#${r.objectId}`));
  const recovered: string[] = [];
  const failed: string[] = [];
  const unrecorded: { unitCode: string; key: string }[] = [];
  for (const o of objects) {
    const parsed = parseIncomingKey(o.key);
    if (!parsed) continue;
    if (recorded.has(`${parsed.unitCode}#${objectIdOf(parsed.uploadId)}`)) continue;
    let versionId: string | undefined;
    try {
      const head = await deps.uploads.head({ key: o.key });
      if (!head) continue;
      versionId = head.versionId;
      if (versionId && recorded.has(`${parsed.unitCode}#${objectIdOf(parsed.uploadId, versionId)}`)) continue;
      const out = await processUploadedObject(deps, { key: o.key, versionId, receivedAt: o.lastModified.toISOString(), source: 'reconciliation' });
      if (out.outcome === 'recorded') recovered.push(o.key);
    } catch (err) {
      deps.log.error('reconciliation could not process an object; recording it as unprocessable', {
        periodId,
        key: o.key,
        error: err instanceof Error ? err.message : String(err),
        poisonObject: true,
      });
      try {
        await recordUnprocessable(deps, { key: o.key, versionId, receivedAt: o.lastModified.toISOString(), source: 'reconciliation' }, RECONCILE_REASON);
        failed.push(o.key);
      } catch (err2) {
        deps.log.error('reconciliation could not record an object at all; the close lists it', {
          periodId,
          key: o.key,
          error: err2 instanceof Error ? err2.message : String(err2),
          poisonObject: true,
        });
        unrecorded.push({ unitCode: parsed.unitCode, key: o.key });
      }
    }
  }
  if (recovered.length > 0) deps.log.warn('reconciliation recorded uploads whose events were missing', { periodId, recovered: recovered.length });
  return { objects: objects.length, recovered, failed, unrecorded };
}

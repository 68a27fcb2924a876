import { parseIncomingKey, periodPrefix } from '../adapters/s3-keys.js';
import type { PipelineDeps } from './deps.js';
import { objectIdOf, processUploadedObject } from './process-upload.js';

export interface ReconcileResult {
  objects: number;
  /** Objects that had no result and were processed now (their event was lost or is late). */
  recovered: string[];
}

/**
 * Finds uploads of a period that have no recorded result — an S3 event lost or not yet delivered —
 * and processes them now, with their stored time (LastModified) as the receipt time. Runs before
 * reminders and before a close; a failure throws so the caller retries (the close waits for it).
 */
export async function reconcilePeriod(deps: PipelineDeps, periodId: string): Promise<ReconcileResult> {
  const objects = await deps.uploads.list(periodPrefix(periodId));
  const recorded = new Set((await deps.store.listPeriodSubmissions(periodId)).map((r) => `${r.unitCode}#${r.objectId}`));
  const recovered: string[] = [];
  for (const o of objects) {
    const parsed = parseIncomingKey(o.key);
    if (!parsed) continue;
    if (recorded.has(`${parsed.unitCode}#${objectIdOf(parsed.uploadId)}`)) continue;
    const head = await deps.uploads.head({ key: o.key });
    if (!head) continue;
    if (head.versionId && recorded.has(`${parsed.unitCode}#${objectIdOf(parsed.uploadId, head.versionId)}`)) continue;
    const out = await processUploadedObject(deps, {
      key: o.key,
      versionId: head.versionId,
      receivedAt: o.lastModified.toISOString(),
      source: 'reconciliation',
    });
    if (out.outcome === 'recorded') recovered.push(o.key);
  }
  if (recovered.length > 0) deps.log.warn('reconciliation recorded uploads whose events were missing', { periodId, recovered: recovered.length });
  return { objects: objects.length, recovered };
}

import { findPeriod } from '../domain/calendar.js';
import { parseIncomingKey, partOfExtension } from '../domain/object-keys.js';
import type { PipelineDeps } from './deps.js';
import type { SlotState, UploadIntent } from './records.js';
import { isUploadRecorded } from './slots.js';
import { objectIdOf, processUploadedObject, recordUnprocessable } from './process-upload.js';

export interface ReconcileResult {
  /** Uploads looked at (the period's intents). */
  objects: number;
  /** Objects that had no result and were processed now (their event was lost or is late). */
  recovered: string[];
  /** Objects whose processing failed here and that were recorded as unprocessable instead. */
  failed: string[];
  /** Objects handed to the pipeline (recovered, found recorded meanwhile, or failed): their slots may have changed. */
  touched: number;
  /** Objects that could not even be recorded (S3 or the table failed on them): listed by the close. */
  unrecorded: { unitCode: string; key: string }[];
}

/** Why a file is recorded as unprocessable by the reconciliation, as the unit reads it. */
export const RECONCILE_REASON = 'bộ kiểm tra gặp lỗi khi đọc tệp';

/** HEADs of objects the reconciliation makes at once. */
const HEAD_CONCURRENCY = 8;

/**
 * Finds uploads of a period that have no recorded result — an S3 event lost or not yet delivered —
 * and processes them now, with their stored time (LastModified) as the receipt time. Runs before
 * reminders and before a close. Each object is isolated: one that fails is recorded as unprocessable
 * (or, if even that fails, listed), logged for the alarm, and the sweep goes on, so one file can never
 * keep a period from closing. Only a failure to read the period's intents or slots throws.
 *
 * Which objects exist is read from the upload intents, not by listing the bucket: an object under
 * incoming/ is only ever made through a presigned POST, which the API hands out only after recording
 * its intent (and no other role may write incoming/), so every object has an intent. Each intent is
 * compared with its slot's recorded files (read by key); only an upload with no recorded file is
 * looked at in S3 (HEAD), and, where the bucket keeps versions (AWS), every upload, since a replayed
 * POST makes a new version of the same key. `slots` are the slots read, for a caller that goes on
 * to read the period (the close).
 */
export async function reconcilePeriod(deps: PipelineDeps, periodId: string): Promise<ReconcileResult & { slots: Map<string, SlotState> }> {
  const period = findPeriod(periodId);
  const intents = (await deps.stores.intents.listOfPeriod(period.id)).filter((i) => parseIncomingKey(i.key)?.periodId === period.id);
  const units = [...new Set(intents.map((i) => i.unitCode))];
  const slots = new Map(
    (await deps.stores.pointers.slots(units.map((unitCode) => ({ periodId: period.id, unitCode, kind: period.kind })))).map((s) => [s.unitCode, s]),
  );
  const recovered: string[] = [];
  const failed: string[] = [];
  const unrecorded: { unitCode: string; key: string }[] = [];
  let touched = 0;
  const toLook = intents.filter((i) => {
    const parsed = parseIncomingKey(i.key)!;
    const part = slots.get(parsed.unitCode)?.[partOfExtension(parsed.extension)];
    if (!part || !isUploadRecorded(part, parsed.uploadId)) return true;
    // Recorded without a version: the bucket keeps none, the one object this key can have is recorded.
    return !part.files.includes(parsed.uploadId);
  });
  const look = async (intent: UploadIntent): Promise<void> => {
    const parsed = parseIncomingKey(intent.key)!;
    const part = slots.get(parsed.unitCode)?.[partOfExtension(parsed.extension)];
    let versionId: string | undefined;
    let receivedAt: string | undefined;
    try {
      const head = await deps.uploads.head({ key: intent.key });
      if (!head) return;
      versionId = head.versionId;
      receivedAt = head.lastModified.toISOString();
      if (part?.files.includes(objectIdOf(parsed.uploadId, versionId))) return;
      touched += 1;
      const out = await processUploadedObject(deps, { key: intent.key, versionId, receivedAt, source: 'reconciliation' });
      if (out.outcome === 'recorded') recovered.push(intent.key);
    } catch (err) {
      if (receivedAt === undefined) {
        // Not even its HEAD answered: nothing is known of the object yet; listed, and the next sweep tries again.
        deps.log.error('reconciliation could not look at an object; the close lists it', {
          periodId,
          key: intent.key,
          error: err instanceof Error ? err.message : String(err),
          poisonObject: true,
        });
        unrecorded.push({ unitCode: parsed.unitCode, key: intent.key });
        return;
      }
      deps.log.error('reconciliation could not process an object; recording it as unprocessable', {
        periodId,
        key: intent.key,
        error: err instanceof Error ? err.message : String(err),
        poisonObject: true,
      });
      try {
        await recordUnprocessable(deps, { key: intent.key, versionId, receivedAt, source: 'reconciliation' }, RECONCILE_REASON);
        failed.push(intent.key);
      } catch (err2) {
        deps.log.error('reconciliation could not record an object at all; the close lists it', {
          periodId,
          key: intent.key,
          error: err2 instanceof Error ? err2.message : String(err2),
          poisonObject: true,
        });
        unrecorded.push({ unitCode: parsed.unitCode, key: intent.key });
      }
    }
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(HEAD_CONCURRENCY, toLook.length) }, async () => {
      while (next < toLook.length) await look(toLook[next++]!);
    }),
  );
  if (recovered.length > 0) deps.log.warn('reconciliation recorded uploads whose events were missing', { periodId, recovered: recovered.length });
  return { objects: intents.length, recovered, failed, touched, unrecorded, slots };
}

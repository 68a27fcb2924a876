import type { PartStatus } from '../domain/dossier.js';
import type { Period } from '../domain/types.js';
import type { PipelineDeps } from './deps.js';
import type { PartState, SlotState, SubmissionRecord } from './records.js';

/**
 * Reading a period's slots by key: each unit's pointers and file sets (PointerStore.slots), then only
 * the records they name. What the roll-up, the board and the portal read instead of every record of
 * the period, so that none of these reads grows with the number of files a period has received.
 */

/** A part's standing from its state: valid on time (a current pointer), valid only late, files none valid, none. */
export function standingOfPart(part: PartState): PartStatus {
  if (part.current) return 'on_time';
  if (part.late) return 'late';
  return part.files.length > 0 ? 'rejected_only' : 'missing';
}

/** The part's latest file: objectIds sort by when their upload was asked for. */
export function lastFileOf(part: PartState): string | null {
  return part.files.at(-1) ?? null;
}

/** Whether some file of an upload (any version of its object) is recorded in the part. */
export function isUploadRecorded(part: PartState, uploadId: string): boolean {
  return part.files.some((id) => id === uploadId || id.startsWith(`${uploadId}.`));
}

/** A period's slots, by unit code, and the records they name, by objectId. */
export interface PeriodSlots {
  slots: Map<string, SlotState>;
  records: Map<string, SubmissionRecord>;
}

/**
 * The slots of `unitCodes` in a period (those in `known` are taken as given: a caller that has just
 * read them), and the records they name: every pointed file of both parts, the form's files recorded
 * unprocessable, and with `last` (`lastReport`) each unit's latest form (signed-report) file.
 */
export async function readPeriodSlots(
  deps: Pick<PipelineDeps, 'stores'>,
  period: Period,
  unitCodes: readonly string[],
  options: { last?: boolean; lastReport?: boolean; known?: ReadonlyMap<string, SlotState> } = {},
): Promise<PeriodSlots> {
  const slots = new Map<string, SlotState>();
  const missing: string[] = [];
  for (const code of unitCodes) {
    const known = options.known?.get(code);
    if (known) slots.set(code, known);
    else missing.push(code);
  }
  if (missing.length > 0) {
    for (const s of await deps.stores.pointers.slots(missing.map((unitCode) => ({ periodId: period.id, unitCode, kind: period.kind })))) {
      slots.set(s.unitCode, s);
    }
  }
  const wanted = [...slots.values()].flatMap((s) => {
    const ids = [s.form.current, s.form.late, s.report.current, s.report.late].flatMap((p) => (p ? [p.objectId] : []));
    ids.push(...s.form.unprocessable);
    const last = options.last ? lastFileOf(s.form) : null;
    if (last) ids.push(last);
    const lastReport = options.lastReport ? lastFileOf(s.report) : null;
    if (lastReport) ids.push(lastReport);
    return [...new Set(ids)].map((objectId) => ({ periodId: period.id, unitCode: s.unitCode, objectId }));
  });
  const records = new Map((await deps.stores.submissions.getMany(wanted)).map((r) => [r.objectId, r]));
  return { slots, records };
}

import { currentForm } from '../domain/forms.js';
import { computeRollup, type Rollup, type SignedReportSource } from '../domain/rollup.js';
import type { Period } from '../domain/types.js';
import { expectedUnits } from '../domain/units.js';
import type { PipelineDeps } from './deps.js';
import type { ReviewRecord } from '../domain/review.js';
import { isFormPart, type SlotState, type SubmissionRecord } from './records.js';
import { type PeriodSlots, readPeriodSlots } from './slots.js';

/**
 * The roll-up of what is recorded now, for the close and for the board. Its own module so that what
 * only reads (the API's board) does not carry the close's reconciliation, and with it the upload check.
 *
 * It reads by key (slots.ts): each expected unit's pointers and file sets, then only the records it
 * uses (the pointed files, and the form's files that could not be checked), never every record of
 * the period; so its cost grows with the number of units, not with the files they sent.
 */
/** Computes the period's roll-up from what is recorded now (no close, no side effects); `read` when the caller has read the slots. */
export async function currentRollup(
  deps: PipelineDeps,
  period: Period,
  includeLate = false,
  unrecorded: Rollup['unprocessable'] | { unitCode: string; key: string }[] = [],
  read?: PeriodSlots,
): Promise<Rollup> {
  const units = expectedUnits(period, deps.units);
  const { slots, records } =
    read ??
    (await readPeriodSlots(
      deps,
      period,
      units.map((u) => u.code),
    ));
  const all = [...slots.values()];
  const pointed = (part: 'form' | 'report', which: 'current' | 'late') => new Set(all.flatMap((s) => (s[part][which] ? [s[part][which]!.objectId] : [])));
  const reviews = new Map((await deps.stores.reviews.ofPeriod(period.id)).filter((r) => r.kind === period.kind).map((r) => [r.unitCode, r]));
  const current = pointed('form', 'current');
  const late = pointed('form', 'late');
  await useAcceptedFiles(deps, period, slots, records, reviews, current, late);
  const count = (part: 'form' | 'report') => new Map(all.map((s) => [s.unitCode, s[part].files.length]));
  return computeRollup({
    period,
    form: currentForm(period.kind),
    units,
    // The figures come from the form; the signed report is judged on its own (its pointers are separate).
    records: [...records.values()].filter(isFormPart),
    current,
    late,
    includeLate,
    generatedAt: deps.clock.now(),
    unrecorded,
    signedReports: signedReportsOf(all, records),
    reportFiles: count('report'),
    formFiles: count('form'),
    reviews,
  });
}

/**
 * Where the Department accepted a slot, its figures are the accepted file's: the pointers never move
 * past an accepted file (process-upload), and this makes sure of it even for a file that moved a
 * pointer while the acceptance was being written. The accepted record is read when not read yet.
 */
async function useAcceptedFiles(
  deps: PipelineDeps,
  period: Period,
  slots: ReadonlyMap<string, SlotState>,
  records: Map<string, SubmissionRecord>,
  reviews: ReadonlyMap<string, ReviewRecord>,
  current: Set<string>,
  late: Set<string>,
): Promise<void> {
  for (const review of reviews.values()) {
    if (review.status !== 'accepted') continue;
    const slot = slots.get(review.unitCode);
    const used = slot?.form.current?.objectId ?? slot?.form.late?.objectId;
    if (used === review.objectId) continue;
    const pointedIds = [slot?.form.current?.objectId, slot?.form.late?.objectId];
    const record = records.get(review.objectId) ?? (await deps.stores.submissions.get(period.id, review.unitCode, review.objectId));
    if (record?.status !== 'valid') continue;
    records.set(record.objectId, record);
    for (const id of pointedIds) {
      if (id && id !== review.objectId) {
        current.delete(id);
        late.delete(id);
      }
    }
    (record.onTime ? current : late).add(record.objectId);
  }
}

/** Each unit's current valid signed report (on time, else its latest late one), for the report's traceability. */
function signedReportsOf(slots: readonly SlotState[], records: ReadonlyMap<string, SubmissionRecord>): Map<string, SignedReportSource> {
  const out = new Map<string, SignedReportSource>();
  for (const s of slots) {
    const p = s.report.current ?? s.report.late;
    const r = p ? records.get(p.objectId) : undefined;
    if (!r) continue;
    const leader = r.report?.signatures.find((g) => g.role === 'leader');
    out.set(r.unitCode, {
      receiptNo: r.receiptNo,
      key: r.key,
      sha256: r.sha256,
      receivedAt: r.receivedAt,
      onTime: r.onTime,
      signer: r.report?.leader?.name ?? null,
      office: r.report?.leader?.office ?? null,
      signingTime: leader?.signingTime ?? null,
    });
  }
  return out;
}

import { currentForm } from '../domain/forms.js';
import { computeRollup, type Rollup, type SignedReportSource } from '../domain/rollup.js';
import type { Period } from '../domain/types.js';
import { expectedUnits } from '../domain/units.js';
import type { PipelineDeps } from './deps.js';
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
  const count = (part: 'form' | 'report') => new Map(all.map((s) => [s.unitCode, s[part].files.length]));
  return computeRollup({
    period,
    form: currentForm(period.kind),
    units,
    // The figures come from the form; the signed report is judged on its own (its pointers are separate).
    records: [...records.values()].filter(isFormPart),
    current: pointed('form', 'current'),
    late: pointed('form', 'late'),
    includeLate,
    generatedAt: deps.clock.now(),
    unrecorded,
    signedReports: signedReportsOf(all, records),
    reportFiles: count('report'),
    formFiles: count('form'),
  });
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

import { currentForm } from '../domain/forms.js';
import { computeRollup, type Rollup, type SignedReportSource } from '../domain/rollup.js';
import type { Period } from '../domain/types.js';
import { expectedUnits } from '../domain/units.js';
import type { PipelineDeps } from './deps.js';
import { type CurrentPointer, isFormPart, type SubmissionRecord } from './records.js';

/**
 * The roll-up of what is recorded now, for the close and for the board. Its own module so that what
 * only reads (the API's board) does not carry the close's reconciliation, and with it the upload check.
 */
/** Computes the period's roll-up from what is recorded now (no close, no side effects). */
export async function currentRollup(
  deps: PipelineDeps,
  period: Period,
  includeLate = false,
  unrecorded: Rollup['unprocessable'] | { unitCode: string; key: string }[] = [],
): Promise<Rollup> {
  const [records, pointers, reportPointers] = await Promise.all([
    deps.stores.submissions.listOfPeriod(period.id),
    deps.stores.pointers.listOfPeriod(period.id),
    deps.stores.pointers.listOfPeriod(period.id, 'report'),
  ]);
  return computeRollup({
    period,
    form: currentForm(period.kind),
    units: expectedUnits(period, deps.units),
    // The figures come from the form; the signed report is judged on its own (its pointers are separate).
    records: records.filter(isFormPart),
    current: new Set(pointers.current.map((p) => p.objectId)),
    late: new Set(pointers.late.map((p) => p.objectId)),
    includeLate,
    generatedAt: deps.clock.now(),
    unrecorded,
    signedReports: signedReportsOf(records, reportPointers),
    reportFiles: reportFilesOf(records, period),
  });
}

/** Signed-report files received per unit for the period's kind (valid or not). */
function reportFilesOf(records: readonly SubmissionRecord[], period: Period): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records) if (!isFormPart(r) && r.kind === period.kind) out.set(r.unitCode, (out.get(r.unitCode) ?? 0) + 1);
  return out;
}

/** Each unit's current valid signed report (on time, else its latest late one), for the report's traceability. */
function signedReportsOf(
  records: readonly SubmissionRecord[],
  pointers: { current: CurrentPointer[]; late: CurrentPointer[] },
): Map<string, SignedReportSource> {
  const byObject = new Map(records.filter((r) => !isFormPart(r)).map((r) => [r.objectId, r]));
  const out = new Map<string, SignedReportSource>();
  for (const p of [...pointers.late, ...pointers.current]) {
    const r = byObject.get(p.objectId);
    if (!r) continue;
    const leader = r.report?.signatures.find((s) => s.role === 'leader');
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

import { SYSTEM_ACTOR } from '../domain/audit.js';
import { recordStep } from './audit.js';
import { randomUUID } from 'node:crypto';
import { REPORTS_PREFIX } from '../domain/object-keys.js';
import { buildCalendar, findPeriod, formatInstantVi } from '../domain/calendar.js';
import { currentForm } from '../domain/forms.js';
import type { Rollup } from '../domain/rollup.js';
import type { Period } from '../domain/types.js';
import type { PipelineDeps } from './deps.js';
import { realTime } from './ports.js';
import { comparisonsFor } from './comparisons.js';
import { currentRollup } from './current-rollup.js';
import { queueMail } from './outbox.js';
import { reconcilePeriod } from './reconcile.js';
import { type PeriodSlots, readPeriodSlots } from './slots.js';
import { expectedUnits } from '../domain/units.js';
import { MEDIA_TYPES } from '../domain/media-types.js';

/** How long one close run holds the period before a rerun may take over. */
const LEASE_MS = 10 * 60 * 1000;
export class PeriodNotDueError extends Error {
  override name = 'PeriodNotDueError';
}

export type CloseOutcome =
  | { outcome: 'closed'; periodId: string; reportKeys: string[]; rollup: Rollup }
  | { outcome: 'already-closed'; periodId: string; reportKeys: string[] }
  | { outcome: 'busy'; periodId: string }
  | { outcome: 'addendum'; periodId: string; number: number; reportKeys: string[]; rollup: Rollup };

/** Folder of a report's artifacts: the close's, or the n-th addendum's. */
export function reportFolder(periodId: string, addendum?: number): string {
  return `${REPORTS_PREFIX}${periodId}/${addendum ? `bo-sung-${addendum}` : 'tong-hop'}/`;
}

function baseName(period: Period, addendum?: number): string {
  return `Tong-hop-CCHC-${period.id}${addendum ? `-bo-sung-${addendum}` : ''}`;
}

/**
 * Renders and stores the artifacts (workbook, CSV, JSON with the comparisons, chart, Word draft), then puts the consolidated e-mail in
 * the outbox under an id that names the report, so a rerun stores the same files again and never
 * sends a second e-mail. When the roll-up JSON of this report already exists (a rerun after a crash),
 * it is reused, so the figures never change between runs.
 */
async function publishReport(deps: PipelineDeps, period: Period, fresh: Rollup, addendum?: number): Promise<{ keys: string[]; rollup: Rollup }> {
  // The renderers (the Excel writer, the chart and its fonts) load only when a report is published:
  // most runs of the close sweep find nothing due.
  const { buildReportMail, renderCoverageChart, REPORT_ATTACHMENT_LIMIT, rollupToCsv, rollupToJson, writeConsolidatedWorkbook } = await import(
    '../documents/reports/index.js'
  );
  const folder = reportFolder(period.id, addendum);
  const name = baseName(period, addendum);
  const jsonKey = `${folder}${name}.json`;
  let rollup = fresh;
  if (await deps.uploads.head({ key: jsonKey })) {
    rollup = JSON.parse(Buffer.from(await deps.uploads.get({ key: jsonKey }, 50 * 1024 * 1024)).toString('utf8')) as Rollup;
  } else {
    rollup.comparisons = await comparisonsFor(deps, period, rollup);
    await deps.uploads.put(jsonKey, Buffer.from(rollupToJson(rollup), 'utf8'), MEDIA_TYPES.jsonText);
  }
  const form = currentForm(period.kind);
  const workbook = await writeConsolidatedWorkbook(rollup, form);
  // The Word library is large: only the close path loads it (see docs/REPORT-DRAFT.md).
  const { writeReportDraft } = await import('../documents/reports/docx/report-draft.js');
  const draft = await writeReportDraft(rollup, form);
  const chart = await renderCoverageChart(rollup, deps.config.reportFontsDir);
  const keys = {
    xlsx: `${folder}${name}.xlsx`,
    csv: `${folder}${name}.csv`,
    json: jsonKey,
    chart: `${folder}${name}-bieu-do.png`,
    draft: `${folder}${name}-du-thao-bao-cao.docx`,
    mail: `${folder}${name}.eml`,
  };
  await deps.uploads.put(keys.xlsx, workbook, MEDIA_TYPES.xlsx);
  await deps.uploads.put(keys.csv, Buffer.from(rollupToCsv(rollup), 'utf8'), MEDIA_TYPES.csv);
  await deps.uploads.put(keys.chart, chart, MEDIA_TYPES.png);
  await deps.uploads.put(keys.draft, draft, MEDIA_TYPES.docx);

  const messageId = `report-${period.id}-${addendum ? `addendum-${addendum}` : 'close'}`;
  const envelope = {
    messageId,
    purpose: addendum ? 'report-addendum' : 'report',
    to: deps.config.aggregatorRecipients,
    storeAt: keys.mail,
    about: { periodId: period.id, unitCode: null },
  };
  await queueMail(deps, envelope, async () =>
    buildReportMail(rollup, {
      portalUrl: deps.config.portalUrl,
      chartPng: chart,
      workbook:
        workbook.byteLength <= REPORT_ATTACHMENT_LIMIT
          ? { filename: `${name}.xlsx`, bytes: workbook }
          : {
              downloadUrl: await deps.uploads.presignGet(keys.xlsx, 7 * 86_400, `${name}.xlsx`),
              expiresAt: new Date(realTime.now().getTime() + 7 * 86_400_000).toISOString(),
            },
      draft:
        workbook.byteLength + draft.byteLength <= REPORT_ATTACHMENT_LIMIT
          ? { filename: `${name}-du-thao-bao-cao.docx`, bytes: draft }
          : {
              downloadUrl: await deps.uploads.presignGet(keys.draft, 7 * 86_400, `${name}-du-thao-bao-cao.docx`),
              expiresAt: new Date(realTime.now().getTime() + 7 * 86_400_000).toISOString(),
            },
    }),
  );
  await reportSteps(deps, period, rollup, keys, addendum);
  return { keys: Object.values(keys), rollup };
}

/**
 * The report on the trails: each included unit's file (close.included / addendum.included, on its
 * slot's trail, with whether its figures were reviewed), the close of the period and the report
 * itself (`period.closed` and `report.issued` for other systems). Ids name the report, so a rerun
 * of the same close adds nothing.
 */
async function reportSteps(deps: PipelineDeps, period: Period, rollup: Rollup, keys: Record<string, string>, addendum?: number): Promise<void> {
  const report = addendum ? `addendum-${addendum}` : 'close';
  const included = rollup.units.filter((u) => u.source && (u.status === 'on_time' || (rollup.includesLate && u.status === 'late')));
  for (const u of included) {
    await recordStep(deps, {
      eventId: `included:${period.id}:${report}:${u.unitCode}`,
      type: addendum ? 'addendum.included' : 'close.included',
      periodId: period.id,
      unitCode: u.unitCode,
      kind: period.kind,
      actor: SYSTEM_ACTOR,
      detail: {
        objectId: u.source!.objectId,
        receiptNo: u.source!.receiptNo,
        onTime: u.source!.onTime,
        review: u.review?.status ?? 'unreviewed',
        report: keys.xlsx ?? null,
        addendum: addendum ?? null,
      },
    });
  }
  const c = rollup.coverage.all;
  const facts = { periodId: period.id, expected: c.expected, valid: c.valid, onTime: c.onTime, late: c.late, missing: c.missing, included: included.length };
  if (!addendum) {
    await recordStep(
      deps,
      { eventId: `closed:${period.id}`, type: 'period.closed', periodId: period.id, unitCode: null, actor: SYSTEM_ACTOR, detail: facts },
      { type: 'period.closed', detail: { ...facts, closedEarly: rollup.closedEarly?.closedAt ?? null } },
    );
  }
  const files = Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, v]));
  await recordStep(
    deps,
    {
      eventId: `report:${period.id}:${report}`,
      type: 'report.issued',
      periodId: period.id,
      unitCode: null,
      actor: SYSTEM_ACTOR,
      detail: { ...facts, addendum: addendum ?? null, workbook: keys.xlsx ?? null, draft: keys.draft ?? null },
    },
    {
      type: 'report.issued',
      detail: {
        ...facts,
        addendum: addendum ?? null,
        newUnits: rollup.sinceLastReport ?? null,
        files,
        reviewed: included.filter((u) => u.review?.status === 'accepted').length,
      },
    },
  );
}

/**
 * The period's slots for the roll-up, read once: the sweep has read the slots of every unit with an
 * upload; when it handed no object to the pipeline they still stand, and only the other units' are read.
 */
function readAfterSweep(deps: PipelineDeps, period: Period, swept: Awaited<ReturnType<typeof reconcilePeriod>>): Promise<PeriodSlots> {
  const changed = swept.touched > 0;
  const codes = expectedUnits(period, deps.units).map((u) => u.code);
  return readPeriodSlots(deps, period, codes, changed ? {} : { known: swept.slots });
}

/**
 * Closes a period at its deadline and hands Sở Nội vụ the consolidated report.
 *
 * Primary course: OPEN → CLOSING (conditional; a second fire or a rerun after a crash joins the
 * same close under a lease) → reconcile uploads that have no result (the close waits for them) →
 * roll-up from each unit's current on-time valid submission → artifacts under reports/{periodId}/
 * → the consolidated e-mail through the outbox → CLOSED. Every step is idempotent: however often it
 * fires, there is one report and one e-mail.
 */
export async function closePeriod(deps: PipelineDeps, periodId: string, options: { force?: boolean; takeOver?: boolean } = {}): Promise<CloseOutcome> {
  const period = findPeriod(periodId);
  const now = deps.clock.now();
  if (!options.force && now.getTime() < Date.parse(period.closesAt)) {
    throw new PeriodNotDueError(`${period.name} chưa đến hạn (${formatInstantVi(period.deadline)}, giờ Việt Nam); dùng --force để đóng sớm.`);
  }
  const state = await deps.stores.periods.get(period.id);
  if (state.state === 'CLOSED') return { outcome: 'already-closed', periodId: period.id, reportKeys: state.reportKeys ?? [] };

  const runId = randomUUID();
  // Leases are wall-clock (they time real processes, not the reporting calendar). `takeOver` is for
  // a process that knows the holder is dead: the local stack at start-up, the only one on its data.
  // Leases are real time (see `realTime`); the close's own times (closeStartedAt, closedAt) are the clock's.
  const held = realTime.now().getTime();
  const lease = { runId, now: options.takeOver ? '9999-12-31T23:59:59.999Z' : new Date(held).toISOString() };
  const leaseUntil = new Date(held + LEASE_MS).toISOString();
  const took = await deps.stores.periods.transition(
    period.id,
    ['OPEN', 'CLOSING'],
    'CLOSING',
    { runId, leaseUntil, closeStartedAt: state.closeStartedAt ?? now.toISOString() },
    lease,
  );
  if (!took) {
    const again = await deps.stores.periods.get(period.id);
    if (again.state === 'CLOSED') return { outcome: 'already-closed', periodId: period.id, reportKeys: again.reportKeys ?? [] };
    deps.log.info('close already running elsewhere', { periodId: period.id });
    return { outcome: 'busy', periodId: period.id };
  }

  const swept = await reconcilePeriod(deps, period.id);
  const fresh = await currentRollup(deps, period, false, swept.unrecorded, await readAfterSweep(deps, period, swept));
  const closeAt = state.closeStartedAt ?? now.toISOString();
  if (Date.parse(closeAt) < Date.parse(period.closesAt)) fresh.closedEarly = { closedAt: closeAt };
  const { keys, rollup } = await publishReport(deps, period, fresh);
  await deps.stores.periods.transition(
    period.id,
    ['CLOSING'],
    'CLOSED',
    { closedAt: deps.clock.now().toISOString(), reportKeys: keys, leaseUntil: new Date(0).toISOString() },
    lease,
  );
  deps.log.info('period closed', { periodId: period.id, valid: rollup.coverage.all.valid, expected: rollup.coverage.all.expected });
  return { outcome: 'closed', periodId: period.id, reportKeys: keys, rollup };
}

/**
 * Units whose included figures come from a file the previous report (the close, or addendum
 * `previous`) did not use: everything received after it, on time (after an early close) or late.
 */
async function newSinceLastReport(deps: PipelineDeps, period: Period, fresh: Rollup, previous: number): Promise<string[]> {
  const key = `${reportFolder(period.id, previous || undefined)}${baseName(period, previous || undefined)}.json`;
  let before: Rollup | null = null;
  if (await deps.uploads.head({ key })) {
    before = JSON.parse(Buffer.from(await deps.uploads.get({ key }, 50 * 1024 * 1024)).toString('utf8')) as Rollup;
  }
  const used = new Map<string, string>();
  for (const u of before?.units ?? []) {
    const included = u.status === 'on_time' || (before!.includesLate && u.status === 'late');
    if (included && u.source) used.set(u.unitCode, u.source.objectId);
  }
  return fresh.units
    .filter((u) => (u.status === 'on_time' || u.status === 'late') && u.source && used.get(u.unitCode) !== u.source.objectId)
    .map((u) => u.unitCode);
}

/**
 * Issues an addendum to a closed period's report that includes every valid submission now current:
 * the late ones, and the on-time ones received after a close made before the deadline. It names
 * the units whose figures are new since the previous report; the original report stays as it was.
 */
export async function reissueReport(deps: PipelineDeps, periodId: string): Promise<CloseOutcome> {
  const period = findPeriod(periodId);
  const state = await deps.stores.periods.get(period.id);
  if (state.state !== 'CLOSED') throw new PeriodNotDueError(`${period.name} chưa đóng; bản bổ sung chỉ lập sau khi kỳ đã đóng.`);
  const swept = await reconcilePeriod(deps, period.id);
  const expected = state.addenda ?? 0;
  if (!(await deps.stores.periods.claimAddendum(period.id, expected))) {
    return { outcome: 'busy', periodId: period.id };
  }
  const n = expected + 1;
  const fresh = await currentRollup(deps, period, true, swept.unrecorded, await readAfterSweep(deps, period, swept));
  const closedAt = state.closeStartedAt ?? state.closedAt;
  if (closedAt && Date.parse(closedAt) < Date.parse(period.closesAt)) fresh.closedEarly = { closedAt };
  fresh.sinceLastReport = await newSinceLastReport(deps, period, fresh, expected);
  const { keys, rollup } = await publishReport(deps, period, fresh, n);
  await deps.stores.periods.setAddendumKeys(period.id, n, keys);
  deps.log.info('addendum issued', { periodId: period.id, number: n, late: rollup.late.length });
  return { outcome: 'addendum', periodId: period.id, number: n, reportKeys: keys, rollup };
}

/** How far back the sweep closes a period that was never closed (a missed schedule). */
export const SWEEP_LOOKBACK_MS = 3 * 86_400_000;

/**
 * The backstop that makes every period close: for each period of `years` whose close time has
 * passed and that is not CLOSED, closes it — which resumes a close left in CLOSING by a crash once
 * its lease has expired. A period that was never started and closed longer ago than the lookback is
 * left to an operator (`cchc close`), so a new deployment never mails reports of years gone by.
 * Each period is isolated: one failing close is logged and the others still run.
 */
export async function closeDuePeriods(
  deps: PipelineDeps,
  years: readonly number[],
  options: { onlyClosing?: boolean; takeOver?: boolean } = {},
): Promise<{ periodId: string; outcome: string }[]> {
  const now = deps.clock.now().getTime();
  const out: { periodId: string; outcome: string }[] = [];
  for (const year of years) {
    for (const period of buildCalendar(year).periods) {
      const closesAt = Date.parse(period.closesAt);
      if (closesAt > now) continue;
      const state = await deps.stores.periods.get(period.id);
      if (state.state === 'CLOSED') continue;
      if (state.state === 'OPEN' && (options.onlyClosing || now - closesAt > SWEEP_LOOKBACK_MS)) continue;
      try {
        const result = await closePeriod(deps, period.id, { force: true, takeOver: options.takeOver });
        out.push({ periodId: period.id, outcome: result.outcome });
        if (state.state === 'CLOSING') deps.log.warn('resumed a close left unfinished', { periodId: period.id, outcome: result.outcome });
      } catch (err) {
        deps.log.error('a due period could not be closed; the next sweep retries', {
          periodId: period.id,
          error: err instanceof Error ? err.stack : String(err),
        });
        out.push({ periodId: period.id, outcome: 'failed' });
      }
    }
  }
  return out;
}

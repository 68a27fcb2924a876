/**
 * The scripted reporting period behind `npm run demo`, as a function: tests drive it in-process and
 * inspect what the stack stored afterwards. Every unit acts through the same API and presigned POST
 * a browser uses.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { demoScale, sampleFill, sampleSubmission } from '../../shared/domain/sample-submission.js';
import { findPeriod, formatInstantVi, ZONE } from '../../shared/domain/calendar.js';
import { toSubmissionJson } from '../../shared/domain/submission-json.js';
import type { Period, Submission, Unit } from '../../shared/domain/types.js';
import { expectedUnits } from '../../shared/domain/units.js';
import { makeTemplate } from '../../shared/application/make-template.js';
import { silentLog, type Log } from '../../shared/application/log.js';
import { type CloseOutcome, reissueReport } from '../../shared/application/close-period.js';
import type { PeriodState, SubmissionRecord } from '../../shared/application/records.js';
import { describeSignature } from '../../shared/documents/signatures.js';
import { issueToken } from '../../shared/application/tokens.js';
import { bulkAccept, reviewSlot } from '../../shared/application/review.js';
import { localEventsFile } from '../../shared/adapters/outbound/event-sinks.js';
import { type LocalStack, type SignedSampleOptions, startLocalStack } from './stack.js';
import { MEDIA_TYPES } from '../../shared/domain/media-types.js';

export interface DemoOptions {
  periodId: string;
  /** Play these periods in order instead (e.g. for the comparisons of the Word draft). */
  series?: string[];
  dataDir: string;
  /** Progress lines for people (default: none). */
  write?: (s: string) => void;
  /** The stack's log (default: silent). */
  log?: Log;
  /** Where the demo CA is kept (default `<dataDir>/demo-ca`). */
  demoCaDir?: string;
}

export interface DemoRun {
  /** The stack, still running: the caller closes it. */
  stack: LocalStack;
  /** Every token issued during the run, by unit. */
  tokens: Map<string, string>;
  /** The closing summary, for people. */
  summary: string;
}

/** What each unit does, by code; everyone else sends a valid report on time. */
const MISSING = new Set(['SDL', 'CQLTT', 'NDONG']);
const LATE = new Set(['SNGV', 'ALUOI', 'CTK']);
const REJECTED_ONLY = new Set(['SYT']);
const FIX: Record<string, (s: Submission) => void> = {
  STC: (s) => {
    s.values['TT.HS.02'] = Number(s.values['TT.HS.02'] ?? 0) + 7;
  },
  HTRA: (s) => {
    s.signature.signingForm = 'TL.';
    s.signature.signerTitle = 'Chánh Văn phòng';
  },
  SXD: (s) => {
    s.narratives.kho_khan = null;
  },
  SGTVT: (s) => {
    s.values['DT.01'] = '2.000';
  },
  BHXH: (s) => {
    s.values['CV.02'] = null;
  },
  SYT: (s) => {
    s.values['TC.03'] = 99;
  },
};
const JSON_UNITS = new Set(['CTHUE', 'KBNN']);
/**
 * Units whose first signed report (PDF) is refused, each fixed on D-1: signed by someone outside the
 * unit's leadership, opened and saved again after signing, sent without any signature.
 */
const REPORT_FAULTS: Record<string, SignedSampleOptions> = {
  SKHDT: { leader: { name: 'Trần Văn Chuyên', office: 'Chuyên viên' } },
  SCT: { resavedAfterSigning: true },
  STNMT: { leader: null, organisation: false },
};
/** Minutes between a unit's data form and its signed report. */
const REPORT_AFTER_MINUTES = 3;

/** The run's state shared by its steps: the stack, the period, the tokens and the progress writer. */
interface Demo {
  stack: LocalStack;
  period: Period;
  tokens: Map<string, string>;
  /** A Vietnam-time instant `days` after the due date, at `time` (HH:mm or HH:mm:ss). */
  local: (days: number, time: string) => Date;
  /** A progress line stamped with the virtual time. */
  step: (s: string) => void;
}

export async function runDemo(opts: DemoOptions): Promise<DemoRun> {
  const write = opts.write ?? (() => {});
  // Several periods play one after another on the same stack (so that later closes compare with earlier ones).
  const periods = (opts.series ?? [opts.periodId]).map((id) => findPeriod(id));
  const first = periods[0]!;

  const started = Date.now();
  const dataDir = resolve(opts.dataDir);
  const stack = await startLocalStack({
    dataDir,
    fresh: true,
    port: 0,
    s3Port: 0,
    now: dueDateClock(first)(-4, '08:00'),
    schedulerIntervalMs: 0,
    outboxIntervalMs: 0,
    years: [...new Set(periods.map((p) => p.year))],
    log: opts.log ?? silentLog,
    ...(opts.demoCaDir ? { demoCaDir: opts.demoCaDir } : {}),
  });

  const tokens = new Map<string, string>();
  const summaries: string[] = [];
  for (const period of periods) {
    const local = dueDateClock(period);
    stack.clock.set(local(-4, '08:00'));
    const units = expectedUnits(period, stack.deps.units);
    for (const u of units) tokens.set(u.code, (await issueToken(stack.deps, u.code)).token);

    const step = (s: string): void => {
      write(`  ${formatInstantVi(stack.clock.now())}  ${s}\n`);
    };
    write(`\nDemo: ${period.name} (${period.id}), ${units.length} units, deadline ${formatInstantVi(period.deadline)}\n\n`);
    const demo: Demo = { stack, period, tokens, local, step };

    const onTime = await sendOnTime(demo, units);
    await remindAndResubmit(demo, onTime);
    await reviewOnDueDay(demo);
    await closeAtDeadline(demo);
    const addendum = await sendLateAndReissue(demo);

    const summary = await summarize(demo, dataDir, addendum, started);
    write(summary);
    summaries.push(summary);
  }
  return { stack, tokens, summary: summaries.join('\n') };
}

/** Instants relative to the period's due date, in Vietnam time. */
function dueDateClock(period: Period): (days: number, time: string) => Date {
  const due = DateTime.fromISO(period.dueDate, { zone: ZONE });
  return (days, time) => {
    const [h, m, sec] = time.split(':').map(Number) as [number, number, number?];
    return due
      .plus({ days })
      .set({ hour: h, minute: m, second: sec ?? 0, millisecond: 0 })
      .toJSDate();
  };
}

/** The unit's sample content for a period (the same for its data form and its signed report). */
function sampleOf(period: Period, unitCode: string, when: Date): Submission {
  return sampleSubmission(unitCode, period.id, { asOf: when, scale: demoScale(unitCode, period), varyByUnit: true });
}

/** One unit's dossier at `when`, as a browser sends it: its data form, then a few minutes later its signed report. */
async function upload(demo: Demo, unitCode: string, when: Date, mutate?: (s: Submission) => void): Promise<void> {
  await uploadForm(demo, unitCode, when, mutate);
  await uploadReport(demo, unitCode, new Date(when.getTime() + REPORT_AFTER_MINUTES * 60_000), REPORT_FAULTS[unitCode]);
}

/** The unit's data form (changed by `mutate`) as a template or JSON. */
async function uploadForm(demo: Demo, unitCode: string, when: Date, mutate?: (s: Submission) => void): Promise<void> {
  const { stack, period } = demo;
  const sub = sampleOf(period, unitCode, when);
  mutate?.(sub);
  const asJson = JSON_UNITS.has(unitCode);
  const bytes = asJson
    ? Buffer.from(JSON.stringify(toSubmissionJson(sub)), 'utf8')
    : (await makeTemplate({ unitCode, periodId: period.id, key: await stack.deps.templateKey(), now: when, fill: sampleFill(sub) })).bytes;
  await post(demo, unitCode, when, bytes, `${unitCode}-${period.id}.${asJson ? 'json' : 'xlsx'}`, asJson ? MEDIA_TYPES.json : MEDIA_TYPES.xlsx);
}

/** The unit's signed report: its sample report signed by its leader and the unit a minute before (`fault`: a refused one). */
async function uploadReport(demo: Demo, unitCode: string, when: Date, fault?: SignedSampleOptions): Promise<void> {
  const { stack, period } = demo;
  const submission = sampleOf(period, unitCode, when);
  const pdf = await stack.signedSampleReport(unitCode, period.id, new Date(when.getTime() - 60_000), { submission, ...fault });
  await post(demo, unitCode, when, pdf, `Bao-cao-${unitCode}-${period.id}-da-ky-so.pdf`, MEDIA_TYPES.pdf);
}

/**
 * One upload at `when`, as a browser makes it: the clock moves there (due jobs run), an upload link
 * from the API, the presigned POST, then the pipeline drains.
 */
async function post({ stack, period, tokens }: Demo, unitCode: string, when: Date, bytes: Uint8Array, fileName: string, contentType: string): Promise<void> {
  stack.clock.set(when);
  await stack.scheduler.tick();
  const token = tokens.get(unitCode)!;
  const res = await fetch(`${stack.apiUrl}/api/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ periodId: period.id, fileName, contentType, size: bytes.length }),
  });
  const ticket = (await res.json()) as { url: string; fields: Record<string, string>; error?: { message: string } };
  if (!res.ok) throw new Error(`${unitCode}: upload link refused: ${ticket.error?.message}`);
  const form = new FormData();
  for (const [k, v] of Object.entries(ticket.fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(bytes)]), 'file');
  const stored = await fetch(ticket.url, { method: 'POST', body: form });
  if (stored.status !== 204) throw new Error(`${unitCode}: upload refused by S3: ${stored.status}`);
  await new Promise((r) => setTimeout(r, 5));
  await stack.drain();
}

/** D-4 … D-2: most units send, 97 minutes apart; some get errors back. Returns the units that sent on time. */
async function sendOnTime(demo: Demo, units: readonly Unit[]): Promise<Unit[]> {
  const onTime = units.filter((u) => !MISSING.has(u.code) && !LATE.has(u.code));
  let i = 0;
  for (const u of onTime) {
    const when = new Date(demo.local(-4, '08:30').getTime() + i * 97 * 60_000);
    i += 1;
    await upload(demo, u.code, when, FIX[u.code]);
  }
  const sent = (codes: string[]) => codes.filter((c) => onTime.some((u) => u.code === c)).length;
  demo.step(
    `${onTime.length} units uploaded their data form and signed report; ${sent(Object.keys(FIX))} forms and ${sent(Object.keys(REPORT_FAULTS))} signed reports got errors back by e-mail`,
  );
  return onTime;
}

/** D-1: reminders go out, then the units with errors fix them and resubmit (one never does). */
async function remindAndResubmit(demo: Demo, onTime: readonly Unit[]): Promise<void> {
  const { stack, local, step } = demo;
  stack.clock.set(local(-1, '08:00'));
  await stack.scheduler.tick();
  step('D-1 reminders sent to units without a valid report');
  let j = 0;
  for (const code of Object.keys(FIX)) {
    if (REJECTED_ONLY.has(code) || !onTime.some((u) => u.code === code)) continue;
    await uploadForm(demo, code, local(-1, `${String(9 + j).padStart(2, '0')}:15`));
    j += 1;
  }
  let k = 0;
  for (const code of Object.keys(REPORT_FAULTS)) {
    if (!onTime.some((u) => u.code === code)) continue;
    await uploadReport(demo, code, local(-1, `${String(9 + j + k).padStart(2, '0')}:45`));
    k += 1;
  }
  step(`${j} units fixed their data forms and ${k} their signed reports, and resubmitted`);
}

/** The demo's officer of Phòng CCHC (a named Department user; the board would act as the person holding the link). */
const DEMO_REVIEWER = { kind: 'department' as const, id: 'demo-reviewer', name: 'Nguyễn Thị Lan' };
/** The unit whose report the Department returns on the due day, and corrects the same afternoon. */
const RETURNED = 'HUE';

/**
 * The due day: Phòng CCHC returns one report with a reason and the indicator to fix, the unit sends
 * its corrected form, then every valid report without warnings is accepted in bulk, so the close
 * says whose figures were reviewed (docs/REVIEW.md).
 */
async function reviewOnDueDay(demo: Demo): Promise<void> {
  const { stack, period, local, step } = demo;
  stack.clock.set(local(0, '09:00'));
  await reviewSlot(stack.deps, {
    periodId: period.id,
    unitCode: RETURNED,
    action: { type: 'return', reason: 'Tổng số hồ sơ TTHC tiếp nhận chưa khớp với số liệu trên Cổng dịch vụ công; đề nghị rà soát lại.', items: ['TT.HS.01'] },
    actor: DEMO_REVIEWER,
  });
  step(`${DEMO_REVIEWER.name} (Phòng CCHC) returned ${RETURNED}'s report for correction (TT.HS.01)`);
  await uploadForm(demo, RETURNED, local(0, '14:00'));
  step(`${RETURNED} sent its corrected data form`);
  stack.clock.set(local(0, '16:00'));
  const bulk = await bulkAccept(stack.deps, period.id, DEMO_REVIEWER);
  step(`${bulk.accepted.length} valid reports without warnings accepted in bulk; ${bulk.skipped.length} left for a person or without a valid report`);
  await stack.drain();
}

/** The deadline passes; the scheduler closes the period and mails the consolidated report. */
async function closeAtDeadline({ stack, period, step }: Demo): Promise<void> {
  stack.clock.set(new Date(Date.parse(period.closesAt) + 5 * 60_000));
  await stack.scheduler.tick();
  step('deadline passed: period closed, consolidated report e-mailed to Sở Nội vụ');
}

/** The late units send, a day apart; then an addendum is issued with their reports. */
async function sendLateAndReissue(demo: Demo): Promise<CloseOutcome> {
  const { stack, period, tokens, local, step } = demo;
  let k = 0;
  for (const code of LATE) {
    if (!tokens.has(code)) continue;
    await upload(demo, code, local(1 + k, '10:00'));
    k += 1;
  }
  step(`${k} late reports received (recorded as nộp muộn)`);
  const addendum = await reissueReport(stack.deps, period.id);
  step(`addendum issued with the late reports (bản bổ sung số ${addendum.outcome === 'addendum' ? addendum.number : '?'})`);
  await stack.drain();
  return addendum;
}

/** Copies the stored reports (workbooks, CSV, JSON, charts; close and addenda) to `<dataDir>/reports`; their paths. */
async function copyReports(stack: LocalStack, state: PeriodState, dataDir: string): Promise<string[]> {
  const outDir = join(dataDir, 'reports');
  await mkdir(outDir, { recursive: true });
  const copied: string[] = [];
  for (const key of [...(state.reportKeys ?? []), ...Object.values(state.addendumKeys ?? {}).flat()]) {
    if (!/\.(xlsx|csv|json|png|docx)$/.test(key)) continue;
    const target = join(outDir, key.split('/').pop()!);
    const bytes = await stack.deps.uploads.get({ key }, 50 * 1024 * 1024);
    await writeFile(target, bytes);
    copied.push(target);
  }
  return copied;
}

/**
 * The signed reports (PDF) of the period: how many are current on time and late, who signed one of
 * them, which were refused and why, and a receipt of each kind to open.
 */
async function signedReportLines(stack: LocalStack, period: Period, mails: string[]): Promise<string> {
  const records = (await stack.deps.stores.submissions.listOfPeriod(period.id)).filter((r) => r.part === 'report');
  const pointers = await stack.deps.stores.pointers.listOfPeriod(period.id, 'report');
  const receiptOf = (r: SubmissionRecord) => mails.find((m) => m.includes(`receipt-${period.id}-${r.unitCode}-${r.objectId}`));
  const refused = records.filter((r) => r.status !== 'valid');
  const refusedUnits = [...new Set(refused.map((r) => r.unitCode))];
  const example = records.find((r) => r.objectId === pointers.current.find((p) => p.unitCode === 'STP')?.objectId) ?? records.find((r) => r.status === 'valid');
  const lines = [
    `Signed reports (PDF with chữ ký số; demo CA trusted from ${stack.trust.dir}):`,
    `  ${records.length} received: ${pointers.current.length} valid on time, ${pointers.late.length} valid late, ${refused.length} refused`,
    ...refusedUnits.map((code) => {
      const codes = [
        ...new Set(refused.filter((r) => r.unitCode === code).flatMap((r) => r.findings.filter((f) => f.severity === 'error').map((f) => f.code))),
      ];
      const fixed = pointers.current.some((p) => p.unitCode === code) ? 'then fixed' : 'not fixed';
      return `  refused ${code}: ${codes.join(', ')} (${fixed})`;
    }),
  ];
  if (example) {
    lines.push(`  ${example.unitCode}'s signed report, as its receipt says:`);
    for (const s of example.report?.signatures ?? []) lines.push(`    ${describeSignature(s)}`);
  }
  const receipts = [example, refused[0]].filter((r) => r !== undefined).map((r) => receiptOf(r));
  for (const name of receipts) if (name) lines.push(`  receipt: ${join(stack.mailDir, name)}`);
  return lines.join('\n');
}

/** Where to look: the figures of the report at close and of the addendum, the e-mails and the copied reports. */
async function summarize({ stack, period }: Demo, dataDir: string, addendum: CloseOutcome, started: number): Promise<string> {
  const state = await stack.deps.stores.periods.get(period.id);
  const copied = await copyReports(stack, state, dataDir);
  const rollupKey = state.reportKeys!.find((k2) => k2.endsWith('.json'))!;
  const rollup = JSON.parse(Buffer.from(await stack.deps.uploads.get({ key: rollupKey }, 5e7)).toString('utf8'));
  const mails = (await readdir(stack.mailDir)).sort();
  const reportMail = mails.filter((m) => m.includes('_report-'));
  const signed = await signedReportLines(stack, period, mails);
  return `
Summary of the consolidated report (at close):
  expected ${rollup.coverage.all.expected}, valid ${rollup.coverage.all.valid}, on time ${rollup.coverage.all.onTime}, late ${rollup.coverage.all.late}
  completeness ${(rollup.coverage.all.completeness * 100).toFixed(1)}%, timeliness ${(rollup.coverage.all.timeliness * 100).toFixed(1)}%
  missing: ${rollup.missing.join(', ') || '—'}
  rejected only: ${rollup.rejectedOnly.join(', ') || '—'}
  reviewed: ${rollup.units.filter((u: { review?: { status: string } | null }) => u.review?.status === 'accepted').length} accepted by Sở Nội vụ, returned: ${
    rollup.units
      .filter((u: { review?: { status: string } | null }) => u.review?.status === 'returned')
      .map((u: { unitCode: string }) => u.unitCode)
      .join(', ') || '—'
  }
Events for other systems: ${localEventsFile(dataDir)}
Addendum: ${addendum.outcome === 'addendum' ? `${addendum.rollup.coverage.all.valid} valid of ${addendum.rollup.coverage.all.expected}, late: ${addendum.rollup.late.join(', ')}` : '—'}
${signed}

E-mails (${mails.length} .eml files): ${stack.mailDir}
  consolidated report: ${reportMail.map((m) => join(stack.mailDir, m)).join('\n                       ')}
Reports:
  ${copied.join('\n  ')}

Finished in ${((Date.now() - started) / 1000).toFixed(1)} s.
`;
}

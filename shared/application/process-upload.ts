import { SYSTEM_ACTOR } from '../domain/audit.js';
import { recordStep } from './audit.js';
import { refreshRegistry } from './registry.js';
import { acceptedFileOf, effectiveExtension, type ReviewRecord } from '../domain/review.js';
import { createHash } from 'node:crypto';
import { type DossierPart, parseIncomingKey, partOfExtension } from '../domain/object-keys.js';
import { findPeriod, isOnTime } from '../domain/calendar.js';
import { RECORD_BOUNDS, capFindings, cutText, excerpt } from '../domain/bounds.js';
import { DomainError } from '../domain/errors.js';
import { displayFileName } from '../domain/text.js';
import { applicableIndicators, currentForm } from '../domain/forms.js';
import type { Finding, Period, Submission, Unit } from '../domain/types.js';
import { findUnit } from '../domain/units.js';
import type { UploadCheck } from './check-upload.js';
import { guardedCheckUpload, unprocessableFinding } from './guarded-check.js';
import type { ObjectHead } from './ports.js';
import { type CurrentPointer, type Extension, isFormPart, type SlotState, type SubmissionRecord } from './records.js';
import type { PipelineDeps } from './deps.js';
import { queueMail } from './outbox.js';

/** The finding code of a file the pipeline could not check (its records are listed by the roll-up). */
const UNPROCESSABLE_CODE = unprocessableFinding('').code;

/** An object to process, as an S3 event or a reconciliation sweep describes it. */
export interface UploadedObject {
  /** Decoded key. */
  key: string;
  versionId?: string;
  /** Server receipt time: the S3 event time (or LastModified for a lost event). ISO. */
  receivedAt: string;
  source: 'event' | 'reconciliation' | 'dead-letter';
}

export type ProcessOutcome =
  | { outcome: 'recorded'; record: SubmissionRecord }
  | { outcome: 'duplicate'; record: SubmissionRecord }
  | { outcome: 'ignored'; reason: string };

/** Stable id of an object version: the upload id, plus a version tag where S3 versioning made one. */
export function objectIdOf(uploadId: string, versionId?: string): string {
  if (!versionId || versionId === 'null') return uploadId;
  return `${uploadId}.${createHash('sha256').update(versionId).digest('hex').slice(0, 12)}`;
}

function receiptNo(periodId: string, unitCode: string, objectId: string): string {
  return `BN-${periodId.replace('-', '')}-${unitCode}-${objectId.slice(11, 19).toUpperCase()}`;
}

function figuresOf(sub: Submission | null, unit: Unit): Record<string, number | string | boolean | null> {
  if (!sub) return {};
  if (sub.kind === 'plan') return tasksPerArea(sub);
  const form = currentForm(sub.kind);
  const applicable = applicableIndicators(form, unit).map((i) => i.code);
  // The form's receipt headline (those that apply to the unit), else the unit's first eight.
  const headline = form.headline?.receipt;
  const chosen = headline ? headline.filter((c) => applicable.includes(c)) : applicable.slice(0, 8);
  return Object.fromEntries(chosen.map((c) => [c, sub.values[c] ?? null]));
}

function tasksPerArea(sub: Submission): Record<string, number> {
  const form = currentForm('plan');
  const counts: Record<string, number> = Object.fromEntries(form.areas.map((a) => [a.code, 0]));
  for (const t of sub.tasks) if (t.area && t.area in counts) counts[t.area]! += 1;
  return counts;
}

function internalFinding(): Finding {
  return {
    code: 'INTERNAL_ERROR',
    severity: 'error',
    sheet: null,
    cell: null,
    indicator: null,
    message:
      'Hệ thống gặp lỗi khi đọc tệp này. Sở Nội vụ đã được ghi nhận sự cố; vui lòng lưu lại tệp bằng Excel và nộp lại, hoặc liên hệ Phòng Cải cách hành chính.',
  };
}

/**
 * Validates one uploaded object and records the result exactly once.
 *
 * Primary course: parse the server-built key → skip if already recorded (finishing any step a crash
 * left undone) → HEAD for size → GET → sniff, read, validate against the slot from the key →
 * record (conditional on the object's identity) → advance the unit's current submission if valid
 * and newer → queue the receipt in the outbox and try to send it.
 * Infrastructure failures throw, so the queue retries and finally dead-letters the message.
 */
export async function processUploadedObject(deps: PipelineDeps, obj: UploadedObject): Promise<ProcessOutcome> {
  const started = Date.now();
  const out = await recordObject(deps, obj, async ({ head, unit, period }) => {
    if (head.size > deps.config.maxUploadBytes) {
      const tooLarge: Finding = {
        code: 'FILE_TOO_LARGE',
        severity: 'error',
        sheet: null,
        cell: null,
        indicator: null,
        message: `Tệp lớn hơn mức cho phép (${Math.round(deps.config.maxUploadBytes / 1024 / 1024)} MB). Hãy xóa các trang, hình ảnh không cần thiết và nộp lại.`,
      };
      return { check: { status: 'invalid', format: 'unknown', submission: null, findings: [tooLarge] }, sha256: null };
    }
    const bytes = await deps.uploads.get({ key: obj.key, versionId: obj.versionId }, deps.config.maxUploadBytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const slot = { unitCode: unit.code, periodId: period.id, kind: period.kind };
    const part = partOfKey(obj.key);
    try {
      const guarded = await (deps.check ?? guardedCheckUpload)(bytes, slot, new Date(obj.receivedAt), {
        templateKey: part === 'form' ? await deps.templateKey() : '',
        units: deps.units,
        ...(deps.roster ? { roster: deps.roster } : {}),
        part,
        ...(part === 'report' ? { trust: deps.trust ? await deps.trust() : { anchors: [] } } : {}),
      });
      if (guarded.verdict) {
        deps.log.error('the file could not be checked within its bounds; recorded as rejected', {
          key: obj.key,
          verdict: guarded.verdict,
          detail: guarded.detail,
          poisonObject: true,
        });
      }
      const { verdict: _v, detail: _d, ...check } = guarded;
      return { check, sha256 };
    } catch (err) {
      deps.log.error('reading the upload failed unexpectedly; recorded as rejected', {
        key: obj.key,
        error: err instanceof Error ? err.stack : String(err),
        poisonObject: true,
      });
      return { check: { status: 'invalid', format: 'unknown', submission: null, findings: [internalFinding()] }, sha256 };
    }
  });
  if (out.stored) {
    deps.log.info('upload processed', {
      key: obj.key,
      unit: out.stored.record.unitCode,
      period: out.stored.record.periodId,
      status: out.stored.record.status,
      findings: out.stored.record.findings.length,
      onTime: out.stored.record.onTime,
      durationMs: Date.now() - started,
      created: out.stored.created,
    });
  }
  return out.outcome;
}

/** The dossier part of a server-built key (its extension); the form for anything else. */
function partOfKey(key: string): DossierPart {
  const parsed = parseIncomingKey(key);
  return parsed ? partOfExtension(parsed.extension) : 'form';
}

/** How one object is judged once its slot is known: the check to record and the file's hash. */
type Judge = (o: { head: ObjectHead; unit: Unit; period: Period }) => Promise<{ check: UploadCheck; sha256: string | null }>;

/**
 * The one path from an object to its record and receipt, whatever judges it: parse the server-built
 * key → finish an existing record (a duplicate or a retry after a crash) → the slot's unit and period
 * → HEAD → judge → record (conditional on the object's identity) → pointers and receipt.
 */
async function recordObject(
  deps: PipelineDeps,
  obj: UploadedObject,
  judge: Judge,
): Promise<{ outcome: ProcessOutcome; stored: { created: boolean; record: SubmissionRecord } | null }> {
  const parsed = parseIncomingKey(obj.key);
  if (!parsed) {
    deps.log.warn('object key is not a server-built upload key; ignored', { key: obj.key });
    return { outcome: { outcome: 'ignored', reason: 'foreign-key' }, stored: null };
  }
  let unit: Unit;
  let period: Period;
  // A key names a unit this function does not know: the registry may have gained it since it was
  // read (a unit added on the board). Read it again before deciding; a failed read is retried.
  if (!deps.units.some((u) => u.code === parsed.unitCode)) await refreshRegistry(deps, true);
  try {
    unit = findUnit(parsed.unitCode, deps.units);
    period = findPeriod(parsed.periodId);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    deps.log.error('upload key names an unknown unit or period; ignored', { key: obj.key, reason: err.message });
    return { outcome: { outcome: 'ignored', reason: 'unknown-slot' }, stored: null };
  }

  const objectId = objectIdOf(parsed.uploadId, obj.versionId);
  // Everything the record and its receipt need, read at once by key: whether the object is recorded
  // already, its intent (the file name), the slot (both parts' pointers: the other part's signer, this
  // part's for the receipt; and the unit's extension), and the object's size.
  const heading = settled(deps.uploads.head({ key: obj.key, versionId: obj.versionId }));
  const [existing, intent, [slot], review] = await Promise.all([
    deps.stores.submissions.get(period.id, unit.code, objectId),
    deps.stores.intents.get(parsed.uploadId),
    deps.stores.pointers.slots([{ periodId: period.id, unitCode: unit.code, kind: period.kind }]),
    deps.stores.reviews.latest(period.id, unit.code, period.kind),
  ]);
  // The unit's extension, or the correction window of a return (docs/REVIEW.md): what timeliness uses.
  const extension = effectiveExtension(slot!.extension, review, period.dueDate);
  if (existing) {
    await heading;
    await finish(deps, existing, { extension, review });
    deps.log.info('already recorded; completed any step left undone', { key: obj.key, objectId, status: existing.status });
    return { outcome: { outcome: 'duplicate', record: existing }, stored: null };
  }
  const head = unwrap(await heading);
  if (!head) throw new Error(`Uploaded object ${obj.key} not found (nothing is ever deleted: retry later)`);
  const judged = await judge({ head, unit, period });
  const part = partOfExtension(parsed.extension);
  // The dossier's two parts must name the same signer: the workbook's typed signer block and the PDF's leader.
  const check = judged.check.status === 'valid' ? await crossCheckSigner(judged.check, part, await otherPartOf(deps, slot!, part)) : judged.check;
  const sha256 = judged.sha256;
  const record = buildRecord({
    objectId,
    key: obj.key,
    versionId: obj.versionId ?? null,
    uploadId: parsed.uploadId,
    unit,
    period,
    fileName: intent?.fileName ?? `upload.${parsed.extension}`,
    part,
    size: head.size,
    sha256,
    check,
    receivedAt: new Date(obj.receivedAt).toISOString(),
    onTime: isOnTime(period, obj.receivedAt, extension?.until),
    recordedAt: deps.clock.now().toISOString(),
    source: obj.source,
  });
  const stored = await deps.stores.submissions.putOnce(record);
  await finish(deps, stored.record, { extension, review, ...(stored.created ? { created: true, slot: slot! } : {}) });
  return { outcome: stored.created ? { outcome: 'recorded', record: stored.record } : { outcome: 'duplicate', record: stored.record }, stored };
}

/**
 * The object's arrival and its result, as steps of the slot's trail (each once: a retry adds nothing),
 * and `submission.recorded` for other systems. Each step is dated by its own fact (the receipt time,
 * the recording time), not by when a retry wrote it.
 */
async function recordedSteps(deps: PipelineDeps, record: SubmissionRecord): Promise<void> {
  const base = { periodId: record.periodId, unitCode: record.unitCode, kind: record.kind, actor: SYSTEM_ACTOR };
  const part = record.part ?? 'form';
  await recordStep(deps, {
    ...base,
    eventId: `received:${record.objectId}`,
    type: 'object.received',
    at: record.receivedAt,
    detail: { objectId: record.objectId, uploadId: record.uploadId, fileName: record.fileName, size: record.size, sha256: record.sha256, part },
  });
  const errors = record.findings.filter((f) => f.severity === 'error').length;
  const warnings = record.findings.filter((f) => f.severity === 'warning').length;
  await recordStep(
    deps,
    {
      ...base,
      eventId: `recorded:${record.objectId}`,
      type: 'result.recorded',
      at: record.recordedAt,
      detail: { objectId: record.objectId, receiptNo: record.receiptNo, status: record.status, onTime: record.onTime, errors, warnings, part },
    },
    {
      type: 'submission.recorded',
      detail: {
        periodId: record.periodId,
        unitCode: record.unitCode,
        kind: record.kind,
        part,
        objectId: record.objectId,
        receiptNo: record.receiptNo,
        status: record.status,
        onTime: record.onTime,
        receivedAt: record.receivedAt,
        sha256: record.sha256,
        errors,
        warnings,
      },
    },
  );
}

/** A promise whose rejection is kept for later (so a read started early fails only where it is used). */
function settled<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw r.error;
  return r.value;
}

/** The current file (on time, else the latest late one) of the slot's other dossier part, if any. */
async function otherPartOf(deps: PipelineDeps, slot: SlotState, part: DossierPart): Promise<SubmissionRecord | null> {
  const other = part === 'form' ? slot.report : slot.form;
  const pointer = other.current ?? other.late;
  return pointer ? deps.stores.submissions.get(slot.periodId, slot.unitCode, pointer.objectId) : null;
}

/** The signer each part names: the workbook's typed signer, the PDF's leader (else its first signer). */
function signerOf(check: UploadCheck, part: DossierPart): string | null {
  if (part === 'form') return check.submission?.signature.signerName ?? null;
  return check.report?.leader?.name ?? check.report?.signatures[0]?.signer ?? null;
}

function recordedSigner(r: SubmissionRecord): string | null {
  return isFormPart(r) ? (r.signerName ?? null) : (r.report?.leader?.name ?? r.report?.signatures[0]?.signer ?? null);
}

/**
 * Adds the finding of a signer that differs from the one the slot's other part names (a valid file
 * only: the other part already stands); an error makes the file invalid, as every error does.
 */
export async function crossCheckSigner(check: UploadCheck, part: DossierPart, other: SubmissionRecord | null): Promise<UploadCheck> {
  if (check.status !== 'valid' || !other) return check;
  // The roster and its data load only for a slot whose other part is in (a lazy chunk in a bundle).
  const { sameSigner } = await import('../domain/roster.js');
  const mine = signerOf(check, part);
  const theirs = recordedSigner(other);
  const typed = part === 'form' ? mine : theirs;
  const signed = part === 'form' ? theirs : mine;
  const findings = sameSigner(typed, signed);
  if (findings.length === 0) return check;
  const all = [...check.findings, ...findings];
  return { ...check, findings: all, status: all.some((f) => f.severity === 'error') ? 'invalid' : 'valid' };
}

export interface RecordInput {
  objectId: string;
  key: string;
  versionId: string | null;
  uploadId: string;
  unit: Unit;
  period: Period;
  fileName: string;
  size: number;
  sha256: string | null;
  check: UploadCheck;
  receivedAt: string;
  onTime: boolean;
  recordedAt: string;
  source: UploadedObject['source'];
  /** Default the form. */
  part?: DossierPart;
}

/**
 * The record of one object's result, bounded whatever the file held: capped findings with excerpts,
 * only the form's known indicator codes and narrative sections, each narrative cut to its bound (the
 * file itself stays in S3).
 */
export function buildRecord(r: RecordInput): SubmissionRecord {
  const { check, unit, period } = r;
  const valid = check.status === 'valid';
  const sub = check.submission;
  return {
    objectId: r.objectId,
    key: r.key,
    versionId: r.versionId,
    uploadId: r.uploadId,
    unitCode: unit.code,
    periodId: period.id,
    kind: period.kind,
    fileName: displayFileName(r.fileName),
    size: r.size,
    sha256: r.sha256,
    format: check.format,
    ...(r.part === 'report' ? { part: r.part, ...(check.report ? { report: check.report } : {}) } : {}),
    receivedAt: r.receivedAt,
    onTime: r.onTime,
    status: check.status,
    findings: capFindings(check.findings),
    figures: figuresOf(sub, unit),
    values: valid && sub ? knownValues(sub, unit) : undefined,
    narratives: valid && sub ? knownNarratives(sub) : undefined,
    tasksPerArea: valid && sub?.kind === 'plan' ? tasksPerArea(sub) : undefined,
    issueDate: sub?.signature.issueDate == null ? null : excerpt(sub.signature.issueDate, 40),
    ...(sub?.signature.signerName ? { signerName: excerpt(sub.signature.signerName, 80) } : {}),
    receiptNo: receiptNo(period.id, unit.code, r.objectId),
    recordedAt: r.recordedAt,
    source: r.source,
  };
}

function knownValues(sub: Submission, unit: Unit): Submission['values'] {
  if (sub.kind === 'plan') return {};
  const out: Submission['values'] = {};
  for (const ind of applicableIndicators(currentForm(sub.kind), unit)) {
    if (Object.hasOwn(sub.values, ind.code)) out[ind.code] = sub.values[ind.code]!;
  }
  return out;
}

function knownNarratives(sub: Submission): Submission['narratives'] {
  const out: Submission['narratives'] = {};
  for (const n of currentForm(sub.kind).narratives) {
    const text = sub.narratives[n.code] ?? null;
    out[n.code] = text === null ? null : cutText(text, RECORD_BOUNDS.narrativeChars);
  }
  return out;
}

/**
 * Records an object that could not be processed (every retry failed, or the reconciliation could
 * not read it) as rejected with FILE_UNPROCESSABLE, without parsing it again, and sends its receipt.
 * An object recorded meanwhile is left as it is (its receipt is completed); so each object still has
 * exactly one record and one receipt.
 */
export async function recordUnprocessable(deps: PipelineDeps, obj: UploadedObject, reason: string): Promise<ProcessOutcome> {
  const out = await recordObject(deps, obj, async ({ head }) => {
    let sha256: string | null = null;
    if (head.size <= deps.config.maxUploadBytes) {
      // Hashing is bounded by the upload limit and parses nothing: the record stays traceable to the file.
      try {
        sha256 = createHash('sha256')
          .update(await deps.uploads.get({ key: obj.key, versionId: obj.versionId }, deps.config.maxUploadBytes))
          .digest('hex');
      } catch (err) {
        deps.log.warn('could not read the object to hash it; recorded without its SHA-256', {
          key: obj.key,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
    return { check: { status: 'invalid', format: 'unknown', submission: null, findings: [unprocessableFinding(reason)] }, sha256 };
  });
  if (out.stored) {
    const r = out.stored.record;
    deps.log.error('object recorded as unprocessable', {
      key: obj.key,
      unit: r.unitCode,
      period: r.periodId,
      reason,
      created: out.stored.created,
      poisonObject: true,
    });
  }
  return out.outcome;
}

/** What `finish` may know already: the unit's extension, and for a record just created the slot as read before it. */
interface Known {
  extension?: Extension | null;
  /** The slot's latest review, as read with the slot. */
  review?: ReviewRecord | null;
  /** The record was created by this run: no receipt can be queued for it yet. */
  created?: boolean;
  /** The slot's state read before the record was written (with `created`). */
  slot?: SlotState;
}

/**
 * The steps after recording; each is idempotent, so a retry after a crash completes them: the
 * pointer (valid files), the slot's file set, the receipt. The receipt words the slot's pointers as
 * they stand after this file's pointer moved: from the slot as read before the record when this run
 * created it and its pointer moved (or it has none to move), else read again.
 */
async function finish(deps: PipelineDeps, record: SubmissionRecord, known: Known = {}): Promise<void> {
  const part = record.part ?? 'form';
  const which = record.onTime ? 'current' : 'late';
  const pointer: CurrentPointer = {
    periodId: record.periodId,
    unitCode: record.unitCode,
    kind: record.kind,
    ...(record.part === 'report' ? { part: record.part } : {}),
    objectId: record.objectId,
    receivedAt: record.receivedAt,
    order: `${record.receivedAt}#${record.objectId}`,
  };
  // A slot the Department accepted is locked: a file that still arrives (from a link asked before the
  // acceptance) is recorded and receipted, but never replaces the accepted file.
  const review = known.review === undefined ? await deps.stores.reviews.latest(record.periodId, record.unitCode, record.kind) : known.review;
  const accepted = acceptedFileOf(review, part);
  const moved = record.status === 'valid' && !accepted ? await deps.stores.pointers.advance(which, pointer) : false;
  await deps.stores.pointers.addFile({
    periodId: record.periodId,
    unitCode: record.unitCode,
    kind: record.kind,
    part,
    objectId: record.objectId,
    unprocessable: record.findings.some((f) => f.code === UNPROCESSABLE_CODE),
  });
  const unit = findUnit(record.unitCode, deps.units);
  const period = findPeriod(record.periodId);
  const messageId = `receipt-${record.periodId}-${record.unitCode}-${record.objectId}`;
  // Composed once, when not queued yet. Its wording (and, in mime.ts, the MIME composer) loads with
  // the first receipt, after the record the unit waits for is written: a lazy chunk in a bundle.
  await recordedSteps(deps, record);
  const about = { periodId: record.periodId, unitCode: record.unitCode, ref: record.receiptNo };
  await queueMail(deps, { messageId, purpose: 'receipt', to: unit.emails, isNew: known.created, about }, async () => {
    const { buildReceiptMail } = await import('../documents/mail/receipt.js');
    const before = known.created && (moved || record.status !== 'valid') ? known.slot : undefined;
    const whole = before ?? (await deps.stores.pointers.slots([{ periodId: record.periodId, unitCode: record.unitCode, kind: record.kind }]))[0]!;
    const state = whole[part];
    const at = (p: CurrentPointer | null) => (p ? { objectId: p.objectId, receivedAt: p.receivedAt } : null);
    // the receipt lists the dossier's other file too (its current valid one, or that there is none)
    const otherRecord = await otherPartOf(deps, whole, part);
    const slot = {
      current: at(before && moved && which === 'current' ? pointer : state.current),
      late: at(before && moved && which === 'late' ? pointer : state.late),
      asOf: deps.clock.now(),
      otherPart: otherRecord ? { receiptNo: otherRecord.receiptNo, fileName: otherRecord.fileName, sha256: otherRecord.sha256 } : null,
      accepted,
    };
    const granted =
      known.extension === undefined ? effectiveExtension(await deps.stores.extensions.get(period.id, unit.code), review, period.dueDate) : known.extension;
    return buildReceiptMail(record, unit, period, deps.config.portalUrl, granted, slot);
  });
}

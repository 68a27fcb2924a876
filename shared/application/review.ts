import { latestByFinding, warningsAllAccepted } from '../domain/justification.js';
import type { Actor } from '../domain/audit.js';
import { findPeriod, formatInstantVi, localDateOf } from '../domain/calendar.js';
import { formatDateVi } from '../domain/dates.js';
import { currentForm } from '../domain/forms.js';
import { decideReview, itemsText, type ReviewAction, type ReviewFacts, type ReviewRecord } from '../domain/review.js';
import type { Period, SubmissionKind } from '../domain/types.js';
import { expectedUnits, findUnit, KIND_NAMES } from '../domain/units.js';
import { LINK_PLACEHOLDER } from '../documents/mail/link-template.js';
import { escapeHtml } from '../documents/mail/mime.js';
import { recordStep } from './audit.js';
import type { PipelineDeps } from './deps.js';
import { ApiError } from './errors.js';
import { queueMail } from './outbox.js';

/**
 * The Department's review of a slot: accept (locks it), return for correction, reopen, and accept in
 * bulk. Each decision is checked by the domain (decideReview), added as the slot's next numbered
 * decision (a concurrent reviewer's loses, with a clear message), put on the audit trail, published
 * to other systems as `submission.reviewed`, and told to the unit by e-mail with its personal link.
 */

export interface ReviewRequest {
  periodId: string;
  unitCode: string;
  kind?: SubmissionKind;
  action: ReviewAction;
  actor: Actor;
}

const EVENT_TYPE: Record<ReviewAction['type'], 'review.accepted' | 'review.returned' | 'review.reopened'> = {
  accept: 'review.accepted',
  return: 'review.returned',
  reopen: 'review.reopened',
};

/** The slot's current valid file, the one the close would use: on time, else the latest late one. */
async function factsOf(deps: PipelineDeps, period: Period, unitCode: string, kind: SubmissionKind): Promise<ReviewFacts> {
  const [slot] = await deps.stores.pointers.slots([{ periodId: period.id, unitCode, kind }]);
  const pointer = slot?.form.current ?? slot?.form.late ?? null;
  const report = slot?.report.current ?? slot?.report.late ?? null;
  const record = pointer ? await deps.stores.submissions.get(period.id, unitCode, pointer.objectId) : null;
  return {
    report: report ? { objectId: report.objectId } : null,
    requiresReport: period.requiresSignedReport,
    current:
      record && record.status === 'valid'
        ? { objectId: record.objectId, warnings: record.findings.filter((f) => f.severity === 'warning').length, onTime: record.onTime }
        : null,
    today: localDateOf(deps.clock.now()),
    dueDate: period.dueDate,
    form: currentForm(kind),
  };
}

function periodOf(periodId: string): Period {
  try {
    return findPeriod(periodId);
  } catch {
    throw new ApiError(400, 'UNKNOWN_PERIOD', `Không có kỳ báo cáo ${periodId}.`);
  }
}

/** Decides, records and tells one review; throws an ApiError (409 for a refused transition) with the reviewer's message. */
export function reviewSlot(deps: PipelineDeps, req: ReviewRequest): Promise<ReviewRecord> {
  return decide(deps, req);
}

/** reviewSlot, on facts already read (bulk accept reads them once to choose the slots). */
async function decide(deps: PipelineDeps, req: ReviewRequest, known?: ReviewFacts): Promise<ReviewRecord> {
  const period = periodOf(req.periodId);
  const kind = req.kind ?? period.kind;
  if (kind !== period.kind) throw new ApiError(400, 'BAD_KIND', `Kỳ ${period.name} chỉ nhận ${KIND_NAMES[period.kind]}.`);
  const unit = deps.units.find((u) => u.code === req.unitCode);
  if (!unit || !expectedUnits(period, deps.units).some((u) => u.code === unit.code))
    throw new ApiError(404, 'UNKNOWN_UNIT', `Đơn vị ${req.unitCode} không thuộc danh sách nộp ${period.name}.`);
  const [current, facts] = await Promise.all([deps.stores.reviews.latest(period.id, unit.code, kind), known ?? factsOf(deps, period, unit.code, kind)]);
  const decision = decideReview(current, req.action, facts);
  if (!decision.ok) throw new ApiError(409, decision.code, decision.message);
  const review: ReviewRecord = { periodId: period.id, unitCode: unit.code, kind, ...decision.next, by: req.actor, at: deps.clock.now().toISOString() };
  if (!(await deps.stores.reviews.append(review)))
    throw new ApiError(409, 'CONCURRENT_REVIEW', 'Một cán bộ khác vừa xem xét báo cáo này; vui lòng tải lại trang để thấy quyết định mới nhất.');
  await recordStep(
    deps,
    {
      eventId: `review-${period.id}-${unit.code}-${kind}-${review.version}`,
      type: EVENT_TYPE[req.action.type],
      periodId: period.id,
      unitCode: unit.code,
      kind,
      actor: req.actor,
      reason: review.reason,
      at: review.at,
      detail: { objectId: review.objectId, version: review.version, items: review.items.join(', ') || null, correctionDue: review.correctionDue },
    },
    {
      type: 'submission.reviewed',
      detail: {
        periodId: period.id,
        unitCode: unit.code,
        kind,
        status: review.status,
        objectId: review.objectId,
        reason: review.reason,
        items: review.items,
        correctionDue: review.correctionDue,
        by: { kind: req.actor.kind, id: req.actor.id },
      },
    },
  );
  await tellUnit(deps, period, unit.code, review);
  deps.log.info('review recorded', { periodId: period.id, unit: unit.code, status: review.status, version: review.version, by: req.actor.id });
  return review;
}

export interface BulkAcceptResult {
  accepted: string[];
  skipped: { unitCode: string; reason: string }[];
}

/** Accepts every slot of a period whose current file is valid and has no warning-level finding; says why each other was skipped. */
export async function bulkAccept(deps: PipelineDeps, periodId: string, actor: Actor): Promise<BulkAcceptResult> {
  const period = periodOf(periodId);
  const units = expectedUnits(period, deps.units);
  const reviews = new Map((await deps.stores.reviews.ofPeriod(period.id)).filter((r) => r.kind === period.kind).map((r) => [r.unitCode, r]));
  const out: BulkAcceptResult = { accepted: [], skipped: [] };
  for (const unit of units) {
    const review = reviews.get(unit.code);
    if (review?.status === 'accepted') {
      out.skipped.push({ unitCode: unit.code, reason: 'Đã chấp nhận trước đó.' });
      continue;
    }
    const facts = await factsOf(deps, period, unit.code, period.kind);
    if (!facts.current) {
      out.skipped.push({ unitCode: unit.code, reason: 'Chưa có báo cáo hợp lệ.' });
      continue;
    }
    if (facts.current.warnings > 0 && !(await warningsExplained(deps, period.id, unit.code, facts.current.objectId))) {
      out.skipped.push({ unitCode: unit.code, reason: `Báo cáo có ${facts.current.warnings} cảnh báo chưa được chấp nhận giải trình: cần xem xét riêng.` });
      continue;
    }
    try {
      await decide(deps, { periodId: period.id, unitCode: unit.code, kind: period.kind, action: { type: 'accept' }, actor }, facts);
      out.accepted.push(unit.code);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      out.skipped.push({ unitCode: unit.code, reason: err.message });
    }
  }
  deps.log.info('bulk accept', { periodId: period.id, accepted: out.accepted.length, skipped: out.skipped.length, by: actor.id });
  return out;
}

/** Whether every warning of a file has an explanation the Department accepted. */
async function warningsExplained(deps: PipelineDeps, periodId: string, unitCode: string, objectId: string): Promise<boolean> {
  const [record, items] = await Promise.all([deps.stores.submissions.get(periodId, unitCode, objectId), deps.stores.justifications.of(periodId, unitCode)]);
  return record !== null && warningsAllAccepted(objectId, record.findings, latestByFinding(items));
}

/** The latest review of every reviewed slot of a period (the board's column). */
export function reviewsOfPeriod(deps: PipelineDeps, periodId: string): Promise<ReviewRecord[]> {
  return deps.stores.reviews.ofPeriod(periodOf(periodId).id);
}

/** The unit's mail: what was decided, why, what to fix and by when, and its personal link. */
async function tellUnit(deps: PipelineDeps, period: Period, unitCode: string, review: ReviewRecord): Promise<void> {
  const unit = findUnit(unitCode, deps.units);
  const by = review.by.name ? `${review.by.name} (Phòng CCHC, Sở Nội vụ)` : 'Phòng CCHC, Sở Nội vụ';
  const when = formatInstantVi(review.at);
  const lines: string[] = [];
  let subject: string;
  if (review.status === 'accepted') {
    subject = `[CCHC] Sở Nội vụ đã chấp nhận ${period.name}`;
    lines.push(
      `Ngày ${when}, ${by} đã chấp nhận ${KIND_NAMES[review.kind]} ${period.name} của đơn vị.`,
      'Báo cáo đã được khóa: đơn vị không cần và không thể nộp thêm. Nếu cần sửa, vui lòng liên hệ Phòng CCHC để mở lại.',
    );
  } else if (review.status === 'returned') {
    subject = `[CCHC] Đề nghị chỉnh sửa ${period.name} — hạn ${formatDateVi(review.correctionDue!)}`;
    lines.push(
      `Ngày ${when}, ${by} đề nghị đơn vị chỉnh sửa ${KIND_NAMES[review.kind]} ${period.name} và nộp lại.`,
      `Lý do: ${review.reason}`,
      review.items.length ? `Các chỉ tiêu, mục cần sửa: ${itemsText(review.items, currentForm(review.kind)).join('; ')}.` : 'Phạm vi: toàn bộ báo cáo.',
      `Hạn nộp bản sửa: hết ngày ${formatDateVi(review.correctionDue!)} (giờ Việt Nam).`,
    );
  } else {
    subject = `[CCHC] ${period.name} đã được mở lại`;
    lines.push(
      `Ngày ${when}, ${by} đã mở lại ${KIND_NAMES[review.kind]} ${period.name} của đơn vị.`,
      `Lý do: ${review.reason}`,
      'Đơn vị có thể nộp lại tệp qua đường dẫn dưới đây.',
    );
  }
  const text = [`Kính gửi: ${unit.name}`, '', ...lines, '', LINK_PLACEHOLDER, '', 'Thư này được gửi tự động; vui lòng không trả lời thư này.'].join('\n');
  const html = `<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.5;color:#1a1a1a">
<p>Kính gửi: <strong>${escapeHtml(unit.name)}</strong></p>
${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n')}
<p>${LINK_PLACEHOLDER}</p>
<p style="color:#666;font-size:12px">Thư này được gửi tự động; vui lòng không trả lời thư này.</p></body></html>`;
  await queueMail(
    deps,
    {
      messageId: `review-${review.periodId}-${unit.code}-${review.kind}-${review.version}`,
      purpose: 'review',
      to: unit.emails,
      linkUnit: unit.code,
      about: { periodId: review.periodId, unitCode: unit.code, ref: `${review.status} v${review.version}` },
    },
    () => ({ subject, text, html }),
  );
}

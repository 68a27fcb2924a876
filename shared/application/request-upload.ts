// zod's tree-shakable build: the full `zod` import is ~450 KiB of bundle for five fields.
import * as z from 'zod/mini';
import { effectiveExtension } from '../domain/review.js';
import { recordStep } from './audit.js';
import { incomingKey, newUploadId, UPLOAD_CONTENT_TYPES } from '../domain/object-keys.js';
import { findPeriod, formatInstantVi, isOnTime } from '../domain/calendar.js';
import { DomainError } from '../domain/errors.js';
import { displayFileName } from '../domain/text.js';
import type { Period, SubmissionKind } from '../domain/types.js';
import { findUnit, slotRefusal } from '../domain/units.js';
import type { PresignedPost } from './ports.js';
import type { UploadIntent } from './records.js';
import type { PipelineDeps } from './deps.js';
import { ApiError } from './errors.js';
import { actorOf, type Principal } from './tokens.js';

const requestSchema = z.object({
  periodId: z.string().check(z.minLength(1), z.maxLength(32)),
  kind: z.optional(z.enum(['plan', 'periodic', 'thematic'])),
  fileName: z.string().check(z.minLength(1), z.maxLength(1000)),
  contentType: z.string().check(z.minLength(1), z.maxLength(200)),
  size: z.int().check(z.nonnegative()),
});

export interface UploadTicket extends PresignedPost {
  uploadId: string;
  key: string;
  maxBytes: number;
  periodId: string;
  kind: SubmissionKind;
  /** True when the deadline has passed: the upload is accepted and recorded as late. */
  late: boolean;
  deadlineText: string;
}

/** How long after its deadline a period still takes (late) uploads. */
const LATE_WINDOW_DAYS = 365;

/** Resolves a period for a unit, or refuses in Vietnamese. Shared by uploads and template downloads. */
export function resolveSlotFor(
  principal: Principal,
  periodId: string,
  kind: SubmissionKind | undefined,
  deps: Pick<PipelineDeps, 'units'>,
): { period: Period; kind: SubmissionKind } {
  let period: Period;
  try {
    period = findPeriod(periodId);
  } catch (err) {
    if (err instanceof DomainError) throw new ApiError(400, err.name === 'MonthlyReportError' ? 'MONTHLY_NOT_ACCEPTED' : 'UNKNOWN_PERIOD', err.message);
    throw err;
  }
  const unit = findUnit(principal.unitCode, deps.units);
  const k = kind ?? period.kind;
  const refusal = slotRefusal(unit, period, k);
  if (refusal) throw new ApiError(403, 'SLOT_NOT_OWED', refusal);
  return { period, kind: k };
}

/**
 * Mints a presigned POST for the unit's own slot. The key is built here; the policy fixes the exact
 * key, the content type and a size range, and expires within the configured TTL (≤ 15 minutes).
 * Decision (documented in the README): a period keeps taking uploads after its deadline for
 * LATE_WINDOW_DAYS; they are recorded as late and reach the consolidated report as an addendum.
 */
export async function requestUpload(deps: PipelineDeps, principal: Principal, body: unknown): Promise<UploadTicket> {
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError(400, 'BAD_REQUEST', 'Yêu cầu không hợp lệ: cần periodId, fileName, contentType và size (số byte) của tệp.');
  }
  const req = parsed.data;
  const { period, kind } = resolveSlotFor(principal, req.periodId, req.kind, deps);
  const extension = UPLOAD_CONTENT_TYPES[req.contentType];
  if (!extension) {
    throw new ApiError(
      415,
      'UNSUPPORTED_TYPE',
      'Chỉ nhận tệp Excel (.xlsx) theo mẫu của hệ thống, tệp JSON theo lược đồ đã công bố, hoặc báo cáo đã ký số dạng PDF.',
    );
  }
  const max = deps.config.maxUploadBytes;
  if (req.size === 0) throw new ApiError(400, 'EMPTY_FILE', 'Tệp rỗng (0 byte). Hãy chọn lại tệp báo cáo đã điền.');
  if (req.size > max) {
    throw new ApiError(
      413,
      'TOO_LARGE',
      `Tệp lớn hơn mức cho phép (${Math.round(max / 1024 / 1024)} MB). Hãy xóa các trang, hình ảnh không cần thiết rồi tải lên lại.`,
    );
  }
  const now = deps.clock.now();
  if (now.getTime() > Date.parse(period.closesAt) + LATE_WINDOW_DAYS * 86_400_000) {
    throw new ApiError(
      409,
      'PERIOD_ARCHIVED',
      `${period.name} đã kết thúc hơn một năm; hệ thống không nhận thêm tệp cho kỳ này. Vui lòng liên hệ Phòng Cải cách hành chính, Sở Nội vụ.`,
    );
  }
  // Accepted by the Department: the slot is locked (both files of the dossier) until it is reopened.
  const review = await deps.stores.reviews.latest(period.id, principal.unitCode, kind);
  if (review?.status === 'accepted') {
    throw new ApiError(
      409,
      'SLOT_LOCKED',
      `${period.name} của đơn vị đã được Sở Nội vụ chấp nhận lúc ${formatInstantVi(review.at)} và đã khóa, nên không nhận thêm tệp. Nếu cần sửa, vui lòng liên hệ Phòng Cải cách hành chính, Sở Nội vụ để mở lại.`,
    );
  }
  const uploadId = newUploadId(now);
  const key = incomingKey({ periodId: period.id, unitCode: principal.unitCode, uploadId, extension });
  const intent: UploadIntent = {
    uploadId,
    unitCode: principal.unitCode,
    periodId: period.id,
    kind,
    key,
    fileName: displayFileName(req.fileName),
    contentType: req.contentType,
    declaredSize: req.size,
    requestedAt: now.toISOString(),
  };
  await deps.stores.intents.put(intent);
  await recordStep(deps, {
    eventId: `requested:${uploadId}`,
    type: 'upload.requested',
    periodId: period.id,
    unitCode: principal.unitCode,
    kind,
    actor: actorOf(principal),
    at: intent.requestedAt,
    detail: { uploadId, fileName: intent.fileName, contentType: req.contentType, declaredSize: req.size },
  });
  const post = await deps.uploads.presignPost({ key, contentType: req.contentType, maxBytes: max, expiresInSeconds: deps.config.uploadUrlTtlSeconds });
  deps.log.info('upload link issued', { unit: principal.unitCode, period: period.id, uploadId });
  return {
    ...post,
    uploadId,
    key,
    maxBytes: max,
    periodId: period.id,
    kind,
    late: !isOnTime(period, now, effectiveExtension(await deps.stores.extensions.get(period.id, principal.unitCode), review, period.dueDate)?.until),
    deadlineText: formatInstantVi(period.deadline),
  };
}

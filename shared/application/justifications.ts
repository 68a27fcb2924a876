import { formatInstantVi } from '../domain/calendar.js';
import type { Actor } from '../domain/audit.js';
import { cleanJustification, latestByFinding, mayAccept, mayJustify, type JustificationRecord, type JustificationView } from '../domain/justification.js';
import { findPeriod } from '../domain/calendar.js';
import { recordStep } from './audit.js';
import type { PipelineDeps } from './deps.js';
import { ApiError } from './errors.js';

/**
 * Explaining a warning (a unit, on its portal) and accepting the explanation (the Department, on the
 * board): each a numbered item of the finding (a concurrent write loses with a clear message) and a
 * step on the slot's trail.
 */

export interface FindingRef {
  periodId: string;
  unitCode: string;
  objectId: string;
  index: number;
}

function periodOf(id: unknown) {
  if (typeof id !== 'string') throw new ApiError(400, 'BAD_REQUEST', 'Thiếu mã kỳ báo cáo (periodId).');
  try {
    return findPeriod(id);
  } catch {
    throw new ApiError(400, 'UNKNOWN_PERIOD', `Không có kỳ báo cáo ${id}.`);
  }
}

/** The finding a request names, with its file's record and the finding's latest item. */
async function findingOf(deps: PipelineDeps, ref: FindingRef) {
  const record = await deps.stores.submissions.get(ref.periodId, ref.unitCode, ref.objectId);
  if (!record) throw new ApiError(404, 'NO_SUCH_FILE', 'Không có tệp này trong các lần nộp của đơn vị.');
  const items = (await deps.stores.justifications.of(ref.periodId, ref.unitCode)).filter((j) => j.objectId === ref.objectId && j.index === ref.index);
  const latest = latestByFinding(items).get(`${ref.objectId}#${ref.index}`) ?? null;
  return { record, finding: record.findings[ref.index], latest };
}

/** Parses a finding reference of a request body (the unit's own, or the one the Department names). */
export function findingRefOf(body: Record<string, unknown>, unitCode: string): FindingRef {
  const period = periodOf(body.periodId);
  if (typeof body.objectId !== 'string' || !/^[0-9A-Za-z._-]{1,200}$/.test(body.objectId))
    throw new ApiError(400, 'BAD_REQUEST', 'Mã tệp (objectId) không hợp lệ.');
  if (typeof body.index !== 'number' || !Number.isInteger(body.index) || body.index < 0 || body.index > 1000)
    throw new ApiError(400, 'BAD_REQUEST', 'Vị trí cảnh báo (index) không hợp lệ.');
  return { periodId: period.id, unitCode, objectId: body.objectId, index: body.index };
}

async function append(deps: PipelineDeps, j: JustificationRecord): Promise<void> {
  if (!(await deps.stores.justifications.append(j)))
    throw new ApiError(409, 'CONCURRENT_CHANGE', 'Giải trình này vừa được cập nhật ở nơi khác; vui lòng tải lại trang.');
}

/** A unit explains one warning of one of its files. */
export async function justifyWarning(deps: PipelineDeps, ref: FindingRef, rawText: unknown, actor: Actor): Promise<JustificationRecord> {
  const cleaned = cleanJustification(rawText);
  if ('code' in cleaned) throw new ApiError(400, cleaned.code, cleaned.message);
  const { record, finding, latest } = await findingOf(deps, ref);
  const refusal = mayJustify(finding, latest);
  if (refusal) throw new ApiError(409, refusal.code, refusal.message);
  const j: JustificationRecord = {
    ...ref,
    code: finding!.code,
    seq: (latest?.seq ?? 0) + 1,
    status: 'submitted',
    text: cleaned.text,
    by: actor,
    at: deps.clock.now().toISOString(),
  };
  await append(deps, j);
  await recordStep(deps, {
    eventId: `justified:${ref.periodId}:${ref.unitCode}:${ref.objectId}:${ref.index}:${j.seq}`,
    type: 'warning.justified',
    periodId: ref.periodId,
    unitCode: ref.unitCode,
    kind: record.kind,
    actor,
    reason: j.text,
    at: j.at,
    detail: { objectId: ref.objectId, receiptNo: record.receiptNo, finding: finding!.code, index: ref.index },
  });
  return j;
}

/** The Department accepts a unit's explanation of a warning. */
export async function acceptJustification(deps: PipelineDeps, ref: FindingRef, actor: Actor): Promise<JustificationRecord> {
  const { record, latest } = await findingOf(deps, ref);
  const refusal = mayAccept(latest);
  if (refusal) throw new ApiError(409, refusal.code, refusal.message);
  const j: JustificationRecord = { ...latest!, seq: latest!.seq + 1, status: 'accepted', by: actor, at: deps.clock.now().toISOString() };
  await append(deps, j);
  await recordStep(deps, {
    eventId: `justification-accepted:${ref.periodId}:${ref.unitCode}:${ref.objectId}:${ref.index}:${j.seq}`,
    type: 'justification.accepted',
    periodId: ref.periodId,
    unitCode: ref.unitCode,
    kind: record.kind,
    actor,
    at: j.at,
    detail: { objectId: ref.objectId, receiptNo: record.receiptNo, finding: latest!.code, index: ref.index },
  });
  return j;
}

/**
 * Each finding's explanation, for the views: the unit's text (from its latest explanation) with the
 * state, by `objectId#index`.
 */
export function justificationViews(items: readonly JustificationRecord[]): Map<string, JustificationView> {
  const latest = latestByFinding(items);
  const out = new Map<string, JustificationView>();
  for (const [k, j] of latest) {
    const explained =
      j.status === 'accepted'
        ? items.filter((x) => x.objectId === j.objectId && x.index === j.index && x.status === 'submitted').sort((a, b) => b.seq - a.seq)[0]
        : j;
    out.set(k, {
      index: j.index,
      status: j.status,
      text: explained?.text ?? j.text,
      atText: formatInstantVi(explained?.at ?? j.at),
      acceptedBy: j.status === 'accepted' ? (j.by.name ?? j.by.id) : null,
    });
  }
  return out;
}

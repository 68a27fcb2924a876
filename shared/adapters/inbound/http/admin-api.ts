import { findPeriod, ZONE } from '../../../domain/calendar.js';
import { DomainError } from '../../../domain/errors.js';
import { MEDIA_TYPES } from '../../../domain/media-types.js';
import { findUnit } from '../../../domain/units.js';
import type { BoardResponse, RollupFormat } from '../../../application/board.js';
import type { ReviewAction } from '../../../domain/review.js';
import type { RegistryChange, RegistryVersion } from '../../../domain/registry.js';
import type { PipelineDeps } from '../../../application/deps.js';
import { ApiError } from '../../../application/errors.js';
import { actorOf, type Principal } from '../../../application/tokens.js';
import type { HttpEvent, HttpResult } from './unit-api.js';

function json(status: number, body: unknown): HttpResult {
  return { statusCode: status, headers: { 'content-type': MEDIA_TYPES.jsonText, 'cache-control': 'no-store' }, body: JSON.stringify(body) };
}

function file(bytes: Uint8Array, contentType: string, fileName: string): HttpResult {
  return {
    statusCode: 200,
    isBase64Encoded: true,
    headers: { 'content-type': contentType, 'content-disposition': `attachment; filename="${fileName}"`, 'cache-control': 'no-store' },
    body: Buffer.from(bytes).toString('base64'),
  };
}

function periodById(id: string | undefined) {
  if (!id) throw new ApiError(400, 'BAD_REQUEST', 'Thiếu mã kỳ báo cáo (periodId).');
  try {
    return findPeriod(id);
  } catch (err) {
    if (err instanceof DomainError) throw new ApiError(400, 'UNKNOWN_PERIOD', err.message);
    throw err;
  }
}

/** GET /api/admin/registry: the current version and the history's lines, newest first. */
export type RegistryResponse = RegistryVersion & { history: Omit<RegistryVersion, 'units' | 'roster'>[] };

/** POST /api/admin/remind */
export interface RemindResponse {
  sent: number;
  units: string[];
}

function bodyOf(e: HttpEvent): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(e.body ? (e.isBase64Encoded ? Buffer.from(e.body, 'base64').toString('utf8') : e.body) : '{}');
  } catch {
    throw new ApiError(400, 'BAD_JSON', 'Nội dung yêu cầu không phải JSON hợp lệ.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'BAD_JSON', 'Nội dung yêu cầu phải là một đối tượng JSON.');
  return body as Record<string, unknown>;
}

/** POST /api/admin/review: one decision on a slot. */
function reviewActionOf(body: Record<string, unknown>): ReviewAction {
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (body.action) {
    case 'accept':
      return { type: 'accept' };
    case 'return': {
      const items = Array.isArray(body.items) ? body.items.filter((i): i is string => typeof i === 'string') : [];
      if (Array.isArray(body.items) && items.length !== body.items.length)
        throw new ApiError(400, 'BAD_REQUEST', 'Danh sách chỉ tiêu, mục cần sửa phải là các mã (chuỗi).');
      return {
        type: 'return',
        reason: text(body.reason),
        items,
        correctionDue: typeof body.correctionDue === 'string' && body.correctionDue ? body.correctionDue : null,
      };
    }
    case 'reopen':
      return { type: 'reopen', reason: text(body.reason) };
    default:
      throw new ApiError(400, 'BAD_REQUEST', 'Thao tác phải là accept (chấp nhận), return (trả lại) hoặc reopen (mở lại).');
  }
}

/** The year asked for, else the current year in Vietnam on the server's clock. */
function yearOf(e: HttpEvent, now: Date): number {
  const raw = e.queryStringParameters?.year;
  return raw && /^\d{4}$/.test(raw) ? Number(raw) : Number(new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric' }).format(now));
}

/**
 * The board's use cases, loaded by the first admin request: the units' calls (the API's cold path)
 * never load the roll-up, the board or the reminders.
 */
const board = () => import('../../../application/board.js');
const review = () => import('../../../application/review.js');
const registry = () => import('../../../application/registry.js');

/** The aggregator's routes (/api/admin/*); the router admits admin tokens only. Each parses its request and answers with a use case's result. */
export function makeAdminRoutes(deps: PipelineDeps): Record<string, (p: Principal, e: HttpEvent) => Promise<HttpResult>> {
  return {
    'GET /api/admin/periods': async (_p, e) => json(200, await (await board()).adminPeriods(deps, yearOf(e, deps.clock.now()))),

    'GET /api/admin/board': async (p, e) => {
      const answer: BoardResponse = {
        ...(await (await board()).boardOf(deps, periodById(e.queryStringParameters?.periodId))),
        user: { name: actorOf(p).name ?? '', access: p.user?.access ?? 'administrator' },
      };
      return json(200, answer);
    },

    'GET /api/admin/timeline': async (_p, e) => {
      const q = e.queryStringParameters ?? {};
      if (!q.unitCode) throw new ApiError(400, 'BAD_REQUEST', 'Thiếu mã đơn vị (unitCode).');
      const { slotTimeline } = await import('../../../application/timeline.js');
      return json(200, { entries: await slotTimeline(deps, q.periodId, q.unitCode) });
    },

    // The period's whole trail (or one unit's) as CSV or Excel, for keeping and filtering.
    'GET /api/admin/trail': async (_p, e) => {
      const q = e.queryStringParameters ?? {};
      const format = q.format ?? 'csv';
      if (format !== 'csv' && format !== 'xlsx') throw new ApiError(400, 'BAD_REQUEST', 'Định dạng phải là csv hoặc xlsx.');
      const period = periodById(q.periodId);
      const unitCode = q.unitCode || undefined;
      if (unitCode && !deps.units.some((u) => u.code === unitCode)) throw new ApiError(404, 'UNKNOWN_UNIT', `Không có đơn vị ${unitCode}.`);
      const { periodTrail } = await import('../../../application/timeline.js');
      const entries = await periodTrail(deps, period.id, unitCode);
      const name = `nhat-ky-${period.id}${unitCode ? `-${unitCode}` : ''}`;
      const { trailToCsv, trailToXlsx } = await import('../../../documents/reports/trail-export.js');
      if (format === 'csv') return file(Buffer.from(trailToCsv(entries, deps.units), 'utf8'), MEDIA_TYPES.csv, `${name}.csv`);
      const title = `Nhật ký ${period.name}${unitCode ? ` — ${findUnit(unitCode, deps.units).name}` : ''}`;
      return file(await trailToXlsx(entries, deps.units, title), MEDIA_TYPES.xlsx, `${name}.xlsx`);
    },

    // The unit registry (docs/REGISTRY.md): its current version and history, its Excel, its changes.
    'GET /api/admin/registry': async () => {
      const { currentRegistry } = await registry();
      const [current, history] = await Promise.all([currentRegistry(deps), deps.stores.registry.history(50)]);
      const answer: RegistryResponse = { ...current, history };
      return json(200, answer);
    },

    'GET /api/admin/registry/export': async () => {
      const { currentRegistry } = await registry();
      const { registryToXlsx } = await import('../../../documents/registry-workbook.js');
      const current = await currentRegistry(deps);
      return file(await registryToXlsx(current), MEDIA_TYPES.xlsx, `danh-muc-don-vi-v${current.version}.xlsx`);
    },

    'POST /api/admin/registry/change': async (p, e) => {
      const body = bodyOf(e);
      if (typeof body.change !== 'object' || body.change === null || Array.isArray(body.change))
        throw new ApiError(400, 'BAD_REQUEST', 'Thiếu nội dung thay đổi (change).');
      const change = body.change as RegistryChange;
      if (!['update', 'rename', 'add', 'close', 'merge', 'split'].includes(change.type))
        throw new ApiError(400, 'BAD_REQUEST', 'Loại thay đổi phải là update, rename, add, close, merge hoặc split (nhập cả danh mục: import).');
      const { changeRegistry } = await registry();
      return json(200, await changeRegistry(deps, change, body.reason, actorOf(p)));
    },

    'POST /api/admin/registry/import': async (p, e) => {
      const body = bodyOf(e);
      if (typeof body.file !== 'string' || !body.file) throw new ApiError(400, 'BAD_REQUEST', 'Thiếu tệp Excel danh mục (file, base64).');
      const bytes = Buffer.from(body.file, 'base64');
      if (bytes.length > 5 * 1024 * 1024) throw new ApiError(413, 'TOO_LARGE', 'Tệp danh mục lớn hơn 5 MB.');
      const { importRegistry } = await registry();
      return json(200, await importRegistry(deps, bytes, body.reason, actorOf(p)));
    },

    'POST /api/admin/review': async (p, e) => {
      const body = bodyOf(e);
      if (typeof body.periodId !== 'string' || typeof body.unitCode !== 'string')
        throw new ApiError(400, 'BAD_REQUEST', 'Thiếu mã kỳ báo cáo (periodId) hoặc mã đơn vị (unitCode).');
      const { reviewSlot } = await review();
      const out = await reviewSlot(deps, { periodId: body.periodId, unitCode: body.unitCode, action: reviewActionOf(body), actor: actorOf(p) });
      return json(200, out);
    },

    'POST /api/admin/justifications/accept': async (p, e) => {
      const body = bodyOf(e);
      if (typeof body.unitCode !== 'string' || !deps.units.some((u) => u.code === body.unitCode))
        throw new ApiError(400, 'BAD_REQUEST', 'Thiếu hoặc sai mã đơn vị (unitCode).');
      const { acceptJustification, findingRefOf } = await import('../../../application/justifications.js');
      return json(200, await acceptJustification(deps, findingRefOf(body, body.unitCode), actorOf(p)));
    },

    'POST /api/admin/review/bulk-accept': async (p, e) => {
      const body = bodyOf(e);
      if (typeof body.periodId !== 'string') throw new ApiError(400, 'BAD_REQUEST', 'Thiếu mã kỳ báo cáo (periodId).');
      const { bulkAccept } = await review();
      return json(200, await bulkAccept(deps, body.periodId, actorOf(p)));
    },

    'GET /api/admin/rollup': async (_p, e) => {
      const { currentFiguresFile, ROLLUP_FORMATS } = await board();
      const period = periodById(e.queryStringParameters?.periodId);
      const format = (e.queryStringParameters?.format ?? 'json') as RollupFormat;
      if (!(format in ROLLUP_FORMATS)) throw new ApiError(400, 'BAD_REQUEST', 'Định dạng phải là xlsx, csv, json hoặc docx.');
      const out = await currentFiguresFile(deps, period, format);
      return file(out.bytes, out.contentType, out.fileName);
    },

    // A stored report goes by a short presigned GET (an API answer is capped at 6 MB on Lambda).
    'GET /api/admin/report': async (_p, e) => {
      try {
        const { reportLink } = await board();
        return json(200, await reportLink(deps, e.queryStringParameters?.key ?? ''));
      } catch (err) {
        if (err instanceof DomainError) throw new ApiError(400, 'BAD_REQUEST', 'Tệp báo cáo không hợp lệ.');
        throw err;
      }
    },

    'POST /api/admin/remind': async (p, e) => {
      const body = bodyOf(e);
      if (typeof body.periodId !== 'string') throw new ApiError(400, 'BAD_REQUEST', 'Thiếu mã kỳ báo cáo (periodId).');
      const period = periodById(body.periodId);
      const label = `thu-cong-${deps.clock.now().toISOString().replace(/[:.]/g, '-')}`;
      // No reconciliation here: the API reads token items and so must never parse an uploaded file
      // (the scheduled reminders and every close reconcile).
      const { sendReminders } = await import('../../../application/reminders.js');
      const out = await sendReminders(deps, period.id, label);
      deps.log.info('manual reminders', { by: findUnit(p.unitCode, deps.units).code, tokenId: p.tokenId, periodId: period.id, sent: out.units.length });
      const answer: RemindResponse = { sent: out.units.length, units: out.units };
      return json(200, answer);
    },
  };
}

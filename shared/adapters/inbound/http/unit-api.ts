import type { TimelineEntry } from '../../../application/timeline.js';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ZONE } from '../../../domain/calendar.js';
import { DomainError } from '../../../domain/errors.js';
import { STATUS_LABELS, type StatusCode } from '../../../domain/labels.js';
import type { UnitKind } from '../../../domain/types.js';
import { findUnit, UNIT_KIND_NAMES } from '../../../domain/units.js';
import type { PipelineDeps } from '../../../application/deps.js';
import { listUnitPeriods, listUnitSubmissions, type SubmissionView, type UnitPeriodView } from '../../../application/list-submissions.js';
import { ApiError } from '../../../application/errors.js';
import { requestUpload, resolveSlotFor, type UploadTicket } from '../../../application/request-upload.js';
import { ACCESS_NAMES, actorOf, authenticate, mayDo, type Principal } from '../../../application/tokens.js';
import type { DepartmentAccess } from '../../../application/records.js';
import { MEDIA_TYPES } from '../../../domain/media-types.js';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

const JSON_HEADERS = { 'content-type': MEDIA_TYPES.jsonText, 'cache-control': 'no-store' };

function json(status: number, body: unknown): HttpResult {
  return { statusCode: status, headers: JSON_HEADERS, body: JSON.stringify(body) };
}

function error(status: number, code: string, message: string): HttpResult {
  const body: ErrorResponse = { error: { code, message } };
  return json(status, body);
}

function bearer(event: HttpEvent): string | undefined {
  const h = event.headers?.authorization ?? event.headers?.Authorization;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

function bodyOf(event: HttpEvent): unknown {
  if (!event.body) return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'BAD_JSON', 'Nội dung yêu cầu không phải JSON hợp lệ.');
  }
}

/** GET /api/me */
export interface MeResponse {
  unitCode: string;
  name: string;
  kind: UnitKind;
  kindName: string;
  role: Principal['role'];
  maxUploadBytes: number;
  /** For a Department user: their name, access and its words (a link issued before users were named acts as an administrator). */
  user?: { name: string; access: DepartmentAccess; accessText: string };
}

/** GET /api/timeline, GET /api/admin/timeline: a slot's steps, oldest first. */
export interface TimelineResponse {
  entries: TimelineEntry[];
}

/** GET /api/periods: the server's time, the periods with their status codes, and the codes' words. */
export interface PeriodsResponse {
  year: number;
  now: string;
  periods: UnitPeriodView[];
  statusLabels: Readonly<Record<StatusCode, string>>;
}

/**
 * GET /api/submissions?periodId=…&uploadId=…: one upload's result (empty until it is recorded).
 * GET /api/submissions[?periodId=…][&limit=…][&cursor=…]: a page of the unit's history, newest first;
 * `nextCursor` asks for the next page.
 */
export interface SubmissionsResponse {
  submissions: SubmissionView[];
  nextCursor?: string;
}

/** POST /api/uploads (201) */
export type UploadResponse = UploadTicket;

/** The error body of every refused request. */
export interface ErrorResponse {
  error: { code: string; message: string };
}

function currentYear(deps: PipelineDeps): number {
  return Number(new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric' }).format(deps.clock.now()));
}

/**
 * The unit API (`/api/*`), behind API Gateway's HTTP API on AWS and the local server locally.
 * Every route needs a unit's bearer token; a unit reaches only its own slots.
 */
export interface UnitApiExtensions {
  /** Serves the portal's pages and assets; null when the path is not one of them. */
  portal?: (event: HttpEvent) => Promise<HttpResult | null>;
  /** Aggregator routes under /api/admin/, for admin tokens only. */
  admin?: Record<string, (p: Principal, e: HttpEvent) => Promise<HttpResult>>;
}

/** Origin that browsers upload to (the presigned POST's URL), for the portal's Content-Security-Policy. */
export function uploadOrigin(config: { uploadBucketName: string; region: string; endpoints?: { s3Public?: string } }): string {
  if (config.endpoints?.s3Public) return new URL(config.endpoints.s3Public).origin;
  return `https://${config.uploadBucketName}.s3.${config.region}.amazonaws.com`;
}

export function makeUnitApi(deps: PipelineDeps, ext: UnitApiExtensions = {}): (event: HttpEvent) => Promise<HttpResult> {
  const routes: Record<string, (p: Principal, e: HttpEvent) => Promise<HttpResult>> = {
    'GET /api/me': async (p) => {
      const unit = findUnit(p.unitCode, deps.units);
      const body: MeResponse = {
        unitCode: unit.code,
        name: unit.name,
        kind: unit.kind,
        kindName: UNIT_KIND_NAMES[unit.kind],
        role: p.role,
        maxUploadBytes: deps.config.maxUploadBytes,
        ...(p.role === 'admin'
          ? { user: { name: actorOf(p).name ?? '', access: p.user?.access ?? 'administrator', accessText: ACCESS_NAMES[p.user?.access ?? 'administrator'] } }
          : {}),
      };
      return json(200, body);
    },
    'GET /api/periods': async (p, e) => {
      const raw = e.queryStringParameters?.year;
      const year = raw && /^\d{4}$/.test(raw) ? Number(raw) : currentYear(deps);
      // `now` is the server's clock (the virtual one on the local stack): the page shows it and judges nothing by its own.
      const body: PeriodsResponse = {
        year,
        now: deps.clock.now().toISOString(),
        periods: await listUnitPeriods(deps, p.unitCode, year),
        statusLabels: STATUS_LABELS,
      };
      return json(200, body);
    },
    'POST /api/uploads': async (p, e) => {
      const body: UploadResponse = await requestUpload(deps, p, bodyOf(e));
      return json(201, body);
    },
    // A unit explains a warning of one of its files (the Department reads it beside the finding).
    'POST /api/justifications': async (p, e) => {
      const body = bodyOf(e);
      if (typeof body !== 'object' || body === null) throw new ApiError(400, 'BAD_REQUEST', 'Cần periodId, objectId, index và text.');
      const { findingRefOf, justifyWarning } = await import('../../../application/justifications.js');
      const ref = findingRefOf(body as Record<string, unknown>, p.unitCode);
      return json(201, await justifyWarning(deps, ref, (body as { text?: unknown }).text, actorOf(p)));
    },
    'GET /api/submissions': async (p, e) => {
      const q = e.queryStringParameters ?? {};
      const limit = q.limit && /^\d{1,3}$/.test(q.limit) ? Number(q.limit) : undefined;
      const body: SubmissionsResponse = await listUnitSubmissions(deps, p.unitCode, {
        periodId: q.periodId || undefined,
        uploadId: q.uploadId || undefined,
        limit,
        cursor: q.cursor || undefined,
      });
      return json(200, body);
    },
    // The unit's own slot's timeline: every step of its report, who did it and when (docs/REVIEW.md).
    'GET /api/timeline': async (p, e) => {
      const { slotTimeline } = await import('../../../application/timeline.js');
      const body: TimelineResponse = { entries: await slotTimeline(deps, e.queryStringParameters?.periodId, p.unitCode) };
      return json(200, body);
    },
    'GET /api/template': async (p, e) => {
      const periodId = e.queryStringParameters?.periodId;
      if (!periodId) throw new ApiError(400, 'BAD_REQUEST', 'Thiếu mã kỳ báo cáo (periodId).');
      const { period, kind } = resolveSlotFor(p, periodId, undefined, deps);
      // The template writer (exceljs) loads on the first download, off the path of every other call.
      const { makeTemplate } = await import('../../../application/make-template.js');
      const made = await makeTemplate({
        unitCode: p.unitCode,
        periodId: period.id,
        kind,
        key: await deps.templateKey(),
        now: deps.clock.now(),
        units: deps.units,
      });
      return {
        statusCode: 200,
        isBase64Encoded: true,
        headers: {
          'content-type': MEDIA_TYPES.xlsx,
          'content-disposition': `attachment; filename="${made.fileName}"`,
          'cache-control': 'no-store',
        },
        body: made.bytes.toString('base64'),
      };
    },
  };

  return async (event) => withSecurityHeaders(await answer(event));

  async function answer(event: HttpEvent): Promise<HttpResult> {
    const method = event.requestContext?.http?.method ?? 'GET';
    const path = (event.rawPath ?? '/').replace(/\/+$/, '') || '/';
    if (!path.startsWith('/api/') && ext.portal) {
      const page = await ext.portal(event);
      if (page) return page;
    }
    const isAdmin = path.startsWith('/api/admin/');
    const route = isAdmin ? ext.admin?.[`${method} ${path}`] : routes[`${method} ${path}`];
    if (!route) return error(404, 'NOT_FOUND', 'Không tìm thấy chức năng này.');
    try {
      const principal = await authenticate(deps, bearer(event));
      if (!principal) {
        deps.log.warn('request refused: missing, unknown, revoked or expired token', { route: `${method} ${path}` });
        return error(
          401,
          'UNAUTHORIZED',
          'Đường dẫn riêng không hợp lệ, đã hết hạn hoặc đã bị thu hồi. Vui lòng liên hệ Phòng Cải cách hành chính, Sở Nội vụ để được cấp đường dẫn mới.',
        );
      }
      if (isAdmin && principal.role !== 'admin') {
        deps.log.warn('admin route refused for a unit token', { route: `${method} ${path}`, unit: principal.unitCode });
        return error(403, 'FORBIDDEN', 'Chức năng này chỉ dành cho Phòng Cải cách hành chính, Sở Nội vụ.');
      }
      // A Department user's access: looking needs "viewer", a change "reviewer", the registry "administrator".
      const needed = method === 'GET' ? 'viewer' : path.startsWith('/api/admin/registry') ? 'administrator' : 'reviewer';
      if (isAdmin && !mayDo(principal, needed)) {
        deps.log.warn('admin route refused for the user access', { route: `${method} ${path}`, tokenId: principal.tokenId, needed });
        const what = needed === 'administrator' ? 'quyền quản trị danh mục đơn vị' : 'quyền xem xét báo cáo';
        return error(
          403,
          'FORBIDDEN',
          `Đường dẫn của ${principal.user?.name ?? 'cán bộ'} không có ${what}, cần cho thao tác này. Vui lòng liên hệ người quản trị.`,
        );
      }
      return await route(principal, event);
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.status === 403) deps.log.warn('request refused', { route: `${method} ${path}`, code: err.code });
        return error(err.status, err.code, err.message);
      }
      if (err instanceof DomainError) return error(400, err.name, err.message);
      deps.log.error('unit API failed', { route: `${method} ${path}`, error: err instanceof Error ? err.stack : String(err) });
      return error(500, 'INTERNAL', 'Hệ thống đang gặp sự cố, vui lòng thử lại sau ít phút.');
    }
  }
}

/** Every answer, whatever route made it: no MIME sniffing of JSON, files or pages. */
export function withSecurityHeaders(result: HttpResult): HttpResult {
  return { ...result, headers: { ...(result.headers ?? {}), 'x-content-type-options': 'nosniff' } };
}

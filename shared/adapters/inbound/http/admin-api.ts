import { displayFileName } from '../../../domain/text.js';
import { buildCalendar, findPeriod, formatInstantVi, ZONE } from '../../../domain/calendar.js';
import { DomainError } from '../../../domain/errors.js';
import { currentForm } from '../../../domain/forms.js';
import { STATUS_LABELS, type StatusCode } from '../../../domain/labels.js';
import type { Coverage, KindKey, UnitStatus } from '../../../domain/rollup.js';
import type { Period, SubmissionKind, UnitKind } from '../../../domain/types.js';
import { findUnit, UNIT_KIND_NAMES } from '../../../domain/units.js';
import { rollupToCsv, rollupToJson, writeConsolidatedWorkbook } from '../../../documents/reports/index.js';
import { currentRollup } from '../../../application/close-period.js';
import { periodPhase, type PeriodPhase } from '../../../application/list-submissions.js';
import type { PipelineDeps } from '../../../application/deps.js';
import { sendReminders } from '../../../application/reminders.js';
import { ApiError } from '../../../application/request-upload.js';
import type { Principal } from '../../../application/tokens.js';
import type { HttpEvent, HttpResult } from './unit-api.js';

/** An upload asked for this recently, with no result yet, shows as "đang kiểm tra". */
const CHECKING_WINDOW_MS = 15 * 60 * 1000;

function json(status: number, body: unknown): HttpResult {
  return { statusCode: status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: JSON.stringify(body) };
}

function file(bytes: Uint8Array, contentType: string, fileName: string): HttpResult {
  return {
    statusCode: 200,
    isBase64Encoded: true,
    headers: { 'content-type': contentType, 'content-disposition': `attachment; filename="${fileName}"`, 'cache-control': 'no-store' },
    body: Buffer.from(bytes).toString('base64'),
  };
}

function periodOf(e: HttpEvent) {
  const id = e.queryStringParameters?.periodId;
  if (!id) throw new ApiError(400, 'BAD_REQUEST', 'Thiếu mã kỳ báo cáo (periodId).');
  try {
    return findPeriod(id);
  } catch (err) {
    if (err instanceof DomainError) throw new ApiError(400, 'UNKNOWN_PERIOD', err.message);
    throw err;
  }
}

const FORMATS = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
} as const;

/** A period's close-out state and phase on the server's clock. */
interface PeriodPhaseView {
  state: string;
  phase: PeriodPhase;
  overdue: boolean;
}

/** GET /api/admin/periods: the server's time, the year's periods, and the status codes' words. */
export interface AdminPeriodsResponse {
  year: number;
  now: string;
  periods: (PeriodPhaseView & { id: string; name: string; kind: SubmissionKind; dueDate: string; deadline: string; deadlineText: string })[];
  statusLabels: Readonly<Record<StatusCode, string>>;
}

/** A unit's row on the board: its status in the roll-up's codes, or "checking" for an upload with no result yet. */
export interface BoardUnit {
  unitCode: string;
  name: string;
  kind: UnitKind;
  kindName: string;
  status: UnitStatus | 'checking';
  receivedAt: string | null;
  receivedAtText: string | null;
  receiptNo: string | null;
  fileName: string | null;
  /** How many findings the unit's last file has. */
  findings: number;
  /** How many files the unit sent for the period. */
  submissions: number;
}

/** GET /api/admin/board */
export interface BoardResponse {
  period: PeriodPhaseView & {
    id: string;
    name: string;
    kind: SubmissionKind;
    dueDate: string;
    deadline: string;
    deadlineText: string;
    dataWindow: Period['dataWindow'];
    warnings: string[];
  };
  now: string;
  /** Coverage of all units and of each kind. */
  summary: Record<KindKey, Coverage>;
  units: BoardUnit[];
  reports: { key: string; name: string | undefined; format: string | undefined; createdAt: string | null; addendum: boolean }[];
}

/** POST /api/admin/remind */
export interface RemindResponse {
  sent: number;
  units: string[];
}

/** The aggregator's routes (/api/admin/*); the router admits admin tokens only. */
export function makeAdminRoutes(deps: PipelineDeps): Record<string, (p: Principal, e: HttpEvent) => Promise<HttpResult>> {
  return {
    'GET /api/admin/periods': async (_p, e) => {
      const raw = e.queryStringParameters?.year;
      const year = raw && /^\d{4}$/.test(raw) ? Number(raw) : Number(new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric' }).format(deps.clock.now()));
      const now = deps.clock.now();
      const periods = await Promise.all(
        buildCalendar(year).periods.map(async (p) => {
          const state = (await deps.stores.periods.get(p.id)).state;
          return { id: p.id, name: p.name, kind: p.kind, dueDate: p.dueDate, deadline: p.deadline, deadlineText: formatInstantVi(p.deadline), state, ...periodPhase(p, now, state) };
        }),
      );
      const body: AdminPeriodsResponse = { year, now: now.toISOString(), periods, statusLabels: STATUS_LABELS };
      return json(200, body);
    },

    'GET /api/admin/board': async (_p, e) => {
      const period = periodOf(e);
      const [rollup, state, records, intents] = await Promise.all([
        currentRollup(deps, period, true),
        deps.stores.periods.get(period.id),
        deps.stores.submissions.listOfPeriod(period.id),
        deps.stores.intents.listOfPeriod(period.id),
      ]);
      const now = deps.clock.now().getTime();
      const c = rollup.coverage;
      const summary: Record<KindKey, Coverage> = { all: { ...c.all }, department: { ...c.department }, district: { ...c.district }, central: { ...c.central } };
      const units = rollup.units.map((line): BoardUnit => {
        const mine = records.filter((r) => r.unitCode === line.unitCode && r.kind === period.kind);
        const last = mine.at(-1);
        const recorded = new Set(mine.map((r) => r.uploadId));
        const checking = intents.some(
          (i) => i.unitCode === line.unitCode && !recorded.has(i.uploadId) && now - Date.parse(i.requestedAt) < CHECKING_WINDOW_MS && (!last || i.requestedAt > last.receivedAt),
        );
        return {
          unitCode: line.unitCode,
          name: line.name,
          kind: line.kind,
          kindName: UNIT_KIND_NAMES[line.kind],
          status: checking ? 'checking' : line.status,
          receivedAt: last?.receivedAt ?? null,
          receivedAtText: last ? formatInstantVi(last.receivedAt) : null,
          receiptNo: line.source?.receiptNo ?? last?.receiptNo ?? null,
          fileName: (line.source?.fileName ?? last?.fileName) ? displayFileName((line.source?.fileName ?? last?.fileName)!) : null,
          findings: last?.findings.length ?? 0,
          submissions: mine.length,
        };
      });
      const reportKeys = [
        ...(state.reportKeys ?? []).map((key) => ({ key, addendum: false })),
        ...Object.values(state.addendumKeys ?? {}).flat().map((key) => ({ key, addendum: true })),
      ].filter((r) => /\.(xlsx|csv|json)$/.test(r.key));
      const body: BoardResponse = {
        period: {
          id: period.id, name: period.name, kind: period.kind, dueDate: period.dueDate, deadline: period.deadline,
          deadlineText: formatInstantVi(period.deadline), dataWindow: period.dataWindow, state: state.state, warnings: rollup.warnings,
          ...periodPhase(period, new Date(now), state.state),
        },
        now: new Date(now).toISOString(),
        summary,
        units,
        reports: reportKeys.map((r) => ({
          key: r.key,
          name: r.key.split('/').pop(),
          format: r.key.split('.').pop(),
          createdAt: r.addendum ? null : state.closedAt ?? null,
          addendum: r.addendum,
        })),
      };
      return json(200, body);
    },

    'GET /api/admin/rollup': async (_p, e) => {
      const period = periodOf(e);
      const format = (e.queryStringParameters?.format ?? 'json') as keyof typeof FORMATS;
      if (!(format in FORMATS)) throw new ApiError(400, 'BAD_REQUEST', 'Định dạng phải là xlsx, csv hoặc json.');
      const rollup = await currentRollup(deps, period, true);
      const name = `So-lieu-hien-tai-${period.id}.${format}`;
      if (format === 'xlsx') return file(await writeConsolidatedWorkbook(rollup, currentForm(period.kind)), FORMATS.xlsx, name);
      if (format === 'csv') return file(Buffer.from(rollupToCsv(rollup), 'utf8'), FORMATS.csv, name);
      return file(Buffer.from(rollupToJson(rollup), 'utf8'), FORMATS.json, name);
    },

    'GET /api/admin/report': async (_p, e) => {
      const key = e.queryStringParameters?.key ?? '';
      const m = /^reports\/([^/]+)\/[^/]+\/([^/]+\.(xlsx|csv|json))$/.exec(key);
      if (!m) throw new ApiError(400, 'BAD_REQUEST', 'Tệp báo cáo không hợp lệ.');
      const period = findPeriod(m[1]!);
      const state = await deps.stores.periods.get(period.id);
      const known = [...(state.reportKeys ?? []), ...Object.values(state.addendumKeys ?? {}).flat()];
      if (!known.includes(key)) {
        throw new ApiError(404, 'NOT_FOUND', 'Không tìm thấy tệp báo cáo này.');
      }
      const bytes = await deps.uploads.get({ key }, 6 * 1024 * 1024);
      return file(bytes, FORMATS[m[3] as keyof typeof FORMATS], m[2]!);
    },

    'POST /api/admin/remind': async (p, e) => {
      let body: { periodId?: unknown } = {};
      try {
        body = JSON.parse(e.body ? (e.isBase64Encoded ? Buffer.from(e.body, 'base64').toString('utf8') : e.body) : '{}') as { periodId?: unknown };
      } catch {
        throw new ApiError(400, 'BAD_JSON', 'Nội dung yêu cầu không phải JSON hợp lệ.');
      }
      if (typeof body.periodId !== 'string') throw new ApiError(400, 'BAD_REQUEST', 'Thiếu mã kỳ báo cáo (periodId).');
      const period = periodOf({ ...e, queryStringParameters: { periodId: body.periodId } });
      const label = `thu-cong-${deps.clock.now().toISOString().replace(/[:.]/g, '-')}`;
      // No reconciliation here: the API reads token items and so must never parse an uploaded file
      // (the scheduled reminders and every close reconcile).
      const out = await sendReminders(deps, period.id, label, { reconcile: false });
      deps.log.info('manual reminders', { by: findUnit(p.unitCode, deps.units).code, periodId: period.id, sent: out.units.length });
      const answer: RemindResponse = { sent: out.units.length, units: out.units };
      return json(200, answer);
    },
  };
}

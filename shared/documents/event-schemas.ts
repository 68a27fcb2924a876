import * as z from 'zod';
import type { OutEventType } from '../domain/audit.js';

/**
 * The events other systems subscribe to, as schemas: published as JSON Schema in docs/events/
 * (`npm run schema`), and used by the tests to check every event the pipeline emits. Not on any
 * function's path (zod is for the documents and the tests; the functions build the details).
 *
 * Every event has the same envelope (the EventBridge `detail`, a line of the local file): its `id`
 * (the audit step's, the same on every retry and on a replay: drop repeats by it), its `type`, its
 * `time` (ISO UTC, on the server's clock), its `source` and the type's `detail`.
 */

const iso = z.iso.datetime({ offset: true }).describe('ISO 8601 instant (UTC)');
const periodId = z
  .string()
  .regex(/^\d{4}-(PLAN|Q1|H1|Q3|YEAR|THEMATIC)$/)
  .describe('Mã kỳ báo cáo, ví dụ 2021-Q1');
const unitCode = z.string().min(1).max(20).describe('Mã đơn vị (shared/data/units.json)');
const kind = z.enum(['plan', 'periodic', 'thematic']).describe('Loại hồ sơ');

/** The period's coverage at a close or a report (period.closed, report.issued). */
const coverage = {
  periodId,
  expected: z.number().int().min(0),
  valid: z.number().int().min(0),
  onTime: z.number().int().min(0),
  late: z.number().int().min(0),
  missing: z.number().int().min(0),
  included: z.number().int().min(0).describe('Số đơn vị có số liệu trong báo cáo tổng hợp'),
};

const DETAILS = {
  'submission.recorded': z
    .object({
      periodId,
      unitCode,
      kind,
      part: z.enum(['form', 'report']).describe('form: biểu số liệu; report: báo cáo đã ký số (PDF)'),
      objectId: z.string().describe('Mã tệp (một lần tải lên, một phiên bản của đối tượng S3)'),
      receiptNo: z.string().describe('Số biên nhận gửi đơn vị'),
      status: z.enum(['valid', 'invalid']),
      onTime: z.boolean().describe('Đúng hạn theo thời điểm hệ thống nhận tệp (có tính gia hạn)'),
      receivedAt: iso,
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .nullable(),
      errors: z.number().int().min(0),
      warnings: z.number().int().min(0),
    })
    .strict(),
  'submission.reviewed': z
    .object({
      periodId,
      unitCode,
      kind,
      status: z.enum(['accepted', 'returned', 'reopened']),
      objectId: z.string().describe('Tệp biểu số liệu được xem xét'),
      reason: z.string().nullable(),
      items: z.array(z.string()).describe('Mã chỉ tiêu, lĩnh vực, mục cần sửa (rỗng: toàn bộ báo cáo)'),
      correctionDue: z.iso.date().nullable(),
      by: z
        .object({ kind: z.enum(['unit', 'department', 'operator', 'system']), id: z.string() })
        .strict()
        .describe('Người quyết định (mã định danh, không có tên)'),
    })
    .strict(),
  'period.closed': z
    .object({
      ...coverage,
      closedEarly: iso.nullable().describe('Thời điểm đóng kỳ khi đóng trước hạn'),
    })
    .strict(),
  'report.issued': z
    .object({
      ...coverage,
      addendum: z.number().int().min(1).nullable().describe('Số thứ tự bản bổ sung; null: báo cáo khi đóng kỳ'),
      newUnits: z.array(unitCode).nullable().describe('Bản bổ sung: các đơn vị có số liệu mới'),
      files: z.record(z.string(), z.string()).describe('Khóa S3 của các tệp báo cáo (xlsx, csv, json, chart, draft, mail)'),
      reviewed: z.number().int().min(0).describe('Số đơn vị có số liệu đã được Sở Nội vụ chấp nhận'),
    })
    .strict(),
} satisfies Record<OutEventType, z.ZodType>;

/** The schema of a whole event of a type (envelope and detail). */
export function eventSchema(type: OutEventType) {
  return z.object({ id: z.string().min(1), type: z.literal(type), time: iso, source: z.literal('vn.thuathienhue.snv.cchc'), detail: DETAILS[type] }).strict();
}

/** The JSON Schema document of an event type, as published in docs/events/{type}.schema.json. */
export function eventSchemaDocument(type: OutEventType): Record<string, unknown> {
  return {
    $id: `https://cchc.thuathienhue.example/schemas/events/${type}.v1.json`,
    title: `Sự kiện ${type}`,
    ...z.toJSONSchema(eventSchema(type)),
  };
}

import { excerpt } from './bounds.js';
import { z } from 'zod';
import { normalizeOptional } from './text.js';
import type { Finding, Submission } from './types.js';

/**
 * The JSON submission format: the same model as the Excel template, for units whose own systems
 * export figures. Published as JSON Schema in docs/submission.schema.json (`npm run schema`).
 * Values are taken as typed: a number sent as a string is kept as a string and flagged by the
 * validator, exactly as the same text in a workbook cell would be.
 */

const text = z.string().max(20_000).nullable();
const shortText = z.string().max(500).nullable();

export const submissionJsonSchema = z
  .object({
    $schema: z.string().optional(),
    format: z.literal('cchc-submission').describe('Luôn là "cchc-submission".'),
    formatVersion: z.literal(1),
    formId: z.string().min(1).max(64).describe('Mã biểu mẫu, ví dụ "cchc-periodic".'),
    formVersion: z.number().int().positive(),
    unitCode: z.string().min(1).max(32).describe('Mã đơn vị, ví dụ "STP".'),
    periodId: z.string().min(1).max(32).describe('Mã kỳ báo cáo, ví dụ "2021-Q1".'),
    kind: z.enum(['plan', 'periodic', 'thematic']),
    values: z
      .record(z.string().max(32), z.union([z.number(), z.string().max(200), z.boolean(), z.null()]))
      .default({})
      .describe(
        'Mã chỉ tiêu → giá trị. Số đếm là số nguyên ≥ 0; tỷ lệ từ 0 đến 100; có/không là true/false hoặc "Có"/"Không"; null là chưa báo cáo (khác 0). Gửi số dưới dạng số JSON, không dạng chuỗi.',
      ),
    narratives: z.record(z.string().max(64), text).default({}).describe('Mã phần thuyết minh → nội dung.'),
    tasks: z
      .array(
        z.object({
          area: shortText.describe('Mã lĩnh vực cải cách, ví dụ "the_che".'),
          content: text,
          expectedResult: text,
          deadline: shortText.describe('Ngày dạng ISO YYYY-MM-DD.'),
          leadAgency: shortText,
          coordinatingAgencies: shortText.optional(),
          resources: text.optional(),
        }),
      )
      .max(1000)
      .default([])
      .describe('Nhiệm vụ của kế hoạch (chỉ dùng cho kế hoạch).'),
    signature: z.object({
      documentNumber: shortText,
      issueDate: shortText.describe('Ngày dạng ISO YYYY-MM-DD.'),
      signerName: shortText,
      signerTitle: shortText,
      signingForm: z.enum(['none', 'KT.', 'TM.', 'Q.', 'TL.', 'TUQ.']).nullable(),
    }),
  })
  .strict();

export type SubmissionJson = z.infer<typeof submissionJsonSchema>;

/** The JSON Schema (draft 2020-12) of the submission format. */
export function submissionJsonSchemaDocument(): Record<string, unknown> {
  return {
    $id: 'https://cchc.thuathienhue.example/schemas/submission.v1.json',
    title: 'Hồ sơ nộp CCHC (kế hoạch, báo cáo định kỳ, báo cáo chuyên đề)',
    ...z.toJSONSchema(submissionJsonSchema, { io: 'input' }),
  };
}

function jsonFinding(code: string, message: string): Finding {
  return { code, severity: 'error', sheet: null, cell: null, indicator: null, message };
}

/** Parses JSON bytes into a Submission; problems with the file itself become findings. */
export function parseSubmissionJson(bytes: Uint8Array): { submission: Submission | null; findings: Finding[] } {
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, ''));
  } catch (err) {
    const detail = err instanceof SyntaxError ? ` (${excerpt(err.message, 120)})` : ' (không phải văn bản UTF-8)';
    return { submission: null, findings: [jsonFinding('JSON_SYNTAX', `Tệp JSON không đọc được${detail}. Kiểm tra lại tệp do hệ thống của đơn vị xuất ra.`)] };
  }
  const parsed = submissionJsonSchema.safeParse(data);
  if (!parsed.success) {
    const findings = parsed.error.issues
      .slice(0, 50)
      .map((issue) =>
        jsonFinding(
          'JSON_SCHEMA',
          `Tệp JSON sai cấu trúc tại "${excerpt(issue.path.join('.')) || '(gốc)'}": ${excerpt(issue.message, 200)}. Xem lược đồ docs/submission.schema.json.`,
        ),
      );
    return { submission: null, findings };
  }
  const j = parsed.data;
  const nfc = (v: string | null | undefined): string | null => normalizeOptional(v);
  const values: Submission['values'] = {};
  for (const [code, v] of Object.entries(j.values)) values[code.normalize('NFC')] = typeof v === 'string' ? v.normalize('NFC') : v;
  const narratives: Submission['narratives'] = {};
  for (const [code, v] of Object.entries(j.narratives)) narratives[code] = nfc(v);
  return {
    submission: {
      formId: j.formId,
      formVersion: j.formVersion,
      unitCode: j.unitCode,
      periodId: j.periodId,
      kind: j.kind,
      values,
      narratives,
      tasks: j.tasks.map((t) => ({
        area: nfc(t.area),
        content: nfc(t.content),
        expectedResult: nfc(t.expectedResult),
        deadline: nfc(t.deadline),
        leadAgency: nfc(t.leadAgency),
        coordinatingAgencies: nfc(t.coordinatingAgencies),
        resources: nfc(t.resources),
        row: null,
      })),
      signature: {
        documentNumber: nfc(j.signature.documentNumber),
        issueDate: nfc(j.signature.issueDate),
        signerName: nfc(j.signature.signerName),
        signerTitle: nfc(j.signature.signerTitle),
        signingForm: j.signature.signingForm,
      },
    },
    findings: [],
  };
}

/** The JSON form of a submission (what `parseSubmissionJson` reads back). */
export function toSubmissionJson(sub: Submission): SubmissionJson {
  return {
    format: 'cchc-submission',
    formatVersion: 1,
    formId: sub.formId,
    formVersion: sub.formVersion,
    unitCode: sub.unitCode,
    periodId: sub.periodId,
    kind: sub.kind,
    values: sub.values,
    narratives: sub.narratives,
    tasks: sub.tasks,
    signature: { ...sub.signature, signingForm: sub.signature.signingForm as SubmissionJson['signature']['signingForm'] },
  };
}

import type { LeaderTerm } from '../domain/roster.js';
import { validateSubmission } from '../domain/validate.js';
import type { Finding, Slot, Submission, Unit, ValidationResult } from '../domain/types.js';
import { foreignSpreadsheet, sniff } from '../documents/xlsx/safe-zip.js';
import { readWorkbook } from '../documents/xlsx/workbook-reader.js';
import type { TrustConfig } from '../documents/pdf/index.js';
import type { DossierPart } from '../domain/object-keys.js';
import type { SignedReportSummary } from './records.js';

export type UploadFormat = 'xlsx' | 'json' | 'pdf' | 'unknown';

export interface UploadCheck extends ValidationResult {
  format: UploadFormat;
  /** The typed submission when the file could be read (for echoing key figures back), else null. */
  submission: Submission | null;
  /** For a signed report: who signed it and what the certificates say. */
  report?: SignedReportSummary;
}

/** What checking an upload needs besides its bytes and slot. */
export interface CheckContext {
  templateKey: string;
  units?: readonly Unit[];
  /** Which part of the dossier the upload was sent as (by its key); default the form. */
  part?: DossierPart;
  /** The trust anchors (and CRLs) signed reports are verified against. */
  trust?: TrustConfig;
  /** The leadership roster signers are matched against (the registry's); default the shipped one. */
  roster?: readonly LeaderTerm[];
}

/** A PDF starts with "%PDF-" (ISO 32000), allowing for a little leading junk as readers do. */
function isPdf(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  return head.includes('%PDF-');
}

function fileFinding(code: string, message: string): Finding {
  return { code, severity: 'error', sheet: null, cell: null, indicator: null, message };
}

/**
 * Reads and validates an uploaded file for a slot: sniffs the content (never the extension), reads a
 * workbook or JSON, validates with the domain rules. Every problem, down to a hostile file, ends in a
 * finding; only programming errors throw. The same function serves the Lambda, the CLI and the tests.
 */
export async function checkUpload(bytes: Uint8Array, slot: Slot, receivedAt: Date, ctx: CheckContext): Promise<UploadCheck> {
  const pdf = bytes.length > 0 && isPdf(bytes);
  if (ctx.part === 'report') {
    if (!pdf)
      return invalid(
        'unknown',
        fileFinding(
          'REPORT_NOT_PDF',
          'Báo cáo đã ký số phải là tệp PDF có chữ ký số của lãnh đạo đơn vị. Tệp số liệu (Excel hoặc JSON) nộp ở bước "Biểu mẫu số liệu".',
        ),
      );
    const { checkReport } = await import('./check-report.js');
    return checkReport(bytes, slot, receivedAt, { trust: ctx.trust ?? { anchors: [] }, units: ctx.units, ...(ctx.roster ? { roster: ctx.roster } : {}) });
  }
  if (pdf) {
    return invalid(
      'pdf',
      fileFinding(
        'FILE_IS_PDF',
        'Đây là tệp PDF. Báo cáo đã ký số nộp ở bước "Báo cáo đã ký số"; ở bước này hãy nộp biểu mẫu số liệu Excel (.xlsx) của hệ thống.',
      ),
    );
  }
  const kind = sniff(bytes);
  if (kind === 'empty') {
    return invalid('unknown', fileFinding('FILE_EMPTY', 'Tệp tải lên rỗng (0 byte). Hãy chọn lại tệp báo cáo đã điền và tải lên.'));
  }
  if (kind === 'unknown') {
    const foreign = foreignSpreadsheet(bytes);
    if (foreign) return invalid('unknown', foreign);
    return invalid(
      'unknown',
      fileFinding(
        'FILE_NOT_XLSX',
        'Tệp không phải bảng tính Excel .xlsx hoặc tệp JSON theo lược đồ của hệ thống. Hãy tải mẫu từ đường dẫn của đơn vị, điền và lưu dưới dạng .xlsx rồi tải lên.',
      ),
    );
  }
  if (kind === 'json') {
    // Loaded on the first JSON upload: the schema library is the largest part of the validator, and
    // most units send workbooks.
    const { parseSubmissionJson } = await import('../domain/submission-json.js');
    const parsed = parseSubmissionJson(bytes);
    if (!parsed.submission) return { status: 'invalid', findings: parsed.findings, format: 'json', submission: null };
    const result = validateSubmission({ submission: parsed.submission, slot, receivedAt, units: ctx.units });
    return { ...result, format: 'json', submission: parsed.submission };
  }
  const read = await readWorkbook(bytes, { key: ctx.templateKey, units: ctx.units });
  if (!read.submission) return { status: 'invalid', findings: read.findings, format: 'xlsx', submission: null };
  const result = validateSubmission({ submission: read.submission, slot, receivedAt, skip: read.unreadable, units: ctx.units });
  const findings = [...read.findings, ...result.findings];
  return {
    status: findings.some((f) => f.severity === 'error') ? 'invalid' : 'valid',
    findings,
    format: 'xlsx',
    submission: read.submission,
  };
}

function invalid(format: UploadFormat, finding: Finding): UploadCheck {
  return { status: 'invalid', findings: [finding], format, submission: null };
}

import type { UnitStatus } from './rollup.js';

/**
 * The Vietnamese words for the status codes the API, the CLI and the reports use: the one table.
 * Pure data (NFC, with diacritics); the API sends `STATUS_LABELS` to the pages, which show it and
 * compare codes only.
 */

/** A submission's check result (SubmissionView.status). */
export type ResultCode = 'valid' | 'invalid';

/**
 * Every status a page shows as a badge: a unit's standing in a period (UnitStatus, as the roll-up
 * decides it), "checking" (an upload with no result yet), and a file's check result.
 */
export type StatusCode = UnitStatus | 'checking' | ResultCode;

/** Badge wording, lower case (pages capitalise it). */
export const STATUS_LABELS: Readonly<Record<StatusCode, string>> = Object.freeze({
  on_time: 'hợp lệ',
  late: 'nộp muộn',
  rejected_only: 'bị từ chối',
  missing: 'chưa nộp',
  incomplete: 'chưa đủ hồ sơ',
  checking: 'đang kiểm tra',
  valid: 'hợp lệ',
  invalid: 'bị từ chối',
});

/** A unit's status in a period as the consolidated reports (workbook, CSV) word it. */
export const UNIT_STATUS_REPORT_LABELS: Readonly<Record<UnitStatus, string>> = Object.freeze({
  on_time: 'Đúng hạn, hợp lệ',
  late: 'Nộp muộn',
  rejected_only: 'Chỉ có tệp bị từ chối',
  missing: 'Chưa nộp',
  incomplete: 'Hồ sơ chưa đủ',
});

/** When a file came: before its deadline or after (lower case). */
export const TIMELINESS_LABELS: Readonly<Record<'on_time' | 'late', string>> = Object.freeze({
  on_time: 'đúng hạn',
  late: STATUS_LABELS.late,
});

import type { DossierPart } from './object-keys.js';

/**
 * A slot's dossier: the data form and, where the period requires it, the report signed by the unit's
 * leadership (letter 1588/SNV-CCHC: "Báo cáo CCHC định kỳ phải do lãnh đạo … ký ban hành"). Each part
 * has its own "latest valid on time" rule; this module decides the slot's standing from the two. The
 * one rule for the roll-up, the board, the portal and the reminders. Pure.
 */

/** One part's standing: a valid file on time, a valid file only late, files none valid, no file. */
export type PartStatus = 'on_time' | 'late' | 'rejected_only' | 'missing';

/** The slot's standing: a part's, or `incomplete` when exactly one required part is valid. */
export type DossierStatus = PartStatus | 'incomplete';

export interface DossierStanding {
  status: DossierStatus;
  /** The required parts with no valid file (empty when both are valid, or only the form is required and valid). */
  missingParts: DossierPart[];
}

const isValid = (s: PartStatus): boolean => s === 'on_time' || s === 'late';

/**
 * The standing of a slot from its parts' standings. `report` is null when the period does not require
 * the signed report (the form alone decides). Both valid: on time when both came on time, else late
 * (the dossier is complete only when its last part arrived). One valid: incomplete. None valid:
 * rejected when some file was received, missing otherwise.
 */
export function dossierStanding(form: PartStatus, report: PartStatus | null): DossierStanding {
  if (report === null) return { status: form, missingParts: isValid(form) ? [] : ['form'] };
  const missingParts: DossierPart[] = [...(isValid(form) ? [] : ['form' as const]), ...(isValid(report) ? [] : ['report' as const])];
  if (missingParts.length === 0) return { status: form === 'on_time' && report === 'on_time' ? 'on_time' : 'late', missingParts };
  if (missingParts.length === 1) return { status: 'incomplete', missingParts };
  return { status: form === 'rejected_only' || report === 'rejected_only' ? 'rejected_only' : 'missing', missingParts };
}

/** A part's standing from its files (each valid or not, on time or not). */
export function partStatusOf(files: readonly { status: 'valid' | 'invalid'; onTime: boolean }[]): PartStatus {
  if (files.some((r) => r.status === 'valid' && r.onTime)) return 'on_time';
  if (files.some((r) => r.status === 'valid')) return 'late';
  return files.length > 0 ? 'rejected_only' : 'missing';
}

/** What a dossier still lacks, in words (for reminders, the board and the reports): "báo cáo đã ký số", … */
export const PART_NAMES: Readonly<Record<DossierPart, string>> = Object.freeze({
  form: 'biểu số liệu (tệp Excel)',
  report: 'báo cáo đã ký số (tệp PDF)',
});

/** "thiếu báo cáo đã ký số (tệp PDF)" / "thiếu biểu số liệu …" / both, joined with "và". */
export function missingText(parts: readonly DossierPart[]): string {
  return parts.length === 0 ? '' : `thiếu ${parts.map((p) => PART_NAMES[p]).join(' và ')}`;
}

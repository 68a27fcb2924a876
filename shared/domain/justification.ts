import type { Actor } from './audit.js';
import type { Finding } from './types.js';

/**
 * A unit's explanation of a warning-level finding of one of its files (the validator warns; the unit
 * explains why the figure is right; the Department reads it beside the finding and may accept it).
 * Append-only: each explanation or acceptance is a new numbered item of the finding; the latest one
 * is its state. A file's warnings all accepted lets bulk accept take the report.
 */

export type JustificationStatus = 'submitted' | 'accepted';

export interface JustificationRecord {
  periodId: string;
  unitCode: string;
  /** The file whose finding it explains. */
  objectId: string;
  /** The finding's position in the file's record (records never change, so it is stable) and its code, checked on every write. */
  index: number;
  code: string;
  /** Numbered per finding from 1: an item is added only as the next number. */
  seq: number;
  status: JustificationStatus;
  /** The unit's explanation (NFC, spaces collapsed). */
  text: string;
  by: Actor;
  /** ISO UTC, the server's clock. */
  at: string;
}

export const JUSTIFICATION_LIMITS = { chars: 2000 } as const;

export type JustificationRefusal = { code: string; message: string };

/** The text a unit typed, cleaned; or why it is refused. */
export function cleanJustification(raw: unknown): { text: string } | JustificationRefusal {
  const text = (typeof raw === 'string' ? raw : '').normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!text) return { code: 'TEXT_REQUIRED', message: 'Cần ghi nội dung giải trình.' };
  if (text.length > JUSTIFICATION_LIMITS.chars) return { code: 'TEXT_TOO_LONG', message: `Nội dung giải trình dài quá ${JUSTIFICATION_LIMITS.chars} ký tự.` };
  return { text };
}

/**
 * Whether a finding of a file can be explained now: it exists, is a warning, and its explanation is
 * not accepted already. `latest` is the finding's latest item.
 */
export function mayJustify(finding: Finding | undefined, latest: JustificationRecord | null): JustificationRefusal | null {
  if (!finding) return { code: 'NO_SUCH_FINDING', message: 'Không có cảnh báo này trong tệp.' };
  if (finding.severity !== 'warning') return { code: 'NOT_A_WARNING', message: 'Chỉ giải trình được cảnh báo; lỗi phải được sửa trong tệp rồi nộp lại.' };
  if (latest?.status === 'accepted') return { code: 'ALREADY_ACCEPTED', message: 'Sở Nội vụ đã chấp nhận giải trình của cảnh báo này.' };
  return null;
}

/** Whether the Department can accept a finding's explanation now (there is one, not accepted yet). */
export function mayAccept(latest: JustificationRecord | null): JustificationRefusal | null {
  if (!latest) return { code: 'NOT_JUSTIFIED', message: 'Đơn vị chưa giải trình cảnh báo này.' };
  if (latest.status === 'accepted') return { code: 'ALREADY_ACCEPTED', message: 'Giải trình này đã được chấp nhận.' };
  return null;
}

/** The latest item of each finding (by `objectId#index`). */
export function latestByFinding(items: readonly JustificationRecord[]): Map<string, JustificationRecord> {
  const out = new Map<string, JustificationRecord>();
  for (const j of items) {
    const k = `${j.objectId}#${j.index}`;
    const cur = out.get(k);
    if (!cur || j.seq > cur.seq) out.set(k, j);
  }
  return out;
}

/** Whether every warning of a file has an accepted explanation (a file without warnings has nothing to explain). */
export function warningsAllAccepted(objectId: string, findings: readonly Finding[], latest: ReadonlyMap<string, JustificationRecord>): boolean {
  return findings.every((f, i) => f.severity !== 'warning' || latest.get(`${objectId}#${i}`)?.status === 'accepted');
}

/** A finding's explanation, as the portal and the board show it. */
export interface JustificationView {
  index: number;
  status: JustificationStatus;
  text: string;
  /** Who explained (the unit), and when. */
  atText: string;
  /** For an accepted one: who accepted it. */
  acceptedBy: string | null;
}

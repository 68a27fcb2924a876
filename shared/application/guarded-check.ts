import type { Finding, Slot } from '../domain/types.js';
import type { CheckContext, UploadCheck } from './check-upload.js';
import { Guard, type GuardLimits, type GuardVerdict } from '../runtime/guard.js';

/**
 * `checkUpload` inside the guard: the same reading and validation, in a worker thread whose heap and
 * time are bounded, so a file that would exhaust memory or never finish ends in a recorded rejection
 * (FILE_UNPROCESSABLE) instead of taking the process, and every other unit's upload, down with it.
 * The worker runs check-worker.ts: on the local stack and in tests the source through tsx, in a
 * Lambda bundle `check-worker.mjs`, an entry point of its own next to this code (the construct puts
 * every output file of a function in one folder).
 */

export const CHECK_ROLE = 'check-upload';

/** The worker module, beside this one: the source (tsx) or the bundled entry. */
export const CHECK_WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './check-worker.ts' : './check-worker.mjs', import.meta.url);

/** Far above what any real report needs (a full template reads in ~20 ms and a few MiB). */
export const CHECK_LIMITS: GuardLimits = Object.freeze({ maxHeapMb: 384, timeoutMs: 20_000 });

let shared: Guard | null = null;

/** The process's guard for uploads (one warm worker, replaced after a verdict). */
export function uploadGuard(limits: GuardLimits = CHECK_LIMITS): Guard {
  shared ??= new Guard(CHECK_WORKER_URL, CHECK_ROLE, limits);
  return shared;
}

const REASON: Record<GuardVerdict, string> = {
  memory: 'tệp đòi hỏi nhiều bộ nhớ hơn mức cho phép khi đọc',
  timeout: 'việc đọc tệp kéo dài quá thời gian cho phép',
  crash: 'bộ kiểm tra gặp lỗi khi đọc tệp',
};

/** The finding of a file that could not be checked: what happened, what to do, whom to call. */
export function unprocessableFinding(reason: string): Finding {
  return {
    code: 'FILE_UNPROCESSABLE',
    severity: 'error',
    sheet: null,
    cell: null,
    indicator: null,
    message:
      `Hệ thống không kiểm tra được tệp này (${reason}), nên tệp KHÔNG được ghi nhận là báo cáo hợp lệ. ` +
      'Tệp vẫn được lưu để đối chiếu. Hãy tải mẫu mới từ đường dẫn của đơn vị, nhập lại số liệu, lưu bằng Microsoft Excel rồi nộp lại; ' +
      'nếu vẫn không được, liên hệ Phòng Cải cách hành chính, Sở Nội vụ để được hỗ trợ.',
  };
}

/** Reads and validates an upload in the guard; a verdict becomes a rejection with FILE_UNPROCESSABLE. */
export async function guardedCheckUpload(
  bytes: Uint8Array,
  slot: Slot,
  receivedAt: Date,
  ctx: CheckContext,
  guard: Guard = uploadGuard(),
): Promise<UploadCheck & { verdict?: GuardVerdict; detail?: string }> {
  const out = await guard.call<UploadCheck>('checkUpload', [bytes, slot, receivedAt.toISOString(), ctx]);
  if (out.ok) return out.value;
  return {
    status: 'invalid',
    format: 'unknown',
    submission: null,
    findings: [unprocessableFinding(REASON[out.verdict])],
    verdict: out.verdict,
    detail: out.detail,
  };
}

import type { Slot } from '../domain/types.js';
import { isGuardWorker, serveInWorker } from '../runtime/guard.js';
import { type CheckContext, checkUpload } from './check-upload.js';
import { CHECK_ROLE } from './guarded-check.js';

/**
 * The upload guard's worker (see guarded-check.ts): reading and validating run here, in a thread
 * bounded in memory and time. A module of its own, so the thread that records results never loads
 * the reader, the validator or the PDF verifier, and the worker loads nothing else: in a Lambda
 * bundle it is its own entry point (`check-worker.mjs` beside `index.mjs`).
 */
if (isGuardWorker(CHECK_ROLE)) {
  serveInWorker({
    checkUpload: (bytes: Uint8Array, slot: Slot, receivedAt: string, ctx: CheckContext) => checkUpload(bytes, slot, new Date(receivedAt), ctx),
  });
}

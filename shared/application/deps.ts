import type { AppConfig } from '../runtime/config.js';
import type { Slot, Unit } from '../domain/types.js';
import type { UploadCheck } from './check-upload.js';
import type { Log } from './log.js';
import type { Clock, Mailer, SubmissionStore, UploadStore } from './ports.js';

/** What the use cases run on. Handlers build it once at module scope; the local stack and tests build their own. */
export interface PipelineDeps {
  config: Pick<AppConfig, 'senderAddress' | 'aggregatorRecipients' | 'maxUploadBytes' | 'uploadUrlTtlSeconds' | 'portalUrl' | 'tokenTtlDays'>;
  store: SubmissionStore;
  uploads: UploadStore;
  mailer: Mailer;
  clock: Clock;
  /** The template signing key (fetched once from the secret on AWS); refuses where it was not granted. */
  templateKey: () => Promise<string>;
  /**
   * The token key, only where tokens are issued or personal links rendered (the CLI, flush-outbox).
   * Absent elsewhere: a reminder composed without it waits in the outbox for a sender that has it.
   */
  tokenKey?: () => Promise<string>;
  units: readonly Unit[];
  log: Log;
  /**
   * Reads and validates one upload. Default: `guardedCheckUpload`, in a worker bounded in memory and
   * time; tests inject their own to play a runaway file.
   */
  check?: (bytes: Uint8Array, slot: Slot, receivedAt: Date, ctx: { templateKey: string; units?: readonly Unit[] }) => Promise<UploadCheck & { verdict?: string; detail?: string }>;
}

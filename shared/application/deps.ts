import type { LeaderTerm } from '../domain/roster.js';
import type { Slot, Unit } from '../domain/types.js';
import type { CheckContext, UploadCheck } from './check-upload.js';
import type { TrustConfig } from '../documents/pdf/index.js';
import type { Log } from './log.js';
import type { Clock, EventSink, Mailer, Stores, UploadStore } from './ports.js';

/** The settings the use cases read (parsed and checked by runtime/config.ts). */
export interface PipelineSettings {
  /** The From of every mail. */
  senderAddress: string;
  /** Phòng CCHC's addresses: consolidated reports and operational notices. */
  aggregatorRecipients: string[];
  maxUploadBytes: number;
  uploadUrlTtlSeconds: number;
  /** Base of every personal link in a mail. */
  portalUrl: string;
  tokenTtlDays: number;
  /** Where the report charts' fonts are (the Lambda bundle's copy); default: the npm package. */
  reportFontsDir?: string;
}

/** What the use cases run on; built by the composition root (runtime/bootstrap.ts) for every entry point. */
export interface PipelineDeps {
  config: Readonly<PipelineSettings>;
  stores: Stores;
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
  /** The unit registry's current version (application/registry.ts refreshes it), and its leadership roster. */
  units: readonly Unit[];
  roster?: readonly LeaderTerm[];
  log: Log;
  /**
   * Reads and validates one upload. Default: `guardedCheckUpload`, in a worker bounded in memory and
   * time; tests inject their own to play a runaway file.
   */
  check?: (bytes: Uint8Array, slot: Slot, receivedAt: Date, ctx: CheckContext) => Promise<UploadCheck & { verdict?: string; detail?: string }>;
  /**
   * The trust anchors, intermediates and CRLs signed reports are verified against (read once). Where
   * none are configured, every signed report is untrusted (a finding), never accepted by default.
   */
  trust?: () => Promise<TrustConfig>;
  /** Where events for other systems go (EventBridge on AWS, a file locally); absent where a function publishes none. */
  events?: EventSink;
}

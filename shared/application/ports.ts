import type { Finding, SubmissionKind } from '../domain/types.js';

/**
 * Ports: what the use cases need from the outside world, named by what they do. Adapters in
 * shared/adapters/ implement them on DynamoDB, S3 and SES; the same adapters serve AWS and the local
 * emulators.
 */

/** The time, passed in so that the local stack can play a virtual clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Identity of one stored object version: the key and, where versioning exists, its version id. */
export interface ObjectRef {
  key: string;
  versionId?: string;
}

export type SubmissionStatus = 'valid' | 'invalid';

/** An upload a unit asked for (a presigned POST was minted). */
export interface UploadIntent {
  uploadId: string;
  unitCode: string;
  periodId: string;
  kind: SubmissionKind;
  key: string;
  /** The client's file name, cleaned for display only (never used in a key). */
  fileName: string;
  contentType: string;
  declaredSize: number;
  requestedAt: string;
}

/** The recorded result of one uploaded object. Exactly one per object (invariant 1). */
export interface SubmissionRecord {
  /** Stable id of the object: derived from key + version. */
  objectId: string;
  key: string;
  versionId: string | null;
  uploadId: string;
  unitCode: string;
  periodId: string;
  kind: SubmissionKind;
  fileName: string;
  size: number;
  sha256: string | null;
  format: 'xlsx' | 'json' | 'unknown';
  /** Server receipt time (S3 event time), ISO UTC. */
  receivedAt: string;
  onTime: boolean;
  status: SubmissionStatus;
  findings: Finding[];
  /** Headline figures echoed in the receipt: indicator code → value. */
  figures: Record<string, number | string | boolean | null>;
  /** Indicator values as read, for the roll-up (only for valid submissions). */
  values?: Record<string, number | string | boolean | null>;
  narratives?: Record<string, string | null>;
  tasksPerArea?: Record<string, number>;
  /** The document's issue date as read (ISO date, or the raw text), kept whether or not it was late. */
  issueDate?: string | null;
  /** Receipt number shown to the unit. */
  receiptNo: string;
  recordedAt: string;
  /** How the record came to be: from the event, or from a reconciliation sweep. */
  source: 'event' | 'reconciliation' | 'dead-letter';
}

/** The pointer to a unit's current submission for a slot. */
export interface CurrentPointer {
  periodId: string;
  unitCode: string;
  kind: SubmissionKind;
  objectId: string;
  receivedAt: string;
  /** Ordering key: receivedAt then objectId, so ties resolve the same way everywhere. */
  order: string;
}

/** An e-mail waiting in the outbox (or sent). */
export interface OutboxMessage {
  messageId: string;
  /** What the message is about, e.g. `receipt`, `report`. */
  purpose: string;
  to: string[];
  subject: string;
  /** The full MIME message, base64 (small messages such as receipts). */
  raw?: string;
  /** Or the object key where the MIME message is stored (large messages such as reports). */
  rawKey?: string;
  /**
   * Or the message's parts with a placeholder where the unit's personal link goes (reminders): the
   * link is rendered from the unit's token id only at send time, by a sender holding the token key,
   * and never stored.
   */
  template?: LinkTemplate;
  createdAt: string;
  status: 'pending' | 'sent';
  attempts: number;
  lastError?: string;
  sentAt?: string;
  providerMessageId?: string;
  /** While a sender holds it: until when (ISO). */
  leaseUntil?: string;
}

/** A message whose text and HTML carry `LINK_PLACEHOLDER` where the unit's personal link goes. */
export interface LinkTemplate {
  from: string;
  /** The Message-ID header, `<…>`. */
  messageIdHeader: string;
  date: string;
  text: string;
  html: string;
  /** Whose personal link is rendered into the message. */
  linkUnit: string;
}

export type PeriodStateName = 'OPEN' | 'CLOSING' | 'CLOSED';

/** The close-out state of a period. A period with no stored state is OPEN. */
export interface PeriodState {
  periodId: string;
  state: PeriodStateName;
  closeStartedAt?: string;
  closedAt?: string;
  /** The run holding the close, and until when (a crashed run's lease expires). */
  runId?: string;
  leaseUntil?: string;
  /** Keys of the original consolidated report's artifacts. */
  reportKeys?: string[];
  /** Number of addenda issued after the close. */
  addenda?: number;
  /** Keys of each addendum's artifacts, by number. */
  addendumKeys?: Record<string, string[]>;
}

/** A deadline extension granted to one unit for one period, with who granted it and why. */
export interface Extension {
  periodId: string;
  unitCode: string;
  /** Last day (inclusive, Asia/Ho_Chi_Minh) on which the unit's upload counts as on time. */
  until: string;
  grantedBy: string;
  reason: string;
  grantedAt: string;
}

/** A delivery problem SES reported for an address (permanent bounce or complaint). */
export interface AddressProblem {
  email: string;
  type: 'bounce' | 'complaint';
  at: string;
  detail: string;
}

export interface TokenRecord {
  tokenId: string;
  tokenHash: string;
  unitCode: string;
  role: 'unit' | 'admin';
  createdAt: string;
  expiresAt: string;
  revokedAt?: string;
}

/** Everything the pipeline keeps in its table. */
export interface SubmissionStore {
  putUploadIntent(intent: UploadIntent): Promise<void>;
  getUploadIntent(uploadId: string): Promise<UploadIntent | null>;

  /** Writes the record unless one exists for the object; returns the record that is stored. */
  putSubmissionOnce(record: SubmissionRecord): Promise<{ created: boolean; record: SubmissionRecord }>;
  getSubmission(periodId: string, unitCode: string, objectId: string): Promise<SubmissionRecord | null>;
  listPeriodSubmissions(periodId: string): Promise<SubmissionRecord[]>;
  listUnitSubmissions(unitCode: string, periodId?: string): Promise<SubmissionRecord[]>;

  /** Moves the pointer to `pointer` only if it is newer than the stored one; never backwards. */
  advancePointer(which: 'current' | 'late', pointer: CurrentPointer): Promise<boolean>;
  getPointers(periodId: string): Promise<{ current: CurrentPointer[]; late: CurrentPointer[] }>;

  /** Adds a message unless one with its id exists; returns whether it was added. */
  putOutboxOnce(message: OutboxMessage): Promise<boolean>;
  getOutbox(messageId: string): Promise<OutboxMessage | null>;
  listPendingOutbox(limit: number): Promise<OutboxMessage[]>;
  /** Takes a pending message for sending until `leaseUntil`; false if sent or leased by someone else. */
  leaseOutbox(messageId: string, now: string, leaseUntil: string): Promise<boolean>;
  markOutboxSent(messageId: string, sentAt: string, providerMessageId: string): Promise<void>;
  markOutboxFailed(messageId: string, error: string): Promise<void>;

  getPeriodState(periodId: string): Promise<PeriodState>;
  /**
   * Moves a period between states with a condition: only from one of `from` (a missing item is OPEN),
   * and, when `lease` is given, only if no other run holds an unexpired lease. Returns false when the
   * condition does not hold.
   */
  transitionPeriod(
    periodId: string,
    from: PeriodStateName[],
    to: PeriodStateName,
    fields: Partial<Omit<PeriodState, 'periodId' | 'state'>>,
    lease?: { runId: string; now: string },
  ): Promise<boolean>;
  /** Claims the next addendum number of a closed period (conditional increment); returns it. */
  claimAddendum(periodId: string, expected: number): Promise<boolean>;
  setAddendumKeys(periodId: string, n: number, keys: string[]): Promise<void>;

  /** Upload intents of a period (for "đang kiểm tra"). */
  listPeriodUploadIntents(periodId: string): Promise<UploadIntent[]>;

  /** Records (or replaces) a unit's extension for a period. */
  putExtension(extension: Extension): Promise<void>;
  getExtension(periodId: string, unitCode: string): Promise<Extension | null>;

  /** Records a delivery problem of an address; returns false when the same one was already recorded. */
  putAddressProblem(problem: AddressProblem): Promise<boolean>;
  getAddressProblem(email: string): Promise<AddressProblem | null>;

  putToken(token: TokenRecord): Promise<void>;
  getTokenByHash(tokenHash: string): Promise<TokenRecord | null>;
  listUnitTokens(unitCode: string): Promise<TokenRecord[]>;
  revokeToken(tokenHash: string, revokedAt: string): Promise<void>;
}

export interface ObjectHead {
  size: number;
  lastModified: Date;
  versionId?: string;
  contentType?: string;
}

export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

/** The object store for uploads and reports. */
export interface UploadStore {
  presignPost(opts: { key: string; contentType: string; maxBytes: number; expiresInSeconds: number }): Promise<PresignedPost>;
  head(ref: ObjectRef): Promise<ObjectHead | null>;
  get(ref: ObjectRef, maxBytes: number): Promise<Uint8Array>;
  /** Every object under a prefix (all pages). */
  list(prefix: string): Promise<{ key: string; size: number; lastModified: Date; versionId?: string }[]>;
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** A time-limited download link (presigned GET). */
  presignGet(key: string, expiresInSeconds: number, fileName?: string): Promise<string>;
}

/** Sends a finished MIME message. */
export interface Mailer {
  /**
   * Sends a MIME message. `keptCopy`, when given, is the form of the message any copy kept after
   * sending must take (the personal link replaced by a notice): the sent message is a credential's
   * carrier, the copy must not be.
   */
  sendRaw(message: { to: string[]; raw: Uint8Array; keptCopy?: Uint8Array }): Promise<{ providerMessageId: string }>;
}

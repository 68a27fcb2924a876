import type { RegistryVersion } from '../domain/registry.js';
import type { JustificationRecord } from '../domain/justification.js';
import type { OutEventType } from '../domain/audit.js';
import type { AuditEvent } from '../domain/audit.js';
import type { ReviewRecord } from '../domain/review.js';
import type { SubmissionKind } from '../domain/types.js';
import type { DossierPart } from '../domain/object-keys.js';
import type {
  AddressProblem,
  CurrentPointer,
  Extension,
  OutboxMessage,
  PeriodState,
  PeriodStateName,
  SlotRef,
  SlotState,
  SubmissionRecord,
  TokenRecord,
  UploadIntent,
} from './records.js';

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

/**
 * Real time, for what measures how long a process holds work or a link stays valid: leases of the
 * outbox and of a close, presigned-URL expiry, durations. These are about live processes and S3's
 * own clock, so they never run on the local stack's virtual clock (a jump of the virtual clock must
 * not expire a lease a running process still holds). Everything the product judges (receipt times,
 * deadlines, timeliness, phases) uses `Clock`.
 */
export const realTime: Clock = systemClock;

/** Identity of one stored object version: the key and, where versioning exists, its version id. */
export interface ObjectRef {
  key: string;
  versionId?: string;
}

/** Upload intents: one per presigned POST handed out. */
export interface IntentStore {
  /** Records a new intent (its upload id is new; a second put of the same id is an error). */
  put(intent: UploadIntent): Promise<void>;
  get(uploadId: string): Promise<UploadIntent | null>;
  /** Intents of a period (what the reconciliation compares with the recorded files). */
  listOfPeriod(periodId: string): Promise<UploadIntent[]>;
  /** A unit's intents of a period asked for at or after `since` (ISO): for "đang kiểm tra", without reading older ones. */
  recentOfUnit(periodId: string, unitCode: string, since: string): Promise<UploadIntent[]>;
}

/** One page of a listing, and where the next one starts (absent on the last page). */
export interface Paged<T> {
  items: T[];
  cursor?: string;
}

/** Submission records: exactly one per uploaded object (invariant 1). */
export interface SubmissionStore {
  /** Writes the record unless one exists for the object; returns the record that is stored and whether it is this one. */
  putOnce(record: SubmissionRecord): Promise<{ created: boolean; record: SubmissionRecord }>;
  get(periodId: string, unitCode: string, objectId: string): Promise<SubmissionRecord | null>;
  /** A period's records, oldest first. */
  listOfPeriod(periodId: string): Promise<SubmissionRecord[]>;
  /** A unit's records, oldest first; one period or all (operators and tests: it reads the whole history). */
  listOfUnit(unitCode: string, periodId?: string): Promise<SubmissionRecord[]>;
  /** The records of one upload (one per stored version of its object; on the local stack at most one). */
  ofUpload(periodId: string, unitCode: string, uploadId: string): Promise<SubmissionRecord[]>;
  /** Records by key; missing ones are left out. */
  getMany(refs: readonly { periodId: string; unitCode: string; objectId: string }[]): Promise<SubmissionRecord[]>;
  /**
   * One page of a unit's records, newest first: of one period by when the upload was asked for (its
   * upload id), or of all periods by receipt time. A cursor from another listing is refused
   * (InvalidCursorError).
   */
  pageOfUnit(unitCode: string, periodId: string | undefined, page: { limit: number; cursor?: string }): Promise<Paged<SubmissionRecord>>;
}

/**
 * What is recorded per slot and dossier part: the current (on time) and latest late valid
 * submission, and the set of files received. Read by key, so no read of a slot grows with the
 * records of its period.
 */
export interface PointerStore {
  /**
   * Moves the pointer of `pointer.part` (default the form) to `pointer` only if it is newer than the
   * stored one (never backwards); true when it moved.
   */
  advance(which: 'current' | 'late', pointer: CurrentPointer): Promise<boolean>;
  /** A period's pointers of one dossier part (default the form). */
  listOfPeriod(periodId: string, part?: DossierPart): Promise<{ current: CurrentPointer[]; late: CurrentPointer[] }>;
  /**
   * Adds a recorded file to its slot's part (idempotent: a set of objectIds, so a retry adds nothing),
   * marked unprocessable when it was recorded FILE_UNPROCESSABLE.
   */
  addFile(file: SlotRef & { part?: DossierPart; objectId: string; unprocessable: boolean }): Promise<void>;
  /** The state of each slot (both parts, and the unit's extension), in the order asked, by key (batched reads). */
  slots(refs: readonly SlotRef[]): Promise<SlotState[]>;
}

/** E-mails waiting to be sent, and sent. */
export interface OutboxStore {
  /**
   * Adds a message unless one with its id exists; true when it was added. A message put with a
   * `leaseUntil` is added already leased by its writer, who sends it now (no separate lease).
   */
  putOnce(message: OutboxMessage): Promise<boolean>;
  get(messageId: string): Promise<OutboxMessage | null>;
  listPending(limit: number): Promise<OutboxMessage[]>;
  /** Takes a pending message for sending until `leaseUntil`: the message, or null if sent or leased by someone else. */
  lease(messageId: string, now: string, leaseUntil: string): Promise<OutboxMessage | null>;
  markSent(messageId: string, sentAt: string, providerMessageId: string): Promise<void>;
  /** Records a failed attempt on a pending message (a message another run sent is left alone). */
  markFailed(messageId: string, error: string): Promise<void>;
}

/** The close-out state of each period. */
export interface PeriodStore {
  /** The stored state; a period with none is OPEN. */
  get(periodId: string): Promise<PeriodState>;
  /** The states of several periods, in the order asked (batched reads). */
  getMany(periodIds: readonly string[]): Promise<PeriodState[]>;
  /**
   * Moves a period between states with a condition: only from one of `from` (a missing item is OPEN),
   * and, when `lease` is given, only if no other run holds an unexpired lease. False when the
   * condition does not hold.
   */
  transition(
    periodId: string,
    from: PeriodStateName[],
    to: PeriodStateName,
    fields: Partial<Omit<PeriodState, 'periodId' | 'state'>>,
    lease?: { runId: string; now: string },
  ): Promise<boolean>;
  /** Claims addendum number `expected + 1` of a closed period (conditional increment); false when another run took it. */
  claimAddendum(periodId: string, expected: number): Promise<boolean>;
  setAddendumKeys(periodId: string, n: number, keys: string[]): Promise<void>;
}

/** Deadline extensions, one per (period, unit). */
export interface ExtensionStore {
  /** Records (or replaces) a unit's extension for a period. */
  put(extension: Extension): Promise<void>;
  get(periodId: string, unitCode: string): Promise<Extension | null>;
}

/** Delivery problems SES reported, per address. */
export interface AddressStore {
  /** Records a problem; false when the same kind was already recorded for the address. */
  putOnce(problem: AddressProblem): Promise<boolean>;
  get(email: string): Promise<AddressProblem | null>;
}

/** Personal tokens, by their hash (never the token). */
export interface TokenStore {
  put(token: TokenRecord): Promise<void>;
  getByHash(tokenHash: string): Promise<TokenRecord | null>;
  listOfUnit(unitCode: string): Promise<TokenRecord[]>;
  revoke(tokenHash: string, revokedAt: string): Promise<void>;
}

/**
 * The audit trail (append only): an event is added once, by its id, and never changed or deleted;
 * the store has no other write.
 */
export interface AuditStore {
  /** Adds the event unless one with its id exists in its scope; true when it was added. */
  append(event: AuditEvent): Promise<boolean>;
  /** One event by its scope and id (what a retried step finds), or null. */
  get(scope: { periodId: string | null; unitCode: string | null; eventId: string }): Promise<AuditEvent | null>;
  /** Every event of a (period, unit), oldest first. */
  ofSlot(periodId: string, unitCode: string): Promise<AuditEvent[]>;
  /** Events tied to no period: of one unit (its links), or with `unitCode` null the registry's and the users'. */
  ofUnit(unitCode: string | null): Promise<AuditEvent[]>;
  /** One page of a period's events, oldest first (every unit). */
  pageOfPeriod(periodId: string, page: { limit: number; cursor?: string }): Promise<Paged<AuditEvent>>;
}

/**
 * The Department's review decisions: one item per decision of a slot, numbered; a decision is added
 * only as the slot's next number, so two reviewers deciding at once cannot both succeed.
 */
export interface ReviewStore {
  /** Adds decision number `review.version` of its slot; false when that number exists (someone decided first). */
  append(review: ReviewRecord): Promise<boolean>;
  /** The slot's latest decision, if any. */
  latest(periodId: string, unitCode: string, kind: SubmissionKind): Promise<ReviewRecord | null>;
  /** The latest decision of every reviewed slot of a period. */
  ofPeriod(periodId: string): Promise<ReviewRecord[]>;
}

/** Everything the pipeline keeps in its table, one store per item kind. */
export interface Stores {
  intents: IntentStore;
  submissions: SubmissionStore;
  pointers: PointerStore;
  outbox: OutboxStore;
  periods: PeriodStore;
  extensions: ExtensionStore;
  addresses: AddressStore;
  tokens: TokenStore;
  audit: AuditStore;
  reviews: ReviewStore;
  justifications: JustificationStore;
  registry: RegistryStore;
}

/** The unit registry's versions: version n+1 is added only over n (two administrators cannot both change it). */
export interface RegistryStore {
  append(version: RegistryVersion): Promise<boolean>;
  /** The newest version stored, or null (the deployment still runs on its seed). */
  latest(): Promise<RegistryVersion | null>;
  /** The versions, newest first, without their unit lists (the history's lines). */
  history(limit: number): Promise<Omit<RegistryVersion, 'units' | 'roster'>[]>;
}

/** The units' explanations of warnings and the Department's acceptances: numbered items, never changed. */
export interface JustificationStore {
  /** Adds item `seq` of its finding; false when that number exists (someone wrote first). */
  append(j: JustificationRecord): Promise<boolean>;
  /** Every item of a period (every unit's), or of one unit in it. */
  of(periodId: string, unitCode?: string): Promise<JustificationRecord[]>;
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

/** An event for other systems (schemas still to be written in docs/, issue 13): its id is the audit event's, so a consumer drops a repeat. */
export interface OutEvent {
  id: string;
  type: OutEventType;
  /** ISO UTC, on the server's clock. */
  time: string;
  detail: Record<string, unknown>;
}

/** Where events for other systems go: the EventBridge bus on AWS, a file on the local stack. */
export interface EventSink {
  publish(events: readonly OutEvent[]): Promise<void>;
}

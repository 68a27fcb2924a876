import type { DossierPart } from '../domain/object-keys.js';
import type { Finding, SubmissionKind } from '../domain/types.js';

/**
 * The records the application keeps, one type per item kind; the stores (ports.ts) read and write
 * them, the DynamoDB adapter lays them out (adapters/outbound/dynamo/keys.ts).
 */

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
  format: 'xlsx' | 'json' | 'pdf' | 'unknown';
  /** Which part of the unit's dossier the file is (absent on records from before signed reports: the form). */
  part?: DossierPart;
  /** For the signed report: who signed it, in which capacity and when, and what the certificates say. */
  report?: SignedReportSummary;
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
  /** The data form's typed signer (name), kept to check it against the signed report's signer. */
  signerName?: string | null;
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
  /** The dossier part the pointer is for (absent: the form). */
  part?: DossierPart;
  objectId: string;
  receivedAt: string;
  /** Ordering key: receivedAt then objectId, so ties resolve the same way everywhere. */
  order: string;
}

/** A slot: one unit's report of one kind for one period. */
export interface SlotRef {
  periodId: string;
  unitCode: string;
  kind: SubmissionKind;
}

/** What is recorded of one dossier part of a slot: its pointers and the files received for it. */
export interface PartState {
  /** The latest valid on-time file, if any. */
  current: CurrentPointer | null;
  /** The latest valid late file, if any. */
  late: CurrentPointer | null;
  /** objectIds of every file recorded for the part, valid or not, in upload order (objectIds sort by when the upload was asked for). */
  files: string[];
  /** Those of them recorded FILE_UNPROCESSABLE (the pipeline could not check them). */
  unprocessable: string[];
}

/** A slot's state, read by key: both dossier parts, and the unit's deadline extension for the period. */
export interface SlotState extends SlotRef {
  form: PartState;
  report: PartState;
  extension: Extension | null;
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
  /** The slot (or unit) the message is about: its sending is a step on that audit trail. */
  about?: MailAbout;
}

/** What a message is about, for the audit trail. */
export interface MailAbout {
  periodId: string | null;
  unitCode: string | null;
  /** A short fact for the trail, e.g. the receipt number. */
  ref?: string;
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
  /** For a Department user's link (role admin): the person it was issued to, and what they may do. */
  holder?: DepartmentUser;
}

/** What a Department user may do on the board: look, review (and remind), or also keep the registry. */
export type DepartmentAccess = 'viewer' | 'reviewer' | 'administrator';

/** A named person of Phòng CCHC holding their own board link. */
export interface DepartmentUser {
  name: string;
  email: string;
  access: DepartmentAccess;
}

/** One digital signature of a signed report, as the receipt, the portal and the board show it. */
export interface SignatureSummary {
  /** The leader's signature, the organisation's (văn thư, on issuance), or another. */
  role: 'leader' | 'organisation' | 'other';
  signer: string | null;
  /** The title in the certificate, else the roster's office for the leader. */
  title: string | null;
  organization: string | null;
  issuer: string | null;
  /** ISO. */
  signingTime: string | null;
  chain: string;
  revocation: string;
}

/** What a signed report's signatures establish. */
export interface SignedReportSummary {
  signatures: SignatureSummary[];
  /** The roster entry the leader's signature matched, if any. */
  leader: { name: string; office: string } | null;
}

/** Whether a record is of the dossier's form part (records from before signed reports are). */
export function isFormPart(r: { part?: DossierPart }): boolean {
  return (r.part ?? 'form') === 'form';
}

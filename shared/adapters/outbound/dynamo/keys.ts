/**
 * The table's key grammar: every partition key, sort key and index key of every item kind is built
 * here and nowhere else (the stores, the IAM scopes of the CDK stack and the schema's comment all
 * use it).
 *
 * Items (pk / sk):
 * - upload intent        UPLOAD#{uploadId}        / META                      gsi1: INTENTS#{periodId} / {unitCode}#{requestedAt}#{uploadId}
 * - submission result    PERIOD#{periodId}        / SUB#{unitCode}#{objectId}  gsi1: UNIT#{unitCode} / {receivedAt}#{objectId}
 * - current (on time)    PERIOD#{periodId}        / CURRENT#{unitCode}#{kind}
 * - latest late valid    PERIOD#{periodId}        / LATE#{unitCode}#{kind}
 * - the same two for the signed report: REPORT#CURRENT#{unitCode}#{kind}, REPORT#LATE#{unitCode}#{kind}
 * - files of a slot       PERIOD#{periodId}        / FILES#{unitCode}#{kind}    (REPORT#FILES#… for the signed report):
 *                         the set of its recorded objectIds and of those recorded FILE_UNPROCESSABLE
 * - period state         PERIOD#{periodId}        / STATE
 * - deadline extension   PERIOD#{periodId}        / EXT#{unitCode}
 * - outbox message       MAIL#{messageId}         / MAIL                      gsi2: OUTBOX#PENDING / {createdAt}#{messageId} (while pending)
 * - access token         TOKEN#{sha256(token)}    / TOKEN                     gsi1: UNITTOKENS#{unitCode} / {createdAt}#{tokenId}
 * - address problem      ADDRESS#{email}          / STATUS   (SES bounce or complaint)
 * - review decision      REVIEW#{periodId}        / {unitCode}#{kind}#{version:000000}  (one item per decision, never overwritten)
 * - audit event          AUDIT#{periodId}#{unitCode} / {eventId}          gsi1: AUDITS#{periodId} / {at}#{eventId}
 *                        (AUDIT#-#{unitCode} for a unit's steps tied to no period, AUDIT#-#- for the registry's and the users')
 */

/** Partition-key prefixes, by what they hold; IAM scopes (`dynamodb:LeadingKeys`) are written with these. */
export const PK = {
  upload: 'UPLOAD#',
  period: 'PERIOD#',
  mail: 'MAIL#',
  token: 'TOKEN#',
  address: 'ADDRESS#',
  audit: 'AUDIT#',
  review: 'REVIEW#',
  justification: 'JUSTIFY#',
  registry: 'REGISTRY#',
} as const;

/** Index partition-key prefixes (gsi1, gsi2). */
export const INDEX_PK = {
  unitSubmissions: 'UNIT#',
  periodIntents: 'INTENTS#',
  unitTokens: 'UNITTOKENS#',
  outbox: 'OUTBOX#',
  periodAudit: 'AUDITS#',
} as const;

export type PointerKind = 'current' | 'late';

/** The dossier part a pointer is for: the form's keep the original prefixes, the signed report's have their own. */
export type PointerPart = 'form' | 'report';

export interface Key {
  pk: string;
  sk: string;
}

/** A key, or a partition and a sort-key prefix to query. */
export const keys = {
  upload: (uploadId: string): Key => ({ pk: `${PK.upload}${uploadId}`, sk: 'META' }),
  submission: (periodId: string, unitCode: string, objectId: string): Key => ({ pk: `${PK.period}${periodId}`, sk: `SUB#${unitCode}#${objectId}` }),
  /** Submissions of a period, or of one unit in it. */
  submissionsOf: (periodId: string, unitCode?: string): Key => ({ pk: `${PK.period}${periodId}`, sk: unitCode ? `SUB#${unitCode}#` : 'SUB#' }),
  pointer: (which: PointerKind, p: { periodId: string; unitCode: string; kind: string; part?: PointerPart }): Key => ({
    pk: `${PK.period}${p.periodId}`,
    sk: `${pointerPrefix(which, p.part ?? 'form')}${p.unitCode}#${p.kind}`,
  }),
  pointersOf: (which: PointerKind, periodId: string, part: PointerPart = 'form'): Key => ({ pk: `${PK.period}${periodId}`, sk: pointerPrefix(which, part) }),
  /** The files recorded for a slot's dossier part (sets of objectIds). */
  slotFiles: (p: { periodId: string; unitCode: string; kind: string; part?: PointerPart }): Key => ({
    pk: `${PK.period}${p.periodId}`,
    sk: `${(p.part ?? 'form') === 'report' ? 'REPORT#' : ''}FILES#${p.unitCode}#${p.kind}`,
  }),
  /** The records of one upload (one per stored version of its object). */
  submissionsOfUpload: (periodId: string, unitCode: string, uploadId: string): Key => ({ pk: `${PK.period}${periodId}`, sk: `SUB#${unitCode}#${uploadId}` }),
  periodState: (periodId: string): Key => ({ pk: `${PK.period}${periodId}`, sk: 'STATE' }),
  extension: (periodId: string, unitCode: string): Key => ({ pk: `${PK.period}${periodId}`, sk: `EXT#${unitCode}` }),
  mail: (messageId: string): Key => ({ pk: `${PK.mail}${messageId}`, sk: 'MAIL' }),
  token: (tokenHash: string): Key => ({ pk: `${PK.token}${tokenHash}`, sk: 'TOKEN' }),
  address: (email: string): Key => ({ pk: `${PK.address}${email.toLowerCase()}`, sk: 'STATUS' }),
  review: (r: { periodId: string; unitCode: string; kind: string; version: number }): Key => ({
    pk: `${PK.review}${r.periodId}`,
    sk: `${r.unitCode}#${r.kind}#${String(r.version).padStart(6, '0')}`,
  }),
  /** A warning's explanation: JUSTIFY#{period} / {unit}#{objectId}#{index:000}#{seq:000000}. */
  justification: (j: { periodId: string; unitCode: string; objectId: string; index: number; seq: number }): Key => ({
    pk: `${PK.justification}${j.periodId}`,
    sk: `${j.unitCode}#${j.objectId}#${String(j.index).padStart(3, '0')}#${String(j.seq).padStart(6, '0')}`,
  }),
  justificationsOf: (periodId: string, unitCode?: string): Key => ({ pk: `${PK.justification}${periodId}`, sk: unitCode ? `${unitCode}#` : '' }),
  /** A version of the unit registry: REGISTRY#units / v{000001}. */
  registryVersion: (version: number): Key => ({ pk: `${PK.registry}units`, sk: `v${String(version).padStart(6, '0')}` }),
  registry: (): Key => ({ pk: `${PK.registry}units`, sk: 'v' }),
  /** A period's review decisions, or one slot's. */
  reviewsOf: (periodId: string, slot?: { unitCode: string; kind: string }): Key => ({
    pk: `${PK.review}${periodId}`,
    sk: slot ? `${slot.unitCode}#${slot.kind}#` : '',
  }),
  audit: (e: { periodId: string | null; unitCode: string | null; eventId: string }): Key => ({ pk: auditPartition(e.periodId, e.unitCode), sk: e.eventId }),
  auditOf: (periodId: string | null, unitCode: string | null): Key => ({ pk: auditPartition(periodId, unitCode), sk: '' }),
};

/** The audit partition of a (period, unit); `-` stands for none. */
function auditPartition(periodId: string | null, unitCode: string | null): string {
  return `${PK.audit}${periodId ?? '-'}#${unitCode ?? '-'}`;
}

/** Index keys (attribute values of gsi1pk/gsi1sk, gsi2pk/gsi2sk). */
export const indexKeys = {
  intentOfPeriod: (i: { periodId: string; unitCode: string; requestedAt: string; uploadId: string }) => ({
    gsi1pk: `${INDEX_PK.periodIntents}${i.periodId}`,
    gsi1sk: `${i.unitCode}#${i.requestedAt}#${i.uploadId}`,
  }),
  periodIntents: (periodId: string) => `${INDEX_PK.periodIntents}${periodId}`,
  /** The sort-key range of a unit's intents asked for at or after `since` (ISO), in a period's intents. */
  intentsOfUnitSince: (unitCode: string, since: string): readonly [string, string] => [`${unitCode}#${since}`, `${unitCode}#~`],
  submissionOfUnit: (r: { unitCode: string; receivedAt: string; objectId: string }) => ({
    gsi1pk: `${INDEX_PK.unitSubmissions}${r.unitCode}`,
    gsi1sk: `${r.receivedAt}#${r.objectId}`,
  }),
  unitSubmissions: (unitCode: string) => `${INDEX_PK.unitSubmissions}${unitCode}`,
  pendingMail: (m: { createdAt: string; messageId: string }) => ({ gsi2pk: `${INDEX_PK.outbox}PENDING`, gsi2sk: `${m.createdAt}#${m.messageId}` }),
  pendingOutbox: () => `${INDEX_PK.outbox}PENDING`,
  tokenOfUnit: (t: { unitCode: string; createdAt: string; tokenId: string }) => ({
    gsi1pk: `${INDEX_PK.unitTokens}${t.unitCode}`,
    gsi1sk: `${t.createdAt}#${t.tokenId}`,
  }),
  unitTokens: (unitCode: string) => `${INDEX_PK.unitTokens}${unitCode}`,
  /** A period's audit events, in time order (only events of a period are indexed). */
  auditOfPeriod: (e: { periodId: string; at: string; eventId: string }) => ({ gsi1pk: `${INDEX_PK.periodAudit}${e.periodId}`, gsi1sk: `${e.at}#${e.eventId}` }),
  periodAudit: (periodId: string) => `${INDEX_PK.periodAudit}${periodId}`,
};

function pointerPrefix(which: PointerKind, part: PointerPart): string {
  const base = which === 'current' ? 'CURRENT#' : 'LATE#';
  return part === 'report' ? `REPORT#${base}` : base;
}

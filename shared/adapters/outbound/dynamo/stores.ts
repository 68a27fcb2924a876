import { chronological, type AuditEvent } from '../../../domain/audit.js';
import type { DossierPart } from '../../../domain/object-keys.js';
import type { ReviewRecord } from '../../../domain/review.js';
import type { JustificationRecord } from '../../../domain/justification.js';
import type { RegistryVersion } from '../../../domain/registry.js';
import type { SubmissionKind } from '../../../domain/types.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type {
  AddressStore,
  AuditStore,
  ExtensionStore,
  JustificationStore,
  RegistryStore,
  IntentStore,
  OutboxStore,
  PeriodStore,
  Paged,
  PointerStore,
  Stores,
  ReviewStore,
  SubmissionStore,
  TokenStore,
} from '../../../application/ports.js';
import type {
  AddressProblem,
  CurrentPointer,
  Extension,
  OutboxMessage,
  PeriodState,
  PeriodStateName,
  PartState,
  SlotRef,
  SlotState,
  SubmissionRecord,
  TokenRecord,
  UploadIntent,
} from '../../../application/records.js';
import { indexKeys, keys, type PointerKind } from './keys.js';
import { EXISTING_ITEM, keyId, mustHold, NEW_ITEM, type Condition, Table } from './table.js';

/** The stores of every item kind on one DynamoDB table (single-item conditional writes only). */
export function dynamoStores(client: DynamoDBDocumentClient, tableName: string): Stores {
  const table = new Table(client, tableName);
  return {
    intents: new DynamoIntentStore(table),
    submissions: new DynamoSubmissionStore(table),
    pointers: new DynamoPointerStore(table),
    outbox: new DynamoOutboxStore(table),
    periods: new DynamoPeriodStore(table),
    extensions: new DynamoExtensionStore(table),
    addresses: new DynamoAddressStore(table),
    tokens: new DynamoTokenStore(table),
    audit: new DynamoAuditStore(table),
    reviews: new DynamoReviewStore(table),
    justifications: new DynamoJustificationStore(table),
    registry: new DynamoRegistryStore(table),
  };
}

function byReceived(a: SubmissionRecord, b: SubmissionRecord): number {
  return a.receivedAt === b.receivedAt ? a.objectId.localeCompare(b.objectId) : a.receivedAt.localeCompare(b.receivedAt);
}

export class DynamoIntentStore implements IntentStore {
  constructor(private readonly table: Table) {}

  async put(intent: UploadIntent): Promise<void> {
    const item = { ...keys.upload(intent.uploadId), itemType: 'upload', ...indexKeys.intentOfPeriod(intent), ...intent };
    mustHold(await this.table.put(item, NEW_ITEM), `upload intent ${intent.uploadId} is new`);
  }

  get(uploadId: string): Promise<UploadIntent | null> {
    return this.table.get<UploadIntent>(keys.upload(uploadId));
  }

  listOfPeriod(periodId: string): Promise<UploadIntent[]> {
    return this.table.query<UploadIntent>({ index: 'gsi1', indexPk: indexKeys.periodIntents(periodId) });
  }

  recentOfUnit(periodId: string, unitCode: string, since: string): Promise<UploadIntent[]> {
    return this.table.query<UploadIntent>({
      index: 'gsi1',
      indexPk: indexKeys.periodIntents(periodId),
      skBetween: indexKeys.intentsOfUnitSince(unitCode, since),
    });
  }
}

export class DynamoSubmissionStore implements SubmissionStore {
  constructor(private readonly table: Table) {}

  async putOnce(record: SubmissionRecord): Promise<{ created: boolean; record: SubmissionRecord }> {
    const item = {
      ...keys.submission(record.periodId, record.unitCode, record.objectId),
      itemType: 'submission',
      ...indexKeys.submissionOfUnit(record),
      ...record,
    };
    if (await this.table.put(item, NEW_ITEM)) return { created: true, record };
    const existing = await this.get(record.periodId, record.unitCode, record.objectId);
    if (!existing) throw new Error(`Submission ${record.objectId} reported as existing but not found`);
    return { created: false, record: existing };
  }

  get(periodId: string, unitCode: string, objectId: string): Promise<SubmissionRecord | null> {
    return this.table.get<SubmissionRecord>(keys.submission(periodId, unitCode, objectId));
  }

  async listOfPeriod(periodId: string): Promise<SubmissionRecord[]> {
    const { pk, sk } = keys.submissionsOf(periodId);
    return (await this.table.query<SubmissionRecord>({ pk, skPrefix: sk })).sort(byReceived);
  }

  async listOfUnit(unitCode: string, periodId?: string): Promise<SubmissionRecord[]> {
    if (periodId) {
      const { pk, sk } = keys.submissionsOf(periodId, unitCode);
      return (await this.table.query<SubmissionRecord>({ pk, skPrefix: sk })).sort(byReceived);
    }
    return (await this.table.query<SubmissionRecord>({ index: 'gsi1', indexPk: indexKeys.unitSubmissions(unitCode) })).sort(byReceived);
  }

  async ofUpload(periodId: string, unitCode: string, uploadId: string): Promise<SubmissionRecord[]> {
    const { pk, sk } = keys.submissionsOfUpload(periodId, unitCode, uploadId);
    return (await this.table.query<SubmissionRecord>({ pk, skPrefix: sk })).sort(byReceived);
  }

  async getMany(refs: readonly { periodId: string; unitCode: string; objectId: string }[]): Promise<SubmissionRecord[]> {
    const found = await this.table.getMany<SubmissionRecord>(refs.map((r) => keys.submission(r.periodId, r.unitCode, r.objectId)));
    return [...found.values()];
  }

  async pageOfUnit(unitCode: string, periodId: string | undefined, page: { limit: number; cursor?: string }): Promise<Paged<SubmissionRecord>> {
    const q = periodId
      ? { pk: keys.submissionsOf(periodId, unitCode).pk, skPrefix: keys.submissionsOf(periodId, unitCode).sk }
      : { index: 'gsi1' as const, indexPk: indexKeys.unitSubmissions(unitCode) };
    const out = await this.table.page<SubmissionRecord>(q, { limit: page.limit, cursor: page.cursor, newestFirst: true });
    return { items: out.items, ...(out.cursor ? { cursor: out.cursor } : {}) };
  }
}

/** The files item of a slot's part, as stored (sets of objectIds). */
interface FilesItem {
  objectIds?: Set<string>;
  unprocessable?: Set<string>;
}

function partState(current: CurrentPointer | undefined, late: CurrentPointer | undefined, files: FilesItem | undefined): PartState {
  return {
    current: current ?? null,
    late: late ?? null,
    files: [...(files?.objectIds ?? [])].sort(),
    unprocessable: [...(files?.unprocessable ?? [])].sort(),
  };
}

export class DynamoPointerStore implements PointerStore {
  constructor(private readonly table: Table) {}

  advance(which: PointerKind, pointer: CurrentPointer): Promise<boolean> {
    return this.table.put(
      { ...keys.pointer(which, pointer), itemType: `pointer-${which}`, ...pointer },
      { expression: 'attribute_not_exists(pk) OR #order < :order', names: { '#order': 'order' }, values: { ':order': pointer.order } },
    );
  }

  async listOfPeriod(periodId: string, part: DossierPart = 'form'): Promise<{ current: CurrentPointer[]; late: CurrentPointer[] }> {
    const read = (which: PointerKind) => {
      const { pk, sk } = keys.pointersOf(which, periodId, part);
      return this.table.query<CurrentPointer>({ pk, skPrefix: sk });
    };
    return { current: await read('current'), late: await read('late') };
  }

  async addFile(file: SlotRef & { part?: DossierPart; objectId: string; unprocessable: boolean }): Promise<void> {
    const ids = new Set([file.objectId]);
    await this.table.update(keys.slotFiles(file), {
      expression: `SET itemType = :type ADD objectIds :ids${file.unprocessable ? ', unprocessable :ids' : ''}`,
      values: { ':type': 'slot-files', ':ids': ids },
    });
  }

  async slots(refs: readonly SlotRef[]): Promise<SlotState[]> {
    const parts: DossierPart[] = ['form', 'report'];
    const keysOf = (r: SlotRef, part: DossierPart) => ({
      current: keys.pointer('current', { ...r, part }),
      late: keys.pointer('late', { ...r, part }),
      files: keys.slotFiles({ ...r, part }),
    });
    const found = await this.table.getMany<CurrentPointer & FilesItem & Extension>(
      refs.flatMap((r) => [...parts.flatMap((part) => Object.values(keysOf(r, part))), keys.extension(r.periodId, r.unitCode)]),
    );
    return refs.map((r) => {
      const state = (part: DossierPart): PartState => {
        const k = keysOf(r, part);
        return partState(found.get(keyId(k.current)), found.get(keyId(k.late)), found.get(keyId(k.files)));
      };
      const extension = (found.get(keyId(keys.extension(r.periodId, r.unitCode))) as Extension | undefined) ?? null;
      return { periodId: r.periodId, unitCode: r.unitCode, kind: r.kind, form: state('form'), report: state('report'), extension };
    });
  }
}

const PENDING: Condition = { expression: '#status = :pending', names: { '#status': 'status' }, values: { ':pending': 'pending' } };

export class DynamoOutboxStore implements OutboxStore {
  constructor(private readonly table: Table) {}

  putOnce(message: OutboxMessage): Promise<boolean> {
    return this.table.put({ ...keys.mail(message.messageId), itemType: 'mail', ...indexKeys.pendingMail(message), ...message }, NEW_ITEM);
  }

  get(messageId: string): Promise<OutboxMessage | null> {
    return this.table.get<OutboxMessage>(keys.mail(messageId));
  }

  async listPending(limit: number): Promise<OutboxMessage[]> {
    const items = await this.table.query<OutboxMessage>({ index: 'gsi2', indexPk: indexKeys.pendingOutbox(), limit });
    return items.filter((m) => m.status === 'pending');
  }

  lease(messageId: string, now: string, leaseUntil: string): Promise<OutboxMessage | null> {
    return this.table.updateReturning<OutboxMessage>(
      keys.mail(messageId),
      { expression: 'SET leaseUntil = :until ADD attempts :one', values: { ':until': leaseUntil, ':one': 1 } },
      {
        ...PENDING,
        expression: `${PENDING.expression} AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)`,
        values: { ...PENDING.values, ':now': now },
      },
    );
  }

  async markSent(messageId: string, sentAt: string, providerMessageId: string): Promise<void> {
    const held = await this.table.update(
      keys.mail(messageId),
      {
        expression: 'SET #status = :sent, sentAt = :at, providerMessageId = :pid REMOVE gsi2pk, gsi2sk, leaseUntil, lastError',
        names: { '#status': 'status' },
        values: { ':sent': 'sent', ':at': sentAt, ':pid': providerMessageId },
      },
      EXISTING_ITEM,
    );
    mustHold(held, `marking mail ${messageId} sent`);
  }

  async markFailed(messageId: string, error: string): Promise<void> {
    // Already sent by another run: nothing to record (the condition fails, which is fine).
    await this.table.update(keys.mail(messageId), { expression: 'SET lastError = :e REMOVE leaseUntil', values: { ':e': error.slice(0, 1000) } }, PENDING);
  }
}

export class DynamoPeriodStore implements PeriodStore {
  constructor(private readonly table: Table) {}

  async get(periodId: string): Promise<PeriodState> {
    return (await this.table.get<PeriodState>(keys.periodState(periodId))) ?? { periodId, state: 'OPEN' };
  }

  async getMany(periodIds: readonly string[]): Promise<PeriodState[]> {
    const found = await this.table.getMany<PeriodState>(periodIds.map((id) => keys.periodState(id)));
    return periodIds.map((periodId) => found.get(keyId(keys.periodState(periodId))) ?? { periodId, state: 'OPEN' });
  }

  transition(
    periodId: string,
    from: PeriodStateName[],
    to: PeriodStateName,
    fields: Partial<Omit<PeriodState, 'periodId' | 'state'>>,
    lease?: { runId: string; now: string },
  ): Promise<boolean> {
    const names: Record<string, string> = { '#state': 'state' };
    const values: Record<string, unknown> = { ':to': to, ':pid': periodId, ':type': 'period-state' };
    const sets = ['#state = :to', 'periodId = :pid', 'itemType = if_not_exists(itemType, :type)'];
    Object.entries(fields).forEach(([k, v], i) => {
      if (v === undefined) return;
      names[`#f${i}`] = k;
      values[`:f${i}`] = v;
      sets.push(`#f${i} = :f${i}`);
    });
    const condition = transitionCondition(from, lease);
    return this.table.update(keys.periodState(periodId), { expression: `SET ${sets.join(', ')}`, names, values }, condition);
  }

  claimAddendum(periodId: string, expected: number): Promise<boolean> {
    return this.table.update(
      keys.periodState(periodId),
      { expression: 'SET addenda = :next', values: { ':next': expected + 1 } },
      {
        expression: `#state = :closed AND ${expected === 0 ? 'attribute_not_exists(addenda)' : 'addenda = :expected'}`,
        names: { '#state': 'state' },
        values: { ':closed': 'CLOSED', ...(expected === 0 ? {} : { ':expected': expected }) },
      },
    );
  }

  async setAddendumKeys(periodId: string, n: number, reportKeys: string[]): Promise<void> {
    const state = await this.get(periodId);
    const addendumKeys = { ...(state.addendumKeys ?? {}), [String(n)]: reportKeys };
    await this.table.update(keys.periodState(periodId), { expression: 'SET addendumKeys = :k', values: { ':k': addendumKeys } });
  }
}

/** From one of `from` (a missing item is OPEN) and, with a lease, only if no other run holds an unexpired one. */
function transitionCondition(from: PeriodStateName[], lease?: { runId: string; now: string }): Condition {
  const names: Record<string, string> = { '#state': 'state' };
  const values: Record<string, unknown> = {};
  const fromConds = from.map((s, i) => {
    values[`:from${i}`] = s;
    return `#state = :from${i}`;
  });
  if (from.includes('OPEN')) fromConds.push('attribute_not_exists(pk)');
  let expression = `(${fromConds.join(' OR ')})`;
  if (lease) {
    names['#lease'] = 'leaseUntil';
    names['#run'] = 'runId';
    values[':now'] = lease.now;
    values[':me'] = lease.runId;
    expression += ' AND (attribute_not_exists(#lease) OR #lease < :now OR #run = :me)';
  }
  return { expression, names, values };
}

export class DynamoExtensionStore implements ExtensionStore {
  constructor(private readonly table: Table) {}

  async put(extension: Extension): Promise<void> {
    await this.table.put({ ...keys.extension(extension.periodId, extension.unitCode), itemType: 'extension', ...extension });
  }

  get(periodId: string, unitCode: string): Promise<Extension | null> {
    return this.table.get<Extension>(keys.extension(periodId, unitCode));
  }
}

export class DynamoAddressStore implements AddressStore {
  constructor(private readonly table: Table) {}

  putOnce(problem: AddressProblem): Promise<boolean> {
    // A new kind of problem (a complaint after a bounce) replaces the record; the same one does not.
    return this.table.put(
      { ...keys.address(problem.email), itemType: 'address-problem', ...problem },
      { expression: 'attribute_not_exists(pk) OR #type <> :type', names: { '#type': 'type' }, values: { ':type': problem.type } },
    );
  }

  get(email: string): Promise<AddressProblem | null> {
    return this.table.get<AddressProblem>(keys.address(email));
  }
}

export class DynamoTokenStore implements TokenStore {
  constructor(private readonly table: Table) {}

  async put(token: TokenRecord): Promise<void> {
    const item = { ...keys.token(token.tokenHash), itemType: 'token', ...indexKeys.tokenOfUnit(token), ...token };
    mustHold(await this.table.put(item, NEW_ITEM), `token ${token.tokenId} is new`);
  }

  getByHash(tokenHash: string): Promise<TokenRecord | null> {
    return this.table.get<TokenRecord>(keys.token(tokenHash));
  }

  listOfUnit(unitCode: string): Promise<TokenRecord[]> {
    return this.table.query<TokenRecord>({ index: 'gsi1', indexPk: indexKeys.unitTokens(unitCode) });
  }

  async revoke(tokenHash: string, revokedAt: string): Promise<void> {
    const held = await this.table.update(
      keys.token(tokenHash),
      { expression: 'SET revokedAt = if_not_exists(revokedAt, :at)', values: { ':at': revokedAt } },
      EXISTING_ITEM,
    );
    mustHold(held, 'revoking a token');
  }
}

/** The audit trail: a conditional put of a new id is its only write (no update, no delete; IAM grants PutItem alone on AUDIT#). */
export class DynamoAuditStore implements AuditStore {
  constructor(private readonly table: Table) {}

  append(event: AuditEvent): Promise<boolean> {
    const index = event.periodId === null ? {} : indexKeys.auditOfPeriod({ periodId: event.periodId, at: event.at, eventId: event.eventId });
    return this.table.put({ ...keys.audit(event), itemType: 'audit', ...index, ...event }, NEW_ITEM);
  }

  get(scope: { periodId: string | null; unitCode: string | null; eventId: string }): Promise<AuditEvent | null> {
    return this.table.get<AuditEvent>(keys.audit(scope));
  }

  async ofSlot(periodId: string, unitCode: string): Promise<AuditEvent[]> {
    return chronological(await this.table.query<AuditEvent>({ pk: keys.auditOf(periodId, unitCode).pk }));
  }

  async ofUnit(unitCode: string | null): Promise<AuditEvent[]> {
    return chronological(await this.table.query<AuditEvent>({ pk: keys.auditOf(null, unitCode).pk }));
  }

  async pageOfPeriod(periodId: string, page: { limit: number; cursor?: string }): Promise<Paged<AuditEvent>> {
    const out = await this.table.page<AuditEvent>({ index: 'gsi1', indexPk: indexKeys.periodAudit(periodId) }, page);
    return out.cursor === undefined ? { items: out.items } : { items: out.items, cursor: out.cursor };
  }
}

export class DynamoReviewStore implements ReviewStore {
  constructor(private readonly table: Table) {}

  append(review: ReviewRecord): Promise<boolean> {
    return this.table.put({ ...keys.review(review), itemType: 'review', ...review }, NEW_ITEM);
  }

  async latest(periodId: string, unitCode: string, kind: SubmissionKind): Promise<ReviewRecord | null> {
    const k = keys.reviewsOf(periodId, { unitCode, kind });
    const page = await this.table.page<ReviewRecord>({ pk: k.pk, skPrefix: k.sk }, { limit: 1, newestFirst: true });
    return page.items[0] ?? null;
  }

  async ofPeriod(periodId: string): Promise<ReviewRecord[]> {
    const latest = new Map<string, ReviewRecord>();
    // Items sort by slot then version: the last one seen of each slot is its latest.
    for (const r of await this.table.query<ReviewRecord>({ pk: keys.reviewsOf(periodId).pk })) latest.set(`${r.unitCode}#${r.kind}`, r);
    return [...latest.values()];
  }
}

/** Explanations of warnings and their acceptances: a conditional put of a new numbered item is the only write. */
export class DynamoJustificationStore implements JustificationStore {
  constructor(private readonly table: Table) {}

  append(j: JustificationRecord): Promise<boolean> {
    return this.table.put({ ...keys.justification(j), itemType: 'justification', ...j }, NEW_ITEM);
  }

  of(periodId: string, unitCode?: string): Promise<JustificationRecord[]> {
    const k = keys.justificationsOf(periodId, unitCode);
    return this.table.query<JustificationRecord>(unitCode ? { pk: k.pk, skPrefix: k.sk } : { pk: k.pk });
  }
}

/** The registry's versions, one item each (a whole list of ~40 units and its roster is some 20 KB). */
export class DynamoRegistryStore implements RegistryStore {
  constructor(private readonly table: Table) {}

  append(version: RegistryVersion): Promise<boolean> {
    return this.table.put({ ...keys.registryVersion(version.version), itemType: 'registry', ...version }, NEW_ITEM);
  }

  async latest(): Promise<RegistryVersion | null> {
    const k = keys.registry();
    const page = await this.table.page<RegistryVersion>({ pk: k.pk, skPrefix: k.sk }, { limit: 1, newestFirst: true });
    return page.items[0] ?? null;
  }

  async history(limit: number): Promise<Omit<RegistryVersion, 'units' | 'roster'>[]> {
    const k = keys.registry();
    const page = await this.table.page<RegistryVersion>({ pk: k.pk, skPrefix: k.sk }, { limit, newestFirst: true });
    return page.items.map(({ units: _u, roster: _r, ...line }) => line);
  }
}

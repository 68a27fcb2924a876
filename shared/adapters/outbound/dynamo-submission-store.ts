import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type {
  AddressProblem,
  Extension,
  CurrentPointer,
  OutboxMessage,
  PeriodState,
  PeriodStateName,
  SubmissionRecord,
  SubmissionStore,
  TokenRecord,
  UploadIntent,
} from '../../application/ports.js';

/** Keys of every item kind; see table-schema.ts for the map. */
export const keys = {
  upload: (uploadId: string) => ({ pk: `UPLOAD#${uploadId}`, sk: 'META' }),
  submission: (periodId: string, unitCode: string, objectId: string) => ({ pk: `PERIOD#${periodId}`, sk: `SUB#${unitCode}#${objectId}` }),
  pointer: (which: 'current' | 'late', p: { periodId: string; unitCode: string; kind: string }) => ({
    pk: `PERIOD#${p.periodId}`,
    sk: `${which === 'current' ? 'CURRENT' : 'LATE'}#${p.unitCode}#${p.kind}`,
  }),
  mail: (messageId: string) => ({ pk: `MAIL#${messageId}`, sk: 'MAIL' }),
  token: (hash: string) => ({ pk: `TOKEN#${hash}`, sk: 'TOKEN' }),
  periodState: (periodId: string) => ({ pk: `PERIOD#${periodId}`, sk: 'STATE' }),
  extension: (periodId: string, unitCode: string) => ({ pk: `PERIOD#${periodId}`, sk: `EXT#${unitCode}` }),
  address: (email: string) => ({ pk: `ADDRESS#${email.toLowerCase()}`, sk: 'STATUS' }),
};

function isConditionFailure(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

function strip<T>(item: Record<string, unknown> | undefined): T | null {
  if (!item) return null;
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, itemType: _t, ...rest } = item;
  return rest as T;
}

/** SubmissionStore on one DynamoDB table, with single-item conditional writes only. */
export class DynamoSubmissionStore implements SubmissionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Sends a conditional write; false when its condition does not hold (nothing was written). */
  private async conditional(command: PutCommand | UpdateCommand): Promise<boolean> {
    try {
      await this.client.send(command as PutCommand);
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  private async queryAll(input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey }));
      items.push(...((out.Items ?? []) as Record<string, unknown>[]));
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  async putUploadIntent(intent: UploadIntent): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.upload(intent.uploadId),
          itemType: 'upload',
          gsi1pk: `INTENTS#${intent.periodId}`,
          gsi1sk: `${intent.unitCode}#${intent.requestedAt}#${intent.uploadId}`,
          ...intent,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getUploadIntent(uploadId: string): Promise<UploadIntent | null> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.upload(uploadId), ConsistentRead: true }));
    return strip<UploadIntent>(out.Item);
  }

  async putSubmissionOnce(record: SubmissionRecord): Promise<{ created: boolean; record: SubmissionRecord }> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.submission(record.periodId, record.unitCode, record.objectId),
            itemType: 'submission',
            gsi1pk: `UNIT#${record.unitCode}`,
            gsi1sk: `${record.receivedAt}#${record.objectId}`,
            ...record,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, record };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const existing = await this.getSubmission(record.periodId, record.unitCode, record.objectId);
      if (!existing) throw new Error(`Submission ${record.objectId} reported as existing but not found`, { cause: err });
      return { created: false, record: existing };
    }
  }

  async getSubmission(periodId: string, unitCode: string, objectId: string): Promise<SubmissionRecord | null> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.submission(periodId, unitCode, objectId), ConsistentRead: true }),
    );
    return strip<SubmissionRecord>(out.Item);
  }

  async listPeriodSubmissions(periodId: string): Promise<SubmissionRecord[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sub)',
      ExpressionAttributeValues: { ':pk': `PERIOD#${periodId}`, ':sub': 'SUB#' },
      ConsistentRead: true,
    });
    return items.map((i) => strip<SubmissionRecord>(i)!).sort(byReceived);
  }

  async listUnitSubmissions(unitCode: string, periodId?: string): Promise<SubmissionRecord[]> {
    if (periodId) {
      const items = await this.queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sub)',
        ExpressionAttributeValues: { ':pk': `PERIOD#${periodId}`, ':sub': `SUB#${unitCode}#` },
        ConsistentRead: true,
      });
      return items.map((i) => strip<SubmissionRecord>(i)!).sort(byReceived);
    }
    const items = await this.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `UNIT#${unitCode}` },
    });
    return items.map((i) => strip<SubmissionRecord>(i)!).sort(byReceived);
  }

  async advancePointer(which: 'current' | 'late', pointer: CurrentPointer): Promise<boolean> {
    return this.conditional(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.pointer(which, pointer), itemType: `pointer-${which}`, ...pointer },
        ConditionExpression: 'attribute_not_exists(pk) OR #order < :order',
        ExpressionAttributeNames: { '#order': 'order' },
        ExpressionAttributeValues: { ':order': pointer.order },
      }),
    );
  }

  async getPointers(periodId: string): Promise<{ current: CurrentPointer[]; late: CurrentPointer[] }> {
    const read = async (prefix: string): Promise<CurrentPointer[]> =>
      (
        await this.queryAll({
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': `PERIOD#${periodId}`, ':p': prefix },
          ConsistentRead: true,
        })
      ).map((i) => strip<CurrentPointer>(i)!);
    return { current: await read('CURRENT#'), late: await read('LATE#') };
  }

  async putOutboxOnce(message: OutboxMessage): Promise<boolean> {
    return this.conditional(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.mail(message.messageId), itemType: 'mail', gsi2pk: 'OUTBOX#PENDING', gsi2sk: `${message.createdAt}#${message.messageId}`, ...message },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getOutbox(messageId: string): Promise<OutboxMessage | null> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.mail(messageId), ConsistentRead: true }));
    return strip<OutboxMessage>(out.Item);
  }

  async listPendingOutbox(limit: number): Promise<OutboxMessage[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :p',
        ExpressionAttributeValues: { ':p': 'OUTBOX#PENDING' },
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => strip<OutboxMessage>(i)!).filter((m) => m.status === 'pending');
  }

  async leaseOutbox(messageId: string, now: string, leaseUntil: string): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.mail(messageId),
        UpdateExpression: 'SET leaseUntil = :until ADD attempts :one',
        ConditionExpression: '#status = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':until': leaseUntil, ':one': 1, ':pending': 'pending', ':now': now },
      }),
    );
  }

  async markOutboxSent(messageId: string, sentAt: string, providerMessageId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.mail(messageId),
        UpdateExpression: 'SET #status = :sent, sentAt = :at, providerMessageId = :pid REMOVE gsi2pk, gsi2sk, leaseUntil, lastError',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sent': 'sent', ':at': sentAt, ':pid': providerMessageId },
      }),
    );
  }

  async markOutboxFailed(messageId: string, error: string): Promise<void> {
    // Already sent by another run: nothing to record.
    await this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.mail(messageId),
        UpdateExpression: 'SET lastError = :e REMOVE leaseUntil',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':e': error.slice(0, 1000), ':pending': 'pending' },
      }),
    );
  }

  async listPeriodUploadIntents(periodId: string): Promise<UploadIntent[]> {
    const items = await this.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `INTENTS#${periodId}` },
    });
    return items.map((i) => strip<UploadIntent>(i)!);
  }

  async getPeriodState(periodId: string): Promise<PeriodState> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.periodState(periodId), ConsistentRead: true }));
    return strip<PeriodState>(out.Item) ?? { periodId, state: 'OPEN' };
  }

  async transitionPeriod(
    periodId: string,
    from: PeriodStateName[],
    to: PeriodStateName,
    fields: Partial<Omit<PeriodState, 'periodId' | 'state'>>,
    lease?: { runId: string; now: string },
  ): Promise<boolean> {
    const names: Record<string, string> = { '#state': 'state' };
    const values: Record<string, unknown> = { ':to': to, ':pid': periodId };
    const sets = ['#state = :to', 'periodId = :pid', 'itemType = if_not_exists(itemType, :type)'];
    values[':type'] = 'period-state';
    Object.entries(fields).forEach(([k, v], i) => {
      if (v === undefined) return;
      names[`#f${i}`] = k;
      values[`:f${i}`] = v;
      sets.push(`#f${i} = :f${i}`);
    });
    const fromConds = from.map((s, i) => {
      values[`:from${i}`] = s;
      return `#state = :from${i}`;
    });
    if (from.includes('OPEN')) fromConds.push('attribute_not_exists(pk)');
    let condition = `(${fromConds.join(' OR ')})`;
    if (lease) {
      names['#lease'] = 'leaseUntil';
      names['#run'] = 'runId';
      values[':now'] = lease.now;
      values[':me'] = lease.runId;
      condition += ' AND (attribute_not_exists(#lease) OR #lease < :now OR #run = :me)';
    }
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.periodState(periodId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async claimAddendum(periodId: string, expected: number): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.periodState(periodId),
        UpdateExpression: 'SET addenda = :next',
        ConditionExpression: `#state = :closed AND ${expected === 0 ? 'attribute_not_exists(addenda)' : 'addenda = :expected'}`,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':next': expected + 1, ':closed': 'CLOSED', ...(expected === 0 ? {} : { ':expected': expected }) },
      }),
    );
  }

  async setAddendumKeys(periodId: string, n: number, reportKeys: string[]): Promise<void> {
    const state = await this.getPeriodState(periodId);
    const addendumKeys = { ...(state.addendumKeys ?? {}), [String(n)]: reportKeys };
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.periodState(periodId),
        UpdateExpression: 'SET addendumKeys = :k',
        ExpressionAttributeValues: { ':k': addendumKeys },
      }),
    );
  }

  async putExtension(extension: Extension): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.extension(extension.periodId, extension.unitCode), itemType: 'extension', ...extension } }));
  }

  async getExtension(periodId: string, unitCode: string): Promise<Extension | null> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.extension(periodId, unitCode), ConsistentRead: true }));
    return strip<Extension>(out.Item);
  }

  async putAddressProblem(problem: AddressProblem): Promise<boolean> {
    return this.conditional(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.address(problem.email), itemType: 'address-problem', ...problem },
        // A new kind of problem (a complaint after a bounce) replaces the record; the same one does not.
        ConditionExpression: 'attribute_not_exists(pk) OR #type <> :type',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':type': problem.type },
      }),
    );
  }

  async getAddressProblem(email: string): Promise<AddressProblem | null> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.address(email), ConsistentRead: true }));
    return strip<AddressProblem>(out.Item);
  }

  async putToken(token: TokenRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.token(token.tokenHash), itemType: 'token', gsi1pk: `UNITTOKENS#${token.unitCode}`, gsi1sk: `${token.createdAt}#${token.tokenId}`, ...token },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getTokenByHash(tokenHash: string): Promise<TokenRecord | null> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.token(tokenHash), ConsistentRead: true }));
    return strip<TokenRecord>(out.Item);
  }

  async listUnitTokens(unitCode: string): Promise<TokenRecord[]> {
    const items = await this.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `UNITTOKENS#${unitCode}` },
    });
    return items.map((i) => strip<TokenRecord>(i)!);
  }

  async revokeToken(tokenHash: string, revokedAt: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.token(tokenHash),
        UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': revokedAt },
      }),
    );
  }
}

function byReceived(a: SubmissionRecord, b: SubmissionRecord): number {
  return a.receivedAt === b.receivedAt ? a.objectId.localeCompare(b.objectId) : a.receivedAt.localeCompare(b.receivedAt);
}

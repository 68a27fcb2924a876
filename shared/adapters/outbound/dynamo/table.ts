import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Key } from './keys.js';

/** A condition on a write, with the names and values it uses. */
export interface Condition {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

/** An update: its `SET … REMOVE …` expression with names and values. */
export interface Update {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

/** A query on the table (by pk and an optional sort-key prefix) or on an index (by its partition key). */
export type Query = { pk: string; skPrefix?: string } | { index: 'gsi1' | 'gsi2'; indexPk: string; limit?: number };

function isConditionFailure(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** The item without its key and index attributes: the record a store returns. */
function recordOf<T>(item: Record<string, unknown> | undefined): T | null {
  if (!item) return null;
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, itemType: _t, ...rest } = item;
  return rest as T;
}

function merge<T>(a: Record<string, T> | undefined, b: Record<string, T> | undefined): Record<string, T> | undefined {
  return a || b ? { ...a, ...b } : undefined;
}

/**
 * The one table every store writes through: consistent single-item reads, paged queries, and writes
 * that are either unconditional or carry a condition. There is no delete, batch or transaction.
 */
export class Table {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly name: string,
  ) {}

  async get<T>(key: Key): Promise<T | null> {
    const out = await this.client.send(new GetCommand({ TableName: this.name, Key: key, ConsistentRead: true }));
    return recordOf<T>(out.Item);
  }

  /** Every item a query matches (all pages), or the first `limit` of an index query. */
  async query<T>(q: Query): Promise<T[]> {
    const input =
      'index' in q
        ? { IndexName: q.index, KeyConditionExpression: `${q.index}pk = :pk`, ExpressionAttributeValues: { ':pk': q.indexPk }, Limit: q.limit }
        : q.skPrefix === undefined
          ? { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': q.pk }, ConsistentRead: true }
          : {
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
              ExpressionAttributeValues: { ':pk': q.pk, ':sk': q.skPrefix },
              ConsistentRead: true,
            };
    const items: T[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(new QueryCommand({ ...input, TableName: this.name, ExclusiveStartKey }));
      for (const item of out.Items ?? []) items.push(recordOf<T>(item)!);
      ExclusiveStartKey = 'index' in q && q.limit !== undefined ? undefined : out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  /**
   * Writes an item. With a condition: true when written, false when the condition does not hold
   * (nothing was written). Without one: always written, true.
   */
  async put(item: Key & Record<string, unknown>, condition?: Condition): Promise<boolean> {
    return this.write(
      new PutCommand({
        TableName: this.name,
        Item: item,
        ConditionExpression: condition?.expression,
        ExpressionAttributeNames: condition?.names,
        ExpressionAttributeValues: condition?.values,
      }),
    );
  }

  /** Updates an item; like `put`, false when its condition does not hold. */
  async update(key: Key, update: Update, condition?: Condition): Promise<boolean> {
    return this.write(
      new UpdateCommand({
        TableName: this.name,
        Key: key,
        UpdateExpression: update.expression,
        ConditionExpression: condition?.expression,
        ExpressionAttributeNames: merge(update.names, condition?.names),
        ExpressionAttributeValues: merge(update.values, condition?.values),
      }),
    );
  }

  /** The one conditional-write helper: a failed condition is an answer (false), any other error is thrown. */
  private async write(command: PutCommand | UpdateCommand): Promise<boolean> {
    try {
      await this.client.send(command as PutCommand);
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }
}

/** Conditions used by several stores. */
export const NEW_ITEM: Condition = { expression: 'attribute_not_exists(pk)' };
export const EXISTING_ITEM: Condition = { expression: 'attribute_exists(pk)' };

/** Throws when a write that must hold did not (the item it needs is missing). */
export function mustHold(held: boolean, what: string): void {
  if (!held) throw new Error(`${what}: the item it needs does not exist`);
}

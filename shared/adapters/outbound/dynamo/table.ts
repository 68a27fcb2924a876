import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError } from '../../../application/errors.js';
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

/**
 * A query on the table (by pk and an optional sort-key prefix) or on an index (by its partition key,
 * and optionally a sort-key range, both ends inclusive).
 */
export type Query = { pk: string; skPrefix?: string } | { index: 'gsi1' | 'gsi2'; indexPk: string; limit?: number; skBetween?: readonly [string, string] };

/** One page of a query: at most `limit` items, in sort-key order or (newestFirst) the reverse, after `cursor`. */
export interface PageRequest {
  limit: number;
  newestFirst?: boolean;
  /** The `cursor` of the previous page (opaque, from `page`). */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Where the next page starts; absent on the last page. */
  cursor?: string;
}

/** At most this many keys per BatchGetItem request (DynamoDB's limit). */
const BATCH_GET_KEYS = 100;

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
 * The one table every store writes through: consistent single-item and batched reads, queries (every
 * page, or one page with a cursor), and writes that are either unconditional or carry a condition.
 * There is no delete, batch write or transaction.
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
    const input = queryInput(q);
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
   * One page of a query. The cursor names the last item returned; a cursor that does not belong to
   * this query (another partition, another prefix, or not one of ours) is refused with
   * InvalidCursorError, so a caller can never page into items the query does not select.
   */
  async page<T>(q: Query, req: PageRequest): Promise<Page<T>> {
    const start = req.cursor === undefined ? undefined : decodeCursor(req.cursor, q);
    const out = await this.client.send(
      new QueryCommand({ ...queryInput(q), TableName: this.name, Limit: req.limit, ScanIndexForward: !req.newestFirst, ExclusiveStartKey: start }),
    );
    const items = (out.Items ?? []).map((item) => recordOf<T>(item)!);
    return { items, ...(out.LastEvaluatedKey ? { cursor: encodeCursor(out.LastEvaluatedKey) } : {}) };
  }

  /**
   * The items of many keys (consistent reads, BatchGetItem in requests of 100, unprocessed keys asked
   * again), keyed by `pk sk`; absent items are left out.
   */
  async getMany<T>(keys: readonly Key[]): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    const unique = [...new Map(keys.map((k) => [keyId(k), { pk: k.pk, sk: k.sk }])).values()];
    for (let i = 0; i < unique.length; i += BATCH_GET_KEYS) {
      let pending: Record<string, unknown>[] = unique.slice(i, i + BATCH_GET_KEYS);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
        const res = await this.client.send(new BatchGetCommand({ RequestItems: { [this.name]: { Keys: pending, ConsistentRead: true } } }));
        for (const item of res.Responses?.[this.name] ?? []) out.set(keyId(item as unknown as Key), recordOf<T>(item)!);
        pending = (res.UnprocessedKeys?.[this.name]?.Keys ?? []) as Record<string, unknown>[];
        if (attempt > 8 && pending.length > 0) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${attempt + 1} attempts`);
      }
    }
    return out;
  }

  /** Like `update`, returning the item as it is after the update, or null when the condition does not hold. */
  async updateReturning<T>(key: Key, update: Update, condition?: Condition): Promise<T | null> {
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.name,
          Key: key,
          UpdateExpression: update.expression,
          ConditionExpression: condition?.expression,
          ExpressionAttributeNames: merge(update.names, condition?.names),
          ExpressionAttributeValues: merge(update.values, condition?.values),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return recordOf<T>(out.Attributes);
    } catch (err) {
      if (isConditionFailure(err)) return null;
      throw err;
    }
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

/** The map key `getMany` answers by. */
export function keyId(k: Key): string {
  return `${k.pk} ${k.sk}`;
}

function queryInput(q: Query) {
  if ('index' in q) {
    const between = q.skBetween ? ` AND ${q.index}sk BETWEEN :from AND :to` : '';
    return {
      IndexName: q.index,
      KeyConditionExpression: `${q.index}pk = :pk${between}`,
      ExpressionAttributeValues: { ':pk': q.indexPk, ...(q.skBetween ? { ':from': q.skBetween[0], ':to': q.skBetween[1] } : {}) },
      Limit: q.limit,
    };
  }
  return q.skPrefix === undefined
    ? { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': q.pk }, ConsistentRead: true }
    : { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)', ExpressionAttributeValues: { ':pk': q.pk, ':sk': q.skPrefix }, ConsistentRead: true };
}

/** A page's cursor: its last key, as base64url JSON (string attributes only, as every key of the table is). */
function encodeCursor(lastKey: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url');
}

/** The start key a cursor names, checked to lie inside the query. */
function decodeCursor(cursor: string, q: Query): Record<string, string> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not a cursor');
  }
  const k = key as Record<string, unknown>;
  const strings = key !== null && typeof key === 'object' && !Array.isArray(key) && Object.values(k).every((v) => typeof v === 'string');
  const names = 'index' in q ? ['pk', 'sk', `${q.index}pk`, `${q.index}sk`] : ['pk', 'sk'];
  if (!strings || Object.keys(k).sort().join() !== [...names].sort().join()) throw new InvalidCursorError('not a cursor of this query');
  const inside =
    'index' in q
      ? k[`${q.index}pk`] === q.indexPk &&
        (!q.skBetween || ((k[`${q.index}sk`] as string) >= q.skBetween[0] && (k[`${q.index}sk`] as string) <= q.skBetween[1]))
      : k.pk === q.pk && (q.skPrefix === undefined || (k.sk as string).startsWith(q.skPrefix));
  if (!inside) throw new InvalidCursorError('a cursor of another query');
  return k as Record<string, string>;
}

/** Conditions used by several stores. */
export const NEW_ITEM: Condition = { expression: 'attribute_not_exists(pk)' };
export const EXISTING_ITEM: Condition = { expression: 'attribute_exists(pk)' };

/** Throws when a write that must hold did not (the item it needs is missing). */
export function mustHold(held: boolean, what: string): void {
  if (!held) throw new Error(`${what}: the item it needs does not exist`);
}

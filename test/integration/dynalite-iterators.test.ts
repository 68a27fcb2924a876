import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableInput } from '../../shared/adapters/outbound/dynamo/schema.js';

/**
 * dynalite 4.0.0 turns each Query's abstract-level iterator into a stream whose destroy calls
 * `iterator.return()`, which abstract-level iterators do not have: every Query left its iterator (and,
 * on disk, its LevelDB snapshot) open, so memory and the data folder grew with every read.
 * patches/dynalite+4.0.0.patch (applied by patch-package at install) closes them. This test counts
 * the iterators the database still holds open after many Queries, through abstract-level's own
 * resource registry (attachResource / detachResource, which every iterator calls when it opens and
 * closes): it fails on an unpatched dynalite.
 */

const require = createRequire(import.meta.url);

interface Resource {
  close(): Promise<void>;
}

/** Iterators attached to a database and not detached (closed) yet, counted from abstract-level's prototype. */
function openIteratorCounter(): { open: () => number; restore: () => void } {
  const { AbstractLevel, AbstractIterator, AbstractKeyIterator, AbstractValueIterator } = require('abstract-level') as {
    AbstractLevel: { prototype: { attachResource(r: Resource): void; detachResource(r: Resource): void } };
    AbstractIterator: new (...a: never[]) => Resource;
    AbstractKeyIterator: new (...a: never[]) => Resource;
    AbstractValueIterator: new (...a: never[]) => Resource;
  };
  const isIterator = (r: Resource) => [AbstractIterator, AbstractKeyIterator, AbstractValueIterator].some((kind) => r instanceof kind);
  const live = new Set<Resource>();
  const proto = AbstractLevel.prototype;
  const { attachResource, detachResource } = proto;
  proto.attachResource = function (this: unknown, r: Resource) {
    if (isIterator(r)) live.add(r);
    return attachResource.call(this, r);
  };
  proto.detachResource = function (this: unknown, r: Resource) {
    live.delete(r);
    return detachResource.call(this, r);
  };
  return {
    open: () => live.size,
    restore: () => {
      proto.attachResource = attachResource;
      proto.detachResource = detachResource;
    },
  };
}

describe('dynalite (as patched at install)', () => {
  const TABLE = 'cchc-iterators';
  let dir: string;
  let server: Server;
  let client: DynamoDBDocumentClient;
  let counter: ReturnType<typeof openIteratorCounter>;

  beforeAll(async () => {
    counter = openIteratorCounter();
    dir = await mkdtemp(join(tmpdir(), 'cchc-dynalite-'));
    // On disk, as the local stack runs it (classic-level: each open iterator pins a LevelDB snapshot).
    server = (require('dynalite') as (o: object) => Server)({ path: join(dir, 'db'), createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const raw = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'ap-southeast-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    client = DynamoDBDocumentClient.from(raw);
    await raw.send(new CreateTableCommand(createTableInput(TABLE)));
    for (let i = 0; i < 30; i++) {
      await client.send(
        new PutCommand({ TableName: TABLE, Item: { pk: 'PERIOD#2021-Q1', sk: `SUB#STP#${String(i).padStart(3, '0')}`, gsi1pk: 'UNIT#STP', gsi1sk: `${i}` } }),
      );
    }
  });

  afterAll(async () => {
    counter.restore();
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('closes the iterator of every Query: read to the end, cut short by a Limit, on the table and on an index', async () => {
    // Prepare: nothing open before the queries (the puts read no range)
    const before = counter.open();

    // Act: 200 Queries of each shape
    for (let i = 0; i < 200; i++) {
      await client.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'PERIOD#2021-Q1' } }));
      await client.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
          ExpressionAttributeValues: { ':p': 'PERIOD#2021-Q1', ':s': 'SUB#STP#' },
          ScanIndexForward: false,
          Limit: 3,
        }),
      );
      await client.send(
        new QueryCommand({
          TableName: TABLE,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': 'UNIT#STP' },
          Limit: 5,
        }),
      );
    }
    // a close completes on a later turn of the event loop
    await new Promise((r) => setTimeout(r, 50));

    // Assess: none of the 600 iterators is still open (unpatched, every one of them is)
    expect(before).toBe(0);
    expect(counter.open()).toBe(0);
  });
});

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordStep, timelineOf } from '../../shared/application/audit.js';
import type { PipelineSettings } from '../../shared/application/deps.js';
import { issueToken, revokeUnitTokens } from '../../shared/application/tokens.js';
import type { EventSink, OutEvent, Stores } from '../../shared/application/ports.js';
import { createTableInput } from '../../shared/adapters/outbound/dynamo/schema.js';
import { dynamoStores } from '../../shared/adapters/outbound/dynamo/stores.js';
import { SYSTEM_ACTOR } from '../../shared/domain/audit.js';

/** The audit trail's store on the embedded DynamoDB: append once by id, read back in time order, nothing else. */

const require = createRequire(import.meta.url);
const TABLE = 'cchc-audit';
let server: Server;
let client: DynamoDBDocumentClient;
let stores: Stores;

beforeAll(async () => {
  server = (require('dynalite') as (o: object) => Server)({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const raw = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  client = DynamoDBDocumentClient.from(raw);
  await raw.send(new CreateTableCommand(createTableInput(TABLE)));
  stores = dynamoStores(client, TABLE);
});

afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const log = { info: () => {}, warn: () => {}, error: () => {} };

describe('the audit trail', () => {
  it('adds a step once: a retried step (same id, later time) adds nothing and keeps the first time', async () => {
    // Prepare
    const first = { clock: { now: () => new Date('2021-03-10T02:00:00Z') }, stores, log };
    const retry = { clock: { now: () => new Date('2021-03-10T02:05:00Z') }, stores, log };
    const step = {
      eventId: 'result.recorded:obj-1',
      type: 'result.recorded' as const,
      periodId: '2021-Q1',
      unitCode: 'STP',
      actor: SYSTEM_ACTOR,
      detail: { receiptNo: 'STP-2021-Q1-0001' },
    };

    // Act
    await recordStep(first, step);
    await recordStep(retry, step);

    // Assert
    const events = await stores.audit.ofSlot('2021-Q1', 'STP');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ at: '2021-03-10T02:00:00.000Z', detail: { receiptNo: 'STP-2021-Q1-0001' }, reason: null });
  });

  it("shows a slot's steps and the unit's own in time order, and pages a period's steps across units", async () => {
    // Prepare
    const at = (iso: string) => ({ clock: { now: () => new Date(iso) }, stores, log });
    await recordStep(at('2021-03-12T01:00:00Z'), {
      eventId: 'receipt.sent:m-1',
      type: 'receipt.sent',
      periodId: '2021-Q2',
      unitCode: 'SYT',
      actor: SYSTEM_ACTOR,
    });
    await recordStep(at('2021-03-11T01:00:00Z'), {
      eventId: 'upload.requested:u-1',
      type: 'upload.requested',
      periodId: '2021-Q2',
      unitCode: 'SYT',
      actor: SYSTEM_ACTOR,
    });
    await recordStep(at('2021-03-01T01:00:00Z'), {
      eventId: 'link.issued:t-1',
      type: 'link.issued',
      periodId: null,
      unitCode: 'SYT',
      actor: { kind: 'operator', id: 'cli', name: null },
    });
    await recordStep(at('2021-03-11T05:00:00Z'), {
      eventId: 'upload.requested:u-2',
      type: 'upload.requested',
      periodId: '2021-Q2',
      unitCode: 'SCT',
      actor: SYSTEM_ACTOR,
    });

    // Act
    const timeline = await timelineOf({ stores }, '2021-Q2', 'SYT');
    const page1 = await stores.audit.pageOfPeriod('2021-Q2', { limit: 2 });
    const page2 = await stores.audit.pageOfPeriod('2021-Q2', { limit: 2, cursor: page1.cursor });

    // Assert
    expect(timeline.map((e) => e.eventId)).toEqual(['link.issued:t-1', 'upload.requested:u-1', 'receipt.sent:m-1']);
    expect([...page1.items, ...page2.items].map((e) => e.eventId)).toEqual(['upload.requested:u-1', 'upload.requested:u-2', 'receipt.sent:m-1']);
  });

  it('publishes the step with the same id on every attempt; a failed publication is logged and the step stays recorded', async () => {
    // Prepare
    const published: OutEvent[] = [];
    const errors: string[] = [];
    let fail = true;
    const events: EventSink = {
      publish: async (e) => {
        if (fail) throw new Error('bus unavailable');
        published.push(...e);
      },
    };
    const deps = { clock: { now: () => new Date('2021-03-13T01:00:00Z') }, stores, events, log: { ...log, error: (m: string) => errors.push(m) } };
    const step = { eventId: 'result.recorded:obj-9', type: 'result.recorded' as const, periodId: '2021-Q3', unitCode: 'STP', actor: SYSTEM_ACTOR };
    const out = { type: 'submission.recorded' as const, detail: { objectId: 'obj-9' } };

    // Act
    await recordStep(deps, step, out);
    fail = false;
    await recordStep(deps, step, out);

    // Assert
    expect(errors).toEqual(['event not published']);
    expect(published).toEqual([{ id: 'result.recorded:obj-9', type: 'submission.recorded', time: '2021-03-13T01:00:00.000Z', detail: { objectId: 'obj-9' } }]);
    expect(await stores.audit.ofSlot('2021-Q3', 'STP')).toHaveLength(1);
  });

  it("records a unit's link issued and revoked by the operator, and a Department user's apart, naming each token by its id and never by the token", async () => {
    // Prepare
    const deps = {
      stores,
      clock: { now: () => new Date('2021-02-01T03:00:00Z') },
      config: { tokenTtlDays: 30 } as PipelineSettings,
      tokenKey: async () => 'k'.repeat(43),
    };

    // Act
    const link = await issueToken(deps, 'SXD');
    const user = await issueToken(deps, 'SNV', 'admin');
    await revokeUnitTokens(deps, 'SXD');

    // Assert
    const unitSteps = await stores.audit.ofUnit('SXD');
    expect(unitSteps.map((e) => [e.type, e.detail.tokenId, e.actor.kind])).toEqual([
      ['link.issued', link.record.tokenId, 'operator'],
      ['link.revoked', link.record.tokenId, 'operator'],
    ]);
    const userSteps = await stores.audit.ofUnit(null);
    expect(userSteps.map((e) => [e.type, e.detail.tokenId])).toEqual([['user.issued', user.record.tokenId]]);
    expect(JSON.stringify([...unitSteps, ...userSteps])).not.toContain(link.token);
    expect(JSON.stringify(userSteps)).not.toContain(user.token);
  });
});

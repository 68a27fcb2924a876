import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { silentLog } from '../../shared/application/log.js';
import { LocalQueue } from '../../infra/local/local-queue.js';
import { UPLOAD_CONSUMER } from '../../infra/queue-consumers.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A handler that takes `ms` per batch and records what it saw: batch sizes, concurrency, deliveries. */
function recordingHandler(ms: number, fails: (body: string, receiveCount: number) => boolean = () => false) {
  const seen = { batches: [] as number[], maxRunning: 0, deliveries: new Map<string, number>() };
  let running = 0;
  const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    running += 1;
    seen.maxRunning = Math.max(seen.maxRunning, running);
    seen.batches.push(event.Records.length);
    await tick(ms);
    running -= 1;
    const failures = event.Records.filter((r) => {
      seen.deliveries.set(r.body, (seen.deliveries.get(r.body) ?? 0) + 1);
      return fails(r.body, Number(r.attributes.ApproximateReceiveCount));
    });
    return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
  };
  return { handler, seen };
}

describe('LocalQueue', () => {
  it('runs as the deployed mapping does: batches of up to batchSize, at most maxConcurrency at once, every message once', async () => {
    // Prepare
    const { handler, seen } = recordingHandler(15);
    const queue = new LocalQueue({ handler, consumer: UPLOAD_CONSUMER, log: silentLog });

    // Act: a burst of 60 messages, then more while the first batches run
    for (let i = 0; i < 60; i++) queue.send(`m${i}`);
    await tick(5);
    for (let i = 60; i < 80; i++) queue.send(`m${i}`);
    await queue.drain();

    // Assess
    expect(seen.maxRunning).toBe(UPLOAD_CONSUMER.maxConcurrency);
    expect(Math.max(...seen.batches)).toBe(UPLOAD_CONSUMER.batchSize);
    expect(seen.batches.reduce((a, b) => a + b, 0)).toBe(80);
    expect([...seen.deliveries.values()].every((n) => n === 1)).toBe(true);
    expect(seen.deliveries.size).toBe(80);
  });

  it('retries only the failed messages of a batch, and dead-letters one after maxReceiveCount deliveries', async () => {
    // Prepare: m3 always fails, m5 fails on its first delivery only
    const { handler, seen } = recordingHandler(2, (body, n) => body === 'm3' || (body === 'm5' && n === 1));
    const dead: string[] = [];
    const queue = new LocalQueue({ handler, consumer: UPLOAD_CONSUMER, retryDelayMs: 1, log: silentLog, onDeadLetter: (b) => dead.push(b) });

    // Act
    for (let i = 0; i < 10; i++) queue.send(`m${i}`);
    await queue.drain();

    // Assess
    expect(seen.deliveries.get('m3')).toBe(UPLOAD_CONSUMER.maxReceiveCount);
    expect(seen.deliveries.get('m5')).toBe(2);
    expect([...seen.deliveries].filter(([b]) => b !== 'm3' && b !== 'm5').every(([, n]) => n === 1)).toBe(true);
    expect(dead).toEqual(['m3']);
    expect(queue.deadLetters.map((d) => d.body)).toEqual(['m3']);
  });

  it('returns the whole batch when the handler throws, and drains only when nothing waits, runs or is scheduled', async () => {
    // Prepare
    const batches: number[] = [];
    const queue = new LocalQueue({
      handler: async (event) => {
        batches.push(event.Records.length);
        if (batches.length === 1) throw new Error('crash');
        return { batchItemFailures: [] };
      },
      consumer: { batchSize: 5, maxConcurrency: 1 },
      retryDelayMs: 20,
      log: silentLog,
    });

    // Act
    for (let i = 0; i < 3; i++) queue.send(`m${i}`);
    const drained = queue.drain();
    await tick(5);
    const idleBeforeRetry = queue.isIdleNow();
    await drained;

    // Assess: the first batch of three was delivered again in one batch
    expect(idleBeforeRetry).toBe(false);
    expect(batches).toEqual([3, 3]);
    expect(queue.isIdleNow()).toBe(true);
  });

  it('holds messages while paused and delivers them on resume', async () => {
    const { handler, seen } = recordingHandler(1);
    const queue = new LocalQueue({ handler, consumer: UPLOAD_CONSUMER, log: silentLog });
    queue.pause();
    queue.send('a');
    queue.send('b');
    await tick(10);
    expect(seen.deliveries.size).toBe(0);
    queue.resume();
    await queue.drain();
    expect([...seen.deliveries.keys()].sort()).toEqual(['a', 'b']);
  });
});

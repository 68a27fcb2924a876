import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Log } from '../../shared/application/log.js';
import type { QueueConsumer } from '../queue-consumers.js';

export interface LocalQueueOptions {
  /** The same handler the Lambda runs. */
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  /**
   * How the deployed event source mapping consumes the queue (infra/queue-consumers.ts): messages per
   * invocation, invocations at once, deliveries before the dead-letter list. Default: one message at
   * a time, 5 deliveries.
   */
  consumer?: Partial<QueueConsumer>;
  /** Wait before a retry, ms (doubles each time). */
  retryDelayMs?: number;
  /** Where a message goes after its last failed delivery (the deployed queue's redrive target). */
  onDeadLetter?: (body: string) => void;
  log: Log;
}

interface Pending {
  id: string;
  body: string;
  receiveCount: number;
}

/**
 * Stands in for SQS + the Lambda event source mapping on the local stack: up to `maxConcurrency`
 * invocations of the same handler run at once, each with a batch of up to `batchSize` messages
 * (those waiting when it starts, as a poller receives what is visible); the messages a batch reports
 * as failed, or the whole batch when the handler throws, are retried with backoff, and after
 * `maxReceiveCount` deliveries a message lands in the dead-letter list (logged as an error) and is
 * handed to `onDeadLetter`, as SQS hands it to the dead-letter queue and its consumer.
 */
export class LocalQueue {
  readonly deadLetters: { id: string; body: string }[] = [];
  private readonly waiting: Pending[] = [];
  /** Handler invocations running now. */
  private running = 0;
  /** Messages in those invocations. */
  private inFlight = 0;
  private timers = new Set<NodeJS.Timeout>();
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private paused = false;
  private pumpScheduled = false;
  private readonly batchSize: number;
  private readonly maxConcurrency: number;
  private readonly maxReceiveCount: number;

  constructor(private readonly options: LocalQueueOptions) {
    this.batchSize = Math.max(1, options.consumer?.batchSize ?? 1);
    this.maxConcurrency = Math.max(1, options.consumer?.maxConcurrency ?? 1);
    this.maxReceiveCount = Math.max(1, options.consumer?.maxReceiveCount ?? 5);
  }

  send(body: string): void {
    if (this.closed) return;
    this.waiting.push({ id: randomUUID(), body, receiveCount: 0 });
    this.schedulePump();
  }

  /** Holds delivery (messages keep arriving and wait) until `resume`: tests use it to reorder events. */
  pause(): void {
    this.paused = true;
  }

  /** Drops the messages waiting while paused, as a lost S3 event would be lost (tests, demo). */
  discardWaiting(): number {
    return this.waiting.splice(0).length;
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  /** Resolves when nothing is waiting, running or scheduled for retry. */
  async drain(): Promise<void> {
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.waiting.length = 0;
    this.notifyIdle();
  }

  /** True when nothing is waiting, running or scheduled for retry right now. */
  isIdleNow(): boolean {
    return this.isIdle();
  }

  /** Messages waiting, and messages in the invocations running now (for the benchmark and logs). */
  depth(): { waiting: number; inFlight: number } {
    return { waiting: this.waiting.length, inFlight: this.inFlight };
  }

  private isIdle(): boolean {
    if (this.paused) return this.inFlight === 0 && this.timers.size === 0;
    return this.waiting.length === 0 && this.inFlight === 0 && this.timers.size === 0 && !this.pumpScheduled;
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters.splice(0);
    for (const w of waiters) w();
  }

  /** Pumps on the next turn, so that messages sent together can share a batch. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
      this.notifyIdle();
    });
  }

  /** Starts invocations while messages wait and the concurrency allows. */
  private pump(): void {
    while (this.running < this.maxConcurrency && this.waiting.length > 0 && !this.closed && !this.paused) {
      void this.invoke(this.waiting.splice(0, this.batchSize));
    }
  }

  private async invoke(batch: Pending[]): Promise<void> {
    this.running += 1;
    this.inFlight += batch.length;
    for (const msg of batch) msg.receiveCount += 1;
    let failed: Pending[];
    try {
      const out = await this.options.handler({ Records: batch.map(toSqsRecord) });
      const ids = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
      failed = batch.filter((m) => ids.has(m.id));
    } catch (err) {
      // A throwing invocation returns its whole batch to the queue, as Lambda's does.
      failed = batch;
      this.options.log.error('local queue handler threw', { error: err instanceof Error ? err.message : String(err), messages: batch.length });
    } finally {
      this.running -= 1;
      this.inFlight -= batch.length;
    }
    for (const msg of failed) this.retryOrDeadLetter(msg);
    this.pump();
    this.notifyIdle();
  }

  private retryOrDeadLetter(msg: Pending): void {
    if (msg.receiveCount >= this.maxReceiveCount) {
      this.deadLetters.push({ id: msg.id, body: msg.body });
      this.options.log.error('message moved to the dead-letter list after repeated failures', { messageId: msg.id, receiveCount: msg.receiveCount });
      this.options.onDeadLetter?.(msg.body);
      return;
    }
    const delay = (this.options.retryDelayMs ?? 200) * 2 ** (msg.receiveCount - 1);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.closed) return;
      this.waiting.push(msg);
      this.schedulePump();
    }, delay);
    this.timers.add(timer);
  }
}

function toSqsRecord(msg: Pending): SQSRecord {
  return {
    messageId: msg.id,
    receiptHandle: msg.id,
    body: msg.body,
    attributes: {
      ApproximateReceiveCount: String(msg.receiveCount),
      SentTimestamp: String(Date.now()),
      SenderId: 'local-stack',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:ap-southeast-1:000000000000:cchc-uploads-local',
    awsRegion: 'ap-southeast-1',
  };
}

import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Log } from '../../shared/application/log.js';

export interface LocalQueueOptions {
  /** The same handler the Lambda runs. */
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  /** Deliveries before a message goes to the dead-letter list (the deployed queue uses 5). */
  maxReceiveCount?: number;
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
 * Stands in for SQS + the Lambda event source mapping on the local stack: messages are delivered
 * one at a time to the same handler, partial batch failures are retried with backoff, and after
 * `maxReceiveCount` deliveries a message lands in the dead-letter list (logged as an error) and is
 * handed to `onDeadLetter`, as SQS hands it to the dead-letter queue and its consumer.
 */
export class LocalQueue {
  readonly deadLetters: { id: string; body: string }[] = [];
  private readonly waiting: Pending[] = [];
  private running = false;
  private inFlight = 0;
  private timers = new Set<NodeJS.Timeout>();
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private paused = false;

  constructor(private readonly options: LocalQueueOptions) {}

  send(body: string): void {
    if (this.closed) return;
    this.waiting.push({ id: randomUUID(), body, receiveCount: 0 });
    void this.pump();
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
    void this.pump();
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

  private isIdle(): boolean {
    if (this.paused) return this.inFlight === 0 && this.timers.size === 0;
    return this.waiting.length === 0 && this.inFlight === 0 && this.timers.size === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters.splice(0);
    for (const w of waiters) w();
  }

  private async pump(): Promise<void> {
    if (this.running || this.paused) return;
    this.running = true;
    try {
      while (this.waiting.length > 0 && !this.closed && !this.paused) {
        const msg = this.waiting.shift()!;
        msg.receiveCount += 1;
        this.inFlight += 1;
        let failed = false;
        try {
          const out = await this.options.handler({ Records: [toSqsRecord(msg)] });
          failed = out.batchItemFailures.some((f) => f.itemIdentifier === msg.id);
        } catch (err) {
          failed = true;
          this.options.log.error('local queue handler threw', { error: err instanceof Error ? err.message : String(err) });
        } finally {
          this.inFlight -= 1;
        }
        if (failed) this.retryOrDeadLetter(msg);
      }
    } finally {
      this.running = false;
      this.notifyIdle();
    }
  }

  private retryOrDeadLetter(msg: Pending): void {
    const max = this.options.maxReceiveCount ?? 5;
    if (msg.receiveCount >= max) {
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
      void this.pump();
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

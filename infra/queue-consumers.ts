/**
 * How the upload queues are consumed, as one fact for the deployed event source mappings
 * (stacks/stateless-stack.ts) and the local stack's queues (local/local-queue.ts): how many messages
 * one invocation gets, how many invocations run at once, and how many deliveries a message gets
 * before it goes to its dead-letter queue.
 */
export interface QueueConsumer {
  /** Messages per invocation, at most (SQS event source `batchSize`). */
  readonly batchSize: number;
  /** Invocations at once, at most (SQS event source `maxConcurrency`). */
  readonly maxConcurrency: number;
  /** Deliveries before the message is dead-lettered (the queue's redrive `maxReceiveCount`). */
  readonly maxReceiveCount: number;
}

/** validate-submission, fed by the upload queue. */
export const UPLOAD_CONSUMER: QueueConsumer = Object.freeze({ batchSize: 5, maxConcurrency: 5, maxReceiveCount: 5 });

/** record-unprocessable, fed by the upload dead-letter queue. */
export const DEAD_LETTER_CONSUMER: QueueConsumer = Object.freeze({ batchSize: 5, maxConcurrency: 2, maxReceiveCount: 5 });

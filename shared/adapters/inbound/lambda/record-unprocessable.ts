import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { PipelineDeps } from '../../../application/deps.js';
import { recordUnprocessable } from '../../../application/process-upload.js';
import { createdObjectsOf } from './validate-submission.js';

/** Why the file is recorded as unprocessable, as the unit reads it in its receipt. */
export const DEAD_LETTER_REASON = 'bộ kiểm tra gặp sự cố ở mọi lần thử đọc tệp';

/**
 * SQS (the upload queue's dead letters: objects whose processing failed every retry, out of memory
 * or time included) → record each object as rejected with FILE_UNPROCESSABLE and send its receipt,
 * without parsing it again. A message that cannot be recorded (the table or S3 is down) is retried
 * and, after its own limit, lands in a last dead-letter queue that is alarmed.
 */
export function makeRecordUnprocessableHandler(deps: PipelineDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return async (event) => {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const message of event.Records) {
      try {
        for (const obj of createdObjectsOf(message.body, 'dead-letter')) await recordUnprocessable(deps, obj, DEAD_LETTER_REASON);
      } catch (err) {
        deps.log.error('could not record a dead-lettered upload; will retry', {
          messageId: message.messageId,
          error: err instanceof Error ? err.stack : String(err),
        });
        failures.push({ itemIdentifier: message.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}

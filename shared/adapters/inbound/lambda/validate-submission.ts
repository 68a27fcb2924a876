import type { S3Event, S3EventRecord, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { decodeEventKey } from '../../../domain/object-keys.js';
import type { PipelineDeps } from '../../../application/deps.js';
import { processUploadedObject, type UploadedObject } from '../../../application/process-upload.js';

/** The S3 records in an SQS message body (none for the test event S3 sends when notifications are set up). */
export function s3RecordsOf(body: string): S3EventRecord[] {
  const parsed = JSON.parse(body) as Partial<S3Event> & { Event?: string };
  if (parsed.Event === 's3:TestEvent') return [];
  return parsed.Records ?? [];
}

/** The objects an SQS message body says were created, keys decoded, with the S3 event time as receipt time. */
export function createdObjectsOf(body: string, source: UploadedObject['source']): UploadedObject[] {
  return s3RecordsOf(body)
    .filter((r) => r.eventName?.startsWith('ObjectCreated:'))
    .map((r) => ({ key: decodeEventKey(r.s3.object.key), versionId: r.s3.object.versionId, receivedAt: r.eventTime, source }));
}

/** After this many failed deliveries the unit is told its file is delayed (the queue allows 5). */
export const DELAY_NOTICE_AFTER = 3;

async function noticeDelay(deps: PipelineDeps, body: string): Promise<void> {
  try {
    // Rare (a message that failed three times): its module loads then.
    const { sendDelayNotice } = await import('../../../application/delay-notice.js');
    for (const r of s3RecordsOf(body)) await sendDelayNotice(deps, decodeEventKey(r.s3.object.key));
  } catch (err) {
    deps.log.error('could not queue the delay notice', { error: err instanceof Error ? err.message : String(err) });
  }
}

/**
 * SQS (S3 ObjectCreated on incoming/) → validate and record each object. Every record of every
 * message is handled; a message whose processing failed is reported back as a batch item failure so
 * only it is retried (and dead-lettered after the queue's limit).
 */
export function makeValidateSubmissionHandler(deps: PipelineDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return async (event) => {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const message of event.Records) {
      try {
        for (const obj of createdObjectsOf(message.body, 'event')) await processUploadedObject(deps, obj);
      } catch (err) {
        const receiveCount = Number(message.attributes?.ApproximateReceiveCount ?? 1);
        deps.log.error('processing failed; message will be retried', {
          messageId: message.messageId,
          receiveCount,
          error: err instanceof Error ? err.stack : String(err),
        });
        failures.push({ itemIdentifier: message.messageId });
        if (receiveCount >= DELAY_NOTICE_AFTER) await noticeDelay(deps, message.body);
      }
    }
    return { batchItemFailures: failures };
  };
}

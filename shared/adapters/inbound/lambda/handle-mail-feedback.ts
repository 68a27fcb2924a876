import type { SNSEvent } from 'aws-lambda';
import type { PipelineDeps } from '../../../application/deps.js';
import { handleMailFeedback, type SesFeedback } from '../../../application/mail-feedback.js';

/** SNS (SES configuration set: bounces and complaints) → mark the address and tell Phòng CCHC. */
export function makeHandleMailFeedbackHandler(deps: PipelineDeps): (event: SNSEvent) => Promise<void> {
  return async (event) => {
    for (const record of event.Records) {
      let feedback: SesFeedback;
      try {
        feedback = JSON.parse(record.Sns.Message) as SesFeedback;
      } catch {
        deps.log.warn('SES feedback message is not JSON; ignored', { messageId: record.Sns.MessageId });
        continue;
      }
      await handleMailFeedback(deps, feedback);
    }
  };
}

/** SNS (SES bounces and complaints) → mark the unit's address and tell Phòng CCHC. */
import { lambdaEntry } from '../../shared/adapters/inbound/lambda/entry.js';
import { makeHandleMailFeedbackHandler } from '../../shared/adapters/inbound/lambda/handle-mail-feedback.js';
import { bootstrap } from '../../shared/runtime/bootstrap.js';

const runtime = bootstrap('handle-mail-feedback');

export const handler = lambdaEntry(runtime, makeHandleMailFeedbackHandler(runtime.deps));

/** SQS (S3 ObjectCreated on incoming/) → read, validate, record, receipt. */
import { lambdaEntry } from '../../shared/adapters/inbound/lambda/entry.js';
import { makeValidateSubmissionHandler } from '../../shared/adapters/inbound/lambda/validate-submission.js';
import { bootstrap } from '../../shared/runtime/bootstrap.js';

const runtime = bootstrap('validate-submission');

export const handler = lambdaEntry(runtime, makeValidateSubmissionHandler(runtime.deps));

/** SQS (upload dead letters) → record each object as unprocessable, with a truthful receipt. */
import { lambdaEntry } from '../../shared/adapters/inbound/lambda/entry.js';
import { makeRecordUnprocessableHandler } from '../../shared/adapters/inbound/lambda/record-unprocessable.js';
import { bootstrap } from '../../shared/runtime/bootstrap.js';

const runtime = bootstrap('record-unprocessable');

export const handler = lambdaEntry(runtime, makeRecordUnprocessableHandler(runtime.deps));

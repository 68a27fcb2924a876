/** SQS (upload dead letters) → record each object as unprocessable, with a truthful receipt. */
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { powertoolsLog } from '../../shared/adapters/outbound/powertools-log.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { makeRecordUnprocessableHandler } from '../../shared/adapters/inbound/lambda/record-unprocessable.js';
import { buildDeps } from '../../shared/runtime/bootstrap.js';

const config = loadConfig(process.env);
const logger = powertoolsLog('record-unprocessable');
const deps = buildDeps(config, logger, { configurationSet: process.env.SES_CONFIGURATION_SET });

export const handler = middy<SQSEvent, SQSBatchResponse>().handler(makeRecordUnprocessableHandler(deps));

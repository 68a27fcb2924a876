/** SQS (S3 ObjectCreated on incoming/) → read, validate, record, receipt. */
import middy from '@middy/core';
import { powertoolsLog } from '../../shared/adapters/outbound/powertools-log.js';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfig } from '../../shared/runtime/config.js';
import { makeValidateSubmissionHandler } from '../../shared/adapters/inbound/lambda/validate-submission.js';
import { buildDeps } from '../../shared/runtime/bootstrap.js';

const config = loadConfig(process.env);
const logger = powertoolsLog('validate-submission');
const deps = buildDeps(config, logger, { configurationSet: process.env.SES_CONFIGURATION_SET });

export const handler = middy<SQSEvent, SQSBatchResponse>().handler(makeValidateSubmissionHandler(deps));

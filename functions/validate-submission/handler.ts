/** SQS (S3 ObjectCreated on incoming/) → read, validate, record, receipt. */
import middy from '@middy/core';
import { powertoolsLog } from '../../shared/adapters/powertools-log.js';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfig } from '../../shared/config/config.js';
import { makeValidateSubmissionHandler } from '../../shared/handlers/validate-submission.js';
import { buildDeps } from '../../shared/runtime.js';

const config = loadConfig(process.env);
const logger = powertoolsLog('validate-submission');
const deps = buildDeps(config, logger, { configurationSet: process.env.SES_CONFIGURATION_SET });

export const handler = middy<SQSEvent, SQSBatchResponse>().handler(makeValidateSubmissionHandler(deps));

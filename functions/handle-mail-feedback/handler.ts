/** SNS (SES bounces and complaints) → mark the unit's address and tell Phòng CCHC. */
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { powertoolsLog } from '../../shared/adapters/outbound/powertools-log.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { makeHandleMailFeedbackHandler } from '../../shared/adapters/inbound/lambda/handle-mail-feedback.js';
import { buildDeps } from '../../shared/runtime/bootstrap.js';

const config = loadConfig(process.env);
const logger = powertoolsLog('handle-mail-feedback');
const deps = buildDeps(config, logger, { configurationSet: process.env.SES_CONFIGURATION_SET });

export const handler = middy<SNSEvent>().handler(makeHandleMailFeedbackHandler(deps));

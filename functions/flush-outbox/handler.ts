/** Schedule (every 5 minutes) → resend e-mails still pending in the outbox. */
import middy from '@middy/core';
import { powertoolsLog } from '../../shared/adapters/outbound/powertools-log.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { makeFlushOutboxHandler } from '../../shared/adapters/inbound/lambda/flush-outbox.js';
import { buildDeps } from '../../shared/runtime/bootstrap.js';

const config = loadConfig(process.env);
const logger = powertoolsLog('flush-outbox');
const deps = buildDeps(config, logger, { configurationSet: process.env.SES_CONFIGURATION_SET });

export const handler = middy().handler(makeFlushOutboxHandler(deps));

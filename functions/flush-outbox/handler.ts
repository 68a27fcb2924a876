/** Schedule (every 5 minutes) → resend e-mails still pending in the outbox. */
import middy from '@middy/core';
import { powertoolsLog } from '../../shared/adapters/powertools-log.js';
import { loadConfig } from '../../shared/config/config.js';
import { makeFlushOutboxHandler } from '../../shared/handlers/flush-outbox.js';
import { buildDeps } from '../../shared/runtime.js';

const config = loadConfig(process.env);
const logger = powertoolsLog('flush-outbox');
const deps = buildDeps(config, logger, { configurationSet: process.env.SES_CONFIGURATION_SET });

export const handler = middy().handler(makeFlushOutboxHandler(deps));

/** Schedule (D-3, D-1 at 08:00) → remind units that have no valid submission yet. */
import middy from '@middy/core';
import { powertoolsLog } from '../../shared/adapters/outbound/powertools-log.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { makeSendRemindersHandler, type SendRemindersEvent } from '../../shared/adapters/inbound/lambda/send-reminders.js';
import { buildDeps } from '../../shared/runtime/bootstrap.js';

const config = loadConfig(process.env);
const logger = powertoolsLog('send-reminders');
const deps = buildDeps(config, logger, { configurationSet: process.env.SES_CONFIGURATION_SET });

export const handler = middy<SendRemindersEvent>().handler(makeSendRemindersHandler(deps));

/** Schedule (after each deadline) → reconcile, roll up, store the consolidated report, mail it, close. */
import middy from '@middy/core';
import { powertoolsLog } from '../../shared/adapters/outbound/powertools-log.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { makeClosePeriodHandler, type ClosePeriodEvent } from '../../shared/adapters/inbound/lambda/close-period.js';
import { buildDeps } from '../../shared/runtime/bootstrap.js';

const config = loadConfig(process.env);
const logger = powertoolsLog('close-period');
const deps = buildDeps(config, logger, { configurationSet: process.env.SES_CONFIGURATION_SET });

export const handler = middy<ClosePeriodEvent>().handler(makeClosePeriodHandler(deps));

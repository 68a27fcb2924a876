/** HTTP API → the portal pages, the unit API (upload links, submissions, periods, templates) and the board's API. */
import middy from '@middy/core';
import { powertoolsLog } from '../../shared/adapters/outbound/powertools-log.js';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { loadConfig } from '../../shared/runtime/config.js';
import { makeAdminRoutes } from '../../shared/adapters/inbound/http/admin-api.js';
import { makeUnitApi, uploadOrigin } from '../../shared/adapters/inbound/http/unit-api.js';
import { makePortal } from '../../shared/web/portal.js';
import { buildDeps } from '../../shared/runtime/bootstrap.js';

const config = loadConfig(process.env);
const logger = powertoolsLog('unit-api');
const deps = buildDeps(config, logger, { configurationSet: process.env.SES_CONFIGURATION_SET });

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(
  makeUnitApi(deps, { admin: makeAdminRoutes(deps), portal: makePortal({ uploadOrigin: uploadOrigin(config) }) }),
);

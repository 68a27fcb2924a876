/** HTTP API → the portal pages, the unit API (upload links, submissions, periods, templates) and the board's API. */
import { makeHttpApp } from '../../shared/adapters/inbound/http/app.js';
import { lambdaEntry } from '../../shared/adapters/inbound/lambda/entry.js';
import { bootstrap } from '../../shared/runtime/bootstrap.js';

const runtime = bootstrap('unit-api');

export const handler = lambdaEntry(runtime, makeHttpApp(runtime.deps));

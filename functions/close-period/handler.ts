/** Schedule (after each deadline) → reconcile, roll up, store the consolidated report, mail it, close. */
import { lambdaEntry } from '../../shared/adapters/inbound/lambda/entry.js';
import { makeClosePeriodHandler } from '../../shared/adapters/inbound/lambda/close-period.js';
import { bootstrap } from '../../shared/runtime/bootstrap.js';

const runtime = bootstrap('close-period');

export const handler = lambdaEntry(runtime, makeClosePeriodHandler(runtime.deps));

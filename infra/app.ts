import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseContext } from './context.js';
import { CchcStatefulStack } from './stacks/stateful-stack.js';
import { CchcStatelessStack } from './stacks/stateless-stack.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface CchcApp {
  readonly app: App;
  readonly stateful: CchcStatefulStack;
  readonly stateless: CchcStatelessStack;
}

/** The context block of cdk.json: defaults and feature flags, the same ones the CLI passes. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/**
 * Builds the CDK app. Context comes from cdk.json (and, under the CLI, `-c` values); `overrides`
 * win over both, for tests. Stacks are environment-agnostic: the account and region are the
 * deploying profile's (the product runs in ap-southeast-1), and synthesis needs no AWS access.
 * `options.scheduleFrom`: the instant after which one-time schedules are made (default: now).
 */
export function buildApp(overrides: Record<string, unknown> = {}, outdir?: string, options: { scheduleFrom?: Date } = {}): CchcApp {
  const app = new App({ context: cdkJsonContext(), postCliContext: overrides, ...(outdir ? { outdir } : {}) });
  const context = parseContext((key) => app.node.tryGetContext(key));

  // cdk-nag 3 runs as a policy-validation plugin: unacknowledged errors fail synthesis, warnings are
  // listed in the validation report. Acknowledgements are also written to template metadata.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
  Tags.of(app).add('Project', 'cchc');

  const stateful = new CchcStatefulStack(app, 'CchcStatefulStack', {
    stackName: 'cchc-stateful',
    description: 'CCHC report pipeline: data and durable endpoints (bucket, table, signing key, HTTP API)',
    context,
    terminationProtection: true,
  });
  const stateless = new CchcStatelessStack(app, 'CchcStatelessStack', {
    stackName: 'cchc-stateless',
    description: 'CCHC report pipeline: functions, routes, queues, schedules, alarms',
    context,
    stateful,
    // Only schedules still ahead are made; the default is the time of synthesis (tests pin it).
    scheduleFrom: options.scheduleFrom ?? new Date(),
  });
  return { app, stateful, stateless };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildApp().app.synth();
}

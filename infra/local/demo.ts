/**
 * `npm run demo [-- --period 2021-Q1]`: a scripted reporting period on the local stack. Every unit
 * acts through the same API and presigned POST a browser uses: most send a valid report on time,
 * some fix errors and resubmit, some are late, a few never send. Reminders go out at D-3 and D-1,
 * the period closes at its deadline on the virtual clock, late reports make an addendum.
 * The script itself is demo-driver.ts (tests run it in-process).
 */
import { Command } from 'commander';
import { quietSdkNodeWarning } from '../../shared/adapters/inbound/cli/quiet-warnings.js';
import { runDemo } from './demo-driver.js';

quietSdkNodeWarning();

const program = new Command('npm run demo --')
  .description('Play one reporting period on the local stack, from the first uploads to the consolidated report.')
  .option('--period <id>', 'period to play', '2021-Q1')
  .option('--data-dir <dir>', 'where the demo keeps its data and mail', '.local/demo')
  .parse();
const opts = program.opts<{ period: string; dataDir: string }>();

const run = await runDemo({ periodId: opts.period, dataDir: opts.dataDir, write: (s) => process.stdout.write(s) });
await run.stack.close();

/**
 * `npm run demo [-- --period 2021-Q1 | --comparisons]`: a scripted reporting period on the local stack. Every unit
 * acts through the same API and presigned POST a browser uses: most send a valid report on time,
 * some fix errors and resubmit, some are late, a few never send. Reminders go out at D-3 and D-1,
 * the period closes at its deadline on the virtual clock, late reports make an addendum.
 * The script itself is demo-driver.ts (tests run it in-process).
 */
import { Command } from 'commander';
import { quietSdkNodeWarning } from '../../shared/adapters/inbound/cli/quiet-warnings.js';
import { runDemo } from './demo-driver.js';

quietSdkNodeWarning();

/** The cheapest series that gives 2022-H1 both comparisons: its previous period (2022-Q1) and the same period a year earlier (2021-H1). */
const COMPARISON_SERIES = ['2021-H1', '2022-Q1', '2022-H1'] as const;

const program = new Command('npm run demo --')
  .description('Play one reporting period on the local stack, from the first uploads to the consolidated report.')
  .option('--period <id>', 'period to play', '2021-Q1')
  .option('--data-dir <dir>', 'where the demo keeps its data and mail', '.local/demo')
  .option(
    '--comparisons',
    `play ${COMPARISON_SERIES.join(', ')} in turn, so that the last close's Word draft compares with the previous period and the same period a year earlier`,
  )
  .parse();
const opts = program.opts<{ period: string; dataDir: string; comparisons?: boolean }>();

const run = await runDemo({
  periodId: opts.period,
  series: opts.comparisons ? [...COMPARISON_SERIES] : undefined,
  dataDir: opts.dataDir,
  write: (s) => process.stdout.write(s),
});
await run.stack.close();

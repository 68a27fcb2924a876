/** `npm start`: the whole pipeline on this machine, on the embedded emulators (no AWS account). */
import { Command, Option } from 'commander';
import { buildCalendar, calendarYears, clampToCalendar, ZONE } from '../../shared/domain/calendar.js';
import { DateTime } from 'luxon';
import { Logger } from '@aws-lambda-powertools/logger';
import { filteredLog, powertoolsLog } from '../../shared/adapters/outbound/log.js';
import { quietSdkNodeWarning } from '../../shared/adapters/inbound/cli/quiet-warnings.js';
import { startLocalStack } from './stack.js';

quietSdkNodeWarning();

const program = new Command('npm start --')
  .description('Run the CCHC pipeline locally: DynamoDB, S3 and SES emulators, the API and the validator, on 127.0.0.1.')
  .option('--now <iso>', 'start the virtual clock at this instant, e.g. 2021-03-14T08:00:00+07:00')
  .addOption(new Option('--speed <factor>', 'virtual clock speed (60 = one minute per second)').default('1'))
  .option('--fresh', 'wipe stored data and mail before starting')
  .addOption(new Option('--port <port>', 'port of the API and portal').env('PORT').default('3000'))
  .addOption(new Option('--s3-port <port>', 'port of the local S3 upload endpoint').env('S3_PORT').default('4569'))
  .addOption(
    new Option('--data-dir <dir>', 'where data and mail are kept (the CLI takes the same --data-dir or CCHC_DATA_DIR)').env('CCHC_DATA_DIR').default('.local'),
  )
  .option('--verbose', 'print one log line per event');
program.parse();
const opts = program.opts<{ now?: string; speed: string; fresh?: boolean; port: string; s3Port: string; dataDir: string; verbose?: boolean }>();

const now = opts.now ? new Date(opts.now) : new Date();
if (Number.isNaN(now.getTime())) {
  console.error(`--now: not a valid ISO instant: ${opts.now}`);
  process.exit(2);
}
const speed = Number(opts.speed);
if (!(speed > 0)) {
  console.error(`--speed: must be a positive number, got ${opts.speed}`);
  process.exit(2);
}

// The functions' own log format (Powertools JSON lines); quiet unless --verbose: warnings, errors and
// the lines that show the pipeline working.
const log = filteredLog(
  powertoolsLog(new Logger({ serviceName: 'local-stack' })),
  (level, message) => Boolean(opts.verbose) || level !== 'info' || /upload processed|mail sent|upload link issued/.test(message),
);

const stack = await startLocalStack({
  dataDir: opts.dataDir,
  fresh: opts.fresh,
  port: Number(opts.port),
  s3Port: Number(opts.s3Port),
  now,
  speed,
  log,
  // Test switch of the kill-and-restart test (holds each upload before it is validated); unset normally.
  holdValidationMs: Number(process.env.CCHC_LOCAL_HOLD_VALIDATION_MS ?? 0) || 0,
});

const local = DateTime.fromJSDate(stack.clock.now()).setZone(ZONE);
const year = local.year;
const years = calendarYears([2021, year]);
// A period that still takes on-time uploads on this clock, for the examples below.
const open = buildCalendar(clampToCalendar(year)).periods.find((p) => p.kind === 'periodic' && Date.parse(p.closesAt) > stack.clock.now().getTime());
const example = open?.id ?? `${year}-YEAR`;
const lines = [
  '',
  'CCHC report pipeline: local stack is running (no AWS account needed)',
  '',
  `  API and portal     ${stack.apiUrl}`,
  `  S3 uploads         ${stack.s3PublicUrl}  (presigned POST policies enforced as on AWS)`,
  `  Mail (.eml files)  ${stack.mailDir}`,
  `  SES web inbox      ${stack.endpoints.ses}/`,
  `  Data               ${stack.dataDir}/data  (kept across restarts; --fresh wipes it)`,
  `  Trust (signed PDF) ${stack.trust.dir}  (${stack.trust.demoCa ? `trusts the local demo CA of ${stack.dataDir}/demo-ca: sample reports only` : 'the folder given; the demo CA is not in it'})`,
  `  Clock              ${local.toFormat('yyyy-MM-dd HH:mm:ss')} Asia/Ho_Chi_Minh, speed ${speed}x`,
  '',
  'Next steps, in another terminal:',
  '  npm run cchc -- token issue --unit STP                        # a unit token and its personal link',
  `  npm run cchc -- template --unit STP --period ${example} --out stp.xlsx --sample --signed-report stp.pdf`,
  `  npm run cchc -- upload stp.xlsx --token <token> --period ${example}   # or open the link, or curl (README)`,
  `  npm run cchc -- upload stp.pdf --token <token> --period ${example}    # the signed report (demo CA)`,
  `  npm run cchc -- submissions --period ${example}`,
  '  npm run cchc -- token issue --unit SNV --admin --name "Họ Tên" --email ten@snv.gov.vn   # one person\'s board link',
  '',
  `Scheduled on this clock (reminders D-3/D-1 08:00, close 00:05 after each deadline): ${years.join(', ')}`,
  'Press Ctrl+C to stop.',
  '',
];
process.stdout.write(lines.join('\n'));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping the local stack...\n');
    stack.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

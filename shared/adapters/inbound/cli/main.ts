#!/usr/bin/env node
/** `npm run cchc -- <command>`: the operators' and scripts' command line. Output for people is Vietnamese. */
import { Command, CommanderError } from 'commander';
import { DomainError } from '../../../domain/errors.js';
import { vietnameseCommander } from './commander-vi.js';
import { setDataDir } from './connect.js';
import { registerDomainCommands } from './domain-commands.js';
import { registerPipelineCommands } from './pipeline-commands.js';
import { UsageError } from './usage-error.js';
import { quietSdkNodeWarning } from './quiet-warnings.js';

export function buildProgram(): Command {
  const program = new Command('cchc')
    .description('Công cụ dòng lệnh của hệ thống tiếp nhận kế hoạch, báo cáo CCHC (Công văn 1588/SNV-CCHC)')
    .option('--data-dir <thư mục>', 'thư mục của hệ thống chạy cục bộ, như "npm start -- --data-dir" (mặc định .local hoặc biến CCHC_DATA_DIR)')
    .showHelpAfterError('(dùng --help để xem hướng dẫn)')
    .exitOverride();
  vietnameseCommander(program);
  program.hook('preAction', (cmd) => setDataDir(cmd.optsWithGlobals<{ dataDir?: string }>().dataDir));
  registerDomainCommands(program);
  registerPipelineCommands(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code (0 ok/valid, 1 invalid, 2 unusable arguments). */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return 0;
      return 2;
    }
    if (err instanceof UsageError || err instanceof DomainError) {
      process.stderr.write(`Lỗi: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
/** Output piped into a reader that stops early (`| head`): stop quietly, as other command-line tools do. */
export function quietOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode === undefined ? 0 : Number(process.exitCode));
    throw err;
  });
}

if (isMain) {
  quietSdkNodeWarning();
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`Lỗi không mong đợi: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 3;
    },
  );
}

import { FileEventSink, localEventsFile } from '../../outbound/event-sinks.js';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { emlKeepingMailer } from '../../outbound/eml-keeping-mailer.js';
import { CLI_SETTINGS, ConfigError, loadConfig } from '../../../runtime/config.js';
import { clockFromSnapshot, localEnvironment, type LocalConnection } from '../../../runtime/local-connection.js';
import { resolveTemplateKey, resolveTokenKey } from '../../../runtime/local-keys.js';
import { silentLog } from '../../../application/log.js';
import { systemClock, type Clock } from '../../../application/ports.js';
import { buildDeps } from '../../../runtime/bootstrap.js';
import type { PipelineDeps } from '../../../application/deps.js';
import { UsageError } from './usage-error.js';

export interface Connection {
  deps: PipelineDeps;
  /** Base URL of the portal and API. */
  apiUrl: string;
  where: 'local' | 'aws';
}

/** The local stack's folder: `--data-dir` of the CLI, else CCHC_DATA_DIR, else `.local` (as `npm start`). */
let dataDirOption: string | undefined;
export function setDataDir(dir: string | undefined): void {
  dataDirOption = dir;
}
export function localDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(dataDirOption ?? env.CCHC_DATA_DIR ?? '.local');
}

function readLocal(dataDir: string): LocalConnection | null {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')) as LocalConnection;
  } catch {
    return null;
  }
}

function localClock(local: LocalConnection): Clock {
  return local.clock ? clockFromSnapshot(local.clock) : systemClock;
}

/**
 * The CLI's "now": on AWS the real clock; with a running local stack its virtual clock (read from
 * the anchor it keeps in stack.json); with neither, the real clock.
 */
export function cliClock(env: NodeJS.ProcessEnv = process.env, dataDir = localDataDir(env)): Clock {
  if (env.TABLE_NAME) return systemClock;
  const local = readLocal(dataDir);
  return local ? localClock(local) : systemClock;
}

/** The template signing key the local stack in the data folder uses (or TEMPLATE_SIGNING_KEY). */
export function cliTemplateKey(env: NodeJS.ProcessEnv = process.env, dataDir = localDataDir(env)): string {
  return resolveTemplateKey(env, join(dataDir, 'template-signing-key'));
}

/**
 * The deployed configuration from the operator's environment: the same settings and checks as the
 * functions' (SES_CONFIGURATION_SET included, so the CLI's mail is tracked like theirs).
 */
function awsConfig(env: NodeJS.ProcessEnv) {
  try {
    return loadConfig(env, CLI_SETTINGS, 'cchc');
  } catch (err) {
    if (err instanceof ConfigError && err.variable) {
      throw new UsageError(
        `Cấu hình bản triển khai AWS chưa đủ: biến môi trường ${err.variable} bị thiếu hoặc không hợp lệ (xem README, mục "CLI against AWS").`,
      );
    }
    throw err;
  }
}

/**
 * Reaches the pipeline the way the operator means: with TABLE_NAME (and the rest of the deployed
 * configuration, see README) in the environment, the deployed AWS stack; otherwise the running local
 * stack described by `<data dir>/stack.json`, on its clock, keeping the mail it sends as .eml files
 * in the stack's mail folder.
 */
export function connect(env: NodeJS.ProcessEnv = process.env, dataDir = localDataDir(env)): Connection {
  if (env.TABLE_NAME) {
    const config = awsConfig(env);
    return { deps: buildDeps(config, CLI_SETTINGS, 'cchc', { log: silentLog }), apiUrl: config.portalUrl, where: 'aws' };
  }
  const local = readLocal(dataDir);
  if (!local) {
    throw new UsageError(
      `Không tìm thấy hệ thống chạy cục bộ (${join(dataDir, 'stack.json')}). Hãy chạy "npm start" ở một cửa sổ khác trước ` +
        '(nếu đã chạy với --data-dir, dùng cùng --data-dir cho lệnh này), ' +
        'hoặc đặt các biến môi trường của bản triển khai AWS (TABLE_NAME, UPLOAD_BUCKET_NAME, …) theo README.',
    );
  }
  const keys = {
    templateKey: resolveTemplateKey(env, join(dataDir, 'template-signing-key')),
    tokenKey: resolveTokenKey(env, join(dataDir, 'token-key')),
    trustDir: join(dataDir, 'trust'),
  };
  const config = loadConfig(localEnvironment(local, keys), CLI_SETTINGS, 'cchc');
  const deps = buildDeps(config, CLI_SETTINGS, 'cchc', {
    log: silentLog,
    clock: localClock(local),
    wrapMailer: (ses) => emlKeepingMailer(ses, local.mailDir),
    events: new FileEventSink(localEventsFile(dataDir)),
  });
  return { deps, apiUrl: local.apiUrl, where: 'local' };
}

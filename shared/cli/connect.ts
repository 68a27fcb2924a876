import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/config.js';
import { localAppConfig, type LocalConnection } from '../config/local-connection.js';
import { resolveTemplateKey, resolveTokenKey } from '../config/template-key.js';
import { silentLog } from '../logger.js';
import { buildDeps } from '../runtime.js';
import type { PipelineDeps } from '../use-cases/deps.js';
import { UsageError } from './usage-error.js';

export interface Connection {
  deps: PipelineDeps;
  /** Base URL of the portal and API. */
  apiUrl: string;
  where: 'local' | 'aws';
}

/**
 * Reaches the pipeline the way the operator means: with TABLE_NAME (and the rest of the deployed
 * configuration, see README) in the environment, the deployed AWS stack; otherwise the running local
 * stack described by `.local/stack.json`.
 */
export function connect(env: NodeJS.ProcessEnv = process.env, dataDir = resolve('.local')): Connection {
  if (env.TABLE_NAME) {
    const config = loadConfig(env);
    return { deps: buildDeps(config, silentLog), apiUrl: config.portalUrl, where: 'aws' };
  }
  let local: LocalConnection;
  try {
    local = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')) as LocalConnection;
  } catch {
    throw new UsageError(
      'Không tìm thấy hệ thống chạy cục bộ (.local/stack.json). Hãy chạy "npm start" ở một cửa sổ khác trước, ' +
        'hoặc đặt các biến môi trường của bản triển khai AWS (TABLE_NAME, UPLOAD_BUCKET_NAME, …) theo README.',
    );
  }
  const config = localAppConfig(local, resolveTemplateKey(env, join(dataDir, 'template-signing-key')), resolveTokenKey(env, join(dataDir, 'token-key')));
  return { deps: buildDeps(config, silentLog), apiUrl: local.apiUrl, where: 'local' };
}

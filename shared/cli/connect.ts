import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type AppConfig } from '../config/config.js';
import { resolveTemplateKey } from '../config/template-key.js';
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

interface LocalStackFile {
  apiUrl: string;
  s3PublicUrl: string;
  endpoints: { dynamodb: string; s3: string; ses: string };
  tableName: string;
  bucket: string;
  region: string;
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
  let local: LocalStackFile;
  try {
    local = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')) as LocalStackFile;
  } catch {
    throw new UsageError(
      'Không tìm thấy hệ thống chạy cục bộ (.local/stack.json). Hãy chạy "npm start" ở một cửa sổ khác trước, ' +
        'hoặc đặt các biến môi trường của bản triển khai AWS (TABLE_NAME, UPLOAD_BUCKET_NAME, …) theo README.',
    );
  }
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const config: AppConfig = {
    tableName: local.tableName,
    uploadBucketName: local.bucket,
    senderAddress: 'cchc-noreply@thuathienhue.example',
    aggregatorRecipients: ['phongcchc.snv@thuathienhue.example'],
    maxUploadBytes: 10 * 1024 * 1024,
    uploadUrlTtlSeconds: 900,
    portalUrl: local.apiUrl,
    portalOrigin: local.apiUrl,
    templateKey: { value: resolveTemplateKey(env, join(dataDir, 'template-signing-key')) },
    tokenTtlDays: 400,
    region: local.region,
    endpoints: { s3: local.endpoints.s3, s3Public: local.s3PublicUrl, dynamodb: local.endpoints.dynamodb, ses: local.endpoints.ses },
    credentials,
  };
  return { deps: buildDeps(Object.freeze(config), silentLog), apiUrl: local.apiUrl, where: 'local' };
}

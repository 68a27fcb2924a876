import { makeClients, type AwsClients } from './adapters/clients.js';
import { DynamoSubmissionStore } from './adapters/dynamo-submission-store.js';
import { S3UploadStore } from './adapters/s3-upload-store.js';
import { SesMailer } from './adapters/ses-mailer.js';
import { secretKeyProvider, templateKeyProvider } from './adapters/template-key.js';
import type { AppConfig } from './config/config.js';
import { defaultUnits } from './domain/units.js';
import type { Log } from './logger.js';
import { systemClock, type Clock, type Mailer } from './ports.js';
import type { PipelineDeps } from './use-cases/deps.js';

/**
 * Builds the pipeline's dependencies from configuration: the same adapters for AWS and for the local
 * emulators (only endpoints and credentials differ). `overrides` lets the local stack add its clock
 * and its .eml-keeping mailer.
 */
export function buildDeps(
  config: Readonly<AppConfig>,
  log: Log,
  overrides: { clock?: Clock; mailer?: (ses: Mailer) => Mailer; clients?: AwsClients; configurationSet?: string } = {},
): PipelineDeps & { clients: AwsClients } {
  const clients = overrides.clients ?? makeClients(config);
  const ses = new SesMailer(clients.ses, { configurationSet: overrides.configurationSet });
  return {
    config,
    clients,
    store: new DynamoSubmissionStore(clients.dynamo, config.tableName),
    uploads: new S3UploadStore(clients.s3, config.uploadBucketName, clients.s3Presign),
    mailer: overrides.mailer ? overrides.mailer(ses) : ses,
    clock: overrides.clock ?? systemClock,
    templateKey: templateKeyProvider(config.templateKey, config.region),
    ...(config.tokenKey ? { tokenKey: secretKeyProvider(config.tokenKey, config.region, 'token key') } : {}),
    units: defaultUnits,
    log,
  };
}

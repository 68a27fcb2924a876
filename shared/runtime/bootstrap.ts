import { makeClients, type AwsClients } from '../adapters/outbound/clients.js';
import { DynamoSubmissionStore } from '../adapters/outbound/dynamo-submission-store.js';
import { S3UploadStore } from '../adapters/outbound/s3-upload-store.js';
import { SesMailer } from '../adapters/outbound/ses-mailer.js';
import { secretKeyProvider, templateKeyProvider } from '../adapters/outbound/template-key.js';
import type { AppConfig } from './config.js';
import { defaultUnits } from '../domain/units.js';
import type { Log } from '../application/log.js';
import { systemClock, type Clock, type Mailer } from '../application/ports.js';
import type { PipelineDeps } from '../application/deps.js';

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

import { Logger } from '@aws-lambda-powertools/logger';
import { makeClients, type AwsClients } from '../adapters/outbound/clients.js';
import { dynamoStores } from '../adapters/outbound/dynamo/stores.js';
import { powertoolsLog } from '../adapters/outbound/log.js';
import { S3UploadStore } from '../adapters/outbound/s3-upload-store.js';
import { SesMailer } from '../adapters/outbound/ses-mailer.js';
import { secretKeyProvider } from '../adapters/outbound/secret-key.js';
import type { PipelineDeps } from '../application/deps.js';
import type { Log } from '../application/log.js';
import { systemClock, type Clock, type EventSink, type Mailer, type UploadStore } from '../application/ports.js';
import { EventBridgeSink } from '../adapters/outbound/event-sinks.js';
import { defaultUnits } from '../domain/units.js';
import { trustProvider } from './trust.js';
import { ConfigError, FUNCTION_SETTINGS, loadConfig, restrictConfig, type AppConfig, type FunctionName, type Setting } from './config.js';

/**
 * The composition root: every Lambda entry, the local stack and the CLI build their dependencies
 * here, from configuration parsed once, with the same adapters (only endpoints and credentials
 * differ between AWS and the emulators).
 */

export interface BuildOptions {
  log?: Log;
  /** The local stack's virtual clock; default the system clock. */
  clock?: Clock;
  /** Wraps the SES mailer (the local stack keeps an .eml copy of every mail; tests inject failures). */
  wrapMailer?: (ses: Mailer) => Mailer;
  /** Wraps the object store (the local stack reports object times on its virtual clock). */
  wrapUploads?: (s3: UploadStore) => UploadStore;
  /** Clients to share (the local stack builds them once). */
  clients?: AwsClients;
  /** Where events go instead of the bus (the local stack's file). */
  events?: EventSink;
}

/** An adapter a process was not configured with: any use throws, naming what is missing. */
function notConfigured<T extends object>(what: string, owner: string): T {
  return new Proxy({} as T, {
    get(_t, prop) {
      if (prop === 'then') return undefined;
      return () => {
        throw new ConfigError(`${owner} is not configured with ${what}`);
      };
    },
  });
}

function refusingKey(what: string, owner: string): () => Promise<string> {
  return async () => {
    throw new ConfigError(`${owner} has no ${what}`);
  };
}

/**
 * Builds the pipeline's dependencies from a configuration holding `settings`: an adapter whose
 * setting is absent refuses every use (a function never gets a bucket, a mailer or a key it does
 * not use, and cannot use one by mistake).
 */
export function buildDeps(config: Readonly<AppConfig>, settings: readonly Setting[], owner: string, options: BuildOptions = {}): PipelineDeps {
  const has = (s: Setting) => settings.includes(s);
  const clients = options.clients ?? makeClients(config);
  const ses = has('mailSend')
    ? new SesMailer(clients.ses, { configurationSet: config.configurationSet })
    : notConfigured<Mailer>('a mailer (setting "mailSend")', owner);
  const s3 = has('uploads')
    ? new S3UploadStore(clients.s3, config.uploadBucketName, clients.s3Presign)
    : notConfigured<UploadStore>('the bucket (setting "uploads")', owner);
  return {
    config,
    stores: dynamoStores(clients.dynamo, config.tableName),
    uploads: has('uploads') && options.wrapUploads ? options.wrapUploads(s3) : s3,
    mailer: has('mailSend') && options.wrapMailer ? options.wrapMailer(ses) : ses,
    clock: options.clock ?? systemClock,
    templateKey: has('templateKey') ? secretKeyProvider(config.templateKey, config.region, 'template signing key') : refusingKey('template signing key', owner),
    ...(has('tokenKey') ? { tokenKey: secretKeyProvider(config.tokenKey, config.region, 'token key') } : {}),
    ...(has('trust') ? { trust: trustProvider(config.trustDir) } : {}),
    ...eventsOf(config, has('events'), clients, options.events),
    units: defaultUnits,
    log: options.log ?? powertoolsLog(new Logger({ serviceName: owner })),
  };
}

/** The event sink of a function that publishes: the given one (local), else the configured bus; none otherwise. */
function eventsOf(config: Readonly<AppConfig>, publishes: boolean, clients: AwsClients, given?: EventSink): { events?: EventSink } {
  if (!publishes) return {};
  if (given) return { events: given };
  return config.eventBusName ? { events: new EventBridgeSink(clients.eventBridge, config.eventBusName) } : {};
}

/**
 * One function's view of dependencies built for more (the local stack runs every function in one
 * process on one set of adapters): its configuration restricted to its settings, no token key
 * unless it has one, and no bucket or mailer it was not given. The view reads through, so an
 * adapter swapped on the whole (a test's fault injection) is seen by every function.
 */
export function forFunction(deps: PipelineDeps, name: FunctionName): PipelineDeps {
  const settings = FUNCTION_SETTINGS[name];
  const has = (s: Setting) => settings.includes(s);
  const config = restrictConfig(deps.config as Readonly<AppConfig>, settings, name);
  const noMailer = notConfigured<Mailer>('a mailer (setting "mailSend")', name);
  const noUploads = notConfigured<UploadStore>('the bucket (setting "uploads")', name);
  const noKey = refusingKey('template signing key', name);
  // Every line a function logs names it, as its own log group does on AWS.
  const log: Log = {
    info: (m, f = {}) => deps.log.info(m, { function: name, ...f }),
    warn: (m, f = {}) => deps.log.warn(m, { function: name, ...f }),
    error: (m, f = {}) => deps.log.error(m, { function: name, ...f }),
  };
  return new Proxy(deps, {
    get(target, prop, receiver) {
      if (prop === 'config') return config;
      if (prop === 'log') return log;
      if (prop === 'tokenKey') return has('tokenKey') ? target.tokenKey : undefined;
      if (prop === 'trust') return has('trust') ? target.trust : undefined;
      if (prop === 'events') return has('events') ? target.events : undefined;
      if (prop === 'templateKey') return has('templateKey') ? target.templateKey : noKey;
      if (prop === 'mailer') return has('mailSend') ? target.mailer : noMailer;
      if (prop === 'uploads') return has('uploads') ? target.uploads : noUploads;
      return Reflect.get(target, prop, receiver);
    },
  });
}

/** What a Lambda entry gets: its dependencies and its logger (for `injectLambdaContext`). */
export interface FunctionRuntime {
  deps: PipelineDeps;
  logger: Logger;
}

/**
 * A Lambda function's composition: its settings parsed from its environment (a missing one stops the
 * cold start with its name), its adapters, and one Powertools logger under the function's name.
 */
export function bootstrap(name: FunctionName, env: Record<string, string | undefined> = process.env): FunctionRuntime {
  const settings = FUNCTION_SETTINGS[name];
  const config = loadConfig(env, settings, name);
  const logger = new Logger({ serviceName: name });
  const deps = buildDeps(config, settings, name, { log: powertoolsLog(logger) });
  return { deps, logger };
}

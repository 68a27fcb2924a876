import type { KeySource } from '../adapters/outbound/secret-key.js';
import type { PipelineSettings } from '../application/deps.js';

/**
 * Runtime configuration: which settings each function needs, the environment variables that carry
 * them, and one parser. A function's configuration holds only its own settings; reading one it was
 * not given throws (ConfigError) instead of answering `undefined`. The CDK stack sets exactly these
 * variables on each function (infra/constructs/cchc-function.ts checks it at synth), the local stack
 * and the CLI build the same variables for their emulators, and `bootstrap()` parses them once.
 */

export interface AppConfig extends PipelineSettings {
  /** DynamoDB table. */
  tableName: string;
  /** Bucket for uploads (`incoming/`) and reports (`reports/`). */
  uploadBucketName: string;
  /** Verified SES identity that sends receipts and reports (the From of every mail). */
  senderAddress: string;
  /** SES configuration set every send goes through (bounces and complaints are tracked there); absent on the local emulator. */
  configurationSet?: string;
  /** Who receives consolidated reports and operational notices (Phòng CCHC, Sở Nội vụ). */
  aggregatorRecipients: string[];
  /** Largest accepted upload, bytes. */
  maxUploadBytes: number;
  /** Lifetime of a presigned POST, seconds (≤ 900). */
  uploadUrlTtlSeconds: number;
  /** Base URL of the portal, for personal links in e-mails (no trailing slash). */
  portalUrl: string;
  /** Template signing key, or where to fetch it. */
  templateKey: KeySource;
  /** Token key (every personal token is derived from it and a token id); a separate secret from the template key. */
  tokenKey: KeySource;
  /** Lifetime of a unit's personal token, days. */
  tokenTtlDays: number;
  /** Where the portal's pages and assets are (the Lambda bundle's copy); default: the sources. */
  portalAssetsDir?: string;
  /** The trust folder for signed reports (runtime/trust.ts); absent: nothing is trusted. */
  trustDir?: string;
  /** The EventBridge bus events for other systems go to; absent locally (the local stack writes a file). */
  eventBusName?: string;
  /** AWS region. */
  region: string;
  /** Endpoints of the local emulators; absent on AWS. */
  endpoints?: { s3?: string; s3Public?: string; dynamodb?: string; ses?: string };
  /** Credentials for the local emulators; absent on AWS (the Lambda role is used). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** What a function can be given, each with the variables that carry it. */
export const SETTINGS = {
  table: ['TABLE_NAME'],
  uploads: ['UPLOAD_BUCKET_NAME'],
  /** The sender address only: composes mail that another function sends. */
  mailFrom: ['SENDER_ADDRESS'],
  /** Sends mail: the sender and the configuration set (with the SES grant). */
  mailSend: ['SENDER_ADDRESS', 'SES_CONFIGURATION_SET'],
  aggregator: ['AGGREGATOR_RECIPIENTS'],
  portalUrl: ['PORTAL_URL'],
  maxUpload: ['MAX_UPLOAD_BYTES'],
  uploadTtl: ['UPLOAD_URL_TTL_SECONDS'],
  templateKey: ['TEMPLATE_SIGNING_KEY_SECRET_ARN'],
  tokenKey: ['TOKEN_KEY_SECRET_ARN'],
  tokenTtl: ['TOKEN_TTL_DAYS'],
  portalAssets: ['PORTAL_ASSETS_DIR'],
  reportFonts: ['REPORT_FONTS_DIR'],
  /** The folder of trust anchors, intermediates and CRLs signed reports are verified against (runtime/trust.ts). */
  trust: ['TRUST_DIR'],
  /** The EventBridge bus the function publishes its events to (docs/EVENTS.md). */
  events: ['EVENT_BUS_NAME'],
} as const satisfies Record<string, readonly string[]>;

export type Setting = keyof typeof SETTINGS;

export type FunctionName =
  | 'unit-api'
  | 'validate-submission'
  | 'record-unprocessable'
  | 'flush-outbox'
  | 'close-period'
  | 'send-reminders'
  | 'handle-mail-feedback';

/**
 * Each function's settings: exactly what its use cases read. The CDK construct gives each function
 * these variables and the grants behind them, and nothing else.
 * - unit-api composes manual reminders (sent by flush-outbox, which holds the token key), so it
 *   needs the sender address but no SES grant;
 * - send-reminders reconciles first, which can record files and send their receipts;
 * - handle-mail-feedback reads no upload.
 */
export const FUNCTION_SETTINGS: Record<FunctionName, readonly Setting[]> = {
  'unit-api': ['table', 'uploads', 'mailFrom', 'maxUpload', 'uploadTtl', 'templateKey', 'portalAssets', 'events'],
  'validate-submission': ['table', 'uploads', 'mailSend', 'portalUrl', 'maxUpload', 'templateKey', 'trust', 'events'],
  'record-unprocessable': ['table', 'uploads', 'mailSend', 'portalUrl', 'maxUpload', 'events'],
  'flush-outbox': ['table', 'uploads', 'mailSend', 'portalUrl', 'tokenKey'],
  'close-period': ['table', 'uploads', 'mailSend', 'portalUrl', 'aggregator', 'maxUpload', 'templateKey', 'reportFonts', 'trust', 'events'],
  'send-reminders': ['table', 'uploads', 'mailSend', 'portalUrl', 'maxUpload', 'templateKey', 'trust', 'events'],
  'handle-mail-feedback': ['table', 'mailSend', 'aggregator'],
};

/** The operator's CLI does everything: issue tokens, close, extend, upload. */
export const CLI_SETTINGS: readonly Setting[] = [
  'table',
  'uploads',
  'mailSend',
  'aggregator',
  'portalUrl',
  'maxUpload',
  'uploadTtl',
  'templateKey',
  'tokenKey',
  'tokenTtl',
  'reportFonts',
  'trust',
  'events',
];

/** The local stack runs every function in one process: the union of their settings and the CLI's. */
export const LOCAL_STACK_SETTINGS: readonly Setting[] = [...new Set([...Object.values(FUNCTION_SETTINGS).flat(), ...CLI_SETTINGS])];

/** The environment variables of a set of settings (what the CDK stack sets; `_SECRET_ARN` keys may be given as values locally). */
export function environmentOf(settings: readonly Setting[]): string[] {
  return [...new Set(settings.flatMap((s) => SETTINGS[s]))].sort();
}

/** Variables that point the SDK clients at the local emulators (the SDK's own names), and the POST front. */
export const LOCAL_ENDPOINT_ENV = {
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  s3: 'AWS_ENDPOINT_URL_S3',
  ses: 'AWS_ENDPOINT_URL_SES',
  s3Public: 'CCHC_S3_PUBLIC_ENDPOINT',
} as const;

/** s3rver accepts any signature made with these; dynalite and the SES emulator ignore them. */
export const LOCAL_CREDENTIALS = Object.freeze({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    /** The environment variable at fault, when one is. */
    readonly variable?: string,
  ) {
    super(message);
  }
}

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const v = env[name]?.trim();
  if (!v) throw new ConfigError(`Missing required environment variable ${name}`, name);
  return v;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`, name);
  return n;
}

/** `NAME` (the key itself, local use) or `NAME_SECRET_ARN` (where to fetch it). */
function keySource(env: Env, name: string): KeySource {
  const value = env[name]?.trim();
  if (value) return { value };
  return { secretArn: required(env, `${name}_SECRET_ARN`) };
}

/** Bounds of MAX_UPLOAD_BYTES; the CDK context is checked against the same (infra/context.ts). */
export const MAX_UPLOAD_BYTES_BOUNDS = { min: 1024, max: 100 * 1024 * 1024 } as const;

/** The emulator endpoints, when the variables point at them; absent on AWS. */
function localEndpoints(env: Env): AppConfig['endpoints'] | undefined {
  const found = Object.entries(LOCAL_ENDPOINT_ENV).filter(([, name]) => env[name]?.trim());
  return found.length ? Object.fromEntries(found.map(([k, name]) => [k, env[name]!.trim()])) : undefined;
}

/** Parses one setting into the configuration fields it carries. */
function parseSetting(env: Env, setting: Setting, local: boolean): Partial<AppConfig> {
  switch (setting) {
    case 'table':
      return { tableName: required(env, 'TABLE_NAME') };
    case 'uploads':
      return { uploadBucketName: required(env, 'UPLOAD_BUCKET_NAME') };
    case 'mailFrom':
      return { senderAddress: required(env, 'SENDER_ADDRESS') };
    case 'mailSend':
      // On AWS every send goes through the configuration set, or its bounces are never seen.
      return { senderAddress: required(env, 'SENDER_ADDRESS'), ...(local ? {} : { configurationSet: required(env, 'SES_CONFIGURATION_SET') }) };
    case 'aggregator': {
      const list = required(env, 'AGGREGATOR_RECIPIENTS')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      return { aggregatorRecipients: list };
    }
    case 'portalUrl':
      return { portalUrl: required(env, 'PORTAL_URL').replace(/\/+$/, '') };
    case 'maxUpload':
      return { maxUploadBytes: integer(env, 'MAX_UPLOAD_BYTES', 10 * 1024 * 1024, MAX_UPLOAD_BYTES_BOUNDS.min, MAX_UPLOAD_BYTES_BOUNDS.max) };
    case 'uploadTtl':
      return { uploadUrlTtlSeconds: integer(env, 'UPLOAD_URL_TTL_SECONDS', 300, 60, 900) };
    case 'templateKey':
      return { templateKey: keySource(env, 'TEMPLATE_SIGNING_KEY') };
    case 'tokenKey':
      return { tokenKey: keySource(env, 'TOKEN_KEY') };
    case 'tokenTtl':
      return { tokenTtlDays: integer(env, 'TOKEN_TTL_DAYS', 400, 1, 3650) };
    case 'portalAssets':
      return env.PORTAL_ASSETS_DIR?.trim() ? { portalAssetsDir: env.PORTAL_ASSETS_DIR.trim() } : {};
    case 'reportFonts':
      return env.REPORT_FONTS_DIR?.trim() ? { reportFontsDir: env.REPORT_FONTS_DIR.trim() } : {};
    case 'trust':
      return env.TRUST_DIR?.trim() ? { trustDir: env.TRUST_DIR.trim() } : {};
    case 'events':
      // Required on AWS (an event nobody hears is a silent gap); the local stack writes a file instead.
      return local ? (env.EVENT_BUS_NAME?.trim() ? { eventBusName: env.EVENT_BUS_NAME.trim() } : {}) : { eventBusName: required(env, 'EVENT_BUS_NAME') };
  }
}

/**
 * Parses the settings `settings` from `env` into a frozen configuration. A missing required value
 * stops start-up with a message naming it; a field of a setting the process was not given throws
 * when read (see restrictConfig).
 */
export function loadConfig(env: Env, settings: readonly Setting[], owner = 'this process'): Readonly<AppConfig> {
  const endpoints = localEndpoints(env);
  const config: Partial<AppConfig> = {
    region: env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || 'ap-southeast-1',
    ...(endpoints ? { endpoints, credentials: { ...LOCAL_CREDENTIALS } } : {}),
  };
  for (const s of settings) Object.assign(config, parseSetting(env, s, Boolean(endpoints)));
  return restrictConfig(Object.freeze(config) as AppConfig, settings, owner);
}

/** The fields each setting carries. */
const SETTING_FIELDS: Record<Setting, readonly (keyof AppConfig)[]> = {
  table: ['tableName'],
  uploads: ['uploadBucketName'],
  mailFrom: ['senderAddress'],
  mailSend: ['senderAddress', 'configurationSet'],
  aggregator: ['aggregatorRecipients'],
  portalUrl: ['portalUrl'],
  maxUpload: ['maxUploadBytes'],
  uploadTtl: ['uploadUrlTtlSeconds'],
  templateKey: ['templateKey'],
  tokenKey: ['tokenKey'],
  tokenTtl: ['tokenTtlDays'],
  portalAssets: ['portalAssetsDir'],
  reportFonts: ['reportFontsDir'],
  trust: ['trustDir'],
  events: ['eventBusName'],
};

/**
 * A view of `config` with only the fields of `settings`: reading another one throws, naming the
 * process and the setting it lacks, instead of answering `undefined`.
 */
export function restrictConfig(config: Readonly<AppConfig>, settings: readonly Setting[], owner: string): Readonly<AppConfig> {
  const allowed = new Set<string>(['region', 'endpoints', 'credentials', ...settings.flatMap((s) => SETTING_FIELDS[s])]);
  const settingOf = (field: string) => (Object.keys(SETTING_FIELDS) as Setting[]).find((s) => (SETTING_FIELDS[s] as readonly string[]).includes(field));
  return new Proxy(config, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && !allowed.has(prop) && settingOf(prop)) {
        const setting = settingOf(prop)!;
        throw new ConfigError(`${owner} is not configured with ${prop} (setting "${setting}": ${SETTINGS[setting].join(', ')})`);
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

/**
 * Runtime configuration, parsed once into a frozen typed object. A missing required value stops
 * start-up with a message naming it. Lambdas read it from their environment (set by the CDK stack);
 * the local stack builds the same object from its own settings.
 */

/** A secret key given directly, or where to fetch it (Secrets Manager ARN). */
export type KeySource = { value: string } | { secretArn: string };

export interface AppConfig {
  /** DynamoDB table. */
  tableName: string;
  /** Bucket for uploads (`incoming/`) and reports (`reports/`). */
  uploadBucketName: string;
  /** Verified SES identity that sends receipts and reports. */
  senderAddress: string;
  /** Who receives consolidated reports and operational notices (Phòng CCHC, Sở Nội vụ). */
  aggregatorRecipients: string[];
  /** Largest accepted upload, bytes. */
  maxUploadBytes: number;
  /** Lifetime of a presigned POST, seconds (≤ 900). */
  uploadUrlTtlSeconds: number;
  /** Base URL of the portal, for personal links in e-mails (no trailing slash). */
  portalUrl: string;
  /** Origin allowed by CORS (the portal's). */
  portalOrigin: string;
  /**
   * Template signing key, or where to fetch it. Only the functions that make or check templates
   * have it; elsewhere it is absent and any use fails.
   */
  templateKey?: KeySource;
  /**
   * Token key (every personal token is derived from it and a token id). Only what issues tokens or
   * renders personal links has it; a separate secret from the template key.
   */
  tokenKey?: KeySource;
  /** Lifetime of a unit's personal token, days. */
  tokenTtlDays: number;
  /** AWS region. */
  region: string;
  /** Endpoints of the local emulators; absent on AWS. */
  endpoints?: { s3?: string; s3Public?: string; dynamodb?: string; ses?: string };
  /** Credentials for the local emulators; absent on AWS (the Lambda role is used). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function required(env: Record<string, string | undefined>, name: string): string {
  const v = env[name]?.trim();
  if (!v) throw new ConfigError(`Missing required environment variable ${name}`);
  return v;
}

function integer(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** `NAME` (the key itself) or `NAME_SECRET_ARN` (where to fetch it); absent when neither is set. */
function keySource(env: Record<string, string | undefined>, name: string): KeySource | undefined {
  const value = env[name]?.trim();
  if (value) return { value };
  const secretArn = env[`${name}_SECRET_ARN`]?.trim();
  return secretArn ? { secretArn } : undefined;
}

/** Parses the environment of a Lambda (or any process) into the app configuration. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<AppConfig> {
  const portalUrl = required(env, 'PORTAL_URL').replace(/\/+$/, '');
  const config: AppConfig = {
    tableName: required(env, 'TABLE_NAME'),
    uploadBucketName: required(env, 'UPLOAD_BUCKET_NAME'),
    senderAddress: required(env, 'SENDER_ADDRESS'),
    aggregatorRecipients: (env.AGGREGATOR_RECIPIENTS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    maxUploadBytes: integer(env, 'MAX_UPLOAD_BYTES', 10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    uploadUrlTtlSeconds: integer(env, 'UPLOAD_URL_TTL_SECONDS', 300, 60, 900),
    portalUrl,
    portalOrigin: env.PORTAL_ORIGIN?.trim() || new URL(portalUrl).origin,
    templateKey: keySource(env, 'TEMPLATE_SIGNING_KEY'),
    tokenKey: keySource(env, 'TOKEN_KEY'),
    tokenTtlDays: integer(env, 'TOKEN_TTL_DAYS', 400, 1, 3650),
    region: env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || 'ap-southeast-1',
  };
  return Object.freeze(config);
}

import type { Clock } from '../application/ports.js';
import { LOCAL_ENDPOINT_ENV } from './config.js';

/** What reaches a running local stack; written by `npm start` to `<dataDir>/stack.json`, read by the CLI. */
export interface LocalConnection {
  apiUrl: string;
  s3PublicUrl: string;
  endpoints: { dynamodb: string; s3: string; ses: string };
  tableName: string;
  bucket: string;
  region: string;
  mailDir: string;
  pid: number;
  maxUploadBytes: number;
  /** The stack's virtual clock: the instant it showed at a real instant, and its speed. Rewritten on every jump. */
  clock?: ClockSnapshot;
}

/** A virtual clock's anchor: at real instant `realAt` it showed `virtualAt`, and it runs `speed` times real time. */
export interface ClockSnapshot {
  virtualAt: string;
  realAt: string;
  speed: number;
}

/** The clock another process of the same stack runs on: the same "now" as the stack's virtual clock. */
export function clockFromSnapshot(s: ClockSnapshot, realNow: () => number = Date.now): Clock {
  const virtualAt = Date.parse(s.virtualAt);
  const realAt = Date.parse(s.realAt);
  if (!Number.isFinite(virtualAt) || !Number.isFinite(realAt) || !(s.speed > 0)) throw new Error('stack.json: unusable clock');
  return { now: () => new Date(virtualAt + (realNow() - realAt) * s.speed) };
}

export const LOCAL_SENDER = 'cchc-noreply@thuathienhue.example';
export const LOCAL_AGGREGATOR = 'phongcchc.snv@thuathienhue.example';

/** The keys of a local stack (made once and kept in its data folder, see local-keys.ts). */
export interface LocalKeys {
  templateKey: string;
  tokenKey: string;
  /** The trust folder signed reports are verified against (`<data dir>/trust` by default). */
  trustDir: string;
}

/**
 * The environment of the pipeline on the local emulators: the variables a deployed function gets
 * (keys given as values instead of secret ARNs), plus the SDK's endpoint variables pointing at the
 * emulators. One definition for the stack and the CLI; parsed by loadConfig like a Lambda's.
 */
export function localEnvironment(c: LocalConnection, keys: LocalKeys): Record<string, string> {
  return {
    TABLE_NAME: c.tableName,
    UPLOAD_BUCKET_NAME: c.bucket,
    SENDER_ADDRESS: LOCAL_SENDER,
    AGGREGATOR_RECIPIENTS: LOCAL_AGGREGATOR,
    MAX_UPLOAD_BYTES: String(c.maxUploadBytes),
    UPLOAD_URL_TTL_SECONDS: '300',
    PORTAL_URL: c.apiUrl,
    TEMPLATE_SIGNING_KEY: keys.templateKey,
    TOKEN_KEY: keys.tokenKey,
    TOKEN_TTL_DAYS: '400',
    TRUST_DIR: keys.trustDir,
    AWS_REGION: c.region,
    [LOCAL_ENDPOINT_ENV.dynamodb]: c.endpoints.dynamodb,
    [LOCAL_ENDPOINT_ENV.s3]: c.endpoints.s3,
    [LOCAL_ENDPOINT_ENV.ses]: c.endpoints.ses,
    [LOCAL_ENDPOINT_ENV.s3Public]: c.s3PublicUrl,
  };
}

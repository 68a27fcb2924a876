import type { Clock } from '../application/ports.js';
import type { AppConfig } from './config.js';

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
/** s3rver accepts any signature made with these; dynalite and the SES emulator ignore them. */
export const LOCAL_CREDENTIALS = Object.freeze({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });

/** The configuration of the pipeline on the local emulators: one definition for the stack and the CLI. */
export function localAppConfig(c: LocalConnection, templateKey: string, tokenKey: string): Readonly<AppConfig> {
  return Object.freeze({
    tableName: c.tableName,
    uploadBucketName: c.bucket,
    senderAddress: LOCAL_SENDER,
    aggregatorRecipients: [LOCAL_AGGREGATOR],
    maxUploadBytes: c.maxUploadBytes,
    uploadUrlTtlSeconds: 300,
    portalUrl: c.apiUrl,
    portalOrigin: c.apiUrl,
    templateKey: { value: templateKey },
    tokenKey: { value: tokenKey },
    tokenTtlDays: 400,
    region: c.region,
    endpoints: { s3: c.endpoints.s3, s3Public: c.s3PublicUrl, dynamodb: c.endpoints.dynamodb, ses: c.endpoints.ses },
    credentials: { ...LOCAL_CREDENTIALS },
  });
}

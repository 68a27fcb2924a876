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

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { SESClient } from '@aws-sdk/client-ses';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface AwsClients {
  s3: S3Client;
  /** Signs presigned POSTs; on the local stack it points at the public POST-policy front. */
  s3Presign: S3Client;
  dynamo: DynamoDBDocumentClient;
  /** Loaded on the first mail: the SES SDK is off every cold start (the API sends none, the validator sends after recording). */
  ses: () => Promise<SESClient>;
  /** Loaded on the first event published (after the step it tells of is recorded). */
  eventBridge: () => Promise<EventBridgeClient>;
}

/**
 * One client per service, built once from config. On AWS no endpoint is set and the Lambda role's
 * credentials are used; on the local stack endpoints and credentials point at the emulators.
 * Checksums only when required: S3 emulators store aws-chunked framing otherwise (local-aws.md, trap 1-2).
 */
/** Where the clients connect: the region, and on the local stack the emulators' endpoints and credentials. */
export interface ClientTarget {
  region: string;
  endpoints?: { s3?: string; s3Public?: string; dynamodb?: string; ses?: string };
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** A value built on first read, once. */
function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

/**
 * Each client is built on its first use: a function builds only the clients its adapters use (the
 * API sends no mail, so it never builds the SES client; the mail-feedback handler never builds S3's).
 */
export function makeClients(config: ClientTarget): AwsClients {
  // The SDK annotates the credentials object it is given: hand it a copy, never a frozen shared one.
  const common = () => ({ region: config.region, credentials: config.credentials ? { ...config.credentials } : undefined, maxAttempts: 5 });
  const s3Options = () => ({
    ...common(),
    forcePathStyle: Boolean(config.endpoints?.s3),
    requestChecksumCalculation: 'WHEN_REQUIRED' as const,
    responseChecksumValidation: 'WHEN_REQUIRED' as const,
  });
  const s3 = once(() => new S3Client({ ...s3Options(), endpoint: config.endpoints?.s3 }));
  const s3Presign = once(() => (config.endpoints?.s3Public ? new S3Client({ ...s3Options(), endpoint: config.endpoints.s3Public }) : s3()));
  const dynamo = once(() =>
    DynamoDBDocumentClient.from(new DynamoDBClient({ ...common(), endpoint: config.endpoints?.dynamodb }), {
      marshallOptions: { removeUndefinedValues: true },
    }),
  );
  const ses = once(async () => {
    const { SESClient } = await import('@aws-sdk/client-ses');
    return new SESClient({ ...common(), endpoint: config.endpoints?.ses });
  });
  const eventBridge = once(async () => {
    const { EventBridgeClient } = await import('@aws-sdk/client-eventbridge');
    return new EventBridgeClient({ ...common() });
  });
  return {
    eventBridge,
    get s3() {
      return s3();
    },
    get s3Presign() {
      return s3Presign();
    },
    get dynamo() {
      return dynamo();
    },
    ses,
  };
}

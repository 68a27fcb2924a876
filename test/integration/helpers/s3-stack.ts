import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { startS3Emulator, makeLocalS3Client, S3RVER_CREDENTIALS, type S3Emulator } from '../../../infra/local/s3-emulator.js';
import { startS3Front, type S3Front, type S3FrontOptions } from '../../../infra/local/s3-front.js';

export const TEST_BUCKET = 'uploads-test';
export const TEST_REGION = 'ap-southeast-1';
export const TEST_ORIGIN = 'http://127.0.0.1:5173';

export interface S3TestStack {
  emulator: S3Emulator;
  front: S3Front;
  /** Client straight to s3rver. */
  upstream: S3Client;
  /** Presigning client pointed at the front (S3RVER/S3RVER). */
  presigner: S3Client;
  close(): Promise<void>;
}

/** s3rver in a temp dir + the POST front in front of it, all on 127.0.0.1 with free ports. */
export async function startS3TestStack(overrides: Partial<Pick<S3FrontOptions, 'now' | 'maxBodyBytes' | 'corsOrigins'>> = {}): Promise<S3TestStack> {
  const directory = await mkdtemp(join(tmpdir(), 's3-stack-'));
  const emulator = await startS3Emulator({ directory, buckets: [TEST_BUCKET] });
  const upstream = makeLocalS3Client(emulator.endpoint, S3RVER_CREDENTIALS, TEST_REGION);
  const front = await startS3Front({
    upstream,
    credentials: S3RVER_CREDENTIALS,
    region: TEST_REGION,
    allowedBuckets: [TEST_BUCKET],
    corsOrigins: overrides.corsOrigins ?? [TEST_ORIGIN],
    now: overrides.now,
    maxBodyBytes: overrides.maxBodyBytes ?? 10 * 1024 * 1024,
  });
  const presigner = makeLocalS3Client(front.url, S3RVER_CREDENTIALS, TEST_REGION);
  return {
    emulator,
    front,
    upstream,
    presigner,
    async close() {
      await front.close();
      await emulator.close();
      upstream.destroy();
      presigner.destroy();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export interface FormFile {
  bytes: Uint8Array;
  type?: string;
  name?: string;
}

/** POSTs fields (in order) then the file, as a browser form would. */
export async function postForm(
  url: string,
  fields: Record<string, string> | [string, string][],
  file: FormFile | null,
  after: [string, string][] = [],
  headers: Record<string, string> = {},
): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Array.isArray(fields) ? fields : Object.entries(fields)) form.append(k, v);
  if (file) form.append('file', new Blob([file.bytes], { type: file.type ?? 'application/octet-stream' }), file.name ?? 'upload.bin');
  for (const [k, v] of after) form.append(k, v);
  return fetch(url, { method: 'POST', body: form, headers });
}

/** The `<Code>` of an S3 XML error body. */
export function errorCode(xml: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
}

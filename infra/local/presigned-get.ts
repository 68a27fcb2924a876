import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { sendErrorAfterBody } from './s3-answers.js';
import { S3FrontError } from './s3-front-errors.js';

/**
 * GET of an object by a presigned URL (query-string SigV4), as S3 answers it: the signature is
 * recomputed with the SDK's own signer from the request as received and compared, the expiry is
 * checked, then the object is streamed from s3rver with the `response-*` overrides the URL signed.
 * Reports and large mail attachments go to browsers this way, never through the API (Lambda caps an
 * answer at 6 MB), so the local stack must serve them as S3 would.
 */

/** The node:crypto SHA-256 in the shape the Smithy signer takes (hash, or HMAC with a secret). */
type Data = string | ArrayBuffer | ArrayBufferView;
const bytesOf = (d: Data): Buffer =>
  typeof d === 'string' ? Buffer.from(d, 'utf8') : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d);
class Sha256 {
  private readonly hash;
  constructor(secret?: Data) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: Data): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

export interface PresignedGetContext {
  upstream: S3Client;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region: string;
  now: () => Date;
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Whether a request is a presigned GET of an object (a HEAD would need a URL signed for HEAD). */
export function isPresignedGet(req: IncomingMessage, objectPath: string): boolean {
  return req.method === 'GET' && objectPath !== '' && /[?&]X-Amz-Signature=/.test(req.url ?? '');
}

/** The signature the request should carry, computed from what it says it signed. */
async function expectedSignature(ctx: PresignedGetContext, url: URL, signedAt: Date, expiresIn: number): Promise<string> {
  // What presign() itself adds is left out; the payload hash the URL carries (UNSIGNED-PAYLOAD from the
  // SDK's S3 presigner) goes back in as the header the signer hoists into the query again.
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (!k.startsWith('X-Amz-')) query[k] = v;
  const payload = url.searchParams.get('X-Amz-Content-Sha256');
  const signer = new SignatureV4({
    credentials: ctx.credentials,
    region: ctx.region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers: { host: url.host, ...(payload ? { 'X-Amz-Content-Sha256': payload } : {}) },
    },
    { signingDate: signedAt, expiresIn },
  );
  return String(signed.query?.['X-Amz-Signature'] ?? '');
}

/** Checks the URL's signature and expiry; throws the S3 error a bad or late link gets. */
async function checkPresigned(ctx: PresignedGetContext, url: URL): Promise<void> {
  const p = url.searchParams;
  const [accessKey] = (p.get('X-Amz-Credential') ?? '').split('/');
  if (p.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || !p.get('X-Amz-Date') || !p.get('X-Amz-Expires') || !p.get('X-Amz-Signature')) {
    throw new S3FrontError(
      400,
      'AuthorizationQueryParametersError',
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  if (accessKey !== ctx.credentials.accessKeyId) {
    throw new S3FrontError(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: accessKey ?? '' });
  }
  const m = AMZ_DATE.exec(p.get('X-Amz-Date')!);
  const expiresIn = Number(p.get('X-Amz-Expires'));
  if (!m || !Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 604_800) {
    throw new S3FrontError(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires must be less than a week (in seconds) that is 604800');
  }
  const signedAt = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  const expected = Buffer.from(await expectedSignature(ctx, url, signedAt, expiresIn));
  const given = Buffer.from(p.get('X-Amz-Signature')!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new S3FrontError(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
  if (ctx.now().getTime() > signedAt.getTime() + expiresIn * 1000) {
    throw new S3FrontError(403, 'AccessDenied', 'Request has expired', {
      'X-Amz-Expires': String(expiresIn),
      Expires: new Date(signedAt.getTime() + expiresIn * 1000).toISOString(),
    });
  }
}

/** Answers a presigned GET of `key` (decoded): the object's bytes with its type and the signed `response-*` headers. */
export async function presignedGet(ctx: PresignedGetContext, req: IncomingMessage, res: ServerResponse, bucket: string, key: string): Promise<void> {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  try {
    await checkPresigned(ctx, url);
  } catch (err) {
    if (err instanceof S3FrontError) return sendErrorAfterBody(req, res, err);
    throw err;
  }
  let out: GetObjectCommandOutput;
  try {
    out = await ctx.upstream.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey')
      return sendErrorAfterBody(req, res, new S3FrontError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key }));
    throw err;
  }
  const disposition = url.searchParams.get('response-content-disposition');
  const type = url.searchParams.get('response-content-type') ?? out.ContentType ?? 'application/octet-stream';
  res.writeHead(200, {
    'content-type': type,
    ...(out.ContentLength !== undefined ? { 'content-length': String(out.ContentLength) } : {}),
    ...(disposition ? { 'content-disposition': disposition } : {}),
    ...(out.ETag ? { etag: out.ETag } : {}),
  });
  (out.Body as Readable).pipe(res);
}

import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { HeadObjectCommand, PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { checkForm, checkLength, type CheckedForm, type FormField, type PolicyKeys } from './post-policy.js';
import { answerSuccess, safeSendError, sendErrorAfterBody } from './s3-answers.js';
import { isPresignedGet, presignedGet } from './presigned-get.js';
import {
  MAX_PRE_DATA_BYTES,
  S3FrontError,
  duplicateField,
  internalError,
  malformedPost,
  missingField,
  notMultipart,
  oneFile,
  preDataTooLarge,
  toFrontError,
} from './s3-front-errors.js';
import { noteFormUpload } from './s3-events.js';

/**
 * The local stack's stand-in for S3's browser-upload endpoint (POST Object with a SigV4 POST policy).
 *
 * s3rver accepts any POST upload; this front sits between the uploader and s3rver and checks the
 * request as S3 does: credential scope, signature over the base64 policy, expiry, every condition
 * (exact, `eq`, `starts-with`, `content-length-range` measured on the streamed bytes), no unsigned
 * fields (post-policy.ts). Only then is the file stored upstream with PutObject, so only valid
 * uploads make an event. Answers and errors are S3's (s3-answers.ts, s3-front-errors.ts).
 *
 * One deliberate difference: a key that already exists is refused (403 AccessDenied). Real S3, with
 * versioning on, would keep the first upload as an older version; s3rver has no versioning and would
 * overwrite it, so the front refuses and the first upload is never lost (the same presigned POST
 * reused after success: test/integration/s3-front.test.ts).
 */

export interface S3FrontOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Client for s3rver (see makeLocalS3Client). */
  upstream: S3Client;
  /** The key pair presigned POSTs are signed with (the presigning client's credentials). */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region: string;
  allowedBuckets: string[];
  /** Browser origins allowed by CORS (exact match, e.g. `http://127.0.0.1:3000`). */
  corsOrigins: string[];
  /** Clock for policy expiry; the real clock by default. */
  now?: () => Date;
  /** Hard cap on the file size whatever the policy says (S3: 5 GB). */
  maxBodyBytes: number;
}

export interface S3Front {
  /** `http://host:port`: the presigning client's endpoint (path style). */
  url: string;
  close(): Promise<void>;
}

const MAX_FIELDS = 100;
/** Form fields stored as object headers. */
const HEADER_FIELDS: Record<string, 'CacheControl' | 'ContentDisposition' | 'ContentEncoding'> = {
  'cache-control': 'CacheControl',
  'content-disposition': 'ContentDisposition',
  'content-encoding': 'ContentEncoding',
};
const EXPOSED_HEADERS = 'ETag, Location, x-amz-request-id, x-amz-id-2';
/** Starts the front on `host:port`; resolves with its URL once it listens. */
export async function startS3Front(options: S3FrontOptions): Promise<S3Front> {
  if (!Number.isSafeInteger(options.maxBodyBytes) || options.maxBodyBytes < 0) {
    throw new Error(`startS3Front: maxBodyBytes must be a non-negative integer, got ${options.maxBodyBytes}`);
  }
  if (!options.credentials.accessKeyId || !options.credentials.secretAccessKey) {
    throw new Error('startS3Front: credentials.accessKeyId and credentials.secretAccessKey are required');
  }
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? (() => new Date());
  const ctx: FrontContext = {
    options,
    policy: { credentials: options.credentials, region: options.region, now },
    buckets: new Set(options.allowedBuckets),
    origins: new Set(options.corsOrigins),
    inFlight: new Set(),
  };
  const server = createServer((req, res) => {
    handle(ctx, req, res).catch((err: unknown) => {
      // handle() answers every request itself; this is the last line of defence.
      safeSendError(req, res, toFrontError(err));
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

interface FrontContext {
  options: S3FrontOptions;
  /** What the policy checks need: the signing key pair, the region, the clock. */
  policy: PolicyKeys;
  buckets: Set<string>;
  origins: Set<string>;
  /** `bucket\0key` of uploads being stored, so two racing uploads of one key cannot both land. */
  inFlight: Set<string>;
}

/** Answers one request: a preflight, a POST upload to a bucket, a presigned GET of an object, or an S3 error. */
async function handle(ctx: FrontContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.setHeader('x-amz-request-id', randomBytes(8).toString('hex').toUpperCase());
  res.setHeader('x-amz-id-2', randomBytes(32).toString('base64'));
  setCorsHeaders(ctx, req, res);

  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://front.invalid').pathname);
  } catch {
    return sendErrorAfterBody(req, res, new S3FrontError(400, 'InvalidURI', "Couldn't parse the specified URI."));
  }
  const query = (req.url ?? '').includes('?');
  const [bucket = '', ...rest] = path.replace(/^\/+/, '').split('/');
  const objectPath = rest.join('/');

  if (bucket !== '' && !ctx.buckets.has(bucket)) {
    return sendErrorAfterBody(req, res, new S3FrontError(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket }));
  }
  if (req.method === 'OPTIONS' && bucket !== '') return preflight(ctx, req, res);
  if (isPresignedGet(req, objectPath)) {
    return presignedGet(
      { upstream: ctx.options.upstream, credentials: ctx.policy.credentials, region: ctx.policy.region, now: ctx.policy.now },
      req,
      res,
      bucket,
      objectPath,
    );
  }
  if (req.method !== 'POST' || bucket === '' || objectPath !== '' || query) {
    res.setHeader('Allow', 'GET, POST, OPTIONS');
    return sendErrorAfterBody(
      req,
      res,
      new S3FrontError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', {
        Method: req.method ?? '',
        ResourceType: objectPath === '' ? 'BUCKET' : 'OBJECT',
      }),
    );
  }
  return postObject(ctx, req, res, bucket);
}

/* ---------- CORS ---------- */

const CORS_HEADERS = ['Access-Control-Allow-Origin', 'Access-Control-Allow-Methods', 'Access-Control-Allow-Credentials', 'Access-Control-Expose-Headers'];

/** The CORS headers of an allowed origin (and Vary on every answer). */
function setCorsHeaders(ctx: FrontContext, req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Vary', 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
  const origin = req.headers.origin;
  if (origin === undefined || !ctx.origins.has(origin)) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Methods', 'POST');
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
}

/** Answers a CORS preflight: allowed for a known origin asking for POST, else 403 without CORS headers. */
function preflight(ctx: FrontContext, req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  const method = req.headers['access-control-request-method'];
  if (origin === undefined) {
    return sendErrorAfterBody(req, res, new S3FrontError(400, 'BadRequest', 'Insufficient information. Origin request header needed.'));
  }
  if (method === undefined) {
    return sendErrorAfterBody(req, res, new S3FrontError(400, 'BadRequest', 'Invalid Access-Control-Request-Method: null'));
  }
  if (!ctx.origins.has(origin) || method !== 'POST') {
    for (const h of CORS_HEADERS) res.removeHeader(h);
    return sendErrorAfterBody(
      req,
      res,
      new S3FrontError(
        403,
        'AccessForbidden',
        'CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / ' +
          "Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
        { Method: method, ResourceType: 'BUCKET' },
      ),
    );
  }
  const requested = req.headers['access-control-request-headers'];
  if (requested) res.setHeader('Access-Control-Allow-Headers', requested);
  res.setHeader('Access-Control-Max-Age', '3000');
  res.setHeader('Content-Length', '0');
  res.statusCode = 200;
  req.resume();
  res.end();
}

/* ---------- POST Object ---------- */

/** Parses, checks and stores one POST upload; always answers (or destroys the socket). */
function postObject(ctx: FrontContext, req: IncomingMessage, res: ServerResponse, bucket: string): Promise<void> {
  if (!/^multipart\/form-data\s*;/i.test(req.headers['content-type'] ?? '')) {
    sendErrorAfterBody(req, res, notMultipart());
    return Promise.resolve();
  }
  return new Promise<void>((resolveRequest) => {
    const parser = formParser(req);
    if (!parser) {
      sendErrorAfterBody(req, res, malformedPost());
      resolveRequest();
      return;
    }
    new PostUpload(ctx, req, res, bucket, parser, resolveRequest).start();
  });
}

/** A multipart parser bounded as S3 bounds a POST form (one file, at most MAX_FIELDS fields); undefined when the headers are unusable. */
function formParser(req: IncomingMessage): busboy.Busboy | undefined {
  try {
    return busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      limits: { fieldNameSize: 1024, fieldSize: MAX_PRE_DATA_BYTES + 1, fields: MAX_FIELDS, files: 1, parts: MAX_FIELDS + 1 },
    });
  } catch {
    return undefined;
  }
}

/**
 * One POST upload being read: the fields before the file are collected, the form is checked against
 * its policy when the file starts, the file's length is checked as its bytes stream in, and once the
 * whole form is read the file is stored. The first refusal answers and stops the reading; `done` is
 * called once, when the request is answered (or abandoned).
 */
class PostUpload {
  private settled = false;
  private readonly fields = new Map<string, FormField>();
  private preDataBytes = 0;
  private fileSeen = false;
  private fileEnded = false;
  private parserClosed = false;
  /** The file's bytes, once it is complete and within its length ranges. */
  private body: Buffer | undefined;
  private checked: CheckedForm | undefined;

  constructor(
    private readonly ctx: FrontContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly bucket: string,
    private readonly parser: busboy.Busboy,
    private readonly done: () => void,
  ) {}

  /** Listens to the parser and the request, then pipes the request into the parser. */
  start(): void {
    const { parser, req } = this;
    parser.on('field', (name, value, info) => this.onField(name, value, info));
    parser.on('file', (name, stream, info) => this.onFile(name, stream, info.filename ?? ''));
    parser.on('fieldsLimit', () => {
      if (!this.fileSeen) this.fail(preDataTooLarge());
    });
    parser.on('partsLimit', () => {
      if (!this.fileSeen) this.fail(preDataTooLarge());
    });
    parser.on('error', () => this.fail(malformedPost()));
    parser.on('close', () => {
      this.parserClosed = true;
      this.finish();
    });
    req.on('error', () => this.abandon(true));
    req.on('close', () => {
      // the uploader went away mid-body: nothing is stored, nobody to answer
      if (!req.complete) this.abandon(false);
    });
    req.pipe(parser);
  }

  /** A field before the file is kept (bounded in size, once per name); `file` as a text field is the file itself. */
  private onField(name: string, value: string, info: busboy.FieldInfo): void {
    if (this.settled || this.fileSeen) return; // S3 ignores every field after the file
    if (info.nameTruncated || info.valueTruncated) return this.fail(preDataTooLarge());
    this.preDataBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
    if (this.preDataBytes > MAX_PRE_DATA_BYTES) return this.fail(preDataTooLarge());
    const lower = name.toLowerCase();
    if (lower === 'file') return this.onTextFile(value);
    if (this.fields.has(lower)) return this.fail(duplicateField(name, value));
    this.fields.set(lower, { name, value });
  }

  /** `file` given as text content (no filename): it is the file, and the last field. */
  private onTextFile(value: string): void {
    this.fileSeen = true;
    try {
      this.checked = checkForm(this.ctx.policy, this.bucket, this.fields, '');
      const bytes = Buffer.from(value, 'utf8');
      checkLength(this.checked, bytes.length, this.ctx.options.maxBodyBytes, true);
      this.body = bytes;
      this.fileEnded = true;
    } catch (err) {
      this.fail(toFrontError(err));
    }
  }

  /** The file part: checks the form against its policy before reading the bytes; anything after the first file is ignored. */
  private onFile(name: string, stream: Readable, filename: string): void {
    stream.on('error', () => this.fail(malformedPost()));
    if (this.settled || this.fileSeen) {
      stream.resume(); // S3 ignores everything after the file
      return;
    }
    if (name.toLowerCase() !== 'file') {
      stream.resume();
      return this.fail(missingField('file'));
    }
    this.fileSeen = true;
    let form: CheckedForm;
    try {
      form = checkForm(this.ctx.policy, this.bucket, this.fields, filename);
    } catch (err) {
      stream.resume();
      return this.fail(toFrontError(err));
    }
    this.readFile(stream, form);
  }

  /** Reads the file's bytes, refusing as soon as they exceed a maximum, and a file under the minimum once complete. */
  private readFile(stream: Readable, form: CheckedForm): void {
    const cap = this.ctx.options.maxBodyBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      if (this.settled) return;
      size += chunk.length;
      try {
        checkLength(form, size, cap, false);
      } catch (err) {
        return this.fail(toFrontError(err));
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      this.fileEnded = true;
      if (this.settled) return;
      try {
        checkLength(form, size, cap, true);
      } catch (err) {
        return this.fail(toFrontError(err));
      }
      this.checked = form;
      this.body = Buffer.concat(chunks, size);
      this.finish();
    });
  }

  /** Once the form is fully read and the file complete: stores it (or refuses a form without a file). */
  private finish(): void {
    if (this.settled || !this.parserClosed) return;
    if (!this.fileSeen || (!this.body && this.fileEnded)) return this.fail(oneFile());
    if (!this.body || !this.checked) return; // the file stream has not ended yet: its 'end' calls finish()
    this.settled = true;
    storeUpload(this.ctx, this.req, this.res, this.bucket, this.checked, this.body)
      .catch((err: unknown) => safeSendError(this.req, this.res, toFrontError(err)))
      .finally(this.done);
  }

  /** Refuses the upload: stops parsing and answers the error once the body is drained. */
  private fail(err: S3FrontError): void {
    if (this.settled) return;
    this.settled = true;
    this.req.unpipe(this.parser);
    this.parser.removeAllListeners();
    this.parser.on('error', () => undefined);
    this.parser.destroy();
    sendErrorAfterBody(this.req, this.res, err);
    this.done();
  }

  /** The request failed or its uploader went away: nothing is stored and nothing answered. */
  private abandon(destroyRequest: boolean): void {
    if (this.settled) return;
    this.settled = true;
    this.parser.destroy();
    if (destroyRequest) this.req.destroy();
    this.done();
  }
}

/* ---------- storing ---------- */

/** The PutObject of an upload: its bytes, content type, the header fields and x-amz-meta-* metadata of the form. */
function putInput(bucket: string, form: CheckedForm, body: Buffer): PutObjectCommandInput {
  const input: PutObjectCommandInput = {
    Bucket: bucket,
    Key: form.key,
    Body: body,
    ContentLength: body.length,
    ContentType: form.fields.get('content-type')?.value ?? 'binary/octet-stream',
  };
  for (const [lower, { value }] of form.fields) {
    const header = HEADER_FIELDS[lower];
    if (header) input[header] = value;
    else if (lower.startsWith('x-amz-meta-') && lower.length > 'x-amz-meta-'.length) {
      input.Metadata ??= {};
      input.Metadata[lower.slice('x-amz-meta-'.length)] = value;
    }
  }
  return input;
}

/**
 * Stores a checked upload upstream and answers it; a key already stored (or being stored by a racing
 * upload) is refused instead of overwritten (see the module comment).
 */
async function storeUpload(ctx: FrontContext, req: IncomingMessage, res: ServerResponse, bucket: string, form: CheckedForm, body: Buffer): Promise<void> {
  const { key, fields } = form;
  const id = `${bucket}\u0000${key}`;
  const exists = () => new S3FrontError(403, 'AccessDenied', 'Access Denied');
  if (ctx.inFlight.has(id)) throw exists();
  ctx.inFlight.add(id);
  try {
    if (await objectExists(ctx.options.upstream, bucket, key)) throw exists();
    const input = putInput(bucket, form, body);
    noteFormUpload(bucket, key, body, req.socket.remoteAddress ?? '127.0.0.1');
    let etag: string;
    try {
      const out = await ctx.options.upstream.send(new PutObjectCommand(input));
      etag = out.ETag ?? `"${createHash('md5').update(body).digest('hex')}"`;
    } catch (err) {
      throw upstreamError(err, bucket);
    }
    answerSuccess(req, res, bucket, key, etag, fields);
  } finally {
    ctx.inFlight.delete(id);
  }
}

/** Whether the key is already stored upstream (HEAD 404: no). */
async function objectExists(client: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return false;
    throw upstreamError(err, bucket);
  }
}

/** An upstream failure as the front answers it: NoSuchBucket passes through, anything else is InternalError. */
function upstreamError(err: unknown, bucket: string): S3FrontError {
  const name = (err as { name?: string }).name;
  if (name === 'NoSuchBucket') return new S3FrontError(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
  return internalError();
}

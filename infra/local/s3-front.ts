import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';
import { HeadObjectCommand, PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { noteFormUpload } from './s3-events.js';

/**
 * The local stack's stand-in for S3's browser-upload endpoint (POST Object with a SigV4 POST policy).
 *
 * s3rver accepts any POST upload; this front sits between the uploader and s3rver and checks the
 * request as S3 does: credential scope, signature over the base64 policy, expiry, every condition
 * (exact, `eq`, `starts-with`, `content-length-range` measured on the streamed bytes), no unsigned
 * fields. Only then is the file stored upstream with PutObject, so only valid uploads make an event.
 *
 * One deliberate difference: a key that already exists is refused (403 AccessDenied). Real S3, with
 * versioning on, would keep the first upload as an older version; s3rver has no versioning and would
 * overwrite it, so the front refuses and the first upload is never lost (reliability.md, "the same
 * presigned POST reused after success").
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

/** S3 refuses POST forms whose fields before the file exceed 20 KB. */
const MAX_PRE_DATA_BYTES = 20 * 1024;
const MAX_FIELDS = 100;
/** After a refusal, the rest of the body is read and dropped up to this much, then the socket closes. */
const DRAIN_LIMIT_BYTES = 8 * 1024 * 1024;
const SIGNATURE_ALGORITHM = 'AWS4-HMAC-SHA256';
/** Fields the policy need not cover. */
const UNSIGNED_FIELDS = new Set(['file', 'policy', 'x-amz-signature']);
/** Form fields stored as object headers. */
const HEADER_FIELDS: Record<string, 'CacheControl' | 'ContentDisposition' | 'ContentEncoding'> = {
  'cache-control': 'CacheControl',
  'content-disposition': 'ContentDisposition',
  'content-encoding': 'ContentEncoding',
};
const EXPOSED_HEADERS = 'ETag, Location, x-amz-request-id, x-amz-id-2';

/** An S3 error answer. */
export class S3FrontError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'S3FrontError';
  }
}

const policyFailed = (what: string) => new S3FrontError(403, 'AccessDenied', `Invalid according to Policy: ${what}`);
const invalidPolicy = (what: string) => new S3FrontError(400, 'InvalidPolicyDocument', `Invalid Policy: ${what}`);
const missingField = (name: string) =>
  new S3FrontError(
    400,
    'InvalidArgument',
    `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`,
    { ArgumentName: name, ArgumentValue: '' },
  );
const oneFile = () => new S3FrontError(400, 'InvalidArgument', 'POST requires exactly one file upload per request.', { ArgumentName: 'file', ArgumentValue: '0' });
const malformedPost = () => new S3FrontError(400, 'MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.');
const internalError = () => new S3FrontError(500, 'InternalError', 'We encountered an internal error. Please try again.');

/** Starts the front on `host:port`; resolves with its URL once it listens. */
export async function startS3Front(options: S3FrontOptions): Promise<S3Front> {
  if (!Number.isSafeInteger(options.maxBodyBytes) || options.maxBodyBytes < 0) {
    throw new Error(`startS3Front: maxBodyBytes must be a non-negative integer, got ${options.maxBodyBytes}`);
  }
  if (!options.credentials.accessKeyId || !options.credentials.secretAccessKey) {
    throw new Error('startS3Front: credentials.accessKeyId and credentials.secretAccessKey are required');
  }
  const host = options.host ?? '127.0.0.1';
  const ctx: FrontContext = {
    options,
    now: options.now ?? (() => new Date()),
    buckets: new Set(options.allowedBuckets),
    origins: new Set(options.corsOrigins),
    inFlight: new Set(),
  };
  const server = createServer((req, res) => {
    handle(ctx, req, res).catch((err: unknown) => {
      // handle() answers every request itself; this is the last line of defence.
      safeSendError(req, res, err instanceof S3FrontError ? err : internalError());
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
  now: () => Date;
  buckets: Set<string>;
  origins: Set<string>;
  /** `bucket\0key` of uploads being stored, so two racing uploads of one key cannot both land. */
  inFlight: Set<string>;
}

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
  if (req.method !== 'POST' || bucket === '' || objectPath !== '' || query) {
    res.setHeader('Allow', 'POST, OPTIONS');
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

function setCorsHeaders(ctx: FrontContext, req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Vary', 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
  const origin = req.headers.origin;
  if (origin === undefined || !ctx.origins.has(origin)) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Methods', 'POST');
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
}

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
    for (const h of ['Access-Control-Allow-Origin', 'Access-Control-Allow-Methods', 'Access-Control-Allow-Credentials', 'Access-Control-Expose-Headers']) {
      res.removeHeader(h);
    }
    return sendErrorAfterBody(
      req,
      res,
      new S3FrontError(
        403,
        'AccessForbidden',
        "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
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

interface FormField {
  /** As sent. */
  name: string;
  value: string;
}

interface ReadFile {
  filename: string;
  body: Buffer;
}

/** Parses, checks and stores one POST upload; always answers (or destroys the socket). */
function postObject(ctx: FrontContext, req: IncomingMessage, res: ServerResponse, bucket: string): Promise<void> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    sendErrorAfterBody(
      req,
      res,
      new S3FrontError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
        Condition: 'Bucket POST must be of the enclosure-type multipart/form-data',
      }),
    );
    return Promise.resolve();
  }

  return new Promise<void>((resolveRequest) => {
    let settled = false;
    const fields = new Map<string, FormField>();
    let preDataBytes = 0;
    let fileSeen = false;
    let file: ReadFile | undefined;
    let checked: CheckedForm | undefined;

    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { fieldNameSize: 1024, fieldSize: MAX_PRE_DATA_BYTES + 1, fields: MAX_FIELDS, files: 1, parts: MAX_FIELDS + 1 },
      });
    } catch {
      sendErrorAfterBody(req, res, malformedPost());
      resolveRequest();
      return;
    }

    const fail = (err: S3FrontError): void => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      parser.removeAllListeners();
      parser.on('error', () => undefined);
      parser.destroy();
      sendErrorAfterBody(req, res, err);
      resolveRequest();
    };

    let parserClosed = false;
    let fileEnded = false;
    const finish = (): void => {
      if (settled || !parserClosed) return;
      if (!fileSeen || (!file && fileEnded)) return fail(oneFile());
      if (!file || !checked) return; // the file stream has not ended yet: its 'end' calls finish()
      settled = true;
      const form = checked;
      const body = file.body;
      storeUpload(ctx, req, res, bucket, form, body)
        .catch((err: unknown) => safeSendError(req, res, err instanceof S3FrontError ? err : internalError()))
        .finally(resolveRequest);
    };

    parser.on('field', (name, value, info) => {
      if (settled || fileSeen) return; // S3 ignores every field after the file
      if (info.nameTruncated || info.valueTruncated) return fail(preDataTooLarge());
      preDataBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (preDataBytes > MAX_PRE_DATA_BYTES) return fail(preDataTooLarge());
      const lower = name.toLowerCase();
      if (lower === 'file') {
        // `file` given as text content (no filename): it is the file, and the last field.
        fileSeen = true;
        try {
          checked = checkForm(ctx, bucket, fields, '');
          const bodyBytes = Buffer.from(value, 'utf8');
          checkLength(checked, bodyBytes.length, ctx.options.maxBodyBytes, true);
          file = { filename: '', body: bodyBytes };
          fileEnded = true;
        } catch (err) {
          fail(toFrontError(err));
        }
        return;
      }
      if (fields.has(lower)) {
        return fail(new S3FrontError(400, 'InvalidArgument', `Bucket POST must not contain the field '${name}' twice.`, { ArgumentName: name, ArgumentValue: value }));
      }
      fields.set(lower, { name, value });
    });

    parser.on('file', (name, stream, info) => {
      stream.on('error', () => fail(malformedPost()));
      if (settled || fileSeen) {
        stream.resume(); // S3 ignores everything after the file
        return;
      }
      if (name.toLowerCase() !== 'file') {
        stream.resume();
        return fail(missingField('file'));
      }
      fileSeen = true;
      let form: CheckedForm;
      try {
        form = checkForm(ctx, bucket, fields, info.filename ?? '');
      } catch (err) {
        stream.resume();
        return fail(toFrontError(err));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        try {
          checkLength(form, size, ctx.options.maxBodyBytes, false);
        } catch (err) {
          return fail(toFrontError(err));
        }
        chunks.push(chunk);
      });
      stream.on('end', () => {
        fileEnded = true;
        if (settled) return;
        try {
          checkLength(form, size, ctx.options.maxBodyBytes, true);
        } catch (err) {
          return fail(toFrontError(err));
        }
        checked = form;
        file = { filename: info.filename ?? '', body: Buffer.concat(chunks, size) };
        finish();
      });
    });

    parser.on('fieldsLimit', () => {
      if (!fileSeen) fail(preDataTooLarge());
    });
    parser.on('partsLimit', () => {
      if (!fileSeen) fail(preDataTooLarge());
    });
    parser.on('error', () => fail(malformedPost()));
    parser.on('close', () => {
      parserClosed = true;
      finish();
    });

    req.on('error', () => {
      if (settled) return;
      settled = true;
      parser.destroy();
      req.destroy();
      resolveRequest();
    });
    req.on('close', () => {
      if (!req.complete && !settled) {
        // the uploader went away mid-body: nothing is stored, nobody to answer
        settled = true;
        parser.destroy();
        resolveRequest();
      }
    });
    req.pipe(parser);
  });
}

function preDataTooLarge(): S3FrontError {
  return new S3FrontError(400, 'MaxPostPreDataLengthExceededError', 'Your POST request fields preceeding the upload file was too large.', {
    MaxPostPreDataLengthBytes: MAX_PRE_DATA_BYTES,
  });
}

function toFrontError(err: unknown): S3FrontError {
  return err instanceof S3FrontError ? err : internalError();
}

/* ---------- form and policy checks ---------- */

interface CheckedForm {
  key: string;
  fields: Map<string, FormField>;
  lengthRanges: { min: number; max: number }[];
}

type Condition =
  | { kind: 'eq'; field: string; value: string; text: string }
  | { kind: 'starts-with'; field: string; value: string; text: string }
  | { kind: 'content-length-range'; min: number; max: number };

/**
 * Checks everything known before the file's bytes: required fields, credential, signature, policy
 * document, expiry, every condition except content-length-range, and that no field is unsigned.
 */
function checkForm(ctx: FrontContext, bucket: string, fields: Map<string, FormField>, filename: string): CheckedForm {
  const get = (name: string): string | undefined => fields.get(name)?.value;
  const keyTemplate = get('key');
  if (keyTemplate === undefined) throw missingField('key');
  const policy = get('policy');
  if (policy === undefined) throw new S3FrontError(403, 'AccessDenied', 'Access Denied'); // anonymous upload
  for (const name of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Signature']) {
    if (get(name.toLowerCase()) === undefined) throw missingField(name);
  }
  const algorithm = get('x-amz-algorithm') as string;
  if (algorithm !== SIGNATURE_ALGORITHM) {
    throw new S3FrontError(400, 'InvalidArgument', `X-Amz-Algorithm only supports "${SIGNATURE_ALGORITHM}"`, {
      ArgumentName: 'X-Amz-Algorithm',
      ArgumentValue: algorithm,
    });
  }
  const credential = get('x-amz-credential') as string;
  const parts = credential.split('/');
  if (parts.length !== 5 || !/^\d{8}$/.test(parts[1] as string) || parts[3] !== 's3' || parts[4] !== 'aws4_request') {
    throw new S3FrontError(400, 'InvalidArgument', `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`, {
      ArgumentName: 'X-Amz-Credential',
      ArgumentValue: credential,
    });
  }
  const [accessKeyId, date, region] = parts as [string, string, string, string, string];
  const creds = ctx.options.credentials;
  if (accessKeyId !== creds.accessKeyId) {
    throw new S3FrontError(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: accessKeyId });
  }
  if (region !== ctx.options.region) {
    throw new S3FrontError(400, 'InvalidArgument', `Error parsing the X-Amz-Credential parameter; the region '${region}' is wrong; expecting '${ctx.options.region}'`, {
      ArgumentName: 'X-Amz-Credential',
      ArgumentValue: credential,
    });
  }
  const amzDate = get('x-amz-date') as string;
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) {
    throw new S3FrontError(400, 'InvalidArgument', 'X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"', {
      ArgumentName: 'X-Amz-Date',
      ArgumentValue: amzDate,
    });
  }
  const token = get('x-amz-security-token');
  if ((token ?? undefined) !== (creds.sessionToken ?? undefined)) {
    throw new S3FrontError(403, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
  }

  const signature = (get('x-amz-signature') as string).toLowerCase();
  const expected = signPolicy(creds.secretAccessKey, date, region, policy);
  if (!safeEqual(signature, expected)) {
    throw new S3FrontError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
      AWSAccessKeyId: accessKeyId,
      StringToSign: policy,
      SignatureProvided: get('x-amz-signature') as string,
    });
  }

  const document = parsePolicy(policy);
  if (Date.parse(document.expiration) <= ctx.now().getTime()) throw policyFailed('Policy expired.');

  // `${filename}` in the key is replaced by the uploaded file's name before the conditions apply.
  const key = keyTemplate.split('${filename}').join(filename);
  if (key === '') {
    throw new S3FrontError(400, 'InvalidArgument', 'User key must have a length greater than 0.', { ArgumentName: 'key', ArgumentValue: '' });
  }
  if (Buffer.byteLength(key) > 1024) throw new S3FrontError(400, 'KeyTooLongError', 'Your key is too long');
  const valueOf = (field: string): string | undefined => (field === 'key' ? key : field === 'bucket' ? bucket : get(field));

  const covered = new Set<string>();
  const lengthRanges: { min: number; max: number }[] = [];
  for (const condition of document.conditions) {
    if (condition.kind === 'content-length-range') {
      lengthRanges.push({ min: condition.min, max: condition.max });
      continue;
    }
    covered.add(condition.field);
    const actual = valueOf(condition.field);
    const ok =
      actual !== undefined &&
      (condition.kind === 'eq' ? actual === condition.value : actual.startsWith(condition.value));
    if (!ok) throw policyFailed(`Policy Condition failed: ${condition.text}`);
  }
  const formBucket = get('bucket');
  if (formBucket !== undefined && formBucket !== bucket) {
    throw policyFailed(`Policy Condition failed: ["eq", "$bucket", ${JSON.stringify(formBucket)}]`);
  }
  const extra = [...fields.entries()]
    .filter(([lower]) => !UNSIGNED_FIELDS.has(lower) && !lower.startsWith('x-ignore-') && !covered.has(lower))
    .map(([, f]) => f.name);
  if (extra.length > 0) throw policyFailed(`Extra input fields: ${extra.join(', ')}`);

  return { key, fields, lengthRanges };
}

/** Hex SigV4 signature of a POST policy: HMAC chain over (date, region, s3, aws4_request), then the base64 policy. */
export function signPolicy(secretAccessKey: string, date: string, region: string, policyBase64: string): string {
  const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), 's3'), 'aws4_request');
  return createHmac('sha256', signingKey).update(policyBase64, 'utf8').digest('hex');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parsePolicy(policyBase64: string): { expiration: string; conditions: Condition[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(policyBase64, 'base64').toString('utf8'));
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = doc as { expiration?: unknown; conditions?: unknown };
  if (typeof expiration !== 'string' || Number.isNaN(Date.parse(expiration))) {
    throw invalidPolicy(`Invalid 'expiration' value: '${String(expiration)}'`);
  }
  if (!Array.isArray(conditions)) throw invalidPolicy("Invalid 'conditions' value: must be a List.");
  const parsed: Condition[] = [];
  for (const c of conditions as unknown[]) {
    if (Array.isArray(c)) {
      const [op, a, b] = c as unknown[];
      const operation = typeof op === 'string' ? op.toLowerCase() : op;
      if (operation === 'content-length-range') {
        const min = toLength(a);
        const max = toLength(b);
        if (c.length !== 3 || min === undefined || max === undefined || min > max) {
          throw invalidPolicy(`Invalid content-length-range condition: ${JSON.stringify(c)}`);
        }
        parsed.push({ kind: 'content-length-range', min, max });
      } else if (operation === 'eq' || operation === 'starts-with') {
        if (c.length !== 3 || typeof a !== 'string' || !a.startsWith('$') || typeof b !== 'string') {
          throw invalidPolicy(`Invalid Condition: ${JSON.stringify(c)}`);
        }
        parsed.push({ kind: operation, field: a.slice(1).toLowerCase(), value: b, text: conditionText(operation, a.slice(1), b) });
      } else {
        throw invalidPolicy(`Invalid Condition: ${JSON.stringify(c)}`);
      }
    } else if (c !== null && typeof c === 'object') {
      const entries = Object.entries(c as Record<string, unknown>);
      if (entries.length === 0) throw invalidPolicy('Invalid Condition: {}');
      for (const [field, value] of entries) {
        if (typeof value !== 'string') throw invalidPolicy(`Invalid Condition: ${JSON.stringify(c)}`);
        parsed.push({ kind: 'eq', field: field.toLowerCase(), value, text: conditionText('eq', field, value) });
      }
    } else {
      throw invalidPolicy(`Invalid Condition: ${JSON.stringify(c)}`);
    }
  }
  return { expiration, conditions: parsed };
}

/** As S3 quotes a failed condition: `["eq", "$key", "a/b"]`. */
function conditionText(operation: string, field: string, value: string): string {
  return `[${JSON.stringify(operation)}, ${JSON.stringify(`$${field}`)}, ${JSON.stringify(value)}]`;
}

function toLength(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * content-length-range on the bytes read so far: over a maximum (or the front's own cap) fails at
 * once; under a minimum only once the file is complete.
 */
function checkLength(form: CheckedForm, size: number, cap: number, complete: boolean): void {
  if (size > cap) {
    throw new S3FrontError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { ProposedSize: size, MaxSizeAllowed: cap });
  }
  for (const { min, max } of form.lengthRanges) {
    if (size > max) {
      throw new S3FrontError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { ProposedSize: size, MaxSizeAllowed: max });
    }
    if (complete && size < min) {
      throw new S3FrontError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', { ProposedSize: size, MinSizeAllowed: min });
    }
  }
}

/* ---------- storing and answering ---------- */

async function storeUpload(ctx: FrontContext, req: IncomingMessage, res: ServerResponse, bucket: string, form: CheckedForm, body: Buffer): Promise<void> {
  const { key, fields } = form;
  const id = `${bucket}\u0000${key}`;
  // No versioning locally: refuse instead of overwriting (see the module comment).
  const exists = () => new S3FrontError(403, 'AccessDenied', 'Access Denied');
  if (ctx.inFlight.has(id)) throw exists();
  ctx.inFlight.add(id);
  try {
    if (await objectExists(ctx.options.upstream, bucket, key)) throw exists();
    const input: PutObjectCommandInput = {
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentLength: body.length,
      ContentType: fields.get('content-type')?.value ?? 'binary/octet-stream',
    };
    for (const [lower, { value }] of fields) {
      const header = HEADER_FIELDS[lower];
      if (header) input[header] = value;
      else if (lower.startsWith('x-amz-meta-') && lower.length > 'x-amz-meta-'.length) {
        (input.Metadata ??= {})[lower.slice('x-amz-meta-'.length)] = value;
      }
    }
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

function upstreamError(err: unknown, bucket: string): S3FrontError {
  const name = (err as { name?: string }).name;
  if (name === 'NoSuchBucket') return new S3FrontError(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
  return internalError();
}

function answerSuccess(req: IncomingMessage, res: ServerResponse, bucket: string, key: string, etag: string, fields: Map<string, FormField>): void {
  const hostHeader = req.headers.host ?? '127.0.0.1';
  const location = `http://${hostHeader}/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
  res.setHeader('ETag', etag);
  res.setHeader('Location', location);

  const redirect = fields.get('success_action_redirect')?.value ?? fields.get('redirect')?.value;
  if (redirect) {
    try {
      const target = new URL(redirect);
      if (target.protocol === 'http:' || target.protocol === 'https:') {
        target.searchParams.set('bucket', bucket);
        target.searchParams.set('key', key);
        target.searchParams.set('etag', etag);
        res.statusCode = 303;
        res.setHeader('Location', target.toString());
        res.setHeader('Content-Length', '0');
        res.end();
        return;
      }
    } catch {
      // not a URL: S3 then answers as without a redirect
    }
  }

  const status = fields.get('success_action_status')?.value;
  if (status === '201') {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<PostResponse><Location>${escapeXml(location)}</Location><Bucket>${escapeXml(bucket)}</Bucket>` +
      `<Key>${escapeXml(key)}</Key><ETag>${escapeXml(etag)}</ETag></PostResponse>`;
    res.statusCode = 201;
    res.setHeader('Content-Type', 'application/xml');
    res.setHeader('Content-Length', Buffer.byteLength(xml));
    res.end(xml);
    return;
  }
  res.statusCode = status === '200' ? 200 : 204;
  if (res.statusCode === 200) res.setHeader('Content-Length', '0');
  res.end();
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);
}

function errorXml(err: S3FrontError, requestId: string): string {
  const details = Object.entries(err.details)
    .map(([k, v]) => `<${k}>${escapeXml(String(v))}</${k}>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message>${details}<RequestId>${requestId}</RequestId></Error>`
  );
}

/** Writes an S3 error now (or destroys the socket if that is no longer possible). */
function safeSendError(req: IncomingMessage, res: ServerResponse, err: S3FrontError, closeAfter = false): void {
  try {
    if (res.headersSent || res.writableEnded) {
      if (!res.writableEnded) res.destroy();
      return;
    }
    const requestId = String(res.getHeader('x-amz-request-id') ?? randomBytes(8).toString('hex').toUpperCase());
    const body = req.method === 'HEAD' ? '' : errorXml(err, requestId);
    res.statusCode = err.status;
    res.setHeader('Content-Type', 'application/xml');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    if (closeAfter) res.setHeader('Connection', 'close');
    res.end(body, () => {
      if (closeAfter) req.socket.destroy();
    });
  } catch {
    req.socket.destroy();
  }
}

/**
 * Answers with an S3 error once the request body is read (drained up to DRAIN_LIMIT_BYTES, so
 * ordinary clients see the answer instead of a reset); past that the answer goes out with
 * `Connection: close` and the socket is closed.
 */
function sendErrorAfterBody(req: IncomingMessage, res: ServerResponse, err: S3FrontError): void {
  if (req.complete || req.readableEnded) {
    safeSendError(req, res, err);
    return;
  }
  let drained = 0;
  let sent = false;
  const send = (closeAfter: boolean): void => {
    if (sent) return;
    sent = true;
    req.off('data', onData);
    safeSendError(req, res, err, closeAfter);
  };
  const onData = (chunk: Buffer): void => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) {
      req.pause();
      send(true);
    }
  };
  req.on('data', onData);
  req.once('end', () => send(false));
  req.once('error', () => {
    sent = true;
    req.socket.destroy();
  });
  req.resume();
}

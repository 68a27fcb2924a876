import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FormField } from './post-policy.js';
import type { S3FrontError } from './s3-front-errors.js';

/**
 * How the local POST front (s3-front.ts) answers, as S3 does: the success of an upload (a redirect,
 * 201 with an XML PostResponse, 200 or 204) and S3's XML errors, sent once the request body is read.
 */

/** After a refusal, the rest of the body is read and dropped up to this much, then the socket closes. */
const DRAIN_LIMIT_BYTES = 8 * 1024 * 1024;

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);
}

/** The `success_action_redirect` (or `redirect`) target with bucket, key and ETag, when it is an http(s) URL. */
function redirectTarget(fields: Map<string, FormField>, bucket: string, key: string, etag: string): URL | undefined {
  const redirect = fields.get('success_action_redirect')?.value ?? fields.get('redirect')?.value;
  if (!redirect) return undefined;
  try {
    const target = new URL(redirect);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return undefined;
    target.searchParams.set('bucket', bucket);
    target.searchParams.set('key', key);
    target.searchParams.set('etag', etag);
    return target;
  } catch {
    return undefined; // not a URL: S3 then answers as without a redirect
  }
}

/** The XML body of a 201 answer. */
function postResponseXml(location: string, bucket: string, key: string, etag: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<PostResponse><Location>${escapeXml(location)}</Location><Bucket>${escapeXml(bucket)}</Bucket>` +
    `<Key>${escapeXml(key)}</Key><ETag>${escapeXml(etag)}</ETag></PostResponse>`
  );
}

/**
 * Answers a stored upload: ETag and Location headers, then a 303 to the redirect target if one is
 * given, else 201 with the XML PostResponse, 200 or (by default) 204 as `success_action_status` says.
 */
export function answerSuccess(req: IncomingMessage, res: ServerResponse, bucket: string, key: string, etag: string, fields: Map<string, FormField>): void {
  const hostHeader = req.headers.host ?? '127.0.0.1';
  const location = `http://${hostHeader}/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
  res.setHeader('ETag', etag);
  res.setHeader('Location', location);

  const target = redirectTarget(fields, bucket, key, etag);
  if (target) {
    res.statusCode = 303;
    res.setHeader('Location', target.toString());
    res.setHeader('Content-Length', '0');
    res.end();
    return;
  }
  const status = fields.get('success_action_status')?.value;
  if (status === '201') {
    const xml = postResponseXml(location, bucket, key, etag);
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
export function safeSendError(req: IncomingMessage, res: ServerResponse, err: S3FrontError, closeAfter = false): void {
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
export function sendErrorAfterBody(req: IncomingMessage, res: ServerResponse, err: S3FrontError): void {
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

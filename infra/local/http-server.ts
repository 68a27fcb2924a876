import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HttpEvent, HttpResult } from '../../shared/adapters/inbound/http/unit-api.js';
import type { Log } from '../../shared/application/log.js';
import { MEDIA_TYPES } from '../../shared/domain/media-types.js';

/**
 * Largest request body the local server reads. The API's JSON bodies are a few hundred bytes (files
 * go straight to S3 by presigned POST); on AWS, API Gateway and Lambda answer 413 above their own
 * quotas (10 MB, 6 MB), and so does this server above its limit, with the API's JSON error shape.
 */
const MAX_BODY = 1024 * 1024;

/** The body was larger than MAX_BODY. */
class BodyTooLarge extends Error {
  override name = 'BodyTooLarge';
}

const LOCAL_ERROR_HEADERS = { 'content-type': MEDIA_TYPES.jsonText, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

/** Turns a Node request into the HTTP API (payload 2.0) event the Lambda receives. */
export async function toHttpEvent(req: IncomingMessage, body: Buffer): Promise<HttpEvent> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] ? `${query[k]},${v}` : v;
  const isText = /^(application\/json|text\/)/.test(headers['content-type'] ?? '') || body.length === 0;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    body: body.length ? (isText ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: !isText,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `${Date.now()}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}

/**
 * Reads the body up to MAX_BODY. A larger one (declared or sent) is refused with BodyTooLarge; the
 * rest of it is read and dropped, so the client gets the 413 instead of a connection reset.
 */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > MAX_BODY;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooLarge = true;
      if (!tooLarge) chunks.push(c);
    });
    req.on('end', () => (tooLarge ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, result: HttpResult): void {
  const headers: Record<string, string | number | boolean> = { ...(result.headers ?? {}) };
  const body = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  res.writeHead(result.statusCode ?? 200, headers as Record<string, string>);
  res.end(body);
}

/**
 * The quotas a request meets on AWS, enforced here so that what passes locally passes there:
 * Lambda's synchronous response payload (6 MB, the whole result object as JSON, a base64 body
 * included) and the HTTP API's integration timeout (30 s).
 */
export interface HttpLimits {
  maxResponseBytes: number;
  timeoutMs: number;
}
export const AWS_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({ maxResponseBytes: 6 * 1024 * 1024, timeoutMs: 30_000 });

class ResponseTooLarge extends Error {
  override name = 'ResponseTooLarge';
}
class IntegrationTimeout extends Error {
  override name = 'IntegrationTimeout';
}

/** The handler's answer, or the failure API Gateway and Lambda would turn it into. */
async function withinLimits(run: Promise<HttpResult>, limits: Readonly<HttpLimits>): Promise<HttpResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IntegrationTimeout()), limits.timeoutMs);
  });
  try {
    const result = await Promise.race([run, timeout]);
    if (Buffer.byteLength(JSON.stringify(result)) > limits.maxResponseBytes) throw new ResponseTooLarge();
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Serves a Lambda-style HTTP handler on Node's http server, as API Gateway's HTTP API would: same
 * event shape, same result handling, and the same quotas (AWS_HTTP_LIMITS): an answer over 6 MB or
 * later than 30 s fails here as it would there, so a download that works locally works on AWS.
 */
export function serveHttpHandler(handler: (e: HttpEvent) => Promise<HttpResult>, log: Log, limits: Readonly<HttpLimits> = AWS_HTTP_LIMITS): Server {
  return createServer((req, res) => {
    readBody(req)
      .then(async (body) => send(res, await withinLimits(toHttpEvent(req, body).then(handler), limits)))
      .catch((err: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (err instanceof BodyTooLarge) {
          log.warn('request body too large', { limit: MAX_BODY });
          res.writeHead(413, { ...LOCAL_ERROR_HEADERS, connection: 'close' });
          res.end(
            JSON.stringify({
              error: {
                code: 'PAYLOAD_TOO_LARGE',
                message: 'Nội dung yêu cầu quá lớn (tối đa 1 MB). Tệp báo cáo không gửi qua đây mà tải thẳng lên kho lưu trữ bằng đường dẫn tải lên.',
              },
            }),
          );
          return;
        }
        if (err instanceof ResponseTooLarge) {
          // Lambda refuses the answer (Function.ResponseSizeTooLarge); API Gateway answers 500.
          log.error('response over the Lambda payload limit: serve it by presigned GET', { path: req.url?.split('?')[0], limit: limits.maxResponseBytes });
          res.writeHead(500, LOCAL_ERROR_HEADERS);
          res.end(JSON.stringify({ error: { code: 'INTERNAL', message: 'Hệ thống đang gặp sự cố, vui lòng thử lại sau ít phút.' } }));
          return;
        }
        if (err instanceof IntegrationTimeout) {
          log.error('request over the API Gateway integration timeout', { path: req.url?.split('?')[0], limitMs: limits.timeoutMs });
          res.writeHead(503, LOCAL_ERROR_HEADERS);
          res.end(JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'Hệ thống đang bận, chưa trả lời kịp. Vui lòng thử lại sau ít phút.' } }));
          return;
        }
        log.error('local HTTP server error', { error: err instanceof Error ? err.message : String(err) });
        res.writeHead(500, LOCAL_ERROR_HEADERS);
        res.end(JSON.stringify({ error: { code: 'INTERNAL', message: 'Hệ thống đang gặp sự cố, vui lòng thử lại sau ít phút.' } }));
      });
  });
}

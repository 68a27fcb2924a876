import { request } from 'node:http';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3EventRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeEventKey, INCOMING_PREFIX } from '../../shared/domain/object-keys.js';
import { makeLocalS3Client } from '../../infra/local/s3-emulator.js';
import { subscribeObjectCreated } from '../../infra/local/s3-events.js';
import { errorCode, postForm, startS3TestStack, TEST_BUCKET, TEST_ORIGIN, TEST_REGION, type S3TestStack } from './helpers/s3-stack.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const EVENT_TIME = new Date('2025-03-31T16:45:00.000Z');

let stack: S3TestStack;
let clockOffsetMs = 0;
let events: S3EventRecord[] = [];
let unsubscribe: () => void;
let keyCounter = 0;

beforeAll(async () => {
  stack = await startS3TestStack({ now: () => new Date(Date.now() + clockOffsetMs), maxBodyBytes: 1024 * 1024 });
  unsubscribe = subscribeObjectCreated(stack.emulator.server, {
    filter: { prefix: INCOMING_PREFIX },
    region: TEST_REGION,
    now: () => EVENT_TIME,
    deliver: (record) => {
      events.push(record);
    },
  });
});

afterAll(async () => {
  unsubscribe?.();
  await stack?.close();
});

beforeEach(() => {
  clockOffsetMs = 0;
  events = [];
});

function freshKey(prefix = INCOMING_PREFIX): string {
  keyCounter += 1;
  return `${prefix}2025-Q1/STP/0000000000-${keyCounter.toString(16).padStart(16, '0')}/upload.xlsx`;
}

async function presign(key: string, opts: { max?: number; min?: number; contentType?: string; expires?: number } = {}): Promise<PresignedPost> {
  const contentType = opts.contentType ?? XLSX;
  return createPresignedPost(stack.presigner, {
    Bucket: TEST_BUCKET,
    Key: key,
    Conditions: [
      ['content-length-range', opts.min ?? 1, opts.max ?? 64],
      ['eq', '$Content-Type', contentType],
      ['eq', '$key', key],
    ],
    Fields: { 'Content-Type': contentType },
    Expires: opts.expires ?? 900,
  });
}

const bytes = (n: number, fill = 0x41): Uint8Array => new Uint8Array(n).fill(fill);

async function stored(key: string): Promise<{ body: Buffer; contentType: string | undefined } | null> {
  try {
    const out = await stack.upstream.send(new GetObjectCommand({ Bucket: TEST_BUCKET, Key: key }));
    return { body: Buffer.from(await out.Body!.transformToByteArray()), contentType: out.ContentType };
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return null;
    throw err;
  }
}

/** Lets setImmediate-dispatched events arrive. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

async function expectRefused(res: Response, status: number, code: string): Promise<string> {
  const text = await res.text();
  expect({ status: res.status, code: errorCode(text) }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toBe('application/xml');
  expect(text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>/);
  expect(text).toMatch(/<RequestId>[0-9A-F]{16}<\/RequestId><\/Error>$/);
  return text;
}

describe('startS3Front: presigned POST like S3', () => {
  it('is the URL createPresignedPost produces for a path-style client pointed at the front', async () => {
    // Prepare / Act
    const post = await presign(freshKey());
    // Assess
    expect(post.url).toBe(`${stack.front.url}/${TEST_BUCKET}`);
    expect(stack.front.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('stores a valid upload (204) with its content type and bytes, and emits one AWS-shaped event', async () => {
    const key = freshKey();
    const post = await presign(key);
    const body = bytes(40, 0x50);

    const res = await postForm(post.url, post.fields, { bytes: body, type: 'application/octet-stream', name: 'Báo cáo.xlsx' });

    expect(res.status).toBe(204);
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    const obj = await stored(key);
    expect(obj?.contentType).toBe(XLSX);
    expect(obj?.body.equals(Buffer.from(body))).toBe(true);
    await vi.waitFor(() => expect(events).toHaveLength(1));
    await settle();
    expect(events).toHaveLength(1);
    const [record] = events as [S3EventRecord];
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: TEST_REGION,
      eventTime: EVENT_TIME.toISOString(),
      eventName: 'ObjectCreated:Post',
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: TEST_BUCKET, arn: `arn:aws:s3:::${TEST_BUCKET}` },
        object: { key, size: 40, eTag: res.headers.get('etag')!.replace(/"/g, '') },
      },
    });
    expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]{16,}$/);
  });

  it('encodes a key with spaces, + and Vietnamese in the event as AWS does', async () => {
    const key = `${INCOMING_PREFIX}thử nghiệm/Báo cáo+quý 1 (${++keyCounter}).json`.normalize('NFC');
    const post = await presign(key, { contentType: 'application/json' });

    const res = await postForm(post.url, post.fields, { bytes: bytes(10), type: 'application/json' });

    expect(res.status).toBe(204);
    await vi.waitFor(() => expect(events).toHaveLength(1));
    const encoded = events[0]!.s3.object.key;
    expect(encoded).toBe(`incoming/th%E1%BB%AD+nghi%E1%BB%87m/B%C3%A1o+c%C3%A1o%2Bqu%C3%BD+1+%28${keyCounter}%29.json`);
    expect(decodeEventKey(encoded)).toBe(key);
  });

  it('emits no event for an object outside incoming/', async () => {
    const key = freshKey('reports/');
    const post = await presign(key);
    const res = await postForm(post.url, post.fields, { bytes: bytes(5) });
    expect(res.status).toBe(204);
    expect(await stored(key)).not.toBeNull();
    await settle();
    expect(events).toHaveLength(0);
  });

  it('answers 201 with the XML PostResponse when success_action_status is 201 and signed', async () => {
    const key = freshKey();
    const post = await createPresignedPost(stack.presigner, {
      Bucket: TEST_BUCKET,
      Key: key,
      Conditions: [['content-length-range', 1, 64], { success_action_status: '201' }],
      Fields: { 'Content-Type': XLSX, success_action_status: '201' },
      Expires: 60,
    });
    const res = await postForm(post.url, post.fields, { bytes: bytes(3) });
    expect(res.status).toBe(201);
    const xml = await res.text();
    expect(xml).toContain(`<Bucket>${TEST_BUCKET}</Bucket><Key>${key}</Key><ETag>&quot;`);
    expect(res.headers.get('location')).toBe(`${stack.front.url}/${TEST_BUCKET}/${key}`);
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: the test's name quotes S3's ${filename} placeholder.
  it('substitutes ${filename} in the key before checking starts-with', async () => {
    const prefix = `${INCOMING_PREFIX}byname/${++keyCounter}/`;
    const post = await createPresignedPost(stack.presigner, {
      Bucket: TEST_BUCKET,
      Key: `${prefix}\${filename}`,
      Conditions: [['content-length-range', 1, 64]],
      Fields: {},
      Expires: 60,
    });
    const res = await postForm(post.url, post.fields, { bytes: bytes(4), name: 'Kế hoạch 2025.json' });
    expect(res.status).toBe(204);
    expect((await stored(`${prefix}Kế hoạch 2025.json`))?.contentType).toBe('binary/octet-stream');
  });

  it('refuses a credential for another region or another algorithm', async () => {
    const post = await presign(freshKey());
    const credential = post.fields['X-Amz-Credential']!.replace(TEST_REGION, 'us-east-1');
    await expectRefused(await postForm(post.url, { ...post.fields, 'X-Amz-Credential': credential }, { bytes: bytes(1) }), 400, 'InvalidArgument');
    await expectRefused(await postForm(post.url, { ...post.fields, 'X-Amz-Algorithm': 'AWS4-HMAC-SHA1' }, { bytes: bytes(1) }), 400, 'InvalidArgument');
  });

  it('refuses a file over the content-length-range maximum: EntityTooLarge, nothing stored, no event', async () => {
    const key = freshKey();
    const post = await presign(key, { max: 16 });
    const res = await postForm(post.url, post.fields, { bytes: bytes(17) });
    const text = await expectRefused(res, 400, 'EntityTooLarge');
    expect(text).toContain('<MaxSizeAllowed>16</MaxSizeAllowed>');
    expect(await stored(key)).toBeNull();
    await settle();
    expect(events).toHaveLength(0);
  });

  it('refuses an upload far beyond the maximum without reading it all, and keeps serving', async () => {
    const key = freshKey();
    const post = await presign(key, { max: 16 });
    const outcome = await postForm(post.url, post.fields, { bytes: bytes(20 * 1024 * 1024) }).then(
      async (r) => ({ status: r.status, code: errorCode(await r.text()) }),
      () => ({ status: 0, code: 'connection closed' }),
    );
    // S3 answers early and closes; a client still sending may see the answer or only the close.
    expect([
      { status: 400, code: 'EntityTooLarge' },
      { status: 0, code: 'connection closed' },
    ]).toContainEqual(outcome);
    expect(await stored(key)).toBeNull();
    const again = await presign(freshKey());
    expect((await postForm(again.url, again.fields, { bytes: bytes(1) })).status).toBe(204);
  });

  it('refuses an empty file when the minimum is 1: EntityTooSmall', async () => {
    const key = freshKey();
    const post = await presign(key, { min: 1 });
    await expectRefused(await postForm(post.url, post.fields, { bytes: new Uint8Array(0) }), 400, 'EntityTooSmall');
    expect(await stored(key)).toBeNull();
  });

  it('refuses the front-wide cap even when the policy allows more', async () => {
    const key = freshKey();
    const post = await presign(key, { max: 10 * 1024 * 1024 });
    await expectRefused(await postForm(post.url, post.fields, { bytes: bytes(1024 * 1024 + 1) }), 400, 'EntityTooLarge');
  });

  it('refuses another Content-Type than the signed one: AccessDenied', async () => {
    const key = freshKey();
    const post = await presign(key);
    const text = await expectRefused(await postForm(post.url, { ...post.fields, 'Content-Type': 'text/html' }, { bytes: bytes(5) }), 403, 'AccessDenied');
    expect(text).toContain('Invalid according to Policy: Policy Condition failed: [&quot;eq&quot;, &quot;$Content-Type&quot;');
    expect(await stored(key)).toBeNull();
  });

  it('refuses another key than the signed one: AccessDenied', async () => {
    const key = freshKey();
    const post = await presign(key);
    const other = freshKey();
    await expectRefused(await postForm(post.url, { ...post.fields, key: other }, { bytes: bytes(5) }), 403, 'AccessDenied');
    expect(await stored(other)).toBeNull();
    expect(await stored(key)).toBeNull();
  });

  it('refuses after expiry: AccessDenied "Policy expired."', async () => {
    const key = freshKey();
    const post = await presign(key, { expires: 900 });
    clockOffsetMs = 901_000;
    const text = await expectRefused(await postForm(post.url, post.fields, { bytes: bytes(5) }), 403, 'AccessDenied');
    expect(text).toContain('<Message>Invalid according to Policy: Policy expired.</Message>');
    expect(await stored(key)).toBeNull();
  });

  it('refuses a tampered signature: SignatureDoesNotMatch', async () => {
    const key = freshKey();
    const post = await presign(key);
    const sig = post.fields['X-Amz-Signature']!;
    const tampered = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
    await expectRefused(await postForm(post.url, { ...post.fields, 'X-Amz-Signature': tampered }, { bytes: bytes(5) }), 403, 'SignatureDoesNotMatch');
    expect(await stored(key)).toBeNull();
  });

  it('refuses a policy re-encoded with a bigger maximum: SignatureDoesNotMatch', async () => {
    const key = freshKey();
    const post = await presign(key, { max: 16 });
    const doc = JSON.parse(Buffer.from(post.fields.Policy!, 'base64').toString('utf8')) as { conditions: unknown[] };
    doc.conditions = doc.conditions.map((c) => (Array.isArray(c) && c[0] === 'content-length-range' ? ['content-length-range', 1, 1_000_000] : c));
    const policy = Buffer.from(JSON.stringify(doc)).toString('base64');
    await expectRefused(await postForm(post.url, { ...post.fields, Policy: policy }, { bytes: bytes(100) }), 403, 'SignatureDoesNotMatch');
    expect(await stored(key)).toBeNull();
  });

  it('refuses a field the policy does not cover, but accepts x-ignore-* fields', async () => {
    const key = freshKey();
    const post = await presign(key);
    const text = await expectRefused(await postForm(post.url, { ...post.fields, 'x-amz-meta-unit': 'STP' }, { bytes: bytes(5) }), 403, 'AccessDenied');
    expect(text).toContain('Invalid according to Policy: Extra input fields: x-amz-meta-unit');
    expect(await stored(key)).toBeNull();

    const ok = await postForm(post.url, { ...post.fields, 'x-ignore-note': 'anything' }, { bytes: bytes(5) });
    expect(ok.status).toBe(204);
  });

  it('refuses an unknown access key: 403 InvalidAccessKeyId', async () => {
    const key = freshKey();
    const stranger = makeLocalS3Client(stack.front.url, { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'S3RVER' }, TEST_REGION);
    try {
      const post = await createPresignedPost(stranger, { Bucket: TEST_BUCKET, Key: key, Fields: {}, Expires: 60 });
      await expectRefused(await postForm(post.url, post.fields, { bytes: bytes(5) }), 403, 'InvalidAccessKeyId');
    } finally {
      stranger.destroy();
    }
    expect(await stored(key)).toBeNull();
  });

  it('refuses the same presigned POST replayed after success; the first object stays', async () => {
    const key = freshKey();
    const post = await presign(key);
    const first = bytes(8, 0x31);
    expect((await postForm(post.url, post.fields, { bytes: first })).status).toBe(204);
    await vi.waitFor(() => expect(events).toHaveLength(1));

    await expectRefused(await postForm(post.url, post.fields, { bytes: bytes(9, 0x32) }), 403, 'AccessDenied');

    expect((await stored(key))?.body.equals(Buffer.from(first))).toBe(true);
    await settle();
    expect(events).toHaveLength(1);
  });

  it('lets only one of two racing uploads of the same key land', async () => {
    const key = freshKey();
    const post = await presign(key);
    const results = await Promise.all([1, 2].map((n) => postForm(post.url, post.fields, { bytes: bytes(8, 0x30 + n) }).then((r) => r.status)));
    expect(results.sort()).toEqual([204, 403]);
  });

  it('ignores fields after the file, as S3 does', async () => {
    const key = freshKey();
    const post = await presign(key);
    const res = await postForm(post.url, post.fields, { bytes: bytes(5) }, [['x-amz-meta-late', 'ignored']]);
    expect(res.status).toBe(204);
  });

  it('asks for the missing pieces: no file, no key, no policy', async () => {
    const key = freshKey();
    const post = await presign(key);
    await expectRefused(await postForm(post.url, post.fields, null), 400, 'InvalidArgument');
    const { key: _k, ...noKey } = post.fields;
    await expectRefused(await postForm(post.url, noKey, { bytes: bytes(5) }), 400, 'InvalidArgument');
    const { Policy: _p, ...noPolicy } = post.fields;
    await expectRefused(await postForm(post.url, noPolicy, { bytes: bytes(5) }), 403, 'AccessDenied');
    expect(await stored(key)).toBeNull();
  });

  it('answers malformed multipart with 400 and keeps serving', async () => {
    const boundary = 'xyzzy';
    const multipart = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    const truncatedField = `--${boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\nincoming/x`;
    const res = await fetch(`${stack.front.url}/${TEST_BUCKET}`, { method: 'POST', headers: multipart, body: truncatedField });
    await expectRefused(res, 400, 'MalformedPOSTRequest');

    // a fully signed form whose file part never ends: refused, nothing stored
    const key = freshKey();
    const post = await presign(key);
    const fields = Object.entries(post.fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('');
    const truncatedFile = `${fields}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\nabc`;
    await expectRefused(await fetch(post.url, { method: 'POST', headers: multipart, body: truncatedFile }), 400, 'MalformedPOSTRequest');
    expect(await stored(key)).toBeNull();

    const noBoundary = await fetch(`${stack.front.url}/${TEST_BUCKET}`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; charset=utf-8' },
      body: 'garbage',
    });
    await expectRefused(noBoundary, 400, 'MalformedPOSTRequest');

    const headerGarbage = `--${boundary}\r\n\u0000\u0001bad header without colon\r\n\r\nx\r\n--${boundary}--\r\n`;
    const res3 = await fetch(`${stack.front.url}/${TEST_BUCKET}`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: headerGarbage,
    });
    expect(res3.status).toBe(400);
    await res3.text();

    const notMultipart = await fetch(`${stack.front.url}/${TEST_BUCKET}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await expectRefused(notMultipart, 412, 'PreconditionFailed');

    const next = await presign(freshKey());
    expect((await postForm(next.url, next.fields, { bytes: bytes(1) })).status).toBe(204);
  });

  it('refuses pre-file fields over 20 KB: MaxPostPreDataLengthExceededError', async () => {
    const post = await presign(freshKey());
    const res = await postForm(post.url, { ...post.fields, 'x-ignore-pad': 'p'.repeat(21 * 1024) }, { bytes: bytes(1) });
    await expectRefused(res, 400, 'MaxPostPreDataLengthExceededError');
  });

  it('survives an uploader that goes away mid-body: nothing stored, still serving', async () => {
    const key = freshKey();
    const post = await presign(key);
    const boundary = 'abort-boundary';
    const head = Object.entries(post.fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('');
    const url = new URL(post.url);
    await new Promise<void>((resolve) => {
      const req = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': '100000' },
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write(`${head}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\nAAAA`);
      setTimeout(() => req.destroy(), 50);
    });
    await settle();
    expect(await stored(key)).toBeNull();
    const again = await presign(freshKey());
    expect((await postForm(again.url, again.fields, { bytes: bytes(1) })).status).toBe(204);
  });

  it('answers other methods, paths and unknown buckets with S3 errors', async () => {
    await expectRefused(await fetch(`${stack.front.url}/${TEST_BUCKET}`), 405, 'MethodNotAllowed');
    await expectRefused(await fetch(`${stack.front.url}/`), 405, 'MethodNotAllowed');
    await expectRefused(await fetch(`${stack.front.url}/${TEST_BUCKET}/some/key`, { method: 'PUT', body: 'x' }), 405, 'MethodNotAllowed');
    await expectRefused(await fetch(`${stack.front.url}/no-such-bucket`, { method: 'POST', body: new FormData() }), 404, 'NoSuchBucket');
    await expectRefused(await fetch(`${stack.front.url}/%E0%A4%A`, { method: 'POST' }), 400, 'InvalidURI');
  });

  describe('presigned GET (reports and large attachments go to browsers this way)', () => {
    async function stored(key: string, body: string): Promise<void> {
      await stack.upstream.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: key, Body: body, ContentType: 'text/csv; charset=utf-8' }));
    }
    const link = (key: string, expiresIn = 300) =>
      getSignedUrl(stack.presigner, new GetObjectCommand({ Bucket: TEST_BUCKET, Key: key, ResponseContentDisposition: 'attachment; filename="bao-cao.csv"' }), {
        expiresIn,
      });

    it('serves the object with its type and the signed Content-Disposition', async () => {
      await stored('reports/2025-Q1/tong-hop/a.csv', 'mã,đơn vị\nSTP,1');
      const res = await fetch(await link('reports/2025-Q1/tong-hop/a.csv'));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="bao-cao.csv"');
      expect(await res.text()).toBe('mã,đơn vị\nSTP,1');
    });

    it('refuses a link whose signature or signed parameters were changed: SignatureDoesNotMatch', async () => {
      await stored('reports/2025-Q1/tong-hop/b.csv', 'x');
      const url = new URL(await link('reports/2025-Q1/tong-hop/b.csv'));
      const tampered = new URL(url);
      tampered.searchParams.set('X-Amz-Signature', '0'.repeat(64));
      await expectRefused(await fetch(tampered), 403, 'SignatureDoesNotMatch');
      const otherName = new URL(url);
      otherName.searchParams.set('response-content-disposition', 'attachment; filename="khac.csv"');
      await expectRefused(await fetch(otherName), 403, 'SignatureDoesNotMatch');
      const otherKey = new URL(url.href.replace('/b.csv', '/a.csv'));
      await expectRefused(await fetch(otherKey), 403, 'SignatureDoesNotMatch');
    });

    it('refuses an expired link: AccessDenied "Request has expired"', async () => {
      await stored('reports/2025-Q1/tong-hop/c.csv', 'x');
      const url = await link('reports/2025-Q1/tong-hop/c.csv', 60);
      clockOffsetMs = 61_000;
      const res = await fetch(url);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('Request has expired');
    });

    it('answers a signed link to a missing key with NoSuchKey, and a GET without a signature with MethodNotAllowed', async () => {
      await expectRefused(await fetch(await link('reports/2025-Q1/tong-hop/none.csv')), 404, 'NoSuchKey');
      await expectRefused(await fetch(`${stack.front.url}/${TEST_BUCKET}/reports/2025-Q1/tong-hop/a.csv`), 405, 'MethodNotAllowed');
    });
  });

  describe('CORS', () => {
    it('answers a preflight from an allowed origin', async () => {
      const res = await fetch(`${stack.front.url}/${TEST_BUCKET}`, {
        method: 'OPTIONS',
        headers: { origin: TEST_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
      expect(res.headers.get('access-control-allow-methods')).toBe('POST');
      expect(res.headers.get('access-control-allow-headers')).toBe('content-type');
      expect(res.headers.get('vary')).toContain('Origin');
    });

    it('refuses a preflight from a foreign origin, without CORS headers', async () => {
      const res = await fetch(`${stack.front.url}/${TEST_BUCKET}`, {
        method: 'OPTIONS',
        headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
      });
      await expectRefused(res, 403, 'AccessForbidden');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('vary')).toContain('Origin');
    });

    it('lets an allowed origin read the answer and its ETag/Location, even an error', async () => {
      const post = await presign(freshKey());
      const ok = await postForm(post.url, post.fields, { bytes: bytes(2) }, [], { origin: TEST_ORIGIN });
      expect(ok.status).toBe(204);
      expect(ok.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
      expect(ok.headers.get('access-control-expose-headers')).toMatch(/ETag.*Location/);

      const refused = await postForm(post.url, post.fields, { bytes: bytes(2) }, [], { origin: 'http://evil.example' });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      await refused.text();
    });
  });
});

describe('startS3Emulator', () => {
  it('pages ListObjectsV2 on this Node without --openssl-legacy-provider, and stores SDK bodies byte-exact', async () => {
    const prefix = `paging/${Date.now()}/`;
    for (const n of [1, 2, 3]) {
      await stack.upstream.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: `${prefix}${n}`, Body: `body ${n}` }));
    }
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await stack.upstream.send(new ListObjectsV2Command({ Bucket: TEST_BUCKET, Prefix: prefix, MaxKeys: 1, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((c) => c.Key!));
      token = page.NextContinuationToken;
    } while (token);
    expect(keys).toEqual([`${prefix}1`, `${prefix}2`, `${prefix}3`]);
    const head = await stack.upstream.send(new HeadObjectCommand({ Bucket: TEST_BUCKET, Key: `${prefix}2` }));
    expect(head.ContentLength).toBe('body 2'.length);
  });
});

/**
 * The API's answers as a browser and curl meet them: a Vietnamese 413 for an oversized body (not a
 * connection reset), a 500 for a server failure (not a 413), `nosniff` on every answer, and file
 * names shown without bidi or other invisible controls wherever they are displayed.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_HTTP_LIMITS, serveHttpHandler } from '../../infra/local/http-server.js';
import { sampleSubmission } from '../../shared/domain/sample-submission.js';
import { toSubmissionJson } from '../../shared/domain/submission-json.js';
import { displayFileName } from '../../shared/domain/text.js';
import { silentLog } from '../../shared/application/log.js';
import { revokeUnitTokens } from '../../shared/application/tokens.js';
import { startTestStack, type TestStack } from './helpers/pipeline-stack.js';

let stack: TestStack;
let token: string;

beforeAll(async () => {
  stack = await startTestStack({ now: new Date('2021-03-10T08:00:00+07:00'), schedulerIntervalMs: 0 });
  token = await stack.token('STP');
}, 60_000);
afterAll(async () => {
  await stack?.dispose();
});

describe('local API server', () => {
  it('answers a body over 1 MB with a Vietnamese 413 in the API error shape, not a reset', async () => {
    const res = await fetch(`${stack.apiUrl}/api/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ periodId: '2021-Q1', fileName: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(body.error.message).toContain('quá lớn');
  });

  it('answers a handler failure with a 500, not a 413', async () => {
    const server = serveHttpHandler(async () => {
      throw new Error('boom');
    }, silentLog);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/me`);
      expect(res.status).toBe(500);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('INTERNAL');
    } finally {
      server.close();
    }
  });
});

describe("the local server keeps AWS's HTTP quotas", () => {
  async function serve(handler: Parameters<typeof serveHttpHandler>[0], limits = AWS_HTTP_LIMITS) {
    const server = serveHttpHandler(handler, silentLog, limits);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
  }

  it("an answer over Lambda's 6 MB payload fails as it would on AWS (500), one just under passes", async () => {
    const big = Buffer.alloc(4_800_000, 1).toString('base64'); // 6.4 MB once base64
    const fits = Buffer.alloc(4_400_000, 1).toString('base64'); // 5.9 MB
    const s = await serve(async (e) => ({ statusCode: 200, isBase64Encoded: true, body: e.rawPath === '/big' ? big : fits }));
    try {
      const refused = await fetch(`${s.url}/big`);
      expect(refused.status).toBe(500);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('INTERNAL');
      const served = await fetch(`${s.url}/fits`);
      expect(served.status).toBe(200);
      expect((await served.arrayBuffer()).byteLength).toBe(4_400_000);
    } finally {
      s.close();
    }
  });

  it('an answer later than the integration timeout is a 503 with a Vietnamese message (limit lowered for the test)', async () => {
    const s = await serve(() => new Promise((r) => setTimeout(() => r({ statusCode: 200, body: 'late' }), 400)), { ...AWS_HTTP_LIMITS, timeoutMs: 100 });
    try {
      const res = await fetch(`${s.url}/api/me`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('Vui lòng thử lại');
    } finally {
      s.close();
    }
  });

  it('uses the AWS figures by default: 6 MB and 30 s', () => {
    expect(AWS_HTTP_LIMITS).toEqual({ maxResponseBytes: 6 * 1024 * 1024, timeoutMs: 30_000 });
  });
});

describe('revocation and the upload ticket', () => {
  it('a ticket expires within 5 minutes; one issued before a revocation still stores its file, the next request is refused', async () => {
    const unit = await stack.token('HUE');
    const bytes = Buffer.from(JSON.stringify(toSubmissionJson(sampleSubmission('HUE', '2021-Q1', { asOf: new Date('2021-03-10T08:00:00+07:00') }))));
    const ticket = await stack.requestUpload(unit, { periodId: '2021-Q1', fileName: 'hue.json', contentType: 'application/json', size: bytes.length });
    expect(ticket.status).toBe(201);
    const policy = JSON.parse(Buffer.from(ticket.json.fields.Policy, 'base64').toString('utf8')) as { expiration: string };
    expect(Date.parse(policy.expiration) - Date.now()).toBeLessThanOrEqual(300_000);
    expect(await revokeUnitTokens(stack.deps, 'HUE')).toBe(1);
    // S3 checks only the POST policy: the ticket outlives the token until it expires (documented)
    expect((await stack.post(ticket.json, bytes, 'application/json')).status).toBe(204);
    const again = await stack.requestUpload(unit, { periodId: '2021-Q1', fileName: 'hue.json', contentType: 'application/json', size: bytes.length });
    expect(again.status).toBe(401);
    await new Promise((r) => setTimeout(r, 20));
    await stack.drain();
  });
});

describe('X-Content-Type-Options: nosniff', () => {
  it('is on every kind of answer: JSON, errors, the Excel template, the portal pages', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const answers = await Promise.all([
      fetch(`${stack.apiUrl}/api/me`, { headers: auth }),
      fetch(`${stack.apiUrl}/api/me`),
      fetch(`${stack.apiUrl}/api/nothing-here`, { headers: auth }),
      fetch(`${stack.apiUrl}/api/template?periodId=2021-Q1`, { headers: auth }),
      fetch(`${stack.apiUrl}/api/admin/board`, { headers: auth }),
      fetch(`${stack.apiUrl}/`),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 401, 404, 200, 403, 200]);
    for (const r of answers) expect(r.headers.get('x-content-type-options'), r.url).toBe('nosniff');
  });
});

describe('file names shown without invisible controls', () => {
  const hostile = 'bao-cao\u202Enosj.exe\u202C\u2066\u200F\u061C\u200B\u0085\u0007.json';

  it('strips bidi embeddings, overrides, isolates, marks, zero-width and C0/C1 controls', () => {
    expect(displayFileName(hostile)).toBe('bao-caonosj.exe.json');
    for (const c of [
      '\u202A',
      '\u202B',
      '\u202C',
      '\u202D',
      '\u202E',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u200E',
      '\u200F',
      '\u061C',
      '\u200B',
      '\u200D',
      '\uFEFF',
      '\u0000',
      '\u001F',
      '\u007F',
      '\u0080',
      '\u009F',
    ]) {
      expect(displayFileName(`a${c}b.xlsx`), `U+${c.codePointAt(0)!.toString(16)}`).toBe('ab.xlsx');
    }
    expect(displayFileName('Báo cáo quý I.xlsx')).toBe('Báo cáo quý I.xlsx');
  });

  it('an upload named with a right-to-left override shows its real name in the portal list and the receipt', async () => {
    const bytes = Buffer.from(JSON.stringify(toSubmissionJson(sampleSubmission('STP', '2021-Q1', { asOf: new Date('2021-03-10T08:00:00+07:00') }))));
    await stack.upload(token, '2021-Q1', bytes, 'application/json', hostile);
    const res = await fetch(`${stack.apiUrl}/api/submissions?periodId=2021-Q1`, { headers: { authorization: `Bearer ${token}` } });
    const { submissions } = (await res.json()) as { submissions: { fileName: string }[] };
    expect(submissions.map((s) => s.fileName)).toEqual(['bao-caonosj.exe.json']);
    const receipt = (await stack.sesMail()).find((m) => m.destination.to.some((t) => t.includes('stp')))!;
    expect(receipt.body.text).toContain('bao-caonosj.exe.json');
    expect(receipt.body.text).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F]/);
  });
});

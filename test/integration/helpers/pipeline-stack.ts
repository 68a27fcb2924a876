import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack, type LocalStackOptions, type SignedSampleOptions } from '../../../infra/local/stack.js';
import { MEDIA_TYPES } from '../../../shared/domain/media-types.js';
import type { MeResponse } from '../../../shared/web/api-types.js';
import { TEST_DEMO_CA_DIR } from '../../fixtures/pdf-signing.js';
import { issueToken } from '../../../shared/application/tokens.js';

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface TestStack extends LocalStack {
  token(unitCode: string): Promise<string>;
  /** Asks the API for an upload link, as the portal does. */
  requestUpload(token: string, body: Record<string, unknown>): Promise<{ status: number; json: any }>;
  /** Posts a file to a presigned POST, as a browser does. */
  post(ticket: { url: string; fields: Record<string, string> }, bytes: Uint8Array, contentType: string, fields?: Record<string, string>): Promise<Response>;
  /** requestUpload + post + drain; returns the upload id. */
  upload(token: string, periodId: string, bytes: Uint8Array, contentType?: string, fileName?: string): Promise<string>;
  /**
   * Uploads the unit's signed report for a period, as the portal sends a PDF: the stack's sample
   * report signed with its demo CA by the unit's head, then the unit itself (signedSampleReport),
   * the organisation signing at `at` (default: the clock's now, so never after the receipt).
   * `options` make a failing report (another signer, no signature, saved again after signing). The
   * unit is the token's. Returns the upload id; the pipeline has drained when it returns.
   *
   * The report's leader is the head the default sample form names (sampleSubmission): a form and a
   * report made with the defaults are one dossier.
   */
  uploadReport(token: string, periodId: string, at?: Date, options?: SignedSampleOptions): Promise<string>;
  /** Mail the SES emulator accepted. */
  sesMail(): Promise<{ messageId: string; subject: string; destination: { to: string[] }; body: { html?: string; text?: string } }[]>;
  dispose(): Promise<void>;
}

/** A private local stack in a temporary folder, on free ports, with the outbox loop off. */
export async function startTestStack(options: LocalStackOptions = {}): Promise<TestStack> {
  const dir = await mkdtemp(join(tmpdir(), 'cchc-it-'));
  const stack = await startLocalStack({
    dataDir: dir,
    // One demo CA for every test stack (its RSA keys take seconds to make); the stack still installs it in its own trust folder.
    demoCaDir: TEST_DEMO_CA_DIR,
    port: 0,
    s3Port: 0,
    outboxIntervalMs: 0,
    retryDelayMs: 20,
    templateKey: 'test-template-key',
    tokenKey: 'test-token-key',
    ...options,
  });
  const self: TestStack = Object.assign(stack, {
    async token(unitCode: string) {
      return (await issueToken(stack.deps, unitCode)).token;
    },
    async requestUpload(token: string, body: Record<string, unknown>) {
      const res = await fetch(`${stack.apiUrl}/api/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: await res.json() };
    },
    async post(ticket: { url: string; fields: Record<string, string> }, bytes: Uint8Array, contentType: string, fields: Record<string, string> = {}) {
      const form = new FormData();
      for (const [k, v] of Object.entries({ ...ticket.fields, ...fields })) form.append(k, v);
      form.append('file', new Blob([bytes], { type: contentType }), 'upload');
      return fetch(ticket.url, { method: 'POST', body: form });
    },
    async upload(token: string, periodId: string, bytes: Uint8Array, contentType = 'application/json', fileName = 'bao-cao.json') {
      const r = await self.requestUpload(token, { periodId, fileName, contentType, size: bytes.length });
      if (r.status !== 201) throw new Error(`upload link refused: ${r.status} ${JSON.stringify(r.json)}`);
      const res = await self.post(r.json, bytes, contentType);
      if (res.status !== 204) throw new Error(`upload refused: ${res.status} ${await res.text()}`);
      // the S3 event is dispatched on a later turn; give it one before draining
      await new Promise((r2) => setTimeout(r2, 20));
      await stack.drain();
      return r.json.uploadId as string;
    },
    async uploadReport(token: string, periodId: string, at?: Date, options?: SignedSampleOptions) {
      const me = await fetch(`${stack.apiUrl}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      if (me.status !== 200) throw new Error(`token refused by /api/me: ${me.status}`);
      const { unitCode } = (await me.json()) as MeResponse;
      const pdf = await stack.signedSampleReport(unitCode, periodId, at, options);
      return self.upload(token, periodId, pdf, MEDIA_TYPES.pdf, `Bao-cao-${unitCode}-${periodId}-da-ky-so.pdf`);
    },
    async sesMail() {
      const res = await fetch(`${stack.endpoints.ses}/store`);
      return ((await res.json()) as { emails: any[] }).emails;
    },
    async dispose() {
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    },
  });
  return self;
}

/**
 * After a whole demo period (uploads, rejections, resubmissions, D-3/D-1 reminders with personal
 * links, the close, the consolidated e-mail, late uploads, the addendum) nothing the product stored
 * authenticates: not a DynamoDB item, not an S3 object, not a kept .eml copy, not a log line, not any
 * file under the stack's data folder. MIME messages and zip containers (xlsx) are decoded before the
 * search, so an encoded token cannot hide.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { unzipSync } from 'fflate';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo, type DemoRun } from '../../infra/local/demo-driver.js';
import { LOCAL_BUCKET, LOCAL_TABLE } from '../../infra/local/stack.js';
import { DEFAULT_LOCAL_REGION, S3RVER_CREDENTIALS } from '../../infra/local/s3-emulator.js';
import { fileLog } from '../fixtures/file-log.js';
import { deriveToken, issueToken } from '../../shared/application/tokens.js';

const TOKEN_SHAPE = /cchc_[A-Za-z0-9_-]{43}/g;
const DEMO_TIMEOUT_MS = 240_000;

let dir: string;
let run: DemoRun;
let issued: string[];

/** Every readable text inside `bytes`: itself, the parts of a MIME message, the entries of a zip. */
async function texts(bytes: Uint8Array, depth = 0): Promise<string[]> {
  const raw = Buffer.from(bytes);
  const out = [raw.toString('latin1'), raw.toString('utf8')];
  if (depth > 3) return out;
  if (raw[0] === 0x50 && raw[1] === 0x4b && raw[2] === 0x03 && raw[3] === 0x04) {
    try {
      for (const entry of Object.values(unzipSync(raw))) out.push(...(await texts(entry, depth + 1)));
    } catch {
      // not a readable zip: its raw bytes were searched above
    }
  }
  const head = raw.subarray(0, 8192).toString('latin1');
  if (/^(MIME-Version|Content-Type|From|Message-ID):/im.test(head) && /\r?\n\r?\n/.test(head)) {
    const mail = await simpleParser(raw);
    out.push(mail.subject ?? '', mail.text ?? '', typeof mail.html === 'string' ? mail.html : '');
    for (const a of mail.attachments) out.push(...(await texts(a.content, depth + 1)));
  }
  // base64 blobs (an outbox `raw` field, a stored attribute) decoded once more
  for (const b64 of raw.toString('latin1').match(/[A-Za-z0-9+/]{200,}={0,2}/g) ?? []) {
    if (depth < 2) out.push(...(await texts(Buffer.from(b64, 'base64'), depth + 1)));
  }
  return out;
}

function filesUnder(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const p = join(root, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

let scanned: Promise<{ where: string; text: string }[]> | undefined;
/** Everything the stack stored, read once (the scan is slow: every item, object and file). */
function everythingStored(): Promise<{ where: string; text: string }[]> {
  scanned ??= scanAll();
  return scanned;
}

async function scanAll(): Promise<{ where: string; text: string }[]> {
  const found: { where: string; text: string }[] = [];
  const dynamo = new DynamoDBClient({ endpoint: run.stack.endpoints.dynamodb, region: DEFAULT_LOCAL_REGION, credentials: { ...S3RVER_CREDENTIALS } });
  let start: Record<string, any> | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName: LOCAL_TABLE, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      const json = JSON.stringify(item);
      for (const text of await texts(Buffer.from(json))) found.push({ where: `item ${item.pk?.S}/${item.sk?.S}`, text });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  dynamo.destroy();

  const s3 = new S3Client({ endpoint: run.stack.endpoints.s3, region: DEFAULT_LOCAL_REGION, credentials: { ...S3RVER_CREDENTIALS }, forcePathStyle: true });
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: LOCAL_BUCKET, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const body = await (await s3.send(new GetObjectCommand({ Bucket: LOCAL_BUCKET, Key: o.Key! }))).Body!.transformToByteArray();
      for (const text of await texts(body)) found.push({ where: `object ${o.Key}`, text });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  s3.destroy();

  for (const file of filesUnder(dir)) {
    for (const text of await texts(readFileSync(file))) found.push({ where: `file ${file.slice(dir.length)}`, text });
  }
  return found;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cchc-at-rest-'));
  const logFile = join(dir, 'stack.log');
  run = await runDemo({ periodId: '2021-Q1', dataDir: dir, log: fileLog(logFile) });
  // The Department's board link too: the most valuable credential.
  const admin = await issueToken(run.stack.deps, 'SNV', 'admin');
  issued = [...run.tokens.values(), admin.token];
}, DEMO_TIMEOUT_MS);

afterAll(async () => {
  await run?.stack.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('no live credential at rest after a full demo period', () => {
  it('the reminders that went out did carry working personal links (the scan below can see one)', async () => {
    const res = await fetch(`${run.stack.endpoints.ses}/store`);
    const sent = ((await res.json()) as { emails: { subject: string; body: { text?: string } }[] }).emails.filter((m) =>
      m.subject.startsWith('[CCHC] Nhắc nộp'),
    );
    expect(sent.length).toBeGreaterThan(0);
    const inSent = sent.flatMap((m) => m.body.text?.match(TOKEN_SHAPE) ?? []);
    expect(inSent.length).toBeGreaterThan(0);
    for (const t of inSent) expect(issued).toContain(t);
    // and the decoder finds a token inside a MIME-encoded message (the search is not blind to encodings)
    const { renderLinkTemplate } = await import('../../shared/documents/mail/link-template.js');
    const probe = await renderLinkTemplate(
      {
        from: 'a@b.example',
        messageIdHeader: '<x@y>',
        date: new Date().toISOString(),
        text: 'Kính gửi {{personal-link}} — Sở Nội vụ',
        html: '<p>{{personal-link}}</p>',
        linkUnit: 'STP',
      },
      ['c@d.example'],
      'Nhắc nộp',
      `http://localhost/#t=${issued[0]}`,
    );
    expect((await texts(probe.raw)).some((t) => t.includes(issued[0]!))).toBe(true);
    expect((await texts(probe.keptCopy)).some((t) => t.includes(issued[0]!))).toBe(false);
  });

  it(
    'no stored item, object, kept e-mail, log line or data file contains an issued token',
    async () => {
      const stored = await everythingStored();
      expect(stored.some((s) => s.where.startsWith('item TOKEN#'))).toBe(true);
      expect(stored.some((s) => s.where.startsWith('item MAIL#reminder-'))).toBe(true);
      expect(stored.some((s) => s.where.includes('.eml'))).toBe(true);
      expect(stored.some((s) => s.where === 'file /stack.log')).toBe(true);
      const leaks = stored.flatMap((s) => issued.filter((t) => s.text.includes(t)).map(() => s.where));
      expect([...new Set(leaks)]).toEqual([]);
    },
    DEMO_TIMEOUT_MS,
  );

  it(
    'no token-shaped string found anywhere authenticates at the API',
    async () => {
      const stored = await everythingStored();
      const candidates = [...new Set(stored.flatMap((s) => s.text.match(TOKEN_SHAPE) ?? []))];
      for (const candidate of candidates) {
        const res = await fetch(`${run.stack.apiUrl}/api/me`, { headers: { authorization: `Bearer ${candidate}` } });
        expect(res.status, candidate).toBe(401);
      }
      // the check itself is live: an issued token answers 200
      const ok = await fetch(`${run.stack.apiUrl}/api/me`, { headers: { authorization: `Bearer ${issued[0]}` } });
      expect(ok.status).toBe(200);
    },
    DEMO_TIMEOUT_MS,
  );

  it(
    'the stored token ids give nothing without the token key: the template key does not derive them',
    async () => {
      const stored = await everythingStored();
      const ids = [...new Set(stored.flatMap((s) => s.text.match(/"tokenId":\{"S":"([0-9a-f-]{36})"\}/g) ?? []).map((m) => m.slice(16, 52)))];
      expect(ids.length).toBeGreaterThanOrEqual(issued.length);
      const templateKey = await run.stack.deps.templateKey();
      for (const id of ids) expect(issued).not.toContain(deriveToken(templateKey, id));
    },
    DEMO_TIMEOUT_MS,
  );
});

import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSubmission } from '../../shared/domain/sample-submission.js';
import { toSubmissionJson } from '../../shared/domain/submission-json.js';
import { hashToken } from '../../shared/application/tokens.js';
import { startTestStack, type TestStack } from './helpers/pipeline-stack.js';

/**
 * The CLI as an operator runs it (a real process) against a local stack played in 2021, found with
 * --data-dir: the stack's virtual clock is the CLI's "now", and the mail the CLI sends is kept as
 * .eml files in the stack's mail folder.
 */

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

let stack: TestStack;

async function cchc(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, TABLE_NAME: '', TEMPLATE_SIGNING_KEY: 'test-template-key', CCHC_DATA_DIR: '' };
  try {
    const { stdout, stderr } = await run(TSX, ['shared/adapters/inbound/cli/main.ts', '--data-dir', stack.dataDir, ...args], { cwd: ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function mailsMatching(part: string): Promise<ParsedMail[]> {
  const files = (await readdir(stack.mailDir)).filter((f) => f.includes(part)).sort();
  return Promise.all(files.map(async (f) => simpleParser(await readFile(join(stack.mailDir, f)))));
}

beforeAll(async () => {
  stack = await startTestStack({ now: new Date('2021-03-10T08:00:00+07:00'), schedulerIntervalMs: 0, years: [2021] });
});
afterAll(async () => {
  await stack?.dispose();
});

describe('the CLI on a local stack played in 2021 (--data-dir)', { timeout: 120_000 }, () => {
  it('issues a Department link per named person, lists them, and revokes one alone', async () => {
    const unnamed = await cchc('token', 'issue', '--unit', 'SNV', '--admin');
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain('Cần ghi họ và tên người được cấp');
    const issue = (name: string, email: string, access: string) =>
      cchc('token', 'issue', '--unit', 'SNV', '--admin', '--name', name, '--email', email, '--access', access, '--json');
    const hoa = JSON.parse((await issue('Lê Thị Hoa', 'hoa@snv.example.gov.vn', 'reviewer')).stdout) as { token: string; tokenId: string };
    const binh = JSON.parse((await issue('Trần Văn Bình', 'binh@snv.example.gov.vn', 'viewer')).stdout) as { token: string; tokenId: string };
    const me = (await (await fetch(`${stack.apiUrl}/api/me`, { headers: { authorization: `Bearer ${binh.token}` } })).json()) as { user: unknown };
    expect(me.user).toEqual({ name: 'Trần Văn Bình', access: 'viewer', accessText: 'xem' });
    const list = await cchc('token', 'users');
    expect(list.stdout).toContain(`${hoa.tokenId}  Lê Thị Hoa  hoa@snv.example.gov.vn`);
    const revoked = await cchc('token', 'revoke', '--token-id', hoa.tokenId);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain('Đã thu hồi đường dẫn của Lê Thị Hoa');
    const status = async (t: string) => (await fetch(`${stack.apiUrl}/api/me`, { headers: { authorization: `Bearer ${t}` } })).status;
    expect(await status(hoa.token)).toBe(401);
    expect(await status(binh.token)).toBe(200);
  });

  it('token issue stamps the token on the stack clock', async () => {
    const r = await cchc('token', 'issue', '--unit', 'STP', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { token: string; expiresAt: string };
    const record = await stack.deps.stores.tokens.getByHash(hashToken(out.token));
    expect(record?.createdAt.slice(0, 10)).toBe('2021-03-10');
    // 400 days after 10/03/2021 on the virtual clock, not after today's real date
    expect(out.expiresAt.slice(0, 10)).toBe('2022-04-14');
    // the token works on the stack
    const me = await fetch(`${stack.apiUrl}/api/me`, { headers: { authorization: `Bearer ${out.token}` } });
    expect(me.status).toBe(200);
  });

  it('close refuses a period whose deadline has not come on the virtual clock', async () => {
    const r = await cchc('close', '--period', '2021-Q1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('chưa đến hạn');
    expect((await stack.deps.stores.periods.get('2021-Q1')).state).toBe('OPEN');
  });

  it('follows the clock when the stack jumps (the anchor in stack.json is rewritten)', async () => {
    stack.clock.set(new Date('2021-06-20T10:00:00+07:00'));
    const r = await cchc('close', '--period', '2021-H1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Đã đóng');
    const [mail] = await mailsMatching('_report-2021-H1-close');
    expect(mail, 'the close e-mail sent by the CLI is kept as .eml').toBeDefined();
    expect(mail!.date?.toISOString().slice(0, 10)).toBe('2021-06-20');
    stack.clock.set(new Date('2021-03-10T09:00:00+07:00'));
  });

  it('an early close says so; an on-time upload after it is in the next addendum, stamped on the virtual date', async () => {
    const early = await cchc('close', '--period', '2021-Q1', '--force');
    expect(early.code, early.stderr).toBe(0);
    expect(early.stdout).toContain('trước hạn');
    const [closeMail] = await mailsMatching('_report-2021-Q1-close');
    expect(closeMail!.date?.toISOString().slice(0, 10)).toBe('2021-03-10');
    expect(closeMail!.text).toContain('Kỳ được đóng trước hạn');
    expect(closeMail!.text).toContain('được đưa vào bản bổ sung');

    stack.clock.set(new Date('2021-03-12T10:00:00+07:00'));
    const sub = sampleSubmission('STP', '2021-Q1', { asOf: stack.clock.now() });
    const token = await stack.token('STP');
    await stack.upload(token, '2021-Q1', Buffer.from(JSON.stringify(toSubmissionJson(sub))), 'application/json', 'stp.json');
    await stack.uploadReport(token, '2021-Q1');
    const recs = await stack.deps.stores.submissions.listOfPeriod('2021-Q1');
    // the dossier: the data form and the signed report, both valid and on time
    expect(
      recs.map((r) => [r.part ?? 'form', r.status, r.onTime]),
      JSON.stringify(recs.map((r) => r.findings)),
    ).toEqual([
      ['form', 'valid', true],
      ['report', 'valid', true],
    ]);

    const add = await cchc('close', '--period', '2021-Q1', '--reissue');
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('bản bổ sung số 1');
    expect(add.stdout).toContain('1 đơn vị nộp sau lần tổng hợp trước');
    const [addMail] = await mailsMatching('_report-2021-Q1-addendum-1');
    expect(addMail, 'the addendum e-mail sent by the CLI is kept as .eml').toBeDefined();
    expect(addMail!.date?.toISOString().slice(0, 10)).toBe('2021-03-12');
    expect(addMail!.text).toContain('Sở Tư pháp');
    expect(addMail!.text).toMatch(/Nộp sau lần tổng hợp trước \(1\)/);
    const json = JSON.parse(
      Buffer.from(await stack.deps.uploads.get({ key: 'reports/2021-Q1/bo-sung-1/Tong-hop-CCHC-2021-Q1-bo-sung-1.json' }, 1e8)).toString('utf8'),
    );
    expect(json.coverage.all.included).toBe(1);
    expect(json.units.find((u: { unitCode: string }) => u.unitCode === 'STP').status).toBe('on_time');
    expect(json.generatedAt.slice(0, 10)).toBe('2021-03-12');
  });

  it('template --sample on the stack clock is valid the moment it is made, even for a period not yet begun', async () => {
    const out = join(stack.dataDir, 'mau', 'moi', 'stp-2021-year.xlsx');
    const t = await cchc('template', '--unit', 'STP', '--period', '2021-YEAR', '--out', out, '--sample');
    expect(t.code, t.stderr).toBe(0);
    const v = await cchc('validate', out, '--unit', 'STP', '--period', '2021-YEAR', '--json');
    expect(v.code, v.stdout).toBe(0);
    expect(JSON.parse(v.stdout).status).toBe('valid');
  });
});

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSubmission } from '../../shared/domain/sample-submission.js';
import { toSubmissionJson } from '../../shared/domain/submission-json.js';
import { makeHandleMailFeedbackHandler } from '../../shared/adapters/inbound/lambda/handle-mail-feedback.js';
import { makeValidateSubmissionHandler } from '../../shared/adapters/inbound/lambda/validate-submission.js';
import type { Mailer } from '../../shared/application/ports.js';
import { flushOutbox } from '../../shared/application/outbox.js';
import { revokeUnitTokens } from '../../shared/application/tokens.js';
import { startTestStack, type TestStack } from './helpers/pipeline-stack.js';

const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
const validJson = (unit: string, period: string): Uint8Array => enc(toSubmissionJson(sampleSubmission(unit, period)));

/** Before the Q1 2021 deadline, Vietnam time. */
const BEFORE_Q1_DEADLINE = new Date('2021-03-15T09:00:00+07:00');

let failSends = 0;
const flakyMailer = (inner: Mailer): Mailer => ({
  async sendRaw(m) {
    if (failSends > 0) {
      failSends -= 1;
      throw new Error('SES throttled (injected)');
    }
    return inner.sendRaw(m);
  },
});

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ now: BEFORE_Q1_DEADLINE, wrapMailer: flakyMailer });
});
afterAll(async () => {
  await stack?.dispose();
});

async function receiptsFor(uploadId: string) {
  return (await stack.sesMail()).filter((m) => m.messageId && JSON.stringify(m).includes(uploadId.slice(11, 19).toUpperCase()));
}

describe('upload → validate → record → receipt', () => {
  it('a valid upload is recorded as valid and current, and its receipt e-mail lands in SES and as an .eml file', async () => {
    const token = await stack.token('STP');
    const uploadId = await stack.upload(token, '2021-Q1', validJson('STP', '2021-Q1'), 'application/json', 'Báo cáo quý I.json');

    const res = await fetch(`${stack.apiUrl}/api/submissions?periodId=2021-Q1`, { headers: { authorization: `Bearer ${token}` } });
    const { submissions } = (await res.json()) as { submissions: any[] };
    expect(submissions).toHaveLength(1);
    expect(submissions[0]).toMatchObject({ uploadId, status: 'valid', onTime: true, current: true, fileName: 'Báo cáo quý I.json', findings: [] });
    expect(submissions[0].sha256).toMatch(/^[0-9a-f]{64}$/);

    const mails = await receiptsFor(uploadId);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.destination.to).toEqual(['vanthu.stp@thuathienhue.example']);
    expect(mails[0]!.subject).toContain('HỢP LỆ');

    const files = (await readdir(stack.mailDir)).filter((f) => f.includes(uploadId));
    expect(files).toHaveLength(1);
    const parsed = await simpleParser(await readFile(join(stack.mailDir, files[0]!)));
    expect(parsed.subject).toBe(mails[0]!.subject);
    expect(parsed.text).toContain(submissions[0].sha256);
    expect(parsed.text).toContain('Thời điểm hệ thống nhận: 09:00:');
    expect(parsed.text).toContain('Đúng hạn');
    expect(parsed.html).toContain('Báo cáo quý I.json');
  });

  it('an invalid upload is recorded as rejected and the receipt lists each finding with its sheet and cell', async () => {
    const token = await stack.token('STC');
    const sub = sampleSubmission('STC', '2021-Q1');
    sub.values['TT.HS.02'] = 51;
    sub.signature.signingForm = 'TL.';
    const uploadId = await stack.upload(token, '2021-Q1', enc(toSubmissionJson(sub)));
    const rec = (await stack.deps.stores.submissions.listOfUnit('STC', '2021-Q1')).find((r) => r.uploadId === uploadId)!;
    expect(rec.status).toBe('invalid');
    expect(rec.findings.map((f) => f.code)).toEqual(['RELATION_SUM', 'SIGNER_NOT_LEADERSHIP']);
    const [mail] = await receiptsFor(uploadId);
    expect(mail!.subject).toContain('KHÔNG HỢP LỆ');
    expect(mail!.body.text).toContain(`Số liệu — ô ${rec.findings[0]!.cell}`);
    expect(mail!.body.text).toContain('Ký ban hành — ô');
    const { current } = await stack.deps.stores.pointers.listOfPeriod('2021-Q1');
    expect(current.find((c) => c.unitCode === 'STC')).toBeUndefined();
  });

  it('random bytes are rejected by content sniffing with a Vietnamese message and a receipt, never silence', async () => {
    const token = await stack.token('SXD');
    const junk = new Uint8Array(2048).map((_, i) => (i * 7919) % 256);
    const uploadId = await stack.upload(token, '2021-Q1', junk, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'bao-cao.xlsx');
    const rec = (await stack.deps.stores.submissions.listOfUnit('SXD', '2021-Q1')).find((r) => r.uploadId === uploadId)!;
    expect(rec.status).toBe('invalid');
    expect(rec.findings[0]!.code).toBe('FILE_NOT_XLSX');
    expect(rec.findings[0]!.message).toMatch(/\.xlsx/);
    expect(await receiptsFor(uploadId)).toHaveLength(1);
  });
});

describe('events: duplicates and order', () => {
  it('the same S3 event delivered twice gives one record and one receipt', async () => {
    const token = await stack.token('SCT');
    const uploadId = await stack.upload(token, '2021-Q1', validJson('SCT', '2021-Q1'));
    const rec = (await stack.deps.stores.submissions.listOfUnit('SCT', '2021-Q1'))[0]!;
    const handler = makeValidateSubmissionHandler(stack.deps);
    const event = {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Post',
          eventTime: rec.receivedAt,
          awsRegion: 'ap-southeast-1',
          s3: { object: { key: rec.key, size: rec.size } },
        },
      ],
    };
    const out = await handler({
      Records: [{ messageId: 'dup-1', body: JSON.stringify(event) } as any, { messageId: 'dup-2', body: JSON.stringify(event) } as any],
    });
    expect(out.batchItemFailures).toEqual([]);
    expect(await stack.deps.stores.submissions.listOfUnit('SCT', '2021-Q1')).toHaveLength(1);
    expect(await receiptsFor(uploadId)).toHaveLength(1);
  });

  it('two uploads whose events arrive in reverse order: the later valid one is current and stays current', async () => {
    const token = await stack.token('SYT');
    const handler = makeValidateSubmissionHandler(stack.deps);
    stack.queue.pause();
    const uploaded: { key: string; at: string }[] = [];
    try {
      for (const at of ['2021-03-14T10:00:00+07:00', '2021-03-15T08:00:00+07:00']) {
        const bytes = validJson('SYT', '2021-Q1');
        const t = await stack.requestUpload(token, { periodId: '2021-Q1', fileName: 'b.json', contentType: 'application/json', size: bytes.length });
        expect((await stack.post(t.json, bytes, 'application/json')).status).toBe(204);
        uploaded.push({ key: t.json.key, at: new Date(at).toISOString() });
      }
      // The later upload's event arrives first, then the earlier one's.
      for (const u of [...uploaded].reverse()) {
        const body = JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Post', eventTime: u.at, s3: { object: { key: u.key } } }] });
        expect((await handler({ Records: [{ messageId: u.key, body } as any] })).batchItemFailures).toEqual([]);
      }
    } finally {
      // The local stack's own (duplicate) events are delivered now and change nothing.
      stack.queue.resume();
      await new Promise((r) => setTimeout(r, 20));
      await stack.drain();
    }
    const recs = await stack.deps.stores.submissions.listOfUnit('SYT', '2021-Q1');
    expect(recs).toHaveLength(2);
    const later = recs.find((r) => r.key === uploaded[1]!.key)!;
    expect(later.receivedAt).toBe(uploaded[1]!.at);
    const current = (await stack.deps.stores.pointers.listOfPeriod('2021-Q1')).current.find((c) => c.unitCode === 'SYT')!;
    expect(current.objectId).toBe(later.objectId);
    for (const r of recs) expect(await receiptsFor(r.uploadId)).toHaveLength(1);
  });

  it('the pointer never moves backwards, whatever order the pointer writes come in', async () => {
    const stores = stack.deps.stores;
    const base = { periodId: '2021-H1', unitCode: 'SGTVT', kind: 'periodic' as const };
    expect(
      await stores.pointers.advance('current', { ...base, objectId: 'b', receivedAt: '2021-06-02T00:00:00.000Z', order: '2021-06-02T00:00:00.000Z#b' }),
    ).toBe(true);
    expect(
      await stores.pointers.advance('current', { ...base, objectId: 'a', receivedAt: '2021-06-01T00:00:00.000Z', order: '2021-06-01T00:00:00.000Z#a' }),
    ).toBe(false);
    expect((await stores.pointers.listOfPeriod('2021-H1')).current.find((c) => c.unitCode === 'SGTVT')!.objectId).toBe('b');
  });
});

describe('timeliness from the server clock', () => {
  it('an upload after the deadline is recorded late and does not become current', async () => {
    const token = await stack.token('SVHTT');
    await stack.upload(token, '2021-Q1', validJson('SVHTT', '2021-Q1'));
    stack.clock.set(new Date('2021-03-16T00:00:01+07:00'));
    try {
      const t = await stack.requestUpload(token, { periodId: '2021-Q1', fileName: 'muon.json', contentType: 'application/json', size: 10 });
      expect(t.json.late).toBe(true);
      await stack.upload(token, '2021-Q1', validJson('SVHTT', '2021-Q1'));
    } finally {
      stack.clock.set(BEFORE_Q1_DEADLINE);
    }
    const recs = await stack.deps.stores.submissions.listOfUnit('SVHTT', '2021-Q1');
    expect(recs.map((r) => r.onTime)).toEqual([true, false]);
    const { current, late } = await stack.deps.stores.pointers.listOfPeriod('2021-Q1');
    expect(current.find((c) => c.unitCode === 'SVHTT')!.objectId).toBe(recs[0]!.objectId);
    expect(late.find((c) => c.unitCode === 'SVHTT')!.objectId).toBe(recs[1]!.objectId);
  });
});

describe('the outbox', () => {
  it('a failed send leaves the receipt pending; the flush sends it exactly once', async () => {
    const token = await stack.token('STNMT');
    failSends = 1;
    const uploadId = await stack.upload(token, '2021-Q1', validJson('STNMT', '2021-Q1'));
    expect(await receiptsFor(uploadId)).toHaveLength(0);
    const rec = (await stack.deps.stores.submissions.listOfUnit('STNMT', '2021-Q1'))[0]!;
    expect(rec.status).toBe('valid');
    const pending = await stack.deps.stores.outbox.listPending(100);
    expect(pending.map((m) => m.messageId)).toContain(`receipt-2021-Q1-STNMT-${rec.objectId}`);
    await flushOutbox(stack.deps);
    await flushOutbox(stack.deps);
    expect(await receiptsFor(uploadId)).toHaveLength(1);
    expect((await stack.deps.stores.outbox.get(`receipt-2021-Q1-STNMT-${rec.objectId}`))!.status).toBe('sent');
  });
});

describe('an infrastructure fault while processing', () => {
  it('is retried, then dead-lettered and recorded as unprocessable; the unit is told the truth each time; a redrive changes nothing', async () => {
    const token = await stack.token('SKHDT');
    const inner = stack.deps.uploads;
    let broken = true;
    stack.deps.uploads = {
      ...inner,
      presignPost: (o) => inner.presignPost(o),
      head: (r) => inner.head(r),
      list: (p) => inner.list(p),
      put: (k, b, c) => inner.put(k, b, c),
      presignGet: (k, e, f) => inner.presignGet(k, e, f),
      get: async (r, m) => {
        if (broken && r.key.includes('/SKHDT/')) throw new Error('S3 unavailable (injected)');
        return inner.get(r, m);
      },
    };
    try {
      const uploadId = await stack.upload(token, '2021-Q1', validJson('SKHDT', '2021-Q1'));
      const dead = stack.queue.deadLetters.filter((d) => d.body.includes(uploadId));
      expect(dead).toHaveLength(1);
      const toUnit = (await stack.sesMail()).filter((m) => m.destination.to.includes('vanthu.skhdt@thuathienhue.example'));
      // While it is retried: a delay notice that promises only what will happen (one more letter).
      const delay = toUnit.filter((m) => m.subject.includes('đang được xử lý chậm'));
      expect(delay).toHaveLength(1);
      expect(delay[0]!.body.text).toContain('thư báo tệp không kiểm tra được');
      expect(delay[0]!.body.text).not.toContain('không cần nộp lại');
      // After the last retry: one record, rejected as unprocessable, and one receipt that says so.
      const recs = await stack.deps.stores.submissions.listOfUnit('SKHDT', '2021-Q1');
      expect(recs.map((r) => [r.status, r.onTime, r.findings.map((f) => f.code), r.source])).toEqual([
        ['invalid', true, ['FILE_UNPROCESSABLE'], 'dead-letter'],
      ]);
      const receipts = await receiptsFor(uploadId);
      expect(receipts).toHaveLength(1);
      expect(receipts[0]!.body.text).toContain('KHÔNG được ghi nhận là báo cáo hợp lệ');
      // The fault is fixed and an operator redrives the message anyway: nothing changes, nothing is sent.
      broken = false;
      const out = await makeValidateSubmissionHandler(stack.deps)({ Records: [{ messageId: 'redrive', body: dead[0]!.body } as any] });
      expect(out.batchItemFailures).toEqual([]);
      expect((await stack.deps.stores.submissions.listOfUnit('SKHDT', '2021-Q1')).map((r) => r.status)).toEqual(['invalid']);
      expect(await receiptsFor(uploadId)).toHaveLength(1);
    } finally {
      stack.deps.uploads = inner;
    }
  });
});

describe('SES feedback', () => {
  it('a permanent bounce marks the address and tells Phòng CCHC which unit it is, once; a transient one is ignored', async () => {
    const handler = makeHandleMailFeedbackHandler(stack.deps);
    const bounce = (type: string) => ({
      Records: [
        {
          Sns: {
            MessageId: `m-${type}`,
            Message: JSON.stringify({
              eventType: 'Bounce',
              bounce: {
                bounceType: type,
                bouncedRecipients: [{ emailAddress: 'vanthu.ttra@thuathienhue.example', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
              },
              mail: { commonHeaders: { subject: '[CCHC] Biên nhận …' } },
            }),
          },
        },
      ],
    });
    await handler(bounce('Transient') as any);
    expect(await stack.deps.stores.addresses.get('vanthu.ttra@thuathienhue.example')).toBeNull();
    await handler(bounce('Permanent') as any);
    await handler(bounce('Permanent') as any);
    expect(await stack.deps.stores.addresses.get('vanthu.ttra@thuathienhue.example')).toMatchObject({ type: 'bounce' });
    const notices = (await stack.sesMail()).filter((m) => m.subject.includes('vanthu.ttra@thuathienhue.example'));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.destination.to).toEqual(['phongcchc.snv@thuathienhue.example']);
    expect(notices[0]!.body.text).toContain('Thanh tra tỉnh (TTRA)');
    expect(notices[0]!.body.text).toContain('không bị ảnh hưởng');
  });
});

describe('the upload channel refuses', () => {
  it('a missing, forged or revoked token (401)', async () => {
    const body = { periodId: '2021-Q1', fileName: 'a.json', contentType: 'application/json', size: 10 };
    expect((await stack.requestUpload('', body)).status).toBe(401);
    expect((await stack.requestUpload(`cchc_${'A'.repeat(43)}`, body)).status).toBe(401);
    const token = await stack.token('SDL');
    expect((await stack.requestUpload(token, body)).status).toBe(201);
    await revokeUnitTokens(stack.deps, 'SDL');
    const refused = await stack.requestUpload(token, body);
    expect(refused.status).toBe(401);
    expect(refused.json.error.message).toMatch(/thu hồi/);
  });

  it('a slot the unit does not owe (403), a monthly period (400), another type or an oversized file', async () => {
    const token = await stack.token('SNV');
    const ok = { periodId: '2021-Q1', fileName: 'a.json', contentType: 'application/json', size: 10 };
    expect((await stack.requestUpload(token, { ...ok, periodId: '2021-THEMATIC' })).status).toBe(403);
    expect((await stack.requestUpload(token, { ...ok, periodId: '2021-Q1', kind: 'plan' })).status).toBe(403);
    const monthly = await stack.requestUpload(token, { ...ok, periodId: '2021-M02' });
    expect(monthly.status).toBe(400);
    expect(monthly.json.error.message).toContain('không gửi báo cáo tháng');
    expect((await stack.requestUpload(token, { ...ok, contentType: 'text/html' })).status).toBe(415);
    expect((await stack.requestUpload(token, { ...ok, size: 11 * 1024 * 1024 })).status).toBe(413);
  });

  it('the presigned POST fixes the key, size and type: violations are refused by the S3 front and leave no record', async () => {
    const token = await stack.token('SNNPTNT');
    const bytes = validJson('SNNPTNT', '2021-Q1');
    const t = await stack.requestUpload(token, { periodId: '2021-Q1', fileName: 'a.json', contentType: 'application/json', size: bytes.length });
    expect(t.json.key).toMatch(/^incoming\/2021-Q1\/SNNPTNT\/[0-9a-z]{10}-[0-9a-f]{16}\/upload\.json$/);
    const otherKey = await stack.post(t.json, bytes, 'application/json', { key: t.json.key.replace('SNNPTNT', 'STP') });
    expect(otherKey.status).toBe(403);
    const otherType = await stack.post(t.json, bytes, 'text/html', { 'Content-Type': 'text/html' });
    expect(otherType.status).toBe(403);
    const big = await stack.post(t.json, new Uint8Array(10 * 1024 * 1024 + 1), 'application/json');
    expect(big.status).toBe(400);
    expect(await big.text()).toContain('EntityTooLarge');
    await stack.drain();
    expect(await stack.deps.stores.submissions.listOfUnit('SNNPTNT', '2021-Q1')).toHaveLength(0);
    expect(await stack.deps.stores.submissions.listOfUnit('STP', '2021-Q1')).toHaveLength(1);
  });
});

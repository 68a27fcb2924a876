import { CopyObjectCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3EventRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeEventKey, INCOMING_PREFIX } from '../../shared/domain/object-keys.js';
import { encodeEventKey, matchesFilter, nextSequencer, subscribeObjectCreated, toAwsRecord } from '../../infra/local/s3-events.js';
import { startS3TestStack, TEST_BUCKET, TEST_REGION, type S3TestStack } from './helpers/s3-stack.js';

describe('encodeEventKey', () => {
  it('encodes like AWS event records: form encoding, space as +, slash kept', () => {
    expect(encodeEventKey('incoming/red flower.jpg')).toBe('incoming/red+flower.jpg');
    expect(encodeEventKey('a+b')).toBe('a%2Bb');
    expect(encodeEventKey('protected/us-east-1:abc/x.json')).toBe('protected/us-east-1%3Aabc/x.json');
    expect(encodeEventKey('dt=2025-01-01/f (1).xlsx')).toBe('dt%3D2025-01-01/f+%281%29.xlsx');
    expect(encodeEventKey('Báo cáo')).toBe('B%C3%A1o+c%C3%A1o');
    expect(encodeEventKey('a-b_c.d*e~f')).toBe('a-b_c.d*e%7Ef');
  });

  it('round-trips through decodeEventKey for spaces, +, Vietnamese (NFC), %, & and more', () => {
    const keys = [
      'incoming/2025-Q1/STP/0kmq3x8p1c-9f2b6c1d0e4a7b35/upload.xlsx',
      'incoming/a b/c  d.json',
      'incoming/a+b/c++d+ .json',
      'incoming/Báo cáo quý I – Sở Tư pháp.xlsx'.normalize('NFC'),
      'incoming/Thừa Thiên Huế/Đề án 100%.json'.normalize('NFC'),
      'incoming/100%25 literal %2B and %.json',
      'incoming/R&D & co/a=b;c,d?e#f@g$h.json',
      'incoming/quotes "\'`<>[]{}|\\^~!*()/x.json',
      'incoming/emoji 📄/tab\there.json',
      '//leading/and/trailing//',
    ];
    for (const key of keys) expect(decodeEventKey(encodeEventKey(key))).toBe(key);
  });
});

describe('matchesFilter', () => {
  it('applies prefix and suffix like an S3 notification filter rule', () => {
    expect(matchesFilter('incoming/a.xlsx', { prefix: INCOMING_PREFIX })).toBe(true);
    expect(matchesFilter('reports/a.xlsx', { prefix: INCOMING_PREFIX })).toBe(false);
    expect(matchesFilter('incoming/a.xlsx', { prefix: INCOMING_PREFIX, suffix: '.json' })).toBe(false);
    expect(matchesFilter('incoming/a.json', { prefix: INCOMING_PREFIX, suffix: '.json' })).toBe(true);
    expect(matchesFilter('anything', {})).toBe(true);
  });
});

describe('toAwsRecord', () => {
  it('builds an eventVersion 2.1 record with a well-formed ARN and an encoded key', () => {
    const record = toAwsRecord({
      region: 'ap-southeast-1',
      eventTime: new Date('2021-06-30T01:02:03.004Z'),
      eventName: 'ObjectCreated:Post',
      bucket: 'b',
      key: 'incoming/x y.json',
      size: 12,
      eTag: 'd41d8cd98f00b204e9800998ecf8427e',
      sequencer: '0055AED6DCD90281E5',
      sourceIPAddress: '10.0.0.1',
    });
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'ap-southeast-1',
      eventTime: '2021-06-30T01:02:03.004Z',
      eventName: 'ObjectCreated:Post',
      requestParameters: { sourceIPAddress: '10.0.0.1' },
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: 'b', arn: 'arn:aws:s3:::b' },
        object: { key: 'incoming/x+y.json', size: 12, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '0055AED6DCD90281E5' },
      },
    });
    expect(record.userIdentity.principalId).toMatch(/^AWS:/);
    expect(record.responseElements['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
  });

  it('gives sequencers that grow even when the virtual clock stands still or steps back', () => {
    const t = new Date('2021-01-01T00:00:00Z');
    const a = nextSequencer(t);
    const b = nextSequencer(t);
    const c = nextSequencer(new Date(t.getTime() - 60_000));
    const pad = (s: string) => s.padStart(32, '0');
    expect(pad(a) < pad(b) && pad(b) < pad(c)).toBe(true);
  });
});

describe('subscribeObjectCreated on a real s3rver', () => {
  let stack: S3TestStack;
  beforeAll(async () => {
    stack = await startS3TestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const put = (key: string, body = 'x') => stack.upstream.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: key, Body: body }));
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  it('delivers AWS-shaped records after the upload, filtered by prefix and suffix, with the virtual time', async () => {
    const records: S3EventRecord[] = [];
    const virtualNow = new Date('2021-12-31T23:59:59.000Z');
    const unsubscribe = subscribeObjectCreated(stack.emulator.server, {
      filter: { prefix: INCOMING_PREFIX, suffix: '.json' },
      region: TEST_REGION,
      now: () => virtualNow,
      deliver: (r) => {
        records.push(r);
      },
    });
    try {
      let deliveredDuringPut = -1;
      const out = await put('incoming/f1/Đơn vị 1+2.json', '{"a":1}').then((o) => {
        deliveredDuringPut = records.length;
        return o;
      });
      await put('incoming/f1/ignored.xlsx');
      await put('reports/f1/ignored.json');
      await stack.upstream.send(new DeleteObjectCommand({ Bucket: TEST_BUCKET, Key: 'incoming/f1/ignored.xlsx' }));
      await vi.waitFor(() => expect(records).toHaveLength(1));
      await settle();

      expect(records).toHaveLength(1);
      expect(deliveredDuringPut).toBeLessThanOrEqual(1);
      const [r] = records as [S3EventRecord];
      expect(r.eventName).toBe('ObjectCreated:Put');
      expect(r.eventTime).toBe(virtualNow.toISOString());
      expect(r.awsRegion).toBe(TEST_REGION);
      expect(r.s3.bucket.arn).toBe(`arn:aws:s3:::${TEST_BUCKET}`);
      expect(r.s3.object.key).toBe('incoming/f1/%C4%90%C6%A1n+v%E1%BB%8B+1%2B2.json');
      expect(decodeEventKey(r.s3.object.key)).toBe('incoming/f1/Đơn vị 1+2.json');
      expect(r.s3.object.size).toBe(7);
      expect(`"${r.s3.object.eTag}"`).toBe(out.ETag);
    } finally {
      unsubscribe();
    }
  });

  it('reports copies as ObjectCreated:Copy', async () => {
    const records: S3EventRecord[] = [];
    const unsubscribe = subscribeObjectCreated(stack.emulator.server, {
      filter: { prefix: 'incoming/copy/' },
      region: TEST_REGION,
      deliver: (r) => {
        records.push(r);
      },
    });
    try {
      await put('source/c.json');
      await stack.upstream.send(new CopyObjectCommand({ Bucket: TEST_BUCKET, Key: 'incoming/copy/c.json', CopySource: `${TEST_BUCKET}/source/c.json` }));
      await vi.waitFor(() => expect(records.map((r) => r.eventName)).toEqual(['ObjectCreated:Copy']));
    } finally {
      unsubscribe();
    }
  });

  it('keeps the upload successful when the consumer throws or rejects, and reports to onError', async () => {
    const errors: unknown[] = [];
    const unsubscribe = subscribeObjectCreated(stack.emulator.server, {
      filter: { prefix: 'incoming/failing/' },
      region: TEST_REGION,
      deliver: (r) => {
        if (r.s3.object.key.endsWith('/sync.json')) throw new Error('consumer exploded');
        return Promise.reject(new Error('consumer rejected'));
      },
      onError: (err) => errors.push(err),
    });
    try {
      const a = await put('incoming/failing/sync.json');
      const b = await put('incoming/failing/async.json');
      expect(a.$metadata.httpStatusCode).toBe(200);
      expect(b.$metadata.httpStatusCode).toBe(200);
      await vi.waitFor(() => expect(errors).toHaveLength(2));
      expect(errors.map((e) => (e as Error).message).sort()).toEqual(['consumer exploded', 'consumer rejected']);
    } finally {
      unsubscribe();
    }
  });

  it('survives an onError that throws too', async () => {
    const unsubscribe = subscribeObjectCreated(stack.emulator.server, {
      filter: { prefix: 'incoming/worse/' },
      region: TEST_REGION,
      deliver: () => {
        throw new Error('consumer exploded');
      },
      onError: () => {
        throw new Error('handler exploded');
      },
    });
    try {
      expect((await put('incoming/worse/a.json')).$metadata.httpStatusCode).toBe(200);
      await settle();
    } finally {
      unsubscribe();
    }
  });

  it('stops delivering after unsubscribe', async () => {
    const records: S3EventRecord[] = [];
    const unsubscribe = subscribeObjectCreated(stack.emulator.server, {
      filter: { prefix: 'incoming/unsub/' },
      region: TEST_REGION,
      deliver: (r) => {
        records.push(r);
      },
    });
    await put('incoming/unsub/1.json');
    await vi.waitFor(() => expect(records).toHaveLength(1));
    unsubscribe();
    await put('incoming/unsub/2.json');
    await settle();
    expect(records).toHaveLength(1);
  });
});

import { createHash, randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { S3EventRecord } from 'aws-lambda';

/**
 * s3rver object events → AWS S3 event records (see ../shared/guides/local-aws.md, trap 5).
 *
 * s3rver emits `{ Records: [record] }` on the server object, synchronously inside the request that
 * stored the object: its key is not URL-encoded, its ARN is malformed (`arn:aws:s3: : :name`), its
 * time is the real clock, and a listener that throws turns the upload into an HTTP 500 although the
 * object is stored. This adapter rebuilds each record in the AWS shape, filters like the deployed
 * notification (prefix/suffix on the key) and hands it over on a later turn of the event loop, with
 * errors caught, so a consumer can never break an upload.
 */

/** The fields of an s3rver record this adapter reads (s3rver 3.7.1, lib/models/event.js). */
export interface S3rverEventRecord {
  eventName?: string;
  requestParameters?: { sourceIPAddress?: string };
  responseElements?: { 'x-amz-request-id'?: string; 'x-amz-id-2'?: string };
  s3?: {
    bucket?: { name?: string };
    object?: { key?: string; size?: number; eTag?: string };
  };
}

export interface ObjectCreatedFilter {
  prefix?: string;
  suffix?: string;
}

export interface ToAwsRecordOptions {
  region: string;
  eventTime: Date;
  /** `ObjectCreated:Put`, `ObjectCreated:Post`, `ObjectCreated:Copy`, … */
  eventName: string;
  bucket: string;
  /** The object key as stored (decoded); encoded here the way AWS does. */
  key: string;
  size: number;
  eTag: string;
  sequencer: string;
  sourceIPAddress?: string;
  requestId?: string;
  hostId?: string;
  configurationId?: string;
  principalId?: string;
  ownerPrincipalId?: string;
}

const DEFAULT_CONFIGURATION_ID = 'local-object-created';
const DEFAULT_PRINCIPAL_ID = 'AWS:AIDALOCALS3UPLOADER';
const DEFAULT_OWNER_PRINCIPAL_ID = 'A1LOCALS3OWNER';

/** Builds one AWS-shaped `ObjectCreated` record (eventVersion 2.1) from plain values. */
export function toAwsRecord(o: ToAwsRecordOptions): S3EventRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: o.region,
    eventTime: o.eventTime.toISOString(),
    eventName: o.eventName,
    userIdentity: { principalId: o.principalId ?? DEFAULT_PRINCIPAL_ID },
    requestParameters: { sourceIPAddress: o.sourceIPAddress ?? '127.0.0.1' },
    responseElements: {
      'x-amz-request-id': o.requestId ?? randomBytes(8).toString('hex').toUpperCase(),
      'x-amz-id-2': o.hostId ?? randomBytes(48).toString('base64'),
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: o.configurationId ?? DEFAULT_CONFIGURATION_ID,
      bucket: {
        name: o.bucket,
        ownerIdentity: { principalId: o.ownerPrincipalId ?? DEFAULT_OWNER_PRINCIPAL_ID },
        arn: `arn:aws:s3:::${o.bucket}`,
      },
      object: {
        key: encodeEventKey(o.key),
        size: o.size,
        eTag: o.eTag,
        sequencer: o.sequencer,
      },
    },
  };
}

/**
 * Encodes a key as it appears in AWS event records: `application/x-www-form-urlencoded` on the
 * UTF-8 bytes (space → `+`; `A-Z a-z 0-9 * - . _` kept; everything else `%XX`, so `+` → `%2B`,
 * `:` → `%3A`, `(` → `%28`), except that `/` stays `/` as in real records. The inverse is
 * `decodeEventKey` in shared/domain/object-keys.ts.
 */
export function encodeEventKey(key: string): string {
  return new URLSearchParams([['k', key]]).toString().slice(2).replace(/%2F/g, '/');
}

/** The prefix/suffix test of an S3 notification filter rule, on the stored (decoded) key. */
export function matchesFilter(key: string, filter: ObjectCreatedFilter): boolean {
  return (filter.prefix === undefined || key.startsWith(filter.prefix)) && (filter.suffix === undefined || key.endsWith(filter.suffix));
}

let lastSequencer = 0n;

/**
 * Hex sequencer that grows with every event in this process (AWS: compare after left-padding to the
 * same length), so even a virtual clock that stands still or steps back orders the events.
 */
export function nextSequencer(now: Date): string {
  let value = BigInt(Math.max(0, now.getTime())) << 16n;
  if (value <= lastSequencer) value = lastSequencer + 1n;
  lastSequencer = value;
  return value.toString(16).toUpperCase().padStart(16, '0');
}

/* ---------- uploads made through the POST front ---------- */

interface FormUploadNote {
  sourceIp: string;
  expiresAt: number;
}

const FORM_UPLOAD_TTL_MS = 60_000;
const FORM_UPLOAD_MAX_NOTES = 10_000;
const formUploads = new Map<string, FormUploadNote>();

function formUploadId(bucket: string, key: string, md5Hex: string): string {
  return `${bucket}\u0000${key}\u0000${md5Hex.toLowerCase()}`;
}

/**
 * Called by the POST front just before it stores an upload with PutObject, so the matching s3rver
 * `ObjectCreated:Put` event is reported as AWS would report a browser upload: `ObjectCreated:Post`
 * with the uploader's address. Matched on bucket, key and MD5 (s3rver's ETag); notes expire.
 */
export function noteFormUpload(bucket: string, key: string, body: Uint8Array, sourceIp: string): void {
  const now = Date.now();
  if (formUploads.size >= FORM_UPLOAD_MAX_NOTES) {
    for (const [id, note] of formUploads) {
      if (note.expiresAt <= now || formUploads.size >= FORM_UPLOAD_MAX_NOTES) formUploads.delete(id);
      else break;
    }
  }
  const md5 = createHash('md5').update(body).digest('hex');
  formUploads.set(formUploadId(bucket, key, md5), { sourceIp, expiresAt: now + FORM_UPLOAD_TTL_MS });
}

function findFormUpload(bucket: string, key: string, eTag: string): FormUploadNote | undefined {
  const note = formUploads.get(formUploadId(bucket, key, eTag.replace(/"/g, '')));
  if (note && note.expiresAt > Date.now()) return note;
  return undefined;
}

/* ---------- subscription ---------- */

export interface SubscribeObjectCreatedOptions {
  /** The deployed notification's filter rule (e.g. `{ prefix: INCOMING_PREFIX }`). */
  filter: ObjectCreatedFilter;
  region: string;
  /** The local stack's (virtual) clock for `eventTime`; the real clock by default. */
  now?: () => Date;
  /** Receives each record on a later turn of the event loop. */
  deliver: (record: S3EventRecord) => Promise<void> | void;
  /** Gets every failure (adapter or consumer); nothing reaches the upload. Default: console.error. */
  onError?: (err: unknown) => void;
  configurationId?: string;
}

/**
 * Subscribes to s3rver's object events and delivers AWS-shaped `ObjectCreated:*` records that pass
 * the filter. Returns the unsubscribe function (records already accepted are still delivered).
 */
export function subscribeObjectCreated(server: EventEmitter, options: SubscribeObjectCreatedOptions): () => void {
  const now = options.now ?? (() => new Date());
  const onError =
    options.onError ??
    ((err: unknown) => {
      console.error('[local s3 events] delivery failed:', err);
    });
  const report = (err: unknown): void => {
    try {
      onError(err);
    } catch {
      // the error handler itself failed: nothing left to tell
    }
  };

  const listener = (event: unknown): void => {
    try {
      const records = (event as { Records?: unknown } | null)?.Records;
      if (!Array.isArray(records)) return;
      for (const raw of records as S3rverEventRecord[]) {
        const record = adapt(raw);
        if (!record) continue;
        setImmediate(() => {
          try {
            Promise.resolve(options.deliver(record)).catch(report);
          } catch (err) {
            report(err);
          }
        });
      }
    } catch (err) {
      report(err);
    }
  };

  const adapt = (raw: S3rverEventRecord): S3EventRecord | undefined => {
    const name = raw.eventName ?? '';
    if (!name.startsWith('ObjectCreated:')) return undefined;
    const bucket = raw.s3?.bucket?.name;
    const key = raw.s3?.object?.key;
    if (typeof bucket !== 'string' || typeof key !== 'string') return undefined;
    if (!matchesFilter(key, options.filter)) return undefined;
    const eTag = raw.s3?.object?.eTag ?? '';
    const formUpload = name === 'ObjectCreated:Put' ? findFormUpload(bucket, key, eTag) : undefined;
    const eventTime = now();
    return toAwsRecord({
      region: options.region,
      eventTime,
      eventName: formUpload ? 'ObjectCreated:Post' : name,
      bucket,
      key,
      size: Number(raw.s3?.object?.size ?? 0),
      eTag,
      sequencer: nextSequencer(eventTime),
      sourceIPAddress: normalizeIp(formUpload?.sourceIp ?? raw.requestParameters?.sourceIPAddress),
      requestId: raw.responseElements?.['x-amz-request-id'],
      hostId: raw.responseElements?.['x-amz-id-2'],
      configurationId: options.configurationId,
    });
  };

  server.on('event', listener);
  return () => {
    server.off('event', listener);
  };
}

function normalizeIp(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  return ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
}

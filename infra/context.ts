import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MAX_UPLOAD_BYTES_BOUNDS } from '../shared/runtime/config.js';
/**
 * Deployment settings, read once from CDK context (cdk.json, or `-c key=value` on the command line)
 * into a frozen typed object. A bad or missing value stops synthesis with a message naming the key.
 *
 * Values given with `-c` arrive as strings, so lists and numbers also accept their text form:
 * `-c years=[2021,2026]`, `-c aggregatorRecipients=a@x.vn,b@x.vn`, `-c maxUploadBytes=10485760`.
 */

export interface CchcContext {
  /** Verified SES identity that sends receipts, reminders and reports. */
  readonly senderAddress: string;
  /** Domain part of `senderAddress` (its SES domain identity). */
  readonly senderDomain: string;
  /** Who receives consolidated reports (Phòng CCHC, Sở Nội vụ). */
  readonly aggregatorRecipients: readonly string[];
  /** Largest accepted upload, bytes. */
  readonly maxUploadBytes: number;
  /** First and last reporting year to schedule close-outs and reminders for. */
  readonly years: { readonly first: number; readonly last: number };
  /** Origin of a portal hosted elsewhere (`https://host[:port]`); absent when the HTTP API serves it. */
  readonly portalOrigin?: string;
  /** Where alarm notifications are e-mailed; absent for no subscription. */
  readonly alarmEmail?: string;
  /**
   * The folder of certificates signed reports are verified against (anchors/, intermediates/, crls/:
   * see README "Trust anchors"), absolute or relative to the repository; bundled with the functions that
   * check reports. Absent: nothing is trusted and every signed report is refused as untrusted.
   */
  readonly trustDir?: string;
}

/** Context keys this app reads. */
export const CONTEXT_KEYS = ['senderAddress', 'aggregatorRecipients', 'maxUploadBytes', 'years', 'portalOrigin', 'alarmEmail', 'trustDir'] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

export class ContextError extends Error {
  override name = 'ContextError';
}

const EMAIL = /^[^\s@,;<>"]+@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+)$/;

/** The bounds the functions parse MAX_UPLOAD_BYTES with, so a deploy never sets a value the Lambdas reject. */
const { min: MIN_UPLOAD_BYTES, max: MAX_UPLOAD_BYTES } = MAX_UPLOAD_BYTES_BOUNDS;

function fail(key: ContextKey, message: string): never {
  throw new ContextError(`Context value "${key}" ${message}`);
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

function email(key: ContextKey, v: unknown): string {
  if (typeof v !== 'string' || !EMAIL.test(v.trim())) fail(key, `must be an e-mail address, got ${JSON.stringify(v)}`);
  return v.trim();
}

/** A list given as an array, a JSON array string, or a comma-separated string. */
function list(key: ContextKey, v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(s);
        if (Array.isArray(parsed)) return parsed;
      } catch {
        // reported below
      }
      fail(key, `is not a valid JSON array: ${s}`);
    }
    return s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  }
  fail(key, `must be a list, got ${JSON.stringify(v)}`);
}

function integer(key: ContextKey, v: unknown, min: number, max: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    fail(key, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return n;
}

function origin(key: ContextKey, v: unknown): string {
  if (typeof v !== 'string') fail(key, `must be an origin such as "https://cchc.example.vn", got ${JSON.stringify(v)}`);
  let url: URL;
  try {
    url = new URL(v.trim());
  } catch {
    fail(key, `must be an origin such as "https://cchc.example.vn", got ${JSON.stringify(v)}`);
  }
  if (url.protocol !== 'https:') fail(key, `must use https, got ${JSON.stringify(v)}`);
  // An origin has no path, query or trailing slash; CORS compares it byte for byte.
  if (url.origin !== v.trim()) fail(key, `must be an origin without path or trailing slash (${url.origin}), got ${JSON.stringify(v)}`);
  return url.origin;
}

/** A trust folder that exists and has an anchors/ folder (a typo must not deploy a product that trusts nothing). */
function trustFolder(v: unknown): string {
  if (typeof v !== 'string') fail('trustDir', `must be a folder path, got ${JSON.stringify(v)}`);
  const dir = resolve(v.trim());
  if (!existsSync(join(dir, 'anchors'))) fail('trustDir', `must be a folder with an anchors/ folder of CA certificates, got "${v}" (${dir})`);
  return dir;
}

/**
 * Parses the app's context. `get` returns the raw value of a key (`node.tryGetContext`).
 * Throws ContextError naming the first bad key.
 */
export function parseContext(get: (key: ContextKey) => unknown): CchcContext {
  const raw = (key: ContextKey): unknown => get(key);

  if (isBlank(raw('senderAddress'))) fail('senderAddress', 'is required (the verified SES sender, e.g. "cchc-noreply@example.vn")');
  const senderAddress = email('senderAddress', raw('senderAddress'));
  const senderDomain = senderAddress.slice(senderAddress.lastIndexOf('@') + 1).toLowerCase();

  if (isBlank(raw('aggregatorRecipients'))) fail('aggregatorRecipients', 'is required (at least one e-mail address)');
  const aggregatorRecipients = list('aggregatorRecipients', raw('aggregatorRecipients')).map((r) => email('aggregatorRecipients', r));
  if (aggregatorRecipients.length === 0) fail('aggregatorRecipients', 'must list at least one e-mail address');

  if (isBlank(raw('maxUploadBytes'))) fail('maxUploadBytes', 'is required');
  const maxUploadBytes = integer('maxUploadBytes', raw('maxUploadBytes'), MIN_UPLOAD_BYTES, MAX_UPLOAD_BYTES);

  if (isBlank(raw('years'))) fail('years', 'is required, e.g. [2021, 2026]');
  const years = list('years', raw('years'));
  if (years.length !== 2) fail('years', `must be [firstYear, lastYear], got ${JSON.stringify(raw('years'))}`);
  const first = integer('years', years[0], 2000, 2100);
  const last = integer('years', years[1], 2000, 2100);
  if (first > last) fail('years', `must list the first year before the last, got [${first}, ${last}]`);

  const portalOrigin = isBlank(raw('portalOrigin')) ? undefined : origin('portalOrigin', raw('portalOrigin'));
  const alarmEmail = isBlank(raw('alarmEmail')) ? undefined : email('alarmEmail', raw('alarmEmail'));
  const trustDir = isBlank(raw('trustDir')) ? undefined : trustFolder(raw('trustDir'));

  return Object.freeze({
    senderAddress,
    senderDomain,
    aggregatorRecipients: Object.freeze(aggregatorRecipients),
    maxUploadBytes,
    years: Object.freeze({ first, last }),
    ...(portalOrigin ? { portalOrigin } : {}),
    ...(alarmEmail ? { alarmEmail } : {}),
    ...(trustDir ? { trustDir } : {}),
  });
}

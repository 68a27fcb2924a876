import { randomBytes } from 'node:crypto';
import { MEDIA_TYPES } from './media-types.js';

/**
 * Object keys are built by the server only, never from a client's file name, and never reused:
 * `incoming/{periodId}/{unitCode}/{uploadId}/upload.{xlsx|json|pdf}`. Reports live under
 * `reports/{periodId}/`.
 */

/** Prefix that triggers validation (the bucket notification filter, here and on the local stack). */
export const INCOMING_PREFIX = 'incoming/';
export const REPORTS_PREFIX = 'reports/';

export type UploadExtension = 'xlsx' | 'json' | 'pdf';

/** Content types a unit may upload, with the extension the key gets. */
export const UPLOAD_CONTENT_TYPES: Record<string, UploadExtension> = {
  [MEDIA_TYPES.xlsx]: 'xlsx',
  [MEDIA_TYPES.json]: 'json',
  [MEDIA_TYPES.pdf]: 'pdf',
};

export interface IncomingKey {
  periodId: string;
  unitCode: string;
  uploadId: string;
  extension: UploadExtension;
}

const PERIOD = /^\d{4}-[A-Z0-9]+$/;
const UNIT = /^[A-Z0-9]{2,16}$/;
const UPLOAD_ID = /^[0-9a-z]{10}-[0-9a-f]{16}$/;

/**
 * A new upload id: a base-36 millisecond timestamp (sorts by creation time) and 64 random bits.
 * Example: `0kmq3x8p1c-9f2b6c1d0e4a7b35`.
 */
export function newUploadId(now: Date = new Date()): string {
  return `${now.getTime().toString(36).padStart(10, '0')}-${randomBytes(8).toString('hex')}`;
}

/** Whether a string is an upload id as `newUploadId` makes them. */
export function isUploadId(id: string): boolean {
  return UPLOAD_ID.test(id);
}

export function incomingKey(k: IncomingKey): string {
  if (!PERIOD.test(k.periodId) || !UNIT.test(k.unitCode) || !UPLOAD_ID.test(k.uploadId)) {
    throw new Error(`Refusing to build an incoming key from ${JSON.stringify(k)}`);
  }
  return `${INCOMING_PREFIX}${k.periodId}/${k.unitCode}/${k.uploadId}/upload.${k.extension}`;
}

/** Parses a (decoded) incoming key; null when the key is not one the server builds. */
export function parseIncomingKey(key: string): IncomingKey | null {
  const m = /^incoming\/([^/]+)\/([^/]+)\/([^/]+)\/upload\.(xlsx|json|pdf)$/.exec(key);
  if (!m) return null;
  const [, periodId, unitCode, uploadId, extension] = m as unknown as [string, string, string, string, UploadExtension];
  if (!PERIOD.test(periodId) || !UNIT.test(unitCode) || !UPLOAD_ID.test(uploadId)) return null;
  return { periodId, unitCode, uploadId, extension };
}

/** Prefix of every upload of a period (for reconciliation). */
export function periodPrefix(periodId: string): string {
  return `${INCOMING_PREFIX}${periodId}/`;
}

/** Decodes a key from an S3 event record (URL-encoded, `+` for spaces). */
export function decodeEventKey(raw: string): string {
  return decodeURIComponent(raw.replace(/\+/g, ' '));
}

/**
 * The two parts of a unit's dossier for a slot: the data form (the Excel template or JSON) and the
 * signed report (the PDF its leadership signed digitally). Each part has its own "latest valid on
 * time" submission.
 */
export type DossierPart = 'form' | 'report';

/** Which part an upload is, by the extension the server gave its key. */
export function partOfExtension(extension: UploadExtension): DossierPart {
  return extension === 'pdf' ? 'report' : 'form';
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SubmissionKind } from '../../domain/types.js';

/**
 * Identity of a template, embedded in its hidden `_meta` sheet and signed with an HMAC so that a
 * workbook edited to claim another unit, period, kind or form version is recognised.
 */
export interface TemplateMeta {
  templateId: string;
  formId: string;
  formVersion: number;
  unitCode: string;
  periodId: string;
  kind: SubmissionKind;
  /** ISO instant the template was made. */
  issuedAt: string;
}

export const META_FIELDS: (keyof TemplateMeta)[] = ['templateId', 'formId', 'formVersion', 'unitCode', 'periodId', 'kind', 'issuedAt'];

function canonical(meta: TemplateMeta): string {
  return META_FIELDS.map((k) => `${k}=${String(meta[k])}`).join('\n');
}

/** HMAC-SHA256 (hex) of the meta fields in fixed order. */
export function signMeta(meta: TemplateMeta, key: string): string {
  return createHmac('sha256', key).update(canonical(meta), 'utf8').digest('hex');
}

/** True when `sig` is the HMAC of `meta` under `key`. */
export function verifyMeta(meta: TemplateMeta, sig: string, key: string): boolean {
  const want = Buffer.from(signMeta(meta, key), 'hex');
  const got = Buffer.from(/^[0-9a-f]{64}$/i.test(sig) ? sig : '', 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

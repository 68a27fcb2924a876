import { createHmac, timingSafeEqual } from 'node:crypto';
import { S3FrontError, invalidPolicy, missingField, policyFailed } from './s3-front-errors.js';

/**
 * The checks of a POST Object form against its SigV4 POST policy, as S3 makes them (see s3-front.ts):
 * required fields, credential scope, signature over the base64 policy, policy document, expiry, every
 * condition (exact, `eq`, `starts-with`; `content-length-range` is measured later on the streamed
 * bytes), and no unsigned field. Each check throws the S3FrontError S3 would answer with.
 */

const SIGNATURE_ALGORITHM = 'AWS4-HMAC-SHA256';
/** Fields the policy need not cover. */
const UNSIGNED_FIELDS = new Set(['file', 'policy', 'x-amz-signature']);

/** A form field, by its lower-case name in the form's map. */
export interface FormField {
  /** As sent. */
  name: string;
  value: string;
}

/** What the checks need of the front: the key pair presigned POSTs are signed with, the region, the clock. */
export interface PolicyKeys {
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region: string;
  now: () => Date;
}

/** A form that passed every check known before the file's bytes. */
export interface CheckedForm {
  key: string;
  fields: Map<string, FormField>;
  lengthRanges: { min: number; max: number }[];
}

type Condition =
  | { kind: 'eq'; field: string; value: string; text: string }
  | { kind: 'starts-with'; field: string; value: string; text: string }
  | { kind: 'content-length-range'; min: number; max: number };

/** The parts of a credential scope `<AKID>/YYYYMMDD/REGION/s3/aws4_request`. */
interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
}

type FieldGetter = (name: string) => string | undefined;

/** A lookup of a field's value by its lower-case name. */
function fieldGetter(fields: Map<string, FormField>): FieldGetter {
  return (name) => fields.get(name)?.value;
}

/** The key template and the policy; throws when the key, the policy (an anonymous upload) or a signing field is missing. */
function requiredFields(get: FieldGetter): { keyTemplate: string; policy: string } {
  const keyTemplate = get('key');
  if (keyTemplate === undefined) throw missingField('key');
  const policy = get('policy');
  if (policy === undefined) throw new S3FrontError(403, 'AccessDenied', 'Access Denied'); // anonymous upload
  for (const name of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Signature']) {
    if (get(name.toLowerCase()) === undefined) throw missingField(name);
  }
  return { keyTemplate, policy };
}

/** Throws unless the signing algorithm is SigV4. */
function checkAlgorithm(get: FieldGetter): void {
  const algorithm = get('x-amz-algorithm') as string;
  if (algorithm !== SIGNATURE_ALGORITHM) {
    throw new S3FrontError(400, 'InvalidArgument', `X-Amz-Algorithm only supports "${SIGNATURE_ALGORITHM}"`, {
      ArgumentName: 'X-Amz-Algorithm',
      ArgumentValue: algorithm,
    });
  }
}

/** The credential scope; throws when it is malformed, of another access key or of another region. */
function checkCredential(keys: PolicyKeys, get: FieldGetter): CredentialScope {
  const credential = get('x-amz-credential') as string;
  const parts = credential.split('/');
  if (parts.length !== 5 || !/^\d{8}$/.test(parts[1] as string) || parts[3] !== 's3' || parts[4] !== 'aws4_request') {
    throw new S3FrontError(
      400,
      'InvalidArgument',
      'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
      { ArgumentName: 'X-Amz-Credential', ArgumentValue: credential },
    );
  }
  const [accessKeyId, date, region] = parts as [string, string, string, string, string];
  if (accessKeyId !== keys.credentials.accessKeyId) {
    throw new S3FrontError(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: accessKeyId });
  }
  if (region !== keys.region) {
    throw new S3FrontError(
      400,
      'InvalidArgument',
      `Error parsing the X-Amz-Credential parameter; the region '${region}' is wrong; expecting '${keys.region}'`,
      { ArgumentName: 'X-Amz-Credential', ArgumentValue: credential },
    );
  }
  return { accessKeyId, date, region };
}

/** Throws unless X-Amz-Date is in the ISO 8601 long format. */
function checkAmzDate(get: FieldGetter): void {
  const amzDate = get('x-amz-date') as string;
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) {
    throw new S3FrontError(400, 'InvalidArgument', "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"", {
      ArgumentName: 'X-Amz-Date',
      ArgumentValue: amzDate,
    });
  }
}

/** Throws unless the security token is the signing credentials' (or both are absent). */
function checkToken(keys: PolicyKeys, get: FieldGetter): void {
  const token = get('x-amz-security-token');
  if ((token ?? undefined) !== (keys.credentials.sessionToken ?? undefined)) {
    throw new S3FrontError(403, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
  }
}

/** Throws SignatureDoesNotMatch unless the signature is the policy's under the credential scope. */
function checkSignature(keys: PolicyKeys, get: FieldGetter, scope: CredentialScope, policy: string): void {
  const provided = get('x-amz-signature') as string;
  const expected = signPolicy(keys.credentials.secretAccessKey, scope.date, scope.region, policy);
  if (!safeEqual(provided.toLowerCase(), expected)) {
    throw new S3FrontError(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { AWSAccessKeyId: scope.accessKeyId, StringToSign: policy, SignatureProvided: provided },
    );
  }
}

/** The object key: `${filename}` replaced by the uploaded file's name; throws when it is empty or over 1024 bytes. */
function objectKey(keyTemplate: string, filename: string): string {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: S3's own ${filename} placeholder in a POST key, not a template literal.
  const key = keyTemplate.split('${filename}').join(filename);
  if (key === '') {
    throw new S3FrontError(400, 'InvalidArgument', 'User key must have a length greater than 0.', { ArgumentName: 'key', ArgumentValue: '' });
  }
  if (Buffer.byteLength(key) > 1024) throw new S3FrontError(400, 'KeyTooLongError', 'Your key is too long');
  return key;
}

/**
 * Checks every `eq` and `starts-with` condition on the form's values (the key after substitution,
 * the bucket of the URL); returns the fields they cover and the content-length ranges to measure.
 */
function checkConditions(conditions: readonly Condition[], fieldValue: FieldGetter): { covered: Set<string>; lengthRanges: CheckedForm['lengthRanges'] } {
  const covered = new Set<string>();
  const lengthRanges: CheckedForm['lengthRanges'] = [];
  for (const condition of conditions) {
    if (condition.kind === 'content-length-range') {
      lengthRanges.push({ min: condition.min, max: condition.max });
      continue;
    }
    covered.add(condition.field);
    const actual = fieldValue(condition.field);
    const ok = actual !== undefined && (condition.kind === 'eq' ? actual === condition.value : actual.startsWith(condition.value));
    if (!ok) throw policyFailed(`Policy Condition failed: ${condition.text}`);
  }
  return { covered, lengthRanges };
}

/** Throws when a `bucket` field names another bucket than the URL's. */
function checkFormBucket(get: FieldGetter, bucket: string): void {
  const formBucket = get('bucket');
  if (formBucket !== undefined && formBucket !== bucket) {
    throw policyFailed(`Policy Condition failed: ["eq", "$bucket", ${JSON.stringify(formBucket)}]`);
  }
}

/** Throws when a field is neither covered by a condition, nor exempt (file, policy, signature, x-ignore-*). */
function checkNoExtraFields(fields: Map<string, FormField>, covered: ReadonlySet<string>): void {
  const extra = [...fields.entries()]
    .filter(([lower]) => !UNSIGNED_FIELDS.has(lower) && !lower.startsWith('x-ignore-') && !covered.has(lower))
    .map(([, f]) => f.name);
  if (extra.length > 0) throw policyFailed(`Extra input fields: ${extra.join(', ')}`);
}

/**
 * Checks everything known before the file's bytes: required fields, credential, signature, policy
 * document, expiry, every condition except content-length-range, and that no field is unsigned.
 * Returns the object key and the length ranges the file's bytes must then meet.
 */
export function checkForm(keys: PolicyKeys, bucket: string, fields: Map<string, FormField>, filename: string): CheckedForm {
  const get = fieldGetter(fields);
  const { keyTemplate, policy } = requiredFields(get);
  checkAlgorithm(get);
  const scope = checkCredential(keys, get);
  checkAmzDate(get);
  checkToken(keys, get);
  checkSignature(keys, get, scope, policy);
  const document = parsePolicy(policy);
  if (Date.parse(document.expiration) <= keys.now().getTime()) throw policyFailed('Policy expired.');
  const key = objectKey(keyTemplate, filename);
  const fieldValue: FieldGetter = (field) => (field === 'key' ? key : field === 'bucket' ? bucket : get(field));
  const { covered, lengthRanges } = checkConditions(document.conditions, fieldValue);
  checkFormBucket(get, bucket);
  checkNoExtraFields(fields, covered);
  return { key, fields, lengthRanges };
}

/** Hex SigV4 signature of a POST policy: HMAC chain over (date, region, s3, aws4_request), then the base64 policy. */
function signPolicy(secretAccessKey: string, date: string, region: string, policyBase64: string): string {
  const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), 's3'), 'aws4_request');
  return createHmac('sha256', signingKey).update(policyBase64, 'utf8').digest('hex');
}

/** Constant-time string equality. */
function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The policy document's expiration and raw conditions; throws InvalidPolicyDocument when it is not such a document. */
function policyDocument(policyBase64: string): { expiration: string; conditions: unknown[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(policyBase64, 'base64').toString('utf8'));
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = doc as { expiration?: unknown; conditions?: unknown };
  if (typeof expiration !== 'string' || Number.isNaN(Date.parse(expiration))) {
    throw invalidPolicy(`Invalid 'expiration' value: '${String(expiration)}'`);
  }
  if (!Array.isArray(conditions)) throw invalidPolicy("Invalid 'conditions' value: must be a List.");
  return { expiration, conditions: conditions as unknown[] };
}

/** A condition written as a list: `["eq" | "starts-with", "$field", value]` or `["content-length-range", min, max]`. */
function listCondition(c: unknown[]): Condition {
  const [op, a, b] = c;
  const operation = typeof op === 'string' ? op.toLowerCase() : op;
  if (operation === 'content-length-range') {
    const min = toLength(a);
    const max = toLength(b);
    if (c.length !== 3 || min === undefined || max === undefined || min > max) {
      throw invalidPolicy(`Invalid content-length-range condition: ${JSON.stringify(c)}`);
    }
    return { kind: 'content-length-range', min, max };
  }
  if (operation === 'eq' || operation === 'starts-with') {
    if (c.length !== 3 || typeof a !== 'string' || !a.startsWith('$') || typeof b !== 'string') {
      throw invalidPolicy(`Invalid Condition: ${JSON.stringify(c)}`);
    }
    return { kind: operation, field: a.slice(1).toLowerCase(), value: b, text: conditionText(operation, a.slice(1), b) };
  }
  throw invalidPolicy(`Invalid Condition: ${JSON.stringify(c)}`);
}

/** The exact-match conditions of an object `{ field: value, … }` (at least one). */
function objectConditions(c: object): Condition[] {
  const entries = Object.entries(c as Record<string, unknown>);
  if (entries.length === 0) throw invalidPolicy('Invalid Condition: {}');
  return entries.map(([field, value]) => {
    if (typeof value !== 'string') throw invalidPolicy(`Invalid Condition: ${JSON.stringify(c)}`);
    return { kind: 'eq', field: field.toLowerCase(), value, text: conditionText('eq', field, value) };
  });
}

/** The policy document with its conditions parsed (field names lower-cased); throws InvalidPolicyDocument. */
function parsePolicy(policyBase64: string): { expiration: string; conditions: Condition[] } {
  const { expiration, conditions } = policyDocument(policyBase64);
  const parsed: Condition[] = [];
  for (const c of conditions) {
    if (Array.isArray(c)) parsed.push(listCondition(c as unknown[]));
    else if (c !== null && typeof c === 'object') parsed.push(...objectConditions(c));
    else throw invalidPolicy(`Invalid Condition: ${JSON.stringify(c)}`);
  }
  return { expiration, conditions: parsed };
}

/** As S3 quotes a failed condition: `["eq", "$key", "a/b"]`. */
function conditionText(operation: string, field: string, value: string): string {
  return `[${JSON.stringify(operation)}, ${JSON.stringify(`$${field}`)}, ${JSON.stringify(value)}]`;
}

/** A length bound as a safe non-negative integer (a string of digits accepted), or undefined. */
function toLength(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * content-length-range on the bytes read so far: over a maximum (or the front's own cap) fails at
 * once; under a minimum only once the file is complete.
 */
export function checkLength(form: CheckedForm, size: number, cap: number, complete: boolean): void {
  if (size > cap) {
    throw new S3FrontError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { ProposedSize: size, MaxSizeAllowed: cap });
  }
  for (const { min, max } of form.lengthRanges) {
    if (size > max) {
      throw new S3FrontError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { ProposedSize: size, MaxSizeAllowed: max });
    }
    if (complete && size < min) {
      throw new S3FrontError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', {
        ProposedSize: size,
        MinSizeAllowed: min,
      });
    }
  }
}

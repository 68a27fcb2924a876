/**
 * The S3 errors the local POST front answers with (see s3-front.ts): the status, S3's code and
 * message, and the detail elements S3 adds to its XML error body.
 */

/** An S3 error answer. */
export class S3FrontError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'S3FrontError';
  }
}

/** S3 refuses POST forms whose fields before the file exceed 20 KB. */
export const MAX_PRE_DATA_BYTES = 20 * 1024;

/** 403 AccessDenied: a policy condition (or expiry, or an unsigned field) failed. */
export const policyFailed = (what: string): S3FrontError => new S3FrontError(403, 'AccessDenied', `Invalid according to Policy: ${what}`);

/** 400 InvalidPolicyDocument: the policy document itself is not valid. */
export const invalidPolicy = (what: string): S3FrontError => new S3FrontError(400, 'InvalidPolicyDocument', `Invalid Policy: ${what}`);

/** 400 InvalidArgument: a required form field is missing. */
export const missingField = (name: string): S3FrontError =>
  new S3FrontError(400, 'InvalidArgument', `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, {
    ArgumentName: name,
    ArgumentValue: '',
  });

/** 400 InvalidArgument: a form field given twice. */
export const duplicateField = (name: string, value: string): S3FrontError =>
  new S3FrontError(400, 'InvalidArgument', `Bucket POST must not contain the field '${name}' twice.`, { ArgumentName: name, ArgumentValue: value });

/** 400 InvalidArgument: no file (or not exactly one). */
export const oneFile = (): S3FrontError =>
  new S3FrontError(400, 'InvalidArgument', 'POST requires exactly one file upload per request.', { ArgumentName: 'file', ArgumentValue: '0' });

/** 400 MalformedPOSTRequest: the body is not readable multipart/form-data. */
export const malformedPost = (): S3FrontError =>
  new S3FrontError(400, 'MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.');

/** 412 PreconditionFailed: the request is not multipart/form-data. */
export const notMultipart = (): S3FrontError =>
  new S3FrontError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
    Condition: 'Bucket POST must be of the enclosure-type multipart/form-data',
  });

/** 400 MaxPostPreDataLengthExceededError: the fields before the file exceed MAX_PRE_DATA_BYTES (or the field count). */
export const preDataTooLarge = (): S3FrontError =>
  new S3FrontError(400, 'MaxPostPreDataLengthExceededError', 'Your POST request fields preceeding the upload file was too large.', {
    MaxPostPreDataLengthBytes: MAX_PRE_DATA_BYTES,
  });

/** 500 InternalError. */
export const internalError = (): S3FrontError => new S3FrontError(500, 'InternalError', 'We encountered an internal error. Please try again.');

/** The error itself when it is an S3 error, else InternalError (nothing of an unexpected error is shown). */
export function toFrontError(err: unknown): S3FrontError {
  return err instanceof S3FrontError ? err : internalError();
}

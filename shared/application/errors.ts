/**
 * A refusal of a request by a use case: an HTTP-like status, a stable code and a Vietnamese message
 * for the person who asked. The HTTP adapter answers with exactly these; the CLI prints the message.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A page cursor a client sent back that is not one the server made for this listing. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

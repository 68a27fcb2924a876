/** Arguments the CLI cannot work with (exit code 2). The message is Vietnamese. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A secret key given directly, or where to fetch it (Secrets Manager ARN). */
export type KeySource = { value: string } | { secretArn: string };

/**
 * A key given directly (local stack), or read once from Secrets Manager and cached for the life of
 * the Lambda container (a failed read is retried on the next use). A function deployed without the
 * key gets no provider at all (see runtime/bootstrap.ts). The Secrets Manager client is loaded and
 * made on the first read: most invocations of the API and of the scheduled functions need no key.
 */
export function secretKeyProvider(source: KeySource, region: string, what: string): () => Promise<string> {
  if ('value' in source) return async () => source.value;
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= import('@aws-sdk/client-secrets-manager')
      .then(({ GetSecretValueCommand, SecretsManagerClient }) =>
        new SecretsManagerClient({ region }).send(new GetSecretValueCommand({ SecretId: source.secretArn })),
      )
      .then((out) => {
        if (!out.SecretString) throw new Error(`The ${what} secret has no string value`);
        return out.SecretString;
      })
      .catch((err: unknown) => {
        cached = undefined;
        throw err;
      });
    return cached;
  };
}

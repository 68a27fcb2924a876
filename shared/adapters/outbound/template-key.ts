import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, type KeySource } from '../../runtime/config.js';

/**
 * A key given directly (local stack), or read once from Secrets Manager and cached for the life of
 * the Lambda container. A function deployed without the key (no `use*Key` grant, so no variable)
 * gets a provider that refuses: it can neither sign nor derive with a key it was never given.
 */
export function secretKeyProvider(source: KeySource | undefined, region: string, what: string): () => Promise<string> {
  if (!source) return async () => { throw new ConfigError(`This function has no ${what}`); };
  if ('value' in source) return async () => source.value;
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= new SecretsManagerClient({ region })
      .send(new GetSecretValueCommand({ SecretId: source.secretArn }))
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

/** The template signing key. */
export function templateKeyProvider(source: KeySource | undefined, region: string): () => Promise<string> {
  return secretKeyProvider(source, region, 'template signing key');
}

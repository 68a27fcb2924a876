import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AppConfig } from '../config/config.js';

/**
 * The template signing key: given directly (local stack), or read once from Secrets Manager and
 * cached for the life of the Lambda container.
 */
export function templateKeyProvider(source: AppConfig['templateKey'], region: string): () => Promise<string> {
  if ('value' in source) return async () => source.value;
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= new SecretsManagerClient({ region })
      .send(new GetSecretValueCommand({ SecretId: source.secretArn }))
      .then((out) => {
        if (!out.SecretString) throw new Error('Template signing key secret has no string value');
        return out.SecretString;
      })
      .catch((err: unknown) => {
        cached = undefined;
        throw err;
      });
    return cached;
  };
}

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Where the local stack and the CLI keep the template signing key when none is configured. */
export const LOCAL_KEY_FILE = resolve('.local', 'template-signing-key');
/** Where the local stack and the CLI keep the token key when none is configured. */
export const LOCAL_TOKEN_KEY_FILE = resolve('.local', 'token-key');

/** A key from the environment, else from a local file, made once (random, 256 bits) if missing. */
function resolveLocalKey(fromEnv: string | undefined, file: string): string {
  if (fromEnv?.trim()) return fromEnv.trim();
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored) return stored;
  } catch {
    // no key yet: make one below
  }
  const key = randomBytes(32).toString('hex');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/**
 * The key that signs template identities. Production passes it in `TEMPLATE_SIGNING_KEY` (from the
 * deployment's secret); on a developer machine a random key is made once and kept in `.local/`, so the
 * CLI and the local stack agree.
 */
export function resolveTemplateKey(env: NodeJS.ProcessEnv = process.env, file: string = LOCAL_KEY_FILE): string {
  return resolveLocalKey(env.TEMPLATE_SIGNING_KEY, file);
}

/**
 * The key every personal token is derived from (a separate secret from the template key: see
 * docs/SECURITY.md). `TOKEN_KEY` in the environment, else `.local/token-key`, made once.
 */
export function resolveTokenKey(env: NodeJS.ProcessEnv = process.env, file: string = LOCAL_TOKEN_KEY_FILE): string {
  return resolveLocalKey(env.TOKEN_KEY, file);
}

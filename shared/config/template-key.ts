import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Where the local stack and the CLI keep the template signing key when none is configured. */
export const LOCAL_KEY_FILE = resolve('.local', 'template-signing-key');

/**
 * The key that signs template identities. Production passes it in `TEMPLATE_SIGNING_KEY` (from the
 * deployment's secret); on a developer machine a random key is made once and kept in `.local/`, so the
 * CLI and the local stack agree.
 */
export function resolveTemplateKey(env: NodeJS.ProcessEnv = process.env, file: string = LOCAL_KEY_FILE): string {
  const fromEnv = env.TEMPLATE_SIGNING_KEY?.trim();
  if (fromEnv) return fromEnv;
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

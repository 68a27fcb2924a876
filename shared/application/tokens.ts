import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { Actor } from '../domain/audit.js';
import { recordStep } from './audit.js';
import type { TokenRecord } from './records.js';
import type { PipelineDeps } from './deps.js';

/** A principal: who a valid token speaks for. */
export interface Principal {
  unitCode: string;
  role: 'unit' | 'admin';
  tokenId: string;
}

/** Tokens are issued and revoked by the operator's CLI (no function holds the right to write them). */
const OPERATOR: Actor = { kind: 'operator', id: 'cli', name: null };

/** SHA-256 (hex) of a token: the only form in which tokens are stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * A token is the HMAC-SHA256 of a random token id under the deployment's token key (256 bits,
 * base64url) — a secret of its own, never the template key. The table keeps only the token's hash
 * and its id, so a leaked table gives no access, while the sender of reminders (which alone holds
 * the token key) can still put a unit's personal link into a message at the moment it is sent.
 */
export function deriveToken(key: string, tokenId: string): string {
  return `cchc_${createHmac('sha256', key).update(`unit-token:${tokenId}`).digest('base64url')}`;
}

/** Issues a personal token for a unit; the token is returned to be handed over as its personal link. */
export async function issueToken(
  deps: Pick<PipelineDeps, 'stores' | 'clock' | 'config' | 'tokenKey'>,
  unitCode: string,
  role: 'unit' | 'admin' = 'unit',
): Promise<{ token: string; record: TokenRecord }> {
  if (!deps.tokenKey) throw new Error('Issuing a token needs the token key');
  const tokenId = randomUUID();
  const token = deriveToken(await deps.tokenKey(), tokenId);
  const now = deps.clock.now();
  const record: TokenRecord = {
    tokenId,
    tokenHash: hashToken(token),
    unitCode,
    role,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + deps.config.tokenTtlDays * 86_400_000).toISOString(),
  };
  await deps.stores.tokens.put(record);
  // The trail names the token by its id only (the token is a credential; its id alone opens nothing).
  await recordStep(deps, {
    eventId: `${role === 'admin' ? 'user' : 'link'}.issued:${tokenId}`,
    type: role === 'admin' ? 'user.issued' : 'link.issued',
    periodId: null,
    unitCode: role === 'admin' ? null : unitCode,
    actor: OPERATOR,
    detail: { tokenId, unitCode, expiresAt: record.expiresAt },
  });
  return { token, record };
}

/** Revokes every live token of a unit; returns how many were revoked. */
export async function revokeUnitTokens(deps: Pick<PipelineDeps, 'stores' | 'clock'>, unitCode: string): Promise<number> {
  const tokens = await deps.stores.tokens.listOfUnit(unitCode);
  const live = tokens.filter((t) => !t.revokedAt);
  const at = deps.clock.now().toISOString();
  for (const t of live) {
    await deps.stores.tokens.revoke(t.tokenHash, at);
    await recordStep(deps, {
      eventId: `${t.role === 'admin' ? 'user' : 'link'}.revoked:${t.tokenId}`,
      type: t.role === 'admin' ? 'user.revoked' : 'link.revoked',
      periodId: null,
      unitCode: t.role === 'admin' ? null : unitCode,
      actor: OPERATOR,
      detail: { tokenId: t.tokenId, unitCode },
    });
  }
  return live.length;
}

/** The principal of a bearer token, or null when it is unknown, revoked or expired. */
export async function authenticate(deps: Pick<PipelineDeps, 'stores' | 'clock'>, token: string | undefined): Promise<Principal | null> {
  if (!token || !/^cchc_[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const record = await deps.stores.tokens.getByHash(hashToken(token));
  if (!record || record.revokedAt) return null;
  if (Date.parse(record.expiresAt) <= deps.clock.now().getTime()) return null;
  return { unitCode: record.unitCode, role: record.role, tokenId: record.tokenId };
}

/** The unit's personal link: the token rides in the URL fragment, so it never reaches a server log. */
export function personalLink(portalUrl: string, token: string): string {
  return `${portalUrl}/#t=${token}`;
}

/**
 * The personal link of a unit's newest live token that the current token key derives, or null when
 * it has none. A token issued under an earlier token key still authenticates (its hash is stored)
 * but can no longer be re-derived: it is skipped rather than mailed as a dead link.
 */
export async function currentLinkOf(deps: Pick<PipelineDeps, 'stores' | 'clock' | 'config' | 'tokenKey'>, unitCode: string): Promise<string | null> {
  if (!deps.tokenKey) throw new Error('Rendering a personal link needs the token key');
  const key = await deps.tokenKey();
  const now = deps.clock.now().getTime();
  const live = (await deps.stores.tokens.listOfUnit(unitCode))
    .filter((t) => !t.revokedAt && t.role === 'unit' && Date.parse(t.expiresAt) > now)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  for (const t of live) {
    const token = deriveToken(key, t.tokenId);
    if (hashToken(token) === t.tokenHash) return personalLink(deps.config.portalUrl, token);
  }
  return null;
}

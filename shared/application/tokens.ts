import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { Actor } from '../domain/audit.js';
import { recordStep } from './audit.js';
import type { DepartmentAccess, DepartmentUser, TokenRecord } from './records.js';
import { DomainError } from '../domain/errors.js';
import type { PipelineDeps } from './deps.js';

/** A principal: who a valid token speaks for. */
export interface Principal {
  unitCode: string;
  role: 'unit' | 'admin';
  tokenId: string;
  /** For a Department user's token: who they are and what they may do. */
  user?: DepartmentUser;
}

/** The access levels in order: each includes the ones before it. */
export const ACCESS_ORDER: readonly DepartmentAccess[] = ['viewer', 'reviewer', 'administrator'];

export const ACCESS_NAMES: Readonly<Record<DepartmentAccess, string>> = Object.freeze({
  viewer: 'xem',
  reviewer: 'xem xét, trả lại, chấp nhận báo cáo',
  administrator: 'quản trị (cả danh mục đơn vị)',
});

/** A Department token issued before users were named: it acts as an administrator with no name. */
const UNNAMED_ADMIN: DepartmentUser = { name: 'Cán bộ Phòng CCHC', email: '', access: 'administrator' };

/** Whether a principal may do what needs `needed` (a unit never may). */
export function mayDo(principal: Principal, needed: DepartmentAccess): boolean {
  if (principal.role !== 'admin') return false;
  const has = (principal.user ?? UNNAMED_ADMIN).access;
  return ACCESS_ORDER.indexOf(has) >= ACCESS_ORDER.indexOf(needed);
}

/** Who did a step, as the audit trail and the reviews name them. */
export function actorOf(principal: Principal): Actor {
  if (principal.role === 'admin') return { kind: 'department', id: principal.tokenId, name: (principal.user ?? UNNAMED_ADMIN).name };
  return { kind: 'unit', id: principal.unitCode, name: null };
}

/** A Department user as typed by the operator: a name, an e-mail address and an access level, checked. */
export function checkDepartmentUser(input: { name?: string; email?: string; access?: string }): DepartmentUser {
  const name = (input.name ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();
  const email = (input.email ?? '').trim().toLowerCase();
  const access = (input.access ?? 'viewer') as DepartmentAccess;
  if (!name || name.length > 120) throw new DomainError('Cần ghi họ và tên người được cấp (tối đa 120 ký tự).');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) throw new DomainError(`Địa chỉ thư "${input.email ?? ''}" không hợp lệ.`);
  if (!ACCESS_ORDER.includes(access)) throw new DomainError(`Quyền "${input.access}" không có; chọn một trong: ${ACCESS_ORDER.join(', ')}.`);
  return { name, email, access };
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
  holder?: DepartmentUser,
): Promise<{ token: string; record: TokenRecord }> {
  if (holder && role !== 'admin') throw new Error('Only a Department token has a named holder');
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
    ...(holder ? { holder } : {}),
  };
  await deps.stores.tokens.put(record);
  // The trail names the token by its id only (the token is a credential; its id alone opens nothing).
  await recordStep(deps, {
    eventId: `${role === 'admin' ? 'user' : 'link'}.issued:${tokenId}`,
    type: role === 'admin' ? 'user.issued' : 'link.issued',
    periodId: null,
    unitCode: role === 'admin' ? null : unitCode,
    actor: OPERATOR,
    detail: { tokenId, unitCode, expiresAt: record.expiresAt, ...(holder ? { holder: holder.name, email: holder.email, access: holder.access } : {}) },
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
  return { unitCode: record.unitCode, role: record.role, tokenId: record.tokenId, ...(record.holder ? { user: record.holder } : {}) };
}

/** Revokes one Department user's link by its token id (the others keep theirs); false when there is no such live link. */
export async function revokeUserToken(deps: Pick<PipelineDeps, 'stores' | 'clock' | 'units'>, tokenId: string): Promise<TokenRecord | null> {
  const aggregator = deps.units.find((u) => u.aggregator);
  if (!aggregator) return null;
  const t = (await deps.stores.tokens.listOfUnit(aggregator.code)).find((x) => x.tokenId === tokenId && x.role === 'admin');
  if (!t || t.revokedAt) return null;
  await deps.stores.tokens.revoke(t.tokenHash, deps.clock.now().toISOString());
  await recordStep(deps, {
    eventId: `user.revoked:${t.tokenId}`,
    type: 'user.revoked',
    periodId: null,
    unitCode: null,
    actor: OPERATOR,
    detail: { tokenId: t.tokenId, unitCode: t.unitCode, ...(t.holder ? { holder: t.holder.name } : {}) },
  });
  return t;
}

/** The Department's users (its admin tokens), newest first, with who holds each and whether it is live. */
export async function departmentUsers(deps: Pick<PipelineDeps, 'stores' | 'units'>): Promise<TokenRecord[]> {
  const aggregator = deps.units.find((u) => u.aggregator);
  if (!aggregator) return [];
  return (await deps.stores.tokens.listOfUnit(aggregator.code)).filter((t) => t.role === 'admin').sort((a, b) => b.createdAt.localeCompare(a.createdAt));
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

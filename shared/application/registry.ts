import { applyRegistryChange, checkRegistry, RegistryError, type RegistryChange, type RegistryVersion } from '../domain/registry.js';
import { defaultRoster, type LeaderTerm } from '../domain/roster.js';
import { defaultUnits } from '../domain/units.js';
import type { Actor } from '../domain/audit.js';
import { checkIsoDate } from '../domain/zone.js';
import { recordStep } from './audit.js';
import type { PipelineDeps } from './deps.js';
import { ApiError } from './errors.js';
import { realTime } from './ports.js';

/**
 * The unit registry as the Department keeps it (docs/REGISTRY.md): its current version is what every
 * function uses as `deps.units` (and `deps.roster`), read from the table and refreshed at most every
 * REFRESH_MS; each change is a new numbered version (a concurrent change loses, with a message) and a
 * step on the trail. Until the first change a deployment runs on its seed, shared/data/units.json.
 */

/** The seed of a deployment: the shipped registry and roster (version 0, never stored). */
export function seedRegistry(): RegistryVersion {
  return {
    version: 0,
    units: [...defaultUnits],
    roster: [...defaultRoster],
    at: null,
    by: null,
    reason: null,
    summary: 'Danh mục gốc (shared/data/units.json).',
  };
}

export async function currentRegistry(deps: Pick<PipelineDeps, 'stores'>): Promise<RegistryVersion> {
  return (await deps.stores.registry.latest()) ?? seedRegistry();
}

/** How long a function trusts the registry it read (real time): a change reaches every function within it. */
export const REFRESH_MS = 60_000;
const loaded = new WeakMap<object, { at: number; version: number }>();

/** Makes `deps.units` and `deps.roster` the stored registry's, unless read less than REFRESH_MS ago. */
export async function refreshRegistry(deps: PipelineDeps, force = false): Promise<void> {
  const seen = loaded.get(deps.stores);
  const now = realTime.now().getTime();
  if (!force && seen && now - seen.at < REFRESH_MS) return;
  const v = await deps.stores.registry.latest();
  loaded.set(deps.stores, { at: now, version: v?.version ?? 0 });
  if (!v) return;
  deps.units = v.units;
  deps.roster = v.roster;
}

function checkRoster(units: readonly { code: string }[], roster: readonly LeaderTerm[]): LeaderTerm[] {
  return roster.map((l, i) => {
    const where = `Trang "Lãnh đạo", dòng ${i + 1}`;
    if (!units.some((u) => u.code === l.unit)) throw new RegistryError(`${where}: không có đơn vị mã ${l.unit}.`);
    const name = (l.name ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();
    const office = (l.office ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();
    if (!name || !office) throw new RegistryError(`${where}: cần họ tên và chức vụ.`);
    const from = checkIsoDate(l.from ?? '');
    const to = l.to ? checkIsoDate(l.to) : undefined;
    if (!from || to === null || (to && to < from)) throw new RegistryError(`${where} (${name}): ngày giữ chức vụ không hợp lệ.`);
    return { unit: l.unit, name, office, role: l.role, from, ...(to ? { to } : {}) };
  });
}

/** Applies one change as the registry's next version, audited; ApiError 400 (invalid) or 409 (someone changed it first). */
export async function changeRegistry(deps: PipelineDeps, change: RegistryChange, reason: unknown, actor: Actor): Promise<RegistryVersion> {
  const why = (typeof reason === 'string' ? reason : '').normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!why) throw new ApiError(400, 'REASON_REQUIRED', 'Cần ghi lý do thay đổi danh mục (ví dụ: số quyết định).');
  if (why.length > 1000) throw new ApiError(400, 'REASON_TOO_LONG', 'Lý do dài quá 1.000 ký tự.');
  const current = await currentRegistry(deps);
  let next: RegistryVersion;
  try {
    const { units, summary } = applyRegistryChange(current.units, change);
    const roster = change.type === 'replace' && change.roster ? checkRoster(units, change.roster) : current.roster;
    next = { version: current.version + 1, units, roster, at: deps.clock.now().toISOString(), by: actor.name ?? actor.id, reason: why, summary };
  } catch (err) {
    if (err instanceof RegistryError) throw new ApiError(400, 'REGISTRY_INVALID', err.message);
    throw err;
  }
  if (!(await deps.stores.registry.append(next)))
    throw new ApiError(409, 'CONCURRENT_CHANGE', 'Danh mục vừa được người khác thay đổi; vui lòng tải lại trang rồi thực hiện lại.');
  await recordStep(deps, {
    eventId: `registry:v${next.version}`,
    type: 'registry.changed',
    periodId: null,
    unitCode: null,
    actor,
    reason: why,
    at: next.at!,
    detail: { version: next.version, change: change.type, summary: next.summary, units: next.units.length },
  });
  await refreshRegistry(deps, true);
  deps.log.info('registry changed', { version: next.version, change: change.type, by: actor.id });
  return next;
}

/** An imported workbook as the registry's next version (the whole list, checked: no unit removed). */
export async function importRegistry(deps: PipelineDeps, bytes: Uint8Array, reason: unknown, actor: Actor): Promise<RegistryVersion> {
  const { registryFromXlsx } = await import('../documents/registry-workbook.js');
  let parsed: ReturnType<typeof registryFromXlsx>;
  try {
    parsed = registryFromXlsx(bytes);
  } catch (err) {
    if (err instanceof RegistryError) throw new ApiError(400, 'REGISTRY_INVALID', err.message);
    throw err;
  }
  const current = await currentRegistry(deps);
  try {
    checkRegistry(current.units, parsed.units);
  } catch (err) {
    if (err instanceof RegistryError) throw new ApiError(400, 'REGISTRY_INVALID', err.message);
    throw err;
  }
  return changeRegistry(deps, { type: 'replace', units: parsed.units, ...(parsed.roster ? { roster: parsed.roster } : {}) }, reason, actor);
}

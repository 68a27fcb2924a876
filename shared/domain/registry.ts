import type { LeaderTerm } from './roster.js';
import type { IsoDate, Unit, UnitKind } from './types.js';
import { addDays, checkIsoDate } from './zone.js';
import { formatDateVi } from './dates.js';

/**
 * The registry of reporting units as the Department keeps it on the board: numbered versions of the
 * whole list (and the leadership roster), each made by one change with who, when and why. A unit is
 * never removed: it is closed from a date (activeTo), renamed from a date (its former name kept),
 * merged into a new unit or split into new ones from a date, so every period keeps the units, and
 * the names, it had (expectedUnits uses the registry as it stood on the period's due date).
 */

export interface RegistryVersion {
  /** 0 for the seed (shared/data/units.json and leadership.json, never stored), then 1, 2, … */
  version: number;
  units: Unit[];
  roster: LeaderTerm[];
  /** ISO UTC; null for the seed. */
  at: string | null;
  /** Who made the change (the Department user's name), and why. */
  by: string | null;
  reason: string | null;
  /** The change in words ("Đổi tên SDL từ 01/07/2021: …"). */
  summary: string;
}

/** What can be changed, each from a date where it changes who reports or under which name. */
export type RegistryChange =
  | { type: 'update'; code: string; emails?: string[]; headTitle?: string; kind?: UnitKind }
  | { type: 'rename'; code: string; name: string; from: string }
  | { type: 'add'; unit: NewUnit; from: string }
  | { type: 'close'; code: string; to: string }
  | { type: 'merge'; codes: string[]; into: NewUnit; from: string }
  | { type: 'split'; code: string; into: NewUnit[]; from: string }
  | { type: 'replace'; units: Unit[]; roster?: LeaderTerm[] };

/** A unit made by a change: what the registry needs of it. */
export interface NewUnit {
  code: string;
  name: string;
  kind: UnitKind;
  headTitle: string;
  emails: string[];
}

export class RegistryError extends Error {
  override name = 'RegistryError';
}

const KINDS: readonly UnitKind[] = ['department', 'district', 'central'];
const CODE = /^[A-Z][A-Z0-9]{1,11}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function clean(text: unknown, what: string, max = 200): string {
  const t = (typeof text === 'string' ? text : '').normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!t) throw new RegistryError(`Thiếu ${what}.`);
  if (t.length > max) throw new RegistryError(`${what} dài quá ${max} ký tự.`);
  return t;
}

function date(raw: unknown, what: string): IsoDate {
  const d = typeof raw === 'string' ? checkIsoDate(raw.trim()) : null;
  if (!d) throw new RegistryError(`${what} phải là ngày hợp lệ (YYYY-MM-DD).`);
  return d;
}

function emails(list: unknown): string[] {
  const all = (Array.isArray(list) ? list : []).map((e) => String(e).trim().toLowerCase()).filter(Boolean);
  if (all.length === 0) throw new RegistryError('Cần ít nhất một địa chỉ thư điện tử nhận biên nhận và thư nhắc.');
  const bad = all.filter((e) => !EMAIL.test(e) || e.length > 254);
  if (bad.length) throw new RegistryError(`Địa chỉ thư không hợp lệ: ${bad.join(', ')}.`);
  if (all.length > 10) throw new RegistryError('Mỗi đơn vị có tối đa 10 địa chỉ thư.');
  return [...new Set(all)];
}

function newUnit(u: NewUnit, from: IsoDate, units: readonly Unit[]): Unit {
  const code = clean(u.code, 'mã đơn vị', 12).toUpperCase();
  if (!CODE.test(code)) throw new RegistryError(`Mã đơn vị "${code}" phải gồm 2–12 chữ cái in hoa hoặc chữ số, bắt đầu bằng chữ cái.`);
  if (units.some((x) => x.code === code)) throw new RegistryError(`Mã ${code} đã có trong danh mục (mã của một đơn vị không bao giờ dùng lại).`);
  if (!KINDS.includes(u.kind)) throw new RegistryError(`Loại đơn vị "${u.kind}" không có.`);
  return {
    code,
    name: clean(u.name, 'tên đơn vị'),
    kind: u.kind,
    headTitle: clean(u.headTitle, 'chức danh thủ trưởng', 80),
    emails: emails(u.emails),
    activeFrom: from,
  };
}

function unitOf(units: Unit[], code: string): Unit {
  const u = units.find((x) => x.code === code.trim().toUpperCase());
  if (!u) throw new RegistryError(`Không có đơn vị mã ${code} trong danh mục.`);
  return u;
}

/** Whether a unit reports on a day. */
function activeOn(u: Unit, day: IsoDate): boolean {
  return (!u.activeFrom || u.activeFrom <= day) && (!u.activeTo || day <= u.activeTo);
}

function closeFrom(u: Unit, from: IsoDate): void {
  if (!activeOn(u, from)) throw new RegistryError(`${u.name} (${u.code}) không còn hoạt động vào ngày ${formatDateVi(from)}.`);
  if (u.aggregator) throw new RegistryError('Không thể đóng, hợp nhất hay tách Sở Nội vụ (đơn vị tổng hợp).');
  u.activeTo = addDays(from, -1);
}

/**
 * The units after a change, checked (Vietnamese messages in RegistryError), with a sentence saying
 * what changed. Pure: the input is not modified.
 */
export function applyRegistryChange(current: readonly Unit[], change: RegistryChange): { units: Unit[]; summary: string } {
  const units: Unit[] = current.map((u) => structuredClone(u));
  switch (change.type) {
    case 'update': {
      const u = unitOf(units, change.code);
      const parts: string[] = [];
      if (change.emails) {
        u.emails = emails(change.emails);
        parts.push(`thư điện tử: ${u.emails.join(', ')}`);
      }
      if (change.headTitle !== undefined) {
        u.headTitle = clean(change.headTitle, 'chức danh thủ trưởng', 80);
        parts.push(`chức danh thủ trưởng: ${u.headTitle}`);
      }
      if (change.kind !== undefined) {
        if (!KINDS.includes(change.kind)) throw new RegistryError(`Loại đơn vị "${change.kind}" không có.`);
        u.kind = change.kind;
        parts.push(`loại: ${change.kind}`);
      }
      if (!parts.length) throw new RegistryError('Không có thay đổi nào.');
      return { units, summary: `Cập nhật ${u.name} (${u.code}): ${parts.join('; ')}.` };
    }
    case 'rename': {
      const u = unitOf(units, change.code);
      const from = date(change.from, 'Ngày đổi tên');
      const name = clean(change.name, 'tên mới');
      if (name === u.name) throw new RegistryError('Tên mới trùng tên hiện tại.');
      const former = u.formerNames ?? [];
      if (former.some((f) => f.until >= from)) throw new RegistryError('Ngày đổi tên phải sau lần đổi tên trước.');
      u.formerNames = [...former, { name: u.name, until: addDays(from, -1) }];
      const old = u.name;
      u.name = name;
      return { units, summary: `Đổi tên ${old} (${u.code}) thành ${name} từ ngày ${formatDateVi(from)}.` };
    }
    case 'add': {
      const from = date(change.from, 'Ngày bắt đầu báo cáo');
      const u = newUnit(change.unit, from, units);
      units.push(u);
      return { units, summary: `Thêm ${u.name} (${u.code}) từ ngày ${formatDateVi(from)}.` };
    }
    case 'close': {
      const u = unitOf(units, change.code);
      const to = date(change.to, 'Ngày thôi báo cáo');
      closeFrom(u, addDays(to, 1));
      return { units, summary: `${u.name} (${u.code}) thôi báo cáo sau ngày ${formatDateVi(to)}.` };
    }
    case 'merge': {
      const from = date(change.from, 'Ngày hợp nhất');
      if (change.codes.length < 2) throw new RegistryError('Hợp nhất cần ít nhất hai đơn vị.');
      const sources = [...new Set(change.codes.map((c) => c.trim().toUpperCase()))].map((c) => unitOf(units, c));
      for (const s of sources) closeFrom(s, from);
      const into = { ...newUnit(change.into, from, units), mergedFrom: sources.map((s) => s.code) };
      units.push(into);
      return {
        units,
        summary: `Hợp nhất ${sources.map((s) => `${s.name} (${s.code})`).join(', ')} thành ${into.name} (${into.code}) từ ngày ${formatDateVi(from)}.`,
      };
    }
    case 'split': {
      const from = date(change.from, 'Ngày chia tách');
      const source = unitOf(units, change.code);
      if (change.into.length < 2) throw new RegistryError('Chia tách cần ít nhất hai đơn vị mới.');
      closeFrom(source, from);
      const made: Unit[] = [];
      for (const n of change.into) {
        const u = { ...newUnit(n, from, [...units, ...made]), splitFrom: source.code };
        made.push(u);
      }
      units.push(...made);
      return {
        units,
        summary: `Chia tách ${source.name} (${source.code}) thành ${made.map((u) => `${u.name} (${u.code})`).join(', ')} từ ngày ${formatDateVi(from)}.`,
      };
    }
    case 'replace':
      return { units: checkRegistry(current, change.units), summary: `Nhập danh mục từ tệp Excel (${change.units.length} đơn vị).` };
  }
}

/**
 * A whole list (an import) checked against the current one: every current code still there (a unit
 * is closed, never deleted), each unit well formed, one aggregator, codes unique.
 */
export function checkRegistry(current: readonly Unit[], next: readonly Unit[]): Unit[] {
  const out: Unit[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of next.entries()) {
    const row = `Dòng ${i + 1}`;
    const code = String(raw.code ?? '')
      .trim()
      .toUpperCase();
    if (!CODE.test(code)) throw new RegistryError(`${row}: mã đơn vị "${code}" không hợp lệ.`);
    if (seen.has(code)) throw new RegistryError(`${row}: mã ${code} lặp lại.`);
    seen.add(code);
    if (!KINDS.includes(raw.kind)) throw new RegistryError(`${row} (${code}): loại đơn vị "${raw.kind}" không có.`);
    const was = current.find((u) => u.code === code);
    const u: Unit = {
      code,
      name: clean(raw.name, `${row} (${code}): tên đơn vị`),
      kind: raw.kind,
      headTitle: clean(raw.headTitle, `${row} (${code}): chức danh thủ trưởng`, 80),
      emails: emails(raw.emails),
      ...(raw.thematicTopic ? { thematicTopic: raw.thematicTopic } : {}),
      ...(raw.activeFrom ? { activeFrom: date(raw.activeFrom, `${row} (${code}): ngày bắt đầu`) } : {}),
      ...(raw.activeTo ? { activeTo: date(raw.activeTo, `${row} (${code}): ngày kết thúc`) } : {}),
      ...(was?.aggregator ? { aggregator: true } : {}),
      ...(raw.formerNames?.length ? { formerNames: raw.formerNames } : was?.formerNames ? { formerNames: was.formerNames } : {}),
      ...(raw.mergedFrom?.length ? { mergedFrom: raw.mergedFrom } : {}),
      ...(raw.splitFrom ? { splitFrom: raw.splitFrom } : {}),
    };
    if (u.activeFrom && u.activeTo && u.activeTo < u.activeFrom) throw new RegistryError(`${row} (${code}): ngày kết thúc trước ngày bắt đầu.`);
    out.push(u);
  }
  const missing = current.filter((u) => !seen.has(u.code)).map((u) => u.code);
  if (missing.length) throw new RegistryError(`Thiếu các đơn vị ${missing.join(', ')}: không xóa đơn vị khỏi danh mục, hãy ghi ngày kết thúc (thôi báo cáo).`);
  if (out.filter((u) => u.aggregator).length !== 1) throw new RegistryError('Danh mục phải có đúng một đơn vị tổng hợp (Sở Nội vụ).');
  return out;
}

/** A unit as it stood on a day: its name then (a renamed unit's former name before the change). */
export function unitAsOf(unit: Unit, day: IsoDate): Unit {
  const former = (unit.formerNames ?? []).filter((f) => day <= f.until).sort((a, b) => a.until.localeCompare(b.until))[0];
  return former ? { ...unit, name: former.name } : unit;
}

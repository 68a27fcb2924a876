import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../shared/application/tokens.js';
import type { BoardResponse } from '../../shared/application/board.js';
import { startTestStack, type TestStack } from './helpers/pipeline-stack.js';

/**
 * The unit registry kept on the board, on the local stack: each change a version with who and why,
 * the periods' expected units and names following the dates, the Excel round trip, the access.
 */
const vn = (s: string): Date => new Date(`${s}+07:00`);
let stack: TestStack;
let admin: string;
let reviewer: string;

async function api(token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: any; bytes?: Uint8Array }> {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if ((res.headers.get('content-type') ?? '').includes('json')) return { status: res.status, json: await res.json() };
  return { status: res.status, json: null, bytes: new Uint8Array(await res.arrayBuffer()) };
}
const change = (c: Record<string, unknown>, reason = 'Quyết định số 12/QĐ-UBND', as = admin) =>
  api(as, 'POST', '/api/admin/registry/change', { change: c, reason });
const board = async (periodId: string): Promise<BoardResponse> => (await api(admin, 'GET', `/api/admin/board?periodId=${periodId}`)).json;

beforeAll(async () => {
  stack = await startTestStack({ now: vn('2021-03-01T08:00:00') });
  admin = (await issueToken(stack.deps, 'SNV', 'admin', { name: 'Phạm Thu Trang', email: 'trang@snv.example.gov.vn', access: 'administrator' })).token;
  reviewer = (await issueToken(stack.deps, 'SNV', 'admin', { name: 'Lê Thị Hoa', email: 'hoa@snv.example.gov.vn', access: 'reviewer' })).token;
}, 120_000);

afterAll(async () => {
  await stack?.dispose();
});

describe('the unit registry on the board', () => {
  it('starts from the seed and refuses a change from a reviewer, or without a reason', async () => {
    const r = await api(admin, 'GET', '/api/admin/registry');
    expect(r.json).toMatchObject({ version: 0, summary: 'Danh mục gốc (shared/data/units.json).' });
    expect(r.json.units).toHaveLength(39);
    const denied = await change({ type: 'close', code: 'CTK', to: '2021-03-31' }, 'x', reviewer);
    expect(denied.status).toBe(403);
    expect(denied.json.error.message).toContain('quyền quản trị danh mục đơn vị');
    const noReason = await change({ type: 'close', code: 'CTK', to: '2021-03-31' }, ' ');
    expect(noReason.json.error.code).toBe('REASON_REQUIRED');
  });

  it('adds a unit from a date: it is expected from then on, can get its link and report', async () => {
    const added = await change({
      type: 'add',
      unit: {
        code: 'BQLDA',
        name: 'Ban Quản lý dự án đầu tư xây dựng tỉnh',
        kind: 'department',
        headTitle: 'Giám đốc',
        emails: ['vanthu.bqlda@thuathienhue.example'],
      },
      from: '2021-03-01',
    });
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({ version: 1, by: 'Phạm Thu Trang', reason: 'Quyết định số 12/QĐ-UBND' });
    const q1 = await board('2021-Q1');
    expect(q1.units.map((u) => u.unitCode)).toContain('BQLDA');
    expect(q1.summary.all.expected).toBe(40);
    // the plan was due on 05/01, before the unit existed
    expect((await board('2021-PLAN')).units.map((u) => u.unitCode)).not.toContain('BQLDA');
    const token = (await issueToken(stack.deps, 'BQLDA')).token;
    const me = await api(token, 'GET', '/api/me');
    expect(me.json).toMatchObject({ unitCode: 'BQLDA', name: 'Ban Quản lý dự án đầu tư xây dựng tỉnh' });
  });

  it('renames and closes from a date: earlier periods keep their units and names', async () => {
    expect((await change({ type: 'rename', code: 'SDL', name: 'Sở Văn hóa, Thể thao và Du lịch', from: '2021-04-01' })).status).toBe(200);
    expect((await change({ type: 'close', code: 'CTK', to: '2021-03-31' })).status).toBe(200);
    const q1 = await board('2021-Q1');
    const h1 = await board('2021-H1');
    expect(q1.units.find((u) => u.unitCode === 'SDL')!.name).toBe('Sở Du lịch');
    expect(h1.units.find((u) => u.unitCode === 'SDL')!.name).toBe('Sở Văn hóa, Thể thao và Du lịch');
    expect(q1.units.map((u) => u.unitCode)).toContain('CTK');
    expect(h1.units.map((u) => u.unitCode)).not.toContain('CTK');
    const bad = await change({ type: 'close', code: 'CTK', to: '2021-05-31' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('không còn hoạt động');
  });

  it('exports the registry as Excel and imports it back edited; a deleted row is refused', async () => {
    const exported = await api(admin, 'GET', '/api/admin/registry/export');
    expect(exported.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(exported.bytes! as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Đơn vị')!;
    expect(ws.getRow(1).getCell(1).value).toBe('Mã');
    let stp = 0;
    ws.eachRow((row, n) => {
      if (row.getCell(1).value === 'STP') stp = n;
    });
    ws.getRow(stp).getCell(5).value = 'vanthu.stp@thuathienhue.example; phongcchc.stp@thuathienhue.example';
    const edited = Buffer.from(await wb.xlsx.writeBuffer());
    const imported = await api(admin, 'POST', '/api/admin/registry/import', {
      file: edited.toString('base64'),
      reason: 'Cập nhật địa chỉ thư theo công văn của Sở Tư pháp',
    });
    expect(imported.status, JSON.stringify(imported.json)).toBe(200);
    expect(imported.json.units.find((u: { code: string }) => u.code === 'STP').emails).toEqual([
      'vanthu.stp@thuathienhue.example',
      'phongcchc.stp@thuathienhue.example',
    ]);
    // the rename's history survived the round trip
    expect(imported.json.units.find((u: { code: string }) => u.code === 'SDL').formerNames).toEqual([{ name: 'Sở Du lịch', until: '2021-03-31' }]);

    ws.spliceRows(stp, 1);
    const missing = Buffer.from(await wb.xlsx.writeBuffer());
    const refused = await api(admin, 'POST', '/api/admin/registry/import', { file: missing.toString('base64'), reason: 'x' });
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toContain('Thiếu các đơn vị STP');
    const junk = await api(admin, 'POST', '/api/admin/registry/import', { file: Buffer.from('not a workbook').toString('base64'), reason: 'x' });
    expect(junk.status).toBe(400);
  });

  it('keeps every version, and every change on the trail with who and why', async () => {
    const r = await api(admin, 'GET', '/api/admin/registry');
    expect(r.json.version).toBe(4);
    expect(r.json.history.map((h: { version: number }) => h.version)).toEqual([4, 3, 2, 1]);
    const trail = await stack.deps.stores.audit.ofUnit(null);
    const changes = trail.filter((e) => e.type === 'registry.changed');
    expect(changes).toHaveLength(4);
    expect(changes[0]).toMatchObject({
      actor: { kind: 'department', name: 'Phạm Thu Trang' },
      reason: 'Quyết định số 12/QĐ-UBND',
      detail: { version: 1, change: 'add' },
    });
  });
});

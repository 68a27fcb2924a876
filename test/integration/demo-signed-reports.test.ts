import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { localEventsFile } from '../../shared/adapters/outbound/event-sinks.js';
import { timelineOf } from '../../shared/application/audit.js';
import type { AuditEvent } from '../../shared/domain/audit.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoRun, runDemo } from '../../infra/local/demo-driver.js';
import { findPeriod } from '../../shared/domain/calendar.js';
import { expectedUnits } from '../../shared/domain/units.js';
import { TEST_DEMO_CA_DIR } from '../fixtures/pdf-signing.js';

/**
 * `npm run demo` plays a full period with signed reports: every unit that reports sends its data form
 * and its signed report PDF; three signed reports are refused with their finding and fixed; the
 * summary says so.
 */

const DEMO_TIMEOUT_MS = 240_000;
let dir: string;
let run: DemoRun;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cchc-demo-signed-'));
  run = await runDemo({ periodId: '2021-Q1', dataDir: dir, demoCaDir: TEST_DEMO_CA_DIR });
}, DEMO_TIMEOUT_MS);

afterAll(async () => {
  await run?.stack.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the audit trail and the events after a full demo period', () => {
  it('every file has its arrival, its result and its receipt on its slot’s trail; every consolidated unit its inclusion; the period its close', async () => {
    const { deps } = run.stack;
    const records = await deps.stores.submissions.listOfPeriod('2021-Q1');
    expect(records.length).toBeGreaterThan(70);
    const trails = new Map<string, Set<string>>();
    for (const code of new Set(records.map((r) => r.unitCode))) trails.set(code, new Set((await timelineOf(deps, '2021-Q1', code)).map((e) => e.eventId)));
    for (const r of records) {
      const ids = trails.get(r.unitCode)!;
      expect(ids.has(`received:${r.objectId}`), `${r.unitCode} ${r.objectId} received`).toBe(true);
      expect(ids.has(`recorded:${r.objectId}`), `${r.unitCode} ${r.objectId} recorded`).toBe(true);
      expect(ids.has(`sent:receipt-2021-Q1-${r.unitCode}-${r.objectId}`), `${r.unitCode} ${r.objectId} receipt sent`).toBe(true);
    }
    const all: AuditEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await deps.stores.audit.pageOfPeriod('2021-Q1', { limit: 500, ...(cursor ? { cursor } : {}) });
      all.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    expect(all.filter((e) => e.type === 'period.closed')).toHaveLength(1);
    const close = JSON.parse(await readFile(join(dir, 'reports', 'Tong-hop-CCHC-2021-Q1.json'), 'utf8'));
    const included = all.filter((e) => e.type === 'close.included').map((e) => e.unitCode);
    expect(included.length).toBeGreaterThan(25);
    expect(included.length).toBe(close.coverage.all.included);
    // every step other systems hear of is on the events file once per publication, with its step's id
    const lines = (await readFile(localEventsFile(dir), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: string; type: string });
    const recorded = new Set(lines.filter((l) => l.type === 'submission.recorded').map((l) => l.id));
    for (const r of records) expect(recorded.has(`recorded:${r.objectId}`), r.objectId).toBe(true);
    expect(lines.some((l) => l.type === 'report.issued')).toBe(true);
  });
});

describe('the demo with signed reports', () => {
  it('every unit that reports has a valid signed report whose leader is the one its data form names', async () => {
    const period = findPeriod('2021-Q1');
    const { deps } = run.stack;
    const reports = await deps.stores.pointers.listOfPeriod(period.id, 'report');
    const forms = await deps.stores.pointers.listOfPeriod(period.id);
    const reporting = new Set([...reports.current, ...reports.late].map((p) => p.unitCode));
    const never = ['SDL', 'CQLTT', 'NDONG'];
    expect([...reporting].sort()).toEqual(
      expectedUnits(period)
        .map((u) => u.code)
        .filter((c) => !never.includes(c))
        .sort(),
    );
    expect(reports.late.map((p) => p.unitCode).sort()).toEqual(['ALUOI', 'CTK', 'SNGV']);
    for (const pointer of [...forms.current, ...forms.late]) {
      const form = await deps.stores.submissions.get(period.id, pointer.unitCode, pointer.objectId);
      const reportPointer = [...reports.current, ...reports.late].find((p) => p.unitCode === pointer.unitCode)!;
      const report = await deps.stores.submissions.get(period.id, pointer.unitCode, reportPointer.objectId);
      expect(report!.report!.leader!.name, pointer.unitCode).toBe(form!.signerName);
      expect(report!.report!.signatures.map((s) => s.role)).toEqual(['leader', 'organisation']);
    }
  });

  it('refuses three signed reports with their Vietnamese finding, each fixed the next day, and the summary tells it', async () => {
    const records = (await run.stack.deps.stores.submissions.listOfPeriod('2021-Q1')).filter((r) => r.part === 'report' && r.status !== 'valid');
    expect(records.map((r) => [r.unitCode, r.findings.map((f) => f.code)]).sort()).toEqual([
      ['SCT', ['PDF_CHANGED_AFTER_SIGNING']],
      ['SKHDT', ['PDF_SIGNER_NOT_LEADER']],
      ['STNMT', ['PDF_NO_SIGNATURE']],
    ]);
    expect(records.find((r) => r.unitCode === 'SKHDT')!.findings[0]!.message).toContain('"Trần Văn Chuyên" không có trong danh sách lãnh đạo');
    expect(run.summary).toContain('39 received: 33 valid on time, 3 valid late, 3 refused');
    expect(run.summary).toContain('refused SKHDT: PDF_SIGNER_NOT_LEADER (then fixed)');
    expect(run.summary).toMatch(/Lãnh đạo đơn vị ký: Hoàng Văn Hải, Giám đốc, Sở Tư pháp; ký lúc/);
    const receipts = (await readdir(run.stack.mailDir)).filter((m) => m.includes('_receipt-2021-Q1-SKHDT-'));
    expect(receipts.length).toBeGreaterThanOrEqual(3);
  });
});

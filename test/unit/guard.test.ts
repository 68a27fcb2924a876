import { afterAll, describe, expect, it } from 'vitest';
import { Guard } from '../../shared/runtime/guard.js';
import { CHECK_ROLE, CHECK_WORKER_URL, guardedCheckUpload } from '../../shared/application/guarded-check.js';
import { validFill } from '../fixtures/hostile-corpus.js';
import { KEY, slotOf, templateOf } from '../fixtures/xlsx-fixtures.js';

const guard = new Guard(new URL('../fixtures/runaway-worker.ts', import.meta.url), 'runaway', { maxHeapMb: 64, timeoutMs: 3000 });
afterAll(() => guard.close());

describe('Guard: a worker bounded in memory and time', () => {
  it('returns what the function returns', async () => {
    expect(await guard.call('echo', [{ a: 'chữ' }])).toEqual({ ok: true, value: { a: 'chữ' } });
  });

  it('ends a call that exhausts its heap with the verdict "memory", and the process lives on', async () => {
    const out = await guard.call('hog', []);
    expect(out).toMatchObject({ ok: false, verdict: 'memory' });
    expect(await guard.call('echo', [1])).toEqual({ ok: true, value: 1 });
  });

  it('ends a call that never finishes with the verdict "timeout" and serves the next one', async () => {
    expect(await guard.call('spin', [])).toMatchObject({ ok: false, verdict: 'timeout' });
    expect(await guard.call('echo', [2])).toEqual({ ok: true, value: 2 });
  });

  it('reports a throw or an exit as "crash"', async () => {
    expect(await guard.call('fail', [])).toMatchObject({ ok: false, verdict: 'crash' });
    expect(await guard.call('exit', [])).toMatchObject({ ok: false, verdict: 'crash' });
    expect(await guard.call('echo', [3])).toEqual({ ok: true, value: 3 });
  });

  it('serves calls one at a time, in order', async () => {
    const outs = await Promise.all([1, 2, 3].map((n) => guard.call('echo', [n])));
    expect(outs.map((o) => (o.ok ? o.value : null))).toEqual([1, 2, 3]);
  });
});

describe('guardedCheckUpload: the real reader in the real worker', () => {
  it('reads and validates a template exactly as the unguarded reader does', async () => {
    const slot = slotOf('STP', '2021-Q1');
    const bytes = await templateOf(slot, validFill(slot));
    const out = await guardedCheckUpload(bytes, { unitCode: 'STP', periodId: '2021-Q1', kind: 'periodic' }, new Date('2021-03-10T03:00:00Z'), {
      templateKey: KEY,
    });
    expect(out.status).toBe('valid');
    expect(out.verdict).toBeUndefined();
  });

  it('turns a verdict into a recorded rejection with a truthful Vietnamese finding', async () => {
    const tight = new Guard(CHECK_WORKER_URL, CHECK_ROLE, { maxHeapMb: 64, timeoutMs: 1 });
    try {
      const slot = slotOf('STP', '2021-Q1');
      const out = await guardedCheckUpload(
        await templateOf(slot),
        { unitCode: 'STP', periodId: '2021-Q1', kind: 'periodic' },
        new Date(),
        { templateKey: KEY },
        tight,
      );
      expect(out.status).toBe('invalid');
      expect(out.verdict).toBe('timeout');
      expect(out.findings).toHaveLength(1);
      expect(out.findings[0]!.code).toBe('FILE_UNPROCESSABLE');
      expect(out.findings[0]!.message).toContain('KHÔNG được ghi nhận là báo cáo hợp lệ');
      expect(out.findings[0]!.message).toContain('Phòng Cải cách hành chính, Sở Nội vụ');
    } finally {
      await tight.close();
    }
  });
});

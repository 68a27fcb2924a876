import { describe, expect, it } from 'vitest';
import { checkUpload } from '../../shared/application/check-upload.js';
import type { UploadCheck } from '../../shared/application/check-upload.js';
import { hostileJsonSubmissions, hostileWorkbooks, validFill } from '../fixtures/hostile-corpus.js';
import type { HostileCase } from '../fixtures/hostile-corpus.js';
import { KEY, slotOf, templateOf } from '../fixtures/xlsx-fixtures.js';

const SLOT = slotOf('STP', '2021-Q1');
const slot = { unitCode: 'STP', periodId: '2021-Q1', kind: SLOT.period.kind };
const RECEIVED = new Date('2021-03-10T03:00:00Z');
/** Generous: a reader that expands any declared range allocates gigabytes and dies long before this. */
const HEAP_BUDGET = 400 * 1024 * 1024;

function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function check(bytes: Uint8Array): Promise<{ result: UploadCheck; grew: number }> {
  const before = used();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, used())), 5);
  try {
    const result = await checkUpload(bytes, slot, RECEIVED, { templateKey: KEY });
    peak = Math.max(peak, used());
    return { result, grew: peak - before };
  } finally {
    clearInterval(timer);
  }
}

function assertOutcome(c: HostileCase, result: UploadCheck, baseline: UploadCheck): void {
  expect(['valid', 'invalid'], c.name).toContain(result.status);
  if (result.status === 'invalid') expect(result.findings.length, c.name).toBeGreaterThan(0);
  for (const f of result.findings) expect(f.message, `${c.name}: ${f.code}`).toMatch(/[ạảãàáâăđêôơưếệ]/);
  if (c.expect === 'same') {
    expect(result.status, c.name).toBe(baseline.status);
    expect(result.findings, c.name).toEqual(baseline.findings);
    expect(result.submission, c.name).toEqual(baseline.submission);
  } else if (c.expect !== 'any') {
    expect(
      result.findings.map((f) => f.code),
      c.name,
    ).toContain(c.expect);
  }
}

describe('the hostile-workbook corpus: every case ends in a result, bounded by the file', async () => {
  const cases = await hostileWorkbooks(KEY);
  const baseline = await checkUpload(await templateOf(SLOT, validFill(SLOT)), slot, RECEIVED, { templateKey: KEY });

  it('has a clean baseline and many variants of every class', () => {
    expect(baseline.status).toBe('valid');
    expect(cases.length).toBeGreaterThan(150);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    // Act
    const { result, grew } = await check(c.bytes);
    // Assess
    assertOutcome(c, result, baseline);
    expect(grew, c.name).toBeLessThan(HEAP_BUDGET);
  });
});

describe('hostile JSON submissions end in a result, bounded by the file', () => {
  it.each(hostileJsonSubmissions().map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { result, grew } = await check(c.bytes);
    expect(['valid', 'invalid']).toContain(result.status);
    expect(grew).toBeLessThan(HEAP_BUDGET);
  });
});

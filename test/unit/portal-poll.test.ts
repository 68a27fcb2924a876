import { describe, expect, it } from 'vitest';

// The portal's own module (plain JavaScript for the browser, importable in Node: no DOM at load).
const COMMON: string = '../../shared/web/assets/common.js';
const { pollDelay } = (await import(COMMON)) as { pollDelay: (attempt: number) => number };

describe('pollDelay (the portal waiting for a result)', () => {
  it('asks soon, then less and less often, never less often than every 5 s', () => {
    const waits = Array.from({ length: 12 }, (_, i) => pollDelay(i));
    expect(waits[0]).toBe(400);
    for (let i = 1; i < waits.length; i++) expect(waits[i]!).toBeGreaterThanOrEqual(waits[i - 1]!);
    expect(waits.slice(0, 6).every((w, i) => i === 0 || w > waits[i - 1]!)).toBe(true);
    expect(Math.max(...waits)).toBe(5000);
    // within the portal's 90 s it asks at most ~25 times (it used to ask 90 times, once a second)
    let elapsed = 0;
    let polls = 0;
    while (elapsed < 90_000) elapsed += pollDelay(polls++);
    expect(polls).toBeLessThanOrEqual(25);
  });
});

import { describe, expect, it } from 'vitest';
import { summarise, table } from '../bench/harness.js';
import { renderFile, renderSection, SECTIONS, selectedIds, writtenSections } from '../bench/run.js';

const MACHINE = {
  cpu: 'Test CPU',
  cores: 2,
  node: 'v20.0.0',
  platform: 'linux x64',
  memoryGiB: 8,
  freeMemoryGiB: 4,
  load: [1, 1, 1] as [number, number, number],
  startedAt: '2026-12-02 10:00 Asia/Ho_Chi_Minh',
};

describe('npm run bench: the sections and the file', () => {
  it('runs every section unless --only names some, and refuses names it does not know', () => {
    const known = SECTIONS.map((s) => s.id);
    expect(selectedIds([], known)).toEqual(known);
    expect(selectedIds(['--only', 'bundles,reader'], known)).toEqual(['bundles', 'reader']);
    expect(selectedIds(['--only=pdf'], known)).toEqual(['pdf']);
    expect(() => selectedIds(['--only', 'bundle'], known)).toThrow(/--only takes some of/);
    expect(() => selectedIds(['--only'], known)).toThrow(/--only/);
  });

  it('writes each section between markers with when it was measured, and reads it back as written', () => {
    const text = renderSection({ id: 'bundles', title: 'Bundles', markdown: 'body', before: 'earlier' }, MACHINE);
    expect(text).toContain('## Bundles');
    expect(text).toContain('*Measured 2026-12-02 10:00 Asia/Ho_Chi_Minh, 2 × Test CPU, Node v20.0.0.*');
    expect(text).toContain('**Before issue 15:** earlier');
    const file = renderFile(MACHINE, ['bundles'], [{ id: 'bundles', text }]);
    expect(writtenSections(file).get('bundles')).toBe(text);
  });

  it('keeps the sections an --only run did not measure, and says which they are', () => {
    const old = renderSection({ id: 'reader', title: 'Reader', markdown: 'old figures' }, { ...MACHINE, startedAt: '2026-11-01 09:00 Asia/Ho_Chi_Minh' });
    const fresh = renderSection({ id: 'bundles', title: 'Bundles', markdown: 'new figures' }, MACHINE);
    const file = renderFile(
      MACHINE,
      ['bundles'],
      [
        { id: 'reader', text: old },
        { id: 'bundles', text: fresh },
        { id: 'pdf', text: null },
      ],
    );
    expect(file).toContain('| sections of this run | bundles |');
    expect(file).toContain('| kept from an earlier run | reader (each says when it was measured) |');
    expect(file).toContain('| not measured yet | pdf |');
    expect(file.indexOf('old figures')).toBeLessThan(file.indexOf('new figures'));
    expect(file).toContain('2026-11-01 09:00');
  });
});

describe('bench helpers', () => {
  it('summarises a sample by nearest rank', () => {
    const t = summarise(Array.from({ length: 20 }, (_, i) => 20 - i));
    expect(t).toEqual({ median: 10, p95: 19, max: 20, runs: 20 });
  });

  it('writes Markdown tables with right-aligned columns where asked', () => {
    expect(table(['a', 'b'], [[1, 'x']], ['l', 'r'])).toBe('| a | b |\n| --- | ---: |\n| 1 | x |');
  });
});

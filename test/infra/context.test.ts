import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ContextError, parseContext, type ContextKey } from '../../infra/context.js';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };

const parse = (values: Record<string, unknown>) => parseContext((key: ContextKey) => values[key]);
const withDefaults = (overrides: Record<string, unknown>) => parse({ ...cdkJson.context, ...overrides });

describe('parseContext', () => {
  it('reads the cdk.json defaults', () => {
    // Act
    const context = parse(cdkJson.context);
    // Assess
    expect(context).toEqual({
      senderAddress: 'cchc-noreply@thuathienhue.example',
      senderDomain: 'thuathienhue.example',
      aggregatorRecipients: ['phongcchc.snv@thuathienhue.example'],
      maxUploadBytes: 10485760,
      years: { first: 2021, last: 2026 },
    });
    expect(Object.isFrozen(context)).toBe(true);
  });

  it('accepts the string forms that `cdk -c key=value` passes', () => {
    const context = withDefaults({
      aggregatorRecipients: 'a@snv.example, b@snv.example',
      maxUploadBytes: '2048',
      years: '[2022, 2024]',
      portalOrigin: 'https://cchc.thuathienhue.example',
      alarmEmail: 'ops@thuathienhue.example',
    });
    expect(context).toMatchObject({
      aggregatorRecipients: ['a@snv.example', 'b@snv.example'],
      maxUploadBytes: 2048,
      years: { first: 2022, last: 2024 },
      portalOrigin: 'https://cchc.thuathienhue.example',
      alarmEmail: 'ops@thuathienhue.example',
    });
  });

  it('treats empty optional values as absent', () => {
    const context = withDefaults({ portalOrigin: '', alarmEmail: '  ' });
    expect(context.portalOrigin).toBeUndefined();
    expect(context.alarmEmail).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, ContextKey]>([
    ['missing sender', { senderAddress: undefined }, 'senderAddress'],
    ['sender without domain', { senderAddress: 'noreply' }, 'senderAddress'],
    ['no recipients', { aggregatorRecipients: [] }, 'aggregatorRecipients'],
    ['bad recipient', { aggregatorRecipients: ['ok@x.example', 'not-an-address'] }, 'aggregatorRecipients'],
    ['size not a number', { maxUploadBytes: 'ten' }, 'maxUploadBytes'],
    ['size above the Lambda limit', { maxUploadBytes: 200 * 1024 * 1024 }, 'maxUploadBytes'],
    ['one year only', { years: [2021] }, 'years'],
    ['years reversed', { years: [2026, 2021] }, 'years'],
    ['broken JSON', { years: '[2021,' }, 'years'],
    ['origin with path', { portalOrigin: 'https://cchc.example/portal' }, 'portalOrigin'],
    ['origin with trailing slash', { portalOrigin: 'https://cchc.example/' }, 'portalOrigin'],
    ['plain http origin', { portalOrigin: 'http://cchc.example' }, 'portalOrigin'],
    ['bad alarm e-mail', { alarmEmail: 'ops' }, 'alarmEmail'],
  ])('rejects %s, naming the key', (_case, overrides, key) => {
    expect(() => withDefaults(overrides)).toThrow(ContextError);
    expect(() => withDefaults(overrides)).toThrow(`"${key}"`);
  });
});

describe('trustDir', () => {
  it('is a folder with anchors/, resolved; a typo or a folder without anchors/ stops synthesis', async () => {
    const { mkdtemp, mkdir, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'cchc-trust-'));
    try {
      expect(() => withDefaults({ trustDir: dir })).toThrow(/trustDir.*anchors/);
      await mkdir(join(dir, 'anchors'));
      expect(withDefaults({ trustDir: dir }).trustDir).toBe(dir);
      expect(() => withDefaults({ trustDir: join(dir, 'typo') })).toThrow(ContextError);
      expect(withDefaults({ trustDir: '' }).trustDir).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The template key and the token key are separate secrets: rotating one leaves what the other made
 * valid. A token issued before a token-key rotation still authenticates (its hash is stored) but is
 * no longer rendered into reminders (the new key does not derive it): no dead link is mailed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFill, sampleSubmission } from '../../shared/domain/sample-submission.js';
import { checkUpload } from '../../shared/application/check-upload.js';
import { makeTemplate } from '../../shared/application/make-template.js';
import { authenticate, currentLinkOf, issueToken, personalLink } from '../../shared/application/tokens.js';
import { startTestStack, type TestStack } from './helpers/pipeline-stack.js';

let stack: TestStack;
let token: string;
let template: Uint8Array;
const slot = { unitCode: 'STP', periodId: '2021-Q1', kind: 'periodic' as const };
const when = new Date('2021-03-10T08:00:00+07:00');

beforeAll(async () => {
  stack = await startTestStack({ now: when, schedulerIntervalMs: 0 });
  token = (await issueToken(stack.deps, 'STP')).token;
  const sub = sampleSubmission('STP', '2021-Q1', { asOf: when });
  template = (await makeTemplate({ unitCode: 'STP', periodId: '2021-Q1', key: await stack.deps.templateKey(), now: when, fill: sampleFill(sub) })).bytes;
}, 60_000);
afterAll(async () => {
  await stack?.dispose();
});

const identityErrors = (c: Awaited<ReturnType<typeof checkUpload>>) =>
  c.findings.filter((f) => f.severity === 'error' && /TEMPLATE|SIGN|IDENTITY/i.test(f.code));

describe('key rotation', () => {
  it('rotating the token key leaves templates valid and old links working, and reminders stop rendering the old link', async () => {
    const rotated = { ...stack.deps, tokenKey: async () => 'a-new-token-key' };
    const check = await checkUpload(template, slot, when, { templateKey: await rotated.templateKey() });
    expect(check.status).toBe('valid');
    expect(await authenticate(rotated, token)).toMatchObject({ unitCode: 'STP', role: 'unit' });
    expect(await currentLinkOf(stack.deps, 'STP')).toBe(personalLink(stack.config.portalUrl, token));
    expect(await currentLinkOf(rotated, 'STP')).toBeNull();
    const fresh = (await issueToken(rotated, 'STP')).token;
    expect(await currentLinkOf(rotated, 'STP')).toBe(personalLink(stack.config.portalUrl, fresh));
    expect(await authenticate(rotated, fresh)).toMatchObject({ unitCode: 'STP' });
  });

  it('rotating the template key rejects templates already handed out and leaves every token and link as it was', async () => {
    const rotated = { ...stack.deps, templateKey: async () => 'a-new-template-key' };
    const before = await checkUpload(template, slot, when, { templateKey: await stack.deps.templateKey() });
    const after = await checkUpload(template, slot, when, { templateKey: await rotated.templateKey() });
    expect(identityErrors(before)).toEqual([]);
    expect(after.status).toBe('invalid');
    expect(identityErrors(after).length).toBeGreaterThan(0);
    expect(await authenticate(rotated, token)).toMatchObject({ unitCode: 'STP' });
    const res = await fetch(`${stack.apiUrl}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  });
});

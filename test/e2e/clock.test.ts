import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken, personalLink } from '../../shared/application/tokens.js';
import { startTestStack, type TestStack } from '../integration/helpers/pipeline-stack.js';
import { launchBrowser, screenshot } from './helpers/browser.js';

/**
 * "Playing 2021" as the README says: the stack started at 2021-03-10T08:00:00+07:00 while the
 * browser's own clock is years later. The portal and the board judge deadlines by the server's
 * clock only, so 2021-Q1 is open and not overdue.
 */

let stack: TestStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({ now: new Date('2021-03-10T08:00:00+07:00'), schedulerIntervalMs: 0, years: [2021] });
  browser = await launchBrowser();
  context = await browser.newContext({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  // the browser's clock says late 2026: every 2021 deadline has passed by it
  await context.clock.setFixedTime(new Date('2026-12-02T10:00:00+07:00'));
  page = await context.newPage();
  page.on('pageerror', (err) => problems.push(err.message));
});

afterAll(async () => {
  await browser?.close();
  await stack?.dispose();
});

describe('one clock: the server decides, the page shows', () => {
  it('the unit portal shows 2021-Q1 open and not overdue on the stack clock', async () => {
    const token = (await issueToken(stack.deps, 'STP')).token;
    await page.goto(personalLink(stack.apiUrl, token));
    const q1 = page.locator('.period-card[data-period="2021-Q1"]');
    await expect.poll(() => q1.getAttribute('aria-pressed')).toBe('true');
    const text = (await q1.textContent()) ?? '';
    expect(text).toContain('còn 5 ngày 15 giờ');
    expect(text).not.toContain('đã quá hạn');
    expect(await page.locator('#late-notice').isHidden()).toBe(true);
    expect(await page.locator('#period-facts').textContent()).toContain('còn 5 ngày 15 giờ');
    // a period whose deadline passed on the stack clock is overdue
    expect(await page.locator('.period-card[data-period="2021-PLAN"]').textContent()).toContain('đã quá hạn');
    expect(await page.locator('#year').inputValue()).toBe('2021');
    await screenshot(page, 'clock-01-unit-2021');
    expect(problems).toEqual([]);
  });

  it('the board agrees: 2021-Q1 is selected and still in its submission window', async () => {
    const admin = (await issueToken(stack.deps, 'SNV', 'admin')).token;
    await page.goto(`${stack.apiUrl}/board#t=${admin}`);
    await expect.poll(() => page.locator('#period').inputValue()).toBe('2021-Q1');
    await expect.poll(() => page.locator('#period-meta .state').textContent()).toBe('Đang trong hạn nộp');
    await screenshot(page, 'clock-02-board-2021');
    expect(problems).toEqual([]);
  });

  it('after the deadline on the stack clock, both say so', async () => {
    stack.clock.set(new Date('2021-03-16T09:00:00+07:00'));
    await page.reload();
    // the next period not yet due on the stack clock is now H1; Q1 is past its deadline
    await expect.poll(() => page.locator('#period').inputValue()).toBe('2021-H1');
    await page.locator('#period').selectOption('2021-Q1');
    await expect.poll(() => page.locator('#period-meta .state').textContent()).toBe('Đã hết hạn nộp, chưa lập báo cáo tổng hợp');
    const token = (await issueToken(stack.deps, 'STP')).token;
    await page.goto(personalLink(stack.apiUrl, token));
    await page.locator('.period-card[data-period="2021-Q1"]').click();
    await expect.poll(() => page.locator('.period-card[data-period="2021-Q1"]').textContent()).toContain('đã quá hạn');
    expect(await page.locator('#late-notice').isHidden()).toBe(false);
    expect(problems).toEqual([]);
  });
});

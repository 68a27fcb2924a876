import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../shared/application/tokens.js';
import { launchBrowser, openContext, screenshot, startE2eStack, type E2eStack, watchProblems } from './helpers/browser.js';

/** The unit registry on the board in Chromium: an administrator adds and renames a unit and exports the list; a reviewer only reads it. */
let e2e: E2eStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let adminToken: string;
let reviewerToken: string;
const problems: string[] = [];

function watch(p: Page): void {
  watchProblems(p, problems);
}

beforeAll(async () => {
  e2e = await startE2eStack();
  adminToken = (await issueToken(e2e.stack.deps, 'SNV', 'admin', { name: 'Phạm Thu Trang', email: 'trang@snv.example.gov.vn', access: 'administrator' })).token;
  reviewerToken = (await issueToken(e2e.stack.deps, 'SNV', 'admin', { name: 'Lê Thị Hoa', email: 'hoa@snv.example.gov.vn', access: 'reviewer' })).token;
  browser = await launchBrowser();
  ({ context } = await openContext(browser));
  page = await context.newPage();
  watch(page);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await e2e?.stack.dispose();
});

describe('the unit registry on the board', () => {
  it('an administrator adds a unit from a date; it appears in the registry and on the board', async () => {
    await page.goto(`${e2e.stack.apiUrl}/board#t=${adminToken}`);
    await page.locator('#registry-version').filter({ hasText: 'Danh mục gốc' }).waitFor();
    await page.getByRole('button', { name: 'Thêm đơn vị' }).click();
    const dialog = page.locator('#registry-dialog');
    await dialog.getByLabel('Mã đơn vị mới').fill('BQLDA');
    await dialog.getByLabel('Tên đơn vị').fill('Ban Quản lý dự án đầu tư xây dựng tỉnh');
    await dialog.getByLabel(/Địa chỉ thư điện tử/).fill('vanthu.bqlda@thuathienhue.example');
    await dialog.getByLabel('Từ ngày').fill('2021-03-01');
    await dialog.getByRole('button', { name: 'Lưu thay đổi' }).click();
    await page.locator('#registry-dialog-error').filter({ hasText: 'lý do' }).waitFor();
    // the refusal was the server's 400, which the browser logs: expected here, and nothing else
    await expect.poll(() => problems).toEqual(['console: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    problems.length = 0;
    await dialog.getByLabel(/Lý do/).fill('Quyết định số 45/QĐ-UBND ngày 25/02/2021');
    await dialog.getByRole('button', { name: 'Lưu thay đổi' }).click();
    await page.locator('#registry-status').filter({ hasText: 'Đã lưu phiên bản 1' }).waitFor();
    await page.locator('#units tbody tr[data-unit="BQLDA"]').waitFor();
    await page.locator('#registry-units summary').click();
    expect(await page.locator('[data-registry-unit="BQLDA"]').textContent()).toContain('từ 01/03/2021');
  });

  it('renames a unit from a date, keeping its former name, and exports the registry', async () => {
    await page.getByRole('button', { name: 'Sửa Sở Du lịch' }).click();
    const dialog = page.locator('#registry-dialog');
    await dialog.getByLabel('Thay đổi').selectOption('rename');
    await dialog.getByLabel('Tên đơn vị').fill('Sở Văn hóa, Thể thao và Du lịch');
    await dialog.getByLabel('Từ ngày').fill('2021-04-01');
    await dialog.getByLabel(/Lý do/).fill('Nghị quyết của HĐND tỉnh');
    await dialog.getByRole('button', { name: 'Lưu thay đổi' }).click();
    await page.locator('#registry-status').filter({ hasText: 'Đã lưu phiên bản 2' }).waitFor();
    const row = page.locator('[data-registry-unit="SDL"]');
    await expect.poll(() => row.textContent()).toContain('Tên cũ đến 31/03/2021: Sở Du lịch');
    // 2021-Q1 (the board's period) is due before the rename: it keeps the former name
    expect(await page.locator('#units tbody tr[data-unit="SDL"] .unit-name').textContent()).toBe('Sở Du lịch');
    await page.locator('#registry-history summary').click();
    expect(await page.locator('#registry-history-list').textContent()).toContain('Đổi tên Sở Du lịch (SDL) thành Sở Văn hóa, Thể thao và Du lịch');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Tải danh mục (Excel)' }).click()]);
    expect(download.suggestedFilename()).toBe('danh-muc-don-vi-v2.xlsx');
    await screenshot(page, 'registry-board');
  });

  it('a reviewer reads the registry but cannot change it', async () => {
    const view = await context.newPage();
    watch(view);
    await view.goto(`${e2e.stack.apiUrl}/board#t=${reviewerToken}`);
    await view.locator('#registry-version').filter({ hasText: 'Phiên bản 2' }).waitFor();
    expect(await view.getByRole('button', { name: 'Thêm đơn vị' }).isVisible()).toBe(false);
    expect(await view.locator('#registry-import').isVisible()).toBe(false);
    await view.locator('#registry-units summary').click();
    expect(await view.getByRole('button', { name: /^Sửa / }).count()).toBe(0);
    await view.close();
    expect(problems).toEqual([]);
  });
});

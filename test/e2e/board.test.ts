import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closePeriod } from '../../shared/application/close-period.js';
import { issueToken } from '../../shared/application/tokens.js';
import {
  filledWorkbook,
  horizontalOverflow,
  isLocalUrl,
  launchBrowser,
  openContext,
  screenshot,
  startE2eStack,
  XLSX,
  type E2eStack,
  watchProblems,
} from './helpers/browser.js';

let e2e: E2eStack;
let browser: Browser;
let context: BrowserContext;
let requests: Request[];
let page: Page;
let adminToken: string;
let unitToken: string;
const problems: string[] = [];

function watch(p: Page): void {
  watchProblems(p, problems);
}

const row = (code: string) => page.locator(`#units tbody tr[data-unit="${code}"]`);

beforeAll(async () => {
  e2e = await startE2eStack();
  const { stack } = e2e;
  adminToken = (await issueToken(stack.deps, 'SNV', 'admin')).token;
  unitToken = (await issueToken(stack.deps, 'STP')).token;
  // three units report for 2021-Q1: two valid (a department and a district), one rejected
  // each valid one with its signed report (the dossier's second file), as the portal sends it
  await stack.upload(unitToken, '2021-Q1', await filledWorkbook('STP', '2021-Q1'), XLSX, 'STP-quy-I.xlsx');
  await stack.uploadReport(unitToken, '2021-Q1');
  const hueToken = (await issueToken(stack.deps, 'HUE')).token;
  await stack.upload(hueToken, '2021-Q1', await filledWorkbook('HUE', '2021-Q1'), XLSX, 'Hue-quy-I.xlsx');
  await stack.uploadReport(hueToken, '2021-Q1');
  const broken = await filledWorkbook('SYT', '2021-Q1', (fill) => {
    fill.values = { ...fill.values, 'TT.HS.02': 51 };
  });
  await stack.upload((await issueToken(stack.deps, 'SYT')).token, '2021-Q1', broken, XLSX, 'SYT-quy-I.xlsx');

  // the 2021 plan's deadline passed before the clock's start: close it, so that it has consolidated reports
  await closePeriod(stack.deps, '2021-PLAN');

  const probe = await fetch(`${stack.apiUrl}/api/admin/board?periodId=2021-Q1`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (probe.status !== 200)
    throw new Error(`GET /api/admin/board answered ${probe.status} ${await probe.text()}: the admin routes are not wired into the local stack`);

  browser = await launchBrowser();
  ({ context, requests } = await openContext(browser));
  page = await context.newPage();
  watch(page);
});

afterAll(async () => {
  await browser?.close();
  await e2e?.stack.dispose();
});

describe("the aggregator's board in a real browser", () => {
  it('shows 2021-Q1 with STP valid, completeness above zero and the chart, with a strict CSP', async () => {
    const response = await page.goto(`${e2e.stack.apiUrl}/board#t=${adminToken}`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(response?.headers()['x-content-type-options']).toBe('nosniff');
    await page.locator('#board').waitFor({ state: 'visible' });
    expect(page.url()).toBe(`${e2e.stack.apiUrl}/board`);
    expect(await page.locator('#period').inputValue()).toBe('2021-Q1');
    await row('STP').waitFor();

    expect(await row('STP').locator('[data-part="form"] .badge').textContent()).toBe('Hợp lệ');
    expect(await row('HUE').locator('[data-part="form"] .badge').textContent()).toBe('Hợp lệ');
    expect(await row('SYT').locator('[data-part="form"] .badge').textContent()).toBe('Bị từ chối');
    expect(await row('VPUB').locator('[data-part="form"] .badge').textContent()).toBe('Chưa nộp');
    // the dossier: form and signed report both valid and on time
    expect(await row('STP').locator('[data-part="dossier"] .badge').textContent()).toBe('Hợp lệ');
    expect(await row('SYT').locator('[data-part="dossier"] .badge').textContent()).toBe('Bị từ chối');
    expect(await row('STP').textContent()).toContain('STP-quy-I.xlsx');

    const completeness = (await page.locator('.kpi-completeness .kpi-value').textContent()) ?? '';
    expect(Number.parseFloat(completeness.replace(',', '.'))).toBeGreaterThan(0);
    expect(await page.locator('.kpi-completeness .kpi-sub').textContent()).toContain('2/');

    const chart = page.locator('#chart svg[role="img"]');
    expect(await chart.count()).toBe(1);
    expect(await chart.locator('rect.bar-completeness').count()).toBe(4);
    expect(await chart.locator('rect.bar-timeliness').count()).toBe(4);
    expect(Number(await chart.locator('rect.bar-completeness').first().getAttribute('width'))).toBeGreaterThan(0);
    expect(await chart.locator('desc').textContent()).toContain('Tất cả đơn vị: đầy đủ');
    const groups = await page.locator('#summary-table tbody th').allTextContents();
    expect(groups).toEqual(['Tất cả đơn vị', 'Sở, ban, ngành', 'UBND cấp huyện', 'Cơ quan Trung ương']);
    await screenshot(page, '10-board');
  });

  it('filters the units by status, kind and text (with or without diacritics)', async () => {
    await page.locator('#filter-status').selectOption({ label: 'Hợp lệ' });
    await expect.poll(() => page.locator('#units tbody tr').count()).toBe(2);
    expect(await page.locator('#units-count').textContent()).toMatch(/^Hiển thị 2\/\d+ đơn vị\.$/);
    await page.locator('#filter-kind').selectOption('district');
    expect(await page.locator('#units tbody tr').getAttribute('data-unit')).toBe('HUE');
    await page.locator('#filter-status').selectOption('');
    await page.locator('#filter-kind').selectOption('');
    await page.getByLabel('Tìm đơn vị (tên hoặc mã)').fill('tu phap');
    await expect.poll(() => page.locator('#units tbody tr').count()).toBe(1);
    expect(await page.locator('#units tbody tr').getAttribute('data-unit')).toBe('STP');
    await page.getByLabel('Tìm đơn vị (tên hoặc mã)').fill('Sở Y tế');
    expect(await page.locator('#units tbody tr').getAttribute('data-unit')).toBe('SYT');
    await page.getByLabel('Tìm đơn vị (tên hoặc mã)').fill('');
    await expect.poll(() => page.locator('#units tbody tr').count()).toBeGreaterThan(30);
  });

  it('downloads the current roll-up as Excel, CSV and JSON', async () => {
    for (const format of ['xlsx', 'csv', 'json'] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-rollup="${format}"]`).click()]);
      expect(download.suggestedFilename()).toMatch(new RegExp(`2021-Q1.*\\.${format}$`));
      const bytes = await readFile((await download.path())!);
      if (format === 'xlsx') expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
      if (format === 'csv') expect(bytes.toString('utf8')).toContain('STP');
      if (format === 'json') expect(JSON.stringify(JSON.parse(bytes.toString('utf8')))).toContain('STP');
    }
    expect(await page.locator('#download-status').textContent()).toContain('Đã tải');
  });

  it('reminds the units that have not reported, after a confirmation', async () => {
    await page.getByRole('button', { name: 'Nhắc các đơn vị chưa nộp' }).click();
    const dialog = page.getByRole('dialog', { name: 'Gửi thư nhắc?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Báo cáo CCHC quý I năm 2021');
    await screenshot(page, '11-board-remind-confirm', { fullPage: false });
    await dialog.getByRole('button', { name: 'Gửi thư nhắc' }).click();
    await expect.poll(() => page.locator('#remind-status').textContent(), { timeout: 30_000 }).toMatch(/^Đã gửi thư nhắc đến \d+ đơn vị/);
    const sent = Number(/đến (\d+) đơn vị/.exec((await page.locator('#remind-status').textContent())!)![1]);
    expect(sent).toBeGreaterThan(30);
    const reminded = await page.locator('#remind-list li').allTextContents();
    expect(reminded).toHaveLength(sent);
    expect(reminded).toContain('Văn phòng UBND tỉnh');
    expect(reminded).not.toContain('Sở Tư pháp');
    await page.locator('#remind-list summary').click();
  });

  it('lists the consolidated reports of a closed period and downloads them', async () => {
    await page.locator('#period').selectOption('2021-PLAN');
    await expect.poll(() => page.locator('#period-meta .state').textContent()).toBe('Đã khóa sổ, đã lập báo cáo tổng hợp');
    const buttons = page.locator('#reports [data-report]');
    // The workbook, CSV, JSON and the Word draft of the Department's report
    await expect.poll(() => buttons.count()).toBe(4);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^Tải Tong-hop-CCHC-2021-PLAN\.xlsx/ }).click()]);
    expect(download.suggestedFilename()).toBe('Tong-hop-CCHC-2021-PLAN.xlsx');
    expect((await readFile((await download.path())!)).subarray(0, 2).toString('latin1')).toBe('PK');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^Tải Tong-hop-CCHC-2021-PLAN\.csv/ }).click()]);
    expect((await readFile((await csv.path())!)).toString('utf8')).toContain('VPUB');
    const [draft] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /^Tải Tong-hop-CCHC-2021-PLAN-du-thao-bao-cao\.docx/ }).click(),
    ]);
    expect((await readFile((await draft.path())!)).subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it("shows the period's warnings (2021 Q3 data window)", async () => {
    await page.locator('#period').selectOption('2021-Q3');
    await expect.poll(() => page.locator('#warnings li').count()).toBeGreaterThan(0);
    expect(await page.locator('#warnings').textContent()).toContain('2020');
    expect(await row('STP').locator('[data-part="form"] .badge').textContent()).toBe('Chưa nộp');
    await page.locator('#period-title').scrollIntoViewIfNeeded();
    await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
    await screenshot(page, '12-board-q3-warning', { fullPage: false });
  });

  it('a unit token on /board gets the Vietnamese "no access" message', async () => {
    const p = await context.newPage();
    await p.goto(`${e2e.stack.apiUrl}/board#t=${unitToken}`);
    await p.getByRole('heading', { name: 'Không có quyền xem bảng theo dõi' }).waitFor();
    expect(await p.locator('main').textContent()).toContain('Phòng Cải cách hành chính, Sở Nội vụ');
    expect(await p.locator('#board').count()).toBe(0);
    await screenshot(p, '13-board-unit-token-403');
    await p.close();
  });

  it('a 360 px wide phone renders the board without horizontal scrolling', async () => {
    const phone = await openContext(browser, { width: 360, height: 780 });
    const p = await phone.context.newPage();
    watch(p);
    await p.goto(`${e2e.stack.apiUrl}/board#t=${adminToken}`);
    await p.locator('#units tbody tr[data-unit="STP"]').waitFor();
    expect(await horizontalOverflow(p)).toBeLessThanOrEqual(0);
    await screenshot(p, '14-board-phone');
    requests.push(...phone.requests);
    await phone.context.close();
  });

  it('talked only to the local stack and broke no CSP rule', async () => {
    const foreign = requests.map((r) => r.url()).filter((u) => !isLocalUrl(u));
    expect(foreign).toEqual([]);
    for (const r of requests) expect(r.url()).not.toContain(adminToken);
    expect(problems).toEqual([]);
  });
});

import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken, personalLink } from '../../shared/application/tokens.js';
import { type E2eStack, filledWorkbook, launchBrowser, openContext, screenshot, startE2eStack, tempFile } from './helpers/browser.js';

/**
 * A unit sends its dossier through the portal in a real browser: the data form, then the signed report
 * (a sample report PDF signed with the stack's demo CA) through the same file picker; the result says
 * who signed, a report signed by someone outside the leadership is refused with the finding, and the
 * Department's board shows the signer.
 */

let e2e: E2eStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let token: string;
const problems: string[] = [];

const reportBadge = () => page.locator('.period-card[data-period="2021-Q1"] [data-part="report"] .badge');

/** Chooses a file with the labelled file picker (the real input), sends it and waits for the new result. */
async function sendWithPicker(p: Page, path: string): Promise<void> {
  const before = await p
    .locator('#result .receipt-no')
    .textContent()
    .catch(() => null);
  await p.getByLabel('Chọn tệp báo cáo từ máy tính').setInputFiles(path);
  await p.locator('#chosen').waitFor({ state: 'visible' });
  await p.getByRole('button', { name: 'Gửi báo cáo' }).click();
  await p.locator('#result').waitFor({ state: 'visible', timeout: 95_000 });
  await expect.poll(() => p.locator('#result .receipt-no').textContent(), { timeout: 95_000 }).not.toBe(before);
}

beforeAll(async () => {
  e2e = await startE2eStack();
  browser = await launchBrowser();
  token = (await issueToken(e2e.stack.deps, 'STP')).token;
  ({ context } = await openContext(browser));
  page = await context.newPage();
  page.on('filechooser', () => {});
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
});

afterAll(async () => {
  await browser?.close();
  await e2e?.stack.dispose();
});

describe('the signed report through the portal', () => {
  it('the data form first, then the signed report PDF: "Hợp lệ" and who signed, in which capacity and when', async () => {
    await page.goto(personalLink(e2e.stack.apiUrl, token));
    await expect.poll(() => page.locator('#unit-name').textContent()).toBe('Sở Tư pháp');
    expect(await reportBadge().textContent()).toBe('Chưa nộp');

    await sendWithPicker(page, await tempFile('Số liệu quý I - STP.xlsx', await filledWorkbook('STP', '2021-Q1')));
    expect(await page.locator('#result .result-word').textContent()).toBe('Hợp lệ');

    const pdf = await e2e.stack.signedSampleReport('STP', '2021-Q1');
    await sendWithPicker(page, await tempFile('Báo cáo quý I - STP (đã ký số).pdf', pdf));
    const result = page.locator('#result');
    expect(await result.getAttribute('class')).toContain('result-valid');
    expect(await result.locator('.result-word').textContent()).toBe('Hợp lệ');
    expect(await result.textContent()).toContain('Báo cáo quý I - STP (đã ký số).pdf');
    const leader = (await result.locator('[data-signature-role="leader"]').textContent()) ?? '';
    expect(leader).toMatch(/^Lãnh đạo đơn vị ký: Hoàng Văn Hải, Giám đốc, Sở Tư pháp; ký lúc \d{2}:\d{2}:\d{2} ngày 10\/03\/2021; cấp bởi CA thử nghiệm/);
    expect(leader).toContain('chứng thư số hợp lệ');
    expect(await result.locator('[data-signature-role="organisation"]').textContent()).toMatch(/^Cơ quan ký khi phát hành: Sở Tư pháp; ký lúc/);
    await expect.poll(() => reportBadge().textContent()).toBe('Hợp lệ');
    await screenshot(page, '30-unit-signed-report-valid');
  });

  it('a report signed by someone outside the leadership: "Bị từ chối", the finding names the signer, the valid report stays', async () => {
    const pdf = await e2e.stack.signedSampleReport('STP', '2021-Q1', undefined, { leader: { name: 'Trần Văn Chuyên', office: 'Chuyên viên' } });
    await sendWithPicker(page, await tempFile('Báo cáo quý I - ký nhầm.pdf', pdf));
    const result = page.locator('#result');
    expect(await result.locator('.result-word').textContent()).toBe('Bị từ chối');
    expect(await result.locator('table').textContent()).toContain('Người ký số "Trần Văn Chuyên" không có trong danh sách lãnh đạo của Sở Tư pháp');
    expect(await result.locator('[data-signature-role="other"]').textContent()).toMatch(/^Chữ ký khác: Trần Văn Chuyên, Chuyên viên, Sở Tư pháp;/);
    // the report signed by the head is still the unit's signed report
    expect(await reportBadge().textContent()).toBe('Hợp lệ');
    await screenshot(page, '31-unit-signed-report-wrong-signer');
    expect(problems).toEqual([]);
  });

  it("the Department's board shows the unit's signed report and who signed it", async () => {
    const admin = (await issueToken(e2e.stack.deps, 'SNV', 'admin')).token;
    const board = await context.newPage();
    await board.goto(`${e2e.stack.apiUrl}/board#t=${admin}`);
    const row = board.locator('#units tbody tr[data-unit="STP"]');
    await row.waitFor();
    const cell = row.locator('[data-part="report"]');
    expect(await cell.locator('.badge').textContent()).toBe('Hợp lệ');
    expect(await cell.textContent()).toContain('Ký: Hoàng Văn Hải, Giám đốc');
    expect(await board.locator('#units tbody tr[data-unit="HUE"] [data-part="report"] .badge').textContent()).toBe('Chưa nộp');
    await screenshot(board, '32-board-signed-report');
    await board.close();
  });
});

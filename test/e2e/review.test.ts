import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../shared/application/tokens.js';
import { filledWorkbook, launchBrowser, openContext, screenshot, startE2eStack, tempFile, XLSX, type E2eStack, watchProblems } from './helpers/browser.js';

/**
 * The Department's review in a real browser: a reviewer returns a report with a reason, the unit
 * reads it on its portal and sends a corrected file, the reviewer accepts it (the unit's upload step
 * closes), reopens it, and accepts in bulk; a viewer sees the same board without the buttons.
 */
let e2e: E2eStack;
let browser: Browser;
let context: BrowserContext;
let board: Page;
let reviewerToken: string;
let viewerToken: string;
let stpToken: string;
let sctToken: string;
const problems: string[] = [];

function watch(p: Page): void {
  watchProblems(p, problems);
}

const row = (p: Page, code: string) => p.locator(`#units tbody tr[data-unit="${code}"]`);
const reviewCell = (p: Page, code: string) => row(p, code).locator('td[data-part="review"]');

/** A unit's portal in a new page of the browser, on 2021-Q1. */
async function openPortal(token: string): Promise<Page> {
  const portal = await context.newPage();
  watch(portal);
  await portal.goto(`${e2e.stack.apiUrl}/#t=${token}`);
  await portal.locator('[data-period="2021-Q1"]').click();
  return portal;
}

async function refresh(p: Page): Promise<void> {
  await p.getByRole('button', { name: 'Làm mới số liệu' }).click();
  await p.locator('#board-status').filter({ hasText: 'Đã cập nhật số liệu' }).waitFor();
}

beforeAll(async () => {
  e2e = await startE2eStack();
  const { stack } = e2e;
  reviewerToken = (await issueToken(stack.deps, 'SNV', 'admin', { name: 'Lê Thị Hoa', email: 'hoa@snv.example.gov.vn', access: 'reviewer' })).token;
  viewerToken = (await issueToken(stack.deps, 'SNV', 'admin', { name: 'Trần Văn Bình', email: 'binh@snv.example.gov.vn', access: 'viewer' })).token;
  stpToken = (await issueToken(stack.deps, 'STP')).token;
  // STP and HUE send whole dossiers; SCT's form has a warning (a code the form does not have)
  await stack.upload(stpToken, '2021-Q1', await filledWorkbook('STP', '2021-Q1'), XLSX, 'STP-quy-I.xlsx');
  await stack.uploadReport(stpToken, '2021-Q1');
  const hue = (await issueToken(stack.deps, 'HUE')).token;
  await stack.upload(hue, '2021-Q1', await filledWorkbook('HUE', '2021-Q1'), XLSX, 'Hue-quy-I.xlsx');
  await stack.uploadReport(hue, '2021-Q1');
  const sct = (await issueToken(stack.deps, 'SCT')).token;
  sctToken = sct;
  const json = await import('../../shared/domain/submission-json.js');
  const { sampleSubmission } = await import('../../shared/domain/sample-submission.js');
  const sub = sampleSubmission('SCT', '2021-Q1', { asOf: stack.clock.now() });
  sub.values['XX.99'] = 1;
  await stack.upload(sct, '2021-Q1', new TextEncoder().encode(JSON.stringify(json.toSubmissionJson(sub))), 'application/json', 'SCT.json');
  await stack.uploadReport(sct, '2021-Q1');

  browser = await launchBrowser();
  ({ context } = await openContext(browser));
  board = await context.newPage();
  watch(board);
  board.on('dialog', (d) => void d.accept()); // the bulk accept's confirmation
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await e2e?.stack.dispose();
});

describe("the Department's review in a real browser", () => {
  it('shows who is signed in and each unit unreviewed, with the actions a reviewer may take', async () => {
    await board.goto(`${e2e.stack.apiUrl}/board#t=${reviewerToken}`);
    await board.locator('#board').waitFor({ state: 'visible' });
    await expect.poll(() => board.locator('#who').textContent()).toContain('Lê Thị Hoa');
    expect(await board.locator('#who').textContent()).toContain('quyền xem xét');
    await row(board, 'STP').waitFor();
    expect(await reviewCell(board, 'STP').locator('.badge').textContent()).toBe('Chưa xem xét');
    const buttons = await reviewCell(board, 'STP').locator('.review-actions').getByRole('button').allTextContents();
    expect(buttons).toEqual(['Chấp nhận', 'Trả lại']);
    // a unit with no report has nothing to review
    expect(await reviewCell(board, 'SNGV').locator('.review-actions').count()).toBe(0);
  });

  it('returns a report with a reason (required) and named items; the row says so', async () => {
    await reviewCell(board, 'STP').getByRole('button', { name: 'Trả lại báo cáo của Sở Tư pháp' }).click();
    const dialog = board.locator('#review-dialog');
    await dialog.waitFor({ state: 'visible' });
    expect(await dialog.getByRole('heading').textContent()).toBe('Trả lại báo cáo của Sở Tư pháp');
    await dialog.getByRole('button', { name: 'Xác nhận' }).click();
    expect(await board.locator('#review-dialog-error').textContent()).toBe('Cần ghi lý do để đơn vị biết cần làm gì.');
    await dialog.getByLabel('Lý do').fill('Số hồ sơ TTHC tiếp nhận chưa khớp với báo cáo giấy.');
    await dialog.getByLabel(/Chỉ tiêu, lĩnh vực hoặc mục cần sửa/).fill('TT.HS.01, kho_khan');
    await dialog.getByRole('button', { name: 'Xác nhận' }).click();
    await board.locator('#review-status').filter({ hasText: 'Đã trả lại để chỉnh sửa báo cáo của Sở Tư pháp' }).waitFor();
    await expect.poll(() => reviewCell(board, 'STP').locator('.badge').textContent()).toBe('Trả lại để chỉnh sửa');
    const text = await reviewCell(board, 'STP').textContent();
    expect(text).toContain('Lê Thị Hoa');
    expect(text).toContain('Lý do: Số hồ sơ TTHC tiếp nhận chưa khớp với báo cáo giấy.');
    expect(text).toContain('Cần sửa: TT.HS.01 (Tổng số hồ sơ nhận giải quyết trong kỳ); kho_khan (Những khó khăn, vướng mắc)');
    expect(text).toContain('Hạn nộp bản sửa: 15/03/2021');
    expect(await reviewCell(board, 'STP').locator('.review-actions').count()).toBe(0);
  });

  it('the unit reads the return on its portal and sends its corrected form', async () => {
    const portal = await context.newPage();
    watch(portal);
    portal.on('filechooser', () => {});
    await portal.goto(`${e2e.stack.apiUrl}/#t=${stpToken}`);
    await portal.locator('#submit-panel').waitFor({ state: 'visible' });
    // the returned period is the one the portal opens with
    expect(await portal.locator('#submit-title').textContent()).toContain('quý I năm 2021');
    const notice = portal.locator('#review-notice');
    await notice.waitFor({ state: 'visible' });
    expect(await notice.textContent()).toContain('Sở Nội vụ đã trả lại báo cáo để đơn vị chỉnh sửa');
    expect(await notice.textContent()).toContain('Lý do: Số hồ sơ TTHC tiếp nhận chưa khớp với báo cáo giấy.');
    expect(await notice.textContent()).toContain('Hạn nộp bản sửa: hết ngày 15/03/2021');
    expect(await notice.textContent()).toContain(
      'Các chỉ tiêu, mục cần sửa: TT.HS.01 (Tổng số hồ sơ nhận giải quyết trong kỳ); kho_khan (Những khó khăn, vướng mắc).',
    );
    await screenshot(portal, 'review-portal-returned');
    const corrected = await tempFile('STP-quy-I-ban-sua.xlsx', await filledWorkbook('STP', '2021-Q1', (f) => (f.values = { ...f.values, 'TT.HS.01': 1000 })));
    await portal.getByLabel('Chọn tệp báo cáo từ máy tính').setInputFiles(corrected);
    await portal.getByRole('button', { name: 'Gửi báo cáo' }).click();
    await portal.locator('#result').waitFor({ state: 'visible', timeout: 95_000 });
    expect(await portal.locator('#result .result-word').textContent()).toBe('Hợp lệ');
    await portal.close();
  });

  it('accepts the corrected report: the row locks, and the unit can no longer upload', async () => {
    await refresh(board);
    await reviewCell(board, 'STP').getByRole('button', { name: 'Chấp nhận báo cáo của Sở Tư pháp' }).click();
    const dialog = board.locator('#review-dialog');
    await dialog.waitFor({ state: 'visible' });
    expect(await dialog.locator('#review-dialog-text').textContent()).toContain('Báo cáo sẽ được khóa');
    expect(await dialog.getByLabel('Lý do').isVisible()).toBe(false);
    await dialog.getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => reviewCell(board, 'STP').locator('.badge').textContent()).toBe('Đã chấp nhận');
    expect(await reviewCell(board, 'STP').locator('.review-actions').getByRole('button').allTextContents()).toEqual(['Mở lại']);
    await screenshot(board, 'review-board-accepted');

    const portal = await openPortal(stpToken);
    const notice = portal.locator('#review-notice');
    await notice.waitFor({ state: 'visible' });
    expect(await notice.textContent()).toContain('Sở Nội vụ đã chấp nhận báo cáo của đơn vị');
    expect(await portal.locator('[data-period="2021-Q1"] [data-part="review"]').textContent()).toBe('Sở Nội vụ: Đã chấp nhận');
    expect(await portal.locator('#dropzone').isVisible()).toBe(false);
    await portal.close();
  });

  it('reopens with a reason, then accepts in bulk every valid report without warnings, listing the others and why', async () => {
    await reviewCell(board, 'STP').getByRole('button', { name: 'Mở lại báo cáo của Sở Tư pháp' }).click();
    const dialog = board.locator('#review-dialog');
    await dialog.getByLabel('Lý do').fill('Đơn vị đề nghị cập nhật số liệu.');
    await dialog.getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => reviewCell(board, 'STP').locator('.badge').textContent()).toBe('Đã mở lại');

    await board.getByRole('button', { name: 'Chấp nhận mọi báo cáo hợp lệ không có cảnh báo' }).click();
    await board.locator('#review-status').filter({ hasText: 'Đã chấp nhận 2 báo cáo' }).waitFor();
    await expect.poll(() => reviewCell(board, 'HUE').locator('.badge').textContent()).toBe('Đã chấp nhận');
    expect(await reviewCell(board, 'STP').locator('.badge').textContent()).toBe('Đã chấp nhận');
    expect(await reviewCell(board, 'SCT').locator('.badge').textContent()).toBe('Chưa xem xét');
    const skipped = board.locator('#review-skipped');
    await skipped.locator('summary').click();
    expect(await skipped.textContent()).toContain('Sở Công Thương: Báo cáo có 1 cảnh báo chưa được chấp nhận giải trình: cần xem xét riêng.');

    await board.locator('#filter-review').selectOption('accepted');
    expect(await board.locator('#units tbody tr').count()).toBe(2);
    await board.locator('#filter-review').selectOption('');
  });

  it("shows a unit's timeline on the board and exports the period's trail; the unit sees its own on its portal", async () => {
    await reviewCell(board, 'STP').getByRole('button', { name: 'Nhật ký của Sở Tư pháp' }).click();
    const dialog = board.locator('#timeline-dialog');
    await dialog.locator('.timeline li').first().waitFor();
    const steps = await dialog.locator('.timeline-what').allTextContents();
    for (const s of [
      'Yêu cầu tải tệp lên',
      'Hệ thống nhận tệp',
      'Ghi nhận kết quả kiểm tra',
      'Sở Nội vụ trả lại để chỉnh sửa',
      'Sở Nội vụ chấp nhận báo cáo',
      'Sở Nội vụ mở lại báo cáo đã chấp nhận',
    ])
      expect(steps, s).toContain(s);
    const returned = dialog.locator('li[data-step="review.returned"]');
    expect(await returned.textContent()).toContain('Lê Thị Hoa (Phòng CCHC, Sở Nội vụ)');
    expect(await returned.textContent()).toContain('Lý do: Số hồ sơ TTHC tiếp nhận chưa khớp với báo cáo giấy.');
    await screenshot(board, 'review-board-timeline');
    await dialog.getByRole('button', { name: 'Đóng' }).click();

    const [download] = await Promise.all([board.waitForEvent('download'), board.getByRole('button', { name: 'Nhật ký (Excel)' }).click()]);
    expect(download.suggestedFilename()).toBe('nhat-ky-2021-Q1.xlsx');

    const portal = await openPortal(stpToken);
    await portal.locator('#timeline-details summary').click();
    await portal.locator('#timeline .timeline li').first().waitFor();
    const mine = await portal.locator('#timeline .timeline-what').allTextContents();
    expect(mine).toContain('Sở Nội vụ trả lại để chỉnh sửa');
    expect(mine).toContain('Gửi thư xác nhận');
    await portal.close();
  });

  it('a unit explains its warning on its portal; a reviewer accepts it beside the finding, and bulk accept takes the report', async () => {
    const portal = await openPortal(sctToken);
    const box = portal.locator('#justify-box');
    await box.waitFor({ state: 'visible' });
    await box.getByLabel('Nội dung giải trình').fill('Chỉ tiêu bổ sung theo hướng dẫn của Bộ Công Thương.');
    await box.getByRole('button', { name: 'Gửi giải trình' }).click();
    await expect.poll(() => box.locator('.justification').textContent()).toContain('chờ Sở Nội vụ xem xét');
    await portal.close();

    await refresh(board);
    const warnings = board.locator('[data-warnings="SCT"]');
    await warnings.locator('summary').click();
    expect(await warnings.textContent()).toContain('Giải trình của đơn vị');
    expect(await warnings.textContent()).toContain('Chỉ tiêu bổ sung theo hướng dẫn của Bộ Công Thương.');
    await warnings.getByRole('button', { name: 'Chấp nhận giải trình' }).click();
    await board.locator('#review-status').filter({ hasText: 'Đã chấp nhận giải trình cảnh báo của Sở Công Thương' }).waitFor();
    await board.getByRole('button', { name: 'Chấp nhận mọi báo cáo hợp lệ không có cảnh báo' }).click();
    await board.locator('#review-status').filter({ hasText: 'Đã chấp nhận 1 báo cáo' }).waitFor();
    await expect.poll(() => reviewCell(board, 'SCT').locator('.badge').textContent()).toBe('Đã chấp nhận');
  });

  it('a viewer sees the reviews but no action', async () => {
    const view = await context.newPage();
    watch(view);
    await view.goto(`${e2e.stack.apiUrl}/board#t=${viewerToken}`);
    await row(view, 'STP').waitFor();
    expect(await reviewCell(view, 'STP').locator('.badge').textContent()).toBe('Đã chấp nhận');
    expect(await view.getByRole('button', { name: 'Chấp nhận giải trình' }).count()).toBe(0);
    // only the timelines: no review action
    expect(
      await view
        .locator('#units')
        .getByRole('button', { name: /^(Chấp nhận|Trả lại|Mở lại)/ })
        .count(),
    ).toBe(0);
    expect(
      await view
        .locator('#units')
        .getByRole('button', { name: /^Nhật ký/ })
        .count(),
    ).toBeGreaterThan(0);
    expect(await view.locator('#review-bar').isVisible()).toBe(false);
    await expect.poll(() => view.locator('#who').textContent()).toContain('quyền xem');
    await view.close();
    expect(problems).toEqual([]);
  });
});

import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken, personalLink } from '../../shared/application/tokens.js';
import { newUploadId } from '../../shared/domain/object-keys.js';
import {
  filledWorkbook,
  horizontalOverflow,
  isLocalUrl,
  launchBrowser,
  openContext,
  screenshot,
  startE2eStack,
  tempFile,
  type E2eStack,
  watchProblems,
} from './helpers/browser.js';

const STP_NAME = 'Sở Tư pháp';
const HISTORY_ROWS = '#history table.history > tbody > tr[data-upload]';

let e2e: E2eStack;
let browser: Browser;
let context: BrowserContext;
let requests: Request[];
let page: Page;
let token: string;
const problems: string[] = [];

function watch(p: Page): void {
  watchProblems(p, problems);
}

/** Chooses a file with the labelled file picker, sends it and waits for the result panel. */
async function sendWithPicker(p: Page, path: string): Promise<void> {
  await p.getByLabel('Chọn tệp báo cáo từ máy tính').setInputFiles(path);
  await p.locator('#chosen').waitFor({ state: 'visible' });
  await p.getByRole('button', { name: 'Gửi báo cáo' }).click();
  await p.locator('#result').waitFor({ state: 'visible', timeout: 95_000 });
}

beforeAll(async () => {
  e2e = await startE2eStack();
  browser = await launchBrowser();
  token = (await issueToken(e2e.stack.deps, 'STP')).token;
  ({ context, requests } = await openContext(browser));
  page = await context.newPage();
  // intercept file choosers from the start (a chooser opened before interception would block later ones)
  page.on('filechooser', () => {});
  watch(page);
});

afterAll(async () => {
  await browser?.close();
  await e2e?.stack.dispose();
});

describe('the unit portal in a real browser', () => {
  it('opens the personal link: the token leaves the address bar, the unit and its periods show, with a strict CSP', async () => {
    const response = await page.goto(personalLink(e2e.stack.apiUrl, token));
    expect(response?.status()).toBe(200);
    const headers = response!.headers();
    const csp = headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(`connect-src 'self' ${new URL(e2e.stack.s3PublicUrl).origin}`);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['content-type']).toBe('text/html; charset=utf-8');

    await expect.poll(() => page.locator('#unit-name').textContent()).toBe(STP_NAME);
    expect(page.url()).toBe(`${e2e.stack.apiUrl}/`);
    expect(page.url()).not.toContain(token);
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('cchc.token'))).toBe(token);

    const q1 = page.locator('.period-card[data-period="2021-Q1"]');
    await expect.poll(() => q1.getAttribute('aria-pressed')).toBe('true');
    const q1Text = (await q1.textContent()) ?? '';
    expect(q1Text).toContain('Báo cáo CCHC quý I năm 2021');
    expect(q1Text).toContain('23:59:59 ngày 15/03/2021');
    expect(q1Text).toContain('còn 5 ngày 14 giờ');
    expect(q1Text).toContain('Chưa nộp');
    expect(await page.locator('.period-card[data-period="2021-PLAN"]').textContent()).toContain('đã quá hạn');
    expect(await page.locator('#submit-title').textContent()).toBe('Nộp báo cáo: Báo cáo CCHC quý I năm 2021');
    expect(await page.locator('#year').inputValue()).toBe('2021');
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    await screenshot(page, '01-unit-periods');
  });

  it('without a token, and with an unknown token, says in Vietnamese what to do', async () => {
    const bare = await context.newPage();
    watch(bare);
    await bare.goto(`${e2e.stack.apiUrl}/`);
    await bare.getByRole('heading', { name: 'Chưa có đường dẫn riêng của đơn vị' }).waitFor();
    expect(await bare.locator('main').textContent()).toContain('Hãy mở trang bằng đường dẫn riêng của đơn vị');
    await screenshot(bare, '02-unit-no-token');
    await bare.close();

    const revoked = await context.newPage();
    await revoked.goto(personalLink(e2e.stack.apiUrl, `cchc_${'A'.repeat(43)}`));
    await revoked.getByRole('heading', { name: 'Đường dẫn không còn hiệu lực' }).waitFor();
    const text = (await revoked.locator('main').textContent()) ?? '';
    expect(text).toContain('Phòng Cải cách hành chính');
    expect(text).toContain('Sở Nội vụ');
    expect(revoked.url()).not.toContain('#t=');
    await screenshot(revoked, '03-unit-invalid-link');
    await revoked.close();
    // the 401 is expected there; only this page's own problems count
    problems.length = 0;
  });

  it('downloads the Excel template of 2021-Q1', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Tải mẫu Excel' }).click()]);
    expect(download.suggestedFilename()).toBe('CCHC-2021-Q1-STP.xlsx');
    const bytes = await readFile((await download.path())!);
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(bytes.length).toBeGreaterThan(5000);
    await expect.poll(() => page.locator('#template-status').textContent()).toContain('Đã tải mẫu: CCHC-2021-Q1-STP.xlsx');
  });

  it('uploads a filled workbook through the file picker: progress, then "Hợp lệ" without a reload, and the history row', async () => {
    const path = await tempFile('Báo cáo quý I - STP.xlsx', await filledWorkbook('STP', '2021-Q1'));
    await page.evaluate(() => {
      (globalThis as any).__sameDocument = true;
    });
    await page.getByLabel('Chọn tệp báo cáo từ máy tính').setInputFiles(path);
    expect(await page.locator('#chosen-name').textContent()).toBe('Báo cáo quý I - STP.xlsx');
    await page.getByRole('button', { name: 'Gửi báo cáo' }).click();
    await page.locator('#upload-box').waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#progress').getAttribute('value')).toBe('100');
    expect(await page.locator('#progress-text').textContent()).toBe('100%');
    await page.locator('#result').waitFor({ state: 'visible', timeout: 95_000 });

    const result = page.locator('#result');
    expect(await result.getAttribute('class')).toContain('result-valid');
    expect(await result.locator('.result-word').textContent()).toBe('Hợp lệ');
    const receiptNo = (await result.locator('.receipt-no').textContent()) ?? '';
    expect(receiptNo).not.toBe('');
    const resultText = (await result.textContent()) ?? '';
    expect(resultText).toContain('Đúng hạn');
    expect(resultText).toMatch(/\d{2}:\d{2}:\d{2} ngày \d{2}\/\d{2}\/2021/);
    expect(resultText).toContain('Báo cáo này được dùng để tổng hợp.');
    expect(await page.locator('#upload-status').textContent()).toContain('hợp lệ');
    expect(await page.evaluate(() => (globalThis as any).__sameDocument)).toBe(true);

    const row = page.locator(HISTORY_ROWS).first();
    await expect.poll(() => row.locator('.receipt-no').textContent()).toBe(receiptNo);
    expect(await row.textContent()).toContain('Báo cáo quý I - STP.xlsx');
    expect(await row.locator('.tag-current').textContent()).toBe('dùng để tổng hợp');
    await expect.poll(() => page.locator('.period-card[data-period="2021-Q1"] [data-part="form"] .badge').textContent()).toBe('Hợp lệ');
    await screenshot(page, '04-unit-upload-valid');

    // it asked for this upload's own result, never for the whole list, and waited longer between tries
    const polls = requests.filter((r) => new URL(r.url()).pathname === '/api/submissions' && new URL(r.url()).searchParams.has('uploadId'));
    expect(polls.length).toBeGreaterThan(0);
    expect(new Set(polls.map((r) => new URL(r.url()).searchParams.get('uploadId'))).size).toBe(1);
  });

  it('uploads a broken workbook: "Bị từ chối" with the findings table naming sheet and cell', async () => {
    const bytes = await filledWorkbook('STP', '2021-Q1', (fill) => {
      fill.signature = { ...fill.signature!, signingForm: 'TL.' };
      fill.values = { ...fill.values, 'TT.HS.02': 51 };
    });
    // this time with the keyboard only: focus the picker, Enter opens the file chooser, Enter sends
    const path = await tempFile('bao-cao-loi.xlsx', bytes);
    await page.getByLabel('Chọn tệp báo cáo từ máy tính').focus();
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
    await chooser.setFiles(path);
    await page.locator('#chosen').waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Gửi báo cáo' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#result').waitFor({ state: 'visible', timeout: 95_000 });
    const result = page.locator('#result');
    expect(await result.getAttribute('class')).toContain('result-rejected');
    expect(await result.locator('.result-word').textContent()).toBe('Bị từ chối');
    const headers = await result.locator('table.findings thead th').allTextContents();
    expect(headers).toEqual(['Mức độ', 'Trang', 'Ô', 'Nội dung']);
    const rows = await result
      .locator('table.findings tbody tr')
      .evaluateAll((trs) => trs.map((tr: any) => Array.from(tr.querySelectorAll('td')).map((td: any) => String(td.textContent))));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const signing = rows.find((r) => r[3]!.includes('TL.'));
    expect(signing?.[0]).toBe('Lỗi');
    expect(signing?.[1]).toBe('Ký ban hành');
    expect(signing?.[2]).toMatch(/^[A-Z]{1,3}\d+$/);
    const sum = rows.find((r) => r[1] === 'Số liệu');
    expect(sum?.[2]).toMatch(/^[A-Z]{1,3}\d+$/);

    // the history keeps the earlier valid upload as the one used for the roll-up
    await expect.poll(() => page.locator(HISTORY_ROWS).count()).toBe(2);
    const first = page.locator(HISTORY_ROWS).first();
    expect(await first.textContent()).toContain('Bị từ chối');
    const toggle = first.getByRole('button', { name: /^Xem 2 lỗi/ });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const details = page.locator(`#${await toggle.getAttribute('aria-controls')}`);
    expect(await details.locator('table.findings tbody tr').count()).toBe(rows.length);
    expect(await page.locator(HISTORY_ROWS).nth(1).locator('.tag-current').count()).toBe(1);
    expect(await page.locator('.period-card[data-period="2021-Q1"] [data-part="form"] .badge').textContent()).toBe('Hợp lệ');
    await screenshot(page, '05-unit-upload-rejected');
  });

  it('takes a file dropped on the drop zone, and refuses a non-report file before asking the server', async () => {
    const zone = page.locator('#dropzone');

    const drop = async (name: string, bytes: Uint8Array, type: string) => {
      const dataTransfer = await page.evaluateHandle(
        ({ b64, name: n, type: t }) => {
          const g = globalThis as any;
          const bin = g.atob(b64);
          const arr = new Uint8Array(bin.length);
          for (let i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
          const dt = new g.DataTransfer();
          dt.items.add(new g.File([arr], n, { type: t }));
          return dt;
        },
        { b64: Buffer.from(bytes).toString('base64'), name, type },
      );
      for (const ev of ['dragenter', 'dragover', 'drop']) await zone.dispatchEvent(ev, { dataTransfer });
    };

    const before = requests.length;
    await drop('ghi-chu.txt', new TextEncoder().encode('không phải báo cáo'), 'text/plain');
    await page.locator('#upload-error').waitFor({ state: 'visible' });
    expect(await page.locator('#upload-error').textContent()).toContain('không phải tệp báo cáo');
    expect(await page.locator('#chosen').isHidden()).toBe(true);
    expect(requests.slice(before).filter((r) => r.url().includes('/api/uploads'))).toHaveLength(0);

    await drop('STP-quy-I-keo-tha.xlsx', await filledWorkbook('STP', '2021-Q1'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    await page.locator('#chosen').waitFor({ state: 'visible' });
    expect(await page.locator('#upload-error').isHidden()).toBe(true);
    expect(await page.locator('#chosen-name').textContent()).toBe('STP-quy-I-keo-tha.xlsx');
    await page.getByRole('button', { name: 'Gửi báo cáo' }).click();
    await page.locator('#result').waitFor({ state: 'visible', timeout: 95_000 });
    expect(await page.locator('#result .result-word').textContent()).toBe('Hợp lệ');
    await expect.poll(() => page.locator(HISTORY_ROWS).count()).toBe(3);
    expect(await page.locator(HISTORY_ROWS).first().locator('.tag-current').count()).toBe(1);
  });

  it('warns before a late upload and sends nothing when the official cancels', async () => {
    await page.locator('.period-card[data-period="2021-PLAN"]').click();
    await expect.poll(() => page.locator('#submit-title').textContent()).toBe('Nộp báo cáo: Kế hoạch CCHC năm 2021');
    expect(await page.locator('#late-notice').textContent()).toContain('nộp muộn');
    await page.getByLabel('Chọn tệp báo cáo từ máy tính').setInputFiles(await tempFile('ke-hoach.xlsx', await filledWorkbook('STP', '2021-PLAN')));
    const posts = () => requests.filter((r) => r.method() === 'POST' && r.url().startsWith(new URL(e2e.stack.s3PublicUrl).origin)).length;
    const before = posts();
    await page.getByRole('button', { name: 'Gửi báo cáo' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Kỳ báo cáo đã quá hạn' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('NỘP MUỘN');
    await screenshot(page, '06-unit-late-warning');
    await dialog.getByRole('button', { name: 'Hủy' }).click();
    await expect.poll(() => page.locator('#upload-status').textContent()).toBe('Đã hủy, chưa gửi tệp.');
    expect(posts()).toBe(before);
  });

  it('a 360 px wide phone renders without horizontal scrolling, findings included', async () => {
    // the Q1 dossier's second file, the signed report (its upload through the portal is signed-report.test.ts's)
    await e2e.stack.uploadReport(token, '2021-Q1');
    const phone = await openContext(browser, { width: 360, height: 780 });
    const p = await phone.context.newPage();
    watch(p);
    await p.goto(personalLink(e2e.stack.apiUrl, token));
    await expect.poll(() => p.locator('#unit-name').textContent()).toBe(STP_NAME);
    // Q1 is done: the portal opens on the next period due
    await expect.poll(() => p.locator('.period-card[aria-pressed="true"]').getAttribute('data-period')).toBe('2021-H1');
    await p.locator('.period-card[data-period="2021-Q1"]').click();
    await p.locator(HISTORY_ROWS).first().waitFor();
    expect(await horizontalOverflow(p)).toBeLessThanOrEqual(0);
    await screenshot(p, '07-phone-periods');
    const bytes = await filledWorkbook('STP', '2021-Q1', (fill) => {
      fill.values = { ...fill.values, 'TT.HS.02': 51 };
      fill.signature = { ...fill.signature!, signingForm: 'TL.' };
    });
    await sendWithPicker(p, await tempFile('bao-cao-dien-thoai.xlsx', bytes));
    expect(await p.locator('#result .result-word').textContent()).toBe('Bị từ chối');
    await p.locator(HISTORY_ROWS).first().locator('.findings-toggle').click();
    expect(await horizontalOverflow(p)).toBeLessThanOrEqual(0);
    await screenshot(p, '08-phone-rejected');
    requests.push(...phone.requests);
    await phone.context.close();
  });

  it('shows a long history a page at a time: "Xem các lần nộp trước" brings the older files', async () => {
    // Prepare: 60 older files of the Q1 slot, recorded as the pipeline records them
    const stores = e2e.stack.deps.stores;
    const [one] = await stores.submissions.ofUpload('2021-Q1', 'STP', (await stores.submissions.pageOfUnit('STP', '2021-Q1', { limit: 1 })).items[0]!.uploadId);
    for (let i = 0; i < 60; i++) {
      const uploadId = newUploadId(new Date(Date.parse('2021-03-01T08:00:00+07:00') + i * 60_000));
      await stores.submissions.putOnce({ ...one!, objectId: uploadId, uploadId, key: one!.key.replace(one!.uploadId, uploadId), status: 'invalid' });
      await stores.pointers.addFile({ periodId: '2021-Q1', unitCode: 'STP', kind: 'periodic', objectId: uploadId, unprocessable: false });
    }
    const total = (await stores.submissions.listOfUnit('STP', '2021-Q1')).length;

    // Act: open the period's history
    await page.goto(personalLink(e2e.stack.apiUrl, token));
    await page.locator('.period-card[data-period="2021-Q1"]').click();
    await expect.poll(() => page.locator(HISTORY_ROWS).count()).toBe(50);
    const more = page.getByRole('button', { name: 'Xem các lần nộp trước' });
    await more.click();

    // Assess: every file once, the button gone after the last page
    await expect.poll(() => page.locator(HISTORY_ROWS).count()).toBe(total);
    expect(await more.count()).toBe(0);
    const uploads = await page.locator(HISTORY_ROWS).evaluateAll((trs) => trs.map((tr: any) => String(tr.getAttribute('data-upload'))));
    expect(new Set(uploads).size).toBe(total);
    expect(await page.locator('#history [role="status"]').textContent()).toContain(`Đã hiện thêm ${total - 50} lần nộp.`);
  });

  it('talked only to the local stack, never put the token in a URL or a Referer, and broke no CSP rule', async () => {
    expect(requests.length).toBeGreaterThan(10);
    const foreign = requests.map((r) => r.url()).filter((u) => !isLocalUrl(u));
    expect(foreign).toEqual([]);
    for (const r of requests) {
      expect(r.url().includes('?') && r.url().includes(token)).toBe(false);
      expect(new URL(r.url()).search).not.toContain(token);
      const referer = r.headers().referer;
      expect(referer ?? '').not.toContain(token);
    }
    // the S3 POST went to the upload origin, the API calls carried the token in the header
    const apiCall = requests.find((r) => r.url().includes('/api/me'));
    expect(apiCall!.headers().authorization).toBe(`Bearer ${token}`);
    expect(problems).toEqual([]);
  });
});

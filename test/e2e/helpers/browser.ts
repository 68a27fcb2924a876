import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page, type Request } from 'playwright-core';
import { sampleFill, sampleSubmission } from '../../../shared/domain/sample-submission.js';
import { makeTemplate } from '../../../shared/application/make-template.js';
import type { TemplateFill } from '../../../shared/documents/xlsx/index.js';
import { startTestStack, type TestStack } from '../../integration/helpers/pipeline-stack.js';

/** The local stack's virtual clock and the browser's clock both start here (5 days before the Q1 2021 deadline). */
export const NOW = new Date('2021-03-10T09:00:00+07:00');
export const ARTIFACTS = resolve('test-artifacts/e2e');
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface E2eStack {
  stack: TestStack;
}

/** The local stack on free ports, its virtual clock at NOW; refuses to go on if it does not serve the portal. */
export async function startE2eStack(): Promise<E2eStack> {
  const stack = await startTestStack({ now: NOW });
  const res = await fetch(`${stack.apiUrl}/`);
  const body = await res.text();
  if (res.status !== 200 || !body.includes('<html lang="vi">')) {
    await stack.dispose();
    throw new Error(
      `GET ${stack.apiUrl}/ answered ${res.status}: the local stack does not serve the portal. ` +
        'infra/local/stack.ts must serve makeHttpApp (shared/adapters/inbound/http/app.ts), which composes the portal.',
    );
  }
  return { stack };
}

/**
 * A browser context on the stack: downloads accepted, Vietnamese locale and time zone, the browser
 * clock fixed at the stack's virtual "now" (timers keep running), every request recorded.
 */
export async function openContext(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; requests: Request[] }> {
  const context = await browser.newContext({ acceptDownloads: true, viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  await context.clock.setFixedTime(NOW);
  const requests: Request[] = [];
  context.on('request', (r) => requests.push(r));
  return { context, requests };
}

/** A full-page screenshot; on a narrow (phone) viewport also in parts, easier to read. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  const fullPage = options.fullPage ?? true;
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
  const viewport = page.viewportSize();
  if (!fullPage || !viewport || viewport.width > 600) return;
  const height = await page.evaluate(() => (globalThis as any).document.documentElement.scrollHeight as number);
  const part = 1100;
  for (let y = 0, i = 1; y < height; y += part, i++) {
    await page.screenshot({
      path: join(ARTIFACTS, `${name}-part${i}.png`),
      fullPage: true,
      clip: { x: 0, y, width: viewport.width, height: Math.min(part, height - y) },
    });
  }
}

/** The unit's Excel form, filled by the product's own writer, as a unit would send it. */
export async function filledWorkbook(unitCode: string, periodId: string, tweak?: (fill: TemplateFill) => void): Promise<Buffer> {
  const fill = sampleFill(sampleSubmission(unitCode, periodId, { asOf: NOW }));
  tweak?.(fill);
  const made = await makeTemplate({ unitCode, periodId, key: 'test-template-key', now: NOW, fill });
  return made.bytes;
}

export async function tempFile(name: string, bytes: Uint8Array): Promise<string> {
  const dir = join(tmpdir(), `cchc-e2e-${process.pid}`);
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

/** Hosts a page may talk to: the local stack only. */
export function isLocalUrl(raw: string): boolean {
  const url = new URL(raw);
  if (url.protocol === 'data:' || url.protocol === 'blob:') return true;
  return url.hostname === 'localhost' || url.hostname === '127.0.0.1';
}

/** Width of the page's content beyond the viewport (0 = no horizontal scrolling). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const d = (globalThis as any).document;
    return Math.max(d.documentElement.scrollWidth, d.body.scrollWidth) - d.documentElement.clientWidth;
  });
}

/** Collects a page's console errors and uncaught errors into `problems` (a test expects none). */
export function watchProblems(p: Page, problems: string[]): void {
  p.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  p.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
}

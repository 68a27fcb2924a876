import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { sampleFill, sampleSubmission } from '../../../shared/demo/sample-submission.js';
import { uploadOrigin, type HttpEvent } from '../../../shared/http/unit-api.js';
import { makeTemplate } from '../../../shared/ingest/make-template.js';
import { makePortal } from '../../../shared/portal/portal.js';
import type { TemplateFill } from '../../../shared/xlsx/index.js';
import { startTestStack, type TestStack } from '../../integration/helpers/pipeline-stack.js';

/** The local stack's virtual clock and the browser's clock both start here (5 days before the Q1 2021 deadline). */
export const NOW = new Date('2021-03-10T09:00:00+07:00');
export const ARTIFACTS = resolve('test-artifacts/e2e');
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface E2eStack {
  stack: TestStack;
  /** True when the local stack does not serve the portal itself and the test routes it in the browser. */
  portalRouted: boolean;
}

export async function startE2eStack(): Promise<E2eStack> {
  const stack = await startTestStack({ now: NOW });
  const res = await fetch(`${stack.apiUrl}/`);
  await res.arrayBuffer();
  return { stack, portalRouted: res.status === 404 };
}

/**
 * A browser context on the stack: downloads accepted, the browser clock fixed at the stack's virtual
 * "now" (timers keep running), every request recorded. When the stack does not serve the portal yet,
 * its pages and assets are answered in the browser by the same portal module.
 */
export async function openContext(browser: Browser, e2e: E2eStack, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; requests: Request[] }> {
  const context = await browser.newContext({ acceptDownloads: true, viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  await context.clock.setFixedTime(NOW);
  const requests: Request[] = [];
  context.on('request', (r) => requests.push(r));
  if (e2e.portalRouted) {
    const portal = makePortal({ uploadOrigin: uploadOrigin(e2e.stack.config) });
    const origin = new URL(e2e.stack.apiUrl).origin;
    await context.route(
      (url) => url.origin === origin && !url.pathname.startsWith('/api/'),
      async (route) => {
        const url = new URL(route.request().url());
        const event = { rawPath: url.pathname, requestContext: { http: { method: route.request().method() } } } as unknown as HttpEvent;
        const result = await portal(event);
        if (!result) return route.continue();
        await route.fulfill({ status: result.statusCode ?? 200, headers: result.headers as Record<string, string>, body: result.body ?? '' });
      },
    );
  }
  return { context, requests };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
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

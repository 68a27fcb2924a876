import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HttpEvent } from '../../shared/adapters/inbound/http/unit-api.js';
import { silentLog } from '../../shared/application/log.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { makePortal, portalCsp } from '../../shared/web/portal.js';

const UPLOAD = 'https://cchc-uploads.s3.ap-southeast-1.amazonaws.com';
const event = (path: string, method = 'GET'): HttpEvent => ({ rawPath: path, requestContext: { http: { method } } }) as unknown as HttpEvent;

describe('the portal module (no browser)', () => {
  const portal = makePortal({ uploadOrigin: UPLOAD, log: silentLog });

  it('serves the two pages and the assets with their types, a strict CSP and no caching of pages', async () => {
    const page = await portal(event('/'));
    expect(page?.statusCode).toBe(200);
    expect(page?.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(page?.headers?.['cache-control']).toBe('no-store');
    expect(page?.headers?.['x-content-type-options']).toBe('nosniff');
    expect(page?.headers?.['referrer-policy']).toBe('no-referrer');
    expect(page?.headers?.['content-security-policy']).toBe(
      `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' ${UPLOAD}; form-action 'self' ${UPLOAD}; base-uri 'none'; frame-ancestors 'none'`,
    );
    expect(String(page?.body)).toContain('<html lang="vi">');
    expect((await portal(event('/board/')))?.body).toContain('Bảng theo dõi');
    const js = await portal(event('/assets/unit.js'));
    expect(js?.headers?.['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js?.headers?.['cache-control']).toMatch(/^public, max-age=\d+$/);
    expect((await portal(event('/assets/portal.css')))?.headers?.['content-type']).toBe('text/css; charset=utf-8');
    expect((await portal(event('/assets/icon.svg')))?.headers?.['content-type']).toBe('image/svg+xml; charset=utf-8');
  });

  it('answers HEAD without a body and leaves other methods and paths to the router', async () => {
    const head = await portal(event('/', 'HEAD'));
    expect(head?.statusCode).toBe(200);
    expect(head?.body).toBe('');
    expect(await portal(event('/', 'POST'))).toBeNull();
    for (const path of [
      '/favicon.ico',
      '/assets/',
      '/assets/portal.ts',
      '/assets/../portal.ts',
      '/assets/%2e%2e/portal.ts',
      '/assets/unit.html',
      '/unit.html',
      '/api/me',
    ]) {
      expect(await portal(event(path))).toBeNull();
    }
  });

  it('pages have no inline script or style (the CSP forbids them) and every text is NFC', async () => {
    for (const path of ['/', '/board']) {
      const html = String((await portal(event(path)))?.body);
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style\b/);
      expect(html).not.toMatch(/\sstyle=/);
      expect(html).not.toMatch(/\son[a-z]+=/);
      expect(html.normalize('NFC')).toBe(html);
    }
    for (const asset of ['common.js', 'unit.js', 'board.js']) {
      const js = String((await portal(event(`/assets/${asset}`)))?.body);
      expect(js.normalize('NFC')).toBe(js);
      expect(js).not.toMatch(/\.innerHTML\s*=|insertAdjacentHTML|outerHTML\s*=|document\.write/);
    }
  });

  it('reads the assets from the folder PORTAL_ASSETS_DIR names (the Lambda bundle), parsed by the composition root', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cchc-portal-'));
    try {
      await writeFile(join(dir, 'unit.html'), '<!doctype html><html lang="vi"><title>bundle</title></html>');
      const config = loadConfig({ PORTAL_ASSETS_DIR: dir }, ['portalAssets'], 'unit-api');
      const bundled = makePortal({ uploadOrigin: UPLOAD, assetsDir: config.portalAssetsDir, log: silentLog });
      expect((await bundled(event('/')))?.body).toContain('bundle');
      const missing = await bundled(event('/board'));
      expect(missing?.statusCode).toBe(500);
      expect(missing?.body).toContain('Phòng Cải cách hành chính');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('allows only the upload origin, never a path of it', () => {
    expect(portalCsp('http://127.0.0.1:4569/cchc-uploads-local')).toContain("connect-src 'self' http://127.0.0.1:4569;");
  });
});

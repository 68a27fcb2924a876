import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpEvent, HttpResult } from '../adapters/inbound/http/unit-api.js';
import type { Log } from '../application/log.js';

/**
 * The unit portal (`/`) and the aggregator's board (`/board`): static pages and assets served by the
 * API itself, so the token-bearing pages share the API's origin and need no CORS.
 *
 * Files live in `shared/web/assets/` (on AWS: next to the Lambda bundle, `PORTAL_ASSETS_DIR`).
 * Only the file names listed here are ever read; each is read once, on first request.
 */

interface FileSpec {
  file: string;
  type: string;
  page: boolean;
}

const HTML = 'text/html; charset=utf-8';

/** Request path → file. Nothing else is served. */
const FILES: Readonly<Record<string, FileSpec>> = Object.freeze({
  '/': { file: 'unit.html', type: HTML, page: true },
  '/board': { file: 'board.html', type: HTML, page: true },
  '/assets/portal.css': { file: 'portal.css', type: 'text/css; charset=utf-8', page: false },
  '/assets/common.js': { file: 'common.js', type: 'text/javascript; charset=utf-8', page: false },
  '/assets/unit.js': { file: 'unit.js', type: 'text/javascript; charset=utf-8', page: false },
  '/assets/board.js': { file: 'board.js', type: 'text/javascript; charset=utf-8', page: false },
  '/assets/icon.svg': { file: 'icon.svg', type: 'image/svg+xml; charset=utf-8', page: false },
});

/** How long browsers may keep an asset (file names are not fingerprinted, so briefly). */
const ASSET_MAX_AGE_SECONDS = 300;

export interface PortalOptions {
  /** Origin the browser uploads to (the presigned POST's URL): allowed by the CSP's connect-src/form-action. */
  uploadOrigin: string;
  /** Folder of the assets (the Lambda bundle's copy, PORTAL_ASSETS_DIR); default `./assets/` next to this module. */
  assetsDir?: string;
  /** Where an unreadable asset is reported: the process's log, in its one format. */
  log: Pick<Log, 'error'>;
}

/** The Content-Security-Policy of every page and asset. */
export function portalCsp(uploadOrigin: string): string {
  const upload = new URL(uploadOrigin).origin;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ${upload}`,
    `form-action 'self' ${upload}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function makePortal(opts: PortalOptions): (event: HttpEvent) => Promise<HttpResult | null> {
  const csp = portalCsp(opts.uploadOrigin);
  const dir = opts.assetsDir ?? fileURLToPath(new URL('./assets/', import.meta.url));
  const cache = new Map<string, Promise<string>>();
  const log = opts.log;

  const load = (file: string): Promise<string> => {
    let p = cache.get(file);
    if (!p) {
      p = readFile(join(dir, file), 'utf8');
      // a failed read (missing file) is retried on the next request instead of being cached
      p.catch(() => cache.delete(file));
      cache.set(file, p);
    }
    return p;
  };

  return async (event): Promise<HttpResult | null> => {
    const method = event.requestContext?.http?.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return null;
    const path = (event.rawPath ?? '/').replace(/\/+$/, '') || '/';
    if (!Object.hasOwn(FILES, path)) return null;
    const spec = FILES[path]!;
    let body: string;
    try {
      body = await load(spec.file);
    } catch (err) {
      // a deployment without its assets: say so plainly (the router would otherwise fail the request)
      log.error('portal asset unreadable', { file: spec.file, error: err instanceof Error ? err.message : String(err) });
      return {
        statusCode: 500,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
        body: 'Cổng tiếp nhận đang gặp sự cố, vui lòng thử lại sau ít phút hoặc liên hệ Phòng Cải cách hành chính, Sở Nội vụ.',
      };
    }
    return {
      statusCode: 200,
      headers: {
        'content-type': spec.type,
        'content-security-policy': csp,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
        'cross-origin-opener-policy': 'same-origin',
        'permissions-policy': 'camera=(), microphone=(), geolocation=()',
        'cache-control': spec.page ? 'no-store' : `public, max-age=${ASSET_MAX_AGE_SECONDS}`,
      },
      body: method === 'HEAD' ? '' : body,
    };
  };
}

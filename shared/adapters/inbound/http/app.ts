import type { PipelineDeps } from '../../../application/deps.js';
import { makePortal } from '../../../web/portal.js';
import { makeAdminRoutes } from './admin-api.js';
import { makeUnitApi, uploadOrigin, type HttpEvent, type HttpResult } from './unit-api.js';

/**
 * The HTTP side of the product, composed once: the unit API, the board's API and the portal's
 * pages. The Lambda entry (functions/unit-api) and the local server (infra/local/http-server.ts)
 * both serve exactly this.
 */
export function makeHttpApp(deps: PipelineDeps): (event: HttpEvent) => Promise<HttpResult> {
  const config = deps.config as PipelineDeps['config'] & {
    uploadBucketName: string;
    region: string;
    endpoints?: { s3Public?: string };
    portalAssetsDir?: string;
  };
  return makeUnitApi(deps, {
    admin: makeAdminRoutes(deps),
    portal: makePortal({ uploadOrigin: uploadOrigin(config), assetsDir: config.portalAssetsDir, log: deps.log }),
  });
}

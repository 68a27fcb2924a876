import type { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../../application/log.js';

/**
 * The Log port on a Powertools Logger: one JSON line per entry, in one format everywhere (Lambda,
 * the local stack, the portal). On Lambda `injectLambdaContext` adds the request id, the cold-start
 * flag and the function's name to every line.
 */
export function powertoolsLog(logger: Logger): Log {
  return {
    info: (message, fields = {}) => logger.info({ message, ...fields }),
    warn: (message, fields = {}) => logger.warn({ message, ...fields }),
    error: (message, fields = {}) => logger.error({ message, ...fields }),
  };
}

/** Passes on the entries `keep` admits (the local stack's quiet console). */
export function filteredLog(inner: Log, keep: (level: 'info' | 'warn' | 'error', message: string) => boolean): Log {
  return {
    info: (m, f) => keep('info', m) && inner.info(m, f),
    warn: (m, f) => keep('warn', m) && inner.warn(m, f),
    error: (m, f) => keep('error', m) && inner.error(m, f),
  };
}

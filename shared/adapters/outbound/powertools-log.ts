import { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../../application/log.js';

/** The Log port on Powertools Logger (structured JSON lines in CloudWatch). */
export function powertoolsLog(serviceName: string): Log {
  const logger = new Logger({ serviceName });
  return {
    info: (message, fields = {}) => logger.info({ message, ...fields }),
    warn: (message, fields = {}) => logger.warn({ message, ...fields }),
    error: (message, fields = {}) => logger.error({ message, ...fields }),
  };
}

/** Structured logging: one summary line per processed file; never tokens or personal data. */
export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Discards everything (tests). */
export const silentLog: Log = { info: () => {}, warn: () => {}, error: () => {} };

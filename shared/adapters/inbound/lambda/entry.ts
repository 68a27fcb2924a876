import { refreshRegistry } from '../../../application/registry.js';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { FunctionRuntime } from '../../../runtime/bootstrap.js';

/**
 * Where a log line of an invocation can be traced back to: the API request id, the SQS message
 * (first of the batch), the SNS message, or the scheduled job.
 */
export function correlationIdOf(event: unknown): string | undefined {
  const e = event as {
    requestContext?: { requestId?: string };
    Records?: { messageId?: string; Sns?: { MessageId?: string } }[];
    periodId?: string;
    label?: string;
    sweep?: unknown;
  };
  if (e?.requestContext?.requestId) return e.requestContext.requestId;
  const first = e?.Records?.[0];
  if (first?.Sns?.MessageId) return first.Sns.MessageId;
  if (first?.messageId) return first.messageId;
  if (e?.periodId) return [e.periodId, e.label].filter(Boolean).join('#');
  if (e?.sweep) return 'sweep';
  return undefined;
}

/**
 * A Lambda entry: the project's handler behind middy with Powertools' `injectLambdaContext`, so
 * every log line carries the request id, the cold-start flag, the function's name and version and
 * the correlation id; keys added during one invocation are reset before the next.
 */
export function lambdaEntry<TEvent, TResult>(runtime: FunctionRuntime, handler: (event: TEvent) => Promise<TResult>) {
  return middy<TEvent, TResult, Error, Context>()
    .use(injectLambdaContext(runtime.logger, { resetKeys: true }))
    .use({
      before: async (request) => {
        const id = correlationIdOf(request.event);
        if (id) runtime.logger.setCorrelationId(id);
        // The unit registry as the Department keeps it (read at most once a minute). A failed read
        // keeps the registry last read (or the seed) and is logged: the invocation's own reads and
        // writes meet the same fault and are retried as always, so nothing is decided on it alone.
        try {
          await refreshRegistry(runtime.deps);
        } catch (err) {
          runtime.deps.log.error('unit registry not refreshed; the one last read is used', { error: err instanceof Error ? err.message : String(err) });
        }
      },
    })
    .handler((event) => handler(event));
}

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

/**
 * Runs named functions in a worker thread bounded in memory (V8 heap limits) and time (a deadline
 * after which the worker is terminated), so that whatever one untrusted file makes a parser do, the
 * process that records the result survives and can record it. The worker is kept warm between calls
 * and replaced after a verdict.
 *
 * Protocol: the worker module calls `serveInWorker(fns)` at its top level when it runs as a worker
 * with this guard's role; the main thread calls `guard.call(name, args)`.
 */

export interface GuardLimits {
  /** V8 old-generation heap of the worker, MiB. */
  maxHeapMb: number;
  /** Wall-clock budget of one call, ms. */
  timeoutMs: number;
}

export type GuardVerdict = 'memory' | 'timeout' | 'crash';

export type GuardOutcome<T> = { ok: true; value: T } | { ok: false; verdict: GuardVerdict; detail: string };

interface Request {
  id: number;
  name: string;
  args: unknown[];
}
type Response = { id: number; value: unknown } | { id: number; error: string };

const ROLE_KEY = 'cchcGuardRole';

/** True in a worker started by a guard for `role`: the module should then call `serveInWorker`. */
export function isGuardWorker(role: string): boolean {
  return !isMainThread && (workerData as Record<string, unknown> | null)?.[ROLE_KEY] === role;
}

/** Serves calls from the main thread; a throw in a function is sent back as an error, not a crash. */
export function serveInWorker(fns: Record<string, (...args: never[]) => unknown>): void {
  const port = parentPort;
  if (!port) throw new Error('serveInWorker must run in a worker thread');
  port.on('message', (req: Request) => {
    void (async () => {
      let res: Response;
      try {
        const fn = fns[req.name];
        if (!fn) throw new Error(`no guarded function ${req.name}`);
        res = { id: req.id, value: await (fn as (...a: unknown[]) => unknown)(...req.args) };
      } catch (err) {
        res = { id: req.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
      }
      port.postMessage(res);
    })();
  });
}

/**
 * One guarded worker. Calls are served one at a time (a queue), which is what a Lambda does anyway
 * and keeps one hostile file from starving another of the worker's heap.
 */
export class Guard {
  private worker: Worker | null = null;
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly moduleUrl: URL,
    private readonly role: string,
    private readonly limits: GuardLimits,
  ) {}

  /** Calls `name(...args)` in the worker; never rejects because of what the call did. */
  call<T>(name: string, args: unknown[], transfer: ArrayBuffer[] = []): Promise<GuardOutcome<T>> {
    const run = this.queue.then(() => this.run<T>(name, args, transfer));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the worker (tests, shutdown). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private start(): Worker {
    const options = {
      workerData: { [ROLE_KEY]: this.role },
      resourceLimits: { maxOldGenerationSizeMb: this.limits.maxHeapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
      stdout: false,
      stderr: false,
    };
    // Lambda bundles are plain JavaScript; sources (local stack, CLI, tests) are loaded through tsx's
    // API, since a worker does not inherit the loader hooks of the thread that starts it.
    const worker = this.moduleUrl.pathname.endsWith('.ts')
      ? new Worker(`import('tsx/esm/api').then((tsx) => tsx.tsImport(${JSON.stringify(this.moduleUrl.href)}, ${JSON.stringify(this.moduleUrl.href)}))`, {
          ...options,
          eval: true,
        })
      : new Worker(this.moduleUrl, options);
    worker.unref();
    return worker;
  }

  private run<T>(name: string, args: unknown[], transfer: ArrayBuffer[]): Promise<GuardOutcome<T>> {
    this.worker ??= this.start();
    const worker = this.worker;
    const id = ++this.seq;
    return new Promise<GuardOutcome<T>>((resolve) => {
      let settled = false;
      const finish = (out: GuardOutcome<T>, discard: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (discard) {
          if (this.worker === worker) this.worker = null;
          void worker.terminate();
        }
        resolve(out);
      };
      const onMessage = (res: Response): void => {
        if (res.id !== id) return;
        if ('error' in res) finish({ ok: false, verdict: 'crash', detail: res.error }, false);
        else finish({ ok: true, value: res.value as T }, false);
      };
      const onError = (err: Error & { code?: string }): void => {
        const memory = err.code === 'ERR_WORKER_OUT_OF_MEMORY' || /heap out of memory|allocation failed/i.test(err.message);
        finish({ ok: false, verdict: memory ? 'memory' : 'crash', detail: err.message }, true);
      };
      const onExit = (code: number): void => finish({ ok: false, verdict: 'crash', detail: `worker exited with code ${code}` }, true);
      const timer = setTimeout(
        () => finish({ ok: false, verdict: 'timeout', detail: `no answer within ${this.limits.timeoutMs} ms` }, true),
        this.limits.timeoutMs,
      );
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ id, name, args } satisfies Request, transfer);
    });
  }
}

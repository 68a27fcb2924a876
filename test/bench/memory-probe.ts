/**
 * Loaded into the local stack's process by the rush benchmark (`node --expose-gc --import
 * ./test/bench/memory-probe.ts …`): every BENCH_MEMORY_EVERY_MS (default 2000) it collects garbage and
 * appends the process's memory to BENCH_MEMORY_FILE as a JSON line, so that what the stack keeps
 * (the heap after a full collection) is told apart from what the collector has not reclaimed yet.
 */
import { appendFileSync } from 'node:fs';

const file = process.env.BENCH_MEMORY_FILE;
const gc = (globalThis as { gc?: () => void }).gc;
if (file && gc) {
  const every = Number(process.env.BENCH_MEMORY_EVERY_MS ?? 2000);
  setInterval(() => {
    gc();
    const m = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ at: Date.now(), rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers })}\n`);
  }, every).unref();
}

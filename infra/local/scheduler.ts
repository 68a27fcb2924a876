import { scheduledJobs, type ScheduledJob } from '../../shared/domain/schedule.js';
import { makeClosePeriodHandler } from '../../shared/adapters/inbound/lambda/close-period.js';
import { makeSendRemindersHandler } from '../../shared/adapters/inbound/lambda/send-reminders.js';
import type { Log } from '../../shared/application/log.js';
import type { PipelineDeps } from '../../shared/application/deps.js';
import { forFunction } from '../../shared/runtime/bootstrap.js';
import type { VirtualClock } from './virtual-clock.js';

/**
 * Stands in for EventBridge Scheduler on the local stack: the same one-time jobs as the deployed
 * schedules (reminders D-3 and D-1 at 08:00, the close after each deadline), fired on the virtual
 * clock through the same handlers. A job fires once when the clock passes its time while the stack
 * runs; a failed job is retried on the next tick, as the scheduler's retry policy would.
 */
export class LocalScheduler {
  private readonly jobs: ScheduledJob[];
  private readonly done = new Set<string>();
  private readonly startedAt: number;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private readonly close: ReturnType<typeof makeClosePeriodHandler>;
  private readonly remind: ReturnType<typeof makeSendRemindersHandler>;

  constructor(
    deps: PipelineDeps,
    private readonly clock: VirtualClock,
    years: number[],
    private readonly log: Log,
    /**
     * Runs after a reminder job: send-reminders queues reminders without their links (it has no token
     * key, as on AWS) and flush-outbox sends them; locally it runs at once instead of within 5 minutes.
     */
    private readonly afterReminders: () => Promise<unknown> = async () => {},
  ) {
    this.jobs = scheduledJobs(years);
    this.startedAt = clock.now().getTime();
    this.close = makeClosePeriodHandler(forFunction(deps, 'close-period'));
    this.remind = makeSendRemindersHandler(forFunction(deps, 'send-reminders'));
  }

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    return this.running;
  }

  /** Fires every job whose time has come since the clock's start; resolves when they are done. */
  tick(): Promise<void> {
    this.running = this.running.then(() => this.runDue());
    return this.running;
  }

  private async runDue(): Promise<void> {
    const now = this.clock.now().getTime();
    for (const job of this.jobs) {
      const at = Date.parse(job.at);
      if (at > now || at <= this.startedAt || this.done.has(job.id)) continue;
      try {
        if (job.type === 'close') {
          const out = (await this.close({ periodId: job.periodId })) as { outcome: string };
          this.log.info('scheduled close', { job: job.id, outcome: out.outcome });
          // Another run holds the close: try again on a later tick (it resumes once that lease expires).
          if (out.outcome === 'busy') continue;
        } else {
          const out = await this.remind({ periodId: job.periodId, label: job.label! });
          this.log.info('scheduled reminders', { job: job.id, reminded: out.units.length });
          await this.afterReminders();
        }
        this.done.add(job.id);
      } catch (err) {
        this.log.error('scheduled job failed; will retry', { job: job.id, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
}

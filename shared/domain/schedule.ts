import { buildCalendar, ZONE } from './calendar.js';
import { addDays, instantOfLocal } from './zone.js';

/** A job the scheduler runs: a reminder before a deadline, or the close after it. */
export interface ScheduledJob {
  /** Stable id, e.g. `close-2021-Q1`, `remind-2021-Q1-D-3`. */
  id: string;
  type: 'remind' | 'close';
  periodId: string;
  /** Reminder label (`D-3`, `D-1`). */
  label?: string;
  /** When, ISO UTC. */
  at: string;
}

export interface ScheduleRules {
  /** Days before the due date on which reminders go out. */
  reminderDays: number[];
  /** Local time of day of the reminders, `HH:mm`. */
  reminderTime: string;
  /** Minutes after the first late instant at which the close fires. */
  closeDelayMinutes: number;
}

export const DEFAULT_SCHEDULE: ScheduleRules = { reminderDays: [3, 1], reminderTime: '08:00', closeDelayMinutes: 5 };

/**
 * Every reminder and close of the given years, in time order (Asia/Ho_Chi_Minh). The close fires a
 * few minutes after the deadline so that an upload stored at 23:59:59 is already listed.
 */
export function scheduledJobs(years: number[], rules: ScheduleRules = DEFAULT_SCHEDULE): ScheduledJob[] {
  const [hour, minute] = rules.reminderTime.split(':').map(Number) as [number, number];
  const jobs: ScheduledJob[] = [];
  for (const year of years) {
    for (const p of buildCalendar(year).periods) {
      for (const days of rules.reminderDays) {
        const at = instantOfLocal(addDays(p.dueDate, -days), { hour, minute }, ZONE)!;
        jobs.push({ id: `remind-${p.id}-D-${days}`, type: 'remind', periodId: p.id, label: `D-${days}`, at: new Date(at).toISOString() });
      }
      const close = Date.parse(p.closesAt) + rules.closeDelayMinutes * 60_000;
      jobs.push({ id: `close-${p.id}`, type: 'close', periodId: p.id, at: new Date(close).toISOString() });
    }
  }
  return jobs.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
}

import { chronological, type Actor, type AuditEvent, type AuditType, type AuditValue } from '../domain/audit.js';
import type { SubmissionKind } from '../domain/types.js';
import type { PipelineDeps } from './deps.js';
import type { OutEvent } from './ports.js';

/** One step to put on the audit trail (its time is the server's clock unless the step has its own, e.g. an object's receipt time). */
export interface Step {
  eventId: string;
  type: AuditType;
  periodId: string | null;
  unitCode: string | null;
  kind?: SubmissionKind;
  actor: Actor;
  reason?: string | null;
  detail?: Record<string, AuditValue>;
  at?: string;
}

/** What other systems hear of a step, when they hear of it at all (the event schemas are still to be written in docs/, issue 13). */
export type OutOf = Pick<OutEvent, 'type' | 'detail'>;

/**
 * Records a step on the audit trail (once: a retried step finds its event and adds nothing) and,
 * when `out` is given, publishes it to other systems with the same id. The event is published on
 * every attempt, the first and the retries alike (at least once: a consumer drops a repeat by its
 * id); a failed publication is logged and does not undo the step, which the trail keeps.
 */
export async function recordStep(
  deps: Pick<PipelineDeps, 'stores' | 'clock'> & Partial<Pick<PipelineDeps, 'log' | 'events'>>,
  step: Step,
  out?: OutOf,
): Promise<AuditEvent> {
  const event: AuditEvent = {
    eventId: step.eventId,
    type: step.type,
    at: step.at ?? deps.clock.now().toISOString(),
    periodId: step.periodId,
    unitCode: step.unitCode,
    ...(step.kind ? { kind: step.kind } : {}),
    actor: step.actor,
    reason: step.reason ?? null,
    detail: step.detail ?? {},
    ...(out ? { out: { type: out.type, detail: out.detail } } : {}),
  };
  // A retried step finds its event: what is published (and returned) is the stored one, with its first time.
  const stored = (await deps.stores.audit.append(event)) ? event : ((await deps.stores.audit.get(event)) ?? event);
  if (out && deps.events) {
    try {
      await deps.events.publish([{ id: stored.eventId, type: out.type, time: stored.at, detail: stored.out?.detail ?? out.detail }]);
    } catch (err) {
      deps.log?.error('event not published', { eventId: stored.eventId, type: out.type, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return stored;
}

/**
 * Publishes again the events of a period's steps (every unit's, and the period's own), oldest first,
 * as they were first published: the same ids, times and details, so a subscriber drops what it had.
 * For a subscriber added late, or after a publication failed (the trail kept the step). `types`
 * narrows it; returns how many were published.
 */
export async function replayEvents(deps: Pick<PipelineDeps, 'stores' | 'events'>, periodId: string, types?: readonly string[]): Promise<number> {
  if (!deps.events) throw new Error('No event sink is configured');
  let cursor: string | undefined;
  let published = 0;
  do {
    const page = await deps.stores.audit.pageOfPeriod(periodId, { limit: 200, ...(cursor ? { cursor } : {}) });
    const events = page.items.flatMap((e) =>
      e.out && (!types || types.includes(e.out.type)) ? [{ id: e.eventId, type: e.out.type, time: e.at, detail: e.out.detail }] : [],
    );
    await deps.events.publish(events);
    published += events.length;
    cursor = page.cursor;
  } while (cursor);
  return published;
}

/** A (period, unit)'s timeline: its own steps and the unit's steps tied to no period (its links), oldest first. */
export async function timelineOf(deps: Pick<PipelineDeps, 'stores'>, periodId: string, unitCode: string): Promise<AuditEvent[]> {
  const [slot, unit] = await Promise.all([deps.stores.audit.ofSlot(periodId, unitCode), deps.stores.audit.ofUnit(unitCode)]);
  return chronological([...slot, ...unit]);
}

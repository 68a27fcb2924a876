import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EventSink, OutEvent } from '../../application/ports.js';

/**
 * Where the pipeline's events for other systems go (docs/EVENTS.md): the deployment's EventBridge
 * bus, or on the local stack a JSON Lines file under its data folder. Both carry the same envelope:
 * the event's id (the audit step's, the same on every retry), its type, its time and its detail.
 */

/** The `source` of every event on the bus. */
export const EVENT_SOURCE = 'vn.thuathienhue.snv.cchc';

/** The JSON each event carries (EventBridge's `detail`, a line of the local file). */
export function eventEnvelope(e: OutEvent): { id: string; type: OutEvent['type']; time: string; source: string; detail: Record<string, unknown> } {
  return { id: e.id, type: e.type, time: e.time, source: EVENT_SOURCE, detail: e.detail };
}

/** PutEvents takes at most 10 entries per call. */
const BATCH = 10;

/** The EventBridge bus: PutEvents in batches; an entry EventBridge refused fails the publication (the caller logs it, the trail keeps the step). */
export class EventBridgeSink implements EventSink {
  constructor(
    private readonly client: () => Promise<EventBridgeClient>,
    private readonly busName: string,
  ) {}

  async publish(events: readonly OutEvent[]): Promise<void> {
    if (events.length === 0) return;
    const { PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    const client = await this.client();
    for (let i = 0; i < events.length; i += BATCH) {
      const batch = events.slice(i, i + BATCH);
      const out = await client.send(
        new PutEventsCommand({
          Entries: batch.map((e) => ({
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: e.type,
            Time: new Date(e.time),
            Detail: JSON.stringify(eventEnvelope(e)),
          })),
        }),
      );
      if (out.FailedEntryCount) {
        const failed = (out.Entries ?? []).flatMap((r, j) => (r.ErrorCode ? [`${batch[j]!.id}: ${r.ErrorCode}`] : []));
        throw new Error(`EventBridge refused ${out.FailedEntryCount} of ${batch.length} events (${failed.join(', ')})`);
      }
    }
  }
}

/** Where the local stack (and the CLI on it) append their events: `<data dir>/events/events.jsonl`. */
export function localEventsFile(dataDir: string): string {
  return join(dataDir, 'events', 'events.jsonl');
}

/** The local stack's bus: each event appended as one line of JSON to `file` (the folder made on first use). */
export class FileEventSink implements EventSink {
  private ready: Promise<unknown> | undefined;
  constructor(readonly file: string) {}

  async publish(events: readonly OutEvent[]): Promise<void> {
    if (events.length === 0) return;
    this.ready ??= mkdir(dirname(this.file), { recursive: true });
    await this.ready;
    await appendFile(this.file, events.map((e) => `${JSON.stringify(eventEnvelope(e))}\n`).join(''), 'utf8');
  }
}

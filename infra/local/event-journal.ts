import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

/** One S3 event as the local stack received it: enough to deliver it again after a restart. */
export interface JournalEntry {
  key: string;
  eventTime: string;
  /** The AWS-shaped S3 event record, delivered as it was. */
  record: unknown;
}

/**
 * The local stack's persisted event queue: every S3 event is appended (synchronously, before it is
 * queued) to a JSON-lines file under the data folder, so that an upload whose processing a SIGKILL
 * interrupted is delivered again when the stack restarts, with its original receipt time. SQS keeps
 * messages across a consumer's crash; this is the same promise for the in-process queue.
 */
export class EventJournal {
  constructor(private readonly path: string) {}

  append(entry: JournalEntry): void {
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`);
  }

  /** Every entry, oldest first; a line cut short by a crash is skipped. */
  read(): JournalEntry[] {
    if (!existsSync(this.path)) return [];
    const out: JournalEntry[] = [];
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as JournalEntry);
      } catch {
        // a torn last line: the object is still found by the start-up reconciliation
      }
    }
    return out;
  }

  /** Keeps only `entries` (those still without a result): the journal never grows with history. */
  rewrite(entries: JournalEntry[]): void {
    writeFileSync(this.path, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }
}

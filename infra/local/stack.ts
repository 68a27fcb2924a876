import { writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeClients } from '../../shared/adapters/outbound/clients.js';
import { emlKeepingMailer } from '../../shared/adapters/outbound/eml-keeping-mailer.js';
import { decodeEventKey, INCOMING_PREFIX, parseIncomingKey } from '../../shared/domain/object-keys.js';
import { createTableInput } from '../../shared/adapters/outbound/dynamo/schema.js';
import type { AppConfig } from '../../shared/runtime/config.js';
import { localEnvironment, type LocalConnection } from '../../shared/runtime/local-connection.js';
import { resolveTemplateKey, resolveTokenKey } from '../../shared/runtime/local-keys.js';
import { LOCAL_STACK_SETTINGS, loadConfig } from '../../shared/runtime/config.js';
import { makeHttpApp } from '../../shared/adapters/inbound/http/app.js';
import type { HttpEvent, HttpResult } from '../../shared/adapters/inbound/http/unit-api.js';
import { makeRecordUnprocessableHandler } from '../../shared/adapters/inbound/lambda/record-unprocessable.js';
import { makeValidateSubmissionHandler } from '../../shared/adapters/inbound/lambda/validate-submission.js';
import { buildCalendar, calendarYears } from '../../shared/domain/calendar.js';
import { silentLog, type Log } from '../../shared/application/log.js';
import type { Mailer, UploadStore } from '../../shared/application/ports.js';
import { buildDeps, forFunction } from '../../shared/runtime/bootstrap.js';
import type { PipelineDeps } from '../../shared/application/deps.js';
import { closeDuePeriods } from '../../shared/application/close-period.js';
import { flushOutbox } from '../../shared/application/outbox.js';
import { objectIdOf } from '../../shared/application/process-upload.js';
import { reconcilePeriod } from '../../shared/application/reconcile.js';
import { EventJournal, type JournalEntry } from './event-journal.js';
import { serveHttpHandler } from './http-server.js';
import { LocalQueue } from './local-queue.js';
import { LocalScheduler } from './scheduler.js';
import { DEFAULT_LOCAL_REGION, S3RVER_CREDENTIALS, startS3Emulator } from './s3-emulator.js';
import { subscribeObjectCreated } from './s3-events.js';
import { startS3Front } from './s3-front.js';
import { VirtualClock } from './virtual-clock.js';

const require = createRequire(import.meta.url);

export const LOCAL_TABLE = 'cchc-local';
export const LOCAL_BUCKET = 'cchc-uploads-local';

export interface LocalStackOptions {
  /** Where data, mail and the connection file live (default `.local`). */
  dataDir?: string;
  /** Wipe stored data and mail first. */
  fresh?: boolean;
  host?: string;
  /** API and portal port (0 = any free port). */
  port?: number;
  /** Public S3 (presigned POST) port (0 = any free port). */
  s3Port?: number;
  /** Virtual clock start and speed. */
  now?: Date;
  speed?: number;
  log?: Log;
  maxUploadBytes?: number;
  templateKey?: string;
  tokenKey?: string;
  /** Wraps the mailer (tests inject failures here). */
  wrapMailer?: (mailer: Mailer) => Mailer;
  /** How often pending mail is retried, ms (the deployed schedule: 5 minutes). 0 disables. */
  outboxIntervalMs?: number;
  /** Queue retry delay, ms. */
  retryDelayMs?: number;
  /**
   * Test switch: wait this long before validating each upload, to hold an upload between its S3 write
   * and its record (the kill-and-restart test). 0 in normal use.
   */
  holdValidationMs?: number;
  /** How often the local scheduler checks for due reminders and closes, ms (real time). 0 = never by itself. */
  schedulerIntervalMs?: number;
  /** Years whose reminders and closes are scheduled (default 2021 and the clock's year). */
  years?: number[];
}

export interface LocalStack {
  apiUrl: string;
  s3PublicUrl: string;
  mailDir: string;
  dataDir: string;
  clock: VirtualClock;
  deps: PipelineDeps;
  config: Readonly<AppConfig>;
  queue: LocalQueue;
  scheduler: LocalScheduler;
  endpoints: { dynamodb: string; s3: string; ses: string };
  /** Waits until every delivered event is processed and no retry is scheduled. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(port, host, () => res((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((res) => {
    server.close(() => res());
    server.closeAllConnections?.();
  });
}

async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: DEFAULT_LOCAL_REGION, credentials: { ...S3RVER_CREDENTIALS } });
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } finally {
    client.destroy();
  }
}

/**
 * The journal's events whose objects have no record yet (their processing was interrupted), with
 * every entry's receipt time restored; the journal is rewritten to just those.
 */
async function unrecordedEvents(journal: EventJournal, deps: PipelineDeps, storedAt: Map<string, string>): Promise<JournalEntry[]> {
  const pending: JournalEntry[] = [];
  for (const e of journal.read()) {
    const parsed = parseIncomingKey(e.key);
    if (!parsed) continue;
    if (await deps.stores.submissions.get(parsed.periodId, parsed.unitCode, objectIdOf(parsed.uploadId))) continue;
    storedAt.set(e.key, e.eventTime);
    pending.push(e);
  }
  journal.rewrite(pending);
  return pending;
}

/** Reports object times on the virtual clock (the emulator stores real times). */
function virtualTimeUploads(inner: UploadStore, clock: VirtualClock, storedAt: Map<string, string>): UploadStore {
  const at = (key: string, real: Date): Date => (storedAt.has(key) ? new Date(storedAt.get(key)!) : clock.toVirtual(real));
  return {
    presignPost: (o) => inner.presignPost(o),
    get: (r, m) => inner.get(r, m),
    put: (k, b, c) => inner.put(k, b, c),
    presignGet: (k, e, f) => inner.presignGet(k, e, f),
    async head(ref) {
      const h = await inner.head(ref);
      return h && { ...h, lastModified: at(ref.key, h.lastModified) };
    },
    async list(prefix) {
      return (await inner.list(prefix)).map((o) => ({ ...o, lastModified: at(o.key, o.lastModified) }));
    },
  };
}

/**
 * Starts the whole pipeline on one machine: dynalite, s3rver behind a POST-policy front,
 * aws-ses-v2-local, the unit API, the S3 event → queue → validator wiring, the outbox retry loop,
 * all on 127.0.0.1, running the same handler code as the Lambdas.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? silentLog;
  const dataDir = resolve(options.dataDir ?? '.local');
  const mailDir = join(dataDir, 'mail');
  if (options.fresh) {
    await rm(join(dataDir, 'data'), { recursive: true, force: true });
    await rm(mailDir, { recursive: true, force: true });
  }
  await mkdir(join(dataDir, 'data', 'dynamodb'), { recursive: true });
  await mkdir(join(dataDir, 'data', 's3'), { recursive: true });
  await mkdir(mailDir, { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  };

  try {
    // DynamoDB
    const dynalite = (require('dynalite') as (o: object) => Server)({
      path: join(dataDir, 'data', 'dynamodb'),
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
    const dynamoPort = await listen(dynalite, 0, host);
    cleanups.push(() => closeServer(dynalite));
    const dynamoEndpoint = `http://${host}:${dynamoPort}`;
    await ensureTable(dynamoEndpoint, LOCAL_TABLE);

    // S3 (s3rver) and its public front
    const s3 = await startS3Emulator({ directory: join(dataDir, 'data', 's3'), host, buckets: [LOCAL_BUCKET] });
    cleanups.push(() => s3.close());

    // SES
    const sesModule = require('aws-ses-v2-local') as { default: (c: { host: string; port: number }) => Promise<Server> };
    const sesServer = await sesModule.default({ host, port: 0 });
    cleanups.push(() => closeServer(sesServer));
    const sesEndpoint = `http://${host}:${(sesServer.address() as AddressInfo).port}`;

    const clock = new VirtualClock(options.now ?? new Date(), options.speed ?? 1);

    // The API listens first (its origin is the portal's, which the S3 front must allow for CORS);
    // requests are answered once the dependencies below are built.
    let apiHandler: (event: HttpEvent) => Promise<HttpResult> = async () => ({ statusCode: 503, body: 'starting' });
    const api = serveHttpHandler((event) => apiHandler(event), log);
    const boundApiPort = await listen(api, options.port ?? 3000, host);
    cleanups.push(() => closeServer(api));
    const apiUrl = `http://localhost:${boundApiPort}`;

    const upstream = makeClients({ region: DEFAULT_LOCAL_REGION, credentials: S3RVER_CREDENTIALS, endpoints: { s3: s3.endpoint } }).s3;
    const front = await startS3Front({
      host,
      port: options.s3Port ?? 4569,
      upstream,
      credentials: S3RVER_CREDENTIALS,
      region: DEFAULT_LOCAL_REGION,
      allowedBuckets: [LOCAL_BUCKET],
      corsOrigins: [apiUrl, `http://127.0.0.1:${boundApiPort}`],
      maxBodyBytes: 100 * 1024 * 1024,
    });
    cleanups.push(() => front.close());

    const templateKey = options.templateKey ?? resolveTemplateKey(process.env, join(dataDir, 'template-signing-key'));
    const connection: LocalConnection = {
      apiUrl,
      s3PublicUrl: front.url,
      endpoints: { dynamodb: dynamoEndpoint, s3: s3.endpoint, ses: sesEndpoint },
      tableName: LOCAL_TABLE,
      bucket: LOCAL_BUCKET,
      region: DEFAULT_LOCAL_REGION,
      mailDir,
      pid: process.pid,
      maxUploadBytes: options.maxUploadBytes ?? 10 * 1024 * 1024,
    };
    const tokenKey = options.tokenKey ?? resolveTokenKey(process.env, join(dataDir, 'token-key'));
    // The whole pipeline's configuration, parsed from the same variables a deployed function gets;
    // each function below runs on its own view of it (forFunction), with only its settings.
    const config = loadConfig(localEnvironment(connection, { templateKey, tokenKey }), LOCAL_STACK_SETTINGS, 'local stack');
    // s3rver stamps objects with the real time; the pipeline reasons in virtual time.
    const storedAt = new Map<string, string>();
    const deps = buildDeps(config, LOCAL_STACK_SETTINGS, 'local stack', {
      log,
      clock,
      wrapMailer: (ses) => {
        const keeping = emlKeepingMailer(ses, mailDir);
        return options.wrapMailer ? options.wrapMailer(keeping) : keeping;
      },
      wrapUploads: (s3) => virtualTimeUploads(s3, clock, storedAt),
    });
    apiHandler = makeHttpApp(forFunction(deps, 'unit-api'));

    // S3 event → journal → queue → the validator handler; dead letters → the unprocessable recorder.
    // Each runs on its function's view: the functions that parse hostile files get no token key, as
    // on AWS. Views read through, so an adapter a test swaps on `deps` after start is seen.
    const deadLetterQueue = new LocalQueue({
      handler: makeRecordUnprocessableHandler(forFunction(deps, 'record-unprocessable')),
      log,
      retryDelayMs: options.retryDelayMs,
    });
    const validate = makeValidateSubmissionHandler(forFunction(deps, 'validate-submission'));
    const hold = options.holdValidationMs ?? 0;
    const queue = new LocalQueue({
      handler:
        hold > 0
          ? async (event) => {
              await new Promise((r) => setTimeout(r, hold));
              return validate(event);
            }
          : validate,
      log,
      retryDelayMs: options.retryDelayMs,
      onDeadLetter: (body) => deadLetterQueue.send(body),
    });
    cleanups.push(async () => {
      queue.close();
      deadLetterQueue.close();
    });
    const drainQueues = async (): Promise<void> => {
      do {
        await queue.drain();
        await deadLetterQueue.drain();
      } while (!queue.isIdleNow() || !deadLetterQueue.isIdleNow());
    };
    const journal = new EventJournal(join(dataDir, 'data', 'events.jsonl'));
    const pending = await unrecordedEvents(journal, deps, storedAt);
    const unsubscribe = subscribeObjectCreated(s3.server, {
      filter: { prefix: INCOMING_PREFIX },
      region: DEFAULT_LOCAL_REGION,
      now: () => clock.now(),
      deliver: (record) => {
        const key = decodeEventKey(record.s3.object.key);
        journal.append({ key, eventTime: record.eventTime, record });
        storedAt.set(key, record.eventTime);
        queue.send(JSON.stringify({ Records: [record] }));
      },
      onError: (err) => log.error('local S3 event delivery failed', { error: err instanceof Error ? err.message : String(err) }),
    });
    let unsubscribed = false;
    cleanups.push(async () => {
      if (!unsubscribed) unsubscribe();
    });

    let flushing: Promise<unknown> = Promise.resolve();
    const interval = options.outboxIntervalMs ?? 60_000;
    if (interval > 0) {
      const timer = setInterval(() => {
        flushing = flushOutbox(forFunction(deps, 'flush-outbox')).catch((err: unknown) =>
          log.error('outbox flush failed', { error: err instanceof Error ? err.message : String(err) }),
        );
      }, interval);
      timer.unref();
      cleanups.push(async () => clearInterval(timer));
    }

    const clockYear = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric' }).format(clock.now()));
    const years = options.years ?? calendarYears([2021, clockYear]);
    const flushNow = () =>
      flushOutbox(forFunction(deps, 'flush-outbox')).catch((err: unknown) =>
        log.error('outbox flush failed', { error: err instanceof Error ? err.message : String(err) }),
      );
    const scheduler = new LocalScheduler(deps, clock, years, log, flushNow);
    if ((options.schedulerIntervalMs ?? 1000) > 0) scheduler.start(options.schedulerIntervalMs ?? 1000);
    cleanups.push(() => scheduler.stop());

    // Work a previous run left unfinished (a SIGKILL between an S3 write and its record, a receipt
    // not yet sent): events from the journal are delivered again, every period of the clock's years
    // is reconciled (objects whose event never reached the journal), and the outbox is flushed.
    for (const e of pending) queue.send(JSON.stringify({ Records: [e.record] }));
    await drainQueues();
    for (const year of years) {
      for (const period of buildCalendar(year).periods) {
        await reconcilePeriod(forFunction(deps, 'close-period'), period.id).catch((err: unknown) =>
          log.error('start-up reconciliation failed', { periodId: period.id, error: err instanceof Error ? err.message : String(err) }),
        );
      }
    }
    // A close the previous run left in CLOSING: that run is gone (one stack per data folder), so resume it now.
    await closeDuePeriods(forFunction(deps, 'close-period'), years, { onlyClosing: true, takeOver: true });
    await flushOutbox(forFunction(deps, 'flush-outbox')).catch((err: unknown) =>
      log.error('outbox flush failed', { error: err instanceof Error ? err.message : String(err) }),
    );

    // A graceful stop (runs first): no new events, then the queues and any send in flight finish
    // before the emulators stop, so a stop never leaves a half-done upload or sends a receipt twice.
    cleanups.push(async () => {
      await scheduler.stop();
      unsubscribe();
      unsubscribed = true;
      await Promise.race([drainQueues(), new Promise((r) => setTimeout(r, 30_000).unref())]);
      await flushing;
    });

    // The CLI computes the same "now" from the clock's anchor; a jump or a new speed rewrites it.
    const writeConnection = (): void => writeFileSync(join(dataDir, 'stack.json'), `${JSON.stringify({ ...connection, clock: clock.snapshot() }, null, 2)}\n`);
    let open = true;
    clock.onChange(() => {
      if (open) writeConnection();
    });
    writeConnection();
    cleanups.push(async () => {
      open = false;
    });
    cleanups.unshift(async () => rm(join(dataDir, 'stack.json'), { force: true }));

    return {
      apiUrl,
      s3PublicUrl: front.url,
      mailDir,
      dataDir,
      clock,
      deps,
      config,
      queue,
      scheduler,
      endpoints: connection.endpoints,
      drain: drainQueues,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

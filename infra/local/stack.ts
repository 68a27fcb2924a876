import { FileEventSink, localEventsFile } from '../../shared/adapters/outbound/event-sinks.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
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
import { makeValidateSubmissionHandler, s3RecordsOf } from '../../shared/adapters/inbound/lambda/validate-submission.js';
import { buildCalendar, calendarYears } from '../../shared/domain/calendar.js';
import { silentLog, type Log } from '../../shared/application/log.js';
import type { Mailer, UploadStore } from '../../shared/application/ports.js';
import { buildDeps, forFunction } from '../../shared/runtime/bootstrap.js';
import type { PipelineDeps } from '../../shared/application/deps.js';
import { closeDuePeriods } from '../../shared/application/close-period.js';
import { flushOutbox } from '../../shared/application/outbox.js';
import { objectIdOf } from '../../shared/application/process-upload.js';
import { reconcilePeriod } from '../../shared/application/reconcile.js';
import { refreshRegistry } from '../../shared/application/registry.js';
import { EventJournal, type JournalEntry } from './event-journal.js';
import { serveHttpHandler } from './http-server.js';
import { LocalQueue } from './local-queue.js';
import { DEAD_LETTER_CONSUMER, UPLOAD_CONSUMER } from '../queue-consumers.js';
import { LocalScheduler } from './scheduler.js';
import { DEFAULT_LOCAL_REGION, type S3Emulator, S3RVER_CREDENTIALS, startS3Emulator } from './s3-emulator.js';
import { subscribeObjectCreated } from './s3-events.js';
import { type S3Front, startS3Front } from './s3-front.js';
import { VirtualClock } from './virtual-clock.js';
import { type DemoCa, openDemoCa, type SignedSampleRequest, signedSampleReport } from '../../shared/runtime/demo-ca.js';

const require = createRequire(import.meta.url);

export const LOCAL_TABLE = 'cchc-local';
export const LOCAL_BUCKET = 'cchc-uploads-local';

/** The choices of a signed sample report besides its slot and time (see `LocalStack.signedSampleReport`). */
export type SignedSampleOptions = Omit<SignedSampleRequest, 'unitCode' | 'periodId' | 'at'>;

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
  /**
   * The trust folder for signed reports (anchors/, intermediates/, crls/). Default `<dataDir>/trust`,
   * which trusts the demo CA; a folder given here is used as it is (the demo CA is not added to it).
   */
  trustDir?: string;
  /** Where the demo CA is kept (default `<dataDir>/demo-ca`); tests share one folder between stacks. */
  demoCaDir?: string;
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
  /** The trust folder signed reports are verified against, and whether it trusts the demo CA. */
  trust: { dir: string; demoCa: boolean };
  /**
   * A unit's sample report for a period as a PDF signed with the demo CA (shared/runtime/demo-ca.ts):
   * by the unit's head on that day, then by the unit itself, the organisation's signature at `at`
   * (default: the clock's now) and the leader's an hour earlier. `options` make the failing cases of
   * the demo: another leader or anyone named (`leader`), no leader signature (`leader: null`), no
   * organisation signature, a file saved again after signing, or the content to write.
   */
  signedSampleReport(unitCode: string, periodId: string, at?: Date, options?: SignedSampleOptions): Promise<Uint8Array>;
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

/** What a step registers to be undone on close; `close()` runs them in reverse order. */
type Cleanup = () => Promise<void>;

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
  await prepareDataDir(dataDir, mailDir, Boolean(options.fresh));
  const cleanups: Cleanup[] = [];
  const close = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  };

  try {
    const emulators = await startEmulators(dataDir, host, log, cleanups);
    const clock = new VirtualClock(options.now ?? new Date(), options.speed ?? 1);
    const api = await startApi(host, options.port ?? 3000, log, cleanups);
    const front = await startFront(host, options.s3Port ?? 4569, emulators.s3.endpoint, api, cleanups);
    const connection = connectionOf(api.apiUrl, front.url, emulators, mailDir, options.maxUploadBytes ?? 10 * 1024 * 1024);
    // s3rver stamps objects with the real time; the pipeline reasons in virtual time.
    const storedAt = new Map<string, string>();
    const trust = await prepareTrust(options, dataDir, log);
    const { config, deps } = buildPipeline(options, dataDir, connection, clock, log, storedAt, trust.dir);
    api.answerWith(makeHttpApp(forFunction(deps, 'unit-api')));

    const queues = startQueues(deps, options, storedAt, log, cleanups);
    const events = await subscribeUploads(dataDir, deps, emulators.s3, clock, queues.queue, storedAt, log, cleanups);
    const outboxInFlight = startOutboxLoop(deps, options.outboxIntervalMs ?? 60_000, log, cleanups);
    const { scheduler, years } = startScheduler(deps, clock, options, log, cleanups);
    await recoverUnfinishedWork(deps, queues, events.pending, years, log);
    cleanups.push(gracefulStop(scheduler, events.stop, queues.drain, outboxInFlight));
    keepConnectionFile(dataDir, connection, clock, cleanups);

    return {
      apiUrl: api.apiUrl,
      s3PublicUrl: front.url,
      mailDir,
      dataDir,
      clock,
      deps,
      config,
      queue: queues.queue,
      scheduler,
      endpoints: connection.endpoints,
      trust: { dir: trust.dir, demoCa: trust.demoCa },
      signedSampleReport: async (unitCode, periodId, at, sampleOptions) =>
        signedSampleReport(await trust.ca(), { ...sampleOptions, unitCode, periodId, at: at ?? clock.now() }, deps.units),
      drain: queues.drain,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Creates the data folders (DynamoDB, S3, mail); with `fresh`, stored data and mail are wiped first. */
async function prepareDataDir(dataDir: string, mailDir: string, fresh: boolean): Promise<void> {
  if (fresh) {
    await rm(join(dataDir, 'data'), { recursive: true, force: true });
    await rm(mailDir, { recursive: true, force: true });
  }
  await mkdir(join(dataDir, 'data', 'dynamodb'), { recursive: true });
  await mkdir(join(dataDir, 'data', 's3'), { recursive: true });
  await mkdir(mailDir, { recursive: true });
}

interface Emulators {
  dynamoEndpoint: string;
  s3: S3Emulator;
  sesEndpoint: string;
}

/** DynamoDB (dynalite, with the table), S3 (s3rver, with the bucket) and SES, in that order, each on a free port. */
async function startEmulators(dataDir: string, host: string, log: Log, cleanups: Cleanup[]): Promise<Emulators> {
  const dynamoEndpoint = await startDynamo(dataDir, host, log, cleanups);
  const s3 = await startS3Emulator({ directory: join(dataDir, 'data', 's3'), host, buckets: [LOCAL_BUCKET] });
  cleanups.push(() => s3.close());
  const sesEndpoint = await startSes(host, cleanups);
  return { dynamoEndpoint, s3, sesEndpoint };
}

/**
 * Whether the installed dynalite carries patches/dynalite+4.0.0.patch (applied by `postinstall`):
 * unpatched, every Query leaves its iterator and LevelDB snapshot open, and memory and the data
 * folder grow with every read (docs/upstream/dynalite-iterator-leak.md).
 */
export function dynaliteIsPatched(): boolean {
  return readFileSync(require.resolve('dynalite/db/index.js'), 'utf8').includes("typeof iterator.close === 'function'");
}

/** dynalite on its data folder, with the table created if missing; its endpoint. */
async function startDynamo(dataDir: string, host: string, log: Log, cleanups: Cleanup[]): Promise<string> {
  if (!dynaliteIsPatched()) {
    log.warn('dynalite is not patched: memory grows with every query until `npx patch-package` applies patches/dynalite+4.0.0.patch');
  }
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
  return dynamoEndpoint;
}

/**
 * How many messages the SES emulator's web inbox keeps (the newest). It keeps each message whole in
 * memory, so without a bound the stack's memory would grow with every receipt; every message sent
 * is kept as an .eml file in the mail folder anyway.
 */
export const SES_INBOX_MESSAGES = 500;

/** aws-ses-v2-local on a free port, its in-memory inbox bounded to the newest SES_INBOX_MESSAGES; its endpoint. */
async function startSes(host: string, cleanups: Cleanup[]): Promise<string> {
  const sesModule = require('aws-ses-v2-local') as { default: (c: { host: string; port: number }) => Promise<Server> };
  const inbox = (require('aws-ses-v2-local/dist/store') as { getStoreReadonly: () => { emails: unknown[] } }).getStoreReadonly();
  const sesServer = await sesModule.default({ host, port: 0 });
  const trim = setInterval(() => {
    const extra = inbox.emails.length - SES_INBOX_MESSAGES;
    if (extra > 0) inbox.emails.splice(0, extra);
  }, 5000);
  trim.unref();
  cleanups.push(async () => clearInterval(trim));
  cleanups.push(() => closeServer(sesServer));
  return `http://${host}:${(sesServer.address() as AddressInfo).port}`;
}

interface ApiServer {
  apiUrl: string;
  port: number;
  /** Sets the handler; until then every request is answered 503 "starting". */
  answerWith(handler: (event: HttpEvent) => Promise<HttpResult>): void;
}

/**
 * The API listens first (its origin is the portal's, which the S3 front must allow for CORS);
 * requests are answered once the dependencies are built.
 */
async function startApi(host: string, port: number, log: Log, cleanups: Cleanup[]): Promise<ApiServer> {
  let apiHandler: (event: HttpEvent) => Promise<HttpResult> = async () => ({ statusCode: 503, body: 'starting' });
  const api = serveHttpHandler((event) => apiHandler(event), log);
  const boundApiPort = await listen(api, port, host);
  cleanups.push(() => closeServer(api));
  return {
    apiUrl: `http://localhost:${boundApiPort}`,
    port: boundApiPort,
    answerWith: (handler) => {
      apiHandler = handler;
    },
  };
}

/** The public S3 front (presigned POST checks) before s3rver, allowing the API's origins for CORS. */
async function startFront(host: string, port: number, s3Endpoint: string, api: ApiServer, cleanups: Cleanup[]): Promise<S3Front> {
  const upstream = makeClients({ region: DEFAULT_LOCAL_REGION, credentials: S3RVER_CREDENTIALS, endpoints: { s3: s3Endpoint } }).s3;
  const front = await startS3Front({
    host,
    port,
    upstream,
    credentials: S3RVER_CREDENTIALS,
    region: DEFAULT_LOCAL_REGION,
    allowedBuckets: [LOCAL_BUCKET],
    corsOrigins: [api.apiUrl, `http://127.0.0.1:${api.port}`],
    maxBodyBytes: 100 * 1024 * 1024,
  });
  cleanups.push(() => front.close());
  return front;
}

/** What the CLI and the tests need to reach this stack (written to stack.json). */
function connectionOf(apiUrl: string, s3PublicUrl: string, emulators: Emulators, mailDir: string, maxUploadBytes: number): LocalConnection {
  return {
    apiUrl,
    s3PublicUrl,
    endpoints: { dynamodb: emulators.dynamoEndpoint, s3: emulators.s3.endpoint, ses: emulators.sesEndpoint },
    tableName: LOCAL_TABLE,
    bucket: LOCAL_BUCKET,
    region: DEFAULT_LOCAL_REGION,
    mailDir,
    pid: process.pid,
    maxUploadBytes,
  };
}

interface PreparedTrust {
  dir: string;
  /** The default trust folder, which trusts the demo CA. */
  demoCa: boolean;
  /** The demo CA, opened (and made, the first time) on first use. */
  ca: () => Promise<DemoCa>;
}

/**
 * The trust folder: by default `<dataDir>/trust`, where the demo CA (made at the first start of the
 * data folder, its keys in `<dataDir>/demo-ca`) is installed; a folder the caller gives is left as it
 * is, and the demo CA is only made if a signed sample report is asked for (then untrusted there).
 */
async function prepareTrust(options: LocalStackOptions, dataDir: string, log: Log): Promise<PreparedTrust> {
  const caDir = options.demoCaDir ?? join(dataDir, 'demo-ca');
  let opening: Promise<DemoCa> | undefined;
  const ca = (): Promise<DemoCa> => {
    opening ??= openDemoCa(caDir).catch((err: unknown) => {
      opening = undefined;
      throw err;
    });
    return opening;
  };
  if (options.trustDir !== undefined) {
    log.info('trust folder given: the demo CA is not installed in it', { trustDir: options.trustDir });
    return { dir: options.trustDir, demoCa: false, ca };
  }
  const dir = join(dataDir, 'trust');
  const demo = await ca();
  await demo.installTrust(dir);
  log.info(demo.created ? 'demo CA made and trusted (local only)' : 'demo CA trusted (local only)', {
    trustDir: dir,
    demoCaDir: demo.dir,
    rootSha256: demo.fingerprint,
  });
  return { dir, demoCa: true, ca };
}

/**
 * The whole pipeline's configuration, parsed from the same variables a deployed function gets, and its
 * dependencies: mail kept as .eml (and wrapped for tests), upload times on the virtual clock. Each
 * function runs on its own view of them (forFunction), with only its settings.
 */
function buildPipeline(
  options: LocalStackOptions,
  dataDir: string,
  connection: LocalConnection,
  clock: VirtualClock,
  log: Log,
  storedAt: Map<string, string>,
  trustDir: string,
): { config: Readonly<AppConfig>; deps: PipelineDeps } {
  const templateKey = options.templateKey ?? resolveTemplateKey(process.env, join(dataDir, 'template-signing-key'));
  const tokenKey = options.tokenKey ?? resolveTokenKey(process.env, join(dataDir, 'token-key'));
  mkdirSync(join(trustDir, 'anchors'), { recursive: true });
  const config = loadConfig(localEnvironment(connection, { templateKey, tokenKey, trustDir }), LOCAL_STACK_SETTINGS, 'local stack');
  const deps = buildDeps(config, LOCAL_STACK_SETTINGS, 'local stack', {
    log,
    clock,
    wrapMailer: (ses) => {
      const keeping = emlKeepingMailer(ses, connection.mailDir);
      return options.wrapMailer ? options.wrapMailer(keeping) : keeping;
    },
    wrapUploads: (s3) => virtualTimeUploads(s3, clock, storedAt),
    // The local stack's bus: events appended to a file under its data folder (docs/EVENTS.md).
    events: new FileEventSink(localEventsFile(dataDir)),
  });
  return { config, deps };
}

interface Queues {
  queue: LocalQueue;
  /** Until both queues are idle (a dead letter may follow the last upload). */
  drain(): Promise<void>;
}

/**
 * The upload queue → the validator handler; its dead letters → the unprocessable recorder, each consumed
 * as its deployed event source mapping is (batch size, concurrency, deliveries). Each runs on
 * its function's view: the functions that parse hostile files get no token key, as on AWS. Views read
 * through, so an adapter a test swaps on `deps` after start is seen.
 */
function startQueues(deps: PipelineDeps, options: LocalStackOptions, storedAt: Map<string, string>, log: Log, cleanups: Cleanup[]): Queues {
  const deadLetterQueue = new LocalQueue({
    handler: makeRecordUnprocessableHandler(forFunction(deps, 'record-unprocessable')),
    consumer: DEAD_LETTER_CONSUMER,
    log,
    retryDelayMs: options.retryDelayMs,
  });
  const handler = makeValidateSubmissionHandler(forFunction(deps, 'validate-submission'));
  const hold = options.holdValidationMs ?? 0;
  // Once a message is processed its objects are recorded: their virtual receipt time is no longer needed
  // (it is in the record), so the map does not grow with every upload.
  const validate = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    if (hold > 0) await new Promise((r) => setTimeout(r, hold));
    const out = await handler(event);
    const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
    for (const message of event.Records) {
      if (failed.has(message.messageId)) continue;
      for (const r of s3RecordsOf(message.body)) storedAt.delete(decodeEventKey(r.s3.object.key));
    }
    return out;
  };
  const queue = new LocalQueue({
    handler: validate,
    consumer: UPLOAD_CONSUMER,
    log,
    retryDelayMs: options.retryDelayMs,
    onDeadLetter: (body) => deadLetterQueue.send(body),
  });
  cleanups.push(async () => {
    queue.close();
    deadLetterQueue.close();
  });
  const drain = async (): Promise<void> => {
    do {
      await queue.drain();
      await deadLetterQueue.drain();
    } while (!queue.isIdleNow() || !deadLetterQueue.isIdleNow());
  };
  return { queue, drain };
}

/**
 * S3 events for incoming/ → the journal → the queue. Returns the journal's events a previous run left
 * unrecorded (to deliver again) and `stop`, which ends the subscription (the graceful stop calls it first).
 */
async function subscribeUploads(
  dataDir: string,
  deps: PipelineDeps,
  s3: S3Emulator,
  clock: VirtualClock,
  queue: LocalQueue,
  storedAt: Map<string, string>,
  log: Log,
  cleanups: Cleanup[],
): Promise<{ pending: JournalEntry[]; stop: () => void }> {
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
    onError: (err) => log.error('local S3 event delivery failed', { error: errorText(err) }),
  });
  let unsubscribed = false;
  cleanups.push(async () => {
    if (!unsubscribed) unsubscribe();
  });
  const stop = (): void => {
    unsubscribe();
    unsubscribed = true;
  };
  return { pending, stop };
}

/** One flush-outbox run on its function's view; a failure is logged, never thrown. */
function flushOutboxLogged(deps: PipelineDeps, log: Log): Promise<unknown> {
  return flushOutbox(forFunction(deps, 'flush-outbox')).catch((err: unknown) => log.error('outbox flush failed', { error: errorText(err) }));
}

/** Retries pending mail every `intervalMs` (0: never by itself); returns the flush in flight, for the graceful stop. */
function startOutboxLoop(deps: PipelineDeps, intervalMs: number, log: Log, cleanups: Cleanup[]): () => Promise<unknown> {
  let flushing: Promise<unknown> = Promise.resolve();
  if (intervalMs > 0) {
    const timer = setInterval(() => {
      flushing = flushOutboxLogged(deps, log);
    }, intervalMs);
    timer.unref();
    cleanups.push(async () => clearInterval(timer));
  }
  return () => flushing;
}

/** The local scheduler of reminders and closes for the given years (default 2021 and the clock's year), started unless its interval is 0. */
function startScheduler(
  deps: PipelineDeps,
  clock: VirtualClock,
  options: LocalStackOptions,
  log: Log,
  cleanups: Cleanup[],
): { scheduler: LocalScheduler; years: number[] } {
  const clockYear = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric' }).format(clock.now()));
  const years = options.years ?? calendarYears([2021, clockYear]);
  const scheduler = new LocalScheduler(deps, clock, years, log, () => flushOutboxLogged(deps, log));
  if ((options.schedulerIntervalMs ?? 1000) > 0) scheduler.start(options.schedulerIntervalMs ?? 1000);
  cleanups.push(() => scheduler.stop());
  return { scheduler, years };
}

/**
 * Work a previous run left unfinished (a SIGKILL between an S3 write and its record, a receipt not yet
 * sent): events from the journal are delivered again, every period of the clock's years is reconciled
 * (objects whose event never reached the journal), closes left in CLOSING are resumed, and the outbox is flushed.
 */
async function recoverUnfinishedWork(deps: PipelineDeps, queues: Queues, pending: JournalEntry[], years: number[], log: Log): Promise<void> {
  // the unit registry as the Department left it (the seed until its first change); this process's changes refresh it
  await refreshRegistry(deps, true);
  for (const e of pending) queues.queue.send(JSON.stringify({ Records: [e.record] }));
  await queues.drain();
  for (const year of years) {
    for (const period of buildCalendar(year).periods) {
      await reconcilePeriod(forFunction(deps, 'close-period'), period.id).catch((err: unknown) =>
        log.error('start-up reconciliation failed', { periodId: period.id, error: errorText(err) }),
      );
    }
  }
  // A close the previous run left in CLOSING: that run is gone (one stack per data folder), so resume it now.
  await closeDuePeriods(forFunction(deps, 'close-period'), years, { onlyClosing: true, takeOver: true });
  await flushOutboxLogged(deps, log);
}

/**
 * A graceful stop (registered last, so it runs first): no new events, then the queues (at most 30 s) and
 * any send in flight finish before the emulators stop, so a stop never leaves a half-done upload or sends
 * a receipt twice.
 */
function gracefulStop(scheduler: LocalScheduler, stopEvents: () => void, drain: () => Promise<void>, outboxInFlight: () => Promise<unknown>): Cleanup {
  return async () => {
    await scheduler.stop();
    stopEvents();
    await Promise.race([drain(), new Promise((r) => setTimeout(r, 30_000).unref())]);
    await outboxInFlight();
  };
}

/**
 * Writes stack.json (the connection and the clock's anchor: the CLI computes the same "now" from it) and
 * rewrites it on every jump or new speed while open; it is removed last on close.
 */
function keepConnectionFile(dataDir: string, connection: LocalConnection, clock: VirtualClock, cleanups: Cleanup[]): void {
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
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

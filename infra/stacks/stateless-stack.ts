import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, TimeZone, type StackProps } from 'aws-cdk-lib';
import { DateTime } from 'luxon';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpMethod, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { EVENT_SOURCE } from '../../shared/adapters/outbound/event-sinks.js';
import { SqsDestination as LambdaSqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterPattern, LogGroup, MetricFilter, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket, EventType } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { ConfigurationSet, ConfigurationSetTlsPolicy, EmailSendingEvent, EventDestination, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { INCOMING_PREFIX, REPORTS_PREFIX } from '../../shared/domain/object-keys.js';
import { INDEX_PK, PK } from '../../shared/adapters/outbound/dynamo/keys.js';
import { defaultCalendarSource, ZONE } from '../../shared/domain/calendar.js';
import { scheduledJobs } from '../../shared/domain/schedule.js';
import { environmentOf, FUNCTION_SETTINGS, type FunctionName } from '../../shared/runtime/config.js';
import { acknowledgeNag, CchcFunction, type MailSender, renderForNag, type TableScope, type WorkerEntry } from '../constructs/cchc-function.js';
import type { CchcContext } from '../context.js';
import type { StatefulResources } from './stateful-stack.js';
import { DEAD_LETTER_CONSUMER, type QueueConsumer, UPLOAD_CONSUMER } from '../queue-consumers.js';

export interface CchcStatelessStackProps extends StackProps {
  readonly context: CchcContext;
  readonly stateful: StatefulResources & Stack;
  /**
   * One-time schedules are made for the reminders and closes after this instant only (the app passes
   * the time of synthesis; tests pin it, so a synth never depends on today's date).
   */
  readonly scheduleFrom: Date;
}

/**
 * Lifetime of a presigned POST, seconds. Short on purpose: a ticket already handed out still works
 * after its token is revoked (S3 checks only the policy), so this bounds that window (docs/SECURITY.md).
 */
export const UPLOAD_URL_TTL_SECONDS = 300;
const VALIDATOR_TIMEOUT = Duration.seconds(60);

/**
 * What each function reaches in the table, by partition-key prefix (the key grammar in shared/adapters/outbound/dynamo/keys.ts). Token items
 * (TOKEN#, UNITTOKENS#) are reached only by unit-api (reads a token by its hash; never writes one)
 * and flush-outbox (lists a unit's tokens to render its link); no function that reads uploads
 * reaches them. Tokens are written only by the operator's CLI.
 */
export const TABLE_SCOPES = {
  // Reviews (REVIEW#) and audit steps (AUDIT#) are appended only: a decision, a step is a new item.
  // Every function that does a step reads AUDIT# too (a retried step finds its event by key); every
  // function reads the unit registry (REGISTRY#), which only unit-api (the board's administrators) appends to.
  unitApi: {
    read: [PK.period, PK.mail, PK.token, PK.review, PK.audit, PK.justification, PK.registry],
    write: [PK.upload, PK.mail],
    append: [PK.review, PK.audit, PK.justification, PK.registry],
    indexes: { gsi1: [INDEX_PK.unitSubmissions, INDEX_PK.periodIntents, INDEX_PK.periodAudit] },
  },
  // Every function that records a file reads the slot's review: an accepted slot keeps its file.
  validateSubmission: { read: [PK.upload, PK.period, PK.mail, PK.review, PK.audit, PK.registry], write: [PK.period, PK.mail], append: [PK.audit] },
  // The dead-letter consumer records what validate-submission would: the object's result and receipt.
  recordUnprocessable: { read: [PK.upload, PK.period, PK.mail, PK.review, PK.audit, PK.registry], write: [PK.period, PK.mail], append: [PK.audit] },
  flushOutbox: {
    read: [PK.mail, PK.audit, PK.registry],
    write: [PK.mail],
    append: [PK.audit],
    indexes: { gsi1: [INDEX_PK.unitTokens], gsi2: [INDEX_PK.outbox] },
  },
  // The reconciliation reads a period's upload intents (gsi1) to find uploads with no result; the close the reviews.
  closePeriod: {
    read: [PK.upload, PK.period, PK.mail, PK.review, PK.audit, PK.registry],
    write: [PK.period, PK.mail],
    append: [PK.audit],
    indexes: { gsi1: [INDEX_PK.periodIntents] },
  },
  sendReminders: {
    read: [PK.upload, PK.period, PK.mail, PK.review, PK.audit, PK.registry],
    write: [PK.period, PK.mail],
    append: [PK.audit],
    indexes: { gsi1: [INDEX_PK.periodIntents] },
  },
  handleMailFeedback: { read: [PK.mail, PK.audit, PK.registry], write: [PK.address, PK.mail], append: [PK.audit] },
} as const satisfies Record<string, TableScope>;
/** An SQS event source's batch size and concurrency, from the consumer both stacks share. */
function sqsSource(c: QueueConsumer): { batchSize: number; maxConcurrency: number } {
  return { batchSize: c.batchSize, maxConcurrency: c.maxConcurrency };
}

const CALENDAR_FIRST_YEAR = defaultCalendarSource.rules.firstYear;
const CALENDAR_LAST_YEAR = defaultCalendarSource.rules.lastYear;

/** The API's access-log line: HTTP API context variables; no headers, so no bearer token reaches the log. */
const API_ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  time: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  method: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
};

/**
 * Plain settings (no resource behind them), given to a function only when its settings (FUNCTION_SETTINGS)
 * include them; resource names and ARNs come from the use* helpers with their grants.
 */
function plainSettingsOf(stateful: StatefulResources, context: CchcContext): Record<string, string> {
  return {
    PORTAL_URL: stateful.portalUrl,
    SENDER_ADDRESS: context.senderAddress,
    AGGREGATOR_RECIPIENTS: context.aggregatorRecipients.join(','),
    MAX_UPLOAD_BYTES: String(context.maxUploadBytes),
    UPLOAD_URL_TTL_SECONDS: String(UPLOAD_URL_TTL_SECONDS),
  };
}

/** The configured years (context.years) that the product's calendar covers. */
function scheduledYears(context: CchcContext): number[] {
  return Array.from({ length: context.years.last - context.years.first + 1 }, (_, i) => context.years.first + i).filter(
    (y) => y >= CALENDAR_FIRST_YEAR && y <= CALENDAR_LAST_YEAR,
  );
}

/**
 * Code and wiring, replaceable at any time: the functions, the API's routes and stage, the upload
 * queue with its dead-letter queue, the bucket notification, schedules, alarms and the SES
 * configuration set. Nothing here is data of record: queued events point at objects in the
 * bucket, and logs are retained.
 *
 * SES: the sender's domain (or address) identity is verified outside this stack, once per account
 * and region (its DNS records belong to the province's domain, not to a deploy); the functions may
 * send only as that identity and through the configuration set made here. Until SES production
 * access is granted, mail reaches verified recipients only.
 *
 * Adding a function is a private method that calls addFunction with its name in FUNCTION_SETTINGS
 * (shared/runtime/config.ts: the settings decide its environment, checked at synth) and the use*
 * helpers for its grants, plus one line in the constructor; for example:
 *   const fn = this.addFunction('ClosePeriod', { name: 'close-period', description: '…', timeout: Duration.minutes(5) })
 *     .useTable(stateful.table, TABLE_SCOPES.closePeriod)   // item kinds by partition-key prefix
 *     .useUploadBucket(stateful.uploadBucket, { read: [INCOMING_PREFIX], list: [INCOMING_PREFIX], write: [REPORTS_PREFIX] })
 *     .useMail(this.mail)
 *     .useTemplateKey(stateful.templateKeySecret);
 *   this.addSchedule('CloseSweepSchedule', fn, ScheduleExpression.rate(Duration.minutes(15)), 'Close due periods');
 * addFunction adds the Errors alarm; addSchedule adds retries and the shared, alarmed schedule DLQ.
 */
export class CchcStatelessStack extends Stack {
  readonly mail: MailSender;
  readonly alarmTopic: Topic;
  readonly uploadQueue: Queue;
  readonly uploadDeadLetterQueue: Queue;
  readonly scheduleDeadLetterQueue: Queue;
  readonly unprocessableDeadLetterQueue: Queue;
  readonly recordUnprocessable: CchcFunction;
  /** Where an asynchronous invocation (schedule, SNS) that failed every Lambda retry is kept for redrive. */
  readonly asyncFailureQueue: Queue;
  readonly unitApi: CchcFunction;
  /** The product's events for other systems (docs/EVENTS.md): the province's systems add their own rules to it. */
  readonly eventBus: EventBus;
  readonly validateSubmission: CchcFunction;
  readonly flushOutbox: CchcFunction;
  readonly closePeriod: CchcFunction;
  readonly sendReminders: CchcFunction;
  readonly handleMailFeedback: CchcFunction;
  private readonly plainSettings: Record<string, string>;
  /** The deployment's trust folder for signed reports (context trustDir), if any. */
  private readonly trustDir: string | undefined;

  constructor(scope: Construct, id: string, props: CchcStatelessStackProps) {
    super(scope, id, props);
    const { context, stateful } = props;
    this.trustDir = context.trustDir;
    // The bucket is referenced through named exports (Fn::ImportValue), which CDK does not see as a
    // reference; the explicit dependency keeps deploy and delete order right.
    this.addStackDependency(stateful, 'imports the upload bucket name and ARN by export name');

    const alarmKey = this.createAlarmKey();
    this.alarmTopic = this.createAlarmTopic(alarmKey, context);
    const configurationSet = this.createMailConfigurationSet();
    this.mail = this.mailSenderOf(configurationSet, context);
    this.plainSettings = plainSettingsOf(stateful, context);

    const queues = this.createQueues();
    this.unprocessableDeadLetterQueue = queues.unprocessableDeadLetterQueue;
    this.uploadDeadLetterQueue = queues.uploadDeadLetterQueue;
    this.uploadQueue = queues.uploadQueue;
    this.scheduleDeadLetterQueue = queues.scheduleDeadLetterQueue;
    this.asyncFailureQueue = queues.asyncFailureQueue;
    this.notifyUploadQueue(stateful);

    this.eventBus = this.createEventBus();
    this.unitApi = this.createUnitApi(stateful);
    this.validateSubmission = this.createValidateSubmission(stateful);
    this.recordUnprocessable = this.createRecordUnprocessable(stateful);
    this.flushOutbox = this.createFlushOutbox(stateful);
    this.addSchedule('FlushOutboxSchedule', this.flushOutbox, ScheduleExpression.rate(Duration.minutes(5)), 'Retry unsent e-mails from the outbox');
    this.closePeriod = this.createClosePeriod(stateful);
    this.sendReminders = this.createSendReminders(stateful);
    this.addPeriodSchedules(context, props.scheduleFrom);
    this.addPoisonObjectAlarms();
    this.handleMailFeedback = this.createMailFeedback(stateful, alarmKey, configurationSet);
    this.routeAsyncFailures();

    this.addApiRoutesAndStage(stateful);
    this.addOutputs(stateful);
  }

  // ---- Alarms go to one encrypted topic ----------------------------------------------------

  /**
   * The alarm topic's own key: CloudWatch must be allowed to use it, which the AWS-managed alias/aws/sns key
   * cannot grant, so alarms published to a topic under that key would be dropped. SES feedback uses it too.
   */
  private createAlarmKey(): Key {
    const alarmKey = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts CCHC alarm notifications (SNS)',
      enableKeyRotation: true,
      // Only transient notifications are encrypted with it; deletion waits the full window.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(30),
    });
    alarmKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSesFeedbackToPublish',
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    alarmKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    return alarmKey;
  }

  /** The encrypted topic every alarm notifies, with the operator's e-mail subscribed when configured. */
  private createAlarmTopic(alarmKey: Key, context: CchcContext): Topic {
    const topic = new Topic(this, 'AlarmTopic', {
      displayName: 'CCHC report pipeline alarms',
      masterKey: alarmKey,
      enforceSSL: true,
    });
    if (context.alarmEmail) topic.addSubscription(new EmailSubscription(context.alarmEmail));
    return topic;
  }

  // ---- Mail ---------------------------------------------------------------------------------

  /** The SES configuration set every message goes through: TLS required, reputation metrics, account suppression. */
  private createMailConfigurationSet(): ConfigurationSet {
    return new ConfigurationSet(this, 'MailConfigurationSet', {
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
  }

  /** What a sending function is granted: the sender's identities (domain and address) and the configuration set. */
  private mailSenderOf(configurationSet: ConfigurationSet, context: CchcContext): MailSender {
    const identityArn = (identity: string) =>
      this.formatArn({ service: 'ses', resource: 'identity', resourceName: identity, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    return {
      senderAddress: context.senderAddress,
      identityArns: [identityArn(context.senderDomain), identityArn(context.senderAddress)],
      configurationSetName: configurationSet.configurationSetName,
      configurationSetArn: this.formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: configurationSet.configurationSetName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    };
  }

  // ---- Queues -------------------------------------------------------------------------------

  /**
   * The upload queue with its dead-letter queue (and that one's own, the last), the schedule DLQ and the
   * async on-failure queue; every dead-letter queue is alarmed when not empty.
   */
  private createQueues(): {
    unprocessableDeadLetterQueue: Queue;
    uploadDeadLetterQueue: Queue;
    uploadQueue: Queue;
    scheduleDeadLetterQueue: Queue;
    asyncFailureQueue: Queue;
  } {
    // Messages that record-unprocessable cannot record either end here (the last, alarmed queue).
    const unprocessableDeadLetterQueue = new Queue(this, 'UnprocessableDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.addAlarm(
      'UnprocessableDeadLetterQueueNotEmpty',
      unprocessableDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      {
        description:
          'An upload failed every retry and could not even be recorded as unprocessable: fix the cause (table, bucket), then redrive to UploadDeadLetterQueue.',
      },
    );
    const uploadDeadLetterQueue = new Queue(this, 'UploadDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Consumed by record-unprocessable (timeout 30 s), which records the object as unprocessable.
      visibilityTimeout: Duration.seconds(180),
      deadLetterQueue: { queue: unprocessableDeadLetterQueue, maxReceiveCount: DEAD_LETTER_CONSUMER.maxReceiveCount },
    });
    const uploadQueue = new Queue(this, 'UploadQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the validator's timeout, as Lambda's SQS integration recommends.
      visibilityTimeout: Duration.seconds(VALIDATOR_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: uploadDeadLetterQueue, maxReceiveCount: UPLOAD_CONSUMER.maxReceiveCount },
    });
    const scheduleDeadLetterQueue = new Queue(this, 'ScheduleDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const asyncFailureQueue = new Queue(this, 'AsyncFailureQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeNag(
      asyncFailureQueue,
      'SQS3',
      'This queue is itself the on-failure destination of every asynchronously invoked function (nag only recognises DLQs named in an SQS redrive policy); it is alarmed when not empty.',
    );
    this.alarmDeadLetterQueues(uploadDeadLetterQueue, [uploadDeadLetterQueue, scheduleDeadLetterQueue, asyncFailureQueue]);
    acknowledgeNag(
      scheduleDeadLetterQueue,
      'SQS3',
      'This queue is itself the dead-letter queue of the EventBridge Scheduler targets (nag only recognises DLQs named in an SQS redrive policy); it is alarmed when not empty.',
    );
    return { unprocessableDeadLetterQueue, uploadDeadLetterQueue, uploadQueue, scheduleDeadLetterQueue, asyncFailureQueue };
  }

  /** A "not empty" alarm on each dead-letter queue; the upload DLQ's says that its messages are recorded as unprocessable. */
  private alarmDeadLetterQueues(uploadDeadLetterQueue: Queue, queues: Queue[]): void {
    for (const dlq of queues) {
      this.addAlarm(`${dlq.node.id}NotEmpty`, dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }), {
        description:
          dlq === uploadDeadLetterQueue
            ? 'An upload failed every retry: record-unprocessable records it as unprocessable and tells the unit. Find out why the validator failed on it.'
            : `Messages are waiting in ${dlq.node.id}: a scheduled run failed every retry. Inspect, fix, then redrive.`,
      });
    }
  }

  /**
   * S3 → SQS for incoming/ only. The bucket belongs to the stateful stack; importing it here puts the
   * notification custom resource in this stack (Managed: false, so other notifications on the bucket are
   * left alone), and nothing in the stateful stack points back here: no cycle.
   */
  private notifyUploadQueue(stateful: StatefulResources): void {
    const uploadBucket = Bucket.fromBucketAttributes(this, 'UploadBucket', stateful.uploadBucket);
    uploadBucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(this.uploadQueue), { prefix: INCOMING_PREFIX });
    this.acknowledgeNotificationHandler();
  }

  // ---- Functions ----------------------------------------------------------------------------

  /** unit-api: the portal and the unit API (tokens, upload links, status, report downloads). */
  /**
   * The event bus other provincial systems subscribe to (rules of their own on this bus, or a rule
   * forwarding to theirs), with an archive of a year so that a subscriber added late, or one that
   * was down, can have the events replayed (as can `cchc events replay`, from the audit trail).
   */
  private createEventBus(): EventBus {
    const bus = new EventBus(this, 'Events', { description: 'CCHC pipeline events: submission.recorded, submission.reviewed, period.closed, report.issued' });
    bus.archive('EventsArchive', {
      description: 'Every CCHC event, kept a year for replay',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(365),
    });
    new CfnOutput(this, 'EventBusName', { value: bus.eventBusName, description: 'EventBridge bus of the CCHC events (docs/EVENTS.md)' });
    return bus;
  }

  private createUnitApi(stateful: StatefulResources): CchcFunction {
    return (
      this.addFunction('UnitApi', {
        name: 'unit-api',
        description: 'Unit API and portal: tokens, upload links (presigned POST to incoming/), status, report downloads',
        assets: ['portal'],
        memorySize: 1024,
      })
        .useTable(stateful.table, TABLE_SCOPES.unitApi)
        // write incoming/ to sign presigned POSTs; read reports/ for downloads from the board. No read
        // of uploads: the API reads token items, so it never parses an uploaded file.
        .useUploadBucket(stateful.uploadBucket, { write: [INCOMING_PREFIX], read: [REPORTS_PREFIX] })
        .useEvents(this.eventBus)
        // No SES grant: the reminders the board asks for are queued with the sender's address and sent
        // by flush-outbox, which alone renders personal links. Makes templates for download; no token
        // key: checking a token needs only its hash.
        .useTemplateKey(stateful.templateKeySecret)
    );
  }

  /** validate-submission, fed by the upload queue: validate, record the result, queue the receipt. */
  private createValidateSubmission(stateful: StatefulResources): CchcFunction {
    const fn = this.addFunction('ValidateSubmission', {
      name: 'validate-submission',
      description: 'S3 upload (via SQS) → validate → record result → outbox receipt e-mail',
      memorySize: 1024,
      timeout: VALIDATOR_TIMEOUT,
      workers: ['check-worker'],
    })
      .useTable(stateful.table, TABLE_SCOPES.validateSubmission)
      .useUploadBucket(stateful.uploadBucket, { read: [INCOMING_PREFIX], readVersions: true, list: [INCOMING_PREFIX] })
      .useMail(this.mail)
      .useTemplateKey(stateful.templateKeySecret)
      .useEvents(this.eventBus);
    fn.fn.addEventSource(new SqsEventSource(this.uploadQueue, { ...sqsSource(UPLOAD_CONSUMER), reportBatchItemFailures: true }));
    return fn;
  }

  /** record-unprocessable, fed by the upload dead letters: records each object as unprocessable, with its receipt. */
  private createRecordUnprocessable(stateful: StatefulResources): CchcFunction {
    const fn = this.addFunction('RecordUnprocessable', {
      name: 'record-unprocessable',
      description: 'Upload dead letters (via SQS) → record the object as unprocessable → outbox receipt that says so',
    })
      .useTable(stateful.table, TABLE_SCOPES.recordUnprocessable)
      // HEAD for the size, GET only to hash the file for the record (nothing is parsed).
      .useUploadBucket(stateful.uploadBucket, { read: [INCOMING_PREFIX], readVersions: true })
      .useMail(this.mail)
      .useEvents(this.eventBus);
    fn.fn.addEventSource(new SqsEventSource(this.uploadDeadLetterQueue, { ...sqsSource(DEAD_LETTER_CONSUMER), reportBatchItemFailures: true }));
    return fn;
  }

  /** flush-outbox: sends pending outbox e-mails again (its schedule is added by the constructor). */
  private createFlushOutbox(stateful: StatefulResources): CchcFunction {
    return (
      this.addFunction('FlushOutbox', {
        name: 'flush-outbox',
        description: 'Every 5 minutes: send pending outbox e-mails again',
        timeout: Duration.seconds(120),
      })
        .useTable(stateful.table, TABLE_SCOPES.flushOutbox)
        .useMail(this.mail)
        // reports/ only: large messages (consolidated reports) are stored there as .eml.
        .useUploadBucket(stateful.uploadBucket, { read: [REPORTS_PREFIX] })
        // renders each reminder's personal link at send time; reads no upload.
        .useTokenKey(stateful.tokenKeySecret)
    );
  }

  /** close-period: reconcile, roll up, store and mail the consolidated report, close. */
  private createClosePeriod(stateful: StatefulResources): CchcFunction {
    return this.addFunction('ClosePeriod', {
      name: 'close-period',
      description: 'After each deadline: reconcile, roll up, store the consolidated report under reports/, mail it, close',
      memorySize: 1024,
      timeout: Duration.minutes(10),
      assets: ['fonts'],
      workers: ['check-worker'],
    })
      .useTable(stateful.table, TABLE_SCOPES.closePeriod)
      .useUploadBucket(stateful.uploadBucket, { read: [INCOMING_PREFIX, REPORTS_PREFIX], readVersions: true, write: [REPORTS_PREFIX], list: [INCOMING_PREFIX] })
      .useMail(this.mail)
      .useTemplateKey(stateful.templateKeySecret)
      .useEvents(this.eventBus);
  }

  /** send-reminders: D-3 and D-1 reminders to units without a valid submission. */
  private createSendReminders(stateful: StatefulResources): CchcFunction {
    return (
      this.addFunction('SendReminders', {
        name: 'send-reminders',
        description: 'D-3 and D-1 at 08:00: remind units without a valid submission, with their personal link',
        timeout: Duration.minutes(5),
        workers: ['check-worker'],
      })
        .useTable(stateful.table, TABLE_SCOPES.sendReminders)
        .useUploadBucket(stateful.uploadBucket, { read: [INCOMING_PREFIX], readVersions: true, list: [INCOMING_PREFIX] })
        .useMail(this.mail)
        // reconciles (checks templates); its reminders carry a placeholder that flush-outbox renders.
        .useTemplateKey(stateful.templateKeySecret)
        // reconciling records files: their submission.recorded events
        .useEvents(this.eventBus)
    );
  }

  // ---- Schedules ----------------------------------------------------------------------------

  /**
   * One-time schedules in Asia/Ho_Chi_Minh for every period of the configured years, from the same calendar
   * the product validates with. Jobs already in the past at synth time are left out (redeploy each year, or
   * widen `years`). Then the close sweep.
   */
  private addPeriodSchedules(context: CchcContext, scheduleFrom: Date): void {
    const years = scheduledYears(context);
    const from = scheduleFrom.getTime();
    for (const job of scheduledJobs(years)) {
      if (Date.parse(job.at) <= from) continue;
      const local = DateTime.fromISO(job.at).setZone(ZONE).toFormat("yyyy-MM-dd'T'HH:mm:ss");
      const expression = ScheduleExpression.expression(`at(${local})`, TimeZone.ASIA_HO_CHI_MINH);
      const id = job.id.replace(/[^A-Za-z0-9]/g, '');
      if (job.type === 'close') {
        this.addSchedule(id, this.closePeriod, expression, `Close ${job.periodId} and send the consolidated report`, { periodId: job.periodId });
      } else {
        this.addSchedule(id, this.sendReminders, expression, `Reminders ${job.label} for ${job.periodId}`, { periodId: job.periodId, label: job.label });
      }
    }

    // The backstop that makes every period close: due periods are closed and a close a crash left in
    // CLOSING is resumed once its lease expires, whatever happened to the one-time schedule.
    this.addSchedule('CloseSweepSchedule', this.closePeriod, ScheduleExpression.rate(Duration.minutes(15)), 'Close due periods; resume unfinished closes', {
      sweep: { years },
    });
  }

  /** One alarm for every file recorded as unprocessable, by whichever function met it. */
  private addPoisonObjectAlarms(): void {
    for (const fn of [this.validateSubmission, this.recordUnprocessable, this.closePeriod, this.sendReminders]) {
      const filter = new MetricFilter(this, `${fn.node.id}PoisonObjects`, {
        logGroup: fn.logGroup,
        filterPattern: FilterPattern.booleanValue('$.poisonObject', true),
        metricNamespace: 'CCHC',
        metricName: `PoisonObjects${fn.node.id}`,
        metricValue: '1',
      });
      this.addAlarm(`${fn.node.id}PoisonObjectsAlarm`, filter.metric({ statistic: 'Sum', period: Duration.minutes(5) }), {
        description: `${fn.node.id} recorded an upload as unprocessable (it could not be checked): the unit was told to resubmit; find out why.`,
      });
    }
  }

  /** SES bounces and complaints → SNS → handle-mail-feedback: the address is marked and Phòng CCHC told. */
  private createMailFeedback(stateful: StatefulResources, alarmKey: Key, configurationSet: ConfigurationSet): CchcFunction {
    const feedbackTopic = new Topic(this, 'MailFeedbackTopic', { displayName: 'CCHC SES bounces and complaints', masterKey: alarmKey, enforceSSL: true });
    configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(feedbackTopic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    const handleMailFeedback = this.addFunction('HandleMailFeedback', {
      name: 'handle-mail-feedback',
      description: 'SES bounce or complaint (via SNS) → mark the address, tell Phòng CCHC',
    })
      .useTable(stateful.table, TABLE_SCOPES.handleMailFeedback)
      .useMail(this.mail);
    feedbackTopic.addSubscription(new LambdaSubscription(handleMailFeedback.fn, { deadLetterQueue: this.scheduleDeadLetterQueue }));
    return handleMailFeedback;
  }

  /**
   * Every asynchronously invoked function (Scheduler targets, the SNS subscription): Lambda retries twice,
   * then the event goes to the alarmed on-failure queue, with the error, for redrive. (The schedule DLQ only
   * catches events Scheduler could not deliver to Lambda at all.)
   */
  private routeAsyncFailures(): void {
    for (const fn of [this.flushOutbox, this.closePeriod, this.sendReminders, this.handleMailFeedback]) {
      fn.fn.configureAsyncInvoke({ onFailure: new LambdaSqsDestination(this.asyncFailureQueue), retryAttempts: 2, maxEventAge: Duration.hours(6) });
    }
  }

  // ---- HTTP API: routes and stage on the API from the stateful stack -------------------------

  /** The API's routes to unit-api and its $default stage (throttled, access-logged). */
  private addApiRoutesAndStage(stateful: StatefulResources): void {
    const integration = new HttpLambdaIntegration('UnitApiIntegration', this.unitApi.fn);
    const routes = {
      ApiRoute: HttpRouteKey.with('/api/{proxy+}', HttpMethod.ANY),
      PortalRootRoute: HttpRouteKey.with('/', HttpMethod.GET),
      PortalRoute: HttpRouteKey.with('/{proxy+}', HttpMethod.GET),
    };
    for (const [routeId, routeKey] of Object.entries(routes)) {
      const route = new HttpRoute(this, routeId, { httpApi: stateful.api, routeKey, integration });
      acknowledgeNag(
        route,
        'APIG4',
        'Units authenticate with personal bearer tokens that unit-api checks against their SHA-256 hash in DynamoDB (no Cognito or IAM users for ~40 provincial units); portal pages are public and carry no data.',
      );
    }
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.SIX_MONTHS, removalPolicy: RemovalPolicy.RETAIN });
    new HttpStage(this, 'ApiStage', {
      httpApi: stateful.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // HTTP API context variables; no headers, so no bearer token reaches the log.
        format: AccessLogFormat.custom(JSON.stringify(API_ACCESS_LOG_FIELDS)),
      },
    });
  }

  // ---- Outputs ------------------------------------------------------------------------------

  /** The stack outputs the operator needs: URLs and names of the API, bucket, table and queues. */
  private addOutputs(stateful: StatefulResources): void {
    new CfnOutput(this, 'ApiUrl', { value: stateful.portalUrl, description: 'Portal and unit API base URL (personal links point here)' });
    new CfnOutput(this, 'UploadBucketName', { value: stateful.uploadBucket.bucketName, description: 'Bucket for uploads (incoming/) and reports (reports/)' });
    new CfnOutput(this, 'TableName', { value: stateful.table.tableName, description: 'DynamoDB table of submissions, periods, outbox and tokens' });
    new CfnOutput(this, 'UploadQueueUrl', { value: this.uploadQueue.queueUrl, description: 'Queue of S3 upload events for validate-submission' });
    new CfnOutput(this, 'AsyncFailureQueueUrl', {
      value: this.asyncFailureQueue.queueUrl,
      description: 'Scheduled runs and mail-feedback events that failed every retry (with the error); fix, then invoke the function again with the payload',
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.uploadDeadLetterQueue.queueUrl,
      description: 'Upload events that failed validation 5 times; redrive to UploadQueueUrl after a fix',
    });
  }

  /** A project function with the common settings and an alarm on its Errors metric. */
  addFunction(
    id: string,
    props: {
      name: FunctionName;
      description: string;
      memorySize?: number;
      timeout?: Duration;
      assets?: ('portal' | 'fonts')[];
      /** The worker entries it starts: 'check-worker' for every function that checks uploads (the guard). */
      workers?: WorkerEntry[];
    },
  ): CchcFunction {
    const wanted = new Set(environmentOf(FUNCTION_SETTINGS[props.name]));
    const environment = Object.fromEntries(Object.entries(this.plainSettings).filter(([name]) => wanted.has(name) && !this.setByHelper(props.name, name)));
    // The functions that check signed reports carry the trust folder (TRUST_DIR), empty when none is configured.
    const assets = [...(props.assets ?? []), ...(wanted.has('TRUST_DIR') ? (['trust'] as const) : [])];
    const fn = new CchcFunction(this, id, { ...props, assets, trustDir: this.trustDir, environment, expectedEnvironment: [...wanted] });
    this.addAlarm(`${id}Errors`, fn.fn.metricErrors({ period: Duration.minutes(5) }), {
      description: `${props.name} reported errors (infrastructure failures: they are retried, then dead-lettered).`,
    });
    return fn;
  }

  /** SENDER_ADDRESS comes with the SES grant (useMail) for a function that sends mail. */
  private setByHelper(name: FunctionName, variable: string): boolean {
    return variable === 'SENDER_ADDRESS' && FUNCTION_SETTINGS[name].includes('mailSend');
  }

  /**
   * An EventBridge Scheduler schedule invoking `fn`, with retries and the shared, alarmed DLQ.
   * Handlers must be idempotent: a schedule may fire twice.
   */
  addSchedule(id: string, fn: CchcFunction, schedule: ScheduleExpression, description: string, input?: Record<string, unknown>): Schedule {
    const target = new LambdaInvoke(fn.fn, {
      role: this.schedulerRole(fn),
      deadLetterQueue: this.scheduleDeadLetterQueue,
      retryAttempts: 3,
      maxEventAge: Duration.hours(1),
      ...(input ? { input: ScheduleTargetInput.fromObject(input) } : {}),
    });
    return new Schedule(this, id, { schedule, target, description });
  }

  /** One role per scheduled function, shared by all its schedules; the target grants attach to it. */
  private schedulerRole(fn: CchcFunction): iam.IRole {
    const existing = fn.node.tryFindChild('SchedulerRole');
    if (existing instanceof iam.Role) return existing;
    const role = new iam.Role(fn, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: `EventBridge Scheduler invoking ${fn.node.id}`,
    });
    // grantInvoke() always adds the function's qualified form (versions, aliases) as `<arn>:*`.
    acknowledgeNag(
      role,
      `IAM5[Resource::${renderForNag(this.resolve(`${fn.fn.functionArn}:*`))}]`,
      `The ":*" form is how lambda:InvokeFunction covers versions and aliases of this one function (${fn.node.id}); it reaches no other function.`,
    );
    return role;
  }

  private addAlarm(id: string, metric: IMetric, props: { description: string }): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: props.description,
    });
    alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    alarm.addOkAction(new SnsAction(this.alarmTopic));
    return alarm;
  }

  /** The CDK-provided singleton that applies bucket notifications (created by addEventNotification). */
  private acknowledgeNotificationHandler(): void {
    const handler = this.node.findAll().find((c) => c.node.id.startsWith('BucketNotificationsHandler'));
    if (!handler) return;
    acknowledgeNag(
      handler,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'CDK-provided handler that sets the bucket notification during deploys only; its role and managed logging policy are fixed by aws-cdk-lib and not configurable.',
    );
  }
}

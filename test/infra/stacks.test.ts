import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type CchcApp } from '../../infra/app.js';
import { INCOMING_PREFIX } from '../../shared/domain/object-keys.js';
import { TABLE_SCHEMA } from '../../shared/adapters/outbound/dynamo/schema.js';
import { environmentOf, FUNCTION_SETTINGS, type FunctionName } from '../../shared/runtime/config.js';

// One synthesis of the real app (esbuild bundles all three functions) shared by every test.
const SYNTH_TIMEOUT_MS = 120_000;

type Resource = { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string; Metadata?: Record<string, any> };

interface SuppressedViolation {
  ruleName: string;
  severity: string;
  acknowledgedId: string;
  acknowledgedAt: string;
  reason?: string;
  violatingConstructs: { constructPath: string }[];
}
interface PluginReport {
  pluginName: string;
  conclusion: string;
  violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
  suppressedViolations?: SuppressedViolation[];
}

let outdir: string;
let built: CchcApp;
let stateful: Template;
let stateless: Template;
let nagReport: PluginReport;

beforeAll(() => {
  // Prepare
  outdir = mkdtempSync(join(tmpdir(), 'cchc-cdk-'));
  built = buildApp({}, outdir);
  // Act: a nag error would make this synth throw with the full report.
  const assembly = built.app.synth();
  stateful = Template.fromStack(built.stateful);
  stateless = Template.fromStack(built.stateless);
  const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as { pluginReports: PluginReport[] };
  const aws = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions');
  if (!aws) throw new Error('cdk-nag AwsSolutions did not report: is the plugin registered?');
  nagReport = aws;
}, SYNTH_TIMEOUT_MS);

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

function only(template: Template, type: string, props?: Record<string, unknown>): [string, Resource] {
  const found = Object.entries(template.findResources(type, props ? { Properties: props } : undefined)) as [string, Resource][];
  expect(found, `${type} matching ${JSON.stringify(props)}`).toHaveLength(1);
  return found[0]!;
}

/** Logical id of an L2 construct's CloudFormation resource. */
function logicalId(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

/** All statements of the inline policies attached to a role. */
function statementsOf(template: Template, roleLogicalId: string): Record<string, any>[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
  return policies
    .filter((p) => (p.Properties!.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId })))
    .flatMap((p) => p.Properties!.PolicyDocument.Statement as Record<string, any>[]);
}

const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe('CchcStatefulStack', () => {
  it('keeps uploads private, encrypted, TLS-only, versioned, logged and retained, with no expiry', () => {
    // Assess
    const [bucketId, bucket] = only(stateful, 'AWS::S3::Bucket', { LoggingConfiguration: Match.anyValue() });
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
    stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('has no lifecycle rule and no auto-delete on any bucket, and an equally strict access-log bucket', () => {
    const buckets = Object.entries(stateful.findResources('AWS::S3::Bucket')) as [string, Resource][];
    expect(buckets).toHaveLength(2);
    for (const [id, b] of buckets) {
      expect(b.Properties!.LifecycleConfiguration, id).toBeUndefined();
      expect(b.DeletionPolicy, id).toBe('Retain');
      expect(b.Properties!.VersioningConfiguration, id).toEqual({ Status: 'Enabled' });
      expect(b.Properties!.BucketEncryption, id).toBeDefined();
      expect(b.Properties!.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    }
    expect(stateful.findResources('Custom::S3AutoDeleteObjects')).toEqual({});
  });

  it('allows CORS only from the API origin when no portal origin is configured', () => {
    const [apiId] = only(stateful, 'AWS::ApiGatewayV2::Api');
    const [, bucket] = only(stateful, 'AWS::S3::Bucket', { CorsConfiguration: Match.anyValue() });
    expect(bucket.Properties!.CorsConfiguration.CorsRules).toEqual([
      expect.objectContaining({ AllowedOrigins: [{ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] }], AllowedMethods: ['POST', 'GET'] }),
    ]);
    // Same origin for pages and API: no CORS on the API at all.
    stateful.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.absent() });
  });

  it('builds the table from TABLE_SCHEMA: on demand, PITR, deletion protection, retained', () => {
    const [, table] = only(stateful, 'AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
    });
    expect(table.Properties!.GlobalSecondaryIndexes).toEqual(
      TABLE_SCHEMA.indexes.map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' },
          { AttributeName: i.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
    const attributes = table.Properties!.AttributeDefinitions as { AttributeName: string; AttributeType: string }[];
    expect(attributes.map((a) => a.AttributeType)).toEqual(attributes.map(() => 'S'));
    expect(attributes.map((a) => a.AttributeName).sort()).toEqual(
      [TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey, ...TABLE_SCHEMA.indexes.flatMap((i) => [i.partitionKey, i.sortKey])].sort(),
    );
  });

  it('generates two retained secrets: the template signing key and a separate token key', () => {
    const secrets = Object.entries(stateful.findResources('AWS::SecretsManager::Secret')) as [string, Resource][];
    expect(secrets.map(([id]) => id).sort()).toEqual([logicalId(built.stateful.templateKeySecret), logicalId(built.stateful.tokenKeySecret)].sort());
    for (const [, secret] of secrets) {
      expect(secret.Properties!.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
      expect(secret.DeletionPolicy).toBe('Retain');
    }
  });
});

describe('CchcStatelessStack', () => {
  const projectFunctions = () =>
    (Object.entries(stateless.findResources('AWS::Lambda::Function')) as [string, Resource][]).filter(
      ([id]) => !id.startsWith('BucketNotificationsHandler'), // CDK's own notification custom resource
    );

  it('runs every project function on nodejs22.x / arm64 with its own retained log group', () => {
    const fns = projectFunctions();
    expect(fns).toHaveLength(7);
    const logGroups = stateless.findResources('AWS::Logs::LogGroup') as Record<string, Resource>;
    for (const [id, fn] of fns) {
      expect(fn.Properties!.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties!.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties!.Handler, id).toBe('index.handler');
      const logGroupId = fn.Properties!.LoggingConfig?.LogGroup?.Ref as string;
      expect(logGroups[logGroupId], id).toBeDefined();
      expect(logGroups[logGroupId]!.Properties!.RetentionInDays, id).toBeGreaterThanOrEqual(180);
      expect(logGroups[logGroupId]!.DeletionPolicy, id).toBe('Retain');
      expect(fn.Properties!.Environment.Variables.NODE_OPTIONS, id).toBeUndefined();
    }
  });

  it('gives function roles no managed policies (no AWSLambdaBasicExecutionRole)', () => {
    const roles = stateless.findResources('AWS::IAM::Role') as Record<string, Resource>;
    for (const f of [built.stateless.unitApi, built.stateless.validateSubmission, built.stateless.flushOutbox]) {
      expect(roles[logicalId(f.role)]!.Properties!.ManagedPolicyArns, f.node.id).toBeUndefined();
      const logs = statementsOf(stateless, logicalId(f.role)).filter((s) => asArray(s.Action).some((a: string) => a.startsWith('logs:')));
      expect(logs).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [logicalId(f.logGroup), 'Arn'] } })]);
    }
  });

  it('feeds the validator from the upload queue in batches with partial failures', () => {
    const validatorId = logicalId(built.stateless.validateSubmission.fn);
    const queueId = logicalId(built.stateless.uploadQueue);
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: validatorId },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    const validator = (stateless.findResources('AWS::Lambda::Function') as Record<string, Resource>)[validatorId]!;
    expect(validator.Properties).toMatchObject({ MemorySize: 1024, Timeout: 60 });
  });

  it('redrives failed uploads to an encrypted, TLS-only dead-letter queue after 5 receives', () => {
    const queueId = logicalId(built.stateless.uploadQueue);
    const dlqId = logicalId(built.stateless.uploadDeadLetterQueue);
    const queues = stateless.findResources('AWS::SQS::Queue') as Record<string, Resource>;
    expect(queues[queueId]!.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(queues[queueId]!.Properties!.VisibilityTimeout).toBeGreaterThanOrEqual(6 * 60);
    expect(queues[dlqId]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    for (const id of Object.keys(queues)) {
      stateless.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    }
  });

  it('alarms on every dead-letter queue and on validator errors, through the encrypted topic', () => {
    const topicId = logicalId(built.stateless.alarmTopic);
    for (const dlq of [built.stateless.uploadDeadLetterQueue, built.stateless.scheduleDeadLetterQueue, built.stateless.asyncFailureQueue]) {
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(dlq), 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: topicId }],
      });
    }
    stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(built.stateless.validateSubmission.fn) } }],
      AlarmActions: [{ Ref: topicId }],
    });
    stateless.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    stateless.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    stateless.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
    });
  });

  it('records dead-lettered uploads as unprocessable, with a last alarmed queue behind it', () => {
    const fnId = logicalId(built.stateless.recordUnprocessable.fn);
    const dlqId = logicalId(built.stateless.uploadDeadLetterQueue);
    const lastId = logicalId(built.stateless.unprocessableDeadLetterQueue);
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId },
      EventSourceArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const queues = stateless.findResources('AWS::SQS::Queue') as Record<string, Resource>;
    expect(queues[dlqId]!.Properties).toMatchObject({ RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [lastId, 'Arn'] }, maxReceiveCount: 5 } });
    expect(queues[dlqId]!.Properties!.VisibilityTimeout).toBeGreaterThanOrEqual(6 * 30);
    stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [lastId, 'QueueName'] } }],
      AlarmActions: [{ Ref: logicalId(built.stateless.alarmTopic) }],
    });
  });

  it('sweeps every 15 minutes for due periods, so a close a crash left unfinished is resumed', () => {
    const schedules = Object.values(stateless.findResources('AWS::Scheduler::Schedule') as Record<string, Resource>);
    const sweep = schedules.filter((s) => s.Properties!.ScheduleExpression === 'rate(15 minutes)');
    expect(sweep).toHaveLength(1);
    expect(sweep[0]!.Properties!.Target.Arn).toEqual({ 'Fn::GetAtt': [logicalId(built.stateless.closePeriod.fn), 'Arn'] });
    // The years of the deployment (cdk.json's default range).
    expect(JSON.parse(sweep[0]!.Properties!.Target.Input).sweep.years).toEqual([2021, 2022, 2023, 2024, 2025, 2026]);
  });

  it('alarms whenever a function records an upload as unprocessable', () => {
    for (const f of [built.stateless.validateSubmission, built.stateless.recordUnprocessable, built.stateless.closePeriod, built.stateless.sendReminders]) {
      stateless.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: logicalId(f.logGroup) },
        FilterPattern: '{ $.poisonObject IS TRUE }',
        MetricTransformations: [Match.objectLike({ MetricName: `PoisonObjects${f.node.id}`, MetricNamespace: 'CCHC', MetricValue: '1' })],
      });
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: `PoisonObjects${f.node.id}`, Namespace: 'CCHC', Threshold: 1 });
    }
  });

  it('sends S3 ObjectCreated events under incoming/ to the upload queue', () => {
    expect(INCOMING_PREFIX).toBe('incoming/');
    stateless.hasResourceProperties('Custom::S3BucketNotifications', {
      Managed: false,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: INCOMING_PREFIX }] } },
            QueueArn: { 'Fn::GetAtt': [logicalId(built.stateless.uploadQueue), 'Arn'] },
          },
        ],
      },
    });
  });

  it('scopes the validator to incoming/* objects and lists only under incoming/', () => {
    const statements = statementsOf(stateless, logicalId(built.stateless.validateSubmission.role));
    const s3 = statements.filter((s) => asArray(s.Action).some((a: string) => a.startsWith('s3:')));
    const rendered = JSON.stringify(s3);
    expect(rendered).toContain('/incoming/*');
    expect(rendered).not.toContain('/reports/');
    for (const s of statements) {
      for (const r of asArray(s.Resource)) {
        expect(r).not.toBe('*');
        // Any object wildcard is the incoming/ prefix, never the whole bucket (".../*").
        if (typeof r === 'object' && 'Fn::Join' in r) {
          const tail = String((r['Fn::Join'][1] as unknown[]).at(-1));
          if (tail.endsWith('*')) expect(tail).toBe('/incoming/*');
        }
      }
    }
    expect(s3).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: ['s3:GetObject', 's3:GetObjectVersion'] }),
        expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLikeIfExists: { 's3:prefix': ['incoming/*'] } } }),
      ]),
    );
    expect(s3.some((s) => asArray(s.Action).includes('s3:PutObject'))).toBe(false);
  });

  it('lets unit-api put only under incoming/ and read only reports/: it never reads an upload', () => {
    const s3 = statementsOf(stateless, logicalId(built.stateless.unitApi.role)).filter((s) => asArray(s.Action).some((a: string) => a.startsWith('s3:')));
    const tailOf = (r: Record<string, any>) => (r['Fn::Join'] ? String(r['Fn::Join'][1].at(-1)) : '(bucket)');
    const pairs = s3.flatMap((s) => asArray(s.Action).flatMap((a: string) => asArray(s.Resource).map((r: Record<string, any>) => `${a} ${tailOf(r)}`)));
    expect(pairs.sort()).toEqual(['s3:GetObject /reports/*', `s3:PutObject /${INCOMING_PREFIX}*`].sort());
  });

  it('gives flush-outbox the table, SES, reports/ (stored large messages) and the token key only', () => {
    const statements = statementsOf(stateless, logicalId(built.stateless.flushOutbox.role));
    const s3 = statements.filter((s) => asArray(s.Action).some((a: string) => a.startsWith('s3:')));
    expect(s3).toHaveLength(1);
    expect(s3[0]!.Action).toBe('s3:GetObject');
    expect(String(s3[0]!.Resource['Fn::Join'][1].at(-1))).toBe('/reports/*');
    const secrets = statements.filter((s) => asArray(s.Action).some((a: string) => a.startsWith('secretsmanager:')));
    expect(secrets).toHaveLength(1);
    expect(JSON.stringify(secrets)).toContain('TokenKey');
    expect(JSON.stringify(secrets)).not.toContain('TemplateSigningKey');
    const actions = statements.flatMap((s) => asArray(s.Action) as string[]);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'ses:SendRawEmail']));
  });

  it('never grants table scans, deletes or batch writes (batched reads only)', () => {
    const all = (Object.values(stateless.findResources('AWS::IAM::Policy')) as Resource[]).flatMap((p) =>
      (p.Properties!.PolicyDocument.Statement as Record<string, any>[]).flatMap((s) => asArray(s.Action) as string[]),
    );
    expect(all.filter((a) => /^dynamodb:(Scan|DeleteItem|BatchWrite|Transact|\*)/.test(a))).toEqual([]);
    expect(new Set(all.filter((a) => a.startsWith('dynamodb:Batch')))).toEqual(new Set(['dynamodb:BatchGetItem']));
  });

  it('sends mail only as the sender identity and through the stack configuration set', () => {
    const configSetId = logicalId(built.stateless.node.findChild('MailConfigurationSet'));
    const ses = statementsOf(stateless, logicalId(built.stateless.validateSubmission.role)).find((s) => asArray(s.Action).includes('ses:SendRawEmail'));
    const rendered = JSON.stringify(ses?.Resource);
    expect(rendered).toContain(':identity/thuathienhue.example');
    expect(rendered).toContain(':identity/cchc-noreply@thuathienhue.example');
    expect(rendered).toContain(configSetId);
    stateless.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SES_CONFIGURATION_SET: { Ref: configSetId }, SENDER_ADDRESS: 'cchc-noreply@thuathienhue.example' }) },
    });
  });

  it('serves the API and portal routes from unit-api on a throttled, access-logged $default stage', () => {
    const routeKeys = Object.values(stateless.findResources('AWS::ApiGatewayV2::Route')).map((r) => (r as Resource).Properties!.RouteKey);
    expect(routeKeys.sort()).toEqual(['ANY /api/{proxy+}', 'GET /', 'GET /{proxy+}']);
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context\\.requestId') },
    });
    stateless.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ UPLOAD_URL_TTL_SECONDS: '300', MAX_UPLOAD_BYTES: '10485760', PORTAL_ASSETS_DIR: '/var/task/portal-assets' }),
      },
    });
  });

  it('runs flush-outbox every 5 minutes from EventBridge Scheduler with retries and a DLQ', () => {
    stateless.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: {
        Arn: { 'Fn::GetAtt': [logicalId(built.stateless.flushOutbox.fn), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: Match.anyValue(), MaximumEventAgeInSeconds: Match.anyValue() },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(built.stateless.scheduleDeadLetterQueue), 'Arn'] } },
      },
    });
  });

  it("sends every asynchronously invoked function's failed events to the alarmed on-failure queue", () => {
    const configs = Object.values(stateless.findResources('AWS::Lambda::EventInvokeConfig')) as Resource[];
    const queueArn = { 'Fn::GetAtt': [logicalId(built.stateless.asyncFailureQueue), 'Arn'] };
    const s = built.stateless;
    const asyncFns = [s.flushOutbox, s.closePeriod, s.sendReminders, s.handleMailFeedback];
    expect(configs.map((c) => c.Properties!.FunctionName).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      asyncFns.map((f) => ({ Ref: logicalId(f.fn) })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    for (const c of configs) {
      expect(c.Properties!.DestinationConfig).toEqual({ OnFailure: { Destination: queueArn } });
      expect(c.Properties!.MaximumRetryAttempts).toBe(2);
    }
    // the scheduler targets and the SNS subscription are the only asynchronous invokers
    const schedules = Object.values(stateless.findResources('AWS::Scheduler::Schedule')) as Resource[];
    const targets = new Set(schedules.map((x) => JSON.stringify(x.Properties!.Target.Arn)));
    for (const t of targets) expect(asyncFns.map((f) => JSON.stringify({ 'Fn::GetAtt': [logicalId(f.fn), 'Arn'] }))).toContain(t);
  });

  it('outputs the operator values with descriptions', () => {
    for (const name of ['ApiUrl', 'UploadBucketName', 'TableName', 'UploadQueueUrl', 'DeadLetterQueueUrl', 'AsyncFailureQueueUrl']) {
      stateless.hasOutput(name, { Description: Match.stringLikeRegexp('.{10,}') });
    }
  });
});

describe('least privilege per function', () => {
  type Fn = keyof Pick<CchcApp['stateless'], 'unitApi' | 'validateSubmission' | 'flushOutbox' | 'closePeriod' | 'sendReminders' | 'handleMailFeedback'>;
  const FUNCTIONS: Fn[] = ['unitApi', 'validateSubmission', 'flushOutbox', 'closePeriod', 'sendReminders', 'handleMailFeedback'];

  /** Every (action, table or index, partition-key prefix) a role may reach, as "action where prefix". */
  function tableReach(fn: Fn): string[] {
    const statements = statementsOf(stateless, logicalId(built.stateless[fn].role)).filter((s) =>
      asArray(s.Action).some((a: string) => a.startsWith('dynamodb:')),
    );
    return statements
      .flatMap((s) => {
        const prefixes = s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as string[] | undefined;
        // A table statement without a LeadingKeys condition would reach every item: the test names it.
        const scoped = prefixes ?? ['(every item)'];
        return asArray(s.Action).flatMap((a: string) =>
          asArray(s.Resource).flatMap((r: Record<string, any>) => {
            const where = r['Fn::Join'] ? `index ${String(r['Fn::Join'][1].at(-1)).replace('/index/', '')}` : 'table';
            return scoped.map((p) => `${a.replace('dynamodb:', '')} ${where} ${p}`);
          }),
        );
      })
      .sort();
  }
  const reads = (...p: string[]) => p.flatMap((x) => [`GetItem table ${x}*`, `BatchGetItem table ${x}*`, `Query table ${x}*`]);
  const writes = (...p: string[]) => p.flatMap((x) => [`PutItem table ${x}*`, `UpdateItem table ${x}*`]);
  const queries = (index: string, ...p: string[]) => p.map((x) => `Query index ${index} ${x}*`);

  it('pins, per function, every table action and the partition-key prefixes it may touch', () => {
    const expected: Record<Fn, string[]> = {
      // periods, outbox, a token by its hash; writes upload intents and manual reminders; never a token
      unitApi: [
        ...reads('PERIOD#', 'MAIL#', 'TOKEN#', 'REVIEW#', 'AUDIT#', 'JUSTIFY#', 'REGISTRY#'),
        ...writes('UPLOAD#', 'MAIL#'),
        // a review decision, a warning's explanation and an audit step: PutItem alone (append only)
        'PutItem table AUDIT#*',
        'PutItem table JUSTIFY#*',
        'PutItem table REGISTRY#*',
        'PutItem table REVIEW#*',
        ...queries('gsi1', 'UNIT#', 'INTENTS#', 'AUDITS#'),
      ],
      validateSubmission: [...reads('UPLOAD#', 'PERIOD#', 'MAIL#', 'REVIEW#', 'AUDIT#', 'REGISTRY#'), ...writes('PERIOD#', 'MAIL#'), 'PutItem table AUDIT#*'],
      // the outbox; a unit's tokens (ids) to render its link at send time; the step of each mail sent
      flushOutbox: [
        ...reads('MAIL#', 'AUDIT#', 'REGISTRY#'),
        ...writes('MAIL#'),
        'PutItem table AUDIT#*',
        ...queries('gsi1', 'UNITTOKENS#'),
        ...queries('gsi2', 'OUTBOX#'),
      ],
      // and a period's upload intents, for the reconciliation
      closePeriod: [
        ...reads('UPLOAD#', 'PERIOD#', 'MAIL#', 'REVIEW#', 'AUDIT#', 'REGISTRY#'),
        ...writes('PERIOD#', 'MAIL#'),
        'PutItem table AUDIT#*',
        ...queries('gsi1', 'INTENTS#'),
      ],
      sendReminders: [
        ...reads('UPLOAD#', 'PERIOD#', 'MAIL#', 'REVIEW#', 'AUDIT#', 'REGISTRY#'),
        ...writes('PERIOD#', 'MAIL#'),
        'PutItem table AUDIT#*',
        ...queries('gsi1', 'INTENTS#'),
      ],
      handleMailFeedback: [...reads('MAIL#', 'AUDIT#', 'REGISTRY#'), ...writes('ADDRESS#', 'MAIL#'), 'PutItem table AUDIT#*'],
    };
    for (const fn of FUNCTIONS) expect(tableReach(fn), fn).toEqual(expected[fn].sort());
  });

  it('no function that reads uploads reaches a token item; none writes one', () => {
    const readsUploads = (fn: Fn) =>
      statementsOf(stateless, logicalId(built.stateless[fn].role)).some(
        (s) => asArray(s.Action).some((a: string) => a.startsWith('s3:GetObject')) && JSON.stringify(s.Resource).includes(`/${INCOMING_PREFIX}*`),
      );
    expect(FUNCTIONS.filter(readsUploads).sort()).toEqual(['closePeriod', 'sendReminders', 'validateSubmission']);
    for (const fn of FUNCTIONS) {
      const reach = tableReach(fn);
      if (readsUploads(fn))
        expect(
          reach.filter((r) => /TOKEN/.test(r)),
          fn,
        ).toEqual([]);
      expect(
        reach.filter((r) => /^(PutItem|UpdateItem) .*TOKEN/.test(r)),
        fn,
      ).toEqual([]);
    }
  });

  it('bundles the trust folder (empty without trustDir: nothing trusted) with the functions that check signed reports', () => {
    for (const fn of ['validateSubmission', 'closePeriod', 'sendReminders'] as const) {
      const resource = stateless.findResources('AWS::Lambda::Function')[logicalId(built.stateless[fn].fn)] as Resource;
      expect(resource.Properties!.Environment.Variables.TRUST_DIR, fn).toBe('/var/task/trust');
      const asset = `asset.${String(resource.Properties!.Code.S3Key).replace(/\.zip$/, '')}`;
      expect(readdirSync(join(outdir, asset, 'trust')).sort(), fn).toEqual(['anchors', 'crls', 'intermediates']);
      expect(readdirSync(join(outdir, asset, 'trust', 'anchors')), fn).toEqual([]);
    }
  });

  it('ships each function as split ESM: index.mjs, its worker entries and every chunk they import, in the asset', () => {
    const functions = (Object.entries(stateless.findResources('AWS::Lambda::Function')) as [string, Resource][]).filter(
      ([id]) => !id.startsWith('BucketNotificationsHandler'),
    );
    expect(functions).toHaveLength(7);
    for (const [id, fn] of functions) {
      const dir = join(outdir, `asset.${String(fn.Properties!.Code.S3Key).replace(/\.zip$/, '')}`);
      const files = new Set(readdirSync(dir));
      expect(files.has('index.mjs'), id).toBe(true);
      // every relative import (static or dynamic) of every module reached from the entries resolves
      const seen = new Set<string>();
      const todo: string[] = [...files].filter((f) => f === 'index.mjs' || f === 'check-worker.mjs');
      while (todo.length > 0) {
        const file = todo.pop()!;
        if (seen.has(file)) continue;
        seen.add(file);
        expect(files.has(file), `${id}: ${file}`).toBe(true);
        const code = readFileSync(join(dir, file), 'utf8');
        for (const m of code.matchAll(/(?:from|import)\s*\(?\s*"\.\/([^"]+\.mjs)"/g)) todo.push(m[1]!);
      }
      expect(seen.size, `${id}: chunks`).toBeGreaterThan(1);
    }
  });

  it('gives each function exactly the environment its settings name (FUNCTION_SETTINGS), no more', () => {
    const all = { ...Object.fromEntries(FUNCTIONS.map((f) => [f, f])), recordUnprocessable: 'recordUnprocessable' } as Record<string, string>;
    const names: Record<string, FunctionName> = {
      unitApi: 'unit-api',
      validateSubmission: 'validate-submission',
      recordUnprocessable: 'record-unprocessable',
      flushOutbox: 'flush-outbox',
      closePeriod: 'close-period',
      sendReminders: 'send-reminders',
      handleMailFeedback: 'handle-mail-feedback',
    };
    for (const prop of Object.keys(all)) {
      const fn = (built.stateless as unknown as Record<string, { fn: IConstruct }>)[prop]!.fn;
      const vars = (stateless.findResources('AWS::Lambda::Function')[logicalId(fn)] as Resource).Properties!.Environment.Variables as Record<string, unknown>;
      expect(Object.keys(vars).sort(), prop).toEqual(environmentOf(FUNCTION_SETTINGS[names[prop]!]));
    }
    // the function that reads no upload learns no bucket; the API that sends no mail has no configuration set
    expect(environmentOf(FUNCTION_SETTINGS['handle-mail-feedback'])).not.toContain('UPLOAD_BUCKET_NAME');
    expect(environmentOf(FUNCTION_SETTINGS['unit-api'])).not.toContain('SES_CONFIGURATION_SET');
  });

  it('lets only the functions that send mail call SES: unit-api queues the reminders the board asks for', () => {
    const sends = (fn: Fn) =>
      statementsOf(stateless, logicalId(built.stateless[fn].role)).some((x) => asArray(x.Action).some((a: string) => a.startsWith('ses:')));
    expect(FUNCTIONS.filter(sends).sort()).toEqual(['closePeriod', 'flushOutbox', 'handleMailFeedback', 'sendReminders', 'validateSubmission']);
  });

  it('publishes events to its own bus only, from the functions whose steps are events, with a year of archive (docs/EVENTS.md)', () => {
    const puts = (fn: Fn | 'recordUnprocessable') =>
      statementsOf(stateless, logicalId(built.stateless[fn].role)).filter((x) => asArray(x.Action).includes('events:PutEvents'));
    const publishers = [...FUNCTIONS, 'recordUnprocessable' as const].filter((fn) => puts(fn).length > 0).sort();
    expect(publishers).toEqual(['closePeriod', 'recordUnprocessable', 'sendReminders', 'unitApi', 'validateSubmission']);
    const busId = Object.keys(stateless.findResources('AWS::Events::EventBus'));
    expect(busId).toHaveLength(1);
    for (const fn of publishers) {
      for (const st of puts(fn)) expect(JSON.stringify(st.Resource)).toContain(busId[0]);
    }
    stateless.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 365, EventPattern: { source: ['vn.thuathienhue.snv.cchc'] } });
  });

  it('gives the template key to what makes or checks templates and the token key only to the link renderer', () => {
    const secretOf = (fn: Fn) => {
      const s = statementsOf(stateless, logicalId(built.stateless[fn].role)).filter((x) => asArray(x.Action).includes('secretsmanager:GetSecretValue'));
      return JSON.stringify(s);
    };
    const env = (fn: Fn) =>
      (stateless.findResources('AWS::Lambda::Function')[logicalId(built.stateless[fn].fn)] as Resource).Properties!.Environment.Variables as Record<
        string,
        unknown
      >;
    const withTemplateKey = FUNCTIONS.filter((fn) => secretOf(fn).includes('TemplateSigningKey'));
    const withTokenKey = FUNCTIONS.filter((fn) => secretOf(fn).includes('TokenKey'));
    expect(withTemplateKey.sort()).toEqual(['closePeriod', 'sendReminders', 'unitApi', 'validateSubmission']);
    expect(withTokenKey).toEqual(['flushOutbox']);
    for (const fn of FUNCTIONS) {
      expect('TEMPLATE_SIGNING_KEY_SECRET_ARN' in env(fn), fn).toBe(withTemplateKey.includes(fn));
      expect('TOKEN_KEY_SECRET_ARN' in env(fn), fn).toBe(withTokenKey.includes(fn));
    }
  });

  it('says in the nag reason what rotating each key does', () => {
    const reasons = nagReport.suppressedViolations!.filter((v) => v.ruleName.includes('SMG4'));
    const byPath = (id: string) => reasons.find((r) => r.violatingConstructs.some((c) => c.constructPath.includes(id)))?.reason ?? '';
    expect(byPath('TokenKey')).toMatch(/personal link.*derived/i);
    expect(byPath('TemplateSigningKey')).toMatch(/template.*fail the identity check/i);
  });
});

describe('the app', () => {
  it('is environment-agnostic and has the stateless stack depend on the stateful one only', () => {
    expect(built.stateful.environment).toBe('aws://unknown-account/unknown-region');
    expect(built.stateless.dependencies).toEqual([built.stateful]);
    expect(built.stateful.dependencies).toEqual([]);
    expect(built.stateful.stackName).toBe('cchc-stateful');
    expect(built.stateless.stackName).toBe('cchc-stateless');
  });

  it('tags every stack with Project=cchc', () => {
    stateful.hasResourceProperties('AWS::S3::Bucket', { Tags: Match.arrayWith([{ Key: 'Project', Value: 'cchc' }]) });
    stateless.hasResourceProperties('AWS::SQS::Queue', { Tags: Match.arrayWith([{ Key: 'Project', Value: 'cchc' }]) });
  });

  it('has no construct errors or warnings', () => {
    for (const stack of [built.stateful, built.stateless]) {
      const annotations = Annotations.fromStack(stack);
      expect(annotations.findError('*', Match.anyValue()), stack.stackName).toEqual([]);
      expect(annotations.findWarning('*', Match.anyValue()), stack.stackName).toEqual([]);
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  it.each(['CchcStatefulStack', 'CchcStatelessStack'])('leaves no unacknowledged error or warning in %s', (stackId) => {
    const inStack = nagReport.violations.filter((v) => v.violatingConstructs.some((c) => c.constructPath.startsWith(`${stackId}/`)));
    expect(inStack.map((v) => `${v.severity} ${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`)).toEqual([]);
    expect(nagReport.conclusion).toBe('success');
  });

  it('gives every acknowledged finding a specific reason', () => {
    const suppressed = nagReport.suppressedViolations ?? [];
    expect(suppressed.length).toBeGreaterThan(0);
    for (const s of suppressed) expect(s.reason?.trim().length ?? 0, `${s.acknowledgedId} at ${s.acknowledgedAt}`).toBeGreaterThanOrEqual(20);
  });

  it('has no stale acknowledgement: each one matches a real finding', () => {
    const used = new Set((nagReport.suppressedViolations ?? []).map((s) => `${s.acknowledgedAt} ${s.acknowledgedId}`));
    const declared = built.app.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) => Object.keys(m.data as Record<string, string>).map((id) => `${c.node.path} ${id}`)),
      )
      .filter((entry) => entry.includes(' AwsSolutions::'));
    expect(declared.length).toBeGreaterThan(0);
    expect(declared.filter((d) => !used.has(d))).toEqual([]);
  });

  it('writes each acknowledgement with its reason into the template metadata', () => {
    const suppressions = [stateful, stateless].flatMap((t) =>
      (Object.values(t.toJSON().Resources) as Resource[]).flatMap((r) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string; reason: string }[]),
    );
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) expect(s.reason.trim().length, s.id).toBeGreaterThanOrEqual(20);
  });
});

describe('with a separate portal origin', () => {
  // Bundling skipped: only the CORS wiring differs, and the shared synth above already bundled.
  // PORTAL_ORIGIN is no longer set on functions: CORS is the API's and the bucket's (no function read it).
  it('allows exactly that origin on the API and the bucket, and tells the functions that write links', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'cchc-cdk-'));
    try {
      const origin = 'https://cchc.thuathienhue.example';
      const variant = buildApp({ portalOrigin: origin, 'aws:cdk:bundling-stacks': [] }, dir);
      // Act
      const s = Template.fromStack(variant.stateful);
      const l = Template.fromStack(variant.stateless);
      // Assess
      const [, bucket] = only(s, 'AWS::S3::Bucket', { CorsConfiguration: Match.anyValue() });
      expect(bucket.Properties!.CorsConfiguration.CorsRules.map((r: { AllowedOrigins: unknown }) => r.AllowedOrigins)).toEqual([[origin]]);
      s.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.objectLike({ AllowOrigins: [origin], AllowCredentials: false }) });
      l.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ PORTAL_URL: origin }) } });
      for (const fn of Object.values(l.findResources('AWS::Lambda::Function'))) {
        expect((fn as Resource).Properties!.Environment?.Variables?.PORTAL_ORIGIN).toBeUndefined();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mail feedback', () => {
  it('sends SES bounces and complaints to an encrypted topic that handle-mail-feedback subscribes to', () => {
    stateless.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({ Enabled: true, MatchingEventTypes: ['bounce', 'complaint'], SnsDestination: Match.anyValue() }),
    });
    const [, topic] = only(stateless, 'AWS::SNS::Topic', { DisplayName: 'CCHC SES bounces and complaints' });
    expect(topic.Properties!.KmsMasterKeyId).toBeDefined();
    stateless.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [logicalId(built.stateless.handleMailFeedback.fn), 'Arn'] },
      RedrivePolicy: Match.anyValue(),
    });
  });
});

describe('schedules of the reporting calendar', () => {
  it('one-time schedules in Asia/Ho_Chi_Minh: D-3 and D-1 reminders at 08:00 and the close after each deadline', () => {
    // Prepare: the schedule start is pinned (a prop, not today's date), so the assertion holds on any day.
    const dir = mkdtempSync(join(tmpdir(), 'cchc-cdk-'));
    try {
      const variant = buildApp({ years: [2030, 2030], 'aws:cdk:bundling-stacks': [] }, dir, { scheduleFrom: new Date('2029-12-01T00:00:00Z') });
      // Act
      const l = Template.fromStack(variant.stateless);
      // Assess
      const schedules = Object.values(l.findResources('AWS::Scheduler::Schedule')) as Resource[];
      const oneTime = schedules.filter((r) => String(r.Properties!.ScheduleExpression).startsWith('at('));
      expect(oneTime).toHaveLength(6 * 3);
      for (const r of oneTime) {
        expect(r.Properties!.ScheduleExpressionTimezone).toBe('Asia/Ho_Chi_Minh');
        expect(r.Properties!.Target.RetryPolicy.MaximumRetryAttempts).toBe(3);
        expect(r.Properties!.Target.DeadLetterConfig).toBeDefined();
      }
      const byExpression = Object.fromEntries(oneTime.map((r) => [r.Properties!.ScheduleExpression, r.Properties!.Target]));
      const close = byExpression['at(2030-03-16T00:05:00)'];
      expect(JSON.parse(close.Input)).toEqual({ periodId: '2030-Q1' });
      expect(JSON.stringify(close.Arn)).toContain(logicalId(variant.stateless.closePeriod.fn));
      expect(JSON.parse(byExpression['at(2030-03-12T08:00:00)'].Input)).toEqual({ periodId: '2030-Q1', label: 'D-3' });
      expect(JSON.parse(byExpression['at(2030-03-14T08:00:00)'].Input)).toEqual({ periodId: '2030-Q1', label: 'D-1' });
      expect(JSON.parse(byExpression['at(2030-12-06T00:05:00)'].Input)).toEqual({ periodId: '2030-THEMATIC' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes only the jobs after the pinned schedule start: a synth on 13/03/2021 keeps 2021-Q1 D-1 and its close, not D-3', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cchc-cdk-'));
    try {
      const variant = buildApp({ years: [2021, 2021], 'aws:cdk:bundling-stacks': [] }, dir, { scheduleFrom: new Date('2021-03-13T00:00:00+07:00') });
      const l = Template.fromStack(variant.stateless);
      const expressions = (Object.values(l.findResources('AWS::Scheduler::Schedule')) as Resource[]).map((r) => String(r.Properties!.ScheduleExpression));
      expect(expressions).not.toContain('at(2021-01-06T00:05:00)');
      expect(expressions).not.toContain('at(2021-03-12T08:00:00)');
      expect(expressions).toContain('at(2021-03-14T08:00:00)');
      expect(expressions).toContain('at(2021-03-16T00:05:00)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi, type IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { AttributeType, BillingMode, type ITable, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../../shared/adapters/outbound/dynamo/schema.js';
import { acknowledgeNag, type BucketRef } from '../constructs/cchc-function.js';
import type { CchcContext } from '../context.js';

/** What the stateless stack builds on. */
export interface StatefulResources {
  /** Upload bucket by name and ARN (named exports, see below). */
  readonly uploadBucket: BucketRef;
  readonly table: ITable;
  readonly templateKeySecret: ISecret;
  /** The key every personal token derives from (a separate secret). */
  readonly tokenKeySecret: ISecret;
  /** The HTTP API (routes, stage and integrations live in the stateless stack). */
  readonly api: IHttpApi;
  /** Base URL for personal links in e-mails (no trailing slash). */
  readonly portalUrl: string;
  /** The one origin allowed by CORS, on the API and on the bucket. */
  readonly portalOrigin: string;
}

export interface CchcStatefulStackProps extends StackProps {
  readonly context: CchcContext;
}

/**
 * Everything whose loss or replacement would lose data or break links already sent: the upload
 * bucket (with its access-log bucket), the table, the template signing key and the HTTP API
 * itself. All are retained when the stack is deleted.
 *
 * Why the HTTP API lives here: its endpoint is the portal URL that goes out in personal links by
 * e-mail, so it must survive any redeploy of the stateless stack; and when no `portalOrigin` is
 * configured, the bucket's CORS rule must name the API's own origin. With the API in the stateless
 * stack that rule would make this stack depend on the stateless one, which already depends on
 * this one: a cycle. Here the bucket simply references the API in the same stack. Routes, stage,
 * integrations and throttling are code-adjacent and stay in the stateless stack.
 */
export class CchcStatefulStack extends Stack implements StatefulResources {
  readonly uploadBucket: BucketRef;
  readonly table: Table;
  readonly templateKeySecret: Secret;
  readonly tokenKeySecret: Secret;
  readonly api: HttpApi;
  readonly portalUrl: string;
  readonly portalOrigin: string;

  constructor(scope: Construct, id: string, props: CchcStatefulStackProps) {
    super(scope, id, props);
    const { context } = props;

    this.api = this.createPortalApi(context);
    // apiEndpoint is https://{apiId}.execute-api.{region}.{suffix}: an origin, and with the
    // $default stage also the base URL.
    this.portalUrl = context.portalOrigin ?? this.api.apiEndpoint;
    this.portalOrigin = context.portalOrigin ?? this.api.apiEndpoint;

    const accessLogBucket = this.createAccessLogBucket();
    const uploadBucket = this.createUploadBucket(accessLogBucket);
    this.uploadBucket = this.exportUploadBucket(uploadBucket);
    this.table = this.createTable();
    this.templateKeySecret = this.createTemplateKeySecret();
    this.tokenKeySecret = this.createTokenKeySecret();

    new CfnOutput(this, 'PortalUrl', { value: this.portalUrl, description: 'Base URL of the portal and unit API' });
  }

  /** The HTTP API (retained), with CORS only when a separate portal origin is configured. */
  private createPortalApi(context: CchcContext): HttpApi {
    const api = new HttpApi(this, 'PortalApi', {
      description: 'CCHC report portal and unit API (routes and stage: stateless stack)',
      createDefaultStage: false,
      // Without a separate portal, pages and API share the API's origin: same-origin needs no CORS,
      // and no CORS configuration is the tightest one. (Naming the API's own origin here would be
      // a self-reference CloudFormation cannot resolve.)
      ...(context.portalOrigin
        ? {
            corsPreflight: {
              allowOrigins: [context.portalOrigin],
              allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.PATCH, CorsHttpMethod.DELETE],
              allowHeaders: ['authorization', 'content-type'],
              allowCredentials: false,
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    // Retained like the data: the stack is termination-protected, and a lost API would be a new URL.
    api.applyRemovalPolicy(RemovalPolicy.RETAIN);
    return api;
  }

  /** Server access logs of the upload bucket. (Not logged itself: nag's S1 recognises a log target.) */
  private createAccessLogBucket(): Bucket {
    return new Bucket(this, 'AccessLogBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** The upload bucket (incoming/ and reports/): private, versioned, logged, CORS for the portal's origin only. */
  private createUploadBucket(accessLogBucket: Bucket): Bucket {
    return new Bucket(this, 'UploadBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      // Keys are never reused, so versioning is defence in depth; there is deliberately no
      // lifecycle rule: uploads and reports are kept (architecture invariant 5).
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogBucket,
      serverAccessLogsPrefix: 'upload-bucket/',
      cors: [
        {
          // Browsers POST presigned forms to incoming/ and GET presigned report links.
          allowedOrigins: [this.portalOrigin],
          allowedMethods: [HttpMethods.POST, HttpMethods.GET],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * The upload bucket's name and ARN as named exports rather than automatic ones: the stateless stack's IAM
   * policies embed these values in prefix ARNs (`…/incoming/*`), and cdk-nag names each such finding by the
   * rendered ARN. A fixed export name keeps that name stable and readable, so the acknowledgement can be
   * written for the exact finding. The stateless stack declares the stack dependency itself.
   */
  private exportUploadBucket(uploadBucket: Bucket): BucketRef {
    return {
      bucketName: this.exportValue(uploadBucket.bucketName, { name: `${this.stackName}:UploadBucketName` }),
      bucketArn: this.exportValue(uploadBucket.bucketArn, { name: `${this.stackName}:UploadBucketArn` }),
    };
  }

  /** The single table (TABLE_SCHEMA) with its global secondary indexes; point-in-time recovery, deletion protection. */
  private createTable(): Table {
    const table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE_SCHEMA.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
    return table;
  }

  /** The secret that signs each Excel template's identity; rotated deliberately, never on a timer. */
  private createTemplateKeySecret(): Secret {
    const secret = new Secret(this, 'TemplateSigningKey', {
      description: 'Key that signs the identity (form id, version, period, unit) written into each Excel template',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNag(
      secret,
      'SMG4',
      'Every Excel template handed out carries an identity signed with this key; rotating it makes all of them fail the identity check, so automatic rotation would reject valid uploads mid-period. It signs templates only (personal tokens derive from the separate token key), and is rotated deliberately between reporting years (README).',
    );
    return secret;
  }

  /** The secret every personal token derives from; rotated deliberately (revoke, rotate, re-issue), never on a timer. */
  private createTokenKeySecret(): Secret {
    const secret = new Secret(this, 'TokenKey', {
      description: 'Key from which every personal access token (unit and Department links) is derived; read only by what renders links',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNag(
      secret,
      'SMG4',
      'Every personal link (each unit token and the Department admin token) is derived from this key and a token id. Rotating it does not revoke links already handed out (their hashes stay valid until revoked or expired) but stops reminders from re-deriving them, so every token must be re-issued: rotation is a deliberate operator procedure (revoke, rotate, re-issue; README and docs/SECURITY.md), not a timer.',
    );
    return secret;
  }
}

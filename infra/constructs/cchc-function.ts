import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { cpSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, Duration, type ILocalBundling, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IConstruct } from 'constructs';
import { type BuildOptions, buildSync } from 'esbuild';

/** Repository root (this file is infra/constructs/cchc-function.ts). */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** ESM bundles that pull in CommonJS packages need `require`; esbuild puts this line first. */
const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** Bucket as the stateless stack sees it: name and ARN only (see CchcStatefulStack.uploadBucket). */
export interface BucketRef {
  readonly bucketName: string;
  readonly bucketArn: string;
}

/** The verified SES sender, the identities it may send as, and the configuration set to send through. */
export interface MailSender {
  readonly senderAddress: string;
  /** `arn:…:ses:<region>:<account>:identity/<domain>` and `…:identity/<address>`. */
  readonly identityArns: readonly string[];
  readonly configurationSetName: string;
  readonly configurationSetArn: string;
}

export interface CchcFunctionProps {
  /** Folder under functions/ holding handler.ts; verb-noun, kebab-case. */
  readonly name: string;
  readonly description: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** Plain settings; resource names and ARNs are set by the use* helpers together with their grants. */
  readonly environment?: Record<string, string>;
  /** @default six months */
  readonly logRetention?: RetentionDays;
  /**
   * Files copied next to the bundle: the portal's pages and assets, the fonts of report charts, the
   * trust folder for signed reports (`trustDir`; an empty one when none is configured).
   */
  readonly assets?: readonly AssetSet[];
  /** The deployment's trust folder (context `trustDir`), for the `trust` asset. */
  readonly trustDir?: string;
  /** Worker threads the function starts, each bundled as an entry point of its own (see WORKER_ENTRIES). */
  readonly workers?: readonly WorkerEntry[];
  /**
   * The environment variables the function's settings name (FUNCTION_SETTINGS); synthesis fails when
   * the variables set (plain settings, use* helpers, assets) differ from these.
   */
  readonly expectedEnvironment?: readonly string[];
}

/** Where each asset set comes from (repository-relative) and lands in the bundle (/var/task/…). */
const ASSETS = {
  portal: { from: ['shared/web/assets'], to: 'portal-assets', env: 'PORTAL_ASSETS_DIR' },
  fonts: {
    from: ['node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf', 'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'],
    to: 'fonts',
    env: 'REPORT_FONTS_DIR',
  },
  // Copied from the deployment's own folder (absolute path), see copyAsset.
  trust: { from: [], to: 'trust', env: 'TRUST_DIR' },
} as const;
export type AssetSet = keyof typeof ASSETS;

/** Copies one asset set next to the bundle. */
function copyAsset(asset: AssetSet, outputDir: string, trustDir: string | undefined): void {
  const to = join(outputDir, ASSETS[asset].to);
  if (asset === 'trust') {
    // Always the folder layout, so TRUST_DIR exists: empty (nothing trusted) unless the deployment gives one.
    for (const sub of ['anchors', 'intermediates', 'crls']) mkdirSync(join(to, sub), { recursive: true });
    if (trustDir) cpSync(trustDir, to, { recursive: true });
    return;
  }
  mkdirSync(to, { recursive: true });
  // A folder's contents, or a file by its name.
  for (const from of ASSETS[asset].from) {
    const source = join(REPO_ROOT, from);
    cpSync(source, statSync(source).isDirectory() ? to : join(to, basename(source)), { recursive: true });
  }
}

/**
 * Modules a function runs in worker threads, bundled as entry points of their own beside index.mjs
 * (output name → source): the worker loads only what it runs, and the thread that starts it never
 * loads the worker's code.
 */
export const WORKER_ENTRIES = {
  /** The upload guard's worker: reader, validator, PDF verifier (shared/application/guarded-check.ts). */
  'check-worker': 'shared/application/check-worker.ts',
} as const;
export type WorkerEntry = keyof typeof WORKER_ENTRIES;

/** What a function's bundle is made of: the handler under functions/<name>/, its workers, its asset sets. */
export interface BundleSpec {
  readonly name: string;
  readonly workers: readonly WorkerEntry[];
  readonly assets: readonly AssetSet[];
  /** The deployment's trust folder, for the `trust` asset. */
  readonly trustDir?: string;
}

/**
 * The esbuild options of one function's bundle, the only description of it: synthesis builds with
 * them (CchcFunction's local bundling), and the bundle-budget test and the benchmark build with them.
 *
 * ESM for node22, minified, no source maps, the AWS SDK bundled, the `createRequire` banner, and
 * split into chunks: a module loaded with `await import()` becomes a chunk of its own, loaded only by
 * the invocations that take that path (the Excel writer, the chart and its fonts, the PDF verifier,
 * the JSON schema). Every output file lands in the asset's root folder: `index.mjs` (the handler),
 * one `<worker>.mjs` per worker entry, and the chunks they import, so a module can name a sibling
 * entry relative to its own URL whichever file esbuild put it in.
 *
 * NodejsFunction cannot split: it always passes `--outfile=index.mjs`, and esbuild splits only into
 * an `--outdir` (the two flags exclude each other). Hence Code.fromAsset with this local bundling.
 */
export function bundleOptions(spec: BundleSpec, outdir: string): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: REPO_ROOT,
    entryPoints: {
      index: join(REPO_ROOT, 'functions', spec.name, 'handler.ts'),
      ...Object.fromEntries(spec.workers.map((w) => [w, join(REPO_ROOT, WORKER_ENTRIES[w])])),
    },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    chunkNames: '[name]-[hash]',
    platform: 'node',
    target: 'node22',
    minify: true,
    // No maps: inline maps with --enable-source-maps more than double cold-start module load.
    sourcemap: false,
    // Nothing external: the runtime's own AWS SDK drifts from the version the tests ran against.
    external: [],
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    // Vietnamese text as UTF-8 (2–3 bytes a letter), not as \uXXXX escapes (6): smaller files, less to parse.
    charset: 'utf8',
    metafile: true,
    logLevel: 'warning',
  };
}

/** The variables that tell the handler where its asset sets are, in a bundle unpacked at `root` (Lambda: /var/task). */
export function assetEnvironment(assets: readonly AssetSet[], root = '/var/task'): Record<string, string> {
  return Object.fromEntries(assets.map((a) => [ASSETS[a].env, `${root}/${ASSETS[a].to}`]));
}

/** Copies a function's asset sets next to its code (after bundleOptions' build into the same folder). */
export function copyAssets(spec: BundleSpec, outputDir: string): void {
  for (const a of spec.assets) copyAsset(a, outputDir, spec.trustDir);
}

/**
 * Bundles a function into `outputDir` on this machine (esbuild is a dev dependency, so there is no
 * Docker fallback): the code, then its asset sets.
 */
class LocalFunctionBundling implements ILocalBundling {
  constructor(private readonly spec: BundleSpec) {}

  tryBundle(outputDir: string): boolean {
    buildSync(bundleOptions(this.spec, outputDir));
    copyAssets(this.spec, outputDir);
    return true;
  }
}

/** Table actions: no Scan, no DeleteItem, no batch or transactional writes (batched reads, scoped like every read). */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
export const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;
export const TABLE_APPEND_ACTIONS = ['dynamodb:PutItem'] as const;

/**
 * Which items a function reaches, by partition-key prefix (see adapters/outbound/dynamo/keys.ts): `read` (GetItem,
 * Query on the table), `write` (PutItem, UpdateItem on the table) and, per index, the index
 * partition-key prefixes it may Query. Anything not listed is denied.
 */
export interface TableScope {
  readonly read?: readonly string[];
  readonly write?: readonly string[];
  /** Append only (PutItem, no UpdateItem): the audit trail, whose store adds new ids and changes nothing. */
  readonly append?: readonly string[];
  readonly indexes?: Readonly<Record<string, readonly string[]>>;
}

/**
 * The one Lambda construct of the project: nodejs22.x on ARM64, an ESM bundle made by the local
 * esbuild and split into chunks (bundleOptions), its own role with no managed policies, and an
 * explicit log group with retention that outlives the stack.
 *
 * Access is granted only through the `use*` helpers, each of which also sets the environment
 * variable the handler reads, so grants and configuration never drift apart.
 */
export class CchcFunction extends Construct {
  readonly fn: LambdaFunction;
  /** What the bundle is built from (bundleOptions). */
  readonly bundle: BundleSpec;
  readonly role: iam.Role;
  readonly logGroup: LogGroup;
  /** The names of the environment variables set on the function. */
  readonly environmentNames = new Set<string>();

  constructor(scope: Construct, id: string, props: CchcFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.SIX_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // An own role instead of the default one, so AWSLambdaBasicExecutionRole (logs:* on every log
    // group) is never attached: the function may write to its own log group and nothing else.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.name}`,
    });
    this.logGroup.grantWrite(this.role);

    this.bundle = { name: props.name, workers: props.workers ?? [], assets: props.assets ?? [], ...(props.trustDir ? { trustDir: props.trustDir } : {}) };
    this.fn = new LambdaFunction(this, 'Function', {
      code: Code.fromAsset(REPO_ROOT, {
        // The hash of what is deployed, not of the repository.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          local: new LocalFunctionBundling(this.bundle),
          // Required by the type, never run: local bundling always succeeds or throws.
          image: Runtime.NODEJS_22_X.bundlingImage,
        },
      }),
      handler: 'index.handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        ...props.environment,
        ...assetEnvironment(props.assets ?? []),
      },
    });
    // The role's policy must exist before the function, or the first invocations can fail on
    // permissions the role does not have yet.
    this.fn.node.addDependency(this.role);
    for (const name of Object.keys(props.environment ?? {})) this.environmentNames.add(name);
    for (const a of props.assets ?? []) this.environmentNames.add(ASSETS[a].env);
    const expected = props.expectedEnvironment;
    if (expected) {
      this.node.addValidation({
        validate: () => {
          const set = [...this.environmentNames].sort();
          const want = [...expected].sort();
          return set.join() === want.join() ? [] : [`${props.name}: environment ${JSON.stringify(set)} differs from its settings ${JSON.stringify(want)}`];
        },
      });
    }

    // The runtime is pinned by the project's design card; nag's L1 wants the newest Node.js.
    acknowledgeNag(
      this.fn,
      'L1',
      'The runtime is pinned to nodejs22.x by the project design (one runtime for bundles, local stack and tests); upgrades are a deliberate, tested change.',
    );
  }

  /** Sets a plain setting (no resource behind it). */
  setEnv(name: string, value: string): this {
    this.fn.addEnvironment(name, value);
    this.environmentNames.add(name);
    return this;
  }

  /**
   * Item access by kind: one statement for reads and one for writes on the table, one Query
   * statement per index, each limited by `dynamodb:LeadingKeys` to the partition-key prefixes in
   * `scope` (for a Query on an index the leading key is the index's partition key). Sets TABLE_NAME.
   * Conditional writes carry the invariants; nothing is ever deleted. Example, for a new function:
   *   fn.useTable(table, { read: ['MAIL#'], write: ['MAIL#'], indexes: { gsi2: ['OUTBOX#'] } })
   */
  useTable(table: ITable, scope: TableScope): this {
    const leading = (prefixes: readonly string[]) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.map((p) => `${p}*`) } });
    if (scope.read?.length) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: [...TABLE_READ_ACTIONS], resources: [table.tableArn], conditions: leading(scope.read) }),
      );
    }
    if (scope.write?.length) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: [...TABLE_WRITE_ACTIONS], resources: [table.tableArn], conditions: leading(scope.write) }),
      );
    }
    if (scope.append?.length) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: [...TABLE_APPEND_ACTIONS], resources: [table.tableArn], conditions: leading(scope.append) }),
      );
    }
    for (const [index, prefixes] of Object.entries(scope.indexes ?? {})) {
      if (!prefixes.length) continue;
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${index}`], conditions: leading(prefixes) }),
      );
    }
    return this.setEnv('TABLE_NAME', table.tableName);
  }

  /**
   * Object access under the given key prefixes only, and `s3:ListBucket` limited to the `list`
   * prefixes. Sets UPLOAD_BUCKET_NAME. With no options, the function only learns the name.
   */
  useUploadBucket(
    bucket: BucketRef,
    access: { read?: readonly string[]; readVersions?: boolean; write?: readonly string[]; list?: readonly string[] } = {},
  ): this {
    const objects = (prefixes: readonly string[]) => prefixes.map((p) => `${bucket.bucketArn}/${p}*`);
    if (access.read?.length) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: access.readVersions ? ['s3:GetObject', 's3:GetObjectVersion'] : ['s3:GetObject'],
          resources: objects(access.read),
        }),
      );
    }
    if (access.write?.length) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: objects(access.write) }));
    }
    if (access.list?.length) {
      // HEAD of a missing key answers 404 (not 403) only to a caller allowed to list the bucket.
      // That implicit check carries no s3:prefix, so the condition is ...IfExists: a HEAD passes,
      // while an explicit listing must name one of the prefixes.
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLikeIfExists: { 's3:prefix': access.list.map((p) => `${p}*`) } },
        }),
      );
    }
    for (const prefix of [...new Set([...(access.read ?? []), ...(access.write ?? [])])]) {
      this.acknowledgeObjectWildcard(bucket, prefix);
    }
    return this.setEnv('UPLOAD_BUCKET_NAME', bucket.bucketName);
  }

  /**
   * ses:SendEmail and ses:SendRawEmail as the sender's identities, through the configuration set.
   * Sets SENDER_ADDRESS and SES_CONFIGURATION_SET.
   */
  useMail(mail: MailSender): this {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [...mail.identityArns, mail.configurationSetArn],
      }),
    );
    this.setEnv('SENDER_ADDRESS', mail.senderAddress);
    return this.setEnv('SES_CONFIGURATION_SET', mail.configurationSetName);
  }

  /**
   * events:PutEvents on the product's event bus alone (docs/EVENTS.md). Sets EVENT_BUS_NAME.
   */
  useEvents(bus: IEventBus): this {
    bus.grantPutEventsTo(this.role);
    return this.setEnv('EVENT_BUS_NAME', bus.eventBusName);
  }

  /**
   * Read of the template signing key secret, for functions that make or check templates. Sets
   * TEMPLATE_SIGNING_KEY_SECRET_ARN; a function without it has neither the variable nor the grant.
   */
  useTemplateKey(secret: ISecret): this {
    secret.grantRead(this.role);
    return this.setEnv('TEMPLATE_SIGNING_KEY_SECRET_ARN', secret.secretArn);
  }

  /**
   * Read of the token key secret, for functions that render personal links (every token derives
   * from it). Sets TOKEN_KEY_SECRET_ARN. Never give it to a function that reads uploads.
   */
  useTokenKey(secret: ISecret): this {
    secret.grantRead(this.role);
    return this.setEnv('TOKEN_KEY_SECRET_ARN', secret.secretArn);
  }

  /**
   * Object ARNs under a key prefix end in `*` by nature; nag's IAM5 reports each one. The finding id
   * is the rendered ARN, so it is computed from the same token the policy uses.
   */
  private acknowledgeObjectWildcard(bucket: BucketRef, prefix: string): void {
    const rendered = renderForNag(Stack.of(this).resolve(`${bucket.bucketArn}/${prefix}*`));
    acknowledgeNag(
      this.role,
      `IAM5[Resource::${rendered}]`,
      `Object actions are limited to the "${prefix}" key prefix of the upload bucket; the trailing * stands for the server-made keys below it, not for other prefixes or buckets.`,
    );
  }
}

/**
 * Acknowledges one cdk-nag AwsSolutions finding on `scope` and everything below it. The id is
 * qualified with the plugin's namespace, so CDK (not cdk-nag) applies the acknowledgement and lists
 * the suppressed finding with its reason in cdk.out/validation-report.json: an acknowledgement that
 * matches nothing shows up there as missing, instead of passing silently.
 */
export function acknowledgeNag(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });
}

/**
 * Renders a resolved CloudFormation value the way cdk-nag names IAM5 findings (Fn::Join flattened,
 * Fn::ImportValue as its export name, Ref as <Name>, Fn::GetAtt as <Name.Attr>).
 */
export function renderForNag(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o['Fn::Join'])) {
      const [delimiter, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(renderForNag).join(delimiter);
    }
    if ('Fn::ImportValue' in o) return renderForNag(o['Fn::ImportValue']);
    if ('Ref' in o) return `<${renderForNag(o.Ref)}>`;
    if (Array.isArray(o['Fn::GetAtt'])) {
      const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${renderForNag(resource)}.${renderForNag(attribute)}>`;
    }
  }
  return JSON.stringify(value);
}

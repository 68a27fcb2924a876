/**
 * Bundle size and cold import of Lambda handlers, built as the CDK construct builds them (esbuild,
 * ESM, node22, minified, SDK bundled, the createRequire banner), against a handler that only creates
 * the S3, DynamoDB and SES clients: the least any of our functions carries.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '../..');
const BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** The environment a deployed function gets (values are placeholders: nothing is contacted at import). */
const ENV = {
  TABLE_NAME: 'cchc',
  UPLOAD_BUCKET_NAME: 'cchc-uploads',
  SENDER_ADDRESS: 'noreply@example.gov.vn',
  PORTAL_URL: 'https://cchc.example.gov.vn',
  TEMPLATE_SIGNING_KEY_SECRET_ARN: 'arn:aws:secretsmanager:ap-southeast-1:000000000000:secret:k',
  AWS_REGION: 'ap-southeast-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

const SDK_ONLY = `
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
const s3 = new S3Client({}); const db = new DynamoDBClient({}); const ses = new SESClient({});
export const handler = async () => [s3, db, ses, GetObjectCommand, PutItemCommand, SendRawEmailCommand].length;
`;

export interface BundleFigure {
  name: string;
  bytes: number;
  importMs: number;
}

function build(entry: string, out: string): number {
  buildSync({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    nodePaths: [join(ROOT, 'node_modules')],
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    mainFields: ['module', 'main'],
    banner: { js: BANNER },
    logLevel: 'silent',
  });
  return statSync(out).size;
}

/** Median of `runs` fresh processes importing the bundle, ms (each a true cold start of the module). */
function coldImport(file: string, runs: number): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(`file://${file}`)}); process.stdout.write(String(performance.now() - t));`;
  const times = Array.from({ length: runs }, () =>
    Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...ENV } }).toString()),
  );
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export function measureBundles(functions: string[], runs = 7): BundleFigure[] {
  const dir = mkdtempSync(join(tmpdir(), 'cchc-bundles-'));
  const sdk = join(dir, 'sdk-only.ts');
  writeFileSync(sdk, SDK_ONLY);
  const figures: BundleFigure[] = [];
  const sdkOut = join(dir, 'sdk-only.mjs');
  figures.push({ name: 'SDK clients only (floor)', bytes: build(sdk, sdkOut), importMs: coldImport(sdkOut, runs) });
  for (const fn of functions) {
    const out = join(dir, `${fn}.mjs`);
    figures.push({ name: fn, bytes: build(join(ROOT, 'functions', fn, 'handler.ts'), out), importMs: coldImport(out, runs) });
  }
  return figures;
}

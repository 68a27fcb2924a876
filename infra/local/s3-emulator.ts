import crypto from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { S3Client } from '@aws-sdk/client-s3';
import { LOCAL_CREDENTIALS } from '../../shared/runtime/config.js';

/**
 * The local stack's S3: s3rver 3.7.1 (pinned), in-process, on 127.0.0.1.
 *
 * What s3rver lacks is covered next door: POST-policy enforcement in `s3-front.ts`, AWS-shaped event
 * records in `s3-events.ts`. See ../shared/guides/local-aws.md for the measured traps.
 */

/** The credentials s3rver expects (it accepts any signature made with them): the pipeline's local credentials. */
export const S3RVER_CREDENTIALS: Readonly<{ accessKeyId: string; secretAccessKey: string }> = LOCAL_CREDENTIALS;

export const DEFAULT_LOCAL_REGION = 'ap-southeast-1';

/** The part of an s3rver instance the local stack uses (s3rver ships no types). */
export interface S3rverInstance extends EventEmitter {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  reset(): void;
  httpServer?: import('node:http').Server;
}

interface S3rverOptions {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  vhostBuckets: boolean;
  resetOnClose: boolean;
  configureBuckets: { name: string }[];
}

type S3rverConstructor = new (options: S3rverOptions) => S3rverInstance;

export interface S3EmulatorOptions {
  /** Where s3rver keeps buckets and objects; the caller owns (and removes) it. */
  directory: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Created at start (kept if they already exist in `directory`). */
  buckets: string[];
  /**
   * What to do when single DES is unavailable (Node >= 17 without `--openssl-legacy-provider`), which
   * s3rver needs for ListObjectsV2 continuation tokens:
   * - `'shim'` (default): map s3rver's `des` cipher onto `des-ede3-cbc` with the key repeated three
   *   times, which is the same cipher (3DES with K1 = K2 = K3 is single DES) and is in OpenSSL 3's
   *   default provider. Tokens are identical to those made with the legacy provider.
   * - `'require'`: refuse to start, naming the missing flag.
   */
  legacyDes?: 'shim' | 'require';
}

export interface S3Emulator {
  /** `http://host:port`, for path-style clients. */
  endpoint: string;
  server: S3rverInstance;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** Starts s3rver silently with the given buckets; resolves once it listens. */
export async function startS3Emulator(options: S3EmulatorOptions): Promise<S3Emulator> {
  const host = options.host ?? '127.0.0.1';
  ensureSingleDes(options.legacyDes ?? 'shim');
  const S3rver = require('s3rver') as S3rverConstructor;
  const server = new S3rver({
    address: host,
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    vhostBuckets: false,
    resetOnClose: false,
    configureBuckets: [...new Set(options.buckets)].map((name) => ({ name })),
  });
  const address = await server.run();
  const endpoint = `http://${formatHost(host)}:${address.port}`;
  let closed: Promise<void> | undefined;
  return {
    endpoint,
    server,
    close() {
      closed ??= (async () => {
        const http = server.httpServer;
        const done = server.close();
        http?.closeAllConnections();
        await done;
      })();
      return closed;
    },
  };
}

/**
 * An S3 client for s3rver (or the front): path style, no flexible checksums (else stream bodies are
 * stored with aws-chunked framing and presigned URLs carry an empty-body checksum), S3RVER keys.
 */
export function makeLocalS3Client(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string } = S3RVER_CREDENTIALS,
  region: string = DEFAULT_LOCAL_REGION,
): S3Client {
  return new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
  });
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** True when `crypto.createCipheriv('des', …)` works in this process. */
export function singleDesAvailable(): boolean {
  try {
    crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

let shimInstalled = false;

function ensureSingleDes(mode: 'shim' | 'require'): void {
  if (shimInstalled || singleDesAvailable()) return;
  if (mode === 'require') {
    throw new Error(
      'The local S3 emulator (s3rver) needs the DES cipher for ListObjectsV2 paging, which Node ' +
        `${process.version} only offers with OpenSSL's legacy provider. Start Node with ` +
        'NODE_OPTIONS=--openssl-legacy-provider (or use legacyDes: "shim").',
    );
  }
  installDesShim();
}

/**
 * Process-wide and narrow: only the algorithm names `des` / `des-cbc` with an 8-byte key are
 * rewritten, and only in a process where they would otherwise throw. Every other call goes through
 * unchanged. s3rver reads `crypto.createCipheriv` at call time from the same module object.
 */
function installDesShim(): void {
  const mutable = crypto as unknown as {
    createCipheriv: (...args: unknown[]) => unknown;
    createDecipheriv: (...args: unknown[]) => unknown;
  };
  const wrap = (original: (...args: unknown[]) => unknown) =>
    function desShim(this: unknown, ...args: unknown[]): unknown {
      const [algorithm, key, ...rest] = args;
      if (typeof algorithm === 'string' && /^des(-cbc)?$/i.test(algorithm) && (Buffer.isBuffer(key) || key instanceof Uint8Array) && key.length === 8) {
        const k = Buffer.from(key);
        return original.call(crypto, 'des-ede3-cbc', Buffer.concat([k, k, k]), ...rest);
      }
      return original.apply(crypto, args);
    };
  mutable.createCipheriv = wrap(mutable.createCipheriv.bind(crypto));
  mutable.createDecipheriv = wrap(mutable.createDecipheriv.bind(crypto));
  shimInstalled = true;
}

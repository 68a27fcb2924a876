import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrustConfig } from '../documents/pdf/index.js';

/**
 * The certificates signed reports are verified against, installed by the province (the government
 * CA's published roots and intermediates, and its CRLs), read once from a folder:
 *   <dir>/anchors/        trusted roots (.pem, .crt, .cer: PEM or DER)
 *   <dir>/intermediates/  intermediate CA certificates, to build chains the PDFs do not carry
 *   <dir>/crls/           certificate revocation lists (.crl: PEM or DER)
 * A missing folder is no trust at all: every signed report is then untrusted, never accepted.
 */

const PEM = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every DER object in a file: each PEM block, or the file itself when it is not PEM. */
export function derObjects(file: Uint8Array): Uint8Array[] {
  const text = Buffer.from(file).toString('latin1');
  const blocks = [...text.matchAll(PEM)].map((m) => new Uint8Array(Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64')));
  return blocks.length > 0 ? blocks : [file];
}

async function objectsIn(dir: string): Promise<Uint8Array[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.(pem|crt|cer|der|crl)$/i.test(n)).sort();
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return [];
    throw err;
  }
  const out: Uint8Array[] = [];
  for (const n of names) out.push(...derObjects(new Uint8Array(await readFile(join(dir, n)))));
  return out;
}

/** Reads the trust folder (see above). */
export async function loadTrust(dir: string | undefined): Promise<TrustConfig> {
  if (!dir) return { anchors: [], intermediates: [], crls: [] };
  const [anchors, intermediates, crls] = await Promise.all([
    objectsIn(join(dir, 'anchors')),
    objectsIn(join(dir, 'intermediates')),
    objectsIn(join(dir, 'crls')),
  ]);
  return { anchors, intermediates, crls };
}

/** The trust folder read once per process, on first use. */
export function trustProvider(dir: string | undefined): () => Promise<TrustConfig> {
  let cached: Promise<TrustConfig> | undefined;
  return () => {
    cached ??= loadTrust(dir).catch((err: unknown) => {
      cached = undefined;
      throw err;
    });
    return cached;
  };
}

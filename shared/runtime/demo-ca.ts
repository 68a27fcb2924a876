/**
 * The demo CA of the local stack, the demo and the CLI: a root and an intermediate made once per data
 * folder (`<dataDir>/demo-ca/`), whose root the local trust folder trusts, and certificates issued on
 * demand for a unit's leaders (CN = name, T = office, O = unit, C = VN) and for the unit itself
 * (CN = O = unit), so that signed sample reports verify end to end without a real CA.
 *
 * Its private keys are kept in `<dataDir>/demo-ca/` (never in the trust folder). They are not a
 * credential of the product: nothing deployed trusts this CA, its root is installed only in the local
 * stack's default trust folder, and every certificate it issues says in its names that it is a test.
 * RSA 2048 with SHA-256, as the government CA issues. The holders' certificates take their keys from
 * a small pool made with the CA (an RSA key costs about a third of a second to generate here, and every
 * key in this folder is as secret as the CA's own); each holder still gets its own certificate.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { webcrypto } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { PDFRef } from 'pdf-lib';
import { localDateOf } from '../domain/calendar.js';
import { sampleSigner, sampleSubmission } from '../domain/sample-submission.js';
import type { Submission, Unit } from '../domain/types.js';
import { defaultUnits, findUnit } from '../domain/units.js';
import { writeSampleReport } from '../documents/pdf/sample-report.js';
import { appendIncrementalUpdate, loadForUpdate, pdfDate, type PdfSigner, pdfTextString, signPdf } from '../documents/pdf/sign.js';

x509.cryptoProvider.set(globalThis.crypto);

type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** RSA 2048, PKCS #1 v1.5 with SHA-256. */
export const RSA_SIGNING: webcrypto.RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
};

const DAY = 86_400_000;
const OID = { country: '2.5.4.6', locality: '2.5.4.7', organization: '2.5.4.10', title: '2.5.4.12', commonName: '2.5.4.3' } as const;

/** A certificate, its DER bytes and its key pair. */
export interface Identity {
  cert: x509.X509Certificate;
  der: Uint8Array;
  keys: CryptoKeyPair;
}

/** A subject as attribute OID → value, in the order written (country first). */
export type CertificateSubject = Record<string, string>;

/** A new RSA key pair (extractable, so the CA can keep it). */
export function newKeys(): Promise<CryptoKeyPair> {
  return globalThis.crypto.subtle.generateKey(RSA_SIGNING, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

/** Names in UTF8String (RFC 5280's DirectoryString), the country code in PrintableString. */
function nameOf(subject: CertificateSubject): x509.Name {
  return new x509.Name(
    Object.entries(subject).map(([oid, value]) => ({ [oid]: [oid === OID.country ? { printableString: value } : { utf8String: value.normalize('NFC') }] })),
  );
}

/** A positive random serial of 16 bytes, as hex. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return bytes.toString('hex');
}

/** Issues a certificate for `keys`, signed by `issuer` (self-signed when absent). */
export async function issueCertificate(options: {
  subject: CertificateSubject;
  keys: CryptoKeyPair;
  issuer?: Identity;
  ca: boolean;
  notBefore: Date;
  notAfter: Date;
  serial?: string;
  /** Key usage flags (x509.KeyUsageFlags), replacing the default for a CA or a signer (tests of refused usages). */
  keyUsage?: number;
}): Promise<Identity> {
  const { subject, keys, issuer, ca } = options;
  const signingKeys = issuer?.keys ?? keys;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(ca, undefined, true),
    new x509.KeyUsagesExtension(
      options.keyUsage ??
        (ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation),
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(signingKeys.publicKey),
  ];
  const subjectName = nameOf(subject);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: options.serial ?? randomSerial(),
    subject: subjectName,
    // The issuer's own encoded name, byte for byte, so that chains build by name.
    issuer: issuer ? new x509.Name(issuer.cert.subjectName.toArrayBuffer()) : subjectName,
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    signingAlgorithm: RSA_SIGNING,
    publicKey: keys.publicKey,
    signingKey: signingKeys.privateKey,
    extensions,
  });
  return { cert, der: new Uint8Array(cert.rawData), keys };
}

/** A CRL signed by `issuer` listing the given serials (hex) as revoked (DER). */
export async function issueCrl(
  issuer: Identity,
  revoked: readonly { serial: string; at: Date; reason?: x509.X509CrlReason }[],
  validity: { thisUpdate: Date; nextUpdate: Date },
): Promise<Uint8Array> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: new x509.Name(issuer.cert.subjectName.toArrayBuffer()),
    thisUpdate: validity.thisUpdate,
    nextUpdate: validity.nextUpdate,
    // With a reason, each entry has extensions: @peculiar/x509 otherwise writes an empty SEQUENCE that pkijs refuses.
    entries: revoked.map((r) => ({ serialNumber: r.serial, revocationDate: r.at, reason: r.reason ?? x509.X509CrlReason.unspecified })),
    signingAlgorithm: RSA_SIGNING,
    signingKey: issuer.keys.privateKey,
  });
  return new Uint8Array(crl.rawData);
}

/** The signer of sign.ts for an identity, with the certificates to embed after it. */
export function pdfSignerOf(identity: Identity, chain: readonly Identity[] = []): PdfSigner {
  return { certificate: identity.der, chain: chain.map((c) => c.der), privateKey: identity.keys.privateKey };
}

const PROVINCE = 'Thừa Thiên Huế';

/** A leader's certificate subject: C = VN, L = the province, O = the unit, T = the office, CN = the name. */
export function leaderSubject(unit: Unit, person: { name: string; office: string }): CertificateSubject {
  return { [OID.country]: 'VN', [OID.locality]: PROVINCE, [OID.organization]: unit.name, [OID.title]: person.office, [OID.commonName]: person.name };
}

/** The unit's own certificate subject (the văn thư signs with it on issuance): CN = O = the unit. */
export function organisationSubject(unit: Unit): CertificateSubject {
  return { [OID.country]: 'VN', [OID.locality]: PROVINCE, [OID.organization]: unit.name, [OID.commonName]: unit.name };
}

/** Names of the demo CA: they say it is a test CA, never to be used for real. */
export const DEMO_CA_NAMES = Object.freeze({
  organization: 'Hệ thống báo cáo CCHC — chứng thực thử nghiệm',
  root: 'CA gốc thử nghiệm của hệ thống — không dùng thật',
  intermediate: 'CA thử nghiệm cấp chứng thư cho các đơn vị — không dùng thật',
});

/** The demo CA's validity: wide, so that any virtual clock the stack plays (2021 and later) falls inside it. */
const CA_VALIDITY = { notBefore: new Date('2000-01-01T00:00:00Z'), notAfter: new Date('2049-12-31T23:59:59Z') };
const POOL_SIZE = 4;

const FILES = {
  root: 'root.cer',
  rootKey: 'root.key.pem',
  intermediate: 'intermediate.cer',
  intermediateKey: 'intermediate.key.pem',
  holderKeys: 'holder-keys.pem',
  rootCrl: 'root.crl',
  intermediateCrl: 'intermediate.crl',
  readme: 'README.txt',
} as const;

/** The names the demo CA's certificates and CRLs take in a trust folder. */
export const DEMO_TRUST_FILES = Object.freeze({
  anchor: join('anchors', 'demo-root.cer'),
  intermediate: join('intermediates', 'demo-intermediate.cer'),
  rootCrl: join('crls', 'demo-root.crl'),
  intermediateCrl: join('crls', 'demo-intermediate.crl'),
});

const README = `Demo CA of the CCHC report pipeline's local stack (made at first start of this data folder).

root.cer, intermediate.cer     the demo root and intermediate (DER); the local trust folder
                               (<data dir>/trust) trusts the root
*.key.pem, holder-keys.pem     their private keys and the keys of the certificates issued to demo
                               leaders and units (PKCS #8)
root.crl, intermediate.crl     empty revocation lists, so revocation is checked too

Local only: nothing deployed trusts this CA and it is no credential of the product. Do not copy its
root into a real trust folder (-c trustDir=...). Delete this folder to make a new CA at the next start.
`;

/** The demo CA, opened from (or made in) its folder. */
export interface DemoCa {
  dir: string;
  root: Identity;
  intermediate: Identity;
  /** Made by this call (false: found in the folder). */
  created: boolean;
  /** The root's SHA-256 fingerprint (hex), for logs. */
  fingerprint: string;
  /** A certificate for one of the unit's leaders (or anyone named, for wrong-signer demos), valid at `at`. */
  leaderCertificate(unit: Unit, person: { name: string; office: string }, at: Date): Promise<Identity>;
  /** The unit's own certificate (the organisation signature), valid at `at`. */
  organisationCertificate(unit: Unit, at: Date): Promise<Identity>;
  /** Writes the root, the intermediate and the CRLs into a trust folder (anchors/, intermediates/, crls/). */
  installTrust(trustDir: string): Promise<void>;
}

async function writePrivate(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
}

function pem(label: string, der: ArrayBuffer | Uint8Array): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

function pemBlocks(text: string, label: string): Uint8Array[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...text.matchAll(re)].map((m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
}

async function exportPrivate(keys: CryptoKeyPair): Promise<string> {
  return pem('PRIVATE KEY', await globalThis.crypto.subtle.exportKey('pkcs8', keys.privateKey));
}

/** A key pair from its PKCS #8 private key (the public half rebuilt from the private key's modulus and exponent). */
async function importPair(pkcs8: Uint8Array): Promise<CryptoKeyPair> {
  const subtle = globalThis.crypto.subtle;
  const privateKey = await subtle.importKey('pkcs8', pkcs8, RSA_SIGNING, true, ['sign']);
  const jwk = await subtle.exportKey('jwk', privateKey);
  const publicKey = await subtle.importKey('jwk', { kty: 'RSA', n: jwk.n, e: jwk.e, ext: true }, RSA_SIGNING, true, ['verify']);
  return { privateKey, publicKey };
}

/** Makes a new demo CA in `dir` (which must not exist yet). */
async function createInto(dir: string): Promise<void> {
  const [rootKeys, intermediateKeys, ...pool] = await Promise.all(Array.from({ length: 2 + POOL_SIZE }, () => newKeys()));
  const root = await issueCertificate({
    subject: { [OID.country]: 'VN', [OID.organization]: DEMO_CA_NAMES.organization, [OID.commonName]: DEMO_CA_NAMES.root },
    keys: rootKeys!,
    ca: true,
    ...CA_VALIDITY,
  });
  const intermediate = await issueCertificate({
    subject: { [OID.country]: 'VN', [OID.organization]: DEMO_CA_NAMES.organization, [OID.commonName]: DEMO_CA_NAMES.intermediate },
    keys: intermediateKeys!,
    issuer: root,
    ca: true,
    ...CA_VALIDITY,
  });
  // Empty CRLs: the demo CA revokes nothing, and says so, so that revocation is checked rather than skipped.
  const validity = { thisUpdate: new Date(), nextUpdate: CA_VALIDITY.notAfter };
  const [rootCrl, intermediateCrl] = await Promise.all([issueCrl(root, [], validity), issueCrl(intermediate, [], validity)]);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, FILES.root), root.der);
  await writeFile(join(dir, FILES.intermediate), intermediate.der);
  await writeFile(join(dir, FILES.rootCrl), rootCrl);
  await writeFile(join(dir, FILES.intermediateCrl), intermediateCrl);
  await writePrivate(join(dir, FILES.rootKey), await exportPrivate(root.keys));
  await writePrivate(join(dir, FILES.intermediateKey), await exportPrivate(intermediate.keys));
  await writePrivate(join(dir, FILES.holderKeys), (await Promise.all(pool.map((k) => exportPrivate(k)))).join(''));
  await writeFile(join(dir, FILES.readme), README);
}

async function readIdentity(dir: string, cert: string, key: string): Promise<Identity> {
  const der = new Uint8Array(await readFile(join(dir, cert)));
  const keys = await importPair(pemBlocks(await readFile(join(dir, key), 'utf8'), 'PRIVATE KEY')[0]!);
  return { cert: new x509.X509Certificate(der), der, keys };
}

/** A small deterministic number from a holder's name (FNV-1a): which pooled key the holder gets. */
function poolIndex(id: string): number {
  let h = 0x811c9dc5;
  for (const ch of id) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193) >>> 0;
  return h % POOL_SIZE;
}

/**
 * Opens the demo CA kept in `dir`, making it first when the folder does not exist. Made in a
 * temporary sibling folder and renamed into place, so two processes starting at once end up with
 * one CA (the second opens the first's).
 */
export async function openDemoCa(dir: string): Promise<DemoCa> {
  let created = false;
  try {
    await readFile(join(dir, FILES.root));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dirname(dir), { recursive: true });
    const temporary = `${dir}.making-${process.pid}-${randomBytes(4).toString('hex')}`;
    await createInto(temporary);
    try {
      await rename(temporary, dir);
      created = true;
    } catch (renameErr) {
      const code = (renameErr as NodeJS.ErrnoException).code;
      // Another process made it first: keep theirs, drop this process's own unused copy.
      await rm(temporary, { recursive: true, force: true });
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw renameErr;
    }
  }
  const [root, intermediate, holderText] = await Promise.all([
    readIdentity(dir, FILES.root, FILES.rootKey),
    readIdentity(dir, FILES.intermediate, FILES.intermediateKey),
    readFile(join(dir, FILES.holderKeys), 'utf8'),
  ]);
  const pool = await Promise.all(pemBlocks(holderText, 'PRIVATE KEY').map((der) => importPair(der)));
  if (pool.length === 0) throw new Error(`The demo CA in ${dir} has no holder keys (${FILES.holderKeys})`);
  const fingerprint = Buffer.from(await root.cert.getThumbprint('SHA-256')).toString('hex');
  const issued = new Map<string, Identity>();

  const issueFor = async (id: string, subject: CertificateSubject, at: Date): Promise<Identity> => {
    const known = issued.get(id);
    if (known && known.cert.notBefore <= at && at <= known.cert.notAfter) return known;
    // Valid a year before and two after the signing time, within the CA's own validity.
    const notBefore = new Date(Math.max(at.getTime() - 365 * DAY, CA_VALIDITY.notBefore.getTime()));
    const notAfter = new Date(Math.min(at.getTime() + 730 * DAY, CA_VALIDITY.notAfter.getTime()));
    const identity = await issueCertificate({ subject, keys: pool[poolIndex(id) % pool.length]!, issuer: intermediate, ca: false, notBefore, notAfter });
    issued.set(id, identity);
    return identity;
  };

  return {
    dir,
    root,
    intermediate,
    created,
    fingerprint,
    leaderCertificate: (unit, person, at) => issueFor(`leader|${unit.code}|${person.name.normalize('NFC')}|${person.office}`, leaderSubject(unit, person), at),
    organisationCertificate: (unit, at) => issueFor(`organisation|${unit.code}`, organisationSubject(unit), at),
    installTrust: (trustDir) => installTrust(dir, trustDir),
  };
}

/**
 * Copies the demo root, intermediate and CRLs into a trust folder. A file of the same name with other
 * content (a demo CA made earlier) is kept beside, renamed, never deleted.
 */
async function installTrust(caDir: string, trustDir: string): Promise<void> {
  const copies: [string, string][] = [
    [FILES.root, DEMO_TRUST_FILES.anchor],
    [FILES.intermediate, DEMO_TRUST_FILES.intermediate],
    [FILES.rootCrl, DEMO_TRUST_FILES.rootCrl],
    [FILES.intermediateCrl, DEMO_TRUST_FILES.intermediateCrl],
  ];
  for (const [from, to] of copies) {
    const source = join(caDir, from);
    const target = join(trustDir, to);
    await mkdir(dirname(target), { recursive: true });
    const existing = await readFile(target).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    const wanted = await readFile(source);
    if (existing?.equals(wanted)) continue;
    if (existing) await rename(target, target.replace(/(\.\w+)$/, `.replaced-${Date.now()}$1`));
    await copyFile(source, target);
  }
}

/** What a signed sample report is made of; every field but the slot and the time has a default. */
export interface SignedSampleRequest {
  unitCode: string;
  periodId: string;
  /** When the organisation signs (the last signature); the leader signs an hour earlier. */
  at: Date;
  /** The report's content (default: the sample submission, with the leader as its typed signer). */
  submission?: Submission;
  /** Who signs as the leader (default: the signer the submission names, else the unit's head that day); null: nobody. */
  leader?: { name: string; office: string } | null;
  /** Whether the unit's own signature follows the leader's (default: yes). */
  organisation?: boolean;
  /** Opened and saved again after signing (an unsigned incremental update, which the verifier flags). */
  resavedAfterSigning?: boolean;
}

const HOUR = 3_600_000;

/**
 * A sample report PDF signed with the demo CA: written (documents/pdf/sample-report), signed by the
 * leader (adbe.pkcs7.detached), then by the unit (ETSI.CAdES.detached), as a leader and the văn thư do.
 */
export async function signedSampleReport(ca: DemoCa, request: SignedSampleRequest, units: readonly Unit[] = defaultUnits): Promise<Uint8Array> {
  const unit = findUnit(request.unitCode, units);
  const leaderAt = new Date(request.at.getTime() - HOUR);
  const head = sampleSigner(unit.code, localDateOf(leaderAt));
  const typed = request.submission?.signature;
  const named = typed?.signerName ? { name: typed.signerName, office: typed.signerTitle ?? unit.headTitle } : head;
  const leader = request.leader === undefined ? named : request.leader;
  const submission =
    request.submission ??
    sampleSubmission(unit.code, request.periodId, {
      asOf: leaderAt,
      signer: leader ? { name: leader.name, office: leader.office, role: leader.office === head.office ? head.role : 'deputy' } : head,
    });
  let pdf = await writeSampleReport({ submission, units });
  const chain = [ca.intermediate];
  if (leader) {
    const identity = await ca.leaderCertificate(unit, leader, leaderAt);
    pdf = await signPdf(pdf, pdfSignerOf(identity, chain), {
      signingTime: leaderAt,
      reason: 'Ký ban hành văn bản',
      location: PROVINCE,
    });
  }
  if (request.organisation ?? true) {
    const identity = await ca.organisationCertificate(unit, request.at);
    pdf = await signPdf(pdf, pdfSignerOf(identity, chain), {
      subFilter: 'ETSI.CAdES.detached',
      signingTime: request.at,
      reason: 'Phát hành văn bản',
      location: PROVINCE,
    });
  }
  return request.resavedAfterSigning ? resaved(pdf, new Date(request.at.getTime() + HOUR)) : pdf;
}

/** The PDF opened and saved again: an incremental update that changes its document information (title, date). */
async function resaved(pdf: Uint8Array, at: Date): Promise<Uint8Array> {
  const { doc, base } = await loadForUpdate(pdf);
  const info = doc.context.trailerInfo.Info;
  if (!(info instanceof PDFRef)) throw new Error('the sample report has no document information');
  const title = `${doc.getTitle() ?? 'Báo cáo'} (đã sửa)`;
  const body = `<< /Title ${pdfTextString(title)} /ModDate (${pdfDate(at)}) >>`;
  return appendIncrementalUpdate(pdf, base, [{ number: info.objectNumber, generation: info.generationNumber, body }]).bytes;
}

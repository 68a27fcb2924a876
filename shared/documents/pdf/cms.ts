/**
 * CMS SignedData verification of one PDF signature with pkijs over Node's WebCrypto: the message
 * digest against the signed bytes, the signature value against the signer's certificate, the chain to
 * the configured anchors at the signing time, and revocation from the CRLs given.
 *
 * pkijs pitfalls handled here: `SignedData.verify` defaults to signer -1 and throws rather than
 * returning false, verifies against an embedded eContent instead of the detached data when one is
 * present (so eContent is refused), folds every chain failure into one code, and its chain engine takes
 * the last certificate as the leaf after removing duplicates (so the signer is never passed twice).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { DETAIL } from './findings.js';

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  title: '2.5.4.12',
} as const;

/** Calls of the issuer search allowed per chain: certificates inside a CMS are the signer's to choose. */
const MAX_ISSUER_SEARCHES = 64;
/** Certificates accepted inside one CMS. */
const MAX_CMS_CERTIFICATES = 16;

let engine: pkijs.CryptoEngine | null = null;

/** The pkijs engine over `globalThis.crypto`, set once for the process. */
export function cryptoEngine(): pkijs.CryptoEngine {
  if (engine === null) {
    engine = new pkijs.CryptoEngine({ name: 'webcrypto', crypto: globalThis.crypto as unknown as pkijs.CryptoEngineParameters['crypto'] });
    pkijs.setEngine('webcrypto', engine);
  }
  return engine;
}

/** A parsed CMS signature ready to be checked. */
export interface ParsedCms {
  signedData: pkijs.SignedData;
  signerInfo: pkijs.SignerInfo;
  signerCert: pkijs.Certificate;
}

/** Parses DER bytes (trailing zero padding allowed) as a detached SignedData with one signer. */
export function parseCms(der: Uint8Array): ParsedCms | { problem: string } {
  try {
    const asn1 = asn1js.fromBER(der);
    if (asn1.offset === -1 || der.subarray(asn1.offset).some((b) => b !== 0)) return { problem: DETAIL.cmsUnreadable };
    const info = new pkijs.ContentInfo({ schema: asn1.result });
    if (info.contentType !== OID.signedData) return { problem: DETAIL.cmsUnreadable };
    const signedData = new pkijs.SignedData({ schema: info.content });
    if (signedData.signerInfos.length !== 1) return { problem: DETAIL.cmsUnreadable };
    if (signedData.encapContentInfo.eContent !== undefined || signedData.encapContentInfo.eContentType !== OID.data) return { problem: DETAIL.cmsNotDetached };
    if ((signedData.certificates?.length ?? 0) > MAX_CMS_CERTIFICATES) return { problem: DETAIL.cmsUnreadable };
    const signerInfo = signedData.signerInfos[0]!;
    const signerCert = findSignerCertificate(signedData, signerInfo);
    if (signerCert === null) return { problem: DETAIL.signerMissing };
    return { signedData, signerInfo, signerCert };
  } catch {
    return { problem: DETAIL.cmsUnreadable };
  }
}

function certificatesOf(signedData: pkijs.SignedData): pkijs.Certificate[] {
  return (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
}

function findSignerCertificate(signedData: pkijs.SignedData, signerInfo: pkijs.SignerInfo): pkijs.Certificate | null {
  const sid = signerInfo.sid;
  if (!(sid instanceof pkijs.IssuerAndSerialNumber)) return findBySubjectKeyIdentifier(certificatesOf(signedData), sid);
  return certificatesOf(signedData).find((c) => c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber)) ?? null;
}

function findBySubjectKeyIdentifier(certificates: pkijs.Certificate[], sid: unknown): pkijs.Certificate | null {
  if (!(sid instanceof asn1js.Constructed || sid instanceof asn1js.Primitive)) return null;
  const wanted =
    sid instanceof asn1js.Constructed ? (sid.valueBlock.value[0] as asn1js.OctetString | undefined)?.valueBlock.valueHexView : sid.valueBlock.valueHexView;
  if (wanted === undefined) return null;
  const hex = Buffer.from(wanted).toString('hex');
  for (const certificate of certificates) {
    const ski = certificate.extensions?.find((e) => e.extnID === '2.5.29.14')?.parsedValue as asn1js.OctetString | undefined;
    if (ski && Buffer.from(ski.valueBlock.valueHexView).toString('hex') === hex) return certificate;
  }
  return null;
}

/** Whether the messageDigest attribute (one, with one value) equals the digest of the signed bytes. */
export async function checkMessageDigest(parsed: ParsedCms, data: Uint8Array): Promise<boolean | 'unsupported'> {
  const crypto = cryptoEngine();
  const hash = crypto.getAlgorithmByOID(parsed.signerInfo.digestAlgorithm.algorithmId) as { name?: string };
  if (!hash.name) return 'unsupported';
  const attributes = parsed.signerInfo.signedAttrs?.attributes;
  if (attributes === undefined) return 'unsupported';
  const digests = attributes.filter((a) => a.type === OID.messageDigest);
  if (digests.length !== 1 || digests[0]!.values.length !== 1 || !attributes.some((a) => a.type === OID.contentType)) return false;
  const declared = digests[0]!.values[0] as asn1js.OctetString;
  if (!(declared instanceof asn1js.OctetString)) return false;
  const actual = new Uint8Array(await crypto.digest({ name: hash.name }, ownBuffer(data)));
  return Buffer.from(actual).equals(Buffer.from(declared.valueBlock.valueHexView));
}

/** Whether the signature value verifies over the signed attributes with the signer's public key. */
export async function checkSignatureValue(parsed: ParsedCms): Promise<boolean> {
  const crypto = cryptoEngine();
  const { signerInfo, signerCert } = parsed;
  if (signerInfo.signedAttrs === undefined) return false;
  try {
    const hash = crypto.getAlgorithmByOID(signerInfo.digestAlgorithm.algorithmId) as { name?: string };
    if (!hash.name) return false;
    return await crypto.verifyWithPublicKey(
      signerInfo.signedAttrs.encodedValue,
      signerInfo.signature,
      signerCert.subjectPublicKeyInfo,
      signerInfo.signatureAlgorithm,
      hash.name,
    );
  } catch {
    return false;
  }
}

/** The signingTime signed attribute, if present and readable. */
export function signingTimeOf(parsed: ParsedCms): Date | null {
  const attribute = parsed.signerInfo.signedAttrs?.attributes.find((a) => a.type === OID.signingTime);
  const value = attribute?.values[0];
  if (value instanceof asn1js.UTCTime || value instanceof asn1js.GeneralizedTime) {
    const date = value.toDate();
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}

/** The signer's identity as printed in the certificate (NFC). */
export interface SignerIdentity {
  commonName: string | null;
  organization: string | null;
  organizationalUnit: string | null;
  title: string | null;
  serialNumber: string | null;
  issuerCommonName: string | null;
}

function attributeOf(name: pkijs.RelativeDistinguishedNames, oid: string): string | null {
  const values = name.typesAndValues.filter((t) => t.type === oid).map((t) => String(t.value.valueBlock.value ?? ''));
  return values.length === 0 ? null : values.join(', ').normalize('NFC');
}

/** Subject CN, O, OU and title, the certificate serial (upper-case hex) and the issuer's CN. */
export function identityOf(certificate: pkijs.Certificate): SignerIdentity {
  return {
    commonName: attributeOf(certificate.subject, OID.commonName),
    organization: attributeOf(certificate.subject, OID.organization),
    organizationalUnit: attributeOf(certificate.subject, OID.organizationalUnit),
    title: attributeOf(certificate.subject, OID.title),
    serialNumber: Buffer.from(certificate.serialNumber.valueBlock.valueHexView).toString('hex').toUpperCase(),
    issuerCommonName: attributeOf(certificate.issuer, OID.commonName),
  };
}

/**
 * Whether the certificate's key usage allows signing documents: digitalSignature or nonRepudiation
 * (RFC 5280 §4.2.1.3; ETSI EN 319 412-2 asks nonRepudiation of a signature certificate). A
 * certificate without the extension is not restricted by it.
 */
export function keyUsageAllowsSigning(certificate: pkijs.Certificate): boolean {
  const ext = certificate.extensions?.find((e) => e.extnID === '2.5.29.15');
  if (!ext) return true;
  const bits = ext.parsedValue;
  if (!(bits instanceof asn1js.BitString)) return false;
  const first = new Uint8Array(bits.valueBlock.valueHexView)[0] ?? 0;
  return (first & 0xc0) !== 0;
}

export type ChainStatus = 'trusted' | 'untrusted' | 'expired' | 'not-yet-valid';

/** Builds and validates the signer's chain to the anchors at `at`; gives the path (leaf first) when trusted. */
export async function checkChain(
  parsed: ParsedCms,
  anchors: pkijs.Certificate[],
  intermediates: pkijs.Certificate[],
  at: Date,
): Promise<{ status: ChainStatus; path: pkijs.Certificate[] }> {
  if (anchors.length === 0) return { status: 'untrusted', path: [] };
  const signer = parsed.signerCert;
  const pool = dedupe([...intermediates, ...certificatesOf(parsed.signedData)]).filter((c) => !sameCertificate(c, signer));
  let searches = 0;
  const chainEngine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: anchors,
    certs: [...pool, signer],
    checkDate: at,
    findIssuer: async (certificate, validation, crypto) => {
      if (++searches > MAX_ISSUER_SEARCHES) return [];
      return validation.defaultFindIssuer(certificate, validation, crypto);
    },
  });
  try {
    const result = await chainEngine.verify({}, cryptoEngine());
    const path = result.certificatePath ?? [];
    if (result.result && path.length > 0 && sameCertificate(path[0]!, signer)) return { status: 'trusted', path };
    if (result.resultCode === 8) return { status: validityAt(signer, [...pool, ...anchors], at), path: [] };
    return { status: 'untrusted', path: [] };
  } catch {
    return { status: 'untrusted', path: [] };
  }
}

/** Which of the certificates up the issuer names is out of its validity at `at`. */
function validityAt(leaf: pkijs.Certificate, pool: pkijs.Certificate[], at: Date): ChainStatus {
  let current: pkijs.Certificate | undefined = leaf;
  for (let depth = 0; current !== undefined && depth <= pool.length; depth++) {
    if (current.notAfter.value < at) return 'expired';
    if (current.notBefore.value > at) return 'not-yet-valid';
    const issuerName: pkijs.RelativeDistinguishedNames = current.issuer;
    if (current.subject.isEqual(issuerName)) break;
    current = pool.find((c) => c.subject.isEqual(issuerName));
  }
  return 'untrusted';
}

function sameCertificate(a: pkijs.Certificate, b: pkijs.Certificate): boolean {
  return Buffer.from(a.tbsView).equals(Buffer.from(b.tbsView));
}

function dedupe(certificates: pkijs.Certificate[]): pkijs.Certificate[] {
  return certificates.filter((c, i) => certificates.findIndex((d) => sameCertificate(c, d)) === i);
}

export type RevocationStatus = 'good' | 'revoked' | 'not-checked';

/** Revocation of each certificate of a trusted path but its anchor, from CRLs its issuer signed. */
export async function checkRevocation(path: pkijs.Certificate[], crls: pkijs.CertificateRevocationList[]): Promise<RevocationStatus> {
  if (path.length < 2 || crls.length === 0) return 'not-checked';
  let covered = 0;
  for (let i = 0; i < path.length - 1; i++) {
    const certificate = path[i]!;
    const issuer = path[i + 1]!;
    const verified = await crlsSignedBy(crls, issuer, certificate);
    if (verified.some((crl) => crl.isCertificateRevoked(certificate))) return 'revoked';
    if (verified.length > 0) covered++;
  }
  return covered === path.length - 1 ? 'good' : 'not-checked';
}

async function crlsSignedBy(crls: pkijs.CertificateRevocationList[], issuer: pkijs.Certificate, subject: pkijs.Certificate) {
  const verified: pkijs.CertificateRevocationList[] = [];
  for (const crl of crls) {
    if (!crl.issuer.isEqual(subject.issuer)) continue;
    try {
      if (await crl.verify({ issuerCertificate: issuer }, cryptoEngine())) verified.push(crl);
    } catch {
      // A CRL that does not verify says nothing.
    }
  }
  return verified;
}

/** CRLs embedded in the CMS itself (they count only if the issuer's key verifies them). */
export function embeddedCrls(parsed: ParsedCms): pkijs.CertificateRevocationList[] {
  return (parsed.signedData.crls ?? []).filter((c): c is pkijs.CertificateRevocationList => c instanceof pkijs.CertificateRevocationList);
}

/** Parses DER certificates; unreadable ones are left out. */
export function parseCertificates(ders: readonly Uint8Array[]): pkijs.Certificate[] {
  return ders.flatMap((der) => {
    try {
      return [pkijs.Certificate.fromBER(ownBuffer(der))];
    } catch {
      return [];
    }
  });
}

/** Parses DER CRLs; unreadable ones are left out. */
export function parseCrls(ders: readonly Uint8Array[]): pkijs.CertificateRevocationList[] {
  return ders.flatMap((der) => {
    try {
      return [pkijs.CertificateRevocationList.fromBER(ownBuffer(der))];
    } catch {
      return [];
    }
  });
}

/** The bytes in an ArrayBuffer of their own (WebCrypto and asn1js take ArrayBuffer views, not shared memory). */
function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/**
 * Verifies the digital signatures of a signed report PDF (letter 1588/SNV-CCHC: "do lãnh đạo cơ quan,
 * đơn vị ký ban hành"). Pure: bytes and trust settings in, one result out; never throws on input.
 */
import type * as pkijs from 'pkijs';
import type { Finding } from '../../domain/types.js';
import {
  checkChain,
  checkMessageDigest,
  checkRevocation,
  checkSignatureValue,
  embeddedCrls,
  identityOf,
  keyUsageAllowsSigning,
  parseCertificates,
  parseCms,
  parseCrls,
  type ChainStatus,
  type RevocationStatus,
  type SignerIdentity,
  signingTimeOf,
} from './cms.js';
import { DETAIL, fileFindings, signatureFindings } from './findings.js';
import { type RawSignature, scanPdf } from './scan.js';
import { type ByteRange, checkStructure, signedBytes } from './structure.js';

export { PDF_FINDING_CODES, type PdfFindingCode } from './findings.js';
export { MAX_CONTENTS_HEX, MAX_SIGNATURES } from './scan.js';

/** The SubFilters verified: a detached CMS over the byte range. */
export const SUPPORTED_SUBFILTERS = ['adbe.pkcs7.detached', 'ETSI.CAdES.detached'] as const;

/** What was found about one signature, in file order. */
export interface PdfSignatureCheck {
  index: number;
  subFilter: string | null;
  byteRange: ByteRange | null;
  /** The signed range ends at the end of the file. */
  coversWholeFile: boolean;
  digestValid: boolean;
  signatureValid: boolean;
  chain: ChainStatus;
  revocation: RevocationStatus;
  signer: SignerIdentity | null;
  /** ISO 8601: the signingTime attribute, else the dictionary's /M. */
  signingTime: string | null;
}

/** Every signature's check and the findings for the official. */
export interface PdfVerification {
  signatures: PdfSignatureCheck[];
  findings: Finding[];
}

/** Trust settings: DER certificates of the anchors (roots), optional intermediates and CRLs. */
export interface TrustConfig {
  anchors: Uint8Array[];
  intermediates?: Uint8Array[];
  crls?: Uint8Array[];
}

interface ParsedTrust {
  anchors: pkijs.Certificate[];
  intermediates: pkijs.Certificate[];
  crls: pkijs.CertificateRevocationList[];
}

/** Verifies every signature of a PDF against the trust settings; hostile input gives findings, not errors. */
export async function verifyPdfSignatures(bytes: Uint8Array, trust: TrustConfig): Promise<PdfVerification> {
  try {
    return await verifyScanned(bytes, trust);
  } catch {
    return { signatures: [], findings: [fileFindings.unreadable()] };
  }
}

async function verifyScanned(bytes: Uint8Array, trust: TrustConfig): Promise<PdfVerification> {
  const scan = scanPdf(bytes);
  if (!scan.hasHeader) return { signatures: [], findings: [fileFindings.notPdf()] };
  if (scan.tooManySignatures) return { signatures: [], findings: [fileFindings.tooManySignatures()] };
  const findings: Finding[] = [];
  if (!endsWithRevision(bytes, scan.revisionEnds)) findings.push(fileFindings.unreadable());
  if (scan.signatures.length === 0) return { signatures: [], findings: [...findings, fileFindings.noSignature()] };
  const parsedTrust: ParsedTrust = {
    anchors: parseCertificates(trust.anchors),
    intermediates: parseCertificates(trust.intermediates ?? []),
    crls: parseCrls(trust.crls ?? []),
  };
  const signatures: PdfSignatureCheck[] = [];
  for (const [index, raw] of scan.signatures.entries()) {
    const checked = await checkOneSignature(bytes, raw, index, parsedTrust);
    signatures.push(checked.check);
    findings.push(...checked.findings);
  }
  findings.push(...changesAfterSigning(bytes.length, signatures, scan.revisionEnds));
  return { signatures, findings };
}

/** The file ends with a revision (`%%EOF`), up to trailing whitespace. */
function endsWithRevision(bytes: Uint8Array, revisionEnds: number[]): boolean {
  const last = revisionEnds.at(-1);
  if (last === undefined) return false;
  for (let i = last; i < bytes.length; i++) if (![0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20].includes(bytes[i]!)) return false;
  return true;
}

/** Incremental saving and shadow attacks: bytes beyond the furthest valid signature are unsigned changes. */
function changesAfterSigning(fileLength: number, signatures: PdfSignatureCheck[], revisionEnds: number[]): Finding[] {
  const valid = signatures.filter((s) => s.byteRange !== null && s.digestValid && s.signatureValid);
  if (valid.length === 0) return [];
  const coveredEnd = Math.max(...valid.map((s) => s.byteRange![2] + s.byteRange![3]));
  if (coveredEnd >= fileLength) return [];
  const addedRevisions = revisionEnds.filter((end) => end > coveredEnd).length;
  return [fileFindings.changedAfterSigning(fileLength - coveredEnd, addedRevisions)];
}

function emptyCheck(index: number, raw: RawSignature, byteRange: ByteRange | null, fileLength: number): PdfSignatureCheck {
  return {
    index,
    subFilter: raw.subFilter,
    byteRange,
    coversWholeFile: byteRange !== null && byteRange[2] + byteRange[3] === fileLength,
    digestValid: false,
    signatureValid: false,
    chain: 'untrusted',
    revocation: 'not-checked',
    signer: null,
    signingTime: parsePdfDate(raw.signingTimeText)?.toISOString() ?? null,
  };
}

async function checkOneSignature(
  bytes: Uint8Array,
  raw: RawSignature,
  index: number,
  trust: ParsedTrust,
): Promise<{ check: PdfSignatureCheck; findings: Finding[] }> {
  const structure = checkStructure(raw, index, bytes);
  if ('finding' in structure) return { check: emptyCheck(index, raw, structure.byteRange, bytes.length), findings: [structure.finding] };
  const { byteRange, der } = structure.sound;
  const check = emptyCheck(index, raw, byteRange, bytes.length);
  if (!(SUPPORTED_SUBFILTERS as readonly (string | null)[]).includes(raw.subFilter)) {
    return { check, findings: [signatureFindings.subFilterUnsupported(index, raw.subFilter)] };
  }
  const parsed = parseCms(der);
  if ('problem' in parsed) return { check, findings: [signatureFindings.broken(index, parsed.problem)] };
  check.signer = identityOf(parsed.signerCert);
  const name = check.signer.commonName;
  const digest = await checkMessageDigest(parsed, signedBytes(bytes, byteRange));
  check.digestValid = digest === true;
  check.signatureValid = await checkSignatureValue(parsed);
  const signedAt = signingTimeOf(parsed) ?? parsePdfDate(raw.signingTimeText);
  check.signingTime = signedAt?.toISOString() ?? null;
  const findings: Finding[] = [];
  if (digest === 'unsupported') findings.push(signatureFindings.broken(index, DETAIL.algorithmUnsupported, name));
  else if (!check.digestValid) findings.push(signatureFindings.broken(index, DETAIL.digestMismatch, name));
  else if (!check.signatureValid) findings.push(signatureFindings.broken(index, DETAIL.signatureMismatch, name));
  if (!keyUsageAllowsSigning(parsed.signerCert)) findings.push(signatureFindings.wrongUsage(index, name));
  const at = signedAt ?? new Date();
  const chain = await checkChain(parsed, trust.anchors, trust.intermediates, at);
  check.chain = chain.status;
  if (chain.status === 'trusted') {
    check.revocation = await checkRevocation(chain.path, [...trust.crls, ...embeddedCrls(parsed)]);
    if (check.revocation === 'revoked') findings.push(signatureFindings.revoked(index, name));
    if (check.revocation === 'not-checked') findings.push(signatureFindings.revocationNotChecked(index, name));
  } else {
    findings.push(chainFinding(chain.status, index, name, at));
  }
  return { check, findings };
}

function chainFinding(status: Exclude<ChainStatus, 'trusted'>, index: number, name: string | null, at: Date): Finding {
  if (status === 'expired') return signatureFindings.expired(index, name, at);
  if (status === 'not-yet-valid') return signatureFindings.notYetValid(index, name, at);
  return signatureFindings.untrusted(index, name);
}

/** A PDF date (`D:YYYYMMDDHHmmSS+HH'mm'`, fields after the year optional) as a Date, or null. */
export function parsePdfDate(text: string | null): Date | null {
  const m = text?.match(/^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(\d{2})?'?(\d{2})?'?)?$/);
  if (!m) return null;
  const [year, month = '01', day = '01', hour = '00', minute = '00', second = '00'] = m.slice(1, 7);
  const sign = m[7] === '-' ? -1 : 1;
  const offsetMinutes = m[7] && m[7].toUpperCase() !== 'Z' ? sign * (Number(m[8] ?? 0) * 60 + Number(m[9] ?? 0)) : 0;
  const utc = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)) - offsetMinutes * 60_000;
  const date = new Date(utc);
  return Number.isNaN(date.getTime()) ? null : date;
}

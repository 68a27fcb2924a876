import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { PDFDocument, PDFName } from 'pdf-lib';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TrustConfig, verifyPdfSignatures } from '../../shared/documents/pdf/index.js';
import { SAMPLE_NOTICE, writeSampleReport } from '../../shared/documents/pdf/sample-report.js';
import { loadForUpdate, PdfSigningError, prepareSignature, signPdf } from '../../shared/documents/pdf/sign.js';
import { sampleSubmission } from '../../shared/domain/sample-submission.js';
import { findUnit } from '../../shared/domain/units.js';
import { type DemoCa, type Identity, openDemoCa, pdfSignerOf } from '../../shared/runtime/demo-ca.js';
import { loadTrust } from '../../shared/runtime/trust.js';
import { TEST_DEMO_CA_DIR } from '../fixtures/pdf-signing.js';

/**
 * The product's PDF signer (documents/pdf/sign.ts) on the product's sample report: what it writes
 * is accepted by the product's verifier once and twice signed, on a cross-reference table and on a
 * cross-reference stream, with the CMS attributes each SubFilter calls for.
 */

const AT = new Date('2021-03-10T09:00:00+07:00');
const STP = findUnit('STP');

let ca: DemoCa;
let trustDir: string;
let trust: TrustConfig;
let leader: Identity;
let organisation: Identity;
let report: Uint8Array;

const errors = (findings: { severity: string; code: string }[]) => findings.filter((f) => f.severity === 'error').map((f) => f.code);

/** The signed attributes of signature `index` (its CMS read back with pkijs). */
function signedAttributesOf(pdf: Uint8Array, index: number): Map<string, unknown[]> {
  const text = Buffer.from(pdf).toString('latin1');
  const hex = [...text.matchAll(/\/Contents <([0-9A-F]+)>/g)][index]![1]!;
  // The whole padded /Contents: fromBER reads the one DER value and leaves the zero padding after it
  // (stripping trailing "00" would also cut a DER that itself ends in a zero byte).
  const der = Buffer.from(hex, 'hex');
  const asn1 = asn1js.fromBER(new Uint8Array(der));
  if (asn1.offset === -1) throw new Error(`unreadable CMS: ${asn1.result.error}`);
  const signedData = new pkijs.SignedData({ schema: new pkijs.ContentInfo({ schema: asn1.result }).content });
  return new Map(signedData.signerInfos[0]!.signedAttrs!.attributes.map((a) => [a.type, a.values]));
}

beforeAll(async () => {
  ca = await openDemoCa(TEST_DEMO_CA_DIR);
  trustDir = await mkdtemp(join(tmpdir(), 'cchc-sign-trust-'));
  await ca.installTrust(trustDir);
  trust = await loadTrust(trustDir);
  leader = await ca.leaderCertificate(STP, { name: 'Hoàng Văn Hải', office: 'Giám đốc' }, AT);
  organisation = await ca.organisationCertificate(STP, AT);
  report = await writeSampleReport({ submission: sampleSubmission('STP', '2021-Q1', { asOf: AT }) });
}, 120_000);

afterAll(async () => {
  if (trustDir) await rm(trustDir, { recursive: true, force: true });
});

describe('the sample report', () => {
  it('is an A4 PDF marked as a sample, with no signature yet', async () => {
    const doc = await PDFDocument.load(report);
    expect(doc.getPageCount()).toBeGreaterThanOrEqual(1);
    for (const page of doc.getPages()) expect(page.getSize()).toEqual({ width: 595.28, height: 841.89 });
    expect(doc.getTitle()).toBe('Báo cáo kết quả thực hiện công tác cải cách hành chính quý I năm 2021 — Sở Tư pháp (bản mẫu)');
    expect(doc.getSubject()).toBe(SAMPLE_NOTICE);
    expect(errors((await verifyPdfSignatures(report, trust)).findings)).toEqual(['PDF_NO_SIGNATURE']);
  });
});

describe('signPdf', () => {
  let once: Uint8Array;
  let twice: Uint8Array;

  beforeAll(async () => {
    once = await signPdf(report, pdfSignerOf(leader, [ca.intermediate]), { signingTime: AT, reason: 'Ký ban hành văn bản' });
    twice = await signPdf(once, pdfSignerOf(organisation, [ca.intermediate]), {
      subFilter: 'ETSI.CAdES.detached',
      signingTime: new Date(AT.getTime() + 3_600_000),
    });
  });

  it('signed once: one valid, trusted signature over the whole file, the earlier bytes unchanged', async () => {
    expect(Buffer.from(once.subarray(0, report.length)).equals(Buffer.from(report))).toBe(true);
    const result = await verifyPdfSignatures(once, trust);
    expect(result.findings).toEqual([]);
    expect(result.signatures).toHaveLength(1);
    expect(result.signatures[0]).toMatchObject({
      subFilter: 'adbe.pkcs7.detached',
      coversWholeFile: true,
      digestValid: true,
      signatureValid: true,
      chain: 'trusted',
      revocation: 'good',
      signingTime: AT.toISOString(),
    });
    expect(result.signatures[0]!.signer).toMatchObject({ commonName: 'Hoàng Văn Hải', title: 'Giám đốc', organization: 'Sở Tư pháp' });
  });

  it('signed twice (leader, then organisation): both valid, the first one still intact', async () => {
    expect(Buffer.from(twice.subarray(0, once.length)).equals(Buffer.from(once))).toBe(true);
    const result = await verifyPdfSignatures(twice, trust);
    expect(result.findings).toEqual([]);
    expect(result.signatures.map((s) => [s.subFilter, s.coversWholeFile, s.digestValid, s.signatureValid, s.chain])).toEqual([
      ['adbe.pkcs7.detached', false, true, true, 'trusted'],
      ['ETSI.CAdES.detached', true, true, true, 'trusted'],
    ]);
    expect(result.signatures[1]!.signer!.commonName).toBe('Sở Tư pháp');
  });

  it('writes signing-time for adbe.pkcs7.detached; CAdES carries signing-certificate-v2 and states its time in /M only', async () => {
    const pkcs7 = signedAttributesOf(twice, 0);
    expect([...pkcs7.keys()]).toEqual(['1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4', '1.2.840.113549.1.9.5']);
    const cades = signedAttributesOf(twice, 1);
    expect([...cades.keys()]).toEqual(['1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4', '1.2.840.113549.1.9.16.2.47']);
    // ESSCertIDv2: the SHA-256 of the signer's certificate (the default hash, so not named)
    const certs = (cades.get('1.2.840.113549.1.9.16.2.47')![0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    const essCertId = certs.valueBlock.value[0] as asn1js.Sequence;
    const hash = (essCertId.valueBlock.value[0] as asn1js.OctetString).valueBlock.valueHexView;
    const expected = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', organisation.der));
    expect(Buffer.from(hash).equals(Buffer.from(expected))).toBe(true);
    const result = await verifyPdfSignatures(twice, trust);
    expect(result.signatures[1]!.signingTime).toBe(new Date(AT.getTime() + 3_600_000).toISOString());
  });

  it('adds a field to the AcroForm and a widget to the page each time', async () => {
    const doc = await PDFDocument.load(twice);
    const fields = doc.getForm().getFields();
    expect(fields.map((f) => f.getName())).toEqual(['Signature1', 'Signature2']);
    expect(doc.catalog.lookup(PDFName.of('AcroForm'))!.toString()).toContain('/SigFlags 3');
    const last = doc.getPages().at(-1)!;
    expect(last.node.Annots()?.size()).toBe(2);
  });

  it('writes the exact /ByteRange: its one gap is the /Contents hex string, the rest reaches the end of the file', async () => {
    const placeholder = await prepareSignature(report, 'Hoàng Văn Hải', { signingTime: AT });
    const [start, length1, offset2, length2] = placeholder.byteRange;
    expect(start).toBe(0);
    expect(length1).toBe(placeholder.contentsStart);
    expect(offset2).toBe(placeholder.contentsEnd);
    expect(offset2 + length2).toBe(placeholder.bytes.length);
    const gap = Buffer.from(placeholder.bytes.subarray(length1, offset2)).toString('latin1');
    expect(gap).toMatch(/^<0+>$/);
    const written = Buffer.from(placeholder.bytes.subarray(placeholder.byteRangeAt, placeholder.byteRangeAt + placeholder.byteRangeWidth)).toString('latin1');
    expect(written.trim()).toBe(`[${placeholder.byteRange.join(' ')}]`);
  });

  it('extends a PDF whose cross-reference is a stream with a stream, and both signatures verify', async () => {
    const doc = await PDFDocument.load(report);
    const compact = await doc.save({ useObjectStreams: true });
    expect((await loadForUpdate(compact)).base.xrefStream).toBe(true);
    const signed = await signPdf(compact, pdfSignerOf(leader, [ca.intermediate]), { signingTime: AT });
    const both = await signPdf(signed, pdfSignerOf(organisation, [ca.intermediate]), { subFilter: 'ETSI.CAdES.detached', signingTime: AT });
    const text = Buffer.from(both.subarray(compact.length)).toString('latin1');
    expect(text).toContain('/Type /XRef');
    expect(text).not.toMatch(/^xref$/m);
    const result = await verifyPdfSignatures(both, trust);
    expect(result.findings).toEqual([]);
    expect(result.signatures.every((s) => s.digestValid && s.signatureValid && s.chain === 'trusted')).toBe(true);
    expect((await PDFDocument.load(both)).getForm().getFields()).toHaveLength(2);
  });

  it('grows a placeholder too small for the signature', async () => {
    const signed = await signPdf(report, pdfSignerOf(leader, [ca.intermediate]), { signingTime: AT, placeholderHexDigits: 64 });
    const result = await verifyPdfSignatures(signed, trust);
    expect(result.findings).toEqual([]);
  });

  it('refuses what is not a PDF', async () => {
    await expect(signPdf(new Uint8Array(Buffer.from('PK\x03\x04 not a pdf')), pdfSignerOf(leader))).rejects.toBeInstanceOf(PdfSigningError);
  });
});

import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type PdfVerification, type TrustConfig, verifyPdfSignatures } from '../../shared/documents/pdf/index.js';
import {
  appendRevision,
  appendUnsignedChange,
  basePdf,
  issue,
  KeyUsageFlags,
  makeCrl,
  makeTestPki,
  newKeys,
  type PdfDraft,
  signCms,
  signPdf,
  type TestPki,
} from '../fixtures/pdf-signing.js';

/**
 * The PDF signature verifier on PDFs signed in code: valid single and double signatures, both
 * SubFilters, and the known attacks (pdf-insecurity.org): universal signature forgery, incremental
 * saving, signature wrapping, shadow updates; certificate trust, validity and revocation; hostile files.
 */

let pki: TestPki;
let trust: TrustConfig;
let signedOnce: PdfDraft;
let signedTwice: PdfDraft;

const codes = (result: PdfVerification) => result.findings.map((f) => f.code);
const errors = (result: PdfVerification) => result.findings.filter((f) => f.severity === 'error').map((f) => f.code);

beforeAll(async () => {
  pki = await makeTestPki();
  trust = { anchors: [pki.root.der], intermediates: [pki.intermediate.der] };
  signedOnce = await signPdf(basePdf(), pki.leader);
  signedTwice = await signPdf(signedOnce, pki.organisation, { subFilter: 'ETSI.CAdES.detached', chain: [pki.intermediate] });
});

describe('verifyPdfSignatures: valid signatures', () => {
  it('accepts one leader signature and reads the identity', async () => {
    const result = await verifyPdfSignatures(signedOnce.bytes, trust);
    expect(errors(result)).toEqual([]);
    expect(codes(result)).toEqual(['PDF_REVOCATION_NOT_CHECKED']);
    expect(result.signatures).toHaveLength(1);
    const [signature] = result.signatures;
    expect(signature).toMatchObject({
      index: 0,
      subFilter: 'adbe.pkcs7.detached',
      coversWholeFile: true,
      digestValid: true,
      signatureValid: true,
      chain: 'trusted',
      revocation: 'not-checked',
    });
    expect(signature!.byteRange![0]).toBe(0);
    expect(signature!.byteRange![2] + signature!.byteRange![3]).toBe(signedOnce.bytes.length);
    expect(signature!.signer).toEqual({
      commonName: 'Nguyễn Văn An',
      organization: 'Sở Tư pháp tỉnh Thừa Thiên Huế',
      organizationalUnit: null,
      title: 'Giám đốc',
      serialNumber: '1001',
      issuerCommonName: 'CA phục vụ các cơ quan nhà nước (thử nghiệm)',
    });
    expect(Math.abs(Date.parse(signature!.signingTime!) - Date.now())).toBeLessThan(10 * 60_000);
  });

  it('accepts the leader and the organisation (CAdES) signatures, the second as an incremental update', async () => {
    const result = await verifyPdfSignatures(signedTwice.bytes, trust);
    expect(errors(result)).toEqual([]);
    expect(result.signatures.map((s) => [s.subFilter, s.coversWholeFile, s.digestValid, s.signatureValid, s.chain])).toEqual([
      ['adbe.pkcs7.detached', false, true, true, 'trusted'],
      ['ETSI.CAdES.detached', true, true, true, 'trusted'],
    ]);
    expect(result.signatures[1]!.signer).toMatchObject({ commonName: 'Sở Tư pháp tỉnh Thừa Thiên Huế', organizationalUnit: 'Văn phòng' });
  });

  it('reports revocation good with CRLs that do not list the certificates', async () => {
    const crls = [await makeCrl(pki.intermediate, ['9999']), await makeCrl(pki.root, ['9998'])];
    const result = await verifyPdfSignatures(signedOnce.bytes, { ...trust, crls });
    expect(result.signatures[0]!.revocation).toBe('good');
    expect(result.findings).toEqual([]);
  });

  it('uses /M when the CMS has no signingTime', async () => {
    const at = new Date('2026-03-01T02:00:00Z');
    const pdf = await signPdf(basePdf(), pki.leader, { signingTime: null, pdfTime: at });
    const result = await verifyPdfSignatures(pdf.bytes, trust);
    expect(result.signatures[0]!.signingTime).toBe(at.toISOString());
    expect(errors(result)).toEqual([]);
  });
});

describe('verifyPdfSignatures: changed after signing', () => {
  it('finds a byte changed inside the signed range', async () => {
    const bytes = signedOnce.bytes.slice();
    const at = Buffer.from(bytes).indexOf('Bao cao');
    bytes[at] = 'X'.charCodeAt(0);
    const result = await verifyPdfSignatures(bytes, trust);
    expect(result.signatures[0]).toMatchObject({ digestValid: false, signatureValid: true });
    expect(errors(result)).toEqual(['PDF_SIGNATURE_BROKEN']);
    expect(result.findings[0]!.message).toContain('mã băm');
  });

  it('flags an unsigned incremental update after the last signature (incremental saving / shadow attack)', async () => {
    const changed = appendUnsignedChange(signedTwice);
    const result = await verifyPdfSignatures(changed.bytes, trust);
    expect(result.signatures.every((s) => s.digestValid && s.signatureValid && !s.coversWholeFile)).toBe(true);
    expect(errors(result)).toEqual(['PDF_CHANGED_AFTER_SIGNING']);
    const added = changed.bytes.length - signedTwice.bytes.length;
    expect(result.findings.find((f) => f.code === 'PDF_CHANGED_AFTER_SIGNING')!.message).toContain(`${added.toLocaleString('vi-VN')} byte (1 lần lưu bổ sung)`);
  });

  it('flags bytes appended without a revision', async () => {
    const bytes = new Uint8Array(Buffer.concat([signedOnce.bytes, Buffer.from('garbage after signing')]));
    const result = await verifyPdfSignatures(bytes, trust);
    expect(errors(result)).toContain('PDF_CHANGED_AFTER_SIGNING');
  });
});

describe('verifyPdfSignatures: forged structure (universal signature forgery, wrapping)', () => {
  const broken = async (options: Parameters<typeof signPdf>[2]) => verifyPdfSignatures((await signPdf(basePdf(), pki.leader, options)).bytes, trust);

  it('refuses a ByteRange whose gap is not exactly the /Contents string (wrapping)', async () => {
    const result = await broken({ byteRange: ([, a, b, c]) => [0, a + 1, b - 1, c + 1] });
    expect(errors(result)).toEqual(['PDF_BYTERANGE_INVALID']);
    expect(result.findings[0]!.message).toContain('Contents');
    expect(result.signatures[0]!.digestValid).toBe(false);
  });

  it('refuses a ByteRange that moves the signed content (second range shifted)', async () => {
    const result = await broken({ byteRange: ([, a, b, c]) => [0, a, b + 10, c - 10] });
    expect(errors(result)).toEqual(['PDF_BYTERANGE_INVALID']);
  });

  it('refuses a ByteRange not starting at 0', async () => {
    const result = await broken({ byteRange: ([, a, b, c]) => [5, a - 5, b, c] });
    expect(errors(result)).toEqual(['PDF_BYTERANGE_INVALID']);
    expect(result.findings[0]!.message).toContain('không bắt đầu từ đầu tệp');
  });

  it('refuses a ByteRange beyond the end of the file', async () => {
    const result = await broken({ byteRange: ([, a, b, c]) => [0, a, b, c + 100] });
    expect(result.findings[0]!.message).toContain('vượt ra ngoài');
    expect(errors(result)).toEqual(['PDF_BYTERANGE_INVALID']);
  });

  it.each([['[0 null 10 20]'], ['[0 10 20]'], ['[0 10.0 20 30]'], ['[0 -1 20 30]'], ['[0 5 0 R 20 30]']])('refuses the ByteRange %s', async (text) => {
    const result = await broken({ byteRange: () => text });
    expect(errors(result)).toEqual(['PDF_BYTERANGE_INVALID']);
    expect(result.signatures[0]!.byteRange).toBeNull();
  });

  it('refuses an empty /Contents <>', async () => {
    const result = await broken({ contentsHex: '' });
    expect(errors(result)).toEqual(['PDF_SIGNATURE_EMPTY']);
  });

  it('refuses a /Contents of zeros (an unsigned placeholder)', async () => {
    const result = await broken({ contentsHex: '0000' });
    expect(errors(result)).toEqual(['PDF_SIGNATURE_EMPTY']);
  });

  it('refuses a /Contents that is not CMS', async () => {
    const result = await broken({ contentsHex: 'deadbeef' });
    expect(errors(result)).toEqual(['PDF_SIGNATURE_BROKEN']);
  });

  it('refuses a signature dictionary without /ByteRange or /Contents', async () => {
    const draft = appendRevision(basePdf(), ['<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange null >>']);
    expect(errors(await verifyPdfSignatures(draft.bytes, trust))).toEqual(['PDF_SIGNATURE_EMPTY']);
    const noRange = appendRevision(basePdf(), ['<< /Type /Sig /SubFilter /adbe.pkcs7.detached /Contents <3082> >>']);
    const result = await verifyPdfSignatures(noRange.bytes, trust);
    expect(errors(result)).toEqual(['PDF_BYTERANGE_INVALID']);
    expect(result.findings[0]!.message).toContain('thiếu ByteRange');
  });

  it('refuses a CMS that embeds its own content instead of signing the byte range', async () => {
    const cms = await signCms(new Uint8Array(Buffer.from('other content')), pki.leader, [], new Date(), true);
    const result = await broken({ contentsHex: Buffer.from(cms).toString('hex') });
    expect(errors(result)).toEqual(['PDF_SIGNATURE_BROKEN']);
    expect(result.findings[0]!.message).toContain('chứa sẵn nội dung');
  });

  it('refuses a valid CMS of other bytes placed in the PDF (signature copied from another file)', async () => {
    const cms = await signCms(new Uint8Array(Buffer.from('another report')), pki.leader, [], new Date());
    const result = await broken({ contentsHex: Buffer.from(cms).toString('hex') });
    expect(result.signatures[0]).toMatchObject({ digestValid: false, signatureValid: true });
    expect(errors(result)).toEqual(['PDF_SIGNATURE_BROKEN']);
  });

  it('refuses an unsupported SubFilter', async () => {
    const result = await broken({ subFilter: 'adbe.x509.rsa_sha1' });
    expect(errors(result)).toEqual(['PDF_SUBFILTER_UNSUPPORTED']);
  });
});

describe('verifyPdfSignatures: certificates', () => {
  it('refuses a chain to an untrusted root', async () => {
    const pdf = await signPdf(basePdf(), pki.untrustedLeader, { chain: [pki.untrustedRoot] });
    const result = await verifyPdfSignatures(pdf.bytes, trust);
    expect(result.signatures[0]).toMatchObject({ digestValid: true, signatureValid: true, chain: 'untrusted' });
    expect(errors(result)).toEqual(['PDF_CERT_UNTRUSTED']);
  });

  it('ends chain building on certificates that issue each other (a cycle chosen by the signer)', async () => {
    const [keysA, keysB] = await Promise.all([newKeys(), newKeys()]);
    const seedB = await issue({ subject: { '2.5.4.3': 'B' }, keys: keysB, ca: true, serial: '0b' });
    const a = await issue({ subject: { '2.5.4.3': 'A' }, keys: keysA, issuer: seedB, ca: true, serial: '0a' });
    const b = await issue({ subject: { '2.5.4.3': 'B' }, keys: keysB, issuer: a, ca: true, serial: '0c' });
    const leaf = await issue({ subject: { '2.5.4.3': 'Nguyễn Văn An' }, keys: pki.leader.keys, issuer: a, ca: false, serial: '0d' });
    const pdf = await signPdf(basePdf(), leaf, { chain: [a, b] });
    const started = performance.now();
    const result = await verifyPdfSignatures(pdf.bytes, trust);
    expect(result.signatures[0]!.chain).toBe('untrusted');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('refuses a certificate issued by an end-entity certificate (a signer cannot act as a CA)', async () => {
    const forged = await issue({
      subject: { '2.5.4.3': 'Nguyễn Văn An', '2.5.4.10': 'Sở Tư pháp tỉnh Thừa Thiên Huế' },
      keys: await newKeys(),
      issuer: pki.leader,
      ca: false,
      serial: '0e',
    });
    const pdf = await signPdf(basePdf(), forged, { chain: [pki.leader, pki.intermediate] });
    const result = await verifyPdfSignatures(pdf.bytes, trust);
    expect(result.signatures[0]!.chain).toBe('untrusted');
    expect(errors(result)).toEqual(['PDF_CERT_UNTRUSTED']);
  });

  it('refuses a certificate whose key usage does not allow signing documents', async () => {
    const encipherOnly = await issue({
      subject: { '2.5.4.3': 'Nguyễn Văn An', '2.5.4.10': 'Sở Tư pháp tỉnh Thừa Thiên Huế' },
      keys: pki.leader.keys,
      issuer: pki.intermediate,
      ca: false,
      serial: '0f',
      keyUsage: KeyUsageFlags.keyEncipherment,
    });
    const pdf = await signPdf(basePdf(), encipherOnly);
    const result = await verifyPdfSignatures(pdf.bytes, trust);
    expect(errors(result)).toEqual(['PDF_CERT_WRONG_USAGE']);
    expect(result.findings.find((f) => f.code === 'PDF_CERT_WRONG_USAGE')!.message).toContain('không dùng để ký số');
  });

  it('refuses every signature when no anchor is configured', async () => {
    const result = await verifyPdfSignatures(signedOnce.bytes, { anchors: [] });
    expect(result.signatures[0]!.chain).toBe('untrusted');
  });

  it('refuses a leader certificate expired at the signing time', async () => {
    const pdf = await signPdf(basePdf(), pki.expiredLeader);
    const result = await verifyPdfSignatures(pdf.bytes, trust);
    expect(result.signatures[0]!.chain).toBe('expired');
    expect(errors(result)).toEqual(['PDF_CERT_EXPIRED']);
  });

  it('accepts the expired certificate when the signing time falls within its validity', async () => {
    const pdf = await signPdf(basePdf(), pki.expiredLeader, { signingTime: new Date(Date.now() - 100 * 86_400_000) });
    const result = await verifyPdfSignatures(pdf.bytes, trust);
    expect(result.signatures[0]!.chain).toBe('trusted');
  });

  it('refuses a certificate not yet valid at the signing time', async () => {
    const pdf = await signPdf(basePdf(), pki.leader, { signingTime: new Date(Date.now() - 400 * 86_400_000) });
    const result = await verifyPdfSignatures(pdf.bytes, trust);
    expect(result.signatures[0]!.chain).toBe('not-yet-valid');
    expect(errors(result)).toEqual(['PDF_CERT_NOT_YET_VALID']);
  });

  it('refuses a revoked leader certificate with a CRL', async () => {
    const crls = [await makeCrl(pki.intermediate, ['1001']), await makeCrl(pki.root, [])];
    const result = await verifyPdfSignatures(signedTwice.bytes, { ...trust, crls });
    expect(result.signatures.map((s) => s.revocation)).toEqual(['revoked', 'good']);
    expect(errors(result)).toEqual(['PDF_CERT_REVOKED']);
    expect(result.findings[0]!.message).toContain('Nguyễn Văn An');
  });

  it('ignores a CRL not signed by the issuer', async () => {
    const forged = await makeCrl({ ...pki.intermediate, keys: pki.organisation.keys }, ['1001']);
    const result = await verifyPdfSignatures(signedOnce.bytes, { ...trust, crls: [forged] });
    expect(result.signatures[0]!.revocation).toBe('not-checked');
  });

  it('reports revocation as not checked (a warning) without CRLs', async () => {
    const result = await verifyPdfSignatures(signedTwice.bytes, trust);
    expect(result.signatures.map((s) => s.revocation)).toEqual(['not-checked', 'not-checked']);
    expect(result.findings.map((f) => [f.code, f.severity])).toEqual([
      ['PDF_REVOCATION_NOT_CHECKED', 'warning'],
      ['PDF_REVOCATION_NOT_CHECKED', 'warning'],
    ]);
  });
});

describe('verifyPdfSignatures: hostile and unsigned files', () => {
  it('refuses a file that is not a PDF', async () => {
    const result = await verifyPdfSignatures(new Uint8Array(Buffer.from('PK\x03\x04 not a pdf')), trust);
    expect(codes(result)).toEqual(['PDF_NOT_PDF']);
  });

  it('refuses a truncated signed PDF', async () => {
    const bytes = signedOnce.bytes.subarray(0, Math.floor(signedOnce.bytes.length * 0.8));
    const result = await verifyPdfSignatures(bytes, trust);
    expect(codes(result)).toContain('PDF_UNREADABLE');
    expect(result.signatures.some((s) => s.digestValid)).toBe(false);
  });

  it('refuses a PDF with no signature', async () => {
    expect(codes(await verifyPdfSignatures(basePdf().bytes, trust))).toEqual(['PDF_NO_SIGNATURE']);
  });

  it('refuses more than 20 signature dictionaries', async () => {
    let draft = basePdf();
    for (let i = 0; i < 25; i++) draft = appendRevision(draft, [`<< /Type /Sig /ByteRange [0 1 2 3] /Contents <00> >>`]);
    const result = await verifyPdfSignatures(draft.bytes, trust);
    expect(codes(result)).toEqual(['PDF_TOO_MANY_SIGNATURES']);
    let twenty = basePdf();
    for (let i = 0; i < 20; i++) twenty = appendRevision(twenty, [`<< /Type /Sig /ByteRange [0 1 2 3] /Contents <00> >>`]);
    expect((await verifyPdfSignatures(twenty.bytes, trust)).signatures).toHaveLength(20);
  });

  it('finishes on 2 MB of random garbage with a finding', async () => {
    const started = performance.now();
    const result = await verifyPdfSignatures(new Uint8Array(randomBytes(2 * 1024 * 1024)), trust);
    expect(codes(result)).toEqual(['PDF_NOT_PDF']);
    const withHeader = new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2 * 1024 * 1024)]));
    const garbage = await verifyPdfSignatures(withHeader, trust);
    expect(garbage.findings.length).toBeGreaterThan(0);
    expect(garbage.findings.every((f) => f.severity === 'error')).toBe(true);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('stays linear on hostile token soup (unclosed strings, deep nesting, fake /ByteRange in streams)', async () => {
    const soup = `%PDF-1.7\n${'<<'.repeat(50_000)}${'(('.repeat(50_000)}\nstream\n/ByteRange [0 1 2 3] /Type /Sig\n${'['.repeat(100_000)}`;
    const started = performance.now();
    const result = await verifyPdfSignatures(new Uint8Array(Buffer.from(soup, 'latin1')), trust);
    expect(codes(result)).toEqual(['PDF_UNREADABLE', 'PDF_NO_SIGNATURE']);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('ignores a signature dictionary written inside a stream (stream bytes are not objects)', async () => {
    const stream = '<< /Length 3 >>\nstream\n<< /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange [0 1 2 3] /Contents <3082> >>\nendstream';
    const result = await verifyPdfSignatures(appendRevision(basePdf(), [stream]).bytes, trust);
    expect(codes(result)).toEqual(['PDF_NO_SIGNATURE']);
  });

  it('writes every message in NFC with diacritics', async () => {
    const result = await verifyPdfSignatures(appendUnsignedChange(signedTwice).bytes, { anchors: [] });
    expect(result.findings.length).toBeGreaterThan(0);
    for (const f of result.findings) {
      expect(f.message).toBe(f.message.normalize('NFC'));
      expect(f.message).toMatch(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỷỹý]/);
      expect(f).toMatchObject({ sheet: null, cell: null, indicator: null });
    }
  });
});

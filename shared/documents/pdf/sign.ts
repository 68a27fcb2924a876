/**
 * Signs a PDF with a digital signature (chữ ký số) the way signing software does, so that
 * `verifyPdfSignatures` (this folder's verifier) and PDF readers accept it: an incremental update
 * that adds a signature field (a widget on a page, listed in the AcroForm) and its /Sig dictionary with
 * a /Contents placeholder and an exact /ByteRange, then a detached CMS SignedData (pkijs) over the
 * bytes around the placeholder. The earlier revisions are never rewritten, so a second signature (the
 * organisation's, after the leader's) keeps the first one valid.
 *
 * Signed attributes: content-type, message-digest, signing-time (adbe.pkcs7.detached) and, for
 * ETSI.CAdES.detached, signing-certificate-v2; a CAdES (PAdES) signature states its time in the
 * dictionary's /M only, as ETSI EN 319 142-1 asks, unless told otherwise.
 *
 * Used by the demo, the local stack and the CLI to make signed sample reports; never by the functions
 * that check uploads (pdf-lib is loaded only here, to read the object graph the update extends).
 */
import * as asn1js from 'asn1js';
import type { webcrypto } from 'node:crypto';
import { PDFArray, PDFDict, type PDFDocument, PDFName, PDFRef } from 'pdf-lib';
import * as pkijs from 'pkijs';
import { cryptoEngine } from './cms.js';
import { type ByteRange, signedBytes } from './structure.js';

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
} as const;

/** Hex digits reserved for the CMS by default (8 KiB of DER: a signature with a chain of three RSA certificates). */
export const DEFAULT_PLACEHOLDER_HEX_DIGITS = 16_384;

export type SignatureSubFilter = 'adbe.pkcs7.detached' | 'ETSI.CAdES.detached';

/** Who signs: a certificate (DER), the certificates to embed after it (intermediates) and the private key. */
export interface PdfSigner {
  certificate: Uint8Array;
  chain?: readonly Uint8Array[];
  privateKey: webcrypto.CryptoKey;
}

export interface SignatureOptions {
  /** Default adbe.pkcs7.detached. */
  subFilter?: SignatureSubFilter;
  /** When the signature is made (default: now): the dictionary's /M and, where carried, the signing-time attribute. */
  signingTime?: Date;
  /** Whether the CMS carries signing-time (default: yes for adbe.pkcs7.detached, no for CAdES). */
  signingTimeAttribute?: boolean;
  /** /Name (default: the certificate's common name), /Reason, /Location, /ContactInfo. */
  name?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  /** The page the (invisible) signature widget is placed on, from 0 (default: the last page). */
  pageIndex?: number;
  /** Hex digits reserved for the CMS; grown once if the signature needs more. */
  placeholderHexDigits?: number;
}

/** What an incremental update extends: the next free object number, the previous cross-reference and the trailer's entries. */
export interface UpdateBase {
  /** The trailer's /Size: one more than the largest object number. */
  size: number;
  /** Offset of the previous cross-reference section (the last `startxref`). */
  prevXref: number;
  /** The previous section is a cross-reference stream (PDF 1.5), so the update writes one too. */
  xrefStream: boolean;
  /** `/Root`, `/Info` and `/ID` of the trailer, as PDF text ("1 0 R"). */
  root: string;
  info?: string;
  id?: string;
}

/** One object of an update: a new object number, or an existing one with its new body. */
export interface UpdateObject {
  number: number;
  generation?: number;
  /** The object's body as PDF text (Latin-1), without `obj`/`endobj`. */
  body: string;
}

/** A signature dictionary written with an exact /ByteRange and a /Contents still to fill. */
export interface SignaturePlaceholder {
  bytes: Uint8Array;
  byteRange: ByteRange;
  /** Offsets of the /Contents hex string: its `<`, and just past its `>`. */
  contentsStart: number;
  contentsEnd: number;
  /** Where the /ByteRange array is written, and the width reserved for it (padded with spaces). */
  byteRangeAt: number;
  byteRangeWidth: number;
  /** What a further update of the signed file extends. */
  next: UpdateBase;
}

export class PdfSigningError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PdfSigningError';
  }
}

const latin1 = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** A PDF text string: UTF-16BE with a byte-order mark, as PDF writers encode Vietnamese. */
export function pdfTextString(text: string): string {
  const units = Buffer.from(text.normalize('NFC'), 'utf16le').swap16();
  return `<FEFF${units.toString('hex').toUpperCase()}>`;
}

/** A PDF date in Vietnam time: `D:20210305100000+07'00'`. */
export function pdfDate(date: Date): string {
  const local = new Date(date.getTime() + 7 * 3_600_000).toISOString();
  return `D:${local.replace(/[-:T]/g, '').slice(0, 14)}+07'00'`;
}

/** Loads a PDF with pdf-lib (read only) and what an update of it extends. */
export async function loadForUpdate(bytes: Uint8Array): Promise<{ doc: PDFDocument; base: UpdateBase }> {
  const { PDFDocument } = await import('pdf-lib');
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(bytes, { updateMetadata: false, ignoreEncryption: true });
  } catch (err) {
    throw new PdfSigningError('not a readable PDF', { cause: err });
  }
  if (doc.isEncrypted) throw new PdfSigningError('an encrypted PDF cannot be signed here');
  const prevXref = lastStartxref(bytes);
  const at = skipWhitespace(bytes, prevXref);
  const xrefStream = Buffer.from(bytes.subarray(at, at + 4)).toString('latin1') !== 'xref';
  const trailer = doc.context.trailerInfo;
  if (!(trailer.Root instanceof PDFRef)) throw new PdfSigningError('the PDF has no document catalog');
  return {
    doc,
    base: {
      size: doc.context.largestObjectNumber + 1,
      prevXref,
      xrefStream,
      root: trailer.Root.toString(),
      ...(trailer.Info ? { info: trailer.Info.toString() } : {}),
      ...(trailer.ID ? { id: trailer.ID.toString() } : {}),
    },
  };
}

function lastStartxref(bytes: Uint8Array): number {
  const text = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 2048))).toString('latin1');
  const m = [...text.matchAll(/startxref\s+(\d+)/g)].at(-1);
  const offset = m ? Number(m[1]) : Number.NaN;
  if (!Number.isSafeInteger(offset) || offset >= bytes.length) throw new PdfSigningError('the PDF has no readable startxref');
  return offset;
}

function skipWhitespace(bytes: Uint8Array, at: number): number {
  let i = at;
  while (i < bytes.length && [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20].includes(bytes[i]!)) i++;
  return i;
}

/**
 * Appends an incremental update holding `objects`, with a cross-reference section of the same kind as
 * the previous one (table or stream) chained to it by /Prev; the bytes before are kept as they are.
 */
export function appendIncrementalUpdate(bytes: Uint8Array, base: UpdateBase, objects: readonly UpdateObject[]): { bytes: Uint8Array; next: UpdateBase } {
  const lastByte = bytes.at(-1);
  let text = lastByte === 0x0a || lastByte === 0x0d ? '' : '\n';
  const entries: { number: number; generation: number; offset: number }[] = [];
  for (const o of objects) {
    const generation = o.generation ?? 0;
    entries.push({ number: o.number, generation, offset: bytes.length + text.length });
    text += `${o.number} ${generation} obj\n${o.body}\nendobj\n`;
  }
  const size = Math.max(base.size, ...objects.map((o) => o.number + 1));
  const trailerEntries = `/Root ${base.root}${base.info ? ` /Info ${base.info}` : ''}${base.id ? ` /ID ${base.id}` : ''} /Prev ${base.prevXref}`;
  let xrefOffset: number;
  let finalSize = size;
  if (base.xrefStream) {
    // The stream is an object too: it takes the next number and lists itself.
    const streamNumber = size;
    finalSize = size + 1;
    xrefOffset = bytes.length + text.length;
    entries.push({ number: streamNumber, generation: 0, offset: xrefOffset });
    const sorted = [...entries].sort((a, b) => a.number - b.number);
    const rows = Buffer.alloc(sorted.length * 7);
    sorted.forEach((e, i) => {
      rows.writeUInt8(1, i * 7);
      rows.writeUInt32BE(e.offset, i * 7 + 1);
      rows.writeUInt16BE(e.generation, i * 7 + 5);
    });
    const index = subsections(sorted.map((e) => e.number)).flat();
    text += `${streamNumber} 0 obj\n<< /Type /XRef /Size ${finalSize} /W [1 4 2] /Index [${index.join(' ')}] ${trailerEntries} /Length ${rows.length} >>\nstream\n`;
    text += rows.toString('latin1');
    text += `\nendstream\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`;
  } else {
    xrefOffset = bytes.length + text.length;
    const sorted = [...entries].sort((a, b) => a.number - b.number);
    text += 'xref\n';
    let i = 0;
    for (const [first, count] of subsections(sorted.map((e) => e.number))) {
      text += `${first} ${count}\n`;
      for (const e of sorted.slice(i, i + count)) text += `${String(e.offset).padStart(10, '0')} ${String(e.generation).padStart(5, '0')} n \n`;
      i += count;
    }
    text += `trailer\n<< /Size ${finalSize} ${trailerEntries} >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  }
  return {
    bytes: concat(bytes, latin1(text)),
    next: { ...base, size: finalSize, prevXref: xrefOffset },
  };
}

/** Runs of consecutive object numbers (sorted input) as [first, count]. */
function subsections(numbers: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const n of numbers) {
    const last = out.at(-1);
    if (last && last[0] + last[1] === n) last[1]++;
    else out.push([n, 1]);
  }
  return out;
}

const BYTE_RANGE_PLACEHOLDER = `[0 ${'0'.repeat(10)} ${'0'.repeat(10)} ${'0'.repeat(10)}]`;

/**
 * Adds a signature field and its /Sig dictionary as an incremental update, with `placeholderHexDigits`
 * zeros in /Contents and the exact /ByteRange around them already written.
 */
export async function prepareSignature(bytes: Uint8Array, name: string, options: SignatureOptions = {}): Promise<SignaturePlaceholder> {
  const { doc, base } = await loadForUpdate(bytes);
  const digits = options.placeholderHexDigits ?? DEFAULT_PLACEHOLDER_HEX_DIGITS;
  if (!Number.isSafeInteger(digits) || digits < 2 || digits % 2 !== 0) throw new PdfSigningError('the placeholder needs an even number of hex digits');
  const signingTime = options.signingTime ?? new Date();
  const sigNumber = base.size;
  const widgetNumber = sigNumber + 1;
  const pages = doc.getPages();
  if (pages.length === 0) throw new PdfSigningError('the PDF has no page');
  const page = pages[options.pageIndex ?? pages.length - 1];
  if (!page) throw new PdfSigningError(`the PDF has no page ${options.pageIndex}`);

  const fieldCount = existingFields(doc).length;
  const sigDict = [
    `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /${options.subFilter ?? 'adbe.pkcs7.detached'}`,
    `/ByteRange ${BYTE_RANGE_PLACEHOLDER}`,
    `/Contents <${'0'.repeat(digits)}>`,
    `/M (${pdfDate(signingTime)}) /Name ${pdfTextString(options.name ?? name)}`,
    [
      options.reason ? `/Reason ${pdfTextString(options.reason)}` : '',
      options.location ? `/Location ${pdfTextString(options.location)}` : '',
      options.contactInfo ? `/ContactInfo ${pdfTextString(options.contactInfo)}` : '',
    ]
      .filter(Boolean)
      .join(' '),
    '>>',
  ].join('\n');
  const widget = `<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature${fieldCount + 1}) /V ${sigNumber} 0 R /Rect [0 0 0 0] /F 132 /P ${page.ref.toString()} >>`;
  const widgetRef = PDFRef.of(widgetNumber);
  const objects: UpdateObject[] = [
    { number: sigNumber, body: sigDict },
    { number: widgetNumber, body: widget },
    ...withField(doc, widgetRef),
    ...withAnnotation(doc, page.ref, page.node, widgetRef),
  ];
  const updated = appendIncrementalUpdate(bytes, { ...base, size: widgetNumber + 1 }, objects);
  const out = updated.bytes;
  const text = Buffer.from(out).toString('latin1');
  const sigAt = text.indexOf(`${sigNumber} 0 obj\n`, bytes.length);
  const byteRangeAt = text.indexOf(BYTE_RANGE_PLACEHOLDER, sigAt);
  const contentsStart = text.indexOf('/Contents <', sigAt) + '/Contents '.length;
  const contentsEnd = contentsStart + digits + 2;
  const byteRange: ByteRange = [0, contentsStart, contentsEnd, out.length - contentsEnd];
  const rangeText = `[${byteRange.join(' ')}]`;
  out.set(latin1(rangeText.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' ')), byteRangeAt);
  return { bytes: out, byteRange, contentsStart, contentsEnd, byteRangeAt, byteRangeWidth: BYTE_RANGE_PLACEHOLDER.length, next: updated.next };
}

function existingFields(doc: PDFDocument): PDFRef[] {
  const acroForm = doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict);
  const fields = acroForm?.lookupMaybe(PDFName.of('Fields'), PDFArray);
  return fields ? fields.asArray().filter((f): f is PDFRef => f instanceof PDFRef) : [];
}

/** The catalog (or its indirect AcroForm) again, its AcroForm listing one more field and /SigFlags 3. */
function withField(doc: PDFDocument, field: PDFRef): UpdateObject[] {
  const context = doc.context;
  const rootRef = context.trailerInfo.Root as PDFRef;
  const catalog = doc.catalog.clone(context);
  const raw = catalog.get(PDFName.of('AcroForm'));
  const acroForm =
    raw instanceof PDFRef ? (context.lookup(raw, PDFDict).clone(context) as PDFDict) : raw instanceof PDFDict ? raw.clone(context) : context.obj({});
  const fields = acroForm.lookupMaybe(PDFName.of('Fields'), PDFArray)?.clone(context) ?? context.obj([]);
  fields.push(field);
  acroForm.set(PDFName.of('Fields'), fields);
  acroForm.set(PDFName.of('SigFlags'), context.obj(3));
  if (raw instanceof PDFRef) return [{ number: raw.objectNumber, generation: raw.generationNumber, body: acroForm.toString() }];
  catalog.set(PDFName.of('AcroForm'), acroForm);
  return [{ number: rootRef.objectNumber, generation: rootRef.generationNumber, body: catalog.toString() }];
}

/** The page (or its indirect /Annots array) again, with the widget among its annotations. */
function withAnnotation(doc: PDFDocument, pageRef: PDFRef, pageNode: PDFDict, widget: PDFRef): UpdateObject[] {
  const context = doc.context;
  const raw = pageNode.get(PDFName.of('Annots'));
  if (raw instanceof PDFRef) {
    const annots = context.lookup(raw, PDFArray).clone(context);
    annots.push(widget);
    return [{ number: raw.objectNumber, generation: raw.generationNumber, body: annots.toString() }];
  }
  const page = pageNode.clone(context);
  const annots = raw instanceof PDFArray ? raw.clone(context) : context.obj([]);
  annots.push(widget);
  page.set(PDFName.of('Annots'), annots);
  return [{ number: pageRef.objectNumber, generation: pageRef.generationNumber, body: page.toString() }];
}

/** The bytes a placeholder's /ByteRange covers. */
export function bytesToSign(placeholder: SignaturePlaceholder): Uint8Array {
  return signedBytes(placeholder.bytes, placeholder.byteRange);
}

/** Writes a DER CMS into the placeholder's /Contents (zero-padded); refuses one that does not fit. */
export function embedSignature(placeholder: SignaturePlaceholder, cms: Uint8Array): Uint8Array {
  const digits = placeholder.contentsEnd - placeholder.contentsStart - 2;
  const hex = Buffer.from(cms).toString('hex').toUpperCase();
  if (hex.length > digits) throw new PdfSigningError(`the signature needs ${hex.length} hex digits, the placeholder has ${digits}`);
  const out = new Uint8Array(placeholder.bytes);
  out.set(latin1(`<${hex.padEnd(digits, '0')}>`), placeholder.contentsStart);
  return out;
}

/** Options of the CMS itself. */
export interface CmsOptions {
  /** The signing-time attribute's value; null leaves the attribute out. */
  signingTime: Date | null;
  /** Adds signing-certificate-v2 (ESS, RFC 5035): the certificate's SHA-256, its issuer and serial. */
  signingCertificateV2: boolean;
}

/** A detached CMS SignedData (DER ContentInfo) over `content`, signed with SHA-256 by `signer`. */
export async function createSignedData(content: Uint8Array, signer: PdfSigner, options: CmsOptions): Promise<Uint8Array> {
  cryptoEngine();
  const subtle = globalThis.crypto.subtle;
  const certificate = pkijs.Certificate.fromBER(new Uint8Array(signer.certificate));
  const digest = await subtle.digest('SHA-256', new Uint8Array(content));
  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: digest })] }),
  ];
  if (options.signingTime) attributes.push(new pkijs.Attribute({ type: OID.signingTime, values: [timeOf(options.signingTime)] }));
  if (options.signingCertificateV2) attributes.push(await signingCertificateV2(signer.certificate, certificate));
  const signedData = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: certificate.issuer, serialNumber: certificate.serialNumber }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }),
      }),
    ],
    certificates: [certificate, ...(signer.chain ?? []).map((der) => pkijs.Certificate.fromBER(new Uint8Array(der)))],
  });
  await signedData.sign(signer.privateKey, 0, 'SHA-256');
  const info = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return new Uint8Array(info.toSchema().toBER(false));
}

/** RFC 5652: UTCTime for 1950–2049, GeneralizedTime otherwise. */
function timeOf(date: Date): asn1js.UTCTime | asn1js.GeneralizedTime {
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? new asn1js.UTCTime({ valueDate: date }) : new asn1js.GeneralizedTime({ valueDate: date });
}

async function signingCertificateV2(der: Uint8Array, certificate: pkijs.Certificate): Promise<pkijs.Attribute> {
  const certHash = await globalThis.crypto.subtle.digest('SHA-256', new Uint8Array(der));
  const issuerSerial = new asn1js.Sequence({
    value: [new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 4, value: certificate.issuer })] }).toSchema(), certificate.serialNumber],
  });
  // ESSCertIDv2 with hashAlgorithm left at its DEFAULT (SHA-256), so not encoded.
  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: certHash }), issuerSerial] });
  return new pkijs.Attribute({
    type: OID.signingCertificateV2,
    values: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] })],
  });
}

function commonNameOf(der: Uint8Array): string {
  const certificate = pkijs.Certificate.fromBER(new Uint8Array(der));
  const cn = certificate.subject.typesAndValues.find((t) => t.type === '2.5.4.3');
  return String(cn?.value.valueBlock.value ?? '');
}

/**
 * Signs a PDF: a placeholder as an incremental update, then the CMS over its byte range. The
 * placeholder is grown once when the CMS turns out larger than reserved.
 */
export async function signPdf(bytes: Uint8Array, signer: PdfSigner, options: SignatureOptions = {}): Promise<Uint8Array> {
  const subFilter = options.subFilter ?? 'adbe.pkcs7.detached';
  const cades = subFilter === 'ETSI.CAdES.detached';
  const signingTime = options.signingTime ?? new Date();
  const cmsOptions: CmsOptions = {
    signingTime: (options.signingTimeAttribute ?? !cades) ? signingTime : null,
    signingCertificateV2: cades,
  };
  const name = commonNameOf(signer.certificate);
  let digits = options.placeholderHexDigits ?? DEFAULT_PLACEHOLDER_HEX_DIGITS;
  for (let attempt = 0; ; attempt++) {
    const placeholder = await prepareSignature(bytes, name, { ...options, subFilter, signingTime, placeholderHexDigits: digits });
    const cms = await createSignedData(bytesToSign(placeholder), signer, cmsOptions);
    if (cms.length * 2 <= digits || attempt > 0) return embedSignature(placeholder, cms);
    digits = cms.length * 2 + 1024;
  }
}

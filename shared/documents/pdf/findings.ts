/**
 * The findings of the PDF signature verifier: stable codes and the Vietnamese messages an official
 * reads, each saying what to do. Every message is built here so that the wording stays in one place.
 */
import type { Finding, Severity } from '../../domain/types.js';
import { MAX_SIGNATURES } from './scan.js';

/** Stable codes of the verifier's findings. */
export const PDF_FINDING_CODES = [
  'PDF_NOT_PDF',
  'PDF_UNREADABLE',
  'PDF_NO_SIGNATURE',
  'PDF_TOO_MANY_SIGNATURES',
  'PDF_BYTERANGE_INVALID',
  'PDF_SIGNATURE_EMPTY',
  'PDF_SIGNATURE_TOO_LARGE',
  'PDF_SUBFILTER_UNSUPPORTED',
  'PDF_SIGNATURE_BROKEN',
  'PDF_CHANGED_AFTER_SIGNING',
  'PDF_CERT_UNTRUSTED',
  'PDF_CERT_EXPIRED',
  'PDF_CERT_NOT_YET_VALID',
  'PDF_CERT_REVOKED',
  'PDF_CERT_WRONG_USAGE',
  'PDF_REVOCATION_NOT_CHECKED',
] as const;
export type PdfFindingCode = (typeof PDF_FINDING_CODES)[number];

const RESIGN = 'Hãy ký số lại từ bản gốc và gửi lại tệp PDF ngay sau khi ký.';

function finding(code: PdfFindingCode, severity: Severity, message: string): Finding {
  return { code, severity, sheet: null, cell: null, indicator: null, message: message.normalize('NFC') };
}

/** "chữ ký thứ 2 (Nguyễn Văn An)" */
function signatureLabel(index: number, commonName?: string | null): string {
  return commonName ? `chữ ký thứ ${index + 1} (${commonName})` : `chữ ký thứ ${index + 1}`;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** dd/MM/yyyy HH:mm in Vietnam's time zone. */
function vietnameseDate(date: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('day')}/${part('month')}/${part('year')} ${part('hour')}:${part('minute')}`;
}

/** Messages of the whole-file findings. */
export const fileFindings = {
  notPdf: () => finding('PDF_NOT_PDF', 'error', 'Tệp gửi lên không phải là tệp PDF. Hãy gửi bản PDF của báo cáo đã được lãnh đạo cơ quan, đơn vị ký số.'),
  unreadable: () =>
    finding(
      'PDF_UNREADABLE',
      'error',
      'Tệp PDF bị hỏng hoặc không đầy đủ (thiếu phần kết thúc của tệp), có thể do tải lên bị gián đoạn. Hãy mở lại tệp PDF đã ký số trên máy, kiểm tra rồi gửi lại.',
    ),
  noSignature: () =>
    finding(
      'PDF_NO_SIGNATURE',
      'error',
      'Tệp PDF chưa có chữ ký số. Báo cáo phải do lãnh đạo cơ quan, đơn vị ký ban hành: hãy ký số bằng chứng thư số do tổ chức chứng thực chữ ký số chuyên dùng Chính phủ cấp rồi gửi lại.',
    ),
  tooManySignatures: () =>
    finding(
      'PDF_TOO_MANY_SIGNATURES',
      'error',
      `Tệp PDF có quá nhiều chữ ký (hơn ${MAX_SIGNATURES}) nên không được kiểm tra. Hãy gửi bản báo cáo chỉ có chữ ký số của lãnh đạo và của cơ quan, đơn vị.`,
    ),
  changedAfterSigning: (bytes: number, revisions: number) =>
    finding(
      'PDF_CHANGED_AFTER_SIGNING',
      'error',
      `Tệp đã bị thay đổi sau khi ký: có ${bytes.toLocaleString('vi-VN')} byte${revisions > 0 ? ` (${revisions} lần lưu bổ sung)` : ''} nằm ngoài phần được chữ ký số bảo vệ, nên nội dung hiển thị có thể khác nội dung đã ký. Hãy gửi đúng tệp PDF ngay sau khi ký số, không mở ra chỉnh sửa hay lưu lại.`,
    ),
};

/** Messages of the findings about one signature (index from 0; shown from 1). */
export const signatureFindings = {
  byteRangeInvalid: (index: number, detail: string) =>
    finding(
      'PDF_BYTERANGE_INVALID',
      'error',
      `${capitalise(signatureLabel(index))} có vùng ký (ByteRange) không hợp lệ: ${detail}. Tệp có thể đã bị sửa để giả mạo chữ ký. ${RESIGN}`,
    ),
  empty: (index: number) => finding('PDF_SIGNATURE_EMPTY', 'error', `${capitalise(signatureLabel(index))} không có dữ liệu chữ ký (ô ký còn trống). ${RESIGN}`),
  tooLarge: (index: number) =>
    finding('PDF_SIGNATURE_TOO_LARGE', 'error', `${capitalise(signatureLabel(index))} có dữ liệu chữ ký lớn bất thường nên không được kiểm tra. ${RESIGN}`),
  subFilterUnsupported: (index: number, subFilter: string | null) =>
    finding(
      'PDF_SUBFILTER_UNSUPPORTED',
      'error',
      `${capitalise(signatureLabel(index))} dùng định dạng ${subFilter ?? '(không ghi định dạng)'} không được hỗ trợ; chỉ chấp nhận adbe.pkcs7.detached hoặc ETSI.CAdES.detached. Hãy ký lại bằng phần mềm ký số của tổ chức chứng thực.`,
    ),
  broken: (index: number, detail: string, commonName?: string | null) =>
    finding(
      'PDF_SIGNATURE_BROKEN',
      'error',
      `${capitalise(signatureLabel(index, commonName))} không hợp lệ: ${detail}. Nội dung tệp đã bị thay đổi sau khi ký hoặc chữ ký bị hỏng. ${RESIGN}`,
    ),
  untrusted: (index: number, commonName: string | null) =>
    finding(
      'PDF_CERT_UNTRUSTED',
      'error',
      `Chứng thư số của ${signatureLabel(index, commonName)} không do tổ chức chứng thực được tin cậy cấp. Hãy ký bằng chứng thư số do tổ chức chứng thực chữ ký số chuyên dùng Chính phủ cấp.`,
    ),
  expired: (index: number, commonName: string | null, at: Date) =>
    finding(
      'PDF_CERT_EXPIRED',
      'error',
      `Chứng thư số của ${signatureLabel(index, commonName)} đã hết hạn vào thời điểm ký (${vietnameseDate(at)}). Hãy gia hạn hoặc xin cấp lại chứng thư số rồi ký lại.`,
    ),
  notYetValid: (index: number, commonName: string | null, at: Date) =>
    finding(
      'PDF_CERT_NOT_YET_VALID',
      'error',
      `Chứng thư số của ${signatureLabel(index, commonName)} chưa có hiệu lực vào thời điểm ký (${vietnameseDate(at)}). Hãy kiểm tra ngày giờ của máy tính dùng để ký rồi ký lại.`,
    ),
  wrongUsage: (index: number, commonName: string | null) =>
    finding(
      'PDF_CERT_WRONG_USAGE',
      'error',
      `Chứng thư số của ${signatureLabel(index, commonName)} không dùng để ký số văn bản (mục đích sử dụng khóa không cho phép ký). Hãy ký bằng chứng thư số ký số do tổ chức chứng thực chữ ký số chuyên dùng Chính phủ cấp cho cá nhân hoặc cơ quan.`,
    ),
  revoked: (index: number, commonName: string | null) =>
    finding('PDF_CERT_REVOKED', 'error', `Chứng thư số của ${signatureLabel(index, commonName)} đã bị thu hồi. Hãy ký lại bằng chứng thư số còn hiệu lực.`),
  revocationNotChecked: (index: number, commonName: string | null) =>
    finding(
      'PDF_REVOCATION_NOT_CHECKED',
      'warning',
      `Chưa kiểm tra được chứng thư số của ${signatureLabel(index, commonName)} có bị thu hồi hay không (không có danh sách thu hồi chứng thư số). Chữ ký vẫn được ghi nhận; không cần gửi lại.`,
    ),
};

/** Details used in the messages above. */
export const DETAIL = {
  missingByteRange: 'thiếu ByteRange',
  notFourIntegers: 'phải gồm đúng bốn số nguyên không âm',
  notFromStart: 'không bắt đầu từ đầu tệp',
  outsideFile: 'vượt ra ngoài độ dài của tệp',
  gapNotContents: 'khoảng không được ký không trùng với giá trị chữ ký (Contents)',
  contentsNotHex: 'giá trị chữ ký (Contents) không phải chuỗi thập lục phân',
  digestMismatch: 'nội dung tệp không khớp với mã băm đã được ký',
  signatureMismatch: 'giá trị chữ ký không khớp với chứng thư số của người ký',
  cmsUnreadable: 'không đọc được dữ liệu chữ ký (CMS)',
  cmsNotDetached: 'dữ liệu chữ ký chứa sẵn nội dung thay vì ký lên tệp PDF',
  signerMissing: 'không tìm thấy chứng thư số của người ký trong chữ ký',
  algorithmUnsupported: 'thuật toán băm hoặc ký không được hỗ trợ',
} as const;

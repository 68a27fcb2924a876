import type { SignatureSummary } from '../application/records.js';
import { formatInstantVi } from '../domain/calendar.js';

/** The capacity a signature was made in, as every page, receipt and CLI line words it. */
export const SIGNATURE_ROLE_LABELS: Readonly<Record<SignatureSummary['role'], string>> = Object.freeze({
  leader: 'Lãnh đạo đơn vị ký',
  organisation: 'Cơ quan ký khi phát hành',
  other: 'Chữ ký khác',
});

const CHAIN_LABELS: Readonly<Record<string, string>> = Object.freeze({
  trusted: 'chứng thư số hợp lệ',
  untrusted: 'chứng thư số không thuộc tổ chức cung cấp dịch vụ được tin cậy',
  expired: 'chứng thư số đã hết hạn khi ký',
  'not-yet-valid': 'chứng thư số chưa có hiệu lực khi ký',
});

/**
 * One digital signature of a signed report in one Vietnamese sentence: capacity, who (title,
 * organisation), when (Vietnam time), issuer, certificate status, revocation. The receipt, the CLI and
 * the portal (through the API's view) all show this sentence.
 */
export function describeSignature(s: SignatureSummary): string {
  // An organisation's certificate names the unit twice (CN = O): it is said once.
  const who = [s.signer ?? '(không rõ tên)', s.title, s.organization].filter((x, i, all) => Boolean(x) && all.indexOf(x) === i).join(', ');
  const when = s.signingTime ? `ký lúc ${formatInstantVi(s.signingTime)}` : 'không rõ thời điểm ký';
  const issuer = s.issuer ? `; cấp bởi ${s.issuer}` : '';
  const revocation = s.revocation === 'revoked' ? ', ĐÃ BỊ THU HỒI' : s.revocation === 'not-checked' ? ', chưa kiểm tra thu hồi' : '';
  return `${SIGNATURE_ROLE_LABELS[s.role]}: ${who}; ${when}${issuer}; ${CHAIN_LABELS[s.chain] ?? s.chain}${revocation}.`;
}

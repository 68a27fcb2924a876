import { displayFileName } from '../../domain/text.js';
import { formatInstantVi } from '../../domain/calendar.js';
import { currentForm } from '../../domain/forms.js';
import type { Finding, Period, Unit } from '../../domain/types.js';
import { KIND_NAMES } from '../../domain/units.js';
import type { Extension, SubmissionRecord } from '../../application/records.js';
import { formatDateVi, parseDateInput } from '../../domain/dates.js';
import { describeOutcome, type OutcomePointer } from '../../domain/outcome.js';
import { escapeHtml } from './mime.js';
import { describeSignature } from '../signatures.js';

export interface ReceiptMail {
  subject: string;
  text: string;
  html: string;
}

const STYLE = {
  body: 'font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1a1a1a;line-height:1.5',
  th: 'text-align:left;padding:6px 8px;border:1px solid #c8c8c8;background:#f0f3f7',
  td: 'padding:6px 8px;border:1px solid #c8c8c8;vertical-align:top',
  table: 'border-collapse:collapse;margin:8px 0 16px',
};

function sizeVi(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte`;
  return `${new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 }).format(bytes / 1024)} KB`;
}

/** Made once: building an Intl formatter costs far more than formatting with it. */
const NUMBER_VI = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });

function valueVi(v: number | string | boolean | null): string {
  if (v === null) return '(để trống)';
  if (typeof v === 'number') return NUMBER_VI.format(v);
  if (typeof v === 'boolean') return v ? 'Có' : 'Không';
  return v;
}

function figureName(code: string): string {
  const periodic = currentForm('periodic');
  const ind = periodic.indicators.find((i) => i.code === code);
  if (ind) return `${ind.name} (${ind.measure})`;
  const area = periodic.areas.find((a) => a.code === code);
  return area ? `Số nhiệm vụ: ${area.name}` : code;
}

function place(f: Finding): string {
  return f.sheet ? `${f.sheet}${f.cell ? ` — ô ${f.cell}` : ''}` : 'Toàn tệp';
}

/** The slot's pointers when the receipt is composed, and the server time of composing. */
export interface ReceiptSlotState {
  current: OutcomePointer | null;
  late: OutcomePointer | null;
  asOf: Date;
  /** The dossier's other part as it stands: its current valid file, null when none (undefined: not told). */
  otherPart?: { receiptNo: string; fileName: string; sha256: string | null } | null;
  /** The Department's acceptance of the slot, when it is accepted (the file accepted, when). */
  accepted?: { objectId: string; at: string } | null;
}

/** The dossier's two files as the receipt lists them: this one, and the other part's current one or none. */
function dossierLines(rec: SubmissionRecord, slot: ReceiptSlotState): [string, string][] {
  if (slot.otherPart === undefined) return [];
  const otherName = rec.part === 'report' ? 'Biểu số liệu' : 'Báo cáo đã ký số (PDF)';
  const other = slot.otherPart
    ? `${displayFileName(slot.otherPart.fileName)}, biên nhận ${slot.otherPart.receiptNo}, SHA-256 ${slot.otherPart.sha256 ?? '(không tính được)'}`
    : 'chưa có tệp hợp lệ — hồ sơ chỉ được tính khi có đủ hai tệp hợp lệ';
  return [['Hồ sơ — phần còn lại', `${otherName}: ${other}`]];
}

/** One line per digital signature of a signed report (describeSignature). */
function signatureLines(rec: SubmissionRecord): string[] {
  return (rec.report?.signatures ?? []).map(describeSignature);
}

/**
 * The Vietnamese receipt for one recorded submission: what was received, when (server time,
 * Asia/Ho_Chi_Minh), whether on time, what will happen to the file (describeOutcome), and either the
 * key figures or the exact findings to fix. All unit-supplied text is escaped.
 */
export function buildReceiptMail(
  rec: SubmissionRecord,
  unit: Unit,
  period: Period,
  portalUrl: string,
  extension: Extension | null | undefined,
  slot: ReceiptSlotState,
): ReceiptMail {
  const valid = rec.status === 'valid';
  const errors = rec.findings.filter((f) => f.severity === 'error');
  const warnings = rec.findings.filter((f) => f.severity === 'warning');
  const verdict = valid ? 'HỢP LỆ' : 'KHÔNG HỢP LỆ';
  const timeliness = rec.onTime ? 'Đúng hạn' : 'Nộp muộn (sau hạn)';
  const outcome = describeOutcome({
    objectId: rec.objectId,
    status: rec.status,
    warnings: warnings.length,
    onTime: rec.onTime,
    receivedAt: rec.receivedAt,
    period,
    extendedUntil: extension?.until ?? null,
    current: slot.current,
    late: slot.late,
    asOf: slot.asOf,
    accepted: slot.accepted ?? null,
  });
  const issued = rec.issueDate ? parseDateInput(rec.issueDate) : null;
  const subject = `[CCHC] Biên nhận ${rec.receiptNo}: ${period.name} — ${unit.name} — ${verdict}`;

  const facts: [string, string][] = [
    ['Số biên nhận', rec.receiptNo],
    ['Đơn vị', `${unit.name} (${unit.code})`],
    ['Kỳ báo cáo', `${period.name} (${period.id})`],
    ['Loại hồ sơ', `${KIND_NAMES[rec.kind]}${rec.part === 'report' ? ' — báo cáo đã ký số (PDF)' : ' — biểu mẫu số liệu'}`],
    ['Tên tệp', displayFileName(rec.fileName)],
    ['Dung lượng', sizeVi(rec.size)],
    ['Mã SHA-256', rec.sha256 ?? '(không tính được)'],
    ['Thời điểm hệ thống nhận', `${formatInstantVi(rec.receivedAt)} (giờ Việt Nam)`],
    [
      'Hạn nhận',
      extension && extension.until > period.dueDate
        ? `${formatInstantVi(period.deadline)}; đơn vị được gia hạn đến hết ngày ${formatDateVi(extension.until)} (${extension.grantedBy}: ${extension.reason})`
        : formatInstantVi(period.deadline),
    ],
    ['Thời hạn', timeliness],
    ...(rec.issueDate ? [['Ngày ban hành văn bản', issued ? formatDateVi(issued) : rec.issueDate] as [string, string]] : []),
    ['Kết quả kiểm tra', `${verdict}${rec.findings.length ? ` — ${errors.length} lỗi, ${warnings.length} cảnh báo` : ''}`],
    ...dossierLines(rec, slot),
  ];

  const lead = outcome.text;

  const figures = Object.entries(rec.figures);
  const signatures = signatureLines(rec);
  const findingsText = rec.findings.map((f, i) => `${i + 1}. [${f.severity === 'error' ? 'Lỗi' : 'Cảnh báo'}] ${place(f)}: ${f.message}`);
  const text = [
    `Kính gửi: ${unit.name}`,
    '',
    lead,
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    ...(findingsText.length ? ['', valid ? 'Cảnh báo cần xem lại:' : 'Các lỗi cần sửa:', ...findingsText] : []),
    ...(valid && figures.length ? ['', 'Một số số liệu chính hệ thống đã đọc được:', ...figures.map(([c, v]) => `- ${figureName(c)}: ${valueVi(v)}`)] : []),
    ...(signatures.length ? ['', 'Chữ ký số trong văn bản:', ...signatures.map((l) => `- ${l}`)] : []),
    '',
    `Xem lịch sử nộp và kết quả tại cổng tiếp nhận: ${portalUrl} (mở bằng đường dẫn riêng của đơn vị).`,
    '',
    'Thư này được gửi tự động từ hệ thống tiếp nhận báo cáo CCHC của Sở Nội vụ tỉnh Thừa Thiên Huế; vui lòng không trả lời thư này.',
  ].join('\n');

  const rows = facts.map(([k, v]) => `<tr><th style="${STYLE.th}">${escapeHtml(k)}</th><td style="${STYLE.td}">${escapeHtml(v)}</td></tr>`).join('');
  const findingRows = rec.findings
    .map(
      (f, i) =>
        `<tr><td style="${STYLE.td}">${i + 1}</td><td style="${STYLE.td};color:${f.severity === 'error' ? '#b00020' : '#8a5a00'}">${f.severity === 'error' ? 'Lỗi' : 'Cảnh báo'}</td>` +
        `<td style="${STYLE.td}">${escapeHtml(f.sheet ?? 'Toàn tệp')}</td><td style="${STYLE.td}">${escapeHtml(f.cell ?? '')}</td><td style="${STYLE.td}">${escapeHtml(f.message)}</td></tr>`,
    )
    .join('');
  const figureRows = figures
    .map(
      ([c, v]) => `<tr><td style="${STYLE.td}">${escapeHtml(figureName(c))}</td><td style="${STYLE.td};text-align:right">${escapeHtml(valueVi(v))}</td></tr>`,
    )
    .join('');
  const html = `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="${STYLE.body}">
<p>Kính gửi: <strong>${escapeHtml(unit.name)}</strong></p>
<p style="padding:10px 12px;border-left:4px solid ${valid ? '#1b7f3b' : '#b00020'};background:${valid ? '#eef8f1' : '#fdeeee'}"><strong>${verdict}</strong> — ${escapeHtml(lead)}</p>
<table style="${STYLE.table}">${rows}</table>
${rec.findings.length ? `<h3 style="margin:16px 0 4px">${valid ? 'Cảnh báo cần xem lại' : 'Các lỗi cần sửa'}</h3><table style="${STYLE.table}"><tr><th style="${STYLE.th}">STT</th><th style="${STYLE.th}">Mức độ</th><th style="${STYLE.th}">Trang</th><th style="${STYLE.th}">Ô</th><th style="${STYLE.th}">Nội dung</th></tr>${findingRows}</table>` : ''}
${valid && figures.length ? `<h3 style="margin:16px 0 4px">Một số số liệu chính hệ thống đã đọc được</h3><table style="${STYLE.table}"><tr><th style="${STYLE.th}">Chỉ tiêu</th><th style="${STYLE.th}">Giá trị</th></tr>${figureRows}</table>` : ''}
${signatures.length ? `<h3 style="margin:16px 0 4px">Chữ ký số trong văn bản</h3><ul>${signatures.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : ''}
<p>Xem lịch sử nộp và kết quả tại cổng tiếp nhận: <a href="${escapeHtml(portalUrl)}">${escapeHtml(portalUrl)}</a> (mở bằng đường dẫn riêng của đơn vị).</p>
<p style="color:#666;font-size:12px">Thư này được gửi tự động từ hệ thống tiếp nhận báo cáo CCHC của Sở Nội vụ tỉnh Thừa Thiên Huế; vui lòng không trả lời thư này.</p>
</body></html>`;
  return { subject, text, html };
}

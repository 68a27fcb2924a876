import type { Rollup } from '../../domain/rollup.js';
import type { MailAttachment } from '../mail/mime.js';
import { MEDIA_TYPES } from '../../domain/media-types.js';
import { KIND_COLUMNS, KIND_LABELS, coverageKinds, SEVERITY_NAMES, numberVi, percentVi, relationText, valueVi } from './format.js';
import { CHART_CID, FOOTER, KINDS, TRACE, cellValue, oneLine, reportMailContent } from './report-mail-content.js';
import type { Listing, ReportMailContent, ReportWorkbookDelivery } from './report-mail-content.js';
import { reportMailHtml } from './report-mail-html.js';

/**
 * The e-mail that delivers the consolidated report to Phòng CCHC, Sở Nội vụ: the key figures,
 * completeness and timeliness by unit kind (a table and the chart inline), the missing, late and
 * rejected-only units, the warnings, the relations that fail on the totals, and the workbook attached
 * or, when too large, a time-limited download link. Every string that may come from a unit is
 * escaped; the subject is built from our own strings only.
 */

export { CHART_CID } from './report-mail-content.js';
export type { ReportWorkbookDelivery } from './report-mail-content.js';
export const XLSX_CONTENT_TYPE = MEDIA_TYPES.xlsx;

export interface ReportMailOptions {
  portalUrl: string;
  workbook: ReportWorkbookDelivery;
  chartPng: Uint8Array;
  /** The Word draft of the Department's report, attached or linked like the workbook. */
  draft?: ReportWorkbookDelivery;
}

export interface ReportMail {
  subject: string;
  text: string;
  html: string;
  attachments: MailAttachment[];
}

/** "[CCHC] Tổng hợp <kỳ>: 34/39 đơn vị hợp lệ (82,1% đúng hạn)", marked BỔ SUNG for an addendum. */
export function reportSubject(rollup: Rollup): string {
  const c = rollup.coverage.all;
  const mark = rollup.includesLate ? 'BỔ SUNG — ' : '';
  return oneLine(`[CCHC] ${mark}Tổng hợp ${rollup.periodName}: ${c.valid}/${c.expected} đơn vị hợp lệ (${percentVi(c.timeliness)} đúng hạn)`);
}

/** The report e-mail: its subject, the same content as plain text and as HTML, the chart and (when small enough) the workbook. */
export function buildReportMail(rollup: Rollup, opts: ReportMailOptions): ReportMail {
  const subject = reportSubject(rollup);
  const content = reportMailContent(rollup, subject, opts.workbook, opts.portalUrl, opts.draft);
  return { subject, text: reportMailText(content), html: reportMailHtml(content), attachments: reportAttachments(rollup, opts) };
}

/** The plain-text body: the same sections as the HTML, in the same order. */
function reportMailText(content: ReportMailContent): string {
  const { rollup, lead, facts, lists, workbook, delivery, portalUrl } = content;
  return [
    'Kính gửi: Phòng Cải cách hành chính, Sở Nội vụ',
    '',
    lead,
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    ...(rollup.warnings.length ? ['', 'Lưu ý:', ...rollup.warnings.map((w) => `- ${w}`)] : []),
    '',
    ...figuresTextLines(content),
    '',
    'TÌNH HÌNH NỘP BÁO CÁO THEO LOẠI ĐƠN VỊ',
    ...coverageTextLines(rollup),
    '',
    ...lists.flatMap(listingTextLines),
    ...checksTextLines(content),
    delivery,
    ...('bytes' in workbook ? [] : [workbook.downloadUrl]),
    ...(content.draftDelivery && content.draft ? [content.draftDelivery, ...('bytes' in content.draft ? [] : [content.draft.downloadUrl])] : []),
    TRACE,
    '',
    `Cổng tiếp nhận báo cáo: ${portalUrl}`,
    '',
    FOOTER,
  ].join('\n');
}

/** The key figures' heading and lines: a plan's tasks per area, or each headline indicator with its values by kind. */
function figuresTextLines({ rollup, planRows, headline, headlineComparisons }: ReportMailContent): string[] {
  const figures = rollup.plan
    ? planRows.map(([label, n]) => `- ${label}: ${numberVi(n)} nhiệm vụ`)
    : headline.map(
        (i, n) =>
          `- ${i.name} (${i.code}): ${valueVi(i, i.total)}` +
          ` [${KINDS.map((k) => `${KIND_COLUMNS[k]}: ${cellValue(i, i.byKind[k])}`).join('; ')}]` +
          (headlineComparisons[n] ? `; ${headlineComparisons[n]}` : ''),
      );
  return [
    rollup.plan ? 'SỐ NHIỆM VỤ CCHC THEO LĨNH VỰC (TOÀN TỈNH)' : 'MỘT SỐ SỐ LIỆU CHÍNH (TOÀN TỈNH)',
    ...(figures.length ? figures : ['- (chưa có số liệu)']),
    ...(rollup.plan ? [] : ['("—": chưa có số liệu. Tỷ lệ được tính lại từ tổng các chỉ tiêu thành phần.)']),
  ];
}

/** One line per unit kind: valid, on time, late, rejected only, missing. */
function coverageTextLines(rollup: Rollup): string[] {
  return coverageKinds(rollup).map((k) => {
    const x = rollup.coverage[k];
    return `- ${KIND_LABELS[k]}: ${x.valid}/${x.expected} hợp lệ (${percentVi(x.completeness)}), ${x.onTime} đúng hạn (${percentVi(x.timeliness)}), ${x.late} nộp muộn, ${x.incomplete} hồ sơ chưa đủ, ${x.rejectedOnly} chỉ có tệp bị từ chối, ${x.missing} chưa nộp`;
  });
}

/** A list of units, numbered, then a blank line; "Không có." for an empty one. */
function listingTextLines(l: Listing): string[] {
  return [`${l.title}:`, ...(l.items.length ? l.items.map((s, n) => `  ${n + 1}. ${s}`) : ['  Không có.']), ''];
}

/** The relations that fail on the totals, or that all hold (then a blank line); nothing for a plan. */
function checksTextLines({ rollup, failed }: ReportMailContent): string[] {
  if (rollup.plan) return [];
  if (!failed.length) return [`Tất cả ${rollup.relationChecks.length} quan hệ giữa các chỉ tiêu kiểm tra được trên số tổng hợp đều thỏa mãn.`, ''];
  return [
    `QUAN HỆ GIỮA CÁC CHỈ TIÊU KHÔNG THỎA MÃN TRÊN SỐ TỔNG HỢP (${failed.length}/${rollup.relationChecks.length})`,
    ...failed.map(
      (f) =>
        `- [${SEVERITY_NAMES[f.severity]}] ${f.id} (${KIND_LABELS[f.scope]}): ${relationText(f)} Vế trái ${numberVi(f.left)}, vế phải ${numberVi(f.right)}.`,
    ),
    '',
  ];
}

/** The chart (inline, by Content-ID) and, when attached rather than linked, the workbook. */
function reportAttachments(rollup: Rollup, opts: ReportMailOptions): MailAttachment[] {
  const workbook = opts.workbook;
  const attachments: MailAttachment[] = [
    { filename: `bieu-do-ty-le-nop-${rollup.periodId}.png`, content: opts.chartPng, contentType: MEDIA_TYPES.png, cid: CHART_CID },
  ];
  if ('bytes' in workbook) attachments.push({ filename: oneLine(workbook.filename), content: workbook.bytes, contentType: XLSX_CONTENT_TYPE });
  if (opts.draft && 'bytes' in opts.draft)
    attachments.push({ filename: oneLine(opts.draft.filename), content: opts.draft.bytes, contentType: MEDIA_TYPES.docx });
  return attachments;
}

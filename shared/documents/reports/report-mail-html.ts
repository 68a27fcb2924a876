import type { IndicatorTotal, KindKey, RelationCheck, Rollup } from '../../domain/rollup.js';
import { escapeHtml } from '../mail/mime.js';
import { ADDENDUM, KIND_COLUMNS, KIND_LABELS, coverageKinds, SEVERITY_NAMES, numberVi, percentVi, relationText } from './format.js';
import { CHART_CID, FOOTER, KINDS, TRACE, cellValue } from './report-mail-content.js';
import type { Listing, ReportMailContent, ReportWorkbookDelivery } from './report-mail-content.js';

/**
 * The HTML body of the report e-mail: inline styles only (mail clients drop style sheets), tables
 * for the facts, figures, coverage and failed relations, the chart inline by its Content-ID. Every
 * string is escaped here.
 */

const STYLE = {
  body: 'margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1a1a1a;line-height:1.5;background:#ffffff',
  h1: 'margin:0 0 4px;font-size:20px;color:#1f3864',
  h2: 'margin:22px 0 6px;font-size:16px;color:#1f3864',
  table: 'border-collapse:collapse;margin:6px 0 12px',
  wide: 'border-collapse:collapse;margin:6px 0 12px;width:100%',
  th: 'text-align:left;padding:5px 8px;border:1px solid #c8c8c8;background:#f0f3f7;font-weight:bold',
  thNum: 'text-align:right;padding:5px 8px;border:1px solid #c8c8c8;background:#f0f3f7;font-weight:bold',
  td: 'padding:5px 8px;border:1px solid #c8c8c8;vertical-align:top',
  num: 'padding:5px 8px;border:1px solid #c8c8c8;vertical-align:top;text-align:right;white-space:nowrap',
  total: 'background:#fff8e1;font-weight:bold',
  note: 'color:#5f6368;font-size:12px;margin:2px 0 8px',
  box: (border: string, bg: string) => `margin:10px 0;padding:10px 12px;border-left:4px solid ${border};background:${bg}`,
};

const e = escapeHtml;

/** A header cell, escaped; right-aligned for a number column. */
function th(s: string, num = false): string {
  return `<th style="${num ? STYLE.thNum : STYLE.th}">${e(s)}</th>`;
}

/** A cell, escaped; right-aligned for a number, with `extra` style appended. */
function td(s: string, num = false, extra = ''): string {
  return `<td style="${num ? STYLE.num : STYLE.td}${extra ? `;${extra}` : ''}">${e(s)}</td>`;
}

/** The whole HTML document of the report e-mail. */
export function reportMailHtml(content: ReportMailContent): string {
  const { rollup, subject, leadBody, facts, lists, failed, workbook, delivery, portalUrl } = content;
  const title = rollup.includesLate ? `Báo cáo tổng hợp bổ sung — ${rollup.periodName}` : `Báo cáo tổng hợp — ${rollup.periodName}`;
  const leadStyle = rollup.includesLate ? STYLE.box('#b00020', '#fdeeee') : STYLE.box('#1b7f3b', '#eef8f1');
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(subject)}</title></head><body style="${STYLE.body}">
<div style="max-width:760px">
<p style="margin:0 0 12px">Kính gửi: <strong>Phòng Cải cách hành chính, Sở Nội vụ</strong></p>
<h1 style="${STYLE.h1}">${e(title)}</h1>
<p style="${leadStyle}">${rollup.includesLate ? `<strong>${e(ADDENDUM)}.</strong> ` : ''}${e(leadBody)}</p>
<table style="${STYLE.table}">${factsHtml(facts)}</table>
${warningsHtml(rollup.warnings)}
${figuresHtml(content)}
${coverageHtml(rollup)}
${listsHtml(lists)}
${checksHtml(rollup, failed)}
${deliveryHtml(workbook, delivery)}
${content.draft && content.draftDelivery ? deliveryHtml(content.draft, content.draftDelivery, 'Tải dự thảo báo cáo (Word)') : ''}
<p style="${STYLE.note}">${e(TRACE)}</p>
<p>Cổng tiếp nhận báo cáo: <a href="${e(portalUrl)}" style="color:#1a56db">${e(portalUrl)}</a></p>
<p style="color:#666;font-size:12px;margin-top:24px">${e(FOOTER)}</p>
</div>
</body></html>`;
}

/** The facts as header/value rows. */
function factsHtml(facts: [string, string][]): string {
  return facts.map(([k, v]) => `<tr>${th(k)}${td(v)}</tr>`).join('');
}

/** The roll-up's warnings in an amber box; nothing when there are none. */
function warningsHtml(warnings: string[]): string {
  if (!warnings.length) return '';
  const items = warnings.map((w) => `<li>${e(w)}</li>`).join('');
  return `<div style="${STYLE.box('#b26a00', '#fff4e5')}"><strong>Lưu ý</strong><ul style="margin:4px 0 0;padding-left:20px">${items}</ul></div>`;
}

/** The key figures: a plan's tasks per area, or the headline indicators by unit kind; nothing without figures. */
function figuresHtml(content: ReportMailContent): string {
  if (content.rollup.plan) return planFiguresHtml(content.planRows);
  return content.headline.length ? headlineFiguresHtml(content.headline, content.headlineComparisons) : '';
}

/** A plan's tasks per area. */
function planFiguresHtml(planRows: [string, number][]): string {
  const rows = planRows.map(([label, n]) => `<tr>${td(label)}${td(numberVi(n), true)}</tr>`).join('');
  return (
    `<h2 style="${STYLE.h2}">Số nhiệm vụ CCHC theo lĩnh vực (toàn tỉnh)</h2>` +
    `<table style="${STYLE.table}"><tr>${th('Lĩnh vực')}${th('Số nhiệm vụ', true)}</tr>${rows}</table>`
  );
}

/** The headline indicators: province total (bold) and by unit kind, with the note on "—" and on rates. */
function headlineFiguresHtml(headline: IndicatorTotal[], comparisons: string[]): string {
  const compared = comparisons.some((c) => c);
  const header = `<tr>${th('Chỉ tiêu')}${th(KIND_COLUMNS.all, true)}${KINDS.map((k) => th(KIND_COLUMNS[k], true)).join('')}${compared ? th('So sánh') : ''}</tr>`;
  const rows = headline.map((i, n) => headlineRowHtml(i, compared ? (comparisons[n] ?? '') : null)).join('');
  return (
    `<h2 style="${STYLE.h2}">Một số số liệu chính</h2><table width="100%" style="${STYLE.wide}">${header}${rows}</table>` +
    `<p style="${STYLE.note}">“—”: chưa có số liệu (không phải 0). Tỷ lệ (%) được tính lại từ tổng các chỉ tiêu thành phần, không lấy trung bình các tỷ lệ.</p>`
  );
}

/** One indicator's row: its name and code, the province total (bold), then each kind. */
function headlineRowHtml(i: IndicatorTotal, comparison: string | null): string {
  const byKind = KINDS.map((k) => td(cellValue(i, i.byKind[k]), true)).join('');
  const cmp = comparison === null ? '' : td(comparison ? comparison.charAt(0).toLocaleUpperCase('vi') + comparison.slice(1) : '—');
  return `<tr>${td(`${i.name} (${i.code})`)}${td(cellValue(i, i.total), true, 'font-weight:bold')}${byKind}${cmp}</tr>`;
}

/** Completeness and timeliness by unit kind (the province total highlighted), then the chart by Content-ID. */
function coverageHtml(rollup: Rollup): string {
  const headers = ['Phải báo cáo', 'Hợp lệ', 'Đúng hạn', 'Nộp muộn', 'Hồ sơ chưa đủ', 'Chỉ có tệp bị từ chối', 'Chưa nộp', 'Tỷ lệ đầy đủ', 'Tỷ lệ đúng hạn'];
  return (
    `<h2 style="${STYLE.h2}">Tình hình nộp báo cáo theo loại đơn vị</h2>` +
    `<table width="100%" style="${STYLE.wide}"><tr>${th('Loại đơn vị')}${headers.map((h) => th(h, true)).join('')}</tr>` +
    coverageKinds(rollup)
      .map((k) => coverageRowHtml(rollup, k))
      .join('') +
    `</table><p style="margin:8px 0"><img src="cid:${CHART_CID}" width="720" height="360" alt="Biểu đồ tỷ lệ nộp báo cáo đầy đủ và đúng hạn theo loại đơn vị" style="display:block;width:100%;max-width:720px;height:auto;border:0"></p>`
  );
}

/** One kind's row of the coverage table. */
function coverageRowHtml(rollup: Rollup, k: KindKey): string {
  const x = rollup.coverage[k];
  const extra = k === 'all' ? STYLE.total : '';
  const counts = [x.expected, x.valid, x.onTime, x.late, x.incomplete, x.rejectedOnly, x.missing].map((n) => td(String(n), true, extra)).join('');
  return `<tr>${td(KIND_LABELS[k], false, extra)}${counts}${td(percentVi(x.completeness), true, extra)}${td(percentVi(x.timeliness), true, extra)}</tr>`;
}

/** The lists of units, numbered; "Không có." for an empty one. */
function listsHtml(lists: Listing[]): string {
  return (
    `<h2 style="${STYLE.h2}">Đơn vị chưa nộp, nộp muộn, hồ sơ chưa đủ, chỉ có tệp bị từ chối</h2>` +
    lists
      .map(
        (l) =>
          `<p style="margin:10px 0 2px"><strong>${e(l.title)}</strong></p>` +
          (l.items.length
            ? `<ol style="margin:0;padding-left:24px">${l.items.map((s) => `<li>${e(s)}</li>`).join('')}</ol>`
            : `<p style="margin:0;color:#5f6368">Không có.</p>`),
      )
      .join('')
  );
}

/** The relations that fail on the totals (a table) or that all hold; nothing for a plan. */
function checksHtml(rollup: Rollup, failed: RelationCheck[]): string {
  if (rollup.plan) return '';
  if (!failed.length) {
    return `<p style="margin:16px 0;color:#1b7f3b">Tất cả ${rollup.relationChecks.length} quan hệ giữa các chỉ tiêu kiểm tra được trên số tổng hợp đều thỏa mãn.</p>`;
  }
  const header = `<tr>${th('Quan hệ')}${th('Phạm vi')}${th('Mức độ')}${th('Vế trái', true)}${th('Vế phải', true)}</tr>`;
  const rows = failed
    .map((f) => {
      const severity = td(SEVERITY_NAMES[f.severity], false, `color:${f.severity === 'error' ? '#b00020' : '#8a5a00'}`);
      return `<tr>${td(`${f.id}: ${relationText(f)}`)}${td(KIND_LABELS[f.scope])}${severity}${td(numberVi(f.left), true)}${td(numberVi(f.right), true)}</tr>`;
    })
    .join('');
  return (
    `<h2 style="${STYLE.h2}">Quan hệ giữa các chỉ tiêu không thỏa mãn trên số tổng hợp (${failed.length}/${rollup.relationChecks.length})</h2>` +
    `<table width="100%" style="${STYLE.wide}">${header}${rows}</table>` +
    `<p style="${STYLE.note}">Đề nghị đối chiếu với báo cáo của các đơn vị trước khi sử dụng các số liệu liên quan.</p>`
  );
}

/** The delivery sentence in a blue box, with the download link when the workbook is not attached. */
function deliveryHtml(workbook: ReportWorkbookDelivery, delivery: string, linkText = 'Tải sổ tổng hợp (Excel)'): string {
  const box = STYLE.box('#2f5597', '#eef3fb');
  if ('bytes' in workbook) return `<p style="${box}">${e(delivery)}</p>`;
  const link = `<a href="${e(workbook.downloadUrl)}" style="color:#1a56db;word-break:break-all">${e(linkText)}</a>`;
  return `<p style="${box}">${e(delivery)}<br>${link}</p>`;
}

import { formatInstantVi } from '../../domain/calendar.js';
import { TIMELINESS_LABELS, UNIT_STATUS_REPORT_LABELS } from '../../domain/labels.js';
import { areaLabel, getForm } from '../../domain/forms.js';
import type { IndicatorTotal, KindKey, Rollup } from '../../domain/rollup.js';
import type { FormDef, UnitKind } from '../../domain/types.js';
import { escapeHtml } from '../mail/mime.js';
import type { MailAttachment } from '../mail/mime.js';
import { MEDIA_TYPES } from '../../domain/media-types.js';
import {
  ADDENDUM,
  AGGREGATOR,
  KIND_COLUMNS,
  KIND_LABELS,
  coverageKinds,
  SEVERITY_NAMES,
  dueText,
  failedChecks,
  headlineIndicators,
  numberVi,
  percentVi,
  relationText,
  unitNamer,
  valueVi,
  windowText,
} from './format.js';

/**
 * The e-mail that delivers the consolidated report to Phòng CCHC, Sở Nội vụ: the key figures,
 * completeness and timeliness by unit kind (a table and the chart inline), the missing, late and
 * rejected-only units, the warnings, the relations that fail on the totals, and the workbook attached
 * or, when too large, a time-limited download link. Every string that may come from a unit is
 * escaped; the subject is built from our own strings only.
 */

export const CHART_CID = 'coverage-chart';
export const XLSX_CONTENT_TYPE = MEDIA_TYPES.xlsx;

export type ReportWorkbookDelivery = { filename: string; bytes: Uint8Array } | { downloadUrl: string; expiresAt: string };

export interface ReportMailOptions {
  portalUrl: string;
  workbook: ReportWorkbookDelivery;
  chartPng: Uint8Array;
}

export interface ReportMail {
  subject: string;
  text: string;
  html: string;
  attachments: MailAttachment[];
}

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

const KINDS: UnitKind[] = ['department', 'district', 'central'];

function formOf(rollup: Rollup): FormDef | null {
  try {
    return getForm(rollup.formId, rollup.formVersion);
  } catch {
    return null;
  }
}

function oneLine(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, ' ').trim();
}

/** "[CCHC] Tổng hợp <kỳ>: 34/39 đơn vị hợp lệ (82,1% đúng hạn)", marked BỔ SUNG for an addendum. */
export function reportSubject(rollup: Rollup): string {
  const c = rollup.coverage.all;
  const mark = rollup.includesLate ? 'BỔ SUNG — ' : '';
  return oneLine(`[CCHC] ${mark}Tổng hợp ${rollup.periodName}: ${c.valid}/${c.expected} đơn vị hợp lệ (${percentVi(c.timeliness)} đúng hạn)`);
}

function cellValue(ind: IndicatorTotal, v: number | null): string {
  return v === null ? '—' : valueVi(ind, v);
}

interface Listing {
  title: string;
  items: string[];
}

export function buildReportMail(rollup: Rollup, opts: ReportMailOptions): ReportMail {
  const subject = reportSubject(rollup);
  const named = unitNamer(rollup);
  const nameOf = (code: string): string => oneLine(named(code));
  const byCode = new Map(rollup.units.map((u) => [u.unitCode, u]));
  const c = rollup.coverage.all;
  const form = formOf(rollup);
  const generated = `${formatInstantVi(rollup.generatedAt)} (giờ Việt Nam)`;

  const leadBody = rollup.includesLate
    ? `Sổ tổng hợp bổ sung ${rollup.periodName} gồm số liệu của ${c.included}/${c.expected} đơn vị có báo cáo hợp lệ (${c.onTime} đúng hạn, ${c.late} nộp muộn).`
    : `Kỳ báo cáo “${rollup.periodName}” đã đóng. Hệ thống đã tổng hợp số liệu của ${c.included}/${c.expected} đơn vị có báo cáo hợp lệ, đúng hạn; báo cáo nộp muộn chưa được đưa vào.`;
  const lead = rollup.includesLate ? `${ADDENDUM}. ${leadBody}` : leadBody;

  const facts: [string, string][] = [
    ['Kỳ báo cáo', `${rollup.periodName} (mã kỳ ${rollup.periodId})`],
    ['Thời gian chốt số liệu', windowText(rollup.dataWindow)],
    ...(rollup.printedDataWindow ? [['Văn bản ghi', `${windowText(rollup.printedDataWindow)} (lưu để đối chiếu; không áp dụng)`] as [string, string]] : []),
    ['Hạn nộp', dueText(rollup)],
    ['Thời điểm lập báo cáo', generated],
    ['Đầy đủ', `${c.valid}/${c.expected} đơn vị có báo cáo hợp lệ (${percentVi(c.completeness)})`],
    ['Đúng hạn', `${c.onTime}/${c.expected} đơn vị (${percentVi(c.timeliness)})`],
    ...(rollup.closedEarly
      ? [
          [
            'Đóng trước hạn',
            `Kỳ được đóng trước hạn, lúc ${formatInstantVi(rollup.closedEarly.closedAt)} (giờ Việt Nam). Tệp nhận sau thời điểm này đến hết hạn nộp vẫn được tính là đúng hạn và được đưa vào bản bổ sung.`,
          ] as [string, string],
        ]
      : []),
  ];

  // Key figures: indicators, or the plan's tasks per area.
  const headline = rollup.plan ? [] : headlineIndicators(rollup);
  const planRows = rollup.plan
    ? Object.entries(rollup.plan.tasksPerArea).map(([code, n]) => {
        const area = form?.areas.find((a) => a.code === code);
        return [area ? areaLabel(area) : code, n] as [string, number];
      })
    : [];

  const lists: Listing[] = [
    ...(rollup.sinceLastReport
      ? [
          {
            title: `Nộp sau lần tổng hợp trước (${rollup.sinceLastReport.length})${rollup.sinceLastReport.length ? ' — có trong bản bổ sung này' : ''}`,
            items: rollup.sinceLastReport.map((code) => {
              const src = byCode.get(code)?.source;
              return `${nameOf(code)}${src ? ` (nhận lúc ${formatInstantVi(src.receivedAt)}, ${TIMELINESS_LABELS[src.onTime ? 'on_time' : 'late']})` : ''}`;
            }),
          },
        ]
      : []),
    { title: `${UNIT_STATUS_REPORT_LABELS.missing} (${rollup.missing.length})`, items: rollup.missing.map(nameOf) },
    {
      title: `${UNIT_STATUS_REPORT_LABELS.late} (${rollup.late.length})${rollup.late.length ? (rollup.includesLate ? ' — đã đưa vào bản bổ sung' : ' — chưa đưa vào số liệu tổng hợp') : ''}`,
      items: rollup.late.map((code) => {
        const src = byCode.get(code)?.source;
        return `${nameOf(code)}${src ? ` (nhận lúc ${formatInstantVi(src.receivedAt)})` : ''}`;
      }),
    },
    {
      title: `${UNIT_STATUS_REPORT_LABELS.rejected_only} (${rollup.rejectedOnly.length})`,
      items: rollup.rejectedOnly.map((code) => `${nameOf(code)} (${byCode.get(code)?.files ?? 0} tệp, không tệp nào hợp lệ)`),
    },
  ];
  const unprocessable = rollup.unprocessable ?? [];
  if (unprocessable.length > 0) {
    lists.push({
      title: `Tệp không kiểm tra được (${unprocessable.length}) — đơn vị đã được báo để nộp lại`,
      items: unprocessable.map((u) =>
        u.receiptNo
          ? `${nameOf(u.unitCode)}: tệp "${u.fileName ?? ''}", biên nhận ${u.receiptNo}, nhận lúc ${formatInstantVi(u.receivedAt!)}`
          : `${nameOf(u.unitCode)}: tệp ${u.key} chưa ghi nhận được kết quả (lỗi hệ thống; bộ phận kỹ thuật đã được cảnh báo)`,
      ),
    });
  }
  if (rollup.thematic) {
    lists.push({ title: `Báo cáo chuyên đề — chưa báo cáo (${rollup.thematic.notReported.length})`, items: rollup.thematic.notReported.map(nameOf) });
  }

  const failed = failedChecks(rollup);
  const workbook = opts.workbook;
  const attached = 'bytes' in workbook;
  const delivery = attached
    ? `Sổ tổng hợp (Excel) được đính kèm thư này: ${oneLine(workbook.filename)}.`
    : `Sổ tổng hợp (Excel) quá lớn để đính kèm. Tải về tại đường dẫn dưới đây; đường dẫn có hiệu lực đến ${formatInstantVi(workbook.expiresAt)} (giờ Việt Nam).`;
  const footer = `Thư này được gửi tự động từ hệ thống tiếp nhận báo cáo CCHC của ${AGGREGATOR}; vui lòng không trả lời thư này.`;
  const trace =
    'Mọi số liệu trong sổ tổng hợp truy được về tệp gốc của từng đơn vị: xem trang "Đầy đủ - kịp thời" (số biên nhận, thời điểm nhận, tên tệp, mã SHA-256, khóa lưu trữ).';

  // ------------------------------------------------------------ plain text
  const coverageText = coverageKinds(rollup).map((k) => {
    const x = rollup.coverage[k];
    return `- ${KIND_LABELS[k]}: ${x.valid}/${x.expected} hợp lệ (${percentVi(x.completeness)}), ${x.onTime} đúng hạn (${percentVi(x.timeliness)}), ${x.late} nộp muộn, ${x.rejectedOnly} chỉ có tệp bị từ chối, ${x.missing} chưa nộp`;
  });
  const figuresText = rollup.plan
    ? planRows.map(([label, n]) => `- ${label}: ${numberVi(n)} nhiệm vụ`)
    : headline.map(
        (i) => `- ${i.name} (${i.code}): ${valueVi(i, i.total)}` + ` [${KINDS.map((k) => `${KIND_COLUMNS[k]}: ${cellValue(i, i.byKind[k])}`).join('; ')}]`,
      );
  const text = [
    'Kính gửi: Phòng Cải cách hành chính, Sở Nội vụ',
    '',
    lead,
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    ...(rollup.warnings.length ? ['', 'Lưu ý:', ...rollup.warnings.map((w) => `- ${w}`)] : []),
    '',
    rollup.plan ? 'SỐ NHIỆM VỤ CCHC THEO LĨNH VỰC (TOÀN TỈNH)' : 'MỘT SỐ SỐ LIỆU CHÍNH (TOÀN TỈNH)',
    ...(figuresText.length ? figuresText : ['- (chưa có số liệu)']),
    ...(rollup.plan ? [] : ['("—": chưa có số liệu. Tỷ lệ được tính lại từ tổng các chỉ tiêu thành phần.)']),
    '',
    'TÌNH HÌNH NỘP BÁO CÁO THEO LOẠI ĐƠN VỊ',
    ...coverageText,
    '',
    ...lists.flatMap((l) => [`${l.title}:`, ...(l.items.length ? l.items.map((s, n) => `  ${n + 1}. ${s}`) : ['  Không có.']), '']),
    ...(rollup.plan
      ? []
      : failed.length
        ? [
            `QUAN HỆ GIỮA CÁC CHỈ TIÊU KHÔNG THỎA MÃN TRÊN SỐ TỔNG HỢP (${failed.length}/${rollup.relationChecks.length})`,
            ...failed.map(
              (f) =>
                `- [${SEVERITY_NAMES[f.severity]}] ${f.id} (${KIND_LABELS[f.scope]}): ${relationText(f)} Vế trái ${numberVi(f.left)}, vế phải ${numberVi(f.right)}.`,
            ),
            '',
          ]
        : [`Tất cả ${rollup.relationChecks.length} quan hệ giữa các chỉ tiêu kiểm tra được trên số tổng hợp đều thỏa mãn.`, '']),
    delivery,
    ...(attached ? [] : [workbook.downloadUrl]),
    trace,
    '',
    `Cổng tiếp nhận báo cáo: ${opts.portalUrl}`,
    '',
    footer,
  ].join('\n');

  // ------------------------------------------------------------ HTML
  const e = escapeHtml;
  const th = (s: string, num = false): string => `<th style="${num ? STYLE.thNum : STYLE.th}">${e(s)}</th>`;
  const td = (s: string, num = false, extra = ''): string => `<td style="${num ? STYLE.num : STYLE.td}${extra ? `;${extra}` : ''}">${e(s)}</td>`;

  const factRows = facts.map(([k, v]) => `<tr>${th(k)}${td(v)}</tr>`).join('');
  const warningsHtml = rollup.warnings.length
    ? `<div style="${STYLE.box('#b26a00', '#fff4e5')}"><strong>Lưu ý</strong><ul style="margin:4px 0 0;padding-left:20px">${rollup.warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul></div>`
    : '';

  const figuresHtml = rollup.plan
    ? `<h2 style="${STYLE.h2}">Số nhiệm vụ CCHC theo lĩnh vực (toàn tỉnh)</h2><table style="${STYLE.table}"><tr>${th('Lĩnh vực')}${th('Số nhiệm vụ', true)}</tr>${planRows
        .map(([label, n]) => `<tr>${td(label)}${td(numberVi(n), true)}</tr>`)
        .join('')}</table>`
    : headline.length
      ? `<h2 style="${STYLE.h2}">Một số số liệu chính</h2><table width="100%" style="${STYLE.wide}"><tr>${th('Chỉ tiêu')}${th(KIND_COLUMNS.all, true)}${KINDS.map((k) => th(KIND_COLUMNS[k], true)).join('')}</tr>${headline
          .map(
            (i) =>
              `<tr>${td(`${i.name} (${i.code})`)}${td(cellValue(i, i.total), true, 'font-weight:bold')}${KINDS.map((k) => td(cellValue(i, i.byKind[k]), true)).join('')}</tr>`,
          )
          .join(
            '',
          )}</table><p style="${STYLE.note}">“—”: chưa có số liệu (không phải 0). Tỷ lệ (%) được tính lại từ tổng các chỉ tiêu thành phần, không lấy trung bình các tỷ lệ.</p>`
      : '';

  const coverageHtml =
    `<h2 style="${STYLE.h2}">Tình hình nộp báo cáo theo loại đơn vị</h2>` +
    `<table width="100%" style="${STYLE.wide}"><tr>${th('Loại đơn vị')}${th('Phải báo cáo', true)}${th('Hợp lệ', true)}${th('Đúng hạn', true)}${th('Nộp muộn', true)}${th('Chỉ có tệp bị từ chối', true)}${th('Chưa nộp', true)}${th('Tỷ lệ đầy đủ', true)}${th('Tỷ lệ đúng hạn', true)}</tr>` +
    coverageKinds(rollup)
      .map((k: KindKey) => {
        const x = rollup.coverage[k];
        const extra = k === 'all' ? STYLE.total : '';
        return `<tr>${td(KIND_LABELS[k], false, extra)}${[x.expected, x.valid, x.onTime, x.late, x.rejectedOnly, x.missing].map((n) => td(String(n), true, extra)).join('')}${td(percentVi(x.completeness), true, extra)}${td(percentVi(x.timeliness), true, extra)}</tr>`;
      })
      .join('') +
    `</table><p style="margin:8px 0"><img src="cid:${CHART_CID}" width="720" height="360" alt="Biểu đồ tỷ lệ nộp báo cáo đầy đủ và đúng hạn theo loại đơn vị" style="display:block;width:100%;max-width:720px;height:auto;border:0"></p>`;

  const listsHtml =
    `<h2 style="${STYLE.h2}">Đơn vị chưa nộp, nộp muộn, chỉ có tệp bị từ chối</h2>` +
    lists
      .map(
        (l) =>
          `<p style="margin:10px 0 2px"><strong>${e(l.title)}</strong></p>` +
          (l.items.length
            ? `<ol style="margin:0;padding-left:24px">${l.items.map((s) => `<li>${e(s)}</li>`).join('')}</ol>`
            : `<p style="margin:0;color:#5f6368">Không có.</p>`),
      )
      .join('');

  const checksHtml = rollup.plan
    ? ''
    : failed.length
      ? `<h2 style="${STYLE.h2}">Quan hệ giữa các chỉ tiêu không thỏa mãn trên số tổng hợp (${failed.length}/${rollup.relationChecks.length})</h2>` +
        `<table width="100%" style="${STYLE.wide}"><tr>${th('Quan hệ')}${th('Phạm vi')}${th('Mức độ')}${th('Vế trái', true)}${th('Vế phải', true)}</tr>${failed
          .map(
            (f) =>
              `<tr>${td(`${f.id}: ${relationText(f)}`)}${td(KIND_LABELS[f.scope])}${td(SEVERITY_NAMES[f.severity], false, `color:${f.severity === 'error' ? '#b00020' : '#8a5a00'}`)}${td(numberVi(f.left), true)}${td(numberVi(f.right), true)}</tr>`,
          )
          .join('')}</table><p style="${STYLE.note}">Đề nghị đối chiếu với báo cáo của các đơn vị trước khi sử dụng các số liệu liên quan.</p>`
      : `<p style="margin:16px 0;color:#1b7f3b">Tất cả ${rollup.relationChecks.length} quan hệ giữa các chỉ tiêu kiểm tra được trên số tổng hợp đều thỏa mãn.</p>`;

  const deliveryHtml = attached
    ? `<p style="${STYLE.box('#2f5597', '#eef3fb')}">${e(delivery)}</p>`
    : `<p style="${STYLE.box('#2f5597', '#eef3fb')}">${e(delivery)}<br><a href="${e(workbook.downloadUrl)}" style="color:#1a56db;word-break:break-all">Tải sổ tổng hợp (Excel)</a></p>`;

  const title = rollup.includesLate ? `Báo cáo tổng hợp bổ sung — ${rollup.periodName}` : `Báo cáo tổng hợp — ${rollup.periodName}`;
  const html = `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(subject)}</title></head><body style="${STYLE.body}">
<div style="max-width:760px">
<p style="margin:0 0 12px">Kính gửi: <strong>Phòng Cải cách hành chính, Sở Nội vụ</strong></p>
<h1 style="${STYLE.h1}">${e(title)}</h1>
<p style="${rollup.includesLate ? STYLE.box('#b00020', '#fdeeee') : STYLE.box('#1b7f3b', '#eef8f1')}">${rollup.includesLate ? `<strong>${e(ADDENDUM)}.</strong> ` : ''}${e(leadBody)}</p>
<table style="${STYLE.table}">${factRows}</table>
${warningsHtml}
${figuresHtml}
${coverageHtml}
${listsHtml}
${checksHtml}
${deliveryHtml}
<p style="${STYLE.note}">${e(trace)}</p>
<p>Cổng tiếp nhận báo cáo: <a href="${e(opts.portalUrl)}" style="color:#1a56db">${e(opts.portalUrl)}</a></p>
<p style="color:#666;font-size:12px;margin-top:24px">${e(footer)}</p>
</div>
</body></html>`;

  const attachments: MailAttachment[] = [
    { filename: `bieu-do-ty-le-nop-${rollup.periodId}.png`, content: opts.chartPng, contentType: MEDIA_TYPES.png, cid: CHART_CID },
  ];
  if (attached) attachments.push({ filename: oneLine(workbook.filename), content: workbook.bytes, contentType: XLSX_CONTENT_TYPE });
  return { subject, text, html, attachments };
}

import { reviewedSentence } from './review-text.js';
import { formatInstantVi } from '../../domain/calendar.js';
import { missingText } from '../../domain/dossier.js';
import { TIMELINESS_LABELS, UNIT_STATUS_REPORT_LABELS } from '../../domain/labels.js';
import { areaLabel, getForm } from '../../domain/forms.js';
import type { IndicatorTotal, RelationCheck, Rollup, UnitLine } from '../../domain/rollup.js';
import type { FormDef, UnitKind } from '../../domain/types.js';
import { comparisonClauses } from './comparison-text.js';
import { ADDENDUM, AGGREGATOR, dueText, failedChecks, headlineIndicators, percentVi, unitNamer, valueVi, windowText } from './format.js';

/**
 * What the report e-mail says, once, for its text and its HTML bodies: the lead, the facts of the
 * period, the key figures, the lists of units, the failed relations and how the workbook is delivered.
 * Strings from units are kept raw here (on one line); each body escapes them its own way.
 */

export const CHART_CID = 'coverage-chart';

export type ReportWorkbookDelivery = { filename: string; bytes: Uint8Array } | { downloadUrl: string; expiresAt: string };

/** The unit kinds shown as columns of the key figures. */
export const KINDS: UnitKind[] = ['department', 'district', 'central'];

export const FOOTER = `Thư này được gửi tự động từ hệ thống tiếp nhận báo cáo CCHC của ${AGGREGATOR}; vui lòng không trả lời thư này.`;
export const TRACE =
  'Mọi số liệu trong sổ tổng hợp truy được về tệp gốc của từng đơn vị: xem trang "Đầy đủ - kịp thời" (số biên nhận, thời điểm nhận, tên tệp, mã SHA-256, khóa lưu trữ).';

/** A titled list of units (missing, late, …), each item one line. */
export interface Listing {
  title: string;
  items: string[];
}

export interface ReportMailContent {
  rollup: Rollup;
  subject: string;
  /** The lead paragraph without the addendum mark (the HTML sets the mark in bold). */
  leadBody: string;
  /** The lead paragraph as the text body says it, with the addendum mark. */
  lead: string;
  facts: [string, string][];
  /** Key figures of a periodic or thematic report (none for a plan). */
  headline: IndicatorTotal[];
  /** A plan's tasks per area, labelled (none otherwise). */
  planRows: [string, number][];
  lists: Listing[];
  failed: RelationCheck[];
  workbook: ReportWorkbookDelivery;
  /** The sentence that says where the workbook is. */
  delivery: string;
  /** The Word draft of the Department's report, and the sentence that says where it is. */
  draft?: ReportWorkbookDelivery;
  draftDelivery?: string;
  /** Per headline indicator (same order), its comparisons in words; empty strings without comparisons. */
  headlineComparisons: string[];
  portalUrl: string;
}

/** Collapses line breaks (a header or list line never spans lines) and trims. */
export function oneLine(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, ' ').trim();
}

/** An indicator's value for a table cell; "—" when there is none. */
export function cellValue(ind: IndicatorTotal, v: number | null): string {
  return v === null ? '—' : valueVi(ind, v);
}

function formOf(rollup: Rollup): FormDef | null {
  try {
    return getForm(rollup.formId, rollup.formVersion);
  } catch {
    return null;
  }
}

/** Everything both bodies need, computed in one place (the order of the steps is that of the message). */
export function reportMailContent(
  rollup: Rollup,
  subject: string,
  workbook: ReportWorkbookDelivery,
  portalUrl: string,
  draft?: ReportWorkbookDelivery,
): ReportMailContent {
  const named = unitNamer(rollup);
  const nameOf = (code: string): string => oneLine(named(code));
  const form = formOf(rollup);
  const leadBody = leadParagraph(rollup);
  const lead = rollup.includesLate ? `${ADDENDUM}. ${leadBody}` : leadBody;
  const facts = periodFacts(rollup);
  // Key figures: indicators, or the plan's tasks per area.
  const headline = rollup.plan ? [] : headlineIndicators(rollup);
  const planRows = planTaskRows(rollup, form);
  const lists = unitListings(rollup, nameOf);
  const failed = failedChecks(rollup);
  const delivery = deliverySentence(workbook);
  const draftDelivery = draft ? draftSentence(draft) : undefined;
  const cmp = rollup.comparisons;
  const headlineComparisons = headline.map((i) => {
    const ic = cmp?.indicators.find((x) => x.code === i.code);
    return cmp && ic ? comparisonClauses(cmp, ic.changes, i) : '';
  });
  return {
    rollup,
    subject,
    leadBody,
    lead,
    facts,
    headline,
    planRows,
    lists,
    failed,
    workbook,
    delivery,
    draft,
    draftDelivery,
    headlineComparisons,
    portalUrl,
  };
}

/** What was consolidated: of how many units, and whether late reports are in (an addendum) or not yet. */
function leadParagraph(rollup: Rollup): string {
  const c = rollup.coverage.all;
  return rollup.includesLate
    ? `Sổ tổng hợp bổ sung ${rollup.periodName} gồm số liệu của ${c.included}/${c.expected} đơn vị có báo cáo hợp lệ (${c.onTime} đúng hạn, ${c.late} nộp muộn).`
    : `Kỳ báo cáo “${rollup.periodName}” đã đóng. Hệ thống đã tổng hợp số liệu của ${c.included}/${c.expected} đơn vị có báo cáo hợp lệ, đúng hạn; báo cáo nộp muộn chưa được đưa vào.`;
}

/** The facts of the period as label/value rows: window, due date, time of the report, completeness, timeliness, early close. */
function periodFacts(rollup: Rollup): [string, string][] {
  const c = rollup.coverage.all;
  const generated = `${formatInstantVi(rollup.generatedAt)} (giờ Việt Nam)`;
  return [
    ['Kỳ báo cáo', `${rollup.periodName} (mã kỳ ${rollup.periodId})`],
    ['Thời gian chốt số liệu', windowText(rollup.dataWindow)],
    ...(rollup.printedDataWindow ? [['Văn bản ghi', `${windowText(rollup.printedDataWindow)} (lưu để đối chiếu; không áp dụng)`] as [string, string]] : []),
    ['Hạn nộp', dueText(rollup)],
    ['Thời điểm lập báo cáo', generated],
    ['Đầy đủ', `${c.valid}/${c.expected} đơn vị có báo cáo hợp lệ (${percentVi(c.completeness)})`],
    ['Đúng hạn', `${c.onTime}/${c.expected} đơn vị (${percentVi(c.timeliness)})`],
    ['Sở Nội vụ xem xét', capitalise(reviewedSentence(rollup))],
    ...(rollup.closedEarly
      ? [
          [
            'Đóng trước hạn',
            `Kỳ được đóng trước hạn, lúc ${formatInstantVi(rollup.closedEarly.closedAt)} (giờ Việt Nam). Tệp nhận sau thời điểm này đến hết hạn nộp vẫn được tính là đúng hạn và được đưa vào bản bổ sung.`,
          ] as [string, string],
        ]
      : []),
  ];
}

/** A plan's tasks per area, labelled by the form's area names (the code when the form or area is unknown). */
function planTaskRows(rollup: Rollup, form: FormDef | null): [string, number][] {
  return rollup.plan
    ? Object.entries(rollup.plan.tasksPerArea).map(([code, n]) => {
        const area = form?.areas.find((a) => a.code === code);
        return [area ? areaLabel(area) : code, n] as [string, number];
      })
    : [];
}

/** The lists of units: sent since the last report (addenda), missing, late, rejected only, unprocessable, thematic not reported. */
function unitListings(rollup: Rollup, nameOf: (code: string) => string): Listing[] {
  const byCode = new Map(rollup.units.map((u) => [u.unitCode, u]));
  const lists: Listing[] = [
    ...(rollup.sinceLastReport ? [sinceLastReportListing(rollup.sinceLastReport, byCode, nameOf)] : []),
    { title: `${UNIT_STATUS_REPORT_LABELS.missing} (${rollup.missing.length})`, items: rollup.missing.map(nameOf) },
    lateListing(rollup, byCode, nameOf),
    ...(rollup.requiresSignedReport || rollup.incomplete.length
      ? [
          {
            title: `${UNIT_STATUS_REPORT_LABELS.incomplete} — chưa đưa vào số liệu tổng hợp (${rollup.incomplete.length})`,
            items: rollup.incomplete.map((code) => `${nameOf(code)} (${missingText(byCode.get(code)?.missingParts ?? [])})`),
          },
        ]
      : []),
    {
      title: `${UNIT_STATUS_REPORT_LABELS.rejected_only} (${rollup.rejectedOnly.length})`,
      items: rollup.rejectedOnly.map((code) => {
        const u = byCode.get(code);
        return `${nameOf(code)} (${(u?.files ?? 0) + (u?.reportFiles ?? 0)} tệp, không tệp nào hợp lệ)`;
      }),
    },
  ];
  const unprocessable = rollup.unprocessable ?? [];
  if (unprocessable.length > 0) lists.push(unprocessableListing(unprocessable, nameOf));
  if (rollup.thematic) {
    lists.push({ title: `Báo cáo chuyên đề — chưa báo cáo (${rollup.thematic.notReported.length})`, items: rollup.thematic.notReported.map(nameOf) });
  }
  return lists;
}

/** An addendum's units received since the previous report, with when and whether on time. */
function sinceLastReportListing(since: string[], byCode: Map<string, UnitLine>, nameOf: (code: string) => string): Listing {
  return {
    title: `Nộp sau lần tổng hợp trước (${since.length})${since.length ? ' — có trong bản bổ sung này' : ''}`,
    items: since.map((code) => {
      const src = byCode.get(code)?.source;
      return `${nameOf(code)}${src ? ` (nhận lúc ${formatInstantVi(src.receivedAt)}, ${TIMELINESS_LABELS[src.onTime ? 'on_time' : 'late']})` : ''}`;
    }),
  };
}

/** The late units with when each was received; the title says whether their figures are in. */
function lateListing(rollup: Rollup, byCode: Map<string, UnitLine>, nameOf: (code: string) => string): Listing {
  const inOrOut = rollup.includesLate ? ' — đã đưa vào bản bổ sung' : ' — chưa đưa vào số liệu tổng hợp';
  return {
    title: `${UNIT_STATUS_REPORT_LABELS.late} (${rollup.late.length})${rollup.late.length ? inOrOut : ''}`,
    items: rollup.late.map((code) => {
      const src = byCode.get(code)?.source;
      return `${nameOf(code)}${src ? ` (nhận lúc ${formatInstantVi(src.receivedAt)})` : ''}`;
    }),
  };
}

/** Files that could not be checked (with their receipt) or not even recorded (a system error). */
function unprocessableListing(unprocessable: NonNullable<Rollup['unprocessable']>, nameOf: (code: string) => string): Listing {
  return {
    title: `Tệp không kiểm tra được (${unprocessable.length}) — đơn vị đã được báo để nộp lại`,
    items: unprocessable.map((u) =>
      u.receiptNo
        ? `${nameOf(u.unitCode)}: tệp "${u.fileName ?? ''}", biên nhận ${u.receiptNo}, nhận lúc ${formatInstantVi(u.receivedAt!)}`
        : `${nameOf(u.unitCode)}: tệp ${u.key} chưa ghi nhận được kết quả (lỗi hệ thống; bộ phận kỹ thuật đã được cảnh báo)`,
    ),
  };
}

/** Where the workbook is: attached (by name), or behind a link valid until a time in Vietnam time. */
function deliverySentence(workbook: ReportWorkbookDelivery): string {
  return 'bytes' in workbook
    ? `Sổ tổng hợp (Excel) được đính kèm thư này: ${oneLine(workbook.filename)}.`
    : `Sổ tổng hợp (Excel) quá lớn để đính kèm. Tải về tại đường dẫn dưới đây; đường dẫn có hiệu lực đến ${formatInstantVi(workbook.expiresAt)} (giờ Việt Nam).`;
}

/** Where the Word draft is: attached (by name), or behind a link valid until a time in Vietnam time. */
function draftSentence(draft: ReportWorkbookDelivery): string {
  const what = 'Dự thảo báo cáo của Sở Nội vụ gửi UBND tỉnh (Word, theo thể thức Nghị định 30/2020/NĐ-CP; cần kiểm tra, chỉnh sửa trước khi trình ký)';
  return 'bytes' in draft
    ? `${what} được đính kèm thư này: ${oneLine(draft.filename)}.`
    : `${what}: tải về tại đường dẫn dưới đây; đường dẫn có hiệu lực đến ${formatInstantVi(draft.expiresAt)} (giờ Việt Nam).`;
}

function capitalise(t: string): string {
  return t.charAt(0).toLocaleUpperCase('vi') + t.slice(1);
}

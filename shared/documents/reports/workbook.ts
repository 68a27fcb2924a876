import { areaLabel } from '../../domain/forms.js';
import ExcelJS from 'exceljs';
import { formatInstantVi } from '../../domain/calendar.js';
import { missingText } from '../../domain/dossier.js';
import { UNIT_STATUS_REPORT_LABELS } from '../../domain/labels.js';
import type { IndicatorTotal, NarrativeEntry, Rollup, UnitLine, UnitStatus } from '../../domain/rollup.js';
import type { Area, FormDef, IndicatorDef, UnitKind } from '../../domain/types.js';
import { UNIT_KIND_NAMES, defaultUnits } from '../../domain/units.js';
import {
  ADDENDUM,
  AGGREGATOR,
  KIND_COLUMNS,
  KIND_LABELS,
  coverageKinds,
  KIND_SHORT,
  SEVERITY_NAMES,
  areasWithIndicators,
  dueText,
  failedChecks,
  headlineIndicators,
  relationText,
  reportTitle,
  unitNamer,
  windowText,
} from './format.js';
import { COLOR, MONO, ReportSheet, sheetName } from './sheet.js';
import { reviewCellText, reviewedSentence } from './review-text.js';
import type { CellSpec } from './sheet.js';
import { BASIS_HEADINGS, changeCell, periodPhrase } from './comparison-text.js';

/**
 * The consolidated workbook the Department of Home Affairs forwards to the Provincial People's
 * Committee: Vietnamese, formatted for A4 print, every figure a computed value (no formulas), every
 * unit-supplied string a text cell, every number traceable to the file it came from.
 */

export const SHEET_NAMES = {
  summary: 'Tổng hợp',
  completeness: 'Đầy đủ - kịp thời',
  narratives: 'Thuyết minh',
  plan: 'Nhiệm vụ theo lĩnh vực',
  thematic: 'Báo cáo chuyên đề',
} as const;

/** Short sheet names of the known areas (the full name is in the sheet's title). */
const AREA_SHEET: Record<string, string> = {
  chi_dao_dieu_hanh: '0. Chỉ đạo điều hành',
  the_che: '1. Thể chế',
  thu_tuc_hanh_chinh: '2. Thủ tục hành chính',
  to_chuc_bo_may: '3. Tổ chức bộ máy',
  cong_vu: '4. Công vụ',
  tai_chinh_cong: '5. Tài chính công',
  chinh_phu_dien_tu: '6. Chính phủ điện tử',
};

const KINDS: UnitKind[] = ['department', 'district', 'central'];

const STATUS_COLOR: Record<UnitStatus, string> = {
  on_time: COLOR.good,
  late: COLOR.warn,
  rejected_only: COLOR.bad,
  missing: COLOR.bad,
  incomplete: COLOR.warn,
};

function footerOf(rollup: Rollup): string {
  return `${rollup.periodName}${rollup.includesLate ? ' (bản bổ sung)' : ''}`;
}

function generatedText(rollup: Rollup): string {
  return `${formatInstantVi(rollup.generatedAt)} (giờ Việt Nam)`;
}

function scopeText(rollup: Rollup): string {
  const c = rollup.coverage.all;
  return rollup.includesLate
    ? `Số liệu của ${c.included}/${c.expected} đơn vị có báo cáo hợp lệ (${c.onTime} đúng hạn và ${c.late} nộp muộn).`
    : `Số liệu của ${c.included}/${c.expected} đơn vị có báo cáo hợp lệ, đúng hạn; báo cáo nộp muộn chưa được đưa vào.`;
}

function numFmtOf(ind: IndicatorTotal): string {
  if (ind.valueType === 'rate') return '0.00';
  const values = [ind.total, ...KINDS.map((k) => ind.byKind[k])].filter((v): v is number => v !== null);
  return values.every((v) => Number.isInteger(v)) ? '#,##0' : '#,##0.00';
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function pct(ratio: number): number {
  return round2(ratio * 100);
}

/** The red line that marks an addendum (a report that includes late submissions). */
function addendumBanner(s: ReportSheet, minHeight: number): void {
  s.line(ADDENDUM, { bold: true, size: 12, color: { argb: COLOR.bad } }, { align: { horizontal: 'center' }, fill: COLOR.badFill, minHeight });
}

/** Title block shared by the sheets: agency line, title, sheet subtitle, addendum marker. */
function titleBlock(s: ReportSheet, rollup: Rollup, subtitle: string): void {
  const agency = `${AGGREGATOR.toLocaleUpperCase('vi')} — PHÒNG CẢI CÁCH HÀNH CHÍNH`;
  s.line(agency, { bold: true, size: 10, color: { argb: COLOR.note } }, { minHeight: 16 });
  s.line(reportTitle(rollup), { bold: true, size: 14, color: { argb: COLOR.title } }, { align: { horizontal: 'center' }, minHeight: 24 });
  s.line(subtitle, { bold: true, size: 12 }, { align: { horizontal: 'center' }, minHeight: 20 });
  if (rollup.includesLate) addendumBanner(s, 20);
  const period = `Kỳ báo cáo: ${rollup.periodName} (mã kỳ ${rollup.periodId}). Thời gian chốt số liệu: ${windowText(rollup.dataWindow)}.`;
  s.line(
    `${period} ${scopeText(rollup)}`,
    { size: 10, italic: true, color: { argb: COLOR.note } },
    {
      align: { horizontal: 'center' },
      minHeight: 16,
    },
  );
  s.gap(6);
}

// ---------------------------------------------------------------- Tổng hợp

/** Writes a numbered section heading (I., II., …); one writer per sheet. */
type Heading = (text: string) => void;

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII'];

/** A heading writer that numbers the sections of a sheet in Roman numerals, in the order written. */
function romanHeadings(s: ReportSheet): Heading {
  let section = 0;
  return (text) => {
    s.line(`${ROMAN[section++]}. ${text}`, { bold: true, size: 12, color: { argb: COLOR.title } }, { minHeight: 20 });
  };
}

/** The note under a table: small, italic, grey. */
function noteLine(s: ReportSheet, text: string): void {
  s.line(text, { size: 9, italic: true, color: { argb: COLOR.note } }, { minHeight: 16 });
}

/** The summary's letterhead: agency, title, the form's title and the addendum marker. */
function writeSummaryHead(s: ReportSheet, rollup: Rollup, form: FormDef): void {
  const agency = `${AGGREGATOR.toLocaleUpperCase('vi')}\nPHÒNG CẢI CÁCH HÀNH CHÍNH`;
  s.line(agency, { bold: true, size: 11 }, { to: 4, align: { horizontal: 'center' }, minHeight: 34 });
  s.gap(4);
  s.line(reportTitle(rollup), { bold: true, size: 14, color: { argb: COLOR.title } }, { align: { horizontal: 'center' }, minHeight: 24 });
  s.line(form.title, { size: 12, italic: true }, { align: { horizontal: 'center' }, minHeight: 18 });
  if (rollup.includesLate) addendumBanner(s, 22);
  s.gap(6);
}

/** The facts of the report (period, form, window, due date, when it was made, scope) and the calendar's warnings. */
function writeSummaryFacts(s: ReportSheet, rollup: Rollup): void {
  const fact = (label: string, value: string, font: CellSpec['font'] = {}, fill?: string): void => {
    s.cells(
      [
        { col: 1, to: 2, value: label, font: { bold: true }, border: false, fill },
        { col: 3, to: s.lastCol, value, font, border: false, fill },
      ],
      17,
    );
  };
  fact('Kỳ báo cáo:', `${rollup.periodName} (mã kỳ ${rollup.periodId}); biểu mẫu ${rollup.formId}, phiên bản ${rollup.formVersion}.`);
  fact('Thời gian chốt số liệu:', windowText(rollup.dataWindow));
  if (rollup.printedDataWindow) fact('Văn bản ghi:', `${windowText(rollup.printedDataWindow)} (lưu để đối chiếu; không áp dụng).`);
  fact('Hạn nộp:', dueText(rollup));
  fact('Thời điểm lập báo cáo:', generatedText(rollup));
  fact('Phạm vi số liệu:', scopeText(rollup), rollup.includesLate ? { bold: true, color: { argb: COLOR.bad } } : {});
  for (const w of rollup.warnings) fact('Lưu ý:', w, { color: { argb: COLOR.warn } }, COLOR.warnFill);
  s.gap(8);
}

/** Section I: coverage by unit kind (counts by status, completeness and timeliness), the province's total last. */
function writeCoverageByKind(s: ReportSheet, rollup: Rollup, heading: Heading): void {
  heading('TÌNH HÌNH NỘP BÁO CÁO THEO LOẠI ĐƠN VỊ');
  s.header(
    [
      { col: 1, label: 'STT' },
      { col: 2, label: 'Loại đơn vị' },
      { col: 3, label: 'Phải báo cáo' },
      { col: 4, label: 'Hợp lệ' },
      { col: 5, label: 'Đúng hạn' },
      { col: 6, label: 'Nộp muộn' },
      { col: 7, label: 'Hồ sơ chưa đủ' },
      { col: 8, label: 'Chỉ có tệp bị từ chối' },
      { col: 9, label: 'Chưa nộp' },
      { col: 10, label: 'Tỷ lệ đầy đủ (%)' },
      { col: 11, label: 'Tỷ lệ đúng hạn (%)' },
    ],
    46,
  );
  coverageKinds(rollup).forEach((k, i) => {
    const c = rollup.coverage[k];
    const total = k === 'all';
    const font = total ? { bold: true } : {};
    const fill = total ? COLOR.total : undefined;
    s.cells([
      { col: 1, value: total ? '' : i + 1, font, fill, align: { horizontal: 'center' } },
      { col: 2, value: KIND_LABELS[k], font, fill },
      ...[c.expected, c.valid, c.onTime, c.late, c.incomplete, c.rejectedOnly, c.missing].map((v, j) => ({ col: 3 + j, value: v, font, fill })),
      { col: 10, value: pct(c.completeness), numFmt: '0.00', font, fill },
      { col: 11, value: pct(c.timeliness), numFmt: '0.00', font, fill },
    ]);
  });
  noteLine(
    s,
    'Tỷ lệ đầy đủ = số đơn vị có báo cáo hợp lệ (kể cả nộp muộn) / số đơn vị phải báo cáo; ' +
      'tỷ lệ đúng hạn = số đơn vị có báo cáo hợp lệ nhận trước hạn / số đơn vị phải báo cáo.' +
      (rollup.requiresSignedReport
        ? ' Báo cáo hợp lệ là hồ sơ đủ hai phần hợp lệ: biểu số liệu và báo cáo đã ký số (PDF) của lãnh đạo đơn vị; ' +
          'hồ sơ thiếu một phần chưa được tính vào số liệu tổng hợp.'
        : ''),
  );
  s.gap(8);
}

/** A list of units of section II: its title, the unit codes, and the note written for each unit. */
interface UnitList {
  title: string;
  codes: string[];
  note: (u: UnitLine | undefined) => string;
}

/** The missing, late and rejected-only lists of section II, each with its per-unit note. */
function unitLists(rollup: Rollup): UnitList[] {
  const lateNote = (u: UnitLine | undefined): string =>
    u?.source
      ? `Nhận lúc ${formatInstantVi(u.source.receivedAt)}, biên nhận ${u.source.receiptNo}. ` +
        (rollup.includesLate ? 'Đã đưa vào bản bổ sung.' : 'Chưa đưa vào số liệu tổng hợp.')
      : 'Nộp sau hạn.';
  return [
    { title: `Chưa nộp (${rollup.missing.length} đơn vị)`, codes: rollup.missing, note: () => 'Chưa nhận được tệp nào.' },
    { title: `Nộp muộn (${rollup.late.length} đơn vị)`, codes: rollup.late, note: lateNote },
    {
      title: `Hồ sơ chưa đủ (${rollup.incomplete.length} đơn vị)`,
      codes: rollup.incomplete,
      note: (u) => incompleteNote(u),
    },
    {
      title: `Chỉ có tệp bị từ chối (${rollup.rejectedOnly.length} đơn vị)`,
      codes: rollup.rejectedOnly,
      note: (u) => `Đã nhận ${(u?.files ?? 0) + (u?.reportFiles ?? 0)} tệp, không tệp nào hợp lệ.`,
    },
  ];
}

/** What an incomplete dossier lacks and what it has: "Thiếu báo cáo đã ký số (tệp PDF); biểu số liệu hợp lệ, biên nhận …". */
function incompleteNote(u: UnitLine | undefined): string {
  if (!u) return '';
  const lacks = missingText(u.missingParts ?? []);
  const has = u.source
    ? `biểu số liệu hợp lệ, biên nhận ${u.source.receiptNo}`
    : u.signedReport
      ? `báo cáo đã ký số hợp lệ, biên nhận ${u.signedReport.receiptNo}`
      : '';
  return `${lacks.charAt(0).toLocaleUpperCase('vi')}${lacks.slice(1)}${has ? `; ${has}` : ''}. Chưa đưa vào số liệu tổng hợp.`;
}

/** One list of section II: its title, then a table of the units (or "Không có."). */
function writeUnitList(s: ReportSheet, rollup: Rollup, list: UnitList): void {
  const nameOf = unitNamer(rollup);
  const byCode = new Map(rollup.units.map((u) => [u.unitCode, u]));
  const last = s.lastCol;
  s.line(list.title, { bold: true, italic: true }, { minHeight: 18 });
  if (list.codes.length === 0) {
    s.line('Không có.', { italic: true, color: { argb: COLOR.note } }, { from: 2, minHeight: 16 });
    return;
  }
  s.header(
    [
      { col: 1, label: 'STT' },
      { col: 2, to: 4, label: 'Tên đơn vị' },
      { col: 5, to: 6, label: 'Loại đơn vị' },
      { col: 7, to: last, label: 'Ghi chú' },
    ],
    20,
  );
  list.codes.forEach((code, i) => {
    const u = byCode.get(code);
    s.cells([
      { col: 1, value: i + 1, align: { horizontal: 'center' } },
      { col: 2, to: 4, value: nameOf(code) },
      { col: 5, to: 6, value: u ? KIND_SHORT[u.kind] : '' },
      { col: 7, to: last, value: list.note(u), font: { size: 10 } },
    ]);
  });
}

/** Section II: the units that are missing, late or have only rejected files. */
function writeUnitLists(s: ReportSheet, rollup: Rollup, heading: Heading): void {
  heading('ĐƠN VỊ CHƯA NỘP, NỘP MUỘN, HỒ SƠ CHƯA ĐỦ, CHỈ CÓ TỆP BỊ TỪ CHỐI');
  for (const list of unitLists(rollup)) writeUnitList(s, rollup, list);
  s.gap(8);
}

/** Section III of a plan: the province's tasks per reform area and their total. */
function writePlanTotals(s: ReportSheet, rollup: Rollup, form: FormDef, heading: Heading): void {
  const plan = rollup.plan!;
  const last = s.lastCol;
  heading('SỐ NHIỆM VỤ CCHC THEO LĨNH VỰC (TOÀN TỈNH)');
  s.header(
    [
      { col: 1, label: 'STT' },
      { col: 2, to: 7, label: 'Lĩnh vực' },
      { col: 8, to: last, label: 'Số nhiệm vụ' },
    ],
    20,
  );
  const areas = form.areas.filter((a) => a.code in plan.tasksPerArea);
  areas.forEach((a, i) => {
    s.cells([
      { col: 1, value: i + 1, align: { horizontal: 'center' } },
      { col: 2, to: 7, value: areaLabel(a) },
      { col: 8, to: last, value: plan.tasksPerArea[a.code] ?? 0 },
    ]);
  });
  const total = Object.values(plan.tasksPerArea).reduce((x, y) => x + y, 0);
  s.cells([
    { col: 1, value: '', fill: COLOR.total },
    { col: 2, to: 7, value: 'Tổng số nhiệm vụ', font: { bold: true }, fill: COLOR.total },
    { col: 8, to: last, value: total, font: { bold: true }, fill: COLOR.total },
  ]);
  noteLine(s, `Chi tiết theo từng đơn vị: xem trang "${SHEET_NAMES.plan}".`);
  s.gap(8);
}

/** Section III of a report: the headline indicators, overall and by unit kind, and where to find the others. */
function writeHeadlineFigures(s: ReportSheet, rollup: Rollup, areaSheets: Map<string, string>, heading: Heading): void {
  heading('MỘT SỐ SỐ LIỆU CHÍNH');
  s.header(
    [
      { col: 1, label: 'STT' },
      { col: 2, to: 5, label: 'Chỉ tiêu' },
      { col: 6, label: 'Đơn vị tính' },
      { col: 7, label: KIND_COLUMNS.all },
      { col: 8, label: KIND_COLUMNS.department },
      { col: 9, label: KIND_COLUMNS.district },
      { col: 10, label: KIND_COLUMNS.central },
    ],
    32,
  );
  headlineIndicators(rollup).forEach((ind, i) => {
    const fmt = numFmtOf(ind);
    s.cells([
      { col: 1, value: i + 1, align: { horizontal: 'center' } },
      { col: 2, to: 5, value: `${ind.name} (${ind.code})` },
      { col: 6, value: measureOf(ind), align: { horizontal: 'center' } },
      { col: 7, value: ind.total, numFmt: fmt, font: { bold: true } },
      ...KINDS.map((k, j) => ({ col: 8 + j, value: ind.byKind[k], numFmt: fmt })),
    ]);
  });
  const sheets = [...areaSheets.values()].map((n) => `"${n}"`).join(', ');
  noteLine(
    s,
    'Ô để trống: chưa có đơn vị nào báo cáo (không phải 0). ' +
      'Tỷ lệ (%) được tính lại từ tổng các chỉ tiêu thành phần, không lấy trung bình các tỷ lệ. ' +
      `Toàn bộ chỉ tiêu: xem các trang ${sheets}.`,
  );
  s.gap(8);
}

/** The thematic section: which of the departments reported and which did not. */
function writeThematicReporting(s: ReportSheet, rollup: Rollup, heading: Heading): void {
  const th = rollup.thematic!;
  const nameOf = unitNamer(rollup);
  heading('BÁO CÁO CHUYÊN ĐỀ CỦA CÁC SỞ ĐƯỢC GIAO THEO DÕI');
  s.line(`Đã báo cáo (${th.reported.length}): ${th.reported.map(nameOf).join('; ') || 'không có'}.`, {}, { minHeight: 17 });
  s.line(`Chưa báo cáo (${th.notReported.length}): ${th.notReported.map(nameOf).join('; ') || 'không có'}.`, {}, { minHeight: 17 });
  noteLine(s, `Chi tiết: xem trang "${SHEET_NAMES.thematic}".`);
  s.gap(8);
}

/** Number format of a relation's side: whole numbers without decimals. */
function sideFmt(v: number): string {
  return Number.isInteger(v) ? '#,##0' : '#,##0.00';
}

/** Section IV: the relations re-checked on the totals; all satisfied, or a table of those that are not. */
function writeRelationChecks(s: ReportSheet, rollup: Rollup, heading: Heading): void {
  heading('KIỂM TRA QUAN HỆ GIỮA CÁC CHỈ TIÊU TRÊN SỐ TỔNG HỢP');
  const failed = failedChecks(rollup);
  const count = rollup.relationChecks.length;
  if (failed.length === 0) {
    const text = `Tất cả ${count} quan hệ kiểm tra được trên số tổng hợp đều thỏa mãn.`;
    s.line(text, { color: { argb: COLOR.good } }, { minHeight: 17 });
    s.gap(8);
    return;
  }
  s.line(
    `${failed.length}/${count} quan hệ không thỏa mãn trên số tổng hợp; đề nghị đối chiếu với báo cáo của các đơn vị trước khi sử dụng số liệu liên quan.`,
    { color: { argb: COLOR.bad } },
    { minHeight: 17 },
  );
  s.header(
    [
      { col: 1, label: 'STT' },
      { col: 2, to: 6, label: 'Quan hệ giữa các chỉ tiêu' },
      { col: 7, label: 'Phạm vi' },
      { col: 8, label: 'Mức độ' },
      { col: 9, label: 'Vế trái' },
      { col: 10, label: 'Vế phải' },
    ],
    20,
  );
  failed.forEach((c, i) => {
    s.cells([
      { col: 1, value: i + 1, align: { horizontal: 'center' } },
      { col: 2, to: 6, value: `${c.id}: ${relationText(c)}` },
      { col: 7, value: KIND_SHORT[c.scope], font: { size: 10 } },
      { col: 8, value: SEVERITY_NAMES[c.severity], font: { color: { argb: c.severity === 'error' ? COLOR.bad : COLOR.warn } } },
      { col: 9, value: c.left, numFmt: sideFmt(c.left) },
      { col: 10, value: c.right, numFmt: sideFmt(c.right) },
    ]);
  });
  s.gap(8);
}

/** The last section (where every figure comes from) and the line saying when and by what the workbook was made. */
function writeTraceability(s: ReportSheet, rollup: Rollup, heading: Heading): void {
  heading('TRUY XUẤT NGUỒN SỐ LIỆU');
  s.line(
    `Mọi số liệu truy được về tệp gốc: xem trang "${SHEET_NAMES.completeness}" ` +
      '(số biên nhận, thời điểm nhận, tên tệp, mã SHA-256 và khóa lưu trữ của tệp được dùng cho từng đơn vị). ' +
      'Mọi số trong sổ này là giá trị đã tính sẵn, không có công thức.',
    {},
    { minHeight: 17 },
  );
  s.gap(12);
  s.line(
    `Sổ tổng hợp được lập tự động bởi hệ thống tiếp nhận báo cáo CCHC của ${AGGREGATOR} lúc ${generatedText(rollup)}.`,
    { size: 9, italic: true, color: { argb: COLOR.muted } },
    { minHeight: 16 },
  );
}

/**
 * The summary sheet: letterhead and facts, then numbered sections: coverage by kind, the missing /
 * late / rejected-only units, the plan's tasks or the headline figures, the thematic reporting, the
 * relation checks (not for plans) and traceability.
 */
function writeSummary(wb: ExcelJS.Workbook, rollup: Rollup, form: FormDef, taken: Set<string>, areaSheets: Map<string, string>): void {
  // A: STT, B: label, C..J: eight figures.
  const s = new ReportSheet(wb, sheetName(SHEET_NAMES.summary, taken), [5, 27, 9, 9, 9, 9, 9, 10, 9, 9.5, 9.5], {
    orientation: 'portrait',
    tabColor: 'FF2F5597',
  });
  const heading = romanHeadings(s);
  writeSummaryHead(s, rollup, form);
  writeSummaryFacts(s, rollup);
  writeCoverageByKind(s, rollup, heading);
  writeUnitLists(s, rollup, heading);
  if (rollup.plan) writePlanTotals(s, rollup, form, heading);
  else if (rollup.indicators.length > 0) writeHeadlineFigures(s, rollup, areaSheets, heading);
  if (rollup.thematic) writeThematicReporting(s, rollup, heading);
  if (!rollup.plan) writeRelationChecks(s, rollup, heading);
  writeTraceability(s, rollup, heading);
  s.finish({ footer: footerOf(rollup) });
}

/** The unit a figure is counted in: the measure, or "đơn vị \"Có\"" for a yes/no indicator. */
function measureOf(ind: IndicatorTotal): string {
  return ind.valueType === 'yesno' ? 'đơn vị "Có"' : ind.measure;
}

// ---------------------------------------------------------------- one sheet per area

/** The notes on an indicator's row: blanks, how it was computed, where it applies, failed relations. */
function areaNote(ind: IndicatorTotal, def: IndicatorDef | undefined, failed: string[]): string {
  const notes: string[] = [];
  if (ind.total === null) notes.push('Chưa có đơn vị nào báo cáo: để trống, không phải 0.');
  if (ind.valueType === 'rate' && ind.method) {
    notes.push(`Tính lại từ tổng các thành phần: ${ind.method.replace(/,\s*tính trên tổng của các đơn vị\s*$/u, '')}.`);
  } else if (ind.method) notes.push(`${ind.method}.`);
  if (def && def.appliesTo.length < KINDS.length) notes.push(`Chỉ áp dụng cho ${def.appliesTo.map((k) => UNIT_KIND_NAMES[k]).join(', ')}.`);
  const blank = ind.applicable - ind.reporting;
  if (blank > 0 && ind.total !== null) notes.push(`${blank} đơn vị để trống chỉ tiêu này.`);
  if (failed.length > 0) notes.push(`Không thỏa mãn trên số tổng hợp: ${failed.join(', ')} (xem trang "${SHEET_NAMES.summary}").`);
  return notes.join(' ');
}

/**
 * The relations that fail on the totals, by the code of each indicator they involve: the relation's id,
 * with the unit kind when the check was for one kind.
 */
function failedByIndicator(rollup: Rollup, form: FormDef): Map<string, string[]> {
  const failedBy = new Map<string, string[]>();
  for (const c of failedChecks(rollup)) {
    const r = form.relations.find((x) => x.id === c.id);
    const codes = r ? (r.type === 'ratio' ? [r.target, ...r.numerator, ...r.denominator] : [...r.left, ...r.right]) : [];
    const label = `${c.id}${c.scope === 'all' ? '' : ` (${KIND_SHORT[c.scope]})`}`;
    for (const code of new Set(codes)) failedBy.set(code, [...(failedBy.get(code) ?? []), label]);
  }
  return failedBy;
}

/** One indicator's row of an area sheet: totals (grey where the kind is not concerned), reporting units, notes. */
function writeAreaRow(s: ReportSheet, rollup: Rollup, ind: IndicatorTotal, def: IndicatorDef | undefined, failed: string[]): void {
  const fmt = numFmtOf(ind);
  const na = (k: UnitKind): boolean => !!def && !def.appliesTo.includes(k);
  s.cells([
    { col: 1, value: ind.code, align: { horizontal: 'center' } },
    { col: 2, value: ind.name },
    { col: 3, value: measureOf(ind), align: { horizontal: 'center' } },
    { col: 4, value: ind.total, numFmt: fmt, font: { bold: true }, fill: COLOR.total },
    ...KINDS.map((k, j) => ({ col: 5 + j, value: ind.byKind[k], numFmt: fmt, fill: na(k) ? COLOR.na : undefined })),
    { col: 8, value: `${ind.reporting}/${ind.applicable}`, align: { horizontal: 'center' } },
    ...comparisonCellsOf(rollup, ind),
    { col: noteCol(rollup), value: areaNote(ind, def, failed), font: { size: 9 } },
  ]);
}

/** The comparison columns (same period last year, previous period of the year) when the roll-up has comparisons. */
function comparisonCellsOf(rollup: Rollup, ind: IndicatorTotal): CellSpec[] {
  const cmp = rollup.comparisons;
  if (!cmp) return [];
  const ic = cmp.indicators.find((i) => i.code === ind.code);
  return (['lastYear', 'previous'] as const).map((b, j) => ({
    col: 9 + j,
    value: ic ? changeCell(ic.changes[b], cmp.bases[b], ind) : '—',
    font: { size: 9 },
  }));
}

/** The notes column: after the comparison columns when there are any. */
function noteCol(rollup: Rollup): number {
  return rollup.comparisons ? 11 : 9;
}

/** The sheet of one reform area: every indicator of the area with its totals and notes. */
function writeArea(wb: ExcelJS.Workbook, rollup: Rollup, form: FormDef, label: string, name: string, indicators: IndicatorTotal[]): void {
  const cmp = rollup.comparisons;
  const widths = cmp ? [9.5, 40, 10, 12, 12, 12, 12, 11, 24, 24, 30] : [9.5, 46, 10, 12, 12, 12, 12, 11, 36];
  const s = new ReportSheet(wb, name, widths, { orientation: 'landscape', tabColor: 'FFFFC000' });
  titleBlock(s, rollup, `Lĩnh vực: ${label}`);
  const headerRow = s.header(
    [
      { col: 1, label: 'Mã' },
      { col: 2, label: 'Chỉ tiêu' },
      { col: 3, label: 'Đơn vị tính' },
      { col: 4, label: KIND_COLUMNS.all },
      { col: 5, label: KIND_COLUMNS.department },
      { col: 6, label: KIND_COLUMNS.district },
      { col: 7, label: KIND_COLUMNS.central },
      { col: 8, label: 'Số đơn vị báo cáo/áp dụng' },
      ...(cmp
        ? [
            { col: 9, label: `${BASIS_HEADINGS.lastYear}${cmp.bases.lastYear.periodName ? ` (${periodPhrase(cmp.bases.lastYear.periodName)})` : ''}` },
            { col: 10, label: `${BASIS_HEADINGS.previous}${cmp.bases.previous.periodName ? ` (${periodPhrase(cmp.bases.previous.periodName)})` : ''}` },
          ]
        : []),
      { col: noteCol(rollup), label: 'Ghi chú' },
    ],
    46,
  );
  const defs = new Map(form.indicators.map((i) => [i.code, i]));
  const failedBy = failedByIndicator(rollup, form);
  for (const ind of indicators) writeAreaRow(s, rollup, ind, defs.get(ind.code), failedBy.get(ind.code) ?? []);
  s.gap(6);
  noteLine(
    s,
    'Ô để trống: chưa có đơn vị nào báo cáo (không phải 0). Ô nền xám: chỉ tiêu không áp dụng cho loại đơn vị này. ' +
      'Tỷ lệ (%) được tính lại từ tổng các chỉ tiêu thành phần của các đơn vị đã báo cáo đủ thành phần, ' +
      'không lấy trung bình các tỷ lệ. ' +
      `Nguồn số liệu từng đơn vị: xem trang "${SHEET_NAMES.completeness}".`,
  );
  s.finish({ footer: footerOf(rollup), freezeRow: headerRow, freezeCol: 2, printTitleRow: headerRow });
}

// ---------------------------------------------------------------- Đầy đủ - kịp thời

/** The line heading the units of one kind: their counts by status. */
function kindCoverageText(rollup: Rollup, kind: UnitKind): string {
  const c = rollup.coverage[kind];
  return (
    `${UNIT_KIND_NAMES[kind]}: ${c.expected} đơn vị — ${c.valid} hợp lệ (${c.onTime} đúng hạn, ${c.late} nộp muộn), ` +
    `${c.incomplete ? `${c.incomplete} hồ sơ chưa đủ, ` : ''}${c.rejectedOnly} chỉ có tệp bị từ chối, ${c.missing} chưa nộp`
  );
}

/** One unit's row of the completeness sheet: its status and the file its figures come from (receipt, time, name, hash, key). */
function writeSourceRow(s: ReportSheet, n: number, u: UnitLine): void {
  const src = u.source;
  const at = src ? formatInstantVi(src.receivedAt).split(' ngày ') : null;
  s.cells([
    { col: 1, value: n, align: { horizontal: 'center' } },
    { col: 2, value: u.unitCode },
    { col: 3, value: u.name },
    { col: 4, value: KIND_SHORT[u.kind] },
    { col: 5, value: UNIT_STATUS_REPORT_LABELS[u.status], font: { color: { argb: STATUS_COLOR[u.status] }, bold: u.status !== 'on_time' } },
    { col: 6, value: u.files, align: { horizontal: 'center' } },
    { col: 7, value: src?.receiptNo ?? '', font: { size: 9 } },
    { col: 8, value: at ? `${at[0]}\n${at[1]}` : '', align: { horizontal: 'center' } },
    { col: 9, value: src?.fileName ?? '', font: { size: 9 } },
    { col: 10, value: src?.sha256 ?? (src ? '(không tính được)' : ''), font: { name: MONO, size: 8 } },
    { col: 11, value: src?.key ?? '', font: { name: MONO, size: 8 } },
    ...signedReportCells(u),
    { col: 15, value: reviewCellText(u), font: { size: 9, color: { argb: u.review?.status === 'accepted' ? 'FF1B5E20' : 'FF46525F' } } },
  ]);
}

/** The signed report's cells of a unit's row: who signed as leader (office), when, the PDF's SHA-256. */
function signedReportCells(u: UnitLine): CellSpec[] {
  const r = u.signedReport;
  const signed = r?.signingTime ? formatInstantVi(r.signingTime).split(' ngày ') : null;
  return [
    {
      col: 12,
      value: r ? `${r.signer ?? '(không khớp danh sách lãnh đạo)'}${r.office ? `, ${r.office}` : ''}${r.onTime ? '' : ' (nộp muộn)'}` : 'Chưa có',
      font: { size: 9 },
    },
    { col: 13, value: signed ? `${signed[0]}\n${signed[1]}` : '', align: { horizontal: 'center' } },
    { col: 14, value: r?.sha256 ?? '', font: { name: MONO, size: 8 } },
  ];
}

/** The completeness sheet: every expected unit by kind, its status and the file its figures come from. */
function writeCompleteness(wb: ExcelJS.Workbook, rollup: Rollup, name: string): void {
  const s = new ReportSheet(wb, name, [5, 9, 27, 13, 12, 7, 15, 11.5, 24, 23, 29, 24, 11.5, 23, 26], {
    orientation: 'landscape',
    size: 10,
    tabColor: 'FF70AD47',
  });
  titleBlock(s, rollup, 'ĐẦY ĐỦ, KỊP THỜI VÀ NGUỒN SỐ LIỆU CỦA TỪNG ĐƠN VỊ');
  const headerRow = s.header(
    [
      { col: 1, label: 'STT' },
      { col: 2, label: 'Mã' },
      { col: 3, label: 'Tên đơn vị' },
      { col: 4, label: 'Loại' },
      { col: 5, label: 'Tình trạng' },
      { col: 6, label: 'Số tệp đã nhận' },
      { col: 7, label: 'Số biên nhận' },
      { col: 8, label: 'Thời điểm nhận (giờ Việt Nam)' },
      { col: 9, label: 'Tên tệp' },
      { col: 10, label: 'SHA-256' },
      { col: 11, label: 'Khóa lưu trữ (S3)' },
      { col: 12, label: 'Báo cáo ký số: lãnh đạo ký' },
      { col: 13, label: 'Thời điểm ký' },
      { col: 14, label: 'SHA-256 của tệp PDF' },
      { col: 15, label: 'Sở Nội vụ xem xét số liệu' },
    ],
    44,
  );
  let n = 0;
  for (const kind of KINDS) {
    const lines = rollup.units.filter((u) => u.kind === kind);
    if (lines.length === 0) continue;
    s.cells([{ col: 1, to: s.lastCol, value: kindCoverageText(rollup, kind), font: { bold: true }, fill: COLOR.section }]);
    for (const u of lines) {
      n += 1;
      writeSourceRow(s, n, u);
    }
  }
  s.gap(6);
  noteLine(
    s,
    'Mỗi số liệu tổng hợp lấy từ tệp ghi ở dòng của đơn vị: tệp hợp lệ nhận trước hạn mới nhất' +
      (rollup.includesLate ? ', hoặc tệp hợp lệ nộp muộn mới nhất với đơn vị nộp muộn' : '') +
      '. Mã SHA-256 và khóa lưu trữ cho phép lấy lại đúng tệp gốc đã dùng; ' +
      'số biên nhận là số ghi trong thư biên nhận gửi đơn vị. ' +
      'Đơn vị "chỉ có tệp bị từ chối" đã nộp nhưng chưa có tệp hợp lệ nên không có số liệu trong tổng hợp. ' +
      `Cột "Sở Nội vụ xem xét số liệu": ${reviewedSentence(rollup)}`,
  );
  s.finish({ footer: footerOf(rollup), freezeRow: headerRow, freezeCol: 3, printTitleRow: headerRow });
}

// ---------------------------------------------------------------- Thuyết minh

/** Splits long text at paragraph, then sentence, then word boundaries into pieces that fit a row. */
export function splitLongText(text: string, max: number): string[] {
  if ([...text].length <= max) return [text];
  const pieces: string[] = [];
  let rest = text;
  while ([...rest].length > max) {
    const head = [...rest].slice(0, max).join('');
    let cut = head.lastIndexOf('\n');
    if (cut < max * 0.4) cut = Math.max(head.lastIndexOf('. '), head.lastIndexOf('; ')) + 1;
    if (cut < max * 0.4) cut = head.lastIndexOf(' ');
    if (cut < max * 0.4) cut = head.length;
    pieces.push(rest.slice(0, cut).replace(/\s+$/u, ''));
    rest = rest.slice(cut).replace(/^[ \n]+/u, '');
  }
  if (rest.length > 0) pieces.push(rest);
  return pieces;
}

/** Characters per row of narrative text (a row is at most 409 points high). */
const NARRATIVE_ROW_CHARS = 2400;

/** The sections of the narrative sheet: the form's, or (a form without any) the codes found in the roll-up. */
function narrativeSections(rollup: Rollup, form: FormDef): { code: string; name: string }[] {
  return form.narratives.length > 0 ? form.narratives : Object.keys(rollup.narratives).map((code) => ({ code, name: code }));
}

/**
 * The pieces of a narrative, one per row: short text keeps its exact characters (CR included); long
 * text (line ends normalised) is split at paragraph, sentence or word boundaries.
 */
function narrativeParts(text: string): string[] {
  const pieces = splitLongText(text.replace(/\r\n?/g, '\n'), NARRATIVE_ROW_CHARS);
  return pieces.length === 1 ? [text] : pieces;
}

/** One unit's narrative: its number and name on the first row, "(tiếp)" on the rows that continue it. */
function writeNarrativeEntry(s: ReportSheet, no: number, e: NarrativeEntry): void {
  narrativeParts(e.text).forEach((part, p) => {
    s.cells([
      { col: 1, value: p === 0 ? no : '', align: { horizontal: 'center', vertical: 'top' } },
      { col: 2, value: p === 0 ? e.unitName : `${e.unitName} (tiếp)`, font: { bold: p === 0 }, align: { vertical: 'top' } },
      { col: 3, value: part, align: { horizontal: 'justify', vertical: 'top' } },
    ]);
  });
}

/** The narrative sheet: by section, each unit's text, long text over several rows. */
function writeNarratives(wb: ExcelJS.Workbook, rollup: Rollup, form: FormDef, name: string): void {
  const s = new ReportSheet(wb, name, [5, 26, 84], { orientation: 'portrait', tabColor: 'FF7030A0' });
  titleBlock(s, rollup, 'NỘI DUNG THUYẾT MINH CỦA CÁC ĐƠN VỊ');
  const headerRow = s.header(
    [
      { col: 1, label: 'STT' },
      { col: 2, label: 'Đơn vị' },
      { col: 3, label: 'Nội dung' },
    ],
    20,
  );
  narrativeSections(rollup, form).forEach((section, si) => {
    const entries = rollup.narratives[section.code] ?? [];
    s.cells([{ col: 1, to: 3, value: `${si + 1}. ${section.name}`, font: { bold: true }, fill: COLOR.section }], 20);
    if (entries.length === 0) {
      s.cells([{ col: 1, to: 3, value: 'Không có đơn vị nào viết nội dung này.', font: { italic: true, color: { argb: COLOR.note } } }]);
      return;
    }
    entries.forEach((e, i) => {
      writeNarrativeEntry(s, i + 1, e);
    });
  });
  s.finish({ footer: footerOf(rollup), freezeRow: headerRow, printTitleRow: headerRow });
}

// ---------------------------------------------------------------- plans, thematic

/** The area columns of the plan sheet: the form's numbered areas and any other with tasks, then unknown area codes. */
function planColumns(form: FormDef, plan: NonNullable<Rollup['plan']>): { code: string; label: string }[] {
  const areas = form.areas.filter((a) => a.no !== undefined || a.code in plan.tasksPerArea);
  const extra = Object.keys(plan.tasksPerArea).filter((c) => !areas.some((a) => a.code === c));
  return [...areas.map((a) => ({ code: a.code, label: AREA_SHEET[a.code] ?? areaLabel(a) })), ...extra.map((c) => ({ code: c, label: c }))];
}

/** The plan sheet: tasks per area for the province, then for each included unit. */
function writePlan(wb: ExcelJS.Workbook, rollup: Rollup, form: FormDef, name: string): void {
  const plan = rollup.plan!;
  const cols = planColumns(form, plan);
  const s = new ReportSheet(wb, name, [5, 9, 32, ...cols.map(() => 12.5), 11], { orientation: 'landscape', tabColor: 'FFFFC000' });
  titleBlock(s, rollup, 'SỐ NHIỆM VỤ CCHC THEO LĨNH VỰC CẢI CÁCH');
  const totalCol = 4 + cols.length;
  const headerRow = s.header(
    [
      { col: 1, label: 'STT' },
      { col: 2, label: 'Mã' },
      { col: 3, label: 'Tên đơn vị' },
      ...cols.map((c, i) => ({ col: 4 + i, label: c.label })),
      { col: totalCol, label: 'Tổng số' },
    ],
    34,
  );
  const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);
  s.cells([
    { col: 1, value: '', fill: COLOR.total },
    { col: 2, to: 3, value: `Toàn tỉnh (${Object.keys(plan.byUnit).length} đơn vị)`, font: { bold: true }, fill: COLOR.total },
    ...cols.map((c, i) => ({ col: 4 + i, value: plan.tasksPerArea[c.code] ?? 0, font: { bold: true }, fill: COLOR.total })),
    { col: totalCol, value: sum(plan.tasksPerArea), font: { bold: true }, fill: COLOR.total },
  ]);
  let n = 0;
  for (const u of rollup.units) {
    const counts = plan.byUnit[u.unitCode];
    if (!counts) continue;
    n += 1;
    s.cells([
      { col: 1, value: n, align: { horizontal: 'center' } },
      { col: 2, value: u.unitCode },
      { col: 3, value: u.name },
      ...cols.map((c, i) => ({ col: 4 + i, value: counts[c.code] ?? 0 })),
      { col: totalCol, value: sum(counts), font: { bold: true } },
    ]);
  }
  s.gap(6);
  noteLine(
    s,
    'Chỉ gồm các đơn vị có kế hoạch hợp lệ được đưa vào tổng hợp. ' +
      `Đơn vị chưa nộp, nộp muộn hoặc chỉ có tệp bị từ chối: xem trang "${SHEET_NAMES.completeness}".`,
  );
  s.finish({ footer: footerOf(rollup), freezeRow: headerRow, freezeCol: 3, printTitleRow: headerRow });
}

/** The status of a department that did not report, with why (its unit status) when it is expected. */
function notReportedText(line: UnitLine | undefined): string {
  return `Chưa báo cáo${line ? ` (${UNIT_STATUS_REPORT_LABELS[line.status].toLocaleLowerCase('vi')})` : ''}`;
}

/** The thematic sheet: each named department, its topic, whether it reported. */
function writeThematic(wb: ExcelJS.Workbook, rollup: Rollup, form: FormDef, name: string): void {
  const th = rollup.thematic!;
  const s = new ReportSheet(wb, name, [5, 9, 34, 52, 22], { orientation: 'landscape', tabColor: 'FFFFC000' });
  titleBlock(s, rollup, 'BÁO CÁO CHUYÊN ĐỀ CỦA CÁC SỞ ĐƯỢC GIAO THEO DÕI');
  const headerRow = s.header(
    [
      { col: 1, label: 'STT' },
      { col: 2, label: 'Mã' },
      { col: 3, label: 'Tên đơn vị' },
      { col: 4, label: 'Chủ đề được giao theo dõi' },
      { col: 5, label: 'Tình trạng' },
    ],
    20,
  );
  const reported = new Set(th.reported);
  const byCode = new Map(rollup.units.map((u) => [u.unitCode, u]));
  const nameOf = unitNamer(rollup);
  [...th.reported, ...th.notReported].forEach((code, i) => {
    const topicCode = defaultUnits.find((u) => u.code === code)?.thematicTopic;
    const topic = form.topics?.find((t) => t.code === topicCode)?.name ?? '';
    const line = byCode.get(code);
    const status = reported.has(code) ? 'Đã báo cáo' : notReportedText(line);
    s.cells([
      { col: 1, value: i + 1, align: { horizontal: 'center' } },
      { col: 2, value: code },
      { col: 3, value: nameOf(code) },
      { col: 4, value: topic },
      { col: 5, value: status, font: { color: { argb: reported.has(code) ? COLOR.good : COLOR.bad }, bold: !reported.has(code) } },
    ]);
  });
  s.finish({ footer: footerOf(rollup), freezeRow: headerRow, printTitleRow: headerRow });
}

// ---------------------------------------------------------------- the workbook

/** The workbook's document properties: author, dates (the roll-up's), title, subject; no recalculation on load. */
function setProperties(wb: ExcelJS.Workbook, rollup: Rollup): void {
  const at = new Date(rollup.generatedAt);
  wb.creator = `${AGGREGATOR} — hệ thống tiếp nhận báo cáo CCHC`;
  wb.lastModifiedBy = wb.creator;
  wb.created = at;
  wb.modified = at;
  wb.title = reportTitle(rollup);
  wb.subject = rollup.periodName;
  wb.company = AGGREGATOR;
  wb.calcProperties = { fullCalcOnLoad: false };
}

/** The sheet name of each area, by area code: short and unique, never one of the fixed sheets' names (reserved first). */
function areaSheetNames(areas: readonly Area[]): Map<string, string> {
  const fixed = [SHEET_NAMES.summary, SHEET_NAMES.completeness, SHEET_NAMES.narratives, SHEET_NAMES.plan, SHEET_NAMES.thematic];
  const areaTaken = new Set<string>(fixed);
  const areaSheets = new Map<string, string>();
  for (const area of areas) areaSheets.set(area.code, sheetName(AREA_SHEET[area.code] ?? areaLabel(area), areaTaken));
  return areaSheets;
}

/**
 * The consolidated workbook of a roll-up, as .xlsx bytes: the summary, one sheet per area with
 * indicators, the plan or thematic sheet, completeness and sources, and the narratives.
 */
export async function writeConsolidatedWorkbook(rollup: Rollup, form: FormDef): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  setProperties(wb, rollup);
  const taken = new Set<string>();
  const areas = areasWithIndicators(rollup, form);
  const areaSheets = areaSheetNames(areas.map(({ area }) => area));
  writeSummary(wb, rollup, form, taken, areaSheets);
  for (const { area, indicators } of areas) {
    const name = areaSheets.get(area.code)!;
    taken.add(name);
    writeArea(wb, rollup, form, areaLabel(area), name, indicators);
  }
  if (rollup.plan) writePlan(wb, rollup, form, sheetName(SHEET_NAMES.plan, taken));
  if (rollup.thematic) writeThematic(wb, rollup, form, sheetName(SHEET_NAMES.thematic, taken));
  writeCompleteness(wb, rollup, sheetName(SHEET_NAMES.completeness, taken));
  if (form.narratives.length > 0 || Object.keys(rollup.narratives).length > 0) {
    writeNarratives(wb, rollup, form, sheetName(SHEET_NAMES.narratives, taken));
  }
  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out as ArrayBuffer);
}

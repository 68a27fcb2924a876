import { reviewedSentence } from '../review-text.js';
import { REVIEW_STATUS_LABELS } from '../../../domain/review.js';
import { localDateOf } from '../../../domain/calendar.js';
import type { ComparisonBasis, IndicatorComparison, RollupComparison } from '../../../domain/comparison.js';
import { formatDateVi } from '../../../domain/dates.js';
import { missingText } from '../../../domain/dossier.js';
import { areaLabel } from '../../../domain/forms.js';
import { UNIT_STATUS_REPORT_LABELS } from '../../../domain/labels.js';
import type { IndicatorTotal, NarrativeEntry, Rollup, UnitLine } from '../../../domain/rollup.js';
import type { FormDef, UnitKind } from '../../../domain/types.js';
import { UNIT_KIND_NAMES } from '../../../domain/units.js';
import { changeCell, comparisonClauses, periodPhrase } from '../comparison-text.js';
import { areasWithIndicators, coverageKinds, KIND_COLUMNS, KIND_LABELS, numberVi, percentVi, valueVi } from '../format.js';

/**
 * What the Department's draft report to the People's Committee says, as blocks of text and tables,
 * from the roll-up (and its comparisons): I. organisation, inspection and communication; II. results
 * in the directing section and the six areas; III. difficulties; IV. recommendations; appendices by
 * unit kind and per unit. Formal Vietnamese; nothing claims more than the data shows (a unit that did
 * not report is named, never counted as zero). Pure; docx/report-draft.ts lays it out.
 */

export type DraftBlock =
  | { type: 'heading'; level: 1 | 2; text: string }
  | { type: 'paragraph'; text: string; italic?: boolean }
  | { type: 'bullet'; text: string /** Bold lead-in before the text. */; lead?: string }
  | { type: 'table'; columns: { label: string; width: number; align?: 'left' | 'center' | 'right' }[]; rows: string[][]; bodySize?: number };

export interface DraftContent {
  /** The agency above the issuer, and the issuer (header, left). */
  parent: string;
  issuer: string;
  /** "Số:      /BC-SNV" (the number is left for the clerk). */
  number: string;
  /** "Thừa Thiên Huế, ngày      tháng      năm 2021". */
  placeDate: string;
  /** The document type and the summary (trích yếu). */
  docType: string;
  summary: string;
  recipient: string;
  body: DraftBlock[];
  closing: string;
  /** Nơi nhận. */
  recipients: string[];
  signer: { authority: string; office: string };
  appendices: { title: string; subtitle: string; note: string; blocks: DraftBlock[] }[];
}

const BLANK = '\u00a0'.repeat(5);

/** A list of unit names in a sentence: "A, B và C". */
function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} và ${names[names.length - 1]}`;
}

function nameOf(rollup: Rollup): (code: string) => string {
  const by = new Map(rollup.units.map((u) => [u.unitCode, u.name]));
  return (c) => by.get(c) ?? c;
}

/** The trích yếu: what the report is about. */
function summaryOf(rollup: Rollup, phrase: string): string {
  if (rollup.plan) return `Kết quả tổng hợp kế hoạch cải cách hành chính ${phrase} của các cơ quan, đơn vị, địa phương`;
  if (rollup.thematic) return `Kết quả tổng hợp báo cáo chuyên đề cải cách hành chính năm ${rollup.periodId.slice(0, 4)}`;
  return `Tình hình, kết quả thực hiện công tác cải cách hành chính ${phrase}`;
}

/** The opening paragraph: the basis, the period, its data window, and for an addendum what it adds. */
function opening(rollup: Rollup, phrase: string): DraftBlock[] {
  const window = rollup.dataWindow
    ? ` (thời gian chốt số liệu từ ngày ${formatDateVi(rollup.dataWindow.from)} đến ngày ${formatDateVi(rollup.dataWindow.to)})`
    : '';
  const blocks: DraftBlock[] = [
    {
      type: 'paragraph',
      text:
        'Thực hiện chế độ báo cáo định kỳ về công tác cải cách hành chính (CCHC) theo Công văn số 1588/SNV-CCHC ngày 28/12/2020 của Sở Nội vụ, ' +
        `trên cơ sở báo cáo của các cơ quan, đơn vị, địa phương, Sở Nội vụ tổng hợp, báo cáo Ủy ban nhân dân tỉnh tình hình, kết quả thực hiện công tác CCHC ${phrase}${window} như sau:`,
    },
  ];
  if (rollup.includesLate) {
    blocks.push({ type: 'paragraph', italic: true, text: 'Đây là bản bổ sung: số liệu gồm cả báo cáo hợp lệ các đơn vị gửi sau thời hạn.' });
  }
  if (rollup.closedEarly) {
    blocks.push({
      type: 'paragraph',
      italic: true,
      text: `Kỳ báo cáo được tổng hợp trước hạn (ngày ${formatDateVi(localDateOf(rollup.closedEarly.closedAt))}); báo cáo gửi sau thời điểm này được tổng hợp trong bản bổ sung.`,
    });
  }
  return blocks;
}

/** A comparison clause of completeness or timeliness, with a leading "; " when there is one. */
function coverageClause(cmp: RollupComparison | undefined, which: 'completeness' | 'timeliness'): string {
  if (!cmp) return '';
  const s = comparisonClauses(cmp, cmp.coverage[which], { valueType: 'rate' });
  return s ? `, ${s}` : '';
}

/** I.1: who reported, on time or late, by kind, and who did not, by name. */
function reportingBlocks(rollup: Rollup): DraftBlock[] {
  const c = rollup.coverage.all;
  const named = nameOf(rollup);
  const byCode = new Map(rollup.units.map((u) => [u.unitCode, u]));
  const blocks: DraftBlock[] = [
    { type: 'heading', level: 2, text: '1. Việc thực hiện chế độ báo cáo' },
    {
      type: 'paragraph',
      text:
        `Tính đến hết thời hạn nhận báo cáo (ngày ${formatDateVi(rollup.dueDate)}), có ${c.valid}/${c.expected} cơ quan, đơn vị, địa phương gửi báo cáo hợp lệ, ` +
        `đạt ${percentVi(c.completeness)}${coverageClause(rollup.comparisons, 'completeness')}; ` +
        `trong đó ${c.onTime} đơn vị gửi đúng hạn, đạt ${percentVi(c.timeliness)}${coverageClause(rollup.comparisons, 'timeliness')}. Cụ thể:`,
    },
  ];
  for (const k of coverageKinds(rollup).filter((k) => k !== 'all')) {
    const x = rollup.coverage[k];
    blocks.push({
      type: 'bullet',
      lead: `${KIND_LABELS[k]}: `,
      text: `${x.valid}/${x.expected} đơn vị gửi báo cáo hợp lệ (${percentVi(x.completeness)}), trong đó ${x.onTime} đơn vị gửi đúng hạn (${percentVi(x.timeliness)}).`,
    });
  }
  const late = rollup.late.map((code) => {
    const src = byCode.get(code)?.source;
    return src ? `${named(code)} (ngày ${formatDateVi(localDateOf(src.receivedAt))})` : named(code);
  });
  if (late.length) {
    blocks.push({
      type: 'bullet',
      lead: 'Đơn vị gửi báo cáo sau thời hạn: ',
      text: `${joinNames(late)}. ${rollup.includesLate ? 'Số liệu của các đơn vị này đã được tổng hợp trong bản bổ sung.' : 'Số liệu của các đơn vị này chưa được tổng hợp trong báo cáo này.'}`,
    });
  }
  if (rollup.incomplete.length) {
    // "Sở Y tế, thiếu biểu số liệu (tệp Excel); …": the part's name has its own parentheses.
    const items = rollup.incomplete.map((code) => `${named(code)}, ${missingText(byCode.get(code)?.missingParts ?? [])}`);
    blocks.push({ type: 'bullet', lead: 'Đơn vị gửi hồ sơ chưa đầy đủ: ', text: `${items.join('; ')}. Số liệu của các đơn vị này chưa được tổng hợp.` });
  }
  if (rollup.rejectedOnly.length) {
    blocks.push({
      type: 'bullet',
      lead: 'Đơn vị gửi báo cáo không đạt yêu cầu và chưa gửi lại: ',
      text: `${joinNames(rollup.rejectedOnly.map(named))}.`,
    });
  }
  if (rollup.missing.length) {
    blocks.push({ type: 'bullet', lead: 'Đơn vị chưa gửi báo cáo: ', text: `${joinNames(rollup.missing.map(named))}.` });
  }
  if (c.valid < c.expected) {
    blocks.push({
      type: 'paragraph',
      italic: true,
      text: 'Số liệu tổng hợp dưới đây chỉ gồm các đơn vị có báo cáo hợp lệ được tổng hợp; đơn vị chưa báo cáo không được tính là 0.',
    });
  }
  if (rollup.units.some((u) => u.review !== undefined)) blocks.push({ type: 'bullet', lead: 'Xem xét số liệu: ', text: reviewedSentence(rollup) });
  return blocks;
}

/** Identical narratives merged (NFC, spaces collapsed), each with the units that wrote it, in unit order. */
export function mergeNarratives(entries: readonly NarrativeEntry[]): { text: string; units: string[] }[] {
  const out = new Map<string, { text: string; units: string[] }>();
  for (const e of entries) {
    for (const part of e.text.normalize('NFC').split(/\r?\n+/)) {
      const text = part
        .replace(/^[\s\-–•+*]+/u, '')
        .replace(/\s+/g, ' ')
        .trim();
      if (!text) continue;
      const key = text.toLocaleLowerCase('vi').replace(/[.;]+$/u, '');
      const hit = out.get(key);
      if (hit) {
        if (!hit.units.includes(e.unitName)) hit.units.push(e.unitName);
      } else out.set(key, { text, units: [e.unitName] });
    }
  }
  return [...out.values()];
}

/** The narratives of one section as bullets, each naming its units; a sentence when there are none. */
function narrativeBlocks(rollup: Rollup, section: string, none: string): DraftBlock[] {
  const merged = mergeNarratives(rollup.narratives[section] ?? []);
  if (!merged.length) return [{ type: 'paragraph', text: none }];
  return merged.map((m) => ({
    type: 'bullet',
    text: `${m.text.replace(/[.;]*$/u, '')} (${m.units.length > 3 ? `${m.units.length} đơn vị: ` : ''}${m.units.join('; ')}).`,
  }));
}

/** One indicator as a sentence: its value, how many units it rests on, and its comparisons. */
function indicatorSentence(ind: IndicatorTotal, cmp: RollupComparison | undefined, ic: IndicatorComparison | undefined): DraftBlock {
  if (ind.total === null) return { type: 'bullet', lead: `${ind.name}: `, text: 'chưa có đơn vị báo cáo số liệu.' };
  const value =
    ind.valueType === 'yesno'
      ? `${numberVi(ind.total)}/${ind.reporting} đơn vị trả lời "Có"`
      : ind.valueType === 'rate'
        ? `${valueVi(ind, ind.total)} (tính lại từ tổng các chỉ tiêu thành phần)`
        : `${valueVi(ind, ind.total)} ${ind.measure}`;
  const base = ind.valueType === 'yesno' ? '' : ` (${ind.reporting}/${ind.applicable} đơn vị báo cáo)`;
  const clauses = cmp && ic ? comparisonClauses(cmp, ic.changes, ind) : '';
  return { type: 'bullet', lead: `${ind.name}: `, text: `${value}${base}${clauses ? `; ${clauses}` : ''}.` };
}

/** The comparison cells of an indicator (both bases), or none without comparisons. */
function comparisonCells(cmp: RollupComparison | undefined, ic: IndicatorComparison | undefined, ind: IndicatorTotal): string[] {
  if (!cmp) return [];
  return (['lastYear', 'previous'] as ComparisonBasis[]).map((b) => (ic ? changeCell(ic.changes[b], cmp.bases[b], ind) : '—'));
}

function cellOf(ind: IndicatorTotal, v: number | null): string {
  return v === null ? '—' : valueVi(ind, v);
}

/** II: per area (directing first, then the six areas), the figures in sentences and a table. */
function resultBlocks(rollup: Rollup, form: FormDef): DraftBlock[] {
  const cmp = rollup.comparisons;
  const byCode = new Map((cmp?.indicators ?? []).map((i) => [i.code, i]));
  const blocks: DraftBlock[] = [];
  if (rollup.plan) {
    blocks.push({ type: 'paragraph', text: 'Số nhiệm vụ CCHC trong kế hoạch của các đơn vị có kế hoạch hợp lệ, theo lĩnh vực:' });
    for (const a of form.areas) {
      const n = rollup.plan.tasksPerArea[a.code];
      if (n !== undefined) blocks.push({ type: 'bullet', lead: `${areaLabel(a)}: `, text: `${numberVi(n)} nhiệm vụ.` });
    }
    return blocks;
  }
  const areas = areasWithIndicators(rollup, form);
  const headline = new Set(form.headline?.report ?? []);
  areas.forEach(({ area, indicators }, n) => {
    blocks.push({ type: 'heading', level: 2, text: `${n + 1}. ${area.name}` });
    // Sentences for the form's headline figures of the area (else its first indicator); every figure is in the table.
    const said = indicators.filter((i) => headline.has(i.code));
    for (const ind of said.length ? said : indicators.slice(0, 1)) blocks.push(indicatorSentence(ind, cmp, byCode.get(ind.code)));
    const compCols = cmp
      ? [
          { label: 'So với cùng kỳ năm trước', width: 1800 },
          { label: 'So với kỳ trước', width: 1800 },
        ]
      : [];
    blocks.push({
      type: 'table',
      bodySize: 11,
      columns: [
        { label: 'Chỉ tiêu', width: cmp ? 3655 : 5955 },
        { label: 'Đơn vị tính', width: 1100, align: 'center' },
        { label: 'Toàn tỉnh', width: 1000, align: 'right' },
        ...compCols.map((c) => ({ ...c, align: 'left' as const })),
      ],
      rows: indicators.map((ind) => [
        ind.name,
        ind.valueType === 'yesno' ? 'đơn vị "Có"' : ind.measure,
        cellOf(ind, ind.total),
        ...comparisonCells(cmp, byCode.get(ind.code), ind),
      ]),
    });
  });
  if (!areas.length) blocks.push({ type: 'paragraph', text: 'Chưa có số liệu tổng hợp trong kỳ.' });
  return blocks;
}

/** Appendix I: every indicator by unit kind. */
function appendixByKind(rollup: Rollup): DraftBlock[] {
  if (rollup.plan) {
    return [{ type: 'paragraph', text: 'Kế hoạch CCHC không có biểu số liệu theo loại đơn vị; xem sổ tổng hợp (Excel).' }];
  }
  const kinds: UnitKind[] = ['department', 'district', 'central'];
  return [
    {
      type: 'table',
      bodySize: 10,
      columns: [
        { label: 'Mã', width: 950, align: 'center' },
        { label: 'Chỉ tiêu', width: 3300 },
        { label: 'Đơn vị tính', width: 1000, align: 'center' },
        { label: KIND_COLUMNS.all, width: 900, align: 'right' },
        ...kinds.map((k) => ({ label: KIND_COLUMNS[k], width: 900, align: 'right' as const })),
        { label: 'Số ĐV báo cáo', width: 805, align: 'center' },
      ],
      rows: rollup.indicators.map((i) => [
        i.code,
        i.name,
        i.valueType === 'yesno' ? 'đơn vị "Có"' : i.measure,
        cellOf(i, i.total),
        ...kinds.map((k) => cellOf(i, i.byKind[k])),
        `${i.reporting}/${i.applicable}`,
      ]),
    },
    {
      type: 'paragraph',
      italic: true,
      text: '"—": chưa có số liệu (không phải 0). Tỷ lệ được tính lại từ tổng các chỉ tiêu thành phần, không lấy trung bình.',
    },
  ];
}

/** A unit's status as the reports word it; an unknown (newer) status by its code. */
function statusText(u: UnitLine): string {
  const label = (UNIT_STATUS_REPORT_LABELS as Record<string, string>)[u.status] ?? u.status;
  return u.status === 'incomplete' && u.missingParts?.length ? `${label} (${missingText(u.missingParts)})` : label;
}

/** Appendix II: every expected unit with its status and the file its figures come from. */
function appendixUnits(rollup: Rollup): DraftBlock[] {
  const rows: string[][] = [];
  let n = 0;
  for (const kind of ['department', 'district', 'central'] as UnitKind[]) {
    const lines = rollup.units.filter((u) => u.kind === kind);
    if (!lines.length) continue;
    rows.push(['', UNIT_KIND_NAMES[kind].toLocaleUpperCase('vi'), '', '', '', '']);
    for (const u of lines) {
      n += 1;
      rows.push([
        String(n),
        u.name,
        statusText(u),
        u.source ? formatDateVi(localDateOf(u.source.receivedAt)) : '—',
        u.source?.receiptNo ?? '—',
        u.review ? REVIEW_STATUS_LABELS[u.review.status] : REVIEW_STATUS_LABELS.unreviewed,
      ]);
    }
  }
  return [
    {
      type: 'table',
      bodySize: 10,
      columns: [
        { label: 'STT', width: 500, align: 'center' },
        { label: 'Cơ quan, đơn vị, địa phương', width: 2900 },
        { label: 'Tình hình gửi báo cáo', width: 1800, align: 'center' },
        { label: 'Ngày nhận', width: 1150, align: 'center' },
        { label: 'Số biên nhận', width: 1805, align: 'center' },
        { label: 'Sở Nội vụ xem xét', width: 1500, align: 'center' },
      ],
      rows,
    },
  ];
}

/** The whole draft of a roll-up. `form` names the areas. */
export function draftContent(rollup: Rollup, form: FormDef): DraftContent {
  const phrase = periodPhrase(rollup.periodName);
  const year = localDateOf(rollup.generatedAt).slice(0, 4);
  const hasNarratives = (code: string): boolean => form.narratives.some((s) => s.code === code);
  const body: DraftBlock[] = [
    ...opening(rollup, phrase),
    { type: 'heading', level: 1, text: 'I. TÌNH HÌNH TỔ CHỨC THỰC HIỆN VÀ CÔNG TÁC KIỂM TRA, TUYÊN TRUYỀN CCHC' },
    ...reportingBlocks(rollup),
    ...(hasNarratives('to_chuc_thuc_hien')
      ? [
          { type: 'heading', level: 2, text: '2. Công tác tổ chức thực hiện, kiểm tra, tuyên truyền' } as DraftBlock,
          ...narrativeBlocks(rollup, 'to_chuc_thuc_hien', 'Các đơn vị chưa nêu nội dung này trong báo cáo.'),
        ]
      : []),
    { type: 'heading', level: 1, text: 'II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CCHC' },
    ...resultBlocks(rollup, form),
    { type: 'heading', level: 1, text: 'III. NHỮNG KHÓ KHĂN, VƯỚNG MẮC' },
    ...(hasNarratives('kho_khan') ? narrativeBlocks(rollup, 'kho_khan', 'Các đơn vị không nêu khó khăn, vướng mắc trong kỳ.') : []),
    { type: 'heading', level: 1, text: 'IV. KIẾN NGHỊ, ĐỀ XUẤT' },
    ...(hasNarratives('kien_nghi') ? narrativeBlocks(rollup, 'kien_nghi', 'Các đơn vị không có kiến nghị, đề xuất trong kỳ.') : []),
  ];
  const attached = `(Kèm theo Báo cáo số${BLANK}/BC-SNV ngày${BLANK}tháng${BLANK}năm ${year} của Sở Nội vụ)`;
  return {
    parent: 'UBND TỈNH THỪA THIÊN HUẾ',
    issuer: 'SỞ NỘI VỤ',
    number: `Số:${BLANK}/BC-SNV`,
    placeDate: `Thừa Thiên Huế, ngày${BLANK}tháng${BLANK}năm ${year}`,
    docType: 'BÁO CÁO',
    summary: summaryOf(rollup, phrase),
    recipient: 'Kính gửi: Ủy ban nhân dân tỉnh.',
    body,
    closing: `Trên đây là báo cáo tình hình, kết quả thực hiện công tác CCHC ${phrase} của Sở Nội vụ, kính báo cáo Ủy ban nhân dân tỉnh xem xét, chỉ đạo./.`,
    recipients: ['- Như trên;', '- Giám đốc Sở (b/c);', '- Lưu: VT, CCHC.'],
    signer: { authority: 'KT. GIÁM ĐỐC', office: 'PHÓ GIÁM ĐỐC' },
    appendices: [
      { title: 'Phụ lục I', subtitle: `SỐ LIỆU TỔNG HỢP THEO LOẠI ĐƠN VỊ ${phrase.toLocaleUpperCase('vi')}`, note: attached, blocks: appendixByKind(rollup) },
      { title: 'Phụ lục II', subtitle: 'TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ, ĐỊA PHƯƠNG', note: attached, blocks: appendixUnits(rollup) },
    ],
  };
}

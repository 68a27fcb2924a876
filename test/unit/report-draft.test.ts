import { findUnit } from '../../shared/domain/units.js';
import { strFromU8, unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { findPeriod } from '../../shared/domain/calendar.js';
import { compareRollups } from '../../shared/domain/comparison.js';
import type { Rollup } from '../../shared/domain/rollup.js';
import { mergeNarratives } from '../../shared/documents/reports/docx/draft-content.js';
import { DRAFT_LAYOUT, writeReportDraft } from '../../shared/documents/reports/docx/report-draft.js';
import { demoRollup } from '../fixtures/demo-rollup.js';

/** The document's parts as text. */
function parts(bytes: Uint8Array): Record<string, string> {
  return Object.fromEntries(Object.entries(unzipSync(bytes)).map(([k, v]) => [k, strFromU8(v)]));
}

/** The paragraphs of a part as plain text (runs joined), in order. */
function paragraphs(xml: string): string[] {
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((m) => [...m[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join(''));
}

/** The run properties of the first run whose text is `text`. */
function runOf(xml: string, text: string): string {
  const m = new RegExp(`<w:r>(?:(?!<w:r>)[\\s\\S])*?<w:t(?: [^>]*)?>${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</w:t>`).exec(xml);
  if (!m) throw new Error(`no run "${text}"`);
  return m[0];
}

function withTotals(periodId: string, totals: Record<string, number | null>): Rollup {
  const { rollup } = demoRollup({ periodId });
  return { ...rollup, indicators: rollup.indicators.map((i) => (i.code in totals ? { ...i, total: totals[i.code]! } : i)) };
}

describe('writeReportDraft', () => {
  let doc: string;
  let all: Record<string, string>;
  let text: string[];

  beforeAll(async () => {
    // Prepare: 2022-H1 against 2022-Q1 (cumulative) and 2021-H1 (+20 %), with a rate and a blank
    const current = withTotals('2022-H1', { 'TT.HS.01': 120, 'CD.KH.03': 82.5 });
    const q1 = withTotals('2022-Q1', { 'TT.HS.01': 45, 'CD.KH.03': 80 });
    const lastYear = withTotals('2021-H1', { 'TT.HS.01': 100, 'CD.KH.03': null });
    current.comparisons = compareRollups(current, findPeriod('2022-H1'), {
      previous: { rollup: q1, key: 'q1.json' },
      lastYear: { rollup: lastYear, key: 'h1.json' },
    });
    const { form } = demoRollup({ periodId: '2022-H1' });
    // Act
    all = parts(await writeReportDraft(current, form));
    doc = all['word/document.xml']!;
    text = paragraphs(doc);
  });

  it('is A4 portrait with the chosen margins in every section', () => {
    const sects = [...doc.matchAll(/<w:sectPr[\s\S]*?<\/w:sectPr>/g)].map((m) => m[0]);
    expect(sects).toHaveLength(3);
    for (const s of sects) {
      expect(s).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
      expect(s).not.toMatch(/w:orient="landscape"/);
      const mar = /<w:pgMar ([^>]*)\/>/.exec(s)![1]!;
      const attr = (n: string) => Number(new RegExp(`w:${n}="(\\d+)"`).exec(mar)![1]);
      // 20–25 mm top and bottom, 30–35 mm left, 15–20 mm right (1 mm = 56,7 twips)
      for (const [n, lo, hi] of [
        ['top', 20, 25],
        ['bottom', 20, 25],
        ['left', 30, 35],
        ['right', 15, 20],
      ] as const) {
        expect(attr(n)).toBeGreaterThanOrEqual(Math.floor(lo * 56.69));
        expect(attr(n)).toBeLessThanOrEqual(Math.ceil(hi * 56.7));
      }
      expect(attr('left')).toBe(DRAFT_LAYOUT.margin.left);
    }
  });

  it('uses Times New Roman throughout, body 14 pt', () => {
    expect(all['word/styles.xml']).toMatch(/<w:rFonts w:ascii="Times New Roman"[^>]*w:hAnsi="Times New Roman"/);
    const fonts = new Set([...doc.matchAll(/w:ascii="([^"]+)"/g)].map((m) => m[1]));
    expect(fonts).toEqual(new Set(['Times New Roman']));
    expect(runOf(doc, 'I. TÌNH HÌNH TỔ CHỨC THỰC HIỆN VÀ CÔNG TÁC KIỂM TRA, TUYÊN TRUYỀN CCHC')).toMatch(/<w:sz w:val="28"\/>/);
  });

  it('has the two-column header in the decree sizes and styles', () => {
    const quoc = runOf(doc, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(quoc).toMatch(/<w:b\/>/);
    expect(quoc).toMatch(/<w:sz w:val="(24|26)"\/>/);
    const motto = runOf(doc, 'Độc lập - Tự do - Hạnh phúc');
    expect(motto).toMatch(/<w:b\/>/);
    expect(motto).toMatch(/<w:sz w:val="(26|28)"\/>/);
    expect(runOf(doc, 'UBND TỈNH THỪA THIÊN HUẾ')).not.toMatch(/<w:b\/>/);
    expect(runOf(doc, 'SỞ NỘI VỤ')).toMatch(/<w:b\/>/);
    expect(runOf(doc, 'Số:\u00a0\u00a0\u00a0\u00a0\u00a0/BC-SNV')).toMatch(/<w:sz w:val="26"\/>/);
    const date = runOf(
      doc,
      'Thừa Thiên Huế, ngày\u00a0\u00a0\u00a0\u00a0\u00a0tháng\u00a0\u00a0\u00a0\u00a0\u00a0năm 2026'.replace(
        '2026',
        String(new Date(demoRollup({ periodId: '2022-H1' }).rollup.generatedAt).getFullYear()),
      ),
    );
    expect(date).toMatch(/<w:i\/>/);
    // The first table (the header) has two columns and no borders; the rules are bordered empty paragraphs
    const header = /<w:tbl>[\s\S]*?<\/w:tbl>/.exec(doc)![0];
    expect([...header.matchAll(/<w:gridCol /g)]).toHaveLength(2);
    expect([...header.matchAll(/<w:pBdr><w:top w:val="single"/g)]).toHaveLength(2);
    expect(runOf(doc, 'BÁO CÁO')).toMatch(/<w:b\/>/);
    expect(text).toContain('Tình hình, kết quả thực hiện công tác cải cách hành chính 6 tháng đầu năm 2022');
    expect(text).toContain('Kính gửi: Ủy ban nhân dân tỉnh.');
  });

  it('numbers pages from page 2, centred in the top margin', () => {
    expect(doc).toMatch(/<w:titlePg\/>/);
    const headers = Object.entries(all).filter(([k]) => /^word\/header\d+\.xml$/.test(k));
    expect(headers.some(([, x]) => /PAGE/.test(x) && /w:jc w:val="center"/.test(x))).toBe(true);
    const first = /<w:headerReference w:type="first" r:id="([^"]+)"/.exec(doc)![1];
    const rels = all['word/_rels/document.xml.rels']!;
    const target = new RegExp(`Id="${first}"[^>]*Target="([^"]+)"`).exec(rels)?.[1] ?? new RegExp(`Target="([^"]+)"[^>]*Id="${first}"`).exec(rels)![1];
    expect(all[`word/${target}`]).not.toMatch(/PAGE/);
  });

  it('has sections I–IV, the closing, the Nơi nhận | signature block with a blank name, and two appendices', () => {
    for (const h of [
      'I. TÌNH HÌNH TỔ CHỨC THỰC HIỆN VÀ CÔNG TÁC KIỂM TRA, TUYÊN TRUYỀN CCHC',
      'II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CCHC',
      'III. NHỮNG KHÓ KHĂN, VƯỚNG MẮC',
      'IV. KIẾN NGHỊ, ĐỀ XUẤT',
      'PHỤ LỤC I',
      'PHỤ LỤC II',
    ]) {
      expect(text).toContain(h);
    }
    const order = ['I. TÌNH', 'II. KẾT', 'III. NHỮNG', 'IV. KIẾN', 'Nơi nhận:', 'PHỤ LỤC I'].map((p) => text.findIndex((t) => t.startsWith(p)));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(runOf(doc, 'Nơi nhận:')).toMatch(/<w:b\/>[\s\S]*<w:i\/>|<w:i\/>[\s\S]*<w:b\/>/);
    expect(runOf(doc, 'Nơi nhận:')).toMatch(/<w:sz w:val="24"\/>/);
    expect(runOf(doc, 'KT. GIÁM ĐỐC')).toMatch(/<w:b\/>/);
    const k = text.indexOf('PHÓ GIÁM ĐỐC');
    expect(text.slice(k + 1, k + 7).every((t) => t === '')).toBe(true);
  });

  it('states the comparisons in words: cumulative against Q1, +20 % against last year, points for a rate, no data for a blank', () => {
    const kh01 = text.find((t) => t.startsWith('- Tổng số hồ sơ nhận giải quyết trong kỳ:'))!;
    expect(kh01).toContain('tăng 20,0% so với cùng kỳ năm trước (từ 100 lên 120)');
    expect(kh01).toContain('số liệu lũy kế, trong đó quý I năm 2022: 45; phát sinh thêm từ sau ngày 14/03/2022: 75');
    const kh03 = text.find((t) => t.startsWith('- Tỷ lệ hoàn thành Kế hoạch CCHC:'))!;
    expect(kh03).toContain('82,5%');
    expect(kh03).toContain('cùng kỳ năm trước chưa có số liệu chỉ tiêu này');
    expect(kh03).toContain('tăng 2,5 điểm phần trăm so với quý I năm 2022 (từ 80% lên 82,5%)');
    expect(text.join('\n')).not.toMatch(/(^|[^\d])0,0%|±/);
  });

  it('names the units that did not report and never counts them as zero', () => {
    const missing = text.find((t) => t.startsWith('- Đơn vị chưa gửi báo cáo:'))!;
    expect(missing).toContain('Sở Ngoại vụ');
    expect(text).toContain('Số liệu tổng hợp dưới đây chỉ gồm các đơn vị có báo cáo hợp lệ được tổng hợp; đơn vị chưa báo cáo không được tính là 0.');
    expect(text.filter((t) => t === 'Chưa nộp').length).toBe(3);
  });

  it('names a unit whose dossier lacks a part, with what it lacks, and leaves its figures out', async () => {
    const { rollup, form } = demoRollup({ periodId: '2022-H1' });
    const code = rollup.units[0]!.unitCode;
    const withGap: Rollup = {
      ...rollup,
      incomplete: [code],
      units: rollup.units.map((u) => (u.unitCode === code ? { ...u, missingParts: ['form'] } : u)),
    };
    const lines = paragraphs(parts(await writeReportDraft(withGap, form))['word/document.xml']!);
    const line = lines.find((t) => t.startsWith('- Đơn vị gửi hồ sơ chưa đầy đủ:'))!;
    expect(line).toBe(`- Đơn vị gửi hồ sơ chưa đầy đủ: ${findUnit(code).name}, thiếu biểu số liệu (tệp Excel). Số liệu của các đơn vị này chưa được tổng hợp.`);
  });

  it('says "chưa có số liệu" when the earlier periods were never closed', async () => {
    const { rollup, form } = demoRollup({ periodId: '2021-Q1' });
    rollup.comparisons = compareRollups(rollup, findPeriod('2021-Q1'), {});
    const t = paragraphs(parts(await writeReportDraft(rollup, form))['word/document.xml']!);
    expect(t.find((x) => x.startsWith('- Tổng số hồ sơ nhận giải quyết trong kỳ:'))).toMatch(/; chưa có số liệu cùng kỳ năm trước\.$/);
    expect(t).toContain('Chưa có số liệu cùng kỳ năm trước');
  });
});

describe('mergeNarratives', () => {
  it('merges identical texts (case, spaces and final stop aside), keeping every unit, in order', () => {
    expect(
      mergeNarratives([
        { unitCode: 'A', unitName: 'Sở A', text: 'Thiếu biên chế.\nPhần mềm chậm' },
        { unitCode: 'B', unitName: 'Sở B', text: '  thiếu  biên chế ' },
        { unitCode: 'C', unitName: 'Sở C', text: 'Khác' },
      ]),
    ).toEqual([
      { text: 'Thiếu biên chế.', units: ['Sở A', 'Sở B'] },
      { text: 'Phần mềm chậm', units: ['Sở A'] },
      { text: 'Khác', units: ['Sở C'] },
    ]);
  });
});

describe('the consolidated workbook with comparisons', () => {
  it('adds a column per basis to each area sheet, with the change in words and no 0 % for missing data', async () => {
    // Prepare
    const ExcelJS = (await import('exceljs')).default;
    const { writeConsolidatedWorkbook } = await import('../../shared/documents/reports/index.js');
    const current = withTotals('2022-Q3', { 'TT.HS.01': 50 });
    current.comparisons = compareRollups(current, findPeriod('2022-Q3'), {
      lastYear: { rollup: withTotals('2021-Q3', { 'TT.HS.01': 40 }), key: 'k' },
      previous: null,
    });
    const { form } = demoRollup({ periodId: '2022-Q3' });
    // Act
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await writeConsolidatedWorkbook(current, form)) as unknown as ArrayBuffer);
    // Assess
    const cells: string[][] = [];
    wb.eachSheet((ws) => ws.eachRow((r) => cells.push((r.values as unknown[]).map((v) => String(v ?? '')))));
    const head = cells.find((r) => r.includes('So với cùng kỳ năm trước (quý III năm 2021)'))!;
    expect(head).toContain('So với kỳ trước trong năm (6 tháng đầu năm 2022)');
    const row = cells.find((r) => r.includes('TT.HS.01'))!;
    expect(row).toContain('+25,0% (kỳ so sánh: 40)');
    expect(row).toContain('Chưa có số liệu kỳ trước');
  });
});

describe('the consolidated e-mail with the draft and the comparisons', () => {
  it('attaches the Word draft and states each headline figure against the same period last year', async () => {
    // Prepare
    const { buildReportMail } = await import('../../shared/documents/reports/index.js');
    const current = withTotals('2022-Q3', { 'TT.HS.01': 50 });
    current.comparisons = compareRollups(current, findPeriod('2022-Q3'), {
      lastYear: { rollup: withTotals('2021-Q3', { 'TT.HS.01': 40 }), key: 'k' },
      previous: null,
    });
    // Act
    const mail = buildReportMail(current, {
      portalUrl: 'http://localhost:3000',
      chartPng: new Uint8Array([1]),
      workbook: { filename: 'a.xlsx', bytes: new Uint8Array([2]) },
      draft: { filename: 'Tong-hop-CCHC-2022-Q3-du-thao-bao-cao.docx', bytes: new Uint8Array([3]) },
    });
    // Assess
    const att = mail.attachments.find((a) => a.filename.endsWith('.docx'))!;
    expect(att.contentType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(mail.text).toContain('Dự thảo báo cáo của Sở Nội vụ gửi UBND tỉnh');
    const line = mail.text.split('\n').find((l) => l.includes('(TT.HS.01)'))!;
    expect(line).toContain('tăng 25,0% so với cùng kỳ năm trước (từ 40 lên 50); chưa có số liệu kỳ trước');
    expect(mail.html).toContain('Tăng 25,0% so với cùng kỳ năm trước');
  });
});

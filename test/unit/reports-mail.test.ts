import ExcelJS from 'exceljs';
import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Rollup } from '../../shared/domain/rollup.js';
import type { FormDef, Unit } from '../../shared/domain/types.js';
import { defaultUnits } from '../../shared/domain/units.js';
import { composeMime } from '../../shared/documents/mail/mime.js';
import { demoRollup } from '../fixtures/demo-rollup.js';
import { CHART_CID, REPORT_ATTACHMENT_LIMIT, buildReportMail, renderCoverageChart, writeConsolidatedWorkbook } from '../../shared/documents/reports/index.js';
import type { ReportMail } from '../../shared/documents/reports/index.js';

const EVIL = '<script>alert("x")</script> Sở & "Ngoại vụ"\r\nBcc: attacker@example.com';
const units: Unit[] = defaultUnits.map((u) =>
  u.code === 'SNGV'
    ? { ...u, name: EVIL }
    : u.code === 'SDL'
      ? { ...u, name: 'Sở Du lịch <img src=x onerror=alert(1)>' }
      : u.code === 'BDT'
        ? { ...u, name: "Ban Dân tộc ' onmouseover='x" }
        : u,
);

async function roundTrip(mail: ReportMail): Promise<ParsedMail> {
  const mime = await composeMime({
    from: 'Hệ thống CCHC <no-reply@cchc.example.gov.vn>',
    to: ['phongcchc@snv.example.gov.vn'],
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: '<report-2021-Q3@cchc.example.gov.vn>',
    date: new Date('2021-09-15T17:01:00Z'),
    attachments: mail.attachments,
  });
  return simpleParser(mime);
}

describe('buildReportMail — workbook attached', () => {
  let rollup: Rollup;
  let form: FormDef;
  let mail: ReportMail;
  let parsed: ParsedMail;
  let chart: Buffer;
  beforeAll(async () => {
    ({ rollup, form } = demoRollup({ periodId: '2021-Q3', units }));
    chart = await renderCoverageChart(rollup);
    const workbook = await writeConsolidatedWorkbook(rollup, form);
    expect(workbook.length).toBeLessThan(REPORT_ATTACHMENT_LIMIT);
    mail = buildReportMail(rollup, {
      portalUrl: 'https://cchc.example.gov.vn/?a=1&b=2',
      chartPng: chart,
      workbook: { filename: 'Tong-hop-CCHC-2021-Q3.xlsx', bytes: workbook },
    });
    parsed = await roundTrip(mail);
  });

  it('has the Vietnamese subject intact: period, valid/expected, on-time %', () => {
    const c = rollup.coverage.all;
    expect(parsed.subject).toBe(mail.subject);
    expect(mail.subject).toBe(`[CCHC] Tổng hợp Báo cáo CCHC quý III năm 2021: ${c.valid}/${c.expected} đơn vị hợp lệ (82,1% đúng hạn)`);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).not.toContain('BỔ SUNG');
  });

  it('carries the chart inline with its Content-ID, referenced from the HTML', () => {
    const img = parsed.attachments.find((a) => a.contentType === 'image/png')!;
    expect(img).toBeDefined();
    expect(img.cid).toBe(CHART_CID);
    expect(img.contentDisposition).toBe('inline');
    expect(Buffer.compare(img.content, chart)).toBe(0);
    expect(mail.html).toContain(`<img src="cid:${CHART_CID}"`);
  });

  it('attaches the workbook, readable by exceljs', async () => {
    const att = parsed.attachments.find((a) => a.filename === 'Tong-hop-CCHC-2021-Q3.xlsx')!;
    expect(att.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(att.contentDisposition).toBe('attachment');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(att.content as unknown as ArrayBuffer);
    expect(wb.worksheets[0]!.name).toBe('Tổng hợp');
    expect(wb.getWorksheet('Đầy đủ - kịp thời')).toBeDefined();
    expect(parsed.text).toContain('được đính kèm thư này');
  });

  it('escapes every unit name in the HTML; no header can be injected', () => {
    const html = parsed.html as string;
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain("' onmouseover='");
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Sở &amp; &quot;Ngoại vụ&quot;');
    expect(html).toContain('Sở Du lịch &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('Ban Dân tộc &#39; onmouseover=&#39;x');
    expect(html).toContain('https://cchc.example.gov.vn/?a=1&amp;b=2');
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.headers.has('bcc')).toBe(false);
    // The plain text has the names as they are.
    expect(parsed.text).toContain('<script>alert("x")</script> Sở & "Ngoại vụ"');
  });

  it('has the headline figures, coverage by kind, the lists, the warnings and the failed checks, in HTML and text', () => {
    const html = parsed.html as string;
    const text = parsed.text!;
    for (const code of ['TT.HS.01', 'TT.HS.12', 'DT.03', 'CD.KH.03']) {
      expect(html).toContain(`(${code})`);
      expect(text).toContain(`(${code})`);
    }
    const hs01 = rollup.indicators.find((i) => i.code === 'TT.HS.01')!;
    const formatted = new Intl.NumberFormat('vi-VN').format(hs01.total!);
    expect(html).toContain(formatted);
    expect(text).toContain(formatted);
    for (const label of ['Sở, ban, ngành cấp tỉnh', 'UBND cấp huyện', 'Cơ quan Trung ương trên địa bàn', 'Toàn tỉnh']) {
      expect(html).toContain(label);
      expect(text).toContain(label);
    }
    expect(text).toContain('Chưa nộp (3)');
    expect(text).toContain('Nộp muộn (2)');
    expect(text).toContain('Chỉ có tệp bị từ chối (2)');
    for (const w of rollup.warnings) {
      expect(text).toContain(w);
      expect(html).toContain(w);
    }
    const failed = rollup.relationChecks.filter((c) => !c.ok);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) {
      expect(html).toContain(f.id);
      expect(text).toContain(f.id);
    }
  });
});

describe('buildReportMail — download link and addendum', () => {
  it('gives a time-limited link with its expiry (Vietnam time) instead of the attachment', async () => {
    const { rollup } = demoRollup({ periodId: '2021-Q1', includeLate: true });
    const chart = await renderCoverageChart(rollup);
    const url = 'https://bucket.s3.ap-southeast-1.amazonaws.com/reports/2021-Q1/tong-hop.xlsx?X-Amz-Expires=604800&X-Amz-Signature=abc"><script>';
    const mail = buildReportMail(rollup, {
      portalUrl: 'https://cchc.example.gov.vn/',
      chartPng: chart,
      workbook: { downloadUrl: url, expiresAt: '2021-04-22T10:00:00.000Z' },
    });
    const parsed = await roundTrip(mail);
    expect(parsed.subject).toMatch(/^\[CCHC\] BỔ SUNG — Tổng hợp Báo cáo CCHC quý I năm 2021: \d+\/\d+ đơn vị hợp lệ \(\d+(,\d)?% đúng hạn\)$/);
    expect(parsed.attachments.map((a) => a.contentType)).toEqual(['image/png']);
    expect(parsed.html).toContain(
      'href="https://bucket.s3.ap-southeast-1.amazonaws.com/reports/2021-Q1/tong-hop.xlsx?X-Amz-Expires=604800&amp;X-Amz-Signature=abc&quot;&gt;&lt;script&gt;"',
    );
    expect(parsed.text).toContain(url);
    expect(parsed.text).toContain('17:00:00 ngày 22/04/2021');
    expect(parsed.html).toContain('17:00:00 ngày 22/04/2021');
    expect(parsed.text).toContain('BẢN BỔ SUNG: gồm báo cáo nộp muộn');
    expect(parsed.html).toContain('BẢN BỔ SUNG: gồm báo cáo nộp muộn');
  });

  it('a plan shows the tasks per area instead of indicators', async () => {
    const { rollup } = demoRollup({ periodId: '2022-PLAN' });
    const mail = buildReportMail(rollup, {
      portalUrl: 'https://cchc.example.gov.vn/',
      chartPng: await renderCoverageChart(rollup),
      workbook: { downloadUrl: 'https://x.example/y', expiresAt: '2022-01-12T00:00:00Z' },
    });
    expect(mail.text).toContain('SỐ NHIỆM VỤ CCHC THEO LĨNH VỰC');
    expect(mail.text).toContain('1. Cải cách thể chế');
    expect(mail.html).toContain('Số nhiệm vụ CCHC theo lĩnh vực');
  });
});

/** The consolidated outputs of a closed period: pure functions, a Rollup in, bytes or strings out. */
export { writeConsolidatedWorkbook, SHEET_NAMES } from './workbook.js';
export { rollupToCsv, rollupToJson } from './csv.js';
export { renderCoverageChart, CHART_WIDTH, CHART_HEIGHT, fontsDir } from './chart.js';
export { buildReportMail, reportSubject, CHART_CID, XLSX_CONTENT_TYPE } from './report-mail.js';
export type { ReportMail, ReportMailOptions, ReportWorkbookDelivery } from './report-mail.js';

/** Largest workbook sent as an attachment; above it the e-mail carries a download link (SES raw messages are limited to 10 MB including the base64 overhead). */
export const REPORT_ATTACHMENT_LIMIT = 7 * 1024 * 1024;

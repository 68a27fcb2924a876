/** The Excel side of the product: template writer, upload pre-check and workbook reader. */
export { META_FIELDS, signMeta, verifyMeta } from './meta.js';
export type { TemplateMeta } from './meta.js';
export { DEFAULT_LIMITS, RATIO_FLOOR, hasDtd, inspectXlsx, sniff } from './safe-zip.js';
export type { InspectResult, Sniffed, ZipLimits } from './safe-zip.js';
export { taskAreaLabels, writeTemplate } from './template-writer.js';
export type { TemplateFill, WriteTemplateOptions } from './template-writer.js';
export { PARSE_LIMITS, readWorkbook } from './workbook-reader.js';
export type { ReadContext, ReadResult } from './workbook-reader.js';

/** Every media type the product writes or accepts, named once. */
export const MEDIA_TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  /** The Department's draft report (Word). */
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  /** As a unit's upload declares it (the presigned POST fixes exactly this). */
  json: 'application/json',
  /** As the product serves and stores JSON. */
  jsonText: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  /** The signed report (văn bản đã ký số). */
  pdf: 'application/pdf',
  png: 'image/png',
  eml: 'message/rfc822',
} as const;

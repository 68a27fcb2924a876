/**
 * The bodies of the API routes the portal's pages call, for the pages' JSDoc types
 * (`@typedef {import('../api-types.js').PeriodsResponse} …`). Types only: nothing here runs, and
 * every shape is the API's own (the routes build their answers as these types).
 */
export type { ErrorResponse, MeResponse, PeriodsResponse, SubmissionsResponse, TimelineResponse, UploadResponse } from '../adapters/inbound/http/unit-api.js';
export type { TimelineEntry } from '../application/timeline.js';
export type { RemindResponse } from '../adapters/inbound/http/admin-api.js';
export type { AdminPeriodsResponse, BoardResponse, BoardReview, BoardUnit, ReportLinkResponse } from '../application/board.js';
export type { BulkAcceptResult } from '../application/review.js';
export type { ReviewRecord } from '../domain/review.js';
export type { SubmissionView, UnitPeriodView } from '../application/list-submissions.js';
export type { StatusCode } from '../domain/labels.js';
export type { Finding } from '../domain/types.js';
export type { RegistryResponse } from '../adapters/inbound/http/admin-api.js';

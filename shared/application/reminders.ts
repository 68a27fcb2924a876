import { findPeriod, formatInstantVi, formatWindow } from '../domain/calendar.js';
import { expectedUnits, KIND_NAMES } from '../domain/units.js';
import { LINK_PLACEHOLDER } from '../documents/mail/link-template.js';
import { escapeHtml } from '../documents/mail/mime.js';
import type { PipelineDeps } from './deps.js';
import { queueMail } from './outbox.js';
import type { DossierPart } from '../domain/object-keys.js';
import type { SubmissionKind } from '../domain/types.js';

export interface ReminderResult {
  periodId: string;
  label: string;
  /** Units reminded now. */
  units: string[];
}

/**
 * Reminds the units that have no valid current submission for a period, each with its personal
 * link; none after it has submitted. `label` names the reminder (D-3, D-1, or a manual one), and a
 * unit gets each labelled reminder once, however often the schedule fires.
 *
 * The outbox keeps the message with a placeholder for the link: the link is rendered from the
 * unit's token only when it is sent, by a sender holding the token key (flush-outbox on AWS), so no
 * stored item holds a usable token. This reads no upload: the board's manual reminder (the API,
 * which reads token items, never parses an uploaded file) calls it as it is; the schedule reconciles
 * first (remindAfterReconciling).
 */
/** The dossier's two parts, said once in every reminder of a period that requires the signed report. */
const DOSSIER_NOTE =
  'Hồ sơ báo cáo gồm hai tệp, nộp qua cùng đường dẫn: biểu số liệu (tệp Excel theo mẫu) và báo cáo đã được lãnh đạo đơn vị ký số (tệp PDF). Hồ sơ chỉ được tính khi cả hai tệp hợp lệ.';

/** What the Department has not received: the whole report, or the part of the dossier still missing. */
function whatIsMissing(kind: SubmissionKind, parts: DossierPart[], dossier: boolean): string {
  if (!dossier || parts.length === 2) return `${KIND_NAMES[kind]} hợp lệ`;
  return parts[0] === 'report'
    ? `bản ${KIND_NAMES[kind]} đã được lãnh đạo đơn vị ký số (tệp PDF) hợp lệ`
    : `biểu số liệu (tệp Excel) hợp lệ của ${KIND_NAMES[kind]}`;
}

export async function sendReminders(deps: PipelineDeps, periodId: string, label: string): Promise<ReminderResult> {
  const period = findPeriod(periodId);
  const [forms, reports] = await Promise.all([
    deps.stores.pointers.listOfPeriod(period.id),
    period.requiresSignedReport ? deps.stores.pointers.listOfPeriod(period.id, 'report') : null,
  ]);
  const holders = (current: { unitCode: string; kind: string }[]) => new Set(current.filter((c) => c.kind === period.kind).map((c) => c.unitCode));
  const haveForm = holders(forms.current);
  const haveReport = reports ? holders(reports.current) : null;
  /** The parts a unit has no valid on-time file for (the signed report only where the period requires it). */
  const lacking = (code: string): DossierPart[] => [
    ...(haveForm.has(code) ? [] : ['form' as const]),
    ...(haveReport && !haveReport.has(code) ? ['report' as const] : []),
  ];
  const due = expectedUnits(period, deps.units).filter((u) => lacking(u.code).length > 0);
  const reminded: string[] = [];
  const deadline = formatInstantVi(period.deadline);
  for (const unit of due) {
    const messageId = `reminder-${period.id}-${label}-${unit.code}`;
    if (await deps.stores.outbox.get(messageId)) continue;
    const subject = `[CCHC] Nhắc nộp ${period.name} — hạn ${deadline}`;
    const window = period.dataWindow ? `Thời gian chốt số liệu: ${formatWindow(period.dataWindow)}.` : '';
    const what = whatIsMissing(period.kind, lacking(unit.code), period.requiresSignedReport);
    const text = [
      `Kính gửi: ${unit.name}`,
      '',
      `Đến nay Sở Nội vụ chưa nhận được ${what} của đơn vị cho kỳ ${period.name}. Hạn nhận: ${deadline} (giờ Việt Nam). ${window}`,
      ...(period.requiresSignedReport ? ['', DOSSIER_NOTE] : []),
      '',
      LINK_PLACEHOLDER,
      '',
      'Nếu đơn vị đã nộp nhưng tệp bị từ chối, vui lòng xem thư biên nhận để sửa lỗi và nộp lại.',
      'Thư này được gửi tự động; vui lòng không trả lời thư này.',
    ].join('\n');
    const html = `<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.5;color:#1a1a1a">
<p>Kính gửi: <strong>${escapeHtml(unit.name)}</strong></p>
<p>Đến nay Sở Nội vụ chưa nhận được ${escapeHtml(what)} của đơn vị cho kỳ <strong>${escapeHtml(period.name)}</strong>. Hạn nhận: <strong>${escapeHtml(deadline)}</strong> (giờ Việt Nam). ${escapeHtml(window)}</p>
${period.requiresSignedReport ? `<p>${escapeHtml(DOSSIER_NOTE)}</p>` : ''}
<p>${LINK_PLACEHOLDER}</p>
<p>Nếu đơn vị đã nộp nhưng tệp bị từ chối, vui lòng xem thư biên nhận để sửa lỗi và nộp lại.</p>
<p style="color:#666;font-size:12px">Thư này được gửi tự động; vui lòng không trả lời thư này.</p></body></html>`;
    await queueMail(
      deps,
      { messageId, purpose: 'reminder', to: unit.emails, linkUnit: unit.code, about: { periodId: period.id, unitCode: unit.code } },
      () => ({
        subject,
        text,
        html,
      }),
    );
    reminded.push(unit.code);
  }
  deps.log.info('reminders sent', { periodId: period.id, label, reminded: reminded.length, outstanding: due.length });
  return { periodId: period.id, label, units: reminded };
}

import { findPeriod } from '../domain/calendar.js';
import { parseDateInput } from '../domain/dates.js';
import { DomainError } from '../domain/errors.js';
import { normalizeOptional } from '../domain/text.js';
import { findUnit, owes } from '../domain/units.js';
import type { Extension } from './records.js';
import type { PipelineDeps } from './deps.js';
import { recordStep } from './audit.js';

/**
 * Grants a unit more time for one period, recording who granted it and why. Uploads received by the
 * end of `until` (Asia/Ho_Chi_Minh) count as on time for that unit; nothing else changes.
 */
export async function grantExtension(
  deps: Pick<PipelineDeps, 'stores' | 'clock' | 'units'>,
  input: { periodId: string; unitCode: string; until: string; grantedBy: string; reason: string },
): Promise<Extension> {
  const period = findPeriod(input.periodId);
  const unit = findUnit(input.unitCode, deps.units);
  if (!owes(unit, period)) throw new DomainError(`${unit.name} không phải nộp ${period.name}; không cần gia hạn.`);
  const until = parseDateInput(input.until);
  if (!until || until <= period.dueDate) {
    throw new DomainError(`Ngày gia hạn "${input.until}" phải là ngày hợp lệ sau hạn ${period.dueDate} (dạng YYYY-MM-DD hoặc ngày/tháng/năm).`);
  }
  const grantedBy = normalizeOptional(input.grantedBy);
  const reason = normalizeOptional(input.reason);
  if (!grantedBy || !reason) throw new DomainError('Phải ghi rõ người quyết định gia hạn và lý do.');
  const extension: Extension = { periodId: period.id, unitCode: unit.code, until, grantedBy, reason, grantedAt: deps.clock.now().toISOString() };
  await deps.stores.extensions.put(extension);
  await recordStep(deps, {
    eventId: `extension:${period.id}:${unit.code}:${extension.grantedAt}`,
    type: 'extension.granted',
    periodId: period.id,
    unitCode: unit.code,
    kind: period.kind,
    actor: { kind: 'operator', id: 'cli', name: grantedBy },
    reason,
    at: extension.grantedAt,
    detail: { until, grantedBy },
  });
  return extension;
}

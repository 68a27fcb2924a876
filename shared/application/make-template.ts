import { randomUUID } from 'node:crypto';
import { findPeriod } from '../domain/calendar.js';
import { DomainError } from '../domain/errors.js';
import { currentForm } from '../domain/forms.js';
import type { SubmissionKind, Unit } from '../domain/types.js';
import { defaultUnits, findUnit, slotRefusal } from '../domain/units.js';
import type { TemplateMeta } from '../documents/xlsx/meta.js';
import { writeTemplate, type TemplateFill } from '../documents/xlsx/index.js';

export interface MadeTemplate {
  bytes: Buffer;
  fileName: string;
  meta: TemplateMeta;
}

/**
 * Makes the Excel template of one slot (unit, period, kind), signed with the template key. Refuses a
 * slot the unit does not owe with a Vietnamese DomainError. `fill` pre-fills it (demo, tests).
 */
export async function makeTemplate(opts: {
  unitCode: string;
  periodId: string;
  kind?: SubmissionKind;
  key: string;
  now: Date;
  units?: readonly Unit[];
  templateId?: string;
  fill?: TemplateFill;
}): Promise<MadeTemplate> {
  const unit = findUnit(opts.unitCode, opts.units ?? defaultUnits);
  const period = findPeriod(opts.periodId);
  const kind = opts.kind ?? period.kind;
  const refusal = slotRefusal(unit, period, kind);
  if (refusal) throw new DomainError(refusal);
  const form = currentForm(kind);
  const meta: TemplateMeta = {
    templateId: opts.templateId ?? randomUUID(),
    formId: form.id,
    formVersion: form.version,
    unitCode: unit.code,
    periodId: period.id,
    kind,
    issuedAt: opts.now.toISOString(),
  };
  const bytes = await writeTemplate({ form, unit, period, meta, key: opts.key, fill: opts.fill });
  return { bytes, fileName: `CCHC-${period.id}-${unit.code}.xlsx`, meta };
}

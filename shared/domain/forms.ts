import periodicV1 from '../data/forms/cchc-periodic.v1.json' with { type: 'json' };
import planV1 from '../data/forms/cchc-plan.v1.json' with { type: 'json' };
import thematicV1 from '../data/forms/cchc-thematic.v1.json' with { type: 'json' };
import { UnknownFormError } from './errors.js';
import type { Area, FormDef, IndicatorDef, Relation, SubmissionKind, ThematicTopic, Unit } from './types.js';

interface FormFile extends Omit<FormDef, 'indicators' | 'relations' | 'areas'> {
  areas?: FormDef['areas'];
  indicators?: IndicatorDef[];
  relations?: Relation[];
  /** A form may take its indicator catalogue from another form (the thematic report does). */
  indicatorsFrom?: { id: string; version: number };
}

const FILES = [periodicV1, planV1, thematicV1] as unknown as FormFile[];

function resolve(file: FormFile, files: FormFile[]): FormDef {
  const { indicatorsFrom, ...rest } = file;
  if (!indicatorsFrom) return { ...rest, areas: file.areas ?? [], indicators: file.indicators ?? [], relations: file.relations ?? [] };
  const base = files.find((f) => f.id === indicatorsFrom.id && f.version === indicatorsFrom.version);
  if (!base)
    throw new UnknownFormError(`Biểu mẫu ${file.id} v${file.version} tham chiếu biểu mẫu không tồn tại ${indicatorsFrom.id} v${indicatorsFrom.version}.`);
  const inTopics = new Set((file.topics ?? []).flatMap((t) => t.indicators));
  const indicators = (base.indicators ?? []).filter((i) => inTopics.has(i.code));
  return { ...rest, areas: rest.areas ?? base.areas ?? [], indicators, relations: base.relations ?? [] };
}

/** Every form version the product knows, resolved. Forms are data: a new version is a new JSON file. */
export const FORMS: readonly FormDef[] = Object.freeze(FILES.map((f) => resolve(f, FILES)));

/** The form with the given id and version. */
export function getForm(id: string, version: number): FormDef {
  const form = FORMS.find((f) => f.id === id && f.version === version);
  if (!form) throw new UnknownFormError(`Không có biểu mẫu "${id}" phiên bản ${version}.`);
  return form;
}

/** The newest version of the form for a submission kind. */
export function currentForm(kind: SubmissionKind): FormDef {
  const candidates = FORMS.filter((f) => f.kind === kind).sort((a, b) => b.version - a.version);
  const form = candidates[0];
  if (!form) throw new UnknownFormError(`Không có biểu mẫu cho loại "${kind}".`);
  return form;
}

/** The thematic topic a unit reports on, for the thematic form. */
export function topicOf(form: FormDef, unit: Unit): ThematicTopic | undefined {
  return form.topics?.find((t) => t.code === unit.thematicTopic);
}

/** Indicators the unit fills on this form, in form order. */
export function applicableIndicators(form: FormDef, unit: Unit): IndicatorDef[] {
  if (form.kind === 'thematic') {
    const topic = topicOf(form, unit);
    if (!topic) return [];
    const codes = new Set(topic.indicators);
    return form.indicators.filter((i) => codes.has(i.code));
  }
  return form.indicators.filter((i) => i.appliesTo.includes(unit.kind));
}

function relationCodes(r: Relation): string[] {
  return r.type === 'ratio' ? [r.target, ...r.numerator, ...r.denominator] : [...r.left, ...r.right];
}

/** Relations checked for the unit: those for its kind whose indicators all apply to it. */
export function applicableRelations(form: FormDef, unit: Unit): Relation[] {
  const codes = new Set(applicableIndicators(form, unit).map((i) => i.code));
  return form.relations.filter((r) => (!r.appliesTo || r.appliesTo.includes(unit.kind)) && relationCodes(r).every((c) => codes.has(c)));
}

export { relationCodes };

/** A reform area as shown to people: its number, then its name ("1. Cải cách thể chế"). */
export function areaLabel(area: Area): string {
  return area.no === undefined ? area.name : `${area.no}. ${area.name}`;
}

import { OUT_EVENT_TYPES } from '../../../domain/audit.js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { describeSignature } from '../../../documents/signatures.js';
import { loadTrust } from '../../../runtime/trust.js';
import { cliClock, cliTemplateKey, localDataDir } from './connect.js';
import { Option, type Command } from 'commander';
import { DateTime } from 'luxon';
import { buildCalendar, findPeriod, formatInstantVi, isOnTime, localDateOf, ZONE } from '../../../domain/calendar.js';
import { formatDateVi, parseDateInput } from '../../../domain/dates.js';
import { TIMELINESS_LABELS } from '../../../domain/labels.js';
import { unitDeadline } from '../../../domain/outcome.js';
import { submissionJsonSchemaDocument } from '../../../domain/submission-json.js';
import type { Period, Submission, SubmissionKind, Unit } from '../../../domain/types.js';
import { defaultUnits, findUnit, KIND_NAMES } from '../../../domain/units.js';
import { checkUpload, type UploadCheck } from '../../../application/check-upload.js';
import { makeTemplate } from '../../../application/make-template.js';
import { formatCalendar, formatFindings, formatUnits } from './format.js';
import { UsageError } from './usage-error.js';
import { sampleFill, sampleSigner, sampleSubmission } from '../../../domain/sample-submission.js';

const KINDS: SubmissionKind[] = ['plan', 'periodic', 'thematic'];

function kindOption(): Option {
  return new Option('--kind <loại>', 'loại hồ sơ: plan (kế hoạch), periodic (định kỳ), thematic (chuyên đề); mặc định theo kỳ').choices(KINDS);
}

function print(s: string): void {
  process.stdout.write(`${s}\n`);
}

function parseYear(raw: string): number {
  if (!/^\d{4}$/.test(raw)) throw new UsageError(`Năm "${raw}" không hợp lệ; nhập 4 chữ số, ví dụ 2021.`);
  return Number(raw);
}

/** An ISO instant; without an offset it is Vietnam time (Asia/Ho_Chi_Minh), never the machine's zone. */
export function parseInstant(raw: string): Date {
  const s = raw.trim();
  let dt = DateTime.fromISO(s, { zone: ZONE });
  if (!dt.isValid) dt = DateTime.fromSQL(s, { zone: ZONE });
  if (!dt.isValid)
    throw new UsageError(`Thời điểm "${raw}" không hợp lệ; dùng dạng ISO, ví dụ 2021-03-15T10:00:00+07:00 (không ghi múi giờ thì hiểu là giờ Việt Nam).`);
  return dt.toJSDate();
}

/** An instant in Vietnam time with its offset and milliseconds, for people and scripts. */
function vnIso(d: Date | string): string {
  return (typeof d === 'string' ? DateTime.fromISO(d) : DateTime.fromJSDate(d)).setZone(ZONE).toISO()!;
}

/** Writes an output file, creating its folder; a file that cannot be written is a Vietnamese usage error. */
async function writeOut(path: string, data: Uint8Array | string): Promise<void> {
  try {
    await mkdir(dirname(resolve(path)), { recursive: true });
    await writeFile(path, data);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'EACCES' || code === 'EPERM'
        ? 'không có quyền ghi vào đó'
        : code === 'EISDIR'
          ? 'đó là một thư mục'
          : code === 'ENOTDIR' || code === 'EEXIST'
            ? 'một phần của đường dẫn là tệp, không phải thư mục'
            : code === 'ENOSPC'
              ? 'ổ đĩa đã đầy'
              : `lỗi hệ thống ${code ?? String(err)}`;
    throw new UsageError(`Không ghi được tệp "${path}": ${why}.`);
  }
}

/** calendar, units, template, validate, schema. */
export function registerDomainCommands(program: Command): void {
  program
    .command('calendar')
    .description('lịch báo cáo của một năm: các kỳ, thời gian chốt số liệu, hạn nhận')
    .argument('<năm>', 'năm báo cáo, ví dụ 2021')
    .option('--json', 'xuất JSON')
    .action(calendarCommand);

  program.command('units').description('danh sách đơn vị báo cáo').option('--json', 'xuất JSON').action(unitsCommand);

  program
    .command('template')
    .description('tạo mẫu Excel của một đơn vị cho một kỳ')
    .requiredOption('--unit <mã>', 'mã đơn vị, ví dụ STP')
    .requiredOption('--period <mã kỳ>', 'mã kỳ, ví dụ 2021-Q1')
    .addOption(kindOption())
    .requiredOption('--out <tệp.xlsx>', 'nơi ghi tệp mẫu')
    .option('--sample', 'điền sẵn số liệu mẫu hợp lệ (để thử hệ thống; không dùng để báo cáo thật)')
    .option(
      '--signed-report <tệp.pdf>',
      'cùng với --sample: ghi thêm báo cáo mẫu (PDF) do lãnh đạo đơn vị ký số và cơ quan ký phát hành, bằng CA thử nghiệm của thư mục dữ liệu cục bộ (tạo nếu chưa có; chỉ dùng để thử hệ thống cục bộ)',
    )
    .action(templateCommand);

  program
    .command('validate')
    .description('kiểm tra một tệp .xlsx hoặc .json theo biểu mẫu và quy định của Công văn 1588/SNV-CCHC, hoặc chữ ký số của báo cáo .pdf')
    .argument('<tệp>', 'tệp .xlsx, .json hoặc báo cáo đã ký số .pdf')
    .requiredOption('--unit <mã>', 'mã đơn vị nộp')
    .requiredOption('--period <mã kỳ>', 'mã kỳ, ví dụ 2021-Q1')
    .addOption(kindOption())
    .option('--received-at <thời điểm>', 'thời điểm nhận (ISO; không ghi múi giờ thì là giờ Việt Nam); mặc định là bây giờ')
    .option('--extended-until <ngày>', 'ngày cuối của hạn được gia hạn cho đơn vị (nếu có), ví dụ 2021-03-20')
    .option(
      '--trust <thư mục>',
      'thư mục chứng thư số tin cậy (anchors/, intermediates/, crls/) để kiểm tra tệp .pdf; mặc định TRUST_DIR hoặc <thư mục dữ liệu>/trust',
    )
    .option('--json', 'xuất JSON { status, findings, timeliness, signatures }')
    .action(validateCommand);

  program
    .command('schema')
    .description('ghi lược đồ JSON (JSON Schema) của định dạng nộp JSON')
    .option('--out <tệp>', 'nơi ghi; mặc định in ra màn hình')
    .option('--events <thư mục>', 'ghi thêm lược đồ của các sự kiện gửi cho hệ thống khác vào thư mục này (docs/events)')
    .action(schemaCommand);
}

/** calendar: a year's periods, data windows and deadlines, as text or JSON. */
function calendarCommand(year: string, opts: { json?: boolean }): void {
  const cal = buildCalendar(parseYear(year));
  print(opts.json ? JSON.stringify(cal, null, 2) : formatCalendar(cal));
}

/** units: the shipped registry of reporting units, as text or JSON. */
function unitsCommand(opts: { json?: boolean }): void {
  print(opts.json ? JSON.stringify(defaultUnits, null, 2) : formatUnits(defaultUnits));
}

interface TemplateOptions {
  unit: string;
  period: string;
  kind?: SubmissionKind;
  out: string;
  sample?: boolean;
  signedReport?: string;
}

/**
 * template: writes a unit's signed Excel template for a period, optionally filled with valid sample
 * figures and, with --signed-report, the matching sample report PDF signed with the local demo CA.
 */
async function templateCommand(opts: TemplateOptions): Promise<void> {
  if (opts.signedReport && !opts.sample) {
    throw new UsageError('Tùy chọn --signed-report dùng cùng --sample: báo cáo mẫu ký số đi kèm số liệu mẫu, cùng một người ký.');
  }
  const now = cliClock().now();
  // The sample's typed signer is the head on the day it is signed, as the signed report's leader.
  const sample = opts.sample ? sampleSubmission(opts.unit, opts.period, { asOf: now, signer: sampleSigner(findUnit(opts.unit).code, localDateOf(now)) }) : null;
  const fill = sample ? sampleFill(sample) : undefined;
  const made = await makeTemplate({ unitCode: opts.unit, periodId: opts.period, kind: opts.kind, key: cliTemplateKey(), now, fill });
  await writeOut(opts.out, made.bytes);
  const unit = findUnit(made.meta.unitCode);
  print(`Đã tạo mẫu ${KIND_NAMES[made.meta.kind]} kỳ ${made.meta.periodId} cho ${unit.name}${fill ? ' (điền sẵn số liệu mẫu)' : ''}: ${opts.out}`);
  if (opts.signedReport && sample) await writeSignedSampleReport(opts.signedReport, sample, now);
}

/** The sample report PDF signed by the sample's leader, then the unit, with the data folder's demo CA (made if absent). */
async function writeSignedSampleReport(path: string, sample: Submission, now: Date): Promise<void> {
  const { openDemoCa, signedSampleReport } = await import('../../../runtime/demo-ca.js');
  const dataDir = localDataDir();
  const ca = await openDemoCa(join(dataDir, 'demo-ca'));
  const trustDir = join(dataDir, 'trust');
  await ca.installTrust(trustDir);
  const pdf = await signedSampleReport(ca, { unitCode: sample.unitCode, periodId: sample.periodId, at: now, submission: sample });
  await writeOut(path, pdf);
  const unit = findUnit(sample.unitCode);
  print(
    `Đã tạo báo cáo mẫu đã ký số: ${path} — ${sample.signature.signerName} (${sample.signature.signerTitle}) ký, ${unit.name} ký phát hành, bằng CA thử nghiệm ${ca.created ? 'vừa tạo ' : ''}tại ${ca.dir}.`,
  );
  print(`CA thử nghiệm chỉ được tin cậy trong thư mục ${trustDir} của hệ thống chạy cục bộ; hệ thống thật không chấp nhận tệp này.`);
  const given = process.env.TRUST_DIR;
  if (given && resolve(given) !== resolve(trustDir))
    print(`Lưu ý: TRUST_DIR=${given} không có CA thử nghiệm, nên tệp sẽ bị báo chứng thư số không được tin cậy ở đó.`);
}

interface ValidateOptions {
  unit: string;
  period: string;
  kind?: SubmissionKind;
  receivedAt?: string;
  extendedUntil?: string;
  trust?: string;
  json?: boolean;
}

/** validate: checks a file as the pipeline would and says whether it was on time; exit code 1 unless valid. */
async function validateCommand(file: string, opts: ValidateOptions): Promise<void> {
  const unit = findUnit(opts.unit);
  const period = findPeriod(opts.period);
  const kind = opts.kind ?? period.kind;
  if (kind !== period.kind) throw new UsageError(`Kỳ ${period.id} nhận ${KIND_NAMES[period.kind]}, không nhận ${KIND_NAMES[kind]}.`);
  const bytes = await readInputFile(file);
  const receivedAt = opts.receivedAt ? parseInstant(opts.receivedAt) : cliClock().now();
  const extendedUntil = parseExtendedUntil(opts.extendedUntil);
  // A .pdf is the dossier's signed report: its signatures are verified against the trust folder.
  const part = /\.pdf$/i.test(file) ? 'report' : 'form';
  const trust = part === 'report' ? await loadTrust(opts.trust ?? process.env.TRUST_DIR ?? join(localDataDir(), 'trust')) : undefined;
  const check = await checkUpload(bytes, { unitCode: unit.code, periodId: period.id, kind }, receivedAt, {
    templateKey: part === 'form' ? cliTemplateKey() : '',
    part,
    ...(trust ? { trust } : {}),
  });
  const { timeliness, deadline, extended } = timelinessOf(period, receivedAt, extendedUntil);
  if (opts.json) {
    print(
      JSON.stringify({ status: check.status, findings: check.findings, timeliness, ...(check.report ? { signatures: check.report.signatures } : {}) }, null, 2),
    );
  } else {
    printValidation(file, unit, period, check, { timeliness, deadline, extended });
  }
  process.exitCode = check.status === 'valid' ? 0 : 1;
}

/** The file to check; one that cannot be read is a Vietnamese usage error with the system's code. */
async function readInputFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new UsageError(`Không đọc được tệp "${file}": ${(err as NodeJS.ErrnoException).code ?? String(err)}.`);
  }
}

/** --extended-until as an ISO date (null when not given); an unreadable date is a usage error. */
function parseExtendedUntil(raw: string | undefined): string | null {
  const extendedUntil = raw === undefined ? null : parseDateInput(raw.trim());
  if (raw !== undefined && !extendedUntil) {
    throw new UsageError(`Ngày gia hạn "${raw}" không hợp lệ; nhập dạng 2021-03-20 hoặc 20/03/2021.`);
  }
  return extendedUntil;
}

type Timeliness = {
  onTime: boolean;
  receivedAt: string;
  deadline: string;
  dueDate: string;
  extendedUntil: string | null;
  text: string;
};

/** The unit's deadline (the period's, or its extension when later), whether it was extended, and the timeliness as printed in JSON. */
interface TimelinessVerdict {
  timeliness: Timeliness;
  deadline: string;
  extended: boolean;
}

/** Whether the file was on time, against the unit's deadline (the period's, or its extension when later). */
function timelinessOf(period: Period, receivedAt: Date, extendedUntil: string | null): TimelinessVerdict {
  const onTime = isOnTime(period, receivedAt, extendedUntil ?? undefined);
  const deadline = unitDeadline(period, extendedUntil);
  const extended = extendedUntil !== null && extendedUntil > period.dueDate;
  const timeliness = {
    onTime,
    receivedAt: vnIso(receivedAt),
    deadline: vnIso(deadline),
    dueDate: period.dueDate,
    extendedUntil: extended ? extendedUntil : null,
    text: TIMELINESS_LABELS[onTime ? 'on_time' : 'late'],
  };
  return { timeliness, deadline, extended };
}

/** The check's result for people: file and format, unit and period, verdict with counts, timeliness, the findings. */
function printValidation(file: string, unit: Unit, period: Period, check: UploadCheck, verdict: TimelinessVerdict): void {
  const errors = check.findings.filter((f) => f.severity === 'error').length;
  const warnings = check.findings.length - errors;
  const { timeliness, deadline, extended } = verdict;
  const { onTime, extendedUntil } = timeliness;
  print(`Tệp: ${basename(file)} (${FORMAT_NAMES[check.format]})`);
  print(`Đơn vị: ${unit.name} (${unit.code}) — Kỳ: ${period.name} (${period.id})`);
  print(`Kết quả: ${check.status === 'valid' ? 'HỢP LỆ' : 'KHÔNG HỢP LỆ'} — ${errors} lỗi, ${warnings} cảnh báo`);
  print(
    `Thời hạn: ${onTime ? 'ĐÚNG HẠN' : 'NỘP MUỘN'} — nhận lúc ${timeliness.receivedAt.slice(11, 23)} ngày ${formatDateVi(timeliness.receivedAt.slice(0, 10))} (giờ Việt Nam); ` +
      `hạn nhận ${formatInstantVi(deadline)}${extended ? ` (đã gia hạn đến hết ngày ${formatDateVi(extendedUntil!)}; hạn chung ${formatInstantVi(period.deadline)})` : ''}`,
  );
  for (const s of check.report?.signatures ?? []) print(`Chữ ký số — ${describeSignature(s)}`);
  if (check.findings.length > 0) print(formatFindings(check.findings));
}

const FORMAT_NAMES = { xlsx: 'Excel', json: 'JSON', pdf: 'PDF', unknown: 'không xác định' } as const;

/** schema: the JSON Schema of the JSON submission format, to a file or standard output. */
async function schemaCommand(opts: { out?: string; events?: string }): Promise<void> {
  const text = `${JSON.stringify(submissionJsonSchemaDocument(), null, 2)}\n`;
  if (opts.out) await writeOut(opts.out, text);
  else process.stdout.write(text);
  if (opts.events) {
    const { eventSchemaDocument } = await import('../../../documents/event-schemas.js');
    for (const type of OUT_EVENT_TYPES) await writeOut(join(opts.events, `${type}.schema.json`), `${JSON.stringify(eventSchemaDocument(type), null, 2)}\n`);
  }
}

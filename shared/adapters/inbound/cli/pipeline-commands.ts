import { refreshRegistry } from '../../../application/registry.js';
import { OUT_EVENT_TYPES } from '../../../domain/audit.js';
import { replayEvents } from '../../../application/audit.js';
import { readFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { findPeriod, formatInstantVi } from '../../../domain/calendar.js';
import { findUnit } from '../../../domain/units.js';
import { UPLOAD_CONTENT_TYPES } from '../../../domain/object-keys.js';
import { MEDIA_TYPES } from '../../../domain/media-types.js';
import { listPeriodSubmissions, type SubmissionView } from '../../../application/list-submissions.js';
import {
  ACCESS_NAMES,
  checkDepartmentUser,
  departmentUsers,
  issueToken,
  personalLink,
  revokeUnitTokens,
  revokeUserToken,
} from '../../../application/tokens.js';
import type { DepartmentUser } from '../../../application/records.js';
import { currentFiguresFile } from '../../../application/board.js';
import { currentRollup } from '../../../application/current-rollup.js';
import { closePeriod, PeriodNotDueError, reissueReport, type CloseOutcome } from '../../../application/close-period.js';
import type { PipelineDeps } from '../../../application/deps.js';
import type { Period } from '../../../domain/types.js';
import { grantExtension } from '../../../application/extensions.js';
import { connect } from './connect.js';
import { formatFindings, formatRollup, table } from './format.js';
import { UsageError } from './usage-error.js';

function print(s: string): void {
  process.stdout.write(`${s}\n`);
}

const XLSX_TYPE = Object.keys(UPLOAD_CONTENT_TYPES).find((t) => UPLOAD_CONTENT_TYPES[t] === 'xlsx')!;

/** token issue|revoke, submissions, upload: against the local stack or, with the deployed config, AWS. */
export function registerPipelineCommands(program: Command): void {
  const token = program.command('token').description('cấp hoặc thu hồi đường dẫn riêng (mã truy cập) của đơn vị');
  token
    .command('issue')
    .description('cấp mã truy cập mới và in đường dẫn riêng của đơn vị')
    .requiredOption('--unit <mã>', 'mã đơn vị, ví dụ STP')
    .option('--admin', 'mã dành cho một cán bộ Phòng CCHC, Sở Nội vụ (bảng theo dõi); cần --name và --email')
    .option('--name <họ tên>', 'họ và tên cán bộ được cấp (với --admin)')
    .option('--email <địa chỉ>', 'địa chỉ thư của cán bộ (với --admin)')
    .option('--access <quyền>', 'quyền của cán bộ: viewer (xem), reviewer (xem xét, trả lại, chấp nhận), administrator (quản trị)', 'reviewer')
    .option('--json', 'xuất JSON')
    .action(issueTokenCommand);
  token
    .command('revoke')
    .description('thu hồi mã truy cập: mọi mã còn hiệu lực của một đơn vị (--unit), hoặc mã của một cán bộ Sở Nội vụ (--token-id)')
    .option('--unit <mã>', 'mã đơn vị')
    .option('--token-id <id>', 'mã định danh (tokenId) của đường dẫn một cán bộ, xem bằng "token users"')
    .action(revokeTokensCommand);
  const events = program.command('events').description('sự kiện gửi cho các hệ thống khác (docs/EVENTS.md)');
  events
    .command('replay')
    .description('gửi lại các sự kiện của một kỳ báo cáo từ nhật ký (cùng mã, thời điểm và nội dung như lần đầu)')
    .requiredOption('--period <mã kỳ>', 'mã kỳ báo cáo, ví dụ 2021-Q1')
    .option('--type <loại...>', `chỉ các loại sự kiện này: ${OUT_EVENT_TYPES.join(', ')}`)
    .action(replayCommand);
  token.command('users').description('danh sách cán bộ Sở Nội vụ được cấp đường dẫn bảng theo dõi').option('--json', 'xuất JSON').action(usersCommand);

  program
    .command('extension')
    .description('gia hạn nộp cho một đơn vị trong một kỳ (ghi rõ người quyết định và lý do)')
    .requiredOption('--unit <mã>', 'mã đơn vị')
    .requiredOption('--period <mã kỳ>', 'mã kỳ')
    .requiredOption('--until <ngày>', 'ngày cuối được gia hạn, ví dụ 2021-03-20')
    .requiredOption('--by <người quyết định>', 'họ tên, chức vụ người quyết định gia hạn')
    .requiredOption('--reason <lý do>', 'lý do gia hạn')
    .action(extensionCommand);

  program
    .command('submissions')
    .description('các tệp đã nộp của một kỳ và kết quả kiểm tra')
    .requiredOption('--period <mã kỳ>', 'mã kỳ, ví dụ 2021-Q1')
    .option('--json', 'xuất JSON')
    .action(submissionsCommand);

  program
    .command('rollup')
    .description('số liệu tổng hợp hiện tại của một kỳ (không đóng kỳ)')
    .requiredOption('--period <mã kỳ>', 'mã kỳ')
    .option('--late', 'gồm cả báo cáo hợp lệ nộp muộn')
    .option('--json', 'xuất JSON')
    .action(rollupCommand);

  program
    .command('draft')
    .description(
      'lập dự thảo báo cáo của Sở Nội vụ gửi UBND tỉnh (Word, thể thức Nghị định 30/2020/NĐ-CP) từ số liệu hiện tại, có so sánh với kỳ trước và cùng kỳ năm trước',
    )
    .requiredOption('--period <mã kỳ>', 'mã kỳ, ví dụ 2021-H1')
    .requiredOption('--out <tệp.docx>', 'nơi ghi tệp Word')
    .action(draftCommand);

  program
    .command('close')
    .description('đóng kỳ và gửi báo cáo tổng hợp (thường do lịch tự động chạy), hoặc lập bản bổ sung')
    .requiredOption('--period <mã kỳ>', 'mã kỳ')
    .option('--reissue', 'lập bản bổ sung gồm các báo cáo nộp muộn (kỳ đã đóng)')
    .option('--force', 'đóng trước hạn')
    .action(closeCommand);

  program
    .command('upload')
    .description('nộp một tệp như cổng tiếp nhận (xin đường dẫn tải lên, gửi tệp, chờ kết quả)')
    .argument('<tệp>', 'biểu mẫu số liệu .xlsx hoặc .json, hoặc báo cáo đã ký số .pdf')
    .requiredOption('--token <mã>', 'mã truy cập của đơn vị')
    .requiredOption('--period <mã kỳ>', 'mã kỳ')
    .option('--api <url>', 'địa chỉ API; mặc định của hệ thống cục bộ')
    .option('--no-wait', 'không chờ kết quả kiểm tra')
    .action(uploadCommand);
}

/** The connection, with the stored unit registry loaded (a unit the Department added on the board is known here too). */
async function connected(): Promise<ReturnType<typeof connect>> {
  const c = connect();
  await refreshRegistry(c.deps, true);
  return c;
}

/** token issue: a new token for a unit (an admin token for Sở Nội vụ only), printed once with the personal link. */
async function issueTokenCommand(opts: { unit: string; admin?: boolean; name?: string; email?: string; access?: string; json?: boolean }): Promise<void> {
  if (!opts.admin && (opts.name || opts.email)) throw new UsageError('--name và --email chỉ dùng với --admin (đường dẫn của một cán bộ Sở Nội vụ).');
  let holder: DepartmentUser | undefined;
  if (opts.admin) {
    try {
      holder = checkDepartmentUser(opts);
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
  }
  const { deps, apiUrl } = await connected();
  const unit = findUnit(opts.unit, deps.units);
  if (opts.admin && !unit.aggregator) throw new UsageError('Chỉ Sở Nội vụ (SNV) được cấp mã quản trị.');
  const { token: t, record } = await issueToken(deps, unit.code, opts.admin ? 'admin' : 'unit', holder);
  const link = opts.admin ? personalLink(`${apiUrl}/board`, t) : personalLink(apiUrl, t);
  if (opts.json) {
    print(JSON.stringify({ unitCode: unit.code, token: t, link, expiresAt: record.expiresAt, tokenId: record.tokenId }, null, 2));
    return;
  }
  const whom = holder ? `${holder.name} <${holder.email}>, ${unit.name}, quyền ${ACCESS_NAMES[holder.access]}` : `${unit.name} (${unit.code})`;
  print(`Đã cấp mã truy cập cho ${whom}, hiệu lực đến ${formatInstantVi(record.expiresAt)} (giờ Việt Nam).`);
  print(`Mã truy cập: ${t}`);
  print(`Đường dẫn riêng: ${link}`);
  print('Mã chỉ hiện một lần; hệ thống chỉ lưu bản băm. Gửi đường dẫn cho văn thư đơn vị qua kênh an toàn.');
}

/** token revoke: every live token of a unit. */
async function revokeTokensCommand(opts: { unit?: string; tokenId?: string }): Promise<void> {
  if (Boolean(opts.unit) === Boolean(opts.tokenId)) throw new UsageError('Cần đúng một trong hai: --unit <mã> hoặc --token-id <id>.');
  const { deps } = await connected();
  if (opts.tokenId) {
    const t = await revokeUserToken(deps, opts.tokenId);
    if (!t) throw new UsageError(`Không có đường dẫn cán bộ còn hiệu lực với mã định danh ${opts.tokenId} (xem "token users").`);
    print(`Đã thu hồi đường dẫn của ${t.holder?.name ?? 'cán bộ'} (${t.tokenId}); các cán bộ khác vẫn dùng đường dẫn của mình.`);
    return;
  }
  const unit = findUnit(opts.unit!, deps.units);
  const n = await revokeUnitTokens(deps, unit.code);
  print(`Đã thu hồi ${n} mã truy cập của ${unit.name} (${unit.code}).`);
}

/** events replay: a period's events published again from the audit trail. */
async function replayCommand(opts: { period: string; type?: string[] }): Promise<void> {
  const period = findPeriod(opts.period);
  const unknown = (opts.type ?? []).filter((t) => !(OUT_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length) throw new UsageError(`Không có loại sự kiện ${unknown.join(', ')}; chọn trong: ${OUT_EVENT_TYPES.join(', ')}.`);
  const { deps } = await connected();
  const n = await replayEvents(deps, period.id, opts.type);
  print(`Đã gửi lại ${n} sự kiện của ${period.name}.`);
}

/** token users: the Department's named users and their links' state. */
async function usersCommand(opts: { json?: boolean }): Promise<void> {
  const { deps } = await connected();
  const users = await departmentUsers(deps);
  if (opts.json) {
    print(
      JSON.stringify(
        users.map(({ tokenHash: _h, ...u }) => u),
        null,
        2,
      ),
    );
    return;
  }
  if (users.length === 0) print('Chưa cấp đường dẫn cho cán bộ nào.');
  const now = deps.clock.now().getTime();
  for (const u of users) {
    const state = u.revokedAt
      ? `đã thu hồi ${formatInstantVi(u.revokedAt)}`
      : Date.parse(u.expiresAt) <= now
        ? 'hết hạn'
        : `hiệu lực đến ${formatInstantVi(u.expiresAt)}`;
    print(`${u.tokenId}  ${u.holder?.name ?? '(chưa ghi tên)'}  ${u.holder?.email ?? ''}  ${u.holder ? ACCESS_NAMES[u.holder.access] : 'quản trị'}  ${state}`);
  }
}

/** extension: a unit's extended deadline in a period, with who decided and why. */
async function extensionCommand(opts: { unit: string; period: string; until: string; by: string; reason: string }): Promise<void> {
  const { deps } = await connected();
  const ext = await grantExtension(deps, { unitCode: opts.unit, periodId: opts.period, until: opts.until, grantedBy: opts.by, reason: opts.reason });
  print(`Đã gia hạn cho ${findUnit(ext.unitCode).name} kỳ ${ext.periodId} đến hết ngày ${ext.until} (${ext.grantedBy}; lý do: ${ext.reason}).`);
}

/** submissions: a period's received files and their results, as a table or JSON. */
async function submissionsCommand(opts: { period: string; json?: boolean }): Promise<void> {
  const period = findPeriod(opts.period);
  const { deps } = await connected();
  const subs = await listPeriodSubmissions(deps, period.id);
  if (opts.json) {
    print(JSON.stringify({ periodId: period.id, submissions: subs }, null, 2));
    return;
  }
  print(`${period.name} (${period.id}): ${subs.length} tệp đã nhận`);
  if (subs.length === 0) return;
  print('');
  print(
    table(
      ['Đơn vị', 'Số biên nhận', 'Thời điểm nhận', 'Kết quả', 'Dùng tổng hợp', 'Tệp'],
      subs.map((s) => [s.unitCode, s.receiptNo, s.receivedAtText, s.statusText, s.current ? 'Có' : '', s.fileName]),
    ),
  );
}

/** rollup: a period's current roll-up (late reports included on request), without closing it. */
async function rollupCommand(opts: { period: string; late?: boolean; json?: boolean }): Promise<void> {
  const period = findPeriod(opts.period);
  const { deps } = await connected();
  const r = await currentRollup(deps, period, Boolean(opts.late));
  if (opts.json) {
    print(JSON.stringify(r, null, 2));
    return;
  }
  print(formatRollup(r));
}

/** draft: the Word draft of the Department's report from the current figures (late reports included, as on the board). */
async function draftCommand(opts: { period: string; out: string }): Promise<void> {
  const period = findPeriod(opts.period);
  const { deps } = await connected();
  const file = await currentFiguresFile(deps, period, 'docx');
  writeFileSync(opts.out, file.bytes);
  print(`Đã ghi dự thảo báo cáo ${period.name} vào ${opts.out} (${file.bytes.byteLength} byte).`);
}

/** close: closes a period (early with --force) or issues an addendum (--reissue); a period not yet due is a usage error. */
async function closeCommand(opts: { period: string; reissue?: boolean; force?: boolean }): Promise<void> {
  const period = findPeriod(opts.period);
  const { deps } = await connected();
  try {
    const out = opts.reissue ? await reissueReport(deps, period.id) : await closePeriod(deps, period.id, { force: opts.force });
    if (!printCloseOutcome(out, period, deps)) return;
    if ('reportKeys' in out) for (const k of out.reportKeys) print(`  ${k}`);
  } catch (err) {
    if (err instanceof PeriodNotDueError) throw new UsageError(err.message);
    throw err;
  }
}

/** Says what a close or reissue did; false (and exit code 1) when another process holds the close. */
function printCloseOutcome(out: CloseOutcome, period: Period, deps: PipelineDeps): boolean {
  switch (out.outcome) {
    case 'closed':
      print(
        `Đã đóng ${period.name}: ${out.rollup.coverage.all.valid}/${out.rollup.coverage.all.expected} đơn vị hợp lệ. Báo cáo tổng hợp đã gửi tới ${deps.config.aggregatorRecipients.join(', ')}.`,
      );
      if (out.rollup.closedEarly) {
        print(
          `Kỳ được đóng trước hạn (${formatInstantVi(period.deadline)}); tệp nhận từ nay đến hết hạn vẫn đúng hạn và sẽ vào bản bổ sung (close --reissue).`,
        );
      }
      break;
    case 'addendum': {
      const since = out.rollup.sinceLastReport ?? [];
      const lateSince = since.filter((c) => out.rollup.late.includes(c)).length;
      print(
        `Đã lập bản bổ sung số ${out.number} của ${period.name} (gồm ${since.length} đơn vị nộp sau lần tổng hợp trước, trong đó ${lateSince} nộp muộn) và gửi đi.`,
      );
      break;
    }
    case 'already-closed':
      print(`${period.name} đã đóng trước đó; không gửi lại báo cáo. Dùng --reissue để lập bản bổ sung.`);
      break;
    case 'busy':
      print(`${period.name} đang được đóng bởi một tiến trình khác; thử lại sau ít phút.`);
      process.exitCode = 1;
      return false;
  }
  return true;
}

interface UploadTicket {
  url: string;
  fields: Record<string, string>;
  uploadId: string;
  late: boolean;
  error?: { message: string };
}

/** upload: sends a file as the portal does (upload link, presigned POST) and, unless --no-wait, waits for its result. */
async function uploadCommand(file: string, opts: { token: string; period: string; api?: string; wait: boolean }): Promise<void> {
  const bytes = await readFile(file).catch(() => {
    throw new UsageError(`Không đọc được tệp "${file}".`);
  });
  const api = opts.api ?? connect().apiUrl;
  const lower = file.toLowerCase();
  // A .pdf is the dossier's signed report, a .json or .xlsx its data form (the API files each by its type).
  const contentType = lower.endsWith('.pdf') ? MEDIA_TYPES.pdf : lower.endsWith('.json') ? MEDIA_TYPES.json : XLSX_TYPE;
  const auth = { authorization: `Bearer ${opts.token}` };
  const ticket = await requestUploadTicket(api, auth, { periodId: opts.period, fileName: basename(file), contentType, size: bytes.length });
  await postToS3(ticket, bytes, contentType, basename(file));
  print(`Đã gửi tệp ${basename(file)}${ticket.late ? ' (sau hạn: sẽ ghi nhận nộp muộn)' : ''}. Mã tải lên: ${ticket.uploadId}`);
  if (!opts.wait) return;
  await awaitCheckResult(api, auth, opts.period, ticket.uploadId);
}

/** Asks the API for an upload link (a presigned POST); its refusal is a usage error with the API's message. */
async function requestUploadTicket(
  api: string,
  auth: { authorization: string },
  request: { periodId: string; fileName: string; contentType: string; size: number },
): Promise<UploadTicket> {
  const res = await fetch(`${api}/api/uploads`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  const ticket = (await res.json()) as UploadTicket;
  if (!res.ok) throw new UsageError(ticket.error?.message ?? `API trả về ${res.status}`);
  return ticket;
}

/** Posts the file to S3 with the ticket's form fields. */
async function postToS3(ticket: UploadTicket, bytes: Buffer, contentType: string, fileName: string): Promise<void> {
  const form = new FormData();
  for (const [k, v] of Object.entries(ticket.fields)) form.append(k, v);
  form.append('file', new Blob([bytes], { type: contentType }), fileName);
  const up = await fetch(ticket.url, { method: 'POST', body: form });
  if (!up.ok) throw new UsageError(`Tải tệp lên bị từ chối (${up.status}): ${await up.text()}`);
}

/** Polls for the upload's own result every half second for up to 60 s and prints it (exit code 1 unless valid). */
async function awaitCheckResult(api: string, auth: { authorization: string }, periodId: string, uploadId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const list = await fetch(`${api}/api/submissions?periodId=${encodeURIComponent(periodId)}&uploadId=${encodeURIComponent(uploadId)}`, { headers: auth });
    const { submissions } = (await list.json()) as { submissions: SubmissionView[] };
    const mine = submissions.find((s) => s.uploadId === uploadId);
    if (mine) {
      print(`Kết quả: ${mine.statusText.toUpperCase()} — số biên nhận ${mine.receiptNo}, nhận lúc ${mine.receivedAtText}`);
      for (const s of mine.signatures ?? []) print(`Chữ ký số — ${s.text}`);
      if (mine.findings.length) print(formatFindings(mine.findings));
      process.exitCode = mine.status === 'valid' ? 0 : 1;
      return;
    }
  }
  throw new UsageError('Chưa có kết quả kiểm tra sau 60 giây; xem lại bằng lệnh "submissions" hoặc thư biên nhận.');
}

import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutOf } from '../../shared/domain/layout.js';
import { currentForm } from '../../shared/domain/forms.js';
import { findUnit } from '../../shared/domain/units.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

let dir: string;
const env = () => ({ ...process.env, TEMPLATE_SIGNING_KEY: 'cli-test-key', TABLE_NAME: '' });

/** Runs `npm run cchc -- …` the way a person does (a real process), returning exit code and output. */
function cchc(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cchcWith({}, ...args);
}

/** `cchc` with more environment variables (a data folder of its own, say). */
async function cchcWith(extra: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, ['shared/adapters/inbound/cli/main.ts', ...args], { cwd: ROOT, env: { ...env(), ...extra } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function edit(src: string, dst: string, change: (wb: ExcelJS.Workbook) => void): Promise<void> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await readFile(src)) as unknown as ArrayBuffer);
  change(wb);
  await writeFile(dst, Buffer.from(await wb.xlsx.writeBuffer()));
}

const layout = layoutOf(currentForm('periodic'), findUnit('STP'));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cchc-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cchc calendar and units', () => {
  it('calendar 2021 --json lists the six periods with the Q3 warning', async () => {
    const r = await cchc('calendar', '2021', '--json');
    expect(r.code).toBe(0);
    const cal = JSON.parse(r.stdout);
    expect(cal.periods.map((p: { id: string }) => p.id)).toEqual(['2021-PLAN', '2021-Q1', '2021-H1', '2021-Q3', '2021-YEAR', '2021-THEMATIC']);
    expect(cal.warnings).toHaveLength(1);
    expect(cal.warnings[0].periodId).toBe('2021-Q3');
  });
  it('calendar 2021 in Vietnamese shows the warning; a bad year exits 2', async () => {
    const r = await cchc('calendar', '2021');
    expect(r.stdout).toContain('Cảnh báo:');
    expect(r.stdout).toContain('15/06/2020');
    expect((await cchc('calendar', '21')).code).toBe(2);
    expect((await cchc('calendar', '2040')).code).toBe(2);
  });
  it('units --json lists 39 units', async () => {
    const r = await cchc('units', '--json');
    expect(JSON.parse(r.stdout)).toHaveLength(39);
  });
});

describe('cchc template and validate (the issue’s acceptance path)', () => {
  const filled = () => join(dir, 'stp-q1.xlsx');
  beforeAll(async () => {
    const r = await cchc('template', '--unit', 'STP', '--period', '2021-Q1', '--out', filled(), '--sample');
    expect(r.code).toBe(0);
  });

  it('a correctly filled STP / 2021-Q1 template validates with exit 0', async () => {
    const r = await cchc('validate', filled(), '--unit', 'STP', '--period', '2021-Q1', '--received-at', '2021-03-15T10:00:00+07:00');
    expect(r.stdout).toContain('Kết quả: HỢP LỆ');
    expect(r.code).toBe(0);
  });

  it('a broken relation exits 1 naming sheet and cell', async () => {
    const broken = join(dir, 'broken.xlsx');
    await edit(filled(), broken, (wb) => {
      wb.getWorksheet('Số liệu')!.getCell(layout.indicators['TT.HS.02']!.cell).value = 51;
    });
    const r = await cchc('validate', broken, '--unit', 'STP', '--period', '2021-Q1', '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe('invalid');
    expect(out.findings).toEqual([expect.objectContaining({ code: 'RELATION_SUM', sheet: 'Số liệu', cell: layout.indicators['TT.HS.01']!.cell })]);
  });

  it('a missing narrative section exits 1', async () => {
    const f = join(dir, 'no-text.xlsx');
    await edit(filled(), f, (wb) => {
      wb.getWorksheet('Thuyết minh')!.getCell(layout.narratives.kien_nghi!.cell).value = null;
    });
    const r = await cchc('validate', f, '--unit', 'STP', '--period', '2021-Q1');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Thuyết minh!${layout.narratives.kien_nghi!.cell}`);
    expect(r.stdout).toContain('Kiến nghị, đề xuất');
  });

  it('a TL. signer exits 1 with the reason', async () => {
    const f = join(dir, 'tl.xlsx');
    await edit(filled(), f, (wb) => {
      wb.getWorksheet('Ký ban hành')!.getCell(layout.signature.signingForm.cell).value = 'TL. (thừa lệnh)';
    });
    const r = await cchc('validate', f, '--unit', 'STP', '--period', '2021-Q1');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Ký ban hành!${layout.signature.signingForm.cell}`);
    expect(r.stdout).toContain('thừa lệnh');
  });

  it('checked against another unit’s slot exits 1', async () => {
    const r = await cchc('validate', filled(), '--unit', 'STC', '--period', '2021-Q1');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Sở Tài chính');
  });

  it('unusable arguments exit 2 with a Vietnamese message', async () => {
    const monthly = await cchc('validate', filled(), '--unit', 'STP', '--period', '2021-M03');
    expect(monthly.code).toBe(2);
    expect(monthly.stderr).toContain('không gửi báo cáo tháng');
    expect((await cchc('validate', join(dir, 'nope.xlsx'), '--unit', 'STP', '--period', '2021-Q1')).code).toBe(2);
    expect((await cchc('validate', filled(), '--unit', 'XYZ', '--period', '2021-Q1')).code).toBe(2);
    expect((await cchc('validate', filled(), '--unit', 'STP', '--period', '2021-Q1', '--kind', 'plan')).code).toBe(2);
    expect((await cchc('validate', filled())).code).toBe(2);
    expect((await cchc('template', '--unit', 'SNV', '--period', '2021-THEMATIC', '--out', join(dir, 'x.xlsx'))).code).toBe(2);
  });
});

describe('cchc validate reports timeliness against the deadline, in Vietnam time', () => {
  const filled = () => join(dir, 'stp-q1-time.xlsx');
  /** The CLI in a machine zone far from Vietnam, so a zone mix-up would show. */
  async function inZone(tz: string, ...args: string[]) {
    try {
      const { stdout, stderr } = await run(TSX, ['shared/adapters/inbound/cli/main.ts', ...args], { cwd: ROOT, env: { ...env(), TZ: tz } });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }
  beforeAll(async () => {
    expect((await cchc('template', '--unit', 'STP', '--period', '2021-Q1', '--out', filled(), '--sample')).code).toBe(0);
  });

  it('23:59:59.900 on the due day is on time, 00:00:00.100 the next day late (offset-less = Vietnam time)', async () => {
    const onTime = await inZone(
      'America/Los_Angeles',
      'validate',
      filled(),
      '--unit',
      'STP',
      '--period',
      '2021-Q1',
      '--received-at',
      '2021-03-15T23:59:59.900',
      '--json',
    );
    expect(onTime.code).toBe(0);
    expect(JSON.parse(onTime.stdout).timeliness).toEqual({
      onTime: true,
      receivedAt: '2021-03-15T23:59:59.900+07:00',
      deadline: '2021-03-15T23:59:59.999+07:00',
      dueDate: '2021-03-15',
      extendedUntil: null,
      text: 'đúng hạn',
    });
    const late = await inZone(
      'America/Los_Angeles',
      'validate',
      filled(),
      '--unit',
      'STP',
      '--period',
      '2021-Q1',
      '--received-at',
      '2021-03-16T00:00:00.100',
      '--json',
    );
    expect(JSON.parse(late.stdout).timeliness).toMatchObject({ onTime: false, receivedAt: '2021-03-16T00:00:00.100+07:00', text: 'nộp muộn' });
  });

  it('prints the verdict, the receipt time and the deadline judged against, with any extension', async () => {
    const late = await cchc('validate', filled(), '--unit', 'STP', '--period', '2021-Q1', '--received-at', '2021-03-16T00:00:00.100+07:00');
    expect(late.stdout).toContain('Thời hạn: NỘP MUỘN — nhận lúc 00:00:00.100 ngày 16/03/2021 (giờ Việt Nam); hạn nhận 23:59:59 ngày 15/03/2021');
    const extended = await cchc(
      'validate',
      filled(),
      '--unit',
      'STP',
      '--period',
      '2021-Q1',
      '--received-at',
      '2021-03-16T00:00:00.100',
      '--extended-until',
      '20/03/2021',
    );
    expect(extended.stdout).toContain('Thời hạn: ĐÚNG HẠN');
    expect(extended.stdout).toContain('hạn nhận 23:59:59 ngày 20/03/2021 (đã gia hạn đến hết ngày 20/03/2021; hạn chung 23:59:59 ngày 15/03/2021)');
    expect((await cchc('validate', filled(), '--unit', 'STP', '--period', '2021-Q1', '--received-at', 'hôm qua')).code).toBe(2);
  });
});

describe('cchc rough edges a user hits', { timeout: 180_000 }, () => {
  it('template --out into a missing folder creates it; an unwritable path is a Vietnamese error, never a stack trace', async () => {
    const out = join(dir, 'chua-co', 'thu-muc', 'stp.xlsx');
    const r = await cchc('template', '--unit', 'STP', '--period', '2021-Q1', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect((await readFile(out)).subarray(0, 2).toString('latin1')).toBe('PK');
    await writeFile(join(dir, 'la-tep'), 'x');
    const bad = await cchc('template', '--unit', 'STP', '--period', '2021-Q1', '--out', join(dir, 'la-tep', 'stp.xlsx'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Không ghi được tệp');
    expect(bad.stderr).not.toMatch(/\n\s+at |Error:|ENOTDIR|EEXIST/);
  });

  it("commander's own words are Vietnamese: help, unknown command, missing argument and option", async () => {
    const help = await cchc('--help');
    expect(help.code).toBe(0);
    for (const vi of ['Cách dùng:', 'Tùy chọn:', 'Lệnh:', 'hiện hướng dẫn', '[tùy chọn]', '--data-dir']) expect(help.stdout).toContain(vi);
    for (const en of ['Usage:', 'Options:', 'Commands:', 'display help', '[options]']) expect(help.stdout).not.toContain(en);
    const sub = await cchc('help', 'validate');
    expect(sub.stdout).toContain('Cách dùng: cchc validate [tùy chọn] <tệp>');
    expect(sub.stdout).toContain('Tham số:');
    expect(sub.stdout).toContain('(chọn một');
    expect(sub.stdout).not.toContain('choices');
    const unknown = await cchc('tongket');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Lỗi: không có lệnh "tongket"');
    const missingArg = await cchc('validate', '--unit', 'STP', '--period', '2021-Q1');
    expect(missingArg.code).toBe(2);
    expect(missingArg.stderr).toContain('Lỗi: thiếu tham số bắt buộc <tệp>');
    const missingOpt = await cchc('template', '--unit', 'STP', '--period', '2021-Q1');
    expect(missingOpt.stderr).toContain('Lỗi: thiếu tùy chọn bắt buộc --out <tệp.xlsx>');
    const badChoice = await cchc('validate', 'x.json', '--unit', 'STP', '--period', '2021-Q1', '--kind', 'monthly');
    expect(badChoice.stderr).toContain('không hợp lệ');
    for (const r of [unknown, missingArg, missingOpt, badChoice]) expect(r.stderr).not.toMatch(/error:|Usage:|Options:/);
  });

  it('output piped into a reader that stops early (| head) ends quietly, without an EPIPE trace', async () => {
    const child = spawn(TSX, ['shared/adapters/inbound/cli/main.ts', 'schema'], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    // like `head -c 1`: read one chunk, then close the pipe while the CLI is still writing
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  });
});

describe('cchc against AWS', () => {
  it('refuses a deployed configuration without SES_CONFIGURATION_SET, in Vietnamese, before touching AWS', async () => {
    const deployed = {
      ...process.env,
      TABLE_NAME: 'cchc-table',
      UPLOAD_BUCKET_NAME: 'cchc-uploads',
      SENDER_ADDRESS: 'cchc-noreply@snv.thuathienhue.gov.vn',
      AGGREGATOR_RECIPIENTS: 'phongcchc.snv@thuathienhue.gov.vn',
      PORTAL_URL: 'https://cchc.thuathienhue.gov.vn',
      TEMPLATE_SIGNING_KEY_SECRET_ARN: 'arn:aws:secretsmanager:ap-southeast-1:111111111111:secret:t',
      TOKEN_KEY_SECRET_ARN: 'arn:aws:secretsmanager:ap-southeast-1:111111111111:secret:k',
      SES_CONFIGURATION_SET: '',
    };
    const out = await run(TSX, ['shared/adapters/inbound/cli/main.ts', 'submissions', '--period', '2021-Q1'], { cwd: ROOT, env: deployed }).catch(
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect((out as { code?: number }).code).toBe(2);
    expect((out as { stderr: string }).stderr).toContain('biến môi trường SES_CONFIGURATION_SET bị thiếu');
    expect((out as { stderr: string }).stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('cchc validate report.pdf', () => {
  it('verifies a signed report offline against a trust folder and prints who signed; untrusted without it', async () => {
    const { basePdf, issue, makeTestPki, newKeys, signPdf } = await import('../fixtures/pdf-signing.js');
    const { defaultRoster } = await import('../../shared/domain/roster.js');
    const head = defaultRoster.find((l) => l.unit === 'STP' && l.role === 'head' && l.from <= '2021-03-08' && (!l.to || l.to >= '2021-03-08'))!;
    const valid = { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2030-01-01T00:00:00Z') };
    const test = await makeTestPki();
    const root = await issue({ subject: { '2.5.4.3': 'Root CA thử nghiệm 2020' }, keys: test.root.keys, ca: true, serial: '21', ...valid });
    const leader = await issue({
      subject: { '2.5.4.10': 'Sở Tư pháp tỉnh Thừa Thiên Huế', '2.5.4.12': 'Giám đốc', '2.5.4.3': head.name },
      keys: await newKeys(),
      issuer: root,
      ca: false,
      serial: '2201',
      ...valid,
    });
    const pdf = await signPdf(basePdf(), leader, { signingTime: new Date('2021-03-05T10:00:00+07:00'), chain: [] });
    const file = join(dir, 'bao-cao-da-ky.pdf');
    await writeFile(file, pdf.bytes);
    const trust = join(dir, 'trust');
    await mkdir(join(trust, 'anchors'), { recursive: true });
    await writeFile(join(trust, 'anchors', 'root.cer'), root.der);
    const ok = await cchc('validate', file, '--unit', 'STP', '--period', '2021-Q1', '--received-at', '2021-03-08T09:00:00', '--trust', trust);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Tệp: bao-cao-da-ky.pdf (PDF)');
    expect(ok.stdout).toContain(`Chữ ký số — Lãnh đạo đơn vị ký: ${head.name}, Giám đốc, Sở Tư pháp tỉnh Thừa Thiên Huế; ký lúc 10:00:00 ngày 05/03/2021`);
    const untrusted = await cchc(
      'validate',
      file,
      '--unit',
      'STP',
      '--period',
      '2021-Q1',
      '--received-at',
      '2021-03-08T09:00:00',
      '--trust',
      join(dir, 'none'),
    );
    expect(untrusted.code).toBe(1);
    expect(untrusted.stdout).toContain('không do tổ chức chứng thực được tin cậy cấp');
  });
});

describe('cchc template --sample --signed-report', () => {
  /** `template` for a unit's 2021-Q1 form, written to `<dir>/<name>.xlsx`. */
  const templateOf = (unit: string, name: string) => ['template', '--unit', unit, '--period', '2021-Q1', '--out', join(dir, `${name}.xlsx`)];

  it("also writes the sample report signed by the head and the unit with the data folder's demo CA, which that folder's trust accepts", async () => {
    const data = join(dir, 'signed-report-data');
    const inData = (...args: string[]) => cchcWith({ CCHC_DATA_DIR: data }, ...args);
    const xlsx = join(dir, 'hue-q1.xlsx');
    const pdf = join(dir, 'out', 'hue-q1.pdf');
    const made = await inData('template', '--unit', 'HUE', '--period', '2021-Q1', '--out', xlsx, '--sample', '--signed-report', pdf);
    expect(made.code, made.stdout + made.stderr).toBe(0);
    const { defaultRoster, leadersOn } = await import('../../shared/domain/roster.js');
    const { localDateOf } = await import('../../shared/domain/calendar.js');
    const head = leadersOn('HUE', localDateOf(new Date()), defaultRoster).find((l) => l.role === 'head')!;
    expect(made.stdout).toContain(
      `Đã tạo báo cáo mẫu đã ký số: ${pdf} — ${head.name} (${head.office}) ký, UBND thành phố Huế ký phát hành, bằng CA thử nghiệm vừa tạo tại ${join(data, 'demo-ca')}.`,
    );
    expect((await readFile(pdf)).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // verified offline against the data folder's trust (where the demo root was installed)
    const checked = await inData('validate', pdf, '--unit', 'HUE', '--period', '2021-Q1', '--json');
    const result = JSON.parse(checked.stdout);
    expect(result.status, checked.stdout).toBe('valid');
    expect(result.findings).toEqual([]);
    expect(result.signatures.map((s: { role: string; signer: string }) => [s.role, s.signer])).toEqual([
      ['leader', head.name],
      ['organisation', 'UBND thành phố Huế'],
    ]);
    // the data form names the same signer, so the two make one dossier
    const { readWorkbook } = await import('../../shared/documents/xlsx/workbook-reader.js');
    const read = await readWorkbook(new Uint8Array(await readFile(xlsx)), { key: 'cli-test-key' });
    expect(read.submission!.signature).toMatchObject({ signerName: head.name, signerTitle: head.office, signingForm: 'TM.' });
    // elsewhere the demo CA is not trusted
    const untrusted = await inData('validate', pdf, '--unit', 'HUE', '--period', '2021-Q1', '--trust', join(dir, 'no-trust'));
    expect(untrusted.code).toBe(1);
    expect(untrusted.stdout).toContain('không do tổ chức chứng thực được tin cậy cấp');

    // a second time the same CA signs (not made again)
    const root = await readFile(join(data, 'demo-ca', 'root.cer'));
    const again = await inData(...templateOf('STP', 'stp-2'), '--sample', '--signed-report', join(dir, 'stp-2.pdf'));
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('vừa tạo');
    expect((await readFile(join(data, 'demo-ca', 'root.cer'))).equals(root)).toBe(true);
  }, 120_000);

  it('refuses --signed-report without --sample (exit 2, in Vietnamese)', async () => {
    const r = await cchcWith({ CCHC_DATA_DIR: join(dir, 'unused-data') }, ...templateOf('STP', 'x'), '--signed-report', join(dir, 'x.pdf'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Tùy chọn --signed-report dùng cùng --sample');
  });
});

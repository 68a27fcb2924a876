import { formatInstantVi, formatWindow } from '../../../domain/calendar.js';
import { formatDateVi } from '../../../domain/dates.js';
import { missingText } from '../../../domain/dossier.js';
import type { Rollup } from '../../../domain/rollup.js';
import type { Calendar, Finding, Period, Unit } from '../../../domain/types.js';
import { UNIT_KIND_NAMES } from '../../../domain/units.js';

/** Human (Vietnamese) renderings for the CLI. Pure: strings in, strings out. */

function pad(s: string, n: number): string {
  const len = [...s].length;
  return len >= n ? s : s + ' '.repeat(n - len);
}

/** A plain text table with a header row. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => pad(c, widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function who(p: Period): string {
  return p.who === 'all' ? 'Tất cả đơn vị' : p.who.join(', ');
}

export function formatCalendar(cal: Calendar): string {
  const rows = cal.periods.map((p) => [
    p.id,
    p.name,
    p.dataWindow ? formatWindow(p.dataWindow) : '—',
    formatDateVi(p.dueDate),
    formatInstantVi(p.deadline),
    who(p),
  ]);
  const out = [
    `Lịch báo cáo CCHC năm ${cal.year} (giờ Việt Nam, Asia/Ho_Chi_Minh)`,
    '',
    table(['Mã kỳ', 'Tên kỳ', 'Thời gian chốt số liệu', 'Hạn nhận', 'Hạn cuối', 'Đơn vị gửi'], rows),
  ];
  if (cal.warnings.length > 0) {
    out.push('', 'Cảnh báo:');
    for (const w of cal.warnings) out.push(`  ! ${w.message}`);
  }
  out.push('', 'Không có báo cáo tháng (Công văn 1588/SNV-CCHC).');
  return out.join('\n');
}

export function formatUnits(units: readonly Unit[]): string {
  const rows = units.map((u) => [u.code, u.name, UNIT_KIND_NAMES[u.kind], u.emails.join(', '), u.thematicTopic ? 'Có' : '']);
  return [`Danh sách ${units.length} đơn vị báo cáo`, '', table(['Mã', 'Tên đơn vị', 'Loại', 'Thư điện tử', 'Báo cáo chuyên đề'], rows)].join('\n');
}

/** "Số liệu!D12" or "(toàn tệp)". */
export function findingPlace(f: Finding): string {
  if (f.sheet && f.cell) return `${f.sheet}!${f.cell}`;
  if (f.sheet) return f.sheet;
  return 'toàn tệp';
}

export function formatFindings(findings: Finding[]): string {
  return findings
    .map((f, i) => `  ${i + 1}. [${f.severity === 'error' ? 'Lỗi' : 'Cảnh báo'}] ${findingPlace(f)}${f.indicator ? ` (${f.indicator})` : ''}: ${f.message}`)
    .join('\n');
}

const pct = (x: number): string => `${new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 }).format(x * 100)}%`;
const numVi = (x: number | null): string => (x === null ? '—' : new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(x));

export function formatRollup(r: Rollup): string {
  const kinds = [
    ['all', 'Toàn tỉnh'],
    ['department', UNIT_KIND_NAMES.department],
    ['district', UNIT_KIND_NAMES.district],
    ['central', UNIT_KIND_NAMES.central],
  ] as const;
  const out = [`${r.periodName} (${r.periodId})${r.includesLate ? ' — gồm báo cáo nộp muộn' : ''}`, ''];
  out.push(
    table(
      ['Nhóm', 'Phải nộp', 'Hợp lệ', 'Đúng hạn', 'Nộp muộn', 'Chưa đủ', 'Bị từ chối', 'Chưa nộp', 'Đầy đủ', 'Đúng hạn (%)'],
      kinds.map(([k, name]) => {
        const c = r.coverage[k];
        return [
          name,
          String(c.expected),
          String(c.valid),
          String(c.onTime),
          String(c.late),
          String(c.incomplete),
          String(c.rejectedOnly),
          String(c.missing),
          pct(c.completeness),
          pct(c.timeliness),
        ];
      }),
    ),
  );
  for (const w of r.warnings) out.push('', `! ${w}`);
  if (r.missing.length) out.push('', `Chưa nộp: ${r.missing.join(', ')}`);
  if (r.late.length) out.push(`Nộp muộn: ${r.late.join(', ')}`);
  if (r.incomplete.length)
    out.push(`Hồ sơ chưa đủ: ${r.incomplete.map((c) => `${c} (${missingText(r.units.find((u) => u.unitCode === c)?.missingParts ?? [])})`).join(', ')}`);
  if (r.rejectedOnly.length) out.push(`Chỉ có tệp bị từ chối: ${r.rejectedOnly.join(', ')}`);
  if (r.indicators.length) {
    out.push(
      '',
      table(
        ['Mã', 'Chỉ tiêu', 'Toàn tỉnh', 'Số ĐV báo cáo'],
        r.indicators.map((i) => [i.code, i.name.length > 60 ? `${i.name.slice(0, 59)}…` : i.name, numVi(i.total), `${i.reporting}/${i.applicable}`]),
      ),
    );
  }
  if (r.plan)
    out.push(
      '',
      table(
        ['Lĩnh vực', 'Số nhiệm vụ'],
        Object.entries(r.plan.tasksPerArea).map(([a, n]) => [a, String(n)]),
      ),
    );
  return out.join('\n');
}

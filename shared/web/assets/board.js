// @ts-check
// The aggregator's board: completeness and timeliness, units × status, downloads, reminders.
import {
  announce,
  apiJson,
  badge,
  byId,
  capitalize,
  clear,
  CONTACT,
  downloadByLink,
  downloadFile,
  el,
  fold,
  formatDate,
  formatInstant,
  percent,
  svg,
  takeToken,
  timelineList,
  yearOptions,
  serverYear,
  handleApiFailure,
  showFatal,
} from './common.js';

/** @typedef {import('../api-types.js').AdminPeriodsResponse} AdminPeriodsResponse */
/** @typedef {AdminPeriodsResponse['periods'][number]} AdminPeriod */
/** @typedef {import('../api-types.js').BoardResponse} BoardResponse */
/** @typedef {import('../api-types.js').BoardUnit} BoardUnit */
/** @typedef {import('../api-types.js').BulkAcceptResult} BulkAcceptResult */
/** @typedef {import('../api-types.js').ReviewRecord} ReviewRecord */
/** @typedef {BoardUnit['actions'][number]} ReviewActionType */
/** @typedef {import('../api-types.js').MeResponse} MeResponse */
/** @typedef {import('../api-types.js').RemindResponse} RemindResponse */
/** @typedef {import('../api-types.js').StatusCode} StatusCode */
/** @typedef {import('./common.js').StatusLabels} StatusLabels */
/** @typedef {BoardResponse['summary']} Summary */
/** @typedef {keyof Summary} GroupKey */

const $ = byId;

/** @type {{ key: GroupKey; name: string }[]} */
const GROUPS = [
  { key: 'all', name: 'Tất cả đơn vị' },
  { key: 'department', name: 'Sở, ban, ngành' },
  { key: 'district', name: 'UBND cấp huyện' },
  { key: 'central', name: 'Cơ quan Trung ương' },
];
/** @type {Readonly<Record<string, string>>} */
const KIND_NAMES = { department: 'Sở, ban, ngành', district: 'UBND cấp huyện', central: 'Cơ quan Trung ương' };
/**
 * The close-out state of a period (OPEN until the close after the deadline has run).
 * @param {{ state: string; overdue: boolean }} p
 * @returns {string}
 */
function stateName(p) {
  if (p.state === 'CLOSED') return 'Đã khóa sổ, đã lập báo cáo tổng hợp';
  if (p.state === 'CLOSING') return 'Đang lập báo cáo tổng hợp';
  // the server's answer (its clock decides), never the browser's clock
  return p.overdue ? 'Đã hết hạn nộp, chưa lập báo cáo tổng hợp' : 'Đang trong hạn nộp';
}
/**
 * The status filter's choices, in its order (codes; their words come with the periods).
 * @type {BoardUnit['status'][]}
 */
const FILTER_STATUSES = ['missing', 'checking', 'on_time', 'incomplete', 'rejected_only', 'late'];
/** @type {Readonly<Record<string, string>>} */
const FORMAT_NAMES = { xlsx: 'Excel', csv: 'CSV', json: 'JSON', pdf: 'PDF', docx: 'Word' };
/** A review state's badge colour (the words come with each unit: review.text). */
/** @type {Readonly<Record<string, string>>} */
const REVIEW_BADGES = { unreviewed: 'badge-none', accepted: 'badge-valid', returned: 'badge-rejected', reopened: 'badge-late' };
/** The buttons of the review actions, in their order. */
/** @type {Readonly<Record<ReviewActionType, string>>} */
const ACTION_NAMES = { accept: 'Chấp nhận', return: 'Trả lại', reopen: 'Mở lại' };

/**
 * @type {{
 *   token: string; year: number | null; periods: AdminPeriod[]; labels: StatusLabels; periodId: string | null;
 *   board: BoardResponse | null; serverNow: number | null;
 * }}
 */
const state = {
  /** The aggregator's token ('' until read from the link). */
  token: '',
  year: null,
  periods: [],
  /** The words of the status codes (the server's STATUS_LABELS). */
  labels: {},
  periodId: null,
  board: null,
  /** The server's clock when the periods were fetched (ms). */
  serverNow: null,
};

/**
 * A unit's link on the board: access refused, with the way back to the unit portal.
 * @param {Error} err
 */
function denied(err) {
  showFatal(
    'Không có quyền xem bảng theo dõi',
    [err.message || 'Chức năng này chỉ dành cho Phòng Cải cách hành chính, Sở Nội vụ.', 'Đường dẫn riêng của đơn vị chỉ dùng để nộp báo cáo của đơn vị mình.'],
    el('p', {}, el('a', { href: '/', text: 'Về trang nộp báo cáo của đơn vị' })),
  );
}

/**
 * @param {unknown} err
 * @param {(message: string) => void} show
 */
function handleFailure(err, show) {
  handleApiFailure(err, show, denied);
}

/** @param {string} text */
function boardError(text) {
  const box = $('board-error');
  box.textContent = text;
  box.hidden = !text;
}

/* ---------- periods ---------- */

/** @param {number | null} year */
async function loadPeriods(year) {
  const q = year ? `?year=${encodeURIComponent(year)}` : '';
  /** @type {AdminPeriodsResponse} */
  const data = await apiJson(state.token, `/api/admin/periods${q}`);
  state.year = data.year;
  state.periods = data.periods;
  state.labels = data.statusLabels;
  state.serverNow = Date.parse(data.now);
  if (!state.periods.some((p) => p.id === state.periodId)) {
    // the next period whose deadline has not passed on the server's clock, else the last one
    const next = state.periods.find((p) => !p.overdue);
    state.periodId = (next ?? state.periods.at(-1))?.id ?? null;
  }
}

function fillYears() {
  const select = clear($('year', HTMLSelectElement));
  for (const y of yearOptions(state.year, serverYear(state.serverNow)))
    select.append(el('option', { value: String(y), text: String(y), selected: y === state.year }));
}

function fillPeriods() {
  const select = clear($('period', HTMLSelectElement));
  for (const p of state.periods) {
    select.append(el('option', { value: p.id, text: `${p.name} (hạn ${formatDate(p.dueDate)})`, selected: p.id === state.periodId }));
  }
  select.disabled = state.periods.length === 0;
}

/** The status filter: codes as values, the server's words as labels (the choice is kept). */
function fillStatusFilter() {
  const select = $('filter-status', HTMLSelectElement);
  const chosen = select.value;
  select.replaceChildren(
    el('option', { value: '', text: 'Tất cả trạng thái' }),
    ...FILTER_STATUSES.map((code) => el('option', { value: code, text: capitalize(state.labels[code] ?? code), selected: code === chosen })),
  );
}

/* ---------- board ---------- */

async function loadBoard() {
  if (!state.periodId) {
    $('board').hidden = true;
    clear($('period-meta'));
    clear($('warnings'));
    announce($('board-status'), `Không có kỳ báo cáo nào trong năm ${state.year}.`);
    return;
  }
  announce($('board-status'), 'Đang tải số liệu…');
  boardError('');
  /** @type {BoardResponse} */
  let board;
  try {
    board = await apiJson(state.token, `/api/admin/board?periodId=${encodeURIComponent(state.periodId)}`);
  } catch (err) {
    announce($('board-status'), '');
    handleFailure(err, boardError);
    return;
  }
  state.board = board;
  renderBoard(board);
  announce($('board-status'), `Đã cập nhật số liệu ${board.period.name}.`);
}

/** @param {BoardResponse} b */
function renderBoard(b) {
  $('board').hidden = false;
  renderMeta(b.period);
  renderKpis(b.summary);
  renderChart(b.summary);
  renderSummaryTable(b.summary);
  $('review-bar').hidden = b.user?.access === 'viewer';
  renderUnits();
  renderReports(b.reports ?? []);
  renderRemind(b);
}

/** @param {BoardResponse['period']} p */
function renderMeta(p) {
  const meta = clear($('period-meta'));
  meta.append(
    el('li', {}, el('span', { class: `state state-${p.state}`, text: stateName(p) })),
    el('li', {}, el('span', { class: 'label', text: 'Hạn nộp: ' }), p.deadlineText ?? formatDate(p.dueDate)),
  );
  if (p.dataWindow)
    meta.append(el('li', {}, el('span', { class: 'label', text: 'Số liệu tính từ ' }), `${formatDate(p.dataWindow.from)} đến ${formatDate(p.dataWindow.to)}`));
  const box = clear($('warnings'));
  const warnings = p.warnings ?? [];
  if (warnings.length > 0) {
    box.append(
      el(
        'div',
        { class: 'message message-warning', role: 'note', 'aria-label': 'Lưu ý về kỳ báo cáo' },
        el('h3', { class: 'warning-title', text: 'Lưu ý về kỳ báo cáo' }),
        el(
          'ul',
          {},
          warnings.map((w) => el('li', { text: w })),
        ),
      ),
    );
  }
}

/** @param {Summary} summary */
function renderKpis(summary) {
  const all = summary.all;
  const box = clear($('kpis'));
  /**
   * @param {string} label
   * @param {string} value
   * @param {string} sub
   * @param {string | null} cls
   */
  const kpi = (label, value, sub, cls) =>
    el(
      'div',
      { class: `kpi${cls ? ` ${cls}` : ''}` },
      el('span', { class: 'kpi-label', text: label }),
      el('span', { class: 'kpi-value', text: value }),
      sub ? el('span', { class: 'kpi-sub', text: sub }) : null,
    );
  box.append(
    kpi('Tỷ lệ đầy đủ', percent(all.completeness), `${all.valid}/${all.expected} đơn vị có báo cáo hợp lệ`, 'kpi-completeness'),
    kpi('Tỷ lệ đúng hạn', percent(all.timeliness), `${all.onTime}/${all.expected} đơn vị nộp hợp lệ đúng hạn`, 'kpi-timeliness'),
    kpi('Chưa nộp', String(all.missing), 'đơn vị chưa gửi tệp nào', all.missing > 0 ? 'kpi-missing' : null),
    kpi('Bị từ chối', String(all.rejectedOnly), 'đơn vị chỉ có tệp bị từ chối', all.rejectedOnly > 0 ? 'kpi-rejected' : null),
    kpi('Nộp muộn', String(all.late), 'đơn vị chỉ có báo cáo hợp lệ nộp sau hạn', all.late > 0 ? 'kpi-late' : null),
  );
}

/**
 * Horizontal bar chart drawn with DOM APIs at the container's width, so that its text stays readable:
 * group labels on the left on wide screens, above the bars on phones.
 * @param {Summary} summary
 */
function renderChart(summary) {
  const host = clear($('chart'));
  const width = Math.max(280, Math.min(1000, Math.floor(host.clientWidth || 720)));
  const wide = width >= 560;
  const labelW = wide ? 250 : 0;
  const labelH = wide ? 0 : 20;
  const barH = 18;
  const gap = 4;
  const groupGap = wide ? 16 : 18;
  const top = 6;
  const axisH = 22;
  const left = labelW + 2;
  const right = 60;
  const plotW = width - left - right;
  const groupH = labelH + barH * 2 + gap;
  const height = top + GROUPS.length * groupH + (GROUPS.length - 1) * groupGap + axisH;
  /** @param {number} f */
  const x = (f) => left + Math.max(0, Math.min(1, f)) * plotW;

  const descParts = GROUPS.map((g) => {
    const s = summary[g.key];
    return s ? `${g.name}: đầy đủ ${percent(s.completeness)}, đúng hạn ${percent(s.timeliness)}` : null;
  }).filter(Boolean);

  const chart = svg(
    'svg',
    { class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': 'chart-title chart-desc' },
    svg('title', { id: 'chart-title', text: 'Biểu đồ tỷ lệ đầy đủ và đúng hạn theo loại đơn vị' }),
    svg('desc', { id: 'chart-desc', text: `${descParts.join('; ')}. Số liệu chi tiết ở bảng ngay dưới biểu đồ.` }),
  );
  const plotBottom = height - axisH;
  /**
   * @param {number} i
   * @param {number} j
   */
  const barY = (i, j) => top + i * (groupH + groupGap) + labelH + j * (barH + gap);
  // light tracks first, then the grid over them, then the bars
  GROUPS.forEach((g, i) => {
    if (!summary[g.key]) return;
    for (const j of [0, 1]) chart.append(svg('rect', { class: 'track', x: left, y: barY(i, j), width: plotW, height: barH, rx: 2 }));
  });
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    chart.append(
      svg('line', { class: t === 0 ? 'axis' : 'grid', x1: x(t), x2: x(t), y1: top, y2: plotBottom }),
      svg('text', { class: 'tick', x: x(t), y: plotBottom + 15, 'text-anchor': t === 0 ? 'start' : t === 1 ? 'end' : 'middle', text: percent(t) }),
    );
  }
  GROUPS.forEach((g, i) => {
    const s = summary[g.key];
    if (!s) return;
    const y0 = top + i * (groupH + groupGap);
    const label = `${g.name} (${s.expected} đơn vị)`;
    chart.append(
      wide
        ? svg('text', { class: 'group-label', x: 0, y: y0 + barH + gap / 2 + 4, text: label })
        : svg('text', { class: 'group-label', x: 2, y: y0 + 14, text: label }),
    );
    /** @type {const} */ ([
      ['completeness', s.completeness, 'Đầy đủ'],
      ['timeliness', s.timeliness, 'Đúng hạn'],
    ]).forEach(([key, value, name], j) => {
      const y = barY(i, j);
      const w = Math.max(value > 0 ? 2 : 0, x(value) - left);
      chart.append(
        svg(
          'rect',
          { class: `bar-${key}`, x: left, y, width: w, height: barH, rx: 2 },
          svg('title', { text: `${g.name}, ${name.toLowerCase()}: ${percent(value)}` }),
        ),
        svg('text', { class: 'value', x: left + w + 6, y: y + barH - 4, text: percent(value) }),
      );
    });
  });
  host.append(chart);
}

/** @param {Summary} summary */
function renderSummaryTable(summary) {
  const head = ['Loại đơn vị', 'Phải nộp', 'Hợp lệ', 'Đúng hạn', 'Nộp muộn', 'Hồ sơ chưa đủ', 'Chỉ bị từ chối', 'Chưa nộp', 'Tỷ lệ đầy đủ', 'Tỷ lệ đúng hạn'];
  const rows = GROUPS.filter((g) => summary[g.key]).map((g) => {
    const s = summary[g.key];
    const cells = [s.expected, s.valid, s.onTime, s.late, s.incomplete, s.rejectedOnly, s.missing, percent(s.completeness), percent(s.timeliness)];
    return el(
      'tr',
      { 'data-group': g.key },
      el('th', { scope: 'row', 'data-label': head[0], text: g.name }),
      cells.map((c, i) => el('td', { class: 'num', 'data-label': head[i + 1], text: String(c) })),
    );
  });
  clear($('summary-table')).append(
    el(
      'table',
      { class: 'table summary stack-on-phone', 'aria-labelledby': 'summary-table-title' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          head.map((h, i) => el('th', { scope: 'col', class: i ? 'num' : null, text: h })),
        ),
      ),
      el('tbody', {}, rows),
    ),
  );
}

function renderUnits() {
  const board = state.board;
  const units = board?.units ?? [];
  const status = $('filter-status', HTMLSelectElement).value;
  const kind = $('filter-kind', HTMLSelectElement).value;
  const text = fold($('filter-text', HTMLInputElement).value.trim());
  const review = $('filter-review', HTMLSelectElement).value;
  const shown = units.filter(
    (u) =>
      (!status || u.status === status) &&
      (!kind || u.kind === kind) &&
      (!review || u.review.status === review) &&
      (!text || fold(`${u.name} ${u.unitCode}`).includes(text)),
  );
  announce($('units-count'), `Hiển thị ${shown.length}/${units.length} đơn vị.`);
  const box = clear($('units'));
  // no board, no units: shown is empty then
  if (!board || shown.length === 0) {
    box.append(el('p', { class: 'empty', text: 'Không có đơn vị nào khớp với bộ lọc.' }));
    return;
  }
  const head = ['Đơn vị', 'Hồ sơ', 'Biểu số liệu', 'Nhận lúc, số biên nhận', 'Tệp, lỗi', 'Báo cáo ký số', 'Xem xét'];
  const rows = shown.map((u) => {
    // the board sends counts (of the last file's findings, of the files), not the lists
    const findingCount = u.findings;
    const n = u.submissions;
    return el(
      'tr',
      { 'data-unit': u.unitCode },
      el(
        'td',
        { 'data-label': head[0] },
        el('span', { class: 'unit-name', text: u.name }),
        el('span', { class: 'unit-code', text: `${u.unitCode} · ${KIND_NAMES[u.kind] ?? u.kindName ?? ''}` }),
      ),
      el(
        'td',
        { 'data-label': head[1], 'data-part': 'dossier' },
        badge(u.status, state.labels),
        u.status === 'incomplete' && u.missingText ? el('span', { class: 'unit-code', text: u.missingText }) : null,
      ),
      el('td', { 'data-label': head[2], 'data-part': 'form' }, badge(u.form.status, state.labels)),
      el(
        'td',
        { 'data-label': head[3] },
        el('span', { text: u.receivedAtText || (u.receivedAt ? formatInstant(u.receivedAt) : '—') }),
        u.receiptNo ? el('span', { class: 'unit-code receipt-no', text: u.receiptNo }) : null,
      ),
      el(
        'td',
        { 'data-label': head[4] },
        u.fileName ? el('span', { class: 'file-name', text: u.fileName }) : el('span', { class: 'muted', text: '—' }),
        n > 1 ? el('span', { class: 'unit-code', text: `${n} lần nộp` }) : null,
        findingCount > 0 ? el('span', { class: 'unit-code', text: `Tệp gần nhất có ${findingCount} lỗi hoặc cảnh báo` }) : null,
      ),
      el(
        'td',
        { 'data-label': head[5], 'data-part': 'report' },
        badge(u.report.status, state.labels),
        u.report.required ? null : el('span', { class: 'unit-code', text: 'không bắt buộc' }),
        u.report.signedBy ? el('span', { class: 'unit-code', text: `Ký: ${u.report.signedBy}${u.report.office ? `, ${u.report.office}` : ''}` }) : null,
      ),
      el('td', { 'data-label': head[6], 'data-part': 'review' }, ...reviewCell(u)),
    );
  });
  box.append(dataTable('table units stack-on-phone', head, rows, `Tình trạng nộp ${board.period.name} của từng đơn vị`));
}

/**
 * A unit's review: its state, who decided when, why and by when to correct; the actions the user may take.
 * @param {BoardUnit} u
 * @returns {(HTMLElement | null)[]}
 */
function reviewCell(u) {
  const r = u.review;
  const mayReview = state.board?.user?.access !== 'viewer';
  return [
    el('span', { class: `badge ${REVIEW_BADGES[r.status] ?? 'badge-none'}`, text: r.text }),
    r.by && r.atText ? el('span', { class: 'unit-code', text: `${r.by}, ${r.atText}` }) : null,
    r.reason ? el('span', { class: 'unit-code review-reason', text: `Lý do: ${r.reason}` }) : null,
    r.items.length ? el('span', { class: 'unit-code', text: `Cần sửa: ${r.itemsText.join('; ')}` }) : null,
    r.status === 'returned' && r.correctionDueText ? el('span', { class: 'unit-code', text: `Hạn nộp bản sửa: ${r.correctionDueText}` }) : null,
    u.warnings > 0 ? warningsDetails(u, mayReview) : null,
    el('button', {
      type: 'button',
      class: 'btn btn-link btn-small',
      'data-timeline': u.unitCode,
      'aria-label': `Nhật ký của ${u.name}`,
      text: 'Nhật ký',
      onclick: () => showTimeline(u),
    }),
    mayReview && u.actions.length
      ? el(
          'span',
          { class: 'review-actions' },
          u.actions.map((a) =>
            el('button', {
              type: 'button',
              class: `btn btn-small ${a === 'accept' ? 'btn-primary' : 'btn-secondary'}`,
              'data-review': a,
              'aria-label': `${ACTION_NAMES[a]} báo cáo của ${u.name}`,
              text: ACTION_NAMES[a],
              onclick: () => reviewUnit(u, a),
            }),
          ),
        )
      : null,
  ];
}

/**
 * The warnings of the file a unit's figures come from, each with the unit's explanation and, for a
 * reviewer, the button that accepts it.
 * @param {BoardUnit} u
 * @param {boolean} mayReview
 */
function warningsDetails(u, mayReview) {
  const pending = u.warningList.filter((w) => w.justification?.status !== 'accepted').length;
  return el(
    'details',
    { class: 'warnings-details', 'data-warnings': u.unitCode },
    el('summary', { text: `${u.warnings} cảnh báo${pending ? `, ${pending} chưa được chấp nhận giải trình` : ', đã chấp nhận giải trình'}` }),
    el(
      'ul',
      { class: 'warning-list' },
      u.warningList.map((w) =>
        el(
          'li',
          { 'data-finding': String(w.index) },
          el('span', { class: 'warning-message', text: `${w.sheet ? `${w.sheet}${w.cell ? ` ô ${w.cell}` : ''}: ` : ''}${w.message}` }),
          w.justification
            ? el(
                'span',
                { class: 'justification' },
                `Giải trình của đơn vị (${w.justification.atText}): ${w.justification.text}`,
                w.justification.status === 'accepted' ? el('strong', { text: ` — đã chấp nhận (${w.justification.acceptedBy ?? ''})` }) : null,
              )
            : el('span', { class: 'muted', text: 'Đơn vị chưa giải trình.' }),
          mayReview && w.justification?.status === 'submitted'
            ? el('button', {
                type: 'button',
                class: 'btn btn-secondary btn-small',
                text: 'Chấp nhận giải trình',
                onclick: () => acceptJustification(u, w),
              })
            : null,
        ),
      ),
    ),
  );
}

/**
 * @param {BoardUnit} u
 * @param {BoardUnit['warningList'][number]} w
 */
async function acceptJustification(u, w) {
  if (!state.board) return;
  try {
    await apiJson(state.token, '/api/admin/justifications/accept', {
      method: 'POST',
      json: { periodId: state.board.period.id, unitCode: u.unitCode, objectId: w.objectId, index: w.index },
    });
    announce($('review-status'), `Đã chấp nhận giải trình cảnh báo của ${u.name}.`, 'ok');
    await loadBoard();
  } catch (err) {
    handleFailure(err, (m) => announce($('review-status'), m, 'error'));
  }
}

/**
 * A unit's timeline in a dialog: every step of its slot, oldest first.
 * @param {BoardUnit} u
 */
async function showTimeline(u) {
  const board = state.board;
  if (!board) return;
  const dialog = $('timeline-dialog', HTMLDialogElement);
  $('timeline-dialog-title').textContent = `Nhật ký ${board.period.name} — ${u.name}`;
  const body = clear($('timeline-body'));
  body.append(el('p', { class: 'loading', text: 'Đang tải…' }));
  dialog.showModal();
  $('timeline-close').focus();
  const q = `periodId=${encodeURIComponent(board.period.id)}&unitCode=${encodeURIComponent(u.unitCode)}`;
  $('timeline-xlsx').onclick = () =>
    download(`/api/admin/trail?${q}&format=xlsx`, `nhat-ky-${board.period.id}-${u.unitCode}.xlsx`, $('timeline-xlsx', HTMLButtonElement));
  try {
    /** @type {import('../api-types.js').TimelineResponse} */
    const data = await apiJson(state.token, `/api/admin/timeline?${q}`);
    clear(body).append(timelineList(data.entries));
  } catch (err) {
    handleFailure(err, (m) => clear(body).append(el('p', { class: 'message message-error', text: m })));
  }
}

/** @param {string} text */
function dialogError(text) {
  const box = $('review-dialog-error');
  box.textContent = text;
  box.hidden = !text;
}

/**
 * Asks for what a decision needs (a reason; for a return the items and the due date) and sends it.
 * @param {BoardUnit} u
 * @param {ReviewActionType} action
 */
function reviewUnit(u, action) {
  const board = state.board;
  if (!board) return;
  const dialog = $('review-dialog', HTMLDialogElement);
  const period = board.period;
  $('review-dialog-title').textContent = `${ACTION_NAMES[action]} báo cáo của ${u.name}`;
  $('review-dialog-text').textContent =
    action === 'accept'
      ? `Chấp nhận ${period.name} của ${u.name} (biên nhận ${u.receiptNo ?? '—'}). Báo cáo sẽ được khóa: đơn vị không nộp thêm được cho đến khi Sở Nội vụ mở lại.`
      : action === 'return'
        ? `Trả lại ${period.name} của ${u.name} để chỉnh sửa. Đơn vị nhận thư có lý do, các mục cần sửa, hạn nộp bản sửa và đường dẫn riêng của mình.`
        : `Mở lại ${period.name} của ${u.name}: đơn vị lại nộp được tệp mới. Đơn vị nhận thư có lý do.`;
  $('review-reason-field').hidden = action === 'accept';
  $('review-items-field').hidden = action !== 'return';
  $('review-due-field').hidden = action !== 'return';
  const reason = $('review-reason', HTMLTextAreaElement);
  const items = $('review-items', HTMLInputElement);
  const due = $('review-due', HTMLInputElement);
  reason.value = '';
  items.value = '';
  due.value = '';
  $('review-due-hint').textContent = period.overdue
    ? 'Để trống: 5 ngày kể từ hôm nay. Bản sửa nhận trong hạn này thay thế bản hiện tại; nếu bản bị trả lại đã nộp đúng hạn, bản sửa vẫn được tính là đúng hạn.'
    : `Để trống: hạn nộp của kỳ (${period.deadlineText}).`;
  dialogError('');
  dialog.showModal();
  (action === 'accept' ? $('review-yes') : reason).focus();
  const form = $('review-form', HTMLFormElement);
  const yes = $('review-yes', HTMLButtonElement);
  /** @param {SubmitEvent} e */
  const submit = async (e) => {
    e.preventDefault();
    if (action !== 'accept' && !reason.value.trim()) {
      dialogError('Cần ghi lý do để đơn vị biết cần làm gì.');
      reason.focus();
      return;
    }
    yes.disabled = true;
    try {
      /** @type {ReviewRecord} */
      const out = await apiJson(state.token, '/api/admin/review', {
        method: 'POST',
        json: {
          periodId: period.id,
          unitCode: u.unitCode,
          action,
          ...(action === 'accept' ? {} : { reason: reason.value }),
          ...(action === 'return'
            ? {
                items: items.value
                  .split(/[,;\s]+/)
                  .map((x) => x.trim())
                  .filter(Boolean),
                correctionDue: due.value || null,
              }
            : {}),
        },
      });
      done();
      const what = out.status === 'accepted' ? 'đã chấp nhận' : out.status === 'returned' ? 'đã trả lại để chỉnh sửa' : 'đã mở lại';
      announce($('review-status'), `${capitalize(what)} báo cáo của ${u.name}; đơn vị được báo qua thư điện tử.`, 'ok');
      await loadBoard();
    } catch (err) {
      handleFailure(err, dialogError);
    } finally {
      yes.disabled = false;
    }
  };
  const cancel = () => done();
  const done = () => {
    form.removeEventListener('submit', submit);
    $('review-no').removeEventListener('click', cancel);
    if (dialog.open) dialog.close();
  };
  form.addEventListener('submit', submit);
  $('review-no').addEventListener('click', cancel);
  dialog.addEventListener('close', () => form.removeEventListener('submit', submit), { once: true });
}

/** Accepts every valid report without warnings, after a confirmation; lists what was skipped and why. */
async function bulkAccept() {
  const board = state.board;
  if (!board) return;
  const ready = board.units.filter((u) => u.actions.includes('accept') && u.warnings === 0).length;
  if (!window.confirm(`Chấp nhận và khóa ${ready} báo cáo hợp lệ không có cảnh báo của ${board.period.name}?`)) return;
  const button = $('bulk-accept', HTMLButtonElement);
  button.disabled = true;
  announce($('review-status'), 'Đang chấp nhận…');
  try {
    /** @type {BulkAcceptResult} */
    const out = await apiJson(state.token, '/api/admin/review/bulk-accept', { method: 'POST', json: { periodId: board.period.id } });
    announce($('review-status'), `Đã chấp nhận ${out.accepted.length} báo cáo; ${out.skipped.length} đơn vị cần xem xét riêng hoặc chưa có báo cáo.`, 'ok');
    const list = clear($('review-skipped'));
    const names = (/** @type {string} */ code) => board.units.find((u) => u.unitCode === code)?.name ?? code;
    list.hidden = out.skipped.length === 0;
    if (out.skipped.length) {
      list.append(
        el('summary', { text: `${out.skipped.length} đơn vị chưa được chấp nhận, và lý do` }),
        el(
          'ul',
          { class: 'name-list' },
          out.skipped.map((x) => el('li', { text: `${names(x.unitCode)}: ${x.reason}` })),
        ),
      );
    }
    await loadBoard();
  } catch (err) {
    handleFailure(err, (m) => announce($('review-status'), m, 'error'));
  } finally {
    button.disabled = false;
  }
}

/** @param {BoardResponse['reports']} reports */
function renderReports(reports) {
  const box = clear($('reports'));
  if (reports.length === 0) {
    box.append(el('p', { class: 'empty', text: 'Chưa có báo cáo tổng hợp nào cho kỳ này. Báo cáo được lập tự động khi kỳ hết hạn nộp.' }));
    return;
  }
  box.append(
    el(
      'ul',
      { class: 'download-list' },
      reports.map((r) => {
        const format = FORMAT_NAMES[r.format ?? ''] ?? String(r.format ?? '').toUpperCase();
        const meta = [format, r.createdAt ? `lập lúc ${formatInstant(r.createdAt)}` : null, r.addendum ? 'phụ lục nộp muộn' : null].filter(Boolean).join(' · ');
        return el(
          'li',
          {},
          el('span', {}, el('span', { class: 'download-name', text: r.name }), el('span', { class: 'download-meta', text: meta })),
          el('button', {
            type: 'button',
            class: 'btn btn-secondary btn-small',
            'data-report': r.key,
            'aria-label': `Tải ${r.name} (${format})`,
            text: 'Tải về',
            onclick: (e) =>
              download(
                `/api/admin/report?key=${encodeURIComponent(r.key)}`,
                r.key.split('/').pop() || 'bao-cao',
                e.currentTarget instanceof HTMLButtonElement ? e.currentTarget : undefined,
                true,
              ),
          }),
        );
      }),
    ),
  );
}

/**
 * @param {string} path
 * @param {string} fallback the file's name when the answer names none
 * @param {HTMLButtonElement} [button] disabled meanwhile
 * @param {boolean} [byLink] the route answers a download link (stored reports), not the file
 */
async function download(path, fallback, button, byLink = false) {
  const status = $('download-status');
  if (button) button.disabled = true;
  announce(status, 'Đang chuẩn bị tệp…');
  try {
    const name = byLink ? await downloadByLink(state.token, path) : await downloadFile(state.token, path, fallback);
    announce(status, `Đã tải: ${name}.`, 'ok');
  } catch (err) {
    handleFailure(err, (m) => announce(status, m, 'error'));
  } finally {
    if (button) button.disabled = false;
  }
}

/**
 * A table of rows under a header row (the units, the registry), with a caption for screen readers.
 * @param {string} className
 * @param {string[]} head
 * @param {HTMLElement[]} rows
 * @param {string} caption
 */
function dataTable(className, head, rows, caption) {
  return el(
    'table',
    { class: className },
    el('caption', { class: 'visually-hidden', text: caption }),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        head.map((h) => el('th', { scope: 'col', text: h })),
      ),
    ),
    el('tbody', {}, rows),
  );
}

/* ---------- the unit registry ---------- */

/** @typedef {import('../api-types.js').RegistryResponse} RegistryResponse */
/** @typedef {RegistryResponse['units'][number]} RegistryUnit */

/** @type {{ data: RegistryResponse | null; access: string }} */
const registry = { data: null, access: 'viewer' };

async function loadRegistry() {
  try {
    /** @type {RegistryResponse} */
    const data = await apiJson(state.token, '/api/admin/registry');
    registry.data = data;
    renderRegistry();
  } catch (err) {
    handleFailure(err, (m) => announce($('registry-status'), m, 'error'));
  }
}

function renderRegistry() {
  const data = registry.data;
  if (!data) return;
  const admin = registry.access === 'administrator';
  $('registry-version').textContent =
    data.version === 0
      ? `Danh mục gốc của hệ thống (${data.units.length} đơn vị), chưa thay đổi.`
      : `Phiên bản ${data.version} (${data.units.length} đơn vị), cập nhật lúc ${formatInstant(data.at ?? '')} bởi ${data.by ?? ''}: ${data.summary}`;
  $('registry-add').hidden = !admin;
  $('registry-import').hidden = !admin;
  const head = ['Mã', 'Tên đơn vị', 'Loại', 'Thư điện tử', 'Báo cáo', ''];
  const rows = data.units.map((u) =>
    el(
      'tr',
      { 'data-registry-unit': u.code },
      el('td', { 'data-label': head[0], text: u.code }),
      el(
        'td',
        { 'data-label': head[1] },
        el('span', { text: u.name }),
        ...(u.formerNames ?? []).map((f) => el('span', { class: 'unit-code', text: `Tên cũ đến ${formatDate(f.until)}: ${f.name}` })),
        u.mergedFrom?.length ? el('span', { class: 'unit-code', text: `Hợp nhất từ: ${u.mergedFrom.join(', ')}` }) : null,
        u.splitFrom ? el('span', { class: 'unit-code', text: `Tách từ: ${u.splitFrom}` }) : null,
      ),
      el('td', { 'data-label': head[2], text: KIND_NAMES[u.kind] ?? u.kind }),
      el('td', { 'data-label': head[3], class: 'file-name', text: u.emails.join('; ') }),
      el('td', {
        'data-label': head[4],
        text: `${u.activeFrom ? `từ ${formatDate(u.activeFrom)}` : 'từ đầu'}${u.activeTo ? ` đến ${formatDate(u.activeTo)}` : ''}`,
      }),
      el(
        'td',
        { 'data-label': head[5] },
        admin && !u.activeTo
          ? el('button', { type: 'button', class: 'btn btn-link btn-small', 'aria-label': `Sửa ${u.name}`, text: 'Sửa', onclick: () => editRegistry(u) })
          : null,
      ),
    ),
  );
  clear($('registry-table')).append(dataTable('table stack-on-phone', head, rows, 'Các đơn vị trong danh mục'));
  clear($('registry-history-list')).append(
    ...(data.history.length
      ? data.history.map((h) =>
          el(
            'li',
            {},
            el('span', { class: 'timeline-when', text: formatInstant(h.at ?? '') }),
            el('span', { class: 'timeline-what', text: `Phiên bản ${h.version}` }),
            el('span', { class: 'timeline-who', text: h.by ?? '' }),
            el('span', { class: 'timeline-details', text: h.summary }),
            h.reason ? el('span', { class: 'timeline-why', text: `Lý do: ${h.reason}` }) : null,
          ),
        )
      : [el('li', { text: 'Chưa có thay đổi nào.' })]),
  );
}

/** @param {string} text */
function registryError(text) {
  const box = $('registry-dialog-error');
  box.textContent = text;
  box.hidden = !text;
}

/**
 * The change dialog: for a unit (rename, e-mail addresses, close) or, with none, a new unit.
 * @param {RegistryUnit | null} u
 */
function editRegistry(u) {
  const dialog = $('registry-dialog', HTMLDialogElement);
  const action = $('registry-action', HTMLSelectElement);
  const value = (/** @type {string} */ id) => $(id, HTMLInputElement).value;
  $('registry-dialog-title').textContent = u ? `Thay đổi danh mục: ${u.name}` : 'Thêm đơn vị báo cáo';
  $('registry-action-field').hidden = !u;
  for (const id of ['registry-code', 'registry-name', 'registry-emails', 'registry-from', 'registry-to', 'registry-reason']) $(id, HTMLInputElement).value = '';
  if (u) $('registry-emails', HTMLInputElement).value = u.emails.join('; ');
  const show = () => {
    const type = u ? action.value : 'add';
    for (const f of /** @type {NodeListOf<HTMLElement>} */ (dialog.querySelectorAll('[data-for]'))) f.hidden = !(f.dataset.for ?? '').split(' ').includes(type);
  };
  action.value = 'rename';
  action.onchange = show;
  show();
  registryError('');
  dialog.showModal();
  const form = $('registry-form', HTMLFormElement);
  /** @param {SubmitEvent} e */
  const submit = async (e) => {
    e.preventDefault();
    const type = u ? action.value : 'add';
    const emails = value('registry-emails')
      .split(/[;,\s]+/)
      .filter(Boolean);
    /** @type {Record<string, unknown>} */
    const change =
      type === 'add'
        ? {
            type,
            from: value('registry-from'),
            unit: {
              code: value('registry-code'),
              name: value('registry-name'),
              kind: $('registry-kind', HTMLSelectElement).value,
              headTitle: value('registry-head'),
              emails,
            },
          }
        : type === 'rename'
          ? { type, code: u?.code, name: value('registry-name'), from: value('registry-from') }
          : type === 'update'
            ? { type, code: u?.code, emails }
            : { type, code: u?.code, to: value('registry-to') };
    try {
      /** @type {RegistryResponse} */
      const out = await apiJson(state.token, '/api/admin/registry/change', { method: 'POST', json: { change, reason: value('registry-reason') } });
      done();
      announce($('registry-status'), `Đã lưu phiên bản ${out.version} của danh mục: ${out.summary}`, 'ok');
      await loadRegistry();
      await loadBoard();
    } catch (err) {
      handleFailure(err, registryError);
    }
  };
  const done = () => {
    form.removeEventListener('submit', submit);
    if (dialog.open) dialog.close();
  };
  form.addEventListener('submit', submit);
  $('registry-no').onclick = done;
}

/** Imports an edited registry workbook, with its reason. */
async function importRegistry(/** @type {SubmitEvent} */ e) {
  e.preventDefault();
  const file = $('registry-file', HTMLInputElement).files?.[0];
  if (!file) {
    announce($('registry-status'), 'Hãy chọn tệp danh mục đã sửa.', 'error');
    return;
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  announce($('registry-status'), 'Đang nhập danh mục…');
  try {
    /** @type {RegistryResponse} */
    const out = await apiJson(state.token, '/api/admin/registry/import', {
      method: 'POST',
      json: { file: btoa(binary), reason: $('registry-import-reason', HTMLInputElement).value },
    });
    announce($('registry-status'), `Đã nhập danh mục: phiên bản ${out.version}, ${out.units.length} đơn vị.`, 'ok');
    await loadRegistry();
    await loadBoard();
  } catch (err) {
    handleFailure(err, (m) => announce($('registry-status'), m, 'error'));
  }
}

/* ---------- reminders ---------- */

function counts() {
  const units = state.board?.units ?? [];
  return {
    missing: units.filter((u) => u.status === 'missing').length,
    rejected: units.filter((u) => u.status === 'rejected_only').length,
    incomplete: units.filter((u) => u.status === 'incomplete').length,
  };
}

/** @param {BoardResponse} board */
function renderRemind(board) {
  const { missing, rejected, incomplete } = counts();
  const name = board.period.name;
  const outstanding = missing + rejected + incomplete;
  $('remind-summary').textContent =
    outstanding === 0
      ? `Mọi đơn vị đã có báo cáo hợp lệ cho ${name}.`
      : `${name}: ${missing} đơn vị chưa nộp, ${incomplete} đơn vị có hồ sơ chưa đủ, ${rejected} đơn vị chỉ có tệp bị từ chối. Thư nhắc được gửi đến địa chỉ thư điện tử đã đăng ký của các đơn vị chưa có hồ sơ hợp lệ, nêu rõ phần còn thiếu.`;
  $('remind', HTMLButtonElement).disabled = outstanding === 0;
  announce($('remind-status'), '');
  clear($('remind-list')).hidden = true;
  announce($('download-status'), '');
}

/**
 * @param {BoardResponse} board
 * @returns {Promise<boolean>} whether to send
 */
function askRemind(board) {
  const dialog = $('remind-dialog', HTMLDialogElement);
  const { missing, rejected, incomplete } = counts();
  $('remind-dialog-text').textContent =
    `Gửi thư nhắc nộp ${board.period.name} (hạn ${board.period.deadlineText}) đến các đơn vị chưa có hồ sơ hợp lệ: hiện có ${missing} đơn vị chưa nộp, ${incomplete} đơn vị có hồ sơ chưa đủ và ${rejected} đơn vị chỉ có tệp bị từ chối.`;
  dialog.showModal();
  $('remind-no').focus();
  return new Promise((resolve) => {
    /** @param {boolean} answer */
    const finish = (answer) => {
      dialog.removeEventListener('close', onClose);
      $('remind-yes').removeEventListener('click', yes);
      $('remind-no').removeEventListener('click', no);
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    const yes = () => finish(true);
    const no = () => finish(false);
    const onClose = () => finish(false);
    dialog.addEventListener('close', onClose);
    $('remind-yes').addEventListener('click', yes);
    $('remind-no').addEventListener('click', no);
  });
}

async function remind() {
  const board = state.board;
  if (!board) return;
  const periodId = board.period.id;
  const go = await askRemind(board);
  const button = $('remind', HTMLButtonElement);
  button.focus();
  if (!go) return;
  button.disabled = true;
  announce($('remind-status'), 'Đang gửi thư nhắc…');
  try {
    /** @type {RemindResponse} */
    const res = await apiJson(state.token, '/api/admin/remind', { method: 'POST', json: { periodId } });
    const names = (res.units ?? []).map((code) => state.board?.units.find((u) => u.unitCode === code)?.name ?? code);
    announce($('remind-status'), res.sent > 0 ? `Đã gửi thư nhắc đến ${res.sent} đơn vị.` : 'Không có đơn vị nào cần nhắc.', 'ok');
    const list = clear($('remind-list'));
    list.hidden = names.length === 0;
    if (names.length > 0) {
      list.append(
        el('summary', { text: `Danh sách ${names.length} đơn vị đã được nhắc` }),
        el(
          'ul',
          { class: 'name-list' },
          names.map((n) => el('li', { text: n })),
        ),
      );
    }
  } catch (err) {
    handleFailure(err, (m) => announce($('remind-status'), m, 'error'));
  } finally {
    button.disabled = false;
  }
}

/* ---------- start ---------- */

async function start() {
  state.token = takeToken() ?? '';
  if (!state.token) {
    showFatal('Chưa có đường dẫn truy cập', [
      'Hãy mở trang bằng đường dẫn riêng của Phòng Cải cách hành chính, Sở Nội vụ (có phần “#t=…” ở cuối).',
      `Nếu chưa có hoặc đã mất đường dẫn, vui lòng liên hệ ${CONTACT}.`,
    ]);
    return;
  }
  try {
    await loadPeriods(null);
  } catch (err) {
    handleFailure(err, (m) => showFatal('Không tải được dữ liệu', [m]));
    return;
  }
  try {
    /** @type {MeResponse} */
    const me = await apiJson(state.token, '/api/me');
    $('who').textContent = me.user ? `${me.user.name} · ${me.name} · quyền ${me.user.accessText}` : me.name;
    registry.access = me.user?.access ?? 'administrator';
    $('who').hidden = false;
  } catch {
    // the header is a courtesy
  }
  fillYears();
  fillPeriods();
  fillStatusFilter();
  $('year').addEventListener('change', async () => {
    try {
      await loadPeriods(Number($('year', HTMLSelectElement).value));
    } catch (err) {
      handleFailure(err, boardError);
      return;
    }
    fillPeriods();
    await loadBoard();
  });
  $('period').addEventListener('change', async () => {
    state.periodId = $('period', HTMLSelectElement).value;
    await loadBoard();
  });
  $('refresh').addEventListener('click', loadBoard);
  for (const id of ['filter-status', 'filter-kind', 'filter-review']) $(id).addEventListener('change', renderUnits);
  $('bulk-accept').addEventListener('click', bulkAccept);
  $('filter-text').addEventListener('input', renderUnits);
  for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('[data-rollup]'))) {
    button.addEventListener('click', () => {
      if (!state.board) return;
      const format = button.dataset.rollup;
      const id = state.board.period.id;
      download(
        `/api/admin/rollup?periodId=${encodeURIComponent(id)}&format=${format}`,
        `${format === 'docx' ? 'du-thao-bao-cao' : 'tong-hop'}-${id}.${format}`,
        button,
      );
    });
  }
  $('remind').addEventListener('click', remind);
  $('registry-export').addEventListener('click', () => download('/api/admin/registry/export', 'danh-muc-don-vi.xlsx', $('registry-export', HTMLButtonElement)));
  $('registry-add').addEventListener('click', () => editRegistry(null));
  $('registry-import').addEventListener('submit', importRegistry);
  void loadRegistry();
  $('timeline-close').addEventListener('click', () => $('timeline-dialog', HTMLDialogElement).close());
  for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('[data-trail]'))) {
    button.addEventListener('click', () => {
      if (!state.board) return;
      const format = button.dataset.trail;
      const id = state.board.period.id;
      download(`/api/admin/trail?periodId=${encodeURIComponent(id)}&format=${format}`, `nhat-ky-${id}.${format}`, button);
    });
  }
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let resizeTimer;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => state.board && renderChart(state.board.summary), 150);
  });
  $('loading').hidden = true;
  $('app').hidden = false;
  await loadBoard();
}

start().catch((err) => {
  showFatal('Trang gặp sự cố', [err instanceof Error ? err.message : String(err), 'Vui lòng tải lại trang (phím F5).']);
});

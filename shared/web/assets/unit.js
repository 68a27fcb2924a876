// @ts-check
// The unit portal: periods, template download, upload with progress, result and history.
import {
  ApiFailure,
  announce,
  apiJson,
  badge,
  byId,
  clear,
  downloadFile,
  el,
  findingsDisclosure,
  findingsSummary,
  findingsTable,
  formatDate,
  formatSize,
  handleApiFailure as handleFailure,
  NO_TOKEN_LINES,
  showFatal,
  takeToken,
  timeLeft,
  yearOptions,
  serverYear,
  pollDelay,
  timelineList,
} from './common.js';

/** @typedef {import('../api-types.js').MeResponse} MeResponse */
/** @typedef {import('../api-types.js').PeriodsResponse} PeriodsResponse */
/** @typedef {import('../api-types.js').SubmissionsResponse} SubmissionsResponse */
/** @typedef {import('../api-types.js').SubmissionView} SubmissionView */
/** @typedef {import('../api-types.js').UnitPeriodView} UnitPeriodView */
/** @typedef {import('../api-types.js').UploadResponse} UploadTicket */
/** @typedef {import('../api-types.js').StatusCode} StatusCode */
/** @typedef {import('./common.js').StatusLabels} StatusLabels */

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const POLL_LIMIT_MS = 90_000;

const $ = byId;

/**
 * @type {{
 *   token: string; me: MeResponse | null; year: number | null; periods: UnitPeriodView[]; labels: StatusLabels;
 *   periodId: string | null; checking: Set<string>; file: File | null; busy: boolean; serverNow: number | null; serverNowAt: number;
 * }}
 */
const state = {
  /** The unit's token ('' until read from the link). */
  token: '',
  me: null,
  year: null,
  periods: [],
  /** The words of the status codes (the server's STATUS_LABELS). */
  labels: {},
  periodId: null,
  /** periodId → true while an upload of it is being checked */
  checking: new Set(),
  file: null,
  busy: false,
  /** The server's clock (ms) when the periods were fetched, and performance.now() then. */
  serverNow: null,
  serverNowAt: 0,
};

/** @param {string} text */
function pageMessage(text) {
  const box = $('page-message');
  box.textContent = text;
  box.hidden = !text;
}

/* ---------- periods ---------- */

/**
 * @param {UnitPeriodView} p
 * @returns {StatusCode}
 */
function statusOf(p) {
  return state.checking.has(p.periodId) ? 'checking' : p.status;
}

function selectedPeriod() {
  return state.periods.find((p) => p.periodId === state.periodId) ?? null;
}

/**
 * Decided by the server's answer (`overdue`, on its clock), never by the browser's clock.
 * @param {UnitPeriodView[]} periods
 * @returns {string | null}
 */
function defaultPeriodId(periods) {
  // a report the Department returned for correction is what the unit has to act on first
  const returned = periods.find((p) => p.review.status === 'returned');
  if (returned) return returned.periodId;
  const upcoming = periods.find((p) => !p.overdue && p.dossierStatus !== 'on_time');
  return (upcoming ?? periods.find((p) => !p.overdue) ?? periods.at(-1))?.periodId ?? null;
}

/**
 * The server's time now, for showing "còn 3 ngày": the time it sent with the periods plus what has
 * passed since (measured, not read from the browser's wall clock, which may be set to anything).
 */
function serverNow() {
  return state.serverNow === null ? NaN : state.serverNow + (performance.now() - state.serverNowAt);
}

/**
 * Milliseconds to the unit's deadline on the server's clock (NaN before the server has answered).
 * @param {UnitPeriodView} p
 * @returns {number}
 */
function msLeft(p) {
  return Date.parse(p.extendedUntil ?? p.deadline) - serverNow();
}

/**
 * "còn …" from the server's time; "đã quá hạn" once the server says so.
 * @param {UnitPeriodView} p
 * @returns {string}
 */
function leftText(p) {
  if (p.overdue) return 'đã quá hạn';
  const left = timeLeft(p.extendedUntil ?? p.deadline, serverNow());
  return left === 'đã quá hạn' ? 'còn dưới 1 phút' : left;
}

function renderPeriods() {
  const list = clear($('periods'));
  if (state.periods.length === 0) {
    list.append(el('p', { class: 'empty', text: `Đơn vị không có kỳ báo cáo nào trong năm ${state.year}.` }));
    return;
  }
  for (const p of state.periods) {
    const left = leftText(p);
    const selected = p.periodId === state.periodId;
    const card = el(
      'button',
      {
        type: 'button',
        class: `period-card${selected ? ' is-selected' : ''}`,
        'aria-pressed': selected ? 'true' : 'false',
        'data-period': p.periodId,
        disabled: state.busy,
        onclick: () => selectPeriod(p.periodId, true),
      },
      el('span', { class: 'period-name', text: p.name }),
      el('span', { class: 'period-due' }, el('span', { class: 'label', text: 'Hạn nộp: ' }), p.deadlineText),
      el('span', { class: `period-left${p.overdue ? ' overdue' : ''}`, 'data-period-left': p.periodId, text: left }),
      el('span', { class: 'period-status', 'data-part': 'form' }, el('span', { class: 'label', text: 'Số liệu: ' }), badge(statusOf(p), state.labels)),
      el(
        'span',
        { class: 'period-status', 'data-part': 'report' },
        el('span', { class: 'label', text: p.reportRequired ? 'Báo cáo ký số: ' : 'Báo cáo ký số (không bắt buộc): ' }),
        badge(p.reportStatus, state.labels),
      ),
      el(
        'span',
        { class: 'period-status', 'data-part': 'dossier' },
        el('span', { class: 'label', text: 'Hồ sơ: ' }),
        badge(state.checking.has(p.periodId) ? 'checking' : p.dossierStatus, state.labels),
        p.missingText && p.dossierStatus !== 'missing' ? el('span', { class: 'period-missing', text: ` (${p.missingText})` }) : null,
      ),
      p.review.status === 'unreviewed'
        ? null
        : el('span', { class: 'period-status', 'data-part': 'review' }, el('span', { class: 'label', text: 'Sở Nội vụ: ' }), p.review.text),
    );
    list.append(card);
  }
}

function refreshTimes() {
  for (const node of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-period-left]'))) {
    const p = state.periods.find((x) => x.periodId === node.dataset.periodLeft);
    if (!p) continue;
    // under a minute left (or past, by this count): the deadline may have passed on the server, so ask it rather than decide here
    if (!p.overdue && msLeft(p) < 60_000) refreshPeriodsQuietly();
    node.textContent = leftText(p);
    node.classList.toggle('overdue', p.overdue);
  }
}

/** @param {number | null} year */
async function loadPeriods(year) {
  const q = year ? `?year=${encodeURIComponent(year)}` : '';
  /** @type {PeriodsResponse} */
  const data = await apiJson(state.token, `/api/periods${q}`);
  state.year = data.year;
  state.periods = data.periods;
  state.labels = data.statusLabels;
  state.serverNow = Date.parse(data.now);
  state.serverNowAt = performance.now();
  if (!state.periods.some((p) => p.periodId === state.periodId)) state.periodId = defaultPeriodId(state.periods);
}

function fillYears() {
  const select = clear($('year', HTMLSelectElement));
  for (const y of yearOptions(state.year, serverYear(state.serverNow)))
    select.append(el('option', { value: String(y), text: String(y), selected: y === state.year }));
}

async function changeYear() {
  const year = Number($('year', HTMLSelectElement).value);
  $('periods').setAttribute('aria-busy', 'true');
  try {
    await loadPeriods(year);
    pageMessage('');
  } catch (err) {
    handleFailure(err, pageMessage);
    return;
  } finally {
    $('periods').setAttribute('aria-busy', 'false');
  }
  renderPeriods();
  await selectPeriod(state.periodId, false);
}

async function refreshPeriodsQuietly() {
  try {
    await loadPeriods(state.year);
    renderPeriods();
  } catch {
    // the next action shows any problem
  }
}

/* ---------- the selected period ---------- */

/**
 * @param {string | null} periodId
 * @param {boolean} byUser
 */
async function selectPeriod(periodId, byUser) {
  const changed = periodId !== state.periodId;
  state.periodId = periodId;
  renderPeriods();
  const p = selectedPeriod();
  $('submit-panel').hidden = !p;
  $('history-panel').hidden = !p;
  if (!p) return;
  $('submit-title').textContent = `Nộp báo cáo: ${p.name}`;
  const facts = clear($('period-facts'));
  facts.append(
    el('span', { class: 'label', text: 'Hạn nộp: ' }),
    p.deadlineText,
    ' (',
    el('span', { 'data-period-left': p.periodId, text: leftText(p) }),
    ').',
  );
  if (p.dataWindow)
    facts.append(' ', el('span', { class: 'label', text: 'Số liệu tính từ ' }), `${formatDate(p.dataWindow.from)} đến ${formatDate(p.dataWindow.to)}.`);
  const late = $('late-notice');
  late.hidden = !p.overdue;
  late.textContent = late.hidden
    ? ''
    : `Kỳ này đã quá hạn nộp (${p.deadlineText}). Hệ thống vẫn nhận tệp nhưng sẽ ghi nhận là nộp muộn; báo cáo nộp muộn không thay thế báo cáo đã nộp đúng hạn.`;
  renderReviewNotice(p);
  if (changed && !state.busy) {
    clear($('result')).hidden = true;
    clearFile();
    setUploadError('');
    announce($('upload-status'), '');
    announce($('template-status'), '');
    $('upload-box').hidden = true;
  }
  if (byUser && changed) $('submit-title').scrollIntoView({ behavior: 'smooth', block: 'start' });
  await loadHistory();
}

/**
 * What the Department decided on the slot, in its words: returned (why, what, by when), accepted
 * (locked: the upload step is closed), reopened.
 * @param {UnitPeriodView} p
 */
function renderReviewNotice(p) {
  const r = p.review;
  const box = clear($('review-notice'));
  box.hidden = r.status === 'unreviewed';
  const locked = r.status === 'accepted';
  $('dropzone').hidden = locked;
  if (locked) clearFile();
  if (box.hidden) return;
  const who = r.by ? ` (${r.by}, ${r.atText})` : '';
  if (r.status === 'returned') {
    box.append(
      el('p', {}, el('strong', { text: 'Sở Nội vụ đã trả lại báo cáo để đơn vị chỉnh sửa' }), who, '.'),
      el('p', { text: `Lý do: ${r.reason ?? ''}` }),
      el('p', { text: r.items.length ? `Các chỉ tiêu, mục cần sửa: ${r.itemsText.join('; ')}.` : 'Phạm vi: toàn bộ báo cáo.' }),
      el('p', { text: `Hạn nộp bản sửa: hết ngày ${r.correctionDueText ?? p.deadlineText} (giờ Việt Nam). Sửa tệp rồi nộp lại ở bước 3 dưới đây.` }),
    );
  } else if (locked) {
    box.append(
      el('p', {}, el('strong', { text: 'Sở Nội vụ đã chấp nhận báo cáo của đơn vị' }), who, '.'),
      el('p', {
        text: 'Báo cáo đã được khóa: đơn vị không cần và không thể nộp thêm tệp. Nếu cần sửa, vui lòng liên hệ Phòng Cải cách hành chính, Sở Nội vụ để mở lại.',
      }),
    );
  } else {
    box.append(
      el('p', {}, el('strong', { text: 'Sở Nội vụ đã mở lại báo cáo' }), who, '.'),
      el('p', { text: `Lý do: ${r.reason ?? ''}` }),
      el('p', { text: 'Đơn vị có thể nộp lại tệp ở bước 3 dưới đây.' }),
    );
  }
}

/* ---------- template ---------- */

async function downloadTemplate() {
  const p = selectedPeriod();
  if (!p) return;
  const button = $('download-template', HTMLButtonElement);
  const status = $('template-status');
  button.disabled = true;
  announce(status, 'Đang chuẩn bị mẫu Excel…');
  try {
    const name = await downloadFile(state.token, `/api/template?periodId=${encodeURIComponent(p.periodId)}`, `CCHC-${p.periodId}.xlsx`);
    announce(status, `Đã tải mẫu: ${name}. Tệp nằm trong thư mục Tải xuống (Downloads) của máy.`, 'ok');
  } catch (err) {
    handleFailure(err, (m) => announce(status, m, 'error'));
  } finally {
    button.disabled = false;
  }
}

/* ---------- choosing a file ---------- */

/**
 * @param {string} name
 * @returns {string | null}
 */
function contentTypeOf(name) {
  const lower = name.toLowerCase();
  if (lower.endsWith('.xlsx')) return XLSX_TYPE;
  if (lower.endsWith('.json')) return 'application/json';
  if (lower.endsWith('.pdf')) return 'application/pdf';
  return null;
}

/** @param {string} text */
function setUploadError(text) {
  const box = $('upload-error');
  box.textContent = text;
  box.hidden = !text;
}

function clearFile() {
  state.file = null;
  $('file-input', HTMLInputElement).value = '';
  $('chosen').hidden = true;
  $('confirm-late').hidden = true;
}

/** @param {File | null | undefined} file */
function chooseFile(file) {
  if (state.busy) return;
  setUploadError('');
  $('confirm-late').hidden = true;
  if (!file) return clearFile();
  const lower = file.name.toLowerCase();
  const maxBytes = state.me?.maxUploadBytes ?? 10 * 1024 * 1024;
  let refusal = null;
  if (/\.(xls|xlsm|xlsb|ods|csv)$/.test(lower)) {
    refusal = `Tệp “${file.name}” không đúng định dạng. Hệ thống chỉ nhận tệp Excel .xlsx theo mẫu đã tải về (hoặc tệp .json). Hãy mở tệp bằng Excel và chọn Lưu thành (Save As) → “Excel Workbook (*.xlsx)”.`;
  } else if (!contentTypeOf(file.name)) {
    refusal = `Tệp “${file.name}” không phải tệp báo cáo. Hệ thống nhận biểu mẫu số liệu Excel .xlsx theo mẫu (hoặc tệp .json theo lược đồ đã công bố) và báo cáo đã ký số dạng .pdf.`;
  } else if (file.size === 0) {
    refusal = 'Tệp rỗng (0 byte). Hãy chọn lại tệp báo cáo đã điền.';
  } else if (file.size > maxBytes) {
    refusal = `Tệp có dung lượng ${formatSize(file.size)}, lớn hơn mức cho phép (${formatSize(maxBytes)}). Hãy xóa các trang, hình ảnh không cần thiết rồi thử lại.`;
  }
  if (refusal) {
    clearFile();
    setUploadError(refusal);
    return;
  }
  state.file = file;
  $('upload-box').hidden = true;
  $('chosen-name').textContent = file.name;
  $('chosen-size').textContent = `(${formatSize(file.size)})`;
  $('chosen').hidden = false;
  announce($('upload-status'), `Đã chọn tệp ${file.name}. Bấm “Gửi báo cáo” để nộp.`);
}

function setupDropzone() {
  const zone = $('dropzone');
  const input = $('file-input', HTMLInputElement);
  // a click anywhere in the zone opens the picker (the label and the input open it themselves)
  zone.addEventListener('click', (e) => {
    if (state.busy || e.target === input || (e.target instanceof Element && e.target.closest('label'))) return;
    input.click();
  });
  for (const type of /** @type {const} */ (['dragenter', 'dragover'])) {
    zone.addEventListener(type, (e) => {
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      zone.classList.add('is-over');
    });
  }
  zone.addEventListener('dragleave', (e) => {
    if (!zone.contains(e.relatedTarget instanceof Node ? e.relatedTarget : null)) zone.classList.remove('is-over');
  });
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('is-over');
    const files = e.dataTransfer?.files;
    if (!files || files.length === 0) return;
    if (files.length > 1) {
      setUploadError('Mỗi lần chỉ gửi một tệp báo cáo. Hãy kéo thả từng tệp một.');
      return;
    }
    chooseFile(files[0]);
  });
  // a file dropped outside the zone must not make the browser open it (and leave the page)
  for (const type of ['dragover', 'drop']) window.addEventListener(type, (e) => e.preventDefault());
  input.addEventListener('change', () => chooseFile(input.files?.[0] ?? null));
  $('clear-file').addEventListener('click', () => {
    clearFile();
    announce($('upload-status'), '');
    input.focus();
  });
}

/* ---------- sending ---------- */

/**
 * @param {UploadTicket} ticket
 * @returns {Promise<boolean>} whether to send anyway
 */
function askLate(ticket) {
  const box = $('confirm-late');
  const p = selectedPeriod();
  $('confirm-late-text').textContent =
    `Hạn nộp ${p ? p.name : 'kỳ này'} là ${ticket.deadlineText}. Tệp gửi bây giờ vẫn được kiểm tra và lưu, nhưng sẽ được ghi nhận là NỘP MUỘN và không thay thế báo cáo đã nộp đúng hạn. Bạn có muốn gửi không?`;
  box.hidden = false;
  $('confirm-late-yes').focus();
  return new Promise((resolve) => {
    /** @param {boolean} answer */
    const done = (answer) => {
      box.hidden = true;
      $('confirm-late-yes').removeEventListener('click', yes);
      $('confirm-late-no').removeEventListener('click', no);
      resolve(answer);
    };
    const yes = () => done(true);
    const no = () => done(false);
    $('confirm-late-yes').addEventListener('click', yes);
    $('confirm-late-no').addEventListener('click', no);
  });
}

/** @type {Readonly<Record<string, string>>} */
const S3_MESSAGES = {
  EntityTooLarge: 'Tệp lớn hơn mức cho phép nên không được nhận.',
  EntityTooSmall: 'Tệp rỗng nên không được nhận.',
  AccessDenied: 'Đường dẫn tải lên đã hết hạn hoặc không khớp với tệp. Hãy bấm “Gửi báo cáo” lại.',
  SignatureDoesNotMatch: 'Đường dẫn tải lên không hợp lệ. Hãy bấm “Gửi báo cáo” lại.',
};

/**
 * Posts the file to the presigned POST: every policy field first, the file last, with progress.
 * @param {UploadTicket} ticket
 * @param {File} file
 * @param {(fraction: number) => void} onProgress
 * @returns {Promise<void>}
 */
function postFile(ticket, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(ticket.fields)) form.append(k, v);
    form.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', ticket.url);
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
        return;
      }
      const code = /<Code>([^<]+)<\/Code>/.exec(xhr.responseText ?? '')?.[1] ?? `HTTP ${xhr.status}`;
      reject(
        new Error(
          `${S3_MESSAGES[code] ?? 'Máy chủ lưu trữ không nhận tệp.'} (Mã lỗi: ${code}.) Nếu lỗi lặp lại, vui lòng liên hệ Phòng Cải cách hành chính, Sở Nội vụ.`,
        ),
      );
    });
    xhr.addEventListener('error', () => reject(new Error('Mất kết nối trong khi tải tệp lên. Vui lòng kiểm tra kết nối Internet rồi gửi lại.')));
    xhr.addEventListener('timeout', () => reject(new Error('Tải tệp lên quá lâu nên đã dừng. Vui lòng gửi lại.')));
    xhr.timeout = 10 * 60_000;
    xhr.send(form);
  });
}

/**
 * @param {number} fraction
 * @returns {number} the percentage shown
 */
function setProgress(fraction) {
  const pct = Math.max(0, Math.min(100, Math.round(fraction * 100)));
  $('progress', HTMLProgressElement).value = pct;
  $('progress-text').textContent = `${pct}%`;
  return pct;
}

/** @param {boolean} busy */
function setBusy(busy) {
  state.busy = busy;
  $('send', HTMLButtonElement).disabled = busy;
  $('clear-file', HTMLButtonElement).disabled = busy;
  $('file-input', HTMLInputElement).disabled = busy;
  $('dropzone').classList.toggle('is-disabled', busy);
  $('year', HTMLSelectElement).disabled = busy;
  for (const card of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('.period-card'))) card.disabled = busy;
}

async function send() {
  const file = state.file;
  const p = selectedPeriod();
  if (!file || !p || state.busy) return;
  const status = $('upload-status');
  setUploadError('');
  clear($('result')).hidden = true;
  setBusy(true);
  /** @type {UploadTicket} */
  let ticket;
  try {
    announce(status, 'Đang chuẩn bị gửi tệp…');
    ticket = await apiJson(state.token, '/api/uploads', {
      method: 'POST',
      json: { periodId: p.periodId, fileName: file.name, contentType: contentTypeOf(file.name), size: file.size },
    });
  } catch (err) {
    setBusy(false);
    announce(status, '');
    handleFailure(err, setUploadError);
    return;
  }
  if (ticket.late) {
    announce(status, '');
    const go = await askLate(ticket);
    if (!go) {
      setBusy(false);
      announce(status, 'Đã hủy, chưa gửi tệp.');
      $('send').focus();
      return;
    }
  }
  $('upload-box').hidden = false;
  setProgress(0);
  announce(status, `Đang tải tệp lên: 0%`);
  let lastAnnounced = 0;
  try {
    await postFile(ticket, file, (fraction) => {
      const pct = setProgress(fraction);
      if (pct - lastAnnounced >= 25 || pct === 100) {
        lastAnnounced = pct;
        announce(status, `Đang tải tệp lên: ${pct}%`);
      }
    });
  } catch (err) {
    setBusy(false);
    announce(status, '');
    setUploadError(err instanceof Error ? err.message : String(err));
    return;
  }
  state.checking.add(p.periodId);
  renderPeriods();
  announce(status, 'Đã tải lên 100%. Hệ thống đang kiểm tra tệp, vui lòng chờ trong giây lát…', 'checking');
  clearFile();
  const found = await pollFor(ticket);
  state.checking.delete(ticket.periodId);
  setBusy(false);
  if (!found) {
    announce(
      status,
      'Tệp đã được nhận nhưng hệ thống chưa kiểm tra xong sau 90 giây. Kết quả sẽ được gửi qua thư điện tử của đơn vị và hiện trong mục “Lịch sử nộp”.',
      'checking',
    );
    await refreshPeriodsQuietly();
    return;
  }
  announce(
    status,
    found.status === 'valid'
      ? `Kết quả: hợp lệ. Số biên nhận ${found.receiptNo}.`
      : `Kết quả: bị từ chối (${findingsSummary(found.findings)}). Số biên nhận ${found.receiptNo}.`,
    found.status === 'valid' ? 'ok' : 'error',
  );
  if (state.periodId === ticket.periodId) {
    renderResult(found);
    $('result').focus();
  }
  await refreshPeriodsQuietly();
  if (state.periodId === ticket.periodId) await loadHistory();
}

/**
 * @param {UploadTicket} ticket
 * @returns {Promise<SubmissionView | null>} the upload's submission, once checked; null after the limit
 */
async function pollFor(ticket) {
  const deadline = performance.now() + POLL_LIMIT_MS;
  // The upload's own result (the server reads it by key), asked for with a growing pause between tries.
  const query = `periodId=${encodeURIComponent(ticket.periodId)}&uploadId=${encodeURIComponent(ticket.uploadId)}`;
  for (let attempt = 0; performance.now() < deadline; attempt++) {
    await new Promise((r) => setTimeout(r, pollDelay(attempt)));
    try {
      /** @type {SubmissionsResponse} */
      const data = await apiJson(state.token, `/api/submissions?${query}`);
      const hit = data.submissions.find((s) => s.uploadId === ticket.uploadId);
      if (hit) return hit;
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 401) {
        handleFailure(err, () => {});
        return null;
      }
      // a passing network problem: keep waiting
    }
  }
  return null;
}

/* ---------- signed report ---------- */

/**
 * Who signed a signed report, in which capacity and when, in the receipt's words.
 * @param {SubmissionView} s
 */
function signaturesList(s) {
  if (s.signatures.length === 0) return el('p', { class: 'note', text: 'Không tìm thấy chữ ký số trong tệp.' });
  return el(
    'div',
    { class: 'signatures' },
    el('h4', { text: 'Chữ ký số trong văn bản' }),
    el(
      'ul',
      {},
      // The server words each signature (as in the receipt); the page only shows it.
      s.signatures.map((g) => el('li', { 'data-signature-role': g.role, text: g.text })),
    ),
  );
}

/* ---------- result and history ---------- */

/** @param {SubmissionView} s */
function renderResult(s) {
  const box = clear($('result'));
  const valid = s.status === 'valid';
  box.className = `result ${valid ? 'result-valid' : 'result-rejected'}`;
  box.append(
    el('h3', { id: 'result-title', text: 'Kết quả kiểm tra' }),
    el(
      'p',
      { class: 'result-banner' },
      el('span', { class: 'result-mark', 'aria-hidden': 'true', text: valid ? '✓' : '✕' }),
      el('strong', { class: 'result-word', text: valid ? 'Hợp lệ' : 'Bị từ chối' }),
      el('span', { class: 'result-sentence', text: valid ? 'Báo cáo đã được tiếp nhận.' : 'Tệp có lỗi nên chưa được tiếp nhận làm báo cáo của đơn vị.' }),
    ),
    el(
      'dl',
      { class: 'facts' },
      el('div', {}, el('dt', { text: 'Số biên nhận' }), el('dd', { class: 'receipt-no', text: s.receiptNo })),
      el('div', {}, el('dt', { text: 'Tệp' }), el('dd', { text: s.fileName })),
      el('div', {}, el('dt', { text: 'Thời điểm nhận' }), el('dd', { text: s.receivedAtText })),
      el('div', {}, el('dt', { text: 'Thời hạn' }), el('dd', {}, s.onTime ? el('span', { class: 'on-time', text: 'Đúng hạn' }) : badge('late', state.labels))),
    ),
  );
  if (s.part === 'report') box.append(signaturesList(s));
  // What will happen to the file, decided and worded by the server (describeOutcome), as in the receipt.
  if (s.outcome) box.append(el('p', { class: 'note outcome', 'data-outcome': s.outcome.code, text: s.outcome.text }));
  if (s.findings.length > 0) {
    box.append(
      el('h4', { text: valid ? 'Lưu ý' : `Các lỗi cần sửa (${findingsSummary(s.findings)})` }),
      el('div', { class: 'table-wrap' }, findingsTable(s.findings, valid ? 'Các cảnh báo về số liệu' : 'Danh sách lỗi và cảnh báo trong tệp')),
    );
  }
  box.append(el('p', { class: 'muted', text: 'Biên nhận cũng được gửi đến địa chỉ thư điện tử của đơn vị.' }));
  box.hidden = false;
}

/**
 * The rows of some history entries.
 * @param {SubmissionView[]} submissions
 */
function historyRows(submissions) {
  /** @type {HTMLElement[]} */
  const rows = [];
  for (const s of submissions) {
    const findings = findingsDisclosure(s.findings, 5);
    rows.push(
      el(
        'tr',
        { 'data-upload': s.uploadId },
        el('td', { 'data-label': 'Số biên nhận', class: 'receipt-no', text: s.receiptNo }),
        el('td', { 'data-label': 'Tệp', class: 'file-name', text: s.fileName }),
        el('td', { 'data-label': 'Thời điểm nhận', text: s.receivedAtText }),
        el(
          'td',
          { 'data-label': 'Kết quả' },
          el(
            'span',
            { class: 'badges' },
            badge(s.status, state.labels),
            s.onTime ? null : badge('late', state.labels),
            s.outcome?.use === 'consolidation' ? el('span', { class: 'tag-current', text: 'dùng để tổng hợp' }) : null,
            s.outcome?.use === 'addendum' ? el('span', { class: 'tag-current', text: 'đưa vào báo cáo bổ sung' }) : null,
          ),
        ),
        el('td', { 'data-label': 'Lỗi, cảnh báo' }, findings.cell),
      ),
    );
    if (findings.row) rows.push(findings.row);
  }
  return rows;
}

/**
 * One page of the period's history, newest first (the server reads a page by key; the next one with its cursor).
 * @param {string} periodId
 * @param {string | undefined} cursor
 * @returns {Promise<SubmissionsResponse>}
 */
function historyPage(periodId, cursor) {
  const more = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
  return apiJson(state.token, `/api/submissions?periodId=${encodeURIComponent(periodId)}${more}`);
}

/**
 * The warnings of the data form in use, each with its explanation or a form to give one.
 * @param {UnitPeriodView} p
 * @param {SubmissionView[]} submissions
 */
function renderJustifications(p, submissions) {
  const s = submissions.find((x) => x.current && x.part === 'form' && x.status === 'valid' && x.findings.some((f) => f.severity === 'warning'));
  const section = $('justify-box');
  section.hidden = !s;
  const list = clear($('justify-list'));
  if (!s) return;
  const locked = p.review.status === 'accepted';
  s.findings.forEach((f, index) => {
    if (f.severity !== 'warning') return;
    const j = s.justifications.find((x) => x.index === index);
    const item = el(
      'li',
      { 'data-finding': String(index) },
      el('span', { class: 'warning-message', text: `${f.sheet ? `${f.sheet}${f.cell ? ` ô ${f.cell}` : ''}: ` : ''}${f.message}` }),
      j
        ? el(
            'span',
            { class: 'justification' },
            `Giải trình đã gửi (${j.atText}): ${j.text}`,
            el('strong', { text: j.status === 'accepted' ? ' — Sở Nội vụ đã chấp nhận.' : ' — chờ Sở Nội vụ xem xét.' }),
          )
        : null,
    );
    if (!locked && j?.status !== 'accepted') {
      const id = `justify-${index}`;
      const text = el('textarea', { id, rows: '3', maxlength: '2000' });
      const status = el('p', { class: 'inline-status', role: 'status' });
      const send = el('button', { type: 'button', class: 'btn btn-secondary btn-small', text: j ? 'Gửi lại giải trình' : 'Gửi giải trình' });
      send.addEventListener('click', async () => {
        send.setAttribute('disabled', '');
        try {
          await apiJson(state.token, '/api/justifications', {
            method: 'POST',
            json: { periodId: p.periodId, objectId: s.objectId, index, text: /** @type {HTMLTextAreaElement} */ (text).value },
          });
          announce(status, 'Đã gửi giải trình.', 'ok');
          await loadHistory();
        } catch (err) {
          handleFailure(err, (m) => announce(status, m, 'error'));
        } finally {
          send.removeAttribute('disabled');
        }
      });
      item.append(el('label', { for: id, class: 'label', text: 'Nội dung giải trình' }), text, send, status);
    }
    list.append(item);
  });
}

/** The selected period's timeline (its steps on the audit trail), loaded when the unit opens it. */
async function loadTimeline() {
  const p = selectedPeriod();
  const box = clear($('timeline'));
  if (!p) return;
  box.append(el('p', { class: 'loading', text: 'Đang tải…' }));
  try {
    /** @type {import('../api-types.js').TimelineResponse} */
    const data = await apiJson(state.token, `/api/timeline?periodId=${encodeURIComponent(p.periodId)}`);
    if (state.periodId !== p.periodId) return;
    clear(box).append(timelineList(data.entries));
  } catch (err) {
    handleFailure(err, (m) => clear(box).append(el('p', { class: 'message message-error', text: m })));
  }
}

async function loadHistory() {
  const p = selectedPeriod();
  if (!p) return;
  if (/** @type {HTMLDetailsElement} */ ($('timeline-details')).open) void loadTimeline();
  const box = $('history');
  /** @type {SubmissionsResponse} */
  let data;
  try {
    data = await historyPage(p.periodId, undefined);
  } catch (err) {
    handleFailure(err, (m) => {
      clear(box).append(el('p', { class: 'message message-error', text: m }));
    });
    return;
  }
  if (state.periodId !== p.periodId) return;
  clear(box);
  renderJustifications(p, data.submissions);
  if (data.submissions.length === 0) {
    box.append(el('p', { class: 'empty', text: 'Đơn vị chưa nộp tệp nào cho kỳ này.' }));
    return;
  }
  const body = el('tbody', {}, historyRows(data.submissions));
  box.append(
    el(
      'table',
      { class: 'table history stack-on-phone' },
      el('caption', { class: 'visually-hidden', text: `Các tệp đơn vị đã nộp cho ${p.name}, mới nhất trước` }),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['Số biên nhận', 'Tệp', 'Thời điểm nhận', 'Kết quả', 'Lỗi, cảnh báo'].map((h) => el('th', { scope: 'col', text: h })),
        ),
      ),
      body,
    ),
  );
  let cursor = data.nextCursor;
  if (!cursor) return;
  const more = el('button', { type: 'button', class: 'btn btn-secondary', id: 'history-more', text: 'Xem các lần nộp trước' });
  const note = el('p', { class: 'note', role: 'status' });
  more.addEventListener('click', async () => {
    more.setAttribute('disabled', '');
    try {
      const page = await historyPage(p.periodId, cursor);
      if (state.periodId !== p.periodId) return;
      body.append(...historyRows(page.submissions));
      cursor = page.nextCursor;
      announce(note, `Đã hiện thêm ${page.submissions.length} lần nộp.`);
      if (!cursor) more.remove();
    } catch (err) {
      handleFailure(err, (m) => announce(note, m));
    } finally {
      more.removeAttribute('disabled');
    }
  });
  box.append(more, note);
}

/* ---------- start ---------- */

async function start() {
  state.token = takeToken() ?? '';
  if (!state.token) {
    showFatal('Chưa có đường dẫn riêng của đơn vị', NO_TOKEN_LINES);
    return;
  }
  try {
    /** @type {MeResponse} */
    const me = await apiJson(state.token, '/api/me');
    state.me = me;
    await loadPeriods(null);
  } catch (err) {
    handleFailure(err, (m) => showFatal('Không tải được thông tin', [m]));
    return;
  }
  const unitName = $('unit-name');
  unitName.textContent = state.me.name;
  unitName.hidden = false;
  document.title = `${state.me.name} – Nộp báo cáo cải cách hành chính`;
  if (state.me.maxUploadBytes) $('max-size').textContent = formatSize(state.me.maxUploadBytes);
  if (state.me.role === 'admin') {
    $('page-message').replaceChildren(
      'Bạn đang dùng đường dẫn của Phòng Cải cách hành chính. ',
      el('a', { href: '/board', text: 'Mở bảng theo dõi tổng hợp' }),
      '.',
    );
    $('page-message').hidden = false;
    $('page-message').setAttribute('role', 'note');
  }
  fillYears();
  $('year').addEventListener('change', changeYear);
  $('download-template').addEventListener('click', downloadTemplate);
  $('timeline-details').addEventListener('toggle', () => {
    if (/** @type {HTMLDetailsElement} */ ($('timeline-details')).open) void loadTimeline();
  });
  $('send').addEventListener('click', send);
  setupDropzone();
  $('loading').hidden = true;
  $('app').hidden = false;
  renderPeriods();
  await selectPeriod(state.periodId, false);
  setInterval(refreshTimes, 30_000);
}

start().catch((err) => {
  showFatal('Trang gặp sự cố', [
    err instanceof Error ? err.message : String(err),
    'Vui lòng tải lại trang (phím F5). Nếu vẫn lỗi, liên hệ Phòng Cải cách hành chính, Sở Nội vụ.',
  ]);
});

// @ts-check
// Shared by the unit portal and the aggregator's board. Plain ES module, no dependencies.
// Every text that comes from the server or from a file is inserted with textContent, never as HTML.
// Type-checked by `tsc -p tsconfig.web.json` (JSDoc); the API's bodies are its own types (../api-types.ts).

/** @typedef {import('../api-types.js').Finding} Finding */
/** @typedef {import('../api-types.js').StatusCode} StatusCode */
/** The words of the status codes, as the server sends them (`statusLabels`); empty until it has. */
/** @typedef {Partial<Readonly<Record<StatusCode, string>>>} StatusLabels */
/** What `el` takes as children: nodes, text, and nothing (null, undefined, false) to skip. */
/** @typedef {Node | string | null | undefined | false} Child */
/** What `el` and `svg` take as attributes; `on…` keys take a listener. */
/** @typedef {Record<string, string | number | boolean | null | undefined | EventListener>} Attrs */

const TOKEN_KEY = 'cchc.token';
export const ZONE = 'Asia/Ho_Chi_Minh';
export const CONTACT = 'Phòng Cải cách hành chính, Sở Nội vụ tỉnh Thừa Thiên Huế';

/**
 * The page's element with this id, of this type. The pages' HTML has every id their scripts ask
 * for, so a missing or different element is a bug and throws.
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @param {{ new (): T }} [type] the element's class, e.g. HTMLSelectElement (default: any element)
 * @returns {T}
 */
export function byId(id, type) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`Trang thiếu phần tử #${id}.`);
  if (type && !(node instanceof type)) throw new Error(`Phần tử #${id} không đúng loại.`);
  return /** @type {T} */ (node);
}

/**
 * Takes the personal token from the URL fragment (`#t=…`), keeps it for this tab only
 * (sessionStorage) and removes it from the address bar, history and any later Referer.
 * @returns {string | null}
 */
export function takeToken() {
  const hash = location.hash.replace(/^#/, '');
  if (hash) {
    const params = new URLSearchParams(hash);
    const t = params.get('t');
    if (t) {
      try {
        sessionStorage.setItem(TOKEN_KEY, t.trim());
      } catch {
        // storage disabled: the token still works for this page view
        memoryToken = t.trim();
      }
    }
    history.replaceState(null, '', location.pathname + location.search);
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? memoryToken;
  } catch {
    return memoryToken;
  }
}
/** @type {string | null} */
let memoryToken = null;

export function forgetToken() {
  memoryToken = null;
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // nothing kept
  }
}

/** A failed API call, with the server's Vietnamese message. */
export class ApiFailure extends Error {
  /**
   * @param {number} status the HTTP status (0: no answer)
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * How long to wait before the n-th poll (0-based) for an upload's result: soon at first (a file is
 * usually checked within a second), then backing off by half each time up to 5 s, so that waiting
 * units in a deadline rush ask the server less and less often.
 * @param {number} attempt
 * @returns {number} milliseconds
 */
export function pollDelay(attempt) {
  return Math.min(5000, Math.round(400 * 1.5 ** Math.max(0, attempt)));
}

const NETWORK_MESSAGE = 'Không kết nối được với máy chủ. Vui lòng kiểm tra kết nối Internet rồi thử lại.';

/** @typedef {{ method?: string; headers?: HeadersInit; json?: unknown }} ApiInit */

/**
 * Calls the API with the bearer token. Resolves with the Response (ok) or throws ApiFailure.
 * @param {string} token
 * @param {string} path
 * @param {ApiInit} [init]
 * @returns {Promise<Response>}
 */
export async function apiFetch(token, path, init = {}) {
  const headers = new Headers(init.headers ?? {});
  headers.set('Authorization', `Bearer ${token}`);
  if (init.json !== undefined) headers.set('Content-Type', 'application/json');
  let res;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    throw new ApiFailure(0, 'NETWORK', NETWORK_MESSAGE);
  }
  if (res.ok) return res;
  let code = `HTTP_${res.status}`;
  let message = `Máy chủ trả lời lỗi ${res.status}. Vui lòng thử lại sau ít phút.`;
  try {
    const body = await res.json();
    if (body?.error) {
      if (typeof body.error.code === 'string') code = body.error.code;
      if (typeof body.error.message === 'string' && body.error.message) message = body.error.message;
    }
  } catch {
    // not JSON: keep the generic message
  }
  throw new ApiFailure(res.status, code, message);
}

/**
 * The route's JSON body, as the type its caller names (the route's own, from ../api-types.ts).
 * @template T
 * @param {string} token
 * @param {string} path
 * @param {ApiInit} [init]
 * @returns {Promise<T>}
 */
export async function apiJson(token, path, init) {
  const res = await apiFetch(token, path, init);
  return res.json();
}

/**
 * Fetches a file with the bearer token and hands it to the browser as a download.
 * @param {string} token
 * @param {string} path
 * @param {string} fallbackName
 * @returns {Promise<string>} the file's name
 */
export async function downloadFile(token, path, fallbackName) {
  const res = await apiFetch(token, path);
  const blob = await res.blob();
  const name = fileNameFrom(res.headers.get('Content-Disposition')) ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

/**
 * Downloads a stored file the API hands out as a short link (a presigned GET straight from the
 * bucket: large files never pass through the API). The bucket's answer names the file.
 * @param {string} token
 * @param {string} path the API route answering `{ url, fileName }`
 * @returns {Promise<string>} the file's name
 */
export async function downloadByLink(token, path) {
  const res = await apiFetch(token, path);
  /** @type {import('../api-types.js').ReportLinkResponse} */
  const link = await res.json();
  const a = document.createElement('a');
  a.href = link.url;
  a.rel = 'noopener noreferrer';
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  return link.fileName;
}

/**
 * The file name of a Content-Disposition header (RFC 6266: filename* wins over filename).
 * @param {string | null} header
 * @returns {string | null}
 */
export function fileNameFrom(header) {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)?.[1];
  if (star !== undefined) {
    try {
      return safeName(decodeURIComponent(star.trim()));
    } catch {
      // fall through to filename=
    }
  }
  const plain = (/filename\s*=\s*"([^"]*)"/.exec(header) ?? /filename\s*=\s*([^;]+)/.exec(header))?.[1];
  return plain !== undefined ? safeName(plain.trim()) : null;
}

/**
 * @param {string} name
 * @returns {string | null}
 */
function safeName(name) {
  const cleaned = name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').trim();
  return cleaned || null;
}

/**
 * Creates an element: el('p', { class: 'x', text: '…' }, child, …). Text only through textContent.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = String(v);
    else if (k === 'class') node.className = String(v);
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
/**
 * Creates an SVG element, as `el` does (attributes and text only).
 * @param {string} tag
 * @param {Attrs} [attrs]
 * @param {...(SVGElement | null | undefined | false)} children
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'text') node.textContent = String(v);
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c) node.append(c);
  return node;
}

/**
 * @template {Element} E
 * @param {E} node
 * @returns {E} the node, emptied
 */
export function clear(node) {
  node.replaceChildren();
  return node;
}

/**
 * Replaces a live region's text (screen readers announce it).
 * @param {HTMLElement} region
 * @param {string} text
 * @param {string} [tone] ok, error, checking (styles the region)
 */
export function announce(region, text, tone) {
  region.textContent = text;
  if (tone) region.dataset.tone = tone;
  else delete region.dataset.tone;
}

/** Status code → badge class (the codes of STATUS_LABELS in shared/domain/labels.ts). */
/** @type {Readonly<Record<StatusCode, string>>} */
const BADGES = {
  missing: 'badge-none',
  checking: 'badge-checking',
  on_time: 'badge-valid',
  valid: 'badge-valid',
  rejected_only: 'badge-rejected',
  invalid: 'badge-rejected',
  late: 'badge-late',
  incomplete: 'badge-late',
};

/**
 * A status badge: its code picks the colour, the server's label table (`statusLabels`) the words.
 * @param {StatusCode} code
 * @param {StatusLabels} labels
 * @returns {HTMLSpanElement}
 */
export function badge(code, labels) {
  const text = labels[code] ?? String(code);
  return el('span', { class: `badge ${BADGES[code] ?? 'badge-none'}`, text: capitalize(text) });
}

/**
 * @param {string} s
 * @returns {string}
 */
export function capitalize(s) {
  return s ? s.charAt(0).toLocaleUpperCase('vi') + s.slice(1) : s;
}

/** "còn 3 ngày 4 giờ" / "còn 5 giờ 12 phút" / "đã quá hạn", from the deadline and the server's time (ms).
 * @param {string} deadlineIso
 * @param {number} now
 * @returns {string}
 */
export function timeLeft(deadlineIso, now) {
  const ms = Date.parse(deadlineIso) - now;
  if (!Number.isFinite(ms)) return '';
  if (ms <= 0) return 'đã quá hạn';
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours > 0 ? `còn ${days} ngày ${hours} giờ` : `còn ${days} ngày`;
  if (hours > 0) return mins > 0 ? `còn ${hours} giờ ${mins} phút` : `còn ${hours} giờ`;
  if (mins > 0) return `còn ${mins} phút`;
  return 'còn dưới 1 phút';
}

const dateFmt = new Intl.DateTimeFormat('vi-VN', { timeZone: ZONE, day: '2-digit', month: '2-digit', year: 'numeric' });
const timeFmt = new Intl.DateTimeFormat('vi-VN', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/**
 * "14:05 ngày 10/03/2021" in Vietnam time.
 * @param {string} iso
 * @returns {string}
 */
export function formatInstant(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${timeFmt.format(d)} ngày ${dateFmt.format(d)}`;
}

/**
 * "2021-03-15" → "15/03/2021".
 * @param {string | null | undefined} isoDate
 * @returns {string}
 */
export function formatDate(isoDate) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(isoDate ?? ''));
  return m ? `${m[3]}/${m[2]}/${m[1]}` : String(isoDate ?? '');
}

const pctFmt = new Intl.NumberFormat('vi-VN', { style: 'percent', maximumFractionDigits: 1 });
/**
 * @param {number} fraction
 * @returns {string}
 */
export function percent(fraction) {
  return Number.isFinite(fraction) ? pctFmt.format(fraction) : '—';
}

const sizeFmt = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });
/**
 * @param {number} bytes
 * @returns {string}
 */
export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} byte`;
  if (bytes < 1024 * 1024) return `${sizeFmt.format(bytes / 1024)} KB`;
  return `${sizeFmt.format(bytes / 1024 / 1024)} MB`;
}

/**
 * Lower case without diacritics, for searching ("Sở Tư pháp" matches "so tu phap").
 * @param {string | null | undefined} s
 * @returns {string}
 */
export function fold(s) {
  return String(s ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();
}

/**
 * A findings table: Mức độ, Trang, Ô, Nội dung.
 * @param {Finding[]} findings
 * @param {string} [caption]
 * @returns {HTMLTableElement}
 */
export function findingsTable(findings, caption) {
  const rows = findings.map((f) =>
    el(
      'tr',
      { class: f.severity === 'error' ? 'finding-error' : 'finding-warning' },
      el(
        'td',
        { 'data-label': 'Mức độ' },
        el('span', { class: `sev ${f.severity === 'error' ? 'sev-error' : 'sev-warning'}`, text: f.severity === 'error' ? 'Lỗi' : 'Cảnh báo' }),
      ),
      el('td', { 'data-label': 'Trang', text: f.sheet ?? 'Toàn tệp' }),
      el('td', { 'data-label': 'Ô', class: 'cell-ref', text: f.cell ?? '—' }),
      el('td', { 'data-label': 'Nội dung', class: 'finding-message', text: f.message }),
    ),
  );
  return el(
    'table',
    { class: 'table findings stack-on-phone' },
    caption ? el('caption', { text: caption }) : null,
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col', text: 'Mức độ' }),
        el('th', { scope: 'col', text: 'Trang' }),
        el('th', { scope: 'col', text: 'Ô' }),
        el('th', { scope: 'col', text: 'Nội dung' }),
      ),
    ),
    el('tbody', {}, rows),
  );
}

let disclosureSeq = 0;

/**
 * A findings list that opens under its table row: a toggle button for the row's last cell and a
 * full-width row (hidden until opened) holding the findings table.
 * @param {Finding[]} findings
 * @param {number} colspan
 * @returns {{ cell: HTMLElement; row: HTMLTableRowElement | null }}
 */
export function findingsDisclosure(findings, colspan) {
  if (findings.length === 0) return { cell: el('span', { class: 'muted', text: 'Không có' }), row: null };
  const id = `findings-${++disclosureSeq}`;
  const row = el(
    'tr',
    { class: 'findings-row', id, hidden: true },
    el('td', { colspan, class: 'findings-cell' }, el('div', { class: 'table-wrap' }, findingsTable(findings))),
  );
  const button = el(
    'button',
    { type: 'button', class: 'findings-toggle', 'aria-expanded': 'false', 'aria-controls': id },
    svg(
      'svg',
      { class: 'chevron', viewBox: '0 0 10 10', width: 10, height: 10, 'aria-hidden': 'true', focusable: 'false' },
      svg('path', { d: 'M3 1.5 6.5 5 3 8.5', fill: 'none', stroke: 'currentColor', 'stroke-width': 2 }),
    ),
    ` Xem ${findingsSummary(findings)}`,
  );
  button.addEventListener('click', () => {
    const open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(open));
    row.hidden = !open;
  });
  return { cell: button, row };
}

/**
 * "2 lỗi, 1 cảnh báo"
 * @param {Finding[]} findings
 * @returns {string}
 */
export function findingsSummary(findings) {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  const parts = [];
  if (errors) parts.push(`${errors} lỗi`);
  if (warnings) parts.push(`${warnings} cảnh báo`);
  return parts.join(', ') || 'Không có lỗi';
}

/**
 * Replaces the page's main content with a full-page message (no token, invalid link, no access).
 * @param {HTMLElement} main
 * @param {string} title
 * @param {string[]} lines
 * @param {Node} [extra]
 */
export function fatal(main, title, lines, extra) {
  clear(main);
  const box = el(
    'section',
    { class: 'panel fatal', role: 'alert', 'aria-labelledby': 'fatal-title' },
    el('h2', { id: 'fatal-title', text: title }),
    lines.map((l) => el('p', { text: l })),
    extra ?? null,
  );
  main.append(box);
}

/**
 * Ends the page with a full-page message in place of the app (both pages have #loading, #app, #main).
 * @param {string} title
 * @param {string[]} lines
 * @param {Node} [extra]
 */
export function showFatal(title, lines, extra) {
  byId('loading').hidden = true;
  byId('app').hidden = true;
  fatal(byId('main'), title, lines, extra);
  byId('main').focus();
}

/**
 * Handles an API failure: an invalid link (401) ends the session; a refusal (403) goes to `on403`
 * where the page has one; anything else is shown where the caller asks.
 * @param {unknown} err
 * @param {(message: string) => void} show
 * @param {(err: ApiFailure) => void} [on403]
 */
export function handleApiFailure(err, show, on403) {
  if (err instanceof ApiFailure && err.status === 401) {
    forgetToken();
    showFatal('Đường dẫn không còn hiệu lực', unauthorizedLines(err.message));
    return;
  }
  if (on403 && err instanceof ApiFailure && err.status === 403) {
    on403(err);
    return;
  }
  show(err instanceof Error ? err.message : String(err));
}

export const NO_TOKEN_LINES = [
  'Hãy mở trang bằng đường dẫn riêng của đơn vị (đường dẫn được gửi qua thư điện tử, bắt đầu bằng địa chỉ của cổng và có phần “#t=…” ở cuối).',
  `Nếu chưa có hoặc đã mất đường dẫn, vui lòng liên hệ ${CONTACT} để được cấp lại.`,
];

/**
 * @param {string} serverMessage
 * @returns {string[]}
 */
export function unauthorizedLines(serverMessage) {
  if (serverMessage?.includes('Phòng Cải cách hành chính')) {
    return [serverMessage, 'Đường dẫn riêng chỉ dùng cho đơn vị được cấp; không chia sẻ cho người ngoài đơn vị.'];
  }
  return [
    serverMessage || 'Đường dẫn riêng không hợp lệ, đã hết hạn hoặc đã bị thu hồi.',
    `Vui lòng liên hệ ${CONTACT} để được cấp đường dẫn mới. Không chia sẻ đường dẫn riêng cho người ngoài đơn vị.`,
  ];
}

/**
 * The year (Vietnam time) of an instant the server sent, in ms; null when unknown.
 * @param {number | null} serverNowMs
 * @returns {number | null}
 */
export function serverYear(serverNowMs) {
  if (serverNowMs === null || !Number.isFinite(serverNowMs)) return null;
  return Number(new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric' }).format(new Date(serverNowMs)));
}

/**
 * A year picker's years: 2021 up to the year after the server's (at most the last year of the calendar).
 * @param {number | null} shownYear
 * @param {number | null} currentYear
 * @returns {number[]}
 */
export function yearOptions(shownYear, currentYear) {
  const now = currentYear ?? shownYear ?? 2021;
  const last = Math.min(2030, Math.max(now, shownYear ?? now, 2021) + 1);
  const years = [];
  for (let y = last; y >= 2021; y--) years.push(y);
  if (shownYear && !years.includes(shownYear)) years.unshift(shownYear);
  return years;
}

/**
 * A slot's timeline as an ordered list: when (Vietnam time, the server's words), the step, who,
 * why and the facts. Used by the board's dialog and the unit's portal.
 * @param {import('../api-types.js').TimelineEntry[]} entries
 * @returns {HTMLElement}
 */
export function timelineList(entries) {
  if (entries.length === 0) return el('p', { class: 'empty', text: 'Chưa có bước nào được ghi lại.' });
  return el(
    'ol',
    { class: 'timeline' },
    entries.map((t) =>
      el(
        'li',
        { 'data-step': t.type },
        el('span', { class: 'timeline-when', text: t.atText }),
        el('span', { class: 'timeline-what', text: t.typeName }),
        el('span', { class: 'timeline-who', text: t.who }),
        t.reason ? el('span', { class: 'timeline-why', text: `Lý do: ${t.reason}` }) : null,
        t.details ? el('span', { class: 'timeline-details', text: t.details }) : null,
      ),
    ),
  );
}

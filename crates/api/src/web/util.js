// Shared helpers of the page: DOM building (text is always inserted as text), the one safe way
// to insert the API's highlighted HTML, API calls, labels, dates and page links.

/** Builds an element. `attrs` values of null/false are skipped; `on*` functions become listeners. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, ...children);
  return el;
}

/** Appends children: nodes as is, strings and numbers as text, arrays flattened, null skipped. */
export function append(el, ...children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, ...c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
  return el;
}

/**
 * The API's snippet HTML (escaped text with matches in <em>) as a fragment. Only text and
 * attribute-less <em> elements are kept; anything else degrades to its text, so even a
 * malformed answer cannot inject markup.
 */
export function safeSnippet(html) {
  const tpl = document.createElement('template');
  tpl.innerHTML = String(html || '');
  const out = document.createDocumentFragment();
  const walk = (node, into) => {
    for (const c of node.childNodes) {
      if (c.nodeType === Node.TEXT_NODE) into.appendChild(document.createTextNode(c.data));
      else if (c.nodeType === Node.ELEMENT_NODE && c.tagName === 'EM' && c.attributes.length === 0) {
        const em = document.createElement('em');
        walk(c, em);
        into.appendChild(em);
      } else if (c.nodeType === Node.ELEMENT_NODE) {
        into.appendChild(document.createTextNode(c.textContent));
      }
    }
  };
  walk(tpl.content, out);
  return out;
}

/** The matched words of snippet HTML (contents of its <em> elements). */
export function snippetTerms(html) {
  const terms = [];
  const frag = safeSnippet(html);
  for (const em of frag.querySelectorAll('em')) {
    const t = em.textContent.trim();
    if (t) terms.push(t);
  }
  return terms;
}

/** An API error with the machine code and message of the JSON error body. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * GETs an API path with query parameters (empty values dropped). Resolves to
 * `{ data, url }` (url: the final URL after redirects); rejects with ApiError.
 */
export async function api(path, params) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== null && v !== undefined && v !== '') qs.set(k, v);
  }
  const url = qs.toString() ? `${path}?${qs}` : path;
  let res;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' } });
  } catch (e) {
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试');
  }
  let body = null;
  try {
    body = await res.json();
  } catch (e) {
    body = null;
  }
  if (!res.ok) {
    const err = body && body.error ? body.error : body || {};
    throw new ApiError(res.status, err.code || String(res.status), err.message || res.statusText);
  }
  return { data: body, url: res.url };
}

/** A Chinese sentence for an API error, for the user. */
export function errorText(e) {
  if (!(e instanceof ApiError)) return `页面出错：${e && e.message ? e.message : e}`;
  switch (e.status) {
    case 0: return e.message;
    case 400: return `请求有误：${e.message}`;
    case 404: return '没有找到该记录。';
    case 429: return '请求过于频繁，请稍候几秒再试。';
    case 503: return '服务正在启动或繁忙，请稍后重试。';
    default: return `服务器出错（${e.status}）：${e.message}`;
  }
}

/** Status values of standards, their Chinese labels and badge classes. */
export const STATUS = {
  current: '现行',
  upcoming: '即将实施',
  replaced: '被代替',
  abolished: '废止',
};

/** How a status was reached (the API's `status_basis`), as users read it. */
export const BASIS = {
  stated: '据来源',
  derived: '据日期',
  inferred: '据版本推断',
};

/**
 * A status badge, or null when there is no status. A status inferred from edition order (dates
 * missing) says so next to the badge: 据版本推断.
 */
export function statusBadge(status, label, basis) {
  if (!status && !label) return null;
  const text = label || STATUS[status] || status;
  const badge = h('span', { class: `badge st-${status || 'unknown'}`, dataset: basis ? { basis } : {} }, text);
  return basis === 'inferred' ? [badge, h('span', { class: 'basis muted' }, `（${BASIS.inferred}）`)] : badge;
}

/** Label tables embedded in the shell by the server (WTO members, industry sectors). */
export const LABELS = (() => {
  try {
    const el = document.getElementById('bz-labels');
    return JSON.parse(el ? el.textContent : '{}');
  } catch (e) {
    return {};
  }
})();

/** Chinese name of a WTO member code, or the code. */
export function memberName(code) {
  return (LABELS.members && LABELS.members[code]) || code;
}

/** Today as YYYY-MM-DD in the user's time zone. */
export function today() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Whole days from today to `date` (YYYY-MM-DD); negative when past, null without a date. */
export function daysUntil(date) {
  if (!date) return null;
  const [y, m, d] = date.split('-').map(Number);
  const [ty, tm, td] = today().split('-').map(Number);
  return Math.round((Date.UTC(y, m - 1, d) - Date.UTC(ty, tm - 1, td)) / 86400000);
}

/** "征求意见中，剩 N 天" badge when the deadline is today or later, else null. */
export function openBadge(deadline) {
  const n = daysUntil(deadline);
  if (n === null || n < 0) return null;
  const text = n === 0 ? '征求意见中，今天截止' : `征求意见中，剩 ${n} 天`;
  return h('span', { class: 'badge open', title: `评议截止日期 ${deadline}` }, text);
}

/** Encodes a record id as path segments, keeping slashes readable (`GB/T%207714-2015`). */
function pathOf(id) {
  return String(id).split('/').map(encodeURIComponent).join('/');
}

/** The page URL of a record; `q` is carried along so the record page can highlight it. */
export function recordHref(kind, id, q) {
  const base = kind === 'notification' ? '/notification/'
    : kind === 'regulation' ? '/regulation/'
    : '/standard/';
  const suffix = q ? `?q=${encodeURIComponent(q)}` : '';
  return base + pathOf(id) + suffix;
}

/** The record id in the current page path after `prefix` (`/standard/`). */
export function idFromPath(prefix) {
  const rest = location.pathname.slice(prefix.length);
  try {
    return rest.split('/').map(decodeURIComponent).join('/');
  } catch (e) {
    return rest;
  }
}

/** Kind labels. */
export const KIND = { standard: '标准', notification: 'WTO通报', regulation: '法律法规' };

/** Sets the document title. */
export function setTitle(text) {
  document.title = text ? `${text} - 标准检索` : '标准检索';
}

/** Clears an element and appends children. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, ...children);
}

/**
 * Wraps the occurrences of `terms` in `text` in <mark> elements (case-insensitive for Latin
 * letters, longest term first) and returns the fragment and the number of marks.
 */
export function markTerms(text, terms) {
  const frag = document.createDocumentFragment();
  const list = [...new Set(terms.filter((t) => t && t.trim()))].sort((a, b) => b.length - a.length);
  if (!list.length) {
    frag.appendChild(document.createTextNode(text));
    return { frag, count: 0 };
  }
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(list.map(esc).join('|'), 'gi');
  let last = 0;
  let count = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) frag.appendChild(document.createTextNode(text.slice(last, m.index)));
    frag.appendChild(h('mark', null, m[0]));
    last = m.index + m[0].length;
    count += 1;
  }
  if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
  return { frag, count };
}

// The search page. The whole state lives in the query string (q, filters, sort, page), so a
// search can be shared and bookmarked; every control is a link or form that changes it, and
// history navigation re-renders from it.

import {
  api, append, errorText, h, KIND, LABELS, memberName, openBadge, recordHref, replace,
  safeSnippet, setTitle, statusBadge,
} from './util.js';
import { searchBox } from './suggest.js';

const PAGE_SIZE = 10;

/** Filters the page passes through to /api/v1/search, in sidebar order, with their labels. */
const FACETS = [
  ['kind', '类型'],
  ['status', '状态'],
  ['level', '级别'],
  ['nature', '性质'],
  ['region', '地区'],
  ['industry', '行业'],
  ['ics', 'ICS 分类'],
  ['ccs', 'CCS 分类'],
  ['year', '年份'],
  ['department', '主管部门'],
  ['agreement', '协定'],
  ['member', 'WTO 成员'],
  ['hs', 'HS 编码'],
];
/** Filters without facet counts, typed in the "more filters" form. */
const TYPED = [
  ['ics', 'ICS 分类号', '如 65.020'],
  ['ccs', 'CCS 分类号', '如 B05'],
  ['hs', 'HS 编码', '如 0701'],
  ['from', '发布日期起', 'YYYY-MM-DD'],
  ['to', '发布日期止', 'YYYY-MM-DD'],
];
const FILTER_KEYS = [...new Set([...FACETS.map((f) => f[0]), 'from', 'to', 'open_on'])];
const SORTS = [
  ['', '按相关度'],
  ['issue_date', '按发布日期'],
  ['implement_date', '按实施日期'],
  ['code', '按标准号'],
];
const FACET_SHOWN = 8;

/** Reads the state from the URL. */
function readState() {
  const p = new URLSearchParams(location.search);
  const s = { q: p.get('q') || '', sort: p.get('sort') || '', page: Math.max(1, parseInt(p.get('page') || '1', 10) || 1) };
  for (const k of FILTER_KEYS) s[k] = p.get(k) || '';
  return s;
}

/** The page URL of a state. */
function hrefOf(s) {
  const p = new URLSearchParams();
  if (s.q) p.set('q', s.q);
  for (const k of FILTER_KEYS) if (s[k]) p.set(k, s[k]);
  if (s.sort) p.set('sort', s.sort);
  if (s.page > 1) p.set('page', String(s.page));
  const qs = p.toString();
  return qs ? `/?${qs}` : '/';
}

function activeFilters(s) {
  return FILTER_KEYS.filter((k) => s[k]);
}

/** Renders the search page into `main` and keeps it in sync with the URL. */
export function renderSearch(main) {
  const state = readState();
  const { form, input } = searchBox({ value: state.q, big: true, onSearch: (q) => go({ ...readState(), q, page: 1 }) });
  const count = h('p', { class: 'count', id: 'result-count', role: 'status', 'aria-live': 'polite' });
  const notice = h('div', { class: 'notices' });
  const results = h('ol', { class: 'hits', 'aria-labelledby': 'result-count' });
  const pager = h('nav', { class: 'pager', 'aria-label': '翻页' });
  const sort = h('select', { id: 'sort', 'aria-label': '排序方式' },
    SORTS.map(([v, label]) => h('option', { value: v }, label)));
  const chips = h('div', { class: 'chips', 'aria-label': '已选条件' });
  const facets = h('div', { class: 'facet-list' });
  const sidebar = h('aside', { class: 'facets', 'aria-label': '筛选' },
    h('details', { class: 'facet-toggle', open: window.matchMedia('(min-width: 800px)').matches },
      h('summary', null, '筛选条件'), facets, typedFilters()));
  const body = h('div', { class: 'search-body' },
    sidebar,
    h('section', { class: 'results', 'aria-label': '检索结果' },
      h('div', { class: 'results-head' }, count, h('label', { class: 'sort' }, '排序 ', sort)),
      chips, notice, results, pager));
  const intro = h('div', { class: 'intro' },
    h('p', null, '检索国家、行业、地方、团体标准的题录与全文，以及 WTO TBT/SPS 通报和法律法规。标准号可以写成任意形式（GB/T 7714、gbt7714、GB／T7714—2015）。'),
    h('p', null, '例如：', ['马铃薯 种薯', 'GB/T 7714', '农药残留 苹果', 'G/TBT/N/USA/2146'].map((ex) => [
      h('a', { href: hrefOf({ q: ex, page: 1 }), 'data-state': '', class: 'example' }, ex), ' '])));
  replace(main, h('div', { class: 'search-top' }, h('h1', { class: 'visually-hidden' }, '标准与通报检索'), form, intro), body);

  let seq = 0;
  sort.addEventListener('change', () => go({ ...readState(), sort: sort.value, page: 1 }));

  // Links inside the page change the state without a reload.
  main.addEventListener('click', (e) => {
    const a = e.target.closest('a[data-state]');
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    history.pushState(null, '', a.getAttribute('href'));
    run();
    // a new page of results starts at the top, not where the pager was
    if (a.closest('.pager')) count.scrollIntoView({ block: 'start' });
  });
  window.addEventListener('popstate', () => run());
  run();

  function go(s) {
    history.pushState(null, '', hrefOf(s));
    run();
  }

  function typedFilters() {
    const s = readState();
    const fields = TYPED.map(([k, label, ph]) => h('label', { class: 'typed' },
      h('span', null, label), h('input', { name: k, value: s[k], placeholder: ph, inputmode: k === 'from' || k === 'to' ? 'numeric' : null })));
    const f = h('form', { class: 'more-filters', 'aria-label': '更多筛选' },
      h('fieldset', null, h('legend', null, '更多筛选'), fields,
        h('button', { type: 'submit' }, '应用')));
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      const next = { ...readState(), page: 1 };
      for (const [k] of TYPED) next[k] = f.elements[k].value.trim();
      go(next);
    });
    return f;
  }

  async function run() {
    const s = readState();
    input.value = s.q;
    sort.value = s.sort;
    for (const [k] of TYPED) {
      const el = sidebar.querySelector(`input[name=${k}]`);
      if (el) el.value = s[k];
    }
    setTitle(s.q ? `${s.q} 的检索结果` : '');
    renderChips(chips, s);
    // Without a query, relevance means nothing: list the newest first.
    const sortBy = s.sort || (s.q ? '' : 'issue_date');
    sort.value = sortBy;
    intro.hidden = Boolean(s.q || activeFilters(s).length);
    const params = { q: s.q, sort: sortBy, snippets: 'true', limit: PAGE_SIZE, offset: (s.page - 1) * PAGE_SIZE };
    for (const k of FILTER_KEYS) params[k] = s[k];
    const mine = ++seq;
    main.setAttribute('aria-busy', 'true');
    count.textContent = '检索中…';
    delete count.dataset.total;
    try {
      // The engine counts each facet without its own filter (disjunctive facets), so a
      // selected value's alternatives stay visible with their counts: one request suffices.
      const { data } = await api('/api/v1/search', params);
      if (mine !== seq) return;
      renderAnswer(s, data);
    } catch (e) {
      if (mine !== seq) return;
      count.textContent = '检索失败';
      replace(notice, h('p', { class: 'notice error', role: 'alert' }, errorText(e)));
      results.replaceChildren();
      pager.replaceChildren();
    } finally {
      if (mine === seq) main.removeAttribute('aria-busy');
    }
  }

  function renderAnswer(s, data) {
    const total = data.total || 0;
    const partial = data.partial_total || 0;
    // Pages run over complete matches first, then the partial ones (most words first).
    const shown = total + partial;
    const from = (s.page - 1) * PAGE_SIZE + 1;
    const to = Math.min(shown, s.page * PAGE_SIZE);
    const parts = [];
    if (total) parts.push(`共 ${total} 条结果`);
    if (partial) parts.push(`另有 ${partial} 条部分匹配`);
    count.textContent = shown
      ? `${parts.join('，')}${shown > PAGE_SIZE ? `，第 ${from}–${to} 条` : ''}`
      : '没有找到结果';
    count.dataset.total = String(total);
    count.dataset.partial = String(partial);
    notice.replaceChildren();
    const market = data.understood && data.understood.market;
    if (market) {
      // A market word in the query filters to that member's notifications: say so, and offer
      // the query without it.
      const rest = s.q.split(market.word).join(' ').replace(/\s+/g, ' ').trim();
      notice.appendChild(h('p', { class: 'notice info understood' },
        `按市场：${market.name_zh}`, `（只显示${market.name_zh}的通报）`,
        h('a', { href: hrefOf({ ...s, q: rest, page: 1 }), 'data-state': '' }, '不按市场')));
    }
    if (data.relaxed && (total || partial)) {
      notice.appendChild(h('p', { class: 'notice' },
        `没有同时包含“${s.q}”全部词语的结果，下面是包含其中部分词语的结果。`));
    }
    if (!shown) notice.appendChild(emptyHelp(s));
    const items = [];
    let divided = false;
    for (const hit of data.hits || []) {
      if (hit.partial && !divided && total) {
        // The divider: everything below lacks some query word.
        items.push(h('li', { class: 'partial-divider', role: 'separator' },
          `以下结果只包含部分检索词（共 ${partial} 条）`));
        divided = true;
      }
      items.push(renderHit(hit, s.q));
    }
    results.replaceChildren(...items);
    renderFacets(facets, s, data.facets || {});
    renderPager(pager, s, shown);
  }
}

function renderChips(el, s) {
  el.replaceChildren();
  for (const k of activeFilters(s)) {
    const label = (FACETS.find((f) => f[0] === k) || TYPED.find((f) => f[0] === k) || [k, k === 'open_on' ? '征求意见日' : k])[1];
    el.appendChild(h('a', {
      class: 'chip', href: hrefOf({ ...s, [k]: '', page: 1 }), 'data-state': '',
      'aria-label': `去掉条件 ${label}：${valueLabel(k, s[k])}`,
    }, `${label}：${valueLabel(k, s[k])}`, h('span', { 'aria-hidden': 'true', class: 'x' }, ' ×')));
  }
  if (activeFilters(s).length > 1) {
    const cleared = { q: s.q, sort: s.sort, page: 1 };
    el.appendChild(h('a', { class: 'chip clear', href: hrefOf(cleared), 'data-state': '' }, '清除全部条件'));
  }
}

/** A label for a filter value the user picked (from the facet labels when known). */
const knownLabels = new Map();
function valueLabel(k, v) {
  if (k === 'member') return memberName(v);
  if (k === 'industry' && LABELS.industries && LABELS.industries[v]) return `${v} ${LABELS.industries[v]}`;
  return knownLabels.get(`${k}\u0001${v}`) || v;
}

function renderFacets(el, s, facets) {
  el.replaceChildren();
  for (const [key, title] of FACETS) {
    let values = facets[key];
    if (!values || !values.length) continue;
    if (key === 'year') values = [...values].sort((a, b) => Number(b.value) - Number(a.value));
    const headId = `facet-${key}`;
    const list = h('ul', { 'aria-labelledby': headId });
    values.forEach((f, i) => {
      const label = f.label || valueLabel(key, f.value);
      knownLabels.set(`${key}\u0001${f.value}`, label);
      const on = s[key] === f.value;
      const next = { ...s, [key]: on ? '' : f.value, page: 1 };
      list.appendChild(h('li', { class: i >= FACET_SHOWN && !on ? 'more' : null },
        h('a', {
          href: hrefOf(next), 'data-state': '', class: on ? 'facet on' : 'facet',
          'aria-pressed': on ? 'true' : 'false', dataset: { facet: key, value: f.value },
          'aria-label': `${title} ${label}，${f.count} 条${on ? '（已选，点击取消）' : ''}`,
        }, h('span', { class: 'fl' }, label), h('span', { class: 'fc' }, String(f.count)))));
    });
    const section = h('section', { class: 'facet-group', dataset: { facet: key } }, h('h2', { id: headId }, title), list);
    if (values.length > FACET_SHOWN) {
      const btn = h('button', { type: 'button', class: 'link', 'aria-expanded': 'false' }, `更多（${values.length - FACET_SHOWN}）`);
      btn.addEventListener('click', () => {
        const open = section.classList.toggle('expanded');
        btn.setAttribute('aria-expanded', String(open));
        btn.textContent = open ? '收起' : `更多（${values.length - FACET_SHOWN}）`;
      });
      section.appendChild(btn);
    }
    el.appendChild(section);
  }
}

function renderHit(hit, q) {
  const href = recordHref(hit.kind, hit.id, q);
  const hl = (field) => (hit.highlights || []).find((x) => x.field === field);
  const titleHl = hl('title_zh');
  const title = hit.title_zh || hit.title_en || '（无标题）';
  const titleNode = titleHl && hit.title_zh ? safeSnippet(titleHl.html) : title;
  const enHl = hl('title_en');
  const dates = [];
  if (hit.kind === 'notification') {
    if (hit.issue_date) dates.push(`分发 ${hit.issue_date}`);
    if (hit.comment_deadline) dates.push(`评议截止 ${hit.comment_deadline}`);
  } else if (hit.kind === 'regulation') {
    if (hit.issue_date) dates.push(`公布 ${hit.issue_date}`);
    if (hit.implement_date) dates.push(`施行 ${hit.implement_date}`);
  } else {
    if (hit.issue_date) dates.push(`发布 ${hit.issue_date}`);
    if (hit.implement_date) dates.push(`实施 ${hit.implement_date}`);
  }
  const snippets = (hit.highlights || []).filter((x) => x.field !== 'title_zh' && x.field !== 'title_en').slice(0, 2);
  return h('li', { class: `hit kind-${hit.kind}${hit.adoption ? ' adoption' : ''}`, dataset: { id: hit.id } },
    h('div', { class: 'hit-head' },
      h('a', { class: 'code', href }, hit.id),
      statusBadge(hit.status, hit.status_label_zh, hit.status_basis),
      hit.adoption ? h('span', { class: 'adopts', title: '该中国标准采用所检索的国外/国际标准' }, hit.adoption.label) : null,
      hit.kind === 'notification' ? openBadge(hit.comment_deadline) : null,
      hit.kind !== 'standard' ? h('span', { class: 'kind' }, KIND[hit.kind] || hit.kind) : null),
    h('h3', { class: 'hit-title' }, h('a', { href }, titleNode)),
    hit.title_zh && hit.title_en ? h('p', { class: 'en', lang: 'en' }, enHl ? safeSnippet(enHl.html) : hit.title_en) : null,
    dates.length ? h('p', { class: 'dates' }, dates.join(' · ')) : null,
    matchedLine(hit),
    snippets.map((x) => h('p', { class: 'snippet' }, '…', safeSnippet(x.html), '…')));
}

/** For a partial match, or a match by expansion: which query words it matched, and how. */
function matchedLine(hit) {
  const m = hit.matched || [];
  const via = m.filter((x) => x.via);
  if (!hit.partial && !via.length) return null;
  const words = m.map((x) => (x.via ? `${x.word}（按“${x.via}”）` : x.word));
  return h('p', { class: 'matched' }, hit.partial ? `部分匹配：${words.join('、') || '无'}` : `匹配：${words.join('、')}`);
}

/** Explains an empty answer and offers queries that will find something. */
function emptyHelp(s) {
  const box = h('div', { class: 'notice empty' });
  const filters = activeFilters(s);
  append(box, h('p', null, s.q ? `没有找到与“${s.q}”匹配的记录` : '没有找到记录',
    filters.length ? `（已限定 ${filters.length} 个筛选条件）。` : '。'));
  const offers = [];
  if (filters.length) {
    offers.push(h('a', { href: hrefOf({ q: s.q, sort: s.sort, page: 1 }), 'data-state': '', class: 'relax' }, `去掉筛选条件，检索“${s.q || '全部'}”`));
  }
  const words = s.q.split(/\s+/).filter(Boolean);
  if (words.length > 1) {
    for (const w of words) {
      offers.push(h('a', { href: hrefOf({ ...s, q: w, page: 1 }), 'data-state': '', class: 'relax' }, `只检索“${w}”`));
    }
  }
  const undated = s.q.replace(/\s*[-—–]\s*\d{2,4}\s*$/, '');
  if (words.length === 1 && undated !== s.q) {
    offers.push(h('a', { href: hrefOf({ ...s, q: undated, page: 1 }), 'data-state': '', class: 'relax' }, `检索不带年号的“${undated}”（其他版本）`));
  }
  if (offers.length) {
    append(box, h('p', null, '可以试试：'), h('ul', null, offers.map((o) => h('li', null, o))));
  } else {
    append(box, h('p', null, '请检查错别字，或换用更短、更通用的词语；标准号可以写成 GB/T 7714、gbt7714 等任意形式。'));
  }
  return box;
}

function renderPager(el, s, total) {
  el.replaceChildren();
  const pages = Math.ceil(total / PAGE_SIZE);
  if (pages <= 1) return;
  const link = (p, text, label) => (p === s.page
    ? h('span', { class: 'page current', 'aria-current': 'page' }, text)
    : h('a', { class: 'page', href: hrefOf({ ...s, page: p }), 'data-state': '', 'aria-label': label || `第 ${p} 页` }, text));
  if (s.page > 1) el.appendChild(link(s.page - 1, '‹ 上一页', '上一页'));
  const lo = Math.max(1, s.page - 2);
  const hi = Math.min(pages, s.page + 2);
  if (lo > 1) el.appendChild(link(1, '1'));
  if (lo > 2) el.appendChild(h('span', { class: 'gap' }, '…'));
  for (let p = lo; p <= hi; p += 1) el.appendChild(link(p, String(p)));
  if (hi < pages - 1) el.appendChild(h('span', { class: 'gap' }, '…'));
  if (hi < pages) el.appendChild(link(pages, String(pages)));
  if (s.page < pages) el.appendChild(link(s.page + 1, '下一页 ›', '下一页'));
}

export { readState, hrefOf };

// The trade-measures page: pick a market and a product (HS code or words), see the WTO
// notifications grouped by family with "open for comment" badges, and subscribe to the Atom
// feed of the same query. It calls /api/v1/barriers; while that route does not exist (404) it
// says so and falls back to the notification search, grouped here by family.

import {
  api, ApiError, errorText, h, LABELS, memberName, openBadge, recordHref, replace, setTitle, today,
} from './util.js';

/** Markets most exporters ask about first. */
const COMMON = ['USA', 'EU', 'JPN', 'KOR', 'VNM', 'THA', 'SAU', 'IDN', 'IND', 'AUS', 'CAN', 'BRA', 'RUS', 'GBR'];

function readState() {
  const p = new URLSearchParams(location.search);
  return {
    market: p.get('market') || '',
    product: p.get('hs') || p.get('q') || '',
    open: p.get('open') === '1',
  };
}

function isHs(s) {
  return /^\d{2,10}$/.test(s.replace(/[.\s]/g, ''));
}

/** API parameters of a state: a product made of digits is an HS code, anything else words. */
function paramsOf(s) {
  const p = { market: s.market };
  if (s.product) {
    if (isHs(s.product)) p.hs = s.product.replace(/[.\s]/g, '');
    else p.q = s.product;
  }
  if (s.open) p.open_on = today();
  return p;
}

function hrefOf(s) {
  const p = new URLSearchParams();
  if (s.market) p.set('market', s.market);
  if (s.product) p.set(isHs(s.product) ? 'hs' : 'q', s.product);
  if (s.open) p.set('open', '1');
  const qs = p.toString();
  return qs ? `/measures?${qs}` : '/measures';
}

function feedHref(s) {
  const p = paramsOf(s);
  delete p.open_on;
  const qs = new URLSearchParams();
  for (const k of ['market', 'hs', 'q']) if (p[k]) qs.set(k, p[k]);
  const str = qs.toString();
  return `/api/v1/feeds/notifications.atom${str ? `?${str}` : ''}`;
}

function marketSelect(value) {
  const members = Object.entries(LABELS.members || {});
  const byName = (a, b) => a[1].localeCompare(b[1], 'zh-CN');
  const common = COMMON.filter((c) => LABELS.members && LABELS.members[c]).map((c) => [c, LABELS.members[c]]);
  const option = ([code, name]) => h('option', { value: code, selected: code === value }, `${name}（${code}）`);
  return h('select', { name: 'market', id: 'market' },
    h('option', { value: '' }, '全部市场'),
    h('optgroup', { label: '常用市场' }, common.map(option)),
    h('optgroup', { label: '全部 WTO 成员' }, members.sort(byName).map(option)));
}

/** Renders `/measures`. */
export function renderMeasures(main) {
  setTitle('贸易措施');
  const s = readState();
  const product = h('input', {
    id: 'product', name: 'product', value: s.product, type: 'search',
    placeholder: 'HS 编码（如 0808）或产品名称（如 苹果、玩具）', autocomplete: 'off',
  });
  const open = h('input', { type: 'checkbox', id: 'open', name: 'open', checked: s.open });
  const form = h('form', { class: 'measures-form', role: 'search', 'aria-label': '贸易措施检索' },
    h('label', { for: 'market' }, '目标市场'), marketSelect(s.market),
    h('label', { for: 'product' }, '产品'), product,
    h('label', { class: 'check' }, open, ' 只看征求意见中的'),
    h('button', { type: 'submit', class: 'primary' }, '查询'));
  const count = h('p', { class: 'count', id: 'measures-count', role: 'status', 'aria-live': 'polite' });
  const notice = h('div', { class: 'notices' });
  const feed = h('p', { class: 'feed' });
  const list = h('div', { class: 'families', 'aria-labelledby': 'measures-count' });
  replace(main, h('h1', null, '贸易措施'),
    h('p', { class: 'muted' }, '查询各 WTO 成员针对出口产品的技术性贸易措施（TBT）和卫生与植物卫生措施（SPS）通报，按通报系列归组。'),
    form, feed, count, notice, list);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = { market: form.elements.market.value, product: product.value.trim(), open: open.checked };
    history.pushState(null, '', hrefOf(next));
    run();
  });
  window.addEventListener('popstate', () => {
    const st = readState();
    form.elements.market.value = st.market;
    product.value = st.product;
    open.checked = st.open;
    run();
  });

  let seq = 0;
  async function run() {
    const st = readState();
    const mine = ++seq;
    const href = feedHref(st);
    replace(feed, h('a', { href, class: 'atom', type: 'application/atom+xml' }, '订阅这些条件的通报（Atom）'));
    count.textContent = '查询中…';
    delete count.dataset.families;
    notice.replaceChildren();
    list.replaceChildren();
    let families;
    try {
      const { data } = await api('/api/v1/barriers', paramsOf(st));
      families = fromBarriers(data);
    } catch (e) {
      if (mine !== seq) return;
      if (!(e instanceof ApiError && e.status === 404)) {
        count.textContent = '查询失败';
        notice.appendChild(h('p', { class: 'notice error', role: 'alert' }, errorText(e)));
        return;
      }
      notice.appendChild(h('p', { class: 'notice', dataset: { fallback: '' } },
        '贸易措施专用接口（/api/v1/barriers）尚未开通，下面是 WTO 通报检索的结果，按通报系列归组。'));
      try {
        families = await fromSearch(st);
      } catch (e2) {
        if (mine !== seq) return;
        count.textContent = '查询失败';
        notice.appendChild(h('p', { class: 'notice error', role: 'alert' }, errorText(e2)));
        return;
      }
    }
    if (mine !== seq) return;
    const docs = families.reduce((n, f) => n + f.docs.length, 0);
    const openN = families.filter((f) => f.deadline && f.deadline >= today()).length;
    count.textContent = families.length
      ? `${st.market ? memberName(st.market) : '全部市场'}：${families.length} 个通报系列，共 ${docs} 份文件${openN ? `，其中 ${openN} 个正在征求意见` : ''}`
      : '没有找到符合条件的通报';
    count.dataset.families = String(families.length);
    list.replaceChildren(...families.map((f) => renderFamily(f)));
    if (!families.length && (st.product || st.open)) {
      list.appendChild(h('p', { class: 'notice empty' }, '可以试试：',
        st.open ? h('a', { href: hrefOf({ ...st, open: false }) }, '包括已截止的通报') : null, ' ',
        st.product ? h('a', { href: hrefOf({ ...st, product: '' }) }, '不限产品') : null));
    }
  }
  run();
}

/** The base symbol of a family: addenda, corrigenda and supplements belong to their base. */
function baseOf(symbol) {
  return symbol.replace(/(\/(Add|Corr|Suppl|Rev)\.\d+)+$/i, '');
}

function memberOf(symbol) {
  const parts = symbol.split('/');
  return parts.length > 3 ? parts[3] : '';
}

/** Families from a /barriers answer (either already grouped, or a flat list of notifications). */
function fromBarriers(data) {
  const groups = data.families || data.groups;
  if (Array.isArray(groups)) {
    return groups.map((g) => {
      const docs = (g.documents || g.notifications || g.members || g.items || []).map(docOf);
      const base = g.base || g.id || (docs[0] && baseOf(docs[0].id)) || '';
      return finish({ base, title: g.title_zh || g.title || g.title_en || null, member: g.member || memberOf(base), docs, deadline: g.comment_deadline || null });
    });
  }
  const flat = data.hits || data.notifications || data.items || data.results || [];
  return group(flat.map(docOf));
}

async function fromSearch(st) {
  const p = paramsOf(st);
  const { data } = await api('/api/v1/search', {
    kind: 'notification', member: p.market, hs: p.hs, q: p.q, open_on: p.open_on, sort: 'issue_date', limit: 100,
  });
  return group((data.hits || []).map(docOf));
}

function docOf(x) {
  return {
    id: x.id || x.symbol,
    title: x.title_zh || x.title_en || x.title || null,
    date: x.issue_date || x.distribution_date || null,
    deadline: x.comment_deadline || null,
  };
}

function group(docs) {
  const by = new Map();
  for (const d of docs) {
    if (!d.id) continue;
    const base = baseOf(d.id);
    if (!by.has(base)) by.set(base, { base, title: null, member: memberOf(base), docs: [], deadline: null });
    by.get(base).docs.push(d);
  }
  return [...by.values()].map(finish).sort((a, b) => (b.latest || '').localeCompare(a.latest || ''));
}

/** Sorts a family's documents and derives its title, latest date and open deadline. */
function finish(f) {
  f.docs.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  const base = f.docs.find((d) => d.id === f.base);
  f.title = f.title || (base && base.title) || (f.docs.find((d) => d.title) || {}).title || null;
  f.latest = f.docs.map((d) => d.date || '').sort().pop() || '';
  const deadlines = f.docs.map((d) => d.deadline).filter(Boolean).sort();
  f.deadline = f.deadline || deadlines.pop() || null;
  return f;
}

function renderFamily(f) {
  return h('section', { class: 'family', dataset: { base: f.base } },
    h('div', { class: 'family-head' },
      h('h2', null, f.docs.some((d) => d.id === f.base) ? h('a', { href: recordHref('notification', f.base) }, f.base) : f.base),
      f.member ? h('span', { class: 'kind' }, memberName(f.member)) : null,
      openBadge(f.deadline)),
    f.title ? h('p', { class: 'family-title' }, f.title) : null,
    h('ul', { class: 'refs' }, f.docs.map((d) => h('li', null,
      h('a', { href: recordHref('notification', d.id) }, d.id),
      d.date ? h('span', { class: 'muted' }, ` 分发 ${d.date}`) : null,
      d.deadline ? h('span', { class: 'muted' }, ` · 评议截止 ${d.deadline}`) : null,
      d.id !== f.base && d.title && d.title !== f.title ? h('span', null, ` ${d.title}`) : null))));
}

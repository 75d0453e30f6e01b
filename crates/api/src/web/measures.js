// The trade-measures page: pick a market and a product (HS code or words), see the WTO
// notifications grouped by family with "open for comment" badges, and subscribe to the Atom
// feed of the same query. It calls /api/v1/barriers; while that route does not exist (404) it
// says so and falls back to the notification search, grouped here by family.

import {
  api, ApiError, daysUntil, errorText, h, LABELS, memberName, recordHref, replace, setTitle, today,
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

/** Query parameters of a state: a product made of digits is an HS code, anything else words. */
function paramsOf(s) {
  const p = { market: s.market };
  if (s.product) {
    if (isHs(s.product)) p.hs = s.product.replace(/\s/g, '');
    else p.q = s.product;
  }
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
    h('label', { class: 'check' }, open, ' 只看正在征求意见的'),
    h('button', { type: 'submit', class: 'primary' }, '查询'));
  const count = h('p', { class: 'count', id: 'measures-count', role: 'status', 'aria-live': 'polite' });
  const notice = h('div', { class: 'notices' });
  const feed = h('p', { class: 'feed' });
  const list = h('div', { class: 'families', 'aria-labelledby': 'measures-count' });
  replace(main, h('h1', null, '贸易措施'),
    h('p', { class: 'muted' }, '查询各 WTO 成员针对出口产品的技术性贸易措施（TBT）和卫生与植物卫生措施（SPS）通报，同一措施的通报、补遗、更正和修订归为一组。'),
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
    replace(feed, h('a', { href: feedHref(st), class: 'atom', type: 'application/atom+xml' }, '订阅这些条件的新通报（Atom）'));
    count.textContent = '查询中…';
    delete count.dataset.families;
    notice.replaceChildren();
    list.replaceChildren();
    let answer;
    try {
      const { data } = await api('/api/v1/barriers', { ...paramsOf(st), open_on: today() });
      answer = fromBarriers(data);
    } catch (e) {
      if (mine !== seq) return;
      if (!(e instanceof ApiError && e.status === 404 && e.code !== 'invalid_parameter')) {
        count.textContent = '查询失败';
        notice.appendChild(h('p', { class: 'notice error', role: 'alert' }, errorText(e)));
        return;
      }
      notice.appendChild(h('p', { class: 'notice', dataset: { fallback: '' } },
        '贸易措施专用接口（/api/v1/barriers）尚未开通，下面是 WTO 通报检索的结果，按通报系列归组。'));
      try {
        answer = await fromSearch(st);
      } catch (e2) {
        if (mine !== seq) return;
        count.textContent = '查询失败';
        notice.appendChild(h('p', { class: 'notice error', role: 'alert' }, errorText(e2)));
        return;
      }
    }
    if (mine !== seq) return;
    const families = st.open ? answer.families.filter((f) => f.open) : answer.families;
    const openN = families.filter((f) => f.open).length;
    const where = [answer.market || (st.market ? memberName(st.market) : '全部市场'), answer.hs].filter(Boolean).join('，');
    count.textContent = families.length
      ? `${where}：${families.length} 项措施${openN ? `，其中 ${openN} 项正在征求意见` : ''}`
      : `${where}：没有找到符合条件的通报`;
    count.dataset.families = String(families.length);
    if (answer.relaxed) {
      notice.appendChild(h('p', { class: 'notice' }, `没有同时包含“${st.product}”全部词语的通报，下面是包含其中部分词语的结果。`));
    }
    list.replaceChildren(...families.map(renderFamily));
    if (!families.length && (st.product || st.open || st.market)) {
      list.appendChild(h('p', { class: 'notice empty' }, '可以试试：',
        st.open ? h('a', { href: hrefOf({ ...st, open: false }) }, '包括已截止的通报') : null, ' ',
        st.product ? h('a', { href: hrefOf({ ...st, product: '' }) }, '不限产品') : null, ' ',
        st.market ? h('a', { href: hrefOf({ ...st, market: '' }) }, '不限市场') : null));
    }
  }
  run();
}

const ROLE = { base: '通报', addendum: '补遗', corrigendum: '更正', revision: '修订', supplement: '补充' };
const STATE = {
  proposed: ['拟议中', 'st-upcoming'],
  adopted: ['已通过', 'st-current'],
  in_force: ['已生效', 'st-current'],
  withdrawn: ['已撤回', 'st-abolished'],
};

/** The /barriers answer in the page's terms. */
function fromBarriers(data) {
  const families = (data.families || []).map((f) => {
    const docs = (f.documents || []).map((d) => ({
      id: d.symbol,
      role: d.role,
      date: d.distribution_date,
      deadline: d.comment_deadline,
      title: d.title_zh || d.title_en || null,
      matched: d.matched,
    }));
    return {
      base: f.base,
      linkBase: docs.some((d) => d.id === f.base),
      member: f.member,
      title: f.title_zh || f.title_en || null,
      titleEn: f.title_zh ? f.title_en : null,
      products: f.products,
      hs: f.hs_codes || [],
      state: f.state ? f.state.label : null,
      open: Boolean(f.open_for_comment),
      daysLeft: f.days_left,
      deadline: f.comment_deadline,
      distributed: f.distribution_date,
      latest: f.last_update,
      entry: f.entry_into_force,
      weak: f.match_kind === 'product_text',
      cited: f.cited_standards || [],
      docs,
    };
  });
  const market = data.market ? data.market.name_zh || data.market.code : null;
  const hs = data.hs ? `HS ${data.hs.code}${data.hs.chapter_zh ? `（第 ${data.hs.chapter} 章 ${data.hs.chapter_zh}）` : ''}` : null;
  return { families, market, hs, relaxed: Boolean(data.relaxed) };
}

/** The base symbol of a family: addenda, corrigenda and revisions belong to their base. */
function baseOf(symbol) {
  return symbol.replace(/(\/(Add|Corr|Suppl|Rev)\.\d+)+$/i, '');
}

function roleOf(symbol) {
  const m = symbol.match(/\/(Add|Corr|Suppl|Rev)\.\d+$/i);
  return m ? { add: 'addendum', corr: 'corrigendum', suppl: 'supplement', rev: 'revision' }[m[1].toLowerCase()] : 'base';
}

/** Fallback while /barriers is missing: notification search hits grouped by family here. */
async function fromSearch(st) {
  const p = paramsOf(st);
  const { data } = await api('/api/v1/search', {
    kind: 'notification', member: p.market, hs: p.hs, q: p.q, sort: 'issue_date', limit: 100,
  });
  const by = new Map();
  for (const x of data.hits || []) {
    const base = baseOf(x.id);
    if (!by.has(base)) by.set(base, { base, member: x.id.split('/')[3] || '', hs: [], cited: [], docs: [] });
    by.get(base).docs.push({ id: x.id, role: roleOf(x.id), date: x.issue_date, deadline: x.comment_deadline, title: x.title_zh || x.title_en || null });
  }
  const families = [...by.values()].map((f) => {
    f.docs.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
    const own = f.docs.find((d) => d.id === f.base);
    f.linkBase = Boolean(own);
    f.title = (own && own.title) || (f.docs.find((d) => d.title) || {}).title || null;
    f.latest = f.docs.map((d) => d.date || '').sort().pop() || null;
    f.deadline = f.docs.map((d) => d.deadline).filter(Boolean).sort().pop() || null;
    f.daysLeft = daysUntil(f.deadline);
    f.open = f.daysLeft !== null && f.daysLeft >= 0;
    return f;
  }).sort((a, b) => (b.latest || '').localeCompare(a.latest || ''));
  return { families, market: null, hs: null, relaxed: Boolean(data.relaxed) };
}

function renderFamily(f) {
  const state = STATE[f.state];
  const dates = [
    f.distributed ? `分发 ${f.distributed}` : null,
    f.latest && f.latest !== f.distributed ? `最近更新 ${f.latest}` : null,
    f.deadline ? `评议截止 ${f.deadline}` : null,
    f.entry ? `生效 ${f.entry}` : null,
  ].filter(Boolean);
  const openText = f.open ? (f.daysLeft === 0 ? '征求意见中，今天截止' : `征求意见中，剩 ${f.daysLeft} 天`) : null;
  return h('section', { class: 'family', dataset: { base: f.base } },
    h('div', { class: 'family-head' },
      h('h2', null, f.linkBase ? h('a', { href: recordHref('notification', f.base) }, f.base) : f.base),
      f.member ? h('span', { class: 'kind' }, memberName(f.member)) : null,
      state ? h('span', { class: `badge ${state[1]}` }, state[0]) : null,
      openText ? h('span', { class: 'badge open', title: `评议截止日期 ${f.deadline}` }, openText) : null),
    f.title ? h('p', { class: 'family-title' }, f.title) : null,
    f.titleEn ? h('p', { class: 'en', lang: 'en' }, f.titleEn) : null,
    f.products ? h('p', { class: 'products' }, h('span', { class: 'muted' }, '产品：'), f.products,
      f.hs.length ? h('span', { class: 'muted' }, `（HS ${f.hs.join('、')}）`) : null) : null,
    f.weak ? h('p', { class: 'muted small' }, '按 HS 章的产品名称匹配，可能不完全相关。') : null,
    dates.length ? h('p', { class: 'dates' }, dates.join(' · ')) : null,
    f.cited.length ? h('p', { class: 'cited' }, h('span', { class: 'muted' }, '引用标准：'), f.cited.map((c, i) => [i ? '、' : '',
      c.id ? h('a', { href: recordHref('standard', c.id) }, c.id) : c.code])) : null,
    h('ul', { class: 'refs docs' }, f.docs.map((d) => h('li', null,
      h('a', { href: recordHref('notification', d.id) }, d.id),
      h('span', { class: 'muted' }, ` ${ROLE[d.role] || ''}${d.date ? ` · 分发 ${d.date}` : ''}${d.deadline ? ` · 评议截止 ${d.deadline}` : ''}`),
      d.id !== f.base && d.title && d.title !== f.title ? h('span', null, ` ${d.title}`) : null))));
}

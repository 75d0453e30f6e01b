// The market dossier page (/dossier): one market and one product, the four sections of
// GET /api/v1/dossier (measures with internal deadlines, cited standards with their Chinese
// adoptions, Chinese standards for the product), an XLSX download and a clean print layout.

import { api, errorText, h, LABELS, recordHref, replace, setTitle } from './util.js';

function readState() {
  const p = new URLSearchParams(location.search);
  return {
    market: p.get('market') || '', hs: p.get('hs') || '', q: p.get('q') || '',
    open_on: p.get('open_on') || '', lead_days: p.get('lead_days') || '',
  };
}

function paramsOf(s) {
  const p = {};
  for (const k of ['market', 'hs', 'q', 'open_on', 'lead_days']) if (s[k]) p[k] = s[k];
  return p;
}

const STATE = { proposed: '草案', adopted: '已批准', in_force: '已生效', withdrawn: '已撤回' };
const LEVEL = { national: '国家标准', industry: '行业标准', local: '地方标准', group: '团体标准', enterprise: '企业标准', international: '国际标准', foreign: '国外标准' };
const NATURE = { mandatory: '强制性', recommended: '推荐性', guidance: '指导性' };

function table(caption, headers, rows, empty) {
  if (!rows.length) return h('p', { class: 'muted' }, empty);
  return h('table', { class: 'dossier-table' },
    h('caption', { class: 'sr-only' }, caption),
    h('thead', null, h('tr', null, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, rows.map((r) => h('tr', null, r.map((c) => h('td', null, c))))));
}

function link(kind, id) {
  return h('a', { href: recordHref(kind, id) }, id);
}

/** Renders `/dossier`. */
export async function renderDossier(main) {
  setTitle('市场档案');
  const s = readState();
  const members = Object.entries(LABELS.members || {}).sort((a, b) => a[1].localeCompare(b[1], 'zh-CN'));
  const market = h('select', { name: 'market', id: 'd-market', required: true },
    h('option', { value: '' }, '选择目标市场'),
    members.map(([code, name]) => h('option', { value: code, selected: code === s.market }, `${name}（${code}）`)));
  const form = h('form', { class: 'dossier-form no-print', method: 'get', action: '/dossier' },
    h('label', { for: 'd-market' }, '目标市场'), market,
    h('label', { for: 'd-hs' }, 'HS 编码'), h('input', { id: 'd-hs', name: 'hs', value: s.hs, placeholder: '如 9503' }),
    h('label', { for: 'd-q' }, '产品名称'), h('input', { id: 'd-q', name: 'q', value: s.q, placeholder: '如 玩具' }),
    h('label', { for: 'd-open' }, '判断日期'), h('input', { id: 'd-open', name: 'open_on', type: 'date', value: s.open_on }),
    h('label', { for: 'd-lead' }, '内部提前天数'), h('input', { id: 'd-lead', name: 'lead_days', type: 'number', min: 0, max: 365, value: s.lead_days, placeholder: '30' }),
    h('button', { type: 'submit', class: 'primary' }, '生成档案'));
  const out = h('div', { class: 'dossier', role: 'region', 'aria-live': 'polite' });
  replace(main, h('section', { class: 'dossier-page' }, h('h1', null, '市场档案'), form, out));
  if (!s.market || (!s.hs && !s.q)) {
    out.appendChild(h('p', { class: 'muted' }, '选择市场并填写 HS 编码或产品名称，生成该市场、该产品的通报措施、引用标准及其中国采标、国内标准清单。'));
    return;
  }
  let d;
  try {
    d = (await api('/api/v1/dossier', paramsOf(s))).data;
  } catch (e) {
    out.appendChild(h('p', { class: 'notice error', role: 'alert' }, errorText(e)));
    return;
  }
  const xlsx = `/api/v1/dossier?${new URLSearchParams({ ...paramsOf(s), format: 'xlsx' })}`;
  const m = d.market ? `${d.market.name_zh}（${d.market.code}）` : '';
  const hs = d.hs ? `HS ${d.hs.code} ${d.hs.chapter_zh || ''}` : '';
  setTitle(`市场档案 ${m} ${hs} ${d.q || ''}`);
  out.append(
    h('p', { class: 'dossier-scope' }, h('strong', null, m), ' ', hs, ' ', d.q || '',
      h('span', { class: 'muted' }, ` · 判断日期 ${d.open_on} · 内部截止提前 ${d.lead_days} 天`)),
    h('p', { class: 'no-print actions' },
      h('a', { href: xlsx, class: 'button', download: '' }, '下载 XLSX'), ' ',
      h('button', { type: 'button', onclick: () => window.print() }, '打印')),
    h('h2', null, `通报措施（${d.measures.length}）`),
    // Days left count to the WTO comment deadline; the internal deadline (lead time earlier) has
    // its own count, negative once it has passed while the WTO period is still open.
    table('通报措施', ['通报号', '成员', '标题', '状态', '评议截止', '剩余天数', '内部截止', '内部剩余天数'], d.measures.map((x) => [
      link('notification', x.base),
      [x.member_name || x.member || '', x.inherited_from ? h('span', { class: 'muted' }, `（${x.inherited_from}）`) : null],
      x.title_zh || x.title_en || '',
      STATE[x.state.label] || x.state.label,
      x.comment_deadline || '',
      x.days_left == null ? '' : String(x.days_left),
      x.internal_deadline || '',
      x.internal_days_left == null ? '' : (x.internal_days_left < 0 ? `已过 ${-x.internal_days_left} 天` : String(x.internal_days_left)),
    ]), '没有找到适用的通报措施。'),
    h('h2', null, `引用的国际/国外标准（${d.cited.length}）`),
    table('引用标准', ['标准号', '索引记录', '全文', '中国采标'], d.cited.map((c) => [
      c.code,
      c.id ? link('standard', c.id) : h('span', { class: 'muted' }, '未收录'),
      c.has_text ? '有' : '无',
      c.adopted_by.length ? c.adopted_by.map((a, i) => [i ? '、' : '', link('standard', a.id), a.degree ? ` ${a.degree}` : '']) : h('span', { class: 'muted' }, '—'),
    ]), '这些措施没有引用标准。'),
    h('h2', null, `国内标准（${d.chinese.length}${d.chinese_total > d.chinese.length ? ` / ${d.chinese_total}` : ''}）`),
    table('国内标准', ['标准号', '标准名称', '级别', '性质', '状态', '实施日期'], d.chinese.map((x) => [
      link('standard', x.id), x.title_zh || x.title_en || '', LEVEL[x.level] || x.level,
      NATURE[x.nature] || x.nature || '', x.status_label_zh || '', x.implement_date || '',
    ]), '索引中没有该产品的国内标准。'));
}

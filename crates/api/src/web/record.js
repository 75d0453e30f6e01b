// Record pages: a standard (metadata, edition chain, references, citing documents, related
// notifications, text by sections with a table of contents and the query's hits marked), a WTO
// notification (with its family) and a regulation (articles with a table of contents).

import {
  api, ApiError, errorText, h, idFromPath, KIND, markTerms, memberName, openBadge, recordHref,
  replace, setTitle, snippetTerms, STATUS, BASIS, statusBadge,
} from './util.js';
import { searchBox } from './suggest.js';

const LEVEL = {
  national: '国家标准', industry: '行业标准', local: '地方标准', group: '团体标准',
  enterprise: '企业标准', international: '国际标准', foreign: '国外标准',
};
const NATURE = { mandatory: '强制性', recommended: '推荐性', guidance: '指导性技术文件' };
const QUALITY = {
  ocr: ['warn', '本标准正文由扫描件经 OCR 识别得到，可能有错字，请以正式文本为准。'],
  garbled: ['warn', '本标准正文提取质量较差，可能含有乱码，请以正式文本为准。'],
  no_text: ['info', '本标准的文件中没有可提取的文字（可能为扫描件），目前只有题录信息。'],
  missing: ['info', '本标准暂无正文，目前只有题录信息。'],
};

function query() {
  return new URLSearchParams(location.search).get('q') || '';
}

/** The top of every record page: a compact search box and a link back to the results. */
function top(main) {
  const q = query();
  const { form } = searchBox({ value: q });
  const back = q ? h('a', { class: 'back', href: `/?q=${encodeURIComponent(q)}` }, `‹ 返回“${q}”的检索结果`) : null;
  return h('div', { class: 'record-top' }, form, back);
}

function failed(main, e, what) {
  const msg = e instanceof ApiError && e.status === 404 ? `没有找到${what}。` : errorText(e);
  replace(main, top(main), h('div', { class: 'notice error', role: 'alert' }, h('p', null, msg),
    h('p', null, h('a', { href: `/?q=${encodeURIComponent(idFromPath(`/${location.pathname.split('/')[1]}/`))}` }, '在检索中查找'))));
  setTitle(what);
}

/** A definition list from [label, value] pairs, skipping empty values. */
function facts(rows) {
  const dl = h('dl', { class: 'facts' });
  for (const [label, value] of rows) {
    if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) continue;
    dl.append(h('dt', null, label), h('dd', null, value));
  }
  return dl;
}

/** A link to a record with its status badge. */
function refLink(r, q) {
  return [
    h('a', { href: recordHref(r.kind, r.id, q) }, r.id), ' ',
    r.status ? statusBadge(r.status, STATUS[r.status], r.status_basis) : null,
    r.title ? h('span', { class: 'ref-title' }, ` ${r.title}`) : null,
  ];
}

function refList(items, q, empty) {
  if (!items.length) return h('p', { class: 'muted' }, empty);
  return h('ul', { class: 'refs' }, items.map((r) => h('li', null, refLink(r, q))));
}

/** Classification codes as links to the search filtered on them. */
function classLinks(key, codes) {
  return (codes || []).map((c, i) => [i ? '；' : '', h('a', { href: `/?${key}=${encodeURIComponent(c)}`, title: `检索 ${key.toUpperCase()} ${c} 下的全部标准` }, c)]);
}

function section(id, title, ...children) {
  return h('section', { class: 'block', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/**
 * Hit words of `q` as the search engine matched them (the <em> of its snippets), plus the typed
 * words. Resolves to a function of a record id: the words matched in that record when the search
 * found it, else those matched anywhere.
 */
async function hitTerms(q) {
  const typed = q ? q.split(/\s+/).filter((w) => w.length > 1) : [];
  const all = new Set(typed);
  const byId = new Map();
  if (q) {
    try {
      const { data } = await api('/api/v1/search', { q, snippets: 'true', limit: 20 });
      for (const hit of data.hits || []) {
        const mine = new Set(typed);
        for (const x of hit.highlights || []) {
          for (const t of snippetTerms(x.html)) { mine.add(t); all.add(t); }
        }
        byId.set(hit.id, [...mine]);
      }
    } catch (e) {
      // highlighting is a convenience; the page works without it
    }
  }
  return (id) => byId.get(id) || [...all];
}

/** Sections (with a table of contents) with the query's hit words marked. */
function textBlock(sections, terms, label) {
  const toc = h('ol', { class: 'toc-list' });
  const body = h('div', { class: 'sections' });
  let total = 0;
  sections.forEach((s, i) => {
    const id = `sec-${i + 1}`;
    const heading = [s.number, s.title].filter(Boolean).join(' ');
    const level = Math.min(Math.max(s.level || 1, 1), 4);
    const paras = h('div', { class: 'sec-text' });
    let count = 0;
    for (const para of String(s.text || '').split(/\n+/)) {
      if (!para.trim()) continue;
      const m = markTerms(para, terms);
      count += m.count;
      paras.appendChild(h('p', null, m.frag));
    }
    total += count;
    body.appendChild(h('section', { class: `sec lvl-${level}`, id, 'aria-label': heading || `第 ${i + 1} 节` },
      h(`h${Math.min(level + 2, 6)}`, { class: 'sec-head' }, heading || '（无标题）'), paras));
    toc.appendChild(h('li', { class: `lvl-${level}` },
      h('a', { href: `#${id}` }, heading || `第 ${i + 1} 节`),
      count ? h('span', { class: 'hits-n', title: `${count} 处匹配` }, String(count)) : null));
  });
  const nav = h('nav', { class: 'toc', 'aria-label': `${label}目录` },
    h('details', { open: window.matchMedia('(min-width: 800px)').matches }, h('summary', null, '目录'), toc));
  return { nav, body, total };
}

/** Renders `/standard/{code}`. */
export async function renderStandard(main) {
  const code = idFromPath('/standard/');
  const q = query();
  setTitle(code);
  const termsP = hitTerms(q);
  let res;
  try {
    const asOf = new URLSearchParams(location.search).get('as_of');
    res = await api(`/api/v1/standards/${encodeURIComponent(code)}`, asOf ? { text: 'full', as_of: asOf } : { text: 'full' });
  } catch (e) {
    failed(main, e, `标准 ${code}`);
    return;
  }
  const d = res.data;
  // The API redirects other spellings and undated codes to the canonical edition: show that URL.
  const canonical = recordHref('standard', d.id, q);
  if (decodeURI(location.pathname + location.search) !== decodeURI(canonical)) history.replaceState(null, '', canonical);
  setTitle(`${d.id} ${d.title_zh || ''}`);
  const terms = (await termsP)(d.id);

  const quality = QUALITY[d.text_quality];
  const editions = d.editions || [];
  const status = d.status;
  const head = h('header', { class: 'record-head' },
    h('p', { class: 'record-code' }, h('span', { class: 'code' }, d.id), ' ', statusBadge(status, d.status_label_zh, d.status_basis)),
    h('h1', null, d.title_zh || d.title_en || d.id),
    d.title_zh && d.title_en ? h('p', { class: 'en', lang: 'en' }, d.title_en) : null,
    quality ? h('p', { class: `notice quality ${quality[0]}`, role: 'note', dataset: { quality: d.text_quality } }, quality[1]) : null);

  const meta = facts([
    ['标准号', d.id],
    ['状态', status ? [statusBadge(status, d.status_label_zh, d.status_basis),
      h('span', { class: 'muted basis-note' }, `（${BASIS[d.status_basis] || d.status_basis}，${d.as_of}）`),
      d.sources_disagree ? h('span', { class: 'notice disagree', role: 'note' },
        `来源标注为“${STATUS[d.stated_status] || d.stated_status}”，与日期和代替关系不符，以上为推导结果。`) : null] : null],
    ['发布日期', d.issue_date],
    ['实施日期', d.implement_date],
    ['废止日期', d.abolish_date],
    ['标准级别', LEVEL[d.level] || d.level],
    ['性质', NATURE[d.nature] || d.nature],
    ['地区', d.region],
    ['行业', d.industry],
    ['ICS 分类', classLinks('ics', d.ics)],
    ['CCS 分类', classLinks('ccs', d.ccs)],
    ['主管部门', d.department],
    ['归口单位', d.technical_committee],
    ['起草单位', (d.drafters || []).join('、')],
    ['采用国际标准', d.adoption],
    ['类别', d.category],
  ]);

  const chain = h('div', { class: 'chain' });
  const codeLinks = (codes) => codes.map((c, i) => [i ? '、' : '', h('a', { href: recordHref('standard', c, q) }, c)]);
  if ((d.replaces || []).length) chain.appendChild(h('p', null, h('strong', null, '代替：'), codeLinks(d.replaces)));
  if ((d.replaced_by || []).length) chain.appendChild(h('p', null, h('strong', null, '被代替：'), codeLinks(d.replaced_by)));
  if (editions.length > 1) chain.appendChild(h('p', { class: 'editions-head' }, h('strong', null, '全部版本（从新到旧）：')));
  chain.appendChild(editions.length > 1
    ? h('ol', { class: 'editions', 'aria-label': '全部版本（从新到旧）' }, editions.map((r) => h('li', { class: r.id === d.id ? 'this' : null, 'aria-current': r.id === d.id ? 'page' : null },
      [r.id === d.id ? [h('strong', null, r.id), ' ', statusBadge(r.status, STATUS[r.status], r.status_basis), h('span', { class: 'muted' }, '（本版本）')] : refLink(r, q),
        r.in_force ? h('span', { class: 'in-force' }, ' ◀ 现行有效版本') : null,
        r.in_index === false ? h('span', { class: 'muted' }, '（未收录）') : null])))
    : h('p', { class: 'muted' }, '索引中没有该标准的其他版本。'));

  const refs = (d.references || []).map((r) => (r.record
    ? h('li', null, refLink(r.record, q), r.record.id !== r.code ? h('span', { class: 'muted' }, `（引用为 ${r.code}）`) : null)
    : h('li', null, h('span', { class: 'code' }, r.code), h('span', { class: 'muted' }, '（未收录）'))));

  // 采标: what this standard adopts, and (foreign standards) the Chinese standards adopting it.
  const adoptItem = (a, showAdopts) => h('li', { class: 'adoption' },
    a.record ? refLink(a.record, q) : [h('span', { class: 'code' }, a.code), h('span', { class: 'muted' }, '（未收录）')],
    ' ', a.degree ? h('span', { class: 'degree', title: a.degree_zh || '' }, a.degree) : null,
    showAdopts && a.adopts && a.adopts !== d.id ? h('span', { class: 'muted' }, `（采用 ${a.adopts}）`) : null);
  const adopts = d.adopts || [];
  const adoptedBy = d.adopted_by || [];
  const parts = [
    section('h-meta', '基本信息', meta, d.scope ? h('p', { class: 'scope' }, h('strong', null, '范围：'), d.scope) : null),
    section('h-editions', '版本沿革', chain),
    section('h-refs', '规范性引用文件', refs.length ? h('ul', { class: 'refs' }, refs) : h('p', { class: 'muted' }, '无规范性引用文件或正文未收录。')),
    section('h-cited', '引用本标准的文件', refList(d.cited_by || [], q, '索引中没有引用本标准的文件。')),
    section('h-notif', '相关 WTO 通报', refList(d.notifications || [], q, '没有提及本标准的 WTO 通报。')),
  ];
  if (adopts.length) parts.splice(2, 0, section('h-adopts', '采用的国际/国外标准', h('ul', { class: 'adoptions' }, adopts.map((a) => adoptItem(a, false)))));
  if (d.level === 'international' || d.level === 'foreign') {
    parts.splice(2, 0, section('h-adopted-by', '采用本标准的中国标准', adoptedBy.length
      ? h('ul', { class: 'adoptions' }, adoptedBy.map((a) => adoptItem(a, true)))
      : h('p', { class: 'muted' }, '索引中没有采用本标准的中国标准。')));
  }
  // Where each field came from (catalog row, PDF cover, body text, file name).
  const srcEntries = Object.entries(d.sources || {});
  if (srcEntries.length) {
    const FIELD = { code: '标准号', title_zh: '中文名称', title_en: '英文名称', status: '状态标注', issue_date: '发布日期',
      implement_date: '实施日期', abolish_date: '废止日期', replaces: '代替', replaced_by: '被代替', ics: 'ICS 分类',
      ccs: 'CCS 分类', department: '主管部门', technical_committee: '归口单位', drafters: '起草单位',
      adoption: '采用国际标准', scope: '范围', category: '类别', sections: '正文', references: '规范性引用文件', terms: '术语和定义' };
    const KIND = { catalog: '目录', cover: '封面', text: '正文', file_name: '文件名' };
    parts.push(section('h-sources', '数据来源', h('div', { class: 'table-wrap' }, h('table', { class: 'sources' },
      h('thead', null, h('tr', null, h('th', null, '字段'), h('th', null, '来源'), h('th', null, '文件'))),
      h('tbody', null, srcEntries.map(([f, s]) => h('tr', { dataset: { field: f, kind: s.kind } },
        h('td', null, FIELD[f] || f), h('td', null, KIND[s.kind] || s.kind),
        h('td', null, s.line ? `${s.file} 第 ${s.line} 条` : s.file))))))));
  }
  if ((d.terms || []).length) {
    parts.push(section('h-terms', '术语和定义', h('dl', { class: 'terms' }, d.terms.map((t) => [
      h('dt', null, `${t.number} ${t.term_zh}`, t.term_en ? h('span', { class: 'en', lang: 'en' }, ` ${t.term_en}`) : null),
      h('dd', null, markTerms(t.definition, terms).frag)]))));
  }
  const sections = d.sections || [];
  let nav = null;
  if (sections.length) {
    const t = textBlock(sections, terms, '正文');
    nav = t.nav;
    const hitNote = q ? h('p', { class: 'muted', role: 'status' }, t.total ? `正文中“${q}”共标出 ${t.total} 处。` : `正文中没有找到“${q}”。`) : null;
    parts.push(section('h-text', '正文', hitNote, t.body));
  } else {
    parts.push(section('h-text', '正文', h('p', { class: 'muted' }, quality ? quality[1] : '暂无正文。')));
  }
  replace(main, top(main), h('article', { class: 'record standard', dataset: { id: d.id } }, head,
    h('div', { class: 'record-body' }, nav ? h('div', { class: 'toc-col' }, nav) : null, h('div', { class: 'record-main' }, parts))));
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
}

/** Renders `/notification/{symbol}`. */
export async function renderNotification(main) {
  const symbol = idFromPath('/notification/');
  const q = query();
  setTitle(symbol);
  let d;
  try {
    d = (await api(`/api/v1/notifications/${symbol.split('/').map(encodeURIComponent).join('/')}`)).data;
  } catch (e) {
    failed(main, e, `通报 ${symbol}`);
    return;
  }
  setTitle(`${d.id} ${d.title_zh || d.title_en || ''}`);
  const terms = (await hitTerms(q))(d.id);
  const mark = (t) => (t ? markTerms(t, terms).frag : null);
  const cited = (d.cited_standards || []).map((r) => (r.record
    ? h('li', null, refLink(r.record, q))
    : h('li', null, h('span', { class: 'code' }, r.code), h('span', { class: 'muted' }, '（未收录）'))));
  const member = d.member ? `${memberName(d.member)}${d.member_name && memberName(d.member) !== d.member_name ? `（${d.member_name}）` : ''}` : d.member_name;
  replace(main, top(main), h('article', { class: 'record notification', dataset: { id: d.id } },
    h('header', { class: 'record-head' },
      h('p', { class: 'record-code' }, h('span', { class: 'code' }, d.id), ' ', h('span', { class: 'kind' }, `${d.agreement} 通报`), ' ', openBadge(d.comment_deadline)),
      h('h1', null, d.title_zh || d.title_en || d.id),
      d.title_zh && d.title_en ? h('p', { class: 'en', lang: 'en' }, d.title_en) : null),
    h('div', { class: 'record-main' },
      section('h-meta', '基本信息', facts([
        ['通报成员', member],
        ['协定', d.agreement],
        ['分发日期', d.distribution_date],
        ['评议截止日期', d.comment_deadline],
        ['拟批准日期', d.proposed_adoption],
        ['拟生效日期', d.entry_into_force],
        ['产品', mark(d.products)],
        ['HS 编码', (d.hs_codes || []).map((c, i) => [i ? '、' : '', h('a', { href: `/measures?hs=${encodeURIComponent(c)}` }, c)])],
        ['ICS 分类', (d.ics_codes || []).join('；')],
        ['目的', (d.objectives || []).join('；')],
        ['语言', d.language],
      ])),
      d.description ? section('h-desc', '内容概述', h('p', { class: 'desc' }, mark(d.description))) : null,
      section('h-family', '同一通报的系列文件', (d.family || []).length > 1
        ? h('ul', { class: 'refs' }, d.family.map((r) => h('li', { 'aria-current': r.id === d.id ? 'page' : null },
          r.id === d.id ? [h('strong', null, r.id), h('span', { class: 'muted' }, '（本文件）')] : refLink(r, q))))
        : h('p', { class: 'muted' }, '没有补遗、更正或修订。')),
      section('h-cited', '引用的标准', cited.length ? h('ul', { class: 'refs' }, cited) : h('p', { class: 'muted' }, '通报未引用标准。')),
      (d.related || []).length ? section('h-related', '提及的其他通报', h('ul', { class: 'refs' }, d.related.map((s) => h('li', null, h('a', { href: recordHref('notification', s, q) }, s))))) : null)));
}

/** Renders `/regulation/{id}`. */
export async function renderRegulation(main) {
  const id = idFromPath('/regulation/');
  const q = query();
  setTitle(id);
  let d;
  try {
    d = (await api(`/api/v1/regulations/${encodeURIComponent(id)}`)).data;
  } catch (e) {
    failed(main, e, '该法规');
    return;
  }
  setTitle(d.title);
  const terms = (await hitTerms(q))(d.id);
  const t = textBlock(d.sections || [], terms, '法规');
  replace(main, top(main), h('article', { class: 'record regulation', dataset: { id: d.id } },
    h('header', { class: 'record-head' }, h('p', { class: 'record-code' }, h('span', { class: 'kind' }, KIND.regulation)), h('h1', null, d.title)),
    h('div', { class: 'record-body' }, h('div', { class: 'toc-col' }, t.nav), h('div', { class: 'record-main' },
      section('h-meta', '基本信息', facts([['制定机关', d.issuer], ['公布日期', d.promulgated], ['施行日期', d.effective]])),
      section('h-text', '正文', t.body)))));
}

// The 查新 page: paste a document's text or drop a file (PDF, DOCX, TXT, MD, HTML); the page
// POSTs it to /api/v1/check and shows every cited standard with its status on the chosen date,
// the edition in force and where it is cited, with CSV/XLSX downloads of the same table. The
// document goes only to this server and is not stored there (see README, 查新).

import { ApiError, errorText, h, recordHref, replace, setTitle, today } from './util.js';

const LABEL = {
  current: '现行', upcoming: '即将实施', replaced: '被代替', abolished: '废止', unknown: '未收录',
};

/** POSTs the form data; resolves to the Response (JSON or a download), rejects with ApiError. */
async function post(data, format) {
  const url = format ? `/api/v1/check?format=${format}` : '/api/v1/check';
  let res;
  try {
    res = await fetch(url, { method: 'POST', body: data, headers: { accept: 'application/json' } });
  } catch (e) {
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试');
  }
  if (!res.ok) {
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    const err = body && body.error ? body.error : {};
    throw new ApiError(res.status, err.code || String(res.status), err.message || res.statusText);
  }
  return res;
}

function badge(status) {
  return h('span', { class: `badge st-${status}` }, LABEL[status] || status);
}

function standardLink(id, page) {
  return page ? h('a', { href: recordHref('standard', id) }, id) : h('span', {}, id);
}

function row(r) {
  const occ = r.occurrences || [];
  const places = [...new Set(occ.map((o) => o.section || `第${o.line}段`))];
  const current = r.current_edition
    ? [standardLink(r.current_edition, r.current_page),
      r.current_edition_in_index ? null : h('span', { class: 'muted' }, '（未收录）')]
    : (r.status === 'abolished' ? h('span', { class: 'muted' }, '无替代标准') : '');
  return h('tr', { class: r.out_of_date ? 'stale' : null },
    h('td', {}, standardLink(r.id, r.page), r.dated ? null : h('span', { class: 'muted' }, '（未注日期）')),
    h('td', {}, r.title_zh || r.title_cited || ''),
    h('td', {}, badge(r.status)),
    h('td', {}, current),
    h('td', {}, (r.chain || []).length > 1 ? r.chain.join(' → ') : ''),
    h('td', {},
      h('details', {},
        h('summary', {}, `${occ.length} 处：${places.join('、')}`),
        h('ul', {}, occ.map((o) => h('li', {}, h('span', { class: 'muted' }, o.section || `第${o.line}段`), ' ', o.context))))));
}

function results(answer, data) {
  const s = answer.summary;
  const summary = h('p', { class: 'count', role: 'status' },
    `查新日期 ${answer.as_of}：引用标准 ${s.references} 项，需更新 ${s.out_of_date} 项。`,
    ' ', badge('current'), ` ${s.current} `, badge('upcoming'), ` ${s.upcoming} `,
    badge('replaced'), ` ${s.replaced} `, badge('abolished'), ` ${s.abolished} `,
    badge('unknown'), ` ${s.unknown}`);
  const download = (format, label) => h('button', {
    type: 'button',
    onclick: async (ev) => {
      const button = ev.currentTarget;
      button.disabled = true;
      try {
        const res = await post(data, format);
        const blob = await res.blob();
        const a = h('a', { href: URL.createObjectURL(blob), download: `查新-${answer.as_of}.${format}` });
        document.body.appendChild(a);
        a.click();
        a.remove();
      } catch (e) {
        alert(errorText(e));
      } finally {
        button.disabled = false;
      }
    },
  }, label);
  const actions = h('p', { class: 'actions no-print' },
    download('xlsx', '下载 Excel'), ' ', download('csv', '下载 CSV'), ' ',
    h('button', { type: 'button', onclick: () => window.print() }, '打印'));
  const warnings = (answer.document.warnings || []).map((w) => h('p', { class: 'notice' }, w));
  if (!answer.references.length) {
    return [summary, warnings, h('p', { class: 'notice' }, '文中没有找到标准编号。')];
  }
  const table = h('table', { class: 'check-table' },
    h('thead', {}, h('tr', {}, ['标准号', '标准名称', '状态', '现行版本', '代替关系', '出现位置'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, answer.references.map(row)));
  return [summary, actions, warnings, h('div', { class: 'table-wrap' }, table)];
}

/** Renders `/check`. */
export function renderCheck(main) {
  setTitle('标准查新');
  const text = h('textarea', { id: 'check-text', name: 'text', rows: 8, placeholder: '粘贴文件正文，或在下方选择文件（PDF、Word（.docx/.doc）、TXT、Markdown、HTML）' });
  const file = h('input', { id: 'check-file', name: 'file', type: 'file', accept: '.pdf,.docx,.doc,.txt,.md,.html,.htm' });
  const asOf = h('input', { id: 'check-as-of', name: 'as_of', type: 'date', value: today() });
  const out = h('section', { id: 'check-results', 'aria-live': 'polite' });
  const form = h('form', { class: 'check-form no-print', 'aria-label': '标准查新' },
    h('label', { for: 'check-text' }, '文件正文'), text,
    h('label', { for: 'check-file', class: 'drop' }, '或选择文件：', file),
    h('label', { for: 'check-as-of' }, '查新日期'), asOf,
    h('button', { type: 'submit', class: 'primary' }, '查新'),
    h('p', { class: 'muted' }, '文件只用于本次查新，不保存、不编入索引、不写入日志。'));
  form.addEventListener('dragover', (ev) => ev.preventDefault());
  form.addEventListener('drop', (ev) => {
    ev.preventDefault();
    if (ev.dataTransfer && ev.dataTransfer.files.length) file.files = ev.dataTransfer.files;
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const data = new FormData();
    if (file.files && file.files.length) data.append('file', file.files[0]);
    else if (text.value.trim()) data.append('text', text.value);
    else {
      replace(out, h('p', { class: 'notice error', role: 'alert' }, '请粘贴正文或选择文件。'));
      return;
    }
    if (asOf.value) data.append('as_of', asOf.value);
    replace(out, h('p', { class: 'loading', role: 'status' }, '查新中…'));
    try {
      const res = await post(data);
      replace(out, results(await res.json(), data));
    } catch (e) {
      replace(out, h('p', { class: 'notice error', role: 'alert' }, errorText(e)));
    }
  });
  replace(main, h('h1', {}, '标准查新'), h('p', { class: 'muted no-print' }, '检查文件引用的标准是否现行，给出替代标准。'), form, out);
}

// The search box with suggestions as you type (codes and titles from /api/v1/suggest), built on
// the ARIA combobox pattern: arrows move through the list, Enter opens the highlighted record
// (or searches when none is), Escape closes the list, and the list is announced to screen
// readers through aria-activedescendant.

import { api, h, KIND, recordHref } from './util.js';

let uid = 0;

/** The title shown next to a suggested code (`text` is the code itself when `source` is `code`). */
function suggestionTitle(s) {
  if (s.title) return s.title;
  return s.source === 'code' || s.text === s.id ? '' : s.text || '';
}

/**
 * Builds the search form. `onSearch(q)` runs on submit; without it the form navigates to
 * `/?q=...`. Returns `{ form, input }`.
 */
export function searchBox({ value = '', onSearch, big = false } = {}) {
  uid += 1;
  const listId = `suggest-list-${uid}`;
  const input = h('input', {
    type: 'search',
    name: 'q',
    value,
    class: 'q',
    role: 'combobox',
    'aria-label': '检索词：标准号、标准名称或关键词',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': listId,
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: '输入标准号或关键词，如 GB/T 7714、马铃薯 种薯',
  });
  const list = h('ul', { id: listId, role: 'listbox', class: 'suggest', 'aria-label': '检索建议', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary' }, '检索');
  const form = h('form', { class: big ? 'searchbox big' : 'searchbox', role: 'search', action: '/', method: 'get' },
    h('div', { class: 'combo' }, input, list), button);

  let items = [];
  let active = -1;
  let timer = 0;
  let seq = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const setActive = (i) => {
    const opts = list.querySelectorAll('[role=option]');
    opts.forEach((o, j) => o.setAttribute('aria-selected', j === i ? 'true' : 'false'));
    active = i;
    if (i >= 0 && opts[i]) {
      input.setAttribute('aria-activedescendant', opts[i].id);
      opts[i].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };
  const open = (s) => {
    location.href = recordHref(s.kind, s.id);
  };
  const show = (suggestions) => {
    items = suggestions;
    list.replaceChildren();
    items.forEach((s, i) => {
      const li = h('li', {
        id: `${listId}-${i}`,
        role: 'option',
        'aria-selected': 'false',
        class: 'opt',
        // mousedown, not click: it must win over the input's blur
        onmousedown: (e) => { e.preventDefault(); open(s); },
      },
      h('span', { class: 'opt-code' }, s.id),
      h('span', { class: 'opt-title' }, suggestionTitle(s)),
      s.kind !== 'standard' ? h('span', { class: 'opt-kind' }, KIND[s.kind] || s.kind) : null);
      list.appendChild(li);
    });
    if (items.length) {
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    } else {
      close();
    }
    active = -1;
  };
  const fetchSuggestions = async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) { show([]); return; }
    try {
      const { data } = await api('/api/v1/suggest', { q, limit: 8 });
      if (mine === seq && document.activeElement === input) show(data.suggestions || []);
    } catch (e) {
      // suggestions are a convenience: a failed or rate-limited call just shows none
      if (mine === seq) show([]);
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 150);
  });
  input.addEventListener('keydown', (e) => {
    const n = items.length;
    if (e.key === 'ArrowDown') {
      if (list.hidden && n) { list.hidden = false; input.setAttribute('aria-expanded', 'true'); }
      if (n) { e.preventDefault(); setActive((active + 1) % n); }
    } else if (e.key === 'ArrowUp') {
      if (n && !list.hidden) { e.preventDefault(); setActive(active <= 0 ? n - 1 : active - 1); }
    } else if (e.key === 'Enter') {
      if (!list.hidden && active >= 0 && items[active]) {
        e.preventDefault();
        open(items[active]);
      } else {
        close();
      }
    } else if (e.key === 'Escape') {
      if (!list.hidden) { e.preventDefault(); close(); }
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 100));
  form.addEventListener('submit', (e) => {
    clearTimeout(timer);
    seq += 1; // drop answers still in flight
    close();
    const q = input.value.trim();
    if (onSearch) {
      e.preventDefault();
      onSearch(q);
    }
  });
  return { form, input };
}

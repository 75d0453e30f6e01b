// Entry module of the page: picks the page from the path (the server answers the same shell for
// every page route) and marks the current navigation link.

import { h, replace } from './util.js';
import { renderSearch } from './search.js';
import { renderStandard, renderNotification, renderRegulation } from './record.js';
import { renderMeasures } from './measures.js';
import { renderCheck } from './check.js';
import { renderDossier } from './dossier.js';

const main = document.getElementById('main');
const path = location.pathname;

let page = 'search';
if (path.startsWith('/standard/')) page = 'standard';
else if (path.startsWith('/notification/')) page = 'notification';
else if (path.startsWith('/regulation/')) page = 'regulation';
else if (path === '/measures') page = 'measures';
else if (path === '/check') page = 'check';
else if (path === '/dossier') page = 'dossier';

for (const a of document.querySelectorAll('header.site nav a')) {
  const current = a.dataset.nav === page || (a.dataset.nav === 'search' && page !== 'measures' && page !== 'check' && page !== 'dossier');
  if (current) a.setAttribute('aria-current', 'page');
}
document.body.dataset.page = page;

const render = {
  search: renderSearch,
  standard: renderStandard,
  notification: renderNotification,
  regulation: renderRegulation,
  measures: renderMeasures,
  check: renderCheck,
  dossier: renderDossier,
}[page];

Promise.resolve()
  .then(() => render(main))
  .catch((e) => {
    replace(main, h('p', { class: 'notice error', role: 'alert' }, `页面出错：${e && e.message ? e.message : e}`));
  });

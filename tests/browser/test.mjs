// Headless-Chromium test of the biaozhun web page against a running `biaozhun serve` on the
// fixtures (run.sh starts it and sets BASE_URL). Each check runs in a fresh page; failures are
// collected, screenshots saved to SCREENSHOT_DIR, and the run ends with "N passed, N failed".

import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE_URL;
if (!BASE) {
  console.error('BASE_URL is not set (run tests/browser/run.sh)');
  process.exit(2);
}
const SHOTS = process.env.SCREENSHOT_DIR || join(tmpdir(), 'biaozhun-screenshots');
mkdirSync(SHOTS, { recursive: true });
for (const f of readdirSync(SHOTS)) if (f.endsWith('.png')) rmSync(join(SHOTS, f));
const profile = mkdtempSync(join(tmpdir(), 'biaozhun-chromium-'));

// A persistent context is how Playwright takes a fresh --user-data-dir (the profile folder).
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
  viewport: { width: 1280, height: 900 },
});

let passed = 0;
let failed = 0;
const timeout = 15000;

/** Runs one check in a fresh page; page errors and unexpected failed requests fail it. */
async function check(name, fn, { viewport = { width: 1280, height: 900 }, allow404 = [] } = {}) {
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  page.setDefaultTimeout(timeout);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 404/.test(m.text())) problems.push(`console error: ${m.text()}`);
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (r.status() >= 400 && !allow404.some((p) => u.pathname.startsWith(p))) problems.push(`HTTP ${r.status()} ${u.pathname}${u.search}`);
  });
  try {
    await fn(page);
    if (problems.length) throw new Error(problems.join('; '));
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}\n     ${String(e && e.message ? e.message : e).split('\n').join('\n     ')}`);
    try { await page.screenshot({ path: join(SHOTS, `FAIL-${name.replace(/[^\w-]+/g, '_')}.png`), fullPage: true }); } catch (e2) { /* page gone */ }
  } finally {
    await page.close();
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Waits for the search answer to be rendered and returns the total. */
async function total(page) {
  await page.waitForFunction(() => {
    const c = document.getElementById('result-count');
    return c && c.dataset.total !== undefined && !document.querySelector('main[aria-busy]');
  });
  return Number(await page.getAttribute('#result-count', 'data-total'));
}

async function searchFor(page, q) {
  await page.goto(`${BASE}/`);
  await page.fill('input.q', q);
  await page.press('input.q', 'Enter');
  await page.waitForURL((u) => u.searchParams.get('q') === q);
  return total(page);
}

// ---------------------------------------------------------------------------------------------

await check('home page shows intro, facets and latest records', async (page) => {
  await page.goto(`${BASE}/`);
  const n = await total(page);
  assert(n > 50, `expected the whole fixture corpus listed, got ${n}`);
  assert(await page.isVisible('.intro'), 'intro visible');
  const kinds = await page.$$eval('.facet-group[data-facet=kind] .facet', (as) => as.map((a) => a.textContent));
  assert(kinds.length >= 2, `kind facet has values: ${kinds}`);
  await shot(page, '01-home');
  const firstIds = await page.$$eval('.hit', (ls) => ls.map((l) => l.dataset.id));
  await page.click('.pager a[aria-label="下一页"]');
  await page.waitForURL((u) => u.searchParams.get('page') === '2');
  assert(await total(page) === n, 'same total on page 2');
  const secondIds = await page.$$eval('.hit', (ls) => ls.map((l) => l.dataset.id));
  assert(secondIds.length === 10 && !secondIds.some((id) => firstIds.includes(id)), 'page 2 shows other records');
  assert((await page.textContent('#result-count')).includes('第 11–20 条'), 'count names the page range');
  assert(await page.getAttribute('.pager [aria-current=page]', 'aria-current') === 'page', 'current page marked');
});

await check('suggestions as you type, arrows, escape', async (page) => {
  await page.goto(`${BASE}/`);
  await page.click('input.q');
  await page.keyboard.type('马铃薯', { delay: 30 });
  await page.waitForSelector('.suggest:not([hidden]) [role=option]');
  assert(await page.getAttribute('input.q', 'aria-expanded') === 'true', 'aria-expanded true');
  const opts = await page.$$eval('.suggest [role=option]', (os) => os.map((o) => o.textContent));
  assert(opts.length > 0 && opts.some((o) => o.includes('马铃薯')), `suggestions mention 马铃薯: ${opts}`);
  await page.keyboard.press('ArrowDown');
  const active = await page.getAttribute('input.q', 'aria-activedescendant');
  assert(active && await page.getAttribute(`#${active}`, 'aria-selected') === 'true', 'first option active');
  await shot(page, '02-suggest');
  await page.keyboard.press('Escape');
  assert(await page.isHidden('.suggest'), 'escape closes the list');
  assert(await page.getAttribute('input.q', 'aria-expanded') === 'false', 'aria-expanded false');
});

let potatoTotal = 0;
await check('search 马铃薯: results with highlights, badges, dates', async (page) => {
  potatoTotal = await searchFor(page, '马铃薯');
  assert(potatoTotal > 0, 'some results');
  const first = await page.$eval('.hit', (li) => ({
    code: li.querySelector('.code').textContent,
    badge: li.querySelector('.badge') ? li.querySelector('.badge').textContent : '',
  }));
  assert(first.code, 'first hit has a code');
  assert(['现行', '即将实施', '废止', '被代替'].includes(first.badge), `status badge: ${first.badge}`);
  const dates = await page.$$eval('.hit .dates', (ps) => ps.map((p) => p.textContent));
  assert(dates.some((d) => /发布 \d{4}-\d\d-\d\d · 实施 \d{4}-\d\d-\d\d/.test(d)), `dates: ${dates}`);
  const ems = await page.$$eval('.hits em', (es) => es.map((e) => e.textContent));
  assert(ems.some((e) => e.includes('马铃薯')), `highlighted 马铃薯 in hits: ${ems}`);
  const live = await page.getAttribute('#result-count', 'aria-live');
  assert(live === 'polite', 'result count is a live region');
  await shot(page, '03-search-potato');
});

await check('facet click narrows the count, back restores it', async (page) => {
  const before = await searchFor(page, '马铃薯');
  const facets = await page.$$eval('.facet', (as) => as.map((a) => ({
    facet: a.dataset.facet, value: a.dataset.value, count: Number(a.querySelector('.fc').textContent),
  })));
  const pick = facets.find((f) => f.count > 0 && f.count < before);
  assert(pick, `a facet value narrower than ${before}: ${JSON.stringify(facets)}`);
  await page.click(`.facet[data-facet="${pick.facet}"][data-value="${pick.value}"]`);
  await page.waitForURL((u) => u.searchParams.get(pick.facet) === pick.value);
  const after = await total(page);
  assert(after === pick.count, `after clicking ${pick.facet}=${pick.value}: total ${after}, facet said ${pick.count}`);
  assert(after < before, `narrowed: ${after} < ${before}`);
  assert(await page.getAttribute(`.facet[data-facet="${pick.facet}"][data-value="${pick.value}"]`, 'aria-pressed') === 'true', 'facet marked selected');
  assert(await page.isVisible('.chip'), 'active filter chip shown');
  const group = await page.$$eval(`.facet[data-facet="${pick.facet}"]`, (as) => as.length);
  const wasGroup = facets.filter((f) => f.facet === pick.facet).length;
  assert(group === wasGroup, `the selected group still offers its other values (${group} of ${wasGroup})`);
  await shot(page, '04-facet-narrowed');
  await page.goBack();
  await page.waitForURL((u) => !u.searchParams.get(pick.facet));
  assert(await total(page) === before, 'back restores the wider answer');
});

await check('state in the URL: a bookmarked search renders the same', async (page) => {
  await page.goto(`${BASE}/?q=${encodeURIComponent('马铃薯')}&level=local&sort=issue_date`);
  const n = await total(page);
  assert(n > 0, 'results for a bookmarked filter');
  assert(await page.inputValue('input.q') === '马铃薯', 'query restored into the box');
  assert(await page.inputValue('#sort') === 'issue_date', 'sort restored');
  const dates = await page.$$eval('.hit .dates', (ps) => ps.map((p) => (p.textContent.match(/发布 (\S+)/) || [])[1]).filter(Boolean));
  const sorted = [...dates].sort().reverse();
  assert(JSON.stringify(dates) === JSON.stringify(sorted), `newest first: ${dates}`);
});

await check('open a standard: sections, TOC, highlights, edition chain', async (page) => {
  await searchFor(page, '马铃薯 种薯');
  const link = await page.$('.hit.kind-standard .code');
  assert(link, 'a standard hit');
  const code = await link.textContent();
  await link.click();
  await page.waitForSelector('article.record.standard');
  assert(decodeURIComponent(page.url()).includes(`/standard/${code}`), `URL names the standard: ${page.url()}`);
  const sections = await page.$$eval('.sections .sec', (s) => s.length);
  assert(sections >= 3, `sections rendered: ${sections}`);
  const toc = await page.$$eval('.toc a', (as) => as.map((a) => a.getAttribute('href')));
  assert(toc.length === sections && toc.every((h) => h.startsWith('#sec-')), 'one TOC link per section');
  const marks = await page.$$eval('.sections mark', (m) => m.map((x) => x.textContent));
  assert(marks.some((m) => m.includes('马铃薯') || m.includes('种薯')), `query marked in the text: ${marks.slice(0, 5)}`);
  assert(await page.isVisible('#h-editions'), 'edition chain block');
  assert(await page.isVisible('#h-refs'), 'references block');
  assert(await page.isVisible('a.back'), 'link back to the results');
  // Provenance: every field names its source; the body text comes from the text file.
  assert(await page.isVisible('#h-sources'), 'data sources block');
  const text = await page.$eval('.sources tr[data-field="sections"]', (r) => r.dataset.kind);
  assert(text === 'text', `sections come from a text: ${text}`);
  await shot(page, '05-standard-potato');
});

await check('GB/T 7714 finds GB/T 7714-2015 first; edition chain links', async (page) => {
  await searchFor(page, 'GB/T 7714');
  const first = await page.$eval('.hit .code', (a) => a.textContent);
  assert(first === 'GB/T 7714-2015', `first hit is ${first}`);
  await shot(page, '06-search-gbt7714');
  await page.click('.hit .code');
  await page.waitForSelector('article.record.standard');
  const head = await page.$eval('.record-head', (h) => h.textContent);
  assert(head.includes('GB/T 7714-2015') && head.includes('现行'), `header: ${head}`);
  const quality = await page.getAttribute('.record-head .quality', 'data-quality');
  assert(quality === 'missing' || quality === 'no_text', `catalog-only record flags its missing text: ${quality}`);
  const editions = await page.$$eval('.editions li', (ls) => ls.map((l) => l.textContent));
  assert(editions.some((e) => e.includes('GB/T 7714-2005')) && editions.some((e) => e.includes('GB/T 7714-1987')), `editions: ${editions}`);
  const replaces = await page.$$eval('.chain a', (as) => as.map((a) => a.textContent));
  assert(replaces.includes('GB/T 7714-2005'), `replaces link: ${replaces}`);
  await shot(page, '07-standard-gbt7714');
  await page.click('.editions a[href*="7714-2005"]');
  await page.waitForFunction(() => document.querySelector('article.record')?.dataset.id === 'GB/T 7714-2005');
  const badge = await page.$eval('.record-head .badge', (b) => b.textContent);
  assert(badge === '被代替', `2005 edition is 被代替, got ${badge}`);
});

await check('suggestion Enter opens the record; undated code lands on the current edition', async (page) => {
  await page.goto(`${BASE}/`);
  await page.click('input.q');
  await page.keyboard.type('gbt7714', { delay: 30 });
  await page.waitForSelector('.suggest:not([hidden]) [role=option]');
  const opts = await page.$$eval('.suggest [role=option] .opt-code', (os) => os.map((o) => o.textContent));
  const i = opts.indexOf('GB/T 7714-2015');
  assert(i >= 0, `GB/T 7714-2015 suggested: ${opts}`);
  for (let k = 0; k <= i; k += 1) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/standard\//);
  await page.waitForSelector('article.record.standard');
  await page.goto(`${BASE}/standard/GB/T%207714`);
  await page.waitForSelector('article.record.standard');
  assert(await page.$eval('article.record', (a) => a.dataset.id) === 'GB/T 7714-2015', 'undated code shows the current edition');
  assert(decodeURIComponent(new URL(page.url()).pathname) === '/standard/GB/T 7714-2015', `canonical URL: ${page.url()}`);
});

await check('empty answer explains itself and offers a relaxed query', async (page) => {
  await page.goto(`${BASE}/?q=${encodeURIComponent('马铃薯')}&member=JPN`);
  const n = await total(page);
  assert(n === 0, `no Japanese notification about potatoes (got ${n})`);
  const text = await page.textContent('.notice.empty');
  assert(text.includes('没有找到'), `explains: ${text}`);
  await shot(page, '08-empty');
  await page.click('.notice.empty a.relax');
  assert(await total(page) > 0, 'the relaxed query finds something');
});

await check('partial matches follow a divider and say which words they matched', async (page) => {
  await page.goto(`${BASE}/?q=${encodeURIComponent('马铃薯 脱毒 贮藏')}`);
  const n = await total(page);
  assert(n > 0, 'some records have all three words');
  const partial = Number(await page.getAttribute('#result-count', 'data-partial'));
  assert(partial > 0, 'others have some of them');
  const order = await page.$$eval('ol.hits > li', (lis) => lis.map((li) => (li.classList.contains('partial-divider') ? 'divider' : 'hit')));
  const at = order.indexOf('divider');
  assert(at === n, `the divider follows the ${n} complete matches: ${order.join(',')}`);
  const line = await page.textContent('ol.hits > li.partial-divider ~ li.hit .matched');
  assert(line && line.includes('部分匹配'), `a partial hit lists its words: ${line}`);
  await shot(page, '09-partial');
});

await check('snippet HTML cannot inject markup', async (page) => {
  await page.goto(`${BASE}/?q=${encodeURIComponent('<img src=x onerror=window.pwned=1> 马铃薯')}`);
  await total(page);
  assert(await page.$$eval('main img', (i) => i.length) === 0, 'no <img> in the page');
  assert(!(await page.evaluate(() => window.pwned)), 'no script ran');
});

await check('notification page: family and open-for-comment badge', async (page) => {
  await page.goto(`${BASE}/notification/G/TBT/N/USA/2146/Add.1`);
  await page.waitForSelector('article.record.notification');
  const family = await page.$$eval('#h-family ~ ul li a', (as) => as.map((a) => a.textContent));
  assert(family.includes('G/TBT/N/USA/2146') && family.includes('G/TBT/N/USA/2146/Corr.1'), `family: ${family}`);
  await shot(page, '09-notification');
}, {});

await check('regulation page: articles with a table of contents', async (page) => {
  await searchFor(page, '标准化条例');
  await page.click('.hit.kind-regulation .code');
  await page.waitForSelector('article.record.regulation');
  const toc = await page.$$eval('.toc a', (as) => as.length);
  const secs = await page.$$eval('.sections .sec', (s) => s.length);
  assert(secs > 3 && toc === secs, `sections ${secs}, TOC links ${toc}`);
  await shot(page, '10-regulation');
});

await check('trade measures: market, product, grouped families, feed link', async (page) => {
  await page.goto(`${BASE}/measures`);
  await page.waitForSelector('#measures-count:not(:empty)');
  await page.selectOption('#market', 'USA');
  await page.fill('#product', '9503');
  await page.click('.measures-form button');
  await page.waitForURL((u) => u.searchParams.get('market') === 'USA');
  await page.waitForFunction(() => document.getElementById('measures-count').dataset.families !== undefined);
  assert(!(await page.$('[data-fallback]')), 'answered by /api/v1/barriers, not the fallback');
  const bases = await page.$$eval('.family', (fs) => fs.map((f) => f.dataset.base));
  assert(bases.includes('G/TBT/N/USA/2146'), `family of the water-bead notification: ${bases}`);
  const docs = await page.$$eval('.family[data-base="G/TBT/N/USA/2146"] li', (ls) => ls.length);
  assert(docs >= 3, `its documents grouped: ${docs}`);
  const feed = await page.getAttribute('a.atom', 'href');
  assert(feed.startsWith('/api/v1/feeds/notifications.atom?') && feed.includes('market=USA') && feed.includes('hs=9503'), `feed link: ${feed}`);
  const atom = await page.request.get(`${BASE}${feed}`);
  assert(atom.status() === 200 && (await atom.text()).includes('<feed'), `feed answers Atom: ${atom.status()}`);
  const opt = await page.$eval('#market option[value=USA]', (o) => o.textContent);
  assert(opt.includes('美国'), `Chinese market names: ${opt}`);
  await shot(page, '11-measures-usa');
  await page.goto(`${BASE}/measures?market=EU`);
  await page.waitForFunction(() => document.getElementById('measures-count').dataset.families !== undefined);
  const open = await page.$$eval('.family .badge.open', (b) => b.map((x) => x.textContent));
  assert(open.some((t) => /征求意见中/.test(t)), `open-for-comment badge for G/SPS/N/EU/912: ${open}`);
  await page.check('#open');
  await page.click('.measures-form button');
  await page.waitForURL((u) => u.searchParams.get('open') === '1');
  await page.waitForFunction(() => document.getElementById('measures-count').dataset.families !== undefined);
  const families = await page.$$eval('.family', (fs) => fs.map((f) => Boolean(f.querySelector('.badge.open'))));
  assert(families.length > 0 && families.every(Boolean), `only open families when asked: ${families}`);
  await shot(page, '12-measures-eu');
});

await check('查新: pasted text, statuses, successor link, CSV download', async (page) => {
  await page.goto(`${BASE}/check`);
  await page.fill('#check-text', [
    '本文件引用下列文件：',
    'GB/T 7714—2005 文后参考文献著录规则；',
    'GB／T　7714－2015 信息与文献 参考文献著录规则；',
    'ISO 99999:2030 并不存在的标准。',
  ].join('\n'));
  await page.fill('#check-as-of', '2024-06-01');
  await page.click('.check-form button[type=submit]');
  await page.waitForSelector('.check-table tbody tr');
  const rows = await page.$$eval('.check-table tbody tr', (trs) => trs.map((tr) => ({
    id: tr.cells[0].textContent, status: tr.cells[2].textContent, current: tr.cells[3].textContent,
    stale: tr.classList.contains('stale'), href: (tr.cells[3].querySelector('a') || {}).href || '',
  })));
  const old = rows.find((r) => r.id.startsWith('GB/T 7714-2005'));
  assert(old && old.status === '被代替' && old.stale, `the 2005 edition is replaced and marked: ${JSON.stringify(rows)}`);
  assert(old.current.includes('GB/T 7714-2015') && old.href.includes('/standard/'), `it points to the 2015 edition: ${JSON.stringify(old)}`);
  const now = rows.find((r) => r.id.startsWith('GB/T 7714-2015'));
  assert(now && now.status === '现行' && !now.stale, `the full-width 2015 citation is current: ${JSON.stringify(rows)}`);
  const iso = rows.find((r) => r.id.startsWith('ISO 99999'));
  assert(iso && iso.status === '未收录', `a number not in the index is unknown: ${JSON.stringify(rows)}`);
  const summary = await page.textContent('#check-results .count');
  assert(summary.includes('查新日期 2024-06-01') && summary.includes('需更新 1 项'), `summary: ${summary}`);
  await shot(page, '12-check');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#check-results .actions button:has-text("下载 CSV")'),
  ]);
  assert(download.suggestedFilename() === '查新-2024-06-01.csv', `file name: ${download.suggestedFilename()}`);
  const path = await download.path();
  const csv = readFileSync(path, 'utf8');
  assert(csv.includes('GB/T 7714-2005') && csv.includes('GB/T 7714-2015'), `the CSV holds the table: ${csv.slice(0, 200)}`);
});

await check('查新: an empty form says what to do, without a request', async (page) => {
  await page.goto(`${BASE}/check`);
  await page.click('.check-form button[type=submit]');
  const text = await page.textContent('#check-results [role=alert]');
  assert(text.includes('请粘贴正文或选择文件'), `alert: ${text}`);
});

await check('a market word in the query filters by member and can be undone', async (page) => {
  await page.goto(`${BASE}/?q=${encodeURIComponent('美国 玩具')}`);
  const n = await total(page);
  const note = await page.textContent('.notice.understood');
  assert(note.includes('按市场：美国'), `the page says it filters by market: ${note}`);
  assert(n > 0, 'US notifications about toys are found');
  const codes = await page.$$eval('ol.hits > li.hit .code', (cs) => cs.map((c) => c.textContent));
  assert(codes.every((c) => c.includes('/USA/')), `only US notifications: ${codes}`);
  await shot(page, '13-market-word');
  await page.click('.notice.understood a');
  await page.waitForURL((u) => u.searchParams.get('q') === '玩具');
  await total(page);
  assert(!(await page.$('.notice.understood')), 'no market filter after 不按市场');
});

await check('market dossier: measures, cited standards and Chinese standards for USA + 9503', async (page) => {
  await page.goto(`${BASE}/dossier?market=USA&hs=9503`);
  await page.waitForSelector('.dossier h2');
  const heads = await page.$$eval('.dossier h2', (hs) => hs.map((x) => x.textContent));
  assert(heads.length >= 3 && heads[0].startsWith('通报措施'), `sections: ${heads}`);
  const measures = Number((heads[0].match(/（(\d+)/) || [])[1]);
  assert(measures > 0, `at least one US measure on toys: ${heads[0]}`);
  const xlsx = await page.getAttribute('.dossier a[download]', 'href');
  // On a fixed date: the open US magnet notification has 15 days left to its WTO deadline
  // (2026-12-16), while its internal deadline (30 days earlier) passed 15 days ago.
  await page.goto(`${BASE}/dossier?market=USA&hs=9503&open_on=2026-12-01`);
  await page.waitForSelector('.dossier h2');
  const open = await page.$$eval('.dossier-table tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent))
    .find((cells) => cells[0] === 'G/TBT/N/USA/2201'));
  assert(open && open[4] === '2026-12-16' && open[5] === '15' && open[6] === '2026-11-16' && open[7] === '已过 15 天',
    `deadline columns of G/TBT/N/USA/2201: ${open}`);
  assert(xlsx && xlsx.includes('format=xlsx') && xlsx.includes('market=USA'), `XLSX link: ${xlsx}`);
  await shot(page, '14-dossier');
});

await check('phone: no sideways scrolling, filters collapsed', async (page) => {
  await page.goto(`${BASE}/?q=${encodeURIComponent('马铃薯')}`);
  await total(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `page wider than the screen by ${overflow}px`);
  assert(!(await page.$eval('.facet-toggle', (d) => d.open)), 'filters start collapsed on a phone');
  await shot(page, '13-phone-search');
  await page.click('.hit .code');
  await page.waitForSelector('article.record');
  const overflow2 = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow2 <= 0, `standard page wider than the screen by ${overflow2}px`);
  await page.screenshot({ path: join(SHOTS, '14-phone-standard.png') });
}, { viewport: { width: 390, height: 844 } });

await check('keyboard: skip link and visible focus', async (page) => {
  await page.goto(`${BASE}/`);
  await total(page);
  await page.keyboard.press('Tab');
  assert(await page.evaluate(() => document.activeElement.classList.contains('skip')), 'first Tab reaches the skip link');
  await page.keyboard.press('Tab');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert(outline !== 'none', `focused element has an outline (${outline})`);
});

await browser.close();
rmSync(profile, { recursive: true, force: true });
console.log(`screenshots in ${SHOTS}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

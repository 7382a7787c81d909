// Loads the front page, an article page (the seed story), a search and an instrument page (SVG
// chart with story markers) in headless Chromium,
// checks what a reader actually sees, and saves screenshots. Usage:
//   BASE=http://127.0.0.1:PORT SEED_ID=N OUT=dir node site.mjs
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';

const base = process.env.BASE;
const seedId = process.env.SEED_ID;
const out = process.env.OUT || 'screenshots';
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const failures = [];
const check = async (name, fn) => {
  try { await fn(); console.log(`ok   ${name}`); }
  catch (e) { failures.push(name); console.log(`FAIL ${name}: ${e.message.split('\n')[0]}`); }
};

for (const [label, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
  const context = await browser.newContext({ viewport, javaScriptEnabled: false });
  const page = await context.newPage();
  const cspViolations = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });

  await check(`${label}: front page lists stories`, async () => {
    const res = await page.goto(`${base}/`);
    assert.equal(res.status(), 200);
    const links = page.locator('main a[href^="/news/"]');
    assert.ok(await links.count() >= 10, 'fewer than 10 story links');
    assert.ok(await links.first().isVisible(), 'first story link not visible');
    assert.ok(await page.locator('footer').isVisible(), 'footer not visible');
    const footer = (await page.locator('footer').innerText()).trim();
    assert.ok(footer.length > 80, 'risk disclosure missing from footer');
    await page.screenshot({ path: `${out}/${label}-front.png`, fullPage: false });
  });

  await check(`${label}: seed article page`, async () => {
    const res = await page.goto(`${base}/news/${seedId}`);
    assert.equal(res.status(), 200);
    const h1 = page.getByRole('heading', { level: 1 });
    assert.equal((await h1.innerText()).trim(), 'Japan working towards opening of NATO liaison office in Tokyo');
    assert.ok(await h1.isVisible());
    const text = await page.locator('main').innerText();
    assert.match(text, /Published/);
    assert.match(text, /Updated/);
    assert.match(text, /WASHINGTON/);
    assert.match(text, /Reuters/);
    assert.match(text, /Japan is working towards the opening of a NATO liaison office in Tokyo/);
    assert.doesNotMatch(text, /Latest comments|Risk Disclosure:|Fair Value/);
    const chip = page.getByRole('link', { name: /JP225/ });
    assert.ok(await chip.first().isVisible(), 'JP225 chip not visible');
    // The chip explains itself on keyboard focus (and hover), without JavaScript.
    const why = page.locator('.chip-why').first();
    assert.ok(!(await why.isVisible()), 'explanation shown before focus');
    await chip.first().focus();
    assert.ok(await why.isVisible(), 'explanation not shown on focus');
    assert.match(await why.innerText(), /printed on the source page/);
    await page.screenshot({ path: `${out}/${label}-chip-focus.png`, fullPage: false });
    await chip.first().blur();
    const times = page.locator('main time');
    assert.ok(await times.count() >= 2, 'published and updated <time> elements');
    await page.screenshot({ path: `${out}/${label}-article.png`, fullPage: true });
  });

  await check(`${label}: search with snippets`, async () => {
    const res = await page.goto(`${base}/search?q=federal+funds+rate`);
    assert.equal(res.status(), 200);
    const results = page.locator('main a[href^="/news/"]');
    assert.ok(await results.count() >= 5, 'fewer than 5 results');
    const mark = page.locator('main mark').first();
    assert.ok(await mark.isVisible(), 'no visible highlight');
    assert.match((await mark.innerText()).toLowerCase(), /federal|funds|rate/);
    await page.screenshot({ path: `${out}/${label}-search.png`, fullPage: false });
  });

  await check(`${label}: instrument page with chart and story markers`, async () => {
    const symbol = process.env.INSTRUMENT || 'US500';
    const res = await page.goto(`${base}/instrument/${symbol}`);
    assert.equal(res.status(), 200);
    const chart = page.locator('svg.chart');
    assert.ok(await chart.isVisible(), 'chart not visible');
    const box = await chart.boundingBox();
    assert.ok(box && box.width > 200 && box.height > 60, `chart too small: ${JSON.stringify(box)}`);
    assert.ok(await page.locator('svg.chart polyline.chart-line').count() === 1, 'no price line');
    const markers = page.locator('svg.chart a.chart-marker');
    assert.ok(await markers.count() >= 1, 'no story markers');
    assert.ok(await markers.first().locator('circle').isVisible(), 'first marker not visible');
    assert.match(await markers.first().getAttribute('href'), /^\/news\/\d+$/);
    const changes = await page.locator('dl.changes').innerText();
    assert.match(changes, /1D/);
    assert.match(changes, /YTD/);
    assert.match(await page.locator('figcaption').innerText(), /Source: .+, as of \d{4}-\d\d-\d\dT/);
    // Chips on the story list carry a figure or a reason, never a bare dash.
    const moves = page.locator('.chip-move');
    assert.ok(await moves.count() >= 1, 'no chip moves');
    assert.doesNotMatch(await moves.first().innerText(), /^\s*[-–—]\s*$/);
    await page.screenshot({ path: `${out}/${label}-instrument.png`, fullPage: false });
  });

  await check(`${label}: no horizontal scrolling`, async () => {
    await page.goto(`${base}/news/${seedId}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `page is ${overflow}px wider than the viewport`);
  });

  await check(`${label}: no CSP violations`, async () => {
    assert.deepEqual(cspViolations, []);
  });
  await context.close();
}
await browser.close();
if (failures.length) {
  console.log(`${failures.length} browser check(s) failed`);
  process.exit(1);
}
console.log('browser checks passed');

// Filtering, faceting, searching and the facet charts, as a person uses them; the charts are
// checked against the page's JSON twin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixturesDir, startServer, launchBrowser, screenshot, jsonTwin } from './support.mjs';

let server;
let browser;

before(async () => {
  server = await startServer(['fixtures.db', '-c', 'fixtures-config.json', '-m',
    'fixtures-metadata.json'], { cwd: fixturesDir() });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function applyFilter(page, column, op, value) {
  await page.getByLabel('New filter column').selectOption(column);
  await page.getByLabel('New filter operator').selectOption({ label: op });
  await page.getByLabel('New filter value').fill(value);
  await page.getByRole('button', { name: 'Apply' }).click();
}

test('apply a filter from the form', async () => {
  const { page } = browser;
  await page.goto(server.url + '/fixtures/facetable');
  await applyFilter(page, 'state', '=', 'MI');
  await page.waitForURL(/state__exact=MI/);
  assert.equal(await page.locator('tbody tr').count(), 4);
  assert.match(await page.locator('p.count').innerText(), /^4 rows where state = "MI"/);
  // The applied filter is shown again as an editable row.
  assert.equal(await page.getByLabel('Filter 1 value').inputValue(), 'MI');
  await screenshot(page, 'table-filtered');
});

test('the filter form works without JavaScript (the server redirects)', async () => {
  const nojs = await launchBrowser({ javaScriptEnabled: false });
  try {
    const { page } = nojs;
    await page.goto(server.url + '/fixtures/facetable');
    await applyFilter(page, 'planet_int', '>', '1');
    await page.waitForURL(/planet_int__gt=1/);
    assert.equal(await page.locator('tbody tr').count(), 1);
  } finally {
    await nojs.close();
  }
});

test('facet from a column menu, then narrow by a facet value', async () => {
  const { page } = browser;
  await page.goto(server.url + '/fixtures/facetable');
  const stateHeader = page.locator('thead th').filter({ hasText: /^state/ });
  await stateHeader.locator('summary').click();
  await stateHeader.getByRole('link', { name: 'Facet by this' }).click();
  await page.waitForURL(/_facet=state/);
  const facet = page.locator('section.facet', { has: page.getByRole('heading', { name: /state/ }) });
  assert.deepEqual(await facet.locator('.facet-values li a').allInnerTexts(), ['CA', 'MI', 'MC']);
  await facet.getByRole('link', { name: 'MI', exact: true }).click();
  await page.waitForURL(/state=MI/);
  assert.equal(await page.locator('tbody tr').count(), 4);
  assert.equal(await page.locator('section.facet li.selected').count(), 1);
  await screenshot(page, 'facet-selected');
});

test('facet charts have one bar per value, proportional to the JSON counts', async () => {
  const { page } = browser;
  await page.goto(server.url + '/fixtures/facetable?_facet=state&_facet=_city_id&_facet=on_earth');
  const data = await jsonTwin(page);
  assert.ok(data.facet_results && data.facet_results.results, 'the JSON twin has facet_results');
  for (const [name, facet] of Object.entries(data.facet_results.results)) {
    const section = page.locator(`section.facet[data-facet="${name}"]`);
    const rects = section.locator('svg.facet-chart rect.bar');
    assert.equal(await rects.count(), facet.results.length, name);
    const max = Math.max(...facet.results.map((r) => r.count));
    const widths = [];
    for (let i = 0; i < facet.results.length; i++) {
      const rect = rects.nth(i);
      const expected = facet.results[i];
      assert.equal(Number(await rect.getAttribute('data-count')), expected.count, name);
      const label = await rect.getAttribute('aria-label');
      assert.ok(label.includes(String(expected.label ?? expected.value)) && label.includes(`${expected.count} row`), label);
      assert.equal(await rect.locator('title').textContent(), label);
      widths.push(Number(await rect.getAttribute('width')));
    }
    const widest = Math.max(...widths);
    facet.results.forEach((r, i) => {
      assert.ok(Math.abs(widths[i] / widest - r.count / max) < 0.01, `${name}: bar ${i}`);
    });
  }
  await screenshot(page, 'facet-charts');
});

test('a date facet draws a time series', async () => {
  const { page } = browser;
  await page.goto(server.url + '/fixtures/facetable?_facet_date=created');
  const data = await jsonTwin(page);
  const results = data.facet_results.results.created.results;
  const bars = page.locator('svg.timeline-chart rect.bar');
  assert.equal(await bars.count(), results.length);
  // Bars run left to right in date order.
  const xs = [];
  for (let i = 0; i < results.length; i++) xs.push(Number(await bars.nth(i).getAttribute('x')));
  assert.deepEqual(xs, [...xs].sort((a, b) => a - b));
  await screenshot(page, 'facet-timeline');
});

test('search a full-text indexed table', async () => {
  const { page } = browser;
  await page.goto(server.url + '/fixtures/searchable');
  await page.getByLabel('Search').fill('weasel');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/_search=weasel/);
  const rows = await page.locator('tbody tr').allInnerTexts();
  assert.equal(rows.length, 1);
  assert.match(rows[0], /sara weasel/);
  await screenshot(page, 'table-search');
});

test('foreign keys show their labels and link to the row', async () => {
  const { page } = browser;
  await page.goto(server.url + '/fixtures/facetable');
  const link = page.locator('tbody tr').first().getByRole('link', { name: 'San Francisco' });
  assert.equal(await link.getAttribute('href'), '/fixtures/facet_cities/1');
  await link.click();
  await page.waitForURL(/\/fixtures\/facet_cities\/1$/);
  assert.match(await page.locator('h1').innerText(), /facet_cities: 1/);
  await screenshot(page, 'row-with-incoming-links');
});

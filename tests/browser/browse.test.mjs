// Browsing as a person would: index -> database -> table, sort by a header, paginate, open a
// row, and the same path with JavaScript switched off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixturesDir, startServer, launchBrowser, screenshot } from './support.mjs';

let server;
let browser;

before(async () => {
  const dir = fixturesDir();
  server = await startServer(['fixtures.db', 'extra database.db', '-c', 'fixtures-config.json',
    '-m', 'fixtures-metadata.json'], { cwd: dir });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('index -> database -> table by clicking links', async () => {
  const { page } = browser;
  await page.goto(server.url + '/');
  assert.equal(await page.locator('h1').innerText(), 'Datasette Fixtures');
  await screenshot(page, 'index');
  await page.getByRole('link', { name: 'fixtures', exact: true }).first().click();
  await page.waitForURL(/\/fixtures$/);
  assert.equal(await page.locator('h1').innerText(), 'fixtures');
  await screenshot(page, 'database');
  await page.getByRole('link', { name: 'facetable', exact: true }).click();
  await page.waitForURL(/\/fixtures\/facetable$/);
  const headers = await page.locator('table.rows-and-columns thead th').allInnerTexts();
  assert.ok(headers.some((h) => h.startsWith('state')), headers.join(','));
  assert.equal(await page.locator('table.rows-and-columns tbody tr').count(), 15);
  await screenshot(page, 'table');
});

test('clicking a column header sorts, clicking again reverses', async () => {
  const { page } = browser;
  await page.goto(server.url + '/fixtures/facetable');
  await page.locator('thead th').filter({ hasText: '_neighborhood' }).getByRole('link', { name: '_neighborhood' }).click();
  await page.waitForURL(/_sort=_neighborhood/);
  const column = async () => {
    const index = (await page.locator('thead th').allInnerTexts()).findIndex((h) => h.startsWith('_neighborhood'));
    return page.locator(`tbody tr td:nth-child(${index + 1})`).allInnerTexts();
  };
  const ascending = await column();
  assert.deepEqual(ascending, [...ascending].sort());
  assert.equal(await page.locator('th[aria-sort="ascending"]').count(), 1);
  await page.locator('thead th').filter({ hasText: '_neighborhood' }).getByRole('link', { name: '_neighborhood' }).click();
  await page.waitForURL(/_sort_desc=_neighborhood/);
  const descending = await column();
  assert.deepEqual(descending, [...ascending].reverse());
  await screenshot(page, 'table-sorted');
});

test('next page follows the keyset token and rows do not repeat', async () => {
  const { page } = browser;
  await page.goto(server.url + '/fixtures/compound_three_primary_keys');
  const first = await page.locator('tbody tr td:first-child').allInnerTexts();
  assert.equal(first.length, 100);
  await page.getByRole('link', { name: /Next page/ }).click();
  await page.waitForURL(/_next=/);
  const second = await page.locator('tbody tr td:first-child').allInnerTexts();
  assert.equal(second.length, 100);
  assert.equal(second.filter((k) => first.includes(k)).length, 0);
  await screenshot(page, 'table-page-2');
  await page.getByRole('link', { name: /First page/ }).click();
  await page.waitForURL((url) => !url.search.includes('_next'));
  assert.deepEqual(await page.locator('tbody tr td:first-child').allInnerTexts(), first);
});

test('a row page shows every column', async () => {
  const { page } = browser;
  await page.goto(server.url + '/fixtures/facetable');
  await page.locator('tbody tr').first().locator('td.pk a').click();
  await page.waitForURL(/\/fixtures\/facetable\/1$/);
  const names = await page.locator('table.row-detail th').allInnerTexts();
  assert.ok(names.includes('_neighborhood') && names.includes('created'), names.join(','));
  await screenshot(page, 'row');
});

test('browsing works with JavaScript switched off', async () => {
  const nojs = await launchBrowser({ javaScriptEnabled: false });
  try {
    const { page } = nojs;
    await page.goto(server.url + '/fixtures');
    await page.getByRole('link', { name: 'facetable', exact: true }).click();
    await page.locator('thead th').filter({ hasText: 'state' }).first().getByRole('link', { name: 'state', exact: true }).click();
    await page.waitForURL(/_sort=state/);
    // Column menus are plain <details>: they open from the keyboard without scripts.
    const menu = page.locator('thead th').filter({ hasText: 'planet_int' }).locator('summary');
    await menu.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Sort descending' }).first().click();
    await page.waitForURL(/_sort_desc=planet_int/);
    await screenshot(nojs.page, 'table-no-javascript');
  } finally {
    await nojs.close();
  }
});

// The SQL editor: run a query with a :named parameter, see the results, and see a clear error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixturesDir, startServer, launchBrowser, screenshot } from './support.mjs';

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

test('run SQL with a named parameter from the database page', async () => {
  const { page } = browser;
  await page.goto(server.url + '/fixtures');
  const editor = page.getByLabel('Custom SQL query');
  await editor.fill('select pk, state, _neighborhood from facetable where state = :state order by pk');
  await editor.press('Control+Enter');
  await page.waitForURL(/\/fixtures\/-\/query\?sql=/);
  // The page asks for the parameter; fill it in and run again.
  const state = page.getByLabel('state', { exact: true });
  await state.fill('MI');
  await page.getByRole('button', { name: 'Run SQL' }).click();
  await page.waitForURL(/state=MI/);
  const states = await page.locator('tbody tr td:nth-child(2)').allInnerTexts();
  assert.deepEqual(states, ['MI', 'MI', 'MI', 'MI']);
  assert.match(await page.locator('h2').first().innerText(), /returning 4 rows/);
  await screenshot(page, 'query-with-parameter');
  const json = await page.getByRole('link', { name: 'JSON' }).first().getAttribute('href');
  const data = await (await page.request.get(new URL(json, server.url).href)).json();
  assert.equal(data.rows.length, 4);
});

test('an SQL error is shown beside the editor', async () => {
  const { page } = browser;
  const response = await page.goto(server.url + '/fixtures/-/query?sql=select+*+from+no_such_table');
  assert.equal(response.status(), 200);
  assert.match(await page.getByRole('alert').innerText(), /no such table: no_such_table/);
  assert.equal(await page.getByLabel('Custom SQL query').inputValue(), 'select * from no_such_table');
  await screenshot(page, 'query-error');
});

test('a canned query with a parameter', async () => {
  const { page } = browser;
  await page.goto(server.url + '/fixtures/neighborhood_search?text=town');
  assert.equal(await page.locator('h1').innerText(), 'Search neighborhoods');
  assert.equal(await page.getByLabel('text', { exact: true }).inputValue(), 'town');
  const names = await page.locator('tbody tr td:first-child').allInnerTexts();
  assert.ok(names.length > 0 && names.every((n) => n.toLowerCase().includes('town')), names.join(','));
  await screenshot(page, 'canned-query');
});

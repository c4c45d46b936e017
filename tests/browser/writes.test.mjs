// Writing from the browser, signed in as root: insert, edit and delete a row, create a table
// from pasted CSV (types detected, previewed first), drop a table after confirming.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, screenshot, makeDatabase } from './support.mjs';

let server;
let browser;

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-writes-'));
  makeDatabase(path.join(dir, 'notes.db'), `
    create table notes (id integer primary key, title text not null, score real);
    insert into notes values (1, 'first', 1.5), (2, 'second', 2.0);
  `);
  server = await startServer(['notes.db', '--root', '--secret', 'browser-secret'], { cwd: dir });
  const login = /(http:\/\/\S+\/-\/auth-token\?token=\S+)/.exec(server.output())[1];
  browser = await launchBrowser();
  await browser.page.goto(login);
  await browser.page.waitForURL(server.url + '/');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('insert, edit and delete a row', async () => {
  const { page } = browser;
  await page.goto(server.url + '/notes/notes');
  await page.getByText('Table actions').click();
  await page.getByRole('link', { name: 'Insert a row' }).click();
  await page.getByLabel('title', { exact: true }).fill('<b>third</b> "note"');
  await page.getByLabel('score', { exact: true }).fill('3.25');
  await screenshot(page, 'row-insert-form');
  await page.getByRole('button', { name: 'Insert row' }).click();
  await page.waitForURL(/\/notes\/notes\/3$/);
  assert.match(await page.locator('table.row-detail').innerText(), /<b>third<\/b> "note"/);

  await page.getByText('Row actions').click();
  await page.getByRole('link', { name: 'Edit this row' }).click();
  await page.getByLabel('title', { exact: true }).fill('third, edited');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.waitForURL(/\/notes\/notes\/3$/);
  assert.match(await page.locator('table.row-detail').innerText(), /third, edited/);
  await screenshot(page, 'row-edited');

  await page.getByText('Row actions').click();
  await page.getByRole('link', { name: 'Delete this row' }).click();
  await screenshot(page, 'row-confirm-delete');
  await page.getByRole('button', { name: 'Delete this row' }).click();
  await page.waitForURL(/\/notes\/notes$/);
  assert.equal(await page.locator('tbody tr').count(), 2);
});

test('a failed insert shows the form again with the error', async () => {
  const { page } = browser;
  await page.goto(server.url + '/notes/notes/-/new-row');
  await page.getByLabel('score', { exact: true }).fill('9');
  await page.getByRole('button', { name: 'Insert row' }).click();
  assert.match(await page.getByRole('alert').innerText(), /NOT NULL|title/i);
  assert.equal(await page.getByLabel('score', { exact: true }).inputValue(), '9');
});

test('create a table from pasted CSV, then drop it', async () => {
  const { page } = browser;
  await page.goto(server.url + '/notes');
  await page.getByRole('link', { name: 'Create a table' }).click();
  await page.getByLabel('Table name').fill('cities');
  await page.getByLabel('Primary key').fill('id');
  await page.getByLabel('Paste CSV, TSV or JSON').fill('id,name,population\n1,Paris,2.1\n2,Lyon,0.52\n3,"Nice, France",0.34\n');
  await page.getByRole('button', { name: 'Preview' }).click();
  const types = await page.locator('.preview thead th .type').allInnerTexts();
  assert.deepEqual(types, ['integer', 'text', 'float']);
  await screenshot(page, 'create-table-preview');
  await page.getByRole('button', { name: 'Create table' }).click();
  await page.waitForURL(/\/notes\/cities$/);
  assert.equal(await page.locator('tbody tr').count(), 3);
  const json = await (await page.request.get(server.url + '/notes/cities.json?_shape=array')).json();
  assert.deepEqual(json[2], { id: 3, name: 'Nice, France', population: 0.34 });
  await screenshot(page, 'created-table');

  await page.getByText('Table actions').click();
  await page.getByRole('link', { name: 'Drop this table' }).click();
  assert.match(await page.locator('.message-error').innerText(), /3 rows/);
  await screenshot(page, 'table-confirm-drop');
  await page.getByRole('button', { name: 'Drop table' }).click();
  await page.waitForURL(/\/notes$/);
  assert.equal(await page.getByRole('link', { name: 'cities', exact: true }).count(), 0);
});

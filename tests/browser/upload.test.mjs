// The upload page in a browser, signed in as root: the database page links to it; a CSV file
// chosen in the file field becomes a table (types detected), the result page says how many rows
// went in; pasted data works too; an existing table name is refused with the form shown again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, screenshot, makeDatabase } from './support.mjs';

let server;
let browser;
let dir;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-upload-'));
  makeDatabase(path.join(dir, 'loads.db'), 'create table existing (a text);');
  server = await startServer(['loads.db', '--root', '--secret', 'browser-secret'], { cwd: dir });
  const login = /(http:\/\/\S+\/-\/auth-token\?token=\S+)/.exec(server.output())[1];
  browser = await launchBrowser();
  await browser.page.goto(login);
  await browser.page.waitForURL(server.url + '/');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('upload a CSV file from the database page', async () => {
  const { page } = browser;
  const file = path.join(dir, 'scores.csv');
  fs.writeFileSync(file, 'id,name,score\n1,Ann,2.5\n2,Bo,3\n');
  await page.goto(server.url + '/loads');
  await page.getByRole('link', { name: 'Upload data' }).click();
  await page.waitForURL(server.url + '/loads/-/upload');
  await page.getByLabel('File (CSV, TSV, JSON or newline-delimited JSON)').setInputFiles(file);
  await screenshot(page, 'upload-form');
  await page.getByRole('button', { name: 'Upload' }).click();
  assert.match(await page.locator('.upload-outcome').innerText(),
               /Created table scores: 2 rows from 31 bytes of CSV\./);
  await screenshot(page, 'upload-done');
  await page.getByRole('link', { name: 'Browse scores' }).click();
  await page.waitForURL(server.url + '/loads/scores');
  assert.equal(await page.locator('tbody tr').count(), 2);
});

test('paste data, and an existing name is refused', async () => {
  const { page } = browser;
  await page.goto(server.url + '/loads/-/upload');
  await page.getByLabel('Table name').fill('pasted');
  await page.getByLabel('Or paste the data').fill('[{"x": 1}, {"x": 2}, {"x": 3}]');
  await page.getByRole('button', { name: 'Upload' }).click();
  assert.match(await page.locator('.upload-outcome').innerText(),
               /Created table pasted: 3 rows from \d+ bytes of JSON\./);

  await page.goto(server.url + '/loads/-/upload');
  await page.getByLabel('Table name').fill('existing');
  await page.getByLabel('Or paste the data').fill('a\nhello\n');
  await page.getByRole('button', { name: 'Upload' }).click();
  assert.match(await page.getByRole('alert').innerText(), /A table named existing exists already/);
  await page.getByLabel('Add the rows to the table if it exists').check();
  await page.getByLabel('Or paste the data').fill('a\nhello\n');
  await page.getByRole('button', { name: 'Upload' }).click();
  assert.match(await page.locator('.upload-outcome').innerText(),
               /Added to table existing: 1 row from \d+ bytes of CSV\./);
});

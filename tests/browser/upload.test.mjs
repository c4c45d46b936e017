// The upload page in a browser, signed in as root: the database page links to it; a CSV file
// chosen in the file field becomes a table (types detected), the result page says how many rows
// went in; pasted data works too; an existing table name is refused with the form shown again.
// With JavaScript the form is sent by app.js, which shows a progress bar (bytes sent, then
// "Importing…") and the same result or error in place; without it the plain form works alike.
// Hosting mode: the same page through the front door, and a file over the space's quota is
// refused before it is sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, screenshot, makeDatabase } from './support.mjs';

// A CSV of `rows` rows (id, name, score), a few MB for 100,000.
function bigCsv(file, rows) {
  const lines = ['id,name,score'];
  for (let i = 1; i <= rows; i++) lines.push(`${i},name number ${i},${i % 100}.5`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return fs.statSync(file).size;
}

// Records, in the page, every state the upload's progress bar goes through: its value (null
// while indeterminate), max and the words beside it.
async function recordProgress(page) {
  await page.evaluate(() => {
    window.progressStates = [];
    const note = () => {
      const box = document.querySelector('.upload-progress');
      const bar = box && box.querySelector('progress');
      if (!bar || box.hidden) return;
      const state = { value: bar.getAttribute('value') === null ? null : bar.value, max: bar.max,
        text: box.textContent };
      const last = window.progressStates[window.progressStates.length - 1];
      if (!last || JSON.stringify(last) !== JSON.stringify(state)) window.progressStates.push(state);
    };
    new MutationObserver(note).observe(document, { subtree: true, childList: true,
      attributes: true, characterData: true });
  });
}

// Slows the page's uploads to `bytesPerSecond` (DevTools' network throttling), so that the bar
// has steps to show between 0 and 100%.
async function throttleUploads(context, page, bytesPerSecond) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
  return cdp;
}

// The progress states of one upload of a `size`-byte file: the bar appeared, climbed (never
// backwards) to its end with "100%", then said "Importing…" with no value (indeterminate).
function assertProgressed(states, size) {
  const counted = states.filter((s) => s.value !== null && s.max > 1);
  assert.ok(counted.length > 0, JSON.stringify(states));
  for (let i = 1; i < counted.length; i++) assert.ok(counted[i].value >= counted[i - 1].value);
  const end = counted[counted.length - 1];
  assert.equal(end.value, end.max);
  assert.ok(end.max > size, 'the bar counts the whole body: the file and the form around it');
  assert.match(end.text, /Sent [\d.]+ [KM]B of [\d.]+ [KM]B \(100%\)/);
  const importing = states.findIndex((s) => s.value === null && /Importing…/.test(s.text));
  assert.ok(importing > states.indexOf(end), JSON.stringify(states.slice(-3)));
  return counted;
}

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

test('a large file: the progress bar counts the bytes, then the rows are imported', async () => {
  const { page, context } = browser;
  const file = path.join(dir, 'big.csv');
  const size = bigCsv(file, 100000);
  await page.goto(server.url + '/loads/-/upload');
  await recordProgress(page);
  const cdp = await throttleUploads(context, page, 2 * 1024 * 1024);
  await page.getByLabel('File (CSV, TSV, JSON or newline-delimited JSON)').setInputFiles(file);
  await page.getByRole('button', { name: 'Upload' }).click();
  await page.locator('.upload-progress', { hasText: /Sent .* \(\d+%\)/ }).waitFor();
  await screenshot(page, 'upload-progress');
  const outcome = page.locator('.upload-outcome');
  assert.match(await outcome.innerText(),
               new RegExp(`Created table big: 100,000 rows from ${size.toLocaleString('en-US')} bytes of CSV\\.`));
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await screenshot(page, 'upload-progress-done');
  const counted = assertProgressed(await page.evaluate(() => window.progressStates), size);
  assert.ok(counted.some((s) => s.value > 0 && s.value < s.max), 'a step between 0 and 100%');
  assert.equal(await page.title(), 'loads: upload');
  const answer = await page.request.get(server.url +
    '/loads/-/query.json?_shape=array&sql=' + encodeURIComponent('select count(*) n, sum(id) s, max(name) m from big'));
  assert.deepEqual(await answer.json(), [{ n: 100000, s: 5000050000, m: 'name number 99999' }]);
  await outcome.getByRole('link', { name: 'Browse big' }).click();
  await page.waitForURL(server.url + '/loads/big');
});

test('an upload the server refuses: its words above the form, which stays usable', async () => {
  const { page } = browser;
  const file = path.join(dir, 'existing.csv');  // the columns of the table `existing`
  fs.writeFileSync(file, 'a\n' + Array.from({ length: 20000 }, (_, i) => `line ${i}\n`).join(''));
  const size = fs.statSync(file).size;
  await page.goto(server.url + '/loads/-/upload');
  await recordProgress(page);
  await page.getByLabel('File (CSV, TSV, JSON or newline-delimited JSON)').setInputFiles(file);
  await page.getByRole('button', { name: 'Upload' }).click();
  assert.equal(await page.getByRole('alert').innerText(),
    'A table named existing exists already: choose another name, or tick "Add the rows to the ' +
    'table if it exists"');
  await screenshot(page, 'upload-refused');
  assertProgressed(await page.evaluate(() => window.progressStates), size);
  assert.ok(await page.locator('.upload-progress').isHidden());
  assert.ok(await page.getByRole('button', { name: 'Upload' }).isEnabled());
  // The file chosen is still chosen: tick the box and send it again.
  assert.equal(await page.getByLabel('File (CSV, TSV, JSON or newline-delimited JSON)')
    .evaluate((input) => input.files[0].name), 'existing.csv');
  await page.getByLabel('Add the rows to the table if it exists').check();
  await page.getByRole('button', { name: 'Upload' }).click();
  assert.match(await page.locator('.upload-outcome').innerText(),
               /Added to table existing: 20,000 rows from [\d,]+ bytes of CSV\./);
  assert.equal(await page.getByRole('alert').count(), 0);
});

test('without JavaScript the plain form uploads, with no progress bar', async () => {
  const plain = await launchBrowser({ javaScriptEnabled: false });
  try {
    await plain.context.addCookies(await browser.context.cookies());
    const { page } = plain;
    const file = path.join(dir, 'nojs.csv');
    const size = bigCsv(file, 5000);
    await page.goto(server.url + '/loads/-/upload');
    await page.getByLabel('File (CSV, TSV, JSON or newline-delimited JSON)').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload' }).click();
    assert.match(await page.locator('.upload-outcome').innerText(),
                 new RegExp(`Created table nojs: 5,000 rows from ${size.toLocaleString('en-US')} bytes of CSV\\.`));
    assert.equal(await page.locator('progress').count(), 0);
    await page.goto(server.url + '/loads/-/upload');
    await page.getByLabel('Table name').fill('nojs');
    await page.getByLabel('Or paste the data').fill('a\n1\n');
    await page.getByRole('button', { name: 'Upload' }).click();
    assert.match(await page.getByRole('alert').innerText(), /A table named nojs exists already/);
  } finally {
    await plain.close();
  }
});

test('hosting mode: progress through the front door, and a file over the quota is not sent', async () => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-cloud-upload-'));
  const cloud = await startServer(['--data', data, '--no-sandbox', '--pool', '0',
    '--space-quota-mb', '8'], { command: 'cloud' });
  const owner = await launchBrowser();
  try {
    const { page } = owner;
    // An account and its space, made through the JSON API with the browser's own cookies.
    const signup = await page.request.post(cloud.url + '/-/api/signup',
      { data: { name: 'alice', password: 'correct horse battery' } });
    assert.equal(signup.status(), 201, await signup.text());
    const space = await page.request.post(cloud.url + '/-/api/spaces', { data: { name: 'team' } });
    assert.equal(space.status(), 201, await space.text());

    const file = path.join(data, 'hosted.csv');
    const size = bigCsv(file, 40000);
    await page.goto(cloud.url + '/team/data/-/upload');
    await recordProgress(page);
    await page.getByLabel('File (CSV, TSV, JSON or newline-delimited JSON)').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload' }).click();
    const outcome = page.locator('.upload-outcome');
    assert.match(await outcome.innerText(), /Created table hosted: 40,000 rows from [\d,]+ bytes of CSV\./);
    assertProgressed(await page.evaluate(() => window.progressStates), size);
    assert.equal(await outcome.getByRole('link', { name: 'Browse hosted' }).getAttribute('href'),
                 '/team/data/hosted');
    const count = await page.request.get(cloud.url + '/team/data/-/query.json?_shape=array&sql=' +
      encodeURIComponent('select count(*) n, max(id) m from hosted'));
    assert.deepEqual(await count.json(), [{ n: 40000, m: 40000 }]);

    // Over the quota: refused in the page, in the server's words, before a byte is sent.
    const huge = path.join(data, 'huge.csv');
    fs.writeFileSync(huge, 'a\n' + '1\n'.repeat(9 << 19));
    await outcome.getByRole('link', { name: 'Upload another file' }).click();
    let posts = 0;
    page.on('request', (request) => { if (request.method() === 'POST') posts++; });
    await page.getByLabel('File (CSV, TSV, JSON or newline-delimited JSON)').setInputFiles(huge);
    await page.getByRole('button', { name: 'Upload' }).click();
    assert.equal(await page.getByRole('alert').innerText(),
                 'The upload is larger than 8 MB, the most accepted here');
    assert.equal(posts, 0);
  } finally {
    await owner.close();
    await cloud.stop();
  }
});

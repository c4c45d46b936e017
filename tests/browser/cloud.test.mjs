// Hosting mode's pages in a browser with JavaScript off (issue 17): sign up, make a space, make
// a table public from its own table page, see it as an anonymous visitor (and nothing else of
// the space), then rename the space from its members page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, screenshot } from './support.mjs';

let cloud;
let owner;
let visitor;

before(async () => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-cloud-'));
  cloud = await startServer(['--data', data, '--no-sandbox', '--pool', '0'], { command: 'cloud' });
  owner = await launchBrowser({ javaScriptEnabled: false });
  visitor = await launchBrowser({ javaScriptEnabled: false });
});

after(async () => {
  await owner?.close();
  await visitor?.close();
  await cloud?.stop();
});

test('sign up, publish a table from its page, rename the space', async () => {
  const { page } = owner;
  await page.goto(cloud.url + '/-/signup');
  await page.getByLabel('Account name').fill('alice');
  await page.getByLabel('Password (8 characters at least)').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.goto(cloud.url + '/-/spaces');
  await page.getByLabel('Name (lower-case letters, digits and -; part of its address)').fill('team');
  await page.getByRole('button', { name: 'Create space' }).click();
  await page.waitForURL(cloud.url + '/-/spaces/team/members');
  // Data arrives through the space's write API, with the session cookie the browser holds.
  const made = await page.request.post(cloud.url + '/team/data/-/create', {
    data: { table: 'places', pk: 'id', rows: [{ id: 1, name: 'Paris' }] },
  });
  assert.equal(made.status(), 201);
  await page.request.post(cloud.url + '/team/data/-/create', {
    data: { table: 'secrets', pk: 'id', rows: [{ id: 1 }] },
  });

  const refused = await visitor.page.goto(cloud.url + '/team/data/places');
  assert.equal(refused.status(), 401);

  // The table page's actions menu (a <details>, no script needed) has the toggle.
  await page.goto(cloud.url + '/team/data/places');
  assert.equal(await page.locator('.public-note').count(), 0);
  await page.locator('details.actions-menu summary').click();
  await screenshot(page, 'cloud-table-actions');
  await page.getByRole('button', { name: 'Make this table public' }).click();
  await page.waitForURL(cloud.url + '/team/data/places');
  assert.match(await page.locator('.public-note').innerText(), /This table is public/);
  await page.locator('details.actions-menu summary').click();
  assert.equal(await page.getByRole('button', { name: 'Make this table private' }).count(), 1);
  await screenshot(page, 'cloud-table-public');

  // An anonymous visitor now sees that table, and a private one as if it did not exist.
  let seen;
  for (let attempt = 0; attempt < 50; attempt++) {  // the worker reloads its policy within 0.1 s
    seen = await visitor.page.goto(cloud.url + '/team/data/places');
    if (seen.status() === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(seen.status(), 200);
  assert.match(await visitor.page.locator('table.rows-and-columns').innerText(), /Paris/);
  assert.equal(await visitor.page.locator('details.actions-menu').count(), 0);
  assert.equal((await visitor.page.goto(cloud.url + '/team/data/secrets')).status(), 404);

  // The owner renames the space from its members page.
  await page.goto(cloud.url + '/-/spaces/team/members');
  await page.getByLabel('New name (lower-case letters, digits and -)').fill('crew');
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.waitForURL(cloud.url + '/-/spaces/crew/members');
  await screenshot(page, 'cloud-members-renamed');
  // (Asked afresh: the browser may keep the public page it saw for default_cache_ttl.)
  // The old name answers as any space the visitor may not see (docs/cloud.md).
  assert.equal((await visitor.page.request.get(cloud.url + '/team/data/places')).status(), 401);
  assert.equal((await visitor.page.request.get(cloud.url + '/crew/data/places')).status(), 200);
  const audit = await (await page.request.get(cloud.url + '/-/api/spaces/crew/audit')).json();
  assert.deepEqual(audit.entries.slice(0, 2).map((entry) => entry.action),
    ['space-rename', 'table-public']);
});

// Signing in as root through the --root URL, creating an API token, and logging out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixturesDir, startServer, launchBrowser, screenshot } from './support.mjs';

let server;
let browser;
let loginUrl;

before(async () => {
  server = await startServer(['fixtures.db', '--root', '--secret', 'browser-secret'],
    { cwd: fixturesDir() });
  loginUrl = /(http:\/\/\S+\/-\/auth-token\?token=\S+)/.exec(server.output())?.[1];
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('sign in as root, create a token, log out', async () => {
  assert.ok(loginUrl, 'the --root URL was printed');
  const { page } = browser;
  await page.goto(loginUrl);
  await page.waitForURL(server.url + '/');
  assert.match(await page.locator('header .actor').innerText(), /Signed in as root/);
  await screenshot(page, 'signed-in-as-root');

  await page.goto(server.url + '/-/create-token');
  await page.getByLabel('Expiry').selectOption('hours');
  await page.getByLabel('Duration').fill('2');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = await page.locator('#token-value').inputValue();
  assert.match(token, /^dstok_/);
  await screenshot(page, 'create-token');
  // The token works as a Bearer token for the API.
  const actor = await (await page.request.get(server.url + '/-/actor.json', {
    headers: { Authorization: `Bearer ${token}` },
  })).json();
  assert.equal(actor.actor.id, 'root');
  assert.equal(actor.actor.token, 'dstok');

  await page.getByRole('button', { name: 'Log out' }).first().click();
  await page.waitForURL(server.url + '/');
  assert.equal(await page.locator('header .actor').count(), 0);
  // Without the cookie the token page asks for a sign-in.
  const refused = await page.goto(server.url + '/-/create-token');
  assert.equal(refused.status(), 403);
});

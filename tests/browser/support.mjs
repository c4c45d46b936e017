// Shared pieces of the browser tests: start build/almanac on a free port, drive Debian's
// chromium through playwright-core (never a downloaded browser), save screenshots under
// build/screenshots/. Node's own test runner runs the *.test.mjs files beside this one.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BINARY = process.env.ALMANAC_BIN || path.join(ROOT, 'build', 'almanac');
export const SCREENSHOTS = process.env.ALMANAC_SCREENSHOTS || path.join(ROOT, 'build', 'screenshots');
const CHROMIUM = process.env.ALMANAC_CHROMIUM || '/usr/bin/chromium';

export function sharedDir() {
  for (const candidate of [process.env.ALMANAC_SHARED_DIR, path.join(ROOT, '..', 'shared'), '/work/shared']) {
    if (candidate && fs.existsSync(path.join(candidate, 'conformance', 'replay'))) return candidate;
  }
  throw new Error('../shared/conformance not found (set ALMANAC_SHARED_DIR)');
}

// A fresh temporary directory holding copies of the conformance databases and config.
export function fixturesDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-browser-'));
  const conformance = path.join(sharedDir(), 'conformance');
  for (const name of ['fixtures.db', 'extra database.db', 'fixtures-config.json', 'fixtures-metadata.json']) {
    fs.copyFileSync(path.join(conformance, name), path.join(dir, name));
  }
  return dir;
}

// Runs SQL through Debian's sqlite3 to make a test's own database.
export function makeDatabase(file, sql) {
  execFileSync('sqlite3', [file], { input: sql });
  return file;
}

// Starts `almanac serve ARGS -h 127.0.0.1 -p 0` (or another command that serves, such as
// `cloud`) and resolves once it prints its URL.
export async function startServer(args, { cwd, command = 'serve' } = {}) {
  const child = spawn(BINARY, [command, ...args, '-h', '127.0.0.1', '-p', '0'], {
    cwd, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('almanac did not start:\n' + output)), 20000);
    const onData = (chunk) => {
      output += chunk;
      const match = /serving on (http:\/\/\S+)/.exec(output);
      if (match) { clearTimeout(timer); resolve(match[1].replace(/\/$/, '')); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`almanac exited (${code}):\n${output}`)); });
  });
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// A headless chromium with a fresh profile (a new --user-data-dir, which playwright passes
// itself); the machine's network is closed, so every background connection is switched off.
export async function launchBrowser({ width = 1280, height = 900, javaScriptEnabled = true } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    javaScriptEnabled,
    viewport: { width, height },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || await context.newPage();
  return {
    context,
    page,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page, name, { fullPage = false } = {}) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  // Chromium can refuse a capture while a loaded machine is still compositing the page
  // ("Unable to capture screenshot"); wait for the next frame and try again, a few times.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.screenshot({ path: file, fullPage });
      return file;
    } catch (error) {
      if (attempt >= 4 || !/Unable to capture screenshot/.test(String(error))) throw error;
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve())));
    }
  }
}

// The JSON twin of the page the browser shows (Datasette's rule: add .json).
export async function jsonTwin(page) {
  const href = await page.locator('link[rel="alternate"][type="application/json+datasette"]').getAttribute('href');
  const response = await page.request.get(href);
  return response.json();
}

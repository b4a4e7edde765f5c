// Shared set-up for the browser tests: Debian's chromium driven by playwright-core against the
// real server (tests/lib/server.mjs), plus a few waits and a screenshot helper.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer, Client, ADMIN, ROOT } from '../lib/server.mjs';

export { startServer, Client, ADMIN, ROOT };

export const SHOTS = join(ROOT, 'build', 'screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

// A fresh browser profile (own cookies and localStorage). page.errors collects uncaught
// exceptions and console errors so a test can assert the UI ran cleanly.
export async function openPage(browser, { viewport = DESKTOP, locale = 'en-US' } = {}) {
  const context = await browser.newContext({ viewport, locale, timezoneId: 'Europe/Moscow' });
  const page = await context.newPage();
  page.setDefaultTimeout(15000); // generous: CI machines are shared; a passing wait ends as soon as its state holds
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => {
    // 401/4xx answers are expected in some tests and the browser logs them as errors.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) page.errors.push(m.text());
  });
  return page;
}

export async function closePage(page) { await page.context().close(); }

// Sign in through the login form; resolves when the shell is on screen.
export async function signIn(page, url, login = ADMIN.login, password = ADMIN.password) {
  const onLogin = page.url().startsWith(url) && await page.getByTestId('login-page').isVisible();
  if (!onLogin) await page.goto(url + '/login');
  await page.getByTestId('login-login').fill(login);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-password').press('Enter');
  await page.getByTestId('topbar').waitFor();
}

export async function signOut(page) {
  await page.getByTestId('user-menu-button').click();
  await page.getByTestId('logout').click();
  await page.getByTestId('login-page').waitFor();
}

// Wait until the locator's text matches (string = exact after trim, RegExp = test).
export async function expectText(locator, expected, timeout = 10000) {
  const deadline = Date.now() + timeout;
  let last = null;
  for (;;) {
    try {
      last = (await locator.innerText({ timeout: Math.max(100, deadline - Date.now()) })).trim();
      if (typeof expected === 'string' ? last === expected : expected.test(last)) return last;
    } catch { /* not there yet */ }
    if (Date.now() > deadline) assert.fail(`expected text ${expected} but got ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function expectPath(page, path, timeout = 5000) {
  await page.waitForURL((u) => u.pathname === path, { timeout });
  assert.equal(new URL(page.url()).pathname, path);
}

export async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, name + '.png') });
}

// An admin API client for arranging test data.
export async function adminClient(url) {
  const c = new Client(url);
  const r = await c.login();
  assert.equal(r.status, 200, 'admin login: ' + r.text);
  return c;
}

// Put the company's default language to `lang`, so tests read labels they expect.
export async function setCompanyLanguage(url, lang) {
  const c = await adminClient(url);
  const r = await c.patch('/api/settings', { language: lang });
  assert.equal(r.status, 200, r.text);
  await c.post('/api/logout');
}

// Does the page scroll sideways? (a layout bug on a phone)
export async function horizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

// An API client signed in as any user (presets give every user ADMIN.password).
export async function clientAs(url, login, password = ADMIN.password) {
  const c = new Client(url);
  const r = await c.login(login, password);
  assert.equal(r.status, 200, `login ${login}: ` + r.text);
  return c;
}

// Create a record through the API and return it (asserting 201).
export async function create(client, plural, body) {
  const r = await client.post('/api/' + plural, body);
  assert.equal(r.status, 201, `create ${plural}: ` + r.text);
  return r.json;
}

// Drag one element onto another with real mouse moves (HTML5 drag and drop in Chromium needs
// a few small moves to start the drag; locator.dragTo's single jump does not always start it).
// opts.hold(): called while hovering over the target, before the drop.
export async function dragOnto(page, source, target, opts = {}) {
  await source.scrollIntoViewIfNeeded();
  const from = await source.boundingBox();
  await page.mouse.move(from.x + Math.min(20, from.width / 2), from.y + Math.min(12, from.height / 2));
  await page.mouse.down();
  await page.mouse.move(from.x + 30, from.y + 24, { steps: 4 });
  await target.scrollIntoViewIfNeeded().catch(() => {});
  const to = await target.boundingBox();
  await page.mouse.move(to.x + to.width / 2, to.y + Math.min(60, to.height / 2), { steps: 8 });
  if (opts.hold) await opts.hold();
  await page.mouse.up();
}

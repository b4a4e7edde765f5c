// Signing in and out: the login page, its errors, the shell that follows, and the session's end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, signOut, expectText, expectPath,
  adminClient, setCompanyLanguage } from './helpers.mjs';

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
  await setCompanyLanguage(server.url, 'en');
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('signing in shows the shell with the company name, navigation and the user', async () => {
  const admin = await adminClient(server.url);
  const settings = (await admin.get('/api/settings')).json;
  const page = await openPage(browser);
  await page.goto(server.url + '/');
  await expectPath(page, '/login');                 // not signed in: sent to the login page
  await expectText(page.locator('h1'), 'Sign in');
  await signIn(page, server.url);
  await expectPath(page, '/');
  await expectText(page.getByTestId('company-name'), settings.company_name);
  await expectText(page.getByTestId('user-name'), 'Administrator');
  await expectText(page.getByTestId('page-title'), 'Welcome, Administrator');
  for (const [id, label] of [['home', 'Home'], ['users', 'Users'], ['settings', 'Settings']])
    await expectText(page.getByTestId('nav-' + id), label);
  assert.equal(await page.getByTestId('nav-home').getAttribute('aria-current'), 'page');
  // the user menu names the role and offers password change, language and sign out
  await page.getByTestId('user-menu-button').click();
  await expectText(page.getByTestId('user-role'), /Administrator · admin/);
  await page.getByTestId('lang-ru').waitFor();
  await page.keyboard.press('Escape');              // Escape closes the menu
  await page.getByTestId('user-menu').waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('a deep link survives signing in', async () => {
  const page = await openPage(browser);
  await page.goto(server.url + '/settings');
  await expectPath(page, '/login');
  await signIn(page, server.url);
  await expectPath(page, '/settings');
  await expectText(page.getByTestId('page-title'), 'Settings');
  await closePage(page);
});

test('a wrong password shows an error and stays on the login page', async () => {
  const page = await openPage(browser);
  await page.goto(server.url + '/login');
  await page.getByTestId('login-login').fill('admin');
  await page.getByTestId('login-password').fill('not-the-password');
  await page.getByTestId('login-password').press('Enter');
  await expectText(page.getByTestId('login-error'), 'Wrong login or password.');
  await expectPath(page, '/login');
  assert.equal(await page.getByTestId('topbar').count(), 0);
  assert.equal(await page.getByTestId('login-login').inputValue(), 'admin', 'the login is kept');
  assert.equal(await page.getByTestId('login-password').inputValue(), '', 'the password is cleared for a retry');
  // submitting an empty form says what is missing without asking the server
  await page.getByTestId('login-login').fill('');
  await page.getByTestId('login-submit').click();
  await expectText(page.getByTestId('login-error'), 'Enter your login.');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('repeated failures are throttled and the page says how long to wait', async () => {
  const page = await openPage(browser);
  await page.goto(server.url + '/login');
  let text = '';
  for (let i = 0; i < 8 && !/Try again/.test(text); i++) {
    await page.getByTestId('login-login').fill('ghost');
    await page.getByTestId('login-password').fill('wrong-' + i);
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/login'));
    await page.getByTestId('login-submit').click();
    await answered;
    text = await expectText(page.getByTestId('login-error'), /./);
  }
  assert.match(text, /^Too many sign-in attempts\. Try again in \d+ (second|minute)s?\.$/);
  await expectPath(page, '/login');
  await closePage(page);
});

test('signing out returns to the login page and ends the session', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url);
  await signOut(page);
  await expectPath(page, '/login');
  await expectText(page.getByTestId('login-notice'), 'You have signed out.');
  const status = await page.evaluate(() => fetch('/api/me').then((r) => r.status));
  assert.equal(status, 401);
  // going back or reloading does not bring the shell back
  await page.goBack();
  await page.reload();
  await page.getByTestId('login-page').waitFor();
  assert.equal(await page.getByTestId('topbar').count(), 0);
  await closePage(page);
});

test('a session ended elsewhere sends the user to the login page on the next action', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url);
  // sign out from "another tab": same cookie, same CSRF token
  await page.evaluate(async () => {
    const me = await fetch('/api/me').then((r) => r.json());
    await fetch('/api/logout', { method: 'POST', headers: { 'X-CSRF-Token': me.csrf } });
  });
  await page.getByTestId('nav-users').click();
  await page.getByTestId('login-page').waitFor();
  await expectText(page.getByTestId('login-notice'), 'Your session has ended. Please sign in again.');
  await signIn(page, server.url);
  await expectPath(page, '/users');                 // back where the user was going
  await closePage(page);
});

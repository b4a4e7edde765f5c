// The shell: keyboard shortcuts, module visibility by capability, unknown pages, own password.
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

test('g u, g s and g h jump between pages, but not while typing', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.keyboard.press('g');
  await page.keyboard.press('u');
  await expectPath(page, '/users');
  await expectText(page.getByTestId('page-title'), 'Users');
  // typing "g s" in the search box stays on the page
  await page.getByTestId('users-search').click();
  await page.keyboard.type('gs');
  assert.equal(await page.getByTestId('users-search').inputValue(), 'gs');
  await expectPath(page, '/users');
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('g');
  await page.keyboard.press('s');
  await expectPath(page, '/settings');
  await page.keyboard.press('g');
  await page.keyboard.press('h');
  await expectPath(page, '/');
  await expectText(page.getByTestId('page-title'), /^Welcome/);
  // browser Back goes to the previous page
  await page.goBack();
  await expectPath(page, '/settings');
  await expectText(page.getByTestId('page-title'), 'Settings');
  await closePage(page);
});

test('navigation shows only the modules the role allows; other pages say so', async () => {
  const admin = await adminClient(server.url);
  const roles = (await admin.get('/api/roles')).json.items;
  const role = roles.find((r) => r.capabilities.length === 0) ;
  if (!role) return;                                 // no such role on this server: nothing to check
  const r = await admin.post('/api/users', { login: 'worker', name: 'Field Worker', role: role.key, password: 'worker-pass-1' });
  assert.equal(r.status, 201, r.text);
  const page = await openPage(browser);
  await signIn(page, server.url, 'worker', 'worker-pass-1');
  await page.getByTestId('nav-home').waitFor();
  assert.equal(await page.getByTestId('nav-users').count(), 0);
  await page.goto(server.url + '/users');
  await expectText(page.getByTestId('page-title'), 'No access');
  await page.goto(server.url + '/no-such-page');
  await expectText(page.getByTestId('page-title'), 'Page not found');
  await closePage(page);
});

test('a user changes their own password from the user menu', async () => {
  const admin = await adminClient(server.url);
  const r = await admin.post('/api/users', { login: 'petr', name: 'Petr', role: 'admin', password: 'petr-pass-1' });
  assert.equal(r.status, 201, r.text);
  const page = await openPage(browser);
  await signIn(page, server.url, 'petr', 'petr-pass-1');
  await page.getByTestId('user-menu-button').click();
  await page.getByTestId('menu-profile').click();
  await expectPath(page, '/profile');
  await page.locator('#pw-current').fill('wrong-current');
  await page.locator('#pw-new').fill('petr-pass-2');
  await page.locator('#pw-repeat').fill('petr-pass-2');
  await page.getByTestId('password-submit').click();
  await expectText(page.getByTestId('error-pw-current'), 'The current password is wrong.');
  await page.locator('#pw-current').fill('petr-pass-1');
  await page.locator('#pw-repeat').fill('petr-pass-3');
  await page.locator('#pw-repeat').press('Enter');
  await expectText(page.getByTestId('error-pw-repeat'), 'The passwords do not match.');
  await page.locator('#pw-repeat').fill('petr-pass-2');
  await page.locator('#pw-repeat').press('Enter');
  await expectText(page.getByTestId('password-done'), 'Password changed.');
  // this session stays signed in; the new password works next time
  await page.getByTestId('nav-users').click();
  await page.getByTestId('user-row-petr').waitFor();
  await signOut(page);
  await signIn(page, server.url, 'petr', 'petr-pass-2');
  await expectText(page.getByTestId('user-name'), 'Petr');
  await closePage(page);
});

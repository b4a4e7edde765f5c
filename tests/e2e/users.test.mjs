// The Users page: list, search, create, edit, deactivate, reset password.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, signOut, expectText, expectPath,
  adminClient, setCompanyLanguage, screenshot } from './helpers.mjs';

let server, browser, roles;
before(async () => {
  server = await startServer();
  browser = await launch();
  await setCompanyLanguage(server.url, 'en');
  const admin = await adminClient(server.url);
  roles = (await admin.get('/api/roles')).json.items;
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

// A role that can read users but is not the admin's (the presets' "manager").
function staffRole() {
  const r = roles.find((x) => x.key !== 'admin' && x.capabilities.includes('users.read') && !x.capabilities.includes('*'))
    || roles.find((x) => x.key !== 'admin');
  assert.ok(r, 'the server has a non-admin role');
  return r;
}

test('an admin creates a user in the Users page, and that user can sign in', async () => {
  const role = staffRole();
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.getByTestId('nav-users').click();
  await expectPath(page, '/users');
  await page.getByTestId('user-row-admin').waitFor();

  await page.getByTestId('user-new').click();
  const dialog = page.getByTestId('user-create-dialog');
  await dialog.waitFor();
  await page.getByTestId('new-login').fill('ivan.petrov');
  await page.getByTestId('new-name').fill('Иван Петров');
  await page.getByTestId('new-role').selectOption(role.key);
  await page.getByTestId('new-password').fill('ivan-pass-1');
  await screenshot(page, 'users-create-desktop-en');
  await page.getByTestId('new-password').press('Enter');     // Enter submits
  await dialog.waitFor({ state: 'detached' });
  await expectText(page.getByTestId('toast'), 'User ivan.petrov created.');
  const row = page.getByTestId('user-row-ivan.petrov');
  await expectText(row, /Иван Петров/);
  await expectText(row, new RegExp(role.name));
  await expectText(row.getByTestId('user-status'), 'Active');
  await screenshot(page, 'users-desktop-en');
  assert.deepEqual(page.errors, []);
  await closePage(page);

  const ivan = await openPage(browser);
  await signIn(ivan, server.url, 'ivan.petrov', 'ivan-pass-1');
  await expectText(ivan.getByTestId('user-name'), 'Иван Петров');
  await expectText(ivan.getByTestId('page-title'), 'Welcome, Иван Петров');
  if (role.capabilities.includes('users.read')) {
    await ivan.getByTestId('nav-users').click();
    await ivan.getByTestId('user-row-admin').waitFor();
    assert.equal(await ivan.getByTestId('user-new').count(), 0, 'no "New user" without users.manage');
  } else {
    assert.equal(await ivan.getByTestId('nav-users').count(), 0, 'Users hidden without users.read');
  }
  await closePage(ivan);
});

test('a taken login is reported next to the login field', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/users');
  await page.getByTestId('user-new').click();
  await page.getByTestId('new-login').fill('admin');
  await page.getByTestId('new-name').fill('Second admin');
  await page.getByTestId('new-password').fill('whatever-123');
  await page.getByTestId('user-create-submit').click();
  await expectText(page.getByTestId('error-new-login'), 'This login is already taken.');
  assert.equal(await page.getByTestId('new-login').getAttribute('aria-invalid'), 'true');
  // a bad login is explained the same way
  await page.getByTestId('new-login').fill('Not Valid!');
  await page.getByTestId('user-create-submit').click();
  await expectText(page.getByTestId('error-new-login'), /lowercase Latin letters/);
  // Escape closes the dialog
  await page.keyboard.press('Escape');
  await page.getByTestId('user-create-dialog').waitFor({ state: 'detached' });
  await closePage(page);
});

test('search narrows the table', async () => {
  const admin = await adminClient(server.url);
  for (const [login, name] of [['olga', 'Ольга Соколова'], ['dmitry', 'Дмитрий Кузнецов']]) {
    const r = await admin.post('/api/users', { login, name, role: staffRole().key, password: 'password-1' });
    assert.equal(r.status, 201, r.text);
  }
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/users');
  await page.getByTestId('user-row-olga').waitFor();
  await page.getByTestId('users-search').fill('Кузнец');
  await page.getByTestId('user-row-olga').waitFor({ state: 'detached' });
  await page.getByTestId('user-row-dmitry').waitFor();
  assert.equal(await page.locator('[data-testid^="user-row-"]').count(), 1);
  await page.getByTestId('users-search').fill('nobody-like-this');
  await expectText(page.getByTestId('users-empty'), 'No users match “nobody-like-this”.');
  await closePage(page);
});

test('an admin renames, deactivates, reactivates and resets the password of a user', async () => {
  const admin = await adminClient(server.url);
  const r = await admin.post('/api/users', { login: 'anna', name: 'Anna', role: staffRole().key, password: 'anna-pass-1' });
  assert.equal(r.status, 201, r.text);

  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/users');
  await page.getByTestId('user-edit-anna').click();
  const dialog = page.getByTestId('user-edit-dialog');
  await dialog.waitFor();
  await page.getByTestId('edit-name').fill('Anna Morozova');
  await page.getByTestId('edit-name').press('Enter');
  await expectText(page.getByTestId('user-edit-done'), 'Changes saved.');
  await expectText(page.getByTestId('user-row-anna'), /Anna Morozova/);

  await page.getByTestId('user-deactivate').click();
  await page.getByTestId('user-deactivate-confirm').click();
  await expectText(page.getByTestId('user-edit-status'), 'Deactivated');
  await expectText(page.getByTestId('user-row-anna').getByTestId('user-status'), 'Deactivated');
  await screenshot(page, 'users-edit-desktop-en');

  const anna = await openPage(browser);
  await anna.goto(server.url + '/login');
  await anna.getByTestId('login-login').fill('anna');
  await anna.getByTestId('login-password').fill('anna-pass-1');
  await anna.getByTestId('login-password').press('Enter');
  await anna.getByTestId('login-error').waitFor();
  await expectPath(anna, '/login');

  await page.getByTestId('user-activate').click();
  await expectText(page.getByTestId('user-edit-status'), 'Active');
  await page.getByTestId('edit-password').fill('short');
  await page.getByTestId('user-password-submit').click();
  await expectText(page.getByTestId('error-edit-password'), /8 to 256 characters/);
  await page.getByTestId('edit-password').fill('anna-new-pass-2');
  await page.getByTestId('edit-password').press('Enter');
  await expectText(page.getByTestId('user-edit-done'), /Password changed/);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });

  await signIn(anna, server.url, 'anna', 'anna-new-pass-2');
  await expectText(anna.getByTestId('user-name'), 'Anna Morozova');
  await closePage(anna);
  await closePage(page);
});

test('an admin cannot deactivate or demote themselves from the UI', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/users');
  await page.getByTestId('user-edit-admin').click();
  await page.getByTestId('user-edit-dialog').waitFor();
  assert.equal(await page.getByTestId('user-deactivate').count(), 0);
  assert.equal(await page.getByTestId('edit-role').isDisabled(), true);
  await closePage(page);
});

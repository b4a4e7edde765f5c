// Company settings: editing (settings.manage), validation, and read-only for everyone else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, expectText, expectPath,
  adminClient, setCompanyLanguage, screenshot } from './helpers.mjs';

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

test('a new company name shows in the top bar at once and after a reload', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.getByTestId('nav-settings').click();
  await expectPath(page, '/settings');
  await page.getByTestId('set-company_name').fill('ООО «Чистый Дом»');
  await page.getByTestId('set-company_name').press('Enter');   // Enter saves
  await expectText(page.getByTestId('settings-saved'), 'Settings saved.');
  await expectText(page.getByTestId('company-name'), 'ООО «Чистый Дом»');
  assert.match(await page.title(), /ООО «Чистый Дом»/);
  await screenshot(page, 'settings-desktop-en');
  await page.reload();
  await expectText(page.getByTestId('company-name'), 'ООО «Чистый Дом»');
  assert.equal(await page.getByTestId('set-company_name').inputValue(), 'ООО «Чистый Дом»');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('time zone, country and currency are saved; a bad code is explained next to its field', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/settings');
  assert.equal(await page.getByTestId('set-timezone').inputValue(), 'Europe/Moscow', 'default zone');
  await page.getByTestId('set-currency').fill('12');
  await page.getByTestId('settings-save').click();
  await expectText(page.getByTestId('error-set-currency'), /ISO 4217/);
  assert.equal(await page.getByTestId('set-currency').getAttribute('aria-invalid'), 'true');

  await page.getByTestId('set-currency').fill('kzt');            // typed lower case, sent upper case
  await page.getByTestId('set-default_country').fill('kz');
  await page.getByTestId('set-timezone').selectOption('Asia/Almaty');
  await page.getByTestId('settings-save').click();
  await expectText(page.getByTestId('settings-saved'), 'Settings saved.');
  await expectText(page.locator('#set-country-hint'), 'Kazakhstan');
  const admin = await adminClient(server.url);
  const s = (await admin.get('/api/settings')).json;
  assert.equal(s.currency, 'KZT');
  assert.equal(s.default_country, 'KZ');
  assert.equal(s.timezone, 'Asia/Almaty');

  // a zone that is not in the list can be typed in
  await page.getByTestId('set-timezone').selectOption('__other__');
  await page.getByTestId('set-timezone-other').fill('Asia/Kathmandu');
  await page.getByTestId('settings-save').click();
  await expectText(page.getByTestId('settings-saved'), 'Settings saved.');
  await page.getByTestId('set-timezone-other').fill('Mars/Olympus_Mons');
  await page.getByTestId('settings-save').click();
  await expectText(page.getByTestId('error-set-timezone'), /Unknown time zone/);
  assert.equal((await admin.get('/api/settings')).json.timezone, 'Asia/Kathmandu');
  await closePage(page);
});

test('a user without settings.manage sees the settings read-only', async () => {
  const admin = await adminClient(server.url);
  const roles = (await admin.get('/api/roles')).json.items;
  const role = roles.find((r) => !r.capabilities.includes('*') && !r.capabilities.includes('settings.manage'));
  assert.ok(role, 'a role without settings.manage');
  const r = await admin.post('/api/users', { login: 'viewer', name: 'Viewer', role: role.key, password: 'viewer-pass-1' });
  assert.equal(r.status, 201, r.text);

  const page = await openPage(browser);
  await signIn(page, server.url, 'viewer', 'viewer-pass-1');
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-readonly').waitFor();
  assert.equal(await page.getByTestId('set-company_name').isDisabled(), true);
  assert.equal(await page.getByTestId('settings-save').count(), 0);
  assert.equal(await page.getByTestId('set-company_name').inputValue(), (await admin.get('/api/settings')).json.company_name);
  await closePage(page);
});

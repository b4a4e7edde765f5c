// Language: the company default, the user's own choice (kept in this browser), instant switch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, expectText, setCompanyLanguage, screenshot } from './helpers.mjs';

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('switching English → Russian relabels everything at once and survives a reload', async () => {
  await setCompanyLanguage(server.url, 'en');
  const page = await openPage(browser);
  await signIn(page, server.url);
  await expectText(page.getByTestId('nav-users'), 'Users');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await screenshot(page, 'home-desktop-en');

  await page.getByTestId('user-menu-button').click();
  const navigations = [];
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
  await page.getByTestId('lang-ru').click();
  await expectText(page.getByTestId('nav-users'), 'Пользователи');
  await expectText(page.getByTestId('nav-settings'), 'Настройки');
  await expectText(page.getByTestId('logout'), 'Выйти');
  await expectText(page.getByTestId('page-title'), 'Добро пожаловать, Administrator');
  assert.equal(await page.locator('html').getAttribute('lang'), 'ru');
  assert.deepEqual(navigations, [], 'no page reload');
  assert.equal(await page.evaluate(() => localStorage.getItem('voronka.lang')), 'ru');
  await page.keyboard.press('Escape');
  await screenshot(page, 'home-desktop-ru');

  await page.reload();
  await expectText(page.getByTestId('nav-users'), 'Пользователи');
  assert.equal(await page.locator('html').getAttribute('lang'), 'ru');

  // the login page speaks Russian too, including the server's errors
  await page.getByTestId('user-menu-button').click();
  await page.getByTestId('logout').click();
  await expectText(page.locator('h1'), 'Вход');
  await page.getByTestId('login-login').fill('admin');
  await page.getByTestId('login-password').fill('wrong password');
  await page.getByTestId('login-password').press('Enter');
  await expectText(page.getByTestId('login-error'), 'Неверный логин или пароль.');
  await screenshot(page, 'login-desktop-ru');

  // and back to English from the login page
  await page.getByTestId('lang-en').click();
  await expectText(page.locator('h1'), 'Sign in');
  await expectText(page.getByTestId('login-error'), 'Wrong login or password.');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('without a choice of their own, a user sees the company default language', async () => {
  await setCompanyLanguage(server.url, 'ru');
  try {
    const page = await openPage(browser);              // new profile: nothing in localStorage
    await signIn(page, server.url);
    await expectText(page.getByTestId('nav-users'), 'Пользователи');
    assert.equal(await page.locator('html').getAttribute('lang'), 'ru');
    // the user's own choice wins over the default
    await page.getByTestId('user-menu-button').click();
    await page.getByTestId('lang-en').click();
    await expectText(page.getByTestId('nav-users'), 'Users');
    await page.reload();
    await expectText(page.getByTestId('nav-users'), 'Users');
    await closePage(page);
  } finally {
    await setCompanyLanguage(server.url, 'en');
  }
});

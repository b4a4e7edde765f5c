// Phones: the navigation folds into a menu button and every page fits the screen's width.
// Also takes the screenshot set (desktop + phone, English + Russian) into build/screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, expectText, expectPath,
  setCompanyLanguage, horizontalOverflow, screenshot, PHONE, DESKTOP } from './helpers.mjs';

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

test('on a 390×844 phone the menu button opens the navigation and it works', async () => {
  const page = await openPage(browser, { viewport: PHONE });
  await page.goto(server.url + '/login');
  assert.equal(await horizontalOverflow(page), 0, 'login fits the screen');
  await signIn(page, server.url);
  const toggle = page.getByTestId('nav-toggle');
  assert.equal(await toggle.isVisible(), true, 'menu button shown');
  assert.equal(await page.getByTestId('nav-users').isVisible(), false, 'links folded away');
  assert.equal(await page.getByTestId('company-name').isVisible(), true);

  await toggle.click();
  await page.getByTestId('nav-users').waitFor({ state: 'visible' });
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  await screenshot(page, 'nav-phone-en');
  await page.keyboard.press('Escape');                           // Escape closes it
  await page.getByTestId('nav-users').waitFor({ state: 'hidden' });

  await toggle.click();
  await page.getByTestId('nav-users').click();
  await expectPath(page, '/users');
  await page.getByTestId('user-row-admin').waitFor();
  assert.equal(await page.getByTestId('nav-users').isVisible(), false, 'menu closes after navigating');
  assert.equal(await horizontalOverflow(page), 0, 'users page fits the screen');

  await toggle.click();
  await page.getByTestId('nav-settings').click();
  await expectPath(page, '/settings');
  await expectText(page.getByTestId('page-title'), 'Settings');
  assert.equal(await horizontalOverflow(page), 0, 'settings page fits the screen');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('nothing spills sideways on a 360px phone', async () => {
  const page = await openPage(browser, { viewport: { width: 360, height: 740 } });
  await signIn(page, server.url);
  for (const path of ['/', '/users', '/settings', '/profile']) {
    await page.goto(server.url + path);
    await page.getByTestId('page-title').waitFor();
    assert.equal(await horizontalOverflow(page), 0, path + ' fits 360px');
  }
  await page.goto(server.url + '/users');
  await page.getByTestId('user-new').click();
  await page.getByTestId('user-create-dialog').waitFor();
  assert.equal(await horizontalOverflow(page), 0, 'dialog fits 360px');
  await closePage(page);
});

// The screenshot tour: every screen, desktop and phone, English and Russian.
for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  for (const lang of ['en', 'ru']) {
    test(`screenshots: ${size}, ${lang}`, async () => {
      const page = await openPage(browser, { viewport });
      await page.addInitScript((l) => { if (!localStorage.getItem('voronka.lang')) localStorage.setItem('voronka.lang', l); }, lang);
      await page.goto(server.url + '/login');
      await expectText(page.locator('h1'), lang === 'ru' ? 'Вход' : 'Sign in');
      await screenshot(page, `login-${size}-${lang}`);
      await signIn(page, server.url);
      await expectText(page.getByTestId('nav-home'), lang === 'ru' ? 'Главная' : 'Home');
      await screenshot(page, `home-${size}-${lang}`);
      await page.goto(server.url + '/users');
      await page.getByTestId('user-row-admin').waitFor();
      await screenshot(page, `users-${size}-${lang}`);
      await page.getByTestId('user-open-admin').click();
      await page.getByTestId('user-edit-dialog').waitFor();
      await screenshot(page, `user-dialog-${size}-${lang}`);
      await page.keyboard.press('Escape');
      await page.goto(server.url + '/settings');
      await page.getByTestId('settings-form').waitFor();
      await screenshot(page, `settings-${size}-${lang}`);
      await page.getByTestId('user-menu-button').click();
      await page.getByTestId('user-menu').waitFor();
      await screenshot(page, `menu-${size}-${lang}`);
      assert.equal(await horizontalOverflow(page), 0);
      assert.deepEqual(page.errors, []);
      await closePage(page);
    });
  }
}

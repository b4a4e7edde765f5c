// The CRM core's smaller promises, as an owner setting up the dealers preset meets them: a value
// list edited in Settings shows at once on cards (this tab and another), unsaved edits in the
// settings editors are not lost to a stray click or Back, pipelines and roles can be deleted
// when nothing depends on them, and task lists follow the notifications that arrive.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, expectText, expectPath, adminClient,
  setCompanyLanguage, create } from './helpers.mjs';

let server, browser, admin;
before(async () => {
  server = await startServer({ preset: 'dealers' });
  browser = await launch();
  await setCompanyLanguage(server.url, 'en');
  admin = await adminClient(server.url);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function ok(r, what) {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${r.text}`);
  return r.json;
}
const options = (page, testid) => page.getByTestId(testid).locator('option').allInnerTexts();
async function until(page, fn, arg, what) {
  try { await page.waitForFunction(fn, arg, { timeout: 5000 }); } catch { assert.fail('timed out waiting for ' + what); }
}

test('a value list saved in Settings shows at once on a card: in this tab after Back, and in another tab', async () => {
  await ok(await admin.req('PUT', '/api/lists/tiers', { name: 'Tiers', items: [{ value: 'gold', label: 'Gold' }, { value: 'silver', label: 'Silver' }] }), 'list');
  await ok(await admin.post('/api/fields', { entity: 'company', key: 'tier', label: 'Tier', type: 'select', list: 'tiers' }), 'field');
  const co = await create(admin, 'companies', { name: 'Tiered Trading', pipeline: 'dealers' });
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/companies/' + co.id);
  await page.getByTestId('value-custom.tier').click();
  await until(page, () => document.querySelectorAll('[data-testid="input-custom.tier"] option').length >= 2, null, 'the list options');
  assert.ok(!(await options(page, 'input-custom.tier')).includes('Bronze'));
  await page.keyboard.press('Escape');

  // a second tab of the same browser keeps the card open with the editor
  const other = await page.context().newPage();
  await other.goto(server.url + '/companies/' + co.id);
  await other.getByTestId('value-custom.tier').click();
  await until(other, () => document.querySelectorAll('[data-testid="input-custom.tier"] option').length >= 2, null, 'the other tab\'s options');

  // Settings → Lists, in the app (no reload): add Bronze and save
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-tab-lists').click();
  await page.getByTestId('list-tiers').click();
  await page.getByTestId('item-add').click();
  await page.getByTestId('item-label-2').fill('Bronze');
  await page.getByTestId('list-save-save').click();
  await expectText(page.getByTestId('list-save-state'), 'All changes saved');

  // the other tab's open editor offers it without a reload
  await until(other, () => [...document.querySelectorAll('[data-testid="input-custom.tier"] option')].some((o) => o.textContent === 'Bronze'),
    null, 'Bronze in the other tab');
  // back to the card in this tab: the editor offers it and it saves
  for (let i = 0; i < 4 && new URL(page.url()).pathname !== '/companies/' + co.id; i++) await page.goBack();
  await expectPath(page, '/companies/' + co.id);
  await page.getByTestId('value-custom.tier').click();
  await page.getByTestId('input-custom.tier').selectOption({ label: 'Bronze' });
  await expectText(page.getByTestId('value-custom.tier'), 'Bronze');
  assert.equal((await admin.get('/api/companies/' + co.id)).json.custom.tier, 'Bronze');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

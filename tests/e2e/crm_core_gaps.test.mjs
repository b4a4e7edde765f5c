// The CRM core's smaller promises, as an owner setting up the dealers preset meets them: a value
// list edited in Settings shows at once on cards (this tab and another), unsaved edits in the
// settings editors are not lost to a stray click or Back, pipelines and roles can be deleted
// when nothing depends on them, and task lists follow the notifications that arrive.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, expectText, expectPath, adminClient,
  setCompanyLanguage, create, clientAs } from './helpers.mjs';

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

// Run action; the page must ask with a confirm() whose text matches; answer it. Returns the text.
async function confirmOn(page, action, accept, pattern = /unsaved changes|Discard the changes/) {
  const asked = new Promise((resolve) => page.once('dialog', async (d) => {
    const text = d.message();
    if (accept) await d.accept(); else await d.dismiss();
    resolve(text);
  }));
  await action();
  const text = await Promise.race([asked, new Promise((r) => setTimeout(() => r(null), 5000))]);
  assert.ok(text, 'the page asked nothing');
  assert.match(text, pattern);
  return text;
}
// Nothing may be asked while fn runs.
async function noConfirm(page, fn) {
  let asked = null;
  const f = (d) => { asked = d.message(); d.dismiss(); };
  page.on('dialog', f);
  await fn();
  page.off('dialog', f);
  assert.equal(asked, null, 'asked: ' + asked);
}

test('unsaved settings: a link, the navigation, Back and switching a list or role ask first; a tab close is guarded', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/settings/pipelines');
  await page.locator('a[href="/settings/pipelines/dealers"]').first().click();
  await page.getByTestId('stage-list').waitFor();
  const name = page.getByTestId('stage-name-lead');
  const was = await name.inputValue();
  await name.fill(was + ' (new)');

  // the main navigation: stay, and the edit is still there
  await confirmOn(page, () => page.getByTestId('nav-companies').click(), false);
  await expectPath(page, '/settings/pipelines/dealers');
  assert.equal(await name.inputValue(), was + ' (new)');
  // a link of the screen itself
  await confirmOn(page, () => page.getByTestId('pipelines-back').click(), false);
  await expectPath(page, '/settings/pipelines/dealers');
  // the browser's Back: the address returns to the editor, the edit stays
  await confirmOn(page, () => page.evaluate(() => history.back()), false);
  await until(page, () => location.pathname === '/settings/pipelines/dealers', null, 'the address back at the editor');
  assert.equal(await name.inputValue(), was + ' (new)');
  // closing the tab is left to the browser's own question (beforeunload)
  const guarded = await page.evaluate(() => { const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented; });
  assert.equal(guarded, true, 'beforeunload is held while unsaved');
  // saved: nothing is asked any more
  await page.getByTestId('pipeline-save-save').click();
  await expectText(page.getByTestId('pipeline-save-state'), 'All changes saved');
  await noConfirm(page, async () => {
    await page.getByTestId('nav-companies').click();
    await until(page, () => location.pathname.startsWith('/companies'), null, 'the companies screen');
  });
  assert.equal((await admin.get('/api/pipelines/dealers/config')).json.stages.find((s) => s.key === 'lead').name, was + ' (new)');
  const after = await page.evaluate(() => { const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented; });
  assert.equal(after, false);

  // a value list: switching to another list asks; leaving by accepting loses the edit
  await ok(await admin.req('PUT', '/api/lists/guard_a', { name: 'Guard A', items: [{ value: 'a', label: 'A' }] }), 'list a');
  await ok(await admin.req('PUT', '/api/lists/guard_b', { name: 'Guard B', items: [] }), 'list b');
  await page.goto(server.url + '/settings/lists?list=guard_a');
  await page.getByTestId('list-editor').waitFor();
  await page.getByTestId('item-label-0').fill('A changed');
  await confirmOn(page, () => page.getByTestId('list-guard_b').click(), false);
  assert.equal(await page.getByTestId('item-label-0').inputValue(), 'A changed');
  await confirmOn(page, () => page.getByTestId('list-guard_b').click(), true);
  await expectText(page.locator('#list-title'), /Guard B/);
  assert.equal((await admin.get('/api/lists/guard_a')).json.items[0].label, 'A', 'nothing was saved');

  // a role: the settings tabs ask too
  await page.goto(server.url + '/settings/roles?role=agent');
  await page.getByTestId('role-name').fill('Field agent');
  await confirmOn(page, () => page.getByTestId('role-lead_creator').click(), false);
  assert.equal(await page.getByTestId('role-name').inputValue(), 'Field agent');
  await confirmOn(page, () => page.getByTestId('settings-tab-lists').click(), true);
  await expectPath(page, '/settings/lists');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('the field and product dialogs ask before Escape or × throws away what was typed', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/settings/pipelines');
  await page.getByTestId('settings-tab-fields').click();       // in the app, so Back stays in it
  await page.getByTestId('field-new').click();
  // untouched: Escape closes without a question
  await noConfirm(page, async () => {
    await page.keyboard.press('Escape');
    await until(page, () => !document.querySelector('[data-testid=field-dialog]'), null, 'the dialog to close');
  });
  await page.getByTestId('field-new').click();
  await page.getByTestId('fd-label').fill('Half typed');
  await confirmOn(page, () => page.keyboard.press('Escape'), false);
  assert.equal(await page.getByTestId('fd-label').inputValue(), 'Half typed', 'still open with the text');
  // leaving the screen with the dialog open (Back) asks as well
  await confirmOn(page, () => page.evaluate(() => history.back()), false);
  await expectPath(page, '/settings/fields');
  await confirmOn(page, () => page.getByTestId('dialog-close').click(), true);
  await until(page, () => !document.querySelector('[data-testid=field-dialog]'), null, 'the dialog to close');

  await page.goto(server.url + '/settings/products');
  await page.getByTestId('product-new').click();
  await page.getByTestId('product-name').fill('Кабель ВВГнг 3×2,5');
  await confirmOn(page, () => page.keyboard.press('Escape'), false);
  assert.equal(await page.getByTestId('product-name').inputValue(), 'Кабель ВВГнг 3×2,5');
  await confirmOn(page, () => page.keyboard.press('Escape'), true);
  await until(page, () => !document.querySelector('[data-testid=product-dialog]'), null, 'the product dialog to close');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('Settings deletes an empty pipeline and a role nobody has; a pipeline with records and a role in use are refused in the dialog', async () => {
  await ok(await admin.req('PUT', '/api/pipelines/spare/config', { key: 'spare', entity: 'deal', name: 'Spare pipeline',
    stages: [{ key: 'open', name: 'Open', kind: 'open', color: '#3b82f6' }] }), 'pipeline');
  await ok(await admin.req('PUT', '/api/roles/temp_role', { name: 'Temporary', capabilities: [] }), 'role');
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/settings/pipelines/dealers');
  await page.getByTestId('pipeline-delete').click();
  await expectText(page.getByTestId('confirm-text'), /Only an empty pipeline can be deleted.*It holds \d+ records now/);
  await page.getByTestId('confirm-ok').click();
  await expectText(page.getByTestId('confirm-error'), /^\d+ records are in this pipeline: move or delete them first\.$/);
  await page.getByText('Cancel').click();
  assert.equal((await admin.get('/api/pipelines/dealers/config')).status, 200);

  await page.goto(server.url + '/settings/pipelines/spare');
  await page.getByTestId('stage-name-open').fill('Opened');      // unsaved: deleting goes ahead without a second question
  await page.getByTestId('pipeline-delete').click();
  await page.getByTestId('confirm-ok').click();
  await expectPath(page, '/settings/pipelines');
  await expectText(page.getByTestId('toast').last(), 'Pipeline “Spare pipeline” deleted.');
  assert.equal(await page.locator('a[href="/settings/pipelines/spare"]').count(), 0);
  assert.equal((await admin.get('/api/pipelines/spare/config')).status, 404);

  await page.goto(server.url + '/settings/roles?role=agent');
  await page.getByTestId('role-delete').click();
  await page.getByTestId('confirm-ok').click();
  await expectText(page.getByTestId('confirm-error'), /^\d+ users have this role \(deactivated ones count too\): give them another role first\.$/);
  await page.getByText('Cancel').click();
  await page.getByTestId('role-temp_role').click();
  await page.getByTestId('role-delete').click();
  await page.getByTestId('confirm-ok').click();
  await expectText(page.getByTestId('toast').last(), 'Role “Temporary” deleted.');
  await page.getByTestId('role-temp_role').waitFor({ state: 'detached' });
  assert.ok(!(await admin.get('/api/roles')).json.items.some((r) => r.key === 'temp_role'));
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('a task set for me appears on the Tasks screen and on the record card at once, over the bell\'s one event stream', async () => {
  const AGENT = 'i.smirnov';
  const agent = await clientAs(server.url, AGENT);
  const me = (await agent.get('/api/me')).json.user;
  const co = await create(agent, 'companies', { name: 'Live Tasks Ltd', pipeline: 'dealers' });
  const page = await openPage(browser);
  // count the event streams the app opens
  await page.addInitScript(() => {
    const Real = window.EventSource;
    window.__streams = 0;
    window.EventSource = function (...args) { window.__streams++; return new Real(...args); };
    window.EventSource.prototype = Real.prototype;
    window.EventSource.CLOSED = Real.CLOSED;
  });
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/tasks/list');
  await page.getByTestId('tasks-panel').waitFor();
  await until(page, () => window.__streams === 1, null, 'the bell\'s stream');
  await page.getByTestId('tasks-tab-overdue').click();
  const due = Date.now() - 3600000;                       // overdue whatever the hour
  const set = await admin.post('/api/tasks', { title: 'Call back about the price list', kind: 'call', due_at: due, assignee_id: me.id,
    entity: 'company', record_id: co.id });
  assert.equal(set.status, 201, set.text);
  await page.getByTestId('tasks-panel').locator('[data-testid=task-row]', { hasText: 'Call back about the price list' }).waitFor();

  // the card of the record: a colleague's task for me on it shows up while I look at it
  await page.goto(server.url + '/companies/' + co.id);
  await page.getByTestId('page-title').waitFor();
  const second = await admin.post('/api/tasks', { title: 'Send the signed contract', kind: 'email', due_at: due, assignee_id: me.id,
    entity: 'company', record_id: co.id });
  assert.equal(second.status, 201, second.text);
  await page.locator('[data-testid=task-row]', { hasText: 'Send the signed contract' }).waitFor();
  assert.equal(await page.evaluate(() => window.__streams), 1, 'one event stream for the whole app');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

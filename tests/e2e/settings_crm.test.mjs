// The CRM settings screens as the dealers' owner uses them: the transition matrix changed so an
// agent's board refuses a move, stages edited (added, renamed, reordered by keyboard, rules),
// a stage that holds records kept, the API's refusals shown next to the input, a new pipeline,
// a custom field that appears on a card, a value list edited, a role's access, a team made,
// and the sections hidden from people who may not change them. English and Russian.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, expectText, expectPath, adminClient,
  setCompanyLanguage, clientAs, create, dragOnto, screenshot, horizontalOverflow, PHONE } from './helpers.mjs';
import en from '../../web/i18n/en.js';

const AGENT = 'i.smirnov';
let server, browser, admin, stages;
before(async () => {
  server = await startServer({ preset: 'dealers' });
  browser = await launch();
  await setCompanyLanguage(server.url, 'en');
  admin = await adminClient(server.url);
  const cfg = (await admin.get('/api/pipelines/dealers/config')).json;
  stages = Object.fromEntries(cfg.stages.map((s) => [s.key, s.name]));
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const config = async () => (await admin.get('/api/pipelines/dealers/config')).json;
async function openEditor(page, key = 'dealers') {
  await page.goto(server.url + '/settings/pipelines/' + key);
  await page.getByTestId('stage-list').waitFor();
}
const saveState = (page, testid = 'pipeline-save') => page.getByTestId(testid + '-state');

test('the matrix: untick a move for agents, save, and the agent\'s board refuses that drag', async () => {
  const agent = await clientAs(server.url, AGENT);
  const co = await create(agent, 'companies', { name: 'Matrix Drag LLC', pipeline: 'dealers' });
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-tab-pipelines').click();
  await expectPath(page, '/settings/pipelines');
  await page.getByTestId('pipeline-open-dealers').click();
  await expectPath(page, '/settings/pipelines/dealers');
  await page.getByTestId('matrix-role-agent').click();
  const cell = page.getByTestId('mx-lead-dead_end');
  assert.equal(await cell.isChecked(), true, 'the preset lets agents move a lead to the dead end');
  await cell.uncheck();
  await expectText(saveState(page), 'Unsaved changes');
  await expectText(page.getByTestId('matrix-count'), 'Agent: 6 moves allowed.');
  await screenshot(page, 'settings-pipeline-desktop-en');
  await page.getByTestId('pipeline-save-save').click();
  await expectText(saveState(page), 'All changes saved');
  const cfg = await config();
  assert.ok(!cfg.transitions.agent.some(([f, t]) => f === 'lead' && t === 'dead_end'), 'saved without lead → dead end');
  assert.equal(cfg.transitions.agent.length, 6);
  assert.deepEqual(page.errors, []);
  await closePage(page);

  // the agent signs in after the change: the board does not let the card go there
  const board = await openPage(browser);
  await signIn(board, server.url, AGENT);
  await board.goto(server.url + '/companies/board');
  await board.getByTestId('column-lead').getByTestId('card-' + co.id).waitFor();
  await dragOnto(board, board.getByTestId('card-' + co.id), board.getByTestId('column-dead_end'), {
    hold: async () => {
      await board.waitForFunction(() => document.querySelector('[data-testid=board]').classList.contains('dragging'));
      assert.equal(await board.getByTestId('column-dead_end').getAttribute('data-allowed'), 'false');
    },
  });
  await expectText(board.getByTestId('board-message'), `Your role may not move a record from “${stages.lead}” to “${stages.dead_end}”.`);
  await board.getByTestId('column-lead').getByTestId('card-' + co.id).waitFor();
  assert.equal((await agent.get('/api/companies/' + co.id)).json.stage, 'lead');
  const r = await agent.patch('/api/companies/' + co.id, { version: co.version, stage: 'dead_end' });
  assert.equal(r.status, 403, 'the API refuses it too');
  await closePage(board);

  // the helpers: "all" from a row, then put it back as it was
  const again = await openPage(browser);
  await signIn(again, server.url);
  await openEditor(again);
  await again.getByTestId('matrix-role-agent').click();
  await again.getByTestId('matrix-row-all-lead').click();
  for (const to of ['firm', 'account', 'client', 'dead_end']) assert.equal(await again.getByTestId(`mx-lead-${to}`).isChecked(), true);
  await again.getByTestId('matrix-row-none-lead').click();
  await again.getByTestId('mx-lead-dead_end').check();
  // arrow keys walk the grid
  await again.getByTestId('mx-lead-dead_end').focus();
  await again.keyboard.press('ArrowDown');
  assert.equal(await again.evaluate(() => document.activeElement.dataset.testid), 'mx-firm-dead_end');
  await again.getByTestId('pipeline-save-save').click();
  await expectText(saveState(again), 'All changes saved');
  assert.ok((await config()).transitions.agent.some(([f, t]) => f === 'lead' && t === 'dead_end'));
  await closePage(again);
});

test('stages: add one, name it, move it up with the keyboard, give it a rule and a checklist; save', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url);
  await openEditor(page);
  await page.getByTestId('stage-add').click();
  const name = page.locator('[data-testid^=stage-name-]').last();
  await name.fill('Negotiation');
  await page.getByTestId('stage-negotiation').waitFor();
  assert.equal(await page.getByTestId('stage-key-negotiation').inputValue(), 'negotiation', 'the key follows the name');
  await page.getByTestId('stage-color-negotiation').fill('#f59e0b');
  // the handle moves it with the arrow keys: from the bottom to just after "firm"
  await page.getByTestId('stage-handle-negotiation').focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowUp');
  const order = () => page.locator('[data-testid=stage-list] > li').evaluateAll((els) => els.map((e) => e.dataset.key));
  assert.deepEqual(await order(), ['lead', 'firm', 'negotiation', 'account', 'client', 'dead_end']);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'stage-handle-negotiation', 'focus stays on the handle');
  // or dragged by the handle onto another stage's row
  await dragOnto(page, page.getByTestId('stage-handle-negotiation'), page.getByTestId('stage-account'));
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=stage-list] > li')].map((e) => e.dataset.key).join() ===
    'lead,firm,account,negotiation,client,dead_end');
  await page.getByTestId('stage-handle-negotiation').focus();
  await page.keyboard.press('ArrowUp');
  assert.deepEqual(await order(), ['lead', 'firm', 'negotiation', 'account', 'client', 'dead_end']);
  await page.getByTestId('stage-details-negotiation').click();
  await page.getByTestId('req-negotiation-city').check();
  await page.getByTestId('check-add-negotiation').click();
  await page.getByTestId('check-negotiation-0').fill('Price list sent');
  await screenshot(page, 'settings-stages-desktop-en');
  await page.getByTestId('pipeline-save-save').click();
  await expectText(saveState(page), 'All changes saved');
  const cfg = await config();
  const st = cfg.stages.find((s) => s.key === 'negotiation');
  assert.deepEqual(cfg.stages.map((s) => s.key), ['lead', 'firm', 'negotiation', 'account', 'client', 'dead_end']);
  assert.equal(st.name, 'Negotiation');
  assert.equal(st.color.toLowerCase(), '#f59e0b');
  assert.deepEqual(st.required_fields, ['city']);
  assert.deepEqual(st.checklist.map((c) => c.label), ['Price list sent']);
  // saved stages keep their key: the key field is gone, the record count is shown
  assert.equal(await page.getByTestId('stage-key-negotiation').count(), 0);
  await expectText(page.getByTestId('stage-count-negotiation'), '0 records');

  // a stage that holds records is not removed: the screen says why
  await expectText(page.getByTestId('stage-count-firm'), /^\d+ records$/);
  await page.getByTestId('stage-remove-firm').click();
  await expectText(page.getByTestId('stage-note-firm'), /records are in this stage\. Move them to another stage first\./);
  assert.equal(await page.getByTestId('stage-firm').count(), 1);
  // an empty one goes, with its moves
  await page.getByTestId('stage-remove-negotiation').click();
  await page.getByTestId('stage-negotiation').waitFor({ state: 'detached' });
  await page.getByTestId('pipeline-save-save').click();
  await expectText(saveState(page), 'All changes saved');
  assert.ok(!(await config()).stages.some((s) => s.key === 'negotiation'));
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('the API\'s refusals appear next to the input: an empty stage name, a stage that got records meanwhile (Russian)', async () => {
  await setCompanyLanguage(server.url, 'ru');
  try {
    const page = await openPage(browser, { locale: 'ru-RU' });
    await signIn(page, server.url);
    await openEditor(page);
    await page.getByTestId('stage-name-client').fill('   ');
    await page.getByTestId('pipeline-save-save').click();
    await expectText(page.getByTestId('stage-error-client'), 'Введите название до 200 символов.');
    assert.equal(await page.getByTestId('stage-name-client').getAttribute('aria-invalid'), 'true');
    await expectText(page.getByTestId('pipeline-error'), 'Введите название до 200 символов.');
    await page.getByTestId('pipeline-save-discard').click();
    await expectText(saveState(page), 'Все изменения сохранены');

    // the screen counted no records in a new stage; one arrives before the save removes it
    const cfg = await config();
    const extra = { ...cfg, stages: cfg.stages.concat({ key: 'paused', name: 'Пауза', kind: 'open', color: '#06b6d4', required_fields: [], checklist: [] }) };
    delete extra.id;
    assert.equal((await admin.req('PUT', '/api/pipelines/dealers/config', extra)).status, 200);
    await page.reload();
    await page.getByTestId('stage-count-paused').waitFor();
    await create(admin, 'companies', { name: 'Пауза ООО', pipeline: 'dealers', stage: 'paused' });
    await page.getByTestId('stage-remove-paused').click();
    await page.getByTestId('pipeline-save-save').click();
    await expectText(page.getByTestId('stages-error'), 'На этапе «Пауза» ещё 1 запись. Переведите её на другой этап, потом удалите этап.');
    await screenshot(page, 'settings-pipeline-error-desktop-ru');
    assert.ok((await config()).stages.some((s) => s.key === 'paused'), 'nothing was removed');
    assert.deepEqual(page.errors, []);
    await closePage(page);
  } finally {
    await setCompanyLanguage(server.url, 'en');
  }
});

test('a new deal pipeline from the list: it opens in the editor and takes deals', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/settings/pipelines');
  await page.getByTestId('pipeline-new').click();
  await page.getByTestId('pipeline-new-dialog').waitFor();
  await page.locator('#np-name').fill('Wholesale orders');
  assert.equal(await page.locator('#np-key').inputValue(), 'wholesale_orders');
  await page.getByTestId('np-entity').selectOption('deal');
  await page.getByTestId('np-submit').click();
  await expectPath(page, '/settings/pipelines/wholesale_orders');
  await page.getByTestId('stage-new').waitFor();
  assert.equal(await page.getByTestId('matrix-open').isVisible(), true, 'a new pipeline has no matrix: every move is open');
  await page.getByTestId('pipelines-back').click();
  await page.getByTestId('pipeline-wholesale_orders').waitFor();
  const d = await create(admin, 'deals', { title: 'First wholesale order', pipeline: 'wholesale_orders' });
  assert.equal(d.stage, 'new');
  // the navigation now has Deals (there is a deal pipeline)
  await page.getByTestId('nav-deals').waitFor();
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('a custom field made in Settings → Fields appears on the company card and takes a value', async () => {
  const co = await create(admin, 'companies', { name: 'Custom Field LLC', pipeline: 'dealers' });
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/settings/fields');
  await page.getByTestId('fields-entity-company').click();
  await page.getByTestId('fields-empty').waitFor();
  await page.getByTestId('field-new').click();
  await page.getByTestId('fd-label').fill('Dealer tier');
  assert.equal(await page.getByTestId('fd-key').inputValue(), 'dealer_tier');
  await page.getByTestId('fd-type').selectOption('select');
  await page.getByTestId('fd-options').fill('Gold\nSilver\nBronze');
  await screenshot(page, 'settings-field-dialog-desktop-en');
  await page.getByTestId('fd-submit').click();
  await page.getByTestId('field-row-dealer_tier').waitFor();
  await expectText(page.getByTestId('field-row-dealer_tier').locator('td').nth(3), 'Choice');
  // a bad option list is refused in place
  await page.getByTestId('field-edit-dealer_tier').click();
  await page.getByTestId('fd-options').fill('');
  await page.getByTestId('fd-submit').click();
  await expectText(page.getByTestId('error-fd-options'), /needs options or a list/);
  await page.getByTestId('dialog-close').click();

  await page.goto(server.url + '/companies/' + co.id);
  await page.getByTestId('custom-fields').waitFor();
  await expectText(page.getByTestId('field-custom.dealer_tier').locator('.rfield-label'), 'Dealer tier');
  await page.getByTestId('value-custom.dealer_tier').click();
  await page.getByTestId('input-custom.dealer_tier').selectOption('Silver');
  await expectText(page.getByTestId('value-custom.dealer_tier'), 'Silver');
  assert.equal((await admin.get('/api/companies/' + co.id)).json.custom.dealer_tier, 'Silver');

  // deleting says the data goes with it
  await page.goto(server.url + '/settings/fields?entity=company');
  await page.getByTestId('field-delete-dealer_tier').click();
  await expectText(page.getByTestId('confirm-text'), /The values of “Dealer tier” stored on all companies will be lost/);
  await screenshot(page, 'settings-field-delete-desktop-en');
  await page.getByTestId('confirm-ok').click();
  await page.getByTestId('fields-empty').waitFor();
  assert.ok(!('dealer_tier' in ((await admin.get('/api/companies/' + co.id)).json.custom || {})));
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('a value list: create it, add items one by one and several at once, reorder by keyboard, save', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/settings/lists');
  await page.getByTestId('list-new').click();
  await page.getByTestId('nl-name').fill('Districts');
  assert.equal(await page.getByTestId('nl-key').inputValue(), 'districts');
  await page.getByTestId('nl-submit').click();
  await page.getByTestId('list-editor').waitFor();
  await page.getByTestId('item-add').click();
  await page.getByTestId('item-label-0').fill('North');
  assert.equal(await page.getByTestId('item-value-0').inputValue(), 'North', 'the value follows the label');
  await page.getByTestId('item-value-0').fill('north');
  await page.getByTestId('item-bulk').click();
  await page.getByTestId('bulk-text').fill('south; South\ncenter; Center\nnorth; Duplicate');
  await page.getByTestId('bulk-add').click();
  await page.getByTestId('item-2').waitFor();
  assert.equal(await page.getByTestId('item-3').count(), 0, 'a value already in the list is skipped');
  await page.getByTestId('item-handle-2').focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await screenshot(page, 'settings-list-desktop-en');
  await page.getByTestId('list-save-save').click();
  await expectText(page.getByTestId('list-save-state'), 'All changes saved');
  const list = (await admin.get('/api/lists/districts')).json;
  assert.deepEqual(list.items, [{ value: 'center', label: 'Center' }, { value: 'north', label: 'North' }, { value: 'south', label: 'South' }]);
  await page.getByTestId('item-remove-2').click();
  await page.getByTestId('list-save-save').click();
  await expectText(page.getByTestId('list-save-state'), 'All changes saved');
  assert.deepEqual((await admin.get('/api/lists/districts')).json.items.map((i) => i.value), ['center', 'north']);

  // a list a field uses cannot be deleted: the dialog says which field
  const f = await admin.post('/api/fields', { entity: 'company', key: 'district_pick', label: 'District', type: 'select', list: 'districts' });
  assert.equal(f.status, 201, f.text);
  await page.reload();
  await page.getByTestId('list-delete').click();
  await page.getByTestId('confirm-ok').click();
  await expectText(page.getByTestId('confirm-error'), /takes its values from this list/);
  assert.equal((await admin.get('/api/lists/districts')).status, 200);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('roles: the agent role gets "all" companies and a hidden field; the admin role is read-only', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/settings/roles');
  await page.getByTestId('role-agent').click();
  await page.getByTestId('scope-company-read').selectOption('all');
  await page.getByTestId('role-hidden').locator('summary').nth(1).click();
  await page.getByTestId('hide-company-inn').check();
  await screenshot(page, 'settings-roles-desktop-en');
  await page.getByTestId('role-save-save').click();
  await expectText(page.getByTestId('role-save-state'), 'All changes saved');
  const role = (await admin.get('/api/roles')).json.items.find((r) => r.key === 'agent');
  assert.equal(role.scopes.company.read, 'all');
  assert.deepEqual(role.hidden_fields.company, ['inn']);
  assert.equal(role.scopes.company.edit, 'own', 'what was not touched stays');
  await page.getByTestId('role-admin').click();
  await page.getByTestId('role-all').waitFor();
  // back as the preset had it
  const back = await admin.req('PUT', '/api/roles/agent', { name: role.name, capabilities: role.capabilities,
    scopes: { ...role.scopes, company: { ...role.scopes.company, read: 'own' } }, hidden_fields: {} });
  assert.equal(back.status, 200, back.text);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('teams: make one with members and a lead; the users page shows it (phone)', async () => {
  const page = await openPage(browser, { viewport: PHONE });
  await signIn(page, server.url);
  await page.goto(server.url + '/settings/teams');
  await page.getByTestId('teams-empty').waitFor();
  await page.getByTestId('team-new').click();
  await page.getByTestId('team-name-input').fill('North');
  await page.getByTestId('member-i.smirnov').check();
  await page.getByTestId('member-y.nikitina').check();
  const users = (await admin.get('/api/users?limit=200')).json.items;
  const smirnov = users.find((u) => u.login === 'i.smirnov');
  await page.getByTestId('team-lead-select').selectOption(String(smirnov.id));
  await screenshot(page, 'settings-team-dialog-phone-en');
  await page.getByTestId('team-submit').click();
  await expectText(page.getByTestId('team-name'), 'North');
  const teams = (await admin.get('/api/teams')).json.items;
  const card = page.getByTestId('team-' + teams[0].id);
  await expectText(card.getByTestId('team-lead'), `Lead: ${smirnov.name}`);
  assert.equal(await horizontalOverflow(page), 0, 'no sideways scrolling on a phone');
  await screenshot(page, 'settings-teams-phone-en');
  assert.equal(teams.length, 1);
  assert.equal(teams[0].lead_id, smirnov.id);
  assert.deepEqual(teams[0].members.map((m) => m.login).sort(), ['i.smirnov', 'y.nikitina']);

  await page.goto(server.url + '/users');
  await page.setViewportSize({ width: 1280, height: 800 });
  await expectText(page.getByTestId('user-row-i.smirnov').getByTestId('user-team'), 'North');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('people who may not change settings see no CRM sections, and their URLs say "no access"', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/settings');
  await page.getByTestId('settings-page').waitFor();
  assert.equal(await page.getByTestId('settings-tabs').count(), 0);
  await page.goto(server.url + '/settings/pipelines/dealers');
  await page.getByTestId('settings-no-access').waitFor();
  assert.equal(await page.getByTestId('stage-list').count(), 0);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('every screen in Russian, on a phone, without sideways scrolling', async () => {
  await setCompanyLanguage(server.url, 'ru');
  const cities = await admin.req('PUT', '/api/lists/stop_cities', { name: 'Города-исключения', items: ['Норильск', 'Магадан'] });
  assert.equal(cities.status, 200, cities.text);
  try {
    const page = await openPage(browser, { viewport: PHONE, locale: 'ru-RU' });
    await signIn(page, server.url);
    for (const [name, path, ready, title] of [
      ['pipelines', '/settings/pipelines', 'pipeline-dealers', 'Воронки'],
      ['pipeline', '/settings/pipelines/dealers', 'matrix', 'Воронки'],
      ['fields', '/settings/fields', 'fields-entity-deal', 'Поля'],
      ['lists', '/settings/lists', 'list-editor', 'Списки'],
      ['roles', '/settings/roles', 'role-editor', 'Роли'],
      ['teams', '/settings/teams', 'team-new', 'Группы'],
    ]) {
      await page.goto(server.url + path);
      await page.getByTestId(ready).first().waitFor();
      await expectText(page.getByTestId('settings-tab-' + name.replace(/^pipeline$/, 'pipelines')), title);
      assert.equal(await horizontalOverflow(page), 0, `${name}: no sideways scrolling`);
      await screenshot(page, `settings-${name}-phone-ru`);
    }
    assert.deepEqual(page.errors, []);
    await closePage(page);
  } finally {
    await setCompanyLanguage(server.url, 'en');
  }
});

test('the labels the settings screens build at run time exist in both languages', () => {
  const c = en.config;
  const want = [];
  for (const x of ['text', 'longtext', 'number', 'money', 'date', 'datetime', 'select', 'multiselect', 'bool', 'phone', 'email', 'address', 'user'])
    want.push('type_' + x, 'type_hint_' + x);
  for (const x of ['open', 'won', 'lost', 'dead_end']) want.push('kind_' + x);
  for (const x of ['read', 'create', 'edit', 'delete', 'export']) want.push('action_' + x);
  for (const x of ['none', 'own', 'team', 'all']) want.push('scope_' + x);
  for (const x of ['users_read', 'users_manage', 'roles_read', 'settings_manage', 'tokens_manage', 'timeline_read', 'records_merge'])
    want.push('cap_' + x, 'cap_' + x + '_hint');
  assert.deepEqual(want.filter((k) => !(k in c)), []);
});

// Record cards: fields edited in place (with the server's validation next to the field),
// phones as a list, the change in the timeline (old → new), a stale edit explained with a
// reload, links between companies and contacts, the stage bar, create forms.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, expectText, expectPath,
  setCompanyLanguage, clientAs, create, screenshot } from './helpers.mjs';

const AGENT = 'i.smirnov';
let server, browser, agent, stages;
before(async () => {
  server = await startServer({ preset: 'dealers' });
  browser = await launch();
  await setCompanyLanguage(server.url, 'en');
  agent = await clientAs(server.url, AGENT);
  const pl = (await agent.get('/api/pipelines?entity=company')).json.items.find((p) => p.key === 'dealers');
  stages = Object.fromEntries(pl.stages.map((s) => [s.key, s.name]));
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const timelineItem = (page, field) => page.getByTestId('timeline').locator(`[data-testid=timeline-item][data-field="${field}"]`).first();

test('edit a field in place: it is saved, and the timeline shows old → new with who did it', async () => {
  const co = await create(agent, 'companies', { name: 'Inline Edit LLC', pipeline: 'dealers', city: 'Москва', phones: ['+7 916 111 22 33'] });
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/companies/' + co.id);
  await expectText(page.getByTestId('page-title'), 'Inline Edit LLC');
  await page.getByTestId('value-city').click();
  await page.getByTestId('input-city').fill('Казань');
  await page.getByTestId('input-city').press('Enter');
  await expectText(page.getByTestId('value-city'), 'Казань');
  await expectText(timelineItem(page, 'city'), /City: Москва → Казань/);
  await expectText(timelineItem(page, 'city'), /Смирнов Игорь Владимирович/);
  assert.equal((await agent.get('/api/companies/' + co.id)).json.city, 'Казань');

  // phones: add a second number written any way; a bad one is refused next to the field
  await page.getByTestId('value-phones').click();
  await page.getByTestId('f-phones-add').click();
  await page.getByTestId('f-phones-1').fill('not a phone');
  await page.getByTestId('field-save').click();
  await expectText(page.getByTestId('error-phones'), 'This is not a phone number.');
  await page.getByTestId('f-phones-1').fill('8 (495) 123-45-67');
  await page.getByTestId('field-save').click();
  await expectText(page.getByTestId('value-phones'), /\+7 916 111-22-33\s+\+7 495 123-45-67/);
  await expectText(timelineItem(page, 'phones'), /Phones: \+7 916 111-22-33 → \+7 916 111-22-33, \+7 495 123-45-67/);

  // keyboard: focus a value, Enter edits, Escape leaves it unchanged
  await page.getByTestId('value-address').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('input-address').fill('something');
  await page.keyboard.press('Escape');
  await expectText(page.getByTestId('value-address'), 'Add…');

  // the title edits in place too
  await page.getByTestId('page-title').click();
  await page.getByTestId('input-title').fill('Inline Edit Group');
  await page.getByTestId('input-title').press('Enter');
  await expectText(page.getByTestId('page-title'), 'Inline Edit Group');
  await expectText(timelineItem(page, 'name'), /Name: Inline Edit LLC → Inline Edit Group/);
  await screenshot(page, 'record-desktop-en');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('a stale edit says someone changed the record and offers a reload; after it the edit goes through', async () => {
  const co = await create(agent, 'companies', { name: 'Stale Edit LLC', pipeline: 'dealers', city: 'Тула' });
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/companies/' + co.id);
  await expectText(page.getByTestId('value-city'), 'Тула');
  // a colleague (here: the same agent from another device) changes it meanwhile
  const r = await agent.patch('/api/companies/' + co.id, { version: co.version, inn: '7701234567' });
  assert.equal(r.status, 200, r.text);
  await page.getByTestId('value-city').click();
  await page.getByTestId('input-city').fill('Орёл');
  await page.getByTestId('input-city').press('Enter');
  await expectText(page.getByTestId('error-city'), /Someone changed this record since you opened it\. Reload/);
  await page.getByTestId('stale-banner').waitFor();
  await screenshot(page, 'record-stale-desktop-en');
  assert.equal((await agent.get('/api/companies/' + co.id)).json.city, 'Тула', 'nothing was overwritten');
  await page.getByTestId('stale-reload').click();
  await expectText(page.getByTestId('value-inn'), '7701234567');
  await page.getByTestId('stale-banner').waitFor({ state: 'detached' });
  await page.getByTestId('value-city').click();
  await page.getByTestId('input-city').fill('Орёл');
  await page.getByTestId('input-city').press('Enter');
  await expectText(page.getByTestId('value-city'), 'Орёл');
  assert.equal((await agent.get('/api/companies/' + co.id)).json.city, 'Орёл');
  await closePage(page);
});

test('company ↔ contacts: add a contact from the company card; the company moves to firm automatically, with the reason', async () => {
  const co = await create(agent, 'companies', { name: 'Linked Co', pipeline: 'dealers' });
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/companies/' + co.id);
  await page.getByTestId('related-contacts').waitFor();
  await page.getByTestId('related-new-contact').click();
  await expectPath(page, '/contacts/new');
  await page.getByTestId('new-company').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=new-company]').value === 'Linked Co');
  await page.getByTestId('new-name').fill('Anna Linked');
  await page.getByTestId('new-phones-0').fill('+7 903 444 55 66');
  await page.getByTestId('create-submit').click();
  await page.getByTestId('record-page').waitFor();
  await expectText(page.getByTestId('page-title'), 'Anna Linked');
  await page.getByTestId('link-company_id').click();
  await expectPath(page, '/companies/' + co.id);
  await expectText(page.getByTestId('related-contacts'), /Anna Linked/);
  await page.waitForFunction(() => document.querySelector('[data-testid=stage-firm]').classList.contains('current'));
  await expectText(page.getByTestId('timeline').locator('[data-kind=stage]').first(), new RegExp(`Stage: ${stages.lead} → ${stages.firm}[\\s\\S]*Automatically: a contact was linked`));
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('the stage bar offers only allowed moves and moves on click', async () => {
  const co = await create(agent, 'companies', { name: 'Stage Bar LLC', pipeline: 'dealers' });
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/companies/' + co.id);
  await page.getByTestId('stage-bar').waitFor();
  assert.equal(await page.getByTestId('stage-client').isDisabled(), true, 'lead → client is not allowed');
  assert.equal(await page.getByTestId('stage-firm').isDisabled(), true, 'lead → firm is not allowed to agents (it is automatic)');
  await page.getByTestId('stage-dead_end').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=stage-dead_end]').classList.contains('current'));
  assert.equal((await agent.get('/api/companies/' + co.id)).json.stage, 'dead_end');
  assert.equal(await page.getByTestId('stage-firm').isDisabled(), false, 'dead end → firm is allowed');
  await expectText(page.getByTestId('timeline').locator('[data-kind=stage]').first(), new RegExp(`Stage: ${stages.lead} → ${stages.dead_end}`));
  await closePage(page);
});

test('a record outside the user\'s scope is "not found", not an error page', async () => {
  const other = await clientAs(server.url, 'y.nikitina');
  const co = await create(other, 'companies', { name: 'Not Yours LLC', pipeline: 'dealers' });
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/companies/' + co.id);
  await expectText(page.getByTestId('page-title'), 'Record not found');
  await closePage(page);
});

test('custom fields show on the card, edit in place by their type, and appear in the timeline', async () => {
  const admin = await clientAs(server.url, 'admin');
  for (const f of [{ key: 'dealer_level', label: 'Dealer level', type: 'select', options: ['A', 'B', 'C'] },
    { key: 'turnover', label: 'Monthly turnover', type: 'money' }, { key: 'has_shop', label: 'Has a shop', type: 'bool' }]) {
    const r = await admin.post('/api/fields', { entity: 'company', ...f });
    assert.equal(r.status, 201, r.text);
  }
  const co = await create(agent, 'companies', { name: 'Custom Fields LLC', pipeline: 'dealers' });
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/companies/' + co.id);
  await page.getByTestId('custom-fields').waitFor();
  await page.getByTestId('value-custom.dealer_level').click();
  await page.getByTestId('input-custom.dealer_level').selectOption('B');
  await expectText(page.getByTestId('value-custom.dealer_level'), 'B');
  await page.getByTestId('value-custom.turnover').click();
  await page.getByTestId('input-custom.turnover').fill('1 250 000');
  await page.getByTestId('input-custom.turnover').press('Enter');
  await expectText(page.getByTestId('value-custom.turnover'), /1,250,000/);
  await page.getByTestId('input-custom.has_shop').check();
  await page.waitForFunction(() => document.querySelector('[data-testid="field-custom.has_shop"]').textContent.includes('Yes'));
  const custom = (await agent.get('/api/companies/' + co.id)).json.custom;
  assert.deepEqual(custom, { dealer_level: 'B', turnover: 125000000, has_shop: true });
  await expectText(timelineItem(page, 'custom.dealer_level'), /Dealer level: empty → B/);
  await expectText(timelineItem(page, 'custom.turnover'), /Monthly turnover: empty → ₽1,250,000/);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

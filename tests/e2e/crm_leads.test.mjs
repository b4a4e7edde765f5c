// The lead-creator screen: duplicates are found as you type (a phone written differently, a
// domain, a similar name); an exact duplicate blocks saving; a record the lead creator may not
// open shows its name and owner only; a clean lead is saved into the dealers pipeline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, expectText, expectPath,
  setCompanyLanguage, clientAs, create, screenshot, PHONE, horizontalOverflow } from './helpers.mjs';

const CREATOR = 'k.lebedeva';
let server, browser, admin, creator;
before(async () => {
  server = await startServer({ preset: 'dealers' });
  browser = await launch();
  await setCompanyLanguage(server.url, 'en');
  admin = await clientAs(server.url, 'admin');
  creator = await clientAs(server.url, CREATOR);
  // already in the CRM, owned by an agent: invisible to a lead creator
  const agent = await clientAs(server.url, 'y.nikitina');
  await create(agent, 'companies', { name: 'ООО «Северный Ветер»', pipeline: 'dealers', phones: ['+7 (916) 123-45-67'],
    emails: ['office@sever-veter.ru'], domain: 'sever-veter.ru', city: 'Архангельск' });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the same phone written differently is caught as you type and blocks saving; a new phone saves the lead', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url, CREATOR);
  await page.getByTestId('nav-leads').click();
  await expectPath(page, '/leads');
  await page.getByTestId('lead-name').fill('Южный Бриз');
  await page.getByTestId('lead-phone-0').fill('8 916 123 45 67');
  await page.getByTestId('dup-exact').waitFor();
  const item = page.getByTestId('dup-exact').getByTestId('dup-item');
  await expectText(item, /ООО «Северный Ветер»/);
  await expectText(item, /same phone/);
  await expectText(item, /owner: Никитина Юлия Сергеевна/);
  assert.equal(await item.getByTestId('dup-link').count(), 0, 'a record the lead creator may not read is not a link');
  assert.equal(await page.getByTestId('lead-save').isDisabled(), true, 'an exact duplicate blocks saving');
  await expectText(page.getByTestId('lead-blocked'), 'A duplicate blocks saving');
  await screenshot(page, 'leads-duplicate-desktop-en');
  // Enter in a field does not get past the block either
  await page.getByTestId('lead-name').press('Enter');
  assert.equal((await creator.get('/api/companies?q=' + encodeURIComponent('Южный Бриз'))).json.items.length, 0);

  await page.getByTestId('lead-phone-0').fill('+7 916 555-00-99');
  await page.getByTestId('dup-none').waitFor();
  assert.equal(await page.getByTestId('lead-save').isDisabled(), false);
  await page.getByTestId('lead-save').click();
  await expectText(page.getByTestId('lead-saved'), /Lead “Южный Бриз” saved/);
  assert.equal(await page.getByTestId('lead-name').inputValue(), '', 'the form is ready for the next lead');
  const saved = (await creator.get('/api/companies?q=' + encodeURIComponent('Южный Бриз'))).json.items;
  assert.equal(saved.length, 1);
  assert.equal(saved[0].pipeline, 'dealers');
  assert.equal(saved[0].owner_name, 'Лебедева Ксения Олеговна');
  assert.deepEqual(saved[0].phones, ['+79165550099']);
  assert.equal(saved[0].stage, 'lead');
  await page.getByTestId('lead-recent').getByText('Южный Бриз').waitFor();
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('domain, e-mail and exact name block; a similar name only warns; a visible duplicate is a link', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url, 'admin');
  await page.goto(server.url + '/leads');
  await page.getByTestId('lead-site').fill('https://www.Sever-Veter.ru/contacts');
  await page.getByTestId('dup-exact').waitFor();
  await expectText(page.getByTestId('dup-exact'), /same domain/);
  assert.equal(await page.getByTestId('dup-exact').getByTestId('dup-link').count(), 1, 'the admin may open it');
  await page.getByTestId('lead-site').fill('');
  await page.getByTestId('lead-email-0').fill('OFFICE@sever-veter.ru');
  await expectText(page.getByTestId('dup-exact'), /same e-mail/);
  await page.getByTestId('lead-email-0').fill('');
  await page.getByTestId('lead-name').fill('Северный  ветер');             // legal form, case and spaces aside
  await expectText(page.getByTestId('dup-exact'), /same name/);
  await page.getByTestId('lead-name').fill('ООО Северный Ветр');        // a typo away
  await page.getByTestId('dup-similar').waitFor();
  await expectText(page.getByTestId('dup-similar'), /similar name/);
  assert.equal(await page.getByTestId('dup-exact').count(), 0);
  assert.equal(await page.getByTestId('lead-save').isDisabled(), false, 'a similar name does not block');
  await page.getByTestId('lead-with-contact').check();
  await page.getByTestId('lead-contact-name').fill('Олег Ветров');
  await page.getByTestId('lead-contact-phone').fill('+7 921 000 11 22');
  await screenshot(page, 'leads-similar-desktop-en');
  await page.getByTestId('lead-save').click();
  await page.getByTestId('lead-saved').waitFor();
  // saved with its first contact, the lead became a firm (the dealers' automatic move)
  const saved = (await admin.get('/api/companies?name=' + encodeURIComponent('ООО Северный Ветр'))).json.items;
  assert.equal(saved.length, 1);
  assert.equal(saved[0].stage, 'firm');
  const contacts = (await admin.get('/api/contacts?company_id=' + saved[0].id)).json.items;
  assert.deepEqual(contacts.map((c) => [c.name, c.phones[0]]), [['Олег Ветров', '+79210001122']]);
  await page.getByTestId('lead-saved-open').click();
  await expectText(page.getByTestId('page-title'), 'ООО Северный Ветр');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('on a phone the duplicate panel sits above the save button and nothing spills sideways', async () => {
  const page = await openPage(browser, { viewport: PHONE });
  await signIn(page, server.url, CREATOR);
  await page.goto(server.url + '/leads');
  await page.getByTestId('lead-phone-0').fill('89161234567');
  await page.getByTestId('dup-exact').waitFor();
  const panel = await page.getByTestId('dup-panel').boundingBox();
  const save = await page.getByTestId('lead-save').boundingBox();
  assert.ok(panel.y < save.y, 'panel above the save button');
  assert.equal(await horizontalOverflow(page), 0);
  await page.getByTestId('dup-panel').scrollIntoViewIfNeeded();
  await screenshot(page, 'leads-duplicate-phone-en');
  await closePage(page);
});

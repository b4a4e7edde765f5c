// The create form when the server refuses an exact duplicate (409 "duplicate"): the matches
// are shown — a link for those the user may open, a sentence for the others — and an agent
// may save anyway, while a lead creator may not; nothing is saved until then.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, expectPath, setCompanyLanguage, clientAs, create,
  screenshot, PHONE } from './helpers.mjs';

const AGENT = 'i.smirnov';
let server, browser, agent, lcLogin;
before(async () => {
  server = await startServer({ preset: 'dealers' });
  browser = await launch();
  await setCompanyLanguage(server.url, 'en');
  agent = await clientAs(server.url, AGENT);
  const admin = await clientAs(server.url, 'admin');
  lcLogin = (await admin.get('/api/users?limit=200')).json.items.find((u) => u.role === 'lead_creator').login;
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('an agent sees the match, opens it or saves anyway', async () => {
  const mine = await create(agent, 'contacts', { name: 'Dup Original', phones: ['+7 916 555 10 01'] });
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/contacts/new');
  await page.getByTestId('new-name').fill('Dup Copy');
  await page.getByTestId('new-phones-0').fill('8 (916) 555-10-01');
  await page.getByTestId('create-submit').click();
  const refusal = page.getByTestId('duplicate-refusal');
  await refusal.waitFor();
  assert.match(await refusal.innerText(), /exists already/);
  assert.equal(await refusal.getByTestId('duplicate-link').getAttribute('href'), '/contacts/' + mine.id);
  await screenshot(page, 'duplicate-refusal-desktop');
  assert.equal((await agent.get('/api/contacts?q=' + encodeURIComponent('Dup Copy'))).json.items.length, 0, 'nothing saved yet');
  await refusal.getByTestId('save-anyway').click();
  await page.waitForURL(/\/contacts\/\d+$/);
  const id = Number(page.url().split('/').pop());
  assert.notEqual(id, mine.id);
  assert.equal((await agent.get('/api/contacts/' + id)).json.name, 'Dup Copy');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('a lead creator learns a company exists without seeing it, and cannot save it anyway (phone)', async () => {
  await create(agent, 'companies', { name: 'Hidden Holding', pipeline: 'dealers', phones: ['+7 495 555 20 02'] });
  const page = await openPage(browser, { viewport: PHONE });
  await signIn(page, server.url, lcLogin);
  await page.goto(server.url + '/companies/new');
  await page.getByTestId('new-name').fill('Visible Lead');
  await page.getByTestId('new-phones-0').fill('+74955552002');
  await page.getByTestId('create-submit').click();
  const refusal = page.getByTestId('duplicate-refusal');
  await refusal.waitFor();
  const text = await refusal.innerText();
  assert.match(text, /company with this phone number exists already/);
  assert.ok(!text.includes('Hidden Holding'), text);
  assert.equal(await refusal.getByTestId('duplicate-link').count(), 0);
  assert.equal(await refusal.getByTestId('save-anyway').count(), 0);
  await screenshot(page, 'duplicate-refusal-phone');
  await expectPath(page, '/companies/new');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

// A field worker (eshop master, read scope "linked" on contacts and companies) opens the client
// of his order from the order's card — phone and address, read-only — while the contact list
// stays closed and a client of nobody's order of his is "not found".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, expectText, setCompanyLanguage, clientAs, create,
  screenshot, PHONE } from './helpers.mjs';

let server, browser, master, client, other, order;
before(async () => {
  server = await startServer({ preset: 'eshop' });
  browser = await launch();
  await setCompanyLanguage(server.url, 'en');
  const admin = await clientAs(server.url, 'admin');
  master = (await admin.get('/api/users?limit=200')).json.items.find((u) => u.role === 'master');
  client = await create(admin, 'contacts', { name: 'Linked Client', phones: ['+7 926 444 55 66'], address: 'Lenina 1, flat 5' });
  other = await create(admin, 'contacts', { name: 'Somebody Else', phones: ['+7 926 444 55 67'] });
  order = await create(admin, 'deals', { title: 'Install a mixer', pipeline: 'orders', contact_id: client.id, owner_id: master.id });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a master opens the client of his order from its card; the list and other clients stay closed', async () => {
  const page = await openPage(browser, { viewport: PHONE });
  await signIn(page, server.url, master.login);
  await page.goto(server.url + '/deals/' + order.id);
  await page.getByTestId('value-contact_id').getByRole('link', { name: 'Linked Client' }).click();
  await page.waitForURL(new RegExp('/contacts/' + client.id + '$'));
  await expectText(page.getByTestId('page-title'), 'Linked Client');
  await expectText(page.getByTestId('value-address'), /Lenina 1/);
  assert.match(await page.getByTestId('value-phones').innerText(), /926/);
  assert.equal(await page.locator('[data-testid=value-address].editable').count(), 0, 'read-only');
  assert.equal(await page.getByTestId('record-back').count(), 0, 'no link back to a list he may not open');
  await screenshot(page, 'linked-contact-phone');
  await page.goto(server.url + '/contacts');
  await page.getByTestId('no-access').waitFor();
  await page.goto(server.url + '/contacts/' + other.id);
  await page.getByTestId('record-missing').waitFor();
  assert.deepEqual(page.errors.filter((e) => !/404/.test(e)), []);
  await closePage(page);
});

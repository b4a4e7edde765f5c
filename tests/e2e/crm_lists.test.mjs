// List views: search (a phone in any format), filters kept in the URL, sortable columns, a
// column chooser remembered after a reload, totals and "show more", a list narrowed to one
// company's contacts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, expectText, expectPath,
  setCompanyLanguage, clientAs, create } from './helpers.mjs';

const AGENT = 'p.romanov';
let server, browser, agent;
before(async () => {
  server = await startServer({ preset: 'dealers' });
  browser = await launch();
  await setCompanyLanguage(server.url, 'en');
  agent = await clientAs(server.url, AGENT);
  for (const [name, phone] of [['Bravo Listing', '+7 912 300 00 01'], ['Alpha Listing', '+7 912 300 00 02'], ['Charlie Listing', '+7 912 300 00 03']])
    await create(agent, 'companies', { name, pipeline: 'dealers', city: 'Listograd', phones: [phone], inn: '77000000' + phone.slice(-2) });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const names = (page) => page.locator('[data-testid=list-table] tbody a.row-link').allInnerTexts();

test('search by a phone written another way, filter by city, sort by name both ways; the URL keeps it all', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/companies/list');
  await page.getByTestId('list-table').waitFor();
  await page.getByTestId('list-search').fill('8 (912) 300-00-02');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=list-table] tbody tr').length === 1);
  assert.deepEqual(await names(page), ['Alpha Listing']);
  await expectText(page.getByTestId('list-total'), '1 company');
  await page.getByTestId('list-search').fill('');
  await page.getByTestId('filter-city').fill('Listograd');
  await expectText(page.getByTestId('list-total'), '3 companies');
  await page.getByTestId('sort-name').click();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=list-table] tbody a.row-link')].map((a) => a.textContent).join() === 'Alpha Listing,Bravo Listing,Charlie Listing');
  assert.equal(await page.locator('th[aria-sort=ascending]').count(), 1);
  await page.getByTestId('sort-name').click();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=list-table] tbody a.row-link')].map((a) => a.textContent).join() === 'Charlie Listing,Bravo Listing,Alpha Listing');
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('city'), 'Listograd');
  assert.equal(url.searchParams.get('sort'), '-name');
  await page.reload();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=list-table] tbody a.row-link')].map((a) => a.textContent).join() === 'Charlie Listing,Bravo Listing,Alpha Listing');
  assert.equal(await page.getByTestId('filter-city').inputValue(), 'Listograd');
  // a stage filter
  await page.getByTestId('filter-stage').selectOption('dead_end');
  await page.getByTestId('list-empty').waitFor();
  await page.getByTestId('filter-stage').selectOption('lead');
  await expectText(page.getByTestId('list-total'), '3 companies');
  // arrow keys walk the rows, Enter opens one
  await page.locator('a.row-link').first().focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expectText(page.getByTestId('page-title'), 'Bravo Listing');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('the column chooser adds a column and remembers it after a reload', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/companies/list?city=Listograd');
  await page.getByTestId('list-table').waitFor();
  assert.equal(await page.locator('th', { hasText: 'INN' }).count(), 0);
  await page.getByTestId('columns-button').click();
  await page.getByTestId('column-toggle-inn').check();
  await page.getByTestId('column-toggle-city').uncheck();
  await page.keyboard.press('Escape');
  await page.locator('th', { hasText: 'INN' }).waitFor();
  await page.reload();
  await page.locator('th', { hasText: 'INN' }).waitFor();
  assert.equal(await page.locator('th', { hasText: /^City$/ }).count(), 0);
  await expectText(page.locator('tbody tr').first().locator('td.col-inn'), /^770000000[123]$/);
  await closePage(page);
});

test('a total and "show more" page through a long list', async () => {
  for (let i = 0; i < 55; i++) await create(agent, 'contacts', { name: `Pager ${String(i).padStart(2, '0')}`, city: 'Pagertown' });
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/contacts/list?city=Pagertown');
  await expectText(page.getByTestId('list-total'), '55 contacts');
  assert.equal(await page.locator('[data-testid=list-table] tbody tr').count(), 50);
  await expectText(page.getByTestId('list-more'), /50 of 55/);
  await page.getByTestId('list-more').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=list-table] tbody tr').length === 55);
  assert.equal(await page.getByTestId('list-more').count(), 0);
  await closePage(page);
});

test('a company\'s contacts: the list narrowed by company_id shows a chip that removes the filter', async () => {
  const co = await create(agent, 'companies', { name: 'Chip Co', pipeline: 'dealers' });
  await create(agent, 'contacts', { name: 'Chip Person', company_id: co.id });
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await page.goto(server.url + '/contacts/list?company_id=' + co.id);
  await expectText(page.getByTestId('chip-link'), /Company:\s+Chip Co/);
  assert.deepEqual(await names(page), ['Chip Person']);
  await page.getByTestId('chip-link').getByRole('button').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=list-table] tbody tr').length > 1);
  assert.equal(new URL(page.url()).searchParams.get('company_id'), null);
  await closePage(page);
});

test('board and list switch, and "g c" / "g k" jump to companies and contacts', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url, AGENT);
  await page.keyboard.press('g');
  await page.keyboard.press('c');
  await expectPath(page, '/companies');
  await page.getByTestId('view-list').click();
  await expectPath(page, '/companies/list');
  await page.getByTestId('list-table').waitFor();
  await page.getByTestId('nav-companies').click();
  await expectPath(page, '/companies');
  await page.getByTestId('list-table').waitFor();                     // the last view used is remembered
  await page.getByTestId('view-board').click();
  await page.getByTestId('board').waitFor();
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('g');
  await page.keyboard.press('k');
  await expectPath(page, '/contacts');
  await page.getByTestId('list-table').waitFor();
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'list-search');
  await closePage(page);
});

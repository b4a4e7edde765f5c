// Products and services on a deal card (the eshop preset's orders) and the catalogue screen:
// lines added from the catalogue by typing and as free lines, the deal amount following them on
// the card and in the list, quantities edited, lines removed and reordered, a stale save
// explained and reloaded, read-only lines for a role that may not edit, no prices for a role
// kept from the amount, the catalogue's create/edit/deactivate, and the phone layout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, closePage, startServer, signIn, expectText, setCompanyLanguage, clientAs, adminClient,
  create, screenshot, horizontalOverflow, PHONE } from './helpers.mjs';

const OPERATOR = 'm.popova';
let server, browser, admin, op, pump, install;

before(async () => {
  server = await startServer({ preset: 'eshop' });
  browser = await launch();
  await setCompanyLanguage(server.url, 'en');
  admin = await adminClient(server.url);
  op = await clientAs(server.url, OPERATOR);
  pump = await product({ code: 'GR-JP5', name: 'Насосная станция Grundfos JPB 5/24', price: 2650000 });
  install = await product({ code: 'MONT-PUMP', name: 'Монтаж насосной станции', unit: 'усл', price: 450000 });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function product(body) {
  const r = await admin.post('/api/products', body);
  assert.equal(r.status, 201, r.text);
  return r.json;
}
const order = (title, over = {}) => create(op, 'deals', { title, pipeline: 'orders', ...over });
async function putItems(c, id, items) {
  const cur = (await c.get('/api/deals/' + id)).json;
  const r = await c.req('PUT', `/api/deals/${id}/items`, { version: cur.version, items });
  assert.equal(r.status, 200, r.text);
  return r.json;
}
async function role(key, body) {
  const r = await admin.req('PUT', '/api/roles/' + key, body);
  assert.equal(r.status, 200, r.text);
  const login = key.replace(/_/g, '.');
  const u = await admin.post('/api/users', { login, name: 'Test ' + key, password: 'password-123', role: key });
  assert.equal(u.status, 201, u.text);
  return { login, password: 'password-123' };
}
const focused = (page) => page.evaluate(() => document.activeElement && document.activeElement.getAttribute('data-testid'));
// Wait until a predicate over the page holds (state, not time).
async function until(page, fn, arg, what) {
  try { await page.waitForFunction(fn, arg, { timeout: 5000 }); } catch { assert.fail('timed out waiting for ' + what); }
}

test('add two catalogue products and a free line: the total, the card amount and the list follow', async () => {
  const deal = await order('Заказ: насосная станция под ключ', { amount: 100 });
  const page = await openPage(browser);
  await signIn(page, server.url, OPERATOR);
  await page.goto(server.url + '/deals/' + deal.id);
  await page.getByTestId('line-items').waitFor();
  await expectText(page.getByTestId('li-empty'), /No lines yet/);
  await expectText(page.getByTestId('li-manual-amount'), /entered by hand/);

  // a catalogue product found by part of its Russian name in another case, added with Enter
  const search = page.getByTestId('li-search');
  await search.click();
  await search.fill('СТАНЦИЯ GRUNDFOS JPB');
  await page.getByTestId('li-suggest-GR-JP5').waitFor();
  await search.press('Enter');
  await expectText(page.getByTestId('li-code-0'), 'GR-JP5');
  assert.equal(await focused(page), 'li-search', 'the search keeps the cursor for the next product');
  // by code, typed and entered before the suggestions could arrive
  await search.fill('mont-pump');
  await search.press('Enter');
  await expectText(page.getByTestId('li-code-1'), 'MONT-PUMP');
  // a free line: not in the catalogue, its price typed next
  await search.fill('Доставка до подъезда');
  await page.getByTestId('li-no-match').waitFor();
  await page.getByTestId('li-suggest-free').waitFor();
  await search.press('Enter');
  await until(page, () => document.activeElement?.getAttribute('data-testid') === 'li-price-2', null, 'the free line price to take focus');
  await page.keyboard.type('1 500');
  await expectText(page.getByTestId('li-total'), '₽32,500');

  // Tab goes from a quantity to its price; Enter in a line saves
  await page.getByTestId('li-qty-0').fill('2');
  await page.getByTestId('li-qty-0').press('Tab');
  assert.equal(await focused(page), 'li-price-0');
  await expectText(page.getByTestId('li-amount-0'), '₽53,000');
  await expectText(page.getByTestId('li-total'), '₽59,000');
  await expectText(page.getByTestId('li-save-bar'), /Unsaved changes/);
  await page.keyboard.press('Enter');
  await expectText(page.getByTestId('li-message'), 'Lines saved. The deal amount is ₽59,000.');
  await expectText(page.getByTestId('record-amount'), '₽59,000');
  await expectText(page.getByTestId('value-amount'), '₽59,000');
  assert.equal(await page.getByTestId('li-save-bar').count(), 0, 'nothing is left unsaved');
  const saved = (await op.get('/api/deals/' + deal.id)).json;
  assert.equal(saved.amount, 5900000);
  assert.deepEqual(saved.items.map((x) => [x.product_id, x.name, x.qty, x.price]), [
    [pump.id, pump.name, 2, 2650000], [install.id, install.name, 1, 450000], [null, 'Доставка до подъезда', 1, 150000]]);
  // with lines the amount is theirs: the field no longer edits by hand
  assert.equal(await page.getByTestId('value-amount').getAttribute('role'), null);
  await expectText(page.getByTestId('timeline').locator('[data-testid=timeline-item][data-field="items"]').first(),
    /Products and services: 0 lines → Насосная станция Grundfos JPB 5\/24 × 2 \(₽53,000\)/);
  await page.getByTestId('line-items').scrollIntoViewIfNeeded();
  await screenshot(page, 'lineitems-desktop-en');

  // the list shows the new amount
  await page.goto(server.url + '/deals/list');
  await expectText(page.getByTestId('row-' + deal.id).locator('.col-amount'), '₽59,000');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('with lines the amount is read-only and says where it comes from; without lines it is typed', async () => {
  const lined = await order('Заказ: сумма из позиций');
  await putItems(op, lined.id, [{ product_id: pump.id, qty: 1 }, { product_id: install.id, qty: 1 }]);
  const free = await order('Заказ: сумма вручную', { amount: 250000 });
  const page = await openPage(browser);
  await signIn(page, server.url, OPERATOR);
  await page.goto(server.url + '/deals/' + lined.id);
  await expectText(page.getByTestId('value-amount'), '₽31,000');
  await expectText(page.getByTestId('hint-amount'), /The total of the products and services below/);
  assert.equal(await page.getByTestId('value-amount').getAttribute('role'), null, 'not a button');
  await page.getByTestId('value-amount').click();
  assert.equal(await page.getByTestId('field-amount').locator('input').count(), 0, 'a click opens no editor');
  await page.getByTestId('amount-edit-lines').click();
  await until(page, () => document.activeElement?.getAttribute('data-testid') === 'li-search', null, 'the line search to take focus');

  await page.goto(server.url + '/deals/' + free.id);
  await expectText(page.getByTestId('value-amount'), '₽2,500');
  assert.equal(await page.getByTestId('hint-amount').count(), 0);
  await page.getByTestId('value-amount').click();
  const input = page.getByTestId('field-amount').locator('input');
  await input.fill('3000');
  await input.press('Enter');
  await expectText(page.getByTestId('value-amount'), '₽3,000');
  assert.equal((await op.get('/api/deals/' + free.id)).json.amount, 300000);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('edit a quantity, remove a line, reorder with Alt+↑, discard, and a bad quantity is refused before sending', async () => {
  const deal = await order('Заказ: правка позиций');
  await putItems(op, deal.id, [{ product_id: pump.id, qty: 1 }, { name: 'Вывоз упаковки', qty: 1, price: 50000 },
    { product_id: install.id, qty: 1 }]);
  const page = await openPage(browser);
  await signIn(page, server.url, OPERATOR);
  await page.goto(server.url + '/deals/' + deal.id);
  await expectText(page.getByTestId('li-count'), '3 lines');

  // a bad quantity: said next to the line, focused, nothing sent
  const before = (await op.get('/api/deals/' + deal.id)).json.version;
  await page.getByTestId('li-qty-0').fill('0');
  await page.getByTestId('li-save').click();
  await expectText(page.getByTestId('li-message'), /Line 1 \(Насосная станция Grundfos JPB 5\/24\): the quantity must be a positive number/);
  assert.equal(await page.getByTestId('li-qty-0').getAttribute('aria-invalid'), 'true');
  assert.equal(await focused(page), 'li-qty-0');
  assert.equal((await op.get('/api/deals/' + deal.id)).json.version, before);
  // discard puts the saved lines back
  await page.getByTestId('li-discard').click();
  assert.equal(await page.getByTestId('li-qty-0').inputValue(), '1');
  assert.equal(await page.getByTestId('li-save-bar').count(), 0);

  await page.getByTestId('li-qty-0').fill('3');
  await page.getByTestId('li-remove-1').click();
  await expectText(page.getByTestId('li-count'), '2 lines');
  await expectText(page.getByTestId('li-code-1'), 'MONT-PUMP');
  // the installation goes first: Alt+↑ in its quantity; the cursor stays in that quantity
  await page.getByTestId('li-qty-1').focus();
  await page.keyboard.press('Alt+ArrowUp');
  await expectText(page.getByTestId('li-code-0'), 'MONT-PUMP');
  assert.equal(await focused(page), 'li-qty-0');
  await expectText(page.getByTestId('li-total'), '₽84,000');
  await page.keyboard.press('Control+Enter');
  await expectText(page.getByTestId('li-message'), 'Lines saved. The deal amount is ₽84,000.');
  const saved = (await op.get('/api/deals/' + deal.id)).json;
  assert.deepEqual(saved.items.map((x) => [x.code, x.qty]), [['MONT-PUMP', 1], ['GR-JP5', 3]]);
  assert.equal(saved.amount, 8400000);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('a stale save says a colleague changed the deal, shows their lines, and the change can be made again', async () => {
  const deal = await order('Заказ: одновременная правка');
  await putItems(op, deal.id, [{ product_id: pump.id, qty: 1 }]);
  const page = await openPage(browser);
  await signIn(page, server.url, OPERATOR);
  await page.goto(server.url + '/deals/' + deal.id);
  await expectText(page.getByTestId('li-code-0'), 'GR-JP5');
  // meanwhile a colleague adds the installation
  const colleague = await clientAs(server.url, 'a.sidorova');
  const theirs = await putItems(colleague, deal.id, [{ product_id: pump.id, qty: 1 }, { product_id: install.id, qty: 1 }]);
  await page.getByTestId('li-qty-0').fill('4');
  await page.getByTestId('li-save').click();
  await expectText(page.getByTestId('li-message'), /Someone changed this deal while you were editing the lines/);
  await expectText(page.getByTestId('li-count'), '2 lines');
  assert.equal(await page.getByTestId('li-qty-0').inputValue(), '1', 'the edit was not applied over theirs');
  await until(page, (v) => document.querySelector('[data-testid=record-page]')?.dataset.version === String(v), theirs.version, 'the reloaded version');
  assert.equal((await op.get('/api/deals/' + deal.id)).json.amount, theirs.amount, 'the refused save wrote nothing');
  // again, on the fresh version
  await page.getByTestId('li-qty-0').fill('4');
  await page.getByTestId('li-save').click();
  await expectText(page.getByTestId('li-message'), 'Lines saved. The deal amount is ₽110,500.');
  assert.deepEqual((await op.get('/api/deals/' + deal.id)).json.items.map((x) => x.qty), [4, 1]);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('a role that may not edit sees the lines read-only; a role kept from the amount sees them without prices', async () => {
  const deal = await order('Заказ: только просмотр');
  await putItems(op, deal.id, [{ product_id: pump.id, qty: 2 }, { name: 'Выезд мастера', qty: 1, price: 70000 }]);
  const viewer = await role('li_viewer', { name: 'Viewer', capabilities: [], scopes: { deal: { read: 'all' }, contact: { read: 'all' } } });
  const blind = await role('li_blind', { name: 'No prices', capabilities: [], scopes: { deal: { read: 'all', edit: 'all' }, contact: { read: 'all' } },
    hidden_fields: { deal: ['amount'] } });

  let page = await openPage(browser);
  await signIn(page, server.url, viewer.login, viewer.password);
  await page.goto(server.url + '/deals/' + deal.id);
  await expectText(page.getByTestId('li-read-only'), 'Your role may view these lines but not change them.');
  await expectText(page.getByTestId('li-qty-0'), '2');
  await expectText(page.getByTestId('li-price-1'), '₽700');
  await expectText(page.getByTestId('li-total'), '₽53,700');
  assert.equal(await page.getByTestId('line-items').locator('input, button:not([data-testid=li-message-close])').count(), 0, 'nothing to edit');
  assert.equal(await page.getByTestId('li-search').count(), 0);
  assert.deepEqual(page.errors, []);
  await closePage(page);

  page = await openPage(browser);
  await signIn(page, server.url, blind.login, blind.password);
  await page.goto(server.url + '/deals/' + deal.id);
  await expectText(page.getByTestId('li-prices-hidden'), 'Prices are hidden for your role.');
  await expectText(page.getByTestId('li-name-1'), 'Выезд мастера');
  await expectText(page.getByTestId('li-qty-0'), '2');
  assert.equal(await page.getByTestId('li-price-0').count(), 0);
  assert.equal(await page.getByTestId('li-total').count(), 0);
  assert.equal(await page.getByTestId('li-search').count(), 0);
  assert.equal(await page.getByTestId('record-amount').count(), 0);
  const text = await page.getByTestId('record-page').innerText();
  assert.ok(!/53,700|26,500|700/.test(text), 'no price anywhere on the card: ' + text);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('the catalogue: create with checks next to the fields, a taken code, edit, deactivate — and a deactivated product is not offered', async () => {
  const page = await openPage(browser);
  await signIn(page, server.url);
  await page.goto(server.url + '/settings');
  await page.getByTestId('settings-tab-products').click();
  await page.getByTestId('products-table').waitFor();
  await page.getByTestId('product-row-GR-JP5').waitFor();

  await page.getByTestId('product-new').click();
  await page.getByTestId('product-name').fill('Кран шаровой 1/2"');
  await page.getByTestId('product-code').fill('kran 12');
  await page.getByTestId('product-save').click();
  await expectText(page.getByTestId('error-product-code'), 'Use 1–64 Latin letters, digits and . _ - /.');
  await expectText(page.getByTestId('error-product-price'), /Enter a price/);
  await page.getByTestId('product-code').fill('KR-12');
  await page.getByTestId('product-price-input').fill('850,50');
  await page.getByTestId('product-unit').fill('шт');
  await page.getByTestId('product-save').click();
  await expectText(page.getByTestId('toast').last(), '“Кран шаровой 1/2"” added to the catalogue.');
  await expectText(page.getByTestId('product-row-KR-12').getByTestId('product-price'), '₽850.50');
  const made = (await admin.get('/api/products?q=KR-12')).json.items[0];
  assert.deepEqual([made.name, made.price, made.unit, made.currency, made.active], ['Кран шаровой 1/2"', 85050, 'шт', 'RUB', true]);

  // the same code again: the server's refusal next to the code
  await page.getByTestId('product-new').click();
  await page.getByTestId('product-name').fill('Другой кран');
  await page.getByTestId('product-code').fill('KR-12');
  await page.getByTestId('product-price-input').fill('1');
  await page.getByTestId('product-save').click();
  await expectText(page.getByTestId('error-product-code'), 'A product with this code already exists.');
  // closing it throws the typed product away: the dialog asks first
  const asked = new Promise((resolve) => page.once('dialog', (d) => { resolve(d.message()); d.accept(); }));
  await page.getByTestId('dialog-close').click();
  assert.match(await asked, /Discard the changes/);
  await page.getByTestId('product-dialog').waitFor({ state: 'detached' });

  // edit the price in the dialog opened from the row
  await page.getByTestId('product-open-KR-12').click();
  await page.getByTestId('product-price-input').fill('900');
  await page.getByTestId('product-save').click();
  await expectText(page.getByTestId('product-row-KR-12').getByTestId('product-price'), '₽900');
  assert.equal((await admin.get('/api/products/' + made.id)).json.price, 90000);

  // search finds it in another case; deactivate it from the row
  await page.getByTestId('products-search').fill('КРАН');
  await page.getByTestId('product-row-GR-JP5').waitFor({ state: 'detached' });
  await page.getByTestId('product-toggle-KR-12').click();
  await expectText(page.getByTestId('product-row-KR-12').getByTestId('product-status'), 'Deactivated');
  assert.equal((await admin.get('/api/products/' + made.id)).json.active, false);
  await page.getByTestId('products-status').selectOption('true');
  await page.getByTestId('products-empty').waitFor();
  await page.getByTestId('products-search').fill('');
  await page.getByTestId('products-status').selectOption('');
  await page.getByTestId('product-row-KR-12').waitFor();
  await screenshot(page, 'products-desktop-en');

  // on a deal it is no longer offered
  const deal = await order('Заказ: кран');
  await page.goto(server.url + '/deals/' + deal.id);
  await page.getByTestId('li-search').fill('KR-12');
  await page.getByTestId('li-no-match').waitFor();
  assert.equal(await page.getByTestId('li-suggest-KR-12').count(), 0);
  assert.deepEqual(page.errors, []);
  await closePage(page);

  // an operator has no catalogue screen
  const opPage = await openPage(browser);
  await signIn(opPage, server.url, OPERATOR);
  await opPage.goto(server.url + '/settings/products');
  await opPage.getByTestId('settings-no-access').waitFor();
  assert.equal(await opPage.getByTestId('settings-tab-products').count(), 0);
  await closePage(opPage);
});

test('on a phone the lines are stacked cards, moved with buttons, saved; the catalogue fits too (Russian)', async () => {
  const deal = await order('Заказ: с телефона');
  await putItems(op, deal.id, [{ product_id: pump.id, qty: 1 }, { name: 'Доставка', qty: 1, price: 150000 }]);
  const page = await openPage(browser, { viewport: PHONE });
  await page.addInitScript(() => localStorage.setItem('voronka.lang', 'ru'));
  await signIn(page, server.url, OPERATOR);
  await page.goto(server.url + '/deals/' + deal.id);
  const block = page.getByTestId('line-items');
  await block.waitFor();
  await block.scrollIntoViewIfNeeded();
  assert.equal(await block.locator('thead').isVisible(), false, 'no table header on a phone');
  const box0 = await page.getByTestId('li-line-0').boundingBox();
  const blockBox = await block.boundingBox();
  assert.ok(box0.width <= blockBox.width, 'a line fits the card');
  const qty = await page.getByTestId('li-qty-0').boundingBox();
  const price = await page.getByTestId('li-price-0').boundingBox();
  assert.ok(qty.y > box0.y + 20 && Math.abs(qty.y - price.y) < 2, 'quantity and price sit side by side under the name');
  assert.ok(qty.height >= 34, 'inputs are big enough to tap');
  assert.ok(await horizontalOverflow(page) <= 0, 'the card does not scroll sideways');

  await page.getByTestId('li-0-down').click();
  await until(page, () => document.querySelector('[data-testid=li-name-input-0]')?.value === 'Доставка', null, 'the free line to move up');
  await expectText(page.getByTestId('li-code-1'), 'GR-JP5');
  await page.getByTestId('li-qty-1').fill('2');
  await expectText(page.getByTestId('li-total'), /^54\s500\s₽$/);
  await page.getByTestId('li-save').click();
  await expectText(page.getByTestId('li-message'), /^Позиции сохранены\. Сумма сделки — 54\s500\s₽\.$/);
  assert.deepEqual((await op.get('/api/deals/' + deal.id)).json.items.map((x) => [x.name, x.qty]),
    [['Доставка', 1], [pump.name, 2]]);
  await block.scrollIntoViewIfNeeded();
  await screenshot(page, 'lineitems-phone-ru');
  assert.deepEqual(page.errors, []);
  await closePage(page);

  const adminPage = await openPage(browser, { viewport: PHONE });
  await signIn(adminPage, server.url);
  await adminPage.goto(server.url + '/settings/products');
  await adminPage.getByTestId('product-row-GR-JP5').waitFor();
  assert.ok(await horizontalOverflow(adminPage) <= 0, 'the catalogue does not scroll sideways');
  await screenshot(adminPage, 'products-phone-list-en');
  await adminPage.getByTestId('product-open-MONT-PUMP').click();
  await adminPage.getByTestId('product-dialog').waitFor();
  await screenshot(adminPage, 'products-phone-en');
  assert.deepEqual(adminPage.errors, []);
  await closePage(adminPage);
});

// The product catalogue (/api/products) and deal line items (/api/deals/ID/items): what was
// sold sets the deal's amount, a stale save is refused whole, a role that may not see the amount
// sees no prices and cannot set them, and bad input is a clear 4xx with nothing written.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, assertHealthy, loginAs, createUser, withoutCsrf } from './helpers.mjs';
import { crmServer, create, get, timeline, tag, enc, all } from './crm_helpers.mjs';

describe('products and deal line items', () => {
  let s, admin, operator, master, otherMaster, t;
  const put = (c, id, body) => c.req('PUT', `/api/deals/${id}/items`, body);
  const product = async (body) => {
    const r = await admin.post('/api/products', body);
    assert.equal(r.status, 201, `POST /api/products ${JSON.stringify(body)}: ${r.status} ${r.text}`);
    return r.json;
  };
  const order = (c, over = {}) => create(c, 'deals', { title: `Заказ ${t} ${Math.random().toString(36).slice(2, 7)}`, pipeline: 'orders', ...over });

  before(async () => {
    s = await crmServer('eshop');
    admin = s.admin;
    operator = await s.as(s.byRole.operator[0]);
    master = await s.as(s.byRole.master[0]);
    otherMaster = await s.as(s.byRole.master[1]);
    t = tag('pr');
  });
  after(async () => { await s?.stop(); });

  it('a product is created with defaults, read, found by code or name in any case, and edited', async () => {
    const p = await product({ code: `MX-${t}`, name: `Смеситель Ёлочка ${t}`, price: 450000 });
    assert.equal(p.unit, 'шт');
    assert.equal(p.currency, 'RUB', 'the company currency is the default');
    assert.equal(p.active, true);
    assert.deepEqual((await admin.get('/api/products/' + p.id)).json, p);
    // Cyrillic case and ё do not matter, nor does the case of the code
    for (const q of [`смеситель ёлочка ${t}`, `ЕЛОЧКА ${t}`, `mx-${t}`, `MX-${t.toUpperCase()}`]) {
      const r = await operator.get('/api/products?q=' + enc(q));
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.items.map((x) => x.id), [p.id], `search ${q}`);
    }
    const e = await admin.patch('/api/products/' + p.id, { price: 470000, unit: 'компл', active: false });
    assert.equal(e.status, 200, e.text);
    assert.equal(e.json.price, 470000);
    assert.equal(e.json.unit, 'компл');
    assert.equal(e.json.active, false);
    assert.equal(e.json.code, p.code, 'what PATCH leaves out stays');
    const inactive = (await operator.get(`/api/products?q=${enc(t)}&active=true`)).json.items;
    assert.ok(!inactive.some((x) => x.id === p.id), 'active=true leaves the deactivated product out');
    const off = (await operator.get(`/api/products?q=${enc(t)}&active=false`)).json.items;
    assert.ok(off.some((x) => x.id === p.id));
    const tl = await timeline(admin, 'product', p.id);
    assert.deepEqual(tl.map((x) => x.kind).sort(), ['create', 'update']);
  });

  it('the catalogue pages by id with a cursor and every product is seen once', async () => {
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await product({ code: `PG${i}-${t}`, name: `Страница ${t} ${i}`, price: 100 * i })).id);
    const seen = await all(operator, `/api/products?q=${enc('Страница ' + t)}`, 2);
    assert.deepEqual(seen.map((x) => x.id), made);
  });

  it('catalogue bad input: 400 naming the field, 409 for a taken code, 403 without settings.manage; nothing written', async () => {
    const base = { code: `BAD-${t}`, name: `Плохой ${t}`, price: 100 };
    for (const body of ['{"code":', '', 'null', '[]', '"x"', '{"code":"A"} tail']) {
      assertError(await admin.post('/api/products', body), 400, 'bad_json');
    }
    const cases = [
      [{ ...base, code: 5 }, 'code'], [{ ...base, code: '' }, 'code'], [{ ...base, code: 'с пробелом' }, 'code'],
      [{ ...base, code: 'A'.repeat(65) }, 'code'], [{ ...base, name: '' }, 'name'], [{ ...base, name: 'я'.repeat(301) }, 'name'],
      [{ ...base, name: ['x'] }, 'name'], [{ ...base, unit: '' }, 'unit'], [{ ...base, unit: 'u'.repeat(21) }, 'unit'],
      [{ ...base, price: '100' }, 'price'], [{ ...base, price: -1 }, 'price'], [{ ...base, price: 1.5 }, 'price'],
      [{ ...base, price: 1e15 + 1 }, 'price'], [{ ...base, price: 1e300 }, 'price'], [{ ...base, currency: 'rub' }, 'currency'],
      [{ ...base, currency: 'RUBX' }, 'currency'], [{ ...base, currency: 7 }, 'currency'], [{ ...base, active: 'yes' }, 'active'],
    ];
    for (const [body, field] of cases) {
      const r = await admin.post('/api/products', body);
      assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 120)}: ${r.status} ${r.text}`);
      assert.equal(r.json.error.field, field, `${JSON.stringify(body).slice(0, 120)}: ${r.text}`);
    }
    for (const k of ['code', 'name', 'price']) {
      const body = { ...base };
      delete body[k];
      assertError(await admin.post('/api/products', body), 400, 'missing', k);
    }
    assertError(await admin.post('/api/products', { ...base, colour: 'red' }), 400, undefined, 'colour');
    assertError(await operator.post('/api/products', base), 403, 'forbidden');
    assertError(await withoutCsrf(admin).post('/api/products', base), 403);
    assert.equal((await admin.get('/api/products?q=' + enc(t) + '&limit=200')).json.items.filter((x) => x.code === base.code).length, 0,
      'no refused product was written');

    const a = await product(base);
    const b = await product({ ...base, code: `BAD2-${t}` });
    assertError(await admin.post('/api/products', base), 409, 'conflict', 'code');
    assertError(await admin.patch('/api/products/' + b.id, { code: a.code }), 409, 'conflict', 'code');
    assertError(await admin.patch('/api/products/' + b.id, { price: -5 }), 400, 'invalid', 'price');
    assertError(await operator.patch('/api/products/' + b.id, { price: 1 }), 403, 'forbidden');
    assert.deepEqual((await admin.get('/api/products/' + b.id)).json, b, 'refused edits left the product as it was');
    assertError(await admin.patch('/api/products/999999', { price: 1 }), 404, 'not_found');
    assertError(await admin.get('/api/products/999999'), 404, 'not_found');
    assertError(await admin.get('/api/products?q=' + 'x'.repeat(201)), 400, 'invalid', 'q');
    assertError(await admin.get('/api/products?active=maybe'), 400, 'invalid', 'active');
    assertError(await admin.get('/api/products?limit=0'), 400);
    assertError(await admin.get('/api/products?cursor=zzz'), 400);
    await assertHealthy(s.srv, 'catalogue bad input');
  });

  it('line items set the deal amount (qty × price, rounded half up), bump the version and are in the timeline', async () => {
    const p = await product({ code: `LI-${t}`, name: `Унитаз ${t}`, price: 1234567, unit: 'шт' });
    const d = await order(operator, { amount: 100 });
    const r = await put(operator, d.id, { version: d.version, items: [
      { product_id: p.id, qty: 2 },
      { name: 'Монтаж', unit: 'ч', qty: 2.5, price: 333 },            // 832.5 → 833
      { product_id: p.id, name: 'Унитаз (витринный)', qty: 1, price: 1000000 }, // a catalogue line with its own name and price
    ] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.amount, 2 * 1234567 + 833 + 1000000);
    assert.equal(r.json.version, d.version + 1);
    assert.deepEqual(r.json.items.map((x) => [x.product_id, x.code, x.name, x.unit, x.qty, x.price, x.amount]), [
      [p.id, p.code, p.name, 'шт', 2, 1234567, 2469134],
      [null, null, 'Монтаж', 'ч', 2.5, 333, 833],
      [p.id, p.code, 'Унитаз (витринный)', 'шт', 1, 1000000, 1000000],
    ]);
    const deal = await get(operator, 'deals', d.id);
    assert.equal(deal.amount, r.json.amount);
    assert.equal(deal.version, r.json.version);
    assert.deepEqual(deal.items, r.json.items);
    assert.deepEqual((await operator.get(`/api/deals/${d.id}/items`)).json, { items: r.json.items, next: null });
    const listed = (await operator.get(`/api/deals?q=${enc(d.title)}`)).json.items.find((x) => x.id === d.id);
    assert.equal(listed.amount, r.json.amount, 'the list shows the new amount');
    const tl = await timeline(operator, 'deal', d.id);
    const items = tl.find((x) => x.field === 'items');
    assert.equal(items.old, 0);
    assert.deepEqual(items.new.map((x) => x.name), ['Унитаз ' + t, 'Монтаж', 'Унитаз (витринный)']);
    const amount = tl.find((x) => x.field === 'amount');
    assert.equal(amount.new, r.json.amount);

    // a deactivated product stays on the deal, and the deal can be saved again with it
    assert.equal((await admin.patch('/api/products/' + p.id, { active: false })).status, 200);
    const again = await put(operator, d.id, { version: r.json.version, items: r.json.items.slice(0, 1).map((x) =>
      ({ product_id: x.product_id, name: x.name, unit: x.unit, qty: 3, price: x.price })) });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.amount, 3 * 1234567);
    // an empty list clears the lines and the amount
    const cleared = await put(operator, d.id, { version: again.json.version, items: [] });
    assert.equal(cleared.status, 200, cleared.text);
    assert.deepEqual(cleared.json.items, []);
    assert.equal(cleared.json.amount, 0);
  });

  it('a stale save is 409 and writes nothing; of two saves with one version exactly one wins', async () => {
    const d = await order(operator);
    const first = await put(operator, d.id, { version: d.version, items: [{ name: 'Доставка', qty: 1, price: 50000 }] });
    assert.equal(first.status, 200, first.text);
    assertError(await put(operator, d.id, { version: d.version, items: [{ name: 'Другое', qty: 1, price: 1 }] }), 409, 'stale');
    const deal = await get(operator, 'deals', d.id);
    assert.deepEqual(deal.items.map((x) => x.name), ['Доставка']);
    assert.equal(deal.amount, 50000);
    const both = await Promise.all([1, 2].map((n) => put(operator, d.id, { version: deal.version, items: [{ name: 'Гонка ' + n, qty: 1, price: n }] })));
    assert.deepEqual(both.map((x) => x.status).sort(), [200, 409]);
    const won = both.find((x) => x.status === 200).json;
    const now = await get(operator, 'deals', d.id);
    assert.deepEqual(now.items.map((x) => x.name), won.items.map((x) => x.name));
    assert.equal(now.version, won.version);
  });

  it('line bad input: 400 naming the line, nothing written, the server keeps serving', async () => {
    const p = await product({ code: `LB-${t}`, name: `Кран ${t}`, price: 1000 });
    const d = await order(operator);
    const ok = await put(operator, d.id, { version: d.version, items: [{ product_id: p.id, qty: 1 }] });
    assert.equal(ok.status, 200, ok.text);
    const v = ok.json.version;
    for (const body of ['{"version":', '', 'null', '[]', '{"version":1,"items":[]} x']) {
      assertError(await put(operator, d.id, body), 400, 'bad_json');
    }
    assertError(await put(operator, d.id, { items: [] }), 400, 'missing', 'version');
    assertError(await put(operator, d.id, { version: v }), 400, 'missing', 'items');
    assertError(await put(operator, d.id, { version: String(v), items: [] }), 400, 'invalid', 'version');
    assertError(await put(operator, d.id, { version: v, items: [], extra: 1 }), 400, undefined, 'extra');
    assertError(await put(operator, d.id, { version: v, items: {} }), 400, 'invalid', 'items');
    assertError(await put(operator, d.id, { version: v, items: Array(501).fill({ name: 'x', qty: 1, price: 1 }) }), 400, 'invalid', 'items');
    const good = { name: 'Монтаж', qty: 1, price: 100 };
    const lines = [
      'line', null, { ...good, qty: 0 }, { ...good, qty: -1 }, { ...good, qty: 1.2345 }, { ...good, qty: '2' }, { ...good, qty: 1e10 },
      { name: 'x', qty: 1 }, { qty: 1, price: 1 }, { ...good, name: '' }, { ...good, name: 'я'.repeat(301) }, { ...good, name: 5 },
      { ...good, unit: '' }, { ...good, unit: 'u'.repeat(21) }, { ...good, price: -1 }, { ...good, price: 1e12 + 1 }, { ...good, price: '100' },
      { ...good, price: 1.5 }, { product_id: 999999, qty: 1 }, { product_id: String(p.id), qty: 1 }, { ...good, discount: 5 },
    ];
    for (const line of lines) {
      const r = await put(operator, d.id, { version: v, items: [good, line] });
      assert.equal(r.status, 400, `${JSON.stringify(line)}: ${r.status} ${r.text}`);
      assert.equal(r.json.error.field, 'items[1]', `${JSON.stringify(line)}: ${r.text}`);
    }
    const deal = await get(operator, 'deals', d.id);
    assert.equal(deal.version, v, 'no refused save moved the version');
    assert.deepEqual(deal.items.map((x) => [x.name, x.qty]), [[p.name, 1]]);
    assertError(await put(operator, 999999, { version: 1, items: [] }), 404, 'not_found');
    assertError(await operator.get('/api/deals/999999/items'), 404, 'not_found');
    assertError(await withoutCsrf(operator).req('PUT', `/api/deals/${d.id}/items`, { version: v, items: [] }), 403);
    await assertHealthy(s.srv, 'line bad input');
  });

  it('lines follow the deal scopes: a foreign deal is 404, a deal one may read but not edit is 403', async () => {
    const mine = await order(operator, { owner_id: s.ids[s.byRole.master[0]] });
    const r = await put(master, mine.id, { version: mine.version, items: [{ name: 'Выезд мастера', qty: 1, price: 70000 }] });
    assert.equal(r.status, 200, 'a master edits the lines of his own order: ' + r.text);
    assertError(await otherMaster.get(`/api/deals/${mine.id}/items`), 404, 'not_found');
    assertError(await put(otherMaster, mine.id, { version: r.json.version, items: [] }), 404, 'not_found');

    // a viewer: reads every deal, edits none
    const key = 'viewer_' + t.slice(0, 10);
    const role = await admin.req('PUT', '/api/roles/' + key, { name: 'Наблюдатель', capabilities: [], scopes: { deal: { read: 'all' } } });
    assert.equal(role.status, 200, role.text);
    const u = await createUser(admin, { role: key });
    const viewer = await loginAs(s.srv, u.login, u.password);
    assert.equal((await viewer.get(`/api/deals/${mine.id}/items`)).json.items[0].price, 70000);
    assertError(await put(viewer, mine.id, { version: r.json.version, items: [] }), 403, 'forbidden');
    assert.equal((await get(operator, 'deals', mine.id)).items.length, 1, 'the refused save wrote nothing');
  });

  it('a role that may not see the amount sees lines without prices, cannot save them, and has no items history', async () => {
    const key = 'noprice_' + t.slice(0, 10);
    const role = await admin.req('PUT', '/api/roles/' + key, { name: 'Без цен', capabilities: [],
      scopes: { deal: { read: 'all', edit: 'all' } }, hidden_fields: { deal: ['amount'] } });
    assert.equal(role.status, 200, role.text);
    const u = await createUser(admin, { role: key });
    const blind = await loginAs(s.srv, u.login, u.password);
    const d = await order(operator);
    const r = await put(operator, d.id, { version: d.version, items: [{ name: 'Секретная цена', qty: 2, price: 99900 }] });
    assert.equal(r.status, 200, r.text);

    const items = (await blind.get(`/api/deals/${d.id}/items`)).json.items;
    assert.deepEqual(items.map((x) => [x.name, x.qty, 'price' in x, 'amount' in x]), [['Секретная цена', 2, false, false]]);
    const deal = await get(blind, 'deals', d.id);
    assert.ok(!('amount' in deal), 'the deal has no amount');
    assert.ok(deal.items.every((x) => !('price' in x) && !('amount' in x)), 'nor do its lines: ' + JSON.stringify(deal.items));
    assert.ok(!JSON.stringify(await timeline(blind, 'deal', d.id)).includes('99900'), 'nor its history');
    assert.ok(!(await timeline(blind, 'deal', d.id)).some((x) => x.field === 'items' || x.field === 'amount'));
    assertError(await put(blind, d.id, { version: deal.version, items: [{ name: 'x', qty: 1, price: 1 }] }), 403, 'forbidden', 'amount');
    assert.equal((await get(operator, 'deals', d.id)).amount, 199800, 'nothing was written');
  });

  it('a deal with lines takes its amount from them: PATCH amount is 422 amount_from_items, currency 422 currency_from_items, nothing written', async () => {
    const d = await order(operator, { amount: 5000 });
    assert.equal((await operator.patch('/api/deals/' + d.id, { version: d.version, amount: 7000 })).status, 200,
      'a deal without lines keeps a free amount');
    const free = await get(operator, 'deals', d.id);
    assert.equal(free.amount, 7000);
    const r = await put(operator, d.id, { version: free.version, items: [{ name: 'Смеситель', qty: 2, price: 450000 }] });
    assert.equal(r.status, 200, r.text);
    for (const amount of [100, 0, 900001]) {
      assertError(await operator.patch('/api/deals/' + d.id, { version: r.json.version, amount }), 422, 'amount_from_items', 'amount');
      assertError(await operator.patch('/api/deals/' + d.id, { version: r.json.version, amount, title: 'Другое' }), 422, 'amount_from_items', 'amount');
    }
    const after = await get(operator, 'deals', d.id);
    assert.equal(after.amount, 900000, 'the amount is still the lines\' sum');
    assert.equal(after.version, r.json.version, 'a refused PATCH moved no version');
    assert.equal(after.title, d.title, 'nor wrote the other fields it carried');
    // the lines are priced in the deal's currency: it is not relabelled under them
    assertError(await operator.patch('/api/deals/' + d.id, { version: after.version, currency: 'USD' }), 422, 'currency_from_items', 'currency');
    assert.equal((await get(operator, 'deals', d.id)).currency, after.currency, 'the currency stayed');
    // the same amount sent back (a form that posts every field) is not a change; other fields still edit
    const same = await operator.patch('/api/deals/' + d.id, { version: after.version, amount: 900000, title: d.title + ' ред.' });
    assert.equal(same.status, 200, same.text);
    assert.equal(same.json.amount, 900000);
    // without lines again the amount is free
    const cleared = await put(operator, d.id, { version: same.json.version, items: [] });
    assert.equal(cleared.status, 200, cleared.text);
    const typed = await operator.patch('/api/deals/' + d.id, { version: cleared.json.version, amount: 123400, currency: 'USD' });
    assert.equal(typed.status, 200, typed.text);
    assert.equal(typed.json.amount, 123400);
    assert.equal(typed.json.currency, 'USD', 'and so is the currency');
    await assertHealthy(s.srv, 'amount from items');
  });

  it('the eshop demo ships a catalogue of goods and services, and its orders\' lines sum to their amounts', async () => {
    const catalogue = await all(operator, '/api/products?active=true', 100);
    const demo = catalogue.filter((x) => !x.code.includes(t));
    assert.ok(demo.length >= 20, `a realistic catalogue, got ${demo.length}`);
    for (const p of demo) {
      assert.match(p.name, /[А-Яа-яЁё]/, `a Russian name: ${p.name}`);
      assert.match(p.code, /^[A-Z0-9-]+$/, `a product code: ${p.code}`);
      assert.ok(p.price > 0 && p.price % 100 === 0, `a price in kopecks: ${p.code} ${p.price}`);
      assert.equal(p.currency, 'RUB');
    }
    assert.ok(demo.some((x) => x.unit === 'услуга' && /Монтаж|Установка/.test(x.name)), 'installation is sold as a service');
    assert.ok(demo.some((x) => x.code === 'BOIL-TX80' && /Водонагреватель/.test(x.name)), 'the landing codes are catalogue codes');
    const orders = (await all(admin, '/api/deals?pipeline=orders')).filter((x) => x.title.startsWith('Заказ №'));
    assert.ok(orders.length >= 30, `the demo orders: ${orders.length}`);
    let withLines = 0;
    for (const o of orders) {
      const items = (await admin.get(`/api/deals/${o.id}/items`)).json.items;
      if (!items.length) continue;
      withLines++;
      assert.equal(items.reduce((sum, x) => sum + x.amount, 0), o.amount, `order ${o.title}: the lines sum to the amount`);
      assert.ok(items.some((x) => x.product_id && x.code), `order ${o.title} carries catalogue goods`);
    }
    assert.ok(withLines >= 30, `the demo orders carry their goods: ${withLines} with lines`);
    // the lines came in as a change of the order, so the card's history says what was sold
    assert.ok((await timeline(admin, 'deal', orders[0].id)).some((x) => x.field === 'items'), 'the lines are in the timeline');
  });
});

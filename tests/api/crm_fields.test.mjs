// Custom fields and value lists as the logistics owner uses them: a request (deal) carries weight,
// volume, cities, a district from his own list; values are checked by type, filtered, sorted and
// paged by, searched, and every change is in the timeline.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, assertHealthy, createUser, startServer, adminClient } from './helpers.mjs';
import { crmServer, create, get, patch, patchOk, all, timeline, tag, enc } from './crm_helpers.mjs';

// SQLite compares text byte-wise (UTF-8); so does this.
const bytewise = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('crm custom fields and value lists', () => {
  let s, admin, sup, mgr, t;
  const F = {}; // field definitions by key

  const field = async (body) => {
    const r = await admin.post('/api/fields', body);
    assert.equal(r.status, 201, `POST /api/fields ${JSON.stringify(body)}: ${r.status} ${r.text}`);
    F[body.key] = r.json;
    return r.json;
  };
  const putList = async (key, body) => {
    const r = await admin.req('PUT', '/api/lists/' + key, body);
    assert.equal(r.status, 200, `PUT /api/lists/${key}: ${r.status} ${r.text}`);
    return r.json;
  };
  const deal = (custom, extra = {}) => create(admin, 'deals', { title: `Груз ${t} ${extra.n ?? ''}`.trim(), custom, ...extra, n: undefined });

  before(async () => {
    s = await crmServer('logistics');
    admin = s.admin;
    sup = await s.as(s.byRole.supervisor[0]);
    mgr = await s.as(s.byRole.manager[0]);
    t = tag('cf');
    await putList('districts', { name: 'Округа', items: ['north', 'south', { value: 'center', label: 'Центр' }] });
    await field({ entity: 'deal', key: 'weight', label: 'Вес, кг', type: 'number', sort: 1 });
    await field({ entity: 'deal', key: 'volume', label: 'Объём, м³', type: 'number' });
    await field({ entity: 'deal', key: 'city_from', label: 'Откуда', type: 'text' });
    await field({ entity: 'deal', key: 'comment', label: 'Комментарий', type: 'longtext' });
    await field({ entity: 'deal', key: 'form', label: 'Форма', type: 'select', options: ['full', 'callback'] });
    await field({ entity: 'deal', key: 'district', label: 'Округ', type: 'select', list: 'districts' });
    await field({ entity: 'deal', key: 'services', label: 'Услуги', type: 'multiselect', options: ['loading', 'packing', 'insurance'] });
    await field({ entity: 'deal', key: 'urgent', label: 'Срочно', type: 'bool' });
    await field({ entity: 'deal', key: 'pickup_date', label: 'Дата забора', type: 'date' });
    await field({ entity: 'deal', key: 'pickup_at', label: 'Время забора', type: 'datetime' });
    await field({ entity: 'deal', key: 'budget', label: 'Бюджет', type: 'money' });
    await field({ entity: 'deal', key: 'sender_phone', label: 'Телефон отправителя', type: 'phone' });
    await field({ entity: 'deal', key: 'sender_email', label: 'E-mail отправителя', type: 'email' });
    await field({ entity: 'deal', key: 'dock', label: 'Адрес склада', type: 'address' });
    await field({ entity: 'deal', key: 'curator', label: 'Куратор', type: 'user' });
  });
  after(async () => { await s?.stop(); });

  it('definitions: every type is created and listed for everybody; only settings.manage changes them', async () => {
    const r = await mgr.get('/api/fields?entity=deal');
    assert.equal(r.status, 200, r.text);
    const keys = r.json.items.map((f) => f.key);
    for (const k of Object.keys(F)) assert.ok(keys.includes(k), `field ${k} not listed`);
    const order = [...r.json.items].sort((a, b) => a.sort - b.sort || a.id - b.id).map((f) => f.key);
    assert.deepEqual(keys, order, 'fields come in their sort order, then as created');
    assert.equal(keys[keys.length - 1], 'weight');
    const byKey = Object.fromEntries(r.json.items.map((f) => [f.key, f]));
    assert.equal(byKey.district.list, 'districts');
    assert.deepEqual(byKey.form.options, ['full', 'callback']);
    assert.equal(byKey.comment.filterable, false);
    assert.equal(byKey.services.filterable, false);
    assert.equal(byKey.weight.filterable, true);
    assert.equal(byKey.weight.required, false);
    assert.deepEqual((await mgr.get('/api/fields?entity=company')).json.items.filter((f) => f.entity !== 'company'), []);
    assert.equal((await mgr.get('/api/lists')).status, 200);
    assert.deepEqual((await mgr.get('/api/lists/districts')).json.items.map((i) => i.value), ['north', 'south', 'center']);

    for (const c of [mgr, sup]) {
      assertError(await c.post('/api/fields', { entity: 'deal', key: 'hack', label: 'x', type: 'text' }), 403, 'forbidden');
      assertError(await c.patch('/api/fields/' + F.weight.id, { label: 'x' }), 403, 'forbidden');
      assertError(await c.del('/api/fields/' + F.weight.id), 403, 'forbidden');
      assertError(await c.req('PUT', '/api/lists/districts', { items: ['x'] }), 403, 'forbidden');
      assertError(await c.del('/api/lists/districts'), 403, 'forbidden');
    }
    assert.deepEqual((await admin.get('/api/lists/districts')).json.items.map((i) => i.value), ['north', 'south', 'center'], 'a refused PUT changed the list');
    assertError(await mgr.get('/api/fields?entity=user'), 400, 'invalid', 'entity');
  });

  it('definitions: bad input is a clear 400/409 naming the field; nothing is created', async () => {
    const count = async () => (await admin.get('/api/fields')).json.items.length;
    const before = await count();
    for (const body of ['{"entity":', '', 'null', '[]', '{"key":"a","key":"b"}']) {
      assertError(await admin.post('/api/fields', body), 400, 'bad_json');
    }
    const ok = { entity: 'deal', key: 'zz_new', label: 'Новое', type: 'text' };
    const cases = [
      [{ ...ok, entity: undefined }, 'missing', 'entity'],
      [{ ...ok, entity: 'user' }, 'invalid', 'entity'],
      [{ ...ok, key: undefined }, 'missing', 'key'],
      ...['1abc', 'Abc', 'a', 'x'.repeat(41), 'with-dash', 'with space', 'вес', '_x'].map((key) => [{ ...ok, key }, 'invalid', 'key']),
      [{ ...ok, key: 5 }, 'invalid', 'key'],
      [{ ...ok, type: undefined }, 'missing', 'type'],
      [{ ...ok, type: 'float' }, 'invalid', 'type'],
      [{ ...ok, type: ['text'] }, 'invalid', 'type'],
      [{ ...ok, label: undefined }, 'missing', 'label'],
      [{ ...ok, label: '' }, 'invalid', 'label'],
      [{ ...ok, label: 'я'.repeat(201) }, 'invalid', 'label'],
      [{ ...ok, type: 'select' }, 'invalid', 'options'],
      [{ ...ok, type: 'multiselect', options: [] }, 'invalid', 'options'],
      [{ ...ok, type: 'select', options: 'a,b' }, 'invalid', 'options'],
      [{ ...ok, type: 'select', options: [''] }, 'invalid', 'options'],
      [{ ...ok, type: 'select', options: [5] }, 'invalid', 'options'],
      [{ ...ok, type: 'select', options: ['я'.repeat(201)] }, 'invalid', 'options'],
      [{ ...ok, type: 'select', options: Array.from({ length: 201 }, (_, i) => 'o' + i) }, 'invalid', 'options'],
      [{ ...ok, type: 'select', list: 'no_such_list' }, 'invalid', 'list'],
      [{ ...ok, type: 'select', list: 5 }, 'invalid', 'list'],
      [{ ...ok, required: 'yes' }, 'invalid', 'required'],
      [{ ...ok, sort: -1 }, 'invalid', 'sort'],
      [{ ...ok, sort: 10001 }, 'invalid', 'sort'],
      [{ ...ok, sort: 'first' }, 'invalid', 'sort'],
      [{ ...ok, filterable: true }, 'invalid', 'filterable'],
    ];
    for (const [body, code, fieldName] of cases) {
      const clean = JSON.parse(JSON.stringify(body));
      assertError(await admin.post('/api/fields', clean), 400, code, fieldName);
    }
    assertError(await admin.post('/api/fields', { ...ok, key: 'weight', type: 'text' }), 409, 'conflict', 'key');
    assert.equal(await count(), before, 'a refused definition was stored');
    const other = await admin.post('/api/fields', { ...ok, entity: 'company', key: 'weight' });
    assert.equal(other.status, 201, 'the same key on another entity is another field');
    await assertHealthy(s.srv, 'bad field definitions');
  });

  it('values: each type is checked and normalised; a bad value is 400 naming custom.KEY and nothing is created', async () => {
    const d = await deal({
      weight: 1250.5, volume: 12, city_from: '  Казань  ', comment: 'я'.repeat(10000), form: 'full', district: 'center',
      services: ['loading', 'packing', 'loading'], urgent: true, pickup_date: '2024-02-29', pickup_at: 1767225600000,
      budget: 1500000, sender_phone: '8 (916) 123-45-67', sender_email: 'Ivan.Petrov@Example.RU', dock: 'Казань, ул. Складская, 5',
      curator: sup.user.id,
    }, { n: 'типы' });
    const c = d.custom;
    assert.equal(c.weight, 1250.5);
    assert.equal(c.volume, 12);
    assert.equal(c.form, 'full');
    assert.equal(c.district, 'center');
    assert.deepEqual(c.services, ['loading', 'packing'], 'duplicates in a multiselect collapse');
    assert.equal(c.urgent, true);
    assert.equal(c.pickup_date, '2024-02-29');
    assert.equal(c.pickup_at, 1767225600000);
    assert.equal(c.budget, 1500000);
    assert.equal(c.sender_phone, '+79161234567', 'a phone is stored in E.164');
    assert.equal(c.sender_email, 'ivan.petrov@example.ru', 'an e-mail is lower-cased');
    assert.equal(c.curator, sup.user.id);
    assert.equal(c.comment.length, 10000);
    assert.deepEqual((await get(admin, 'deals', d.id)).custom, c, 'GET answers what POST answered');

    const gone = await createUser(admin, { role: 'manager' });
    assert.equal((await admin.patch('/api/users/' + gone.id, { active: false })).status, 200);
    const bad = {
      weight: ['12', true, 1e16, -1e16, [1], { v: 1 }],
      city_from: [5, true, ['a'], { a: 1 }, 'я'.repeat(501), 'a\u0000b'],
      comment: ['я'.repeat(10001), 7],
      form: ['other', 'FULL', 1, ['full']],
      district: ['east', 'Центр', 3],
      services: ['loading', ['loading', 'flying'], [1], [null], Array.from({ length: 51 }, () => 'loading'), { a: 'loading' }],
      urgent: ['true', 1, 0, ['x']],
      pickup_date: ['2024-02-30', '2023-02-29', '24-01-01', '2024-1-1', '2024-01-01T00:00', 20240101, '1899-12-31'],
      pickup_at: [-1, 1.5, '1767225600000', 1e16, true],
      budget: [1.5, -1, '100', 1e15 + 1, true],
      sender_phone: ['123', 'not a phone', 79161234567, '+'],
      sender_email: ['not-an-email', 'a@b', 5, 'a b@c.ru'],
      dock: ['я'.repeat(501), 12],
      curator: [0, -1, 987654, gone.id, String(sup.user.id), 1.5],
    };
    for (const [key, values] of Object.entries(bad)) {
      for (const v of values) {
        const r = await admin.post('/api/deals', { title: `Новый ${t}`, custom: { weight: 100, [key]: v } });
        assertError(r, 400, 'invalid', 'custom.' + key);
      }
    }
    assertError(await admin.post('/api/deals', { title: `Новый ${t}`, custom: { no_such_field: 1 } }), 400, 'invalid', 'custom.no_such_field');
    for (const v of ['x', [], 5, true]) {
      assertError(await admin.post('/api/deals', { title: `Новый ${t}`, custom: v }), 400, 'invalid', 'custom');
    }
    const none = await admin.get(`/api/deals?q=${enc('Новый ' + t)}&count=true`);
    assert.equal(none.json.total, 0, 'a refused request created a deal');
    assert.equal((await admin.post('/api/deals', { title: `Крайние ${t}`, custom: { weight: -1e15, budget: 1e15, comment: 'x' } })).status, 201);
    await assertHealthy(s.srv, 'bad custom values');
    // like every text of a record (docs/api.md: "Text is trimmed")
    assert.equal(c.city_from, 'Казань', 'a custom text keeps the spaces around it');
  });

  it('values: a PATCH changes only the keys it sends; null or "" clears one; one bad value refuses the whole PATCH', async () => {
    const d = await deal({ weight: 500, form: 'full', city_from: 'Уфа' }, { n: 'патч' });
    let r = await patchOk(admin, 'deals', d.id, { custom: { weight: 700 } });
    assert.deepEqual(r.custom, { weight: 700, form: 'full', city_from: 'Уфа' });
    r = await patchOk(admin, 'deals', d.id, { custom: { form: null, city_from: '' } });
    assert.deepEqual(r.custom, { weight: 700 });
    const v = r.version;
    r = await patchOk(admin, 'deals', d.id, { custom: { weight: 700 } });
    assert.equal(r.version, v, 'a PATCH that changes nothing bumped the version');
    const refused = await patch(admin, 'deals', d.id, { amount: 5000, custom: { weight: 900, form: 'nope' } });
    assertError(refused, 400, 'invalid', 'custom.form');
    const now = await get(admin, 'deals', d.id);
    assert.equal(now.version, v);
    assert.deepEqual(now.custom, { weight: 700 }, 'part of a refused PATCH was written');
    assert.equal(now.amount, 0);
  });

  it('select values: only the options or the list items; editing the list takes effect at once', async () => {
    const ms = await field({ entity: 'deal', key: 'zones', label: 'Зоны', type: 'multiselect', list: 'districts' });
    const d = await deal({ district: 'north', zones: ['north', 'south'] }, { n: 'список' });
    assertError(await patch(admin, 'deals', d.id, { custom: { district: 'east' } }), 400, 'invalid', 'custom.district');
    assertError(await patch(admin, 'deals', d.id, { custom: { zones: ['east'] } }), 400, 'invalid', 'custom.zones');

    let l = await putList('districts', { name: 'Округа', items: ['north', 'south', 'center', { value: 'east', label: 'Восток' }] });
    assert.deepEqual(l.items, [{ value: 'north', label: 'north' }, { value: 'south', label: 'south' },
      { value: 'center', label: 'center' }, { value: 'east', label: 'Восток' }], 'PUT replaces the items with what it sends');
    assert.deepEqual((await patchOk(admin, 'deals', d.id, { custom: { district: 'east', zones: ['east', 'north'] } })).custom.zones, ['east', 'north']);

    l = await putList('districts', { items: ['south', 'center', 'east', 'east'] });
    assert.equal(l.name, 'Округа', 'a PUT without name keeps the name');
    assert.deepEqual(l.items.map((i) => i.value), ['south', 'center', 'east'], 'duplicates collapse');
    assertError(await admin.post('/api/deals', { title: `Новый ${t}`, custom: { district: 'north' } }), 400, 'invalid', 'custom.district');
    assertError(await admin.post('/api/deals', { title: `Новый ${t}`, custom: { zones: ['north'] } }), 400, 'invalid', 'custom.zones');
    // a record that still carries a removed value keeps it, and can be edited otherwise
    const kept = await patchOk(admin, 'deals', d.id, { amount: 100 });
    assert.deepEqual(kept.custom.zones, ['east', 'north']);
    l = await putList('districts', { name: 'Районы' });
    assert.deepEqual(l.items.map((i) => i.value), ['south', 'center', 'east'], 'a PUT without items keeps the items');
    assert.equal(l.name, 'Районы');

    assert.equal(ms.list, 'districts');
    await putList('districts', { name: 'Округа', items: ['north', 'south', { value: 'center', label: 'Центр' }] });
  });

  it('value lists: bad input is a clear 400 and changes nothing; unknown lists are 404', async () => {
    await putList('blacklist', { name: 'Чёрный список городов', items: ['Минск', 'Алматы'] });
    const cases = [
      ['Bad-Key', { name: 'x', items: [] }, 'invalid', 'key'],
      ['a', { name: 'x', items: [] }, 'invalid', 'key'],
      ['brand_new', { items: ['x'] }, 'missing', 'name'],
      ['blacklist', { name: '' }, 'invalid', 'name'],
      ['blacklist', { name: 'я'.repeat(201) }, 'invalid', 'name'],
      ['blacklist', { name: 5 }, 'invalid', 'name'],
      ['blacklist', { items: 'Минск' }, 'invalid', 'items'],
      ['blacklist', { items: [''] }, 'invalid', 'items'],
      ['blacklist', { items: [5] }, 'invalid', 'items'],
      ['blacklist', { items: [null] }, 'invalid', 'items'],
      ['blacklist', { items: [{ label: 'Минск' }] }, 'invalid', 'items'],
      ['blacklist', { items: [{ value: 'я'.repeat(201) }] }, 'invalid', 'items'],
      ['blacklist', { items: [{ value: 'x', label: 'я'.repeat(201) }] }, 'invalid', 'items'],
      ['blacklist', { items: Array.from({ length: 5001 }, (_, i) => 'c' + i) }, 'invalid', 'items'],
      ['blacklist', { name: 'x', color: 'red' }, 'invalid', 'color'],
    ];
    for (const [key, body, code, fieldName] of cases) {
      assertError(await admin.req('PUT', '/api/lists/' + key, body), 400, code, fieldName);
    }
    for (const body of ['{"items":', '', 'null', '[]']) assertError(await admin.req('PUT', '/api/lists/blacklist', body), 400, 'bad_json');
    const l = (await admin.get('/api/lists/blacklist')).json;
    assert.equal(l.name, 'Чёрный список городов');
    assert.deepEqual(l.items.map((i) => i.value), ['Минск', 'Алматы'], 'a refused PUT changed the list');
    assertError(await admin.get('/api/lists/brand_new'), 404, 'not_found');
    assertError(await admin.get('/api/lists/no_such'), 404, 'not_found');
    assertError(await admin.del('/api/lists/no_such'), 404, 'not_found');
    const big = await putList('big_list', { name: 'Большой', items: Array.from({ length: 5000 }, (_, i) => 'Город ' + i) });
    assert.equal(big.items.length, 5000);
    assert.equal((await admin.del('/api/lists/big_list')).status, 204);
    assertError(await admin.get('/api/lists/big_list'), 404, 'not_found');
    assert.ok((await admin.get('/api/lists')).json.items.some((x) => x.key === 'blacklist'));
    await assertHealthy(s.srv, 'bad lists');
    for (const items of [[{ value: 'x', label: 5 }], [{ value: 7 }], [{ value: 'x', label: ['y'] }]]) {
      const r = await admin.req('PUT', '/api/lists/blacklist', { items });
      assertError(r, 400, 'invalid', 'items');
    }
    assert.deepEqual((await admin.get('/api/lists/blacklist')).json.items.map((i) => i.value), ['Минск', 'Алматы'],
      'an item with a label of the wrong type replaced the list');
  });

  it('a list that a field uses is not deleted from under it', async () => {
    await putList('regions_x', { name: 'Регионы', items: ['r1', 'r2'] });
    const f = await field({ entity: 'deal', key: 'region_x', label: 'Регион', type: 'select', list: 'regions_x' });
    assert.equal(f.list, 'regions_x');
    const r = await admin.del('/api/lists/regions_x');
    const after = await admin.post('/api/deals', { title: `Регион ${t}`, custom: { region_x: 'r1' } });
    assertError(r, 409, 'conflict');
    assert.equal(after.status, 201, `after deleting its list the field refuses every value: ${after.text}`);
  });

  describe('filters, sort and pages over custom values', () => {
    const rows = [
      // weight, district, urgent, pickup_date, services
      [100, 'north', true, '2025-03-01', ['loading']],
      [2500.5, 'south', false, '2025-01-15', []],
      [null, 'center', null, null, null],
      [20000, 'north', true, '2025-02-10', ['packing', 'loading']],
      [2500.5, null, false, '2025-03-01', ['insurance']],
      [-5, 'south', true, null, null],
      [999, 'center', false, '2024-12-31', ['packing']],
      [100, 'north', null, '2025-01-01', null],
      [7, null, true, '2025-02-28', ['loading']],
    ];
    const made = [];
    before(async () => {
      await putList('districts', { name: 'Округа', items: ['north', 'south', { value: 'center', label: 'Центр' }] });
      for (const [i, [weight, district, urgent, pickup_date, services]] of rows.entries()) {
        const custom = {};
        if (weight !== null) custom.weight = weight;
        if (district !== null) custom.district = district;
        if (urgent !== null) custom.urgent = urgent;
        if (pickup_date !== null) custom.pickup_date = pickup_date;
        if (services !== null) custom.services = services;
        made.push(await create(admin, 'deals', { title: `Сортировка ${t} ${i}`, custom }));
      }
    });
    const q = () => `q=${enc('Сортировка ' + t)}`;
    const ids = (pred) => made.filter((d) => pred(d.custom)).map((d) => d.id).sort((a, b) => a - b);
    const got = async (query) => {
      const items = await all(admin, `/api/deals?${q()}&${query}`);
      return items.map((d) => d.id).sort((a, b) => a - b);
    };

    it('filters: equal, range, empty, multiselect contains, bool, date; count agrees', async () => {
      assert.deepEqual(await got('custom.weight=100'), ids((c) => c.weight === 100));
      assert.deepEqual(await got('custom.weight=2500.5'), ids((c) => c.weight === 2500.5));
      assert.deepEqual(await got('custom.weight.from=100&custom.weight.to=2500.5'), ids((c) => c.weight >= 100 && c.weight <= 2500.5));
      assert.deepEqual(await got('custom.weight.to=0'), ids((c) => c.weight <= 0));
      assert.deepEqual(await got('custom.weight.empty=true'), ids((c) => c.weight === undefined));
      assert.deepEqual(await got('custom.weight.empty=false'), ids((c) => c.weight !== undefined));
      assert.deepEqual(await got('custom.district=north'), ids((c) => c.district === 'north'));
      assert.deepEqual(await got('custom.district.empty=true'), ids((c) => c.district === undefined));
      assert.deepEqual(await got('custom.urgent=true'), ids((c) => c.urgent === true));
      assert.deepEqual(await got('custom.urgent=false'), ids((c) => c.urgent === false));
      assert.deepEqual(await got('custom.pickup_date.from=2025-01-01&custom.pickup_date.to=2025-02-28'),
        ids((c) => c.pickup_date >= '2025-01-01' && c.pickup_date <= '2025-02-28'));
      assert.deepEqual(await got('custom.services=loading'), ids((c) => (c.services || []).includes('loading')));
      assert.deepEqual(await got('custom.district=north&custom.urgent=true'), ids((c) => c.district === 'north' && c.urgent === true));
      const cnt = await admin.get(`/api/deals?${q()}&custom.weight.from=100&count=true&limit=1`);
      assert.equal(cnt.json.total, ids((c) => c.weight >= 100).length);
      assert.equal(cnt.json.items.length, 1);
    });

    it('filters: a multiselect with nothing chosen counts as empty', async () => {
      assert.deepEqual(await got('custom.services.empty=true'), ids((c) => !c.services || c.services.length === 0));
    });

    it('bad custom filters and sorts are 400 naming the argument', async () => {
      for (const [query, fieldName] of [
        ['custom.no_such=1', 'custom.no_such'], ['custom.weight=heavy', 'custom.weight'], ['custom.weight.gt=5', 'custom.weight.gt'],
        ['custom.weight.from=', 'custom.weight.from'], ['custom.comment=x', 'custom.comment'], ['custom.urgent=yes', 'custom.urgent'],
        ['custom.weight.empty=maybe', 'custom.weight.empty'], ['custom.budget=1.5', 'custom.budget'],
        ['custom.city_from=' + 'я'.repeat(501), 'custom.city_from'],
        ['sort=custom.services', 'sort'], ['sort=custom.comment', 'sort'], ['sort=custom.no_such', 'sort'], ['sort=-custom.', 'sort'],
      ]) assertError(await admin.get(`/api/deals?${query}`), 400, 'invalid', fieldName);
    });

    // Expected order: empty values lowest, ties by id in the same direction.
    const expectOrder = (key, desc, cmp) => {
      const low = Symbol('empty');
      const val = (d) => (d.custom[key] === undefined ? low : d.custom[key]);
      const sorted = [...made].sort((a, b) => {
        const va = val(a), vb = val(b);
        let c = va === low && vb === low ? 0 : va === low ? -1 : vb === low ? 1 : cmp(va, vb);
        if (c === 0) c = a.id - b.id;
        return desc ? -c : c;
      });
      return sorted.map((d) => d.id);
    };
    const walk = async (sort, limit) => {
      const items = await all(admin, `/api/deals?${q()}&sort=${enc(sort)}`, limit);
      return items.map((d) => d.id);
    };
    const num = (a, b) => a - b;
    const boolCmp = (a, b) => Number(a) - Number(b);

    for (const [key, cmp] of [['weight', num], ['district', bytewise], ['pickup_date', bytewise]]) {
      it(`sort=custom.${key} walks every record exactly once, both directions, any page size`, async () => {
        for (const limit of [1, 2, 4, 200]) {
          assert.deepEqual(await walk(`custom.${key}`, limit), expectOrder(key, false, cmp), `ascending, limit ${limit}`);
          assert.deepEqual(await walk(`-custom.${key}`, limit), expectOrder(key, true, cmp), `descending, limit ${limit}`);
        }
      });
    }

    it('sort=custom.urgent (a yes/no field) pages with cursors like any other', async () => {
      assert.deepEqual(await walk('custom.urgent', 200), expectOrder('urgent', false, boolCmp), 'one page');
      assert.deepEqual(await walk('custom.urgent', 2), expectOrder('urgent', false, boolCmp), 'pages of 2');
      assert.deepEqual(await walk('-custom.urgent', 3), expectOrder('urgent', true, boolCmp), 'pages of 3, descending');
    });

    it('pages stay exact while records are added during the walk', async () => {
      const seen = [];
      let cursor = null;
      let added = 0;
      for (let i = 0; i < 50; i++) {
        const r = await admin.get(`/api/deals?${q()}&sort=custom.weight&limit=2` + (cursor ? `&cursor=${enc(cursor)}` : ''));
        assert.equal(r.status, 200, r.text);
        seen.push(...r.json.items.map((d) => d.id));
        if (i === 1) { // a colleague adds a heavy and an unweighed request meanwhile
          await create(admin, 'deals', { title: `Сортировка ${t} поздний`, custom: { weight: 1e6 } });
          await create(admin, 'deals', { title: `Сортировка ${t} пустой` });
          added = 2;
        }
        if (r.json.next === null) break;
        cursor = r.json.next;
      }
      assert.equal(new Set(seen).size, seen.length, 'a record came twice');
      for (const d of made) assert.ok(seen.includes(d.id), `record ${d.id} was skipped`);
      assert.ok(seen.length <= made.length + added);
    });
  });

  it('timeline: one event per custom field changed, with typed old and new values', async () => {
    const d = await deal({ weight: 100, services: ['loading'], urgent: false }, { n: 'история' });
    await patchOk(admin, 'deals', d.id, { custom: { weight: 120, services: ['loading', 'packing'], urgent: false, form: 'callback' } });
    await patchOk(admin, 'deals', d.id, { custom: { urgent: null } });
    const ev = (await timeline(admin, 'deal', d.id)).filter((e) => e.field?.startsWith('custom.'));
    const by = (f) => ev.filter((e) => e.field === f).map((e) => [e.old, e.new]);
    assert.deepEqual(by('custom.weight'), [[100, 120]]);
    assert.deepEqual(by('custom.services'), [[['loading'], ['loading', 'packing']]]);
    assert.deepEqual(by('custom.form'), [[null, 'callback']]);
    assert.deepEqual(by('custom.urgent'), [[false, null]], 'an unchanged value wrote an event, or clearing wrote none');
    assert.equal(ev.length, 4);
    assert.ok(ev.every((e) => e.kind === 'update' && e.actor?.id === admin.user.id));
  });

  it('search finds text custom values, and forgets the old value after a change', async () => {
    const word = tag('склад');
    const d = await deal({ city_from: `Терминал ${word}` }, { n: 'поиск' });
    let r = await admin.get(`/api/deals?q=${enc(word)}`);
    assert.deepEqual(r.json.items.map((x) => x.id), [d.id]);
    const word2 = tag('док');
    await patchOk(admin, 'deals', d.id, { custom: { city_from: `Терминал ${word2}` } });
    assert.deepEqual((await admin.get(`/api/deals?q=${enc(word2)}`)).json.items.map((x) => x.id), [d.id]);
    assert.deepEqual((await admin.get(`/api/deals?q=${enc(word)}`)).json.items, []);
  });

  it('required custom fields: needed on create, cannot be cleared; older records stay editable', async () => {
    const old = await create(admin, 'contacts', { name: `Старый ${t}` });
    const f = await field({ entity: 'contact', key: 'inn_x', label: 'ИНН', type: 'text', required: true });
    const m = await field({ entity: 'contact', key: 'channels', label: 'Каналы', type: 'multiselect', options: ['tg', 'wa'], required: true });
    assert.equal(f.required && m.required, true);
    for (const custom of [undefined, {}, { inn_x: null, channels: ['tg'] }, { inn_x: '', channels: ['tg'] }, { channels: ['tg'] }, { inn_x: '1' }]) {
      const r = await admin.post('/api/contacts', { name: `Новый ${t}`, ...(custom ? { custom } : {}) });
      assert.equal(r.status, 400, `${JSON.stringify(custom)}: ${r.text}`);
      assert.match(r.json.error.field, /^custom\.(inn_x|channels)$/);
    }
    const ok = await create(admin, 'contacts', { name: `Заполнен ${t}`, custom: { inn_x: '7701234567', channels: ['wa'] } });
    assertError(await patch(admin, 'contacts', ok.id, { custom: { inn_x: null } }), 400, undefined, 'custom.inn_x');
    assertError(await patch(admin, 'contacts', ok.id, { custom: { inn_x: '' } }), 400, undefined, 'custom.inn_x');
    assert.equal((await patch(admin, 'contacts', old.id, { city: 'Пермь' })).status, 200, 'a record older than the rule cannot be edited');
    assert.equal((await admin.get(`/api/contacts?q=${enc('Новый ' + t)}&count=true`)).json.total, 0);
  });

  it('required custom fields: an empty choice or blank text does not fill them', async () => {
    const ok = await create(admin, 'contacts', { name: `Заполнен 2 ${t}`, custom: { inn_x: '7701234568', channels: ['tg'] } });
    const empty = await admin.post('/api/contacts', { name: `Пустой ${t}`, custom: { inn_x: '7701', channels: [] } });
    const clear = await patch(admin, 'contacts', ok.id, { custom: { channels: [] } });
    const blank = await admin.post('/api/contacts', { name: `Пробелы ${t}`, custom: { inn_x: '   ', channels: ['tg'] } });
    assertError(empty, 400, undefined, 'custom.channels');
    assertError(clear, 400, undefined, 'custom.channels');
    assertError(blank, 400, undefined, 'custom.inn_x');
  });
});

// PATCH and DELETE of a definition each get a server of their own: when one of them brings the
// server down, the other tests of this file still report on their own behaviour.
describe('crm custom field definitions: changing and removing', () => {
  async function fresh() {
    const srv = await startServer();
    const admin = await adminClient(srv);
    return { srv, admin };
  }
  // A request error after the server process died says so, with the signal.
  async function run(fn) {
    const { srv, admin } = await fresh();
    try {
      await fn(srv, admin);
    } catch (e) {
      const st = await Promise.race([srv.exited, new Promise((r) => setTimeout(() => r(null), 300))]);
      if (st) throw new Error(`the server died (${st.signal || 'exit ' + st.code}) during this test: ${e.message}\n${srv.stderr().split('\n').slice(-3).join('\n')}`);
      throw e;
    } finally { await srv.stop(); }
  }
  const mk = async (admin, body) => {
    const r = await admin.post('/api/fields', body);
    assert.equal(r.status, 201, `POST /api/fields ${JSON.stringify(body)}: ${r.status} ${r.text}`);
    return r.json;
  };

  it('a PATCH changes only what it sends', async () => {
    await run(async (srv, admin) => {
      assert.equal((await admin.req('PUT', '/api/lists/segments', { name: 'Сегменты', items: ['opt', 'retail'] })).status, 200);
      const f = await mk(admin, { entity: 'company', key: 'segment', label: 'Сегмент', type: 'select', list: 'segments', sort: 7 });
      const g = await mk(admin, { entity: 'company', key: 'tier', label: 'Уровень', type: 'select', options: ['a', 'b'], required: true, sort: 3 });
      const r = await admin.patch('/api/fields/' + f.id, { label: 'Сегмент рынка' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.label, 'Сегмент рынка');
      assert.equal(r.json.list, 'segments', 'renaming a field unbound it from its list');
      assert.equal(r.json.sort, 7, 'renaming a field reset its sort order');
      const r2 = await admin.patch('/api/fields/' + g.id, { label: 'Уровень клиента' });
      assert.equal(r2.status, 200, r2.text);
      assert.equal(r2.json.required, true, 'renaming a field made it optional');
      assert.deepEqual(r2.json.options, ['a', 'b']);
      const listed = (await admin.get('/api/fields?entity=company')).json.items.find((x) => x.id === g.id);
      assert.deepEqual(listed, r2.json, 'GET /api/fields answers what PATCH answered');
    });
  });

  it('changing the options of a select takes effect at once', async () => {
    await run(async (srv, admin) => {
      await mk(admin, { entity: 'contact', key: 'form', label: 'Форма', type: 'select', options: ['full', 'callback'] });
      const f = (await admin.get('/api/fields?entity=contact')).json.items[0];
      assertError(await admin.post('/api/contacts', { name: 'Иван', custom: { form: 'email' } }), 400, 'invalid', 'custom.form');
      const r = await admin.patch('/api/fields/' + f.id, { options: ['full', 'callback', 'email'] });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.options, ['full', 'callback', 'email']);
      const c = await admin.post('/api/contacts', { name: 'Иван', custom: { form: 'email' } });
      assert.equal(c.status, 201, c.text);
      assert.equal((await admin.patch('/api/fields/' + f.id, { options: ['full'] })).status, 200);
      assertError(await admin.patch('/api/contacts/' + c.json.id, { version: c.json.version, custom: { form: 'callback' } }), 400, 'invalid', 'custom.form');
    });
  });

  it('PATCH and DELETE: bad input is a clear 4xx and the server keeps serving', async () => {
    await run(async (srv, admin) => {
      const f = await mk(admin, { entity: 'contact', key: 'form', label: 'Форма', type: 'select', options: ['full', 'callback'] });
      for (const [body, code, fieldName] of [
        [{ entity: 'company' }, 'invalid', 'entity'], [{ key: 'other' }, 'invalid', 'key'], [{ type: 'text' }, 'invalid', 'type'],
        [{ label: '' }, 'invalid', 'label'], [{ options: 'x' }, 'invalid', 'options'], [{ required: 1 }, 'invalid', 'required'],
        [{ sort: -5 }, 'invalid', 'sort'],
      ]) assertError(await admin.patch('/api/fields/' + f.id, body), 400, code, fieldName);
      assertError(await admin.patch('/api/fields/' + f.id, '{"label":'), 400, 'bad_json');
      assertError(await admin.patch('/api/fields/abc', { label: 'x' }), 404, 'not_found');
      assertError(await admin.patch('/api/fields/' + f.id, { list: 'no_such_list' }), 400, 'invalid', 'list');
      await assertHealthy(srv, 'PATCH /api/fields with an unknown list');
      assertError(await admin.patch('/api/fields/99999', { label: 'x' }), 404, 'not_found');
      await assertHealthy(srv, 'PATCH of an unknown field');
      assertError(await admin.del('/api/fields/99999'), 404, 'not_found');
      await assertHealthy(srv, 'DELETE of an unknown field');
      const same = (await admin.get('/api/fields?entity=contact')).json.items[0];
      assert.deepEqual(same, f, 'a refused PATCH changed the field');
    });
  });

  it('removing a field: its values are no longer accepted, filtered or sorted by; the key can be used again', async () => {
    await run(async (srv, admin) => {
      const f = await mk(admin, { entity: 'contact', key: 'temp_x', label: 'Временное', type: 'number' });
      assert.equal((await admin.post('/api/contacts', { name: 'Пётр', custom: { temp_x: 5 } })).status, 201);
      const del = await admin.del('/api/fields/' + f.id);
      assert.equal(del.status, 204, del.text);
      assert.deepEqual((await admin.get('/api/fields?entity=contact')).json.items, []);
      assertError(await admin.post('/api/contacts', { name: 'Пётр', custom: { temp_x: 5 } }), 400, 'invalid', 'custom.temp_x');
      assertError(await admin.get('/api/contacts?custom.temp_x=5'), 400, 'invalid', 'custom.temp_x');
      assertError(await admin.get('/api/contacts?sort=custom.temp_x'), 400, 'invalid', 'sort');
      assertError(await admin.del('/api/fields/' + f.id), 404, 'not_found');
      const again = await mk(admin, { entity: 'contact', key: 'temp_x', label: 'Снова', type: 'text' });
      assert.equal(again.type, 'text');
    });
  });
});

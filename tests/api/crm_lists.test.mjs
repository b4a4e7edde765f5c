// Lists: filters, sort, keyset pagination, counts and search as a manager uses them — by owner,
// stage, city, money and dates, by name fragments in Russian, by a piece of a phone number.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, sleep } from './helpers.mjs';
import { crmServer, create, patchOk, all, tag, uniqPhone, dealPreset, enc } from './crm_helpers.mjs';

const byCodepoint = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// One dealers server for the list and search suites of this file (a dealers demo is not cheap).
let shared = null;
const dealers = () => (shared ??= crmServer('dealers'));
after(async () => { await (await shared)?.stop(); });

describe('crm lists (companies and contacts)', () => {
  let s, admin, agent, t;
  const made = []; // companies of this suite, in creation order
  before(async () => {
    s = await dealers();
    admin = s.admin;
    agent = await s.as(s.byRole.agent[0]);
    t = tag('ls');
    const cities = ['Москва', 'Тверь', null, 'Казань', 'Москва', null, 'Архангельск', 'Тверь', 'Омск', null, 'Москва', 'Псков'];
    const names = ['Яблоко', 'ромашка', 'Альфа', 'beta', 'Бета', 'Гамма', 'alpha', 'Zeta', 'Дельта', 'Эпсилон', 'Ёлка', 'Ива'];
    for (let i = 0; i < cities.length; i++) {
      const owner = i % 3 === 0 ? s.ids[s.byRole.agent[0]] : i % 3 === 1 ? s.ids[s.byRole.agent[1]] : s.ids.admin;
      const body = { name: `${names[i]} ${t}`, owner_id: owner, pipeline: 'dealers' };
      if (cities[i]) body.city = cities[i];
      made.push(await create(admin, 'companies', body));
      if (i === 5) await sleep(20); // a gap in created_at for the date range test
    }
    // stages: 3 firms (a contact each), 2 dead ends
    for (const i of [0, 1, 2]) await create(admin, 'contacts', { name: `Контакт ${i} ${t}`, company_id: made[i].id, owner_id: made[i].owner_id });
    for (const i of [3, 4]) await patchOk(admin, 'companies', made[i].id, { stage: 'dead_end' });
  });

  const mine = (items) => items.filter((x) => x.name.endsWith(' ' + t));

  it('lists answer {items, next}; limit bounds 1..200', async () => {
    const r = await admin.get(`/api/companies?q=${t}&limit=1`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.items.length, 1);
    assert.equal(typeof r.json.next, 'string');
    assert.ok(!('total' in r.json), 'no total unless count=true');
    assert.equal((await admin.get(`/api/companies?limit=200`)).status, 200);
    for (const l of ['0', '201', '-1', 'abc', '1.5', '', '99999999999999999999']) {
      assertError(await admin.get(`/api/companies?limit=${l}`), 400, 'invalid', 'limit');
    }
  });

  it('default order is newest first; keyset pagination walks everything exactly once', async () => {
    const walked = mine(await all(admin, `/api/companies?q=${t}`, 5));
    assert.deepEqual(walked.map((x) => x.id), made.map((x) => x.id).reverse());
    for (const limit of [1, 2, 3, 7]) {
      const ids = mine(await all(admin, '/api/companies', limit)).map((x) => x.id);
      assert.equal(new Set(ids).size, ids.length, `limit=${limit}: no record twice`);
      assert.deepEqual([...ids].sort((a, b) => a - b), made.map((x) => x.id), `limit=${limit}: every record`);
    }
  });

  it('pagination stays exact while new records are inserted between pages', async () => {
    const before = await all(admin, '/api/companies?sort=name', 200);
    const seen = [];
    let cursor = null;
    let added = 0;
    for (let i = 0; i < 1000; i++) {
      const r = await admin.get('/api/companies?sort=name&limit=3' + (cursor ? '&cursor=' + enc(cursor) : ''));
      assert.equal(r.status, 200, r.text);
      seen.push(...r.json.items.map((x) => x.id));
      // names that sort before, among and after the ones already walked
      const n = ['А', 'М', 'Я', 'a', 'z'][added % 5];
      await create(admin, 'companies', { name: `${n} new ${tag()}` });
      added++;
      if (!r.json.next) break;
      cursor = r.json.next;
    }
    assert.equal(new Set(seen).size, seen.length, 'no record appears twice');
    const missing = before.filter((x) => !seen.includes(x.id));
    assert.deepEqual(missing.map((x) => x.name), [], 'every record that existed before is walked');
  });

  it('sort by name ascending and descending (binary order, id breaks ties)', async () => {
    const asc = mine(await all(admin, `/api/companies?q=${t}&sort=name`, 4)).map((x) => x.name);
    assert.deepEqual(asc, [...asc].sort(byCodepoint));
    assert.equal(asc.length, made.length);
    const desc = mine(await all(admin, `/api/companies?q=${t}&sort=-name`, 4)).map((x) => x.name);
    assert.deepEqual(desc, [...asc].reverse());
    const plus = mine(await all(admin, `/api/companies?q=${t}&sort=%2Bname`, 4)).map((x) => x.name);
    assert.deepEqual(plus, asc, 'sort=+name is ascending');
  });

  it('sort by a text field with empty values, across pages: empty values first ascending, last descending', async () => {
    for (const limit of [1, 2, 5]) {
      const asc = mine(await all(admin, `/api/companies?q=${t}&sort=city`, limit));
      assert.equal(asc.length, made.length, `asc limit=${limit}: all walked`);
      assert.equal(new Set(asc.map((x) => x.id)).size, made.length);
      const cities = asc.map((x) => x.city);
      const nulls = cities.filter((c) => c === null).length;
      assert.equal(nulls, 3);
      assert.deepEqual(cities.slice(0, nulls), [null, null, null], `asc limit=${limit}: ${JSON.stringify(cities)}`);
      assert.deepEqual(cities.slice(nulls), cities.slice(nulls).sort(byCodepoint));
      const desc = mine(await all(admin, `/api/companies?q=${t}&sort=-city`, limit));
      assert.deepEqual(desc.map((x) => x.id), asc.map((x) => x.id).reverse(), `desc limit=${limit}`);
    }
  });

  it('sort by created_at and by id; unknown or unsortable fields are 400', async () => {
    const byDate = mine(await all(admin, `/api/companies?q=${t}&sort=created_at`, 3));
    assert.deepEqual(byDate.map((x) => x.id), made.map((x) => x.id));
    const byId = mine(await all(admin, `/api/companies?q=${t}&sort=id`, 3));
    assert.deepEqual(byId.map((x) => x.id), made.map((x) => x.id));
    for (const f of ['nope', 'notes', 'phones', '-', '', 'name,city']) {
      assertError(await admin.get(`/api/companies?sort=${enc(f)}`), 400, 'invalid', 'sort');
    }
  });

  it('filter owner=me, owner=ID, owner=ID,ID', async () => {
    const a0 = s.ids[s.byRole.agent[0]], a1 = s.ids[s.byRole.agent[1]];
    const me = mine(await all(agent, '/api/companies?owner=me'));
    assert.deepEqual(me.map((x) => x.id).sort(), made.filter((x) => x.owner_id === a0).map((x) => x.id).sort());
    const adminMe = mine(await all(admin, '/api/companies?owner=me'));
    assert.ok(adminMe.length > 0 && adminMe.every((x) => x.owner_id === s.ids.admin));
    const one = mine(await all(admin, `/api/companies?owner=${a1}`));
    assert.deepEqual(one.map((x) => x.id).sort(), made.filter((x) => x.owner_id === a1).map((x) => x.id).sort());
    const two = mine(await all(admin, `/api/companies?owner=${a0},${a1}`));
    assert.equal(two.length, made.filter((x) => x.owner_id !== s.ids.admin).length);
    const viaId = mine(await all(admin, `/api/companies?owner_id=${a1}`));
    assert.deepEqual(viaId.map((x) => x.id), one.map((x) => x.id), 'owner and owner_id are the same filter');
    assertError(await admin.get('/api/companies?owner=ivan'), 400, 'invalid');
  });

  it('filter stage=KEY and stage=KEY,KEY; pipeline=KEY', async () => {
    const firm = mine(await all(admin, '/api/companies?stage=firm'));
    assert.deepEqual(firm.map((x) => x.id).sort(), [0, 1, 2].map((i) => made[i].id).sort());
    const dead = mine(await all(admin, '/api/companies?pipeline=dealers&stage=dead_end'));
    assert.deepEqual(dead.map((x) => x.id).sort(), [3, 4].map((i) => made[i].id).sort());
    const both = mine(await all(admin, '/api/companies?stage=firm,dead_end'));
    assert.equal(both.length, 5);
    const lead = mine(await all(admin, '/api/companies?stage=lead'));
    assert.equal(lead.length, made.length - 5);
    assert.ok(lead.every((x) => x.stage === 'lead'));
    assert.equal(mine(await all(admin, '/api/companies?pipeline=dealers')).length, made.length);
  });

  it('filter by city (exact), city.empty=true/false', async () => {
    const msk = mine(await all(admin, '/api/companies?city=' + enc('Москва')));
    assert.equal(msk.length, 3);
    assert.ok(msk.every((x) => x.city === 'Москва'));
    const empty = mine(await all(admin, '/api/companies?city.empty=true'));
    assert.equal(empty.length, 3);
    assert.ok(empty.every((x) => x.city === null));
    const full = mine(await all(admin, '/api/companies?city.empty=false'));
    assert.equal(full.length, made.length - 3);
    assertError(await admin.get('/api/companies?city.empty=yes'), 400, 'invalid');
    assertError(await admin.get('/api/companies?city.like=Мос'), 400, 'invalid');
    assertError(await admin.get('/api/companies?nope=1'), 400, 'invalid', 'nope');
    assertError(await admin.get('/api/companies?notes=x'), 400, 'invalid', 'notes');
  });

  it('filter created_at.from / created_at.to (inclusive, UTC ms)', async () => {
    const from = made[2].created_at, to = made[8].created_at;
    const inRange = mine(await all(admin, `/api/companies?created_at.from=${from}&created_at.to=${to}`));
    const want = made.filter((x) => x.created_at >= from && x.created_at <= to).map((x) => x.id).sort();
    assert.deepEqual(inRange.map((x) => x.id).sort(), want);
    assert.ok(want.includes(made[2].id) && want.includes(made[8].id), 'bounds are inclusive');
    const later = mine(await all(admin, `/api/companies?created_at.from=${made[6].created_at}`));
    assert.ok(!later.some((x) => x.id === made[0].id));
    assertError(await admin.get('/api/companies?created_at.from=yesterday'), 400, 'invalid');
    assertError(await admin.get('/api/companies?created_at.to=2024-01-01'), 400, 'invalid');
  });

  it('count=true gives the total of the filtered list, independent of the page', async () => {
    const r = await admin.get(`/api/companies?q=${t}&stage=lead&count=true&limit=2`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total, made.length - 5);
    assert.equal(r.json.items.length, 2);
    const page2 = await admin.get(`/api/companies?q=${t}&stage=lead&count=true&limit=2&cursor=${enc(r.json.next)}`);
    assert.equal(page2.json.total, made.length - 5, 'the total does not shrink on later pages');
  });
});

describe('crm search', () => {
  let s, admin, t, co, ct, phone;
  before(async () => {
    s = await dealers();
    admin = s.admin;
    t = tag('sr');
    phone = uniqPhone();
    co = await create(admin, 'companies', {
      name: `ООО «Ромашка-Опт ${t}»`, domain: `romashka-${t}.ru`, inn: '7712345678', city: 'Нижний Новгород',
      phones: [phone], emails: [`Sales@Romashka-${t}.ru`],
    });
    ct = await create(admin, 'contacts', { name: `Ёлкина Мария ${t}`, position: 'Главный бухгалтер', phones: [phone], allow_duplicate: true }); // the company's number, on purpose
    await create(admin, 'companies', { name: `ЗАО Лютик ${t}` });
  });

  const found = async (plural, q, id) => (await all(admin, `/api/${plural}?q=${enc(q)}`)).some((x) => x.id === id);
  // every query that does not find its record, so one failure does not hide the others
  const misses = async (cases) => {
    const out = [];
    for (const [plural, q, id] of cases) if (!(await found(plural, q, id))) out.push(`${plural}?q=${q}`);
    return out;
  };

  it('by a word fragment of three or more letters, Cyrillic case-insensitive', async () => {
    const m = await misses([
      ...['Ромашка', 'ромашка', 'РОМАШКА', 'омаш', 'машка-опт', 'Нижний', 'новгород'].map((q) => ['companies', q, co.id]),
      ...['ёлкина', 'ЁЛКИНА', 'бухгалтер', 'Мария'].map((q) => ['contacts', q, ct.id]),
    ]);
    assert.deepEqual(m, [], 'not found');
    assert.ok(!(await found('companies', 'Лютик', co.id)), 'other names do not match');
  });

  it('by a short prefix of the name (one or two letters), in any case', async () => {
    // a company whose name starts with rare letters, so the prefix is selective
    const x = await create(admin, 'companies', { name: `Щука ${t}` });
    const problems = [];
    for (const q of ['Щ', 'Щу', 'щу', 'щ']) {
      const items = await all(admin, `/api/companies?q=${enc(q)}`);
      if (!items.some((y) => y.id === x.id)) problems.push(`q=${q} does not find "${x.name}"`);
      // the prefix applies to the name as people say it: legal forms and quotes do not count
      const spoken = (n) => n.toLowerCase().replace(/[«»"'“”]/g, ' ')
        .replace(/^\s*((ооо|оао|зао|пао|ао|ип|нко|ано|llc|ltd|inc)\s+)+/u, '').trim();
      if (!items.every((y) => spoken(y.name).startsWith(q.toLowerCase()))) problems.push(`q=${q}: names not starting with it`);
    }
    assert.deepEqual(problems, []);
  });

  it('by e-mail and domain', async () => {
    const m = await misses([`sales@romashka-${t}.ru`, `SALES@ROMASHKA-${t}.RU`, `romashka-${t}`, `romashka-${t}.ru`]
      .map((q) => ['companies', q, co.id]));
    assert.deepEqual(m, [], 'not found');
  });

  it('by INN (ten or twelve digits are not only a phone number)', async () => {
    const m = await misses([['companies', '7712345678', co.id], ['companies', '771234', co.id]]);
    assert.deepEqual(m, [], 'not found');
  });

  it('by a full phone number in any spelling', async () => {
    const n = phone.slice(2); // ten national digits
    const spellings = [phone, phone.slice(1), '8' + n, `8 (${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6, 8)}-${n.slice(8)}`,
      `+7 ${n.slice(0, 3)} ${n.slice(3)}`, n, `+7-${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`];
    const m = await misses(spellings.flatMap((q) => [['companies', q, co.id], ['contacts', q, ct.id]]));
    assert.deepEqual(m, [], 'not found');
  });

  it('by a fragment of a phone number, digits only', async () => {
    const n = phone.slice(2);
    const m = await misses([n.slice(3), n.slice(-4), n.slice(0, 6)].map((q) => ['contacts', q, ct.id]));
    assert.deepEqual(m, [], 'not found');
  });

  it('by a fragment of a phone number as people write it (123-45-67)', async () => {
    const n = phone.slice(2);
    const m = await misses([`${n.slice(3, 6)}-${n.slice(6, 8)}-${n.slice(8)}`, `${n.slice(3, 6)} ${n.slice(6, 8)} ${n.slice(8)}`,
      `(${n.slice(0, 3)}) ${n.slice(3, 6)}`].map((q) => ['contacts', q, ct.id]));
    assert.deepEqual(m, [], 'not found');
  });

  it('search combines with filters and counts; text over 200 characters is 400', async () => {
    const r = await admin.get(`/api/companies?q=${t}&count=true`);
    assert.equal(r.json.total, 3);
    const r2 = await admin.get(`/api/companies?q=${t}&city=${enc('Нижний Новгород')}&count=true`);
    assert.equal(r2.json.total, 1);
    assertError(await admin.get('/api/companies?q=' + 'я'.repeat(201)), 400, 'invalid', 'q');
    const odd = await admin.get('/api/companies?q=' + enc('"OR* NEAR( ) -- %_\\'));
    assert.equal(odd.status, 200, 'search syntax characters are plain text: ' + odd.text);
  });
});

describe('crm lists (deals)', () => {
  let s, admin, pl, t;
  const made = [];
  before(async () => {
    const dp = dealPreset();
    pl = dp.pipeline;
    s = await crmServer(dp.preset);
    admin = s.admin;
    t = tag('dl');
    const amounts = [100, 5000, null, 99999, 5000, 0, 250000, null];
    for (const [i, a] of amounts.entries()) {
      const body = { title: `Сделка ${i} ${t}`, currency: 'RUB' };
      if (a !== null) body.amount = a;
      made.push(await create(admin, 'deals', body));
    }
  });
  after(async () => { await s?.stop(); });

  const mine = (items) => items.filter((x) => x.title.endsWith(' ' + t));

  it('amount.from / amount.to are inclusive, in minor units', async () => {
    const r = mine(await all(admin, '/api/deals?amount.from=5000&amount.to=99999'));
    assert.deepEqual(r.map((x) => x.amount).sort((a, b) => a - b), [5000, 5000, 99999]);
    const big = mine(await all(admin, '/api/deals?amount.from=100000'));
    assert.deepEqual(big.map((x) => x.amount), [250000]);
    assertError(await admin.get('/api/deals?amount.from=50.5'), 400, 'invalid');
    assertError(await admin.get('/api/deals?amount.to=abc'), 400, 'invalid');
  });

  it('sort by amount ascending and descending across pages (an unset amount sorts lowest)', async () => {
    const key = (x) => (x.amount === null ? -1 : x.amount);
    const asc = mine(await all(admin, '/api/deals?sort=amount', 3));
    assert.equal(asc.length, made.length);
    for (const i of [2, 7]) {
      const d = asc.find((x) => x.id === made[i].id);
      assert.ok(d.amount === null || d.amount === 0, `unset amount reads as null or 0: ${d.amount}`);
    }
    for (let i = 1; i < asc.length; i++) {
      assert.ok(key(asc[i - 1]) < key(asc[i]) || (key(asc[i - 1]) === key(asc[i]) && asc[i - 1].id < asc[i].id),
        `ascending, id breaks ties: ${JSON.stringify(asc.map((x) => [x.id, x.amount]))}`);
    }
    const desc = mine(await all(admin, '/api/deals?sort=-amount', 3));
    assert.deepEqual(desc.map((x) => x.id), asc.map((x) => x.id).reverse());
  });

  // closed_at is unset on open deals: a sort on it walks them as one block, after the closed
  // ones when descending and before them ascending, and a page may end inside either block.
  it('sort by a time that may be unset (closed_at) across pages: every deal once, unset last descending', async () => {
    const won = pl.stages.find((x) => x.kind === 'won');
    const t2 = tag('cl');
    const deals = [];
    for (let i = 0; i < 7; i++) deals.push(await create(admin, 'deals', { title: `Закрытие ${i} ${t2}`, currency: 'RUB' }));
    for (const i of [1, 4, 5]) {
      await patchOk(admin, 'deals', deals[i].id, { stage: won.key });
      await sleep(5);
    }
    const ours = (items) => items.filter((x) => x.title.endsWith(' ' + t2));
    const key = (x) => (x.closed_at === null ? -Infinity : x.closed_at);
    for (const limit of [1, 2, 3, 5]) {
      const asc = ours(await all(admin, '/api/deals?sort=closed_at', limit));
      assert.equal(asc.length, deals.length, `asc limit=${limit}: every deal`);
      assert.equal(new Set(asc.map((x) => x.id)).size, deals.length, `asc limit=${limit}: no deal twice`);
      for (let i = 1; i < asc.length; i++) {
        const a = asc[i - 1], b = asc[i];
        assert.ok(key(a) < key(b) || (key(a) === key(b) && a.id < b.id),
          `asc limit=${limit}: ${JSON.stringify(asc.map((x) => [x.id, x.closed_at]))}`);
      }
      assert.equal(asc.filter((x) => x.closed_at !== null).length, 3);
      const desc = ours(await all(admin, '/api/deals?sort=-closed_at', limit));
      assert.deepEqual(desc.map((x) => x.id), asc.map((x) => x.id).reverse(), `desc limit=${limit}`);
      const total = (await admin.get(`/api/deals?q=${t2}&sort=-closed_at&count=true&limit=${limit}`)).json.total;
      assert.equal(total, deals.length);
    }
  });

  it('X.empty=true / false on a link field', async () => {
    const ct = await create(admin, 'contacts', { name: `Клиент ${t}` });
    const linked = await create(admin, 'deals', { title: `Со связью ${t}`, currency: 'RUB', contact_id: ct.id });
    const empty = mine(await all(admin, '/api/deals?contact_id.empty=true'));
    assert.ok(!empty.some((x) => x.id === linked.id));
    assert.equal(empty.length, made.length);
    const full = mine(await all(admin, '/api/deals?contact_id.empty=false'));
    assert.deepEqual(full.map((x) => x.id), [linked.id]);
    const byId = mine(await all(admin, `/api/deals?contact_id=${ct.id}`));
    assert.deepEqual(byId.map((x) => x.id), [linked.id]);
  });

  it('stage filter within the pipeline; title search', async () => {
    const first = pl.stages[0].key;
    const r = mine(await all(admin, `/api/deals?pipeline=${pl.key}&stage=${first}`));
    assert.ok(r.length >= made.length && r.every((x) => x.stage === first));
    const q = mine(await all(admin, `/api/deals?q=${enc('Сделка 3')}`));
    assert.deepEqual(q.map((x) => x.id), [made[3].id]);
  });
});

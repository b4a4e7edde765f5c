// CRUD of contacts, companies and deals as a manager uses them: what goes in comes back
// normalised (phones in E.164, e-mails lower-case, domains bare), money stays integer minor units,
// fields the server owns or does not know are refused with the field named.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError } from './helpers.mjs';
import {
  crmServer, create, get, patch, patchOk, timeline, all, tag, uniqPhone, dealPreset, enc, presetDoc,
} from './crm_helpers.mjs';

const COMMON = ['owner_id', 'owner_name', 'category', 'customer_type', 'address', 'city', 'region', 'district',
  'source', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'notes',
  'created_by', 'created_at', 'updated_by', 'updated_at'];

function assertStamps(rec, userId) {
  assert.equal(typeof rec.id, 'number');
  assert.equal(rec.version, 1);
  assert.equal(rec.owner_id, userId, 'owner defaults to the creator');
  assert.equal(typeof rec.owner_name, 'string');
  assert.equal(rec.created_by, userId);
  assert.equal(rec.updated_by, userId);
  assert.ok(Math.abs(rec.created_at - Date.now()) < 60000, 'created_at is UTC ms, now');
  assert.equal(rec.updated_at, rec.created_at);
  for (const k of COMMON) assert.ok(k in rec, `record has ${k}`);
}

describe('crm records: contacts and companies', () => {
  let s, admin, adminId;
  before(async () => {
    s = await crmServer('dealers');
    admin = s.admin;
    adminId = s.ids.admin;
  });
  after(async () => { await s?.stop(); });

  it('a contact: phones in three spellings are one E.164 number, e-mails lower-cased, messengers, birthday', async () => {
    const t = tag();
    const c = await create(admin, 'contacts', {
      name: `  Иван Петров ${t}  `,
      phones: ['8 (916) 123-45-67', '+7 916 1234567', '79161234567', '+375 (29) 123-45-67'],
      emails: ['Ivan.Petrov@Example.COM', 'ivan.petrov@example.com', 'second@mail.ru'],
      birthday: '1988-02-29',
      messengers: { telegram: '@ivan_p', whatsapp: '+79161234567' },
      position: 'Закупщик',
      city: 'Москва',
    });
    assertStamps(c, adminId);
    assert.equal(c.name, `Иван Петров ${t}`, 'surrounding spaces trimmed');
    assert.deepEqual(c.phones, ['+79161234567', '+375291234567']);
    assert.deepEqual(c.emails, ['ivan.petrov@example.com', 'second@mail.ru']);
    assert.equal(c.birthday, '1988-02-29');
    assert.deepEqual(c.messengers, { telegram: '@ivan_p', whatsapp: '+79161234567' });
    assert.equal(c.company_id, null);
    assert.equal(c.company_name, null);
    assert.deepEqual(await get(admin, 'contacts', c.id), c, 'GET answers what POST answered');
    // any spelling of the number finds it
    for (const p of ['89161234567', '+7 (916) 123-45-67', '9161234567']) {
      const r = await admin.get('/api/contacts?phone=' + enc(p));
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.items.some((x) => x.id === c.id), `phone=${p} finds the contact`);
    }
  });

  it('a company: domain stored bare and lower-case, website kept, linked contacts show the company name', async () => {
    const t = tag();
    const co = await create(admin, 'companies', {
      name: `ООО «Ромашка ${t}»`, domain: 'https://www.Romashka-Opt.RU/contacts?x=1', website: 'https://romashka-opt.ru/',
      inn: '7701234567', phones: ['8 800 555-35-35'], emails: ['INFO@romashka-opt.ru'], city: 'Тверь',
    });
    assertStamps(co, adminId);
    assert.equal(co.domain, 'romashka-opt.ru');
    assert.equal(co.website, 'https://romashka-opt.ru/');
    assert.equal(co.inn, '7701234567');
    assert.deepEqual(co.phones, ['+78005553535']);
    assert.deepEqual(co.emails, ['info@romashka-opt.ru']);
    const ct = await create(admin, 'contacts', { name: `Анна ${t}`, company_id: co.id });
    assert.equal(ct.company_id, co.id);
    assert.equal(ct.company_name, co.name);
    const r = await admin.get('/api/contacts?company_id=' + co.id);
    assert.deepEqual(r.json.items.map((x) => x.id), [ct.id], 'contacts filtered by company');
  });

  it('PATCH changes only the given fields, bumps the version, "" and null clear, phones and e-mails are replaced', async () => {
    const t = tag();
    const c = await create(admin, 'contacts', { name: `Пётр ${t}`, city: 'Казань', region: 'Татарстан', phones: ['+79160000001'] });
    const p = await patchOk(admin, 'contacts', c.id, {
      city: 'Самара', region: '', notes: 'перезвонить в пятницу', phones: ['8 916 000-00-02', '+79160000001'],
      emails: ['New@Mail.Ru'],
    });
    assert.equal(p.version, 2);
    assert.equal(p.name, c.name);
    assert.equal(p.city, 'Самара');
    assert.equal(p.region, null, '"" clears a field');
    assert.equal(p.notes, 'перезвонить в пятницу');
    assert.deepEqual(p.phones, ['+79160000002', '+79160000001']);
    assert.deepEqual(p.emails, ['new@mail.ru']);
    assert.ok(p.updated_at >= c.updated_at);
    const q = await patchOk(admin, 'contacts', c.id, { city: null, phones: [] });
    assert.equal(q.city, null, 'null clears a field');
    assert.deepEqual(q.phones, []);
    assert.deepEqual(q.emails, ['new@mail.ru'], 'e-mails untouched when not given');
  });

  it('a PATCH that changes nothing keeps the version and writes no event', async () => {
    const c = await create(admin, 'companies', { name: `Same ${tag()}`, city: 'Омск' });
    const n = (await timeline(admin, 'company', c.id)).length;
    const r = await admin.patch('/api/companies/' + c.id, { city: 'Омск', version: c.version });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.version, c.version);
    assert.equal((await timeline(admin, 'company', c.id)).length, n);
  });

  it('birthday must be a real date as YYYY-MM-DD', async () => {
    for (const b of ['2023-02-29', '1990-13-01', '1990-04-31', '1990-4-1', '01.02.1990', '1990-01-01T00:00:00Z',
      '19900101', '', 'завтра']) {
      if (b === '') continue;
      const r = await admin.post('/api/contacts', { name: 'Дата ' + tag(), birthday: b });
      assertError(r, 400, 'invalid', 'birthday');
    }
    const r = await admin.post('/api/contacts', { name: 'Дата ' + tag(), birthday: 19900101 });
    assertError(r, 400, 'invalid', 'birthday');
    const ok = await create(admin, 'contacts', { name: 'Дата ' + tag(), birthday: '2000-02-29' });
    assert.equal(ok.birthday, '2000-02-29');
  });

  it('messengers: an object of short strings', async () => {
    for (const m of [['@x'], 'telegram', { telegram: 5 }, { telegram: 'x'.repeat(201) },
      Object.fromEntries(Array.from({ length: 21 }, (_, i) => ['k' + i, 'v']))]) {
      const r = await admin.post('/api/contacts', { name: 'Мессенджер ' + tag(), messengers: m });
      assertError(r, 400, 'invalid', 'messengers');
    }
    const c = await create(admin, 'contacts', { name: 'Мессенджер ' + tag(), messengers: { vk: 'id123', telegram: '@a' } });
    assert.deepEqual(c.messengers, { vk: 'id123', telegram: '@a' });
    const p = await patchOk(admin, 'contacts', c.id, { messengers: {} });
    assert.deepEqual(p.messengers, {}, 'an empty object clears them');
  });

  it('unknown fields are refused with the field named, nothing is created', async () => {
    const t = tag();
    for (const [plural, body, field] of [
      ['contacts', { name: 'X ' + t, foo: 1 }, 'foo'],
      ['contacts', { name: 'X ' + t, id: 5 }, 'id'],
      ['contacts', { name: 'X ' + t, version: 3 }, 'version'],
      ['contacts', { name: 'X ' + t, domain: 'x.ru' }, 'domain'],
      ['contacts', { name: 'X ' + t, stage: 'lead' }, 'stage'],
      ['companies', { name: 'X ' + t, birthday: '1990-01-01' }, 'birthday'],
      ['companies', { name: 'X ' + t, Name: 'y' }, 'Name'],
      ['companies', { name: 'X ' + t, owner_name: 'Иван' }, 'owner_name'],
      ['companies', { name: 'X ' + t, company_id: 1 }, 'company_id'],
    ]) {
      const r = await admin.post('/api/' + plural, body);
      assertError(r, 400, 'invalid', field);
    }
    for (const plural of ['contacts', 'companies']) {
      const r = await admin.get(`/api/${plural}?q=${t}&count=true`);
      assert.equal(r.json.total, 0, `nothing created in ${plural}`);
    }
  });

  it('fields the server sets are refused on POST and PATCH', async () => {
    const c = await create(admin, 'companies', { name: `RO ${tag()}` });
    for (const f of ['created_at', 'created_by', 'updated_at', 'updated_by', 'stage_changed_at', 'pipeline_id', 'stage_id']) {
      const v = f.endsWith('_at') ? Date.now() : 1;
      assertError(await admin.post('/api/companies', { name: 'RO ' + tag(), [f]: v }), 400, 'invalid', f);
      assertError(await admin.patch('/api/companies/' + c.id, { [f]: v, version: c.version }), 400, 'invalid', f);
    }
    assertError(await admin.patch('/api/companies/' + c.id, { id: 99, version: c.version }), 400, 'invalid', 'id');
    const after = await get(admin, 'companies', c.id);
    assert.equal(after.version, c.version, 'nothing changed');
  });

  it('a name is required and cannot be blank', async () => {
    assertError(await admin.post('/api/contacts', { city: 'Москва' }), 400, 'missing', 'name');
    assertError(await admin.post('/api/companies', {}), 400, 'missing', 'name');
    assertError(await admin.post('/api/contacts', { name: '   ' }), 400, undefined, 'name');
    assertError(await admin.post('/api/companies', { name: null }), 400, undefined, 'name');
    const c = await create(admin, 'contacts', { name: 'Blank ' + tag() });
    assertError(await admin.patch('/api/contacts/' + c.id, { name: '', version: 1 }), 400, 'invalid', 'name');
    assertError(await admin.patch('/api/contacts/' + c.id, { name: null, version: 1 }), 400, 'invalid', 'name');
  });

  it('owner: any active user; the owner name is shown', async () => {
    const agent = s.byRole.agent[0];
    const c = await create(admin, 'companies', { name: 'Owner ' + tag(), owner_id: s.ids[agent] });
    assert.equal(c.owner_id, s.ids[agent]);
    assert.equal(c.created_by, s.ids.admin);
    assertError(await admin.post('/api/companies', { name: 'Owner ' + tag(), owner_id: 999999 }), 400, 'invalid', 'owner_id');
    assertError(await admin.post('/api/companies', { name: 'Owner ' + tag(), owner_id: 'me' }), 400, 'invalid', 'owner_id');
  });

  it('DELETE removes the record from GET, PATCH, lists and search; a second DELETE is 404', async () => {
    const t = tag();
    const phone = uniqPhone();
    const c = await create(admin, 'contacts', { name: `Удаляемый ${t}`, phones: [phone] });
    const d = await admin.del('/api/contacts/' + c.id);
    assert.equal(d.status, 204, d.text);
    assertError(await admin.get('/api/contacts/' + c.id), 404, 'not_found');
    assertError(await admin.patch('/api/contacts/' + c.id, { city: 'x', version: 1 }), 404, 'not_found');
    assertError(await admin.del('/api/contacts/' + c.id), 404, 'not_found');
    assert.ok(!(await all(admin, '/api/contacts?q=' + t)).length, 'not found by name');
    assert.ok(!(await all(admin, '/api/contacts?phone=' + enc(phone))).length, 'not found by phone');
    const dup = await admin.get('/api/duplicates?phone=' + enc(phone));
    assert.deepEqual(dup.json.items, [], 'not a duplicate any more');
  });

  it('records of an unknown id, a non-numeric id, id 0 are 404', async () => {
    for (const p of ['/api/contacts/999999', '/api/companies/0', '/api/deals/abc', '/api/contacts/-1',
      '/api/companies/99999999999999999999999']) {
      assertError(await admin.get(p), 404, 'not_found');
    }
  });
});

describe('crm records: deals', () => {
  let s, admin, pl;
  before(async () => {
    const dp = dealPreset();
    s = await crmServer(dp.preset);
    admin = s.admin;
    pl = dp.pipeline;
  });
  after(async () => { await s?.stop(); });

  it('a deal: title, money in integer minor units, links to a contact and a company, first stage', async () => {
    const t = tag();
    const co = await create(admin, 'companies', { name: `ООО Лидер ${t}` });
    const ct = await create(admin, 'contacts', { name: `Ольга ${t}`, company_id: co.id });
    const d = await create(admin, 'deals', {
      title: `Заказ ${t}`, amount: 1234567, currency: 'RUB', contact_id: ct.id, company_id: co.id,
      source: 'yandex', utm_source: 'yandex', utm_campaign: 'spring',
    });
    assert.equal(d.amount, 1234567);
    assert.equal(d.currency, 'RUB');
    assert.equal(d.contact_id, ct.id);
    assert.equal(d.contact_name, ct.name);
    assert.equal(d.company_name, co.name);
    assert.equal(d.pipeline, pl.key, 'the first deal pipeline by default');
    assert.equal(d.stage, pl.stages[0].key, 'the first stage by default');
    assert.equal(typeof d.stage_changed_at, 'number');
    assert.equal(d.closed_at, null);
    assert.ok(!('phones' in d), 'deals carry no phones of their own');
    assert.deepEqual(await get(admin, 'deals', d.id), d);
  });

  it('money: integer minor units from 0 to 10^15; fractions, strings, negatives refused', async () => {
    for (const a of [0, 1, 99, 1e15]) {
      const d = await create(admin, 'deals', { title: 'Money ' + tag(), amount: a, currency: 'RUB' });
      assert.equal(d.amount, a);
    }
    for (const a of [-1, 1e15 + 1, 12.5, '100', '100.00', true, [100], { v: 1 }, 9223372036854775807n]) {
      const body = typeof a === 'bigint'
        ? `{"title":"Money ${tag()}","currency":"RUB","amount":${a}}`
        : { title: 'Money ' + tag(), amount: a, currency: 'RUB' };
      assertError(await admin.post('/api/deals', body), 400, 'invalid', 'amount');
    }
    for (const c of ['rub', 'RU', 'RUBL', '840', 5]) {
      assertError(await admin.post('/api/deals', { title: 'Cur ' + tag(), amount: 1, currency: c }), 400, 'invalid', 'currency');
    }
  });

  it('a deal without a currency gets the company currency (settings); clearing money is not a 500', async () => {
    const settings = (await admin.get('/api/settings')).json;
    const d = await create(admin, 'deals', { title: 'Default cur ' + tag(), amount: 500000 });
    assert.equal(d.currency, settings.currency, 'money is minor units plus a currency code');
    const n = await create(admin, 'deals', { title: 'No money ' + tag() });
    assert.equal(n.currency, settings.currency);
  });

  it('clearing the amount or the currency of a deal is answered (200 or 400), never 500', async () => {
    const d = await create(admin, 'deals', { title: 'Clear ' + tag(), amount: 700, currency: 'RUB' });
    for (const body of [{ amount: null }, { currency: null }, { currency: '' }]) {
      const r = await patch(admin, 'deals', d.id, body);
      assert.ok(r.status === 200 || r.status === 400, `PATCH ${JSON.stringify(body)}: ${r.status} ${r.text}`);
    }
  });

  it('a deal title is required; unknown and readonly fields are refused', async () => {
    assertError(await admin.post('/api/deals', { amount: 1 }), 400, 'missing', 'title');
    assertError(await admin.post('/api/deals', { title: 'x', name: 'y' }), 400, 'invalid', 'name');
    assertError(await admin.post('/api/deals', { title: 'x', phones: ['+79161234567'] }), 400, 'invalid', 'phones');
    assertError(await admin.post('/api/deals', { title: 'x', closed_at: 1 }), 400, 'invalid', 'closed_at');
    assertError(await admin.post('/api/deals', { title: 'x', birthday: '2000-01-01' }), 400, 'invalid', 'birthday');
  });

  it('moving to a won or lost stage sets closed_at, reopening clears it', async () => {
    const won = pl.stages.find((x) => x.kind === 'won');
    const open = pl.stages.find((x) => x.kind === 'open');
    assert.ok(won && open, `pipeline ${pl.key} has an open and a won stage`);
    const d = await create(admin, 'deals', { title: 'Close ' + tag(), amount: 100, currency: 'RUB' });
    const done = await patch(admin, 'deals', d.id, { stage: won.key });
    assert.equal(done.status, 200, `admin moves to ${won.key}: ${done.text}`);
    assert.equal(typeof done.json.closed_at, 'number');
    assert.equal(done.json.stage, won.key);
    const back = await patchOk(admin, 'deals', d.id, { stage: open.key });
    assert.equal(back.closed_at, null);
  });

  it('a deal is deleted like any record', async () => {
    const d = await create(admin, 'deals', { title: 'Del ' + tag(), currency: 'RUB' });
    assert.equal((await admin.del('/api/deals/' + d.id)).status, 204);
    assertError(await admin.get('/api/deals/' + d.id), 404, 'not_found');
  });
});

describe('crm records: a stage that requires the amount', () => {
  let s, found;
  before(async () => {
    for (const name of ['b2c', 'cleaning', 'logistics', 'eshop']) {
      for (const p of presetDoc(name).pipelines || []) {
        const i = p.entity === 'deal' ? p.stages.findIndex((x, k) => k > 0 && (x.required_fields || []).includes('amount')) : -1;
        if (i > 0 && !found) found = { preset: name, pipeline: p, stage: p.stages[i] };
      }
    }
    assert.ok(found, 'no preset has a deal stage with required_fields ["amount"]');
    s = await crmServer(found.preset);
  });
  after(async () => { await s?.stop(); });

  it('a deal whose amount was never entered cannot enter it (422 required, field amount)', async () => {
    const { pipeline, stage } = found;
    const fill = { address: 'ул. Садовая, 3', district: 'Центр', city: 'Москва' };
    const d = await create(s.admin, 'deals', { title: 'Без суммы ' + tag(), pipeline: pipeline.key, currency: 'RUB', ...fill });
    const r = await patch(s.admin, 'deals', d.id, { stage: stage.key });
    assertError(r, 422, 'required', 'amount');
    const ok = await patch(s.admin, 'deals', d.id, { stage: stage.key, amount: 1500000 });
    assert.equal(ok.status, 200, `with the amount given in the same request: ${ok.text}`);
  });
});

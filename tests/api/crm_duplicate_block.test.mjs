// POST /api/contacts and /api/companies refuse an exact duplicate — a phone (any spelling), an
// e-mail (any case) or a web domain that a live contact or company has already — with 409
// `duplicate`, naming the matches the caller may read and only saying "one exists" for the
// rest. "allow_duplicate": true saves it anyway, for roles with records.allow_duplicate
// (administrators, agents, managers, operators); lead creators may not. Import refuses such
// rows one by one (allow_duplicates for the whole file). Nothing is written by a refusal.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { crmServer, create, tag, uniqPhone, all, enc } from './crm_helpers.mjs';

describe('exact duplicates are refused on create (dealers)', () => {
  let s, agent, agent2, lc;
  before(async () => {
    s = await crmServer('dealers');
    agent = await s.as(s.byRole.agent[0]);
    agent2 = await s.as(s.byRole.agent[1]);
    lc = await s.as(s.byRole.lead_creator[0]);
  });
  after(async () => { await s?.stop(); });

  const nothingNamed = async (plural, name) => (await all(s.admin, `/api/${plural}?q=${enc(name)}`)).length === 0;

  it('same phone (another spelling), e-mail (another case) or domain: 409 with the visible match', async () => {
    const t = tag();
    const phone = uniqPhone();
    const co = await create(agent, 'companies', { name: `Оригинал ${t}`, pipeline: 'dealers', phones: [phone], emails: [`info-${t}@orig.ru`], domain: `orig-${t}.ru` });
    const spelled = '8 (' + phone.slice(2, 5) + ') ' + phone.slice(5, 8) + '-' + phone.slice(8, 10) + '-' + phone.slice(10);
    for (const [body, field, match] of [
      [{ phones: [uniqPhone(), spelled] }, 'phones', 'phone'],
      [{ emails: [`INFO-${t}@Orig.RU`] }, 'emails', 'email'],
      [{ domain: `https://www.orig-${t}.ru/contacts` }, 'domain', 'domain'],
    ]) {
      const name = `Копия ${field} ${t}`;
      const r = await agent.post('/api/companies', { name, pipeline: 'dealers', ...body });
      assert.equal(r.status, 409, `${field}: ${r.text}`);
      assert.equal(r.json.error.code, 'duplicate');
      assert.equal(r.json.error.field, field);
      assert.match(r.json.error.message, new RegExp(`company ${co.id}`));
      assert.deepEqual(r.json.duplicates.map((d) => [d.entity, d.id, d.match, d.visible, d.name]), [['company', co.id, match, true, co.name]]);
      assert.ok(await nothingNamed('companies', name), 'nothing written');
    }
    // a contact with the company's number is a duplicate too — unless it is that company's own person
    const stray = await agent.post('/api/contacts', { name: `Чужой ${t}`, phones: [phone] });
    assert.equal(stray.status, 409, stray.text);
    assert.equal(stray.json.duplicates[0].entity, 'company');
    const own = await agent.post('/api/contacts', { name: `Секретарь ${t}`, phones: [phone], company_id: co.id });
    assert.equal(own.status, 201, `the office line of its own company: ${own.text}`);
    // a contact's e-mail on another contact
    const mail = await create(agent, 'contacts', { name: `Почта ${t}`, emails: [`p-${t}@mail.ru`] });
    const again = await agent.post('/api/contacts', { name: `Ещё ${t}`, emails: [`P-${t}@MAIL.ru`] });
    assert.equal(again.status, 409, again.text);
    assert.equal(again.json.duplicates[0].id, mail.id);
  });

  it('a match the caller may not read is only said to exist: no id, name or owner', async () => {
    const t = tag();
    const phone = uniqPhone();
    const secret = await create(agent2, 'companies', { name: `Тайная фирма ${t}`, pipeline: 'dealers', phones: [phone] });
    const r = await lc.post('/api/companies', { name: `Новый лид ${t}`, pipeline: 'dealers', phones: [phone] });
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.error.code, 'duplicate');
    assert.deepEqual(r.json.duplicates, [{ entity: 'company', id: null, match: 'phone', visible: false }]);
    assert.ok(!r.text.includes('Тайная') && !r.text.includes(String(secret.id)) && !r.text.includes(agent2.user.name),
      `nothing of the hidden record leaks: ${r.text}`);
    assert.match(r.json.error.message, /a company with this phone number exists/);
  });

  it('allow_duplicate: admin and agents may; a lead creator may not (403, nothing written)', async () => {
    const t = tag();
    const phone = uniqPhone();
    await create(s.admin, 'companies', { name: `Первый ${t}`, pipeline: 'dealers', phones: [phone] });
    const byAdmin = await s.admin.post('/api/companies', { name: `Второй ${t}`, pipeline: 'dealers', phones: [phone], allow_duplicate: true });
    assert.equal(byAdmin.status, 201, byAdmin.text);
    assert.deepEqual(byAdmin.json.phones, [phone]);
    assert.equal(byAdmin.json.allow_duplicate, undefined, 'the flag is not a field of the record');
    const byAgent = await agent.post('/api/companies', { name: `Третий ${t}`, pipeline: 'dealers', phones: [phone], allow_duplicate: true });
    assert.equal(byAgent.status, 201, byAgent.text);
    const byLc = await lc.post('/api/companies', { name: `Четвёртый ${t}`, pipeline: 'dealers', phones: [phone], allow_duplicate: true });
    assert.equal(byLc.status, 403, byLc.text);
    assert.equal(byLc.json.error.code, 'forbidden');
    assert.equal(byLc.json.error.field, 'allow_duplicate');
    assert.ok(await nothingNamed('companies', `Четвёртый ${t}`));
    // allow_duplicate: false is the default behaviour
    const no = await s.admin.post('/api/companies', { name: `Пятый ${t}`, pipeline: 'dealers', phones: [phone], allow_duplicate: false });
    assert.equal(no.status, 409, no.text);
    const me = await lc.get('/api/me');
    assert.ok(!me.json.user.capabilities.includes('records.allow_duplicate'));
  });

  it('a deleted record is no duplicate', async () => {
    const t = tag();
    const phone = uniqPhone();
    const first = await create(s.admin, 'contacts', { name: `Удалённый ${t}`, phones: [phone] });
    assert.equal((await s.admin.del('/api/contacts/' + first.id)).status, 204);
    const again = await s.admin.post('/api/contacts', { name: `Новый ${t}`, phones: [phone] });
    assert.equal(again.status, 201, again.text);
  });

  it('two creates of the same new number at once: exactly one is saved', async () => {
    const t = tag();
    const phone = uniqPhone();
    const rs = await Promise.all(Array.from({ length: 6 }, (_, i) => agent.post('/api/contacts', { name: `Гонка ${i} ${t}`, phones: [phone] })));
    assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409], rs.map((r) => r.text.slice(0, 80)).join('\n'));
    assert.equal((await all(s.admin, `/api/contacts?phone=${enc(phone)}`)).length, 1);
  });

  it('bad input: a wrong type is 400, deals have no such flag, the server keeps serving', async () => {
    for (const v of ['yes', 1, null, {}, []]) {
      const r = await s.admin.post('/api/contacts', { name: 'Флаг ' + tag(), allow_duplicate: v });
      assert.equal(r.status, 400, `${JSON.stringify(v)}: ${r.text}`);
      assert.equal(r.json.error.field, 'allow_duplicate');
    }
    const deal = await s.admin.post('/api/deals', { title: 'Сделка ' + tag(), allow_duplicate: true });
    assert.equal(deal.status, 400, deal.text);
    assert.equal(deal.json.error.field, 'allow_duplicate');
    const d = await s.admin.post('/api/companies', { name: 'Без телефона ' + tag(), allow_duplicate: true, phones: 'x' });
    assert.equal(d.status, 400);
    assert.equal(d.json.error.field, 'phones');
    const long = await s.admin.post('/api/contacts', { name: 'Много ' + tag(), phones: Array.from({ length: 11 }, () => uniqPhone()) });
    assert.equal(long.status, 400);
    assert.equal((await s.admin.get('/api/health')).status, 200);
  });

  it('import refuses duplicate rows one by one, also within the file; allow_duplicates is for roles that may', async () => {
    const t = tag();
    const phone = uniqPhone(), fresh = uniqPhone();
    await create(s.admin, 'companies', { name: `Есть ${t}`, pipeline: 'dealers', phones: [phone] });
    const csv = `name;phones\nИмпорт A ${t};${phone}\nИмпорт B ${t};${fresh}\nИмпорт C ${t};${fresh}\n`;
    const post = (c, q = '') => c.req('POST', '/api/companies/import' + q, csv, { 'content-type': 'text/csv; charset=utf-8' });
    const r = await post(agent);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.created, 1, r.text);
    assert.equal(r.json.failed, 2);
    assert.deepEqual(r.json.errors.map((e) => [e.row, e.field]), [[2, 'phones'], [4, 'phones']]);
    assert.match(r.json.errors[1].message, /Импорт B/, 'the second row of a number names the first, which the importer owns');
    const lcr = await post(lc, '?allow_duplicates=true');
    assert.equal(lcr.status, 403, lcr.text);
    assert.equal(lcr.json.error.field, 'allow_duplicates');
    assert.ok(await nothingNamed('companies', `Импорт A ${t}`));
    const ok = await agent.req('POST', '/api/companies/import', JSON.stringify({ csv, allow_duplicates: true }), { 'content-type': 'application/json' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.created, 3, ok.text);
    const bad = await agent.req('POST', '/api/companies/import?allow_duplicates=maybe', csv, { 'content-type': 'text/csv' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'allow_duplicates');
  });
});

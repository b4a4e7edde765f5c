// Bad input to every CRM endpoint: a clear 4xx naming the field, never a 500, never a partial
// write, and the server keeps serving.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, assertHealthy, withoutCsrf } from './helpers.mjs';
import { crmServer, create, get, timeline, tag, dealPreset, enc } from './crm_helpers.mjs';

describe('crm bad input', () => {
  let s, admin, agent, other, t, company, contact, deal, dealServer;
  before(async () => {
    s = await crmServer('dealers');
    admin = s.admin;
    agent = await s.as(s.byRole.agent[0]);
    other = await s.as(s.byRole.agent[1]);
    t = tag('bi');
    company = await create(agent, 'companies', { name: `Фирма ${t}`, pipeline: 'dealers', city: 'Тула', phones: ['+79160000111'] });
    contact = await create(agent, 'contacts', { name: `Контакт ${t}`, birthday: '1980-01-01' });
  });
  after(async () => { await s?.stop(); await dealServer?.stop(); });

  // Nothing named with this suite's tag was created.
  async function nothingCreated(c = admin) {
    for (const plural of ['contacts', 'companies']) {
      const r = await c.get(`/api/${plural}?q=${enc('Новый ' + t)}&count=true`);
      assert.equal(r.json.total, 0, `a ${plural} record was created by a refused request`);
    }
  }

  it('malformed bodies: 400 bad_json, 415 for non-JSON, nothing created', async () => {
    for (const body of ['{"name":', '', 'null', '[]', '"x"', '42', `{"name":"Новый ${t}","name":"x"}`,
      `{"name":"Новый ${t}"} trailing`, '{\'name\':1}', '\u00ff\u00fe']) {
      for (const plural of ['contacts', 'companies', 'deals']) {
        const r = await admin.post('/api/' + plural, body);
        assertError(r, 400, 'bad_json');
      }
      const p = await admin.patch('/api/companies/' + company.id, body);
      assertError(p, 400, 'bad_json');
    }
    const r = await admin.post('/api/contacts', `name=Новый ${t}`, { 'content-type': 'application/x-www-form-urlencoded' });
    assertError(r, 415, 'unsupported_media_type');
    await nothingCreated();
    await assertHealthy(s.srv, 'malformed bodies');
  });

  it('wrong types per field are 400 invalid naming the field', async () => {
    const cases = [
      ['contacts', { name: 5 }, 'name'],
      ['contacts', { name: ['a'] }, 'name'],
      ['contacts', { name: 'Новый ' + t, city: 7 }, 'city'],
      ['contacts', { name: 'Новый ' + t, city: { a: 1 } }, 'city'],
      ['contacts', { name: 'Новый ' + t, phones: '+79161234567' }, 'phones'],
      ['contacts', { name: 'Новый ' + t, phones: [79161234567] }, 'phones'],
      ['contacts', { name: 'Новый ' + t, phones: [null] }, 'phones'],
      ['contacts', { name: 'Новый ' + t, phones: Array(11).fill(0).map((_, i) => '+7916000000' + i) }, 'phones'],
      ['contacts', { name: 'Новый ' + t, emails: 'a@b.ru' }, 'emails'],
      ['contacts', { name: 'Новый ' + t, emails: ['not-an-email'] }, 'emails'],
      ['contacts', { name: 'Новый ' + t, emails: ['a@b'] }, 'emails'],
      ['contacts', { name: 'Новый ' + t, emails: ['a b@c.ru'] }, 'emails'],
      ['contacts', { name: 'Новый ' + t, emails: ['@c.ru'] }, 'emails'],
      ['contacts', { name: 'Новый ' + t, company_id: String(company.id) }, 'company_id'],
      ['contacts', { name: 'Новый ' + t, company_id: 0 }, 'company_id'],
      ['contacts', { name: 'Новый ' + t, company_id: -5 }, 'company_id'],
      ['contacts', { name: 'Новый ' + t, company_id: 1.5 }, 'company_id'],
      ['contacts', { name: 'Новый ' + t, company_id: 987654321 }, 'company_id'],
      ['contacts', { name: 'Новый ' + t, owner_id: true }, 'owner_id'],
      ['contacts', { name: 'Новый ' + t, birthday: 0 }, 'birthday'],
      ['contacts', { name: 'Новый ' + t, messengers: 'tg' }, 'messengers'],
      ['companies', { name: 'Новый ' + t, domain: 'not a domain' }, 'domain'],
      ['companies', { name: 'Новый ' + t, domain: 'localhost' }, 'domain'],
      ['companies', { name: 'Новый ' + t, domain: 5 }, 'domain'],
      ['companies', { name: 'Новый ' + t, inn: 7712345678 }, 'inn'],
      ['companies', { name: 'Новый ' + t, inn: '1234567890123' }, 'inn'],
      ['companies', { name: 'Новый ' + t, pipeline: 5 }, 'pipeline'],
      ['companies', { name: 'Новый ' + t, pipeline: '' }, 'pipeline'],
      ['companies', { name: 'Новый ' + t, pipeline: 'nope' }, 'pipeline'],
      ['companies', { name: 'Новый ' + t, pipeline: 'dealers', stage: 'nope' }, 'stage'],
      ['companies', { name: 'Новый ' + t, pipeline: 'dealers', stage: ['lead'] }, 'stage'],
      ['companies', { name: 'Новый ' + t, stage: 'x'.repeat(65) }, 'stage'],
      ['companies', { name: 'Новый ' + t, notes: ['a'] }, 'notes'],
    ];
    const problems = [];
    for (const [plural, body, field] of cases) {
      const r = await admin.post('/api/' + plural, body);
      if (r.status !== 400 || r.json?.error?.code !== 'invalid' || r.json?.error?.field !== field) {
        problems.push(`POST ${plural} ${JSON.stringify(body).slice(0, 120)}: ${r.status} ${r.text.slice(0, 160)}`);
      }
    }
    assert.deepEqual(problems, []);
    await nothingCreated();
  });

  it('bad phones: letters, too short, too long, two plus signs', async () => {
    for (const p of ['abc', '12', '+7 916', '8 916 123 45 67 89 01 23', '++79161234567', '+7 916 12a-45-67', '8(916)123-45-6#',
      '0', '+', ' ', 'x'.repeat(65)]) {
      const r = await admin.post('/api/contacts', { name: 'Новый ' + t, phones: [p] });
      assertError(r, 400, 'invalid', 'phones');
      assert.ok(r.json.error.message.length > 0);
    }
    await nothingCreated();
  });

  it('huge strings: over the field limit is 400; over the body limit is 413; NUL refused', async () => {
    const problems = [];
    for (const [plural, field, max] of [['contacts', 'name', 200], ['companies', 'name', 300], ['contacts', 'city', 100],
      ['contacts', 'notes', 20000], ['contacts', 'address', 500], ['companies', 'website', 500]]) {
      const body = { name: 'Новый ' + t, [field]: 'ж'.repeat(max + 1) };
      const r = await admin.post('/api/' + plural, body);
      if (r.status !== 400 || r.json?.error?.field !== field) problems.push(`${plural}.${field} of ${max + 1} chars: ${r.status} ${r.text.slice(0, 120)}`);
      const ok = await admin.post('/api/' + plural, { ...body, name: `Граница ${t}`, [field]: 'ж'.repeat(max) });
      if (ok.status !== 201) problems.push(`${plural}.${field} of exactly ${max} chars: ${ok.status} ${ok.text.slice(0, 120)}`);
    }
    assert.deepEqual(problems, []);
    const big = await admin.post('/api/contacts', { name: 'Новый ' + t, notes: 'x'.repeat(2 * 1024 * 1024) });
    assertError(big, 413, 'too_large');
    assertError(await admin.post('/api/contacts', { name: `Новый ${t}\u0000` }), 400, 'invalid', 'name');
    await nothingCreated();
    await assertHealthy(s.srv, 'huge strings');
  });

  it('a link to a record the user cannot see is 400 invalid naming the field, like a missing one', async () => {
    const hidden = await create(other, 'companies', { name: `Чужая ${t}`, pipeline: 'dealers' });
    const r = await agent.post('/api/contacts', { name: 'Новый ' + t, company_id: hidden.id });
    assertError(r, 400, 'invalid', 'company_id');
    const missing = await agent.post('/api/contacts', { name: 'Новый ' + t, company_id: 987654 });
    assertError(missing, 400, 'invalid', 'company_id');
    assert.equal(r.json.error.message.replace(String(hidden.id), 'N'), missing.json.error.message.replace('987654', 'N'),
      'the same message for a hidden and a missing record');
    const p = await agent.patch('/api/contacts/' + contact.id, { company_id: hidden.id, version: contact.version });
    assertError(p, 400, 'invalid', 'company_id');
    assert.equal((await get(agent, 'contacts', contact.id)).company_id, null);
    assert.equal((await get(other, 'companies', hidden.id)).stage, 'lead', 'the hidden lead was not moved by the attempt');
    await nothingCreated();
    // a deleted company is gone for links too
    const gone = await create(admin, 'companies', { name: `Удалённая ${t}` });
    assert.equal((await admin.del('/api/companies/' + gone.id)).status, 204);
    assertError(await admin.post('/api/contacts', { name: 'Новый ' + t, company_id: gone.id }), 400, 'invalid', 'company_id');
  });

  it('a refused PATCH writes nothing: no field, no phone, no version, no event', async () => {
    const before = await get(agent, 'companies', company.id);
    const events = (await timeline(agent, 'company', company.id)).length;
    const bad = [
      { city: 'Новгород', phones: ['not a phone'] },
      { city: 'Новгород', emails: ['bad'] },
      { city: 'Новгород', stage: 'nope' },
      { city: 'Новгород', stage: 'client' }, // forbidden for an agent
      { city: 'Новгород', stage: 'account' }, // checklist incomplete
      { city: 'Новгород', owner_id: s.ids[s.byRole.agent[1]] }, // not the agent's to give
      { city: 'Новгород', name: '' },
      { city: 'Новгород', unknown: 1 },
      { phones: ['+79169999999'], domain: '???' },
    ];
    const problems = [];
    for (const b of bad) {
      const r = await agent.patch('/api/companies/' + company.id, { ...b, version: before.version });
      if (r.status < 400 || r.status >= 500) problems.push(`${JSON.stringify(b)}: ${r.status} ${r.text.slice(0, 120)}`);
    }
    assert.deepEqual(problems, []);
    const after = await get(agent, 'companies', company.id);
    assert.deepEqual(after, before, 'the record is unchanged');
    assert.equal((await timeline(agent, 'company', company.id)).length, events, 'no events');
  });

  it('PATCH and DELETE of unknown, foreign or malformed ids; wrong methods', async () => {
    const hidden = await create(other, 'companies', { name: `Чужая2 ${t}` });
    for (const id of [hidden.id, 987654, 0, 'abc', '-1', '1.5', '99999999999999999999999']) {
      assertError(await agent.patch('/api/companies/' + id, { city: 'x', version: 1 }), 404, 'not_found');
      assertError(await agent.del('/api/companies/' + id), 404, 'not_found');
      assertError(await agent.get('/api/companies/' + id), 404, 'not_found');
    }
    assert.equal((await get(other, 'companies', hidden.id)).city, null);
    const put = await admin.req('PUT', '/api/companies/' + company.id, { name: 'x' });
    assertError(put, 405, 'method_not_allowed');
    assertError(await admin.req('DELETE', '/api/companies'), 405, 'method_not_allowed');
    assertError(await admin.req('POST', '/api/companies/' + company.id, {}), 405, 'method_not_allowed');
  });

  it('CSRF and authentication are required on every CRM route', async () => {
    const anon = { get: (p) => fetch(s.srv.url + p) };
    for (const p of ['/api/contacts', '/api/companies', '/api/deals', `/api/companies/${company.id}`, '/api/pipelines',
      '/api/duplicates?name=abc', `/api/timeline?entity=company&id=${company.id}`]) {
      const r = await anon.get(p);
      assert.equal(r.status, 401, `${p} without a session: ${r.status}`);
    }
    const forged = withoutCsrf(admin);
    assertError(await forged.post('/api/contacts', { name: 'Новый ' + t }), 403, 'csrf');
    assertError(await forged.patch('/api/companies/' + company.id, { city: 'x', version: 1 }), 403, 'csrf');
    assertError(await forged.del('/api/companies/' + company.id), 403, 'csrf');
    assertError(await forged.req('PUT', `/api/companies/${company.id}/checklist/account/contract`, { done: true }), 403, 'csrf');
    await nothingCreated();
  });

  it('checklist marks: body {"done": bool} only; unknown stage or item 404; foreign record 404', async () => {
    const url = `/api/companies/${company.id}/checklist/account/`;
    const detail = await get(agent, 'companies', company.id);
    const item = detail.checklists.account[0].key;
    for (const body of [{ done: 'yes' }, { done: 1 }, { done: null }, { done: true, extra: 1 }, {}]) {
      const r = await agent.req('PUT', url + item, body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.status} ${r.text}`);
    }
    assertError(await agent.req('PUT', url + item, '{"done":'), 400, 'bad_json');
    assertError(await agent.req('PUT', url + 'no_such_item', { done: true }), 404, 'not_found');
    assertError(await agent.req('PUT', `/api/companies/${company.id}/checklist/no_stage/${item}`, { done: true }), 404, 'not_found');
    assertError(await other.req('PUT', url + item, { done: true }), 404, 'not_found');
    assertError(await agent.req('PUT', `/api/companies/987654/checklist/account/${item}`, { done: true }), 404, 'not_found');
    // a company given no pipeline starts in the first company pipeline, not in none
    const nopipe = await create(agent, 'companies', { name: `Без воронки ${t}` });
    assert.equal(nopipe.pipeline, 'dealers');
    assert.equal(nopipe.stage, 'lead');
    const after = await get(agent, 'companies', company.id);
    assert.ok(after.checklists.account.every((x) => !x.done), 'nothing was ticked');
  });

  it('list query errors: 400 naming the parameter', async () => {
    const cases = [
      ['limit=0', 'limit'], ['limit=x', 'limit'], ['sort=password', 'sort'], ['cursor=%%%', 'cursor'],
      ['cursor=' + Buffer.from('[1]').toString('base64url'), 'cursor'],
      ['cursor=' + Buffer.from('{"a":1}').toString('base64url'), 'cursor'],
      ['cursor=' + Buffer.from('["x","y"]').toString('base64url'), 'cursor'],
      ['cursor=' + 'A'.repeat(1500), 'cursor'],
      ['created_at.from=abc', 'created_at'], ['owner=abc', 'owner_id'], ['city.empty=1', 'city.empty'],
      ['q=' + 'a'.repeat(201), 'q'], ['phone=abc', 'phone'], ['nope=1', 'nope'],
    ];
    const problems = [];
    for (const [q, field] of cases) {
      const r = await admin.get('/api/companies?' + q);
      if (r.status !== 400 || r.json?.error?.code !== 'invalid') problems.push(`?${q.slice(0, 60)}: ${r.status} ${r.text.slice(0, 120)}`);
      else if (r.json.error.field !== field) problems.push(`?${q.slice(0, 60)}: field ${r.json.error.field}, expected ${field}`);
    }
    const many = Array.from({ length: 60 }, (_, i) => `city=${i}`).join('&');
    const r = await admin.get('/api/companies?' + many);
    if (r.status !== 400) problems.push(`60 query arguments: ${r.status}`);
    assert.deepEqual(problems, []);
    await assertHealthy(s.srv, 'list errors');
  });

  it('duplicates and pipelines: bad parameters are 400 naming the field', async () => {
    assertError(await admin.get('/api/duplicates'), 400, 'missing');
    assertError(await admin.get('/api/duplicates?phone=abc'), 400, 'invalid', 'phone');
    assertError(await admin.get('/api/duplicates?email=nope'), 400, 'invalid', 'email');
    assertError(await admin.get('/api/duplicates?domain=x'), 400, 'invalid', 'domain');
    assertError(await admin.get('/api/duplicates?name=' + 'я'.repeat(301)), 400, 'invalid', 'name');
    const empty = await admin.get('/api/duplicates?name=' + enc('ООО "" «»'));
    assert.equal(empty.status, 200, 'a name of only legal form and quotes matches nothing: ' + empty.text);
    assert.deepEqual(empty.json.items, []);
    const odd = await admin.get('/api/duplicates?name=' + enc('" OR * NEAR( AND -'));
    assert.equal(odd.status, 200, 'search syntax in a name is plain text: ' + odd.text);
    assertError(await admin.get('/api/pipelines?entity=user'), 400, 'invalid', 'entity');
  });

  it('timeline of CRM records: bad entity or id is 400, unknown or foreign record 404', async () => {
    assertError(await agent.get('/api/timeline?entity=companies&id=1'), 400, 'invalid', 'entity');
    assertError(await agent.get('/api/timeline?entity=company&id=abc'), 400, 'invalid', 'id');
    assertError(await agent.get('/api/timeline?entity=company'), 400, 'missing', 'id');
    assertError(await agent.get('/api/timeline?entity=company&id=987654'), 404, 'not_found');
    assertError(await agent.get('/api/timeline?entity=company&id=0'), 404, 'not_found');
  });

  it('deals: bad money, currency, pipeline, stage and links', async () => {
    const dp = dealPreset();
    dealServer = await crmServer(dp.preset);
    const a = dealServer.admin;
    const ct = await create(a, 'contacts', { name: 'Связь ' + t });
    const base = { title: 'Новая сделка ' + t, currency: 'RUB' };
    const cases = [
      [{ ...base, amount: -100 }, 'amount'], [{ ...base, amount: 1e16 }, 'amount'], [{ ...base, amount: 10.01 }, 'amount'],
      [{ ...base, amount: '1000' }, 'amount'], [{ ...base, currency: 'рубль' }, 'currency'],
      [{ ...base, pipeline: 'nope' }, 'pipeline'], [{ ...base, pipeline: dp.pipeline.key, stage: 'nope' }, 'stage'],
      [{ ...base, stage: 'nope' }, 'stage'], [{ ...base, contact_id: 987654 }, 'contact_id'],
      [{ ...base, company_id: ct.id + 100000 }, 'company_id'], [{ ...base, contact_id: 'x' }, 'contact_id'],
      [{ ...base, title: 'x'.repeat(301) }, 'title'],
    ];
    // a company pipeline is not a deal pipeline
    const companyPipelines = (await a.get('/api/pipelines?entity=company')).json.items;
    if (companyPipelines.length) cases.push([{ ...base, pipeline: companyPipelines[0].key }, 'pipeline']);
    const problems = [];
    for (const [body, field] of cases) {
      const r = await a.post('/api/deals', body);
      if (r.status !== 400 || r.json?.error?.field !== field) problems.push(`${JSON.stringify(body).slice(0, 100)}: ${r.status} ${r.text.slice(0, 120)}`);
    }
    const huge = await a.post('/api/deals', `{"title":"Новая сделка ${t}","currency":"RUB","amount":123456789012345678901234567890}`);
    if (huge.status !== 400) problems.push(`an amount beyond 64 bits: ${huge.status} ${huge.text.slice(0, 120)}`);
    assert.deepEqual(problems, []);
    const r = await a.get(`/api/deals?q=${enc('Новая сделка ' + t)}&count=true`);
    assert.equal(r.json.total, 0, 'no deal was created');
    await assertHealthy(dealServer.srv, 'bad deals');
  });
});

// Caller-ID for a PBX or a softphone: GET /api/telephony/lookup?phone= answers who has the
// number, in any spelling, within the caller's read scope exactly as the contact list applies
// it — a record the caller may not list is not named (the answer is the same as for an unknown
// number), whether the caller is a signed-in user or an API token.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, assertError, assertHealthy, bearerClient, createToken, rawHttp } from './helpers.mjs';
import { crmServer, create, patchOk, presetDoc, tag, uniqPhone, enc } from './crm_helpers.mjs';

describe('caller-ID lookup', () => {
  let s, admin, manager, other, courier, t;
  before(async () => {
    s = await crmServer('b2c');
    admin = s.admin;
    manager = await s.as(s.byRole.manager[0]);
    other = await s.as(s.byRole.manager[1]);
    courier = await s.as(s.byRole.courier[0]);
    t = tag('cid');
  });
  after(async () => { await s?.stop(); });

  const lookup = (c, phone, extra = '') => c.get('/api/telephony/lookup?phone=' + enc(phone) + extra);
  // "+79161234567" → the three spellings of issue 3 and the digits a PBX sends
  const spellings = (e164) => {
    const d = e164.slice(2);
    return [e164, `8 (${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6, 8)}-${d.slice(8)}`,
      `+7 ${d.slice(0, 3)} ${d.slice(3)}`, `7${d}`, `8${d}`];
  };

  it('finds the contact in every spelling of its number, with its company and owner', async () => {
    const phone = uniqPhone();
    const co = await create(admin, 'companies', { name: `ООО «Ромашка» ${t}` });
    const c = await create(admin, 'contacts', { name: `Иванов Иван ${t}`, phones: [uniqPhone(), phone], company_id: co.id, owner_id: manager.user.id });
    for (const p of spellings(phone)) {
      const r = await lookup(admin, p);
      assert.equal(r.status, 200, `${p}: ${r.text}`);
      assert.deepEqual(r.json, {
        phone,
        items: [{ entity: 'contact', id: c.id, name: c.name, company: { id: co.id, name: co.name },
          owner: { id: manager.user.id, name: manager.user.name } }],
      }, p);
    }
    assert.match((await lookup(admin, phone)).headers.get('content-type'), /^application\/json/);
  });

  it('an unknown number is an empty answer, not an error', async () => {
    const r = await lookup(admin, uniqPhone());
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items, []);
  });

  it('a contact without company or owner answers null for them', async () => {
    const phone = uniqPhone();
    const c = await create(admin, 'contacts', { name: `Без компании ${t}`, phones: [phone], owner_id: null });
    const r = await lookup(admin, phone);
    assert.deepEqual(r.json.items, [{ entity: 'contact', id: c.id, name: c.name, company: null, owner: null }]);
  });

  it('a company line answers the company, and a contact that shares it comes first', async () => {
    const phone = uniqPhone();
    const co = await create(admin, 'companies', { name: `АО «Офис» ${t}`, phones: [phone], owner_id: other.user.id });
    let r = await lookup(admin, phone);
    assert.deepEqual(r.json.items, [{ entity: 'company', id: co.id, name: co.name, owner: { id: other.user.id, name: other.user.name } }]);
    const c = await create(admin, 'contacts', { name: `Секретарь ${t}`, phones: [phone], company_id: co.id });
    r = await lookup(admin, phone);
    assert.deepEqual(r.json.items.map((x) => [x.entity, x.id]), [['contact', c.id], ['company', co.id]]);
  });

  it('a deleted contact is not found', async () => {
    const phone = uniqPhone();
    const c = await create(admin, 'contacts', { name: `Удалённый ${t}`, phones: [phone] });
    assert.equal((await admin.del(`/api/contacts/${c.id}`)).status, 204);
    assert.deepEqual((await lookup(admin, phone)).json.items, []);
  });

  it('a manager finds his own contacts; a colleague\'s number answers as if unknown', async () => {
    const phone = uniqPhone();
    const c = await create(admin, 'contacts', { name: `Клиент менеджера ${t}`, phones: [phone], owner_id: manager.user.id });
    const mine = await lookup(manager, phone);
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual(mine.json.items.map((x) => x.id), [c.id]);
    const theirs = await lookup(other, phone);
    assert.equal(theirs.status, 200, theirs.text);
    assert.deepEqual(theirs.json, { phone, items: [] }, 'the same answer as an unknown number');
    // the generic list agrees: the lookup applies the list's scope, not a scope of its own
    assert.deepEqual((await other.get('/api/contacts?phone=' + enc(phone))).json.items, []);
    assert.deepEqual((await manager.get('/api/contacts?phone=' + enc(phone))).json.items.map((x) => x.id), [c.id]);
  });

  it('a courier who may open the client of his order by id still does not get it named by number', async () => {
    const phone = uniqPhone();
    const c = await create(admin, 'contacts', { name: `Получатель ${t}`, phones: [phone], owner_id: manager.user.id });
    const d = await create(admin, 'deals', { title: `Доставка ${t}`, pipeline: 'orders', contact_id: c.id, owner_id: courier.user.id });
    assert.equal((await courier.get(`/api/contacts/${c.id}`)).status, 200, 'linked: the card opens');
    const r = await lookup(courier, phone, '&deal=true');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items, [], 'linked records are not listed, nor looked up by number');
    assert.ok(d.id);
  });

  it('deal=true adds the newest open deal the caller may read, or null', async () => {
    const phone = uniqPhone();
    const c = await create(admin, 'contacts', { name: `С заказами ${t}`, phones: [phone], owner_id: manager.user.id });
    let r = await lookup(admin, phone, '&deal=true');
    assert.equal(r.json.items[0].deal, null, 'no deal yet');
    const old = await create(admin, 'deals', { title: `Заказ 1 ${t}`, pipeline: 'orders', contact_id: c.id, owner_id: manager.user.id });
    const young = await create(admin, 'deals', { title: `Заказ 2 ${t}`, pipeline: 'orders', contact_id: c.id, owner_id: other.user.id });
    r = await lookup(admin, phone, '&deal=true');
    const stageName = presetDoc('b2c').pipelines.find((p) => p.key === 'orders').stages.find((x) => x.key === 'new').name;
    assert.deepEqual(r.json.items[0].deal, { id: young.id, title: young.title, pipeline: 'orders', stage: 'new', stage_name: stageName });
    // the manager may not read his colleague's deal: he gets his own
    r = await lookup(manager, phone, '&deal=true');
    assert.equal(r.json.items[0].deal.id, old.id);
    // a closed deal is not the one the call is about
    await patchOk(admin, 'deals', young.id, { stage: 'delivered', amount: 150000 });
    await patchOk(admin, 'deals', old.id, { stage: 'cancelled' });
    r = await lookup(admin, phone, '&deal=true');
    assert.equal(r.json.items[0].deal, null);
    // without deal=true (or with false) there is no deal key at all
    for (const extra of ['', '&deal=false']) assert.equal('deal' in (await lookup(admin, phone, extra)).json.items[0], false);
  });

  it('answers an API token by its role\'s scopes: a PBX role reads all, the integration role nothing', async () => {
    const role = await admin.req('PUT', '/api/roles/pbx', {
      name: 'АТС', capabilities: [],
      scopes: { contact: { read: 'all' }, company: { read: 'all' }, deal: { read: 'all' } },
    });
    assert.equal(role.status, 200, role.text);
    const phone = uniqPhone();
    const c = await create(admin, 'contacts', { name: `Звонящий ${t}`, phones: [phone], owner_id: manager.user.id });
    const pbx = bearerClient(s.srv.url, (await createToken(admin, 'pbx')).secret);
    const r = await lookup(pbx, '8' + phone.slice(2));
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((x) => [x.id, x.owner.id]), [[c.id, manager.user.id]]);
    const integration = bearerClient(s.srv.url, (await createToken(admin, 'integration')).secret);
    const none = await lookup(integration, phone);
    assert.equal(none.status, 200, none.text);
    assert.deepEqual(none.json.items, []);
  });

  it('fields the role hides are left out, not shown empty', async () => {
    const role = await admin.req('PUT', '/api/roles/pbx_anon', {
      name: 'АТС без владельца', capabilities: [],
      scopes: { contact: { read: 'all' }, company: { read: 'all' } },
      hidden_fields: { contact: ['owner_id', 'company_id'], company: ['owner_id'] },
    });
    assert.equal(role.status, 200, role.text);
    const phone = uniqPhone();
    const co = await create(admin, 'companies', { name: `ЗАО «Тайна» ${t}`, owner_id: manager.user.id });
    const c = await create(admin, 'contacts', { name: `Аноним ${t}`, phones: [phone], company_id: co.id, owner_id: manager.user.id });
    const pbx = bearerClient(s.srv.url, (await createToken(admin, 'pbx_anon')).secret);
    const r = await lookup(pbx, phone);
    assert.deepEqual(r.json.items, [{ entity: 'contact', id: c.id, name: c.name }]);
  });

  it('without a session or token: 401; a revoked token: 401', async () => {
    assertError(await new Client(s.srv.url).get('/api/telephony/lookup?phone=%2B79161234567'), 401, 'unauthorized');
    const tok = await createToken(admin, 'integration');
    const pbx = bearerClient(s.srv.url, tok.secret);
    assert.equal((await lookup(pbx, '+79161234567')).status, 200);
    assert.equal((await admin.del(`/api/tokens/${tok.token.id}`)).status, 204);
    assertError(await lookup(pbx, '+79161234567'), 401, 'unauthorized');
    assertError(await lookup(bearerClient(s.srv.url, 'vk_' + 'f'.repeat(64)), '+79161234567'), 401, 'unauthorized');
  });

  it('bad input is a clear 400 naming the argument, and the server keeps serving', async () => {
    assertError(await admin.get('/api/telephony/lookup'), 400, 'missing', 'phone');
    assertError(await admin.get('/api/telephony/lookup?phone='), 400, 'missing', 'phone');
    for (const p of ['abc', '+', '123', '++79161234567', '8 (916) 123-45-67 и ещё', '7'.repeat(40), "' OR 1=1 --", '%00']) {
      assertError(await lookup(admin, p), 400, 'invalid', 'phone');
    }
    assertError(await lookup(admin, '7'.repeat(3000)), 400, 'invalid', 'phone');
    assertError(await admin.get('/api/telephony/lookup?phone=%2B79161234567&phone=%2B79161234568'), 400, 'invalid', 'phone');
    assertError(await admin.get('/api/telephony/lookup?phone=%2B79161234567&from=1'), 400, 'invalid', 'from');
    for (const d of ['yes', '1', '', 'TRUE']) assertError(await lookup(admin, '+79161234567', '&deal=' + d), 400, 'invalid', 'deal');
    const r = await rawHttp(s.srv.url, `GET /api/telephony/lookup?phone=${'9'.repeat(6 * 1024)} HTTP/1.1\r\nHost: x\r\nCookie: ${admin.cookie}`);
    assert.equal(r.status, 414, `a 6 KB URL: ${r.status}`);
    assertError(await admin.post('/api/telephony/lookup', { phone: '+79161234567' }), 405, 'method_not_allowed');
    await assertHealthy(s.srv, 'bad caller-ID input');
  });
});

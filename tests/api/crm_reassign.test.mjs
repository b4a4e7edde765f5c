// Bulk reassignment: the dealers administrator takes firms from one agent and gives them to
// another (their people follow), hands over everything of an agent who left; eshop operators hand
// orders to masters. Exactly the right records move, nothing partial, agents are refused.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, assertHealthy, createUser } from './helpers.mjs';
import { crmServer, create, get, patch, timeline, tag, enc } from './crm_helpers.mjs';

const ownerOf = async (c, plural, id) => (await get(c, plural, id)).owner_id;

describe('crm reassign (dealers: companies and their contacts)', () => {
  let s, admin, A, B, C, D, L, t;
  before(async () => {
    s = await crmServer('dealers');
    admin = s.admin;
    [A, B, C, D] = await Promise.all(s.byRole.agent.slice(0, 4).map((l) => s.as(l)));
    L = await s.as(s.byRole.lead_creator[0]);
    t = tag('ra');
  });
  after(async () => { await s?.stop(); });

  const company = (owner, n) => create(admin, 'companies', { name: `Фирма ${n} ${t}`, pipeline: 'dealers', owner_id: owner.user.id });
  const contact = (owner, n, co) => create(admin, 'contacts', { name: `Контакт ${n} ${t}`, owner_id: owner.user.id, ...(co ? { company_id: co.id } : {}) });
  const reassign = (c, plural, body) => c.post(`/api/${plural}/reassign`, body);

  it('by ids: exactly the listed firms move, with their people of the same owner; the timeline says "reassigned"', async () => {
    const co1 = await company(A, 1), co2 = await company(A, 2), coB = await company(B, 3);
    const k1 = await contact(A, 1, co1), k2 = await contact(A, 2, co1), kC = await contact(C, 3, co1);
    const kLoose = await contact(A, 4), k5 = await contact(A, 5, co2);
    const v1 = (await get(admin, 'companies', co1.id)).version;

    const r = await reassign(admin, 'companies', { to_owner_id: D.user.id, ids: [co1.id] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.moved, 3, 'moved counts the firm and the two people who followed it');
    assert.equal(await ownerOf(admin, 'companies', co1.id), D.user.id);
    assert.equal(await ownerOf(admin, 'contacts', k1.id), D.user.id);
    assert.equal(await ownerOf(admin, 'contacts', k2.id), D.user.id);
    assert.equal(await ownerOf(admin, 'contacts', kC.id), C.user.id, 'a colleague\'s contact at the firm was taken from them');
    assert.equal(await ownerOf(admin, 'contacts', kLoose.id), A.user.id, 'a contact of no firm moved');
    assert.equal(await ownerOf(admin, 'companies', co2.id), A.user.id, 'a firm that was not listed moved');
    assert.equal(await ownerOf(admin, 'contacts', k5.id), A.user.id);
    assert.equal(await ownerOf(admin, 'companies', coB.id), B.user.id);

    // the new owner works it, the old one no longer sees it
    assert.equal((await D.get('/api/companies/' + co1.id)).status, 200);
    assert.equal((await D.get('/api/contacts/' + k1.id)).status, 200);
    assertError(await A.get('/api/companies/' + co1.id), 404, 'not_found');
    assertError(await A.get('/api/contacts/' + k2.id), 404, 'not_found');
    const dList = await D.get(`/api/companies?q=${enc(t)}&limit=200`);
    assert.ok(dList.json.items.some((x) => x.id === co1.id), 'the firm is in the new owner\'s list');
    const aList = await A.get(`/api/companies?q=${enc(t)}&limit=200`);
    assert.ok(!aList.json.items.some((x) => x.id === co1.id), 'the firm is still in the old owner\'s list');

    for (const [entity, id] of [['company', co1.id], ['contact', k1.id], ['contact', k2.id]]) {
      const ev = (await timeline(admin, entity, id)).filter((e) => e.field === 'owner_id');
      assert.equal(ev.length, 1, `${entity} ${id}: one owner change`);
      assert.equal(ev[0].kind, 'update');
      assert.equal(ev[0].old, A.user.id);
      assert.equal(ev[0].new, D.user.id);
      assert.equal(ev[0].reason, 'reassigned');
      assert.equal(ev[0].actor?.id, admin.user.id);
    }
    assert.equal((await timeline(admin, 'contact', kC.id)).filter((e) => e.field === 'owner_id').length, 0);

    // someone editing the old version is told to reload, not silently overwritten
    const stale = await admin.patch('/api/companies/' + co1.id, { version: v1, city: 'Тверь' });
    assertError(stale, 409, 'stale', 'version');
  });

  it('cascade: false moves only the listed firms', async () => {
    const co = await company(A, 'без каскада');
    const k = await contact(A, 'без каскада', co);
    const r = await reassign(admin, 'companies', { to_owner_id: B.user.id, ids: [co.id], cascade: false });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.moved, 1);
    assert.equal(await ownerOf(admin, 'companies', co.id), B.user.id);
    assert.equal(await ownerOf(admin, 'contacts', k.id), A.user.id);
  });

  it('contacts by ids move alone; a record that already belongs to the new owner is not counted or touched', async () => {
    const co = await company(A, 'контакты');
    const k1 = await contact(A, 'к1', co), k2 = await contact(B, 'к2', co);
    const v2 = (await get(admin, 'contacts', k2.id)).version;
    const r = await reassign(admin, 'contacts', { to_owner_id: B.user.id, ids: [k1.id, k2.id, k1.id] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.moved, 1);
    assert.equal(await ownerOf(admin, 'contacts', k1.id), B.user.id);
    assert.equal(await ownerOf(admin, 'companies', co.id), A.user.id, 'moving a contact moved its firm');
    const same = await get(admin, 'contacts', k2.id);
    assert.equal(same.version, v2, 'a record that did not change got a new version');
    assert.equal((await timeline(admin, 'contact', k2.id)).filter((e) => e.field === 'owner_id').length, 0);
  });

  it('by from_owner_id: everything of an agent who left goes to a colleague, also after the agent was deactivated', async () => {
    const gone = await createUser(admin, { role: 'agent', name: 'Уволенный Агент' });
    const G = { user: gone };
    const cos = [await company(G, 'г1'), await company(G, 'г2'), await company(G, 'г3')];
    const ks = [await contact(G, 'г1', cos[0]), await contact(G, 'г2', cos[1])];
    const kLoose = await contact(G, 'г-сам');
    const kOther = await contact(C, 'чужой', cos[2]);
    const keep = await company(B, 'остаётся');
    assert.equal((await admin.patch('/api/users/' + gone.id, { active: false })).status, 200);

    const r = await reassign(admin, 'companies', { from_owner_id: gone.id, to_owner_id: D.user.id });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.moved, 5, '3 firms and their 2 people');
    const r2 = await reassign(admin, 'contacts', { from_owner_id: gone.id, to_owner_id: D.user.id });
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json.moved, 1, 'the contact of no firm');
    for (const x of cos) assert.equal(await ownerOf(admin, 'companies', x.id), D.user.id);
    for (const x of [...ks, kLoose]) assert.equal(await ownerOf(admin, 'contacts', x.id), D.user.id);
    assert.equal(await ownerOf(admin, 'contacts', kOther.id), C.user.id);
    assert.equal(await ownerOf(admin, 'companies', keep.id), B.user.id);
    for (const plural of ['companies', 'contacts']) {
      const left = await admin.get(`/api/${plural}?owner=${gone.id}&count=true&limit=1`);
      assert.equal(left.json.total, 0, `${plural} left with the agent who left`);
    }
    const again = await reassign(admin, 'companies', { from_owner_id: gone.id, to_owner_id: D.user.id });
    assert.equal(again.json.moved, 0, 'a second run finds nothing');
  });

  it('agents and lead creators may not reassign, not even their own records; nothing moves', async () => {
    const coA = await company(A, 'своя');
    const coB = await company(B, 'чужая');
    for (const [c, plural, body] of [
      [A, 'companies', { to_owner_id: A.user.id, ids: [coB.id] }],
      [A, 'companies', { to_owner_id: B.user.id, ids: [coA.id] }],
      [A, 'companies', { from_owner_id: B.user.id, to_owner_id: A.user.id }],
      [A, 'contacts', { from_owner_id: B.user.id, to_owner_id: A.user.id }],
      [L, 'companies', { to_owner_id: L.user.id, ids: [coB.id] }],
    ]) assertError(await reassign(c, plural, body), 403, 'forbidden');
    assert.equal(await ownerOf(admin, 'companies', coA.id), A.user.id);
    assert.equal(await ownerOf(admin, 'companies', coB.id), B.user.id);
  });

  it('bad input is a clear 4xx naming the field; nothing is moved, not even part of the list', async () => {
    const co = await company(A, 'плохой');
    const k = await contact(A, 'плохой', co);
    const deleted = await company(A, 'удалённая');
    assert.equal((await admin.del('/api/companies/' + deleted.id)).status, 204);
    const v = (await get(admin, 'companies', co.id)).version;
    const gone = await createUser(admin, { role: 'agent' });
    assert.equal((await admin.patch('/api/users/' + gone.id, { active: false })).status, 200);
    const to = B.user.id;

    for (const body of ['{"to_owner_id":', '', 'null', '[]', `{"to_owner_id":${to},"to_owner_id":${to},"ids":[${co.id}]}`]) {
      assertError(await reassign(admin, 'companies', body), 400, 'bad_json');
    }
    assertError(await admin.post('/api/companies/reassign', 'ids=1', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
    for (const [body, code, field] of [
      [{ ids: [co.id] }, 'missing', 'to_owner_id'],
      [{ to_owner_id: String(to), ids: [co.id] }, 'invalid', 'to_owner_id'],
      [{ to_owner_id: 0, ids: [co.id] }, 'invalid', 'to_owner_id'],
      [{ to_owner_id: -1, ids: [co.id] }, 'invalid', 'to_owner_id'],
      [{ to_owner_id: 1.5, ids: [co.id] }, 'invalid', 'to_owner_id'],
      [{ to_owner_id: 987654, ids: [co.id] }, 'invalid', 'to_owner_id'],
      [{ to_owner_id: gone.id, ids: [co.id] }, 'invalid', 'to_owner_id'],
      [{ to_owner_id: to }, 'missing', 'ids'],
      [{ to_owner_id: to, ids: [co.id], from_owner_id: A.user.id }, 'missing', 'ids'],
      [{ to_owner_id: to, ids: [] }, 'invalid', 'ids'],
      [{ to_owner_id: to, ids: co.id }, 'invalid', 'ids'],
      [{ to_owner_id: to, ids: [String(co.id)] }, 'invalid', 'ids'],
      [{ to_owner_id: to, ids: [0] }, 'invalid', 'ids'],
      [{ to_owner_id: to, ids: [co.id, -3] }, 'invalid', 'ids'],
      [{ to_owner_id: to, ids: [1.5] }, 'invalid', 'ids'],
      [{ to_owner_id: to, ids: [null] }, 'invalid', 'ids'],
      [{ to_owner_id: to, ids: Array.from({ length: 10001 }, (_, i) => i + 1) }, 'invalid', 'ids'],
      [{ to_owner_id: to, from_owner_id: 'A' }, 'invalid', 'from_owner_id'],
      [{ to_owner_id: to, from_owner_id: 0 }, 'invalid', 'from_owner_id'],
      [{ to_owner_id: to, ids: [co.id], cascade: 'yes' }, 'invalid', 'cascade'],
      [{ to_owner_id: to, ids: [co.id], reason: 'отпуск' }, 'invalid', 'reason'],
    ]) assertError(await reassign(admin, 'companies', body), 400, code, field);

    // a list with one id that is not there moves nothing at all
    for (const ids of [[co.id, 987654321], [co.id, deleted.id], Array.from({ length: 10000 }, (_, i) => 900000000 + i)]) {
      const r = await reassign(admin, 'companies', { to_owner_id: to, ids });
      assertError(r, 404, 'not_found', 'ids');
    }
    assert.equal(await ownerOf(admin, 'companies', co.id), A.user.id, 'part of a refused list was moved');
    assert.equal(await ownerOf(admin, 'contacts', k.id), A.user.id);
    assert.equal((await get(admin, 'companies', co.id)).version, v);
    assert.equal((await timeline(admin, 'company', co.id)).filter((e) => e.field === 'owner_id').length, 0);

    await assertHealthy(s.srv, 'bad reassign input');
  });
});

describe('crm reassign (eshop: orders follow their company; operators hand orders to masters)', () => {
  let s, admin, O1, O2, O3, M1, M2, t;
  before(async () => {
    s = await crmServer('eshop');
    admin = s.admin;
    [O1, O2, O3] = await Promise.all(s.byRole.operator.slice(0, 3).map((l) => s.as(l)));
    [M1, M2] = await Promise.all(s.byRole.master.slice(0, 2).map((l) => s.as(l)));
    t = tag('rb');
  });
  after(async () => { await s?.stop(); });

  it('a company moves with its deals and contacts of the same owner; other owners\' deals stay', async () => {
    const co = await create(admin, 'companies', { name: `ООО Сантехника ${t}`, owner_id: O1.user.id });
    const d1 = await create(admin, 'deals', { title: `Заказ 1 ${t}`, company_id: co.id, owner_id: O1.user.id });
    const d2 = await create(admin, 'deals', { title: `Заказ 2 ${t}`, company_id: co.id, owner_id: O1.user.id });
    const d3 = await create(admin, 'deals', { title: `Заказ 3 ${t}`, company_id: co.id, owner_id: O3.user.id });
    const dFree = await create(admin, 'deals', { title: `Заказ 4 ${t}`, owner_id: O1.user.id });
    const k = await create(admin, 'contacts', { name: `Клиент ${t}`, company_id: co.id, owner_id: O1.user.id });

    const r = await O3.post('/api/companies/reassign', { to_owner_id: O2.user.id, ids: [co.id] });
    assert.equal(r.status, 200, `an operator (edit scope "all") may reassign: ${r.text}`);
    assert.equal(r.json.moved, 4);
    assert.equal(await ownerOf(admin, 'companies', co.id), O2.user.id);
    assert.equal(await ownerOf(admin, 'deals', d1.id), O2.user.id);
    assert.equal(await ownerOf(admin, 'deals', d2.id), O2.user.id);
    assert.equal(await ownerOf(admin, 'contacts', k.id), O2.user.id);
    assert.equal(await ownerOf(admin, 'deals', d3.id), O3.user.id);
    assert.equal(await ownerOf(admin, 'deals', dFree.id), O1.user.id);
    const ev = (await timeline(admin, 'deal', d1.id)).find((e) => e.field === 'owner_id');
    assert.equal(ev.reason, 'reassigned');
    assert.equal(ev.actor?.id, O3.user.id);
  });

  it('orders handed to a master appear in the master\'s list; a master may not hand them on', async () => {
    const ds = [];
    for (let i = 0; i < 3; i++) ds.push(await create(admin, 'deals', { title: `Монтаж ${i} ${t}`, owner_id: O1.user.id }));
    const before = (await M1.get('/api/deals?count=true&limit=1')).json.total;
    const r = await O1.post('/api/deals/reassign', { to_owner_id: M1.user.id, ids: ds.slice(0, 2).map((d) => d.id) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.moved, 2);
    const mine = await M1.get(`/api/deals?q=${enc('Монтаж')}&limit=200`);
    assert.deepEqual(mine.json.items.map((d) => d.id).filter((id) => ds.some((d) => d.id === id)).sort((a, b) => a - b),
      [ds[0].id, ds[1].id]);
    assert.equal((await M1.get('/api/deals?count=true&limit=1')).json.total, before + 2);
    assertError(await M1.get('/api/deals/' + ds[2].id), 404, 'not_found');

    assertError(await M1.post('/api/deals/reassign', { to_owner_id: M2.user.id, ids: [ds[0].id] }), 403, 'forbidden');
    assert.equal(await ownerOf(admin, 'deals', ds[0].id), M1.user.id);
    const p = await patch(M1, 'deals', ds[0].id, { owner_id: M2.user.id });
    assertError(p, 403, 'forbidden', 'owner_id');
  });
});

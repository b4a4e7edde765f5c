// The permission matrix of the dealers preset: admin / agent / lead_creator × own / foreign record
// × read / edit / delete / list / search / count / timeline / duplicates. A record outside a role's
// scope must be indistinguishable from a missing one everywhere, except on the duplicate screen,
// which names it without opening it (id null, visible false).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { crmServer, create, tag, uniqPhone, all, enc, presetDoc, patchOk } from './crm_helpers.mjs';

describe('crm permission matrix (dealers)', () => {
  let s;
  // role → {user: login, colleague: login owning the "foreign" records}
  const cast = {};
  before(async () => {
    s = await crmServer('dealers');
    const { agent, lead_creator: lc } = s.byRole;
    assert.ok(agent?.length >= 2 && lc?.length >= 2, 'two agents and two lead creators in the preset');
    cast.admin = { user: 'admin', colleague: agent[1] };
    cast.agent = { user: agent[0], colleague: agent[1] };
    cast.lead_creator = { user: lc[0], colleague: lc[1] };
  });
  after(async () => { await s?.stop(); });

  // Expectations come from the scopes the preset gives each role (admin: "*", everything).
  const scope = (role, entity, action) => {
    if (role === 'admin') return 'all';
    const r = presetDoc('dealers').roles.find((x) => x.key === role);
    return r?.scopes?.[entity]?.[action] || 'none';
  };
  const covers = (sc, which) => sc === 'all' || (which === 'own' && (sc === 'own' || sc === 'team'));

  for (const role of ['admin', 'agent', 'lead_creator']) {
    for (const plural of ['companies', 'contacts']) {
      const entity = plural === 'companies' ? 'company' : 'contact';
      it(`${role} × ${plural}: own and foreign records`, async () => {
        const t = tag();
        const me = await s.as(cast[role].user);
        const phoneOwn = uniqPhone(), phoneForeign = uniqPhone();
        const base = plural === 'companies' ? { pipeline: 'dealers' } : {};
        // made by the admin for the owner: what a role may create is not the question here
        const own = await create(s.admin, plural, { ...base, name: `Свой ${t}`, phones: [phoneOwn], emails: [`own-${t}@x.ru`], owner_id: me.user.id });
        const foreign = await create(s.admin, plural, { ...base, name: `Чужой ${t}`, phones: [phoneForeign], emails: [`foreign-${t}@x.ru`], owner_id: s.ids[cast[role].colleague] });
        const problems = [];
        const check = (what, cond, detail) => { if (!cond) problems.push(`${what}: ${detail}`); };

        for (const [which, rec, phone] of [['own', own, phoneOwn], ['foreign', foreign, phoneForeign]]) {
          const visible = covers(scope(role, entity, 'read'), which);
          const may = { edit: covers(scope(role, entity, 'edit'), which), delete: covers(scope(role, entity, 'delete'), which) };
          // read
          const g = await me.get(`/api/${plural}/${rec.id}`);
          check(`${which} GET`, g.status === (visible ? 200 : 404), `${g.status} ${g.text.slice(0, 120)}`);
          if (!visible) check(`${which} GET body`, g.json?.error?.code === 'not_found', g.text.slice(0, 120));
          // list, search, count
          const listed = (await all(me, `/api/${plural}?limit=200`)).some((x) => x.id === rec.id);
          check(`${which} in list`, listed === visible, `listed=${listed}`);
          for (const q of [t, `${which === 'own' ? 'Свой' : 'Чужой'} ${t}`, phone, phone.slice(-7), `${which}-${t}@x.ru`]) {
            const found = (await all(me, `/api/${plural}?q=${enc(q)}`)).some((x) => x.id === rec.id);
            check(`${which} search q=${q}`, found === visible, `found=${found}`);
          }
          const byPhone = await me.get(`/api/${plural}?phone=${enc(phone)}`);
          check(`${which} phone filter`, byPhone.status === 200 && byPhone.json.items.some((x) => x.id === rec.id) === visible,
            `${byPhone.status} ${byPhone.text.slice(0, 100)}`);
          const cnt = await me.get(`/api/${plural}?q=${enc(`${which === 'own' ? 'Свой' : 'Чужой'} ${t}`)}&count=true`);
          check(`${which} count`, cnt.json?.total === (visible ? 1 : 0), `total=${cnt.json?.total}`);
          // timeline
          const tl = await me.get(`/api/timeline?entity=${entity}&id=${rec.id}`);
          check(`${which} timeline`, tl.status === (visible ? 200 : 404), `${tl.status} ${tl.text.slice(0, 120)}`);
          // duplicates
          for (const q of [`phone=${enc(phone)}`, `email=${which}-${t}@x.ru`, `name=${enc(`${which === 'own' ? 'Свой' : 'Чужой'} ${t}`)}`]) {
            const d = await me.get('/api/duplicates?' + q);
            const hit = d.json?.items?.find((x) => x.entity === entity && x.name === rec.name);
            check(`${which} duplicates ${q}`, !!hit, `not listed: ${d.status} ${d.text.slice(0, 200)}`);
            if (hit) {
              check(`${which} duplicates ${q} visible`, hit.visible === visible, JSON.stringify(hit));
              check(`${which} duplicates ${q} id`, hit.id === (visible ? rec.id : null), JSON.stringify(hit));
            }
          }
          // edit
          const p = await me.patch(`/api/${plural}/${rec.id}`, { city: 'Кострома', version: rec.version });
          const wantEdit = may.edit ? 200 : visible ? 403 : 404;
          check(`${which} PATCH`, p.status === wantEdit, `${p.status} ${p.text.slice(0, 120)}`);
          // delete: a record the user can read but not delete is 403, one they cannot read is 404
          const del = await me.del(`/api/${plural}/${rec.id}`);
          const wantDel = may.delete ? 204 : visible ? 403 : 404;
          check(`${which} DELETE`, del.status === wantDel, `expected ${wantDel}, got ${del.status} ${del.text.slice(0, 120)}`);
          if (!may.delete) {
            const st = (await s.admin.get(`/api/${plural}/${rec.id}`)).status;
            check(`${which} survives a refused DELETE`, st === 200, `GET by the admin: ${st}`);
          }
        }
        assert.deepEqual(problems, [], `${role} × ${plural}`);
      });
    }
  }

  it('a foreign id cannot be used as a link: company_id of an invisible company is 400 invalid', async () => {
    const me = await s.as(cast.agent.user);
    const other = await s.as(cast.agent.colleague);
    const foreign = await create(other, 'companies', { name: 'Чужая ' + tag(), pipeline: 'dealers' });
    const r = await me.post('/api/contacts', { name: 'Ссылка ' + tag(), company_id: foreign.id });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.code, 'invalid');
    assert.equal(r.json.error.field, 'company_id');
    assert.ok(!r.json.error.message.includes(foreign.name), 'the message does not reveal the name');
    const again = await other.get('/api/companies/' + foreign.id);
    assert.equal(again.json.stage, 'lead', 'the foreign lead did not move');
  });

  it('roles create what their scopes allow', async () => {
    for (const role of ['agent', 'lead_creator']) {
      const me = await s.as(cast[role].user);
      for (const [plural, entity] of [['companies', 'company'], ['contacts', 'contact']]) {
        const r = await me.post('/api/' + plural, { name: `Создал ${role} ${tag()}` });
        const may = scope(role, entity, 'create') !== 'none';
        assert.equal(r.status, may ? 201 : 403, `${role} creates ${plural}: ${r.text.slice(0, 200)}`);
        if (may) assert.equal(r.json.owner_id, me.user.id);
        else assert.equal(r.json.error.code, 'forbidden');
      }
    }
  });

  it('an agent creates records only for themselves; the admin for anyone', async () => {
    const me = await s.as(cast.agent.user);
    const r = await me.post('/api/companies', { name: 'Для коллеги ' + tag(), owner_id: s.ids[cast.agent.colleague] });
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.field, 'owner_id');
    const a = await s.admin.post('/api/companies', { name: 'Для агента ' + tag(), owner_id: s.ids[cast.agent.user] });
    assert.equal(a.status, 201, a.text);
    assert.equal((await me.get('/api/companies/' + a.json.id)).status, 200, 'the new owner sees it');
  });

  it('counts follow the scope: total equals what the list walks, for every role', async () => {
    for (const role of ['admin', 'agent', 'lead_creator']) {
      const me = await s.as(cast[role].user);
      for (const plural of ['companies', 'contacts', 'deals']) {
        const r = await me.get(`/api/${plural}?count=true&limit=1`);
        assert.equal(r.status, 200, r.text);
        const walked = await all(me, `/api/${plural}`);
        assert.equal(r.json.total, walked.length, `${role} ${plural}`);
        if (role !== 'admin') {
          assert.ok(walked.every((x) => x.owner_id === me.user.id), `${role} lists only own ${plural}`);
        }
      }
    }
  });

  it('the pipeline list is readable by every role; the matrix is per role', async () => {
    for (const role of ['admin', 'agent', 'lead_creator']) {
      const me = await s.as(cast[role].user);
      const r = await me.get('/api/pipelines');
      assert.equal(r.status, 200, r.text);
      const p = r.json.items.find((x) => x.key === 'dealers');
      assert.ok(p, `${role} sees the dealers pipeline`);
      if (role === 'admin') for (const st of p.stages) assert.equal(st.moves, null, 'admin: no matrix applies');
    }
  });
});

// The "linked" read scope (eshop masters, cleaning crews, b2c couriers): the client of an order
// the worker may read opens by id — card, phones, address, timeline — and nothing else of the
// client base shows anywhere: not in lists, search, counts, exports or as an id on the
// duplicate screen; a client of nobody's order of theirs is 404.
describe('crm permission matrix: linked contacts and companies (eshop master)', () => {
  let s, master, master2, pipeline;
  before(async () => {
    s = await crmServer('eshop');
    assert.ok(s.byRole.master?.length >= 2, 'two masters in the eshop preset');
    master = await s.as(s.byRole.master[0]);
    master2 = await s.as(s.byRole.master[1]);
    pipeline = presetDoc('eshop').pipelines.find((p) => p.entity === 'deal').key;
  });
  after(async () => { await s?.stop(); });

  const scope = (role, entity, action) => presetDoc('eshop').roles.find((x) => x.key === role)?.scopes?.[entity]?.[action] || 'none';

  // A client (company + contact) and, when owner is given, an order of that owner linking both.
  async function client(owner) {
    const t = tag();
    const phone = uniqPhone();
    const company = await create(s.admin, 'companies', { name: `Фирма ${t}`, phones: [uniqPhone()], address: 'ул. Садовая, 5' });
    const contact = await create(s.admin, 'contacts', { name: `Клиент ${t}`, phones: [phone], emails: [`c-${t}@x.ru`],
      address: 'ул. Ленина, 1, кв. 5', company_id: company.id });
    const deal = owner ? await create(s.admin, 'deals', { title: `Заказ ${t}`, pipeline, contact_id: contact.id,
      company_id: company.id, owner_id: owner }) : null;
    return { t, phone, company, contact, deal };
  }

  it('the preset gives masters the linked read scope, and /api/me says so', async () => {
    assert.equal(scope('master', 'contact', 'read'), 'linked');
    assert.equal(scope('master', 'company', 'read'), 'linked');
    const me = await master.get('/api/me');
    assert.equal(me.json.user.scopes.contact.read, 'linked');
    assert.equal(me.json.user.scopes.company.read, 'linked');
    assert.equal(me.json.user.scopes.contact.edit, 'none');
  });

  it('linked × read / edit / delete / list / search / count / phone / timeline / duplicates / export', async () => {
    const mine = await client(master.user.id);
    const foreign = await client(master2.user.id);
    const orphan = await client(null);
    const problems = [];
    const check = (what, cond, detail) => { if (!cond) problems.push(`${what}: ${detail}`); };
    for (const [which, c, opens] of [['linked', mine, true], ['other master\'s', foreign, false], ['no order', orphan, false]]) {
      for (const [plural, entity, rec] of [['contacts', 'contact', c.contact], ['companies', 'company', c.company]]) {
        const g = await master.get(`/api/${plural}/${rec.id}`);
        check(`${which} ${entity} GET`, g.status === (opens ? 200 : 404), `${g.status} ${g.text.slice(0, 120)}`);
        if (opens) {
          check(`${which} ${entity} phones and address`, g.json.phones?.length === 1 && !!g.json.address, g.text.slice(0, 200));
        }
        const tl = await master.get(`/api/timeline?entity=${entity}&id=${rec.id}`);
        check(`${which} ${entity} timeline`, tl.status === (opens ? 200 : 404), `${tl.status}`);
        if (opens) check(`${which} ${entity} timeline has the create event`, tl.json.items.some((x) => x.kind === 'create'), tl.text.slice(0, 200));
        const p = await master.patch(`/api/${plural}/${rec.id}`, { city: 'Тверь', version: rec.version });
        check(`${which} ${entity} PATCH`, p.status === (opens ? 403 : 404), `${p.status} ${p.text.slice(0, 120)}`);
        const d = await master.del(`/api/${plural}/${rec.id}`);
        check(`${which} ${entity} DELETE`, d.status === (opens ? 403 : 404), `${d.status}`);
        // never listed, searched, counted or found by phone — linked or not
        const listed = (await all(master, `/api/${plural}?limit=200`)).some((x) => x.id === rec.id);
        check(`${which} ${entity} in list`, !listed, 'listed');
        for (const q of [c.t, rec.name, rec.phones[0], rec.phones[0].slice(-7)]) {
          const r = await master.get(`/api/${plural}?q=${enc(q)}&count=true`);
          check(`${which} ${entity} search ${q}`, r.status === 200 && r.json.items.length === 0 && r.json.total === 0, r.text.slice(0, 120));
        }
        const byPhone = await master.get(`/api/${plural}?phone=${enc(rec.phones[0])}`);
        check(`${which} ${entity} phone filter`, byPhone.status === 200 && byPhone.json.items.length === 0, byPhone.text.slice(0, 120));
        const dup = await master.get(`/api/duplicates?phone=${enc(rec.phones[0])}`);
        const hit = dup.json?.items?.find((x) => x.entity === entity && x.name === rec.name);
        check(`${which} ${entity} duplicates`, hit && hit.id === null && hit.visible === false, JSON.stringify(hit ?? dup.text.slice(0, 120)));
        const ex = await master.get(`/api/${plural}/export?format=csv`);
        check(`${which} ${entity} export`, ex.status === 403, `${ex.status}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('the order is the key: handed to another master, its client closes for the first and opens for the second', async () => {
    const c = await client(master.user.id);
    assert.equal((await master.get('/api/contacts/' + c.contact.id)).status, 200);
    assert.equal((await master2.get('/api/contacts/' + c.contact.id)).status, 404);
    await patchOk(s.admin, 'deals', c.deal.id, { owner_id: master2.user.id });
    assert.equal((await master.get('/api/contacts/' + c.contact.id)).status, 404, 'no longer the first master\'s order');
    assert.equal((await master.get('/api/companies/' + c.company.id)).status, 404);
    assert.equal((await master2.get('/api/contacts/' + c.contact.id)).status, 200, 'now the second master\'s');
    // a deleted order opens nothing
    assert.equal((await s.admin.del('/api/deals/' + c.deal.id)).status, 204);
    assert.equal((await master2.get('/api/contacts/' + c.contact.id)).status, 404);
  });

  it('an operator (read all) is unaffected; a master still lists only own orders', async () => {
    const c = await client(master.user.id);
    const op = await s.as(s.byRole.operator[0]);
    assert.equal((await op.get('/api/contacts/' + c.contact.id)).status, 200);
    assert.ok((await all(op, '/api/contacts?q=' + enc(c.t))).some((x) => x.id === c.contact.id));
    const deals = await all(master, '/api/deals');
    assert.ok(deals.length > 0 && deals.every((x) => x.owner_id === master.user.id));
  });

  it('"linked" is a read scope of contacts and companies only (PUT /api/roles)', async () => {
    for (const scopes of [{ contact: { edit: 'linked' } }, { deal: { read: 'linked' } }, { company: { export: 'linked' } }, { contact: { read: 'related' } }]) {
      const r = await s.admin.req('PUT', '/api/roles/linked_' + tag(), { name: 'Проба', capabilities: [], scopes });
      assert.equal(r.status, 400, `${JSON.stringify(scopes)}: ${r.text}`);
      assert.match(r.json.error.field, /^scopes\.(contact|company|deal)\.\w+$/);
    }
    const ok = await s.admin.req('PUT', '/api/roles/courier_' + tag().slice(0, 8), { name: 'Курьер', capabilities: [],
      scopes: { deal: { read: 'own' }, contact: { read: 'linked' }, company: { read: 'linked' } } });
    assert.equal(ok.status, 200, ok.text);
  });
});

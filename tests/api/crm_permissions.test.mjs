// The permission matrix of the dealers preset: admin / agent / lead_creator × own / foreign record
// × read / edit / delete / list / search / count / timeline / duplicates. A record outside a role's
// scope must be indistinguishable from a missing one everywhere, except on the duplicate screen,
// which names it without opening it (id null, visible false).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { crmServer, create, tag, uniqPhone, all, enc, presetDoc } from './crm_helpers.mjs';

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

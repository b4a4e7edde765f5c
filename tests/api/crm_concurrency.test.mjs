// Optimistic concurrency: every PATCH carries the version the user edited; a stale one is refused
// with 409 "stale" instead of silently overwriting a colleague's change.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError } from './helpers.mjs';
import { crmServer, create, get, patchOk, timeline, tag } from './crm_helpers.mjs';

describe('crm concurrency', () => {
  let s, admin;
  before(async () => {
    s = await crmServer('dealers');
    admin = s.admin;
  });
  after(async () => { await s?.stop(); });

  it('PATCH without a version is refused (400 missing, field version); a bad version is 400 invalid', async () => {
    const c = await create(admin, 'contacts', { name: 'Ver ' + tag() });
    assertError(await admin.patch('/api/contacts/' + c.id, { city: 'Москва' }), 400, 'missing', 'version');
    for (const v of ['1', 0, -1, 1.5, null, true]) {
      assertError(await admin.patch('/api/contacts/' + c.id, { city: 'Москва', version: v }), 400, 'invalid', 'version');
    }
    assert.equal((await get(admin, 'contacts', c.id)).city, null, 'nothing written');
  });

  it('a stale version is 409 "stale" naming the field; the newer change stands', async () => {
    const c = await create(admin, 'companies', { name: 'Stale ' + tag(), city: 'Пермь' });
    const agentView = c.version;
    const first = await admin.patch('/api/companies/' + c.id, { city: 'Уфа', version: agentView });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.json.version, agentView + 1);
    const second = await admin.patch('/api/companies/' + c.id, { city: 'Омск', version: agentView });
    assertError(second, 409, 'stale', 'version');
    // a version from the future is just as stale
    assertError(await admin.patch('/api/companies/' + c.id, { city: 'Омск', version: agentView + 5 }), 409, 'stale', 'version');
    const now = await get(admin, 'companies', c.id);
    assert.equal(now.city, 'Уфа');
    assert.equal(now.version, agentView + 1);
  });

  it('a change of phones only also bumps the version, so a concurrent edit conflicts', async () => {
    const c = await create(admin, 'contacts', { name: 'Phones ' + tag(), phones: ['+79161110000'] });
    const p = await admin.patch('/api/contacts/' + c.id, { phones: ['+79161110001'], version: c.version });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.version, c.version + 1);
    assertError(await admin.patch('/api/contacts/' + c.id, { emails: ['a@b.ru'], version: c.version }), 409, 'stale');
  });

  it('twenty concurrent PATCHes with the same version: exactly one 200, the rest 409 stale', async () => {
    const c = await create(admin, 'companies', { name: 'Race ' + tag(), city: 'Start' });
    const agents = s.byRole.agent;
    // the same user in several sessions and several users: all of them edited version 1
    const clients = [admin, ...(await Promise.all(agents.slice(0, 1).map((l) => s.as(l))))];
    await patchOk(admin, 'companies', c.id, { owner_id: s.ids[agents[0]] }); // visible to the agent too
    const v = (await get(admin, 'companies', c.id)).version;
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      clients[i % clients.length].patch('/api/companies/' + c.id, { city: 'City ' + i, version: v })));
    const ok = rs.filter((r) => r.status === 200);
    const stale = rs.filter((r) => r.status === 409);
    assert.equal(ok.length, 1, `exactly one winner, got ${rs.map((r) => r.status).join(',')}`);
    assert.equal(stale.length, 19);
    for (const r of stale) assert.equal(r.json?.error?.code, 'stale');
    const now = await get(admin, 'companies', c.id);
    assert.equal(now.version, v + 1);
    assert.equal(now.city, ok[0].json.city, 'the winner\'s value is stored');
    const cityEvents = (await timeline(admin, 'company', c.id)).filter((e) => e.field === 'city');
    assert.equal(cityEvents.length, 1, 'one change in the timeline');
  });

  it('an automatic stage move bumps the version: an editor holding the old version gets 409', async () => {
    const co = await create(admin, 'companies', { name: 'Auto ' + tag(), pipeline: 'dealers' });
    assert.equal(co.stage, 'lead');
    await create(admin, 'contacts', { name: 'Link ' + tag(), company_id: co.id });
    const now = await get(admin, 'companies', co.id);
    assert.equal(now.stage, 'firm');
    assert.ok(now.version > co.version, 'the move changed the version');
    assertError(await admin.patch('/api/companies/' + co.id, { city: 'X', version: co.version }), 409, 'stale');
  });

  it('contacts linked concurrently to one lead move it once, with one stage event', async () => {
    const co = await create(admin, 'companies', { name: 'Many ' + tag(), pipeline: 'dealers' });
    const rs = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      admin.post('/api/contacts', { name: `Person ${i} ${tag()}`, company_id: co.id })));
    assert.deepEqual(rs.map((r) => r.status), Array(8).fill(201), rs.map((r) => r.text).join('\n').slice(0, 500));
    const now = await get(admin, 'companies', co.id);
    assert.equal(now.stage, 'firm');
    const moves = (await timeline(admin, 'company', co.id)).filter((e) => e.kind === 'stage');
    assert.equal(moves.length, 1, JSON.stringify(moves));
  });

  it('PATCH and DELETE racing: the record ends deleted or changed, never half of each', async () => {
    const c = await create(admin, 'contacts', { name: 'RaceDel ' + tag() });
    const [p, d] = await Promise.all([
      admin.patch('/api/contacts/' + c.id, { city: 'Сочи', version: c.version }),
      admin.del('/api/contacts/' + c.id),
    ]);
    assert.equal(d.status, 204, d.text);
    assert.ok([200, 404, 409].includes(p.status), `PATCH: ${p.status} ${p.text}`);
    assertError(await admin.get('/api/contacts/' + c.id), 404);
  });
});

// Teams: the dealers' owner puts agents into teams with a lead, moves people between teams and
// removes a team. Membership is what the "team" record scope reads, so a team-scoped role sees a
// colleague's company exactly while they share a team. Every change is in the timeline and
// survives a restart; bad input is refused whole.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, assertHealthy, startServer, Client } from './helpers.mjs';
import { crmServer, create, timeline, tag, PASSWORD } from './crm_helpers.mjs';

describe('teams', () => {
  let s, admin, ids, agents;
  const team = async (body) => {
    const r = await admin.post('/api/teams', body);
    assert.equal(r.status, 201, `POST /api/teams ${JSON.stringify(body)}: ${r.status} ${r.text}`);
    return r.json;
  };
  const user = async (id) => (await admin.get('/api/users/' + id)).json;
  before(async () => {
    s = await crmServer('dealers');
    admin = s.admin;
    ids = s.ids;
    agents = s.byRole.agent.map((login) => ids[login]);
    assert.ok(agents.length >= 4, 'the dealers preset has at least four agents');
  });
  after(async () => { await s?.stop(); });

  it('a team is created with members and a lead; users show their team; the timeline has it all', async () => {
    const t = await team({ name: '  Север  ', members: [agents[0], agents[1], agents[0]], lead_id: agents[0] });
    assert.equal(t.name, 'Север', 'the name is trimmed');
    assert.equal(t.lead_id, agents[0]);
    assert.equal(typeof t.lead_name, 'string');
    assert.deepEqual(t.members.map((m) => m.id).sort((a, b) => a - b), [agents[0], agents[1]].sort((a, b) => a - b), 'repeats collapse');
    assert.ok(t.members.every((m) => m.login && m.name && m.active === true));
    const list = (await admin.get('/api/teams')).json;
    assert.deepEqual(list.items.map((x) => x.id), [t.id]);
    assert.equal(list.next, null);
    assert.deepEqual(await (await admin.get('/api/teams/' + t.id)).json, t);
    const u = await user(agents[1]);
    assert.equal(u.team_id, t.id);
    assert.equal(u.team_name, 'Север');
    assert.equal((await user(agents[2])).team_id, null);

    const ev = await timeline(admin, 'team', t.id);
    const byField = Object.fromEntries(ev.filter((e) => e.kind === 'update').map((e) => [e.field, e]));
    assert.ok(ev.some((e) => e.kind === 'create' && e.new === 'Север'));
    assert.deepEqual(byField.members.old, []);
    assert.deepEqual(byField.members.new, [agents[0], agents[1]].sort((a, b) => a - b));
    assert.equal(byField.lead_id.old, null);
    assert.equal(byField.lead_id.new, agents[0]);
    const uev = await timeline(admin, 'user', agents[1]);
    assert.ok(uev.some((e) => e.field === 'team_id' && e.old === null && e.new === t.id), JSON.stringify(uev[0]));
  });

  it('moving a member into another team takes them out of the first (and a lead stops leading it)', async () => {
    const north = (await admin.get('/api/teams')).json.items.find((x) => x.name === 'Север');
    const south = await team({ name: 'Юг', members: [agents[2]] });
    const r = await admin.patch('/api/teams/' + south.id, { members: [agents[2], agents[0]], lead_id: agents[0] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.members.map((m) => m.id).sort(), [agents[0], agents[2]].sort());
    const n2 = (await admin.get('/api/teams/' + north.id)).json;
    assert.deepEqual(n2.members.map((m) => m.id), [agents[1]]);
    assert.equal(n2.lead_id, null, 'the lead left Север, so Север has no lead');
    const nev = await timeline(admin, 'team', north.id);
    assert.ok(nev.some((e) => e.field === 'lead_id' && e.old === agents[0] && e.new === null));
    const uev = await timeline(admin, 'user', agents[0]);
    assert.ok(uev.some((e) => e.field === 'team_id' && e.old === north.id && e.new === south.id));

    // taking the lead out of the members leaves the team without a lead
    const r2 = await admin.patch('/api/teams/' + south.id, { members: [agents[2]] });
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json.lead_id, null);
    assert.equal((await user(agents[0])).team_id, null);
    // rename only: members stay
    const r3 = await admin.patch('/api/teams/' + south.id, { name: 'Юг-2' });
    assert.equal(r3.json.name, 'Юг-2');
    assert.deepEqual(r3.json.members.map((m) => m.id), [agents[2]]);
    // a PATCH that changes nothing writes nothing
    const before = (await timeline(admin, 'team', south.id)).length;
    assert.equal((await admin.patch('/api/teams/' + south.id, { name: 'Юг-2', members: [agents[2]] })).status, 200);
    assert.equal((await timeline(admin, 'team', south.id)).length, before);
  });

  it('the team scope follows membership: 404 before joining the owner\'s team, 200 after, 404 again after leaving', async () => {
    const role = await admin.req('PUT', '/api/roles/team_manager', { name: 'Руководитель группы', capabilities: [],
      scopes: { company: { read: 'team', create: 'own', edit: 'team' } } });
    assert.equal(role.status, 200, role.text);
    const lead = await admin.post('/api/users', { login: 'tm-' + tag(), name: 'Руководитель', password: PASSWORD, role: 'team_manager' });
    assert.equal(lead.status, 201, lead.text);
    const owner = await s.as(s.byRole.agent[3]);
    const co = await create(owner, 'companies', { name: `Командная ${tag()}`, pipeline: 'dealers' });
    const c = new Client(s.srv.url);
    assert.equal((await c.login(lead.json.login, PASSWORD)).status, 200);

    assertError(await c.get('/api/companies/' + co.id), 404, 'not_found');
    const q = '/api/companies?count=true&q=' + encodeURIComponent(co.name);
    assert.equal((await c.get(q)).json.total, 0);

    const t = await team({ name: 'Проектная', members: [lead.json.id, ids[s.byRole.agent[3]]], lead_id: lead.json.id });
    const seen = await c.get('/api/companies/' + co.id);
    assert.equal(seen.status, 200, seen.text);
    assert.equal((await c.get(q)).json.total, 1);
    assert.equal((await c.patch('/api/companies/' + co.id, { version: seen.json.version, city: 'Казань' })).status, 200, 'team edit scope too');

    assert.equal((await admin.patch('/api/teams/' + t.id, { members: [lead.json.id] })).status, 200);
    assertError(await c.get('/api/companies/' + co.id), 404, 'not_found');
    assert.equal((await c.get(q)).json.total, 0);
  });

  it('who may read and change teams', async () => {
    const agent = await s.as(s.byRole.agent[0]);          // users.read, not users.manage
    assert.equal((await agent.get('/api/teams')).status, 200);
    assertError(await agent.post('/api/teams', { name: 'Захват' }), 403, 'forbidden');
    const some = (await admin.get('/api/teams')).json.items[0];
    assertError(await agent.patch('/api/teams/' + some.id, { name: 'X' }), 403, 'forbidden');
    assertError(await agent.del('/api/teams/' + some.id), 403, 'forbidden');
    const lc = await s.as(s.byRole.lead_creator[0]);     // no users.read
    assertError(await lc.get('/api/teams'), 403, 'forbidden');
    const anon = await fetch(s.srv.url + '/api/teams');
    assert.equal(anon.status, 401);
  });

  it('bad input is refused whole with the field named; the server keeps serving', async () => {
    const t = await team({ name: 'Неизменная', members: [agents[3]] });
    const snapshot = async () => [(await admin.get('/api/teams')).json, await user(agents[1]), await user(agents[3])];
    const before = await snapshot();
    const create = [
      ['malformed JSON', '{"name":', 400, 'bad_json'],
      ['not an object', '"Север"', 400, 'bad_json'],
      ['name missing', { members: [] }, 400, 'missing', 'name'],
      ['name blank', { name: '   ' }, 400, 'invalid', 'name'],
      ['name too long', { name: 'ж'.repeat(201) }, 400, 'invalid', 'name'],
      ['name a number', { name: 42 }, 400, 'invalid', 'name'],
      ['unknown key', { name: 'A', leader: 1 }, 400, 'invalid', 'leader'],
      ['members not a list', { name: 'A', members: agents[1] }, 400, 'invalid', 'members'],
      ['a member that is text', { name: 'A', members: [String(agents[1])] }, 400, 'invalid', 'members'],
      ['a member id of 0', { name: 'A', members: [0] }, 400, 'invalid', 'members'],
      ['1001 members', { name: 'A', members: Array.from({ length: 1001 }, (_, i) => i + 1) }, 400, 'invalid', 'members'],
      ['a member who does not exist', { name: 'A', members: [agents[1], 999999] }, 400, 'invalid', 'members'],
      ['lead_id text', { name: 'A', lead_id: 'boss' }, 400, 'invalid', 'lead_id'],
      ['lead who does not exist', { name: 'A', lead_id: 999999 }, 400, 'invalid', 'lead_id'],
      ['lead who is not a member', { name: 'A', members: [agents[1]], lead_id: agents[2] }, 422, 'invalid', 'lead_id'],
      ['a name taken', { name: 'Неизменная', members: [agents[1]] }, 409, 'conflict', 'name'],
    ];
    for (const [what, body, status, code, field] of create) {
      const r = await admin.post('/api/teams', body);
      assertError(r, status, code, field);
      assert.ok(r.json.error.message.length > 5, what);
    }
    const patches = [
      ['malformed JSON', '{', 400, 'bad_json'],
      ['a member who does not exist', { members: [agents[1], 999999] }, 400, 'invalid', 'members'],
      ['lead who is not a member', { lead_id: agents[1] }, 422, 'invalid', 'lead_id'],
      ['a name taken', { name: 'Юг-2', members: [agents[1]] }, 409, 'conflict', 'name'],
      ['name null', { name: null }, 400, 'invalid', 'name'],
    ];
    for (const [what, body, status, code, field] of patches) {
      const r = await admin.patch('/api/teams/' + t.id, body);
      assertError(r, status, code, field);
      assert.ok(r.json.error.message.length > 5, what);
    }
    for (const bad of ['999999', 'abc', '0', '-1', '1.5']) {
      assertError(await admin.patch('/api/teams/' + bad, { name: 'X' }), 404, 'not_found');
      assertError(await admin.del('/api/teams/' + bad), 404, 'not_found');
      assertError(await admin.get('/api/teams/' + bad), 404, 'not_found');
    }
    assertError(await admin.req('PUT', '/api/teams/' + t.id, { name: 'X' }), 405, 'method_not_allowed');
    assert.deepEqual(await snapshot(), before, 'nothing was written');
    await assertHealthy(s.srv, 'bad team input');
  });

  it('deleting a team leaves its members without a team; its history ends with the delete', async () => {
    const t = await team({ name: 'Временная', members: [agents[1]], lead_id: agents[1] });
    assert.equal((await admin.del('/api/teams/' + t.id)).status, 204);
    assertError(await admin.get('/api/teams/' + t.id), 404, 'not_found');
    assert.equal((await user(agents[1])).team_id, null);
    const ev = await timeline(admin, 'team', t.id);
    assert.equal(ev[0].kind, 'delete');
    assert.equal(ev[0].old, 'Временная');
    assert.ok((await timeline(admin, 'user', agents[1])).some((e) => e.field === 'team_id' && e.old === t.id && e.new === null));
    assertError(await admin.del('/api/teams/' + t.id), 404, 'not_found');
  });
});

describe('teams are durable', () => {
  it('an acknowledged team and its members survive a restart', async () => {
    const first = await startServer({ preset: 'dealers', keep: true });
    let second;
    try {
      const c = new Client(first.url);
      await c.login('admin', PASSWORD);
      const users = (await c.get('/api/users?limit=200')).json.items;
      const agent = users.find((u) => u.role === 'agent');
      const r = await c.post('/api/teams', { name: 'Надёжная', members: [agent.id], lead_id: agent.id });
      assert.equal(r.status, 201, r.text);
      await first.stop({ remove: false });
      second = await startServer({ dir: first.dir });
      const c2 = new Client(second.url);
      await c2.login('admin', PASSWORD);
      const t = (await c2.get('/api/teams/' + r.json.id)).json;
      assert.equal(t.name, 'Надёжная');
      assert.equal(t.lead_id, agent.id);
      assert.deepEqual(t.members.map((m) => m.id), [agent.id]);
    } finally {
      await second?.stop({ remove: true });
      await first.stop({ remove: true });
    }
  });
});

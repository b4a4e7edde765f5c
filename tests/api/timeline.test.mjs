// GET /api/timeline: who changed what, old → new, newest first, paginated, permission-checked.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, loginAs, createUser, assertError, listAll,
} from './helpers.mjs';

describe('timeline', () => {
  let srv, admin, adminId;
  before(async () => {
    srv = await startServer();
    admin = await adminClient(srv);
    adminId = (await admin.get('/api/me')).json.user.id;
  });
  after(async () => { await srv?.stop(); });

  const events = async (c, entity, id) => {
    const r = await c.get(`/api/timeline?entity=${entity}&id=${id}&limit=200`);
    assert.equal(r.status, 200, r.text);
    return r.json.items;
  };

  it('user creation and each changed field are recorded with actor and old → new', async () => {
    const u = await createUser(admin, { name: 'Ivan', role: 'manager' });
    const t0 = Date.now();
    const r = await admin.patch('/api/users/' + u.id, { name: 'Ivan P.', role: 'admin', active: false });
    assert.equal(r.status, 200, r.text);
    const ev = await events(admin, 'user', u.id);
    const create = ev.find((e) => e.kind === 'create');
    assert.ok(create, 'create event');
    assert.equal(create.actor.id, adminId);
    const upd = ev.filter((e) => e.kind === 'update');
    const byField = Object.fromEntries(upd.map((e) => [e.field, e]));
    assert.deepEqual(Object.keys(byField).sort(), ['active', 'name', 'role']);
    assert.deepEqual([byField.name.old, byField.name.new], ['Ivan', 'Ivan P.']);
    assert.deepEqual([byField.role.old, byField.role.new], ['manager', 'admin']);
    assert.deepEqual([byField.active.old, byField.active.new], [true, false]);
    for (const e of ev) {
      assert.equal(typeof e.id, 'number');
      assert.equal(e.entity, 'user');
      assert.equal(e.entity_id, u.id);
      assert.deepEqual(e.actor, { id: adminId, name: 'Administrator' });
      assert.equal(typeof e.at, 'number');
    }
    for (const e of upd) assert.ok(Math.abs(e.at - t0) < 60000, 'at is UTC ms, now');
    assert.equal(ev[ev.length - 1].kind, 'create', 'oldest last');
  });

  it('changes made from the command line have a null actor', async () => {
    const ev = await events(admin, 'user', adminId);
    const create = ev[ev.length - 1];
    assert.equal(create.kind, 'create', 'the admin was created by `voronka user add`');
    assert.equal(create.actor, null);
    const login = ev.find((e) => e.kind === 'login');
    assert.deepEqual(login.actor, { id: adminId, name: 'Administrator' });
  });

  it('fields that did not change produce no event', async () => {
    const u = await createUser(admin, { name: 'Same' });
    const n = (await events(admin, 'user', u.id)).length;
    assert.equal((await admin.patch('/api/users/' + u.id, { name: 'Same', role: 'manager', active: true })).status, 200);
    assert.equal((await events(admin, 'user', u.id)).length, n);
  });

  it('a password reset is recorded as kind "password" without the password', async () => {
    const u = await createUser(admin, { password: 'first-secret-111' });
    assert.equal((await admin.patch('/api/users/' + u.id, { password: 'second-secret-222' })).status, 200);
    const r = await admin.get(`/api/timeline?entity=user&id=${u.id}`);
    assert.ok(r.json.items.some((e) => e.kind === 'password'), 'password event');
    assert.ok(!r.text.includes('first-secret-111') && !r.text.includes('second-secret-222'), 'password leaked into the timeline');
    assert.ok(!/argon2/i.test(r.text), 'hash leaked into the timeline');
  });

  it('own password change, login and logout are recorded with the user as actor', async () => {
    const u = await createUser(admin, { name: 'Self Actor' });
    const c = await loginAs(srv, u.login, u.password);
    assert.equal((await c.post('/api/me/password', { current_password: u.password, new_password: 'changed-pass-1' })).status, 204);
    assert.equal((await c.post('/api/logout')).status, 204);
    const ev = await events(admin, 'user', u.id);
    const kinds = ev.map((e) => e.kind);
    assert.deepEqual(kinds.slice(0, 3), ['logout', 'password', 'login'], `newest first, got ${kinds}`);
    for (const e of ev.slice(0, 3)) assert.deepEqual(e.actor, { id: u.id, name: 'Self Actor' });
  });

  it('pagination: limit + cursor walk all events newest first, no gaps, no repeats', async () => {
    const u = await createUser(admin, { name: 'n0' });
    for (let i = 1; i <= 12; i++) {
      assert.equal((await admin.patch('/api/users/' + u.id, { name: 'n' + i })).status, 200);
    }
    const all = await events(admin, 'user', u.id);
    assert.equal(all.length, 13, 'create + 12 updates');
    const { items, pages } = await listAll(admin, `/api/timeline?entity=user&id=${u.id}`, 5);
    assert.deepEqual(pages.map((p) => p.items.length), [5, 5, 3]);
    assert.deepEqual(items.map((e) => e.id), all.map((e) => e.id));
    for (let i = 1; i < items.length; i++) {
      assert.ok(items[i - 1].at >= items[i].at, 'newest first');
      assert.ok(items[i - 1].id !== items[i].id);
    }
    assert.deepEqual(items.filter((e) => e.kind === 'update').map((e) => e.new),
      ['n12', 'n11', 'n10', 'n9', 'n8', 'n7', 'n6', 'n5', 'n4', 'n3', 'n2', 'n1']);
  });

  it('without limit a page holds 50 events (the default)', async () => {
    const u = await createUser(admin, { name: 'd0' });
    for (let i = 1; i <= 51; i++) await admin.patch('/api/users/' + u.id, { name: 'd' + i });
    const r = await admin.get(`/api/timeline?entity=user&id=${u.id}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.items.length, 50);
    assert.equal(typeof r.json.next, 'string');
    assert.equal(r.json.items[0].new, 'd51');
    const rest = await admin.get(`/api/timeline?entity=user&id=${u.id}&cursor=${encodeURIComponent(r.json.next)}`);
    assert.deepEqual(rest.json.items.map((e) => e.kind), ['update', 'create']);
    assert.equal(rest.json.next, null);
  });

  it('new events arriving during pagination do not shift pages', async () => {
    const u = await createUser(admin, { name: 'p0' });
    for (let i = 1; i <= 6; i++) await admin.patch('/api/users/' + u.id, { name: 'p' + i });
    const first = await admin.get(`/api/timeline?entity=user&id=${u.id}&limit=3`);
    await admin.patch('/api/users/' + u.id, { name: 'p-late' });
    const second = await admin.get(`/api/timeline?entity=user&id=${u.id}&limit=3&cursor=${encodeURIComponent(first.json.next)}`);
    assert.equal(second.status, 200);
    assert.deepEqual(second.json.items.map((e) => e.new), ['p3', 'p2', 'p1']);
  });

  it('events of one user do not appear in another user\'s timeline', async () => {
    const a = await createUser(admin);
    const b = await createUser(admin);
    await admin.patch('/api/users/' + a.id, { name: 'only-a' });
    const evb = await events(admin, 'user', b.id);
    assert.ok(evb.every((e) => e.entity_id === b.id));
    assert.ok(!evb.some((e) => e.new === 'only-a'));
  });

  it('a user without timeline.read sees their own record but not others (403)', async () => {
    const u = await createUser(admin, { role: 'manager' });
    const c = await loginAs(srv, u.login, u.password);
    const own = await c.get(`/api/timeline?entity=user&id=${u.id}`);
    assert.equal(own.status, 200, own.text);
    assert.ok(own.json.items.some((e) => e.kind === 'create'));
    assertError(await c.get(`/api/timeline?entity=user&id=${adminId}`), 403, 'forbidden');
    assertError(await c.get('/api/timeline?entity=settings&id=0'), 403, 'forbidden');
  });

  it('role timelines are readable by entity', async () => {
    const roles = (await admin.get('/api/roles')).json.items;
    for (const role of roles) {
      const ev = await events(admin, 'role', role.id);
      assert.ok(ev.every((e) => e.entity === 'role' && e.entity_id === role.id), JSON.stringify(ev).slice(0, 300));
    }
  });

  it('bad queries are 400 with the field named', async () => {
    assertError(await admin.get('/api/timeline?entity=spaceship&id=1'), 400, 'invalid', 'entity');
    assertError(await admin.get('/api/timeline?id=1'), 400, 'missing', 'entity');
    assertError(await admin.get('/api/timeline?entity=user'), 400, 'missing', 'id');
    assertError(await admin.get('/api/timeline?entity=user&id=abc'), 400, 'invalid', 'id');
    assertError(await admin.get(`/api/timeline?entity=user&id=${adminId}&limit=0`), 400, 'invalid', 'limit');
    assertError(await admin.get(`/api/timeline?entity=user&id=${adminId}&limit=201`), 400, 'invalid', 'limit');
    assertError(await admin.get(`/api/timeline?entity=user&id=${adminId}&cursor=!!garbage!!`), 400, 'invalid', 'cursor');
  });
});

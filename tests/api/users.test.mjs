// /api/users and /api/roles: CRUD, validation, uniqueness, capability checks, self-protection.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, Client, ADMIN, uniq, adminClient, loginAs, bearerClient,
  createUser, createToken, assertError, listAll,
} from './helpers.mjs';

function assertUserShape(u) {
  for (const k of ['id', 'created_at', 'updated_at']) assert.equal(typeof u[k], 'number', `${k} is a number`);
  for (const k of ['login', 'name', 'role', 'role_name']) assert.equal(typeof u[k], 'string', `${k} is a string`);
  assert.equal(typeof u.active, 'boolean');
  assert.ok(!('password' in u) && !('password_hash' in u) && !('hash' in u), 'no password material');
  assert.ok(!/argon2|\$[0-9a-z]+\$/i.test(JSON.stringify(u)), 'no hash in the answer');
}

describe('users', () => {
  let srv, admin, adminId;
  before(async () => {
    srv = await startServer();
    admin = await adminClient(srv);
    adminId = (await admin.get('/api/me')).json.user.id;
  });
  after(async () => { await srv?.stop(); });

  it('POST creates a user (201) that can be read back, listed and can log in', async () => {
    const login = uniq('ivan');
    const t0 = Date.now();
    const r = await admin.post('/api/users', { login, name: 'Ivan Petrov', password: 'password-123', role: 'manager' });
    assert.equal(r.status, 201, r.text);
    const u = r.json;
    assertUserShape(u);
    assert.equal(u.login, login);
    assert.equal(u.name, 'Ivan Petrov');
    assert.equal(u.role, 'manager');
    assert.equal(u.active, true);
    assert.ok(Math.abs(u.created_at - t0) < 60000, 'created_at is UTC milliseconds, now');
    const g = await admin.get('/api/users/' + u.id);
    assert.equal(g.status, 200);
    assert.deepEqual(g.json, u);
    const l = await admin.get('/api/users?limit=200');
    assert.ok(l.json.items.some((x) => x.id === u.id));
    const c = await loginAs(srv, login, 'password-123');
    const me = (await c.get('/api/me')).json.user;
    assert.equal(me.id, u.id);
    assert.equal(me.role, 'manager');
  });

  it('a non-ASCII name round-trips unchanged', async () => {
    const u = await createUser(admin, { name: 'Иван Петров — «Ёлка» 🌲' });
    assert.equal((await admin.get('/api/users/' + u.id)).json.name, 'Иван Петров — «Ёлка» 🌲');
  });

  it('duplicate login is 409 conflict on field login', async () => {
    const u = await createUser(admin);
    const r = await admin.post('/api/users', { login: u.login, name: 'Other', password: 'password-123', role: 'manager' });
    assertError(r, 409, 'conflict', 'login');
    assertError(await admin.post('/api/users', { login: ADMIN.login, name: 'X', password: 'password-123', role: 'manager' }),
      409, 'conflict', 'login');
    const all = await listAll(admin, '/api/users?q=' + encodeURIComponent(u.login));
    assert.equal(all.items.filter((x) => x.login === u.login).length, 1);
  });

  it('login must be 2..64 chars of [a-z0-9._-]', async () => {
    for (const login of ['a', 'x'.repeat(65), 'iv an', 'иван', 'a/b', 'a@b', 'ivan\n', '']) {
      const r = await admin.post('/api/users', { login, name: 'X', password: 'password-123', role: 'manager' });
      assertError(r, 400, 'invalid', 'login');
    }
    for (const login of ['ab', 'x'.repeat(64), 'a.b_c-9']) {
      const r = await admin.post('/api/users', { login, name: 'X', password: 'password-123', role: 'manager' });
      assert.equal(r.status, 201, `${login}: ${r.text}`);
      assert.equal(r.json.login, login);
    }
  });

  it('concurrent creates of the same login: exactly one 201, the rest 409', async () => {
    const login = uniq('race');
    const rs = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      admin.post('/api/users', { login, name: 'Racer ' + i, password: 'password-123', role: 'manager' })));
    const statuses = rs.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409], rs.map((r) => r.text.slice(0, 100)).join('\n'));
    for (const r of rs.filter((x) => x.status === 409)) assertError(r, 409, 'conflict', 'login');
    assert.equal((await admin.get('/api/users?q=' + login)).json.items.length, 1);
  });

  it('password must be 8..256 characters', async () => {
    assertError(await admin.post('/api/users', { login: uniq('pw'), name: 'X', password: '1234567', role: 'manager' }),
      400, 'invalid', 'password');
    assertError(await admin.post('/api/users', { login: uniq('pw'), name: 'X', password: 'p'.repeat(257), role: 'manager' }),
      400, 'invalid', 'password');
    const u = await createUser(admin);
    assertError(await admin.patch('/api/users/' + u.id, { password: '1234567' }), 400, 'invalid', 'password');
    assertError(await admin.patch('/api/users/' + u.id, { password: 'p'.repeat(257) }), 400, 'invalid', 'password');
  });

  it('missing login or password is 400 missing with the field named', async () => {
    assertError(await admin.post('/api/users', { name: 'X', password: 'password-123', role: 'manager' }), 400, 'missing', 'login');
    assertError(await admin.post('/api/users', { login: uniq('np'), name: 'X', role: 'manager' }), 400, 'missing', 'password');
  });

  it('unknown role is 400 invalid on field role', async () => {
    const login = uniq('role');
    assertError(await admin.post('/api/users', { login, name: 'X', password: 'password-123', role: 'overlord' }),
      400, 'invalid', 'role');
    assert.equal((await admin.get('/api/users?q=' + login)).json.items.length, 0);
  });

  it('GET /api/users/ID of a missing user is 404 not_found', async () => {
    assertError(await admin.get('/api/users/999999'), 404, 'not_found');
    assertError(await admin.patch('/api/users/999999', { name: 'x' }), 404, 'not_found');
  });

  it('PATCH changes name, role, active; updated_at moves; GET agrees', async () => {
    const u = await createUser(admin, { name: 'Ivan' });
    await new Promise((r) => setTimeout(r, 5));
    const r = await admin.patch('/api/users/' + u.id, { name: 'Ivan P.', role: 'admin' });
    assert.equal(r.status, 200, r.text);
    assertUserShape(r.json);
    assert.equal(r.json.name, 'Ivan P.');
    assert.equal(r.json.role, 'admin');
    assert.equal(r.json.login, u.login, 'login unchanged');
    assert.equal(r.json.created_at, u.created_at);
    assert.ok(r.json.updated_at >= u.updated_at);
    assert.deepEqual((await admin.get('/api/users/' + u.id)).json, r.json);
    // The new role takes effect for the user's next request.
    const c = await loginAs(srv, u.login, u.password);
    assert.equal((await c.get('/api/users')).status, 200, 'now an admin');
  });

  it('PATCH with wrong types is 400 invalid on that field and changes nothing', async () => {
    const u = await createUser(admin, { name: 'Stable' });
    assertError(await admin.patch('/api/users/' + u.id, { name: 5 }), 400, 'invalid', 'name');
    assertError(await admin.patch('/api/users/' + u.id, { active: 'yes' }), 400, 'invalid', 'active');
    assertError(await admin.patch('/api/users/' + u.id, { role: 'nope' }), 400, 'invalid', 'role');
    assertError(await admin.patch('/api/users/' + u.id, { role: 7 }), 400, 'invalid', 'role');
    assertError(await admin.patch('/api/users/' + u.id, { name: 'Changed', active: 'no' }), 400, 'invalid', 'active');
    const g = (await admin.get('/api/users/' + u.id)).json;
    assert.equal(g.name, 'Stable');
    assert.equal(g.active, true);
    assert.equal(g.role, 'manager');
  });

  it('an admin cannot deactivate or demote themselves (422 invalid)', async () => {
    const r1 = await admin.patch('/api/users/' + adminId, { active: false });
    assertError(r1, 422, 'invalid', 'active');
    const r2 = await admin.patch('/api/users/' + adminId, { role: 'manager' });
    assertError(r2, 422, 'invalid', 'role');
    const r3 = await admin.patch('/api/users/' + adminId, { name: 'Renamed Admin', active: false });
    assertError(r3, 422, 'invalid', 'active');
    const me = (await admin.get('/api/me'));
    assert.equal(me.status, 200, 'still signed in');
    assert.equal(me.json.user.active, true);
    assert.equal(me.json.user.role, 'admin');
    assert.equal(me.json.user.name, 'Administrator', 'a refused PATCH writes no part of itself');
  });

  it('q filters by login or name substring; active filters by state', async () => {
    const tag = uniq('zq').replace(/[^a-z0-9]/g, '');
    const [a, b] = await Promise.all([
      createUser(admin, { login: `${tag}-one`, name: 'Alpha' }),
      createUser(admin, { name: `Beta ${tag}` }),
      createUser(admin, { name: 'Gamma' }),
    ]);
    const r = await admin.get('/api/users?q=' + tag);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.items.map((x) => x.id).sort(), [a.id, b.id].sort());
    assert.equal((await admin.patch('/api/users/' + b.id, { active: false })).status, 200);
    const inactive = await listAll(admin, '/api/users?active=false');
    assert.ok(inactive.items.some((x) => x.id === b.id));
    assert.ok(inactive.items.every((x) => x.active === false));
    const active = await listAll(admin, '/api/users?active=true');
    assert.ok(active.items.some((x) => x.id === a.id));
    assert.ok(active.items.every((x) => x.active === true));
    assert.ok(!active.items.some((x) => x.id === b.id));
  });

  it('pagination with limit and cursor visits every user exactly once', async () => {
    await Promise.all(Array.from({ length: 7 }, () => createUser(admin)));
    const full = (await admin.get('/api/users?limit=200')).json;
    assert.equal(full.next, null);
    const { items, pages } = await listAll(admin, '/api/users', 3);
    assert.ok(pages.length >= 3);
    for (const p of pages.slice(0, -1)) assert.equal(p.items.length, 3);
    assert.deepEqual(items.map((x) => x.id), full.items.map((x) => x.id));
    assert.equal(new Set(items.map((x) => x.id)).size, items.length, 'no duplicates');
  });
});

describe('roles', () => {
  let srv, admin;
  before(async () => { srv = await startServer(); admin = await adminClient(srv); });
  after(async () => { await srv?.stop(); });

  it('lists the built-in roles with their capabilities', async () => {
    const r = await admin.get('/api/roles');
    assert.equal(r.status, 200);
    assert.equal(r.json.next, null);
    const byKey = Object.fromEntries(r.json.items.map((x) => [x.key, x]));
    for (const k of ['admin', 'manager', 'integration']) {
      assert.ok(byKey[k], `role ${k} present`);
      assert.equal(typeof byKey[k].id, 'number');
      assert.equal(typeof byKey[k].name, 'string');
      assert.ok(Array.isArray(byKey[k].capabilities));
    }
    assert.deepEqual(byKey.admin.capabilities, ['*']);
    assert.deepEqual(byKey.integration.capabilities, []);
    for (const cap of ['users.read', 'users.manage', 'roles.read', 'settings.manage', 'tokens.manage', 'timeline.read', '*']) {
      assert.ok(!byKey.manager.capabilities.includes(cap), `manager must not have ${cap}`);
    }
  });

  it('a user\'s role_name is the role\'s name', async () => {
    const roles = (await admin.get('/api/roles')).json.items;
    const u = await createUser(admin, { role: 'manager' });
    assert.equal(u.role_name, roles.find((x) => x.key === 'manager').name);
  });
});

describe('capabilities', () => {
  let srv, admin, mgr, mgrUser, other;
  before(async () => {
    srv = await startServer();
    admin = await adminClient(srv);
    mgrUser = await createUser(admin, { role: 'manager' });
    other = await createUser(admin, { role: 'manager', name: 'Other' });
    mgr = await loginAs(srv, mgrUser.login, mgrUser.password);
  });
  after(async () => { await srv?.stop(); });

  it('a manager sees /api/me with no management capabilities', async () => {
    const r = await mgr.get('/api/me');
    assert.equal(r.status, 200);
    assert.equal(r.json.user.id, mgrUser.id);
    for (const cap of ['*', 'users.read', 'users.manage', 'tokens.manage', 'settings.manage']) {
      assert.ok(!r.json.user.capabilities.includes(cap), `manager has ${cap}`);
    }
  });

  it('a manager gets 403 forbidden for user, role and token management', async () => {
    assertError(await mgr.get('/api/users'), 403, 'forbidden');
    assertError(await mgr.get('/api/users/' + other.id), 403, 'forbidden');
    assertError(await mgr.get('/api/roles'), 403, 'forbidden');
    assertError(await mgr.get('/api/tokens'), 403, 'forbidden');
    assertError(await mgr.post('/api/tokens', { name: 'mine', role: 'admin' }), 403, 'forbidden');
  });

  it('a manager cannot create users or promote anyone, including themselves', async () => {
    const login = uniq('sneak');
    assertError(await mgr.post('/api/users', { login, name: 'X', password: 'password-123', role: 'admin' }), 403, 'forbidden');
    assertError(await mgr.patch('/api/users/' + mgrUser.id, { role: 'admin' }), 403, 'forbidden');
    assertError(await mgr.patch('/api/users/' + other.id, { active: false }), 403, 'forbidden');
    assert.equal((await admin.get('/api/users?q=' + login)).json.items.length, 0);
    assert.equal((await admin.get('/api/users/' + mgrUser.id)).json.role, 'manager');
    assert.equal((await admin.get('/api/users/' + other.id)).json.active, true);
  });

  it('a manager may read settings and change their own password', async () => {
    assert.equal((await mgr.get('/api/settings')).status, 200);
    assertError(await mgr.patch('/api/settings', { company_name: 'Hijacked' }), 403, 'forbidden');
    assert.notEqual((await admin.get('/api/settings')).json.company_name, 'Hijacked');
    const r = await mgr.post('/api/me/password', { current_password: mgrUser.password, new_password: 'manager-new-1' });
    assert.equal(r.status, 204, r.text);
    mgrUser.password = 'manager-new-1';
  });

  it('an integration token gets 403 for everything beyond /api/me and /api/settings', async () => {
    const t = await createToken(admin, 'integration');
    const b = bearerClient(srv.url, t.secret);
    assert.equal((await b.get('/api/me')).status, 200);
    assert.equal((await b.get('/api/settings')).status, 200);
    assertError(await b.get('/api/users'), 403, 'forbidden');
    assertError(await b.post('/api/users', { login: uniq('tok'), name: 'X', password: 'password-123', role: 'admin' }), 403, 'forbidden');
    assertError(await b.patch('/api/settings', { company_name: 'Token' }), 403, 'forbidden');
  });

  it('without credentials every protected endpoint is 401 unauthorized', async () => {
    const anon = new Client(srv.url);
    assertError(await anon.get('/api/users'), 401, 'unauthorized');
    assertError(await anon.get('/api/users/1'), 401, 'unauthorized');
    assertError(await anon.post('/api/users', { login: uniq('anon'), name: 'X', password: 'password-123', role: 'admin' }), 401, 'unauthorized');
    assertError(await anon.patch('/api/users/1', { name: 'x' }), 401, 'unauthorized');
    assertError(await anon.get('/api/roles'), 401, 'unauthorized');
    assertError(await anon.get('/api/tokens'), 401, 'unauthorized');
    assertError(await anon.post('/api/tokens', { name: 'x', role: 'admin' }), 401, 'unauthorized');
    assertError(await anon.del('/api/tokens/1'), 401, 'unauthorized');
    assertError(await anon.get('/api/settings'), 401, 'unauthorized');
    assertError(await anon.patch('/api/settings', { company_name: 'x' }), 401, 'unauthorized');
    assertError(await anon.get('/api/timeline?entity=user&id=1'), 401, 'unauthorized');
    assertError(await anon.post('/api/me/password', { current_password: 'a', new_password: 'bbbbbbbbbb' }), 401, 'unauthorized');
    assertError(await anon.post('/api/logout'), 401, 'unauthorized');
  });
});

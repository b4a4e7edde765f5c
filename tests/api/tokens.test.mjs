// /api/tokens: API tokens for integrations; the secret is shown once, works as a Bearer with the
// token's role, and stops working the moment it is revoked.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, Client, uniq, adminClient, bearerClient, createToken, assertError, sleep,
} from './helpers.mjs';

describe('tokens', () => {
  let srv, admin;
  before(async () => { srv = await startServer(); admin = await adminClient(srv); });
  after(async () => { await srv?.stop(); });

  it('POST answers 201 {token, secret:"vk_…"}', async () => {
    const t0 = Date.now();
    const r = await admin.post('/api/tokens', { name: 'site form', role: 'integration' });
    assert.equal(r.status, 201, r.text);
    const { token, secret } = r.json;
    assert.equal(typeof token.id, 'number');
    assert.equal(token.name, 'site form');
    assert.equal(token.role, 'integration');
    assert.equal(token.revoked, false);
    assert.equal(token.last_used_at, null);
    assert.ok(Math.abs(token.created_at - t0) < 60000, 'created_at is now, in ms');
    assert.match(secret, /^vk_[A-Za-z0-9_-]{20,}$/);
  });

  it('the secret is shown once: never in the list or elsewhere', async () => {
    const { token, secret } = await createToken(admin, 'integration', 'shown once');
    const l = await admin.get('/api/tokens');
    assert.equal(l.status, 200);
    assert.equal(l.json.next, null);
    const listed = l.json.items.find((x) => x.id === token.id);
    assert.ok(listed, 'token is listed');
    assert.equal(listed.name, 'shown once');
    assert.ok(!('secret' in listed));
    assert.ok(!l.text.includes(secret), 'list leaks the secret');
    assert.ok(!l.text.includes(secret.slice(3)), 'list leaks the secret body');
    const tl = await admin.get(`/api/timeline?entity=token&id=${token.id}`);
    assert.ok(!tl.text.includes(secret.slice(3)), 'timeline leaks the secret');
  });

  it('every token gets a different secret', async () => {
    const a = await createToken(admin);
    const b = await createToken(admin);
    assert.notEqual(a.secret, b.secret);
  });

  it('a bearer token acts with its role: admin token can manage users', async () => {
    const { secret } = await createToken(admin, 'admin');
    const b = bearerClient(srv.url, secret);
    const me = await b.get('/api/me');
    assert.equal(me.status, 200);
    assert.ok(me.json.user.capabilities.includes('*'));
    assert.equal(me.json.csrf, null);
    assert.equal((await b.get('/api/users')).status, 200);
    const r = await b.post('/api/users', { login: uniq('bt'), name: 'By token', password: 'password-123', role: 'manager' });
    assert.equal(r.status, 201, r.text);
  });

  it('a manager-role token has the manager\'s capabilities only', async () => {
    const { secret } = await createToken(admin, 'manager');
    const b = bearerClient(srv.url, secret);
    assert.equal((await b.get('/api/settings')).status, 200);
    assertError(await b.get('/api/users'), 403, 'forbidden');
    assertError(await b.get('/api/tokens'), 403, 'forbidden');
  });

  it('an integration token cannot mint tokens for itself', async () => {
    const { secret } = await createToken(admin, 'integration');
    const b = bearerClient(srv.url, secret);
    assertError(await b.post('/api/tokens', { name: 'escalate', role: 'admin' }), 403, 'forbidden');
    assert.ok(!(await admin.get('/api/tokens')).json.items.some((x) => x.name === 'escalate'));
  });

  it('last_used_at is set soon after the token is used', async () => {
    const { token, secret } = await createToken(admin, 'integration');
    const t0 = Date.now();
    assert.equal((await bearerClient(srv.url, secret).get('/api/me')).status, 200);
    // Recording the use may lag a little (it is not worth a synchronous write per request).
    let listed;
    for (let i = 0; i < 50; i++) {
      listed = (await admin.get('/api/tokens')).json.items.find((x) => x.id === token.id);
      if (listed.last_used_at !== null) break;
      await sleep(100);
    }
    assert.equal(typeof listed.last_used_at, 'number', 'last_used_at still null 5 s after use');
    assert.ok(Math.abs(listed.last_used_at - t0) < 60000);
  });

  it('DELETE revokes: 204, then 401 at once, and the list shows it revoked', async () => {
    const { token, secret } = await createToken(admin, 'admin');
    const b = bearerClient(srv.url, secret);
    assert.equal((await b.get('/api/users')).status, 200);
    const d = await admin.del('/api/tokens/' + token.id);
    assert.equal(d.status, 204);
    assertError(await b.get('/api/me'), 401, 'unauthorized');
    assertError(await b.get('/api/users'), 401, 'unauthorized');
    assertError(await b.post('/api/users', { login: uniq('rv'), name: 'X', password: 'password-123', role: 'manager' }),
      401, 'unauthorized');
    const listed = (await admin.get('/api/tokens')).json.items.find((x) => x.id === token.id);
    assert.ok(listed === undefined || listed.revoked === true, `revoked token listed as ${JSON.stringify(listed)}`);
  });

  it('DELETE of a missing token is 404', async () => {
    assertError(await admin.del('/api/tokens/999999'), 404, 'not_found');
  });

  it('revoking twice does not resurrect the token', async () => {
    const { token, secret } = await createToken(admin, 'integration');
    assert.equal((await admin.del('/api/tokens/' + token.id)).status, 204);
    const again = await admin.del('/api/tokens/' + token.id);
    assert.ok(again.status === 204 || again.status === 404, `second revoke: ${again.status}`);
    assertError(await bearerClient(srv.url, secret).get('/api/me'), 401, 'unauthorized');
  });

  it('garbage, truncated and altered secrets are 401 unauthorized', async () => {
    const { secret } = await createToken(admin, 'admin');
    for (const s of ['vk_garbage', secret.slice(0, -1), secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A'), secret + 'x', 'x']) {
      assertError(await bearerClient(srv.url, s).get('/api/me'), 401, 'unauthorized');
    }
    for (const h of ['Bearer ', 'Bearer', 'bearer  ' + secret + ' junk']) {
      const r = await fetch(srv.url + '/api/me', { headers: { authorization: h } });
      assert.equal(r.status, 401, `Authorization: ${h.slice(0, 20)}…`);
    }
    const r = await fetch(srv.url + '/api/me', { headers: { authorization: 'Basic ' + Buffer.from('admin:admin-pass-1').toString('base64') } });
    assert.equal(r.status, 401);
  });

  it('validation: missing name, unknown role, wrong types', async () => {
    const before = (await admin.get('/api/tokens')).json.items.length;
    assertError(await admin.post('/api/tokens', { role: 'integration' }), 400, 'missing', 'name');
    assertError(await admin.post('/api/tokens', { name: 'x', role: 'overlord' }), 400, 'invalid', 'role');
    assertError(await admin.post('/api/tokens', { name: 42, role: 'integration' }), 400, 'invalid', 'name');
    assertError(await admin.post('/api/tokens', { name: 'x', role: ['admin'] }), 400, 'invalid', 'role');
    assert.equal((await admin.get('/api/tokens')).json.items.length, before, 'no token created');
  });

  it('token creation and revocation are in the token\'s timeline', async () => {
    const { token } = await createToken(admin, 'integration');
    assert.equal((await admin.del('/api/tokens/' + token.id)).status, 204);
    const tl = await admin.get(`/api/timeline?entity=token&id=${token.id}`);
    assert.equal(tl.status, 200);
    const kinds = tl.json.items.map((e) => e.kind);
    assert.deepEqual(kinds.slice(0, 2), ['revoke', 'create'], `kinds ${kinds}`);
    for (const e of tl.json.items) {
      assert.equal(e.entity, 'token');
      assert.equal(e.entity_id, token.id);
      assert.equal(e.actor.name, 'Administrator');
    }
  });

  it('a session user\'s tokens survive their logout', async () => {
    const c = await adminClient(srv);
    const { secret } = await createToken(c, 'integration');
    assert.equal((await c.post('/api/logout')).status, 204);
    assert.equal((await bearerClient(srv.url, secret).get('/api/me')).status, 200);
  });
});

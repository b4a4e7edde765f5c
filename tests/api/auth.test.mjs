// Sign-in, sessions, CSRF, bearer tokens vs cookies, expiry, throttling, deactivation.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, Client, ADMIN, uniq, adminClient, loginAs, withoutCsrf, bearerClient,
  createUser, createToken, assertError, advanceClock,
} from './helpers.mjs';

const MIN = 60 * 1000;
const HOUR = 60 * MIN;

function sessionCookie(r) {
  const sc = r.headers.get('set-cookie') || '';
  return sc.split(/,(?=\s*[A-Za-z0-9_-]+=)/).map((s) => s.trim()).find((s) => s.startsWith('vk_session=')) || null;
}

describe('sessions', () => {
  let srv, admin;
  before(async () => { srv = await startServer(); admin = await adminClient(srv); });
  after(async () => { await srv?.stop(); });

  describe('login, me, logout', () => {
    it('login answers the user with capabilities and a CSRF token', async () => {
      const c = new Client(srv.url);
      const r = await c.login();
      assert.equal(r.status, 200);
      const u = r.json.user;
      assert.equal(u.login, ADMIN.login);
      assert.equal(u.role, 'admin');
      assert.equal(u.active, true);
      assert.equal(typeof u.id, 'number');
      assert.ok(Array.isArray(u.capabilities) && u.capabilities.includes('*'), 'admin has "*"');
      assert.equal(typeof r.json.csrf, 'string');
      assert.ok(r.json.csrf.length >= 16, 'CSRF token is long enough to be unguessable');
      assert.ok(!/password|hash/i.test(JSON.stringify(u)), 'no password material in the user object');
    });

    it('session cookie is vk_session with HttpOnly, SameSite=Lax, Path=/', async () => {
      const r = await new Client(srv.url).login();
      const ck = sessionCookie(r);
      assert.ok(ck, `no vk_session cookie in ${r.headers.get('set-cookie')}`);
      const value = ck.split(';')[0].slice('vk_session='.length);
      assert.ok(value.length >= 20, 'session id is long enough to be unguessable');
      const attrs = ck.split(';').map((s) => s.trim().toLowerCase());
      assert.ok(attrs.includes('httponly'), `HttpOnly missing: ${ck}`);
      assert.ok(attrs.includes('samesite=lax'), `SameSite=Lax missing: ${ck}`);
      assert.ok(attrs.includes('path=/'), `Path=/ missing: ${ck}`);
    });

    it('the cookie is Secure when the trusted proxy says the client used https, and only then', async () => {
      const viaHttps = await new Client(srv.url).req('POST', '/api/login', ADMIN, { 'x-forwarded-proto': 'https' });
      assert.equal(viaHttps.status, 200);
      const attrs = (ck) => ck.split(';').map((s) => s.trim().toLowerCase());
      assert.ok(attrs(sessionCookie(viaHttps)).includes('secure'), `no Secure: ${sessionCookie(viaHttps)}`);
      const plain = await new Client(srv.url).login();
      assert.ok(!attrs(sessionCookie(plain)).includes('secure'), 'Secure over plain http would lose the cookie');
    });

    it('two logins get two different sessions', async () => {
      const [a, b] = await Promise.all([adminClient(srv), adminClient(srv)]);
      assert.notEqual(a.cookie, b.cookie);
    });

    it('wrong password and unknown login are both 401 bad_credentials, indistinguishable, no cookie', async () => {
      const a = await new Client(srv.url).login(ADMIN.login, 'wrong-password');
      assertError(a, 401, 'bad_credentials');
      assert.equal(sessionCookie(a), null);
      const b = await new Client(srv.url).login('no-such-user', 'wrong-password');
      assertError(b, 401, 'bad_credentials');
      assert.equal(a.json.error.message, b.json.error.message, 'message must not reveal whether the login exists');
    });

    it('GET /api/me with the cookie answers the user and a CSRF token that works', async () => {
      const c = await adminClient(srv);
      const r = await c.get('/api/me');
      assert.equal(r.status, 200);
      assert.equal(r.json.user.login, ADMIN.login);
      assert.ok(r.json.user.capabilities.includes('*'));
      assert.equal(typeof r.json.csrf, 'string');
      // A page reload learns the token from /api/me; it must be accepted for writes.
      c.csrf = r.json.csrf;
      const w = await c.patch('/api/settings', { company_name: 'After reload' });
      assert.equal(w.status, 200, w.text);
    });

    it('GET /api/me without credentials or with a forged cookie is 401 unauthorized', async () => {
      assertError(await new Client(srv.url).get('/api/me'), 401, 'unauthorized');
      const f = new Client(srv.url);
      f.cookie = 'vk_session=' + 'A'.repeat(43);
      assertError(await f.get('/api/me'), 401, 'unauthorized');
    });

    it('logout answers 204, clears the cookie and kills the session', async () => {
      const c = await adminClient(srv);
      const old = { cookie: c.cookie, csrf: c.csrf };
      const r = await c.post('/api/logout');
      assert.equal(r.status, 204);
      const ck = sessionCookie(r);
      assert.ok(ck, 'logout sets vk_session to clear it');
      const lower = ck.toLowerCase();
      assert.ok(/^vk_session=;/.test(ck) || lower.includes('max-age=0') || /expires=[^;]*19[0-9]{2}/.test(lower),
        `cookie not cleared: ${ck}`);
      const again = new Client(srv.url);
      again.cookie = old.cookie; again.csrf = old.csrf;
      assertError(await again.get('/api/me'), 401, 'unauthorized');
      // Other sessions of the same user are untouched.
      assert.equal((await admin.get('/api/me')).status, 200);
    });

    it('POST /api/test/clock does not exist without --test-clock', async () => {
      const r = await fetch(srv.url + '/api/test/clock', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"advance_ms":86400000}',
      });
      assert.equal(r.status, 404);
      assert.equal((await admin.get('/api/me')).status, 200, 'sessions unaffected');
    });
  });

  describe('CSRF', () => {
    let forged;
    before(() => { forged = withoutCsrf(admin); });

    it('cookie POST without X-CSRF-Token is 403 csrf and writes nothing', async () => {
      const login = uniq('csrf');
      assertError(await forged.post('/api/users', { login, name: 'X', password: 'password-123', role: 'manager' }), 403, 'csrf');
      const l = await admin.get('/api/users?q=' + login);
      assert.equal(l.json.items.length, 0, 'user must not exist');
    });

    it('cookie POST with a wrong X-CSRF-Token is 403 csrf', async () => {
      const r = await admin.post('/api/tokens', { name: 'x', role: 'integration' }, { 'x-csrf-token': 'nope' + admin.csrf.slice(4) });
      assertError(r, 403, 'csrf');
    });

    it('the CSRF token of another session is not accepted', async () => {
      const other = await adminClient(srv);
      const r = await admin.patch('/api/settings', { company_name: 'stolen' }, { 'x-csrf-token': other.csrf });
      assertError(r, 403, 'csrf');
      assert.notEqual((await admin.get('/api/settings')).json.company_name, 'stolen');
    });

    it('cookie PATCH without the token is 403 csrf and changes nothing', async () => {
      const before = (await admin.get('/api/settings')).json;
      assertError(await forged.patch('/api/settings', { company_name: 'forged' }), 403, 'csrf');
      assert.deepEqual((await admin.get('/api/settings')).json, before);
    });

    it('cookie DELETE without the token is 403 csrf and the token keeps working', async () => {
      const t = await createToken(admin, 'integration');
      assertError(await forged.del('/api/tokens/' + t.token.id), 403, 'csrf');
      assert.equal((await bearerClient(srv.url, t.secret).get('/api/me')).status, 200);
    });

    it('logout without the token is refused and the session survives', async () => {
      const c = await adminClient(srv);
      assertError(await withoutCsrf(c).post('/api/logout'), 403, 'csrf');
      assert.equal((await c.get('/api/me')).status, 200);
    });

    it('no CORS grant lets another site read answers with the user\'s cookie', async () => {
      const r = await admin.get('/api/me', { origin: 'https://evil.example' });
      const acao = r.headers.get('access-control-allow-origin');
      const creds = r.headers.get('access-control-allow-credentials');
      assert.ok(!(acao && (acao === '*' || acao.includes('evil.example')) && creds === 'true'),
        `CORS grants https://evil.example credentialed access: ${acao} / ${creds}`);
      assert.ok(!acao || !acao.includes('evil.example'), `Origin reflected: ${acao}`);
    });

    it('GET needs no CSRF token', async () => {
      assert.equal((await forged.get('/api/users')).status, 200);
    });

    it('Bearer requests need no CSRF token', async () => {
      const t = await createToken(admin, 'admin');
      const b = bearerClient(srv.url, t.secret);
      const r = await b.post('/api/users', { login: uniq('bearer'), name: 'Via token', password: 'password-123', role: 'manager' });
      assert.equal(r.status, 201, r.text);
      const me = await b.get('/api/me');
      assert.equal(me.status, 200);
      assert.equal(me.json.csrf, null, 'csrf is null for bearer tokens');
    });
  });

  describe('password change', () => {
    it('changing the password revokes the other sessions, keeps this one, swaps the password', async () => {
      const u = await createUser(admin);
      const [a, b] = await Promise.all([loginAs(srv, u.login, u.password), loginAs(srv, u.login, u.password)]);
      const r = await a.post('/api/me/password', { current_password: u.password, new_password: 'new-password-1' });
      assert.equal(r.status, 204, r.text);
      assertError(await b.get('/api/me'), 401, 'unauthorized');
      assert.equal((await a.get('/api/me')).status, 200, 'the session that changed it stays');
      assertError(await new Client(srv.url).login(u.login, u.password), 401, 'bad_credentials');
      assert.equal((await new Client(srv.url).login(u.login, 'new-password-1')).status, 200);
    });

    it('wrong current password is 400 invalid current_password and changes nothing', async () => {
      const u = await createUser(admin);
      const [a, b] = await Promise.all([loginAs(srv, u.login, u.password), loginAs(srv, u.login, u.password)]);
      assertError(await a.post('/api/me/password', { current_password: 'not-it-at-all', new_password: 'new-password-1' }),
        400, 'invalid', 'current_password');
      assert.equal((await b.get('/api/me')).status, 200, 'other sessions survive a failed change');
      assert.equal((await new Client(srv.url).login(u.login, u.password)).status, 200);
    });

    it('new password must be 8..256 characters', async () => {
      const u = await createUser(admin);
      const a = await loginAs(srv, u.login, u.password);
      assertError(await a.post('/api/me/password', { current_password: u.password, new_password: '1234567' }),
        400, 'invalid', 'new_password');
      assertError(await a.post('/api/me/password', { current_password: u.password, new_password: 'x'.repeat(257) }),
        400, 'invalid', 'new_password');
      assert.equal((await a.post('/api/me/password', { current_password: u.password, new_password: '12345678' })).status, 204);
      assert.equal((await new Client(srv.url).login(u.login, '12345678')).status, 200);
      assert.equal((await a.post('/api/me/password', { current_password: '12345678', new_password: 'y'.repeat(256) })).status, 204);
      assert.equal((await new Client(srv.url).login(u.login, 'y'.repeat(256))).status, 200);
    });

    it('missing fields are 400 missing with the field named', async () => {
      const u = await createUser(admin);
      const a = await loginAs(srv, u.login, u.password);
      assertError(await a.post('/api/me/password', { new_password: 'new-password-1' }), 400, 'missing', 'current_password');
      assertError(await a.post('/api/me/password', { current_password: u.password }), 400, 'missing', 'new_password');
    });

    it('an admin resetting a password through PATCH /api/users/ID revokes that user\'s sessions', async () => {
      const u = await createUser(admin);
      const a = await loginAs(srv, u.login, u.password);
      const r = await admin.patch('/api/users/' + u.id, { password: 'reset-pass-99' });
      assert.equal(r.status, 200, r.text);
      assertError(await a.get('/api/me'), 401, 'unauthorized');
      assertError(await new Client(srv.url).login(u.login, u.password), 401, 'bad_credentials');
      assert.equal((await new Client(srv.url).login(u.login, 'reset-pass-99')).status, 200);
    });
  });

  describe('deactivation', () => {
    it('a deactivated user cannot log in and their sessions die at once', async () => {
      const u = await createUser(admin);
      const a = await loginAs(srv, u.login, u.password);
      const r = await admin.patch('/api/users/' + u.id, { active: false });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.active, false);
      assertError(await a.get('/api/me'), 401, 'unauthorized');
      const l = await new Client(srv.url).login(u.login, u.password);
      assertError(l, 401, 'bad_credentials');
      assert.equal(sessionCookie(l), null);
    });

    // The server keeps resolved sessions in memory: each case below uses the session first, so
    // the change has to reach a session the server already knows.
    it('a session in use dies at once on deactivation, password reset and logout', async () => {
      const u = await createUser(admin);
      const a = await loginAs(srv, u.login, u.password);
      for (let i = 0; i < 3; i++) assert.equal((await a.get('/api/me')).status, 200);
      assert.equal((await admin.patch('/api/users/' + u.id, { active: false })).status, 200);
      assertError(await a.get('/api/me'), 401, 'unauthorized');
      assert.equal((await admin.patch('/api/users/' + u.id, { active: true })).status, 200);
      assert.equal((await a.get('/api/me')).status, 401, 'reactivation does not revive old sessions');

      const b = await loginAs(srv, u.login, u.password);
      assert.equal((await b.get('/api/me')).status, 200);
      assert.equal((await admin.patch('/api/users/' + u.id, { password: 'reset-pass-77' })).status, 200);
      assertError(await b.get('/api/me'), 401, 'unauthorized');

      const c = await loginAs(srv, u.login, 'reset-pass-77');
      const old = new Client(srv.url);
      old.cookie = c.cookie; old.csrf = c.csrf;
      assert.equal((await old.get('/api/me')).status, 200);
      assert.equal((await c.post('/api/logout')).status, 204);
      assertError(await old.get('/api/me'), 401, 'unauthorized');
    });

    it('a role change and a role\'s new capabilities apply to a session in use at once', async () => {
      const key = 'cache_' + Math.random().toString(36).slice(2, 8).replace(/[^a-z]/g, 'x');
      const put = (caps) => admin.req('PUT', '/api/roles/' + key, { name: 'Cache test', capabilities: caps });
      assert.equal((await put([])).status, 200);
      const u = await createUser(admin, { role: 'manager' });
      const a = await loginAs(srv, u.login, u.password);
      assertError(await a.get('/api/users'), 403, 'forbidden');
      assert.equal((await admin.patch('/api/users/' + u.id, { role: key })).status, 200);
      const me = await a.get('/api/me');
      assert.equal(me.status, 200);
      assert.equal(me.json.user.role, key);
      assertError(await a.get('/api/users'), 403, 'forbidden');
      assert.equal((await put(['users.read'])).status, 200);
      assert.equal((await a.get('/api/users')).status, 200, 'granted capability works on the next request');
      assert.equal((await put([])).status, 200);
      assert.equal((await a.get('/api/users')).status, 403, 'withdrawn capability is gone on the next request');
    });

    it('reactivating lets them log in again', async () => {
      const u = await createUser(admin);
      assert.equal((await admin.patch('/api/users/' + u.id, { active: false })).status, 200);
      assert.equal((await admin.patch('/api/users/' + u.id, { active: true })).status, 200);
      assert.equal((await new Client(srv.url).login(u.login, u.password)).status, 200);
    });
  });

});

// One server with the test clock for expiry and throttling; each part moves the clock past what
// the previous part left behind.
describe('with the test clock', () => {
  let srv;
  before(async () => { srv = await startServer({ testClock: true }); });
  after(async () => { await srv?.stop(); });

  describe('session expiry', () => {
    it('the test clock answers now_ms and moves forward', async () => {
      const t0 = await advanceClock(srv, 0);
      const t1 = await advanceClock(srv, 5 * MIN);
      assert.equal(typeof t0, 'number');
      assert.ok(t1 - t0 >= 5 * MIN && t1 - t0 < 5 * MIN + 10000, `${t0} -> ${t1}`);
    });

    it('the test clock can be set to an absolute time', async () => {
      const now = await advanceClock(srv, 0);
      const target = now + 3 * MIN;
      const r = await fetch(srv.url + '/api/test/clock', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ now_ms: target }),
      });
      assert.equal(r.status, 200);
      assert.equal((await r.json()).now_ms, target);
      const after = await advanceClock(srv, 0);
      assert.ok(after >= target && after < target + 10000, `${target} -> ${after}`);
    });

    it('a session survives 719 idle minutes, activity keeps it alive, 721 idle minutes end it', async () => {
      const c = await adminClient(srv);
      await advanceClock(srv, 719 * MIN);
      assert.equal((await c.get('/api/me')).status, 200, 'alive after 719 idle minutes');
      await advanceClock(srv, 719 * MIN);
      assert.equal((await c.get('/api/me')).status, 200, 'the previous request reset the idle timer');
      await advanceClock(srv, 721 * MIN);
      assertError(await c.get('/api/me'), 401, 'unauthorized');
      // Signing in again works normally.
      assert.equal((await new Client(srv.url).login()).status, 200);
    });

    it('an active session ends 168 hours after login', async () => {
      const c = await adminClient(srv);
      let elapsed = 0;
      for (let i = 0; i < 16; i++) {
        await advanceClock(srv, 600 * MIN);
        elapsed += 600 * MIN;
        assert.equal((await c.get('/api/me')).status, 200, `alive at ${elapsed / HOUR} h`);
      }
      await advanceClock(srv, 168 * HOUR - elapsed - MIN); // one minute before the limit
      assert.equal((await c.get('/api/me')).status, 200, 'alive one minute before 168 h');
      await advanceClock(srv, 2 * MIN);
      assertError(await c.get('/api/me'), 401, 'unauthorized');
      // A new login works normally.
      assert.equal((await new Client(srv.url).login()).status, 200);
    });

    it('bearer tokens do not expire with idle time', async () => {
      const admin = await adminClient(srv);
      const t = await createToken(admin, 'integration');
      await advanceClock(srv, 30 * 24 * HOUR);
      assert.equal((await bearerClient(srv.url, t.secret).get('/api/me')).status, 200);
    });
  });

  describe('login throttling per login', () => {
    let admin, victim;
    before(async () => {
      admin = await adminClient(srv);
      victim = await createUser(admin);
    });

    it('5 bad passwords are 401, then 429 with Retry-After, even for the right password', async () => {
      for (let i = 0; i < 5; i++) {
        assertError(await new Client(srv.url).login(victim.login, 'bad-' + i), 401, 'bad_credentials');
      }
      const r = await new Client(srv.url).login(victim.login, 'bad-6');
      assertError(r, 429, 'rate_limited');
      const ra = r.headers.get('retry-after');
      assert.match(ra || '', /^\d+$/, `Retry-After in seconds, got ${ra}`);
      assert.ok(Number(ra) >= 1 && Number(ra) <= 15 * 60, `Retry-After ${ra}`);
      const good = await new Client(srv.url).login(victim.login, victim.password);
      assertError(good, 429, 'rate_limited');
      assert.equal(sessionCookie(good), null);
    });

    it('other logins from the same address are not locked out', async () => {
      assert.equal((await new Client(srv.url).login()).status, 200);
    });

    it('after Retry-After seconds the right password works again', async () => {
      const r = await new Client(srv.url).login(victim.login, victim.password);
      assert.equal(r.status, 429);
      await advanceClock(srv, (Number(r.headers.get('retry-after')) + 1) * 1000);
      assert.equal((await new Client(srv.url).login(victim.login, victim.password)).status, 200);
    });
  });

  describe('login throttling per IP', () => {
    before(async () => { await advanceClock(srv, 16 * MIN); }); // past the window of the failures above

    it('20 failures over distinct logins, then 429 for anyone from that address', async () => {
      // In parallel, as an attacker would: every failure must still be counted.
      const rs = await Promise.all(Array.from({ length: 20 }, () => new Client(srv.url).login(uniq('nobody'), 'wrong-password')));
      for (const r of rs) assertError(r, 401, 'bad_credentials');
      const r = await new Client(srv.url).login(uniq('nobody'), 'wrong-password');
      assertError(r, 429, 'rate_limited');
      assert.match(r.headers.get('retry-after') || '', /^\d+$/);
      const a = await new Client(srv.url).login();
      assertError(a, 429, 'rate_limited');
    });
  });
});

describe('client address behind the reverse proxy', () => {
  let srv;
  // A low per-IP limit keeps this fast; the documented default of 20 is tested above.
  before(async () => { srv = await startServer({ args: ['--login_fails_per_ip', '3'] }); });
  after(async () => { await srv?.stop(); });

  const attempt = (xff) => new Client(srv.url).req('POST', '/api/login',
    { login: uniq('nobody'), password: 'wrong-password' }, xff ? { 'x-forwarded-for': xff } : {});

  it('throttles the client address the proxy appended, not what the client wrote before it', async () => {
    for (let i = 0; i < 3; i++) assertError(await attempt(`10.9.9.${i}, 203.0.113.7`), 401, 'bad_credentials');
    assertError(await attempt('10.9.9.99, 203.0.113.7'), 429, 'rate_limited');
    assertError(await attempt('203.0.113.7'), 429, 'rate_limited');
    assertError(await attempt('203.0.113.7, 203.0.113.8'), 401, 'bad_credentials');
    assertError(await attempt(undefined), 401, 'bad_credentials');
  });
});

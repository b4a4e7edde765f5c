// Bad requests are first-class tests: every POST/PATCH endpoint gets malformed JSON, non-objects,
// wrong types, missing fields, huge strings, oversized bodies and wrong content types. After each
// one the server must still answer /api/health, and nothing may have been written.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, Client, uniq, adminClient, loginAs, createUser, assertError, assertHealthy,
  listAll, rawHttp, sleep,
} from './helpers.mjs';

const MALFORMED = [
  '{', '{"login":', '{"a":1,}', "{'a':1}", 'nul', '{"a":1}}', '{"a":1} x', '{"a" 1}', '{"a":tru}',
  '{"a":"\\ud800"}', '{"a":"\\x41"}', '{"a":01}', '{"a":NaN}', '\u0000', ' ',
];
const NOT_OBJECT = ['[]', '[{"name":"x"}]', '"string"', '42', '-1.5e3', 'null', 'true', 'false'];
const HUGE = 'Ж'.repeat(100 * 1000); // 200 KB of UTF-8, under the 1 MiB body limit

function authHeaders(c) {
  const h = [];
  if (c.cookie) h.push('Cookie: ' + c.cookie);
  if (c.csrf) h.push('X-CSRF-Token: ' + c.csrf);
  if (c.bearer) h.push('Authorization: Bearer ' + c.bearer);
  return h;
}

// A 10 MB JSON body over a raw socket, declared with Content-Length or sent chunked. With
// `expect`, the client announces `Expect: 100-continue` and waits a moment before sending (curl).
function tenMegabytes(srv, method, path, c, { chunked = false, expect = false } = {}) {
  const total = 10 * 1024 * 1024;
  const head = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Content-Type: application/json',
    ...authHeaders(c), chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${total}`,
    ...(expect ? ['Expect: 100-continue'] : [])].join('\r\n');
  const piece = Buffer.alloc(64 * 1024, 'a');
  return rawHttp(srv.url, head, async (write) => {
    if (expect) await sleep(300);
    const frame = (b) => (chunked ? Buffer.concat([Buffer.from(b.length.toString(16) + '\r\n'), b, Buffer.from('\r\n')]) : b);
    const open = Buffer.from('{"name":"');
    if (!await write(frame(open))) return;
    let sent = open.length;
    while (sent + piece.length + 2 <= total) {
      if (!await write(frame(piece))) return;
      sent += piece.length;
    }
    const close = Buffer.concat([Buffer.alloc(total - sent - 2, 'a'), Buffer.from('"}')]);
    if (!await write(frame(close))) return;
    if (chunked) await write(Buffer.from('0\r\n\r\n'));
  });
}

describe('bad input', () => {
  let srv, admin, victim, victimClient;

  // Everything a bad request could have touched.
  async function snapshot() {
    const users = (await listAll(admin, '/api/users')).items;
    const tokens = (await admin.get('/api/tokens')).json;
    const settings = (await admin.get('/api/settings')).json;
    const tl = (await listAll(admin, `/api/timeline?entity=user&id=${victim.id}`)).items.length
      + (await listAll(admin, '/api/timeline?entity=settings&id=0')).items.length;
    return { users, tokens, settings, tl };
  }

  before(async () => {
    srv = await startServer();
    admin = await adminClient(srv);
    victim = await createUser(admin, { name: 'Victim', password: 'victim-pass-1' });
    victimClient = await loginAs(srv, victim.login, victim.password);
  });
  after(async () => { await srv?.stop(); });

  const endpoints = () => [
    {
      label: 'POST /api/users', method: 'POST', path: '/api/users', client: admin,
      valid: () => ({ login: uniq('bi'), name: 'Bad Input', password: 'password-123', role: 'manager' }),
      required: ['login', 'password'],
      wrong: { login: [5, true, null, [], {}], name: [5, true, [], {}], password: [12345678, true, null, [], {}], role: [5, true, [], {}] },
      huge: { login: 'invalid', password: 'invalid', role: 'invalid', name: 'either' },
    },
    {
      label: 'PATCH /api/users/ID', method: 'PATCH', path: `/api/users/${victim.id}`, client: admin,
      valid: () => ({ name: 'Victim' }),
      required: [],
      wrong: { name: [5, true, [], {}], role: [5, true, [], {}], active: ['yes', 1, 0, [], {}], password: [12345678, true, [], {}] },
      huge: { role: 'invalid', password: 'invalid', name: 'either' },
    },
    {
      label: 'POST /api/tokens', method: 'POST', path: '/api/tokens', client: admin,
      valid: () => ({ name: 'bad input', role: 'integration' }),
      required: ['name'],
      wrong: { name: [5, true, null, [], {}], role: [5, true, [], {}] },
      huge: { role: 'invalid', name: 'either' },
    },
    {
      label: 'PATCH /api/settings', method: 'PATCH', path: '/api/settings', client: admin,
      valid: () => ({ company_name: 'Bad Input Co' }),
      required: [],
      wrong: {
        company_name: [5, true, [], {}], timezone: [5, true, [], {}], default_country: [5, true, [], {}],
        currency: [5, true, [], {}], language: [5, true, [], {}],
      },
      huge: { timezone: 'invalid', default_country: 'invalid', currency: 'invalid', language: 'invalid', company_name: 'either' },
    },
    {
      label: 'POST /api/me/password', method: 'POST', path: '/api/me/password', client: victimClient,
      valid: () => ({ current_password: 'victim-pass-1', new_password: 'victim-pass-1' }),
      required: ['current_password', 'new_password'],
      wrong: { current_password: [5, true, null, [], {}], new_password: [12345678, true, null, [], {}] },
      huge: { current_password: 'invalid', new_password: 'invalid' },
    },
  ];

  // Send a request that must be refused; check the answer, the server's health and that nothing changed.
  async function refused(ep, body, headers, status, code, field) {
    const before = await snapshot();
    const r = await ep.client.req(ep.method, ep.path, body, headers);
    assertError(r, status, code, field);
    await assertHealthy(srv, `${ep.label} ${String(body).slice(0, 40)}`);
    assert.deepEqual(await snapshot(), before, `${ep.label}: a refused request changed data`);
  }

  const LABELS = ['POST /api/users', 'PATCH /api/users/ID', 'POST /api/tokens', 'PATCH /api/settings', 'POST /api/me/password'];
  for (const [pick, label] of LABELS.entries()) {
    describe(label, () => {
      let ep;
      before(() => { ep = endpoints()[pick]; assert.equal(ep.label, label); });

      it('malformed JSON is 400 bad_json', async () => {
        for (const b of MALFORMED) await refused(ep, b, {}, 400, 'bad_json');
        await refused(ep, Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
          { 'content-type': 'application/json' }, 400, 'bad_json'); // {"name":"\xff\xfe"}: not UTF-8
      });

      it('an empty body is 400 bad_json', async () => {
        await refused(ep, '', {}, 400, 'bad_json');
      });

      it('JSON that is not an object is 400 bad_json', async () => {
        for (const b of NOT_OBJECT) await refused(ep, b, {}, 400, 'bad_json');
      });

      it('deeply nested JSON is 400, not a crash', async () => {
        const field = Object.keys(ep.wrong)[0];
        await refused(ep, `{"${field}":` + '['.repeat(200000) + ']'.repeat(200000) + '}', {}, 400);
        await refused(ep, '['.repeat(300000), {}, 400, 'bad_json');
      });

      it('duplicate keys are 400 bad_json', async () => {
        const [field] = Object.keys(ep.wrong);
        const v = JSON.stringify(ep.valid());
        await refused(ep, v.slice(0, -1) + `,"${field}":${JSON.stringify(ep.valid()[field] ?? 'x')}}`, {}, 400, 'bad_json');
      });

      it('unknown fields are 400 invalid naming the field', async () => {
        for (const extra of ['is_admin', 'id', 'created_at', 'capabilities']) {
          await refused(ep, { ...ep.valid(), [extra]: true }, {}, 400, 'invalid', extra);
        }
      });

      it('wrong types are 400 invalid naming the field', async () => {
        for (const [field, values] of Object.entries(ep.wrong)) {
          for (const v of values) await refused(ep, { ...ep.valid(), [field]: v }, {}, 400, 'invalid', field);
        }
      });

      it('missing required fields are 400 missing naming the field', async () => {
        for (const field of ep.required) {
          const b = ep.valid();
          delete b[field];
          await refused(ep, b, {}, 400, 'missing', field);
        }
      });

      it('huge strings are refused as invalid, or stored whole', async () => {
        for (const [field, how] of Object.entries(ep.huge)) {
          const body = { ...ep.valid(), [field]: HUGE };
          if (how === 'invalid') { await refused(ep, body, {}, 400, 'invalid', field); continue; }
          const r = await ep.client.req(ep.method, ep.path, body);
          await assertHealthy(srv, `${ep.label} huge ${field}`);
          if (r.status === 400) { assertError(r, 400, 'invalid', field); continue; }
          assert.ok(r.status === 200 || r.status === 201, `${ep.label} huge ${field}: ${r.status} ${r.text.slice(0, 200)}`);
          assert.ok(JSON.stringify(await snapshot()).includes(HUGE), `${ep.label}: huge ${field} was not stored whole`);
        }
      });

      it('a NUL inside a string is refused', async () => {
        const [field] = Object.keys(ep.huge).filter((f) => ep.huge[f] === 'invalid');
        const r = await ep.client.req(ep.method, ep.path, { ...ep.valid(), [field]: 'ab\u0000cd' });
        assert.equal(r.status, 400, r.text);
        assert.ok(['bad_json', 'invalid'].includes(r.json?.error?.code), r.text);
        await assertHealthy(srv);
      });

      it('a non-JSON content type is 415 unsupported_media_type', async () => {
        const json = JSON.stringify(ep.valid());
        await refused(ep, json, { 'content-type': 'text/plain' }, 415, 'unsupported_media_type');
        await refused(ep, json, { 'content-type': 'application/xml' }, 415, 'unsupported_media_type');
        const form = new URLSearchParams(ep.valid()).toString();
        await refused(ep, form, { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type');
        await refused(ep, '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nv\r\n--x--\r\n',
          { 'content-type': 'multipart/form-data; boundary=x' }, 415, 'unsupported_media_type');
      });

      it('a 10 MB body is 413 too_large (Content-Length, chunked, Expect: 100-continue)', async () => {
        for (const how of [{ chunked: false }, { chunked: true }, { expect: true }]) {
          const before = await snapshot();
          const r = await tenMegabytes(srv, ep.method, ep.path, ep.client, how);
          assert.equal(r.status, 413, `${JSON.stringify(how)}: got ${r.status} ${r.error || ''} ${r.body.slice(0, 200)}`);
          assert.equal(r.json?.error?.code, 'too_large', r.body.slice(0, 200));
          await assertHealthy(srv, '10 MB body');
          assert.deepEqual(await snapshot(), before);
        }
      });
    });
  }

  it('application/json with a charset parameter is accepted', async () => {
    const login = uniq('charset');
    const r = await admin.post('/api/users', JSON.stringify({ login, name: 'C', password: 'password-123', role: 'manager' }),
      { 'content-type': 'application/json; charset=utf-8' });
    assert.equal(r.status, 201, r.text);
  });

  it('a 2 MB body from an ordinary fetch client gets 413 too_large, not a reset connection', async () => {
    const before = await snapshot();
    const r = await admin.post('/api/users', { login: uniq('big'), name: 'x'.repeat(2 * 1024 * 1024), password: 'password-123', role: 'manager' });
    assertError(r, 413, 'too_large');
    assert.deepEqual(await snapshot(), before);
  });

  it('a body just under 1 MiB is not refused for its size', async () => {
    const name = 'n'.repeat(1024 * 1024 - 200);
    const r = await admin.post('/api/users', { login: uniq('under'), name, password: 'password-123', role: 'manager' });
    assert.notEqual(r.status, 413);
    assert.ok(r.status === 201 || (r.status === 400 && r.json.error.field === 'name'), `${r.status} ${r.text.slice(0, 200)}`);
    await assertHealthy(srv);
  });

  it('a refused PATCH with one good and one bad field writes neither', async () => {
    const before = (await admin.get('/api/users/' + victim.id)).json;
    assertError(await admin.patch('/api/users/' + victim.id, { name: 'Half written', role: 'admin', active: 'nope' }), 400, 'invalid', 'active');
    assert.deepEqual((await admin.get('/api/users/' + victim.id)).json, before);
  });

  it('the victim\'s password still works after all the bad password changes', async () => {
    assert.equal((await new Client(srv.url).login(victim.login, 'victim-pass-1')).status, 200);
  });

  describe('routes and methods', () => {
    it('unknown routes are 404 not_found as JSON', async () => {
      for (const [m, p] of [['GET', '/api/nope'], ['POST', '/api/nope'], ['GET', '/api/users/1/extra'],
        ['GET', '/api/userss'], ['DELETE', '/api/'], ['GET', '/api/health/x'], ['PATCH', '/api/settings/x'],
        ['GET', '/api/tokens/1/secret']]) {
        const r = await admin.req(m, p, m === 'GET' || m === 'DELETE' ? undefined : {});
        assertError(r, 404, 'not_found');
        assert.match(r.headers.get('content-type') || '', /^application\/json/, `${m} ${p}`);
      }
      const anon = await new Client(srv.url).get('/api/nope');
      assert.equal(anon.status === 404 || anon.status === 401, true, `anonymous unknown route: ${anon.status}`);
      assert.ok(anon.json?.error, 'anonymous unknown route answers a JSON error');
    });

    it('missing records behind odd ids are 404, never 500', async () => {
      for (const id of ['0', '-1', '99999999999999999999999', '1e3', '%00', '1;DROP%20TABLE%20users', '%2e%2e']) {
        const r = await admin.get('/api/users/' + id);
        assert.ok(r.status === 404 || r.status === 400, `/api/users/${id}: ${r.status}`);
        assert.ok(r.json?.error?.code, `/api/users/${id}: JSON error`);
      }
      await assertHealthy(srv);
      assert.ok((await listAll(admin, '/api/users')).items.length >= 2, 'users table intact');
    });

    const METHOD_CASES = [
      ['DELETE', '/api/health', ['GET']], ['POST', '/api/health', ['GET']],
      ['GET', '/api/login', ['POST']], ['GET', '/api/logout', ['POST']],
      ['PUT', '/api/users', ['GET', 'POST']], ['DELETE', '/api/users', ['GET', 'POST']],
      ['DELETE', '/api/users/ID', ['GET', 'PATCH']], ['PUT', '/api/users/ID', ['GET', 'PATCH']],
      ['POST', '/api/users/ID', ['GET', 'PATCH']],
      ['GET', '/api/me/password', ['POST']], ['PATCH', '/api/me', ['GET']],
      ['DELETE', '/api/roles', ['GET']], ['PATCH', '/api/tokens', ['GET', 'POST']],
      ['GET', '/api/tokens/1', ['DELETE']], ['PATCH', '/api/tokens/1', ['DELETE']],
      ['POST', '/api/settings', ['GET', 'PATCH']], ['DELETE', '/api/settings', ['GET', 'PATCH']],
      ['POST', '/api/timeline', ['GET']], ['POST', '/api/openapi.json', ['GET']], ['POST', '/metrics', ['GET']],
    ];
    it('a wrong method is 405 method_not_allowed with an Allow header', async () => {
      for (const [m, p0, allowed] of METHOD_CASES) {
        const p = p0.replace('ID', String(victim.id));
        const r = await admin.req(m, p, m === 'POST' || m === 'PUT' || m === 'PATCH' ? {} : undefined);
        assertError(r, 405, 'method_not_allowed');
        const allow = (r.headers.get('allow') || '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
        for (const a of allowed) assert.ok(allow.includes(a), `${m} ${p0}: Allow "${allow}" lacks ${a}`);
        assert.ok(!allow.includes(m), `${m} ${p0}: Allow "${allow}" lists the refused method`);
      }
      const v = await admin.get('/api/users/' + victim.id);
      assert.equal(v.status, 200, 'DELETE /api/users/ID deleted nothing');
    });
  });

  describe('query parameters', () => {
    it('limit outside 1..200 or not a number is 400 invalid limit', async () => {
      for (const l of ['0', '201', '-1', 'abc', '1.5']) {
        assertError(await admin.get('/api/users?limit=' + l), 400, 'invalid', 'limit');
      }
      assert.equal((await admin.get('/api/users?limit=1')).json.items.length, 1);
      assert.equal((await admin.get('/api/users?limit=200')).status, 200);
    });

    it('a forged cursor is 400 invalid cursor', async () => {
      for (const c of ['!!garbage!!', 'eyJpZCI6ImEifQ', '%FF%FE', 'x'.repeat(3000)]) {
        assertError(await admin.get('/api/users?cursor=' + c), 400, 'invalid', 'cursor');
      }
    });

    it('active must be true or false', async () => {
      assertError(await admin.get('/api/users?active=maybe'), 400, 'invalid', 'active');
    });

    it('a q with SQL and wildcard characters is matched literally', async () => {
      for (const q of ["'", '%', '_', "' OR 1=1 --", '\\']) {
        const r = await admin.get('/api/users?q=' + encodeURIComponent(q));
        assert.equal(r.status, 200, `q=${q}: ${r.text}`);
        assert.deepEqual(r.json.items, [], `q=${q} must match nothing`);
      }
    });
  });

  describe('HTTP framing', () => {
    const withHeaders = (n) => {
      const lines = ['GET /api/health HTTP/1.1', 'Host: 127.0.0.1'];
      for (let i = 1; i < n; i++) lines.push(`X-Filler-${i}: ${i}`);
      return rawHttp(srv.url, lines.join('\r\n'));
    };

    // 1,000 headers overflow the 48 KiB of connection memory: libmicrohttpd answers 431 itself.
    it('1,000 request headers are refused with 431', async () => {
      const r = await withHeaders(1000);
      assert.equal(r.status, 431, `got ${r.status} ${r.error || ''}`);
      await assertHealthy(srv, '1,000 headers');
    });

    it('200 request headers are refused with a JSON 431 too_many_headers', async () => {
      const r = await withHeaders(200);
      assert.equal(r.status, 431, `got ${r.status} ${r.error || ''}`);
      assert.equal(r.json?.error?.code, 'too_many_headers', r.body);
    });

    it('100 request headers are fine, 101 are refused', async () => {
      assert.equal((await withHeaders(100)).status, 200);
      assert.equal((await withHeaders(101)).status, 431);
    });

    it('a 20 KB header is refused with a JSON 431', async () => {
      const r = await rawHttp(srv.url, `GET /api/health HTTP/1.1\r\nHost: x\r\nCookie: vk_session=${'a'.repeat(20 * 1024)}`);
      assert.equal(r.status, 431, `got ${r.status} ${r.error || ''}`);
      assert.equal(r.json?.error?.code, 'too_many_headers', `the error body is JSON: ${r.body.slice(0, 200)}`);
      await assertHealthy(srv, 'large header');
    });

    // Past the 48 KiB of connection memory libmicrohttpd answers itself (docs/decisions.md).
    it('a 100 KB header is refused with 431 and the server keeps serving', async () => {
      const r = await rawHttp(srv.url, `GET /api/health HTTP/1.1\r\nHost: x\r\nCookie: vk_session=${'a'.repeat(100 * 1024)}`);
      assert.ok(r.status === 431 || r.status === 413 || r.status === 400, `got ${r.status} ${r.error || ''}`);
      await assertHealthy(srv, 'huge header');
    });

    it('a 6 KB URL is refused with a JSON 414', async () => {
      const r = await rawHttp(srv.url, `GET /api/users?q=${'q'.repeat(6 * 1024)} HTTP/1.1\r\nHost: x\r\nCookie: ${admin.cookie}`);
      assert.equal(r.status, 414, `got ${r.status} ${r.error || ''}`);
      assert.equal(r.json?.error?.code, 'uri_too_long', `the error body is JSON: ${r.body.slice(0, 200)}`);
      await assertHealthy(srv, 'long URL');
    });

    it('a 100 KB URL is refused with a 4xx and the server keeps serving', async () => {
      const r = await rawHttp(srv.url, `GET /api/users?q=${'q'.repeat(100 * 1024)} HTTP/1.1\r\nHost: x\r\nCookie: ${admin.cookie}`);
      assert.ok(r.status >= 400 && r.status < 500, `got ${r.status} ${r.error || ''}`);
      await assertHealthy(srv, 'huge URL');
    });

    it('conflicting Content-Length headers are refused with 400', async () => {
      const before = await snapshot();
      const body = JSON.stringify({ login: uniq('smug'), name: 'S', password: 'password-123', role: 'manager' });
      const head = ['POST /api/users HTTP/1.1', 'Host: x', 'Content-Type: application/json', ...authHeaders(admin),
        `Content-Length: ${body.length}`, 'Content-Length: 5'].join('\r\n');
      const r = await rawHttp(srv.url, head, async (write) => { await write(Buffer.from(body)); });
      assert.equal(r.status, 400, `got ${r.status} ${r.error || ''}`);
      assert.equal(r.json?.error?.code, 'bad_request', r.body);
      await assertHealthy(srv);
      assert.deepEqual(await snapshot(), before);
    });

    it('a garbage request line gets 400 and the server keeps serving', async () => {
      const r = await rawHttp(srv.url, 'HELLO WORLD\r\n\u0001\u0002');
      assert.equal(r.status, 400, `got ${r.status} ${r.error || ''}`);
      await assertHealthy(srv, 'garbage request');
    });

    it('a client that disconnects mid-body leaves nothing behind', async () => {
      const before = await snapshot();
      const body = JSON.stringify({ login: uniq('cut'), name: 'Cut', password: 'password-123', role: 'manager' });
      const head = ['POST /api/users HTTP/1.1', 'Host: x', 'Content-Type: application/json', ...authHeaders(admin),
        `Content-Length: ${body.length + 100}`].join('\r\n');
      const r = await rawHttp(srv.url, head, async (write) => { await write(Buffer.from(body)); throw new Error('cut'); },
        { timeout: 300 });
      assert.equal(r.status, 0, 'no answer to an unfinished body');
      await assertHealthy(srv);
      assert.deepEqual(await snapshot(), before);
    });
  });

  describe('login endpoint (own server, so refusals cannot trip throttling elsewhere)', () => {
    let lsrv, anon;
    before(async () => { lsrv = await startServer(); anon = new Client(lsrv.url); });
    after(async () => { await lsrv?.stop(); });

    async function refusedLogin(body, headers, status, code, field) {
      const r = await anon.req('POST', '/api/login', body, headers);
      assertError(r, status, code, field);
      assert.equal(r.headers.get('set-cookie'), null, 'no session for a refused login');
      await assertHealthy(lsrv);
    }

    it('malformed JSON, non-objects, empty bodies: 400 bad_json', async () => {
      for (const b of [...MALFORMED, ...NOT_OBJECT, '']) await refusedLogin(b, {}, 400, 'bad_json');
    });

    it('wrong types: 400 invalid; missing fields: 400 missing', async () => {
      for (const v of [5, true, [], {}]) {
        await refusedLogin({ login: v, password: 'whatever-1' }, {}, 400, 'invalid', 'login');
        await refusedLogin({ login: 'nobody-x', password: v }, {}, 400, 'invalid', 'password');
      }
      await refusedLogin({ login: 'nobody-x', password: 'whatever-1', remember_me: true }, {}, 400, 'invalid', 'remember_me');
      await refusedLogin({ password: 'whatever-1' }, {}, 400, 'missing', 'login');
      await refusedLogin({ login: 'nobody-x' }, {}, 400, 'missing', 'password');
    });

    it('non-JSON content types: 415', async () => {
      await refusedLogin('login=admin&password=admin-pass-1', { 'content-type': 'application/x-www-form-urlencoded' },
        415, 'unsupported_media_type');
      await refusedLogin('{"login":"admin","password":"admin-pass-1"}', { 'content-type': 'text/plain' },
        415, 'unsupported_media_type');
    });

    it('a 10 MB body: 413', async () => {
      const r = await tenMegabytes(lsrv, 'POST', '/api/login', anon);
      assert.equal(r.status, 413, `got ${r.status} ${r.error || ''}`);
      await assertHealthy(lsrv);
    });

    it('huge login or password: refused without a session, quickly', async () => {
      const t0 = Date.now();
      for (const body of [{ login: HUGE, password: 'whatever-1' }, { login: 'admin', password: HUGE }]) {
        const r = await anon.req('POST', '/api/login', body);
        assert.ok(r.status === 400 || r.status === 401, `${r.status} ${r.text.slice(0, 200)}`);
        assert.equal(r.headers.get('set-cookie'), null);
      }
      assert.ok(Date.now() - t0 < 5000, 'hashing a 200 KB password must not stall the server');
      await assertHealthy(lsrv);
    });

    it('after all that, the admin can still log in', async () => {
      assert.equal((await new Client(lsrv.url).login()).status, 200);
    });
  });
});

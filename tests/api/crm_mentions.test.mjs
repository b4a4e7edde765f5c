// Who the @ autocomplete of a note may offer (GET /api/notes/mentionable) and what reading a
// note that mentions you settles (its notification in the bell). On the dealers preset agents
// see only their own records, so a colleague who cannot open the record is never offered; on
// the cleaning preset managers see every deal and cleaners only their own.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, assertHealthy, createUser, createToken, bearerClient } from './helpers.mjs';
import { crmServer, create, tag, dealPipelineOf } from './crm_helpers.mjs';
import { unread, notifications, freezeClock } from './activity_helpers.mjs';

const mentionable = async (c, entity, id, extra = '') => {
  const r = await c.get(`/api/notes/mentionable?entity=${entity}&record_id=${id}${extra}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.next, null);
  return r.json.items;
};
const logins = (items) => items.map((u) => u.login);

describe('notes: who can be mentioned (dealers: own scopes)', () => {
  let s, admin, A, B, L, t;
  before(async () => {
    s = await crmServer('dealers');
    admin = s.admin;
    [A, B] = await Promise.all(s.byRole.agent.slice(0, 2).map((l) => s.as(l)));
    L = await s.as(s.byRole.lead_creator[0]);
    t = tag('men');
  });
  after(async () => { await s?.stop(); });

  it('offers only active colleagues who can open the record, never yourself; every one offered can be mentioned', async () => {
    const co = await create(A, 'companies', { name: `Фирма ${t} кого`, pipeline: 'dealers' });
    let items = await mentionable(A, 'company', co.id);
    assert.deepEqual(logins(items), ['admin'], 'an agent\'s own company: only the administrator can see it besides them');
    assert.deepEqual(Object.keys(items[0]).sort(), ['id', 'login', 'name']);
    assert.equal(items[0].id, admin.user.id);
    assert.equal(items[0].name, admin.user.name);

    // the administrator sees everything, and so may mention the agent who owns it, but not other agents
    items = await mentionable(admin, 'company', co.id);
    assert.deepEqual(logins(items), [A.user.login]);

    // handing the company over makes the new owner mentionable and the old one not
    const moved = await admin.post('/api/companies/reassign', { to_owner_id: B.user.id, ids: [co.id] });
    assert.equal(moved.status, 200, moved.text);
    assert.deepEqual(logins(await mentionable(admin, 'company', co.id)), [B.user.login]);
    assertError(await A.get(`/api/notes/mentionable?entity=company&record_id=${co.id}`), 404, 'not_found');

    // whoever is offered can be mentioned: the note is accepted
    const r = await B.post('/api/notes', { entity: 'company', record_id: co.id,
      body: logins(await mentionable(B, 'company', co.id)).map((l) => '@' + l).join(' ') + ' глянь' });
    assert.equal(r.status, 201, r.text);

    // a deactivated user is not offered, even one who could see everything
    const gone = await createUser(admin, { role: 'admin', name: `Уволенный ${t}` });
    assert.ok(logins(await mentionable(B, 'company', co.id)).includes(gone.login), 'a new administrator is offered');
    assert.equal((await admin.patch('/api/users/' + gone.id, { active: false })).status, 200);
    assert.ok(!logins(await mentionable(B, 'company', co.id)).includes(gone.login), 'a deactivated user is offered');
  });

  it('matches a fragment of the login or of the name in any case (ё = е), best matches first, up to limit', async () => {
    // contacts are readable by agents (own) and by the administrator; make several admins to rank
    const co = await create(A, 'companies', { name: `Фирма ${t} поиск`, pipeline: 'dealers' });
    const u1 = await createUser(admin, { role: 'admin', login: `zz${t}.first`, name: `Киселёва Вера ${t}` });
    const u2 = await createUser(admin, { role: 'admin', login: `ab${t}.second`, name: `Анна Zz${t}ova` });
    const u3 = await createUser(admin, { role: 'admin', login: `cd${t}.third`, name: `Петрова Мария` });

    let items = await mentionable(A, 'company', co.id, '&q=' + encodeURIComponent(`ZZ${t}`));
    assert.deepEqual(logins(items), [u2.login, u1.login], 'a login start and a name word start, in any case, by name');
    items = await mentionable(A, 'company', co.id, '&q=' + encodeURIComponent(`z${t}`));
    assert.deepEqual(logins(items).sort(), [u1.login, u2.login].sort(), 'a fragment inside a login or a name matches too');
    items = await mentionable(A, 'company', co.id, '&q=' + encodeURIComponent('КИСЕЛЕВА ВЕРА'));
    assert.deepEqual(logins(items), [u1.login], 'Cyrillic in any case, ё written as е');
    items = await mentionable(A, 'company', co.id, '&q=' + encodeURIComponent('петров'));
    assert.deepEqual(logins(items), [u3.login]);
    items = await mentionable(A, 'company', co.id, '&q=' + encodeURIComponent(`${t}.second`));
    assert.deepEqual(logins(items), [u2.login], 'dots of a login are part of it');
    assert.deepEqual(await mentionable(A, 'company', co.id, '&q=nobody-at-all-zz'), []);

    // a word start ranks above a fragment inside a word
    const inner = await createUser(admin, { role: 'admin', login: `qqx${t}`, name: `Иннер ${t}` });
    const start = await createUser(admin, { role: 'admin', login: `x${t}qq`, name: `Старт ${t}` });
    items = await mentionable(A, 'company', co.id, '&q=' + encodeURIComponent(`x${t}`));
    assert.equal(items[0].login, start.login, 'the login that starts with the text comes first');
    assert.ok(logins(items).includes(inner.login));

    const all = await mentionable(A, 'company', co.id, '&limit=50');
    assert.ok(all.length >= 6, 'every administrator is offered');
    assert.equal((await mentionable(A, 'company', co.id, '&limit=2')).length, 2);
    assert.equal((await mentionable(A, 'company', co.id, '&q=')).length, Math.min(10, all.length), 'empty q: everybody, 10 by default');
  });

  it('bad input is a clear 4xx; a record out of scope is 404; tokens are refused; the server keeps serving', async () => {
    const co = await create(A, 'companies', { name: `Фирма ${t} плохой`, pipeline: 'dealers' });
    const base = `/api/notes/mentionable?entity=company&record_id=${co.id}`;
    const cases = [
      [`/api/notes/mentionable?record_id=${co.id}`, 400, 'missing', 'entity'],
      ['/api/notes/mentionable?entity=company', 400, 'missing', 'record_id'],
      [`/api/notes/mentionable?entity=user&record_id=${co.id}`, 400, 'invalid', 'entity'],
      [`/api/notes/mentionable?entity=&record_id=${co.id}`, 400, 'invalid', 'entity'],
      ['/api/notes/mentionable?entity=company&record_id=abc', 400, 'invalid', 'record_id'],
      ['/api/notes/mentionable?entity=company&record_id=0', 400, 'invalid', 'record_id'],
      ['/api/notes/mentionable?entity=company&record_id=-4', 400, 'invalid', 'record_id'],
      ['/api/notes/mentionable?entity=company&record_id=1.5', 400, 'invalid', 'record_id'],
      ['/api/notes/mentionable?entity=company&record_id=99999999999999999999999', 400, 'invalid', 'record_id'],
      [base + '&limit=0', 400, 'invalid', 'limit'],
      [base + '&limit=51', 400, 'invalid', 'limit'],
      [base + '&limit=ten', 400, 'invalid', 'limit'],
      [base + '&q=' + 'я'.repeat(101), 400, 'invalid', 'q'],
      ['/api/notes/mentionable?entity=company&record_id=987654321', 404, 'not_found'],
      [`/api/notes/mentionable?entity=contact&record_id=${co.id}`, 404, 'not_found'], // a company id is no contact of A's
    ];
    for (const [path, status, code, field] of cases) assertError(await A.get(path), status, code, field);
    assert.equal((await A.get(base + '&q=' + 'я'.repeat(100))).status, 200, '100 characters are allowed');

    // another agent's record, and a lead creator who cannot read contacts: as if it did not exist
    assertError(await B.get(base), 404, 'not_found');
    const ct = await create(A, 'contacts', { name: `Контакт ${t}` });
    assertError(await L.get(`/api/notes/mentionable?entity=contact&record_id=${ct.id}`), 404, 'not_found');

    const tok = await createToken(admin, 'admin');
    assertError(await bearerClient(s.srv.url, tok.secret).get(base), 403, 'forbidden');
    assertError(await new (A.constructor)(s.srv.url).get(base), 401, 'unauthorized');
    const post = await A.post('/api/notes/mentionable', {});
    assertError(post, 405, 'method_not_allowed');
    assert.match(post.headers.get('allow'), /GET/);
    await assertHealthy(s.srv, 'bad mentionable queries');
  });

  it('reading a note that mentions you also reads its notification, and only that one', async () => {
    const co = await create(A, 'companies', { name: `Фирма ${t} прочитано`, pipeline: 'dealers' });
    await admin.post('/api/notifications/read', { all: true });
    const n1 = await A.post('/api/notes', { entity: 'company', record_id: co.id, body: '@admin первая' });
    assert.equal(n1.status, 201, n1.text);
    const n2 = await A.post('/api/notes', { entity: 'company', record_id: co.id, body: '@admin вторая' });
    assert.equal(n2.status, 201, n2.text);
    assert.equal(await unread(admin), 2);

    assert.equal((await admin.post(`/api/notes/${n1.json.id}/read`)).status, 204);
    const { items, unread: left } = await notifications(admin);
    assert.equal(left, 1, 'reading one note settles one notification');
    const mine = items.filter((n) => n.kind === 'mention' && n.record_id === co.id);
    assert.deepEqual(mine.map((n) => [n.body, n.read]), [['@admin вторая', false], ['@admin первая', true]]);

    // the author reading the note (they are not mentioned) changes nobody's notifications
    assert.equal((await A.post(`/api/notes/${n2.json.id}/read`)).status, 204);
    assert.equal(await unread(admin), 1);
    assert.equal((await admin.post(`/api/notes/${n2.json.id}/read`)).status, 204);
    assert.equal(await unread(admin), 0);
  });
});

describe('notes: who can be mentioned (cleaning: managers see all deals, crews their own)', () => {
  let s, M1;
  before(async () => {
    s = await crmServer('cleaning');
    M1 = await s.as(s.byRole.manager[0]);
  });
  after(async () => { await s?.stop(); });

  it('a deal of a manager: the other managers and the administrator, not the crews', async () => {
    const pl = dealPipelineOf('cleaning');
    assert.ok(pl, 'the cleaning preset has a deal pipeline');
    const deal = await create(M1, 'deals', { title: `Уборка ${tag('cl')}`, pipeline: pl.key });
    const items = await mentionable(M1, 'deal', deal.id, '&limit=50');
    const expected = s.byRole.manager.filter((l) => l !== M1.user.login).concat(s.byRole.admin);
    assert.deepEqual(logins(items).sort(), expected.sort());
    for (const crew of [...s.byRole.cleaner, ...s.byRole.dry_cleaner]) assert.ok(!logins(items).includes(crew), crew + ' is offered');
    // names in any case
    const first = items.find((u) => u.login === s.byRole.manager[1]);
    const word = first.name.split(' ')[0].toUpperCase();
    assert.deepEqual(logins(await mentionable(M1, 'deal', deal.id, '&q=' + encodeURIComponent(word))), [first.login]);
  });
});

describe('notes: two mentions in the same millisecond', () => {
  let s;
  before(async () => { s = await crmServer('dealers', { testClock: true }); });
  after(async () => { await s?.stop(); });

  it('reading one note settles its own notification, not the other written at the same instant', async () => {
    const A = await s.as(s.byRole.agent[0]);
    const co = await create(A, 'companies', { name: `Фирма ${tag('ms')} миг`, pipeline: 'dealers' });
    await s.admin.post('/api/notifications/read', { all: true });
    await freezeClock(s.srv);              // both notes get one clock reading
    const n1 = await A.post('/api/notes', { entity: 'company', record_id: co.id, body: '@admin раз' });
    const n2 = await A.post('/api/notes', { entity: 'company', record_id: co.id, body: '@admin два' });
    assert.equal(n1.status, 201, n1.text);
    assert.equal(n2.status, 201, n2.text);
    assert.equal(n1.json.created_at, n2.json.created_at, 'the clock stood still');
    assert.equal(await unread(s.admin), 2);
    assert.equal((await s.admin.post(`/api/notes/${n2.json.id}/read`)).status, 204);
    const { items, unread: left } = await notifications(s.admin);
    assert.equal(left, 1);
    const mine = items.filter((n) => n.record_id === co.id && n.kind === 'mention');
    assert.deepEqual(mine.map((n) => [n.body, n.read]), [['@admin два', true], ['@admin раз', false]]);
  });
});

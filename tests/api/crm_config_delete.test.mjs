// Deleting pipelines and roles (DELETE /api/pipelines/KEY, DELETE /api/roles/KEY). As in amoCRM
// and Bitrix24 a pipeline goes only when it is empty: its records are a person's to move, so
// live records are 409 pipeline_in_use with their count, and the last deal pipeline stays. A
// role goes only when nobody holds it (409 role_in_use naming how many users and tokens). Both
// are in the timeline, and every refusal writes nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { assertError, assertHealthy, createUser, createToken, loginAs, withoutCsrf } from './helpers.mjs';
import { crmServer, create, timeline, tag } from './crm_helpers.mjs';

const pipelineDoc = (key, entity = 'deal', over = {}) => ({ key, entity, name: 'Воронка ' + key,
  stages: [{ key: 'open', name: 'Открыта', kind: 'open', color: '#3b82f6' }, { key: 'won', name: 'Успех', kind: 'won', color: '#22c55e' }],
  ...over });

describe('deleting pipelines and roles (eshop)', () => {
  let s, admin, operator, t;
  const putPipeline = async (doc) => {
    const r = await admin.req('PUT', `/api/pipelines/${doc.key}/config`, doc);
    assert.equal(r.status, 200, r.text);
    return r.json;
  };
  const putRole = async (key, body = {}) => {
    const r = await admin.req('PUT', '/api/roles/' + key, { name: 'Роль ' + key, capabilities: [], ...body });
    assert.equal(r.status, 200, r.text);
    return r.json;
  };
  before(async () => {
    s = await crmServer('eshop');
    admin = s.admin;
    operator = await s.as(s.byRole.operator[0]);
    t = tag('cd');
  });
  after(async () => { await s?.stop(); });

  it('an empty pipeline is deleted with its stages and rules, and the timeline keeps what it was', async () => {
    const key = 'spare_' + t.slice(2, 8);
    const made = await putPipeline(pipelineDoc(key, 'deal', { transitions: { operator: [['open', 'won']] } }));
    const r = await admin.del('/api/pipelines/' + key);
    assert.equal(r.status, 204, r.text);
    assertError(await admin.get(`/api/pipelines/${key}/config`), 404, 'not_found');
    assert.ok(!(await admin.get('/api/pipelines')).json.items.some((p) => p.key === key), 'gone from the list');
    const ev = (await timeline(admin, 'pipeline', made.id)).find((x) => x.kind === 'delete');
    assert.ok(ev, 'a delete event');
    assert.equal(ev.old.key, key);
    assert.deepEqual(ev.old.stages.map((x) => x.key), ['open', 'won']);
    assert.deepEqual(ev.old.transitions, { operator: [['open', 'won']] });
    assertError(await admin.del('/api/pipelines/' + key), 404, 'not_found');
    // the key is free again
    await putPipeline(pipelineDoc(key));
    assert.equal((await admin.del('/api/pipelines/' + key)).status, 204);
  });

  it('a pipeline with records is 409 pipeline_in_use with the count; deleted records do not hold it', async () => {
    const key = 'busy_' + t.slice(2, 8);
    await putPipeline(pipelineDoc(key));
    const d1 = await create(operator, 'deals', { title: 'Сделка в запасной ' + t, pipeline: key });
    await create(operator, 'deals', { title: 'Вторая в запасной ' + t, pipeline: key });
    let r = await admin.del('/api/pipelines/' + key);
    assertError(r, 409, 'pipeline_in_use', 'key');
    assert.match(r.json.error.message, /^2 records are in pipeline/);
    assert.equal((await admin.get(`/api/pipelines/${key}/config`)).status, 200, 'nothing was deleted');
    assert.equal((await admin.get('/api/deals/' + d1.id)).json.pipeline, key);
    // the orders pipeline of the demo: all its orders
    r = await admin.del('/api/pipelines/orders');
    assertError(r, 409, 'pipeline_in_use', 'key');
    assert.match(r.json.error.message, /^\d+ records are in pipeline "Заказы"/);
    // one deleted, one moved out: the pipeline is empty and goes; the deleted deal stays deleted
    assert.equal((await admin.del('/api/deals/' + d1.id)).status, 204);
    const left = (await admin.get(`/api/deals?q=${encodeURIComponent('Вторая в запасной ' + t)}`)).json.items[0];
    r = await admin.del('/api/pipelines/' + key);
    assert.match(r.json.error.message, /^1 record is in pipeline/);
    assert.equal((await admin.patch('/api/deals/' + left.id, { version: left.version, pipeline: 'orders', stage: 'new' })).status, 200);
    assert.equal((await admin.del('/api/pipelines/' + key)).status, 204);
    assertError(await admin.get('/api/deals/' + d1.id), 404, 'not_found');
    assert.equal((await admin.get('/api/deals/' + left.id)).json.pipeline, 'orders');
  });

  it('a company pipeline counts its companies', async () => {
    const key = 'co_' + t.slice(2, 8);
    await putPipeline(pipelineDoc(key, 'company'));
    const co = await create(admin, 'companies', { name: 'ООО Запас ' + t, pipeline: key });
    assertError(await admin.del('/api/pipelines/' + key), 409, 'pipeline_in_use', 'key');
    assert.equal((await admin.del('/api/companies/' + co.id)).status, 204);
    assert.equal((await admin.del('/api/pipelines/' + key)).status, 204);
  });

  it('pipeline delete bad input: unknown or odd keys 404, no right 403, no CSRF 403, the server keeps serving', async () => {
    for (const key of ['nosuch', 'x'.repeat(3000), '%00', 'ORDERS', '..']) assertError(await admin.del('/api/pipelines/' + key), 404);
    assertError(await operator.del('/api/pipelines/orders'), 403, 'forbidden');
    assertError(await withoutCsrf(admin).del('/api/pipelines/orders'), 403);
    assert.equal((await new Client(s.srv.url).del('/api/pipelines/orders')).status, 401);
    assert.equal((await admin.get('/api/pipelines/orders/config')).status, 200);
    await assertHealthy(s.srv, 'pipeline delete bad input');
  });

  it('a role nobody has is deleted, its moves and visibility with it; the timeline says what it was', async () => {
    const key = 'temp_' + t.slice(2, 10);
    const role = await putRole(key, { capabilities: ['users.read'], scopes: { deal: { read: 'own' } } });
    const pkey = 'seen_' + t.slice(2, 8);
    await putPipeline(pipelineDoc(pkey, 'deal', { visible_to: [key, 'operator'], transitions: { [key]: [['open', 'won']] } }));
    const r = await admin.del('/api/roles/' + key);
    assert.equal(r.status, 204, r.text);
    assert.ok(!(await admin.get('/api/roles')).json.items.some((x) => x.key === key));
    const cfg = (await admin.get(`/api/pipelines/${pkey}/config`)).json;
    assert.deepEqual(cfg.visible_to, ['operator']);
    assert.deepEqual(cfg.transitions, {});
    const ev = (await timeline(admin, 'role', role.id)).find((x) => x.kind === 'delete');
    assert.ok(ev, 'a delete event');
    assert.deepEqual(ev.old, { name: 'Роль ' + key, capabilities: ['users.read'] });
    assertError(await admin.del('/api/roles/' + key), 404, 'not_found');
  });

  it('a role someone holds is 409 role_in_use with the count, deactivated users and live tokens included', async () => {
    const key = 'held_' + t.slice(2, 10);
    await putRole(key);
    const u1 = await createUser(admin, { role: key });
    const u2 = await createUser(admin, { role: key });
    let r = await admin.del('/api/roles/' + key);
    assertError(r, 409, 'role_in_use', 'key');
    assert.match(r.json.error.message, /^2 users \(deactivated ones included\) have this role/);
    assert.equal((await admin.patch('/api/users/' + u1.id, { role: 'operator' })).status, 200);
    assert.equal((await admin.patch('/api/users/' + u2.id, { active: false })).status, 200);
    r = await admin.del('/api/roles/' + key);
    assert.match(r.json.error.message, /^1 user \(deactivated ones included\) has this role/);
    assert.equal((await admin.patch('/api/users/' + u2.id, { role: 'operator' })).status, 200);
    const token = await createToken(admin, key);
    r = await admin.del('/api/roles/' + key);
    assertError(r, 409, 'role_in_use', 'key');
    assert.match(r.json.error.message, /^1 API token has this role/);
    assert.ok((await admin.get('/api/roles')).json.items.some((x) => x.key === key), 'still there');
    assert.equal((await admin.del('/api/tokens/' + token.token.id)).status, 204);
    assert.equal((await admin.del('/api/roles/' + key)).status, 204, 'a revoked token does not hold the role');
    assert.ok(!(await admin.get('/api/tokens')).json.items.some((x) => x.id === token.token.id), 'the revoked token went with it');
    const someone = await loginAs(s.srv, u2.login, u2.password).catch(() => null);
    assert.equal(someone, null, 'the deactivated user still cannot sign in');
  });

  it('a pipeline seen by this role alone keeps the role (422); admin stays; bad input', async () => {
    const key = 'solo_' + t.slice(2, 10);
    await putRole(key);
    const pkey = 'solo_' + t.slice(2, 8);
    await putPipeline(pipelineDoc(pkey, 'deal', { visible_to: [key] }));
    const r = await admin.del('/api/roles/' + key);
    assertError(r, 422, 'pipeline_visibility', 'key');
    assert.match(r.json.error.message, /Воронка solo_/);
    assert.equal((await admin.del('/api/pipelines/' + pkey)).status, 204);
    assert.equal((await admin.del('/api/roles/' + key)).status, 204);

    assertError(await admin.del('/api/roles/admin'), 422, undefined, 'key');
    for (const k of ['nosuch', 'x'.repeat(3000), 'ADMIN', '%2e%2e']) assertError(await admin.del('/api/roles/' + k), 404);
    assertError(await operator.del('/api/roles/master'), 403, 'forbidden');
    assertError(await withoutCsrf(admin).del('/api/roles/master'), 403);
    assertError(await admin.req('DELETE', '/api/roles/master', { extra: 1 }), 409, 'role_in_use');
    assert.ok((await admin.get('/api/roles')).json.items.some((x) => x.key === 'master'));
    await assertHealthy(s.srv, 'role delete bad input');
  });
});

describe('the last deal pipeline', () => {
  let srv;
  after(async () => { await srv?.stop(); });
  it('stays while deleted deals are filed under it (422); without any deals it may go', async () => {
    srv = await startServer();
    const admin = new Client(srv.url);
    assert.equal((await admin.login()).status, 200);
    assert.equal((await admin.req('PUT', '/api/pipelines/first/config', pipelineDoc('first'))).status, 200);
    assert.equal((await admin.del('/api/pipelines/first')).status, 204, 'a business without deals may drop its only deal pipeline');
    assert.equal((await admin.req('PUT', '/api/pipelines/only/config', pipelineDoc('only'))).status, 200);
    assert.equal((await admin.req('PUT', '/api/pipelines/firms/config', pipelineDoc('firms', 'company'))).status, 200);
    const d = await create(admin, 'deals', { title: 'Удалённая сделка', pipeline: 'only' });
    assert.equal((await admin.del('/api/deals/' + d.id)).status, 204);
    const r = await admin.del('/api/pipelines/only');
    assertError(r, 422, undefined, 'key');
    assert.match(r.json.error.message, /only deal pipeline, and its deleted deals need one/);
    assert.equal((await admin.del('/api/pipelines/firms')).status, 204);
    assert.equal((await admin.req('PUT', '/api/pipelines/second/config', pipelineDoc('second'))).status, 200);
    assert.equal((await admin.del('/api/pipelines/only')).status, 204, 'with another deal pipeline it goes');
  });
});

// GET /api/pipelines/KEY/summary: a kanban board's true column totals — per stage, how many
// records the list's filters select within the caller's read scope and, for deals, the amounts
// summed per currency — in one request, whatever the board has loaded. The figures must agree
// with what GET /api/deals?stage=…&count=true walks, for every role.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError } from './helpers.mjs';
import { crmServer, create, tag, all, enc, patchOk } from './crm_helpers.mjs';

describe('pipeline summary (eshop orders)', () => {
  let s, master, t;
  const sumOf = (items) => items.reduce((acc, x) => { acc[x.currency] = (acc[x.currency] || 0) + x.amount; return acc; }, {});
  before(async () => {
    s = await crmServer('eshop');
    master = await s.as(s.byRole.master[0]);
    t = tag();
    // a known set on top of the preset's sample orders: RUB and USD, several stages, two owners
    const plan = [
      ['new', 100000, 'RUB', master.user.id], ['new', 250050, 'RUB', s.ids.admin], ['new', 999, 'USD', master.user.id],
      ['no_answer', 1, 'RUB', master.user.id], ['rescheduled', 0, 'RUB', s.ids.admin], ['done', 1000000000000000, 'RUB', s.ids.admin],
    ];
    for (const [stage, amount, currency, owner] of plan) {
      await create(s.admin, 'deals', { title: `Сводка ${t} ${stage}`, pipeline: 'orders', stage, amount, currency, owner_id: owner });
    }
  });
  after(async () => { await s?.stop(); });

  // What the list says, stage by stage, for the same filters.
  async function fromList(c, filters = '') {
    const out = {};
    for (const stage of ['new', 'no_answer', 'confirmed', 'accepted', 'rescheduled', 'done', 'cancelled']) {
      const items = await all(c, `/api/deals?pipeline=orders&stage=${stage}${filters}`);
      out[stage] = { count: items.length, sums: sumOf(items) };
    }
    return out;
  }

  function assertAgrees(summary, list) {
    assert.deepEqual(summary.stages.map((x) => x.stage), Object.keys(list), 'every stage, in pipeline order');
    let total = 0;
    for (const st of summary.stages) {
      assert.equal(st.count, list[st.stage].count, `count of ${st.stage}`);
      assert.deepEqual(st.sums, list[st.stage].sums, `sums of ${st.stage}`);
      total += st.count;
    }
    assert.equal(summary.total.count, total);
  }

  it('admin: every stage with its count and sums per currency, as the list walks them', async () => {
    const r = await s.admin.get('/api/pipelines/orders/summary');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.pipeline, 'orders');
    assert.equal(r.json.entity, 'deal');
    assert.equal(r.json.amounts, true);
    assertAgrees(r.json, await fromList(s.admin));
    const mine = await s.admin.get(`/api/pipelines/orders/summary?q=${enc(t)}`);
    assert.deepEqual(mine.json.stages.find((x) => x.stage === 'new'), { stage: 'new', count: 3, sums: { RUB: 350050, USD: 999 } });
    assert.deepEqual(mine.json.stages.find((x) => x.stage === 'done').sums, { RUB: 1000000000000000 }, 'a 10^15 amount stays exact');
    assert.deepEqual(mine.json.stages.find((x) => x.stage === 'confirmed'), { stage: 'confirmed', count: 0, sums: {} });
    assert.deepEqual(mine.json.total, { count: 6, sums: { RUB: 1000000000350051, USD: 999 } });
  });

  it('the list\'s filters narrow it the same way (owner, amount range, search, stage)', async () => {
    for (const f of [`&owner=${master.user.id}`, '&amount.from=1000', `&q=${enc(t)}`, '&currency=USD', '&city.empty=true']) {
      const r = await s.admin.get('/api/pipelines/orders/summary?' + f.slice(1));
      assert.equal(r.status, 200, `${f}: ${r.text}`);
      assertAgrees(r.json, await fromList(s.admin, f));
    }
    const one = await s.admin.get(`/api/pipelines/orders/summary?stage=new&q=${enc(t)}`);
    assert.equal(one.json.total.count, 3);
    assert.equal(one.json.stages.find((x) => x.stage === 'done').count, 0);
  });

  it('the read scope applies: a master counts only his own orders', async () => {
    const r = await master.get('/api/pipelines/orders/summary');
    assert.equal(r.status, 200, r.text);
    assertAgrees(r.json, await fromList(master));
    const mine = await master.get(`/api/pipelines/orders/summary?q=${enc(t)}`);
    assert.deepEqual(mine.json.total, { count: 3, sums: { RUB: 100001, USD: 999 } });
  });

  it('moves and deletes show at once', async () => {
    const d = await create(s.admin, 'deals', { title: `Движение ${t}`, pipeline: 'orders', amount: 700, currency: 'RUB' });
    const q = `?q=${enc('Движение ' + t)}`;
    const before = (await s.admin.get('/api/pipelines/orders/summary' + q)).json;
    assert.equal(before.stages.find((x) => x.stage === 'new').count, 1);
    await patchOk(s.admin, 'deals', d.id, { stage: 'no_answer' });
    const moved = (await s.admin.get('/api/pipelines/orders/summary' + q)).json;
    assert.equal(moved.stages.find((x) => x.stage === 'new').count, 0);
    assert.deepEqual(moved.stages.find((x) => x.stage === 'no_answer'), { stage: 'no_answer', count: 1, sums: { RUB: 700 } });
    assert.equal((await s.admin.del('/api/deals/' + d.id)).status, 204);
    assert.equal((await s.admin.get('/api/pipelines/orders/summary' + q)).json.total.count, 0);
  });

  it('a role that may not see amount gets counts and no sums, and may not filter by amount', async () => {
    const key = 'nosum_' + tag().slice(2, 8);
    const role = await s.admin.req('PUT', '/api/roles/' + key, { name: 'Без сумм', capabilities: [],
      scopes: { deal: { read: 'all' } }, hidden_fields: { deal: ['amount'] } });
    assert.equal(role.status, 200, role.text);
    const login = 'nosum' + tag().slice(2, 8);
    assert.equal((await s.admin.post('/api/users', { login, name: 'Без сумм', password: 'admin-pass-1', role: key })).status, 201);
    const c = await s.as(login);
    const r = await c.get(`/api/pipelines/orders/summary?q=${enc(t)}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.amounts, false);
    assert.equal(r.json.total.count, 6);
    assert.ok(r.json.stages.every((x) => x.sums === null) && r.json.total.sums === null, JSON.stringify(r.json));
    assert.ok(!r.text.includes('350050'), 'no amount leaks');
    assertError(await c.get('/api/pipelines/orders/summary?amount.from=1'), 400, 'invalid', 'amount.from');
  });

  it('a company pipeline counts companies (dealers): no sums', async () => {
    const d = await crmServer('dealers');
    try {
      const r = await d.admin.get('/api/pipelines/dealers/summary');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.entity, 'company');
      assert.equal(r.json.amounts, false);
      for (const st of r.json.stages) {
        const items = await all(d.admin, `/api/companies?pipeline=dealers&stage=${st.stage}`);
        assert.equal(st.count, items.length, st.stage);
        assert.equal(st.sums, null);
      }
      assert.ok(r.json.total.count > 0, 'the preset has companies in the pipeline');
    } finally { await d.stop(); }
  });

  it('bad input: clear 4xx, and the server keeps serving', async () => {
    assertError(await s.admin.get('/api/pipelines/nope/summary'), 404, 'not_found');
    assertError(await s.admin.get('/api/pipelines/' + 'x'.repeat(3000) + '/summary'), 404, 'not_found');
    assertError(await s.admin.get('/api/pipelines/orders/summary?nosuch=1'), 400, 'invalid', 'nosuch');
    assertError(await s.admin.get('/api/pipelines/orders/summary?amount.from=abc'), 400, 'invalid', 'amount');
    const unknownStage = await s.admin.get('/api/pipelines/orders/summary?stage=nosuch');
    assert.equal(unknownStage.json.total.count, 0, 'an unknown stage selects nothing, as in the list');
    assertError(await s.admin.get('/api/pipelines/orders/summary?pipeline=orders'), 400, 'invalid', 'pipeline');
    assertError(await s.admin.get('/api/pipelines/orders/summary?q=' + 'я'.repeat(300)), 400, 'invalid', 'q');
    assertError(await s.admin.get('/api/pipelines/orders/summary?cursor=garbage'), 400, 'invalid', 'cursor');
    const many = Array.from({ length: 41 }, (_, i) => `city=${i}`).join('&');
    assertError(await s.admin.get('/api/pipelines/orders/summary?' + many), 400, 'invalid');
    const anon = await fetch(s.srv.url + '/api/pipelines/orders/summary');
    assert.equal(anon.status, 401);
    const r = await s.admin.post('/api/pipelines/orders/summary', {});
    assert.equal(r.status, 405);
    assert.equal((await s.admin.get('/api/pipelines/orders/summary')).status, 200, 'still serving');
  });

  it('a pipeline hidden from the role is 404 (logistics request pool, manager)', async () => {
    const l = await crmServer('logistics');
    try {
      const mgr = await l.as(l.byRole.manager[0]);
      assertError(await mgr.get('/api/pipelines/requests/summary'), 404, 'not_found');
      assert.equal((await mgr.get('/api/pipelines/freight/summary')).status, 200);
      const sup = await l.as(l.byRole.supervisor[0]);
      assert.equal((await sup.get('/api/pipelines/requests/summary')).status, 200);
    } finally { await l.stop(); }
  });
});

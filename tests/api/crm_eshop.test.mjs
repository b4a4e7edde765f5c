// The `eshop` order statuses and who may move them (SCENARIOS.md §3): operators move orders among
// New / No answer / Confirmed / Rescheduled; masters set Accepted into work / Done / Rescheduled.
// Every (from, to) pair is tried for each role and must agree with the moves GET /api/pipelines
// offers that role; the scenario's own rules are then checked on top.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError } from './helpers.mjs';
import { crmServer, create, get, patch, patchOk, mark, presetDoc, tag, uniqPhone } from './crm_helpers.mjs';

const STATUS = { // scenario status → how its stage key looks
  new: /^new$/,
  no_answer: /no_?answer|unreach/,
  confirmed: /confirm/,
  accepted: /accept|in_work|in_progress/,
  rescheduled: /reschedul|postpon/,
  done: /^done$|complete|installed/,
};

describe('eshop transition matrix (operator, master)', () => {
  let s, admin, pl, apiPipeline, st, operator, master, master2;
  before(async () => {
    const doc = presetDoc('eshop');
    pl = (doc.pipelines || []).find((p) => p.entity === 'deal');
    assert.ok(pl, 'presets/eshop/preset.json has no deal pipeline ("pipelines": [{"entity": "deal", …}]): ' +
      'the order statuses New / No answer / Confirmed / Accepted into work / Rescheduled / Done and the ' +
      'operator/master transition matrix of SCENARIOS.md are missing from the eshop preset');
    st = {};
    for (const [k, re] of Object.entries(STATUS)) {
      const found = pl.stages.find((x) => re.test(x.key));
      assert.ok(found, `eshop pipeline ${pl.key}: no stage for the status "${k}" (stages: ${pl.stages.map((x) => x.key)})`);
      st[k] = found.key;
    }
    assert.ok(pl.transitions?.operator && pl.transitions?.master,
      `eshop pipeline ${pl.key} has no transition matrix for the roles operator and master`);
    s = await crmServer('eshop');
    admin = s.admin;
    assert.ok(s.byRole.operator?.length >= 1 && s.byRole.master?.length >= 2, 'operators and masters in the preset');
    operator = await s.as(s.byRole.operator[0]);
    master = await s.as(s.byRole.master[0]);
    master2 = await s.as(s.byRole.master[1]);
    apiPipeline = (await admin.get('/api/pipelines?entity=deal')).json.items.find((p) => p.key === pl.key);
  });
  after(async () => { await s?.stop(); });

  // An order with everything a stage may require filled in and every checklist ticked.
  async function order(owner) {
    const ct = await create(admin, 'contacts', { name: 'Покупатель ' + tag(), phones: [uniqPhone()], owner_id: owner });
    const d = await create(admin, 'deals', {
      title: 'Заказ ' + tag(), pipeline: pl.key, amount: 1850000, currency: 'RUB', contact_id: ct.id,
      address: 'ул. Ленина, 1', city: 'Москва', district: 'ЦАО', region: 'Москва', owner_id: owner,
    });
    for (const [stage, items] of Object.entries(d.checklists || {})) {
      for (const item of items) assert.equal((await mark(admin, 'deals', d.id, stage, item.key, true)).status, 200);
    }
    return d;
  }

  async function setStage(id, stage) {
    const cur = await get(admin, 'deals', id);
    if (cur.stage === stage) return;
    const r = await admin.patch('/api/deals/' + id, { stage, version: cur.version });
    assert.equal(r.status, 200, `admin moves the order to ${stage}: ${r.text}`);
  }

  // Try every pair as `c`; returns the problems found.
  async function walk(role, c, ownerId) {
    const moves = Object.fromEntries((await c.get('/api/pipelines?entity=deal')).json.items
      .find((p) => p.key === pl.key).stages.map((x) => [x.key, x.moves]));
    const problems = [];
    const d = await order(ownerId);
    for (const from of pl.stages.map((x) => x.key)) {
      if (!Array.isArray(moves[from])) { problems.push(`${role}: moves from ${from} is ${JSON.stringify(moves[from])}, a list was expected`); continue; }
      for (const to of pl.stages.map((x) => x.key)) {
        if (to === from) continue;
        await setStage(d.id, from);
        const r = await patch(c, 'deals', d.id, { stage: to });
        const offered = moves[from].includes(to);
        if (offered && r.status !== 200) problems.push(`${role} ${from}→${to}: offered but ${r.status} ${r.text.slice(0, 150)}`);
        if (!offered && !(r.status === 403 && r.json?.error?.code === 'transition_forbidden')) {
          problems.push(`${role} ${from}→${to}: not offered but ${r.status} ${r.text.slice(0, 150)}`);
        }
      }
    }
    return { problems, moves };
  }

  it('the order statuses of the scenario, New first and Done won', () => {
    assert.equal(pl.stages[0].key, st.new, 'a new order starts in New');
    assert.ok(apiPipeline, 'the pipeline is served');
    assert.equal(apiPipeline.stages.find((x) => x.key === st.done).kind, 'won');
  });

  it('operator: every pair agrees with the offered moves; New / No answer / Confirmed / Rescheduled only', async () => {
    const { problems, moves } = await walk('operator', operator, operator.user.id);
    const must = [[st.new, st.confirmed], [st.confirmed, st.new], [st.new, st.no_answer], [st.no_answer, st.confirmed],
      [st.confirmed, st.rescheduled], [st.rescheduled, st.confirmed], [st.no_answer, st.rescheduled]];
    for (const [f, t] of must) if (!moves[f]?.includes(t)) problems.push(`operator must be able to move ${f}→${t}`);
    for (const [f, list] of Object.entries(moves)) {
      for (const t of [st.accepted, st.done]) if (list?.includes(t)) problems.push(`operator must not set ${t} (from ${f})`);
    }
    assert.deepEqual(problems, []);
  });

  it('master: every pair agrees with the offered moves; Accepted / Done / Rescheduled only', async () => {
    const { problems, moves } = await walk('master', master, master.user.id);
    const must = [[st.confirmed, st.accepted], [st.accepted, st.done], [st.accepted, st.rescheduled]];
    for (const [f, t] of must) if (!moves[f]?.includes(t)) problems.push(`master must be able to move ${f}→${t}`);
    for (const [f, list] of Object.entries(moves)) {
      for (const t of [st.new, st.confirmed, st.no_answer]) if (list?.includes(t)) problems.push(`master must not set ${t} (from ${f})`);
    }
    assert.deepEqual(problems, []);
  });

  it('an operator confirms an order and hands it to a master, who works it to Done', async () => {
    const d = await order(operator.user.id);
    assert.equal(d.stage, st.new);
    await patchOk(operator, 'deals', d.id, { stage: st.confirmed });
    assertError(await master.get('/api/deals/' + d.id), 404, 'not_found');
    const handed = await patch(operator, 'deals', d.id, { owner_id: master.user.id });
    assert.equal(handed.status, 200, `the operator hands the order to a master: ${handed.text}`);
    assert.equal((await get(master, 'deals', d.id)).stage, st.confirmed);
    assertError(await master2.get('/api/deals/' + d.id), 404, 'not_found', undefined);
    await patchOk(master, 'deals', d.id, { stage: st.accepted });
    assertError(await patch(master, 'deals', d.id, { stage: st.new }), 403, 'transition_forbidden', 'stage');
    const done = await patchOk(master, 'deals', d.id, { stage: st.done });
    assert.equal(done.stage, st.done);
    assert.equal(typeof done.closed_at, 'number', 'a done order is closed');
    assertError(await patch(operator, 'deals', d.id, { stage: st.new }), 403, 'transition_forbidden', 'stage');
  });

  it('a stage\'s required fields are enforced on entering it (422 required, field named)', async () => {
    const withReq = apiPipeline.stages.filter((x) => x.required_fields.length && x.key !== st.new);
    if (!withReq.length) return; // the preset requires nothing anywhere
    const target = withReq[0];
    const field = target.required_fields[0];
    const d = await create(admin, 'deals', { title: 'Без полей ' + tag(), pipeline: pl.key, currency: 'RUB' });
    const r = await patch(admin, 'deals', d.id, { stage: target.key });
    assertError(r, 422, 'required', field);
    assert.equal((await get(admin, 'deals', d.id)).stage, d.stage, 'the order stayed where it was');
  });
});

// The task list as the record card, the Tasks module and the calendar ask for it: the tasks of
// one record (only for someone who may read it), "any" as every task you may see, latest-first
// order with exact pages, the record's title beside each task, and the server's clock in the
// answer. On the dealers preset: agents see only their own companies, admin sees all.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, assertHealthy } from './helpers.mjs';
import { crmServer, create, tag, enc } from './crm_helpers.mjs';
import { freezeClock } from './activity_helpers.mjs';

const H = 3600000;

describe('crm tasks: by record, visibility, order, titles', () => {
  let s, admin, A, B, L, t, now;

  before(async () => {
    s = await crmServer('dealers', { testClock: true });
    admin = s.admin;
    [A, B] = await Promise.all(s.byRole.agent.slice(0, 2).map((l) => s.as(l)));
    L = await s.as(s.byRole.lead_creator[0]);
    t = tag('tsk');
    now = await freezeClock(s.srv);
  });
  after(async () => { await s?.stop(); });

  const task = async (c, body) => {
    const r = await c.post('/api/tasks', body);
    assert.equal(r.status, 201, `POST /api/tasks ${JSON.stringify(body)}: ${r.status} ${r.text}`);
    return r.json;
  };
  const ids = async (c, q) => {
    const r = await c.get('/api/tasks?' + q);
    assert.equal(r.status, 200, `${q}: ${r.text}`);
    return r.json.items.map((x) => x.id);
  };

  it('the tasks of a record: yours by default; "any" adds the ones you set for others, never a stranger\'s', async () => {
    const co = await create(A, 'companies', { name: `Фирма ${t} карточка`, pipeline: 'dealers' });
    const other = await create(A, 'companies', { name: `Фирма ${t} другая`, pipeline: 'dealers' });
    const mine = await task(A, { title: 'позвонить', kind: 'call', due_at: now + H, entity: 'company', record_id: co.id });
    const fromAdmin = await task(admin, { title: 'встреча', kind: 'meeting', due_at: now + 2 * H, assignee_id: A.user.id, entity: 'company', record_id: co.id });
    const delegated = await task(A, { title: 'проверь', due_at: now + 3 * H, assignee_id: admin.user.id, entity: 'company', record_id: co.id });
    const adminsOwn = await task(admin, { title: 'своё', due_at: now + 4 * H, entity: 'company', record_id: co.id });
    const elsewhere = await task(A, { title: 'не здесь', due_at: now + H, entity: 'company', record_id: other.id });
    const plain = await task(A, { title: 'без записи', due_at: now + H });

    const q = `entity=company&record_id=${co.id}`;
    assert.deepEqual(await ids(A, q), [mine.id, fromAdmin.id], 'assigned to you, on this record only');
    assert.deepEqual(await ids(A, 'assignee=any&' + q), [mine.id, fromAdmin.id, delegated.id],
      'and the one you gave a colleague; not the colleague\'s own');
    assert.deepEqual(await ids(admin, 'assignee=any&' + q), [mine.id, fromAdmin.id, delegated.id, adminsOwn.id], 'admin sees all');
    assert.deepEqual(await ids(A, 'assignee=any&done=false&' + q), [mine.id, fromAdmin.id, delegated.id]);
    const all = await ids(A, 'assignee=any&limit=500');
    for (const x of [mine, fromAdmin, delegated, elsewhere, plain]) assert.ok(all.includes(x.id), `A's "any" lacks ${x.title}`);
    assert.ok(!all.includes(adminsOwn.id), 'a task A neither holds nor set is not A\'s to list');
    assert.deepEqual(await ids(L, 'assignee=any'), [], 'the lead creator has no tasks');
  });

  it('a record you may not read: its task list is 404, the same as for a record that does not exist', async () => {
    const co = await create(A, 'companies', { name: `Фирма ${t} чужая`, pipeline: 'dealers' });
    await task(A, { title: 'моё', due_at: now + H, entity: 'company', record_id: co.id });
    for (const c of [B, L]) {
      assertError(await c.get(`/api/tasks?entity=company&record_id=${co.id}`), 404, 'not_found');
      assertError(await c.get(`/api/tasks?assignee=any&entity=company&record_id=${co.id}`), 404, 'not_found');
    }
    assertError(await A.get('/api/tasks?entity=company&record_id=987654321'), 404, 'not_found');
    assertError(await A.get('/api/tasks?entity=deal&record_id=987654321'), 404, 'not_found');
    assertError(await B.get(`/api/tasks?assignee=${A.user.id}&entity=company&record_id=${co.id}`), 403, 'forbidden', 'assignee');
  });

  it('each task carries its record\'s title while you may read the record; after a hand-over it is null', async () => {
    const name = `Фирма ${t} название`;
    const co = await create(A, 'companies', { name, pipeline: 'dealers' });
    const tk = await task(A, { title: 'отправить КП', kind: 'email', due_at: now + H, entity: 'company', record_id: co.id });
    assert.equal(tk.record_title, name, 'the create answer names the record');
    const plain = await task(A, { title: 'просто', due_at: now + H });
    assert.equal(plain.record_title, null);
    const listed = (await A.get('/api/tasks?limit=500')).json.items;
    assert.equal(listed.find((x) => x.id === tk.id).record_title, name);
    assert.equal(listed.find((x) => x.id === plain.id).record_title, null);
    assert.equal((await A.get('/api/tasks/' + tk.id)).json.record_title, name);
    const renamed = await A.patch('/api/companies/' + co.id, { version: co.version, name: name + ' 2' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal((await A.get('/api/tasks/' + tk.id)).json.record_title, name + ' 2', 'the title is the record\'s current one');

    const moved = await admin.post('/api/companies/reassign', { to_owner_id: B.user.id, ids: [co.id] });
    assert.equal(moved.status, 200, moved.text);
    const after = await A.get('/api/tasks/' + tk.id);
    assert.equal(after.status, 200, 'the task is still A\'s');
    assert.equal(after.json.record_title, null, 'the record is no longer A\'s to see: no title');
    assert.equal(after.json.record_id, co.id);
    assert.equal((await A.get('/api/tasks?limit=500')).json.items.find((x) => x.id === tk.id).record_title, null);
    assertError(await A.get(`/api/tasks?entity=company&record_id=${co.id}`), 404, 'not_found');
    assert.equal((await admin.get('/api/tasks/' + tk.id)).json.record_title, name + ' 2');
  });

  it('sort=-due_at lists latest first with exact keyset pages; the answer carries the server clock', async () => {
    const co = await create(A, 'companies', { name: `Фирма ${t} порядок`, pipeline: 'dealers' });
    const made = [];
    for (const [i, at] of [[0, 5], [1, 1], [2, 3], [3, 3], [4, 2]]) {
      made.push(await task(A, { title: 'p' + i, due_at: now + at * H, entity: 'company', record_id: co.id }));
    }
    const q = `entity=company&record_id=${co.id}`;
    const asc = [made[1], made[4], made[2], made[3], made[0]].map((x) => x.id);
    assert.deepEqual(await ids(A, q), asc);
    assert.deepEqual(await ids(A, q + '&sort=due_at'), asc);
    assert.deepEqual(await ids(A, q + '&sort=%2Bdue_at'), asc);
    assert.deepEqual(await ids(A, q + '&sort=-due_at'), asc.slice().reverse());
    const walked = [];
    let cursor = null;
    for (let i = 0; i < 10; i++) {
      const r = await A.get(`/api/tasks?${q}&sort=-due_at&limit=2` + (cursor ? `&cursor=${enc(cursor)}` : ''));
      assert.equal(r.status, 200, r.text);
      walked.push(...r.json.items.map((x) => x.id));
      if (r.json.next === null) break;
      cursor = r.json.next;
    }
    assert.deepEqual(walked, asc.slice().reverse(), 'each task once across latest-first pages');

    const r = await A.get('/api/tasks?' + q);
    assert.equal(r.json.now, now, 'now is the server\'s (stopped) clock');
    const past = await task(A, { title: 'вчера', due_at: now - 24 * H, entity: 'company', record_id: co.id });
    assert.equal(past.overdue, true);
    const first = (await A.get(`/api/tasks?${q}&due.to=${now}`)).json.items;
    assert.deepEqual(first.map((x) => [x.id, x.overdue]), [[past.id, true]]);
  });

  it('bad list arguments are a clear 400 naming the argument; the server keeps serving', async () => {
    const co = await create(A, 'companies', { name: `Фирма ${t} плохо`, pipeline: 'dealers' });
    for (const [q, code, field] of [
      ['entity=user&record_id=1', 'invalid', 'entity'],
      ['entity=task&record_id=1', 'invalid', 'entity'],
      [`record_id=${co.id}`, 'missing', 'entity'],
      ['entity=company&record_id=0', 'invalid', 'record_id'],
      ['entity=company&record_id=-4', 'invalid', 'record_id'],
      ['entity=company&record_id=99999999999999999999', 'invalid', 'record_id'],
      ['entity=company&record_id=', 'invalid', 'record_id'],
      ['sort=title', 'invalid', 'sort'],
      ['sort=-', 'invalid', 'sort'],
      ['sort=', 'invalid', 'sort'],
      ['assignee=-5', 'invalid', 'assignee'],
      ['assignee=' + 'x'.repeat(3000), 'invalid', 'assignee'],
      ['due.from=' + '9'.repeat(30), 'invalid', 'due.from'],
      ['limit=100000000000000000000', 'invalid', 'limit'],
      ['cursor=0_0', 'invalid', 'cursor'],
      ['cursor=5_-1', 'invalid', 'cursor'],
    ]) assertError(await A.get('/api/tasks?' + q), 400, code, field);
    await assertHealthy(s.srv, 'bad task lists');
  });
});

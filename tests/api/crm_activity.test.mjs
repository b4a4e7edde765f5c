// Notes with @mentions, tasks with reminders, notifications, the live event stream and saved
// filters, on the dealers preset (agents see only their own records; admin sees all) with the
// server's test clock stopped so reminders fire exactly when the test moves time.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, assertHealthy, createUser, createToken, bearerClient, startServer, adminClient, Client } from './helpers.mjs';
import { crmServer, create, tag, timeline, enc, PASSWORD } from './crm_helpers.mjs';
import {
  openEvents, freezeClock, advance, notifications, unread, sleep, waitUntil, TICK_WAIT_MS,
} from './activity_helpers.mjs';

const MIN = 60000;

describe('crm activity: notes, tasks, notifications, events, saved filters', () => {
  let s, admin, A, B, C, D, E, L, t, now;
  const streams = [];
  const events = async (c) => { const x = await openEvents(c); streams.push(x); assert.equal(x.status, 200, x.body); return x; };

  before(async () => {
    s = await crmServer('dealers', { testClock: true });
    admin = s.admin;
    [A, B, C, D, E] = await Promise.all(s.byRole.agent.slice(0, 5).map((l) => s.as(l)));
    L = await s.as(s.byRole.lead_creator[0]);
    t = tag('act');
    now = await freezeClock(s.srv);
  });
  after(async () => {
    for (const x of streams) x.close();
    await s?.stop();
  });

  const notesOf = async (c, entity, id) => {
    const r = await c.get(`/api/notes?entity=${entity}&record_id=${id}&limit=200`);
    assert.equal(r.status, 200, r.text);
    return r.json.items;
  };
  const task = async (c, body) => {
    const r = await c.post('/api/tasks', body);
    assert.equal(r.status, 201, `POST /api/tasks ${JSON.stringify(body)}: ${r.status} ${r.text}`);
    return r.json;
  };
  const taskPatch = async (c, id, body) => {
    const cur = await c.get('/api/tasks/' + id);
    assert.equal(cur.status, 200, cur.text);
    const r = await c.patch('/api/tasks/' + id, { version: cur.json.version, ...body });
    assert.equal(r.status, 200, `PATCH task ${JSON.stringify(body)}: ${r.status} ${r.text}`);
    return r.json;
  };

  // ---- notes and mentions ----

  it('a mention reaches the colleague at once (list and live stream) and is pinned for them until read', async () => {
    const co = await create(A, 'companies', { name: `Фирма ${t} упоминание`, pipeline: 'dealers' });
    const streamA = await events(A);
    const streamB = await events(B);
    const unreadBefore = await unread(A);
    const r = await admin.post('/api/notes', { entity: 'company', record_id: co.id, body: `@${A.user.login} позвони им до пятницы` });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.author_id, admin.user.id);
    assert.deepEqual(r.json.mentions.map((m) => [m.user_id, m.read]), [[A.user.id, false]]);
    assert.equal(r.json.pinned, false, 'a note is not pinned for its author');

    const ev = await streamA.waitFor((e) => e.event === 'notification' && e.data.kind === 'mention' && e.data.record_id === co.id);
    assert.ok(ev, `the mentioned colleague's open stream got no notification; got ${JSON.stringify(streamA.events)}`);
    assert.equal(ev.data.entity, 'company');
    assert.match(ev.data.body, /позвони им до пятницы/);
    assert.match(ev.data.title, new RegExp(t), 'the notification names the record');
    assert.equal(ev.data.read, false);

    const list = await A.get('/api/notifications?unread=true');
    assert.equal(list.status, 200);
    assert.equal(list.json.unread, unreadBefore + 1);
    assert.equal(list.json.items[0].id, ev.data.id, 'the pushed notification is the one in the list');
    assert.equal(list.json.items[0].kind, 'mention');

    let [note] = await notesOf(A, 'company', co.id);
    assert.equal(note.id, r.json.id);
    assert.equal(note.pinned, true, 'pinned for the mentioned colleague');
    [note] = await notesOf(admin, 'company', co.id);
    assert.equal(note.pinned, false, 'not pinned for the author');

    await sleep(300);
    assert.equal(streamB.count((e) => e.event === 'notification'), 0, 'a colleague who was not mentioned heard of it');

    const rd = await A.post(`/api/notes/${r.json.id}/read`);
    assert.equal(rd.status, 204, rd.text);
    [note] = await notesOf(A, 'company', co.id);
    assert.equal(note.pinned, false, 'read: no longer pinned');
    assert.equal(note.mentions[0].read, true);
    [note] = await notesOf(admin, 'company', co.id);
    assert.equal(note.mentions[0].read, true, 'the author sees that it was read');
    assert.equal((await A.post(`/api/notes/${r.json.id}/read`)).status, 204, 'reading twice is harmless');
    [note] = await notesOf(A, 'company', co.id);
    assert.equal(note.pinned, false);

    const ev2 = (await timeline(admin, 'company', co.id)).find((e) => e.kind === 'note');
    assert.ok(ev2, 'the note is in the record timeline');
    assert.equal(ev2.new, `@${A.user.login} позвони им до пятницы`);
  });

  it('a mention cannot target someone who cannot see the record, an unknown or a deactivated user; nothing is written', async () => {
    const co = await create(A, 'companies', { name: `Фирма ${t} чужая`, pipeline: 'dealers' });
    const ct = await create(A, 'contacts', { name: `Контакт ${t}` });
    const gone = await createUser(admin, { role: 'agent' });
    assert.equal((await admin.patch('/api/users/' + gone.id, { active: false })).status, 200);
    const unreadB = await unread(B);
    const unreadAdmin = await unread(admin);

    let r = await A.post('/api/notes', { entity: 'company', record_id: co.id, body: `@${B.user.login} глянь` });
    assertError(r, 422, 'invalid', 'body');
    assert.match(r.json.error.message, new RegExp(B.user.login.replace('.', '\\.')), 'the answer names who cannot see it');

    r = await A.post('/api/notes', { entity: 'company', record_id: co.id, body: `@admin и @${B.user.login}, смотрите` });
    assertError(r, 422, 'invalid', 'body');

    r = await A.post('/api/notes', { entity: 'contact', record_id: ct.id, body: `@${L.user.login} это дубль?` });
    assertError(r, 422, 'invalid', 'body'); // lead creators cannot read contacts at all

    r = await A.post('/api/notes', { entity: 'company', record_id: co.id, body: '@nobody-zz-1 привет' });
    assertError(r, 400, 'invalid', 'body');
    r = await A.post('/api/notes', { entity: 'company', record_id: co.id, body: `@${gone.login} ты тут?` });
    assertError(r, 400, 'invalid', 'body');

    assert.deepEqual(await notesOf(A, 'company', co.id), [], 'a refused note was stored');
    assert.deepEqual(await notesOf(A, 'contact', ct.id), []);
    assert.equal(await unread(B), unreadB, 'the refused mention notified someone');
    assert.equal(await unread(admin), unreadAdmin, 'a note refused for one mention still notified another');
    const tl = await timeline(admin, 'company', co.id);
    assert.equal(tl.filter((e) => e.kind === 'note').length, 0, 'a refused note is in the timeline');
  });

  it('mentions: e-mail addresses are not mentions, one notification per person, none for yourself', async () => {
    const co = await create(A, 'companies', { name: `Фирма ${t} разбор`, pipeline: 'dealers' });
    const ua = await unread(admin);
    const uA = await unread(A);
    let r = await A.post('/api/notes', { entity: 'company', record_id: co.id, body: 'Пишите на sales@admin.ru, не звоните' });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.mentions, []);
    assert.equal(await unread(admin), ua, 'an e-mail address notified a user');

    r = await A.post('/api/notes', { entity: 'company', record_id: co.id, body: '@admin, @admin и ещё раз @Admin.' });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.mentions.map((m) => m.user_id), [admin.user.id]);
    assert.equal(await unread(admin), ua + 1, 'one note, one notification per person');

    r = await A.post('/api/notes', { entity: 'company', record_id: co.id, body: `напоминание себе @${A.user.login}` });
    assert.equal(r.status, 201, r.text);
    assert.equal(await unread(A), uA, 'mentioning yourself notifies yourself');
  });

  it('notes: newest first in exact pages, only for who can read the record, deleted by the author or an administrator', async () => {
    const co = await create(A, 'companies', { name: `Фирма ${t} заметки`, pipeline: 'dealers' });
    const ids = [];
    for (let i = 0; i < 5; i++) {
      const r = await A.post('/api/notes', { entity: 'company', record_id: co.id, body: `заметка ${i}` });
      assert.equal(r.status, 201, r.text);
      ids.push(r.json.id);
    }
    const seen = [];
    let cursor = null;
    for (let i = 0; i < 10; i++) {
      const r = await A.get(`/api/notes?entity=company&record_id=${co.id}&limit=2` + (cursor ? `&cursor=${cursor}` : ''));
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.items.length <= 2);
      seen.push(...r.json.items.map((n) => n.id));
      if (r.json.next === null) break;
      cursor = r.json.next;
    }
    assert.deepEqual(seen, [...ids].reverse(), 'each note exactly once, newest first');

    assertError(await B.get(`/api/notes?entity=company&record_id=${co.id}`), 404, 'not_found');
    assertError(await L.get(`/api/notes?entity=company&record_id=${co.id}`), 404, 'not_found');
    assertError(await B.post('/api/notes', { entity: 'company', record_id: co.id, body: 'чужое' }), 400, 'invalid', 'record_id');
    assertError(await B.del('/api/notes/' + ids[0]), 404, 'not_found');
    assertError(await B.post(`/api/notes/${ids[0]}/read`), 404, 'not_found');

    const adminNote = await admin.post('/api/notes', { entity: 'company', record_id: co.id, body: 'от администратора' });
    assert.equal(adminNote.status, 201);
    assertError(await A.del('/api/notes/' + adminNote.json.id), 403, 'forbidden');
    assert.equal((await A.del('/api/notes/' + ids[0])).status, 204);
    assert.equal((await admin.del('/api/notes/' + ids[1])).status, 204, 'an administrator removes any note');
    assertError(await A.del('/api/notes/' + ids[0]), 404, 'not_found');
    assertError(await A.post(`/api/notes/${ids[0]}/read`), 404, 'not_found');
    const left = (await notesOf(A, 'company', co.id)).map((n) => n.id);
    assert.deepEqual(left, [adminNote.json.id, ids[4], ids[3], ids[2]]);
    const del = (await timeline(admin, 'company', co.id)).filter((e) => e.kind === 'note_deleted');
    assert.deepEqual(del.map((e) => e.old).sort(), ['заметка 0', 'заметка 1']);
  });

  it('notes: bad input is a clear 4xx naming the field, nothing is stored', async () => {
    const co = await create(A, 'companies', { name: `Фирма ${t} плохие заметки`, pipeline: 'dealers' });
    for (const body of ['{"entity":', '', 'null', '[]', '"x"', `{"entity":"company","entity":"deal","record_id":${co.id},"body":"x"}`]) {
      assertError(await A.post('/api/notes', body), 400, 'bad_json');
    }
    assertError(await A.post('/api/notes', 'body=x', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
    const ok = { entity: 'company', record_id: co.id, body: 'текст' };
    const cases = [
      [{ record_id: co.id, body: 'x' }, 400, 'missing', 'entity'],
      [{ ...ok, entity: 'user' }, 400, 'invalid', 'entity'],
      [{ ...ok, entity: 5 }, 400, 'invalid', 'entity'],
      [{ ...ok, entity: '' }, 400, 'invalid', 'entity'],
      [{ entity: 'company', body: 'x' }, 400, 'missing', 'record_id'],
      [{ ...ok, record_id: String(co.id) }, 400, 'invalid', 'record_id'],
      [{ ...ok, record_id: 0 }, 400, 'invalid', 'record_id'],
      [{ ...ok, record_id: -1 }, 400, 'invalid', 'record_id'],
      [{ ...ok, record_id: 1.5 }, 400, 'invalid', 'record_id'],
      [{ ...ok, record_id: 987654321 }, 400, 'invalid', 'record_id'],
      [{ ...ok, entity: 'contact' }, 400, 'invalid', 'record_id'], // a company id is no contact of A's
      [{ entity: 'company', record_id: co.id }, 400, 'missing', 'body'],
      [{ ...ok, body: '' }, 400, 'invalid', 'body'],
      [{ ...ok, body: 5 }, 400, 'invalid', 'body'],
      [{ ...ok, body: ['x'] }, 400, 'invalid', 'body'],
      [{ ...ok, body: 'я'.repeat(10001) }, 400, 'invalid', 'body'],
      [{ ...ok, pinned: true }, 400, 'invalid', 'pinned'],
    ];
    for (const [body, status, code, field] of cases) {
      const r = await A.post('/api/notes', body);
      assertError(r, status, code, field);
    }
    const huge = await A.post('/api/notes', `{"entity":"company","record_id":99999999999999999999999,"body":"x"}`);
    assert.equal(huge.status, 400, huge.text);
    assert.equal((await A.post('/api/notes', { ...ok, body: 'я'.repeat(10000) })).status, 201, '10000 characters are allowed');

    const tok = await createToken(admin, 'integration');
    assertError(await bearerClient(s.srv.url, tok.secret).post('/api/notes', { entity: 'company', record_id: co.id, body: 'x' }), 403, 'forbidden');

    assertError(await A.get('/api/notes?record_id=' + co.id), 400, 'missing', 'entity');
    assertError(await A.get('/api/notes?entity=company'), 400, 'invalid', 'record_id');
    assertError(await A.get('/api/notes?entity=company&record_id=abc'), 400, 'invalid', 'record_id');
    assertError(await A.get('/api/notes?entity=nope&record_id=' + co.id), 400, 'invalid', 'entity');
    assertError(await A.get('/api/notes?entity=company&record_id=987654321'), 404, 'not_found');
    assertError(await A.get(`/api/notes?entity=company&record_id=${co.id}&limit=0`), 400, 'invalid', 'limit');
    assertError(await A.get(`/api/notes?entity=company&record_id=${co.id}&cursor=zz`), 400, 'invalid', 'cursor');
    assertError(await A.post('/api/notes/abc/read'), 404, 'not_found');
    assertError(await A.post('/api/notes/99999999/read'), 404, 'not_found');
    assertError(await A.del('/api/notes/0'), 404, 'not_found');
    assertError(await A.req('PATCH', '/api/notes/1', { body: 'x' }), 405, 'method_not_allowed');
    assert.equal((await notesOf(A, 'company', co.id)).length, 1, 'only the one good note was stored');
    await assertHealthy(s.srv, 'bad notes');
  });

  // ---- tasks ----

  it('tasks: create, read, complete, reopen, delete; the record timeline shows them; only assignee, author or admin see one', async () => {
    const co = await create(A, 'companies', { name: `Фирма ${t} задачи`, pipeline: 'dealers' });
    const tk = await task(A, { title: `Позвонить ${t}`, kind: 'call', due_at: now + 3600000, entity: 'company', record_id: co.id });
    assert.equal(tk.kind, 'call');
    assert.equal(tk.assignee_id, A.user.id, 'a task is yours unless assigned');
    assert.equal(tk.created_by, A.user.id);
    assert.equal(tk.entity, 'company');
    assert.equal(tk.record_id, co.id);
    assert.equal(tk.done, false);
    assert.equal(tk.done_at, null);
    assert.equal(tk.overdue, false);
    assert.equal(tk.version, 1);
    const plain = await task(A, { title: 'без записи', due_at: now + 7200000 });
    assert.equal(plain.kind, 'other');
    assert.equal(plain.entity, null);
    assert.equal(plain.record_id, null);

    assert.equal((await A.get('/api/tasks/' + tk.id)).status, 200);
    assert.equal((await admin.get('/api/tasks/' + tk.id)).status, 200);
    assertError(await B.get('/api/tasks/' + tk.id), 404, 'not_found');
    assertError(await B.patch('/api/tasks/' + tk.id, { version: 1, title: 'x' }), 404, 'not_found');
    assertError(await B.del('/api/tasks/' + tk.id), 404, 'not_found');

    let done = await taskPatch(A, tk.id, { done: true });
    assert.equal(done.done, true);
    assert.equal(done.done_at, now, 'done at the (stopped) server time');
    assert.equal(done.version, 2);
    assertError(await A.patch('/api/tasks/' + tk.id, { version: 1, title: 'старое' }), 409, 'stale', 'version');
    done = await taskPatch(A, tk.id, { done: false });
    assert.equal(done.done, false);
    assert.equal(done.done_at, null);

    const tl = await timeline(A, 'company', co.id);
    assert.ok(tl.some((e) => e.kind === 'task' && e.new === `Позвонить ${t}`), 'the task is in the record timeline');
    assert.ok(tl.some((e) => e.kind === 'task_done'), 'its completion is in the record timeline');

    assert.equal((await A.del('/api/tasks/' + plain.id)).status, 204);
    assertError(await A.get('/api/tasks/' + plain.id), 404, 'not_found');
    assertError(await A.del('/api/tasks/' + plain.id), 404, 'not_found');
  });

  it('giving someone a task notifies them at once; handing it on notifies the new assignee and the old one loses it', async () => {
    const sB = await events(B);
    const sC = await events(C);
    const uA = await unread(A);
    const tk = await task(A, { title: `Отправить КП ${t}`, kind: 'email', due_at: now + 86400000, assignee_id: B.user.id });
    const ev = await sB.waitFor((e) => e.event === 'notification' && e.data.kind === 'task_assigned' && e.data.title.includes(`Отправить КП ${t}`));
    assert.ok(ev, `the assignee's stream got nothing: ${JSON.stringify(sB.events)}`);
    assert.ok((await notifications(B, 'unread=true')).items.some((n) => n.id === ev.data.id));
    assert.equal((await B.get('/api/tasks/' + tk.id)).status, 200, 'the assignee sees the task');
    const mine = await B.get('/api/tasks?assignee=me');
    assert.ok(mine.json.items.some((x) => x.id === tk.id), 'the task is in the assignee\'s list');

    const moved = await taskPatch(A, tk.id, { assignee_id: C.user.id });
    assert.equal(moved.assignee_id, C.user.id);
    assert.ok(await sC.waitFor((e) => e.event === 'notification' && e.data.kind === 'task_assigned' && e.data.title.includes(`Отправить КП ${t}`)),
      'the new assignee was not notified');
    assertError(await B.get('/api/tasks/' + tk.id), 404, 'not_found');
    assert.equal((await C.get('/api/tasks/' + tk.id)).status, 200);
    await task(A, { title: 'себе', due_at: now + 86400000, assignee_id: A.user.id });
    assert.equal(await unread(A), uA, 'a task you give yourself notifies you');
    assert.equal(sB.count((e) => e.data?.kind === 'task_assigned'), 1, 'one notification per assignment');
  });

  it('a task about a record is not given to someone who cannot open that record', async () => {
    // Same rule as for mentions (docs/decisions.md): a notification about something the
    // colleague cannot open helps nobody.
    const co = await create(A, 'companies', { name: `Фирма ${t} не видно`, pipeline: 'dealers' });
    const uB = await unread(B);
    const r = await A.post('/api/tasks', { title: 'глянь фирму', due_at: now + MIN, assignee_id: B.user.id, entity: 'company', record_id: co.id });
    assert.ok(r.status === 422 || r.status === 400, `expected 422/400, got ${r.status} ${r.text}`);
    assert.equal(r.json?.error?.field, 'assignee_id');
    assert.equal(await unread(B), uB, 'the colleague was notified of a record they cannot open');
  });

  it('task list: mine by default, open/done, due range, by record, exact keyset pages; another user\'s tasks need an administrator', async () => {
    const co = await create(E, 'companies', { name: `Фирма ${t} календарь`, pipeline: 'dealers' });
    const H = 3600000;
    const t1 = await task(E, { title: 'a', due_at: now + H });
    const t2 = await task(E, { title: 'b', due_at: now + H });
    const t3 = await task(E, { title: 'c', due_at: now + 2 * H, entity: 'company', record_id: co.id });
    const t4 = await task(E, { title: 'd', due_at: now + 3 * H });
    const t5 = await task(E, { title: 'e', due_at: now + 4 * H });
    await taskPatch(E, t5.id, { done: true });
    const list = async (q) => {
      const r = await E.get('/api/tasks?' + q);
      assert.equal(r.status, 200, `${q}: ${r.text}`);
      return r.json.items.map((x) => x.id);
    };
    assert.deepEqual(await list(''), [t1.id, t2.id, t3.id, t4.id, t5.id], 'by due time, then id');
    assert.deepEqual(await list('assignee=me&done=false'), [t1.id, t2.id, t3.id, t4.id]);
    assert.deepEqual(await list('done=true'), [t5.id]);
    assert.deepEqual(await list(`due.from=${now + 2 * H}&due.to=${now + 3 * H}`), [t3.id, t4.id], 'inclusive range');
    assert.deepEqual(await list(`entity=company&record_id=${co.id}`), [t3.id]);
    assert.deepEqual(await list(`assignee=${E.user.id}`), [t1.id, t2.id, t3.id, t4.id, t5.id]);

    const walked = [];
    let cursor = null;
    for (let i = 0; i < 10; i++) {
      const r = await E.get('/api/tasks?limit=2' + (cursor ? `&cursor=${enc(cursor)}` : ''));
      assert.equal(r.status, 200, r.text);
      walked.push(...r.json.items.map((x) => x.id));
      if (r.json.next === null) break;
      cursor = r.json.next;
    }
    assert.deepEqual(walked, [t1.id, t2.id, t3.id, t4.id, t5.id], 'each task exactly once across pages');

    // "any" is every task E may see: E's own here (tasks/record filters: crm_tasks.test.mjs)
    assert.deepEqual(await list('assignee=any'), [t1.id, t2.id, t3.id, t4.id, t5.id]);
    assertError(await E.get('/api/tasks?assignee=' + A.user.id), 403, 'forbidden', 'assignee');
    const adm = await admin.get(`/api/tasks?assignee=${E.user.id}&limit=500`);
    assert.deepEqual(adm.json.items.map((x) => x.id), [t1.id, t2.id, t3.id, t4.id, t5.id]);
    const any = await admin.get('/api/tasks?assignee=any&limit=500');
    assert.ok([t1.id, t5.id].every((id) => any.json.items.some((x) => x.id === id)));

    for (const [q, field] of [['assignee=bob', 'assignee'], ['assignee=0', 'assignee'], ['done=maybe', 'done'],
      ['due.from=tomorrow', 'due.from'], ['due.to=1.5', 'due.to'], ['entity=company', 'record_id'],
      ['entity=company&record_id=x', 'record_id'], ['limit=0', 'limit'], ['limit=501', 'limit'], ['limit=ten', 'limit'],
      ['cursor=garbage', 'cursor'], ['cursor=1_', 'cursor'], ['cursor=_5', 'cursor']]) {
      assertError(await E.get('/api/tasks?' + q), 400, 'invalid', field);
    }
  });

  it('tasks: bad input is a clear 4xx naming the field; nothing is created or changed', async () => {
    const co = await create(A, 'companies', { name: `Фирма ${t} плохие задачи`, pipeline: 'dealers' });
    const coB = await create(B, 'companies', { name: `Фирма ${t} у Б`, pipeline: 'dealers' });
    const gone = await createUser(admin, { role: 'agent' });
    assert.equal((await admin.patch('/api/users/' + gone.id, { active: false })).status, 200);
    const count = async () => (await admin.get('/api/tasks?assignee=any&limit=500')).json.items.length;
    const before = await count();
    for (const body of ['{"title":', '', 'null', '[]', '{"title":"a","title":"b","due_at":1}']) {
      assertError(await A.post('/api/tasks', body), 400, 'bad_json');
    }
    assertError(await A.post('/api/tasks', 'title=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
    const ok = { title: 'задача', due_at: now + MIN };
    const cases = [
      [{ due_at: now }, 'missing', 'title'],
      [{ ...ok, title: '' }, 'invalid', 'title'],
      [{ ...ok, title: 5 }, 'invalid', 'title'],
      [{ ...ok, title: 'я'.repeat(501) }, 'invalid', 'title'],
      [{ ...ok, kind: 'fax' }, 'invalid', 'kind'],
      [{ ...ok, kind: 1 }, 'invalid', 'kind'],
      [{ title: 'x' }, 'missing', 'due_at'],
      [{ ...ok, due_at: '2030-01-01T10:00' }, 'invalid', 'due_at'],
      [{ ...ok, due_at: -1 }, 'invalid', 'due_at'],
      [{ ...ok, due_at: 1.5 }, 'invalid', 'due_at'],
      [{ ...ok, due_at: 32503680000001 }, 'invalid', 'due_at'],
      [{ ...ok, assignee_id: 0 }, 'invalid', 'assignee_id'],
      [{ ...ok, assignee_id: String(B.user.id) }, 'invalid', 'assignee_id'],
      [{ ...ok, assignee_id: 987654 }, 'invalid', 'assignee_id'],
      [{ ...ok, assignee_id: gone.id }, 'invalid', 'assignee_id'],
      [{ ...ok, entity: 'company' }, 'missing', 'record_id'],
      [{ ...ok, record_id: co.id }, 'missing', 'entity'],
      [{ ...ok, entity: 'user', record_id: 1 }, 'invalid', 'entity'],
      [{ ...ok, entity: 'company', record_id: 987654321 }, 'invalid', 'record_id'],
      [{ ...ok, entity: 'company', record_id: coB.id }, 'invalid', 'record_id'],
      [{ ...ok, entity: 'company', record_id: '1' }, 'invalid', 'record_id'],
      [{ ...ok, done: true }, 'invalid', 'done'],
      [{ ...ok, version: 1 }, 'invalid', 'version'],
    ];
    for (const [body, code, field] of cases) assertError(await A.post('/api/tasks', body), 400, code, field);
    assert.equal(await count(), before, 'a refused task was stored');

    const tk = await task(A, { ...ok, entity: 'company', record_id: co.id });
    const pcases = [
      [{ title: 'x' }, 'missing', 'version'],
      [{ version: '1' }, 'invalid', 'version'],
      [{ version: 0 }, 'invalid', 'version'],
      [{ version: 1, done: 'yes' }, 'invalid', 'done'],
      [{ version: 1, entity: 'deal' }, 'invalid', 'entity'],
      [{ version: 1, record_id: 5 }, 'invalid', 'record_id'],
      [{ version: 1, due_at: 'soon' }, 'invalid', 'due_at'],
      [{ version: 1, kind: 'fax' }, 'invalid', 'kind'],
      [{ version: 1, title: null }, 'invalid', 'title'],
      [{ version: 1, assignee_id: gone.id }, 'invalid', 'assignee_id'],
    ];
    for (const [body, code, field] of pcases) assertError(await A.patch('/api/tasks/' + tk.id, body), 400, code, field);
    assertError(await A.patch('/api/tasks/' + tk.id, '{"version":1,'), 400, 'bad_json');
    assertError(await A.patch('/api/tasks/99999999', { version: 1, title: 'x' }), 404, 'not_found');
    assertError(await A.patch('/api/tasks/abc', { version: 1, title: 'x' }), 404, 'not_found');
    const same = await A.get('/api/tasks/' + tk.id);
    assert.equal(same.json.version, 1, 'a refused PATCH changed the task');
    assert.equal(same.json.assignee_id, A.user.id);

    await assertHealthy(s.srv, 'bad tasks');
  });

  it('a reminder fires once when the task falls due, not before; moving it later re-arms it; done or deleted tasks never fire', async () => {
    const sD = await events(D);
    const title1 = `Перезвонить ${t}`, title2 = `Перезвонить снова ${t}`, doneTitle = `Сделано ${t}`, delTitle = `Удалено ${t}`;
    const start = await advance(s.srv, 0);
    const t1 = await task(D, { title: title1, kind: 'call', due_at: start + 10 * MIN });
    const td = await task(D, { title: doneTitle, due_at: start + 5 * MIN });
    const tx = await task(D, { title: delTitle, due_at: start + 5 * MIN });
    await taskPatch(D, td.id, { done: true });
    assert.equal((await D.del('/api/tasks/' + tx.id)).status, 204);
    const due = async (title) => (await notifications(D)).items.filter((n) => n.kind === 'task_due' && n.title === title);
    const pushed = (title) => sD.count((e) => e.event === 'notification' && e.data.kind === 'task_due' && e.data.title === title);

    await sleep(TICK_WAIT_MS);
    assert.equal((await due(title1)).length, 0, 'fired before its time');
    await advance(s.srv, 10 * MIN - 1000); // one second before due
    await sleep(TICK_WAIT_MS);
    assert.equal((await due(title1)).length, 0, 'fired a second early');
    assert.equal((await D.get('/api/tasks/' + t1.id)).json.overdue, false);

    await advance(s.srv, 2000);
    const fired = await waitUntil(async () => (await due(title1)).length > 0, 4000);
    assert.ok(fired, 'the reminder did not fire at the due time');
    const [n] = await due(title1);
    assert.equal(n.read, false);
    assert.equal(n.body, 'call', 'the reminder tells the kind of task');
    assert.ok(await sD.waitFor((e) => e.event === 'notification' && e.data.kind === 'task_due' && e.data.title === title1),
      'the reminder was not pushed to the open stream');
    assert.equal((await D.get('/api/tasks/' + t1.id)).json.overdue, true, 'a task past due is overdue');

    await advance(s.srv, 5 * MIN);
    await sleep(TICK_WAIT_MS);
    assert.equal((await due(title1)).length, 1, 'a reminder fired twice');
    await taskPatch(D, t1.id, { title: title2 }); // a new title is no new due time
    await sleep(TICK_WAIT_MS);
    assert.equal((await due(title2)).length, 0, 'renaming a task re-armed its reminder');

    const cur = await advance(s.srv, 0);
    const later = await taskPatch(D, t1.id, { due_at: cur + 30 * MIN });
    assert.equal(later.overdue, false);
    await advance(s.srv, 29 * MIN);
    await sleep(TICK_WAIT_MS);
    assert.equal((await due(title2)).length, 0, 'the moved task fired before its new time');
    await advance(s.srv, 2 * MIN);
    assert.ok(await waitUntil(async () => (await due(title2)).length === 1, 4000), 'moving a task later did not re-arm its reminder');
    await sleep(TICK_WAIT_MS);
    assert.equal((await due(title2)).length, 1);
    assert.equal(pushed(title1) + pushed(title2), 2, 'the stream got each reminder exactly once');

    assert.equal((await due(doneTitle)).length, 0, 'a done task fired');
    assert.equal((await due(delTitle)).length, 0, 'a deleted task fired');
    assert.equal(pushed(doneTitle) + pushed(delTitle), 0);
  });

  // ---- notifications ----

  it('notifications: unread count, mark some or all read, exact pages; nobody marks another person\'s', async () => {
    const titles = [];
    for (let i = 0; i < 5; i++) {
      titles.push(`Счёт ${i} ${t}`);
      await task(A, { title: titles[i], due_at: now + 86400000 * 3, assignee_id: C.user.id });
    }
    await C.post('/api/notifications/read', { all: true });
    assert.equal(await unread(C), 0);
    for (let i = 0; i < 3; i++) await task(A, { title: `Ещё ${i} ${t}`, due_at: now + 86400000 * 3, assignee_id: C.user.id });
    const u = await C.get('/api/notifications?unread=true');
    assert.equal(u.json.unread, 3);
    assert.equal(u.json.items.length, 3);
    assert.ok(u.json.items.every((n) => n.read === false));

    const target = u.json.items[1].id;
    const other = await A.post('/api/notifications/read', { ids: [target] });
    assert.equal(other.status, 200, 'reading an id that is not yours is a no-op for you');
    assert.equal(await unread(C), 3, 'someone else marked my notification read');

    const r = await C.post('/api/notifications/read', { ids: [target] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.unread, 2, 'the answer carries the new unread count');
    const all = await notifications(C);
    assert.equal(all.items.find((n) => n.id === target).read, true);
    assert.ok(!(await C.get('/api/notifications?unread=true')).json.items.some((n) => n.id === target));
    assert.equal((await C.post('/api/notifications/read', { ids: [target, target] })).json.unread, 2, 'reading twice is harmless');
    assert.equal((await C.post('/api/notifications/read', { all: true })).json.unread, 0);
    assert.equal(await unread(C), 0);

    const ids = [];
    let cursor = null;
    for (let i = 0; i < 20; i++) {
      const p = await C.get('/api/notifications?limit=3' + (cursor ? `&cursor=${cursor}` : ''));
      assert.equal(p.status, 200, p.text);
      ids.push(...p.json.items.map((n) => n.id));
      if (p.json.next === null) break;
      cursor = p.json.next;
    }
    assert.deepEqual(ids, all.items.map((n) => n.id), 'pages walk every notification exactly once, newest first');
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.length >= 8);
  });

  it('notifications: bad input is a clear 400', async () => {
    const before = await unread(B);
    for (const [body, code, field] of [
      [{}, 'invalid', 'ids'],
      [{ ids: [] }, 'invalid', 'ids'],
      [{ ids: 5 }, 'invalid', 'ids'],
      [{ ids: ['1'] }, 'invalid', 'ids'],
      [{ ids: [0] }, 'invalid', 'ids'],
      [{ ids: [1.5] }, 'invalid', 'ids'],
      [{ ids: [null] }, 'invalid', 'ids'],
      [{ ids: Array.from({ length: 201 }, (_, i) => i + 1) }, 'invalid', 'ids'],
      [{ all: 'yes' }, 'invalid', 'all'],
      [{ all: false }, 'invalid', 'ids'],
      [{ all: true, extra: 1 }, 'invalid', 'extra'],
    ]) assertError(await B.post('/api/notifications/read', body), 400, code, field);
    for (const body of ['{"all":', '', 'null', '[1,2]', '{"all":true,"all":false}']) {
      assertError(await B.post('/api/notifications/read', body), 400, 'bad_json');
    }
    assert.equal(await unread(B), before, 'a refused request marked something read');
    assertError(await B.get('/api/notifications?limit=0'), 400, 'invalid', 'limit');
    assertError(await B.get('/api/notifications?limit=201'), 400, 'invalid', 'limit');
    assertError(await B.get('/api/notifications?cursor=abc'), 400, 'invalid', 'cursor');
    assertError(await new Client(s.srv.url).get('/api/notifications'), 401, 'unauthorized');
  });

  // ---- the live stream ----

  it('event stream: sign-in required; an API token does not get a person\'s notifications', async () => {
    const anon = await openEvents(new Client(s.srv.url));
    streams.push(anon);
    assert.equal(anon.status, 401);
    assert.equal(JSON.parse(anon.body).error.code, 'unauthorized');
    // A token made by the administrator for the web site's form must not hear the
    // administrator's mentions (they quote private notes).
    const tok = await createToken(admin, 'integration');
    const bot = await openEvents(bearerClient(s.srv.url, tok.secret));
    streams.push(bot);
    if (bot.status === 200) {
      const co = await create(A, 'companies', { name: `Фирма ${t} токен`, pipeline: 'dealers' });
      assert.equal((await A.post('/api/notes', { entity: 'company', record_id: co.id, body: '@admin секрет для токена' })).status, 201);
      await sleep(500);
    }
    assert.equal(bot.status, 403, `an integration token opened an event stream (${bot.status}) and heard ` +
      JSON.stringify(bot.events.filter((e) => e.event === 'notification').map((e) => e.data.body)));
  });

  it('event stream: idle streams do not hold the server; every open tab hears the notification once', async () => {
    const first = await events(E);
    assert.match(first.headers['content-type'], /^text\/event-stream/);
    assert.match(first.headers['cache-control'] || '', /no-store|no-cache/);
    // many more idle streams than the server has worker threads
    const tabs = await Promise.all(Array.from({ length: 120 }, () => events(E)));
    const t0 = Date.now();
    await assertHealthy(s.srv, '120 idle event streams');
    assert.ok(Date.now() - t0 < 5000, `idle streams slowed the server down: /api/health took ${Date.now() - t0} ms`);
    const co = await create(E, 'companies', { name: `Фирма ${t} вкладки`, pipeline: 'dealers' });
    const r = await admin.post('/api/notes', { entity: 'company', record_id: co.id, body: `@${E.user.login} во все вкладки` });
    assert.equal(r.status, 201, r.text);
    const match = (e) => e.event === 'notification' && e.data.kind === 'mention' && e.data.record_id === co.id;
    const heard = await waitUntil(() => [first, ...tabs].every((x) => x.count(match) === 1), 5000);
    assert.ok(heard, `only ${[first, ...tabs].filter((x) => x.count(match) === 1).length} of 121 open streams got the mention exactly once`);
    for (const x of tabs) x.close();
    await sleep(200);
    await assertHealthy(s.srv, 'closing streams');
  });

  it('event stream: after sign-out the old stream hears nothing more', async () => {
    const login = s.byRole.agent[4];
    const tab = new Client(s.srv.url);
    assert.equal((await tab.login(login, PASSWORD)).status, 200);
    const x = await events(tab);
    assert.equal((await tab.post('/api/logout')).status, 204);
    const co = await create(E, 'companies', { name: `Фирма ${t} выход`, pipeline: 'dealers' });
    assert.equal((await admin.post('/api/notes', { entity: 'company', record_id: co.id, body: `@${login} после выхода` })).status, 201);
    await sleep(800);
    assert.equal(x.count((e) => e.event === 'notification' && e.data.record_id === co.id), 0,
      'a signed-out browser tab still receives notifications');
  });

  // ---- saved filters ----

  it('saved filters belong to their author, run as saved, and can be deleted only by them', async () => {
    const mk = await A.post('/api/filters', { entity: 'company', name: 'Мои лиды', query: 'owner=me&stage=lead&sort=-created_at' });
    assert.equal(mk.status, 201, mk.text);
    assert.equal(mk.json.entity, 'company');
    assert.equal(mk.json.name, 'Мои лиды');
    assert.equal(mk.json.query, 'owner=me&stage=lead&sort=-created_at');
    const mk2 = await A.post('/api/filters', { entity: 'contact', name: 'Тула', query: 'city=%D0%A2%D1%83%D0%BB%D0%B0' });
    assert.equal(mk2.status, 201, mk2.text);
    const mine = await A.get('/api/filters');
    assert.deepEqual(mine.json.items.map((f) => f.id).sort(), [mk.json.id, mk2.json.id].sort());
    assert.deepEqual((await A.get('/api/filters?entity=company')).json.items.map((f) => f.id), [mk.json.id]);
    assert.deepEqual((await B.get('/api/filters')).json.items, [], 'another user sees my saved filters');
    assert.deepEqual((await admin.get('/api/filters')).json.items, [], 'saved filters are per user, even for an administrator');

    const run = await A.get('/api/companies?' + mk.json.query + '&limit=200');
    assert.equal(run.status, 200, 'a saved query runs on the list endpoint');
    assert.ok(run.json.items.every((c) => c.owner_id === A.user.id && c.stage === 'lead'));

    assertError(await B.del('/api/filters/' + mk.json.id), 404, 'not_found');
    assertError(await admin.del('/api/filters/' + mk.json.id), 404, 'not_found');
    assert.equal((await A.get('/api/filters')).json.items.length, 2, 'someone else deleted my filter');
    assert.equal((await A.del('/api/filters/' + mk.json.id)).status, 204);
    assertError(await A.del('/api/filters/' + mk.json.id), 404, 'not_found');
    assert.deepEqual((await A.get('/api/filters')).json.items.map((f) => f.id), [mk2.json.id]);
  });

  it('saved filters: a query the list would refuse is refused when saved; bad input is a clear 400', async () => {
    const before = (await A.get('/api/filters')).json.items.length;
    for (const query of ['nope=1', 'sort=phones', 'limit=0', 'created_at.from=yesterday',
      'custom.nope=1', 'owner=bob', 'cursor=garbage', 'city.like=x']) {
      const r = await A.post('/api/filters', { entity: 'company', name: 'плохой', query });
      assertError(r, 400, 'invalid', 'query');
      const list = await A.get(`/api/companies?${query}`);
      assert.equal(list.status, 400, `the list endpoint accepts ${query.slice(0, 60)} that saving refused`);
    }
    const ok = { entity: 'company', name: 'ок', query: '' };
    for (const [body, code, field] of [
      [{ name: 'x', query: '' }, 'missing', 'entity'],
      [{ ...ok, entity: 'user' }, 'invalid', 'entity'],
      [{ ...ok, entity: 5 }, 'invalid', 'entity'],
      [{ entity: 'company', query: '' }, 'missing', 'name'],
      [{ ...ok, name: '' }, 'invalid', 'name'],
      [{ ...ok, name: 'я'.repeat(101) }, 'invalid', 'name'],
      [{ entity: 'company', name: 'x' }, 'missing', 'query'],
      [{ ...ok, query: 7 }, 'invalid', 'query'],
      [{ ...ok, query: 'city=' + 'a'.repeat(2000) }, 'invalid', 'query'],
      [{ ...ok, shared: true }, 'invalid', 'shared'],
    ]) assertError(await A.post('/api/filters', body), 400, code, field);
    for (const body of ['{"entity":', '', 'null', '[]']) assertError(await A.post('/api/filters', body), 400, 'bad_json');
    assert.equal((await A.get('/api/filters')).json.items.length, before, 'a refused filter was saved');
    assertError(await A.del('/api/filters/abc'), 404, 'not_found');
    await assertHealthy(s.srv, 'bad filters');
    // like GET /api/fields?entity= and GET /api/pipelines?entity=: a misspelt entity is an error, not "no filters"
    assertError(await A.get('/api/filters?entity=nope'), 400, 'invalid', 'entity');
  });

  it('saved filters: a query with more arguments than the list takes is refused when saved', async () => {
    const query = Array(41).fill('count=true').join('&');
    assert.equal((await A.get('/api/companies?' + query)).status, 400, 'the list endpoint takes at most 40 arguments');
    const r = await A.post('/api/filters', { entity: 'company', name: 'слишком много', query });
    assertError(r, 400, 'invalid', 'query');
  });
});

describe('event stream and shutdown', () => {
  it('an open stream ends when the server stops, and the server stops promptly', async () => {
    const srv = await startServer();
    const admin = await adminClient(srv);
    const x = await openEvents(admin);
    assert.equal(x.status, 200);
    await waitUntil(() => x.comments.length > 0, 2000);
    const t0 = Date.now();
    const st = await srv.stop();
    const how = await Promise.race([x.ended, sleep(3000).then(() => 'still open')]);
    x.close();
    assert.notEqual(how, 'still open', 'the stream stayed open after the server stopped');
    assert.equal(st.code, 0, `server exit ${JSON.stringify(st)}`);
    assert.ok(Date.now() - t0 < 5000, `stopping took ${Date.now() - t0} ms with a stream open`);
  });
});

// The timeline of contacts, companies and deals: creation, every changed field with typed
// old → new values, stage moves (with the reason when automatic), checklist marks, deletion.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { crmServer, create, patchOk, mark, timeline, tag, dealPreset } from './crm_helpers.mjs';

describe('crm timeline', () => {
  let s, admin, agent;
  before(async () => {
    s = await crmServer('dealers');
    admin = s.admin;
    agent = await s.as(s.byRole.agent[0]);
  });
  after(async () => { await s?.stop(); });

  const byField = (ev) => Object.fromEntries(ev.filter((e) => e.kind === 'update').map((e) => [e.field, e]));

  it('create, then one event per changed field with old → new in their JSON types', async () => {
    const t = tag();
    const c = await create(agent, 'contacts', { name: `Олег ${t}`, city: 'Самара', birthday: '1975-05-09', phones: ['89161230000'] });
    let ev = await timeline(agent, 'contact', c.id);
    assert.equal(ev.length, 1);
    assert.equal(ev[0].kind, 'create');
    assert.equal(ev[0].entity, 'contact');
    assert.equal(ev[0].entity_id, c.id);
    assert.equal(ev[0].new, c.name);
    assert.deepEqual(ev[0].actor, { id: agent.user.id, name: agent.user.name });
    assert.ok(Math.abs(ev[0].at - Date.now()) < 60000);

    await patchOk(agent, 'contacts', c.id, {
      name: `Олег Петрович ${t}`, city: null, region: 'Самарская область', birthday: '1975-05-10',
      messengers: { telegram: '@oleg' }, phones: ['+7 916 123-00-01', '8 916 123 00 00'], emails: ['Oleg@Mail.RU'],
      notes: 'любит звонки утром',
    });
    ev = await timeline(agent, 'contact', c.id);
    const f = byField(ev);
    assert.deepEqual(Object.keys(f).sort(), ['birthday', 'city', 'emails', 'messengers', 'name', 'notes', 'phones', 'region'].sort());
    assert.deepEqual([f.name.old, f.name.new], [`Олег ${t}`, `Олег Петрович ${t}`]);
    assert.deepEqual([f.city.old, f.city.new], ['Самара', null], 'a cleared field: old → null');
    assert.deepEqual([f.region.old, f.region.new], [null, 'Самарская область']);
    assert.deepEqual([f.birthday.old, f.birthday.new], ['1975-05-09', '1975-05-10']);
    assert.deepEqual([f.messengers.old, f.messengers.new], [null, { telegram: '@oleg' }], 'an object stays an object');
    assert.deepEqual([f.phones.old, f.phones.new], [['+79161230000'], ['+79161230001', '+79161230000']], 'lists of E.164');
    assert.deepEqual([f.emails.old, f.emails.new], [[], ['oleg@mail.ru']]);
    for (const e of Object.values(f)) assert.deepEqual(e.actor, { id: agent.user.id, name: agent.user.name });
    assert.ok(!ev.some((e) => ['updated_at', 'updated_by', 'version', 'stage_changed_at'].includes(e.field)),
      'server stamps are not events');
  });

  it('owner and link changes are integer ids; a stage move is kind "stage" with keys; manual moves have no reason', async () => {
    const t = tag();
    const co = await create(admin, 'companies', { name: `ЗАО Пример ${t}`, pipeline: 'dealers' });
    const co2 = await create(admin, 'companies', { name: `ЗАО Второй ${t}`, pipeline: 'dealers' });
    await patchOk(admin, 'companies', co.id, { owner_id: agent.user.id });
    await patchOk(admin, 'companies', co.id, { stage: 'dead_end' });
    const ev = await timeline(admin, 'company', co.id);
    const owner = ev.find((e) => e.field === 'owner_id');
    assert.deepEqual([owner.old, owner.new], [admin.user.id, agent.user.id]);
    const move = ev.find((e) => e.kind === 'stage');
    assert.deepEqual([move.field, move.old, move.new, move.reason], ['stage', 'lead', 'dead_end', null]);
    assert.ok(!ev.some((e) => e.field === 'pipeline_id' || e.field === 'stage_id'), 'the move is one event');
    // a contact moved from one company to another
    const ct = await create(admin, 'contacts', { name: `Связь ${t}`, company_id: co2.id });
    await patchOk(admin, 'contacts', ct.id, { company_id: co.id });
    const link = (await timeline(admin, 'contact', ct.id)).find((e) => e.field === 'company_id');
    assert.deepEqual([link.old, link.new], [co2.id, co.id]);
  });

  it('an automatic move is recorded on the company with its reason; the contact records its own creation', async () => {
    const t = tag();
    const co = await create(agent, 'companies', { name: `Лид ${t}`, pipeline: 'dealers' });
    const ct = await create(agent, 'contacts', { name: `Первый ${t}`, company_id: co.id });
    const ev = await timeline(agent, 'company', co.id);
    assert.deepEqual(ev.map((e) => e.kind), ['stage', 'create'], 'newest first');
    assert.equal(ev[0].old, 'lead');
    assert.equal(ev[0].new, 'firm');
    assert.ok(typeof ev[0].reason === 'string' && ev[0].reason.length > 0, 'the reason of an automatic move');
    assert.deepEqual(ev[0].actor, { id: agent.user.id, name: agent.user.name }, 'the user whose action caused it');
    const cev = await timeline(agent, 'contact', ct.id);
    assert.equal(cev[cev.length - 1].kind, 'create');
  });

  it('checklist marks are events: field STAGE.ITEM, old → new booleans; re-marking the same value changes nothing', async () => {
    const co = await create(agent, 'companies', { name: `Чеклист ${tag()}`, pipeline: 'dealers' });
    const item = co.checklists.account[0].key;
    assert.equal((await mark(agent, 'companies', co.id, 'account', item, true)).status, 200);
    assert.equal((await mark(agent, 'companies', co.id, 'account', item, false)).status, 200);
    const ev = (await timeline(agent, 'company', co.id)).filter((e) => e.kind === 'checklist');
    assert.deepEqual(ev.map((e) => [e.field, e.old, e.new]), [[`account.${item}`, true, false], [`account.${item}`, false, true]]);
    assert.equal((await mark(agent, 'companies', co.id, 'account', item, false)).status, 200);
    const again = (await timeline(agent, 'company', co.id)).filter((e) => e.kind === 'checklist');
    assert.equal(again.length, 2, 'un-ticking an un-ticked item is not a change');
  });

  it('a deleted record\'s history stays readable to the admin, ending with the delete event', async () => {
    const t = tag();
    const co = await create(admin, 'companies', { name: `Удаляемая ${t}`, city: 'Псков' });
    await patchOk(admin, 'companies', co.id, { city: 'Орёл' });
    const d = await admin.del('/api/companies/' + co.id);
    assert.equal(d.status, 204);
    const r = await admin.get(`/api/timeline?entity=company&id=${co.id}`);
    assert.equal(r.status, 200, `the audit trail of a deleted company: ${r.status} ${r.text}`);
    assert.equal(r.json.items[0].kind, 'delete');
    assert.equal(r.json.items[0].old, co.name);
    assert.deepEqual(r.json.items[0].actor, { id: admin.user.id, name: admin.user.name });
    assert.deepEqual(r.json.items.map((e) => e.kind), ['delete', 'update', 'create']);
  });

  it('timelines paginate newest first with a cursor', async () => {
    const c = await create(admin, 'contacts', { name: `Много ${tag()}` });
    for (let i = 0; i < 7; i++) await patchOk(admin, 'contacts', c.id, { city: 'Город ' + i });
    const seen = [];
    let cursor = null;
    for (;;) {
      const r = await admin.get(`/api/timeline?entity=contact&id=${c.id}&limit=3` + (cursor ? `&cursor=${cursor}` : ''));
      assert.equal(r.status, 200, r.text);
      seen.push(...r.json.items);
      if (!r.json.next) break;
      cursor = r.json.next;
    }
    assert.equal(seen.length, 8);
    assert.equal(new Set(seen.map((e) => e.id)).size, 8);
    assert.deepEqual(seen.map((e) => e.id), [...seen.map((e) => e.id)].sort((a, b) => b - a));
    assert.deepEqual(seen.slice(0, 2).map((e) => e.new), ['Город 6', 'Город 5']);
  });
});

describe('crm timeline: deals', () => {
  let s, admin, pl;
  before(async () => {
    const dp = dealPreset();
    pl = dp.pipeline;
    s = await crmServer(dp.preset);
    admin = s.admin;
  });
  after(async () => { await s?.stop(); });

  it('money changes are integers, stage moves carry keys, closing is not a separate field event', async () => {
    const d = await create(admin, 'deals', { title: `Сделка ${tag()}`, amount: 150000, currency: 'RUB' });
    await patchOk(admin, 'deals', d.id, { amount: 175050 });
    const won = pl.stages.find((x) => x.kind === 'won');
    await patchOk(admin, 'deals', d.id, { stage: won.key, address: 'ул. Мира, 5', district: 'Центр', city: 'Тула' });
    const ev = await timeline(admin, 'deal', d.id);
    const amount = ev.find((e) => e.field === 'amount');
    assert.deepEqual([amount.old, amount.new], [150000, 175050]);
    const move = ev.find((e) => e.kind === 'stage');
    assert.deepEqual([move.old, move.new], [pl.stages[0].key, won.key]);
    assert.ok(!ev.some((e) => e.field === 'closed_at'), 'closed_at is a server stamp');
    assert.equal(ev[ev.length - 1].kind, 'create');
    assert.equal(ev[ev.length - 1].new, d.title);
  });
});

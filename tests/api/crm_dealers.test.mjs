// The `dealers` scenario walked end to end through the API: a lead creator checks duplicates and
// enters a lead, the admin hands it to an agent, the agent links a contact (lead → firm on its own),
// works the firm to an account through the documents checklist, loses it and wins it back.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError } from './helpers.mjs';
import { crmServer, create, get, patch, patchOk, mark, timeline, all, tag, uniqPhone, enc } from './crm_helpers.mjs';

describe('dealers lifecycle', () => {
  let s, admin, creator, creator2, agent, agent2, pipeline;
  before(async () => {
    s = await crmServer('dealers');
    admin = s.admin;
    assert.ok(s.byRole.lead_creator?.length >= 2, 'the dealers preset has two lead creators');
    assert.ok(s.byRole.agent?.length >= 2, 'the dealers preset has two agents');
    creator = await s.as(s.byRole.lead_creator[0]);
    creator2 = await s.as(s.byRole.lead_creator[1]);
    agent = await s.as(s.byRole.agent[0]);
    agent2 = await s.as(s.byRole.agent[1]);
    const r = await admin.get('/api/pipelines?entity=company');
    pipeline = r.json.items.find((p) => p.key === 'dealers');
  });
  after(async () => { await s?.stop(); });

  it('the company pipeline "dealers" has the stages lead, firm, account, client, dead_end', () => {
    assert.ok(pipeline, 'pipeline dealers');
    assert.deepEqual(pipeline.stages.map((x) => x.key), ['lead', 'firm', 'account', 'client', 'dead_end']);
    const account = pipeline.stages.find((x) => x.key === 'account');
    assert.ok(account.required_fields.includes('phones'), 'account requires phones');
    assert.equal(pipeline.stages.find((x) => x.key === 'client').kind, 'won');
    assert.equal(pipeline.stages.find((x) => x.key === 'dead_end').kind, 'dead_end');
  });

  it('an agent sees the moves the matrix allows: firm → account/dead_end, never firm → client', async () => {
    const r = await agent.get('/api/pipelines?entity=company');
    assert.equal(r.status, 200, r.text);
    const p = r.json.items.find((x) => x.key === 'dealers');
    const moves = Object.fromEntries(p.stages.map((x) => [x.key, x.moves]));
    assert.ok(Array.isArray(moves.firm), 'moves are listed for a role under a matrix');
    assert.ok(moves.firm.includes('account') && moves.firm.includes('dead_end'), JSON.stringify(moves));
    assert.ok(!moves.firm.includes('client'), 'firm → client is not an agent move');
    assert.ok(moves.account.includes('dead_end'), 'account → dead_end');
    assert.ok(moves.dead_end.includes('firm'), 'dead_end → firm');
    const lc = (await creator.get('/api/pipelines?entity=company')).json.items.find((x) => x.key === 'dealers');
    assert.ok(lc, 'a lead creator sees the pipeline their leads are in');
    for (const st of lc.stages) assert.deepEqual(st.moves, [], `lead creators move nothing (from ${st.key})`);
  });

  it('the lead creator\'s duplicate screen: same phone, e-mail, domain, similar name (typo, legal form, quotes)', async () => {
    const t = tag();
    // someone else already entered this company
    const phone = uniqPhone();
    const existing = await create(creator2, 'companies', {
      name: `ООО «Вектор-Плюс ${t}»`, phones: [phone], emails: [`info@vector-${t}.ru`],
      domain: `vector-${t}.ru`, pipeline: 'dealers',
    });
    assert.equal(existing.stage, 'lead');
    const national = '8 (' + phone.slice(2, 5) + ') ' + phone.slice(5, 8) + '-' + phone.slice(8, 10) + '-' + phone.slice(10);
    const checks = [
      [`phone=${enc(national)}`, 'phone'],
      [`phone=${enc(phone.slice(1))}`, 'phone'],
      [`email=${enc(`INFO@Vector-${t}.RU`)}`, 'email'],
      [`domain=${enc(`https://www.vector-${t}.ru/catalog`)}`, 'domain'],
      [`domain=${enc(`VECTOR-${t}.ru`)}`, 'domain'],
      [`name=${enc(`Вектор-Плюс ${t}`)}`, 'name'], // legal form and quotes dropped
      [`name=${enc(`АО "ВЕКТОР ПЛЮС ${t}"`)}`, 'name'],
      [`name=${enc(`вектор-плюс ${t}, ООО`)}`, 'name'],
      [`name=${enc(`Вектор-Плус ${t}`)}`, 'similar_name'], // a typo
      [`name=${enc(`Вектр-Плюс ${t}`)}`, 'similar_name'], // a missing letter
      [`name=${enc(`ООО "Вектор Плюсс ${t}"`)}`, 'similar_name'], // an extra letter, quotes and legal form
    ];
    const problems = [];
    for (const [q, match] of checks) {
      const r = await creator.get('/api/duplicates?' + q);
      const hit = r.json?.items?.find((x) => x.entity === 'company' && x.name === existing.name);
      const what = `duplicates?${decodeURIComponent(q)}`;
      if (r.status !== 200) { problems.push(`${what}: ${r.status} ${r.text.slice(0, 200)}`); continue; }
      if (!hit) { problems.push(`${what}: not found (${r.json.items.length} other items)`); continue; }
      if (hit.match !== match) problems.push(`${what}: match ${hit.match}, expected ${match}`);
      if (hit.visible !== false || hit.id !== null) problems.push(`${what}: another lead creator's company must be named, not opened: ${JSON.stringify(hit)}`);
    }
    const none = await creator.get('/api/duplicates?name=' + enc('Совсем другая фирма ' + tag()));
    assert.equal(none.status, 200);
    if (none.json.items.some((x) => x.name === existing.name)) problems.push('an unrelated name matched');
    assert.deepEqual(problems, []);
  });

  it('the whole life of a dealer', async () => {
    const t = tag();
    // 2. a new lead
    const leadPhone = uniqPhone();
    const lead = await create(creator, 'companies', {
      name: `ООО «Стройдвор ${t}»`, domain: `stroydvor-${t}.ru`, city: 'Ярославль', pipeline: 'dealers',
    });
    assert.equal(lead.stage, 'lead');
    assert.equal(lead.owner_id, creator.user.id);
    assert.equal(lead.pipeline, 'dealers');

    // 3. the admin hands it to an agent; the lead creator no longer sees it
    const handed = await patchOk(admin, 'companies', lead.id, { owner_id: agent.user.id });
    assert.equal(handed.owner_id, agent.user.id);
    assertError(await creator.get('/api/companies/' + lead.id), 404, 'not_found');
    const mine = await get(agent, 'companies', lead.id);
    assert.equal(mine.stage, 'lead');
    assertError(await agent2.get('/api/companies/' + lead.id), 404, 'not_found');

    // 4. the agent links the first contact: lead → firm, with the reason in the timeline
    const person = await create(agent, 'contacts', {
      name: `Сергей Иванов ${t}`, position: 'Директор', company_id: lead.id, phones: ['8 903 111-22-33'],
    });
    assert.equal(person.company_id, lead.id);
    const firm = await get(agent, 'companies', lead.id);
    assert.equal(firm.stage, 'firm', 'a lead with its first contact becomes a firm');
    assert.ok(firm.stage_changed_at >= mine.stage_changed_at);
    const move = (await timeline(agent, 'company', lead.id)).find((e) => e.kind === 'stage');
    assert.ok(move, 'the move is in the timeline');
    assert.equal(move.old, 'lead');
    assert.equal(move.new, 'firm');
    assert.equal(typeof move.reason, 'string', 'an automatic move says why');
    assert.ok(move.reason.length > 0);
    // a second contact does not move it again
    await create(agent, 'contacts', { name: `Мария ${t}`, company_id: lead.id });
    assert.equal((await get(agent, 'companies', lead.id)).stage, 'firm');

    // 5. firm → client is not the agent's move
    const jump = await patch(agent, 'companies', lead.id, { stage: 'client' });
    assertError(jump, 403, 'transition_forbidden', 'stage');
    assertError(await patch(agent, 'companies', lead.id, { stage: 'lead' }), 403, 'transition_forbidden', 'stage');
    assert.equal((await get(agent, 'companies', lead.id)).stage, 'firm');

    // 6. firm → account needs phones and the documents checklist
    const noPhones = await patch(agent, 'companies', lead.id, { stage: 'account' });
    assertError(noPhones, 422, 'required', 'phones');
    const withPhones = await patchOk(agent, 'companies', lead.id, { phones: [leadPhone] });
    assert.deepEqual(withPhones.phones, [leadPhone]);
    const items = withPhones.checklists?.account;
    assert.ok(Array.isArray(items) && items.length >= 1, `the account checklist is on the card: ${JSON.stringify(withPhones.checklists)}`);
    for (const it2 of items) assert.equal(it2.done, false);
    assertError(await patch(agent, 'companies', lead.id, { stage: 'account' }), 422, 'checklist_incomplete', 'checklist');
    for (const [i, item] of items.entries()) {
      const r = await mark(agent, 'companies', lead.id, 'account', item.key, true);
      assert.equal(r.status, 200, `mark ${item.key}: ${r.status} ${r.text}`);
      const done = r.json.checklists.account.filter((x) => x.done).map((x) => x.key);
      assert.deepEqual(done, items.slice(0, i + 1).map((x) => x.key));
      if (i < items.length - 1) {
        assertError(await patch(agent, 'companies', lead.id, { stage: 'account' }), 422, 'checklist_incomplete');
      }
    }
    // unchecking and checking again is recorded too
    assert.equal((await mark(agent, 'companies', lead.id, 'account', items[0].key, false)).status, 200);
    assertError(await patch(agent, 'companies', lead.id, { stage: 'account' }), 422, 'checklist_incomplete');
    assert.equal((await mark(agent, 'companies', lead.id, 'account', items[0].key, true)).status, 200);
    const account = await patchOk(agent, 'companies', lead.id, { stage: 'account' });
    assert.equal(account.stage, 'account');
    assert.ok(account.checklists.account.every((x) => x.done));

    // 7. the account refuses: back to dead end, then the firm comes back
    const dead = await patchOk(agent, 'companies', lead.id, { stage: 'dead_end' });
    assert.equal(dead.stage, 'dead_end');
    const again = await patchOk(agent, 'companies', lead.id, { stage: 'firm' });
    assert.equal(again.stage, 'firm');
    // the signed papers are still signed: straight to account, then the dealer starts reselling
    assert.equal((await patchOk(agent, 'companies', lead.id, { stage: 'account' })).stage, 'account');
    assert.equal((await patchOk(agent, 'companies', lead.id, { stage: 'client' })).stage, 'client');

    // 8. the story is in the timeline, oldest first: create … client
    const ev = (await timeline(admin, 'company', lead.id)).reverse();
    assert.equal(ev[0].kind, 'create');
    assert.equal(ev[0].actor.id, creator.user.id);
    const owner = ev.find((e) => e.field === 'owner_id');
    assert.deepEqual([owner.old, owner.new, owner.actor.id], [creator.user.id, agent.user.id, admin.user.id]);
    const stages = ev.filter((e) => e.kind === 'stage').map((e) => `${e.old}>${e.new}`);
    assert.deepEqual(stages, ['lead>firm', 'firm>account', 'account>dead_end', 'dead_end>firm', 'firm>account', 'account>client']);
    const marks = ev.filter((e) => e.kind === 'checklist');
    assert.equal(marks.length, items.length + 2);
    assert.deepEqual([marks[0].field, marks[0].old, marks[0].new], [`account.${items[0].key}`, false, true]);
    assert.equal(marks[marks.length - 2].new, false);
  });

  it('an admin may take firms from one agent and give them to another', async () => {
    const t = tag();
    const firms = [];
    for (let i = 0; i < 3; i++) {
      const c = await create(agent, 'companies', { name: `Фирма ${i} ${t}`, pipeline: 'dealers' });
      await create(agent, 'contacts', { name: `Контакт ${i} ${t}`, company_id: c.id });
      firms.push(c);
    }
    const mine = await all(agent, `/api/companies?stage=firm&q=${t}`);
    assert.equal(mine.length, 3);
    for (const f of firms) await patchOk(admin, 'companies', f.id, { owner_id: agent2.user.id });
    assert.equal((await all(agent, `/api/companies?q=${t}`)).length, 0, 'the first agent no longer sees them');
    const theirs = await all(agent2, `/api/companies?owner=me&stage=firm&q=${t}`);
    assert.deepEqual(theirs.map((x) => x.id).sort(), firms.map((x) => x.id).sort());
    // an agent may not hand their firm to a colleague
    const own = await create(agent2, 'companies', { name: `Своя ${t}`, pipeline: 'dealers' });
    assertError(await patch(agent2, 'companies', own.id, { owner_id: agent.user.id }), 403, undefined, 'owner_id');
  });

  it('lead creators enter leads only in the first stage and cannot move them', async () => {
    const t = tag();
    const lead = await create(creator, 'companies', { name: `Лид ${t}`, pipeline: 'dealers' });
    assertError(await patch(creator, 'companies', lead.id, { stage: 'firm' }), 403, 'transition_forbidden', 'stage');
    assertError(await patch(creator, 'companies', lead.id, { stage: 'dead_end' }), 403, 'transition_forbidden', 'stage');
    // creating a record directly in a later stage is a move too
    for (const stage of ['client', 'account', 'firm']) {
      const r = await creator.post('/api/companies', { name: `Сразу ${stage} ${t}`, pipeline: 'dealers', stage });
      assertError(r, 403, 'transition_forbidden', 'stage');
    }
    const r = await agent.post('/api/companies', { name: `Агент сразу клиент ${t}`, pipeline: 'dealers', stage: 'client' });
    assertError(r, 403, 'transition_forbidden', 'stage');
    const made = await all(admin, `/api/companies?q=${enc('Сразу')}`);
    assert.equal(made.filter((x) => x.name.includes(t)).length, 0, 'nothing was created');
  });

  it('lead creators do not work deals', async () => {
    const r = await creator.post('/api/deals', { title: 'Сделка ' + tag() });
    assert.ok(r.status === 403 || r.status === 400, `${r.status} ${r.text}`);
    const l = await creator.get('/api/deals');
    assert.equal(l.status, 200, l.text);
    assert.deepEqual(l.json.items, []);
  });
});

// The duplicate check of the lead form (GET /api/duplicates) as a manager types a name: one
// typing error of any kind still finds the record — a letter dropped, doubled, replaced, or two
// neighbours swapped ("Ромшака" for "Ромашка") — two errors do not, short names match exactly
// only, and what the manager may not open is named, not opened.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError } from './helpers.mjs';
import { crmServer, create, tag, enc } from './crm_helpers.mjs';

describe('crm duplicates by name', () => {
  let s, admin, agent, other, t;
  before(async () => {
    s = await crmServer('dealers');
    admin = s.admin;
    agent = await s.as(s.byRole.agent[0]);
    other = s.ids[s.byRole.agent[1]];
    t = tag('dp');
  });
  after(async () => { await s?.stop(); });

  const check = (c, name) => c.get('/api/duplicates?name=' + enc(name));
  const hitOf = (r, id) => r.json.items.find((x) => x.id === id);

  it('one typo of each kind finds the contact as similar_name; the same name written differently is name', async () => {
    const mine = await create(admin, 'contacts', { name: `Ромашкина Ольга ${t}`, owner_id: agent.user.id });
    const cases = [
      [`Ромашкина Ольга ${t}`, 'name'],
      [`РОМАШКИНА  ольга, ${t}`, 'name'],
      [`Ромшакина Ольга ${t}`, 'similar_name'], // two neighbours swapped
      [`Ромашкина Оьлга ${t}`, 'similar_name'],
      [`Ромакина Ольга ${t}`, 'similar_name'], // a letter dropped
      [`Ромашкинна Ольга ${t}`, 'similar_name'], // a letter doubled
      [`Ромашкина Олька ${t}`, 'similar_name'], // a letter replaced
      [`Ромашкина Ольга${t}`, 'similar_name'], // a space dropped
    ];
    const problems = [];
    for (const [name, match] of cases) {
      const r = await check(agent, name);
      if (r.status !== 200) { problems.push(`${name}: ${r.status} ${r.text.slice(0, 200)}`); continue; }
      const hit = hitOf(r, mine.id);
      if (!hit) problems.push(`${name}: not found`);
      else if (hit.match !== match || hit.visible !== true || hit.name !== mine.name) problems.push(`${name}: ${JSON.stringify(hit)}`);
    }
    assert.deepEqual(problems, []);
  });

  it('two typos, or a typo in a name of four letters or fewer, find nothing', async () => {
    const long = await create(admin, 'contacts', { name: `Ромашкина Ольга ${t}x`, owner_id: agent.user.id });
    for (const name of [`Рмоашкина Оьлга ${t}x`, `Ромашкина Ольга ${t}xyz`, `Ромащкина Олька ${t}x`]) {
      const r = await check(agent, name);
      assert.equal(r.status, 200, r.text);
      assert.equal(hitOf(r, long.id), undefined, `${name} is two typos away`);
    }
    const short = await create(admin, 'companies', { name: 'Яшма', pipeline: 'dealers', owner_id: agent.user.id });
    const exact = await check(agent, 'ЯШМА');
    assert.equal(hitOf(exact, short.id)?.match, 'name');
    for (const name of ['Ямша', 'Ящма', 'Яшм']) assert.equal(hitOf(await check(agent, name), short.id), undefined, name);
  });

  it('a colleague\'s record is named but not opened; a deleted one is not found', async () => {
    const theirs = await create(admin, 'contacts', { name: `Лютикова Анна ${t}`, owner_id: other });
    const r = await check(agent, `Лютиковаа Анна ${t}`);
    const hit = r.json.items.find((x) => x.name === theirs.name);
    assert.ok(hit, r.text);
    assert.deepEqual({ id: hit.id, visible: hit.visible, match: hit.match }, { id: null, visible: false, match: 'similar_name' });
    const adminSees = hitOf(await check(admin, `Лютикова Анан ${t}`), theirs.id);
    assert.equal(adminSees?.visible, true);
    assert.equal((await admin.del('/api/contacts/' + theirs.id)).status, 204);
    assert.equal((await check(admin, `Лютикова Анна ${t}`)).json.items.some((x) => x.name === theirs.name), false);
  });

  it('companies and contacts both answer; at most 40 items, exact ones first', async () => {
    const name = `Васильков Пётр ${t}`;
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await create(admin, 'contacts', { name, owner_id: agent.user.id }));
    const typo = await create(admin, 'contacts', { name: `Васильков Петр ${t}z`, owner_id: agent.user.id });
    const firm = await create(admin, 'companies', { name: `ООО «Васильков Пётр ${t}»`, pipeline: 'dealers', owner_id: agent.user.id });
    const r = await check(agent, `Васильков Петр ${t}`);
    assert.equal(r.status, 200);
    const ids = r.json.items.map((x) => x.id);
    for (const x of [...made, typo, firm]) assert.ok(ids.includes(x.id), `${x.id} in ${r.text.slice(0, 300)}`);
    assert.equal(hitOf(r, firm.id).entity, 'company');
    assert.equal(hitOf(r, typo.id).match, 'similar_name');
    const contacts = r.json.items.filter((x) => x.entity === 'contact');
    assert.deepEqual(contacts.slice(0, 3).map((x) => x.match), ['name', 'name', 'name'], 'exact matches first');

    const crowd = `Толпа Одна ${t}`;
    for (let i = 0; i < 45; i++) await create(admin, 'contacts', { name: i % 2 ? crowd : `Толпа Одна ${t}${'abcdefghijklmnopqrstuvwxyz'[i % 26]}`, owner_id: agent.user.id });
    const many = await check(agent, crowd);
    assert.equal(many.status, 200);
    assert.equal(many.json.items.length, 40);
    assert.equal(new Set(many.json.items.map((x) => x.id)).size, 40, 'each record once');
  });

  it('bad input is 400 naming the field; odd names are just names', async () => {
    assertError(await check(agent, 'я'.repeat(301)), 400, 'invalid', 'name');
    assertError(await agent.get('/api/duplicates'), 400, 'missing');
    for (const name of ['%', '_', "' OR 1=1 --", '\\', 'a'.repeat(300), 'ё'.repeat(60), '1 2 3 4 5 6', '  ']) {
      const r = await check(agent, name);
      assert.equal(r.status, 200, `${name}: ${r.status} ${r.text.slice(0, 200)}`);
      assert.ok(Array.isArray(r.json.items));
    }
    assert.equal((await agent.get('/api/health')).status, 200);
  });
});

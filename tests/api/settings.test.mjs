// /api/settings: company-wide settings; every field validated, every change in the timeline.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, adminClient, assertError } from './helpers.mjs';

const FIELDS = ['company_name', 'timezone', 'default_country', 'currency', 'language'];

describe('settings', () => {
  let srv, admin, adminId;
  before(async () => {
    srv = await startServer();
    admin = await adminClient(srv);
    adminId = (await admin.get('/api/me')).json.user.id;
  });
  after(async () => { if (!srv) return; await srv.stop(); rmSync(srv.dir, { recursive: true, force: true }); });

  const get = async () => {
    const r = await admin.get('/api/settings');
    assert.equal(r.status, 200);
    return r.json;
  };
  const timeline = async () => {
    const r = await admin.get('/api/timeline?entity=settings&id=0&limit=200');
    assert.equal(r.status, 200, r.text);
    return r.json.items;
  };

  it('a fresh install has the documented defaults', async () => {
    const s = await get();
    for (const f of FIELDS) assert.ok(f in s, `${f} present`);
    assert.equal(typeof s.company_name, 'string');
    assert.equal(s.timezone, 'Europe/Moscow');
    assert.equal(s.default_country, 'RU');
    assert.equal(s.currency, 'RUB');
    assert.equal(s.language, 'ru');
  });

  it('PATCH of each field answers the new settings and GET agrees', async () => {
    const changes = [
      { company_name: 'ООО «Чистый дом»' },
      { timezone: 'Asia/Yekaterinburg' },
      { default_country: 'KZ' },
      { currency: 'KZT' },
      { language: 'en' },
      { timezone: 'America/Argentina/Buenos_Aires' },
      { timezone: 'UTC' },
    ];
    for (const ch of changes) {
      const before = await get();
      const r = await admin.patch('/api/settings', ch);
      assert.equal(r.status, 200, `${JSON.stringify(ch)}: ${r.text}`);
      assert.deepEqual(r.json, { ...before, ...ch });
      assert.deepEqual(await get(), { ...before, ...ch });
    }
  });

  it('PATCH of several fields at once', async () => {
    const ch = { timezone: 'Europe/Moscow', default_country: 'RU', currency: 'RUB', language: 'ru', company_name: 'Acme' };
    const r = await admin.patch('/api/settings', ch);
    assert.equal(r.status, 200, r.text);
    const now = await get();
    for (const f of FIELDS) assert.equal(now[f], ch[f], f);
  });

  const bad = {
    company_name: [5, true, ['x'], { a: 1 }],
    timezone: ['Mars/Olympus_Mons', 'Europe/Moskva', '', 'europe/moscow/../../etc/passwd', 3, null],
    default_country: ['RUS', 'R', 'R1', '12', '', 7, null],
    currency: ['RU', 'RUBL', '123', 'R$B', '', 643, null],
    language: ['de', 'english', '', 'r', 1, null],
  };
  for (const [field, values] of Object.entries(bad)) {
    it(`invalid ${field} is 400 invalid on field ${field} and changes nothing`, async () => {
      const before = await get();
      const nEvents = (await timeline()).length;
      for (const v of values) {
        const r = await admin.patch('/api/settings', { [field]: v });
        assertError(r, 400, 'invalid', field);
      }
      assert.deepEqual(await get(), before);
      assert.equal((await timeline()).length, nEvents, 'no timeline events for refused changes');
    });
  }

  it('one bad field refuses the whole PATCH (no partial write)', async () => {
    const before = await get();
    const r = await admin.patch('/api/settings', { company_name: 'Half', timezone: 'Asia/Tokyo', currency: 'XXXX' });
    assertError(r, 400, 'invalid', 'currency');
    assert.deepEqual(await get(), before);
  });

  it('each changed field is one timeline event: actor, old → new', async () => {
    const before = await get();
    const newTz = before.timezone === 'Asia/Novosibirsk' ? 'Asia/Omsk' : 'Asia/Novosibirsk';
    const newName = before.company_name + ' 2';
    const t0 = Date.now();
    const r = await admin.patch('/api/settings', { timezone: newTz, company_name: newName, language: before.language });
    assert.equal(r.status, 200, r.text);
    const ev = await timeline();
    const tz = ev.find((e) => e.field === 'timezone');
    const nm = ev.find((e) => e.field === 'company_name');
    for (const e of [tz, nm]) {
      assert.ok(e, 'event present');
      assert.equal(e.entity, 'settings');
      assert.equal(e.entity_id, 0);
      assert.equal(e.kind, 'update');
      assert.equal(e.actor.id, adminId);
      assert.equal(e.actor.name, 'Administrator');
      assert.ok(Math.abs(e.at - t0) < 60000, 'at is now in ms');
    }
    assert.equal(tz.old, before.timezone);
    assert.equal(tz.new, newTz);
    assert.equal(nm.old, before.company_name);
    assert.equal(nm.new, newName);
    const newest = ev.slice(0, 2).map((e) => e.field).sort();
    assert.deepEqual(newest, ['company_name', 'timezone'], 'the unchanged language produced no event');
  });

  it('PATCH with the current values records nothing', async () => {
    const s = await get();
    const n = (await timeline()).length;
    const r = await admin.patch('/api/settings', s);
    assert.equal(r.status, 200, r.text);
    assert.equal((await timeline()).length, n);
  });

  it('settings survive a restart', async () => {
    assert.equal((await admin.patch('/api/settings', { company_name: 'Durable LLC', currency: 'EUR' })).status, 200);
    await srv.stop({ remove: false });
    const dir = srv.dir;
    srv = await startServer({ dir });
    admin = await adminClient(srv);
    const s = await get();
    assert.equal(s.company_name, 'Durable LLC');
    assert.equal(s.currency, 'EUR');
  });
});

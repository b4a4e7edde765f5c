// "Nothing acknowledged is ever lost": concurrent writers, SIGKILL mid-stream, restart, and every
// write that got a 2xx must be there.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, adminClient, loginAs, listAll, sleep } from './helpers.mjs';

const WRITERS = 6;
const RUN_MS = 2000;

describe('durability', () => {
  let dir;
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('every acknowledged user survives SIGKILL of the server', async () => {
    const srv = await startServer({ keep: true });
    dir = srv.dir;
    const clients = await Promise.all(Array.from({ length: WRITERS }, () => adminClient(srv)));
    const acked = [];
    const refused = [];
    let stop = false;
    let settingsAck = null;

    const writers = clients.map(async (c, w) => {
      for (let i = 0; !stop; i++) {
        const login = `dur-${w}-${i}`;
        let r;
        try {
          r = await c.post('/api/users', { login, name: `Durable ${w}/${i}`, password: 'password-123', role: 'manager' });
        } catch { return; } // the server died under us: this one was never acknowledged
        if (r.status === 201) acked.push({ login, id: r.json.id, name: `Durable ${w}/${i}` });
        else refused.push(`${r.status} ${r.text.slice(0, 100)}`);
      }
    });
    const settingsWriter = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          const r = await clients[0].patch('/api/settings', { company_name: `Durable Co ${i}` });
          if (r.status === 200) settingsAck = `Durable Co ${i}`;
        } catch { return; }
        await sleep(50);
      }
    })();

    await sleep(RUN_MS);
    // On a busy machine argon2id hashing is slow: keep writing (up to 20 s) until there is
    // enough acknowledged to make the check mean something.
    for (const t0 = Date.now(); (acked.length < 5 || !settingsAck) && Date.now() - t0 < 20000;) await sleep(100);
    // Kill while requests are still in flight, then let the writers notice.
    const st = await srv.kill();
    stop = true;
    await Promise.all([...writers, settingsWriter]);
    assert.equal(st.signal, 'SIGKILL');
    assert.deepEqual(refused, [], 'no write was refused while the server was up');
    assert.ok(acked.length >= 5, `only ${acked.length} users acknowledged`);
    assert.ok(settingsAck, 'a settings change was acknowledged');

    const again = await startServer({ dir });
    try {
      const admin = await adminClient(again);
      const users = (await listAll(admin, '/api/users')).items;
      const byLogin = new Map(users.map((u) => [u.login, u]));
      const lost = acked.filter((a) => !byLogin.has(a.login));
      assert.deepEqual(lost.map((a) => a.login), [], `${lost.length} of ${acked.length} acknowledged users lost`);
      for (const a of acked) {
        const u = byLogin.get(a.login);
        assert.equal(u.id, a.id, `${a.login} kept its id`);
        assert.equal(u.name, a.name);
      }
      assert.equal(new Set(users.map((u) => u.id)).size, users.length, 'no duplicate ids');
      const s = (await admin.get('/api/settings')).json;
      const ackN = Number(settingsAck.split(' ').pop());
      const gotN = Number(String(s.company_name).split(' ').pop());
      assert.ok(/^Durable Co \d+$/.test(s.company_name) && gotN >= ackN,
        `settings: acknowledged "${settingsAck}", found "${s.company_name}"`);
      // An acknowledged user can actually sign in after the crash.
      const last = acked[acked.length - 1];
      const r = await loginAs(again, last.login, 'password-123');
      assert.equal((await r.get('/api/me')).json.user.login, last.login);
    } finally {
      await again.stop();
    }
  });
});

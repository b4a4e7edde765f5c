// Point reads are answered on the I/O threads, everything else on the workers (docs/decisions.md,
// "I/O threads and workers"). What a user would notice if that broke: with every worker busy —
// here the only one, hashing four new users' passwords (argon2id, ~0.1 s each) — a ringing
// phone's caller-ID, the health check and the user's own /api/me still answer at once, before
// the queued writes finish, and every queued write still completes and is kept.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminClient, uniq, sleep } from './helpers.mjs';

describe('I/O threads and workers', () => {
  let srv;
  after(async () => { await srv?.stop(); });

  it('with the only worker busy, point reads answer before the queued writes, which all complete', async () => {
    srv = await startServer({ args: ['--threads', '1'] });
    const admin = await adminClient(srv);
    const phone = '+7916' + String(Date.now() % 10000000).padStart(7, '0');
    const c = await admin.post('/api/contacts', { name: 'Звонящий Клиент', phones: [phone] });
    assert.equal(c.status, 201, c.text);

    let finished = 0;
    const logins = Array.from({ length: 4 }, () => uniq('queued'));
    const writes = logins.map((login) =>
      admin.post('/api/users', { login, name: login, password: 'password-123', role: 'manager' })
        .then((r) => { finished++; return r; }));
    // the writes on the wire first (the reads must not simply arrive before them)
    await sleep(100);

    const reads = [
      ['caller-ID', admin.get('/api/telephony/lookup?phone=' + encodeURIComponent('8' + phone.slice(2)))],
      ['/api/me', admin.get('/api/me')],
      ['/api/health', admin.get('/api/health')],
      ['a contact by id', admin.get('/api/contacts/' + c.json.id)],
    ];
    for (const [what, p] of reads) {
      const r = await p;
      assert.equal(r.status, 200, `${what}: ${r.status} ${r.text}`);
      assert.ok(finished < logins.length, `${what} waited for the queued password hashes (${finished} of ${logins.length} done)`);
    }
    const lookup = await reads[0][1];
    assert.deepEqual(lookup.json.items.map((i) => i.id), [c.json.id], 'the caller-ID names the contact');

    for (const [i, r] of (await Promise.all(writes)).entries())
      assert.equal(r.status, 201, `queued write ${logins[i]}: ${r.status} ${r.text}`);
    const users = await admin.get('/api/users?limit=200');
    const have = new Set(users.json.items.map((u) => u.login));
    for (const l of logins) assert.ok(have.has(l), `${l} acknowledged but not listed`);
  });
});

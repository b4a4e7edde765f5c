// The command line an operator uses: backup/restore, migrate, demo presets, user add.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, copyFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import {
  startServer, Client, ADMIN, adminClient, createUser, run,
} from './helpers.mjs';

const PRESETS = ['cleaning', 'dealers', 'eshop', 'b2c', 'logistics'];

describe('cli', () => {
  const dirs = [];
  const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'voronka-cli-')); dirs.push(d); return d; };
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  it('backup of a running server restores to a working copy with the data', async () => {
    const srv = await startServer();
    let restored;
    try {
      const admin = await adminClient(srv);
      const u = await createUser(admin, { name: 'Backed Up' });
      assert.equal((await admin.patch('/api/settings', { company_name: 'Backup Ltd' })).status, 200);
      const out = join(tmp(), 'backup.db');
      const b = await run(['backup', '--db', srv.db, '--to', out]);
      assert.equal(b.code, 0, `backup failed: ${b.stderr}`);
      assert.ok(existsSync(out) && statSync(out).size > 0, 'backup file written');
      // The server keeps serving during and after the backup.
      const after = await createUser(admin, { name: 'After Backup' });

      const dir = tmp();
      copyFileSync(out, join(dir, 'voronka.db'));
      restored = await startServer({ dir });
      const a2 = await adminClient(restored);
      const g = await a2.get('/api/users/' + u.id);
      assert.equal(g.status, 200);
      assert.equal(g.json.login, u.login);
      assert.equal(g.json.name, 'Backed Up');
      assert.equal((await a2.get('/api/users/' + after.id)).status, 404, 'the backup is a snapshot');
      assert.equal((await a2.get('/api/settings')).json.company_name, 'Backup Ltd');
      assert.equal((await new Client(restored.url).login(u.login, u.password)).status, 200, 'passwords restored');
    } finally {
      await restored?.stop();
      await srv.stop();
    }
  });

  it('backup to an impossible path fails with a non-zero status', async () => {
    const dir = tmp();
    const db = join(dir, 'voronka.db');
    assert.equal((await run(['migrate', '--db', db])).code, 0);
    const r = await run(['backup', '--db', db, '--to', join(dir, 'no', 'such', 'dir', 'b.db')]);
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.trim().length > 0, 'says why on stderr');
  });

  it('migrate creates the built-in roles and is idempotent', async () => {
    const dir = tmp();
    const db = join(dir, 'voronka.db');
    for (let i = 0; i < 3; i++) {
      const r = await run(['migrate', '--db', db]);
      assert.equal(r.code, 0, `migrate #${i + 1}: ${r.stderr}`);
    }
    const add = await run(['user', 'add', '--db', db, '--login', ADMIN.login, '--password', ADMIN.password,
      '--role', 'admin', '--name', 'Administrator']);
    assert.equal(add.code, 0, add.stderr);
    assert.equal((await run(['migrate', '--db', db])).code, 0, 'migrate on a database with data');
    const srv = await startServer({ dir });
    try {
      const admin = await adminClient(srv);
      const roles = (await admin.get('/api/roles')).json.items;
      assert.deepEqual(roles.map((r) => r.key).sort(), ['admin', 'integration', 'manager']);
      const me = (await admin.get('/api/me')).json.user;
      assert.equal(me.name, 'Administrator');
      assert.equal(me.role, 'admin');
    } finally {
      await srv.stop();
    }
  });

  it('demo succeeds for each of the 5 presets and the admin can log in', async () => {
    const dbs = PRESETS.map((p) => ({ preset: p, dir: tmp() }));
    const results = await Promise.all(dbs.map(({ preset, dir }) =>
      run(['demo', '--db', join(dir, 'voronka.db'), '--preset', preset, '--password', ADMIN.password])));
    for (const [i, r] of results.entries()) assert.equal(r.code, 0, `demo ${PRESETS[i]}: ${r.stderr}`);
    for (const { preset, dir } of dbs) {
      const srv = await startServer({ dir });
      try {
        const c = new Client(srv.url);
        const r = await c.login();
        assert.equal(r.status, 200, `${preset}: admin login ${r.status} ${r.text}`);
        assert.ok(r.json.user.capabilities.includes('*'), `${preset}: admin is an admin`);
        assert.equal((await c.get('/api/me')).status, 200, `${preset}: session works`);
      } finally {
        await srv.stop();
      }
    }
  });

  it('demo with an unknown preset fails with a non-zero status', async () => {
    const r = await run(['demo', '--db', join(tmp(), 'voronka.db'), '--preset', 'spaceships', '--password', ADMIN.password]);
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.trim().length > 0, 'says why on stderr');
  });

  it('user add with a bad role fails non-zero and creates nobody', async () => {
    const dir = tmp();
    const db = join(dir, 'voronka.db');
    const ok = await run(['user', 'add', '--db', db, '--login', ADMIN.login, '--password', ADMIN.password, '--role', 'admin', '--name', 'Administrator']);
    assert.equal(ok.code, 0, ok.stderr);
    const bad = await run(['user', 'add', '--db', db, '--login', 'ghost', '--password', 'ghost-pass-1', '--role', 'overlord', '--name', 'Ghost']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /role/i, 'the error names the role');
    const srv = await startServer({ dir });
    try {
      assert.equal((await new Client(srv.url).login('ghost', 'ghost-pass-1')).status, 401);
      const admin = await adminClient(srv);
      assert.ok(!(await admin.get('/api/users?q=ghost')).json.items.some((u) => u.login === 'ghost'));
    } finally {
      await srv.stop();
    }
  });

  it('user add with a taken login or without a password fails non-zero', async () => {
    const db = join(tmp(), 'voronka.db');
    const args = ['user', 'add', '--db', db, '--login', 'ivan', '--password', 'ivan-pass-1', '--role', 'manager', '--name', 'Ivan'];
    assert.equal((await run(args)).code, 0);
    assert.notEqual((await run(args)).code, 0, 'duplicate login');
    assert.notEqual((await run(['user', 'add', '--db', db, '--login', 'petr', '--role', 'manager'])).code, 0, 'no password');
  });

  it('an unknown command fails non-zero', async () => {
    const r = await run(['frobnicate']);
    assert.notEqual(r.code, 0);
  });

  it('serve on a port that is taken fails non-zero instead of hanging', async () => {
    const blocker = net.createServer();
    await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
    const port = blocker.address().port;
    try {
      const db = join(tmp(), 'voronka.db');
      const r = await run(['serve', '--db', db, '--listen', `127.0.0.1:${port}`], { timeout: 10000 });
      assert.equal(r.signal, null, 'exited by itself, not killed after a timeout');
      assert.notEqual(r.code, 0);
      assert.ok(r.stderr.trim().length > 0, 'says why on stderr');
    } finally {
      blocker.close();
    }
  });
});

// GET /api/health: the probe a load balancer or an operator uses; no auth, JSON, always fast.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, run } from './helpers.mjs';

describe('health', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop(); });

  it('answers 200 {"ok":true,"version"} without any credentials', async () => {
    const r = await fetch(srv.url + '/api/health');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') || '', /^application\/json/);
    const j = await r.json();
    assert.equal(j.ok, true);
    assert.equal(typeof j.version, 'string');
    assert.match(j.version, /^\d+\.\d+\.\d+/, 'version looks like semver');
    const v = await run(['version']);
    assert.equal(v.code, 0);
    assert.ok(v.stdout.includes(j.version), `\`voronka version\` says "${v.stdout.trim()}", health says ${j.version}`);
  });

  it('sets no session cookie for anonymous callers', async () => {
    const r = await fetch(srv.url + '/api/health');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('set-cookie'), null);
  });

  it('serves 200 parallel probes, all 200', async () => {
    const rs = await Promise.all(Array.from({ length: 200 }, () =>
      fetch(srv.url + '/api/health').then(async (r) => ({ status: r.status, body: await r.json() }))));
    for (const r of rs) {
      assert.equal(r.status, 200);
      assert.equal(r.body.ok, true);
    }
  });

  it('keeps the connection alive between requests (no Connection: close)', async () => {
    const r = await fetch(srv.url + '/api/health');
    await r.text();
    assert.notEqual((r.headers.get('connection') || '').toLowerCase(), 'close');
  });
});

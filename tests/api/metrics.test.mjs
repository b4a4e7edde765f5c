// GET /metrics: Prometheus text an operator scrapes: request counts by route and status, a latency
// histogram, and database timings.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, adminClient, createUser, parseMetrics, uniq, rawHttp, sleep } from './helpers.mjs';

const REQS = 'voronka_http_requests_total';
const DUR = 'voronka_http_request_duration_seconds';

async function scrape(srv) {
  const r = await fetch(srv.url + '/metrics');
  assert.equal(r.status, 200);
  const text = await r.text();
  return { res: r, text, samples: parseMetrics(text) };
}

// The label of a request-counter sample that names the route (whatever the label is called).
const routeOf = (s) => s.labels.route ?? s.labels.path ?? s.labels.handler ?? s.labels.endpoint ?? '';
const statusOf = (s) => s.labels.status ?? s.labels.code ?? s.labels.status_code ?? '';
const sum = (xs) => xs.reduce((a, s) => a + s.value, 0);

describe('metrics', () => {
  let srv, admin;
  const secret = uniq('zz').replace(/[^a-z0-9]/g, '');
  before(async () => {
    srv = await startServer();
    admin = await adminClient(srv);
    for (let i = 0; i < 3; i++) await fetch(srv.url + '/api/health');
    await admin.get('/api/nope-' + secret);
    const u = await createUser(admin);
    await admin.get('/api/users/' + u.id);
    await new Client(srv.url).login('admin', 'wrong-password');
  });
  after(async () => { await srv?.stop(); });

  it('is Prometheus text, needs no auth, and every line parses', async () => {
    const { res, text, samples } = await scrape(srv);
    assert.match(res.headers.get('content-type') || '', /^text\/plain/);
    assert.ok(text.endsWith('\n'));
    const bad = samples.filter((s) => s.name === null);
    assert.deepEqual(bad.map((s) => s.raw), [], 'unparseable lines');
    assert.ok(samples.every((s) => s.name === null || !Number.isNaN(s.value)), 'all values are numbers');
  });

  it('counts requests by route and status', async () => {
    const { text, samples } = await scrape(srv);
    assert.match(text, new RegExp(`^# TYPE ${REQS} counter$`, 'm'));
    const reqs = samples.filter((s) => s.name === REQS);
    assert.ok(reqs.length > 0, `${REQS} present`);
    const health200 = reqs.filter((s) => routeOf(s).includes('/api/health') && statusOf(s) === '200');
    assert.ok(sum(health200) >= 3, `health 200 counted: ${JSON.stringify(health200)}`);
    assert.ok(reqs.some((s) => statusOf(s) === '404'), '404s are counted');
    assert.ok(reqs.some((s) => routeOf(s).includes('/api/login') && statusOf(s) === '401'), 'login 401 counted');
    assert.ok(reqs.some((s) => routeOf(s).includes('/api/users') && statusOf(s) === '201'), 'user create counted');
  });

  it('the counter grows with traffic', async () => {
    const h = (samples) => sum(samples.filter((s) => s.name === REQS && routeOf(s).includes('/api/health') && statusOf(s) === '200'));
    const before = h((await scrape(srv)).samples);
    for (let i = 0; i < 5; i++) await fetch(srv.url + '/api/health');
    const after = h((await scrape(srv)).samples);
    assert.ok(after - before >= 5, `${before} -> ${after}`);
  });

  it('route labels are patterns: no raw ids or unknown paths (bounded cardinality)', async () => {
    const { text, samples } = await scrape(srv);
    assert.ok(!text.includes(secret), 'an unknown path became a label value');
    const routes = new Set(samples.filter((s) => s.name === REQS).map(routeOf));
    for (const r of routes) assert.ok(!/\/api\/users\/\d+/.test(r), `raw id in route label: ${r}`);
  });

  it('has a latency histogram with cumulative buckets, +Inf, _sum and _count', async () => {
    const { text, samples } = await scrape(srv);
    assert.match(text, new RegExp(`^# TYPE ${DUR} histogram$`, 'm'));
    const buckets = samples.filter((s) => s.name === `${DUR}_bucket`);
    assert.ok(buckets.length > 0, 'buckets present');
    const series = new Map();
    for (const b of buckets) {
      const { le, ...rest } = b.labels;
      assert.ok(le !== undefined, 'bucket has le');
      const key = JSON.stringify(rest);
      if (!series.has(key)) series.set(key, []);
      series.get(key).push({ le: le === '+Inf' ? Infinity : Number(le), v: b.value });
    }
    for (const [key, bs] of series) {
      bs.sort((a, b) => a.le - b.le);
      assert.equal(bs[bs.length - 1].le, Infinity, `${key}: +Inf bucket`);
      for (let i = 1; i < bs.length; i++) assert.ok(bs[i].v >= bs[i - 1].v, `${key}: buckets cumulative`);
      const labels = JSON.parse(key);
      const match = (s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length;
      const count = samples.find((s) => s.name === `${DUR}_count` && match(s));
      const total = samples.find((s) => s.name === `${DUR}_sum` && match(s));
      assert.ok(count, `${key}: _count`);
      assert.ok(total && total.value >= 0, `${key}: _sum`);
      assert.equal(count.value, bs[bs.length - 1].v, `${key}: _count equals the +Inf bucket`);
    }
    const all = sum(samples.filter((s) => s.name === `${DUR}_count`));
    assert.ok(all >= 5, 'requests were observed');
  });

  it('a gauge of requests in flight: the scrape itself, and a request still sending its body', async () => {
    const gauge = async () => (await scrape(srv)).samples.find((s) => s.name === 'voronka_http_requests_in_flight')?.value;
    assert.equal(await gauge(), 1, 'only the scrape is in flight');
    // headers and half a body: the server has the request and waits for the rest
    const body = JSON.stringify({ login: uniq('half'), name: 'Half', password: 'password-123', role: 'manager' });
    const head = ['POST /api/users HTTP/1.1', 'Host: 127.0.0.1', 'Content-Type: application/json',
      `Cookie: ${admin.cookie}`, `X-CSRF-Token: ${admin.csrf}`, `Content-Length: ${body.length}`].join('\r\n');
    let release;
    const held = new Promise((r) => { release = r; });
    const slow = rawHttp(srv.url, head, async (write) => { await write(body.slice(0, 10)); await held; await write(body.slice(10)); });
    let n;
    for (let t = Date.now(); (n = await gauge()) < 2 && Date.now() - t < 10000; ) await sleep(10);
    assert.equal(n, 2, 'the half-sent request is in flight');
    release();
    assert.equal((await slow).status, 201);
    for (let t = Date.now(); (n = await gauge()) > 1 && Date.now() - t < 10000; ) await sleep(10);
    assert.equal(n, 1, 'answered, it is no longer in flight');
  });

  it('has database timing metrics that move with queries', async () => {
    const db = (samples) => samples.filter((s) => s.name && s.name.startsWith('voronka_db_'));
    const before = db((await scrape(srv)).samples);
    assert.ok(before.length > 0, 'voronka_db_* metrics present');
    await admin.get('/api/users');
    await createUser(admin);
    const after = db((await scrape(srv)).samples);
    assert.ok(sum(after) > sum(before), 'database metrics change when the database is used');
  });
});

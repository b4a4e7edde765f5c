// What `make bench` measures. Adding an operation = adding one entry to OPERATIONS (and, when it
// needs data, a setup function next to it). Each entry:
//   id          stable key in bench/results/*.json
//   title       the row label in the table
//   method, path, auth ('cookie' | 'cookie+csrf' | null), body or bodyTemplate ("{n}" = unique)
//   profile     a key of PROFILES (how hard wrk pushes)
//   baseline    a key of BASELINES: the same-run figure the ratio is taken against
//   setup(ctx)  optional, once before the loads: create what the request needs
//   check(r)    optional: validate one answer before loading (true, or a message)
//   groupCommit true: read voronka_db_* counters from /metrics around each load
// ctx = {url, session: {cookie, csrf}, scale, log}.

import { request } from './lib/http.mjs';

export const ADMIN = { login: 'admin', password: 'admin-pass-1' };

// wrk -t2 -c64 is what the notes measured with; client and server share the 2 cores, so every
// HTTP figure is client + server and the server gets roughly half the machine. The same profile
// for the baseline and for voronka keeps the ratio fair; server CPU per request is recorded as
// well (it does not depend on how the cores were shared).
export const PROFILES = {
  throughput: { threads: 2, connections: 64 },
  // argon2id (64 MiB, 2 passes) takes ~0.1 s of one core: 2 connections keep both cores hashing
  // without queueing seconds of work; and the load is short.
  argon2: { threads: 1, connections: 2, short: true },
};

// Baselines measured in the same run. kind: 'nginx' (a wrk load per round, like the operations),
// 'sqlite' (bench/sqlite_baseline, once), 'pwhash' (bench/pwhash_baseline, once).
export const BASELINES = {
  nginx_static: { kind: 'nginx', title: 'nginx static file, 200 B', path: '/static.json' },
  nginx_return200: { kind: 'nginx', title: 'nginx return 200, 200 B', path: '/return200' },
  sqlite_insert_fsync: { kind: 'sqlite', key: 'insert_fsync', title: 'SQLite 1 row/commit, fsync', unit: 'commits/s' },
  sqlite_insert_batch: { kind: 'sqlite', key: 'insert_batch', title: 'SQLite 1000 rows/commit', unit: 'rows/s' },
  sqlite_point_lookup: { kind: 'sqlite', key: 'point_lookup', title: 'SQLite indexed point lookup', unit: 'lookups/s' },
  argon2id_verify: { kind: 'pwhash', title: 'argon2id verify, nproc threads', unit: 'verifies/s' },
};

// ---- set-up helpers -------------------------------------------------------------------------

// At least n active users, so that a 50-row page is full. Users are created through the API
// (argon2id per user: slow on purpose), two at a time.
async function ensureUsers(ctx, n) {
  const h = { cookie: ctx.session.cookie, 'x-csrf-token': ctx.session.csrf };
  const have = await request(ctx.url + '/api/users?limit=200', { headers: h });
  let count = have.json.items.length;
  const todo = [];
  for (let i = 1; count + todo.length < n; i++) {
    const login = `bench-user-${String(i).padStart(3, '0')}`;
    if (!have.json.items.some((u) => u.login === login)) todo.push(login);
  }
  if (todo.length) ctx.log(`  creating ${todo.length} users (argon2id each)`);
  const worker = async () => {
    while (todo.length) {
      const login = todo.shift();
      const r = await request(ctx.url + '/api/users', {
        method: 'POST', headers: h,
        body: { login, name: `Bench User ${login.slice(-3)}`, password: 'bench-pass-1', role: 'manager' },
      });
      if (r.status !== 201) throw new Error(`create user ${login}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
      count++;
    }
  };
  await Promise.all([worker(), worker()]);
}

// At least n settings changes in the timeline (one event each), so a timeline page is full.
async function ensureSettingsEvents(ctx, n) {
  const h = { cookie: ctx.session.cookie, 'x-csrf-token': ctx.session.csrf };
  for (let i = 0; i < n; i++) {
    const r = await request(ctx.url + '/api/settings', { method: 'PATCH', headers: h, body: { company_name: `Seed ${i}` } });
    if (r.status !== 200) throw new Error(`PATCH /api/settings: HTTP ${r.status} ${r.text.slice(0, 200)}`);
  }
}

const fullPage = (n) => (r) => (r.json && Array.isArray(r.json.items) && r.json.items.length === n) ||
  `expected a page of ${n} items, got ${r.json && r.json.items ? r.json.items.length : r.text.slice(0, 100)}`;

// ---- the operations that exist now ----------------------------------------------------------

export const OPERATIONS = [
  {
    id: 'health', title: 'GET /api/health',
    method: 'GET', path: '/api/health', auth: null,
    profile: 'throughput', baseline: 'nginx_return200',
  },
  {
    id: 'me', title: 'GET /api/me (session cookie)',
    method: 'GET', path: '/api/me', auth: 'cookie',
    profile: 'throughput', baseline: 'nginx_static',
  },
  {
    id: 'users_page', title: 'GET /api/users?limit=50 (admin)',
    method: 'GET', path: '/api/users?limit=50', auth: 'cookie',
    profile: 'throughput', baseline: 'nginx_static',
    setup: (ctx) => ensureUsers(ctx, ctx.scale.users),
    check: (r, ctx) => fullPage(Math.min(50, ctx.scale.users))(r),
  },
  {
    id: 'timeline_page', title: 'GET /api/timeline settings, 50 events',
    method: 'GET', path: '/api/timeline?entity=settings&id=0&limit=50', auth: 'cookie',
    profile: 'throughput', baseline: 'nginx_static',
    setup: (ctx) => ensureSettingsEvents(ctx, 50),
    check: fullPage(50),
  },
  {
    id: 'settings_write', title: 'PATCH /api/settings (durable write)',
    method: 'PATCH', path: '/api/settings', auth: 'cookie+csrf',
    bodyTemplate: '{"company_name":"Bench {n}"}',
    profile: 'throughput', baseline: 'sqlite_insert_fsync', groupCommit: true,
  },
  {
    id: 'login', title: 'POST /api/login (argon2id-bound, c=2)',
    method: 'POST', path: '/api/login', auth: null,
    body: JSON.stringify(ADMIN),
    profile: 'argon2', baseline: 'argon2id_verify',
  },
];

// ---- planned: each becomes an OPERATIONS entry when its capability lands --------------------
// The CRM entities (contacts, deals) come with a later issue, and with them the dataset
// generator bench/gen (1M contacts + 1M deals, deterministic from a seed, bulk path) that these
// need. Targets are those of issue 4.
export const PLANNED = [
  { id: 'gen', title: 'dataset generator bench/gen (10k / 100k / 1M contacts + deals)', needs: 'CRM entities', target: '1M + 1M in < 2 min' },
  { id: 'caller_id', title: 'caller-ID lookup by phone (authenticated)', needs: 'contacts, phone index, bench/gen', baseline: 'nginx_static, sqlite_point_lookup', target: '≥ 0.8× nginx static, p99 < 2 ms' },
  { id: 'contact_card', title: 'contact card (contact + deals + last events)', needs: 'contacts, deals', baseline: 'nginx_static' },
  { id: 'deal_list', title: 'filtered deal list page as a manager (permission-scoped)', needs: 'deals, record scopes', baseline: 'nginx_static', target: 'p99 < 10 ms' },
  { id: 'kanban_column', title: 'kanban column (deals of one stage)', needs: 'pipelines, deals', baseline: 'nginx_static' },
  { id: 'search', title: 'full-text search', needs: 'contacts, deals, search index', baseline: 'nginx_static' },
  { id: 'intake', title: 'POST /api/intake/FORM_KEY (durable, Idempotency-Key)', needs: 'intake forms', baseline: 'sqlite_insert_fsync', target: '≥ 10k/s' },
  { id: 'take', title: 'POST /api/queue/P/take with 10k and 100k waiting', needs: 'dispatch queue', baseline: 'sqlite_insert_fsync', target: 'p99 < 5 ms at 10k waiting' },
  { id: 'telephony_route', title: 'GET /api/telephony/route (routing answer for the PBX)', needs: 'telephony', baseline: 'nginx_static' },
  { id: 'deal_timeline', title: 'timeline page of a deal', needs: 'deals (the settings timeline page is measured now)', baseline: 'nginx_static' },
  { id: 'reports', title: 'report queries (funnel, sources)', needs: 'analytics, covering indexes or summary tables', baseline: 'SQLite GROUP BY (to add to sqlite_baseline)' },
  { id: 'csv_import', title: 'CSV import, rows/s', needs: 'voronka import', baseline: 'sqlite_insert_batch' },
  { id: 'rss_1m', title: 'server RSS after loading 1M contacts + 1M deals', needs: 'bench/gen', target: '< 200 MB' },
];

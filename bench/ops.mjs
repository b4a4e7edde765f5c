// What `make bench` measures. Adding an operation = adding one entry to OPERATIONS (and, when it
// needs data, a setup function next to it). Each entry:
//   id          stable key in bench/results/*.json
//   title       the row label in the table
//   method, path, auth ('cookie' | 'cookie+csrf' | 'bearer' | null), body or bodyTemplate ("{n}" = unique)
//   requests(ctx) optional: the requests of the load, [{path, cookie?}…]; wrk picks one at
//               random for every request (bench/wrk/request.lua), so a load is spread over
//               thousands of records and sessions. path is then only the label / first check.
//   profile     a key of PROFILES (how hard wrk pushes)
//   light       true: also a short load at PROFILES.light each round, for latency that is not
//               queueing (the p99 targets of issue 4 are read there)
//   baseline    a key of BASELINES: the same-run figure the ratio is taken against
//   also        more BASELINES keys to report a ratio against (JSON and the notes under the table)
//   target      the issue-4 target, as text, and targetCheck(op) → true/false when it can be judged
//   setup(ctx)  optional, once before the loads: create what the request needs
//   check(r)    optional: validate one answer before loading (true, or a message); with
//               requests(), a few of them are checked
//   groupCommit true: read voronka_db_* counters from /metrics around each load
// ctx = {url, session: {cookie, csrf} (admin), managers: [{login, cookie, csrf}…], db (the
//        database file, read with the sqlite3 shell), rand (seeded PRNG), scale, log};
//        bearer (an API token, 'bearer' rows: their setup makes it).

import { request } from './lib/http.mjs';
import { sample, typo, typedPhone } from './lib/data.mjs';

export const ADMIN = { login: 'admin', password: 'admin-pass-1' };

// wrk -t2 -c64 is what the notes measured with; client and server share the 2 cores, so every
// HTTP figure is client + server and the server gets roughly half the machine. The same profile
// for the baseline and for voronka keeps the ratio fair; server CPU per request is recorded as
// well (it does not depend on how the cores were shared).
export const PROFILES = {
  throughput: { threads: 2, connections: 64 },
  // Requests that take tens to hundreds of milliseconds: 8 in flight already keep both cores
  // busy; 64 would only queue seconds of work (and leave it running after the load ends).
  heavy: { threads: 2, connections: 8, timeoutS: 30 },
  // Latency without queueing: 4 requests in flight (2 per core). The p99 targets are read here;
  // at -c64 every p99 is mostly the queue (nginx's own static-file p99 was 5–450 ms there).
  light: { threads: 2, connections: 4, light: true, timeoutS: 30 },
  // argon2id (64 MiB, 2 passes) takes ~0.1 s of one core: 2 connections keep both cores hashing
  // without queueing seconds of work; and the load is short.
  argon2: { threads: 1, connections: 2, short: true, timeoutS: 30 },
};

// Baselines measured in the same run. kind: 'nginx' (a wrk load per round, like the operations),
// 'sqlite' (bench/sqlite_baseline, once), 'pwhash' (bench/pwhash_baseline, once).
export const BASELINES = {
  nginx_static: { kind: 'nginx', title: 'nginx static file, 200 B', path: '/static.json' },
  nginx_return200: { kind: 'nginx', title: 'nginx return 200, 200 B', path: '/return200' },
  // The static file again, but requested the way the CRM rows are: wrk's Lua picks one of
  // 1000 URLs per request (nginx rewrites them all to the same file). Same client cost per
  // request as the operations with a request list, so the ratio compares servers only.
  nginx_static_varied: { kind: 'nginx', title: 'nginx static file, 200 B, random URL', path: '/s/', varied: 1000 },
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

// ---- set-up helpers for the CRM rows (a database made by voronka bench-gen) ------------------

const enc = encodeURIComponent;
const STAGES = ['new', 'confirmed', 'paid', 'shipped', 'delivered', 'cancelled']; // b2c "orders"

// Give n random deals a history: 12 edits each (stage moves, amount, city: two events per
// edit), as admin, 8 at a time. bench-gen writes only the "create" event of a record.
async function ensureDealHistory(ctx, n) {
  if (ctx.historyDeals) return ctx.historyDeals;
  const h = { cookie: ctx.session.cookie, 'x-csrf-token': ctx.session.csrf };
  const deals = sample(ctx.db, ctx.rand, { table: 'deals', columns: 'id, version', where: 'deleted_at IS NULL', n });
  const CITIES = ['Тверь', 'Казань', 'Пермь', 'Омск', 'Самара', 'Уфа'];
  const edits = (i) => [
    { stage: 'confirmed', amount: 150000 + i * 100 }, { city: CITIES[i % 6], amount: 160000 + i },
    { stage: 'paid', notes: `счёт ${i}` }, { stage: 'confirmed', city: CITIES[(i + 1) % 6] },
  ][i % 4];
  ctx.log(`  giving ${deals.length} deals a history of 12 edits each`);
  const todo = deals.map((d) => ({ ...d }));
  const worker = async () => {
    for (let d; (d = todo.shift());) {
      let version = d.version;
      for (let i = 0; i < 12; i++) {
        const r = await request(`${ctx.url}/api/deals/${d.id}`, { method: 'PATCH', headers: h, body: { version, ...edits(i) } });
        if (r.status !== 200) throw new Error(`PATCH /api/deals/${d.id}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
        version = r.json.version;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  ctx.historyDeals = deals.map((d) => d.id);
  return ctx.historyDeals;
}

const itemsAtLeast = (n) => (r) => (r.json && Array.isArray(r.json.items) && r.json.items.length >= n) ||
  `expected at least ${n} item(s), got ${r.json && r.json.items ? r.json.items.length : r.text.slice(0, 100)}`;
const hasId = (r) => (r.json && Number.isInteger(r.json.id)) || `expected a record, got ${r.text.slice(0, 100)}`;

// The numbers both caller-ID rows ask for (drawn once, so the two rows answer the same calls),
// URL-encoded.
function callerPhones(ctx) {
  ctx.callerPhones ??= sample(ctx.db, ctx.rand, { table: 'phones', columns: 'e164', where: "entity = 'contact'", n: ctx.scale.keys })
    .map((p) => enc(ctx.rand() < 0.7 ? p.e164 : '8' + p.e164.slice(2)));
  return ctx.callerPhones;
}

// A role "pbx" that reads contacts, companies and deals and may do nothing else, and an API
// token of it: what a PBX is set up with (docs/api.md, Telephony).
async function ensurePbxToken(ctx) {
  if (ctx.bearer) return;
  const h = { cookie: ctx.session.cookie, 'x-csrf-token': ctx.session.csrf };
  const role = await request(ctx.url + '/api/roles/pbx', {
    method: 'PUT', headers: h,
    body: { name: 'PBX', capabilities: [], scopes: { contact: { read: 'all' }, company: { read: 'all' }, deal: { read: 'all' } } },
  });
  if (role.status !== 200) throw new Error(`PUT /api/roles/pbx: HTTP ${role.status} ${role.text.slice(0, 200)}`);
  const tok = await request(ctx.url + '/api/tokens', { method: 'POST', headers: h, body: { name: 'bench PBX', role: 'pbx' } });
  if (tok.status !== 201) throw new Error(`POST /api/tokens: HTTP ${tok.status} ${tok.text.slice(0, 200)}`);
  ctx.bearer = tok.json.secret;
}

// ---- the operations ---------------------------------------------------------------------------

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
  // Caller-ID: the PBX asks who is calling, at every ring, with an API token of a role that
  // reads contacts and companies (what docs/api.md tells a PBX to use; not an admin token).
  // Random existing contacts' numbers, 70% as E.164, 30% as the 11 digits "8…" some PBXs send.
  {
    id: 'caller_id', title: 'caller-ID: GET /api/telephony/lookup (PBX token)',
    method: 'GET', path: '/api/telephony/lookup?phone=…', auth: 'bearer',
    profile: 'throughput', light: true, baseline: 'nginx_static_varied', also: ['nginx_static', 'sqlite_point_lookup'],
    target: '≥ 0.8× nginx static, p99 < 2 ms',
    targetCheck: (o) => o.ratio_vs.nginx_static >= 0.8 && o.light.p99_ms < 2,
    setup: (ctx) => ensurePbxToken(ctx),
    requests: (ctx) => callerPhones(ctx).map((p) => ({ path: '/api/telephony/lookup?phone=' + p })),
    check: itemsAtLeast(1),
  },
  // The same numbers through the generic list, as a UI or an integration without the lookup
  // asks (~35 fields a record): what the lookup is measured against.
  {
    id: 'caller_id_list', title: 'caller-ID the generic way: GET /api/contacts?phone= (admin)',
    method: 'GET', path: '/api/contacts?phone=…', auth: 'cookie',
    profile: 'throughput', light: true, baseline: 'nginx_static_varied', also: ['nginx_static'],
    requests: (ctx) => callerPhones(ctx).map((p) => ({ path: '/api/contacts?phone=' + p })),
    check: itemsAtLeast(1),
  },
  {
    id: 'contact_card', title: 'contact card: GET /api/contacts/ID (admin)',
    method: 'GET', path: '/api/contacts/ID', auth: 'cookie',
    profile: 'throughput', light: true, baseline: 'nginx_static_varied',
    requests: (ctx) => sample(ctx.db, ctx.rand, { table: 'contacts', where: 'deleted_at IS NULL', n: ctx.scale.keys })
      .map((c) => ({ path: `/api/contacts/${c.id}` })),
    check: hasId,
  },
  // The list of the brief: a manager's own deals, newest first (the primary key order), first
  // page and the two after it through the keyset cursor.
  {
    id: 'deal_list', title: 'deal list: GET /api/deals?limit=50 (manager, own)',
    method: 'GET', path: '/api/deals?limit=50', auth: 'cookie',
    profile: 'throughput', light: true, baseline: 'nginx_static_varied',
    target: 'p99 < 10 ms', targetCheck: (o) => o.light.p99_ms < 10,
    requests: async (ctx) => {
      const out = [];
      for (const m of ctx.managers) {
        let path = '/api/deals?limit=50';
        for (let page = 0; page < 3 && path; page++) {
          out.push({ path, cookie: m.cookie });
          const r = await request(ctx.url + path, { headers: { cookie: m.cookie } });
          path = r.json && r.json.next ? '/api/deals?limit=50&cursor=' + enc(r.json.next) : null;
        }
      }
      return out;
    },
    check: fullPage(50),
  },
  // The same list as the deals screen asks for it: sorted by last change, with the total.
  {
    id: 'deal_list_ui', title: 'deal list as the UI asks: sort=-updated_at&count=true',
    method: 'GET', path: '/api/deals?sort=-updated_at&limit=50&count=true', auth: 'cookie',
    profile: 'heavy', light: true, baseline: 'nginx_static_varied',
    target: 'p99 < 10 ms', targetCheck: (o) => o.light.p99_ms < 10,
    requests: (ctx) => ctx.managers.map((m) => ({ path: '/api/deals?sort=-updated_at&limit=50&count=true', cookie: m.cookie })),
    check: fullPage(50),
  },
  // One column of the board, as web/js/board.js loads it: a stage, newest move first, 20
  // cards and the column total.
  {
    id: 'kanban_column', title: 'kanban column: stage=KEY&sort=-stage_changed_at&count (mgr)',
    method: 'GET', path: '/api/deals?pipeline=orders&stage=KEY&sort=-stage_changed_at&limit=20&count=true', auth: 'cookie',
    profile: 'heavy', light: true, baseline: 'nginx_static_varied',
    requests: (ctx) => ctx.managers.flatMap((m) => STAGES.map((s) => ({
      path: `/api/deals?pipeline=orders&stage=${s}&sort=-stage_changed_at&limit=20&count=true`, cookie: m.cookie }))),
    check: itemsAtLeast(1),
  },
  // The board's true column totals (count and sum per stage and currency) in one request, as
  // web/js/board.js asks once per load: a manager's own deals, then the whole pipeline (admin).
  {
    id: 'kanban_summary', title: 'kanban totals: GET /api/pipelines/orders/summary (mgr)',
    method: 'GET', path: '/api/pipelines/orders/summary', auth: 'cookie',
    profile: 'heavy', light: true, baseline: 'nginx_static_varied',
    requests: (ctx) => ctx.managers.map((m) => ({ path: '/api/pipelines/orders/summary', cookie: m.cookie })),
    check: (r) => (r.json && Array.isArray(r.json.stages) && r.json.total.count >= 1) || `no totals: ${r.status} ${r.text || ''}`.slice(0, 200),
  },
  {
    id: 'kanban_summary_all', title: 'kanban totals: GET /api/pipelines/orders/summary (admin, all)',
    method: 'GET', path: '/api/pipelines/orders/summary', auth: 'cookie',
    profile: 'heavy', light: true, baseline: 'nginx_static_varied',
    check: (r) => (r.json && Array.isArray(r.json.stages) && r.json.total.count >= 1) || `no totals: ${r.status} ${r.text || ''}`.slice(0, 200),
  },
  // The search box: a surname or first-name fragment (4–7 letters), a name and the start of
  // the next word, or 4–7 digits of a number, as a manager (own scope).
  {
    id: 'search', title: 'search: GET /api/contacts?q= (manager, names/digits)',
    method: 'GET', path: '/api/contacts?q=…', auth: 'cookie',
    profile: 'heavy', light: true, baseline: 'nginx_static_varied',
    requests: (ctx) => {
      const rows = sample(ctx.db, ctx.rand, {
        table: 'contacts', columns: "name, (SELECT e164 FROM phones WHERE entity = 'contact' AND record_id = contacts.id) AS phone",
        where: 'deleted_at IS NULL', n: Math.min(ctx.scale.keys, 2000),
      });
      return rows.map((c) => {
        const words = c.name.split(' ');
        const k = ctx.rand.int(10);
        let q;
        if (k < 4) q = words[0].slice(0, 4 + ctx.rand.int(4));
        else if (k < 6) q = words[1].slice(0, 4 + ctx.rand.int(3));
        else if (k < 7) q = `${words[1]} ${words[0].slice(0, 3)}`;
        else { const d = (c.phone || '+79161234567').slice(2); const len = 4 + ctx.rand.int(4); const at = ctx.rand.int(d.length - len + 1); q = d.slice(at, at + len); }
        return { path: '/api/contacts?q=' + enc(q), cookie: ctx.rand.pick(ctx.managers).cookie };
      });
    },
  },
  // The lead form's check while a manager types: a name that exists, with one typo, and a
  // phone (a third of them another contact's, the rest new), typed the way people type.
  {
    id: 'duplicates', title: 'duplicates: name with a typo + phone (manager)',
    method: 'GET', path: '/api/duplicates?name=…&phone=…', auth: 'cookie',
    profile: 'throughput', light: true, baseline: 'nginx_static_varied',
    target: 'p99 < 20 ms', targetCheck: (o) => o.light.p99_ms < 20,
    requests: (ctx) => {
      const n = Math.min(ctx.scale.keys, 5000);
      const names = sample(ctx.db, ctx.rand, { table: 'contacts', columns: 'name', where: 'deleted_at IS NULL', n });
      const phones = sample(ctx.db, ctx.rand, { table: 'phones', columns: 'e164', where: "entity = 'contact'", n });
      return names.map((c, i) => {
        const e164 = ctx.rand() < 0.33 && phones[i] ? phones[i].e164 : '+79' + String(ctx.rand.int(1e9)).padStart(9, '0');
        return { path: `/api/duplicates?name=${enc(typo(ctx.rand, c.name))}&phone=${enc(typedPhone(ctx.rand, e164))}`, cookie: ctx.rand.pick(ctx.managers).cookie };
      });
    },
  },
  // A deal's history, as the record page loads it (30 events a page); the deals picked were
  // given 24 events of history in the set-up.
  {
    id: 'deal_timeline', title: 'deal history: GET /api/timeline?entity=deal (admin)',
    method: 'GET', path: '/api/timeline?entity=deal&id=N&limit=30', auth: 'cookie',
    profile: 'throughput', light: true, baseline: 'nginx_static_varied',
    setup: (ctx) => ensureDealHistory(ctx, ctx.scale.historyDeals),
    requests: (ctx) => ctx.historyDeals.map((id) => ({ path: `/api/timeline?entity=deal&id=${id}&limit=30` })),
    check: itemsAtLeast(20),
  },
];

// ---- planned: each becomes an OPERATIONS entry when its capability lands --------------------
// Targets are those of issue 4.
export const PLANNED = [
  { id: 'intake', title: 'POST /api/intake/FORM_KEY (durable, Idempotency-Key)', needs: 'intake forms', baseline: 'sqlite_insert_fsync', target: '≥ 10k/s' },
  { id: 'take', title: 'POST /api/queue/P/take with 10k and 100k waiting', needs: 'dispatch queue', baseline: 'sqlite_insert_fsync', target: 'p99 < 5 ms at 10k waiting' },
  { id: 'telephony_route', title: 'GET /api/telephony/route (routing answer for the PBX)', needs: 'telephony', baseline: 'nginx_static' },
  { id: 'reports', title: 'report queries (funnel, sources)', needs: 'analytics, covering indexes or summary tables', baseline: 'SQLite GROUP BY (to add to sqlite_baseline)' },
];

#!/usr/bin/env node
// voronka benchmark: `make bench` (default scale) and `make bench-smoke` (tiny, for CI).
//
//   node bench/run.mjs [--scale default|smoke] [--only REGEX] [--out FILE]
//   (--only picks operations by id, e.g. --only 'health|me'; the baselines always run)
//
// Everything runs on 127.0.0.1 and every load is bounded in time (wrk -d). In one run:
//   1. raw SQLite in voronka's mode (bench/sqlite_baseline) and raw argon2id (bench/pwhash_baseline)
//   2. voronka cold start: spawn → first 200 on /api/health, median of several starts
//   3. rounds: nginx static + nginx return 200 + every operation of bench/ops.mjs, interleaved, so
//      each ratio is taken between figures measured minutes apart at most; medians over rounds
//   4. server RSS after the loads, group-commit counters from /metrics
// Prints one table and writes bench/results/latest.json (smoke: latest-smoke.json) and a dated
// copy. Exits non-zero when an operation produced no figure (no requests, or answers that were
// not 2xx): that is what bench-smoke asserts — it never asserts how fast.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPERATIONS, BASELINES, PROFILES, PLANNED, ADMIN } from './ops.mjs';
import { request, login, metrics, probeKeepAlive } from './lib/http.mjs';
import { startNginx, startVoronka, coldStart, startupMsFromLog } from './lib/servers.mjs';
import { runWrk } from './lib/wrk.mjs';
import { machine, gitInfo, memory, sampleBusy } from './lib/sys.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

// ---- scales -----------------------------------------------------------------------------------
const SCALES = {
  // ~3.5 minutes on 2 cores: 3 rounds × 8 loads (7 × 7 s + login 4 s) + baselines + set-up.
  default: {
    seconds: 7, shortSeconds: 4, rounds: 3, warmupSeconds: 2,
    sqliteSeconds: 3, sqliteRows: 1000000, pwhashSeconds: 3,
    coldStarts: 7, users: 60, waitIdleSeconds: 120,
  },
  // CI: each load 1 s, one round; proves every row still produces a figure.
  smoke: {
    seconds: 1, shortSeconds: 1, rounds: 1, warmupSeconds: 0,
    sqliteSeconds: 0.5, sqliteRows: 10000, pwhashSeconds: 0.5,
    coldStarts: 3, users: 5, waitIdleSeconds: 0,
  },
};

function parseArgs(argv) {
  const a = { scale: 'default', only: null, out: null };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i], v = argv[i + 1];
    if (k === '--scale') { a.scale = v; i++; } else if (k === '--only') { a.only = new RegExp(v); i++; } else if (k === '--out') { a.out = v; i++; } else throw new Error(`unknown argument ${k}`);
  }
  if (!SCALES[a.scale]) throw new Error(`--scale must be one of ${Object.keys(SCALES).join(', ')}`);
  // The default scale writes latest.json; smoke runs (CI) must not overwrite it.
  a.out ??= join(ROOT, 'bench', 'results', a.scale === 'default' ? 'latest.json' : `latest-${a.scale}.json`);
  return a;
}

const log = (...m) => console.error(...m);
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function runTool(bin, args) {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${bin} exited ${code}: ${err}${out}`));
      const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
      if (!line) return reject(new Error(`${bin} printed no BENCH_JSON line:\n${out}`));
      resolve({ json: JSON.parse(line.slice(11)), text: out.split('\n').filter((l) => !l.startsWith('BENCH_JSON ')).join('\n').trim() });
    });
  });
}

// ---- main -------------------------------------------------------------------------------------
async function main() {
  const args = parseArgs(process.argv.slice(2));
  const scale = SCALES[args.scale];
  const t0 = Date.now();
  const BIN = process.env.VORONKA_BIN || join(ROOT, 'build', 'voronka');
  const B = dirname(BIN);
  const SQLITE_BIN = join(B, 'bench', 'sqlite_baseline');
  const PWHASH_BIN = join(B, 'bench', 'pwhash_baseline');
  for (const f of [BIN, SQLITE_BIN, PWHASH_BIN])
    if (!existsSync(f)) throw new Error(`${f} is missing: run through make bench / make bench-smoke`);
  const ops = OPERATIONS.filter((o) => !args.only || args.only.test(o.id));
  const warnings = [];
  const warn = (m) => { warnings.push(m); log(`WARNING: ${m}`); };

  const mach = machine();
  const git = gitInfo(ROOT);
  log(`voronka bench, scale ${args.scale}: ${mach.nproc} CPU (${mach.cpu_model}), ${mach.memory_mib} MiB, kernel ${mach.kernel}, commit ${git.short}${git.dirty ? ' (dirty)' : ''}`);
  // Other work on a 2-core machine ruins every figure: wait a while for it to end.
  let busyBefore = await sampleBusy(1000);
  const waitIdle = Number(process.env.BENCH_WAIT_IDLE ?? scale.waitIdleSeconds);
  for (let waited = 0; busyBefore > 0.15 && waited < waitIdle; waited += 5) {
    if (waited === 0) log(`machine ${(busyBefore * 100).toFixed(0)}% busy: waiting up to ${waitIdle} s for it to go quiet (BENCH_WAIT_IDLE=0 to skip)`);
    busyBefore = await sampleBusy(5000);
  }
  log(`machine busy before start: ${(busyBefore * 100).toFixed(0)}% (load ${mach.loadavg_at_start.join(' ')})`);
  if (busyBefore > 0.15)
    warn(`the machine was ${(busyBefore * 100).toFixed(0)}% busy before the run: other work shares the cores, figures are low and noisy`);

  const tmp = mkdtempSync(join(tmpdir(), 'voronka-bench-'));
  const result = {
    schema: 1, scale: args.scale, started_at: new Date(t0).toISOString(),
    machine: mach, git, machine_busy_before: busyBefore,
    settings: { ...scale, profiles: PROFILES, tmp_dir_fs: tmp },
    baselines: {}, operations: [], warnings,
  };
  let nginx = null, srv = null;
  try {
    // 1. Storage and hashing baselines (no HTTP).
    log('\n[1/5] raw SQLite (WAL, synchronous=FULL) and raw argon2id');
    mkdirSync(join(tmp, 'sqlite'));
    const sq = await runTool(SQLITE_BIN, ['--dir', join(tmp, 'sqlite'), '--seconds', String(scale.sqliteSeconds), '--rows', String(scale.sqliteRows)]);
    log(sq.text);
    rmSync(join(tmp, 'sqlite'), { recursive: true, force: true });
    const pw = await runTool(PWHASH_BIN, ['--seconds', String(scale.pwhashSeconds), '--threads', String(mach.nproc)]);
    log(pw.text);
    for (const [id, b] of Object.entries(BASELINES)) {
      if (b.kind === 'sqlite') {
        const r = sq.json[b.key];
        result.baselines[id] = { title: b.title, unit: b.unit, rps: r.ops_per_s, p50_ms: r.p50_us / 1000, p99_ms: r.p99_us / 1000, detail: r };
      } else if (b.kind === 'pwhash') {
        const r = pw.json.argon2id_verify;
        result.baselines[id] = { title: b.title, unit: b.unit, rps: r.ops_per_s, p50_ms: r.p50_us / 1000, p99_ms: r.p99_us / 1000, detail: r };
      }
    }
    result.baselines.sqlite_point_lookup.detail.table_rows = sq.json.lookup_table_rows;
    result.baselines.sqlite_point_lookup.detail.sqlite_version = sq.json.sqlite_version;

    // 2. A database like the brief's, then cold starts on it.
    log('\n[2/5] cold start');
    const db = join(tmp, 'voronka.db');
    execFileSync(BIN, ['user', 'add', '--db', db, '--login', ADMIN.login, '--password', ADMIN.password, '--role', 'admin'], { stdio: 'ignore' });
    const coldLog = join(tmp, 'cold.log');
    const coldMs = [];
    for (let i = 0; i < scale.coldStarts; i++) coldMs.push((await coldStart(BIN, db, coldLog)).ms);
    const inProc = startupMsFromLog(coldLog);
    result.cold_start = {
      runs_ms: coldMs.map((x) => Math.round(x * 10) / 10), median_ms: median(coldMs),
      in_process_startup_ms: inProc, median_in_process_ms: median(inProc),
    };
    log(`cold start (spawn → first 200 on /api/health): median ${median(coldMs).toFixed(1)} ms of ${coldMs.length}; in-process startup_ms median ${median(inProc)}`);

    // 3. Servers up, sessions, data each operation needs, one checked answer each, keep-alive.
    log('\n[3/5] set-up');
    srv = await startVoronka(BIN, db, join(tmp, 'voronka.log'));
    nginx = await startNginx(join(tmp, 'nginx'), { workers: mach.nproc });
    log(`voronka ${srv.url} (pid ${srv.pid}), nginx ${nginx.url} (pid ${nginx.pid}, ${mach.nproc} workers)`);
    result.memory = { after_start: memory(srv.pid) };
    const session = await login(srv.url, ADMIN.login, ADMIN.password);
    const ctx = { url: srv.url, session, scale, log };
    const loads = {};
    for (const op of ops) {
      if (op.setup) await op.setup(ctx);
      const headers = {};
      if (op.auth === 'cookie' || op.auth === 'cookie+csrf') headers.Cookie = session.cookie;
      if (op.auth === 'cookie+csrf') headers['X-CSRF-Token'] = session.csrf;
      if (op.body || op.bodyTemplate) headers['Content-Type'] = 'application/json';
      const profile = PROFILES[op.profile];
      loads[op.id] = {
        url: srv.url + op.path, method: op.method, headers, body: op.body,
        bodyTemplate: op.bodyTemplate, threads: profile.threads, connections: profile.connections,
        seconds: profile.short ? scale.shortSeconds : scale.seconds,
      };
      const sample = (op.bodyTemplate || '').replaceAll('{n}', 'check');
      const probeOpts = { method: op.method, headers, body: op.body || (op.bodyTemplate ? sample : undefined) };
      const one = await request(srv.url + op.path, probeOpts);
      if (one.status < 200 || one.status > 299) throw new Error(`${op.id}: ${op.method} ${op.path} answered ${one.status}: ${one.text.slice(0, 300)}`);
      if (op.check) {
        const c = op.check(one, ctx);
        if (c !== true) throw new Error(`${op.id}: ${c}`);
      }
      const ka = await probeKeepAlive(srv.url + op.path, probeOpts);
      loads[op.id].keepalive = ka;
      if (!ka.ok) warn(`${op.id}: keep-alive broken (Connection: ${ka.connection}, socket reused: ${ka.reused}) — every request pays a new TCP connection`);
      log(`  ${op.id}: ${one.status}, ${Buffer.byteLength(one.text)} B body, keep-alive ${ka.ok ? 'ok' : 'BROKEN'}${ka.connection ? ` (Connection: ${ka.connection})` : ''}`);
    }
    const nginxLoads = {};
    for (const [id, b] of Object.entries(BASELINES)) {
      if (b.kind !== 'nginx') continue;
      const p = PROFILES.throughput;
      nginxLoads[id] = { url: nginx.url + b.path, method: 'GET', headers: {}, threads: p.threads, connections: p.connections, seconds: scale.seconds };
      const ka = await probeKeepAlive(nginx.url + b.path);
      nginxLoads[id].keepalive = ka;
      if (!ka.ok) warn(`${id}: nginx keep-alive broken?`);
    }

    // 4. Rounds: the baselines and every operation, interleaved.
    log(`\n[4/5] ${scale.rounds} round(s) of loads, ${scale.seconds} s each (login ${scale.shortSeconds} s)`);
    if (scale.warmupSeconds) {
      await runWrk({ ...nginxLoads.nginx_static, seconds: scale.warmupSeconds });
      if (loads.health) await runWrk({ ...loads.health, seconds: scale.warmupSeconds });
    }
    const rounds = { ...Object.fromEntries(Object.keys(nginxLoads).map((k) => [k, []])), ...Object.fromEntries(ops.map((o) => [o.id, []])) };
    const gc = [];
    for (let r = 1; r <= scale.rounds; r++) {
      for (const [id, load] of Object.entries(nginxLoads)) {
        const w = await runWrk(load, nginx.pids);
        rounds[id].push(w);
        log(`  round ${r} ${id.padEnd(18)} ${fmtRate(w.rps).padStart(8)} req/s  p50 ${fmtMs(w.p50_ms)}  p99 ${fmtMs(w.p99_ms)} ms  srv ${fmtUs(w.server_cpu_us_per_req)} µs CPU/req  other ${pct(w.foreign_busy)}`);
      }
      for (const op of ops) {
        const before = op.groupCommit ? await metrics(srv.url) : null;
        const w = await runWrk(loads[op.id], srv.pids);
        if (op.groupCommit) {
          const after = await metrics(srv.url);
          const d = (k) => (after[k] ?? 0) - (before[k] ?? 0);
          const g = {
            round: r, write_jobs: d('voronka_db_write_jobs_total'), commits: d('voronka_db_commits_total'),
            commit_failures: d('voronka_db_commit_failures_total'),
            commit_seconds: d('voronka_db_commit_duration_seconds_sum'), http_200: w.requests - w.non2xx,
          };
          g.jobs_per_commit = g.commits ? g.write_jobs / g.commits : null;
          g.commits_per_s = g.commits / w.seconds;
          g.commit_mean_ms = g.commits ? (g.commit_seconds / g.commits) * 1000 : null;
          gc.push(g);
          w.group_commit = g;
        }
        rounds[op.id].push(w);
        log(`  round ${r} ${op.id.padEnd(18)} ${fmtRate(w.rps).padStart(8)} req/s  p50 ${fmtMs(w.p50_ms)}  p99 ${fmtMs(w.p99_ms)} ms  srv ${fmtUs(w.server_cpu_us_per_req)} µs CPU/req  other ${pct(w.foreign_busy)}${w.non2xx ? `  NON-2xx ${w.non2xx}` : ''}${w.socket_errors ? `  socket errors ${JSON.stringify(w.errors)}` : ''}${w.group_commit ? `  ${w.group_commit.jobs_per_commit?.toFixed(1)} jobs/commit` : ''}`);
      }
    }

    // 5. After the loads: memory, then stop everything.
    log('\n[5/5] memory and shutdown');
    result.memory.after_loads = memory(srv.pid);
    const vStop = await srv.stop(); srv = null;
    await nginx.stop(); nginx = null;
    if (vStop.code !== 0) warn(`voronka exited with ${vStop.code ?? vStop.signal} on SIGTERM`);

    // ---- figures ----
    const foreign = Object.values(rounds).flat().map((w) => w.foreign_busy);
    result.foreign_busy_median = median(foreign);
    result.foreign_busy_max = Math.max(...foreign.filter(Number.isFinite));
    result.steal_median = median(Object.values(rounds).flat().map((w) => w.steal_share));
    if (result.steal_median > 0.05) warn(`the hypervisor stole ${(result.steal_median * 100).toFixed(0)}% of the CPU during the loads (median)`);
    if (result.foreign_busy_median > 0.1)
      warn(`other processes used ${(result.foreign_busy_median * 100).toFixed(0)}% of the machine during the loads (median; max ${(result.foreign_busy_max * 100).toFixed(0)}%): figures are noisy`);
    for (const id of Object.keys(nginxLoads)) result.baselines[id] = summarize(rounds[id], { title: BASELINES[id].title, unit: 'req/s', keepalive: nginxLoads[id].keepalive });
    for (const op of ops) {
      const base = result.baselines[op.baseline];
      const rs = rounds[op.id];
      const s = summarize(rs, {});
      // Ratio per round against the same round's baseline where there is one (nginx), then median.
      const perRound = rs.map((w, i) => {
        const b = BASELINES[op.baseline].kind === 'nginx' ? rounds[op.baseline][i].rps : base.rps;
        return w.rps / b;
      });
      const cpuRatio = BASELINES[op.baseline].kind === 'nginx'
        ? median(rs.map((w, i) => rounds[op.baseline][i].server_cpu_us_per_req / w.server_cpu_us_per_req)) : null;
      const non2xx = rs.reduce((a, w) => a + w.non2xx, 0), sock = rs.reduce((a, w) => a + w.socket_errors, 0);
      if (non2xx) warn(`${op.id}: ${non2xx} answers were not 2xx`);
      if (sock) warn(`${op.id}: ${sock} socket errors (connect/read/write/timeout)`);
      result.operations.push({
        id: op.id, title: op.title, method: op.method, path: op.path, auth: op.auth,
        profile: op.profile, load: { threads: loads[op.id].threads, connections: loads[op.id].connections, seconds: loads[op.id].seconds },
        baseline: op.baseline, baseline_rps: base.rps,
        ...s, ratio: median(perRound), ratio_per_round: perRound,
        cpu_efficiency_vs_baseline: cpuRatio, non2xx, socket_errors: sock,
        keepalive: loads[op.id].keepalive,
      });
    }
    if (gc.length) {
      const sum = (k) => gc.reduce((a, g) => a + g[k], 0);
      result.group_commit = {
        write_jobs: sum('write_jobs'), commits: sum('commits'), commit_failures: sum('commit_failures'),
        jobs_per_commit: sum('commits') ? sum('write_jobs') / sum('commits') : null,
        commits_per_s: median(gc.map((g) => g.commits_per_s)),
        commit_mean_ms: sum('commits') ? (sum('commit_seconds') / sum('commits')) * 1000 : null,
        per_round: gc,
      };
    }
    result.planned = PLANNED;
  } finally {
    if (srv) await srv.stop().catch(() => {});
    if (nginx) await nginx.stop().catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
  }

  result.finished_at = new Date().toISOString();
  result.elapsed_s = Math.round((Date.now() - t0) / 100) / 10;
  printTable(result);

  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');
  const dated = join(dirname(args.out), `${result.started_at.replace(/[:.]/g, '-')}-${args.scale}-${git.short}.json`);
  writeFileSync(dated, JSON.stringify(result, null, 2) + '\n');
  log(`\nwrote ${relative(process.cwd(), args.out)} (and ${relative(process.cwd(), dated)}) in ${result.elapsed_s} s`);

  // What bench-smoke asserts: every row has a figure made of 2xx answers.
  const missing = [];
  for (const o of result.operations)
    if (!(o.rps > 0) || !(o.p99_ms > 0) || o.non2xx > 0) missing.push(`${o.id} (rps ${o.rps}, non-2xx ${o.non2xx})`);
  for (const [id, b] of Object.entries(result.baselines))
    if (!(b.rps > 0)) missing.push(`baseline ${id}`);
  if (!(result.cold_start?.median_ms > 0)) missing.push('cold start');
  if (!(result.memory?.after_loads?.rss_mib > 0)) missing.push('RSS');
  if (ops.some((o) => o.groupCommit) && !(result.group_commit?.commits > 0)) missing.push('group commit counters');
  if (missing.length) {
    log(`FAILED: no valid figure for: ${missing.join(', ')}`);
    process.exitCode = 1;
  } else {
    log(`bench ${args.scale}: ${result.operations.length} operations, ${Object.keys(result.baselines).length} baselines, all produced figures`);
  }
}

function summarize(rs, extra) {
  return {
    ...extra,
    rps: median(rs.map((w) => w.rps)),
    p50_ms: median(rs.map((w) => w.p50_ms)),
    p90_ms: median(rs.map((w) => w.p90_ms)),
    p99_ms: median(rs.map((w) => w.p99_ms)),
    server_cpu_us_per_req: median(rs.map((w) => w.server_cpu_us_per_req)),
    bytes_per_req: median(rs.map((w) => w.bytes_per_req)),
    rounds: rs,
  };
}

// ---- output -----------------------------------------------------------------------------------
function fmtRate(x) {
  if (x == null || !Number.isFinite(x)) return '—';
  return x >= 100 ? Math.round(x).toString() : x.toFixed(1);
}
function fmtMs(x) {
  if (x == null || !Number.isFinite(x)) return '—';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(2) : x.toFixed(3);
}
function pct(x) {
  return x == null || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(0)}%`;
}
function fmtUs(x) {
  if (x == null || !Number.isFinite(x)) return '—';
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

function printTable(res) {
  const rows = [['operation', 'rps', 'p50 ms', 'p99 ms', 'baseline', 'base rps', 'ratio', 'CPU µs/req']];
  for (const o of res.operations) {
    const b = res.baselines[o.baseline];
    rows.push([o.title, fmtRate(o.rps), fmtMs(o.p50_ms), fmtMs(o.p99_ms), b.title, fmtRate(b.rps),
      o.ratio == null ? '—' : o.ratio.toFixed(2) + '×',
      `${fmtUs(o.server_cpu_us_per_req)}${b.server_cpu_us_per_req ? ' / ' + fmtUs(b.server_cpu_us_per_req) : ''}`]);
  }
  rows.push(null);
  for (const b of Object.values(res.baselines)) {
    rows.push([`baseline: ${b.title}`, fmtRate(b.rps), fmtMs(b.p50_ms), fmtMs(b.p99_ms), b.unit || 'req/s', '', '',
      b.server_cpu_us_per_req ? fmtUs(b.server_cpu_us_per_req) : '']);
  }
  const w = rows[0].map((_, i) => Math.max(...rows.filter(Boolean).map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 || i === 4 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ');
  const out = [];
  out.push('');
  out.push(`voronka bench (${res.scale}) — ${res.machine.nproc} CPU ${res.machine.cpu_model}, ${res.machine.memory_mib} MiB, ` +
    `kernel ${res.machine.kernel}, commit ${res.git.short}${res.git.dirty ? ' (dirty)' : ''}, ${res.started_at}`);
  out.push(`HTTP rows: wrk -t2 -c64 (login -t1 -c2), ${res.settings.seconds} s × ${res.settings.rounds} round(s), medians; ` +
    'ratio = voronka rps / baseline rps (same round for nginx); CPU µs/req = server CPU time per request, voronka / baseline');
  out.push(line(rows[0]));
  out.push(w.map((n) => '-'.repeat(n)).join('  '));
  for (const r of rows.slice(1)) out.push(r ? line(r) : '');
  out.push('');
  const cs = res.cold_start, m = res.memory, g = res.group_commit;
  out.push(`cold start (spawn → first 200 on /api/health): median ${cs.median_ms.toFixed(1)} ms of ${cs.runs_ms.length} [${cs.runs_ms.join(', ')}]; server's own startup_ms median ${cs.median_in_process_ms}`);
  out.push(`server memory: after start RSS ${m.after_start.rss_mib.toFixed(1)} MiB; after the loads RSS ${m.after_loads.rss_mib.toFixed(1)} MiB (anon ${m.after_loads.anon_mib.toFixed(1)}, file ${m.after_loads.file_mib.toFixed(1)}), peak (VmHWM) ${m.after_loads.hwm_mib.toFixed(1)} MiB, ${m.after_loads.threads} threads`);
  if (g) {
    out.push(`group commit during the PATCH load: ${g.write_jobs} write jobs in ${g.commits} commits = ${g.jobs_per_commit?.toFixed(1)} jobs/commit, ` +
      `${fmtRate(g.commits_per_s)} commits/s, mean commit (incl. fsync) ${g.commit_mean_ms?.toFixed(2)} ms, ${g.commit_failures} failed`);
  }
  out.push(`noise: machine ${pct(res.machine_busy_before)} busy before the run; other processes took ${pct(res.foreign_busy_median)} of the CPU during the loads (median, max ${pct(res.foreign_busy_max)}), steal ${pct(res.steal_median)}`);
  out.push(`not measured yet (planned, see bench/ops.mjs): ${res.planned.map((p) => p.id).join(', ')}`);
  if (res.warnings.length) {
    out.push('');
    for (const wmsg of res.warnings) out.push(`WARNING: ${wmsg}`);
  }
  console.log(out.join('\n'));
}

main().catch((e) => {
  console.error(`bench: ${e.stack || e.message}`);
  process.exit(1);
});

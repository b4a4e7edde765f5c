// Run one bounded wrk load (always -d, always --latency) and read its figures.
import { spawn } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, cpuTotals, busyFraction, TICKS_PER_S } from './sys.mjs';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'wrk', 'request.lua');

// load: {url, threads, connections, seconds, method, headers: {}, body, bodyTemplate, timeoutS,
//        requestsFile (one request a line, "PATH" or "PATH<TAB>COOKIE": each request picks one)}
// serverPids: () => [pid…] whose CPU time is the server's (sampled before and after).
// Answers {rps, p50_ms, p90_ms, p99_ms, requests, errors, non2xx, socket_errors,
//          server_cpu_s, server_cpu_us_per_req, machine_busy, args, raw}.
export async function runWrk(load, serverPids = () => []) {
  const args = [
    `-t${load.threads}`, `-c${load.connections}`, `-d${load.seconds}s`,
    `--timeout`, `${load.timeoutS || 5}s`, '--latency', '-s', SCRIPT, load.url,
  ];
  const env = {
    ...process.env,
    BENCH_METHOD: load.method || 'GET',
    BENCH_HEADERS: Object.entries(load.headers || {}).map(([k, v]) => `${k}: ${v}`).join('\n'),
    BENCH_BODY: load.body || '',
    BENCH_BODY_TEMPLATE: load.bodyTemplate || '',
    BENCH_REQUESTS_FILE: load.requestsFile || '',
    BENCH_SEED: String(load.seed || 1),
  };
  const pids = serverPids();
  const cpu0 = cpuSeconds(pids), m0 = cpuTotals();
  let clientCpu = 0;
  const raw = await new Promise((resolve, reject) => {
    // Through a shell that reports its children's CPU time (cutime + cstime of /proc/$$/stat)
    // once wrk has been waited for: that is exactly wrk's CPU time.
    const p = spawn('sh', ['-c', 'wrk "$@"; rc=$?; echo "BENCH_STAT $(cat /proc/$$/stat)" >&2; exit $rc', 'sh', ...args],
      { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', () => {
      const m = err.match(/^BENCH_STAT (.*)$/m);
      if (m) {
        const f = m[1].slice(m[1].lastIndexOf(')') + 2).split(' ');
        clientCpu = (Number(f[13]) + Number(f[14])) / TICKS_PER_S; // cutime, cstime (fields 16, 17)
        err = err.replace(m[0], '').trim();
      }
    });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`wrk exited ${code}: ${err}${out}`))));
  });
  const server_cpu_s = cpuSeconds(pids) - cpu0;
  const m1 = cpuTotals();
  const machine_busy = busyFraction(m0, m1);
  // CPU the machine spent on neither the server nor wrk (nor interrupts), as a share of all
  // cores: other work on the box. A few per cent is normal; much more means noisy figures.
  const allCpu = (m1.total - m0.total) / TICKS_PER_S;
  const irqCpu = (m1.irq - m0.irq) / TICKS_PER_S, stealCpu = (m1.steal - m0.steal) / TICKS_PER_S;
  const foreign_busy = allCpu > 0
    ? Math.max(0, (machine_busy * allCpu - irqCpu - stealCpu - server_cpu_s - clientCpu) / allCpu) : null;
  const irq_share = allCpu > 0 ? irqCpu / allCpu : null, steal_share = allCpu > 0 ? stealCpu / allCpu : null;
  const line = raw.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (!line) throw new Error(`wrk printed no figures:\n${raw}`);
  const j = JSON.parse(line.slice('BENCH_JSON '.length));
  const seconds = j.duration_us / 1e6;
  const e = j.errors;
  const ms = (us) => Math.round(us) / 1000;
  return {
    rps: j.requests / seconds,
    p50_ms: ms(j.latency_us.p50),
    p90_ms: ms(j.latency_us.p90),
    p99_ms: ms(j.latency_us.p99),
    max_ms: ms(j.latency_us.max),
    requests: j.requests,
    seconds,
    bytes_per_req: j.requests ? Math.round(j.bytes / j.requests) : 0,
    non2xx: e.status, // wrk counts answers with status > 399
    socket_errors: e.connect + e.read + e.write + e.timeout,
    errors: e,
    server_cpu_s,
    client_cpu_s: clientCpu,
    foreign_busy,
    irq_share,
    steal_share,
    server_cpu_us_per_req: j.requests ? (server_cpu_s * 1e6) / j.requests : null,
    machine_busy,
    args: ['wrk', ...args].join(' '),
    raw: raw.split('\n').filter((l) => !l.startsWith('BENCH_JSON ')).join('\n').trim(),
  };
}

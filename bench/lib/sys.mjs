// What the benchmark reads from the machine: /proc for CPU time and memory, plus a description
// of the machine and the source tree for bench/results/latest.json.
import { readFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';

export const TICKS_PER_S = (() => {
  try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100; } catch { return 100; }
})();

// Run a command, answer what it printed (stdout, else stderr: nginx -v prints there), or
// fallback when it could not run or printed nothing.
function sh(cmd, args, fallback = null) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return fallback;
  return (r.stdout || '').trim() || (r.stderr || '').trim() || fallback;
}

// CPU seconds (user + system, all threads) used so far by these processes; a process that is
// gone counts 0.
export function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
    } catch { /* exited */ }
  }
  return ticks / TICKS_PER_S;
}

// Machine-wide CPU counters (/proc/stat, all CPUs, in ticks), to tell how busy the whole
// machine was between two samples. irq/softirq time is not charged to any process (loopback
// TCP spends some there), steal is time the hypervisor gave to other machines.
export function cpuTotals() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [, , , idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0); // guest time is already in user
  return { idle: idle + iowait, irq: irq + softirq, steal, total };
}

export function busyFraction(a, b) {
  const dt = b.total - a.total;
  return dt > 0 ? 1 - (b.idle - a.idle) / dt : 0;
}

// How busy is the machine before we start? Other work on a 2-core box ruins every figure.
export async function sampleBusy(ms = 1000) {
  const a = cpuTotals();
  await new Promise((r) => setTimeout(r, ms));
  return busyFraction(a, cpuTotals());
}

// VmRSS / VmHWM in MiB from /proc/PID/status.
export function memory(pid) {
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (k) => Number((st.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm')) || [])[1] || NaN);
  const threads = Number((st.match(/^Threads:\s+(\d+)/m) || [])[1] || NaN);
  return {
    rss_mib: kib('VmRSS') / 1024, hwm_mib: kib('VmHWM') / 1024,
    anon_mib: kib('RssAnon') / 1024, file_mib: kib('RssFile') / 1024, threads,
  };
}

export function children(pid) {
  const out = sh('pgrep', ['-P', String(pid)], '');
  return out ? out.split('\n').map(Number) : [];
}

export function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const memKiB = Number((readFileSync('/proc/meminfo', 'utf8').match(/^MemTotal:\s+(\d+)/m) || [])[1]);
  let osName = null;
  try { osName = (readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)/m) || [])[1]; } catch { /* none */ }
  return {
    hostname: os.hostname(),
    nproc: Number(sh('nproc', [], String(os.cpus().length))),
    cpu_model: (cpuinfo.match(/^model name\s*:\s*(.*)$/m) || [])[1] || null,
    memory_mib: Math.round(memKiB / 1024),
    kernel: os.release(),
    os: osName,
    loadavg_at_start: os.loadavg().map((x) => Math.round(x * 100) / 100),
    versions: {
      node: process.version,
      wrk: (sh('wrk', ['-v'], '') || '').split('\n')[0] || null,
      nginx: (sh('nginx', ['-v'], '') || '').replace(/^nginx version:\s*/, '') || null,
      sqlite: sh('pkg-config', ['--modversion', 'sqlite3']),
      libmicrohttpd: sh('pkg-config', ['--modversion', 'libmicrohttpd']),
      libsodium: sh('pkg-config', ['--modversion', 'libsodium']),
    },
  };
}

export function gitInfo(root) {
  const commit = sh('git', ['-C', root, 'rev-parse', 'HEAD']);
  const dirty = sh('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'], '');
  return { commit, short: commit ? commit.slice(0, 10) : null, dirty: !!dirty };
}

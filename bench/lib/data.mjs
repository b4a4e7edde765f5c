// The dataset side of the benchmark: generate it with `voronka bench-gen`, and pick the keys the
// loads ask for (phones, ids, names, queries) straight from the database, so that a load is
// spread over thousands of existing records instead of one cached row.
import { spawn, spawnSync } from 'node:child_process';
import { TICKS_PER_S } from './sys.mjs';

// A deterministic PRNG (mulberry32): the same seed gives the same request lists in every run,
// so two builds are measured on the same requests.
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (n) => Math.floor(next() * n); // 0 … n-1
  next.pick = (xs) => xs[Math.floor(next() * xs.length)];
  return next;
}

// Read-only SQL through the sqlite3 shell (the SQL goes in on stdin: an IN list of 20k ids is
// longer than one command-line argument may be). Answers an array of row objects.
export function sql(db, query) {
  const r = spawnSync('sqlite3', ['-readonly', '-json', db], { input: query, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.error) throw new Error(`sqlite3: ${r.error.message} (is the sqlite3 shell installed? scripts/deps.sh bench)`);
  if (r.status !== 0) throw new Error(`sqlite3 exited ${r.status}: ${r.stderr}\n${query.slice(0, 300)}`);
  const out = r.stdout.trim();
  return out ? JSON.parse(out) : [];
}

// n rows of table picked at random by rowid (uniform over the id range, gaps skipped), with the
// given columns and extra condition. Answers fewer when the table has fewer.
export function sample(db, rand, { table, columns = 'id', where = '1', n, rowid = 'rowid' }) {
  const [{ lo, hi }] = sql(db, `SELECT min(${rowid}) AS lo, max(${rowid}) AS hi FROM ${table};`);
  if (lo == null) return [];
  const out = [], seen = new Set();
  for (let attempt = 0; attempt < 8 && out.length < n; attempt++) {
    const want = Math.min(Math.ceil((n - out.length) * 1.3) + 10, hi - lo + 1);
    const ids = new Set();
    for (let i = 0; i < want * 4 && ids.size < want; i++) {
      const id = lo + rand.int(hi - lo + 1);
      if (!seen.has(id)) ids.add(id);
    }
    if (!ids.size) break;
    for (const id of ids) seen.add(id);
    const rows = sql(db, `SELECT ${columns} FROM ${table} WHERE ${rowid} IN (${[...ids].join(',')}) AND (${where});`);
    for (const r of rows) if (out.length < n) out.push(r);
  }
  // shuffle: IN answers in rowid order
  for (let i = out.length - 1; i > 0; i--) {
    const j = rand.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

// One typing error in a name: a letter dropped, doubled, swapped with its neighbour or replaced
// by a neighbour on the Russian keyboard — what the duplicate check is for.
const KEYBOARD = 'йцукенгшщзхъфывапролджэячсмитьбю';
export function typo(rand, name) {
  const ch = [...name];
  const letters = ch.map((c, i) => (/\p{L}/u.test(c) ? i : -1)).filter((i) => i > 0); // keep the first letter
  if (!letters.length) return name;
  const i = rand.pick(letters);
  switch (rand.int(4)) {
    case 0: ch.splice(i, 1); break;
    case 1: ch.splice(i, 0, ch[i]); break;
    case 2: if (i + 1 < ch.length && /\p{L}/u.test(ch[i + 1])) [ch[i], ch[i + 1]] = [ch[i + 1], ch[i]]; else ch.splice(i, 1); break;
    default: {
      const k = KEYBOARD.indexOf(ch[i].toLowerCase());
      const rep = k >= 0 ? KEYBOARD[(k + 1) % KEYBOARD.length] : 'о';
      ch[i] = ch[i] === ch[i].toUpperCase() ? rep.toUpperCase() : rep;
    }
  }
  return ch.join('');
}

// A Russian number written the way people type it.
export function typedPhone(rand, e164) {
  const d = e164.replace(/^\+7/, '');
  switch (rand.int(4)) {
    case 0: return e164;
    case 1: return `8 (${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6, 8)}-${d.slice(8)}`;
    case 2: return `8${d}`;
    default: return `+7 ${d.slice(0, 3)} ${d.slice(3)}`;
  }
}

// voronka demo (preset b2c: a deal pipeline "orders", managers with "own" scopes), then
// voronka bench-gen at the scale's size. Answers the generator's figures: wall time, its CPU
// time (through a shell that reports its children's CPU once the generator has been waited
// for), what it printed.
export async function generate(bin, db, { contacts, deals, companies, managers, seed, password }) {
  const demo = spawnSync(bin, ['demo', '--db', db, '--preset', 'b2c', '--password', password], { encoding: 'utf8' });
  if (demo.status !== 0) throw new Error(`voronka demo failed: ${demo.stderr}${demo.stdout}`);
  const args = ['bench-gen', '--db', db, '--contacts', String(contacts), '--deals', String(deals),
    '--companies', String(companies), '--managers', String(managers), '--seed', String(seed)];
  const t0 = process.hrtime.bigint();
  const { out, err, cpu } = await new Promise((resolve, reject) => {
    const p = spawn('sh', ['-c', '"$@"; rc=$?; echo "BENCH_STAT $(cat /proc/$$/stat)" >&2; exit $rc', 'sh', bin, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let o = '', e = '';
    p.stdout.on('data', (d) => { o += d; });
    p.stderr.on('data', (d) => { e += d; });
    p.on('error', reject);
    p.on('close', (code) => {
      const m = e.match(/^BENCH_STAT (.*)$/m);
      let c = null;
      if (m) {
        const f = m[1].slice(m[1].lastIndexOf(')') + 2).split(' ');
        c = (Number(f[13]) + Number(f[14])) / TICKS_PER_S;
        e = e.replace(m[0], '').trim();
      }
      if (code !== 0) reject(new Error(`voronka bench-gen exited ${code}: ${e}${o}`));
      else resolve({ out: o, err: e, cpu: c });
    });
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = out.match(/generated (\d+) companies, (\d+) contacts, (\d+) deals in ([0-9.]+) s \(load ([0-9.]+) s, indexes ([0-9.]+) s\)/);
  if (!m) throw new Error(`voronka bench-gen printed no summary:\n${out}\n${err}`);
  const [, co, ct, dl, , load, idx] = m.map(Number);
  return {
    companies: co, contacts: ct, deals: dl, records: co + ct + dl,
    wall_s: wall, cpu_s: cpu, load_s: load, index_s: idx,
    records_per_s: (co + ct + dl) / wall,
    printed: out.trim(),
  };
}

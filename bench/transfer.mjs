#!/usr/bin/env node
// CSV import and export throughput: a generated file of N contacts (default 100 000) imported
// through POST /api/contacts/import in chunks that fit the body limit, the way the browser
// sends a big file, then exported through GET /api/contacts/export (CSV and XLSX).
//
//   VORONKA_BIN=build/voronka node bench/transfer.mjs [--rows 100000] [--chunk-kib 1000]
//
// Prints rows/s for each step. Runs on a fresh temporary database with the dealers preset.
import { startServer, Client } from '../tests/lib/server.mjs';
import { runImport, generateCsv, chunks } from './lib/import.mjs';
import { cpuSeconds as cpuOf } from './lib/sys.mjs';

const cpuSeconds = (pid) => cpuOf([pid]);

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const ROWS = opt('--rows', 100000);
const CHUNK = opt('--chunk-kib', 1000) * 1024;

const srv = await startServer({ preset: 'dealers' });
try {
  const c = new Client(srv.url);
  await c.login();
  const session = { cookie: c.cookie, csrf: c.csrf };
  const pids = () => [srv.proc.pid];
  const imp = await runImport(srv.url, session, { rows: ROWS, chunkBytes: CHUNK, pids });
  const created = imp.created;
  console.log(`import: ${ROWS} rows in ${imp.chunks} chunks of ≤ ${CHUNK} bytes`);
  // the server's own time for the import requests (its access log), without the client's share
  const serverMs = [...srv.stderr().matchAll(/path=\/api\/contacts\/import status=200 dur_ms=([0-9.]+)/g)]
    .reduce((sum, m) => sum + Number(m[1]), 0);
  console.log(`import: created ${created}, failed ${imp.failed} in ${imp.wall_s.toFixed(2)} s = ${Math.round(imp.rows_per_s)} rows/s` +
    ` (server time ${(serverMs / 1000).toFixed(2)} s = ${Math.round(created / (serverMs / 1000))} rows/s;` +
    ` server CPU ${imp.server_cpu_s.toFixed(2)} s = ${Math.round(imp.rows_per_cpu_s)} rows per server CPU second)`);

  const parts = chunks(generateCsv(ROWS), CHUNK);
  const dry0 = performance.now();
  // the rows exist now: allow_duplicates, so the dry run checks and writes every row as before
  const dry = await c.req('POST', '/api/contacts/import?dry_run=true&allow_duplicates=true', parts[0].body, { 'content-type': 'text/csv' });
  const dryS = (performance.now() - dry0) / 1000;
  console.log(`dry run: ${dry.json.created} rows checked in ${dryS.toFixed(2)} s = ${Math.round(dry.json.created / dryS)} rows/s`);

  for (const format of ['csv', 'xlsx']) {
    const c0 = cpuSeconds(srv.proc.pid);
    const e0 = performance.now();
    const res = await fetch(`${srv.url}/api/contacts/export?format=${format}`, { headers: { cookie: c.cookie } });
    const buf = Buffer.from(await res.arrayBuffer());
    const s = (performance.now() - e0) / 1000;
    const total = created + 274; // the preset's own contacts are exported too
    console.log(`export ${format}: ${res.status}, ${(buf.length / 1048576).toFixed(1)} MiB in ${s.toFixed(2)} s ≈ ${Math.round(total / s)} rows/s` +
      ` (${Math.round(total / (cpuSeconds(srv.proc.pid) - c0))} rows per server CPU second)`);
  }
} finally {
  await srv.stop();
}

#!/usr/bin/env node
// CSV import and export throughput: a generated file of N contacts (default 100 000) imported
// through POST /api/contacts/import in chunks that fit the body limit, the way the browser
// sends a big file, then exported through GET /api/contacts/export (CSV and XLSX).
//
//   VORONKA_BIN=build/voronka node bench/transfer.mjs [--rows 100000] [--chunk-kib 1000]
//
// Prints rows/s for each step. Runs on a fresh temporary database with the dealers preset.
import { readFileSync } from 'node:fs';
import { startServer, Client } from '../tests/lib/server.mjs';

// CPU seconds (user + system) the server has used so far: a figure that other load on the
// machine disturbs less than wall-clock time.
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const ROWS = opt('--rows', 100000);
const CHUNK = opt('--chunk-kib', 1000) * 1024;

const FIRST = ['Иван', 'Пётр', 'Анна', 'Мария', 'Сергей', 'Ольга', 'Дмитрий', 'Елена', 'Алексей', 'Наталья'];
const LAST = ['Иванов', 'Петров', 'Сидоров', 'Кузнецов', 'Смирнов', 'Попов', 'Васильев', 'Соколов', 'Михайлов', 'Новиков'];
const CITY = ['Москва', 'Санкт-Петербург', 'Казань', 'Пермь', 'Новосибирск', 'Екатеринбург', 'Самара'];

// One row per contact; no quoted line breaks, so a chunk boundary can be any line end.
function generate(n) {
  const lines = ['ФИО;Телефон;E-mail;Город;Должность;Примечание'];
  for (let i = 0; i < n; i++) {
    const name = `${LAST[i % 10]} ${FIRST[(i / 10 | 0) % 10]} ${i}`;
    const phone = `+7 9${String(10 + (i % 90)).padStart(2, '0')} ${String(1000000 + i).slice(-7)}`;
    lines.push(`${name};${phone};user${i}@example.ru;${CITY[i % CITY.length]};Менеджер;"строка ${i}; с разделителем"`);
  }
  return lines;
}

function chunks(lines, maxBytes) {
  const header = lines[0];
  const out = [];
  let cur = [header], size = Buffer.byteLength(header) + 2, rows = 0;
  for (let i = 1; i < lines.length; i++) {
    const len = Buffer.byteLength(lines[i]) + 2;
    if (size + len > maxBytes && cur.length > 1) {
      out.push({ body: cur.join('\r\n') + '\r\n', rows });
      cur = [header]; size = Buffer.byteLength(header) + 2; rows = 0;
    }
    cur.push(lines[i]); size += len; rows++;
  }
  if (cur.length > 1) out.push({ body: cur.join('\r\n') + '\r\n', rows });
  return out;
}

const srv = await startServer({ preset: 'dealers' });
try {
  const c = new Client(srv.url);
  await c.login();
  const lines = generate(ROWS);
  const parts = chunks(lines, CHUNK);
  console.log(`import: ${ROWS} rows in ${parts.length} chunks of ≤ ${CHUNK} bytes`);
  let offset = 0, created = 0, failed = 0;
  const cpu0 = cpuSeconds(srv.proc.pid);
  const t0 = performance.now();
  for (const part of parts) {
    const r = await c.req('POST', `/api/contacts/import?row_offset=${offset}`, part.body, { 'content-type': 'text/csv' });
    if (r.status !== 200) throw new Error(`import chunk at ${offset}: ${r.status} ${r.text.slice(0, 300)}`);
    created += r.json.created; failed += r.json.failed;
    offset = r.json.next_offset;
  }
  const importS = (performance.now() - t0) / 1000;
  // the server's own time for the import requests (its access log), without the client's share
  const serverMs = [...srv.stderr().matchAll(/path=\/api\/contacts\/import status=200 dur_ms=([0-9.]+)/g)]
    .reduce((sum, m) => sum + Number(m[1]), 0);
  console.log(`import: created ${created}, failed ${failed} in ${importS.toFixed(2)} s = ${Math.round(created / importS)} rows/s` +
    ` (server time ${(serverMs / 1000).toFixed(2)} s = ${Math.round(created / (serverMs / 1000))} rows/s;` +
    ` ${Math.round(created / (cpuSeconds(srv.proc.pid) - cpu0))} rows per server CPU second)`);

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

// CSV import as a user's browser does it: a generated file of contacts cut into chunks of whole
// rows (each with the header row and row_offset), POSTed one after another to
// /api/contacts/import. Used by `make bench` (bench/run.mjs) and bench/transfer.mjs.
import { request } from './http.mjs';
import { cpuSeconds, cpuTotals, busyFraction, TICKS_PER_S } from './sys.mjs';

const FIRST = ['Иван', 'Пётр', 'Анна', 'Мария', 'Сергей', 'Ольга', 'Дмитрий', 'Елена', 'Алексей', 'Наталья'];
const LAST = ['Иванов', 'Петров', 'Сидоров', 'Кузнецов', 'Смирнов', 'Попов', 'Васильев', 'Соколов', 'Михайлов', 'Новиков'];
const CITY = ['Москва', 'Санкт-Петербург', 'Казань', 'Пермь', 'Новосибирск', 'Екатеринбург', 'Самара'];

// n contacts, one a line, with a name, a phone, an e-mail, a city, a position and a quoted note
// holding the delimiter. No quoted line breaks, so any line end can end a chunk. The phones are
// +7 7XX … (bench-gen makes mobiles 9XX and city codes 3XX, 4XX and 8XX: at 1M, +7 8XX met nine
// of its Saint Petersburg and Kazan numbers) and the e-mails @import.example, so on its dataset
// no row is refused as an exact duplicate (every row is checked for one all the same).
export function generateCsv(n) {
  const lines = ['ФИО;Телефон;E-mail;Город;Должность;Примечание'];
  for (let i = 0; i < n; i++) {
    const name = `${LAST[i % 10]} ${FIRST[(i / 10 | 0) % 10]} ${i}`;
    const phone = `+7 7${String(i % 100).padStart(2, '0')} ${String(1000000 + (i / 100 | 0)).slice(-7)}`;
    lines.push(`${name};${phone};user${i}@import.example;${CITY[i % CITY.length]};Менеджер;"строка ${i}; с разделителем"`);
  }
  return lines;
}

// Lines → request bodies of at most maxBytes, each starting with the header row.
export function chunks(lines, maxBytes) {
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

// Import `rows` generated contacts through base (a running voronka) as the session
// {cookie, csrf}, in chunks of chunkBytes; pids() → the server's pids, for its CPU time.
// Throws on any answer but 200. Answers the figures: rows/s by the wall clock (what a user
// waits for) and per second of the server's CPU (steadier on a shared machine).
export async function runImport(base, session, { rows, chunkBytes = 1000 * 1024, pids }) {
  const parts = chunks(generateCsv(rows), chunkBytes);
  const headers = { Cookie: session.cookie, 'X-CSRF-Token': session.csrf, 'content-type': 'text/csv' };
  let offset = 0, created = 0, failed = 0;
  const requestMs = [];
  const cpu0 = pids ? cpuSeconds(pids()) : null;
  const m0 = cpuTotals(), client0 = process.cpuUsage();
  const t0 = performance.now();
  for (const part of parts) {
    const r0 = performance.now();
    const r = await request(`${base}/api/contacts/import?row_offset=${offset}`, { method: 'POST', headers, body: part.body, timeoutMs: 120000 });
    requestMs.push(performance.now() - r0);
    if (r.status !== 200) throw new Error(`import chunk at row ${offset}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
    created += r.json.created; failed += r.json.failed;
    offset = r.json.next_offset;
  }
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = pids ? cpuSeconds(pids()) - cpu0 : null;
  // CPU the machine spent on neither the server nor this client, as a share of all cores (as
  // bench/lib/wrk.mjs reports it for the loads): other work that slowed the wall clock
  const m1 = cpuTotals(), client = process.cpuUsage(client0);
  const allCpu = (m1.total - m0.total) / TICKS_PER_S;
  const otherCpu = busyFraction(m0, m1) * allCpu - (m1.irq - m0.irq + m1.steal - m0.steal) / TICKS_PER_S -
    (cpuS || 0) - (client.user + client.system) / 1e6;
  const foreignBusy = pids && allCpu > 0 ? Math.max(0, otherCpu / allCpu) : null;
  requestMs.sort((a, b) => a - b);
  return {
    rows, created, failed, chunks: parts.length, chunk_bytes: chunkBytes,
    wall_s: wallS, rows_per_s: created / wallS,
    server_cpu_s: cpuS, rows_per_cpu_s: cpuS ? created / cpuS : null, cpu_us_per_row: cpuS ? (cpuS * 1e6) / created : null,
    request_ms_max: requestMs[requestMs.length - 1], foreign_busy: foreignBusy,
  };
}

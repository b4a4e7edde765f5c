// Helpers for the notes/tasks/notifications tests: a Server-Sent Events reader for /api/events,
// the test clock (server started with testClock: true) and polling. Black-box: HTTP only.
import assert from 'node:assert/strict';
import http from 'node:http';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The reminder ticker runs once a second; after moving the clock, this is long enough for at
// least one tick to have looked at the new time.
export const TICK_WAIT_MS = 1500;

// Poll fn() until it returns a truthy value or timeoutMs passes; returns the last value.
export async function waitUntil(fn, timeoutMs = 4000, stepMs = 50) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v || Date.now() >= end) return v;
    await sleep(stepMs);
  }
}

async function clock(srv, body) {
  const r = await fetch(srv.url + '/api/test/clock', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await r.text();
  assert.equal(r.status, 200, `test clock ${JSON.stringify(body)}: ${r.status} ${text}`);
  return JSON.parse(text).now_ms;
}

// Stop the server's clock at its current time (it then moves only when told); returns now.
export const freezeClock = (srv) => clock(srv, { advance_ms: 0 });
// Move the stopped clock forward; returns the new now.
export const advance = (srv, ms) => clock(srv, { advance_ms: ms });

// Open GET /api/events as `client` (session cookie or bearer). Resolves once the response
// headers arrived: {status, headers, events, body, waitFor, count, close, ended}.
//   events: [{event, data}] in arrival order (data parsed as JSON when it is JSON);
//   waitFor(pred, ms): the first event matching pred, waiting up to ms; null when none came;
//   ended: resolves ('end' | 'close' | 'error') when the server ends the stream.
export function openEvents(client, { path = '/api/events', timeoutMs = 5000 } = {}) {
  const url = new URL(client.url + path);
  const headers = { accept: 'text/event-stream' };
  if (client.cookie) headers.cookie = client.cookie;
  if (client.bearer) headers.authorization = 'Bearer ' + client.bearer;
  return new Promise((resolve, reject) => {
    const s = { status: 0, headers: {}, events: [], comments: [], body: '', raw: '' };
    let buf = '';
    let endResolve;
    s.ended = new Promise((r) => { endResolve = r; });
    const req = http.get({ hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers, agent: false },
      (res) => {
        s.status = res.statusCode;
        s.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (d) => {
          s.raw += d;
          if (s.status !== 200) { s.body += d; return; }
          buf += d;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            let event = null;
            const data = [];
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) s.comments.push(line.slice(1).trim());
              else if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
            }
            if (event === null && data.length === 0) continue;
            const text = data.join('\n');
            let parsed = text;
            try { parsed = JSON.parse(text); } catch { /* not JSON */ }
            s.events.push({ event: event || 'message', data: parsed });
          }
        });
        res.on('end', () => endResolve('end'));
        res.on('close', () => endResolve('close'));
        res.on('error', () => endResolve('error'));
        resolve(s);
      });
    req.on('error', (e) => { endResolve('error'); if (!s.status) reject(e); });
    req.setTimeout(timeoutMs, () => { if (!s.status) { req.destroy(); reject(new Error('events: no response headers')); } });
    s.close = () => { req.destroy(); };
    s.count = (pred) => s.events.filter(pred).length;
    s.waitFor = async (pred, ms = 4000) => {
      const hit = await waitUntil(() => s.events.find(pred), ms, 20);
      return hit || null;
    };
  });
}

// Notifications of a client (all pages, newest first).
export async function notifications(c, query = '') {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 100; i++) {
    const sep = query ? '&' : '';
    const r = await c.get(`/api/notifications?${query}${sep}limit=200` + (cursor ? `&cursor=${cursor}` : ''));
    assert.equal(r.status, 200, `notifications: ${r.status} ${r.text.slice(0, 300)}`);
    items.push(...r.json.items);
    if (r.json.next === null) return { items, unread: r.json.unread };
    cursor = r.json.next;
  }
  throw new Error('notifications did not end');
}

// The unread count the server answers.
export async function unread(c) {
  const r = await c.get('/api/notifications?limit=1');
  assert.equal(r.status, 200, `notifications: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json.unread;
}

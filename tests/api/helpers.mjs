// Shared helpers for the black-box API tests (tests/api/*.test.mjs).
// Everything here talks to the real binary over HTTP; nothing reaches into the database.
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { startServer, Client, ADMIN, BIN, ROOT } from '../lib/server.mjs';

export { startServer, Client, ADMIN, ROOT };

let seq = 0;
// A login that is unique within this test process: [a-z0-9._-], short enough for the 64-char limit.
export function uniq(prefix = 'u') {
  seq += 1;
  return `${prefix}-${process.pid.toString(36)}-${seq}`.toLowerCase();
}

// A client signed in as the built-in admin.
export async function adminClient(srv) {
  const c = new Client(srv.url);
  const r = await c.login();
  assert.equal(r.status, 200, `admin login failed: ${r.status} ${r.text}`);
  return c;
}

// A client signed in as `login`/`password`; fails the test when the login is refused.
export async function loginAs(srv, login, password) {
  const c = new Client(srv.url);
  const r = await c.login(login, password);
  assert.equal(r.status, 200, `login ${login} failed: ${r.status} ${r.text}`);
  return c;
}

// A copy of a client that keeps its cookie but not its CSRF token (a forged cross-site request).
export function withoutCsrf(c) {
  const x = new Client(c.url);
  x.cookie = c.cookie;
  return x;
}

// A client that authenticates with an API token only.
export function bearerClient(url, secret) {
  const c = new Client(url);
  c.bearer = secret;
  return c;
}

// Create a user through the API and return it (asserts 201).
export async function createUser(admin, over = {}) {
  const body = { login: uniq('user'), name: 'Test User', password: 'password-123', role: 'manager', ...over };
  const r = await admin.post('/api/users', body);
  assert.equal(r.status, 201, `create user: ${r.status} ${r.text}`);
  return { ...r.json, password: body.password };
}

// Create an API token with a role and return {token, secret}.
export async function createToken(admin, role = 'integration', name = uniq('token')) {
  const r = await admin.post('/api/tokens', { name, role });
  assert.equal(r.status, 201, `create token: ${r.status} ${r.text}`);
  return r.json;
}

// Assert the documented error shape: status, {"error":{"code","message"[,"field"]}}.
export function assertError(r, status, code, field) {
  const ctx = `${r.status} ${r.text.slice(0, 300)}`;
  assert.equal(r.status, status, `expected HTTP ${status}, got ${ctx}`);
  assert.ok(r.json && typeof r.json.error === 'object' && r.json.error !== null,
    `expected an error object, got ${ctx}`);
  assert.equal(typeof r.json.error.message, 'string', `error.message missing: ${ctx}`);
  assert.ok(r.json.error.message.length > 0, `error.message empty: ${ctx}`);
  if (code !== undefined) assert.equal(r.json.error.code, code, `error.code: ${ctx}`);
  if (field !== undefined) assert.equal(r.json.error.field, field, `error.field: ${ctx}`);
}

// Follow `next` cursors of a list endpoint; returns all items and the pages seen.
export async function listAll(c, path, limit = 200) {
  const items = [];
  const pages = [];
  let cursor = null;
  for (let i = 0; i < 1000; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const url = `${path}${sep}limit=${limit}` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
    const r = await c.get(url);
    assert.equal(r.status, 200, `GET ${url}: ${r.status} ${r.text}`);
    assert.ok(Array.isArray(r.json.items), `GET ${url}: items is not an array`);
    assert.ok('next' in r.json, `GET ${url}: no "next" key`);
    pages.push(r.json);
    items.push(...r.json.items);
    if (r.json.next === null) return { items, pages };
    assert.equal(typeof r.json.next, 'string', `GET ${url}: next must be a string or null`);
    cursor = r.json.next;
  }
  throw new Error(`pagination of ${path} did not end`);
}

// Move the server's test clock (server started with testClock: true).
export async function advanceClock(srv, ms) {
  const r = await fetch(srv.url + '/api/test/clock', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advance_ms: ms }),
  });
  const text = await r.text();
  assert.equal(r.status, 200, `test clock: ${r.status} ${text}`);
  return JSON.parse(text).now_ms;
}

export async function health(srv) {
  const r = await fetch(srv.url + '/api/health');
  return { status: r.status, json: await r.json().catch(() => null) };
}

export async function assertHealthy(srv, ctx = '') {
  const h = await health(srv);
  assert.equal(h.status, 200, `server not healthy after ${ctx}`);
  assert.equal(h.json?.ok, true, `health not ok after ${ctx}`);
}

// Run the binary with args; resolves {code, signal, stdout, stderr} (never throws on exit status).
export function run(args, { timeout = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const t = setTimeout(() => { p.kill('SIGKILL'); }, timeout);
    p.on('error', (e) => { clearTimeout(t); reject(e); });
    p.on('exit', (code, signal) => { clearTimeout(t); resolve({ code, signal, stdout, stderr }); });
  });
}

// Speak HTTP/1.1 over a raw socket, for requests fetch cannot make (1,000 headers, a body sent in
// pieces, a response that comes before the body is fully sent).
//   head: the request line and headers, without the final blank line;
//   body: optional async function (write) => void that writes the body; write(buf) resolves
//         false once the response has arrived or the socket is gone, so the writer can stop.
// Resolves {status, headers, body, json, error}; status is 0 when no response came.
export function rawHttp(url, head, body, { timeout = 15000 } = {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const sock = net.connect(Number(port), hostname);
    let buf = Buffer.alloc(0);
    let done = false;
    let gotResponse = false;
    let error = null;
    const timer = setTimeout(() => finish('timeout'), timeout);
    function parse() {
      const i = buf.indexOf('\r\n\r\n');
      if (i < 0) return null;
      const lines = buf.subarray(0, i).toString('latin1').split('\r\n');
      const m = lines[0].match(/^HTTP\/1\.[01] (\d{3})/);
      if (!m) return null;
      const headers = {};
      for (const l of lines.slice(1)) {
        const k = l.indexOf(':');
        if (k > 0) headers[l.slice(0, k).trim().toLowerCase()] = l.slice(k + 1).trim();
      }
      const status = Number(m[1]);
      if (status === 100) { buf = buf.subarray(i + 4); return parse(); }
      gotResponse = true;
      const rest = buf.subarray(i + 4);
      const len = headers['content-length'] !== undefined ? Number(headers['content-length']) : null;
      if (len !== null && rest.length < len) return null;
      if (len === null && !headers['transfer-encoding'] && !done) return null; // read to close
      let text;
      if (headers['transfer-encoding']?.includes('chunked')) {
        const s = rest.toString('utf8');
        if (!s.includes('\r\n0\r\n\r\n') && !s.startsWith('0\r\n\r\n')) return null;
        text = ''; let p = 0;
        for (;;) {
          const e = s.indexOf('\r\n', p); const n = parseInt(s.slice(p, e), 16);
          if (!n) break;
          text += s.slice(e + 2, e + 2 + n); p = e + 2 + n + 2;
        }
      } else text = rest.subarray(0, len ?? rest.length).toString('utf8');
      let json = null; try { json = JSON.parse(text); } catch { /* not JSON */ }
      return { status, headers, body: text, json };
    }
    function finish(why) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const res = parse();
      sock.destroy();
      resolve(res ? { ...res, error } : { status: 0, headers: {}, body: buf.toString('utf8'), json: null, error: error || why });
    }
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const res = parse();
      if (res) { done = true; clearTimeout(timer); sock.destroy(); resolve({ ...res, error }); }
    });
    sock.on('error', (e) => { error = e.code || String(e); finish(error); });
    sock.on('close', () => finish('closed'));
    sock.on('connect', async () => {
      sock.write(head + '\r\n\r\n');
      if (!body) return;
      const write = (chunk) => new Promise((res) => {
        if (done || gotResponse || sock.destroyed) return res(false);
        const ok = sock.write(chunk, (e) => { if (e) res(false); else if (ok) setImmediate(() => res(!done && !gotResponse)); });
        if (!ok) sock.once('drain', () => res(!done && !gotResponse));
      });
      try { await body(write); } catch { /* the server may close mid-body */ }
    });
  });
}

// Parse Prometheus text exposition into [{name, labels, value}].
export function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$/);
    if (!m) { out.push({ name: null, raw: line }); continue; }
    const labels = {};
    if (m[3]) for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[4] === '+Inf' ? Infinity : m[4]) });
  }
  return out;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

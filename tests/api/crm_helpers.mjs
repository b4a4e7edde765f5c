// Helpers for the CRM black-box tests (tests/api/crm_*.test.mjs): a server with a preset, clients
// signed in as the preset's users, records made through the API. Nothing here reads the database;
// the preset files are read only to find which pipelines a preset declares.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, ROOT, ADMIN } from './helpers.mjs';

// Every user of a demo preset has this password (tests/lib/server.mjs passes it to `demo`).
export const PASSWORD = ADMIN.password;

let seq = 0;
// A short token unique within this test process, for names that search can find alone.
// Letters only (the search index is trigram-based, so digits of ids would match phone fragments).
export function tag(prefix = 'zq') {
  seq += 1;
  let n = process.pid * 1000 + seq;
  let s = '';
  while (n > 0) { s += String.fromCharCode(97 + (n % 26)); n = Math.floor(n / 26); }
  return prefix + s;
}

// A mobile number (+7 9XX …) unique within this process; returned as E.164.
let phoneSeq = 0;
export function uniqPhone() {
  phoneSeq += 1;
  const n = ((process.pid % 9000) * 1000 + phoneSeq) % 10000000;
  return '+79' + String(50 + (process.pid % 40)).padStart(2, '0') + String(n).padStart(7, '0');
}

// The preset file as the binary was built from it.
export function presetDoc(name) {
  return JSON.parse(readFileSync(join(ROOT, 'presets', name, 'preset.json'), 'utf8'));
}

// The first deal pipeline declared by a preset, or null.
export function dealPipelineOf(name) {
  const doc = presetDoc(name);
  return (doc.pipelines || []).find((p) => p.entity === 'deal') || null;
}

// A preset that has a deal pipeline (eshop first): {preset, pipeline}. Fails the test with a clear
// message when no preset declares one, because deals cannot be created without a pipeline and
// pipelines cannot be created through the API yet.
export function dealPreset() {
  for (const name of ['eshop', 'b2c', 'cleaning', 'logistics', 'dealers']) {
    const p = dealPipelineOf(name);
    if (p) return { preset: name, pipeline: p };
  }
  assert.fail('no preset declares a deal pipeline (presets/*/preset.json: pipelines[].entity == "deal"); ' +
    'the deal tests need one and pipelines cannot be created through the API');
}

// A running server with a preset, an admin client, user ids by login and signed-in clients on demand.
export async function crmServer(preset = 'dealers', opts = {}) {
  const srv = await startServer({ preset, ...opts });
  const clients = new Map();
  const as = async (login) => {
    if (clients.has(login)) return clients.get(login);
    const c = new Client(srv.url);
    const r = await c.login(login, PASSWORD);
    assert.equal(r.status, 200, `login ${login}: ${r.status} ${r.text}`);
    c.user = r.json.user;
    clients.set(login, c);
    return c;
  };
  const admin = await as('admin');
  const users = await admin.get('/api/users?limit=200');
  assert.equal(users.status, 200, users.text);
  const ids = Object.fromEntries(users.json.items.map((u) => [u.login, u.id]));
  const byRole = {};
  for (const u of users.json.items) (byRole[u.role] ||= []).push(u.login);
  return { srv, admin, as, ids, byRole, stop: () => srv.stop() };
}

// POST a record and return it (asserts 201).
export async function create(c, plural, body) {
  const r = await c.post('/api/' + plural, body);
  assert.equal(r.status, 201, `POST /api/${plural} ${JSON.stringify(body).slice(0, 200)}: ${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}

// GET a record (asserts 200).
export async function get(c, plural, id) {
  const r = await c.get(`/api/${plural}/${id}`);
  assert.equal(r.status, 200, `GET /api/${plural}/${id}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

// PATCH with the record's current version (read first); returns the raw response.
export async function patch(c, plural, id, body) {
  const cur = await c.get(`/api/${plural}/${id}`);
  if (cur.status !== 200) return cur;
  return c.patch(`/api/${plural}/${id}`, { ...body, version: cur.json.version });
}

// PATCH with the current version and assert 200.
export async function patchOk(c, plural, id, body) {
  const r = await patch(c, plural, id, body);
  assert.equal(r.status, 200, `PATCH /api/${plural}/${id} ${JSON.stringify(body)}: ${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}

// PUT a checklist mark.
export function mark(c, plural, id, stage, item, done = true) {
  return c.req('PUT', `/api/${plural}/${id}/checklist/${stage}/${item}`, { done });
}

// Timeline events of a record, newest first (asserts 200).
export async function timeline(c, entity, id) {
  const r = await c.get(`/api/timeline?entity=${entity}&id=${id}&limit=200`);
  assert.equal(r.status, 200, `timeline ${entity} ${id}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json.items;
}

// Every item of a list, following cursors (asserts 200 on each page).
export async function all(c, path, limit = 200) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 10000; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const url = `${path}${sep}limit=${limit}` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
    const r = await c.get(url);
    assert.equal(r.status, 200, `GET ${url}: ${r.status} ${r.text.slice(0, 300)}`);
    items.push(...r.json.items);
    if (r.json.next === null) return items;
    cursor = r.json.next;
  }
  throw new Error(`pagination of ${path} did not end`);
}

export const ids = (items) => items.map((x) => x.id);
export const enc = encodeURIComponent;

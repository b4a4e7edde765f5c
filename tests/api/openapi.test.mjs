// GET /api/openapi.json: the machine-readable API must be valid OpenAPI 3 and list every endpoint
// of docs/api.md (read at test time, so a new row in the doc needs a new path in the spec).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, ROOT } from './helpers.mjs';

// Rows of the "Endpoints" table: | `METHOD /path?query` | auth | … |
function documentedEndpoints() {
  const md = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
  const section = md.slice(md.indexOf('## Endpoints'));
  const out = [];
  for (const m of section.matchAll(/^\|\s*`(GET|POST|PUT|PATCH|DELETE)\s+([^`\s]+)`/gm)) {
    out.push({ method: m[1].toLowerCase(), path: m[2].split('?')[0] });
  }
  return out;
}

// `/api/users/ID` and `/api/users/{id}` are the same path.
const shape = (p) => p.replace(/\{[^}]+\}/g, '{}').replace(/\/[A-Z][A-Z_]*(?=\/|$)/g, '/{}');

describe('openapi', () => {
  let srv, doc;
  before(async () => {
    srv = await startServer();
    const r = await fetch(srv.url + '/api/openapi.json');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') || '', /^application\/(json|vnd\.oai\.openapi\+json)/);
    doc = JSON.parse(await r.text());
  });
  after(async () => { await srv?.stop(); });

  it('is OpenAPI 3.x with info and paths', () => {
    assert.match(String(doc.openapi), /^3\.\d+\.\d+$/);
    assert.equal(typeof doc.info?.title, 'string');
    assert.equal(typeof doc.info?.version, 'string');
    assert.equal(typeof doc.paths, 'object');
  });

  it('the docs table was parsed (sanity check of this test)', () => {
    const eps = documentedEndpoints();
    assert.ok(eps.length >= 15, `only ${eps.length} endpoints parsed from docs/api.md`);
    assert.ok(eps.some((e) => e.method === 'patch' && e.path === '/api/users/ID'));
  });

  it('contains every endpoint of docs/api.md with its method', () => {
    const have = new Map();
    for (const [p, item] of Object.entries(doc.paths)) have.set(shape(p), item);
    const missing = [];
    for (const e of documentedEndpoints()) {
      const item = have.get(shape(e.path));
      if (!item || !item[e.method]) missing.push(`${e.method.toUpperCase()} ${e.path}`);
    }
    assert.deepEqual(missing, [], 'endpoints of docs/api.md missing from /api/openapi.json');
  });

  it('every operation documents its responses; path parameters are declared', () => {
    const problems = [];
    for (const [p, item] of Object.entries(doc.paths)) {
      const params = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        if (!['get', 'post', 'put', 'patch', 'delete', 'head', 'options'].includes(method)) continue;
        if (!op.responses || Object.keys(op.responses).length === 0) problems.push(`${method} ${p}: no responses`);
        const declared = [...(item.parameters || []), ...(op.parameters || [])]
          .map((x) => (x.$ref ? resolve(doc, x.$ref) : x))
          .filter((x) => x && x.in === 'path').map((x) => x.name);
        for (const name of params) if (!declared.includes(name)) problems.push(`${method} ${p}: path parameter ${name} undeclared`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('every $ref resolves inside the document', () => {
    const broken = [];
    (function walk(x) {
      if (Array.isArray(x)) { x.forEach(walk); return; }
      if (!x || typeof x !== 'object') return;
      if (typeof x.$ref === 'string' && resolve(doc, x.$ref) === undefined) broken.push(x.$ref);
      Object.values(x).forEach(walk);
    })(doc);
    assert.deepEqual(broken, []);
  });

  it('every documented fixed path is a real route (no 404/405 for its methods)', async () => {
    const wrong = [];
    for (const [p, item] of Object.entries(doc.paths)) {
      if (p.includes('{') || p.startsWith('/api/test/')) continue;
      for (const method of Object.keys(item)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const r = await fetch(srv.url + p, {
          method: method.toUpperCase(),
          headers: method === 'get' || method === 'delete' ? {} : { 'content-type': 'application/json' },
          body: method === 'get' || method === 'delete' ? undefined : '{}',
        });
        await r.arrayBuffer();
        if (r.status === 404 || r.status === 405) wrong.push(`${method.toUpperCase()} ${p}: ${r.status}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});

function resolve(doc, ref) {
  if (!ref.startsWith('#/')) return undefined;
  let x = doc;
  for (const part of ref.slice(2).split('/')) {
    if (x === undefined || x === null) return undefined;
    x = x[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return x;
}

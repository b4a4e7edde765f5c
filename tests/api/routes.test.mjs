// Every route the binary serves is documented: `voronka routes` prints the route tables of
// src/http (the ones the server dispatches on), and each must be a row of an endpoint table in
// docs/api.md — and each row a route, so the doc cannot describe an endpoint that is gone.
// (openapi.test.mjs then holds openapi.json to the same rows.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT } from '../lib/server.mjs';

// `/api/users/:id`, `/api/users/ID` and `/api/users/{id}` are the same path.
const shape = (p) => p.replace(/:[a-z_]+/g, '{}').replace(/\{[^}]+\}/g, '{}').replace(/\/[A-Z][A-Z_]*(?=\/|$)/g, '/{}');

function routes() {
  return execFileSync(BIN, ['routes'], { encoding: 'utf8' }).trim().split('\n').map((line) => {
    const [method, path, flag] = line.split(' ');
    return { method, path, testOnly: flag === 'test-only' };
  });
}

function documented() {
  const md = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
  const section = md.slice(md.indexOf('## Endpoints'));
  return [...section.matchAll(/^\|\s*`(GET|POST|PUT|PATCH|DELETE)\s+([^`\s]+)`/gm)]
    .map((m) => `${m[1]} ${shape(m[2].split('?')[0])}`);
}

describe('routes and docs/api.md', () => {
  it('`voronka routes` lists the route tables (sanity check of this test)', () => {
    const r = routes();
    assert.ok(r.length >= 60, `only ${r.length} routes`);
    for (const want of ['GET /api/health', 'PATCH /api/deals/:id', 'POST /api/contacts/import', 'GET /api/pipelines/:key/summary']) {
      assert.ok(r.some((x) => `${x.method} ${x.path}` === want), `${want} missing from \`voronka routes\``);
    }
    assert.ok(r.some((x) => x.testOnly), 'the test-only clock route is flagged');
  });

  it('every route is a row of an endpoint table in docs/api.md', () => {
    const doc = new Set(documented());
    const missing = routes().map((x) => `${x.method} ${shape(x.path)}`).filter((k) => !doc.has(k));
    assert.deepEqual(missing, [], 'routes the binary serves that docs/api.md does not document');
  });

  it('every endpoint row of docs/api.md is a route', () => {
    const served = new Set(routes().map((x) => `${x.method} ${shape(x.path)}`));
    const stale = documented().filter((k) => !served.has(k));
    assert.deepEqual(stale, [], 'rows of docs/api.md with no route behind them');
  });
});

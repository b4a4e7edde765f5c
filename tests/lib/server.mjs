// Start the real voronka binary on a random loopback port with a temporary database.
// Used by tests/api and tests/e2e. VORONKA_BIN selects the binary (default build/voronka),
// so `make test-asan` runs the same tests against the sanitized build.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.VORONKA_BIN || join(ROOT, 'build', 'voronka');
export const ADMIN = { login: 'admin', password: 'admin-pass-1' };

// Run a CLI command of the binary synchronously; returns stdout.
export function cli(args, opts = {}) {
  return execFileSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

// Options: dir (reuse a data dir, for restarts), preset (run `demo` first),
// admin (create ADMIN first, default true), args (extra serve args), testClock (bool).
export async function startServer(opts = {}) {
  const dir = opts.dir || mkdtempSync(join(tmpdir(), 'voronka-test-'));
  const db = join(dir, 'voronka.db');
  if (!opts.dir) {
    if (opts.preset) cli(['demo', '--db', db, '--preset', opts.preset, '--password', ADMIN.password]);
    else if (opts.admin !== false)
      cli(['user', 'add', '--db', db, '--login', ADMIN.login, '--password', ADMIN.password,
           '--role', 'admin', '--name', 'Administrator']);
  }
  const args = ['serve', '--db', db, '--listen', '127.0.0.1:0', ...(opts.args || [])];
  if (opts.web !== false) args.push('--web', join(ROOT, 'web'));
  if (opts.testClock) args.push('--test-clock');
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stderr.on('data', (d) => { err += d; if (process.env.VORONKA_LOG) process.stderr.write(d); });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start:\n' + err)), 30000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[0-9.]+:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}:\n${err}`)); });
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    url, dir, db, proc, exited,
    stdout: () => out, stderr: () => err,
    // Graceful stop; resolves with the exit status. Keeps the data dir unless remove is set.
    async stop({ remove = !opts.dir && !opts.keep } = {}) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const st = await exited;
      if (remove) rmSync(dir, { recursive: true, force: true });
      return st;
    },
    async kill() { proc.kill('SIGKILL'); return exited; },
  };
}

// A small client that keeps a session cookie and CSRF token like a browser would.
export class Client {
  constructor(url) { this.url = url; this.cookie = null; this.csrf = null; this.bearer = null; }
  async req(method, path, body, headers = {}) {
    const h = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.bearer) h.authorization = 'Bearer ' + this.bearer;
    if (this.csrf && method !== 'GET' && method !== 'HEAD' && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrf;
    let payload = body;
    if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    } else if (typeof body === 'string') h['content-type'] ??= 'application/json';
    const res = await fetch(this.url + path, { method, headers: h, body: payload, redirect: 'manual' });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, json, text };
  }
  async login(login = ADMIN.login, password = ADMIN.password) {
    const r = await this.req('POST', '/api/login', { login, password });
    if (r.status === 200) {
      const sc = r.headers.get('set-cookie');
      this.cookie = sc.split(';')[0];
      this.csrf = r.json.csrf;
    }
    return r;
  }
  get(p, h) { return this.req('GET', p, undefined, h); }
  post(p, b, h) { return this.req('POST', p, b, h); }
  patch(p, b, h) { return this.req('PATCH', p, b, h); }
  del(p, h) { return this.req('DELETE', p, undefined, h); }
}

// A minimal HTTP client on node:http for the benchmark's set-up steps and checks (log in,
// create users, read /metrics, probe keep-alive, time a cold start). node:http rather than
// fetch: fetch loads undici lazily on first use, which would show up in the cold-start figure.
import http from 'node:http';

// One request; resolves {status, headers, text, json, reusedSocket}.
export function request(url, { method = 'GET', headers = {}, body, agent = false, timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
      h['content-length'] = Buffer.byteLength(payload);
    }
    const req = http.request(url, { method, headers: h, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = text ? JSON.parse(text) : null; } catch { /* not JSON (metrics, static) */ }
        resolve({ status: res.statusCode, headers: res.headers, text, json, reusedSocket: req.reusedSocket });
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url}: timed out`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

// Log in; returns {cookie: "vk_session=…", csrf}.
export async function login(base, login, password) {
  const r = await request(base + '/api/login', { method: 'POST', body: { login, password } });
  if (r.status !== 200) throw new Error(`login as ${login}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
  const sc = [].concat(r.headers['set-cookie'] || [])[0] || '';
  const cookie = sc.split(';')[0];
  if (!cookie.startsWith('vk_session=')) throw new Error(`login: no session cookie in ${JSON.stringify(r.headers)}`);
  return { cookie, csrf: r.json.csrf };
}

// Prometheus text → {name or name{labels}: number}.
export function parseMetrics(text) {
  const out = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out[line.slice(0, i)] = Number(line.slice(i + 1));
  }
  return out;
}

export async function metrics(base) {
  const r = await request(base + '/metrics');
  if (r.status !== 200) throw new Error(`/metrics: HTTP ${r.status}`);
  return parseMetrics(r.text);
}

// Two identical requests over one kept-alive socket: does the server keep the connection open?
// Answers {status, connection (header of the 1st answer), reused (2nd request rode the 1st
// socket), ok}.
export async function probeKeepAlive(url, opts = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const a = await request(url, { ...opts, agent });
    const b = await request(url, { ...opts, agent });
    const connection = a.headers.connection || null;
    return {
      status: [a.status, b.status],
      connection,
      reused: !!b.reusedSocket,
      ok: !!b.reusedSocket && !/close/i.test(connection || ''),
      body_bytes: Buffer.byteLength(a.text),
    };
  } finally {
    agent.destroy();
  }
}

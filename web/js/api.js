// The one way the UI talks to the server (docs/api.md).
// - cookies go with every request (same origin), JSON in and out;
// - state-changing requests carry X-CSRF-Token (the token from /api/login or /api/me);
// - an error answer {"error":{code,message,field}} becomes an ApiError, and errorMessage()
//   turns it into text in the user's language;
// - a 401 on anything but the login call itself means the session is gone: the handler set
//   by the app returns the user to the login page.
import { t, has } from './i18n.js';

let csrfToken = null;
let unauthorizedHandler = null;

export function setCsrf(token) { csrfToken = token || null; }
export function onUnauthorized(f) { unauthorizedHandler = f; }

export class ApiError extends Error {
  constructor(status, code, message, field, retryAfter) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.field = field || null;
    this.retryAfter = retryAfter;   // seconds, for 429
  }
}

function query(params) {
  if (!params) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? '?' + s : '';
}

// request('PATCH', '/api/users/3', {name: 'Ivan'}) → parsed JSON (null for 204).
// opts.quiet401: do not call the unauthorized handler (used by the login page and at start-up);
// opts.contentType: send `body` as it is with this type.
export async function request(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (opts.contentType) {                        // a file as it is (CSV import), not JSON
    headers['Content-Type'] = opts.contentType;
    init.body = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'network', e.message);
  }
  if (opts.blob && res.ok) {
    const name = /filename="?([^";]+)"?/.exec(res.headers.get('Content-Disposition') || '');
    return { blob: await res.blob(), filename: name ? name[1] : 'download' };
  }
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  if (text) { try { data = JSON.parse(text); } catch { data = null; } }
  if (res.ok) return data;

  const e = (data && data.error) || {};
  const retry = parseInt(res.headers.get('Retry-After') || '', 10);
  const err = new ApiError(res.status, e.code || 'http_' + res.status, e.message, e.field,
    Number.isFinite(retry) ? retry : undefined);
  err.details = data;                // the whole answer: e.g. the matches of a refused duplicate
  if (res.status === 401 && !opts.quiet401 && unauthorizedHandler) unauthorizedHandler(err);
  throw err;
}

export const api = {
  get: (path, params, opts) => request('GET', path + query(params), undefined, opts),
  post: (path, body, opts) => request('POST', path, body ?? {}, opts),
  patch: (path, body, opts) => request('PATCH', path, body, opts),
  put: (path, body, opts) => request('PUT', path, body, opts),
  del: (path, opts) => request('DELETE', path, undefined, opts),
  // A file to save (exports): {blob, filename}; an error answer is an ApiError like any other.
  download: (path) => request('GET', path, undefined, { blob: true }),
  // POST a Blob/bytes with its own Content-Type and options in the query string.
  postRaw: (path, params, body, contentType, opts = {}) => request('POST', path + query(params), body, { ...opts, contentType }),
};

// "Try again in 14 minutes" from a Retry-After in seconds.
export function waitText(seconds) {
  const s = Math.max(1, Math.ceil(seconds || 0));
  if (s < 120) return t('time.seconds', { count: s });
  return t('time.minutes', { count: Math.ceil(s / 60) });
}

// Text for an error, in the user's language. Known field/code pairs have their own
// translation (errors.field.<field>.<code>); otherwise a translation of the code; the
// server's own message is the last resort (it is precise, but English).
export function errorMessage(err) {
  if (!(err instanceof ApiError)) return t('errors.generic');
  if (err.code === 'rate_limited') {
    return err.retryAfter ? t('errors.rate_limited_wait', { wait: waitText(err.retryAfter) }) : t('errors.rate_limited');
  }
  if (err.field) {
    const key = `errors.field.${err.field}.${err.code}`;
    if (has(key)) return t(key);
    if (err.message) return err.message;
  }
  if (has('errors.code.' + err.code)) return t('errors.code.' + err.code);
  if (err.message) return err.message;
  return t('errors.generic');
}

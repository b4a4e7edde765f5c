// The signed-in user's live events: one EventSource on GET /api/events for the whole app,
// started by the notification bell and stopped when the shell goes away (logout, expiry).
// Listeners get (type, data):
//   'notification', n  — a new notification, pushed by the server after its commit;
//   'reconnected'      — the stream is back after a break: what came meanwhile was missed, reload;
//   any type passed to announce() — news from one part of the page to another (e.g. a note
//   read on a card settles an item of the bell).
import { api } from './api.js';

const listeners = new Set();
let source = null;
let retryTimer = null;
let retryDelay = 0;
let broken = false;
let generation = 0;      // bumped by stopLive(): a retry planned before it must not start a stream

function emit(type, data) {
  for (const f of [...listeners]) {
    try { f(type, data); } catch (e) { console.error(e); }
  }
}

export function startLive() {
  if (source) return;
  clearTimeout(retryTimer);
  retryTimer = null;
  const es = new EventSource('/api/events');
  source = es;
  es.addEventListener('notification', (e) => {
    let n = null;
    try { n = JSON.parse(e.data); } catch { return; }
    if (n && typeof n === 'object') emit('notification', n);
  });
  es.onopen = () => {
    retryDelay = 0;
    if (broken) { broken = false; emit('reconnected'); }
  };
  es.onerror = () => {
    broken = true;
    // A dropped connection is retried by the browser itself (the server asks for 3 s). A refused
    // one (401 after the session ended, 503 while the server stops) is not: retry ourselves,
    // more slowly each time, after asking /api/me — a 401 there signs the app out, which stops us.
    if (es.readyState !== EventSource.CLOSED || source !== es) return;
    source = null;
    retryLater();
  };
}

function retryLater() {
  retryDelay = Math.min(retryDelay ? retryDelay * 2 : 3000, 60000);
  const gen = generation;
  retryTimer = setTimeout(async () => {
    retryTimer = null;
    try {
      await api.get('/api/me');
    } catch (e) {
      if (e.status !== 401 && gen === generation) retryLater();   // the server is away: later
      return;
    }
    if (gen === generation) startLive();
  }, retryDelay);
}

export function stopLive() {
  generation++;
  clearTimeout(retryTimer);
  retryTimer = null;
  if (source) { source.close(); source = null; }
  broken = false;
  retryDelay = 0;
}

// Subscribe; returns the unsubscribe function (use it as an effect's cleanup).
export function onLive(f) {
  listeners.add(f);
  return () => listeners.delete(f);
}

export function announce(type, data) { emit(type, data); }

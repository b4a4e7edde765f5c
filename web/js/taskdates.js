// Days and times of tasks in the company's time zone (GET /api/settings), whatever zone the
// browser is in, and "now" by the server's clock: GET /api/tasks answers it, so "today",
// "overdue" and the presets agree with the server (and with its test clock in tests).
//
// A calendar day is a key "YYYY-MM-DD"; arithmetic on days is plain calendar arithmetic (UTC
// dates), and only turning a day and a wall-clock time into an instant needs the zone.
import { lang } from './i18n.js';
import { api } from './api.js';

let zone = 'Europe/Moscow';
export function setTaskZone(z) { if (z) zone = z; }
export function taskZone() { return zone; }

// ---- the server's clock ----

let offset = null;                      // server now − browser now, ms
export function noteServerNow(now) { if (Number.isFinite(now)) offset = now - Date.now(); }
export function serverNow() { return Date.now() + (offset || 0); }
// Learn the server's time once per page load (a one-item task list is the cheapest question).
export async function syncClock() {
  if (offset !== null) return;
  try { noteServerNow((await api.get('/api/tasks', { limit: 1 })).now); } catch { /* browser time, then */ }
}

// ---- wall clock in the zone ----

const partsFmt = {};
function parts(ms) {
  const f = partsFmt[zone] ||= new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23',
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
  const o = {};
  for (const p of f.formatToParts(new Date(ms))) o[p.type] = p.value;
  return { y: +o.year, m: +o.month, d: +o.day, h: +o.hour % 24, min: +o.minute };
}

const pad = (n) => String(n).padStart(2, '0');
const keyOf = (y, m, d) => `${y}-${pad(m)}-${pad(d)}`;
function ymd(key) { const [y, m, d] = key.split('-').map(Number); return { y, m, d }; }

// The zone's offset from UTC at an instant, ms.
function offsetAt(ms) {
  const p = parts(ms);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.min) - Math.floor(ms / 60000) * 60000;
}

// The instant a wall-clock time happens in the zone (the later one when clocks go back, the
// first valid one after a gap when they go forward).
export function at(key, h = 0, min = 0) {
  const { y, m, d } = ymd(key);
  const wall = Date.UTC(y, m - 1, d, h, min);
  let t = wall - offsetAt(wall);
  const again = wall - offsetAt(t);
  if (again !== t) t = again;
  return t;
}

export function dayOf(ms) { const p = parts(ms); return keyOf(p.y, p.m, p.d); }
export function timeOf(ms) { const p = parts(ms); return { h: p.h, min: p.min }; }
export function hhmm(ms) { const p = parts(ms); return pad(p.h) + ':' + pad(p.min); }
export function today() { return dayOf(serverNow()); }

export function addDays(key, n) {
  const { y, m, d } = ymd(key);
  const x = new Date(Date.UTC(y, m - 1, d + n));
  return keyOf(x.getUTCFullYear(), x.getUTCMonth() + 1, x.getUTCDate());
}
export function addMonths(key, n) {
  const { y, m, d } = ymd(key);
  const last = new Date(Date.UTC(y, m - 1 + n + 1, 0)).getUTCDate();
  const x = new Date(Date.UTC(y, m - 1 + n, Math.min(d, last)));
  return keyOf(x.getUTCFullYear(), x.getUTCMonth() + 1, x.getUTCDate());
}
// 0 = Monday … 6 = Sunday: weeks start on Monday, as in Russia and most of Europe.
export function weekday(key) { const { y, m, d } = ymd(key); return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7; }
export function weekStart(key) { return addDays(key, -weekday(key)); }
export function monthStart(key) { const { y, m } = ymd(key); return keyOf(y, m, 1); }
export function sameMonth(a, b) { return a.slice(0, 7) === b.slice(0, 7); }
export function validDay(key) { return /^\d{4}-\d{2}-\d{2}$/.test(key || '') && addDays(key, 0) === key; }

// ---- text ----

const fmtCache = {};
function fmt(key, opts) {
  const k = lang() + '|' + key;
  return fmtCache[k] ||= new Intl.DateTimeFormat(lang(), { timeZone: 'UTC', ...opts });
}
const utcDate = (key) => { const { y, m, d } = ymd(key); return new Date(Date.UTC(y, m - 1, d)); };

// "Mon", "5", "Monday, 5 March 2025", "March 2025", "5 Mar" for a day key.
export function dayName(key, style = 'short') { return fmt('wd' + style, { weekday: style }).format(utcDate(key)); }
export function dayNumber(key) { return String(ymd(key).d); }
export function longDay(key) { return fmt('long', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(utcDate(key)); }
export function monthTitle(key) {
  const s = fmt('month', { month: 'long', year: 'numeric' }).format(utcDate(key));
  return s.charAt(0).toUpperCase() + s.slice(1);
}
export function shortDay(key, withYear) {
  return fmt('short' + !!withYear, { day: 'numeric', month: 'short', ...(withYear ? { year: 'numeric' } : {}) }).format(utcDate(key));
}
// "3 – 9 March 2025" style, as the locale writes a range.
export function rangeTitle(from, to) {
  const f = fmt('range', { day: 'numeric', month: 'long', year: 'numeric' });
  try { return f.formatRange(utcDate(from), utcDate(to)); } catch { return shortDay(from) + ' – ' + shortDay(to, true); }
}
// Hour label for the time grid: "09:00".
export function hourLabel(h) { return pad(h) + ':00'; }

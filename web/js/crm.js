// What the CRM screens share: the three entities and their fields as the UI shows them,
// pipelines and the moves a user may make, formatting of money, phones and dates in the
// company's settings, and error texts for record writes (stale, forbidden moves, required
// fields, checklists).
import { useEffect, useState } from 'preact/hooks';
import { t, lang, has } from './i18n.js';
import { api, ApiError, errorMessage } from './api.js';
import { can } from './context.js';

export const ENTITIES = {
  contact: { name: 'contact', plural: 'contacts', path: '/contacts', title: 'name', pipeline: false, phones: true },
  company: { name: 'company', plural: 'companies', path: '/companies', title: 'name', pipeline: true, phones: true },
  deal: { name: 'deal', plural: 'deals', path: '/deals', title: 'title', pipeline: true, phones: false },
};

// Field types the UI edits and formats; the server validates (src/store/schema.c).
export const FIELDS = {
  name: { type: 'text', required: true },
  title: { type: 'text', required: true },
  company_id: { type: 'ref', ref: 'company', label: 'company_name' },
  contact_id: { type: 'ref', ref: 'contact', label: 'contact_name' },
  position: { type: 'text' },
  birthday: { type: 'date' },
  messengers: { type: 'messengers' },
  domain: { type: 'text', inputmode: 'url' },
  website: { type: 'text', inputmode: 'url' },
  inn: { type: 'text', inputmode: 'numeric' },
  amount: { type: 'money' },
  currency: { type: 'text' },
  owner_id: { type: 'user', label: 'owner_name' },
  category: { type: 'text' },
  customer_type: { type: 'text' },
  address: { type: 'text' },
  city: { type: 'text' },
  region: { type: 'text' },
  district: { type: 'text' },
  source: { type: 'text' },
  utm_source: { type: 'text' },
  utm_medium: { type: 'text' },
  utm_campaign: { type: 'text' },
  utm_content: { type: 'text' },
  utm_term: { type: 'text' },
  notes: { type: 'longtext' },
  phones: { type: 'phones' },
  emails: { type: 'emails' },
  created_at: { type: 'datetime', readonly: true },
  updated_at: { type: 'datetime', readonly: true },
  closed_at: { type: 'datetime', readonly: true },
  stage_changed_at: { type: 'datetime', readonly: true },
};

// The record card: the main block, then the details a manager opens less often.
export const CARD_FIELDS = {
  contact: {
    main: ['phones', 'emails', 'company_id', 'position', 'owner_id', 'city', 'address', 'birthday', 'messengers', 'notes'],
    more: ['region', 'district', 'category', 'customer_type', 'source', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'],
  },
  company: {
    main: ['phones', 'emails', 'owner_id', 'domain', 'website', 'inn', 'city', 'address', 'notes'],
    more: ['region', 'district', 'category', 'customer_type', 'source', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'],
  },
  deal: {
    main: ['amount', 'contact_id', 'company_id', 'owner_id', 'city', 'address', 'district', 'notes'],
    more: ['currency', 'region', 'category', 'customer_type', 'source', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'],
  },
};

// Custom field definitions (GET /api/fields), loaded at sign-in: labels for errors and the timeline.
let customDefs = [];
export function setCustomFields(defs) { customDefs = defs || []; }
export function customFieldsFor(entity) { return customDefs.filter((d) => d.entity === entity); }
export function customDef(entity, key) {
  const k = String(key || '').replace(/^custom\./, '');
  return customDefs.find((d) => d.key === k && (!entity || d.entity === entity)) || null;
}

// A field's label; a person's "name" reads differently from a company's.
export function fieldLabel(key, entity) {
  if (key === 'name' && entity === 'contact') return t('fields.person_name');
  if (String(key).startsWith('custom.')) { const d = customDef(entity, key); return d ? d.label : key.slice(7); }
  return has('fields.' + key) ? t('fields.' + key) : key;
}

export function entityTitle(e, rec) {
  return (rec && rec[ENTITIES[e].title]) || '#' + (rec ? rec.id : '');
}

export function recordPath(entity, id) { return ENTITIES[entity].path + '/' + id; }

// ---- pipelines ----

export function pipelinesFor(pipelines, entity) {
  return (pipelines || []).filter((p) => p.entity === entity);
}

export function pipelineByKey(pipelines, key) {
  return (pipelines || []).find((p) => p.key === key) || null;
}

export function stageByKey(pipeline, key) {
  return pipeline ? pipeline.stages.find((s) => s.key === key) || null : null;
}

export function stageName(pipeline, key) {
  const s = stageByKey(pipeline, key);
  return s ? s.name : key;
}

// May a record in stage `from` be moved to `to`? "moves" null: no matrix for this user.
export function canMove(pipeline, from, to) {
  if (!pipeline || from === to) return false;
  const s = stageByKey(pipeline, from);
  if (!s) return true;                      // an unknown current stage: let the server decide
  return s.moves === null || s.moves === undefined || s.moves.includes(to);
}

// ---- board or list: the view last used for an entity, on this browser ----

const VIEW_KEY = 'voronka.view.';

export function lastView(entity, pipelines) {
  let v = null;
  try { v = localStorage.getItem(VIEW_KEY + entity); } catch { /* private mode */ }
  const board = ENTITIES[entity].pipeline && pipelinesFor(pipelines, entity).length > 0;
  return v === 'list' || !board ? 'list' : 'board';
}

export function rememberView(entity, view) {
  try { localStorage.setItem(VIEW_KEY + entity, view); } catch { /* private mode */ }
}

// Where "back" from a card goes: the board or list the user came from, with its filters.
export function rememberBack(entity) {
  try { sessionStorage.setItem('voronka.back.' + entity, location.pathname + location.search); } catch { /* private mode */ }
}
export function backUrl(entity, fallback) {
  try { return sessionStorage.getItem('voronka.back.' + entity) || fallback; } catch { return fallback; }
}

export function stored(key, fallback) {
  try { const v = localStorage.getItem('voronka.' + key); return v === null ? fallback : JSON.parse(v); } catch { return fallback; }
}

export function store(key, value) {
  try { localStorage.setItem('voronka.' + key, JSON.stringify(value)); } catch { /* private mode */ }
}

// ---- what the signed-in user may do ----
// /api/me does not say (yet) which entities a role may read or create: the scopes live in the
// role and are applied by the server. When the server adds them as user.scopes
// ({company: {read: "own", create: "own", …}}) they are used; until then everything is shown
// and the server's answers (empty lists, 403/404) are the word.
export function mayDo(user, entity, action) {
  if (can(user, '*')) return true;
  const s = user && user.scopes && user.scopes[entity];
  if (!s) return !(user && user.scopes) && action !== 'delete';
  return !!s[action] && s[action] !== 'none' && s[action] !== 'linked'; // linked: cards open from a deal, no list
}

// May a card of this entity open by id? Any read scope may, "linked" too: the server answers
// 404 for a record that no readable deal links to.
export function mayOpen(user, entity) {
  const s = user && user.scopes && user.scopes[entity];
  return mayDo(user, entity, 'read') || !!(s && s.read === 'linked');
}

// ---- formatting ----

let settingsRef = null;
export function useCrmSettings(settings) { settingsRef = settings; }
function zone() { return (settingsRef && settingsRef.timezone) || 'Europe/Moscow'; }
export function defaultCurrency() { return (settingsRef && settingsRef.currency) || 'RUB'; }

const digitsCache = {};
export function currencyDigits(cur) {
  if (!(cur in digitsCache)) {
    try { digitsCache[cur] = new Intl.NumberFormat('en', { style: 'currency', currency: cur }).resolvedOptions().maximumFractionDigits; }
    catch { digitsCache[cur] = 2; }
  }
  return digitsCache[cur];
}

// 1250000 minor units of RUB → "12 500 ₽"; kopecks shown only when there are any.
export function formatMoney(minor, cur) {
  if (minor === null || minor === undefined) return '';
  cur = cur || defaultCurrency();
  const d = currencyDigits(cur);
  const v = minor / 10 ** d;
  try {
    return new Intl.NumberFormat(lang(), { style: 'currency', currency: cur, currencyDisplay: 'narrowSymbol',
      minimumFractionDigits: Number.isInteger(v) ? 0 : d, maximumFractionDigits: d }).format(v);
  } catch { return String(v); }
}

// "12 500,50" / "12,500.50" / "12500" → minor units; null when empty; NaN when not a number.
export function parseMoney(text, cur) {
  const s = String(text || '').replace(/[\s\u00a0\u202f']/g, '').replace(/[^\d.,-]/g, '');
  if (!s) return null;
  let norm = s;
  const lastSep = Math.max(s.lastIndexOf(','), s.lastIndexOf('.'));
  if (lastSep >= 0) {
    const intPart = s.slice(0, lastSep).replace(/[.,]/g, '');
    const frac = s.slice(lastSep + 1);
    // "12.500" with three digits after the only separator is a thousands separator
    norm = frac.length === 3 && s.replace(/[^.,]/g, '').length === 1 && !/[.,]/.test(intPart) ? intPart + frac : intPart + '.' + frac;
  }
  const v = Number(norm);
  if (!Number.isFinite(v) || v < 0) return NaN;
  return Math.round(v * 10 ** currencyDigits(cur || defaultCurrency()));
}

export function moneyInput(minor, cur) {
  if (minor === null || minor === undefined) return '';
  const d = currencyDigits(cur || defaultCurrency());
  const v = minor / 10 ** d;
  return Number.isInteger(v) ? String(v) : v.toFixed(d);
}

// +79161234567 → "+7 916 123-45-67"; other countries keep their E.164 form with spaces.
export function formatPhone(e164) {
  const s = String(e164 || '');
  let m = s.match(/^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/);
  if (m) return `+7 ${m[1]} ${m[2]}-${m[3]}-${m[4]}`;
  m = s.match(/^\+(\d{1,3})(\d{3})(\d{3})(\d+)$/);
  if (m) return `+${m[1]} ${m[2]} ${m[3]} ${m[4]}`;
  return s;
}

export function formatDateTime(ms) {
  if (!ms) return '';
  try {
    return new Intl.DateTimeFormat(lang(), { timeZone: zone(), day: 'numeric', month: 'short', year: 'numeric',
      hour: '2-digit', minute: '2-digit' }).format(new Date(ms));
  } catch { return new Date(ms).toISOString(); }
}

// Short for lists and cards: time today, "5 Mar" this year, "5 Mar 2024" before.
export function formatWhen(ms) {
  if (!ms) return '';
  const d = new Date(ms), now = new Date();
  const part = (x, o) => new Intl.DateTimeFormat(lang(), { timeZone: zone(), ...o }).format(x);
  try {
    if (part(d, { dateStyle: 'short' }) === part(now, { dateStyle: 'short' })) return part(d, { hour: '2-digit', minute: '2-digit' });
    if (part(d, { year: 'numeric' }) === part(now, { year: 'numeric' })) return part(d, { day: 'numeric', month: 'short' });
    return part(d, { day: 'numeric', month: 'short', year: 'numeric' });
  } catch { return d.toISOString().slice(0, 10); }
}

// "2024-03-05" → "5 Mar 2024" (a calendar date: no time zone).
export function formatDate(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.split('-').map(Number);
  try {
    return new Intl.DateTimeFormat(lang(), { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' })
      .format(new Date(Date.UTC(y, m - 1, d)));
  } catch { return iso; }
}

// A field's value as text for lists, cards and the timeline.
export function formatValue(key, value, rec) {
  if (value === null || value === undefined || value === '') return '';
  const f = FIELDS[key] || {};
  switch (f.type) {
    case 'money': return formatMoney(value, rec && rec.currency);
    case 'date': return formatDate(value);
    case 'datetime': return formatDateTime(value);
    case 'phones': return (value || []).map(formatPhone).join(', ');
    case 'emails': return (value || []).join(', ');
    case 'messengers': return Object.entries(value || {}).map(([k, v]) => k + ': ' + v).join(', ');
    default: return String(value);
  }
}

// ---- users (for owner pickers and names in the timeline), when the role may list them ----

let usersPromise = null;
export function loadUsers(user) {
  if (!can(user, 'users.read')) return Promise.resolve(null);
  if (!usersPromise) {
    usersPromise = (async () => {
      const all = [];
      let cursor;
      for (let i = 0; i < 20; i++) {
        const r = await api.get('/api/users', { cursor, limit: 200 });
        all.push(...(r.items || []));
        if (!r.next) break;
        cursor = r.next;
      }
      return all;
    })().catch(() => { usersPromise = null; return null; });
  }
  return usersPromise;
}
export function forgetUsers() { usersPromise = null; }

export function useUsers(user) {
  const [users, setUsers] = useState(null);
  useEffect(() => { let live = true; loadUsers(user).then((u) => live && setUsers(u)); return () => { live = false; }; }, [user && user.id]);
  return users;
}

// ---- errors of record writes ----

// Text for a failed write. ctx: {pipeline, from, to} for stage moves.
export function recordError(err, ctx = {}) {
  if (!(err instanceof ApiError)) return t('errors.generic');
  const p = ctx.pipeline;
  const stage = ctx.to ? stageName(p, ctx.to) : '';
  switch (err.code) {
    case 'stale': return t('crm.err_stale');
    case 'transition_forbidden':
      return ctx.to ? t('crm.err_transition', { from: stageName(p, ctx.from), to: stage }) : t('crm.err_transition_plain');
    case 'checklist_incomplete':
      return stage ? t('crm.err_checklist', { stage }) : t('crm.err_checklist_plain');
    case 'required':
      return t('crm.err_required', { field: fieldLabel(err.field || ''), stage: stage || '' });
    case 'not_found': return t('crm.err_not_found');
    case 'duplicate': return t('dups.exists');
    default: break;
  }
  if (err.field && FIELDS[err.field] || err.field === 'phones' || err.field === 'emails') return fieldError(err);
  return errorMessage(err);
}

// An error next to a field: a translation for the field's type, else the server's message in
// English, else a generic one.
export function fieldError(err) {
  if (!(err instanceof ApiError)) return err && err.key ? t(err.key, err.params) : t('errors.generic');
  const f = FIELDS[err.field] || {};
  const field = fieldLabel(err.field || '');
  if (err.code === 'stale') return t('crm.err_stale');
  if (err.code === 'amount_from_items') return t('core.err_amount_from_items');
  if (err.code === 'currency_from_items') return t('core.err_currency_from_items');
  if (err.code === 'missing' || (err.code === 'invalid' && /cannot be empty|is required/.test(err.message || '')))
    return t('crm.err_empty', { field });
  const byType = { phones: 'crm.err_phone', emails: 'crm.err_email', date: 'crm.err_date', money: 'crm.err_money' }[f.type];
  if (err.field === 'domain') return t('crm.err_domain');
  if (byType) return t(byType);
  if (/at most (\d+) characters/.test(err.message || '')) return t('crm.err_too_long', { max: err.message.match(/at most (\d+)/)[1] });
  if (/no (company|contact) with id/.test(err.message || '')) return t('crm.err_link');
  if (/no active user/.test(err.message || '')) return t('crm.err_owner');
  if (lang() === 'en' && err.message) return err.message.charAt(0).toUpperCase() + err.message.slice(1) + '.';
  return t('crm.err_field', { field });
}

// Translations. Every string the UI shows lives in web/i18n/<lang>.js; components call t().
//
// The language in force is, in order: the user's own choice (localStorage "voronka.lang"),
// the company default (settings.language, remembered so the login page can use it after
// logout), the browser's language, English. Changing any of them notifies subscribers, and
// the app re-renders in place: no reload.
import en from '../i18n/en.js';
import ru from '../i18n/ru.js';

const dictionaries = { en, ru };
export const LANGUAGES = ['en', 'ru'];

const CHOICE_KEY = 'voronka.lang';
const COMPANY_KEY = 'voronka.company_lang';

function valid(lang) { return LANGUAGES.includes(lang) ? lang : null; }
function readStorage(key) { try { return valid(localStorage.getItem(key)); } catch { return null; } }
function writeStorage(key, value) { try { localStorage.setItem(key, value); } catch { /* private mode */ } }

let choice = readStorage(CHOICE_KEY);
let company = readStorage(COMPANY_KEY);
const browser = valid((navigator.language || '').slice(0, 2).toLowerCase());
let current = null;
const listeners = new Set();

function update() {
  const next = choice || company || browser || 'en';
  if (next === current) return;
  current = next;
  document.documentElement.lang = current;
  for (const f of listeners) f(current);
}
update();

export function lang() { return current; }

// The user picked a language in the menu: remember it on this browser.
export function chooseLanguage(value) {
  if (!valid(value)) return;
  choice = value;
  writeStorage(CHOICE_KEY, value);
  update();
}

// The company default from GET /api/settings.
export function setCompanyLanguage(value) {
  if (!valid(value)) return;
  company = value;
  writeStorage(COMPANY_KEY, value);
  update();
}

// Call f(lang) whenever the language changes; returns the unsubscribe function.
export function onLanguageChange(f) { listeners.add(f); return () => listeners.delete(f); }

function lookup(dict, key) {
  let v = dict;
  for (const part of key.split('.')) {
    if (v == null || typeof v !== 'object') return undefined;
    v = v[part];
  }
  return v;
}

const pluralRules = {};
function pluralForm(count) {
  pluralRules[current] ||= new Intl.PluralRules(current);
  return pluralRules[current].select(count);
}

// A role's name in the UI language: known role keys are translated, a business's own roles
// keep the name they were given.
export function roleName(key, fallback) {
  const v = lookup(dictionaries[current], 'roles.' + key);
  return typeof v === 'string' ? v : (fallback || key);
}

export function has(key) { return typeof lookup(dictionaries[current], key) !== 'undefined'; }

// t('users.title'), t('time.minutes', {count: 5}). A value that is an object of
// plural forms ({one, few, many, other}) is chosen by params.count with the language's rules.
export function t(key, params) {
  let v = lookup(dictionaries[current], key);
  if (v === undefined) v = lookup(dictionaries.en, key);
  if (v === undefined) return key;
  if (typeof v === 'object') v = v[pluralForm(params?.count ?? 0)] ?? v.other;
  if (params) v = v.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
  return v;
}

// Locale-aware helpers built on Intl.
export function regionName(code) {
  try { return new Intl.DisplayNames([current], { type: 'region' }).of(code) || ''; } catch { return ''; }
}

export function currencyName(code) {
  try { return new Intl.DisplayNames([current], { type: 'currency' }).of(code) || ''; } catch { return ''; }
}

// The UI dictionaries: Russian and English carry the same keys and placeholders, and every key
// the code asks for exists (a missing one would show the raw key to the user).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../lib/server.mjs';

const en = (await import(join(ROOT, 'web/i18n/en.js'))).default;
const ru = (await import(join(ROOT, 'web/i18n/ru.js'))).default;

function flatten(obj, prefix = '', out = {}) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? prefix + '.' + k : k;
    const plural = v && typeof v === 'object' && 'other' in v;
    if (v && typeof v === 'object' && !plural) flatten(v, key, out);
    else out[key] = v;
  }
  return out;
}
const params = (v) => [...new Set(JSON.stringify(v).match(/\{\w+\}/g) || [])].sort();

test('English and Russian have the same keys and placeholders', () => {
  const a = flatten(en), b = flatten(ru);
  assert.deepEqual(Object.keys(b).filter((k) => !(k in a)), [], 'keys only in ru.js');
  assert.deepEqual(Object.keys(a).filter((k) => !(k in b)), [], 'keys only in en.js');
  for (const k of Object.keys(a)) assert.deepEqual(params(b[k]), params(a[k]), 'placeholders of ' + k);
  for (const [k, v] of Object.entries(b)) {
    if (typeof v === 'object') for (const form of ['one', 'few', 'many', 'other']) assert.ok(v[form], `${k}.${form} in ru.js`);
  }
});

test('every key the UI code uses exists', () => {
  const dir = join(ROOT, 'web/js');
  const flat = flatten(en);
  const missing = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.js'))) {
    const src = readFileSync(join(dir, f), 'utf8');
    // any quoted 'section.key' whose section is a dictionary section is a key: t('…'), {key: '…'}, notify('…')
    for (const m of src.matchAll(/'([a-z_]+)\.([a-z_.]+)'/g)) {
      const key = m[1] + '.' + m[2];
      const capability = /^[a-z]+\.(read|manage)$/.test(key);   // users.read is a capability, not a key
      if (m[1] in en && !capability && !key.endsWith('.') && !(key in flat)) missing.push(`${f}: ${key}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('keys the CRM screens build at run time exist', () => {
  const flat = flatten(en);
  const keys = [];
  for (const e of ['deal', 'company', 'contact'])
    keys.push(`crm.new_${e}`, `crm.one_${e}`, `lists.search_${e}`, `lists.total_${e}`, `lists.none_${e}`, `record.back_${e}`);
  for (const p of ['deals', 'companies', 'contacts']) keys.push(`crm.${p}`);
  keys.push('crm.pick_company', 'crm.pick_contact', 'lists.of_company', 'lists.of_contact', 'record.no_contacts', 'record.no_deals');
  for (const m of ['phone', 'email', 'domain', 'name', 'similar_name']) keys.push(`leads.match_${m}`);
  // every field the cards, lists and timeline show has a label
  const src = readFileSync(join(ROOT, 'web/js/crm.js'), 'utf8');
  const start = src.indexOf('export const FIELDS');
  const block = src.slice(start, src.indexOf('\n};', start));
  const fields = [...block.matchAll(/^ {2}(\w+): \{/gm)].map((m) => m[1]);
  assert.ok(fields.length > 20, 'found the field list');
  for (const f of fields.concat('stage')) keys.push('fields.' + f);
  // every capability the server knows is offered on the roles screen, with a label and a hint
  const auth = readFileSync(join(ROOT, 'src/auth/auth.c'), 'utf8') + readFileSync(join(ROOT, 'src/auth/auth.h'), 'utf8');
  const list = auth.slice(auth.indexOf('auth_capabilities[] = {'), auth.indexOf('NULL,', auth.indexOf('auth_capabilities[] = {')));
  const caps = [...list.matchAll(/"([a-z_.]+)"|\b(CAP_[A-Z_]+)\b/g)].map((m) => m[1] || auth.match(new RegExp(`#define ${m[2]} "([^"]+)"`))[1]);
  assert.ok(caps.length >= 8, 'found the server\'s capabilities');
  const offered = [...readFileSync(join(ROOT, 'web/js/settings_roles.js'), 'utf8').match(/CAPABILITIES = \[([^\]]*)\]/)[1].matchAll(/'([^']+)'/g)].map((m) => m[1]);
  assert.deepEqual(caps.filter((c) => !offered.includes(c)), [], 'capabilities the roles screen does not offer');
  for (const c of caps) keys.push(`config.cap_${c.replace('.', '_')}`, `config.cap_${c.replace('.', '_')}_hint`);
  assert.deepEqual(keys.filter((k) => !(k in flat)), []);
});

// Custom fields in the list views: optional columns (a value rendered by its type) and filters
// (GET /api/fields?entity=E says which fields exist and which are filterable). Filters are the
// list API's own arguments — `custom.KEY=V`, `custom.KEY.from/.to`, `custom.KEY.empty` — kept in
// the URL like every other filter, so the export and "select all matching" see the same list.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t, lang } from './i18n.js';
import { customFieldsFor, formatMoney, formatDate, formatDateTime, formatPhone, moneyInput, parseMoney } from './crm.js';
import { useListItems, customOptions } from './fields.js';
import { useDismiss } from './ui.js';

const NUMERIC = ['number', 'money'];
const RANGE = ['number', 'money', 'date', 'datetime'];

// Column descriptors for the custom fields of an entity, in the shape records.js uses.
export function customColumns(entity) {
  return customFieldsFor(entity).map((d) => ({
    key: 'custom.' + d.key,
    sort: d.filterable ? 'custom.' + d.key : undefined,
    num: NUMERIC.includes(d.type),
    def: false,
    custom: d,
  }));
}

// A list cell: money formatted, times in the company's zone, select labels, a tick for yes.
export function CustomCell({ def, value, users }) {
  const listItems = useListItems(def.list);
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) return null;
  const label = (x) => { const o = customOptions(def, listItems).find((y) => y.value === x); return o ? o.label : x; };
  switch (def.type) {
    case 'bool': return value ? html`<span class="tick" title=${t('record.yes')} aria-label=${t('record.yes')}>✓</span>`
      : html`<span class="muted" title=${t('record.no')} aria-label=${t('record.no')}>—</span>`;
    case 'money': return formatMoney(value);
    case 'number': return new Intl.NumberFormat(lang()).format(value);
    case 'date': return formatDate(value);
    case 'datetime': return formatDateTime(value);
    case 'phone': return formatPhone(value);
    case 'select': return label(value);
    case 'multiselect': return value.map(label).join(', ');
    case 'user': { const u = (users || []).find((x) => x.id === value); return u ? u.name || u.login : '#' + value; }
    default: return String(value);
  }
}

// The custom-field arguments of a query string (URL params) as an object.
export function customParams(params) {
  return Object.fromEntries(Object.entries(params).filter(([k, v]) => k.startsWith('custom.') && v !== ''));
}

// ---- time zone arithmetic for datetime filters: a calendar day in the company's zone ----

function zoneOffsetMs(ms, zone) {
  try {
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23',
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
    const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
    return asUtc - Math.floor(ms / 1000) * 1000;
  } catch { return 0; }
}
// "2026-03-05" → UTC ms of that midnight in `zone` (end: the last millisecond of that day).
export function zoneDayMs(iso, zone, end) {
  const [y, m, d] = iso.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d + (end ? 1 : 0));
  const ms = guess - zoneOffsetMs(guess, zone);
  return end ? ms - 1 : ms;
}
export function zoneDayIso(ms, zone) {
  const off = zoneOffsetMs(Number(ms), zone);
  return new Date(Number(ms) + off).toISOString().slice(0, 10);
}

// Text of an active filter for its chip.
function chipText(def, key, value, zone, users, listItems) {
  const suffix = key.slice(('custom.' + def.key).length);
  const show = (v) => {
    if (def.type === 'money') return formatMoney(Number(v));
    if (def.type === 'datetime') return formatDate(zoneDayIso(v, zone));
    if (def.type === 'date') return formatDate(v);
    if (def.type === 'bool') return v === 'true' ? t('record.yes') : t('record.no');
    if (def.type === 'user') { const u = (users || []).find((x) => String(x.id) === v); return u ? u.name || u.login : '#' + v; }
    if (def.type === 'select' || def.type === 'multiselect') { const o = customOptions(def, listItems).find((x) => x.value === v); return o ? o.label : v; }
    return v;
  };
  if (suffix === '.empty') return value === 'true' ? t('data.filter_is_empty') : t('data.filter_is_filled');
  if (suffix === '.from') return '≥ ' + show(value);
  if (suffix === '.to') return '≤ ' + show(value);
  return def.type === 'bool' ? show(value) : '= ' + show(value);
}

function Chip({ def, k, value, zone, users, onRemove }) {
  const listItems = useListItems(def.list);
  return html`<span class="chip" data-testid=${'chip-' + k}>${def.label} ${chipText(def, k, value, zone, users, listItems)}
    <button type="button" class="chip-x" aria-label=${t('lists.remove_filter')} title=${t('lists.remove_filter')} onClick=${onRemove}>×</button></span>`;
}

// Chips of the active custom-field filters, each removable.
export function CustomFilterChips({ entity, value, onChange, zone, users }) {
  const defs = customFieldsFor(entity);
  const keys = Object.keys(value);
  if (!keys.length) return null;
  return html`${keys.map((k) => {
    const def = defs.find((d) => k === 'custom.' + d.key || k.startsWith('custom.' + d.key + '.'));
    if (!def) return null;
    const rest = { ...value };
    delete rest[k];
    return html`<${Chip} key=${k} def=${def} k=${k} value=${value[k]} zone=${zone} users=${users} onRemove=${() => onChange(rest)} />`;
  })}`;
}

// "Filters" popover: a control per filterable custom field, applied together.
export function CustomFilters({ entity, value, onChange, zone, users }) {
  const defs = customFieldsFor(entity).filter((d) => d.filterable);
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState({});
  const [bad, setBad] = useState(null);
  const box = useRef(null);
  useEffect(() => { if (open) { setDraft(toDraft(defs, value, zone)); setBad(null); } }, [open]);
  useDismiss(open, setOpen, box);
  if (!defs.length) return null;
  const n = Object.keys(value).length;

  function apply(e) {
    if (e) e.preventDefault();
    const out = {};
    for (const d of defs) {
      const base = 'custom.' + d.key;
      const x = draft[d.key] || {};
      if (RANGE.includes(d.type)) {
        for (const side of ['from', 'to']) {
          const raw = String(x[side] ?? '').trim();
          if (!raw) continue;
          let v = raw;
          if (d.type === 'money') { v = parseMoney(raw); if (Number.isNaN(v)) { setBad(d.key); return; } }
          else if (d.type === 'number') { v = Number(raw.replace(',', '.').replace(/\s/g, '')); if (Number.isNaN(v)) { setBad(d.key); return; } }
          else if (d.type === 'datetime') v = zoneDayMs(raw, zone, side === 'to');
          out[base + '.' + side] = String(v);
        }
      } else {
        const v = String(x.eq ?? '').trim();
        if (v === '__empty') out[base + '.empty'] = 'true';
        else if (v === '__filled') out[base + '.empty'] = 'false';
        else if (v) out[base] = v;
      }
    }
    onChange(out);
    setOpen(false);
  }
  const set = (k, side, v) => { setBad(null); setDraft((o) => ({ ...o, [k]: { ...(o[k] || {}), [side]: v } })); };

  return html`<div class="popover-wrap" ref=${box}>
    <button type="button" class=${'btn' + (n ? ' active-filter' : '')} aria-expanded=${open ? 'true' : 'false'} onClick=${() => setOpen(!open)} data-testid="custom-filters-button">
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M2 3h12l-4.5 5v4l-3 1.5V8z" fill="none" stroke="currentColor" stroke-width="1.3" stroke-linejoin="round"/></svg>
      ${t('data.filters')}${n ? html` <span class="count-badge">${n}</span>` : null}</button>
    ${open ? html`<form class="menu-panel filters-panel" onSubmit=${apply} data-testid="custom-filters-panel">
      ${defs.map((d) => html`<${FilterRow} key=${d.key} def=${d} x=${draft[d.key] || {}} set=${set} users=${users} bad=${bad === d.key} />`)}
      <div class="form-actions">
        <button type="button" class="btn small ghost" onClick=${() => setDraft({})} data-testid="custom-filters-clear">${t('data.filters_clear')}</button>
        <button type="submit" class="btn small primary" data-testid="custom-filters-apply">${t('data.filters_apply')}</button>
      </div>
    </form>` : null}
  </div>`;
}

function toDraft(defs, value, zone) {
  const d = {};
  for (const def of defs) {
    const base = 'custom.' + def.key;
    const x = {};
    const conv = (v) => (def.type === 'money' ? moneyInput(Number(v)) : def.type === 'datetime' ? zoneDayIso(v, zone) : v);
    if (value[base + '.from'] !== undefined) x.from = conv(value[base + '.from']);
    if (value[base + '.to'] !== undefined) x.to = conv(value[base + '.to']);
    if (value[base] !== undefined) x.eq = value[base];
    if (value[base + '.empty'] !== undefined) x.eq = value[base + '.empty'] === 'true' ? '__empty' : '__filled';
    d[def.key] = x;
  }
  return d;
}

function FilterRow({ def, x, set, users, bad }) {
  const listItems = useListItems(def.list);
  const id = 'cf-' + def.key;
  let control;
  if (RANGE.includes(def.type)) {
    const type = def.type === 'date' || def.type === 'datetime' ? 'date' : 'text';
    const mode = NUMERIC.includes(def.type) ? 'decimal' : undefined;
    control = html`<div class="range-row">
      <input id=${id} class="input" type=${type} inputmode=${mode} value=${x.from ?? ''} placeholder=${t('data.filter_from')}
        aria-label=${def.label + ' ' + t('data.filter_from')} aria-invalid=${bad ? 'true' : undefined}
        onInput=${(e) => set(def.key, 'from', e.currentTarget.value)} data-testid=${'cf-' + def.key + '-from'} />
      <span aria-hidden="true">–</span>
      <input class="input" type=${type} inputmode=${mode} value=${x.to ?? ''} placeholder=${t('data.filter_to')}
        aria-label=${def.label + ' ' + t('data.filter_to')} aria-invalid=${bad ? 'true' : undefined}
        onInput=${(e) => set(def.key, 'to', e.currentTarget.value)} data-testid=${'cf-' + def.key + '-to'} />
    </div>`;
  } else if (def.type === 'bool' || def.type === 'select' || def.type === 'multiselect' || def.type === 'user') {
    const opts = def.type === 'bool' ? [{ value: 'true', label: t('record.yes') }, { value: 'false', label: t('record.no') }]
      : def.type === 'user' ? (users || []).map((u) => ({ value: String(u.id), label: u.name || u.login }))
      : customOptions(def, listItems);
    control = html`<select id=${id} class="input select" value=${x.eq ?? ''} onChange=${(e) => set(def.key, 'eq', e.currentTarget.value)} data-testid=${'cf-' + def.key}>
      <option value="">${t('data.filter_any')}</option>
      ${opts.map((o) => html`<option key=${o.value} value=${o.value}>${o.label}</option>`)}
      <option value="__empty">${t('data.filter_is_empty')}</option>
      <option value="__filled">${t('data.filter_is_filled')}</option>
    </select>`;
  } else {
    control = html`<input id=${id} class="input" value=${x.eq ?? ''} placeholder=${t('data.filter_equals')}
      onInput=${(e) => set(def.key, 'eq', e.currentTarget.value)} data-testid=${'cf-' + def.key} />`;
  }
  return html`<div class=${'field' + (bad ? ' has-error' : '')}>
    <label for=${id}>${def.label}</label>
    ${control}
    ${bad ? html`<div class="field-error" role="alert">${t(def.type === 'money' ? 'crm.err_money' : 'crm.err_number')}</div>` : null}
  </div>`;
}

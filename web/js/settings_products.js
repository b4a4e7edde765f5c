// Settings → Products: the catalogue deals are made of (code, name, unit, price, currency).
// Search by code or name, filter offered/deactivated, add a product, edit one in a dialog,
// deactivate it (it stays on the deals that have it, and is no longer offered on new lines).
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t, currencyName } from './i18n.js';
import { api, ApiError, errorMessage } from './api.js';
import { useApp } from './context.js';
import { Dialog, Spinner, FormError } from './ui.js';
import { SettingsFrame, sectionById } from './settings_nav.js';
import { formatMoney, moneyInput, parseMoney, defaultCurrency } from './crm.js';
import { SearchBox } from './widgets.js';
import { useLeaveGuard, guardedClose } from './settings_kit.js';

const CURRENCIES = ['RUB', 'BYN', 'KZT', 'UZS', 'KGS', 'AMD', 'GEL', 'AZN', 'TRY', 'AED', 'EUR', 'GBP', 'USD', 'CNY'];

export function ProductsSettings() {
  const app = useApp();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');           // '', 'true', 'false' → active=
  const [items, setItems] = useState([]);
  const [next, setNext] = useState(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(null);       // a product, or {} for a new one
  const [rowError, setRowError] = useState(null);
  const seq = useRef(0);

  async function load({ more = false } = {}) {
    const n = ++seq.current;
    setLoading(true);
    setError(null);
    try {
      const r = await api.get('/api/products', { q: q.trim(), active: status, limit: 50, cursor: more ? next : undefined });
      if (n !== seq.current) return;
      setItems((old) => (more ? old.concat(r.items || []) : r.items || []));
      setNext(r.next || null);
    } catch (e) {
      if (n === seq.current) setError(e);
    } finally {
      if (n === seq.current) setLoading(false);
    }
  }
  useEffect(() => {
    const timer = setTimeout(() => load(), q ? 200 : 0);
    return () => clearTimeout(timer);
  }, [q, status]);

  // A product changed: in place when it still matches the filter, out of the list when not.
  function changed(p) {
    setItems((list) => (status && String(p.active) !== status ? list.filter((x) => x.id !== p.id) : list.map((x) => (x.id === p.id ? p : x))));
  }
  async function toggle(p) {
    setRowError(null);
    try {
      const r = await api.patch('/api/products/' + p.id, { active: !p.active });
      changed(r);
      app.notify(r.active ? 'items.activated' : 'items.deactivated', { name: r.name });
    } catch (e) { setRowError(e); }
  }

  return html`<${SettingsFrame} user=${app.user} section=${sectionById('products')} subtitle=${t('items.products_sub')}
      actions=${html`<button type="button" class="btn primary" onClick=${() => setEditing({})} data-testid="product-new">
        <span aria-hidden="true">+</span> ${t('items.new')}</button>`}>
    <div class="toolbar products-toolbar">
      <${SearchBox} value=${q} onInput=${setQ} placeholder=${t('items.search_products')} testid="products-search" />
      <select class="input select" aria-label=${t('items.status')} value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}
        data-testid="products-status">
        <option value="">${t('items.status_all')}</option>
        <option value="true">${t('items.status_active')}</option>
        <option value="false">${t('items.status_inactive')}</option>
      </select>
    </div>
    <${FormError} error=${error || rowError} testid="products-error" />
    <div class="table-wrap">
      <table class="table products-table" data-testid="products-table">
        <thead><tr>
          <th class="col-code">${t('items.code')}</th>
          <th>${t('items.name')}</th>
          <th class="col-unit">${t('items.unit')}</th>
          <th class="col-price">${t('items.price')}</th>
          <th class="col-status">${t('items.col_status')}</th>
          <th class="col-actions"><span class="sr-only">${t('common.actions')}</span></th>
        </tr></thead>
        <tbody>
          ${items.map((p) => html`<tr key=${p.id} class=${'clickable' + (p.active ? '' : ' inactive')} data-testid=${'product-row-' + p.code}
              onClick=${(e) => { if (!e.target.closest('button')) setEditing(p); }}>
            <td class="col-code mono">${p.code}</td>
            <td>
              <button type="button" class="link-btn strong" onClick=${() => setEditing(p)} data-testid=${'product-open-' + p.code}
                aria-label=${t('items.edit_named', { name: p.name })}>${p.name}</button>
              <span class="product-under muted small"><span class="mono">${p.code}</span> · ${p.unit}${p.active ? '' : ' · ' + t('items.inactive')}</span>
            </td>
            <td class="col-unit">${p.unit}</td>
            <td class="col-price" data-testid="product-price">${formatMoney(p.price, p.currency)}</td>
            <td class="col-status"><span class=${'badge ' + (p.active ? 'ok' : 'off')} data-testid="product-status">
              ${p.active ? t('items.active') : t('items.inactive')}</span></td>
            <td class="col-actions">
              <button type="button" class="btn small ghost" onClick=${() => toggle(p)} data-testid=${'product-toggle-' + p.code}
                aria-label=${t(p.active ? 'items.deactivate_named' : 'items.activate_named', { name: p.name })}>
                ${p.active ? t('items.deactivate') : t('items.activate')}</button>
              <button type="button" class="btn small ghost" onClick=${() => setEditing(p)} data-testid=${'product-edit-' + p.code}
                aria-label=${t('items.edit_named', { name: p.name })}>${t('common.edit')}</button>
            </td>
          </tr>`)}
        </tbody>
      </table>
      ${!loading && !error && !items.length ? html`<div class="empty" data-testid="products-empty">
        ${q.trim() || status ? t('items.none_products_match') : t('items.none_products')}</div>` : null}
      ${loading && !items.length ? html`<div class="empty"><${Spinner} /></div>` : null}
    </div>
    ${next ? html`<div class="products-more"><button type="button" class="btn" disabled=${loading} onClick=${() => load({ more: true })}
      data-testid="products-more">${t('common.load_more')}</button></div>` : null}
    ${editing ? html`<${ProductDialog} product=${editing.id ? editing : null} onClose=${() => setEditing(null)}
      onSaved=${(p, created) => {
        setEditing(null);
        app.notify(created ? 'items.created' : 'items.saved_product', { name: p.name });
        if (created) load(); else changed(p);
      }} />` : null}
  <//>`;
}

const FIELDS = ['code', 'name', 'unit', 'price', 'currency', 'active'];

// The server's error next to the input it names, in the user's language.
function productError(err) {
  if (!(err instanceof ApiError)) return errorMessage(err);
  const byField = { code: err.code === 'conflict' ? 'items.err_code_taken' : 'items.err_code', name: 'items.err_product_name',
    unit: 'items.err_product_unit', price: 'items.err_product_price', currency: 'items.err_currency' };
  return byField[err.field] ? t(byField[err.field]) : errorMessage(err);
}

function ProductDialog({ product, onClose, onSaved }) {
  const cur0 = product ? product.currency : defaultCurrency();
  const [v, setV] = useState(() => ({
    code: product ? product.code : '', name: product ? product.name : '', unit: product ? product.unit : '',
    price: product ? moneyInput(product.price, product.currency) : '', currency: cur0, active: product ? product.active : true,
  }));
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const set = (k, x) => { setV((o) => ({ ...o, [k]: x })); setErrors((e) => ({ ...e, [k]: null, _form: null })); };
  const [start] = useState(v);
  const dirty = Object.keys(v).some((k) => v[k] !== start[k]);
  useLeaveGuard(dirty && !busy);
  const close = guardedClose(dirty, onClose);

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    const local = {};
    const code = v.code.trim(), name = v.name.trim(), unit = v.unit.trim();
    if (!/^[A-Za-z0-9._\-/]{1,64}$/.test(code)) local.code = t('items.err_code');
    if (!name || [...name].length > 300) local.name = t('items.err_product_name');
    if ([...unit].length > 20) local.unit = t('items.err_product_unit');
    const price = parseMoney(v.price, v.currency);
    if (price === null || Number.isNaN(price) || price > 1e15) local.price = t('items.err_product_price');
    if (!/^[A-Z]{3}$/.test(v.currency)) local.currency = t('items.err_currency');
    if (Object.keys(local).length) {
      setErrors(local);
      document.getElementById('product-' + Object.keys(local)[0])?.focus();
      return;
    }
    const body = { code, name, price, currency: v.currency, active: v.active };
    if (unit) body.unit = unit;
    if (product) for (const k of Object.keys(body)) if (body[k] === product[k]) delete body[k];
    if (product && !Object.keys(body).length) { setErrors({ _form: t('items.nothing_changed') }); return; }
    setBusy(true);
    setErrors({});
    try {
      const r = product ? await api.patch('/api/products/' + product.id, body) : await api.post('/api/products', body);
      onSaved(r, !product);
    } catch (err) {
      const f = err instanceof ApiError && FIELDS.includes(err.field) ? err.field : '_form';
      setErrors({ [f]: productError(err) });
      setBusy(false);
    }
  }
  const row = (k, label, input, hint) => html`<div class=${'field' + (errors[k] ? ' has-error' : '')}>
    <label for=${'product-' + k}>${label}</label>
    ${input}
    ${errors[k] ? html`<div class="field-error" role="alert" id=${'product-' + k + '-error'} data-testid=${'error-product-' + k}>${errors[k]}</div>`
      : hint ? html`<div class="field-hint">${hint}</div>` : null}
  </div>`;
  const inv = (k) => (errors[k] ? 'true' : undefined);
  const currencies = CURRENCIES.includes(v.currency) ? CURRENCIES : [v.currency, ...CURRENCIES];
  return html`<${Dialog} title=${product ? t('items.edit_title', { name: product.name }) : t('items.new_title')} onClose=${close} testid="product-dialog">
    <form class="product-form" onSubmit=${submit} novalidate>
      ${errors._form ? html`<div class="form-error" role="alert" data-testid="product-form-error">${errors._form}</div>` : null}
      ${row('name', t('items.name'), html`<input id="product-name" class="input" value=${v.name} maxlength="300" autofocus
        aria-invalid=${inv('name')} onInput=${(e) => set('name', e.currentTarget.value)} data-testid="product-name" />`)}
      ${row('code', t('items.code'), html`<input id="product-code" class="input mono" value=${v.code} maxlength="64" spellcheck="false"
        autocapitalize="none" autocomplete="off" aria-invalid=${inv('code')} onInput=${(e) => set('code', e.currentTarget.value)}
        data-testid="product-code" />`, t('items.code_hint'))}
      <div class="grid-3">
        ${row('price', t('items.price'), html`<input id="product-price" class="input" value=${v.price} inputmode="decimal"
          aria-invalid=${inv('price')} onInput=${(e) => set('price', e.currentTarget.value)} data-testid="product-price-input" />`)}
        ${row('currency', t('items.currency'), html`<select id="product-currency" class="input select" value=${v.currency}
          aria-invalid=${inv('currency')} onChange=${(e) => set('currency', e.currentTarget.value)} data-testid="product-currency">
          ${currencies.map((c) => html`<option key=${c} value=${c} title=${currencyName(c)}>${c}</option>`)}
        </select>`)}
        ${row('unit', t('items.unit'), html`<input id="product-unit" class="input" value=${v.unit} maxlength="20" placeholder="шт"
          aria-invalid=${inv('unit')} onInput=${(e) => set('unit', e.currentTarget.value)} data-testid="product-unit" />`, t('items.unit_hint'))}
      </div>
      <label class="check-row">
        <input type="checkbox" checked=${v.active} onChange=${(e) => set('active', e.currentTarget.checked)} data-testid="product-active" />
        <span>${t('items.offered')}</span>
      </label>
      <div class="field-hint">${t('items.offered_hint')}</div>
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn primary" disabled=${busy} data-testid="product-save">${product ? t('common.save') : t('items.create')}</button>
      </div>
    </form>
  <//>`;
}

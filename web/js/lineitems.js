// "Products and services" on a deal card: what the order is made of. Lines come from the
// catalogue (search as you type, GET /api/products?q=) or are free lines (a name and a price);
// quantities and prices are edited in place, lines removed and reordered, and the whole list is
// saved at once with PUT /api/deals/ID/items and the version on screen — the deal's amount then
// becomes the total. A stale save says so and reloads the deal. A role that may not edit the deal
// sees the lines read-only; one kept from the amount sees them without prices.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t, lang } from './i18n.js';
import { api, ApiError } from './api.js';
import { formatMoney, moneyInput, parseMoney, defaultCurrency, recordError } from './crm.js';
import { useReorder, moveById, DragHandle, UpDown, RemoveButton, useLeaveGuard } from './settings_kit.js';
import { Banner } from './widgets.js';

const MAX_LINES = 500;
const MAX_PRICE = 1e12;
let seq = 0;

function fromItem(x, cur) {
  return { key: ++seq, product_id: x.product_id, code: x.code, name: x.name, unit: x.unit,
    qty: String(x.qty), price: x.price === undefined ? undefined : moneyInput(x.price, cur), saved: { price: x.price, amount: x.amount } };
}

// "2,5" / "2.5" / "3" → 2.5; NaN unless positive, at most 3 decimals and ≤ 10^9 (as the server).
export function parseQty(text) {
  const s = String(text || '').replace(/[\s\u00a0]/g, '').replace(',', '.');
  if (!/^(\d+(\.\d{0,3})?|\.\d{1,3})$/.test(s)) return NaN;
  const v = Number(s);
  return v > 0 && v <= 1e9 ? v : NaN;
}

// qty × price in minor units, rounded half up — the same sum the server makes.
export function lineAmount(qty, price) {
  const milli = BigInt(Math.round(qty * 1000));
  return Number((milli * BigInt(price) + 500n) / 1000n);
}

function formatQty(q) {
  return new Intl.NumberFormat(lang(), { maximumFractionDigits: 3 }).format(q);
}

// What a line means once parsed, for "is anything changed?" and for saving.
function parsed(line, cur) {
  const qty = parseQty(line.qty);
  const price = parseMoney(line.price, cur);
  return { product_id: line.product_id || null, name: String(line.name || '').trim(), unit: String(line.unit || '').trim(),
    qty: Number.isNaN(qty) ? 'bad:' + line.qty : qty, price: price === null || Number.isNaN(price) ? 'bad:' + line.price : price };
}

export function LineItems({ rec, user, editable, onSaved, onReload }) {
  const cur = rec.currency || defaultCurrency();
  const hidden = !!(user && user.hidden_fields && (user.hidden_fields.deal || []).includes('amount'));
  const dealScope = user && user.scopes && user.scopes.deal;
  const notMine = !!(dealScope && dealScope.edit === 'own' && rec.owner_id !== user.id);
  const [denied, setDenied] = useState(false);
  const mayEdit = !!editable && !hidden && !notMine && !denied;

  const server = rec.items || [];
  const serverKey = JSON.stringify(server);
  const fresh = useMemo(() => server.map((x) => fromItem(x, cur)), [serverKey, cur]);
  const [draft, setDraft] = useState(null);          // {base: serverKey, lines} once the user changes something
  const [message, setMessage] = useState(null);      // {kind, text}
  const [bad, setBad] = useState(null);              // {key, field} of the input at fault
  const [busy, setBusy] = useState(false);
  const refocus = useRef(null);                      // data-testid to focus after the next render
  const lines = draft ? draft.lines : fresh;
  const same = (a, b) => JSON.stringify(a.map((l) => parsed(l, cur))) === JSON.stringify(b.map((l) => parsed(l, cur)));
  const dirty = !!draft && !same(draft.lines, fresh);
  useLeaveGuard(dirty);

  // The deal's lines changed under an unsaved draft (a reload after a colleague's save).
  useEffect(() => {
    if (draft && draft.base !== serverKey) {
      if (dirty) setMessage({ kind: 'warn', text: t('items.err_changed') });
      setDraft(null);
    }
  }, [serverKey]);
  useEffect(() => {
    if (!refocus.current) return;
    const el = document.querySelector(`[data-testid="${refocus.current}"]`);
    refocus.current = null;
    if (el) { el.focus(); if (el.select) el.select(); }
  });

  function change(f) {
    setDraft((d) => ({ base: d ? d.base : serverKey, lines: f(d ? d.lines : fresh) }));
    setBad(null);
    setMessage((m) => (m && m.kind === 'error' ? m : null));
  }
  const setLine = (key, patch) => change((ls) => ls.map((l) => (l.key === key ? { ...l, ...patch } : l)));
  const remove = (key) => change((ls) => ls.filter((l) => l.key !== key));
  const reorder = useReorder({ ids: lines.map((l) => l.key), name: (k) => (lines.find((l) => l.key === k) || {}).name || '',
    testid: (k) => 'li-handle-' + lines.findIndex((l) => l.key === k),
    onMove: (k, target) => change((ls) => moveById(ls, (l) => l.key, k, target)) });

  function addProduct(p) {
    const price = moneyInput(p.price, cur);
    const twin = lines.find((l) => l.product_id === p.id && l.price === price && !Number.isNaN(parseQty(l.qty)));
    if (twin) {
      // the same product again (a second scan of its code): one more of it
      const n = lines.indexOf(twin);
      setLine(twin.key, { qty: String(Math.round((parseQty(twin.qty) + 1) * 1000) / 1000) });
      setMessage(null);
      return n;
    }
    change((ls) => ls.concat({ key: ++seq, product_id: p.id, code: p.code, name: p.name, unit: p.unit, qty: '1', price,
      otherCurrency: p.currency && p.currency !== cur ? p.currency : null }));
    return lines.length;
  }
  function addFree(name) {
    change((ls) => ls.concat({ key: ++seq, product_id: null, code: null, name, unit: '', qty: '1', price: '' }));
    refocus.current = 'li-price-' + lines.length;       // a free line needs its price first
  }
  // Alt+↑/↓ in a line's inputs moves the line; the focus stays in the same input.
  function lineKeys(e, key, field) {
    if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      e.preventDefault();
      const from = lines.findIndex((l) => l.key === key);
      const to = from + (e.key === 'ArrowUp' ? -1 : 1);
      if (to < 0 || to >= lines.length) return;
      change((ls) => moveById(ls, (l) => l.key, key, { delta: e.key === 'ArrowUp' ? -1 : 1 }));
      refocus.current = `li-${field}-${to}`;
    } else if (e.key === 'Enter' && !e.isComposing) {
      e.preventDefault();
      save();
    }
  }

  function discard() { setDraft(null); setBad(null); setMessage(null); }

  // The first problem of the draft, to show and focus before anything is sent.
  function check() {
    if (lines.length > MAX_LINES) return { text: t('items.err_too_many') };
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i], p = parsed(l, cur);
      const say = (field, problem) => ({ key: l.key, field, index: i,
        text: t('items.err_line', { n: i + 1, name: p.name || '…', problem: t('items.' + problem) }) });
      if (!p.product_id && !p.name) return say('name', 'err_name');
      if (typeof p.qty !== 'number') return say('qty', 'err_qty');
      if (typeof p.price !== 'number') return say('price', 'err_price');
      if (p.price > MAX_PRICE) return say('price', 'err_price_big');
      if ([...p.unit].length > 20) return say('unit', 'err_unit');
    }
    return null;
  }

  async function save() {
    if (!dirty || busy) return;
    const problem = check();
    if (problem) {
      setMessage({ kind: 'error', text: problem.text });
      if (problem.key) { setBad({ key: problem.key, field: problem.field }); refocus.current = `li-${problem.field}-${problem.index}`; }
      return;
    }
    const items = lines.map((l) => {
      const p = parsed(l, cur);
      const out = { name: p.name, qty: p.qty, price: p.price };
      if (p.product_id) out.product_id = p.product_id;
      if (p.unit) out.unit = p.unit;
      return out;
    });
    setBusy(true);
    setMessage(null);
    try {
      const r = await api.put(`/api/deals/${rec.id}/items`, { version: rec.version, items });
      setDraft(null);
      setMessage({ kind: 'info', text: t('items.saved', { amount: formatMoney(r.amount, cur) }) });
      onSaved(r);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'stale') {
        setDraft(null);
        setMessage({ kind: 'warn', text: t('items.err_stale') });
        onReload();
      } else if (err instanceof ApiError && err.status === 403) {
        setDraft(null);
        setDenied(true);
        setMessage({ kind: 'error', text: t('items.err_forbidden') });
      } else if (err instanceof ApiError && err.status === 404) {
        onReload();
      } else {
        const m = err instanceof ApiError && /^items\[(\d+)\]/.exec(err.field || '');
        const line = m && lines[Number(m[1])];
        const text = line ? t('items.err_line', { n: Number(m[1]) + 1, name: line.name, problem: lang() === 'en' && err.message ? err.message.replace(/^items\[\d+\][.:]?\s*/, '') : t('errors.code.invalid') })
          : recordError(err);
        setMessage({ kind: 'error', text });
      }
    } finally {
      setBusy(false);
    }
  }

  const amounts = lines.map((l) => {
    if (!draft && l.saved) return l.saved.amount;           // as the server summed it
    const q = parseQty(l.qty), p = parseMoney(l.price, cur);
    return Number.isNaN(q) || p === null || Number.isNaN(p) ? null : lineAmount(q, p);
  });
  const total = amounts.reduce((s, a) => s + (a || 0), 0);
  const invalid = (l, field) => (bad && bad.key === l.key && bad.field === field ? 'true' : undefined);
  const cols = hidden ? 4 : 6;

  return html`<section class=${'card line-items' + (mayEdit ? ' editing' : '')} data-testid="line-items" aria-labelledby="li-title"
      onKeyDown=${(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); save(); } }}>
    <div class="row-between li-head">
      <h2 class="card-title" id="li-title">${t('items.title')}
        ${lines.length ? html` <span class="muted small" data-testid="li-count">${t('items.lines', { count: lines.length })}</span>` : null}</h2>
    </div>
    ${hidden ? html`<p class="notice small" data-testid="li-prices-hidden">${t('items.prices_hidden')}</p>`
      : !mayEdit && !denied && lines.length ? html`<p class="muted small" data-testid="li-read-only">${t('items.read_only')}</p>` : null}
    <${Banner} kind=${message ? message.kind : 'info'} testid="li-message" onClose=${() => setMessage(null)}>${message ? message.text : null}<//>
    ${!lines.length ? html`<p class="muted li-empty" data-testid="li-empty">${mayEdit ? t('items.none_edit') : t('items.none')}</p>`
      : html`<table class=${'li-table' + (mayEdit ? ' li-edit' : '')} data-testid="li-table">
      <thead><tr>
        ${mayEdit ? html`<th class="li-drag"><span class="sr-only">${t('common.actions')}</span></th>` : null}
        <th class="li-code">${t('items.col_code')}</th>
        <th class="li-name">${t('items.col_name')}</th>
        <th class="li-qty num">${t('items.col_qty')}</th>
        <th class="li-unit">${t('items.col_unit')}</th>
        ${hidden ? null : html`<th class="li-price num">${t('items.col_price')}</th><th class="li-amount num">${t('items.col_amount')}</th>`}
        ${mayEdit ? html`<th class="li-tools"><span class="sr-only">${t('common.actions')}</span></th>` : null}
      </tr></thead>
      <tbody>
        ${lines.map((l, i) => {
          const row = mayEdit ? reorder.row(l.key) : {};
          const name = l.name || t('items.name_n', { n: i + 1 });
          return html`<tr key=${l.key} ...${row} class=${'li-line ' + (row.class || '')} data-testid=${'li-line-' + i}
              data-product=${l.product_id || undefined}>
            ${mayEdit ? html`<td class="li-drag"><${DragHandle} label=${t('items.drag_line', { name })} testid=${'li-handle-' + i}
              tabindex="-1" ...${reorder.handle(l.key)} /></td>` : null}
            <td class="li-code mono" data-testid=${'li-code-' + i}>${l.code || ''}</td>
            <td class="li-name" data-testid=${'li-name-' + i}>
              ${mayEdit && !l.product_id ? html`<input class="input" value=${l.name} aria-label=${t('items.name_n', { n: i + 1 })}
                  data-testid=${'li-name-input-' + i} aria-invalid=${invalid(l, 'name')} maxlength="300"
                  onInput=${(e) => setLine(l.key, { name: e.currentTarget.value })} onKeyDown=${(e) => lineKeys(e, l.key, 'name-input')} />`
                : html`<span class="li-name-text">${l.name}</span>`}
              ${l.otherCurrency ? html`<div class="field-hint warn-text">${t('items.other_currency_line', { currency: l.otherCurrency })}</div>` : null}
            </td>
            <td class="li-qty num" data-label=${t('items.col_qty')}>
              ${mayEdit ? html`<input class="input num" value=${l.qty} inputmode="decimal" aria-label=${t('items.qty_n', { name })}
                  data-testid=${'li-qty-' + i} aria-invalid=${invalid(l, 'qty') || (Number.isNaN(parseQty(l.qty)) ? 'true' : undefined)}
                  onInput=${(e) => setLine(l.key, { qty: e.currentTarget.value })} onKeyDown=${(e) => lineKeys(e, l.key, 'qty')} />`
                : html`<span data-testid=${'li-qty-' + i}>${formatQty(Number(l.qty))}</span>`}
            </td>
            <td class="li-unit" data-label=${t('items.col_unit')}>
              ${mayEdit && !l.product_id ? html`<input class="input" value=${l.unit} placeholder="шт" aria-label=${t('items.unit_n', { name })}
                  data-testid=${'li-unit-' + i} aria-invalid=${invalid(l, 'unit')} maxlength="20"
                  onInput=${(e) => setLine(l.key, { unit: e.currentTarget.value })} onKeyDown=${(e) => lineKeys(e, l.key, 'unit')} />`
                : html`<span>${l.unit}</span>`}
            </td>
            ${hidden ? null : html`<td class="li-price num" data-label=${t('items.col_price')}>
              ${mayEdit ? html`<input class="input num" value=${l.price} inputmode="decimal" aria-label=${t('items.price_n', { name })}
                  data-testid=${'li-price-' + i} aria-invalid=${invalid(l, 'price')}
                  onInput=${(e) => setLine(l.key, { price: e.currentTarget.value })} onKeyDown=${(e) => lineKeys(e, l.key, 'price')} />`
                : html`<span data-testid=${'li-price-' + i}>${formatMoney(l.saved.price, cur)}</span>`}
            </td>
            <td class="li-amount num strong" data-label=${t('items.col_amount')} data-testid=${'li-amount-' + i}>
              ${amounts[i] === null ? '—' : formatMoney(amounts[i], cur)}</td>`}
            ${mayEdit ? html`<td class="li-tools">
              <${UpDown} index=${i} count=${lines.length} label=${name} testid=${'li-' + i}
                onStep=${(delta) => reorder.move(l.key, { delta })} />
              <${RemoveButton} label=${t('items.remove_line', { name })} testid=${'li-remove-' + i} onClick=${() => {
                remove(l.key);
                refocus.current = lines.length > 1 ? 'li-qty-' + Math.min(i, lines.length - 2) : 'li-search';
              }} />
            </td>` : null}
          </tr>`;
        })}
      </tbody>
      ${hidden ? null : html`<tfoot><tr>
        <th scope="row" colspan=${mayEdit ? cols : cols - 1} class="li-total-label">${t('items.total')}</th>
        <td class="li-amount num li-total" data-testid="li-total">${formatMoney(total, cur)}</td>
        ${mayEdit ? html`<td class="li-tools"></td>` : null}
      </tr></tfoot>`}
    </table>`}
    ${mayEdit ? reorder.live : null}
    ${mayEdit ? html`<${ProductSearch} currency=${cur}
      onPick=${(p) => { const n = addProduct(p); setTimeout(() => document.querySelector(`[data-testid="li-line-${n}"]`)?.scrollIntoView({ block: 'nearest' })); }}
      onFree=${addFree} />` : null}
    ${mayEdit && !server.length && rec.amount ? html`<p class="muted small" data-testid="li-manual-amount">${t('items.manual_amount', { amount: formatMoney(rec.amount, cur) })}</p>`
      : mayEdit && lines.length ? html`<p class="muted small li-follows">${t('items.follows')}</p>` : null}
    ${mayEdit ? html`<p class="muted small li-hint">${t('items.hint')}</p>` : null}
    ${dirty ? html`<div class="save-bar dirty li-save" data-testid="li-save-bar">
      <span class="save-state" role="status">${t('items.unsaved')}</span>
      <button type="button" class="btn" disabled=${busy} onClick=${discard} data-testid="li-discard">${t('items.discard')}</button>
      <button type="button" class="btn primary" disabled=${busy} onClick=${save} data-testid="li-save">${busy ? t('items.saving') : t('items.save')}</button>
    </div>` : null}
  </section>`;
}

// Search the catalogue as you type. Enter adds the highlighted product (or, with no match, the
// text as a free line); arrows move the highlight; Escape closes the list, then clears the text.
function ProductSearch({ currency, onPick, onFree }) {
  const [text, setText] = useState('');
  const [found, setFound] = useState({ q: null, items: [] });
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [failed, setFailed] = useState(false);
  const seqRef = useRef(0);
  const box = useRef(null);
  const input = useRef(null);

  async function search(q) {
    const n = ++seqRef.current;
    try {
      const r = await api.get('/api/products', { q: q || undefined, active: 'true', limit: 8 });
      if (n === seqRef.current) { setFound({ q, items: r.items || [] }); setActive(0); setFailed(false); }
      return r.items || [];
    } catch {
      if (n === seqRef.current) { setFound({ q, items: [] }); setFailed(true); }
      return [];
    }
  }
  useEffect(() => {
    if (!open) return undefined;
    const timer = setTimeout(() => search(text.trim()), 150);
    return () => clearTimeout(timer);
  }, [text, open]);
  useEffect(() => {
    if (!open) return undefined;
    const down = (e) => { if (box.current && !box.current.contains(e.target)) setOpen(false); };
    document.addEventListener('mousedown', down);
    return () => document.removeEventListener('mousedown', down);
  }, [open]);

  const q = text.trim();
  const current = found.q === q;
  const options = (current ? found.items : []).map((p) => ({ product: p }));
  if (q) options.push({ free: q });

  function pick(o) {
    if (!o) return;
    if (o.product) onPick(o.product); else onFree(o.free);
    setText('');
    setOpen(false);
    setFound({ q: null, items: [] });
    if (o.product) input.current && input.current.focus();
  }
  async function key(e) {
    if (e.key === 'ArrowDown') { e.preventDefault(); if (!open) setOpen(true); else setActive((a) => Math.min(a + 1, options.length - 1)); return; }
    if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => Math.max(a - 1, 0)); return; }
    if (e.key === 'Escape') {
      if (open) { e.preventDefault(); e.stopPropagation(); setOpen(false); } else if (text) { e.preventDefault(); setText(''); }
      return;
    }
    if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey && !e.isComposing) {
      e.preventDefault();
      e.stopPropagation();
      if (!q) return;
      // typed faster than the search answered: ask now, then take the best match
      if (!current) {
        const items = await search(q);
        pick(items.length ? { product: items[0] } : { free: q });
        return;
      }
      pick(options[Math.min(active, options.length - 1)]);
    }
  }
  const listId = 'li-search-list';
  const option = (o, i) => html`<li key=${o.product ? 'p' + o.product.id : 'free'} id=${listId + '-' + i} role="option"
      aria-selected=${i === active ? 'true' : 'false'} class=${(i === active ? 'active' : '') + (o.free ? ' li-free' : '')}
      data-testid=${o.product ? 'li-suggest-' + o.product.code : 'li-suggest-free'}
      onMouseDown=${(e) => { e.preventDefault(); pick(o); }} onMouseEnter=${() => setActive(i)}>
    ${o.product ? html`<span class="li-opt">
        <span class="li-opt-main"><span class="mono muted">${o.product.code}</span> <span class="strong">${o.product.name}</span></span>
        <span class="li-opt-price">${formatMoney(o.product.price, o.product.currency)}
          <span class="muted small"> ${t('items.per_unit', { unit: o.product.unit })}</span>
          ${o.product.currency !== currency ? html` <span class="tag warn-tag">${t('items.other_currency', { currency: o.product.currency })}</span>` : null}</span>
      </span>`
      : html`<span class="li-opt"><span class="li-opt-main">+ ${t('items.free_line', { name: o.free })}</span>
        <span class="muted small">${t('items.free_line_hint')}</span></span>`}
  </li>`;
  const shown = open && (options.length > 0 || (current && !q));
  return html`<div class="li-search picker" ref=${box}>
    <label class="sr-only" for="li-search">${t('items.search_label')}</label>
    <svg class="li-search-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><circle cx="7" cy="7" r="4.5" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M10.5 10.5l3 3" stroke="currentColor" stroke-width="1.5" stroke-linecap="round"/></svg>
    <input id="li-search" ref=${input} class="input" value=${text} placeholder=${t('items.search')} autocomplete="off" spellcheck="false"
      role="combobox" aria-expanded=${shown ? 'true' : 'false'} aria-controls=${listId} aria-autocomplete="list"
      aria-activedescendant=${shown && options[active] ? listId + '-' + active : undefined} data-testid="li-search"
      onFocus=${() => setOpen(true)} onInput=${(e) => { setText(e.currentTarget.value); setOpen(true); }} onKeyDown=${key} />
    ${shown ? html`<ul class="picker-list li-suggest" id=${listId} role="listbox" aria-label=${t('items.suggestions')} data-testid="li-suggest">
      ${options.filter((o) => o.product).map((o, i) => option(o, i))}
      ${current && q && !found.items.length ? html`<li class="li-none muted small" role="presentation" data-testid="li-no-match">${t('items.no_match', { q })}</li>` : null}
      ${q ? option(options[options.length - 1], options.length - 1) : null}
      ${current && !q && !found.items.length ? html`<li class="li-none muted small" role="presentation">${t('items.catalogue_empty')}</li>` : null}
    </ul>` : null}
    ${failed ? html`<div class="field-error" role="alert">${t('items.err_load')}</div>` : null}
  </div>`;
}

// A change of the lines in the deal's history: how many there were → what they are now.
export function itemsChange(ev, rec) {
  const cur = (rec && rec.currency) || defaultCurrency();
  const now = Array.isArray(ev.new) ? ev.new : [];
  const was = Number(ev.old) || 0;
  return html`<span><span class="tl-field">${t('items.title')}:</span> <span class="old">${t('items.lines', { count: was })}</span>${' '}<span class="arrow">→</span> <strong>${now.length ? now.map((x) => `${x.name} × ${formatQty(x.qty)}` +
      (x.amount !== undefined ? ` (${formatMoney(x.amount, cur)})` : '')).join(', ') : t('items.lines', { count: 0 })}</strong></span>`;
}

// Settings → Lists: the value lists a business owner keeps himself (districts, city
// blacklists, categories) that select fields take their values from. Create a list, edit its
// name and items (value + label; add, paste many, remove, reorder by drag or keyboard), delete
// it. Saved with PUT /api/lists/KEY, which replaces the items.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { api, ApiError } from './api.js';
import { useApp } from './context.js';
import { queryParams, setQuery, confirmLeave } from './router.js';
import { Dialog, Spinner, FormError } from './ui.js';
import { SettingsFrame, sectionById } from './settings_nav.js';
import { listChanged } from './listcache.js';
import { slugKey, freeKey, moveById, useReorder, DragHandle, UpDown, RemoveButton, ConfirmDialog, SaveBar,
  useLeaveGuard, configErrorText } from './settings_kit.js';

export function ListsSettings() {
  const app = useApp();
  const [lists, setLists] = useState(null);
  const [error, setError] = useState(null);
  const [current, setCurrent] = useState(() => queryParams().list || null);
  const [creating, setCreating] = useState(false);

  async function load(select) {
    setError(null);
    try {
      const r = await api.get('/api/lists');
      const items = r.items || [];
      setLists(items);
      const want = select !== undefined ? select : current;
      setCurrent(items.some((l) => l.key === want) ? want : items[0] ? items[0].key : null);
    } catch (e) { setError(e); }
  }
  useEffect(() => { load(); }, []);
  useEffect(() => { if (current) setQuery({ list: current }); }, [current]);

  const list = lists && lists.find((l) => l.key === current);
  return html`<${SettingsFrame} user=${app.user} section=${sectionById('lists')} subtitle=${t('config.lists_sub')}
      actions=${html`<button type="button" class="btn primary" onClick=${() => setCreating(true)} data-testid="list-new">
        <span aria-hidden="true">+</span> ${t('config.list_new')}</button>`}>
    <${FormError} error=${error} testid="lists-error" />
    ${!lists ? html`<div class="empty"><${Spinner} /></div>` : !lists.length
      ? html`<div class="card empty" data-testid="lists-empty">${t('config.no_lists')}</div>`
      : html`<div class="split">
        <nav class="split-nav card" aria-label=${t('config.tab_lists')} data-testid="lists-nav">
          ${lists.map((l) => html`<button key=${l.key} type="button" class=${'split-item' + (l.key === current ? ' active' : '')}
              aria-current=${l.key === current ? 'true' : undefined} onClick=${() => { if (l.key !== current && confirmLeave()) setCurrent(l.key); }} data-testid=${'list-' + l.key}>
            <span class="strong">${l.name}</span>
            <span class="muted small">${t('config.items_count', { count: l.items.length })}</span>
          </button>`)}
        </nav>
        ${list ? html`<${ListEditor} key=${list.key} list=${list} onSaved=${(l) => { app.notify('config.list_saved', { name: l.name }); load(l.key); }}
          onDeleted=${(l) => { app.notify('config.list_deleted', { name: l.name }); load(null); }} />` : null}
      </div>`}
    ${creating ? html`<${NewListDialog} taken=${(lists || []).map((l) => l.key)} onClose=${() => setCreating(false)}
      onCreated=${(l) => { setCreating(false); app.notify('config.list_created', { name: l.name }); load(l.key); }} />` : null}
  <//>`;
}

let seq = 0;
const rowsOf = (list) => list.items.map((x) => ({ id: ++seq, value: x.value, label: x.label }));
const docOf = (name, rows) => JSON.stringify({ name: name.trim(), items: rows.map((r) => ({ value: r.value.trim(), label: r.label.trim() || r.value.trim() })) });

function ListEditor({ list, onSaved, onDeleted }) {
  const [name, setName] = useState(list.name);
  const [rows, setRows] = useState(() => rowsOf(list));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [bulk, setBulk] = useState(null);          // text of "add several", or null when closed
  const [deleting, setDeleting] = useState(false);
  const dirty = docOf(name, rows) !== docOf(list.name, rowsOf(list));
  useLeaveGuard(dirty);
  const rowBy = (id) => rows.find((r) => r.id === id) || {};
  const reorder = useReorder({ ids: rows.map((r) => r.id), name: (id) => rowBy(id).label || rowBy(id).value,
    testid: (id) => 'item-handle-' + rows.findIndex((r) => r.id === id),
    onMove: (id, target) => setRows((r) => moveById(r, (x) => x.id, id, target)) });
  const set = (i, patch) => setRows((r) => r.map((x, k) => (k === i ? { ...x, ...patch } : x)));
  const values = rows.map((r) => r.value.trim());
  const dup = (i) => values[i] && values.indexOf(values[i]) !== i;

  function add() {
    setRows((r) => r.concat({ id: ++seq, value: '', label: '' }));
    setTimeout(() => { const el = document.querySelector(`[data-testid="item-label-${rows.length}"]`); if (el) el.focus(); });
  }
  function addBulk() {
    const lines = (bulk || '').split('\n').map((s) => s.trim()).filter(Boolean);
    const have = new Set(values);
    const fresh = [];
    for (const line of lines) {
      // "value; label" or just the text (value and label the same)
      const [v, l] = line.includes(';') ? line.split(';').map((s) => s.trim()) : [line, line];
      if (!v || have.has(v)) continue;
      have.add(v);
      fresh.push({ id: ++seq, value: v, label: l || v });
    }
    setRows((r) => r.concat(fresh));
    setBulk(null);
  }
  async function save() {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const body = JSON.parse(docOf(name, rows.filter((r) => r.value.trim() || r.label.trim())
        .map((r) => (r.value.trim() ? r : { ...r, value: r.label.trim() }))));
      const r = await api.put('/api/lists/' + encodeURIComponent(list.key), body);
      listChanged(list.key);
      onSaved(r);
    } catch (e) { setError(e); }
    setBusy(false);
  }
  const errField = error instanceof ApiError ? error.field || '' : '';
  return html`<section class="card form-card list-editor" data-testid="list-editor" aria-labelledby="list-title">
    <div class="row-between">
      <h2 class="card-title" id="list-title">${list.name} <span class="mono muted small">${list.key}</span></h2>
      <button type="button" class="btn small danger-ghost" onClick=${() => setDeleting(true)} data-testid="list-delete">${t('config.list_delete')}</button>
    </div>
    ${error ? html`<div class="form-error" role="alert" data-testid="list-error">${configErrorText(error)}</div>` : null}
    <div class="field">
      <label for="list-name">${t('config.list_name')}</label>
      <input id="list-name" class="input" value=${name} onInput=${(e) => setName(e.currentTarget.value)} data-testid="list-name"
        aria-invalid=${errField === 'name' ? 'true' : undefined} />
    </div>
    <div class="items-head" aria-hidden="true">
      <span></span><span>${t('config.item_label_col')}</span><span>${t('config.item_value_col')}</span><span></span>
    </div>
    <ol class="item-table" data-testid="list-items">
      ${rows.map((r, i) => html`<li key=${r.id} ...${reorder.row(r.id)} class=${'item-line ' + reorder.row(r.id).class} data-testid=${'item-' + i}>
        <${DragHandle} label=${t('config.drag_item', { name: r.label || r.value })} testid=${'item-handle-' + i} ...${reorder.handle(r.id)} />
        <input class="input" value=${r.label} aria-label=${t('config.item_label_n', { n: i + 1 })} data-testid=${'item-label-' + i}
          placeholder=${t('config.item_label_col')}
          onInput=${(e) => { const v = e.currentTarget.value; set(i, r.value === '' || r.auto ? { label: v, value: v.trim(), auto: true } : { label: v }); }} />
        <input class="input mono" value=${r.value} aria-label=${t('config.item_value_n', { n: i + 1 })} data-testid=${'item-value-' + i}
          placeholder=${t('config.item_value_col')}
          aria-invalid=${dup(i) ? 'true' : undefined} spellcheck="false"
          onInput=${(e) => set(i, { value: e.currentTarget.value, auto: false })} />
        <span class="item-tools">
          <${UpDown} index=${i} count=${rows.length} onStep=${(delta) => reorder.move(r.id, { delta })} label=${r.label || r.value} testid=${'item-' + i} />
          <${RemoveButton} label=${t('config.remove_item', { name: r.label || r.value })} testid=${'item-remove-' + i}
            onClick=${() => setRows((x) => x.filter((y, k) => k !== i))} />
        </span>
        ${dup(i) ? html`<div class="field-error item-error" role="alert">${t('config.item_duplicate')}</div>` : null}
      </li>`)}
    </ol>
    ${reorder.live}
    ${!rows.length ? html`<p class="muted">${t('config.no_items')}</p>` : null}
    <div class="list-actions">
      <button type="button" class="btn small" onClick=${add} data-testid="item-add"><span aria-hidden="true">+</span> ${t('config.add_item')}</button>
      <button type="button" class="btn small ghost" onClick=${() => setBulk(bulk === null ? '' : null)} aria-expanded=${bulk !== null ? 'true' : 'false'}
        data-testid="item-bulk">${t('config.add_several')}</button>
    </div>
    ${bulk !== null ? html`<div class="field bulk">
      <label for="bulk-items">${t('config.bulk_label')}</label>
      <textarea id="bulk-items" class="input textarea" rows="5" value=${bulk} onInput=${(e) => setBulk(e.currentTarget.value)}
        data-testid="bulk-text"></textarea>
      <div class="field-hint">${t('config.bulk_hint')}</div>
      <div class="form-actions"><button type="button" class="btn small primary" onClick=${addBulk} data-testid="bulk-add">${t('config.bulk_add')}</button></div>
    </div>` : null}
    <${SaveBar} dirty=${dirty} busy=${busy} onSave=${save} onDiscard=${() => { setName(list.name); setRows(rowsOf(list)); setError(null); }} testid="list-save" />
    ${deleting ? html`<${ConfirmDialog} title=${t('config.list_delete_title', { name: list.name })}
      text=${t('config.list_delete_text', { name: list.name })} confirmLabel=${t('config.list_delete')}
      onClose=${() => setDeleting(false)} testid="list-delete-dialog"
      onConfirm=${async () => { await api.del('/api/lists/' + encodeURIComponent(list.key)); listChanged(list.key); setDeleting(false); onDeleted(list); }} />` : null}
  </section>`;
}

function NewListDialog({ taken, onClose, onCreated }) {
  const [name, setName] = useState('');
  const [key, setKey] = useState('');
  const [keyEdited, setKeyEdited] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const effectiveKey = keyEdited ? key : freeKey(slugKey(name) || '', taken, 'list');
  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    if (taken.includes(effectiveKey)) { setError({ local: t('config.err_key_taken') }); return; }
    setBusy(true);
    setError(null);
    try {
      onCreated(await api.put('/api/lists/' + encodeURIComponent(effectiveKey), { name: name.trim(), items: [] }));
      listChanged(effectiveKey);
    } catch (err) { setError(err); setBusy(false); }
  }
  const text = error ? (error.local || configErrorText(error)) : null;
  return html`<${Dialog} title=${t('config.list_new')} onClose=${onClose} testid="list-new-dialog">
    <form onSubmit=${submit} novalidate>
      ${text ? html`<div class="form-error" role="alert" data-testid="list-new-error">${text}</div>` : null}
      <div class="field">
        <label for="nl-name">${t('config.list_name')}</label>
        <input id="nl-name" class="input" value=${name} onInput=${(e) => setName(e.currentTarget.value)} autofocus data-testid="nl-name" autocomplete="off" />
      </div>
      <div class="field">
        <label for="nl-key">${t('config.key')}</label>
        <input id="nl-key" class="input mono" value=${effectiveKey} spellcheck="false" autocapitalize="none" autocomplete="off" data-testid="nl-key"
          onInput=${(e) => { setKeyEdited(true); setKey(e.currentTarget.value.trim()); }} />
        <div class="field-hint">${t('config.list_key_hint')}</div>
      </div>
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn primary" disabled=${busy} data-testid="nl-submit">${t('config.create')}</button>
      </div>
    </form>
  <//>`;
}

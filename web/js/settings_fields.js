// Settings → Fields: the custom fields of deals, companies and contacts. Create one (label,
// key, one of the 13 types, options or a value list for selects, required), edit its label,
// options, list and whether it is required, put the fields in order (the order of the card),
// delete one after a warning that its values are lost. Cards pick the changes up at once.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { api, ApiError } from './api.js';
import { useApp } from './context.js';
import { queryParams, setQuery } from './router.js';
import { Dialog, Spinner, FormError } from './ui.js';
import { setCustomFields } from './crm.js';
import { SettingsFrame, sectionById } from './settings_nav.js';
import { slugKey, freeKey, moveById, useReorder, DragHandle, UpDown, ConfirmDialog, configErrorText, useLeaveGuard,
  guardedClose } from './settings_kit.js';

export const FIELD_TYPES = ['text', 'longtext', 'number', 'money', 'date', 'datetime', 'select', 'multiselect', 'bool',
  'phone', 'email', 'address', 'user'];
const ENTITY_TABS = ['deal', 'company', 'contact'];
const isSelect = (type) => type === 'select' || type === 'multiselect';

// Definitions changed here reach record cards without a reload.
export async function refreshCustomFields() {
  try { setCustomFields((await api.get('/api/fields')).items || []); } catch { /* keep what the app has */ }
}

export function FieldsSettings() {
  const app = useApp();
  const [entity, setEntity] = useState(() => (ENTITY_TABS.includes(queryParams().entity) ? queryParams().entity : 'deal'));
  const [items, setItems] = useState(null);
  const [lists, setLists] = useState([]);
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(null);      // a field, or {} for a new one
  const [deleting, setDeleting] = useState(null);
  const [busy, setBusy] = useState(false);

  async function load() {
    setError(null);
    try {
      const [f, l] = await Promise.all([api.get('/api/fields', { entity }), api.get('/api/lists')]);
      setItems(f.items || []);
      setLists(l.items || []);
    } catch (e) { setError(e); }
  }
  useEffect(() => { setItems(null); setQuery({ entity: entity === 'deal' ? undefined : entity }); load(); }, [entity]);

  // the order is each field's sort; a move rewrites the sorts that changed
  async function move(id, target) {
    if (busy || !items) return;
    const next = moveById(items, (f) => f.id, id, target);
    setItems(next);
    setBusy(true);
    try {
      await Promise.all(next.map((f, i) => (f.sort !== i * 10 ? api.patch('/api/fields/' + f.id, { sort: i * 10 }) : null)));
      await load();
      refreshCustomFields();
    } catch (e) { setError(e); await load(); }
    setBusy(false);
  }
  const fieldBy = (id) => (items || []).find((f) => f.id === id) || {};
  const reorder = useReorder({ ids: (items || []).map((f) => f.id), name: (id) => fieldBy(id).label,
    testid: (id) => 'field-handle-' + fieldBy(id).key, onMove: move });

  const section = sectionById('fields');
  const entityName = (e) => t(e === 'deal' ? 'crm.deals' : e === 'company' ? 'crm.companies' : 'crm.contacts');
  return html`<${SettingsFrame} user=${app.user} section=${section} subtitle=${t('config.fields_sub')}
      actions=${html`<button type="button" class="btn primary" onClick=${() => setEditing({})} data-testid="field-new">
        <span aria-hidden="true">+</span> ${t('config.field_new')}</button>`}>
    <div class="segmented entity-tabs" role="group" aria-label=${t('config.fields_of')}>
      ${ENTITY_TABS.map((e) => html`<button key=${e} type="button" class=${'seg' + (e === entity ? ' active' : '')}
          aria-pressed=${e === entity ? 'true' : 'false'} onClick=${() => setEntity(e)} data-testid=${'fields-entity-' + e}>${entityName(e)}</button>`)}
    </div>
    <${FormError} error=${error} testid="fields-error" />
    ${!items ? html`<div class="empty"><${Spinner} /></div>` : !items.length
      ? html`<div class="card empty" data-testid="fields-empty">${t('config.no_fields', { entity: entityName(entity).toLowerCase() })}</div>`
      : html`<div class="table-wrap"><table class="table cfg-table" data-testid="fields-table">
        <thead><tr>
          <th class="col-order"><span class="sr-only">${t('config.order')}</span></th>
          <th>${t('config.field_label')}</th>
          <th class="col-key">${t('config.key')}</th>
          <th>${t('config.field_type')}</th>
          <th class="col-opts">${t('config.field_values')}</th>
          <th class="col-actions"><span class="sr-only">${t('common.actions')}</span></th>
        </tr></thead>
        <tbody>
          ${items.map((f, i) => html`<tr key=${f.id} ...${reorder.row(f.id)} data-testid=${'field-row-' + f.key}>
            <td class="col-order"><span class="order-cell">
              <${DragHandle} label=${t('config.drag_field', { name: f.label })} testid=${'field-handle-' + f.key} ...${reorder.handle(f.id)} />
              <${UpDown} index=${i} count=${items.length} onStep=${(delta) => reorder.move(f.id, { delta })} label=${f.label} testid=${'field-' + f.key} />
            </span></td>
            <td><span class="strong">${f.label}</span>${f.required ? html` <span class="tag" data-testid="field-required">${t('config.required')}</span>` : null}
              <div class="muted small cfg-under">${t(`config.type_${f.type}`)} · <span class="mono">${f.key}</span></div></td>
            <td class="col-key mono">${f.key}</td>
            <td class="col-type">${t(`config.type_${f.type}`)}</td>
            <td class="col-opts muted small">${f.list ? t('config.from_list', { name: (lists.find((l) => l.key === f.list) || { name: f.list }).name })
              : isSelect(f.type) ? f.options.join(', ') : ''}</td>
            <td class="col-actions">
              <button type="button" class="btn small ghost" onClick=${() => setEditing(f)} data-testid=${'field-edit-' + f.key}
                aria-label=${t('config.edit_named', { name: f.label })}>${t('common.edit')}</button>
              <button type="button" class="btn small danger-ghost" onClick=${() => setDeleting(f)} data-testid=${'field-delete-' + f.key}
                aria-label=${t('config.delete_named', { name: f.label })}>${t('config.delete')}</button>
            </td>
          </tr>`)}
        </tbody>
      </table></div>`}
    ${reorder.live}
    ${editing ? html`<${FieldDialog} field=${editing.id ? editing : null} entity=${entity} lists=${lists}
      taken=${(items || []).map((f) => f.key)} count=${(items || []).length} onClose=${() => setEditing(null)}
      onSaved=${async (f, created) => { setEditing(null); app.notify(created ? 'config.field_created' : 'config.field_saved', { name: f.label }); await load(); refreshCustomFields(); }} />` : null}
    ${deleting ? html`<${ConfirmDialog} title=${t('config.field_delete_title', { name: deleting.label })}
      text=${t('config.field_delete_text', { name: deleting.label, entity: entityName(entity).toLowerCase() })}
      confirmLabel=${t('config.field_delete_ok')} onClose=${() => setDeleting(null)} testid="field-delete-dialog"
      onConfirm=${async () => { await api.del('/api/fields/' + deleting.id); setDeleting(null); app.notify('config.field_deleted', { name: deleting.label }); await load(); refreshCustomFields(); }} />` : null}
  <//>`;
}

function FieldDialog({ field, entity, lists, taken, count, onClose, onSaved }) {
  const creating = !field;
  const [label, setLabel] = useState(field ? field.label : '');
  const [key, setKey] = useState('');
  const [keyEdited, setKeyEdited] = useState(false);
  const [type, setType] = useState(field ? field.type : 'text');
  const [source, setSource] = useState(field && field.list ? 'list' : 'options');
  const [options, setOptions] = useState(field ? field.options.join('\n') : '');
  const [list, setList] = useState(field && field.list ? field.list : (lists[0] ? lists[0].key : ''));
  const [required, setRequired] = useState(field ? field.required : false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const effectiveKey = creating ? (keyEdited ? key : freeKey(slugKey(label).slice(0, 40) || '', taken, 'field')) : field.key;
  const optionList = options.split('\n').map((s) => s.trim()).filter(Boolean);
  const dirty = label !== (field ? field.label : '') || (creating && (keyEdited || type !== 'text')) || required !== (field ? field.required : false) ||
    options !== (field ? field.options.join('\n') : '') || source !== (field && field.list ? 'list' : 'options') ||
    (source === 'list' && field && list !== field.list);
  useLeaveGuard(dirty && !busy);
  const close = guardedClose(dirty, onClose);

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    const body = { label: label.trim(), required };
    if (isSelect(type)) {
      if (source === 'list') { body.list = list; if (!creating) body.options = []; }
      else { body.options = Array.from(new Set(optionList)); if (!creating && field.list) body.list = null; }
    }
    if (creating) Object.assign(body, { entity, key: effectiveKey, type, sort: count * 10 });
    setBusy(true);
    setError(null);
    try {
      const r = creating ? await api.post('/api/fields', body) : await api.patch('/api/fields/' + field.id, body);
      onSaved(r, creating);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  const errField = error instanceof ApiError ? error.field : null;
  const errAt = (f) => (errField === f ? html`<div class="field-error" role="alert" data-testid=${'error-fd-' + f}>${configErrorText(error)}</div>` : null);
  return html`<${Dialog} title=${creating ? t('config.field_new') : t('config.field_edit', { name: field.label })} onClose=${close} testid="field-dialog">
    <form onSubmit=${submit} novalidate data-testid="field-form">
      ${error && !['label', 'key', 'type', 'options', 'list'].includes(errField) ? html`<div class="form-error" role="alert" data-testid="field-form-error">${configErrorText(error)}</div>` : null}
      <div class="field">
        <label for="fd-label">${t('config.field_label')}</label>
        <input id="fd-label" class="input" value=${label} autocomplete="off" data-testid="fd-label" aria-invalid=${errField === 'label' ? 'true' : undefined}
          onInput=${(e) => setLabel(e.currentTarget.value)} autofocus />
        ${errAt('label')}
      </div>
      <div class="grid-2">
        <div class="field">
          <label for="fd-type">${t('config.field_type')}</label>
          <select id="fd-type" class="input select" value=${type} disabled=${!creating} data-testid="fd-type"
            onChange=${(e) => setType(e.currentTarget.value)}>
            ${FIELD_TYPES.map((x) => html`<option key=${x} value=${x}>${t(`config.type_${x}`)}</option>`)}
          </select>
          <div class="field-hint">${creating ? t(`config.type_hint_${type}`) : t('config.type_fixed')}</div>
          ${errAt('type')}
        </div>
        <div class="field">
          <label for="fd-key">${t('config.key')}</label>
          <input id="fd-key" class="input mono" value=${effectiveKey} disabled=${!creating} spellcheck="false" autocapitalize="none"
            autocomplete="off" data-testid="fd-key" aria-invalid=${errField === 'key' ? 'true' : undefined}
            onInput=${(e) => { setKeyEdited(true); setKey(e.currentTarget.value.trim()); }} />
          <div class="field-hint">${creating ? t('config.field_key_hint') : t('config.key_fixed')}</div>
          ${errAt('key')}
        </div>
      </div>
      ${isSelect(type) ? html`<fieldset class="cfg-fieldset">
        <legend>${t('config.field_values')}</legend>
        <label class="check-row"><input type="radio" name="fd-source" checked=${source === 'options'} onChange=${() => setSource('options')}
          data-testid="fd-source-options" /> ${t('config.source_options')}</label>
        <label class="check-row"><input type="radio" name="fd-source" checked=${source === 'list'} onChange=${() => setSource('list')}
          disabled=${!lists.length} data-testid="fd-source-list" /> ${t('config.source_list')}${lists.length ? '' : ' — ' + t('config.no_lists_yet')}</label>
        ${source === 'options' ? html`<div class="field">
            <label for="fd-options">${t('config.options_label')}</label>
            <textarea id="fd-options" class="input textarea" rows="5" value=${options} data-testid="fd-options"
              aria-invalid=${errField === 'options' ? 'true' : undefined} onInput=${(e) => setOptions(e.currentTarget.value)}></textarea>
            <div class="field-hint">${t('config.options_hint', { count: optionList.length })}</div>
            ${errAt('options')}
          </div>`
          : html`<div class="field">
            <label for="fd-list">${t('config.list_label')}</label>
            <select id="fd-list" class="input select" value=${list} onChange=${(e) => setList(e.currentTarget.value)} data-testid="fd-list">
              ${lists.map((l) => html`<option key=${l.key} value=${l.key}>${l.name} (${l.items.length})</option>`)}
            </select>
            ${errAt('list')}
          </div>`}
        ${!creating ? html`<p class="field-hint">${t('config.options_change_note')}</p>` : null}
      </fieldset>` : null}
      <label class="check-row"><input type="checkbox" checked=${required} onChange=${(e) => setRequired(e.currentTarget.checked)}
        data-testid="fd-required" /> ${t('config.field_required')}</label>
      <p class="field-hint">${t('config.field_required_hint')}</p>
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn primary" disabled=${busy} data-testid="fd-submit">${creating ? t('config.create') : t('common.save')}</button>
      </div>
    </form>
  <//>`;
}

// Record fields edited in place: click the value (or focus it and press Enter), change it,
// Enter or leaving the field saves, Escape cancels. Errors from the server appear under the
// field. Phones and e-mails are lists; messengers are name: handle pairs.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t, lang } from './i18n.js';
import { useListItems } from './listcache.js';
import { Link } from './router.js';
import { FIELDS, fieldLabel, formatValue, formatPhone, parseMoney, moneyInput, recordPath, fieldError, formatMoney,
  formatDate, formatDateTime } from './crm.js';
import { RecordPicker, PhoneLink } from './widgets.js';

// The value as shown on a card, with links where a value leads somewhere.
export function FieldValue({ field, rec }) {
  const f = FIELDS[field] || {};
  const v = rec[field];
  const empty = v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length) ||
    (f.type === 'messengers' && !Object.keys(v || {}).length);
  if (empty) return html`<span class="placeholder">${t('record.empty_value')}</span>`;
  switch (f.type) {
    case 'phones': return html`<span class="value-list">${v.map((p) => html`<${PhoneLink} key=${p} phone=${p} />`)}</span>`;
    case 'emails': return html`<span class="value-list">${v.map((m) => html`<a key=${m} href=${'mailto:' + m} onClick=${(e) => e.stopPropagation()}>${m}</a>`)}</span>`;
    case 'ref': return html`<${Link} href=${recordPath(f.ref, v)} onClick=${(e) => e.stopPropagation()} data-testid=${'link-' + field}>${rec[f.label] || '#' + v}<//>`;
    case 'user': return html`<span>${rec[f.label] || '#' + v}</span>`;
    case 'longtext': return html`<span class="pre">${v}</span>`;
    default:
      if (field === 'website' || field === 'domain') {
        const url = /^https?:\/\//i.test(v) ? v : 'https://' + v;
        return html`<a href=${url} target="_blank" rel="noopener noreferrer" onClick=${(e) => e.stopPropagation()}>${v}</a>`;
      }
      return html`<span>${formatValue(field, v, rec)}</span>`;
  }
}

// One field of a record card. onSave(patch) → true when saved (the parent PATCHes with the
// record's version and reports errors through `error`).
export function EditableField({ field, rec, error, onSave, users, readOnly, startEditing, wide, hint }) {
  const f = FIELDS[field] || {};
  const [editing, setEditing] = useState(!!startEditing);
  const [busy, setBusy] = useState(false);
  const [local, setLocal] = useState(null);
  const id = 'f-' + field;
  const canEdit = !readOnly && !f.readonly && (f.type !== 'user' || users);
  useEffect(() => { if (startEditing) setEditing(true); }, [startEditing]);
  useEffect(() => { if (error) setEditing(true); }, [error]);

  const busyRef = useRef(false);
  async function save(patch) {
    if (busyRef.current) return;
    busyRef.current = true;
    setLocal(null);
    setBusy(true);
    const ok = await onSave(patch, field);
    busyRef.current = false;
    setBusy(false);
    if (ok) setEditing(false);
  }
  function cancel() {
    setLocal(null);
    setEditing(false);
    setTimeout(() => document.getElementById(id + '-view')?.focus());
  }
  if (!(field in rec)) return null;               // hidden from this role (or not this entity's)
  const err = local || error;
  const errText = err ? fieldError(err) : null;
  const props = { field, rec, id, busy, save, cancel, invalid: !!err, users, setLocal };
  return html`<div class=${'rfield' + (wide || f.type === 'longtext' ? ' wide' : '') + (err ? ' has-error' : '')} data-testid=${'field-' + field} id=${'field-' + field}>
    <div class="rfield-label" id=${id + '-label'}>${fieldLabel(field)}</div>
    ${editing && canEdit
      ? html`<div class="rfield-edit">${editorFor(f.type, props)}</div>`
      : html`<div class=${'rfield-value' + (canEdit ? ' editable' : '')} id=${id + '-view'}
          role=${canEdit ? 'button' : undefined} tabindex=${canEdit ? 0 : undefined}
          aria-labelledby=${id + '-label'} aria-describedby=${errText ? id + '-error' : undefined}
          title=${canEdit ? t('record.click_to_edit') : undefined} data-testid=${'value-' + field}
          onClick=${(e) => { if (canEdit && !e.target.closest('a')) setEditing(true); }}
          onKeyDown=${(e) => { if (canEdit && (e.key === 'Enter' || e.key === 'F2') && e.target === e.currentTarget) { e.preventDefault(); setEditing(true); } }}>
          <${FieldValue} field=${field} rec=${rec} />
          ${canEdit ? html`<svg class="pencil" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true"><path d="M11 2.5l2.5 2.5L5.5 13H3v-2.5z" fill="none" stroke="currentColor" stroke-width="1.3" stroke-linejoin="round"/></svg>` : null}
        </div>`}
    ${errText ? html`<div class="field-error" id=${id + '-error'} role="alert" data-testid=${'error-' + field}>${errText}</div>` : null}
    ${hint && !errText ? html`<div class="field-hint" data-testid=${'hint-' + field}>${hint}</div>` : null}
  </div>`;
}

function editorFor(type, p) {
  switch (type) {
    case 'longtext': return html`<${LongTextEditor} ...${p} />`;
    case 'date': return html`<${TextEditor} ...${p} inputType="date" />`;
    case 'money': return html`<${MoneyEditor} ...${p} />`;
    case 'user': return html`<${UserEditor} ...${p} />`;
    case 'ref': return html`<${RefEditor} ...${p} />`;
    case 'phones': case 'emails': return html`<${ListEditor} ...${p} kind=${type} />`;
    case 'messengers': return html`<${MessengersEditor} ...${p} />`;
    default: return html`<${TextEditor} ...${p} />`;
  }
}

function useAutofocus() {
  const ref = useRef(null);
  useEffect(() => { if (ref.current) { ref.current.focus(); if (ref.current.select && ref.current.type !== 'date') ref.current.select(); } }, []);
  return ref;
}

function TextEditor({ field, rec, id, busy, save, cancel, invalid, inputType = 'text' }) {
  const ref = useAutofocus();
  const initial = rec[field] ?? '';
  const done = useRef(false);
  const commit = (value) => {
    if (done.current) return;
    done.current = true;
    if (value.trim() === String(initial)) { cancel(); return; }
    save({ [field]: value.trim() === '' ? null : value.trim() }).then(() => { done.current = false; });
  };
  return html`<input id=${id} ref=${ref} class="input" type=${inputType} value=${initial} disabled=${busy}
    inputmode=${FIELDS[field] && FIELDS[field].inputmode} aria-labelledby=${id + '-label'}
    aria-invalid=${invalid ? 'true' : undefined} data-testid=${'input-' + field}
    onKeyDown=${(e) => {
      if (e.key === 'Enter') { e.preventDefault(); commit(e.currentTarget.value); }
      else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); done.current = true; cancel(); }
    }}
    onBlur=${(e) => { if (!invalid) commit(e.currentTarget.value); }} />`;
}

function LongTextEditor({ field, rec, id, busy, save, cancel, invalid }) {
  const ref = useAutofocus();
  const [v, setV] = useState(rec[field] ?? '');
  return html`<div>
    <textarea id=${id} ref=${ref} class="input textarea" rows="4" value=${v} disabled=${busy} aria-labelledby=${id + '-label'}
      aria-invalid=${invalid ? 'true' : undefined} data-testid=${'input-' + field}
      onInput=${(e) => setV(e.currentTarget.value)}
      onKeyDown=${(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); save({ [field]: v.trim() || null }); }
        else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); cancel(); }
      }}></textarea>
    <${EditActions} busy=${busy} onSave=${() => save({ [field]: v.trim() || null })} onCancel=${cancel} hint=${t('record.ctrl_enter')} />
  </div>`;
}

function MoneyEditor({ field, rec, id, busy, save, cancel, invalid, setLocal }) {
  const ref = useAutofocus();
  const initial = moneyInput(rec[field], rec.currency);
  const commit = (text) => {
    if (text.trim() === initial) { cancel(); return; }
    const v = parseMoney(text, rec.currency);
    if (Number.isNaN(v)) { setLocal({ key: 'crm.err_money' }); return; }
    save({ [field]: v });
  };
  return html`<input id=${id} ref=${ref} class="input" inputmode="decimal" value=${initial} disabled=${busy}
    aria-labelledby=${id + '-label'} aria-invalid=${invalid ? 'true' : undefined} data-testid=${'input-' + field}
    onKeyDown=${(e) => {
      if (e.key === 'Enter') { e.preventDefault(); commit(e.currentTarget.value); }
      else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); cancel(); }
    }} />`;
}

function UserEditor({ field, rec, id, busy, save, cancel, users }) {
  const ref = useAutofocus();
  const list = (users || []).filter((u) => u.active || u.id === rec[field]);
  return html`<div class="inline-edit">
    <select id=${id} ref=${ref} class="input select" value=${rec[field] ? String(rec[field]) : ''} disabled=${busy}
      aria-labelledby=${id + '-label'} data-testid=${'input-' + field}
      onChange=${(e) => { const v = e.currentTarget.value; save({ [field]: v ? Number(v) : null }); }}
      onKeyDown=${(e) => { if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); cancel(); } }}>
      <option value="">${t('crm.no_owner')}</option>
      ${list.map((u) => html`<option key=${u.id} value=${String(u.id)}>${u.name || u.login}</option>`)}
    </select>
    <button type="button" class="btn small ghost" onClick=${cancel}>${t('common.cancel')}</button>
  </div>`;
}

function RefEditor({ field, rec, id, busy, save, cancel, invalid }) {
  const f = FIELDS[field];
  const value = rec[field] ? { id: rec[field], name: rec[f.label] } : null;
  return html`<div class="inline-edit">
    <${RecordPicker} entity=${f.ref} id=${id} testid=${'input-' + field} value=${value} invalid=${invalid} autoFocus
      onChange=${(v) => { if ((v && v.id) !== (value && value.id)) save({ [field]: v ? v.id : null }); }}
      onKeyDown=${(e) => { if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); cancel(); } }} />
    <button type="button" class="btn small ghost" disabled=${busy} onClick=${cancel}>${t('common.cancel')}</button>
  </div>`;
}

// Phones or e-mails: one input per value, add and remove, save all at once.
export function ListInputs({ kind, values, onChange, idPrefix, invalid, onEnter, onEscape, autoFocus }) {
  const first = useRef(null);
  useEffect(() => { if (autoFocus && first.current) first.current.focus(); }, []);
  const rows = values.length ? values : [''];
  const setAt = (i, v) => onChange(rows.map((x, k) => (k === i ? v : x)));
  return html`<div class="list-inputs">
    ${rows.map((v, i) => html`<div class="list-row" key=${i}>
      <input class="input" ref=${i === 0 ? first : undefined} id=${i === 0 ? idPrefix : idPrefix + '-' + i} value=${v}
        type=${kind === 'emails' ? 'email' : 'tel'} inputmode=${kind === 'emails' ? 'email' : 'tel'}
        autocomplete="off" placeholder=${kind === 'emails' ? 'name@example.ru' : '+7 916 123-45-67'}
        aria-label=${fieldLabel(kind) + ' ' + (i + 1)} aria-invalid=${invalid ? 'true' : undefined}
        data-testid=${idPrefix + '-' + i}
        onInput=${(e) => setAt(i, e.currentTarget.value)}
        onKeyDown=${(e) => {
          if (e.key === 'Enter' && onEnter) { e.preventDefault(); onEnter(); }
          else if (e.key === 'Escape' && onEscape) { e.preventDefault(); e.stopPropagation(); onEscape(); }
        }} />
      ${rows.length > 1 || v ? html`<button type="button" class="icon-btn small" aria-label=${t('record.remove_value')} title=${t('record.remove_value')}
        onClick=${() => onChange(rows.filter((_, k) => k !== i))} data-testid=${idPrefix + '-remove-' + i}>
        <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true"><path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>
      </button>` : null}
    </div>`)}
    ${rows.length < 10 ? html`<button type="button" class="btn small ghost add-value" onClick=${() => onChange(rows.concat(''))}
      data-testid=${idPrefix + '-add'}>+ ${kind === 'emails' ? t('record.add_email') : t('record.add_phone')}</button>` : null}
  </div>`;
}

function ListEditor({ field, rec, id, busy, save, cancel, invalid, kind }) {
  const [values, setValues] = useState((rec[field] || []).map((v) => (kind === 'phones' ? formatPhone(v) : v)));
  const commit = () => save({ [field]: values.map((v) => v.trim()).filter(Boolean) });
  return html`<div>
    <${ListInputs} kind=${kind} values=${values} onChange=${setValues} idPrefix=${id} invalid=${invalid}
      onEnter=${commit} onEscape=${cancel} autoFocus />
    <${EditActions} busy=${busy} onSave=${commit} onCancel=${cancel} />
  </div>`;
}

function MessengersEditor({ field, rec, id, busy, save, cancel }) {
  const [rows, setRows] = useState(() => {
    const e = Object.entries(rec[field] || {});
    return e.length ? e : [['telegram', '']];
  });
  const commit = () => save({ [field]: Object.fromEntries(rows.filter(([k, v]) => k.trim() && v.trim()).map(([k, v]) => [k.trim(), v.trim()])) });
  const setAt = (i, j, v) => setRows(rows.map((r, k) => (k === i ? (j === 0 ? [v, r[1]] : [r[0], v]) : r)));
  return html`<div>
    ${rows.map(([k, v], i) => html`<div class="list-row" key=${i}>
      <input class="input narrow-input" id=${i === 0 ? id : undefined} value=${k} list="messenger-kinds" aria-label=${t('record.messenger')}
        onInput=${(e) => setAt(i, 0, e.currentTarget.value)} />
      <input class="input" value=${v} aria-label=${t('record.handle')} placeholder="@handle"
        onInput=${(e) => setAt(i, 1, e.currentTarget.value)}
        onKeyDown=${(e) => { if (e.key === 'Enter') { e.preventDefault(); commit(); } else if (e.key === 'Escape') { e.preventDefault(); cancel(); } }} />
    </div>`)}
    <datalist id="messenger-kinds"><option value="telegram" /><option value="whatsapp" /><option value="viber" /><option value="vk" /><option value="instagram" /></datalist>
    <button type="button" class="btn small ghost add-value" onClick=${() => setRows(rows.concat([['', '']]))}>+ ${t('record.add_messenger')}</button>
    <${EditActions} busy=${busy} onSave=${commit} onCancel=${cancel} />
  </div>`;
}

function EditActions({ busy, onSave, onCancel, hint }) {
  return html`<div class="edit-actions">
    ${hint ? html`<span class="muted small">${hint}</span>` : null}
    <button type="button" class="btn small" onClick=${onCancel}>${t('common.cancel')}</button>
    <button type="button" class="btn small primary" disabled=${busy} onClick=${onSave} data-testid="field-save">${t('common.save')}</button>
  </div>`;
}

// ---- custom fields (GET /api/fields): values under rec.custom, saved as {custom: {KEY: value}} ----

// lists are read and kept fresh by listcache.js; re-exported for the screens that import them here
export { useListItems };

export function customOptions(def, listItems) {
  if (def.list) return (listItems || []).map((x) => ({ value: x.value, label: x.label || x.value }));
  return (def.options || []).map((o) => ({ value: o, label: o }));
}

export function formatCustom(def, v, users, listItems) {
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) return '';
  const label = (x) => { const o = customOptions(def, listItems).find((y) => y.value === x); return o ? o.label : x; };
  switch (def.type) {
    case 'money': return formatMoney(v);
    case 'number': return new Intl.NumberFormat(lang()).format(v);
    case 'date': return formatDate(v);
    case 'datetime': return formatDateTime(v);
    case 'bool': return v ? t('record.yes') : t('record.no');
    case 'phone': return formatPhone(v);
    case 'user': { const u = (users || []).find((x) => x.id === v); return u ? u.name || u.login : '#' + v; }
    case 'select': return label(v);
    case 'multiselect': return v.map(label).join(', ');
    default: return String(v);
  }
}

// ms ↔ the value of <input type="datetime-local"> (the browser's time zone)
const toLocalInput = (ms) => { if (!ms) return ''; const d = new Date(ms); d.setMinutes(d.getMinutes() - d.getTimezoneOffset()); return d.toISOString().slice(0, 16); };

// What an editor's text becomes as a custom field value: null when empty, {error: KEY} when
// it cannot be one (the card and the create form read input the same way).
export function parseCustom(def, raw) {
  if (def.type === 'number') {
    if (String(raw ?? '').trim() === '') return null;
    const v = Number(String(raw).replace(',', '.').replace(/\s/g, ''));
    return Number.isNaN(v) ? { error: 'crm.err_number' } : v;
  }
  if (def.type === 'money') { const v = parseMoney(raw); return Number.isNaN(v) ? { error: 'crm.err_money' } : v; }
  if (def.type === 'datetime') return raw ? new Date(raw).getTime() : null;
  if (def.type === 'user') return raw ? Number(raw) : null;
  if (def.type === 'multiselect') return raw && raw.length ? raw : null;
  if (typeof raw === 'string') return raw.trim() === '' ? null : raw.trim();
  return raw ?? null;
}

// A custom field's input in a form (the create forms): the same controls as the card's
// editor, but controlled — `value` is the draft text (a list for multi-selects, a boolean for
// bool), onChange gets the next draft; parseCustom turns it into the value to send.
export function CustomInput({ def, id, value, onChange, users, invalid, describedBy }) {
  const listItems = useListItems(def.list);
  const opts = customOptions(def, listItems);
  const common = { id, class: 'input', 'aria-invalid': invalid ? 'true' : undefined, 'aria-describedby': describedBy, 'data-testid': 'new-custom-' + def.key };
  switch (def.type) {
    case 'bool':
      return html`<label class="check-row"><input type="checkbox" id=${id} checked=${!!value} data-testid=${'new-custom-' + def.key}
        onChange=${(e) => onChange(e.currentTarget.checked)} /> ${value ? t('record.yes') : t('record.no')}</label>`;
    case 'longtext':
      return html`<textarea ...${common} class="input textarea" rows="3" value=${value ?? ''} onInput=${(e) => onChange(e.currentTarget.value)}></textarea>`;
    case 'select': case 'user':
      return html`<select ...${common} class="input select" value=${value ?? ''} onChange=${(e) => onChange(e.currentTarget.value)}>
        <option value="">—</option>
        ${def.type === 'user'
          ? (users || []).filter((u) => u.active).map((u) => html`<option key=${u.id} value=${String(u.id)}>${u.name || u.login}</option>`)
          : opts.map((o) => html`<option key=${o.value} value=${o.value}>${o.label}</option>`)}
      </select>`;
    case 'multiselect': {
      const list = Array.isArray(value) ? value : [];
      return html`<div class="check-group" id=${id} role="group" aria-describedby=${describedBy} data-testid=${'new-custom-' + def.key}>
        ${opts.map((o) => html`<label key=${o.value} class="check-row">
          <input type="checkbox" checked=${list.includes(o.value)}
            onChange=${(e) => onChange(e.currentTarget.checked ? list.concat(o.value) : list.filter((x) => x !== o.value))} /> ${o.label}</label>`)}
      </div>`;
    }
    default: {
      const type = def.type === 'date' ? 'date' : def.type === 'datetime' ? 'datetime-local' : def.type === 'email' ? 'email' : def.type === 'phone' ? 'tel' : 'text';
      const inputmode = def.type === 'number' || def.type === 'money' ? 'decimal' : undefined;
      return html`<input ...${common} type=${type} inputmode=${inputmode} value=${value ?? ''} onInput=${(e) => onChange(e.currentTarget.value)} />`;
    }
  }
}

export function CustomField({ def, rec, error, onSave, users, readOnly, startEditing }) {
  const key = 'custom.' + def.key;
  const value = rec.custom ? rec.custom[def.key] : undefined;
  const [editing, setEditing] = useState(!!startEditing);
  const [busy, setBusy] = useState(false);
  const [local, setLocal] = useState(null);
  const [draft, setDraft] = useState(null);
  const [boolDraft, setBoolDraft] = useState(null);   // a ticked box shows at once, before the save
  const listItems = useListItems(def.list);
  const id = 'f-custom-' + def.key;
  const canEdit = !readOnly && (def.type !== 'user' || users);
  useEffect(() => { if (startEditing || error) setEditing(true); }, [startEditing, error]);
  useEffect(() => {
    if (!editing) return;
    setDraft(def.type === 'multiselect' ? (value || []).slice() : def.type === 'money' ? moneyInput(value)
      : def.type === 'datetime' ? toLocalInput(value) : value ?? '');
    setTimeout(() => { const el = document.getElementById(id); if (el) el.focus(); });
  }, [editing]);

  async function save(v) {
    if (busy) return;
    setLocal(null);
    setBusy(true);
    const ok = await onSave({ custom: { [def.key]: v } }, key);
    setBusy(false);
    if (ok) setEditing(false);
  }
  function commit(raw) {
    const v = parseCustom(def, raw);
    if (v && v.error) { setLocal({ key: v.error }); return; }
    save(v);
  }
  const cancel = () => { setLocal(null); setEditing(false); };
  const keys = (e) => {
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); cancel(); }
    else if (e.key === 'Enter' && def.type !== 'longtext') { e.preventDefault(); commit(e.currentTarget.value); }
    else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); commit(e.currentTarget.value); }
  };
  const err = local || error;
  const errText = err ? (err.key ? t(err.key, err.params) : fieldError(err)) : null;
  const opts = customOptions(def, listItems);

  let editor = null;
  if (editing && canEdit && draft !== null) {
    const common = { id, class: 'input', disabled: busy, 'aria-labelledby': id + '-label', 'aria-invalid': err ? 'true' : undefined, 'data-testid': 'input-' + key };
    switch (def.type) {
      case 'longtext':
        editor = html`<div><textarea ...${common} class="input textarea" rows="3" value=${draft} onInput=${(e) => setDraft(e.currentTarget.value)} onKeyDown=${keys}></textarea>
          <${EditActions} busy=${busy} onSave=${() => commit(draft)} onCancel=${cancel} hint=${t('record.ctrl_enter')} /></div>`;
        break;
      case 'select': case 'user':
        editor = html`<div class="inline-edit"><select ...${common} class="input select" value=${draft === null || draft === undefined ? '' : String(draft)}
            onChange=${(e) => commit(e.currentTarget.value)} onKeyDown=${(e) => { if (e.key === 'Escape') cancel(); }}>
          <option value="">—</option>
          ${def.type === 'user'
            ? (users || []).filter((u) => u.active || u.id === value).map((u) => html`<option key=${u.id} value=${String(u.id)}>${u.name || u.login}</option>`)
            : opts.map((o) => html`<option key=${o.value} value=${o.value}>${o.label}</option>`)}
        </select><button type="button" class="btn small ghost" onClick=${cancel}>${t('common.cancel')}</button></div>`;
        break;
      case 'multiselect':
        editor = html`<div>${opts.map((o) => html`<label key=${o.value} class="check-row">
            <input type="checkbox" checked=${draft.includes(o.value)}
              onChange=${(e) => setDraft(e.currentTarget.checked ? draft.concat(o.value) : draft.filter((x) => x !== o.value))} /> ${o.label}</label>`)}
          <${EditActions} busy=${busy} onSave=${() => save(draft)} onCancel=${cancel} /></div>`;
        break;
      default: {
        const type = def.type === 'date' ? 'date' : def.type === 'datetime' ? 'datetime-local' : def.type === 'email' ? 'email' : def.type === 'phone' ? 'tel' : 'text';
        const inputmode = def.type === 'number' || def.type === 'money' ? 'decimal' : undefined;
        editor = html`<input ...${common} type=${type} inputmode=${inputmode} value=${draft}
          onInput=${(e) => setDraft(e.currentTarget.value)} onKeyDown=${keys}
          onBlur=${(e) => { if (!err && !busy && String(e.currentTarget.value) !== String(def.type === 'money' ? moneyInput(value) : def.type === 'datetime' ? toLocalInput(value) : value ?? '')) commit(e.currentTarget.value); else if (!err) cancel(); }} />`;
      }
    }
  }
  const shown = formatCustom(def, value, users, listItems);
  return html`<div class=${'rfield' + (def.type === 'longtext' ? ' wide' : '') + (err ? ' has-error' : '')} data-testid=${'field-' + key} id=${'field-' + key}>
    <div class="rfield-label" id=${id + '-label'}>${def.label}${def.required ? ' *' : ''}</div>
    ${def.type === 'bool'
      ? html`<label class="check-row"><input type="checkbox" checked=${boolDraft ?? !!value} disabled=${!canEdit} data-testid=${'input-' + key}
          aria-labelledby=${id + '-label'} onChange=${async (e) => { const v = e.currentTarget.checked; setBoolDraft(v); await save(v); setBoolDraft(null); }} />
          ${(boolDraft ?? !!value) ? t('record.yes') : t('record.no')}</label>`
      : editor || html`<div class=${'rfield-value' + (canEdit ? ' editable' : '')} role=${canEdit ? 'button' : undefined}
          tabindex=${canEdit ? 0 : undefined} aria-labelledby=${id + '-label'} data-testid=${'value-' + key}
          title=${canEdit ? t('record.click_to_edit') : undefined}
          onClick=${() => { if (canEdit) setEditing(true); }}
          onKeyDown=${(e) => { if (canEdit && (e.key === 'Enter' || e.key === 'F2') && e.target === e.currentTarget) { e.preventDefault(); setEditing(true); } }}>
          ${shown ? html`<span class=${def.type === 'longtext' ? 'pre' : ''}>${shown}</span>` : html`<span class="placeholder">${t('record.empty_value')}</span>`}
        </div>`}
    ${errText ? html`<div class="field-error" role="alert" data-testid=${'error-' + key}>${errText}</div>` : null}
  </div>`;
}

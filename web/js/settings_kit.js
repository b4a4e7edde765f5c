// What the CRM settings screens share: keys made from names, reordering lists by drag and by
// keyboard, a confirmation dialog, the save bar of an edited document, and error texts for the
// settings API's answers (which name the input at fault: "stages[2].name").
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t, lang } from './i18n.js';
import { ApiError, errorMessage } from './api.js';
import { Dialog } from './ui.js';
import { addLeaveGuard } from './router.js';
import { CARD_FIELDS, customFieldsFor, fieldLabel } from './crm.js';

const TRANSLIT = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l', м: 'm',
  н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'h', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'sch',
  ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
};

// "Счёт выставлен" → "schet_vystavlen": a key the API accepts (a-z, 0-9, _; a letter first).
export function slugKey(text, max = 40) {
  let s = '';
  for (const ch of String(text || '').toLowerCase()) s += ch in TRANSLIT ? TRANSLIT[ch] : ch;
  s = s.replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  if (s && !/^[a-z]/.test(s)) s = 'k_' + s;
  return s.slice(0, max).replace(/_+$/, '');
}

// A key not in `taken`: base, base_2, base_3…
export function freeKey(base, taken, fallback = 'item') {
  const b = base || fallback;
  if (!taken.includes(b)) return b;
  for (let i = 2; ; i++) if (!taken.includes(b + '_' + i)) return b + '_' + i;
}

export function moveItem(list, from, to) {
  if (to < 0 || to >= list.length || from === to) return list;
  const copy = list.slice();
  const [x] = copy.splice(from, 1);
  copy.splice(to, 0, x);
  return copy;
}

// The list with item `id` moved by {delta: ±1} or to {index: n}. Moves are computed on the
// state they apply to, so keys pressed faster than the screen redraws are not lost.
export function moveById(list, idOf, id, target) {
  const from = list.findIndex((x) => idOf(x) === id);
  if (from < 0) return list;
  const to = Math.max(0, Math.min(list.length - 1, 'delta' in target ? from + target.delta : target.index));
  return moveItem(list, from, to);
}

// Reordering a list: the handle is dragged onto another row, or focused and moved with the
// arrow keys (focus stays on the moved item's handle). ids: the items' stable ids in order;
// onMove(id, {delta} | {index}); name(id) for the screen-reader announcement; testid(id) of
// the item's handle.
export function useReorder({ ids, onMove, name, testid }) {
  const dragId = useRef(null);
  const [over, setOver] = useState(null);
  const [said, setSaid] = useState('');
  const moved = useRef(null);
  useEffect(() => {
    if (moved.current === null) return;
    const id = moved.current;
    moved.current = null;
    const el = document.querySelector(`[data-testid="${testid(id)}"]`);
    if (el && document.activeElement !== el) el.focus();
    if (ids.includes(id)) setSaid(t('config.moved_to', { name: name(id), pos: ids.indexOf(id) + 1, count: ids.length }));
  });
  function move(id, target) {
    onMove(id, target);
    moved.current = id;
  }
  const handle = (id) => ({
    draggable: true,
    'aria-keyshortcuts': 'ArrowUp ArrowDown',
    onDragStart: (e) => {
      dragId.current = id;
      e.dataTransfer.effectAllowed = 'move';
      e.dataTransfer.setData('text/plain', String(id));
      const row = e.currentTarget.closest('[data-row]');
      if (row && e.dataTransfer.setDragImage) e.dataTransfer.setDragImage(row, 16, 16);
    },
    onDragEnd: () => { dragId.current = null; setOver(null); },
    onKeyDown: (e) => {
      if (e.key === 'ArrowUp') { e.preventDefault(); move(id, { delta: -1 }); }
      else if (e.key === 'ArrowDown') { e.preventDefault(); move(id, { delta: 1 }); }
    },
  });
  const row = (id) => ({
    'data-row': String(id),
    class: over === id ? 'drop-target' : '',
    onDragOver: (e) => { if (dragId.current !== null) { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; setOver(id); } },
    onDragLeave: () => setOver((o) => (o === id ? null : o)),
    onDrop: (e) => {
      e.preventDefault();
      const from = dragId.current;
      dragId.current = null;
      setOver(null);
      if (from !== null && from !== id) move(from, { index: ids.indexOf(id) });
    },
  });
  const live = html`<div class="sr-only" aria-live="polite">${said}</div>`;
  return { handle, row, move, live };
}

export function DragHandle({ label, testid, ...props }) {
  return html`<button type="button" class="drag-handle" aria-label=${label} title=${t('config.drag_hint')}
      data-testid=${testid} ...${props}>
    <svg viewBox="0 0 12 16" width="10" height="14" aria-hidden="true"><g fill="currentColor">
      <circle cx="3" cy="3" r="1.4"/><circle cx="9" cy="3" r="1.4"/><circle cx="3" cy="8" r="1.4"/>
      <circle cx="9" cy="8" r="1.4"/><circle cx="3" cy="13" r="1.4"/><circle cx="9" cy="13" r="1.4"/></g></svg>
  </button>`;
}

export function UpDown({ index, count, onStep, label, testid }) {
  return html`<span class="updown">
    <button type="button" class="icon-btn small" disabled=${index === 0} aria-label=${t('config.move_up', { name: label })}
      title=${t('config.move_up', { name: label })} onClick=${() => onStep(-1)} data-testid=${testid + '-up'}>
      <svg viewBox="0 0 12 12" width="12" height="12" aria-hidden="true"><path d="M3 7.5l3-3 3 3" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>
    </button>
    <button type="button" class="icon-btn small" disabled=${index === count - 1} aria-label=${t('config.move_down', { name: label })}
      title=${t('config.move_down', { name: label })} onClick=${() => onStep(1)} data-testid=${testid + '-down'}>
      <svg viewBox="0 0 12 12" width="12" height="12" aria-hidden="true"><path d="M3 4.5l3 3 3-3" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>
    </button>
  </span>`;
}

export function RemoveButton({ label, onClick, testid, disabled }) {
  return html`<button type="button" class="icon-btn small remove-btn" aria-label=${label} title=${label}
      onClick=${onClick} data-testid=${testid} disabled=${disabled}>
    <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>
  </button>`;
}

// "Are you sure?" with the consequence spelled out; onConfirm may throw an ApiError, shown here.
export function ConfirmDialog({ title, text, confirmLabel, onConfirm, onClose, testid = 'confirm-dialog' }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  async function go() {
    setBusy(true);
    setError(null);
    try { await onConfirm(); } catch (e) { setError(e); setBusy(false); }
  }
  return html`<${Dialog} title=${title} onClose=${onClose} testid=${testid}>
    <div class="confirm">
      <p data-testid="confirm-text">${text}</p>
      ${error ? html`<div class="form-error" role="alert" data-testid="confirm-error">${configErrorText(error)}</div>` : null}
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="button" class="btn danger" disabled=${busy} onClick=${go} data-testid="confirm-ok">${confirmLabel}</button>
      </div>
    </div>
  <//>`;
}

// The bar under an edited document: what state it is in, Discard and Save.
export function SaveBar({ dirty, busy, onSave, onDiscard, testid = 'save-bar' }) {
  return html`<div class=${'save-bar' + (dirty ? ' dirty' : '')} data-testid=${testid}>
    <span class="save-state" role="status" data-testid=${testid + '-state'}>${dirty ? t('config.unsaved') : t('config.all_saved')}</span>
    <button type="button" class="btn" disabled=${!dirty || busy} onClick=${onDiscard} data-testid=${testid + '-discard'}>${t('config.discard')}</button>
    <button type="button" class="btn primary" disabled=${!dirty || busy} onClick=${onSave} data-testid=${testid + '-save'}>
      ${busy ? t('config.saving') : t('common.save')}</button>
  </div>`;
}

// Ask before leaving a page with unsaved changes: reload or closing the tab (beforeunload), and
// a link, the navigation or Back inside the app (the router's guard).
export function useLeaveGuard(dirty) {
  useEffect(() => {
    if (!dirty) return undefined;
    const f = (e) => { e.preventDefault(); e.returnValue = ''; };
    window.addEventListener('beforeunload', f);
    const release = addLeaveGuard();
    return () => { window.removeEventListener('beforeunload', f); release(); };
  }, [dirty]);
}

// onClose for a dialog that edits something: closing it with unsaved changes asks first.
export function guardedClose(dirty, onClose) {
  return () => { if (!dirty || window.confirm(t('core.discard_confirm'))) onClose(); };
}

// Fields a stage may require or a role may be kept from seeing, with their labels: the entity's
// own fields as the card shows them, then its custom fields (custom.KEY).
export function entityFieldChoices(entity, customDefs) {
  const builtin = CARD_FIELDS[entity].main.concat(CARD_FIELDS[entity].more)
    .filter((k, i, all) => all.indexOf(k) === i)
    .map((k) => ({ key: k, label: fieldLabel(k, entity) }));
  const custom = (customDefs || customFieldsFor(entity)).filter((d) => d.entity === entity)
    .map((d) => ({ key: 'custom.' + d.key, label: d.label, custom: true }));
  return builtin.concat(custom);
}

// Text for an error of the settings API. The server names the input ("stages[2].name") and
// explains in English; the Russian screen gets a translation by the kind of input, the English
// one the server's own words.
export function configErrorText(err) {
  if (!(err instanceof ApiError)) return errorMessage(err);
  const f = err.field || '';
  const m = err.message || '';
  const inUse = m.match(/^(\d+) records? still stands? in stage "(.*)" \((\w+)\)/);
  if (inUse) return t('config.err_stage_in_use', { count: Number(inUse[1]), stage: inUse[2] });
  const listUsed = m.match(/^field (\w+)\.(\w+) takes its values from this list/);
  if (listUsed) {
    const def = customFieldsFor(listUsed[1]).find((d) => d.key === listUsed[2]);
    return t('config.err_list_in_use', { field: def ? def.label : listUsed[2] });
  }
  // refusals of DELETE /api/pipelines/KEY and /api/roles/KEY: the counts come in the message
  if (err.code === 'pipeline_in_use') return t('core.err_pipeline_in_use', { count: Number((m.match(/^(\d+)/) || [0, 0])[1]) });
  if (err.code === 'role_in_use') {
    const users = Number((m.match(/(\d+) users? \(/) || [0, 0])[1]), tokens = Number((m.match(/(\d+) API tokens?/) || [0, 0])[1]);
    return [users ? t('core.err_role_users', { count: users }) : null, tokens ? t('core.err_role_tokens', { count: tokens }) : null]
      .filter(Boolean).join(' ');
  }
  if (err.code === 'pipeline_visibility') return t('core.err_role_only_viewer', { pipeline: (m.match(/^pipeline "(.*)" is visible/) || [0, ''])[1] });
  if (err.status === 422 && /only deal pipeline/.test(m)) return t('core.err_last_pipeline');
  if (lang() === 'en' && m && err.code !== 'bad_json') return m.charAt(0).toUpperCase() + m.slice(1) + '.';
  const rules = [
    [/^stages\[\d+\]\.key$|^key$/, 'config.err_key'],
    [/^stages\[\d+\]\.name$|^name$/, 'config.err_name'],
    [/^stages\[\d+\]\.kind$/, 'config.err_kind'],
    [/^stages\[\d+\]\.color$/, 'config.err_color'],
    [/^stages\[\d+\]\.required_fields$/, 'config.err_required_fields'],
    [/^stages\[\d+\]\.checklist\[\d+\]\.label$/, 'config.err_checklist_label'],
    [/^stages\[\d+\]\.checklist/, 'config.err_checklist'],
    [/^transitions/, 'config.err_transition'],
    [/^auto_moves/, 'config.err_auto_move'],
    [/^visible_to/, 'config.err_visible_to'],
    [/^scopes/, 'config.err_scope'],
    [/^hidden_fields/, 'config.err_hidden'],
    [/^capabilities$/, 'config.err_capabilities'],
    [/^stages$/, 'config.err_stages'],
    [/^entity$/, 'config.err_entity'],
    [/^members$/, 'config.err_members'],
    [/^lead_id$/, 'config.err_lead'],
    [/^options$/, 'config.err_options'],
    [/^list$/, 'config.err_list'],
    [/^items/, 'config.err_items'],
  ];
  if (err.code === 'conflict') return t('config.err_conflict');
  for (const [re, key] of rules) if (re.test(f)) return t(key);
  return errorMessage(err);
}

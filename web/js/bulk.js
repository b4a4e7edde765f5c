// Bulk reassignment (POST /api/{contacts,companies,deals}/reassign): the selection of a list
// view (checkboxes, shift-click ranges, the page, or every record matching the filter), the
// action bar with "Reassign to…", and "hand over all records" of a deactivated user.
// The API takes ids (up to 10 000) or from_owner_id; "all matching" sends from_owner_id when the
// list is filtered by owner alone, and otherwise collects the ids by paging the same list query.
import { useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { api } from './api.js';
import { can } from './context.js';
import { Dialog, FormError } from './ui.js';
import { ENTITIES } from './crm.js';

export const MAX_IDS = 10000;

// May this user hand the entity's records to others? The API wants an `all` edit scope.
export function mayReassign(user, entity) {
  if (can(user, '*')) return true;
  const s = user && user.scopes && user.scopes[entity];
  return !!s && s.edit === 'all';
}

// Selection state of a list: ids picked one by one, or "all" (every record of the filter).
export function useSelection() {
  const [ids, setIds] = useState(() => new Set());
  const [all, setAll] = useState(false);
  const last = useRef(null);
  return {
    ids, all,
    has: (id) => all || ids.has(id),
    // a click on a row's box; with shift, every row between the last click and this one
    toggle(id, index, shift, items) {
      setAll(false);
      setIds((old) => {
        const n = new Set(old);
        const on = !old.has(id);
        if (shift && last.current !== null && items[last.current]) {
          const [a, b] = [Math.min(last.current, index), Math.max(last.current, index)];
          for (let i = a; i <= b; i++) { if (on) n.add(items[i].id); else n.delete(items[i].id); }
        } else if (on) n.add(id); else n.delete(id);
        return n;
      });
      last.current = index;
    },
    page(items, on) { setAll(false); setIds(on ? new Set(items.map((r) => r.id)) : new Set()); last.current = null; },
    selectAll() { setAll(true); },
    clear() { setAll(false); setIds(new Set()); last.current = null; },
  };
}

// Every id of a list query, 200 at a time by its cursor; null when there are more than MAX_IDS.
async function collectIds(plural, query) {
  const out = [];
  let cursor;
  for (;;) {
    const r = await api.get('/api/' + plural, { ...query, limit: 200, cursor, count: undefined });
    for (const x of r.items || []) out.push(x.id);
    if (out.length > MAX_IDS) return null;
    if (!r.next) return out;
    cursor = r.next;
  }
}

// The bar over a list while something is selected: the count, "select all N", reassign, clear.
export function BulkBar({ entity, sel, items, total, query, users, onDone }) {
  const [dialog, setDialog] = useState(false);
  const count = sel.all ? total : sel.ids.size;
  if (!count) return null;
  const pageAll = items.length > 0 && items.every((r) => sel.ids.has(r.id));
  return html`<div class="bulk-bar" role="region" aria-label=${t('data.selection')} data-testid="bulk-bar">
    <span class="strong" data-testid="bulk-count">${t('data.selected', { count })}</span>
    ${!sel.all && pageAll && total > items.length ? html`<button type="button" class="link-btn" onClick=${sel.selectAll} data-testid="bulk-select-all">
      ${t('data.select_all_matching', { count: total })}</button>` : null}
    <span class="spacer"></span>
    <button type="button" class="btn small primary" onClick=${() => setDialog(true)} data-testid="bulk-reassign">${t('data.reassign')}</button>
    <button type="button" class="btn small ghost" onClick=${sel.clear} data-testid="bulk-clear">${t('data.clear_selection')}</button>
    ${dialog ? html`<${ReassignDialog} entity=${entity} count=${count} users=${users}
      target=${sel.all ? { query } : { ids: [...sel.ids] }}
      onClose=${() => setDialog(false)} onDone=${(moved) => { setDialog(false); sel.clear(); onDone(moved); }} />` : null}
  </div>`;
}

// Pick the new owner (and, for companies, whether contacts and deals follow) and reassign.
// target: {ids} | {query} (a list query: every record matching it) | {from_owner_id}.
export function ReassignDialog({ entity, count, users, target, onClose, onDone, title }) {
  const [to, setTo] = useState('');
  const [cascade, setCascade] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const plural = ENTITIES[entity].plural;

  async function submit(e) {
    e.preventDefault();
    if (!to) { setError({ key: 'data.pick_owner' }); document.getElementById('reassign-to')?.focus(); return; }
    setBusy(true);
    setError(null);
    try {
      const body = { to_owner_id: Number(to) };
      if (entity === 'company') body.cascade = cascade;
      if (target.ids) body.ids = target.ids;
      else if (target.from_owner_id) body.from_owner_id = target.from_owner_id;
      else {
        // a filter by one owner and nothing else is the API's own from_owner_id
        const keys = Object.keys(target.query).filter((k) => !['sort', 'limit', 'count', 'cursor'].includes(k) && target.query[k] !== undefined);
        const owner = target.query.owner;
        if (keys.length === 1 && keys[0] === 'owner' && /^\d+$/.test(String(owner))) body.from_owner_id = Number(owner);
        else {
          const ids = await collectIds(plural, target.query);
          if (!ids) { setError({ key: 'data.too_many', params: { max: MAX_IDS } }); setBusy(false); return; }
          if (!ids.length) { onDone(0); return; }
          body.ids = ids;
        }
      }
      const r = await api.post(`/api/${plural}/reassign`, body);
      onDone(r.moved);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  const active = (users || []).filter((u) => u.active);
  return html`<${Dialog} title=${title || t('data.reassign_title', { count })} onClose=${onClose} testid="reassign-dialog">
    <form onSubmit=${submit} novalidate>
      <${FormError} error=${error} testid="reassign-error" />
      <div class="field">
        <label for="reassign-to">${t('data.new_owner')}</label>
        <select id="reassign-to" class="input select" value=${to} onChange=${(e) => { setTo(e.currentTarget.value); setError(null); }} data-testid="reassign-to">
          <option value="">${t('data.pick_owner')}</option>
          ${active.map((u) => html`<option key=${u.id} value=${String(u.id)}>${u.name || u.login}</option>`)}
        </select>
      </div>
      ${entity === 'company' ? html`<label class="check-row">
        <input type="checkbox" checked=${cascade} onChange=${(e) => setCascade(e.currentTarget.checked)} data-testid="reassign-cascade" />
        ${t('data.cascade')}</label>` : null}
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn primary" disabled=${busy} data-testid="reassign-submit">${busy ? t('data.working') : t('data.reassign_do')}</button>
      </div>
    </form>
  <//>`;
}

// Users page: every contact, company and deal of a (deactivated) user to one colleague.
export function HandOverDialog({ user, me, users, onClose, onDone }) {
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const entities = ['company', 'contact', 'deal'].filter((e) => mayReassign(me, e));

  async function submit(e) {
    e.preventDefault();
    if (!to) { setError({ key: 'data.pick_owner' }); return; }
    setBusy(true);
    setError(null);
    let moved = 0;
    try {
      // companies first: their contacts and deals follow them (cascade), the rest goes after
      for (const ent of entities) {
        const body = { to_owner_id: Number(to), from_owner_id: user.id };
        if (ent === 'company') body.cascade = true;
        const r = await api.post(`/api/${ENTITIES[ent].plural}/reassign`, body);
        moved += r.moved || 0;
      }
      onDone(moved);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  const active = (users || []).filter((u) => u.active && u.id !== user.id);
  return html`<${Dialog} title=${t('data.handover_title', { name: user.name || user.login })} onClose=${onClose} testid="handover-dialog">
    <form onSubmit=${submit} novalidate>
      <p class="muted">${t('data.handover_text')}</p>
      <${FormError} error=${error} testid="handover-error" />
      <div class="field">
        <label for="handover-to">${t('data.new_owner')}</label>
        <select id="handover-to" class="input select" value=${to} onChange=${(e) => setTo(e.currentTarget.value)} data-testid="handover-to">
          <option value="">${t('data.pick_owner')}</option>
          ${active.map((u) => html`<option key=${u.id} value=${String(u.id)}>${u.name || u.login}</option>`)}
        </select>
      </div>
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn primary" disabled=${busy || !entities.length} data-testid="handover-submit">${busy ? t('data.working') : t('data.reassign_do')}</button>
      </div>
    </form>
  <//>`;
}

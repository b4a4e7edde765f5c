// Building blocks of the CRM screens: the board/list switch, search box, owner filter,
// avatars, stage badges, a message banner, and the record picker (company or contact).
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { api } from './api.js';
import { Link, navigate } from './router.js';
import { ENTITIES, rememberView, formatPhone } from './crm.js';
import { initials } from './ui.js';

export function ViewSwitch({ entity, view }) {
  const base = ENTITIES[entity].path;
  const item = (v, label) => html`<${Link} href=${base + '/' + v} class=${'seg' + (view === v ? ' active' : '')}
      aria-current=${view === v ? 'page' : undefined} data-testid=${'view-' + v}
      onClick=${() => rememberView(entity, v)}>${label}<//>`;
  return html`<div class="segmented" role="group" aria-label=${t('crm.view')}>
    ${item('board', t('crm.view_board'))}${item('list', t('crm.view_list'))}
  </div>`;
}

// A search box; "/" anywhere on the page (outside inputs) puts the cursor in it.
export function SearchBox({ value, onInput, placeholder, testid }) {
  const ref = useRef(null);
  // a layout effect: the key works as soon as the box is on screen
  useLayoutEffect(() => {
    const onKey = (e) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      const el = e.target;
      if (el && el.closest && el.closest('input, textarea, select, [contenteditable]')) return;
      if (document.querySelector('dialog[open]')) return;
      e.preventDefault();
      ref.current && ref.current.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return html`<div class="search-wrap">
    <svg class="search-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><circle cx="7" cy="7" r="4.5" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M10.5 10.5l3 3" stroke="currentColor" stroke-width="1.5" stroke-linecap="round"/></svg>
    <input type="search" class="input search" ref=${ref} value=${value} placeholder=${placeholder}
      aria-label=${placeholder} aria-keyshortcuts="/" data-testid=${testid}
      onInput=${(e) => onInput(e.currentTarget.value)}
      onKeyDown=${(e) => { if (e.key === 'Escape' && value) { e.preventDefault(); onInput(''); } }} />
    <kbd class="search-kbd" aria-hidden="true">/</kbd>
  </div>`;
}

// Owner filter: everybody's, mine, or one colleague's (when the role may list users).
export function OwnerSelect({ value, onChange, users, testid = 'filter-owner' }) {
  return html`<select class="input select" value=${value} aria-label=${t('lists.owner')} data-testid=${testid}
      onChange=${(e) => onChange(e.currentTarget.value)}>
    <option value="">${t('lists.owner_all')}</option>
    <option value="me">${t('lists.owner_me')}</option>
    ${(users || []).filter((u) => u.active).map((u) => html`<option key=${u.id} value=${String(u.id)}>${u.name || u.login}</option>`)}
  </select>`;
}

export function Avatar({ name, title }) {
  if (!name) return null;
  return html`<span class="avatar small" title=${title || name} aria-hidden="true">${initials(name)}</span>`;
}

export function StageBadge({ stage, name }) {
  const color = (stage && stage.color) || '#8a94a6';
  return html`<span class="stage-badge" style=${'--stage:' + color}>
    <span class="dot" aria-hidden="true"></span>${name || (stage && stage.name) || ''}</span>`;
}

export function PhoneLink({ phone }) {
  return html`<a class="phone" href=${'tel:' + phone} onClick=${(e) => e.stopPropagation()}>${formatPhone(phone)}</a>`;
}

// A message strip at the top of a screen: error (role=alert) or info. onClose hides it.
export function Banner({ kind = 'error', children, onClose, testid = 'banner', action }) {
  if (!children) return null;
  return html`<div class=${'banner ' + kind} role=${kind === 'error' ? 'alert' : 'status'} data-testid=${testid}>
    <span class="banner-text">${children}</span>
    ${action || null}
    ${onClose ? html`<button type="button" class="icon-btn small" aria-label=${t('common.close')} title=${t('common.close')}
      onClick=${onClose} data-testid=${testid + '-close'}>
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>
    </button>` : null}
  </div>`;
}

// Pick a company or a contact by typing part of its name, phone or e-mail.
// value: {id, name} or null. Arrow keys move in the suggestions, Enter picks, Escape closes.
export function RecordPicker({ entity, value, onChange, id, testid, placeholder, invalid, autoFocus, onKeyDown: outerKey }) {
  const [text, setText] = useState(value ? value.name || '' : '');
  const [items, setItems] = useState([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const seq = useRef(0);
  const box = useRef(null);
  useEffect(() => { setText(value ? value.name || '' : ''); }, [value && value.id]);
  useEffect(() => {
    if (!open) return undefined;
    const q = text.trim();
    const timer = setTimeout(async () => {
      const n = ++seq.current;
      try {
        const r = await api.get('/api/' + ENTITIES[entity].plural, { q: q || undefined, limit: 8, sort: q ? undefined : '-updated_at' });
        if (n === seq.current) { setItems(r.items || []); setActive(0); }
      } catch { if (n === seq.current) setItems([]); }
    }, 150);
    return () => clearTimeout(timer);
  }, [text, open]);
  useEffect(() => {
    if (!open) return undefined;
    const down = (e) => { if (box.current && !box.current.contains(e.target)) setOpen(false); };
    document.addEventListener('mousedown', down);
    return () => document.removeEventListener('mousedown', down);
  }, [open]);

  function pick(rec) {
    setOpen(false);
    if (!rec) { setText(''); onChange(null); return; }
    setText(rec[ENTITIES[entity].title]);
    onChange({ id: rec.id, name: rec[ENTITIES[entity].title] });
  }
  function key(e) {
    if (e.key === 'ArrowDown') { e.preventDefault(); if (!open) setOpen(true); else setActive((a) => Math.min(a + 1, items.length - 1)); return; }
    if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => Math.max(a - 1, 0)); return; }
    if (e.key === 'Enter' && open && items[active]) { e.preventDefault(); e.stopPropagation(); pick(items[active]); return; }
    if (e.key === 'Escape' && open) { e.preventDefault(); e.stopPropagation(); setOpen(false); return; }
    if (outerKey) outerKey(e);
  }
  const listId = (id || 'picker') + '-list';
  return html`<div class="picker" ref=${box}>
    <input id=${id} class="input" value=${text} placeholder=${placeholder || t(`crm.pick_${entity}`)} autocomplete="off"
      role="combobox" aria-expanded=${open ? 'true' : 'false'} aria-controls=${listId} aria-autocomplete="list"
      aria-activedescendant=${open && items[active] ? listId + '-' + items[active].id : undefined}
      aria-invalid=${invalid ? 'true' : undefined} data-testid=${testid} autofocus=${autoFocus}
      onFocus=${() => setOpen(true)} onInput=${(e) => { setText(e.currentTarget.value); setOpen(true); if (!e.currentTarget.value) onChange(null); }}
      onKeyDown=${key} />
    ${value ? html`<button type="button" class="icon-btn small picker-clear" aria-label=${t('crm.clear')} title=${t('crm.clear')}
      onClick=${() => pick(null)} data-testid=${testid + '-clear'}>
      <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true"><path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>
    </button>` : null}
    ${open && items.length ? html`<ul class="picker-list" id=${listId} role="listbox" data-testid=${testid + '-list'}>
      ${items.map((r, i) => html`<li key=${r.id} id=${listId + '-' + r.id} role="option" aria-selected=${i === active ? 'true' : 'false'}
          class=${i === active ? 'active' : ''} onMouseDown=${(e) => { e.preventDefault(); pick(r); }}
          onMouseEnter=${() => setActive(i)}>
        <span class="strong">${r[ENTITIES[entity].title]}</span>
        <span class="muted small">${[r.company_name, r.city, r.phones && r.phones[0] ? formatPhone(r.phones[0]) : null].filter(Boolean).join(' · ')}</span>
      </li>`)}
    </ul>` : null}
  </div>`;
}

export function goRecord(entity, id, search = '') {
  navigate(ENTITIES[entity].path + '/' + id + search);
}

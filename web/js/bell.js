// The notification bell in the top bar: the unread count, and a panel of the user's
// notifications (mentions, tasks), newest first. New ones arrive live over /api/events: the
// count goes up and the item appears at once, with a short toast. Clicking an item opens the
// record it is about and marks it read. While the bell is on screen the live stream is open;
// when the shell goes away (logout, expired session) the stream is closed.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { api } from './api.js';
import { navigate } from './router.js';
import { useApp } from './context.js';
import { ENTITIES, recordPath, formatWhen, formatDateTime } from './crm.js';
import { Spinner, useDismiss } from './ui.js';
import { startLive, stopLive, onLive } from './live.js';

const PAGE = 20;
const KIND = { mention: 'notes.kind_mention', task_assigned: 'notes.kind_task_assigned', task_due: 'notes.kind_task_due' };
const TOAST = { mention: 'notes.toast_mention', task_assigned: 'notes.toast_task_assigned', task_due: 'notes.toast_task_due' };
const TASK_KIND = { call: 'notes.task_call', meeting: 'notes.task_meeting', email: 'notes.task_email',
  visit: 'notes.task_visit', other: 'notes.task_other' };

// What an item says under its title: a mention's text, a due task's kind.
function itemBody(n) {
  if (!n.body) return '';
  if (n.kind === 'task_due' && TASK_KIND[n.body]) return t(TASK_KIND[n.body]);
  return n.body;
}

export function NotificationBell() {
  const app = useApp();
  const [unread, setUnread] = useState(0);
  const [items, setItems] = useState(null);       // newest first; null until loaded
  const [next, setNext] = useState(null);
  const [failed, setFailed] = useState(false);
  const [open, setOpen] = useState(false);
  const [more, setMore] = useState(false);
  const box = useRef(null);
  const button = useRef(null);
  const panel = useRef(null);
  const seq = useRef(0);

  const loading = useRef(false);

  async function load() {
    const mine = ++seq.current;
    loading.current = true;
    try {
      const r = await api.get('/api/notifications', { limit: PAGE });
      if (mine !== seq.current) return;                  // a newer load has the last word
      setItems(r.items || []);
      setNext(r.next || null);
      setUnread(r.unread || 0);
      setFailed(false);
    } catch {
      if (mine === seq.current) setFailed(true);
    } finally {
      if (mine === seq.current) loading.current = false;
    }
  }

  useEffect(() => {
    load();
    startLive();
    const off = onLive((type, n) => {
      if (type === 'reconnected' || type === 'notifications-changed') { load(); return; }
      if (type !== 'notification') return;
      setItems((list) => [n].concat((list || []).filter((x) => x.id !== n.id)));
      if (!n.read) setUnread((u) => u + 1);
      if (loading.current) load();                       // the answer on its way may predate it
      if (TOAST[n.kind]) app.notify(null, null, 'ok', t(TOAST[n.kind], { title: n.title }));
    });
    return () => { off(); stopLive(); };
  }, []);

  useDismiss(open, setOpen, box, button);

  function toggle(e) {
    const opening = !open;
    setOpen(opening);
    if (opening) {
      load();
      // opened from the keyboard: put the focus on the first item, so arrows and Enter work at once
      if (e.detail === 0) setTimeout(() => { const first = panel.current && panel.current.querySelector('.bell-item'); if (first) first.focus(); }, 0);
    }
  }

  async function markRead(ids) {
    setItems((list) => (list || []).map((x) => (ids.includes(x.id) ? { ...x, read: true } : x)));
    setUnread((u) => Math.max(0, u - ids.length));
    try {
      const r = await api.post('/api/notifications/read', { ids });
      setUnread(r.unread);
    } catch {
      load();
    }
  }

  async function readAll() {
    setItems((list) => (list || []).map((x) => ({ ...x, read: true })));
    setUnread(0);
    try {
      const r = await api.post('/api/notifications/read', { all: true });
      setUnread(r.unread);
    } catch {
      load();
    }
  }

  function openItem(n) {
    if (!n.read) markRead([n.id]);
    if (n.entity && ENTITIES[n.entity] && n.record_id) {
      setOpen(false);
      // a mention: straight to the notes, where it is pinned (far down the card on a phone)
      const path = recordPath(n.entity, n.record_id);
      const here = location.pathname === path;
      navigate(path + (n.kind === 'mention' ? '#notes' : ''));
      const notes = document.getElementById('notes');
      if (n.kind === 'mention' && here && notes) notes.scrollIntoView({ block: 'start' });
    }
  }

  async function showMore() {
    setMore(true);
    try {
      const r = await api.get('/api/notifications', { limit: PAGE, cursor: next });
      setItems((list) => {
        const have = new Set((list || []).map((x) => x.id));
        return (list || []).concat((r.items || []).filter((x) => !have.has(x.id)));
      });
      setNext(r.next || null);
      setUnread(r.unread || 0);
    } catch {
      setFailed(true);
    } finally {
      setMore(false);
    }
  }

  // Up/Down move between the items, Home/End to the ends.
  function onListKey(e) {
    const all = [...panel.current.querySelectorAll('.bell-item')];
    const i = all.indexOf(document.activeElement);
    let to = null;
    if (e.key === 'ArrowDown') to = all[Math.min(all.length - 1, i + 1)];
    else if (e.key === 'ArrowUp') to = i <= 0 ? button.current : all[i - 1];
    else if (e.key === 'Home') to = all[0];
    else if (e.key === 'End') to = all[all.length - 1];
    if (to) { e.preventDefault(); to.focus(); }
  }

  const label = unread ? t('notes.bell_unread', { count: unread }) : t('notes.notifications');
  return html`<div class="bell" ref=${box}>
    <button type="button" class=${'icon-btn bell-button' + (unread ? ' has-unread' : '')} ref=${button}
      aria-haspopup="true" aria-expanded=${open ? 'true' : 'false'} aria-controls="bell-panel"
      aria-label=${label} title=${label} onClick=${toggle} data-testid="bell-button">
      <svg viewBox="0 0 20 20" width="20" height="20" aria-hidden="true"><path d="M10 2.5a5 5 0 0 0-5 5v3.2L3.6 13.3c-.3.5 0 1.2.6 1.2h11.6c.6 0 .9-.7.6-1.2L15 10.7V7.5a5 5 0 0 0-5-5z" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/><path d="M8 16.5a2 2 0 0 0 4 0" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round"/></svg>
      ${unread ? html`<span class="bell-count" data-testid="bell-count" aria-hidden="true">${unread > 99 ? '99+' : unread}</span>` : null}
    </button>
    ${open ? html`<div class="bell-panel" id="bell-panel" ref=${panel} role="region" aria-label=${t('notes.notifications')} data-testid="bell-panel"
        onKeyDown=${onListKey}>
      <div class="bell-head">
        <h2>${t('notes.notifications')}</h2>
        ${unread ? html`<button type="button" class="btn ghost small" onClick=${readAll} data-testid="bell-read-all">${t('notes.mark_all_read')}</button>` : null}
      </div>
      ${failed ? html`<div class="form-error" role="alert">${t('notes.error_bell')}</div>` : null}
      ${items === null && !failed ? html`<div class="bell-empty"><${Spinner} /></div>` : null}
      ${items && items.length === 0 ? html`<p class="bell-empty muted" data-testid="bell-empty">${t('notes.no_notifications')}</p>` : null}
      ${items && items.length ? html`<ul class="bell-list">
        ${items.map((n) => html`<li key=${n.id}>
          <button type="button" class=${'bell-item' + (n.read ? '' : ' unread')} onClick=${() => openItem(n)}
            data-testid="bell-item" data-id=${n.id} data-kind=${n.kind} data-unread=${n.read ? 'false' : 'true'}>
            <span class=${'bell-kind kind-' + n.kind} aria-hidden="true">${n.kind === 'mention' ? '@' : '✓'}</span>
            <span class="bell-text">
              <span class="bell-title">${n.title}</span>
              ${itemBody(n) ? html`<span class="bell-body">${itemBody(n)}</span>` : null}
              <span class="bell-meta">${KIND[n.kind] ? t(KIND[n.kind]) : n.kind} · <time datetime=${new Date(n.created_at).toISOString()}
                title=${formatDateTime(n.created_at)}>${formatWhen(n.created_at)}</time></span>
            </span>
            ${n.read ? null : html`<span class="bell-dot" title=${t('notes.unread_dot')}><span class="sr-only">${t('notes.unread_dot')}</span></span>`}
          </button>
        </li>`)}
      </ul>` : null}
      ${next ? html`<button type="button" class="btn small ghost bell-more" disabled=${more} onClick=${showMore} data-testid="bell-more">${t('common.load_more')}</button>` : null}
    </div>` : null}
  </div>`;
}

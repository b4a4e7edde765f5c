// Notes on a record card: write one (Ctrl+Enter posts), mention a colleague with @ (an
// autocomplete of the colleagues who can open this record), read the notes newest first. A note
// that mentions me and that I have not read is pinned on top until I mark it read; the author
// (or an administrator) may delete a note. Notes also reach the record's history (onChange).
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { api, ApiError, errorMessage } from './api.js';
import { useApp, can } from './context.js';
import { formatWhen, formatDateTime } from './crm.js';
import { Spinner } from './ui.js';
import { Avatar } from './widgets.js';
import { onLive, announce } from './live.js';

const MAX_BODY = 10000;
const MAC = /Mac|iPhone|iPad/.test(navigator.platform || '');

// "@ivan" as the server reads it: not inside a word or an e-mail address; a final dot ends a sentence.
const MENTION = /(?<![\p{L}\p{N}._-])@[A-Za-z0-9._-]*[A-Za-z0-9_-]/gu;
// The @fragment being typed just before the caret: letters of a login, or of a name to look up.
const TYPING = /(?:^|[^\p{L}\p{N}._@-])@([\p{L}\p{N}._-]{0,40})$/u;

// Text of a note with its @mentions marked.
function Body({ text }) {
  const parts = [];
  let at = 0;
  for (const m of text.matchAll(MENTION)) {
    if (m.index > at) parts.push(text.slice(at, m.index));
    parts.push(html`<span class="mention">${m[0]}</span>`);
    at = m.index + m[0].length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return html`<div class="note-body" data-testid="note-body">${parts}</div>`;
}

// A refused note, in the user's language.
function postError(err) {
  if (!(err instanceof ApiError)) return t('errors.generic');
  const login = ((err.message || '').match(/@([A-Za-z0-9._-]+)/) || [])[1] || '';
  if (err.field === 'body' && err.status === 422 && login) return t('notes.err_cannot_see', { login });
  if (err.field === 'body' && /no active user/.test(err.message || '') && login) return t('notes.err_unknown_user', { login });
  if (err.field === 'body' && /at most \d+ people/.test(err.message || '')) return t('notes.err_too_many');
  if (err.field === 'record_id' || err.status === 404) return t('notes.err_record_gone');
  return errorMessage(err);
}

export function NotesPanel({ entity, id, onChange }) {
  const app = useApp();
  const [items, setItems] = useState(null);
  const [next, setNext] = useState(null);
  const [failed, setFailed] = useState(false);
  const [more, setMore] = useState(false);
  const seq = useRef(0);

  async function load() {
    const mine = ++seq.current;
    try {
      const r = await api.get('/api/notes', { entity, record_id: id, limit: 50 });
      if (mine !== seq.current) return;
      setItems(r.items || []);
      setNext(r.next || null);
      setFailed(false);
    } catch {
      if (mine === seq.current) setFailed(true);
    }
  }
  // Came from a mention (/companies/7#notes): once the notes are there, bring them into view.
  const section = useRef(null);
  const scrolled = useRef(false);
  useEffect(() => { setItems(null); scrolled.current = false; load(); }, [entity, id]);
  useEffect(() => {
    if (!items || scrolled.current || location.hash !== '#notes' || !section.current) return;
    scrolled.current = true;
    section.current.scrollIntoView({ block: 'start' });
  }, [items]);

  // A colleague mentioned me on this record while I look at it: the pinned note appears.
  useEffect(() => onLive((type, n) => {
    if (type !== 'reconnected' && !(type === 'notification' && n.entity === entity && n.record_id === id)) return;
    load();
    onChange && onChange();                  // the history has the colleague's note too
  }), [entity, id]);

  async function showMore() {
    setMore(true);
    try {
      const r = await api.get('/api/notes', { entity, record_id: id, limit: 50, cursor: next });
      setItems((list) => list.concat((r.items || []).filter((x) => !list.some((y) => y.id === x.id))));
      setNext(r.next || null);
    } catch {
      setFailed(true);
    } finally {
      setMore(false);
    }
  }

  function posted(note) {
    setItems((list) => [note].concat(list || []));
    const names = note.mentions.map((m) => m.name);
    if (names.length) app.notify('notes.posted_told', { names: names.join(', ') });
    onChange && onChange();
  }

  async function markRead(note) {
    setItems((list) => list.map((x) => (x.id === note.id ? { ...x, pinned: false,
      mentions: x.mentions.map((m) => (m.user_id === app.user.id ? { ...m, read: true } : m)) } : x)));
    try {
      await api.post(`/api/notes/${note.id}/read`);
      announce('notifications-changed');     // the bell's item about this note is read too
    } catch (err) {
      app.notify(null, null, 'error', errorMessage(err));
      load();
    }
  }

  async function remove(note) {
    try {
      await api.del('/api/notes/' + note.id);
      setItems((list) => list.filter((x) => x.id !== note.id));
      app.notify('notes.deleted');
      onChange && onChange();
    } catch (err) {
      app.notify(null, null, 'error', err instanceof ApiError && err.status === 404 ? t('notes.err_record_gone') : errorMessage(err));
      load();
    }
  }

  const pinned = (items || []).filter((n) => n.pinned);
  const rest = (items || []).filter((n) => !n.pinned);
  const mayDelete = (n) => n.author_id === app.user.id || can(app.user, '*');
  return html`<section class="card notes" id="notes" ref=${section} data-testid="notes" aria-labelledby="notes-title">
    <h2 class="card-title" id="notes-title">${t('notes.title')}
      ${items && items.length ? html` <span class="muted small" data-testid="notes-count">${items.length}${next ? '+' : ''}</span>` : null}</h2>
    ${pinned.length ? html`<div class="notes-pinned" data-testid="notes-pinned" role="group" aria-label=${t('notes.pinned_title')}>
      <div class="pinned-title">${t('notes.pinned_title')}</div>
      ${pinned.map((n) => html`<${Note} key=${n.id} note=${n} pinned onRead=${() => markRead(n)}
        onDelete=${mayDelete(n) ? () => remove(n) : null} />`)}
    </div>` : null}
    <${Composer} entity=${entity} id=${id} onPosted=${posted} />
    ${failed ? html`<div class="form-error" role="alert">${t('notes.error_load')}</div>` : null}
    ${items === null && !failed ? html`<${Spinner} />` : null}
    ${items && items.length === 0 ? html`<p class="muted notes-none" data-testid="notes-none">${t('notes.none')}</p>` : null}
    ${rest.length ? html`<ol class="note-list" data-testid="note-list">
      ${rest.map((n) => html`<${Note} key=${n.id} note=${n} onDelete=${mayDelete(n) ? () => remove(n) : null} />`)}
    </ol>` : null}
    ${next ? html`<button type="button" class="btn small ghost" disabled=${more} onClick=${showMore} data-testid="notes-more">${t('common.load_more')}</button>` : null}
  </section>`;
}

function Note({ note, pinned, onRead, onDelete }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const yes = useRef(null);
  useEffect(() => { if (confirming && yes.current) yes.current.focus(); }, [confirming]);
  const Tag = pinned ? 'div' : 'li';
  return html`<${Tag} class=${'note' + (pinned ? ' pinned' : '')} data-testid=${pinned ? 'pinned-note' : 'note'} data-id=${note.id}>
    <div class="note-head">
      <${Avatar} name=${note.author_name || '?'} />
      <span class="strong note-author" title=${note.author_name || undefined}>${note.author_name || '—'}</span>
      <time class="muted small" datetime=${new Date(note.created_at).toISOString()} title=${formatDateTime(note.created_at)}>${formatWhen(note.created_at)}</time>
      ${onDelete && !confirming ? html`<button type="button" class="btn small ghost note-delete" data-testid="note-delete"
        onClick=${() => setConfirming(true)}>${t('notes.delete')}</button>` : null}
    </div>
    <${Body} text=${note.body} />
    ${note.mentions.length ? html`<div class="note-mentions muted small">
      <span>${t('notes.mentioned')}</span>
      ${note.mentions.map((m) => html`<span key=${m.user_id} class=${'mention-chip' + (m.read ? ' read' : '')} data-testid="mention-chip"
        data-read=${m.read ? 'true' : 'false'} title=${t(m.read ? 'notes.has_read' : 'notes.not_read', { name: m.name })}>
        ${m.name}${m.read ? html` <span aria-hidden="true">✓</span>` : null}
        <span class="sr-only">: ${t(m.read ? 'notes.has_read' : 'notes.not_read', { name: m.name })}</span></span>`)}
    </div>` : null}
    ${pinned ? html`<div class="note-foot">
      <button type="button" class="btn small primary" disabled=${busy} data-testid="note-read"
        onClick=${async () => { setBusy(true); await onRead(); }}>${t('notes.mark_read')}</button>
    </div>` : null}
    ${confirming ? html`<div class="note-confirm" role="group" aria-label=${t('notes.delete_confirm')}>
      <span>${t('notes.delete_confirm')}</span>
      <button type="button" class="btn small danger" ref=${yes} disabled=${busy} data-testid="note-delete-yes"
        onClick=${async () => { setBusy(true); await onDelete(); setBusy(false); setConfirming(false); }}>${t('notes.delete')}</button>
      <button type="button" class="btn small" data-testid="note-delete-no"
        onKeyDown=${(e) => { if (e.key === 'Escape') setConfirming(false); }}
        onClick=${() => setConfirming(false)}>${t('common.cancel')}</button>
    </div>` : null}
  <//>`;
}

// The textarea with the @ autocomplete. Suggestions come from GET /api/notes/mentionable: only
// colleagues who can open the record, so a suggestion is never refused when posting.
function Composer({ entity, id, onPosted }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [ac, setAc] = useState(null);        // {start, query, items, active, loading}
  const ref = useRef(null);
  const caret = useRef(null);                 // where to put the caret after a pick
  const lookup = useRef({ seq: 0, timer: null });

  useLayoutEffect(() => {
    if (caret.current !== null && ref.current) {
      ref.current.setSelectionRange(caret.current, caret.current);
      caret.current = null;
    }
  });
  useEffect(() => () => clearTimeout(lookup.current.timer), []);

  // Is the caret right after "@frag"? Then look colleagues up (a little after the last key).
  function detect(el) {
    const pos = el.selectionStart;
    if (pos !== el.selectionEnd) { setAc(null); return; }
    const m = el.value.slice(0, pos).match(TYPING);
    if (!m) { setAc(null); return; }
    const query = m[1];
    const start = pos - query.length - 1;
    setAc((old) => (old && old.start === start && old.query === query ? old
      : { start, query, items: old && old.start === start ? old.items : [], active: 0, loading: true }));
    const l = lookup.current;
    clearTimeout(l.timer);
    const mine = ++l.seq;
    l.timer = setTimeout(async () => {
      try {
        const r = await api.get('/api/notes/mentionable', { entity, record_id: id, q: query, limit: 8 });
        if (mine !== l.seq) return;
        setAc((old) => (old && old.start === start ? { ...old, query, items: r.items || [], active: 0, loading: false } : old));
      } catch {
        if (mine === l.seq) setAc(null);
      }
    }, 120);
  }

  function close() { lookup.current.seq++; clearTimeout(lookup.current.timer); setAc(null); }

  function pick(u) {
    const el = ref.current;
    const end = el ? el.selectionStart : ac.start + 1 + ac.query.length;
    const insert = '@' + u.login + ' ';
    const value = text.slice(0, ac.start) + insert + text.slice(end).replace(/^ /, '');
    setText(value);
    caret.current = ac.start + insert.length;
    close();
    if (el) el.focus();
  }

  async function submit() {
    const body = text.trim();
    if (!body) { setError(t('notes.err_empty')); ref.current && ref.current.focus(); return; }
    if (busy) return;
    setBusy(true);
    setError(null);
    close();
    try {
      const note = await api.post('/api/notes', { entity, record_id: id, body });
      setText('');
      onPosted(note);
    } catch (err) {
      setError(postError(err));
    } finally {
      setBusy(false);
      ref.current && ref.current.focus();
    }
  }

  function onKeyDown(e) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); submit(); return; }
    if (!ac) return;
    const n = ac.items.length;
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); close(); return; }
    if (!n) return;
    if (e.key === 'ArrowDown') { e.preventDefault(); setAc({ ...ac, active: (ac.active + 1) % n }); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); setAc({ ...ac, active: (ac.active - 1 + n) % n }); }
    else if ((e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey) { e.preventDefault(); pick(ac.items[ac.active]); }
  }

  const listId = `mention-list-${entity}-${id}`;
  const showList = ac && (ac.items.length || !ac.loading);
  return html`<div class="note-composer">
    <label class="sr-only" for=${'note-input-' + id}>${t('notes.label')}</label>
    <div class="mention-wrap">
      <textarea id=${'note-input-' + id} ref=${ref} class="input textarea note-input" rows="3" maxlength=${MAX_BODY}
        placeholder=${t('notes.placeholder')} value=${text} readOnly=${busy} data-testid="note-input"
        aria-autocomplete="list" aria-controls=${showList ? listId : undefined}
        aria-activedescendant=${showList && ac.items.length ? `${listId}-${ac.items[ac.active].id}` : undefined}
        aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? 'note-error-' + id : 'note-hint-' + id}
        onInput=${(e) => { setText(e.currentTarget.value); setError(null); detect(e.currentTarget); }}
        onClick=${(e) => detect(e.currentTarget)}
        onKeyUp=${(e) => { if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) detect(e.currentTarget); }}
        onKeyDown=${onKeyDown}
        onBlur=${close}></textarea>
      ${showList ? html`<ul class="mention-list" id=${listId} role="listbox" aria-label=${t('notes.suggest_label')} data-testid="mention-list"
        onMouseDown=${(e) => e.preventDefault()}>
        ${ac.items.map((u, i) => html`<li key=${u.id} id=${`${listId}-${u.id}`} role="option" aria-selected=${i === ac.active ? 'true' : 'false'}
            class=${'mention-option' + (i === ac.active ? ' active' : '')} data-testid="mention-option" data-login=${u.login}
            onMouseDown=${(e) => { e.preventDefault(); pick(u); }}>
          <${Avatar} name=${u.name} />
          <span class="mention-name">${u.name}</span>
          <span class="muted small mention-login">@${u.login}</span>
        </li>`)}
        ${!ac.items.length ? html`<li class="mention-none muted small" role="presentation" data-testid="mention-none">
          ${ac.query ? t('notes.suggest_none', { query: ac.query }) : t('notes.suggest_nobody')}</li>` : null}
      </ul>` : null}
    </div>
    ${error ? html`<div class="field-error" id=${'note-error-' + id} role="alert" data-testid="note-error">${error}</div>` : null}
    <div class="note-composer-foot">
      <span class="muted small note-hint" id=${'note-hint-' + id}>${t(MAC ? 'notes.hint_mac' : 'notes.hint')}</span>
      <button type="button" class="btn primary small" disabled=${busy} onClick=${submit} data-testid="note-post"
        aria-keyshortcuts=${MAC ? 'Meta+Enter' : 'Control+Enter'}>${t('notes.post')}</button>
    </div>
  </div>`;
}

// Tasks (GET/POST/PATCH/DELETE /api/tasks): what the card, the Tasks list and the calendar share
// — the kind icons, the task form with its time presets, the task dialog (open, tick, edit,
// delete) — and the "Tasks" block of a record card: the record's open tasks, a quick "add task"
// line, the done ones on request.
//
// Times are shown and entered in the company's time zone (taskdates.js); every change sends
// the version the user saw, and a stale one says so and reloads instead of overwriting.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { api, ApiError, errorMessage } from './api.js';
import { Link } from './router.js';
import { useApp, can } from './context.js';
import { Dialog, Spinner } from './ui.js';
import { ENTITIES, recordPath, useUsers, mayDo } from './crm.js';
import { Avatar } from './widgets.js';
import { onLive } from './live.js';
import { setTaskZone, noteServerNow, serverNow, at, dayOf, hhmm, today, addDays, weekStart, validDay,
  shortDay, dayName } from './taskdates.js';

export const KINDS = ['call', 'meeting', 'email', 'visit', 'other'];

// Who has tasks: people who work deals or contacts. A lead creator (dealers) enters leads and
// nothing else, so the Tasks module stays out of their way.
export function hasTasks(user) {
  return mayDo(user, 'deal', 'read') || mayDo(user, 'contact', 'read');
}

// Everyone's tasks (the assignee filter) are for roles that may see them: "*" (docs/api.md).
export function seesAllTasks(user) { return can(user, '*'); }

// Call f when the app's one event stream (live.js, opened by the bell) brings news of my tasks —
// one was set for me or fell due — or came back after a break; on a record card only news of
// that record. Returns the unsubscribe function (an effect's cleanup).
export function onTaskNews(f, entity = null, id = null) {
  return onLive((type, n) => {
    const mine = type === 'notification' && n && /^task_/.test(n.kind || '') && (!entity || (n.entity === entity && n.record_id === id));
    if (mine || type === 'reconnected') f();
  });
}

// The company's zone for everything below; call at the top of each tasks screen.
export function useTaskZone() {
  const { settings } = useApp();
  setTaskZone(settings && settings.timezone);
}

const ICONS = {
  call: html`<path d="M3.6 2.5h2.1l1.1 3-1.5 1a8 8 0 0 0 4.2 4.2l1-1.5 3 1.1v2.1a1.1 1.1 0 0 1-1.1 1.1A10.9 10.9 0 0 1 2.5 3.6a1.1 1.1 0 0 1 1.1-1.1z"/>`,
  meeting: html`<circle cx="6" cy="5.4" r="2.2"/><circle cx="11.4" cy="6.2" r="1.7"/><path d="M2 13.2c.4-2.3 2-3.7 4-3.7s3.6 1.4 4 3.7M10.3 9.6c1.8 0 3.2 1.2 3.7 3.4"/>`,
  email: html`<rect x="2" y="3.5" width="12" height="9" rx="1.5"/><path d="M2.6 4.6 8 8.8l5.4-4.2"/>`,
  visit: html`<path d="M8 14.2s4.6-4.3 4.6-7.7a4.6 4.6 0 0 0-9.2 0c0 3.4 4.6 7.7 4.6 7.7z"/><circle cx="8" cy="6.5" r="1.6"/>`,
  other: html`<rect x="2.5" y="2.5" width="11" height="11" rx="2.2"/><path d="M5.4 8.1 7.2 10l3.4-4"/>`,
};

export function KindIcon({ kind, size = 14 }) {
  const k = ICONS[kind] ? kind : 'other';
  return html`<svg class=${'kind-icon kind-' + k} viewBox="0 0 16 16" width=${size} height=${size} aria-hidden="true"
    fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round" stroke-linejoin="round">${ICONS[k]}</svg>`;
}

export function kindLabel(kind) { return t(`tasks.kind_${KINDS.includes(kind) ? kind : 'other'}`); }

// "Today, 14:00", "Tomorrow, 10:00", "Mon 5 Mar, 09:30", "5 Mar 2024, 09:30".
export function formatDue(ms) {
  const day = dayOf(ms), now = today();
  const time = hhmm(ms);
  if (day === now) return t('tasks.today_at', { time });
  if (day === addDays(now, 1)) return t('tasks.tomorrow_at', { time });
  if (day === addDays(now, -1)) return t('tasks.yesterday_at', { time });
  const sameYear = day.slice(0, 4) === now.slice(0, 4);
  return (sameYear ? dayName(day) + ' ' + shortDay(day) : shortDay(day, true)) + ', ' + time;
}

// Text for a failed task write, in the user's language.
export function taskError(err) {
  if (!(err instanceof ApiError)) return err && err.key ? t(err.key, err.params) : t('errors.generic');
  if (err.code === 'stale') return t('tasks.err_stale');
  if (err.status === 404) return t('tasks.err_gone');
  if (err.field === 'title') return t('tasks.err_title');
  if (err.field === 'due_at') return t('tasks.err_due');
  if (err.field === 'assignee_id') return err.status === 422 ? t('tasks.err_assignee_cannot_see') : t('tasks.err_assignee');
  if (err.field === 'record_id') return t('tasks.err_record');
  return errorMessage(err);
}

export function patchTask(task, body) {
  return api.patch('/api/tasks/' + task.id, { version: task.version, ...body });
}

// Every page of a task list (the module asks for at most `max` tasks).
export async function loadTasks(params, max = 2000) {
  const items = [];
  let cursor;
  for (;;) {
    const r = await api.get('/api/tasks', { ...params, limit: 500, cursor });
    noteServerNow(r.now);
    items.push(...(r.items || []));
    if (!r.next || items.length >= max) return { items, more: !!r.next };
    cursor = r.next;
  }
}

// ---- the task form ----

// The next whole hour today, or tomorrow 10:00 late in the evening: a sensible default.
function defaultDue() {
  const now = serverNow();
  const next = Math.ceil((now + 1) / 3600000) * 3600000;
  const day = dayOf(next);
  const h = Number(hhmm(next).slice(0, 2));
  if (day !== today() || h >= 21 || h < 8) return at(addDays(today(), 1), 10, 0);
  return next;
}

function presets() {
  const now = serverNow();
  const d = today();
  const list = [{ id: 'hour', key: 'tasks.preset_hour', ms: Math.ceil((now + 3600000) / 300000) * 300000 }];
  if (at(d, 18, 0) - now > 30 * 60000) list.push({ id: 'evening', key: 'tasks.preset_evening', ms: at(d, 18, 0) });
  list.push({ id: 'tomorrow', key: 'tasks.preset_tomorrow', ms: at(addDays(d, 1), 10, 0) });
  list.push({ id: 'monday', key: 'tasks.preset_monday', ms: at(addDays(weekStart(d), 7), 10, 0) });
  return list;
}

// Title, kind, due date and time (with presets), assignee; optionally what record it is about.
// initial: a task (editing) or {due_at, entity, record_id, record_title} (creating).
// onSubmit(body) → the saved task, or throws an ApiError shown next to its field.
export function TaskForm({ initial = {}, onSubmit, onCancel, submitLabel, compact, withRecord, autoFocus, testid = 'task-form' }) {
  const app = useApp();
  const users = useUsers(app.user);
  const editing = !!initial.id;
  const due0 = initial.due_at || defaultDue();
  const blank = () => ({ title: initial.title || '', kind: initial.kind || 'call', day: dayOf(due0), time: hhmm(due0),
    assignee: String(initial.assignee_id || app.user.id) });
  const [v, setV] = useState(blank);
  const [open, setOpen] = useState(!compact);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const [about, setAbout] = useState(null);        // {entity, id, name} picked in the form
  const titleRef = useRef(null);
  useEffect(() => { if (autoFocus && titleRef.current) titleRef.current.focus(); }, []);
  const set = (k, x) => { setV((o) => ({ ...o, [k]: x })); setErrors((e) => ({ ...e, [k]: null, _form: null })); };

  async function submit(e) {
    if (e) e.preventDefault();
    if (busy) return;
    const title = v.title.trim();
    if (!title) { setErrors({ title: { key: 'tasks.err_title' } }); setOpen(true); titleRef.current && titleRef.current.focus(); return; }
    const [h, min] = (v.time || '').split(':').map(Number);
    if (!validDay(v.day) || !(h >= 0 && h < 24 && min >= 0 && min < 60)) { setOpen(true); setErrors({ due: { key: 'tasks.err_due' } }); return; }
    const body = { title, kind: v.kind, due_at: at(v.day, h, min) };
    if (!editing || Number(v.assignee) !== initial.assignee_id) body.assignee_id = Number(v.assignee);
    if (!editing && about) { body.entity = about.entity; body.record_id = about.id; }
    setBusy(true);
    try {
      await onSubmit(body);
      if (!editing) { setV((o) => ({ ...blank(), kind: o.kind, assignee: o.assignee })); setErrors({}); if (compact) setOpen(false); }
    } catch (err) {
      const field = err instanceof ApiError ? { title: 'title', due_at: 'due', assignee_id: 'assignee', record_id: 'about', entity: 'about' }[err.field] : null;
      setErrors(field ? { [field]: err } : { _form: err });
      setOpen(true);
    } finally {
      setBusy(false);
    }
  }
  function key(e) {
    if (e.key === 'Escape' && onCancel) { e.preventDefault(); e.stopPropagation(); onCancel(); }
    else if (e.key === 'Escape' && compact && !v.title) { e.preventDefault(); setOpen(false); }
  }
  const err = (k) => (errors[k] ? html`<div class="field-error" role="alert" data-testid=${testid + '-error-' + k}>${taskError(errors[k])}</div>` : null);
  const [ch, cm] = (v.time || '').split(':').map(Number);
  const shown = validDay(v.day) && ch >= 0 && ch < 24 && cm >= 0 && cm < 60 ? at(v.day, ch, cm) : null;
  const chosen = presets().find((p) => p.ms === shown);
  const id = (x) => testid + '-' + x;
  const others = (users || []).filter((u) => u.active);

  return html`<form class=${'task-form' + (compact ? ' compact' : '') + (open ? ' open' : '')} onSubmit=${submit} onKeyDown=${key}
      novalidate data-testid=${testid}>
    ${errors._form ? html`<div class="form-error" role="alert" data-testid=${id('error')}>${taskError(errors._form)}</div>` : null}
    <div class="task-title-row">
      <input ref=${titleRef} id=${id('title')} class="input" value=${v.title} maxlength="500" autocomplete="off"
        placeholder=${compact ? t('tasks.add_placeholder') : t('tasks.title_placeholder')} aria-label=${t('tasks.title')}
        aria-invalid=${errors.title ? 'true' : undefined} data-testid=${id('title')}
        onFocus=${() => setOpen(true)} onInput=${(e) => set('title', e.currentTarget.value)} />
      ${compact ? html`<button type="submit" class="btn primary" disabled=${busy} data-testid=${id('submit')}>${submitLabel || t('tasks.add')}</button>` : null}
    </div>
    ${err('title')}
    ${open ? html`<div class="task-form-more">
      <div class="task-kinds" role="radiogroup" aria-label=${t('tasks.kind')}>
        ${KINDS.map((k) => html`<button type="button" key=${k} role="radio" aria-checked=${v.kind === k ? 'true' : 'false'}
            class=${'kind-btn' + (v.kind === k ? ' active' : '')} onClick=${() => set('kind', k)} data-testid=${id('kind-' + k)}
            title=${kindLabel(k)}>
          <${KindIcon} kind=${k} /><span>${kindLabel(k)}</span>
        </button>`)}
      </div>
      <div class="task-when">
        <label class="sr-only" for=${id('day')}>${t('tasks.date')}</label>
        <input type="date" id=${id('day')} class="input" value=${v.day} required aria-invalid=${errors.due ? 'true' : undefined}
          onInput=${(e) => set('day', e.currentTarget.value)} data-testid=${id('day')} />
        <label class="sr-only" for=${id('time')}>${t('tasks.time')}</label>
        <input type="time" id=${id('time')} class="input" value=${v.time} step="300" required aria-invalid=${errors.due ? 'true' : undefined}
          onInput=${(e) => set('time', e.currentTarget.value)} data-testid=${id('time')} />
        ${users && others.length ? html`<label class="sr-only" for=${id('assignee')}>${t('tasks.assignee')}</label>
        <select id=${id('assignee')} class="input select" value=${v.assignee} aria-invalid=${errors.assignee ? 'true' : undefined}
            onChange=${(e) => set('assignee', e.currentTarget.value)} data-testid=${id('assignee')} title=${t('tasks.assignee')}>
          ${others.map((u) => html`<option key=${u.id} value=${String(u.id)}>${u.id === app.user.id ? t('tasks.me', { name: u.name || u.login }) : u.name || u.login}</option>`)}
        </select>` : null}
      </div>
      <div class="task-presets" role="group" aria-label=${t('tasks.presets')}>
        ${presets().map((p) => html`<button type="button" key=${p.id} class=${'chip-btn' + (chosen === p ? ' active' : '')}
            onClick=${() => { set('day', dayOf(p.ms)); set('time', hhmm(p.ms)); }} data-testid=${id('preset-' + p.id)}>${t(p.key)}</button>`)}
      </div>
      ${err('due')}${err('assignee')}
      ${withRecord && !editing ? html`<${AboutPicker} value=${about} onChange=${(x) => { setAbout(x); setErrors((e) => ({ ...e, about: null })); }} testid=${id('about')} />` : null}
      ${err('about')}
      ${!compact ? html`<div class="form-actions">
        ${onCancel ? html`<button type="button" class="btn" onClick=${onCancel} data-testid=${id('cancel')}>${t('common.cancel')}</button>` : null}
        <button type="submit" class="btn primary" disabled=${busy} data-testid=${id('submit')}>${submitLabel || t('tasks.add')}</button>
      </div>` : null}
    </div>` : null}
  </form>`;
}

// "About": a contact, company or deal the task is for (the Tasks module's own "new task").
function AboutPicker({ value, onChange, testid }) {
  const app = useApp();
  const kinds = ['deal', 'company', 'contact'].filter((e) => mayDo(app.user, e, 'read') &&
    (e !== 'deal' || app.pipelines.some((p) => p.entity === 'deal')));
  const [entity, setEntity] = useState(kinds[0] || 'deal');
  const [text, setText] = useState('');
  const [items, setItems] = useState([]);
  const seq = useRef(0);
  useEffect(() => {
    const q = text.trim();
    if (!q || value) { setItems([]); return undefined; }
    const timer = setTimeout(async () => {
      const n = ++seq.current;
      try {
        const r = await api.get('/api/' + ENTITIES[entity].plural, { q, limit: 6 });
        if (n === seq.current) setItems(r.items || []);
      } catch { if (n === seq.current) setItems([]); }
    }, 200);
    return () => clearTimeout(timer);
  }, [text, entity, value]);
  if (!kinds.length) return null;
  const title = (r) => r[ENTITIES[entity].title];
  return html`<div class="about-picker">
    <label for=${testid + '-q'}>${t('tasks.about')}</label>
    ${value ? html`<div class="about-chosen" data-testid=${testid + '-chosen'}>
      <span class="muted small">${t(`crm.one_${value.entity}`)}</span> <strong>${value.name}</strong>
      <button type="button" class="btn small ghost" onClick=${() => { onChange(null); setText(''); }} data-testid=${testid + '-clear'}>${t('crm.clear')}</button>
    </div>` : html`<div class="about-row">
      <select class="input select" value=${entity} aria-label=${t('tasks.about_kind')} onChange=${(e) => setEntity(e.currentTarget.value)} data-testid=${testid + '-entity'}>
        ${kinds.map((e) => html`<option key=${e} value=${e}>${t(`crm.one_${e}`)}</option>`)}
      </select>
      <input id=${testid + '-q'} class="input" value=${text} placeholder=${t('tasks.about_placeholder')} autocomplete="off"
        onInput=${(e) => setText(e.currentTarget.value)} data-testid=${testid + '-q'}
        onKeyDown=${(e) => { if (e.key === 'Enter') { e.preventDefault(); if (items[0]) onChange({ entity, id: items[0].id, name: title(items[0]) }); } }} />
    </div>`}
    ${!value && items.length ? html`<ul class="about-list" data-testid=${testid + '-list'}>
      ${items.map((r) => html`<li key=${r.id}><button type="button" class="link-btn" onClick=${() => onChange({ entity, id: r.id, name: title(r) })}>${title(r)}</button></li>`)}
    </ul>` : null}
  </div>`;
}

// ---- the task dialog: what a task is, and what can be done with it ----

// task: the task shown; onChanged(task) after a save, onChanged(null) once it is deleted or gone.
export function TaskDialog({ task: initial, onClose, onChanged, startEditing }) {
  const [task, setTask] = useState(initial);
  const [editing, setEditing] = useState(!!startEditing);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  async function reload() {
    try {
      const r = await api.get('/api/tasks/' + task.id);
      setTask(r);
      onChanged && onChanged(r);
      return r;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) { onChanged && onChanged(null); onClose(); }
      return null;
    }
  }
  async function write(body) {
    const r = await patchTask(task, body);
    setTask(r);
    onChanged && onChanged(r);
    return r;
  }
  // a stale write shows why and what the task looks like now; the user decides again
  async function failed(e) {
    setError(e);
    if (e instanceof ApiError && (e.code === 'stale' || e.status === 404)) await reload();
  }
  async function tick() {
    setBusy(true);
    setError(null);
    try { await write({ done: !task.done }); } catch (e) { await failed(e); } finally { setBusy(false); }
  }
  async function remove() {
    if (!confirm(t('tasks.delete_confirm', { title: task.title }))) return;
    try {
      await api.del('/api/tasks/' + task.id);
      onChanged && onChanged(null);
      onClose();
    } catch (e) { await failed(e); }
  }

  const ent = task.entity && ENTITIES[task.entity];
  return html`<${Dialog} title=${editing ? t('tasks.edit_title') : task.title} onClose=${onClose} testid="task-dialog">
    ${error ? html`<div class="form-error" role="alert" data-testid="task-dialog-error">${taskError(error)}</div>` : null}
    ${editing ? html`<${TaskForm} key=${task.version} initial=${task} submitLabel=${t('common.save')} autoFocus testid="task-edit"
        onCancel=${() => setEditing(false)}
        onSubmit=${async (body) => {
          try { await write(body); setEditing(false); setError(null); }
          catch (e) { if (e instanceof ApiError && (e.code === 'stale' || e.status === 404)) { await failed(e); return; } throw e; }
        }} />`
    : html`<dl class="task-facts" data-testid="task-facts">
        <dt>${t('tasks.kind')}</dt><dd><${KindIcon} kind=${task.kind} /> ${kindLabel(task.kind)}</dd>
        <dt>${t('tasks.due')}</dt><dd class=${task.overdue ? 'overdue' : ''} data-testid="task-dialog-due">${formatDue(task.due_at)}${task.overdue ? html` · <strong>${t('tasks.overdue')}</strong>` : null}</dd>
        <dt>${t('tasks.assignee')}</dt><dd><${Avatar} name=${task.assignee_name} /> ${task.assignee_name || '#' + task.assignee_id}</dd>
        ${ent ? html`<dt>${t('tasks.about')}</dt><dd>${task.record_title
          ? html`<${Link} href=${recordPath(task.entity, task.record_id)} onClick=${onClose} data-testid="task-dialog-record">${task.record_title}<//>`
          : html`<span class="muted">${t(`crm.one_${task.entity}`)} #${task.record_id}</span>`}</dd>` : null}
        <dt>${t('tasks.status')}</dt><dd data-testid="task-dialog-status">${task.done ? t('tasks.status_done') : t('tasks.status_open')}</dd>
      </dl>
      <div class="form-actions task-dialog-actions">
        <button type="button" class="btn danger-ghost" onClick=${remove} data-testid="task-dialog-delete">${t('tasks.delete')}</button>
        <button type="button" class="btn" onClick=${() => { setError(null); setEditing(true); }} data-testid="task-dialog-edit">${t('common.edit')}</button>
        <button type="button" class="btn primary" disabled=${busy} onClick=${tick} data-testid="task-dialog-done">
          ${task.done ? t('tasks.reopen') : t('tasks.mark_done')}</button>
      </div>`}
  <//>`;
}

// ---- one task as a row (card and list) ----

// A tick box, the kind, the title (opens the dialog), when, who, and optionally the record.
export function TaskRow({ task, onTick, onOpen, showRecord, showAssignee, actions, testid = 'task-row' }) {
  return html`<li class=${'task-row' + (task.done ? ' done' : '') + (task.overdue ? ' overdue' : '')} data-testid=${testid}
      data-task=${task.id} data-overdue=${task.overdue ? 'true' : 'false'}>
    <input type="checkbox" class="task-check" checked=${task.done} onChange=${() => onTick(task)}
      aria-label=${task.done ? t('tasks.reopen_named', { title: task.title }) : t('tasks.done_named', { title: task.title })}
      data-testid="task-check" />
    <span class="task-kind" title=${kindLabel(task.kind)}><${KindIcon} kind=${task.kind} /><span class="sr-only">${kindLabel(task.kind)}</span></span>
    <div class="task-main">
      <button type="button" class="link-btn task-title" onClick=${() => onOpen(task)} data-testid="task-title">${task.title}</button>
      <div class="task-sub small">
        <span class="task-due" data-testid="task-due">${formatDue(task.due_at)}</span>
        ${task.overdue ? html`<span class="badge overdue-badge" data-testid="task-overdue">${t('tasks.overdue')}</span>` : null}
        ${showRecord && task.entity && task.record_title ? html`<${Link} class="task-record" href=${recordPath(task.entity, task.record_id)}
            data-testid="task-record">${task.record_title}<//>` : null}
        ${showAssignee ? html`<span class="task-assignee muted"><${Avatar} name=${task.assignee_name} />${task.assignee_name}</span>` : null}
      </div>
    </div>
    ${actions || null}
  </li>`;
}

// ---- the Tasks block of a record card ----

// Only for roles that have tasks (the same rule as the Tasks module).
export function RecordTasks(props) {
  const app = useApp();
  return hasTasks(app.user) ? html`<${RecordTasksBlock} ...${props} />` : null;
}

function RecordTasksBlock({ entity, id, onChanged }) {
  useTaskZone();
  const app = useApp();
  const [open, setOpen] = useState(null);          // the record's open tasks
  const [done, setDone] = useState(null);          // done ones, loaded on request
  const [showDone, setShowDone] = useState(false);
  const [error, setError] = useState(null);
  const [dialog, setDialog] = useState(null);      // {task, edit}
  const base = { entity, record_id: id, assignee: 'any' };

  async function load() {
    try {
      const r = await api.get('/api/tasks', { ...base, done: 'false', limit: 200 });
      noteServerNow(r.now);
      setOpen(r.items || []);
      if (showDone) await loadDone();
    } catch (e) {
      setError(e);
      setOpen([]);
    }
  }
  async function loadDone() {
    try { setDone((await api.get('/api/tasks', { ...base, done: 'true', sort: '-due_at', limit: 50 })).items || []); }
    catch (e) { setError(e); }
  }
  useEffect(() => { load(); }, [entity, id]);
  useEffect(() => { if (showDone) loadDone(); }, [showDone]);
  useEffect(() => onTaskNews(() => { load(); onChanged && onChanged(); }, entity, id), [entity, id, showDone]);

  const changed = () => { load(); onChanged && onChanged(); };
  async function tick(task) {
    setError(null);
    // at once on screen (struck through, box ticked); the reload then moves it where it belongs
    const flip = (list) => list && list.map((x) => (x.id === task.id ? { ...x, done: !task.done } : x));
    setOpen(flip);
    setDone(flip);
    try {
      await patchTask(task, { done: !task.done });
      app.notify(task.done ? 'tasks.reopened' : 'tasks.completed', { title: task.title });
    } catch (e) { setError(e); }
    changed();
  }
  async function add(body) {
    await api.post('/api/tasks', { ...body, entity, record_id: id });
    app.notify('tasks.created', { title: body.title });
    changed();
  }
  async function remove(task) {
    if (!confirm(t('tasks.delete_confirm', { title: task.title }))) return;
    setError(null);
    try { await api.del('/api/tasks/' + task.id); } catch (e) { setError(e); }
    changed();
  }

  const rowActions = (task) => html`<span class="task-actions">
    <button type="button" class="icon-btn small" onClick=${() => setDialog({ task, edit: true })} aria-label=${t('tasks.edit_named', { title: task.title })}
      title=${t('common.edit')} data-testid="task-edit">
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M10.5 2.5l3 3L6 13H3v-3z" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round"/></svg>
    </button>
    <button type="button" class="icon-btn small" onClick=${() => remove(task)} aria-label=${t('tasks.delete_named', { title: task.title })}
      title=${t('tasks.delete')} data-testid="task-delete">
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.6 8.5h5.8l.6-8.5" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round"/></svg>
    </button>
  </span>`;
  const overdue = (open || []).filter((x) => x.overdue).length;

  return html`<section class="card record-tasks" data-testid="record-tasks">
    <div class="row-between">
      <h2 class="card-title">${t('tasks.title_card')}
        ${open && open.length ? html` <span class="muted small" data-testid="record-tasks-count">${open.length}</span>` : null}
        ${overdue ? html` <span class="badge overdue-badge">${t('tasks.n_overdue', { count: overdue })}</span>` : null}</h2>
    </div>
    ${error ? html`<div class="form-error" role="alert" data-testid="record-tasks-error">${taskError(error)}</div>` : null}
    ${open !== null ? html`<${TaskForm} compact testid="task-new" onSubmit=${add} />` : null}
    ${open === null ? html`<${Spinner} />` : open.length === 0 ? html`<p class="muted" data-testid="record-tasks-none">${t('tasks.none_open')}</p>` : html`<ul class="task-list">
      ${open.map((task) => html`<${TaskRow} key=${task.id} task=${task} onTick=${tick} onOpen=${(x) => setDialog({ task: x })}
        showAssignee=${task.assignee_id !== app.user.id} actions=${rowActions(task)} />`)}
    </ul>`}
    <button type="button" class="btn small ghost" aria-expanded=${showDone ? 'true' : 'false'} onClick=${() => setShowDone(!showDone)}
      data-testid="record-tasks-done-toggle">${showDone ? t('tasks.hide_done') : t('tasks.show_done')}</button>
    ${showDone ? (done === null ? html`<${Spinner} />` : done.length === 0 ? html`<p class="muted small">${t('tasks.none_done')}</p>` : html`<ul class="task-list done-list" data-testid="record-tasks-done">
      ${done.map((task) => html`<${TaskRow} key=${task.id} task=${task} onTick=${tick} onOpen=${(x) => setDialog({ task: x })} showAssignee=${task.assignee_id !== app.user.id} />`)}
    </ul>`) : null}
    ${dialog ? html`<${TaskDialog} task=${dialog.task} startEditing=${dialog.edit} onClose=${() => setDialog(null)} onChanged=${changed} />` : null}
  </section>`;
}

// A new task in a dialog (the Tasks module, an empty calendar slot): due_at preset by the caller.
export function NewTaskDialog({ due_at, onClose, onCreated }) {
  const app = useApp();
  return html`<${Dialog} title=${t('tasks.new_title')} onClose=${onClose} testid="task-new-dialog">
    <${TaskForm} initial=${{ due_at }} withRecord autoFocus testid="task-create" onCancel=${onClose}
      onSubmit=${async (body) => {
        const r = await api.post('/api/tasks', body);
        app.notify('tasks.created', { title: r.title });
        onCreated && onCreated(r);
        onClose();
      }} />
  <//>`;
}

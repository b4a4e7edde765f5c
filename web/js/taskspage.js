// The Tasks module: /tasks (the view last used), /tasks/list and /tasks/calendar.
//   list      tabs Overdue / Today / Tomorrow / This week / Later / Done, each task linked to
//             its record; ticked off in place
//   calendar  day / week / month (taskcalendar.js)
// Mine by default; roles that see everyone's tasks ("*") pick whose. ?assignee=me|any|ID and
// ?tab= keep the choice in the URL.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { api } from './api.js';
import { Link, useLocation, queryParams, setQuery } from './router.js';
import { useApp } from './context.js';
import { PageHeader, Spinner } from './ui.js';
import { useUsers, stored, store } from './crm.js';
import { Banner } from './widgets.js';
import { useTaskZone, seesAllTasks, loadTasks, patchTask, taskError, TaskRow, TaskDialog, NewTaskDialog, onTaskNews } from './tasks.js';
import { syncClock, today, addDays, weekStart, dayOf, dayName, shortDay } from './taskdates.js';
import { TaskCalendar } from './taskcalendar.js';

const VIEW_KEY = 'taskview';
const WHO_KEY = 'taskassignee';

export function TasksPage() {
  useTaskZone();
  const loc = useLocation();
  const [ready, setReady] = useState(false);
  useEffect(() => { syncClock().then(() => setReady(true)); }, []);
  const rest = loc.split('?')[0].slice('/tasks'.length).replace(/^\/+|\/+$/g, '');
  const view = rest === '' ? stored(VIEW_KEY, 'list') : rest;
  if (view !== 'list' && view !== 'calendar') {
    return html`<div class="page narrow" data-testid="not-found">
      <${PageHeader} title=${t('errors.not_found_title')} subtitle=${t('errors.not_found')} />
    </div>`;
  }
  if (!ready) return html`<div class="page"><div class="empty"><${Spinner} /></div></div>`;
  return html`<${TasksScreen} key=${view} view=${view} />`;
}

function TasksScreen({ view }) {
  const app = useApp();
  const all = seesAllTasks(app.user);
  const users = useUsers(app.user);
  const [who, setWho] = useState(() => {
    const want = queryParams().assignee || stored(WHO_KEY, 'me');
    return want === 'me' || want === 'any' || (all && /^\d+$/.test(want)) ? want : 'me';
  });
  const [creating, setCreating] = useState(null);       // {due_at} for the new-task dialog
  const [gen, setGen] = useState(0);                    // bumped when something was created
  const [news, setNews] = useState(0);                  // bumped when a task of mine arrives or falls due
  useEffect(() => onTaskNews(() => setNews((n) => n + 1)), []);
  useEffect(() => { store(VIEW_KEY, view); }, [view]);
  function chooseWho(v) { store(WHO_KEY, v); setWho(v); }

  const viewLink = (v, label) => html`<${Link} href=${'/tasks/' + v + (who !== 'me' ? '?assignee=' + who : '')}
      class=${'seg' + (view === v ? ' active' : '')} aria-current=${view === v ? 'page' : undefined} data-testid=${'tasks-view-' + v}>${label}<//>`;
  const header = html`<${PageHeader} title=${t('tasks.nav')}>
    <div class="segmented" role="group" aria-label=${t('crm.view')}>
      ${viewLink('list', t('tasks.view_list'))}${viewLink('calendar', t('tasks.view_calendar'))}
    </div>
    <button type="button" class="btn primary" onClick=${() => setCreating({})} data-testid="tasks-new">
      <span aria-hidden="true">+</span> ${t('tasks.new')}</button>
  <//>`;
  const whoSelect = html`<select class="input select who-select" value=${who} aria-label=${t('tasks.whose')}
      onChange=${(e) => chooseWho(e.currentTarget.value)} data-testid="tasks-assignee">
    <option value="me">${t('tasks.whose_me')}</option>
    <option value="any">${all ? t('tasks.whose_all') : t('tasks.whose_involved')}</option>
    ${all ? (users || []).filter((u) => u.active && u.id !== app.user.id).map((u) => html`<option key=${u.id} value=${String(u.id)}>${u.name || u.login}</option>`) : null}
  </select>`;
  const openCreate = (due_at) => setCreating({ due_at });
  return html`<div class=${'page' + (view === 'calendar' ? ' wide tasks-page' : ' tasks-page')} data-testid="tasks-page" data-view=${view}>
    ${header}
    ${view === 'list'
      ? html`<${TaskList} who=${who} whoSelect=${whoSelect} gen=${gen} news=${news} />`
      : html`<${TaskCalendar} who=${who} whoSelect=${whoSelect} gen=${gen} news=${news} onCreate=${openCreate} />`}
    ${creating ? html`<${NewTaskDialog} due_at=${creating.due_at} onClose=${() => setCreating(null)}
      onCreated=${() => setGen((g) => g + 1)} />` : null}
  </div>`;
}

// ---- the list ----

const TABS = ['overdue', 'today', 'tomorrow', 'week', 'later', 'done'];

// Which tab an open task belongs in, by its due day in the company's zone and the server's now.
function bucket(task, now) {
  if (task.overdue) return 'overdue';
  const day = dayOf(task.due_at);
  if (day <= now) return 'today';
  if (day === addDays(now, 1)) return 'tomorrow';
  if (day < addDays(weekStart(now), 7)) return 'week';
  return 'later';
}

function TaskList({ who, whoSelect, gen, news }) {
  const app = useApp();
  const [tab, setTab] = useState(() => (TABS.includes(queryParams().tab) ? queryParams().tab : 'today'));
  const [open, setOpen] = useState(null);
  const [done, setDone] = useState(null);      // {items, next}
  const [error, setError] = useState(null);
  const [dialog, setDialog] = useState(null);
  const [capped, setCapped] = useState(false);
  const seq = useRef(0);
  const tabsRef = useRef(null);

  async function load() {
    const n = ++seq.current;
    try {
      const r = await loadTasks({ assignee: who, done: 'false' });
      if (n !== seq.current) return;
      setOpen(r.items);
      setCapped(r.more);
      setError(null);
    } catch (e) {
      if (n === seq.current) { setError(e); setOpen([]); }
    }
  }
  async function loadDone(cursor) {
    try {
      const r = await api.get('/api/tasks', { assignee: who, done: 'true', sort: '-due_at', limit: 50, cursor });
      setDone((d) => ({ items: (cursor && d ? d.items : []).concat(r.items || []), next: r.next }));
    } catch (e) { setError(e); }
  }
  useEffect(() => { load(); if (tab === 'done') loadDone(); else setDone(null); }, [who, gen]);
  useEffect(() => { if (tab === 'done' && !done) loadDone(); }, [tab]);
  useEffect(() => { if (news) { load(); if (tab === 'done') loadDone(); } }, [news]);   // in place: no spinner
  useEffect(() => { setQuery({ tab: tab !== 'today' ? tab : undefined, assignee: who !== 'me' ? who : undefined }); }, [tab, who]);

  const now = today();
  const groups = Object.fromEntries(TABS.map((k) => [k, []]));
  for (const x of open || []) groups[bucket(x, now)].push(x);
  const count = (k) => (k === 'done' ? null : groups[k].length);

  async function tick(task) {
    setError(null);
    // at once on screen (struck through, box ticked); the reload then moves it where it belongs
    const flip = (list) => list && list.map((x) => (x.id === task.id ? { ...x, done: !task.done } : x));
    setOpen(flip);
    setDone((d) => d && { ...d, items: flip(d.items) });
    try {
      await patchTask(task, { done: !task.done });
      app.notify(task.done ? 'tasks.reopened' : 'tasks.completed', { title: task.title });
    } catch (e) { setError(e); }
    load();
    if (tab === 'done' || task.done) loadDone();
  }
  function changed() { load(); if (tab === 'done') loadDone(); }

  function tabKey(e) {
    const i = TABS.indexOf(tab);
    let j = null;
    if (e.key === 'ArrowRight') j = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') j = (i - 1 + TABS.length) % TABS.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = TABS.length - 1;
    if (j === null) return;
    e.preventDefault();
    setTab(TABS[j]);
    const btn = tabsRef.current && tabsRef.current.querySelector(`[data-tab="${TABS[j]}"]`);
    if (btn) btn.focus();
  }

  const items = tab === 'done' ? (done ? done.items : null) : open === null ? null : groups[tab];
  // days as sub-headings where a tab spans several
  const byDay = tab === 'overdue' || tab === 'week' || tab === 'later' || tab === 'done';
  const rows = [];
  let last = null;
  for (const x of items || []) {
    const day = dayOf(x.due_at);
    if (byDay && day !== last) {
      rows.push(html`<li key=${'d' + day} class="task-day" role="presentation">${dayName(day)}, ${shortDay(day, day.slice(0, 4) !== now.slice(0, 4))}</li>`);
      last = day;
    }
    rows.push(html`<${TaskRow} key=${x.id} task=${x} onTick=${tick} onOpen=${(task) => setDialog(task)} showRecord showAssignee=${who !== 'me'} />`);
  }

  return html`<div class="task-list-view" data-testid="tasks-list">
    <div class="toolbar">${whoSelect}</div>
    <div class="task-tabs" role="tablist" aria-label=${t('tasks.tabs')} ref=${tabsRef} onKeyDown=${tabKey}>
      ${TABS.map((k) => html`<button type="button" key=${k} role="tab" id=${'tab-' + k} aria-selected=${tab === k ? 'true' : 'false'}
          aria-controls="task-tabpanel" tabindex=${tab === k ? 0 : -1} data-tab=${k} data-testid=${'tasks-tab-' + k}
          class=${'task-tab' + (tab === k ? ' active' : '') + (k === 'overdue' && count(k) ? ' hot' : '')} onClick=${() => setTab(k)}>
        ${t(`tasks.tab_${k}`)}${count(k) !== null && open !== null ? html` <span class="tab-count" data-testid="tab-count">${count(k)}</span>` : null}
      </button>`)}
    </div>
    <${Banner} kind="error" testid="tasks-message" onClose=${() => setError(null)}>${error ? taskError(error) : null}<//>
    <section class="card task-panel" id="task-tabpanel" role="tabpanel" aria-labelledby=${'tab-' + tab} data-testid="tasks-panel">
      ${items === null ? html`<${Spinner} />` : items.length === 0
        ? html`<p class="empty" data-testid="tasks-empty">${t(`tasks.empty_${tab}`)}</p>`
        : html`<ul class="task-list">${rows}</ul>`}
      ${tab === 'done' && done && done.next ? html`<button type="button" class="btn small ghost" onClick=${() => loadDone(done.next)}
        data-testid="tasks-more">${t('common.load_more')}</button>` : null}
      ${capped && tab !== 'done' ? html`<p class="muted small">${t('tasks.capped')}</p>` : null}
    </section>
    ${dialog ? html`<${TaskDialog} task=${dialog} onClose=${() => setDialog(null)} onChanged=${changed} />` : null}
  </div>`;
}


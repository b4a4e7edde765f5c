// The task calendar: day / week / month in the company's time zone. A task sits at its due time;
// clicking it opens it (tick, edit, delete), clicking an empty slot creates a task at that time,
// dragging it to another slot or day reschedules it (PATCH due_at with the version seen; a stale
// one says so and reloads). Keys: ←/→ or K/J previous/next, T today, D/W/M the mode, N a new task.
// On a phone the day view is the default.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { ApiError } from './api.js';
import { queryParams, setQuery } from './router.js';
import { Spinner } from './ui.js';
import { stored, store } from './crm.js';
import { Avatar, Banner } from './widgets.js';
import { loadTasks, patchTask, taskError, formatDue, kindLabel, KindIcon, TaskDialog } from './tasks.js';
import { at, dayOf, timeOf, hhmm, today, serverNow, addDays, addMonths, weekStart, monthStart, sameMonth, validDay,
  dayName, dayNumber, longDay, monthTitle, rangeTitle, hourLabel } from './taskdates.js';

const MODES = ['day', 'week', 'month'];
const MODE_KEY = 'taskcalmode';
const MONTH_SHOWN = 3;                 // tasks a month cell shows before "+N more"
const HOURS = Array.from({ length: 24 }, (_, h) => h);

function narrow() { return window.matchMedia && window.matchMedia('(max-width: 760px)').matches; }

// First and last day on screen.
function range(mode, anchor) {
  if (mode === 'day') return [anchor, anchor];
  if (mode === 'week') { const s = weekStart(anchor); return [s, addDays(s, 6)]; }
  const s = weekStart(monthStart(anchor));
  return [s, addDays(s, 41)];
}

function days(from, to) {
  const out = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

export function TaskCalendar({ who, whoSelect, gen, news, onCreate }) {
  const p0 = queryParams();
  const [mode, setMode] = useState(() => (MODES.includes(p0.mode) ? p0.mode : stored(MODE_KEY, null) || (narrow() ? 'day' : 'week')));
  const [anchor, setAnchor] = useState(() => (validDay(p0.date) ? p0.date : today()));
  // the tasks are kept with the view they were loaded for, so that a view just switched to never
  // draws the previous view's tasks for a moment before its own arrive
  const [loaded, setLoaded] = useState({ view: null, items: null });
  const [banner, setBanner] = useState(null);
  const [dialog, setDialog] = useState(null);
  const [over, setOver] = useState(null);             // the slot under a dragged task
  const [live, setLive] = useState('');
  const seq = useRef(0);
  const drag = useRef(null);
  const scroller = useRef(null);
  const scrolledFor = useRef(null);
  const [from, to] = range(mode, anchor);
  const view = who + '|' + mode + '|' + from;
  const tasks = loaded.view === view ? loaded.items : null;
  const setTasks = (fn) => setLoaded((l) => ({ view: l.view, items: l.items && fn(l.items) }));

  async function load() {
    const n = ++seq.current;
    const v = view;
    try {
      const r = await loadTasks({ assignee: who, 'due.from': at(from, 0, 0), 'due.to': at(addDays(to, 1), 0, 0) - 1 });
      if (n === seq.current) setLoaded({ view: v, items: r.items });
    } catch (e) {
      if (n === seq.current) { setLoaded({ view: v, items: [] }); setBanner({ kind: 'error', text: taskError(e) }); }
    }
  }
  useEffect(() => { load(); }, [who, mode, from, gen]);
  useEffect(() => { if (news) load(); }, [news]);   // a task of mine arrived or fell due: in place, no spinner
  useEffect(() => {
    store(MODE_KEY, mode);
    setQuery({ mode, date: anchor !== today() ? anchor : undefined, assignee: who !== 'me' ? who : undefined });
  }, [mode, anchor, who]);

  // the working day in view: scroll the time grid to 08:00 (or the earliest task) once per period
  useLayoutEffect(() => {
    if (mode === 'month' || !tasks || !scroller.current || scrolledFor.current === mode + from) return;
    scrolledFor.current = mode + from;
    const first = Math.min(8, ...tasks.map((x) => timeOf(x.due_at).h));
    const row = scroller.current.querySelector(`[data-hour="${first}"]`);
    const head = scroller.current.querySelector('.cal-head');
    if (row) scroller.current.scrollTop = row.offsetTop - (head ? head.offsetHeight : 0);
  });

  function move(dir) {
    setAnchor((a) => (mode === 'day' ? addDays(a, dir) : mode === 'week' ? addDays(a, 7 * dir) : addMonths(a, dir)));
  }
  function showDay(day) { setAnchor(day); setMode('day'); }

  // keys, unless typing or a dialog is open; "g" starts the app's go-to shortcuts, so its
  // second key is not ours
  const keys = useRef({});
  keys.current = { move, setMode, setAnchor, onCreate };
  useEffect(() => {
    let gAt = 0;
    const onKey = (e) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      const el = e.target;
      if (el && el.closest && el.closest('input, textarea, select, [contenteditable]')) return;
      if (document.querySelector('dialog[open]')) return;
      const k = (e.key || '').toLowerCase();
      if (k === 'g') { gAt = Date.now(); return; }
      if (gAt && Date.now() - gAt < 1500) { gAt = 0; return; }
      const c = keys.current;
      const act = {
        arrowleft: () => c.move(-1), k: () => c.move(-1), arrowright: () => c.move(1), j: () => c.move(1),
        t: () => c.setAnchor(today()), d: () => c.setMode('day'), w: () => c.setMode('week'), m: () => c.setMode('month'),
        n: () => c.onCreate(Math.ceil((serverNow() + 1) / 3600000) * 3600000),
      }[k];
      if (!act) return;
      e.preventDefault();
      act();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  // ---- rescheduling ----

  async function reschedule(task, due) {
    if (due === task.due_at) return;
    setBanner(null);
    setTasks((list) => list.map((x) => (x.id === task.id ? { ...x, due_at: due, pending: true } : x)));
    try {
      const r = await patchTask(task, { due_at: due });
      setTasks((list) => list.map((x) => (x.id === r.id ? r : x)));
      setLive(t('tasks.moved', { title: r.title, when: formatDue(r.due_at) }));
    } catch (e) {
      const stale = e instanceof ApiError && (e.code === 'stale' || e.status === 404);
      setBanner({ kind: stale ? 'warn' : 'error', text: stale ? t('tasks.err_stale_reloaded') : taskError(e) });
      load();
    }
  }
  function dragStart(e, task) {
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', String(task.id));
    drag.current = task;
  }
  function dragEnd() { drag.current = null; setOver(null); }
  function dragOver(e, slot) {
    if (!drag.current) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    if (over !== slot) setOver(slot);
  }
  // onto an hour slot: that hour, :00 in its upper half and :30 in its lower half
  function dropOnSlot(e, day, hour) {
    e.preventDefault();
    const task = drag.current;
    dragEnd();
    if (!task) return;
    const r = e.currentTarget.getBoundingClientRect();
    reschedule(task, at(day, hour, e.clientY - r.top >= r.height / 2 ? 30 : 0));
  }
  // onto a day of the month: the same time of day
  function dropOnDay(e, day) {
    e.preventDefault();
    const task = drag.current;
    dragEnd();
    if (!task) return;
    const { h, min } = timeOf(task.due_at);
    reschedule(task, at(day, h, min));
  }
  // an empty spot: a new task there (an hour slot by its half, a month day at 10:00)
  function slotClick(e, day, hour) {
    if (e.target.closest('.cal-task, .cal-more, .cal-date')) return;
    if (hour === null) { onCreate(at(day, 10, 0)); return; }
    const r = e.currentTarget.getBoundingClientRect();
    onCreate(at(day, hour, e.clientY - r.top >= r.height / 2 ? 30 : 0));
  }

  // ---- drawing ----

  const byDay = {};
  for (const x of tasks || []) (byDay[dayOf(x.due_at)] ||= []).push(x);
  const now = today();
  const title = mode === 'day' ? longDay(anchor) : mode === 'week' ? rangeTitle(from, to) : monthTitle(anchor);
  const showWho = who !== 'me';

  const chip = (x, full) => html`<div key=${x.id} role="button" tabindex="0" draggable="true"
      class=${'cal-task kind-' + x.kind + (x.done ? ' done' : '') + (x.overdue ? ' overdue' : '') + (x.pending ? ' pending' : '')}
      data-testid="cal-task" data-task=${x.id} data-due=${x.due_at} data-overdue=${x.overdue ? 'true' : 'false'}
      title=${`${hhmm(x.due_at)} ${kindLabel(x.kind)}: ${x.title}${x.record_title ? ' — ' + x.record_title : ''}`}
      onClick=${(e) => { e.stopPropagation(); setDialog(x); }}
      onKeyDown=${(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); setDialog(x); } }}
      onDragStart=${(e) => dragStart(e, x)} onDragEnd=${dragEnd}>
    <span class="cal-time">${hhmm(x.due_at)}</span>
    <${KindIcon} kind=${x.kind} size=${12} />
    <span class="cal-title">${x.title}</span>
    ${full && x.record_title ? html`<span class="cal-record muted">${x.record_title}</span>` : null}
    ${showWho ? html`<${Avatar} name=${x.assignee_name} />` : null}
  </div>`;

  let body;
  if (mode === 'month') {
    const cells = days(from, to);
    body = html`<div class="cal-month" data-testid="cal-month">
      ${cells.slice(0, 7).map((d) => html`<div key=${'h' + d} class="cal-wd">${dayName(d)}</div>`)}
      ${cells.map((d) => {
        const list = byDay[d] || [];
        const cut = list.length > MONTH_SHOWN ? MONTH_SHOWN - 1 : list.length;
        return html`<div key=${d} class=${'cal-cell' + (d === now ? ' today' : '') + (sameMonth(d, anchor) ? '' : ' other') + (over === d ? ' over' : '')}
            data-testid="cal-day" data-day=${d} onClick=${(e) => slotClick(e, d, null)}
            onDragOver=${(e) => dragOver(e, d)} onDrop=${(e) => dropOnDay(e, d)}>
          <button type="button" class="cal-date" onClick=${() => showDay(d)} aria-label=${longDay(d)} data-testid="cal-date">${dayNumber(d)}</button>
          ${list.slice(0, cut).map((x) => chip(x, false))}
          ${list.length > cut ? html`<button type="button" class="cal-more" onClick=${() => showDay(d)} data-testid="cal-more">
            ${t('tasks.more', { count: list.length - cut })}</button>` : null}
        </div>`;
      })}
    </div>`;
  } else {
    const cols = days(from, to);
    const nowMs = serverNow();
    const nowTime = timeOf(nowMs);
    body = html`<div class="cal-scroll" ref=${scroller}>
      <div class=${'cal-grid ' + mode} style=${'--days:' + cols.length} data-testid=${'cal-' + mode}>
        <div class="cal-head cal-corner"></div>
        ${cols.map((d) => html`<div key=${'h' + d} class=${'cal-head' + (d === now ? ' today' : '')} data-testid="cal-dayhead">
          ${mode === 'week' ? html`<button type="button" class="link-btn" onClick=${() => showDay(d)} aria-label=${longDay(d)}>
            <span class="cal-wdname">${dayName(d)}</span> <span class="cal-daynum">${dayNumber(d)}</span></button>`
          : html`<span class="cal-wdname">${dayName(d, 'long')}</span> <span class="cal-daynum">${dayNumber(d)}</span>`}
        </div>`)}
        ${HOURS.map((h) => html`
          <div key=${'l' + h} class="cal-hour" data-hour=${h}>${hourLabel(h)}</div>
          ${cols.map((d) => {
            const list = (byDay[d] || []).filter((x) => timeOf(x.due_at).h === h);
            const slot = d + 'T' + h;
            return html`<div key=${slot} class=${'cal-slot' + (d === now ? ' today' : '') + (over === slot ? ' over' : '')}
                data-testid="cal-slot" data-day=${d} data-hour=${h} onClick=${(e) => slotClick(e, d, h)}
                onDragOver=${(e) => dragOver(e, slot)} onDrop=${(e) => dropOnSlot(e, d, h)}>
              ${d === now && nowTime.h === h ? html`<div class="cal-now" style=${`top:${(nowTime.min / 60) * 100}%`} aria-hidden="true"></div>` : null}
              ${list.map((x) => chip(x, mode === 'day'))}
            </div>`;
          })}`)}
      </div>
    </div>`;
  }

  const seg = (m) => html`<button type="button" key=${m} class=${'seg' + (mode === m ? ' active' : '')} aria-pressed=${mode === m ? 'true' : 'false'}
      onClick=${() => setMode(m)} data-testid=${'cal-mode-' + m} aria-keyshortcuts=${m.charAt(0).toUpperCase()}>${t(`tasks.mode_${m}`)}</button>`;
  return html`<div class="task-calendar" data-testid="tasks-calendar" data-mode=${mode} data-from=${from} data-to=${to}>
    <div class="toolbar wrap cal-toolbar">
      <button type="button" class="btn" onClick=${() => setAnchor(today())} data-testid="cal-today" aria-keyshortcuts="T">${t('tasks.today')}</button>
      <div class="cal-nav">
        <button type="button" class="icon-btn" onClick=${() => move(-1)} aria-label=${t('tasks.prev')} title=${t('tasks.prev')} data-testid="cal-prev">
          <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M10 3.5L5.5 8l4.5 4.5" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round"/></svg>
        </button>
        <button type="button" class="icon-btn" onClick=${() => move(1)} aria-label=${t('tasks.next')} title=${t('tasks.next')} data-testid="cal-next">
          <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M6 3.5L10.5 8 6 12.5" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round"/></svg>
        </button>
      </div>
      <h2 class="cal-title-text" aria-live="polite" data-testid="cal-title">${title}</h2>
      <div class="segmented" role="group" aria-label=${t('tasks.mode')}>${MODES.map(seg)}</div>
      ${whoSelect}
    </div>
    <${Banner} kind=${banner ? banner.kind : 'error'} testid="cal-message" onClose=${() => setBanner(null)}>${banner ? banner.text : null}<//>
    <div class="sr-only" aria-live="polite" data-testid="cal-live">${live}</div>
    ${tasks === null ? html`<div class="cal-loading"><${Spinner} /></div>` : null}
    ${body}
    <p class="board-help muted small" data-testid="cal-help">
      <kbd>←</kbd><kbd>→</kbd> / <kbd>K</kbd><kbd>J</kbd> ${t('tasks.help_move')} ·
      <kbd>T</kbd> ${t('tasks.help_today')} ·
      <kbd>D</kbd><kbd>W</kbd><kbd>M</kbd> ${t('tasks.help_modes')} ·
      <kbd>N</kbd> ${t('tasks.help_new')} · ${t('tasks.help_click')}
    </p>
    ${dialog ? html`<${TaskDialog} task=${dialog} onClose=${() => setDialog(null)} onChanged=${() => load()} />` : null}
  </div>`;
}

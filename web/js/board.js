// Kanban board of one pipeline: a column per stage (colour, count, amount), cards that move by
// drag and drop, by keyboard (arrows select, Shift+←/→ or M move, Enter opens) or by the card's
// move button (phones). Only the moves the server lists for this user are offered; a refused
// move puts the card back and says why; a move that needs fields or a checklist opens the card
// at that spot.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { api } from './api.js';
import { Link, navigate, queryParams, setQuery } from './router.js';
import { useApp } from './context.js';
import { Dialog, PageHeader, Spinner } from './ui.js';
import { ENTITIES, pipelinesFor, pipelineByKey, stageName, canMove, recordError, formatMoney,
  formatWhen, recordPath, useUsers, stored, store, mayDo, rememberBack } from './crm.js';
import { ViewSwitch, SearchBox, OwnerSelect, Avatar, PhoneLink, Banner } from './widgets.js';
import { useBoardSummary, ColumnTotals } from './boardsummary.js';

const PAGE = 20;

export function BoardPage({ entity }) {
  const app = useApp();
  const meta = ENTITIES[entity];
  const pls = pipelinesFor(app.pipelines, entity);
  const params = queryParams();
  const [pkey, setPkey] = useState(() => {
    const want = params.pipeline || stored('pipeline.' + entity, null);
    return (pls.find((p) => p.key === want) || pls[0] || {}).key || null;
  });
  const pipeline = pipelineByKey(pls, pkey);
  const [q, setQ] = useState(params.q || '');
  const [owner, setOwner] = useState(params.owner ?? stored('board_owner.' + entity, ''));
  const [cols, setCols] = useState({});
  const [drag, setDrag] = useState(null);            // {card, from} while a card is dragged
  const [over, setOver] = useState(null);            // the column under the pointer
  const [focusId, setFocusId] = useState(null);      // the card with tabindex 0
  const [moving, setMoving] = useState(null);        // {card, from}: the move dialog
  const [banner, setBanner] = useState(null);        // {kind, text}
  const [live, setLive] = useState('');              // screen-reader announcement
  const users = useUsers(app.user);
  const seq = useRef(0);
  const dragRef = useRef(null);
  const overRef = useRef(null);
  const dropped = useRef(false);
  const wantFocus = useRef(null);
  const boardRef = useRef(null);

  const base = () => ({ pipeline: pkey, q: q.trim() || undefined, owner: owner || undefined, sort: '-stage_changed_at' });
  const totals = useBoardSummary(pkey, () => ({ q: q.trim() || undefined, owner: owner || undefined }));

  async function loadAll() {
    if (!pipeline) return;
    const n = ++seq.current;
    totals.reload();
    setCols((old) => Object.fromEntries(pipeline.stages.map((s) => [s.key, { ...(old[s.key] || { items: [], next: null, total: null }), loading: true, error: null }])));
    await Promise.all(pipeline.stages.map(async (s) => {
      try {
        const r = await api.get('/api/' + meta.plural, { ...base(), stage: s.key, limit: PAGE });
        if (n !== seq.current) return;
        setCols((c) => ({ ...c, [s.key]: { items: r.items || [], next: r.next || null, total: r.total ?? null, loading: false, error: null } }));
      } catch (e) {
        if (n !== seq.current) return;
        setCols((c) => ({ ...c, [s.key]: { ...(c[s.key] || { items: [] }), loading: false, error: e } }));
      }
    }));
  }

  async function loadMore(stageKey) {
    const col = cols[stageKey];
    if (!col || !col.next || col.loading) return;
    const n = seq.current;
    setCols((c) => ({ ...c, [stageKey]: { ...c[stageKey], loading: true } }));
    try {
      const r = await api.get('/api/' + meta.plural, { ...base(), stage: stageKey, limit: PAGE, cursor: col.next });
      if (n !== seq.current) return;
      setCols((c) => {
        const have = new Set(c[stageKey].items.map((x) => x.id));
        return { ...c, [stageKey]: { ...c[stageKey], items: c[stageKey].items.concat((r.items || []).filter((x) => !have.has(x.id))), next: r.next || null, loading: false } };
      });
    } catch (e) {
      setCols((c) => ({ ...c, [stageKey]: { ...c[stageKey], loading: false, error: e } }));
    }
  }

  useEffect(() => {
    setQuery({ pipeline: pls.length > 1 ? pkey : undefined, q: q.trim() || undefined, owner: owner || undefined });
    rememberBack(entity);
    const timer = setTimeout(loadAll, q.trim() ? 250 : 0);
    return () => clearTimeout(timer);
  }, [pkey, q, owner]);

  // Keyboard moves and the move dialog keep the focus on the card that moved: {id, stage}, the
  // card in the column it goes to. An effect left over from an earlier render can run just
  // before the move's own render; focusing the card where it still was lost the focus with it.
  useEffect(() => {
    const w = wantFocus.current;
    if (w == null) return;
    const el = boardRef.current && boardRef.current.querySelector(`[data-testid="column-${w.stage}"] [data-card="${w.id}"]`);
    if (el) { el.focus(); el.scrollIntoView({ block: 'nearest', inline: 'nearest' }); wantFocus.current = null; }
  });

  function choosePipeline(key) {
    store('pipeline.' + entity, key);
    setCols({});
    setPkey(key);
  }
  function chooseOwner(v) {
    store('board_owner.' + entity, v);
    setOwner(v);
  }

  // ---- moving a card ----

  async function move(card, from, to) {
    if (!pipeline || from === to) return;
    const names = { from: stageName(pipeline, from), to: stageName(pipeline, to) };
    if (!canMove(pipeline, from, to)) {
      if (wantFocus.current && wantFocus.current.id === card.id) wantFocus.current = { id: card.id, stage: from };
      setBanner({ kind: 'error', text: t('crm.err_transition', names) });
      return;
    }
    setBanner(null);
    totals.shift(card, from, to);
    let at = 0;
    setCols((c) => {
      at = Math.max(0, c[from].items.findIndex((x) => x.id === card.id));
      return {
        ...c,
        [from]: { ...c[from], items: c[from].items.filter((x) => x.id !== card.id), total: c[from].total != null ? c[from].total - 1 : null },
        [to]: { ...c[to], items: [{ ...card, stage: to, pending: true }].concat(c[to].items), total: c[to].total != null ? c[to].total + 1 : null },
      };
    });
    try {
      const r = await api.patch(`/api/${meta.plural}/${card.id}`, { version: card.version, stage: to });
      const visible = r && r[meta.title] !== undefined;
      // an automatic move took it further: the focus goes along
      if (visible && r.stage !== to && document.activeElement && document.activeElement.dataset.card === String(card.id))
        wantFocus.current = { id: card.id, stage: r.stage };
      setCols((c) => {
        const next = { ...c, [to]: { ...c[to], items: c[to].items.filter((x) => x.id !== card.id) } };
        if (visible && next[r.stage]) {
          next[r.stage] = { ...next[r.stage], items: [r].concat(next[r.stage].items.filter((x) => x.id !== r.id)) };
          if (r.stage !== to) {            // an automatic move took it further
            next[to].total = next[to].total != null ? next[to].total - 1 : null;
            next[r.stage].total = next[r.stage].total != null ? next[r.stage].total + 1 : null;
          }
        } else if (!visible) {
          next[to].total = next[to].total != null ? next[to].total - 1 : null;
        }
        return next;
      });
      if (!visible) setBanner({ kind: 'info', text: t('crm.moved_out_of_sight') });
      totals.reload();
      setLive(t('board.moved', { name: card[meta.title], stage: stageName(pipeline, visible ? r.stage : to) }));
    } catch (err) {
      setCols((c) => {
        const items = c[from].items.slice();
        items.splice(Math.min(at, items.length), 0, card);
        return {
          ...c,
          [to]: { ...c[to], items: c[to].items.filter((x) => x.id !== card.id), total: c[to].total != null ? c[to].total - 1 : null },
          [from]: { ...c[from], items, total: c[from].total != null ? c[from].total + 1 : null },
        };
      });
      wantFocus.current = { id: card.id, stage: from };
      totals.reload();
      const text = recordError(err, { pipeline, from, to });
      if (err.status === 422 && (err.code === 'checklist_incomplete' || err.code === 'required')) {
        const need = err.code === 'required' ? err.field || '' : 'checklist';
        navigate(recordPath(entity, card.id) + '?' + new URLSearchParams({ move: to, need }));
        return;
      }
      setBanner({ kind: 'error', text });
      if (err.code === 'stale' || err.status === 404) loadAll();
    }
  }

  // ---- keyboard ----

  const order = pipeline ? pipeline.stages.map((s) => s.key) : [];
  function cardKey(e, card, stageKey) {
    if (e.target !== e.currentTarget) return;         // keys inside the card's links and buttons
    const items = (cols[stageKey] || {}).items || [];
    const i = items.findIndex((x) => x.id === card.id);
    const focusOn = (c, st = stageKey) => { if (c) { wantFocus.current = { id: c.id, stage: st }; setFocusId(c.id); } };
    const ci = order.indexOf(stageKey);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      focusOn(items[i + (e.key === 'ArrowDown' ? 1 : -1)]);
    } else if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      const dir = e.key === 'ArrowRight' ? 1 : -1;
      if (e.shiftKey) {
        for (let k = ci + dir; k >= 0 && k < order.length; k += dir) {
          if (canMove(pipeline, stageKey, order[k])) { wantFocus.current = { id: card.id, stage: order[k] }; move(card, stageKey, order[k]); return; }
        }
        setBanner({ kind: 'error', text: t('board.no_move_that_way') });
        return;
      }
      for (let k = ci + dir; k >= 0 && k < order.length; k += dir) {
        const other = (cols[order[k]] || {}).items || [];
        if (other.length) { focusOn(other[Math.min(i, other.length - 1)], order[k]); return; }
      }
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      focusOn(e.key === 'Home' ? items[0] : items[items.length - 1]);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      navigate(recordPath(entity, card.id));
    } else if ((e.key === 'm' || e.key === 'M' || e.key === 'ь' || e.key === 'Ь') && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      setMoving({ card, from: stageKey });
    }
  }

  // ---- drag and drop ----

  function dragStart(e, card, from) {
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', String(card.id));
    dragRef.current = { card, from };
    dropped.current = false;
    setTimeout(() => setDrag({ card, from }), 0);       // re-rendering inside dragstart can cancel the drag
  }
  function dragEnd() {
    const d = dragRef.current, o = overRef.current;
    dragRef.current = null;
    overRef.current = null;
    setDrag(null);
    setOver(null);
    // dropped on a column that does not take it: say why
    if (!dropped.current && d && o && o !== d.from && !canMove(pipeline, d.from, o))
      setBanner({ kind: 'error', text: t('crm.err_transition', { from: stageName(pipeline, d.from), to: stageName(pipeline, o) }) });
    dropped.current = false;
  }
  function dragOver(e, stageKey) {
    const d = dragRef.current;
    if (!d) return;
    if (overRef.current !== stageKey) { overRef.current = stageKey; setOver(stageKey); }
    if (stageKey === d.from) { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; return; }
    if (canMove(pipeline, d.from, stageKey)) { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; }
    else e.dataTransfer.dropEffect = 'none';
  }
  function drop(e, stageKey) {
    e.preventDefault();
    const d = dragRef.current;
    dropped.current = true;
    if (d && stageKey !== d.from) { wantFocus.current = { id: d.card.id, stage: stageKey }; setFocusId(d.card.id); move(d.card, d.from, stageKey); }
  }

  if (!pipeline) {
    return html`<div class="page" data-testid="board-page">
      <${PageHeader} title=${t(`crm.${meta.plural}`)}><${ViewSwitch} entity=${entity} view="board" /><//>
      <div class="card empty" data-testid="board-no-pipeline">${t('board.no_pipeline')}</div>
    </div>`;
  }

  const firstId = (() => { for (const k of order) { const it = (cols[k] || {}).items; if (it && it.length) return it[0].id; } return null; })();
  const tabId = focusId != null && order.some((k) => ((cols[k] || {}).items || []).some((x) => x.id === focusId)) ? focusId : firstId;
  const createHref = entity === 'company' ? '/companies/new?pipeline=' + pkey : meta.path + '/new?pipeline=' + pkey;

  return html`<div class="page wide" data-testid="board-page">
    <${PageHeader} title=${t(`crm.${meta.plural}`)} subtitle=${pls.length === 1 ? pipeline.name : null}>
      <${ViewSwitch} entity=${entity} view="board" />
      ${mayDo(app.user, entity, 'create') ? html`<${Link} class="btn primary" href=${createHref} data-testid="board-new">
        <span aria-hidden="true">+</span> ${t(`crm.new_${entity}`)}<//>` : null}
    <//>
    <div class="toolbar">
      ${pls.length > 1 ? html`<select class="input select" value=${pkey} aria-label=${t('board.pipeline')}
          onChange=${(e) => choosePipeline(e.currentTarget.value)} data-testid="board-pipeline">
        ${pls.map((p) => html`<option key=${p.key} value=${p.key}>${p.name}</option>`)}
      </select>` : null}
      <${SearchBox} value=${q} onInput=${setQ} placeholder=${t(`lists.search_${entity}`)} testid="board-search" />
      <${OwnerSelect} value=${owner} onChange=${chooseOwner} users=${users} testid="board-owner" />
    </div>
    <${Banner} kind=${banner ? banner.kind : 'error'} onClose=${() => setBanner(null)} testid="board-message">${banner ? banner.text : null}<//>
    <div class="sr-only" aria-live="polite" data-testid="board-live">${live}</div>
    <div class=${'board' + (drag ? ' dragging' : '')} ref=${boardRef} data-testid="board" role="region" aria-label=${pipeline.name}>
      ${pipeline.stages.map((s) => {
        const col = cols[s.key] || { items: [], loading: true };
        const allowed = drag && s.key !== drag.from ? canMove(pipeline, drag.from, s.key) : null;
        const cls = 'column' + (drag && s.key !== drag.from ? (allowed ? ' drop-ok' : ' drop-no') : '') + (over === s.key && drag ? ' over' : '');
        return html`<section key=${s.key} class=${cls} style=${'--stage:' + s.color} data-testid=${'column-' + s.key}
            data-allowed=${allowed === null ? undefined : String(allowed)} aria-label=${s.name}
            onDragOver=${(e) => dragOver(e, s.key)} onDrop=${(e) => drop(e, s.key)}>
          <header class="column-head">
            <span class="column-name">${s.name}</span>
            <${ColumnTotals} summary=${totals.summary} stageKey=${s.key} loaded=${col.total ?? col.items.length} money=${entity === 'deal'} />
          </header>
          ${drag && s.key !== drag.from ? html`<div class="drop-hint" aria-hidden="true">${allowed ? t('board.drop_here') : t('board.not_allowed')}</div>` : null}
          <div class="column-body" role="list">
            ${col.items.map((card) => html`<${Card} key=${card.id} card=${card} entity=${entity} stage=${s.key}
                tabIndex=${card.id === tabId ? 0 : -1} dragging=${drag && drag.card.id === card.id}
                onFocus=${() => setFocusId(card.id)}
                onKeyDown=${(e) => cardKey(e, card, s.key)}
                onDragStart=${(e) => dragStart(e, card, s.key)} onDragEnd=${dragEnd}
                onMove=${() => setMoving({ card, from: s.key })} />`)}
            ${!col.loading && !col.error && col.items.length === 0 ? html`<div class="column-empty">${t('board.empty')}</div>` : null}
            ${col.error ? html`<div class="column-empty error">${recordError(col.error)}</div>` : null}
            ${col.loading && col.items.length === 0 ? html`<div class="column-empty"><${Spinner} /></div>` : null}
            ${col.next ? html`<button type="button" class="btn small ghost block-btn" disabled=${col.loading}
              onClick=${() => loadMore(s.key)} data-testid="column-more">${t('common.load_more')}</button>` : null}
          </div>
        </section>`;
      })}
    </div>
    <p class="board-help muted small" data-testid="board-help">
      <kbd>↑</kbd><kbd>↓</kbd><kbd>←</kbd><kbd>→</kbd> ${t('board.help_select')} ·
      <kbd>Enter</kbd> ${t('board.help_open')} ·
      <kbd>M</kbd> ${t('board.help_move')} ·
      <kbd>Shift</kbd>+<kbd>←</kbd>/<kbd>→</kbd> ${t('board.help_shift')} ·
      <kbd>/</kbd> ${t('board.help_search')}
    </p>
    ${moving ? html`<${MoveDialog} pipeline=${pipeline} card=${moving.card} from=${moving.from} entity=${entity}
      onClose=${() => { wantFocus.current = { id: moving.card.id, stage: moving.from }; setMoving(null); }}
      onMove=${(to) => { const m = moving; setMoving(null); wantFocus.current = { id: m.card.id, stage: to }; setFocusId(m.card.id); move(m.card, m.from, to); }} />` : null}
  </div>`;
}

function Card({ card, entity, stage, tabIndex, dragging, onFocus, onKeyDown, onDragStart, onDragEnd, onMove }) {
  const meta = ENTITIES[entity];
  const title = card[meta.title] || '#' + card.id;
  const sub = entity === 'deal' ? [card.company_name, card.contact_name].filter(Boolean).join(' · ')
    : entity === 'company' ? card.city || '' : card.company_name || '';
  const href = recordPath(entity, card.id);
  return html`<article class=${'kcard' + (dragging ? ' is-dragging' : '') + (card.pending ? ' pending' : '')} role="listitem"
      tabindex=${tabIndex} draggable="true" data-card=${card.id} data-testid=${'card-' + card.id} data-stage=${stage}
      aria-label=${title} aria-keyshortcuts="Enter M Shift+ArrowLeft Shift+ArrowRight"
      onFocus=${onFocus} onKeyDown=${onKeyDown} onDragStart=${onDragStart} onDragEnd=${onDragEnd}
      onClick=${(e) => { if (!e.target.closest('a, button')) navigate(href); }}>
    <div class="kcard-top">
      <${Link} href=${href} class="kcard-title" tabindex="-1" draggable="false">${title}<//>
      <button type="button" class="icon-btn small kcard-move" tabindex="-1" aria-label=${t('board.move_named', { name: title })}
        title=${t('board.move')} onClick=${(e) => { e.stopPropagation(); onMove(); }} data-testid="card-move">
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M2 8h11M9.5 4.5L13 8l-3.5 3.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/></svg>
      </button>
    </div>
    ${entity === 'deal' && card.amount != null ? html`<div class="kcard-amount">${formatMoney(card.amount, card.currency)}</div>` : null}
    ${sub ? html`<div class="kcard-sub">${sub}</div>` : null}
    ${card.phones && card.phones.length ? html`<div class="kcard-phone"><${PhoneLink} phone=${card.phones[0]} /></div>` : null}
    <div class="kcard-foot">
      ${card.owner_name ? html`<span class="kcard-owner"><${Avatar} name=${card.owner_name} /><span>${card.owner_name}</span></span>` : html`<span class="muted">${t('crm.no_owner')}</span>`}
      <span class="muted" title=${t('board.in_stage_since')}>${formatWhen(card.stage_changed_at || card.updated_at)}</span>
    </div>
  </article>`;
}

// Move a card without a mouse: every stage, the allowed ones enabled. Arrow keys walk the list.
function MoveDialog({ pipeline, card, from, entity, onClose, onMove }) {
  const title = card[ENTITIES[entity].title];
  const list = useRef(null);
  useEffect(() => {
    const first = list.current && list.current.querySelector('button:not(:disabled)');
    if (first) first.focus();
  }, []);
  function key(e) {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const btns = [...list.current.querySelectorAll('button:not(:disabled)')];
    const i = btns.indexOf(document.activeElement);
    const next = btns[(i + (e.key === 'ArrowDown' ? 1 : -1) + btns.length) % btns.length];
    if (next) next.focus();
  }
  const any = pipeline.stages.some((s) => canMove(pipeline, from, s.key));
  return html`<${Dialog} title=${t('board.move_title', { name: title })} onClose=${onClose} testid="move-dialog">
    <p class="muted dialog-sub">${t('board.move_from', { stage: stageName(pipeline, from) })}</p>
    <div class="move-list" ref=${list} onKeyDown=${key} role="group">
      ${pipeline.stages.map((s) => {
        const ok = canMove(pipeline, from, s.key);
        return html`<button type="button" key=${s.key} class=${'move-item' + (s.key === from ? ' current' : '')} disabled=${!ok}
            style=${'--stage:' + s.color} onClick=${() => onMove(s.key)} data-testid=${'move-to-' + s.key}>
          <span class="dot" aria-hidden="true"></span>
          <span class="move-name">${s.name}</span>
          <span class="muted small">${s.key === from ? t('board.current') : ok ? '' : t('board.not_allowed')}</span>
        </button>`;
      })}
    </div>
    ${!any ? html`<p class="notice">${t('board.no_moves')}</p>` : null}
  <//>`;
}


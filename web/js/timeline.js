// A record's history, newest first: who changed what (old → new), stage moves with their
// reason, checklist ticks. Values are shown as the card shows them (stage names, money, phones).
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { t, has } from './i18n.js';
import { api } from './api.js';
import { Link } from './router.js';
import { FIELDS, fieldLabel, formatValue, formatDateTime, formatWhen, stageName, recordPath, customDef } from './crm.js';
import { formatCustom } from './fields.js';
import { Spinner } from './ui.js';
import { Avatar } from './widgets.js';
import { itemsChange } from './lineitems.js';

// Reasons the server writes for automatic changes, translated when known.
const REASONS = { 'a contact was linked': 'timeline.reason_contact_linked', 'line items': 'items.tl_reason' };

// A note's text in the history: the start of it, as a quote.
const noteText = (v) => { const s = String(v || ''); return s.length > 200 ? s.slice(0, 200) + '…' : s; };

// refresh: bumped by the card when something outside the record changed (a note, a task)
export function Timeline({ entity, id, version, refresh, pipeline, rec, users }) {
  const [items, setItems] = useState([]);
  const [next, setNext] = useState(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(false);

  async function load(cursor) {
    setLoading(true);
    try {
      const r = await api.get('/api/timeline', { entity, id, limit: 30, cursor });
      setItems((old) => (cursor ? old.concat(r.items || []) : r.items || []));
      setNext(r.next || null);
      setError(false);
    } catch {
      setError(true);
    } finally {
      setLoading(false);
    }
  }
  useEffect(() => { load(); }, [entity, id, version, refresh]);

  const userName = (uid) => {
    const u = (users || []).find((x) => x.id === uid);
    return u ? u.name || u.login : '#' + uid;
  };
  function value(ev, v) {
    if (v === null || v === undefined || v === '') return html`<span class="muted">${t('timeline.empty')}</span>`;
    const f = FIELDS[ev.field] || {};
    if (ev.kind === 'stage') return stageName(pipeline, v);
    if (ev.kind === 'checklist') return v ? t('timeline.done') : t('timeline.not_done');
    if (String(ev.field).startsWith('custom.')) { const d = customDef(entity, ev.field); return d ? formatCustom(d, v, users) : JSON.stringify(v); }
    if (f.type === 'user') return userName(v);
    if (f.type === 'ref') return html`<${Link} href=${recordPath(f.ref, v)}>${(rec && rec[f.ref + '_id'] === v && rec[f.label]) || '#' + v}<//>`;
    return formatValue(ev.field, v, rec);
  }
  function checklistLabel(field) {
    const [stage, item] = String(field || '').split('.');
    const list = rec && rec.checklists && rec.checklists[stage];
    const it = list && list.find((x) => x.key === item);
    return { stage: stageName(pipeline, stage), item: it ? it.label : item };
  }
  function what(ev) {
    switch (ev.kind) {
      case 'create': return html`<span>${t('timeline.created')}</span>`;
      case 'delete': return html`<span>${t('timeline.deleted')}</span>`;
      case 'stage': return html`<span><span class="tl-field">${t('fields.stage')}:</span> ${value(ev, ev.old)} <span class="arrow">→</span> <strong>${value(ev, ev.new)}</strong></span>`;
      case 'note': return html`<span><span class="tl-field">${t('notes.tl_note')}:</span> <span class="tl-note">${noteText(ev.new)}</span></span>`;
      case 'note_deleted': return html`<span><span class="tl-field">${t('notes.tl_note_deleted')}:</span> <s class="tl-note old">${noteText(ev.old)}</s></span>`;
      case 'task': return html`<span><span class="tl-field">${t('tasks.tl_added')}:</span> <strong>${ev.new}</strong></span>`;
      case 'task_done': return html`<span><span class="tl-field">${t('tasks.tl_done')}:</span> <strong>${ev.new}</strong></span>`;
      case 'checklist': {
        const c = checklistLabel(ev.field);
        return html`<span><span class="tl-field">${t('timeline.checklist', { stage: c.stage })}:</span> ${c.item} — <strong>${value(ev, ev.new)}</strong></span>`;
      }
      case 'merge': {
        const n = ev.new || {};
        return n.into ? html`<span>${t('data.tl_merged_into')} <${Link} href=${recordPath(entity, n.into)}>#${n.into}<//></span>`
          : html`<span>${t('data.tl_merged')} <strong>${n.name || '#' + n.merged}</strong> <span class="muted">#${n.merged}</span></span>`;
      }
      default:
        if (ev.field === 'items' && entity === 'deal') return itemsChange(ev, rec);
        return html`<span><span class="tl-field">${fieldLabel(ev.field || '', entity)}:</span> <span class="old">${value(ev, ev.old)}</span> <span class="arrow">→</span> <strong>${value(ev, ev.new)}</strong></span>`;
    }
  }
  const reason = (r) => (REASONS[r] && has(REASONS[r]) ? t(REASONS[r]) : r);

  return html`<section class="card timeline" data-testid="timeline">
    <h2 class="card-title">${t('timeline.title')}</h2>
    ${error ? html`<div class="form-error" role="alert">${t('timeline.error')}</div>` : null}
    <ol class="tl-list">
      ${items.map((ev) => html`<li key=${ev.id} class=${'tl-item kind-' + ev.kind} data-testid="timeline-item" data-kind=${ev.kind} data-field=${ev.field || ''}>
        <div class="tl-what">${what(ev)}</div>
        ${ev.reason ? html`<div class="tl-reason muted small">${t('timeline.automatic', { reason: reason(ev.reason) })}</div>` : null}
        <div class="tl-meta muted small">
          ${ev.actor ? html`<${Avatar} name=${ev.actor.name} />` : null}
          <span>${ev.actor ? ev.actor.name || '#' + ev.actor.id : t('timeline.system')}</span>
          <span>·</span>
          <time datetime=${new Date(ev.at).toISOString()} title=${formatDateTime(ev.at)}>${formatWhen(ev.at)}</time>
        </div>
      </li>`)}
    </ol>
    ${loading && !items.length ? html`<${Spinner} />` : null}
    ${!loading && !items.length && !error ? html`<p class="muted">${t('timeline.none')}</p>` : null}
    ${next ? html`<button type="button" class="btn small ghost" disabled=${loading} onClick=${() => load(next)}>${t('common.load_more')}</button>` : null}
  </section>`;
}

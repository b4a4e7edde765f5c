// The record card (/companies/7, /contacts/3, /deals/12): fields edited in place, the stage bar
// with the moves this user may make, checklists, links to related records, the timeline.
// Every write sends the version the user saw; a stale one says so and offers a reload.
// Also the create forms (/deals/new, /companies/new, /contacts/new).
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { api, ApiError } from './api.js';
import { Link, navigate, queryParams, setQuery } from './router.js';
import { useApp } from './context.js';
import { PageHeader, Spinner } from './ui.js';
import { ENTITIES, CARD_FIELDS, pipelinesFor, pipelineByKey, stageByKey, stageName, canMove, recordError, fieldError,
  formatDateTime, formatMoney, recordPath, useUsers, fieldLabel, parseMoney, mayDo, lastView, backUrl, customFieldsFor } from './crm.js';
import { EditableField, ListInputs, CustomField, CustomInput, parseCustom } from './fields.js';
import { mayMerge } from './merge.js';
import { DuplicateRefusal, isDuplicate } from './duplicates.js';
import { Timeline } from './timeline.js';
import { NotesPanel } from './notes.js';
import { RecordTasks } from './tasks.js';
import { LineItems } from './lineitems.js';
import { Banner, RecordPicker, PhoneLink, StageBadge, Avatar } from './widgets.js';

export function RecordPage({ entity, id }) {
  const app = useApp();
  const meta = ENTITIES[entity];
  const users = useUsers(app.user);
  const [rec, setRec] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [errors, setErrors] = useState({});          // field → error
  const [banner, setBanner] = useState(null);        // {kind, text, action}
  const [stale, setStale] = useState(false);
  const [gone, setGone] = useState(false);           // moved out of this user's sight
  const [attempt, setAttempt] = useState(() => {     // a move the board could not make: {to, need}
    const p = queryParams();
    return p.move ? { to: p.move, need: p.need || '' } : null;
  });
  const [checkErr, setCheckErr] = useState(null);
  const [gen, setGen] = useState(0);                 // bumped by a reload: editors start afresh
  const [moreOpen, setMoreOpen] = useState(false);
  const [notesRev, setNotesRev] = useState(0);       // a note written or deleted: the history has it
  const [taskTick, setTaskTick] = useState(0);      // a task changed: the timeline shows it
  const busy = useRef(false);

  async function load() {
    try {
      const r = await api.get(`/api/${meta.plural}/${id}`);
      setRec(r);
      setLoadError(null);
      setStale(false);
      setErrors({});
      setGen((g) => g + 1);
      return r;
    } catch (e) {
      setLoadError(e);
      return null;
    }
  }
  useEffect(() => { load(); }, [entity, id]);

  const pipeline = rec ? pipelineByKey(app.pipelines, rec.pipeline) : null;

  // a field that needs attention may sit among the "more" fields: open them
  useEffect(() => {
    const more = CARD_FIELDS[entity].more;
    if (more.some((k) => errors[k]) || (attempt && more.includes(attempt.need))) setMoreOpen(true);
  }, [errors, attempt]);

  // The board sent us here because a move needs something: say what, and point at it.
  const fromBoard = useRef(!!attempt);
  useEffect(() => {
    if (!rec || !attempt || !fromBoard.current) return;
    fromBoard.current = false;
    setQuery({});
    const stage = stageName(pipeline, attempt.to);
    if (attempt.need === 'checklist') setBanner({ kind: 'error', text: t('crm.err_checklist', { stage }) });
    else if (attempt.need) {
      const text = t('crm.err_required', { field: fieldLabel(attempt.need), stage });
      setBanner({ kind: 'error', text });
      setErrors((e) => ({ ...e, [attempt.need]: { key: 'crm.err_required', params: { field: fieldLabel(attempt.need), stage } } }));
    }
  }, [!!rec]);
  useEffect(() => {
    if (!rec || !attempt) return;
    const target = attempt.need === 'checklist' ? 'checklist-' + attempt.to : 'field-' + attempt.need;
    const el = document.getElementById(target);
    if (el) { el.scrollIntoView({ block: 'center' }); const f = el.querySelector('input, [tabindex="0"]'); if (f) f.focus({ preventScroll: true }); }
  }, [!!rec, attempt && attempt.to]);

  function handleWriteError(err, field, ctx) {
    if (err instanceof ApiError && err.code === 'stale') {
      setStale(true);
      if (field) setErrors((e) => ({ ...e, [field]: err }));
      return;
    }
    if (err instanceof ApiError && err.code === 'required' && err.field) {
      setErrors((e) => ({ ...e, [err.field]: { key: 'crm.err_required', params: { field: fieldLabel(err.field), stage: stageName(pipeline, ctx && ctx.to) } } }));
      setAttempt({ to: ctx && ctx.to, need: err.field });
      setBanner({ kind: 'error', text: recordError(err, { pipeline, ...ctx }) });
      return;
    }
    if (err instanceof ApiError && err.code === 'checklist_incomplete') {
      setAttempt({ to: ctx && ctx.to, need: 'checklist' });
      setBanner({ kind: 'error', text: recordError(err, { pipeline, ...ctx }) });
      return;
    }
    const key = err instanceof ApiError && err.field && err.field !== 'version' ? err.field : field;
    const shown = CARD_FIELDS[entity].main.concat(CARD_FIELDS[entity].more, meta.title, customFieldsFor(entity).map((d) => 'custom.' + d.key));
    if (key && shown.includes(key) && (!ctx || !ctx.to)) setErrors((e) => ({ ...e, [key]: err }));
    else setBanner({ kind: 'error', text: recordError(err, { pipeline, ...ctx }) });
  }

  // PATCH with the version on screen; true when saved.
  async function patch(body, field, ctx) {
    if (busy.current) return false;
    busy.current = true;
    setErrors((e) => (field && e[field] ? { ...e, [field]: null } : e));
    try {
      const r = await api.patch(`/api/${meta.plural}/${id}`, { version: rec.version, ...body });
      if (r && r[meta.title] === undefined) { setGone(true); return true; }
      setRec(r);
      setBanner(null);
      return true;
    } catch (err) {
      handleWriteError(err, field, ctx);
      return false;
    } finally {
      busy.current = false;
    }
  }

  async function save(body, field) {
    const ok = await patch(body, field);
    // a required field filled in: the move it was missing for can go ahead
    if (ok && attempt && attempt.need === field) setBanner({ kind: 'info', text: t('record.ready_to_move', { stage: stageName(pipeline, attempt.to) }), retry: true });
    return ok;
  }

  async function moveTo(to) {
    const from = rec.stage;
    const ok = await patch({ stage: to }, null, { from, to });
    if (ok) {
      setAttempt(null);
      setErrors({});
      app.notify('record.moved', { stage: stageName(pipeline, to) });
    }
  }

  async function mark(stage, item, done) {
    setCheckErr(null);
    try {
      const r = await api.put(`/api/${meta.plural}/${id}/checklist/${encodeURIComponent(stage)}/${encodeURIComponent(item)}`, { done });
      if (r) setRec(r);
      const list = (r && r.checklists && r.checklists[stage]) || [];
      if (attempt && attempt.to === stage && attempt.need === 'checklist' && list.every((x) => x.done))
        setBanner({ kind: 'info', text: t('record.ready_to_move', { stage: stageName(pipeline, stage) }), retry: true });
    } catch (err) {
      setCheckErr({ stage, text: recordError(err) });
    }
  }

  async function remove() {
    if (!confirm(t('record.delete_confirm', { name: rec[meta.title] }))) return;
    try {
      await api.del(`/api/${meta.plural}/${id}`);
      app.notify('record.deleted');
      navigate(meta.path);
    } catch (err) {
      setBanner({ kind: 'error', text: recordError(err) });
    }
  }

  if (loadError) {
    return html`<div class="page narrow" data-testid="record-missing">
      <${PageHeader} title=${loadError.status === 404 ? t('record.not_found_title') : t('errors.generic')}
        subtitle=${loadError.status === 404 ? t('record.not_found') : recordError(loadError)} />
      <${Link} class="btn" href=${meta.path}>${t(`record.back_${entity}`)}<//>
    </div>`;
  }
  if (!rec) return html`<div class="page"><div class="empty"><${Spinner} /></div></div>`;
  if (gone) {
    return html`<div class="page narrow" data-testid="record-gone">
      <${PageHeader} title=${t('record.gone_title')} subtitle=${t('record.gone')} />
      <${Link} class="btn" href=${meta.path}>${t(`record.back_${entity}`)}<//>
    </div>`;
  }

  const fields = CARD_FIELDS[entity];
  const backView = meta.pipeline ? lastView(entity, app.pipelines) : 'list';
  const editable = mayDo(app.user, entity, 'edit');
  const hasLines = entity === 'deal' && rec.items && rec.items.length > 0;   // the amount is theirs (422 amount_from_items)
  return html`<div class="page record-page" data-testid="record-page" data-version=${rec.version}>
    <nav class="crumbs" aria-label=${t('record.breadcrumbs')}>
      ${mayDo(app.user, entity, 'read') ? html`<${Link} href=${backUrl(entity, meta.path + '/' + backView)} data-testid="record-back">${t(`crm.${meta.plural}`)}<//>`
        : html`<span>${t(`crm.${meta.plural}`)}</span>`}
      <span aria-hidden="true">›</span>
      <span class="muted">${t(`crm.one_${entity}`)} #${rec.id}</span>
    </nav>
    <div class="record-head">
      <div class="record-title">
        <${TitleField} key=${'title-' + gen} rec=${rec} field=${meta.title} label=${fieldLabel(meta.title, entity)} error=${errors[meta.title]} onSave=${save} readOnly=${!editable} />
        <div class="record-sub muted">
          ${entity === 'deal' && rec.amount != null ? html`<span class="strong amount" data-testid="record-amount">${formatMoney(rec.amount, rec.currency)}</span>` : null}
          ${rec.company_name && entity !== 'company' ? html`<${Link} href=${recordPath('company', rec.company_id)}>${rec.company_name}<//>` : null}
          ${rec.owner_name ? html`<span class="owner-cell"><${Avatar} name=${rec.owner_name} />${rec.owner_name}</span>` : null}
          ${rec.phones && rec.phones[0] ? html`<${PhoneLink} phone=${rec.phones[0]} />` : null}
        </div>
      </div>
      <div class="record-actions">
        ${mayMerge(app.user, entity) ? html`<${Link} class="btn small" href=${meta.path + '/merge?keep=' + rec.id} data-testid="record-merge">${t('data.merge_button')}<//>` : null}
        ${app.user && mayDo(app.user, entity, 'delete') ? html`<button type="button" class="btn danger-ghost small" onClick=${remove} data-testid="record-delete">${t('record.delete')}</button>` : null}
      </div>
    </div>
    ${pipeline ? html`<${StageBar} pipeline=${pipeline} rec=${rec} onMove=${moveTo} attempt=${attempt} readOnly=${!editable} />`
      : rec.pipeline ? html`<p class="muted">${t('fields.stage')}: ${rec.stage}</p>` : null}
    ${stale ? html`<${Banner} kind="warn" testid="stale-banner"
        action=${html`<button type="button" class="btn small" onClick=${load} data-testid="stale-reload">${t('record.reload')}</button>`}>
        ${t('crm.err_stale')}<//>` : null}
    <${Banner} kind=${banner ? banner.kind : 'error'} testid="record-message" onClose=${() => setBanner(null)}
      action=${banner && banner.retry && attempt ? html`<button type="button" class="btn small primary" onClick=${() => moveTo(attempt.to)}
        data-testid="retry-move">${t('record.move_now', { stage: stageName(pipeline, attempt.to) })}</button>` : null}>${banner ? banner.text : null}<//>
    <div class="record-grid">
      <div class="record-main">
        <section class="card" key=${'fields-' + gen}>
          <h2 class="card-title">${t('record.details')}</h2>
          <div class="rfields">
            ${fields.main.map((k) => html`<${EditableField} key=${k} field=${k} rec=${rec} error=${errors[k]} onSave=${save} users=${users}
              readOnly=${!editable || (k === 'amount' && hasLines)} startEditing=${attempt && attempt.need === k}
              hint=${k === 'amount' && hasLines ? html`<${AmountFromLines} editable=${editable} />` : null} />`)}
          </div>
          ${customFieldsFor(entity).length ? html`<h3 class="sub-title">${t('record.custom_fields')}</h3>
          <div class="rfields" data-testid="custom-fields">
            ${customFieldsFor(entity).map((d) => html`<${CustomField} key=${d.key} def=${d} rec=${rec} error=${errors['custom.' + d.key]}
              onSave=${save} users=${users} readOnly=${!editable} startEditing=${attempt && attempt.need === 'custom.' + d.key} />`)}
          </div>` : null}
          <details class="more-fields" open=${moreOpen} onToggle=${(e) => setMoreOpen(e.currentTarget.open)}>
            <summary>${t('record.more_fields')}</summary>
            <div class="rfields">
              ${fields.more.map((k) => html`<${EditableField} key=${k} field=${k} rec=${rec} error=${errors[k]} onSave=${save} users=${users}
                readOnly=${!editable} />`)}
            </div>
          </details>
          <p class="record-meta muted small">
            ${rec.created_by_name ? t('record.created', { when: formatDateTime(rec.created_at), who: rec.created_by_name })
              : t('record.created_plain', { when: formatDateTime(rec.created_at) })}<br />
            ${rec.updated_by_name ? t('record.updated', { when: formatDateTime(rec.updated_at), who: rec.updated_by_name })
              : t('record.updated_plain', { when: formatDateTime(rec.updated_at) })}
          </p>
        </section>
        ${entity === 'deal' ? html`<${LineItems} rec=${rec} user=${app.user} editable=${editable} onReload=${load}
          onSaved=${(r) => { setRec((x) => ({ ...x, items: r.items, version: r.version, amount: r.amount })); api.get('/api/deals/' + id).then(setRec).catch(() => {}); }} />` : null}
        ${entity !== 'deal' ? html`<${Related} entity=${entity} rec=${rec} />` : null}
      </div>
      <div class="record-side">
        ${entity === 'deal' && rec.contact_id ? html`<${ClientCard} key=${rec.contact_id} id=${rec.contact_id} />` : null}
        ${rec.checklists && Object.keys(rec.checklists).length ? html`<${Checklists} rec=${rec} pipeline=${pipeline} onMark=${mark}
          attempt=${attempt} error=${checkErr} readOnly=${!editable} />` : null}
        <${RecordTasks} entity=${entity} id=${rec.id} onChanged=${() => setTaskTick((n) => n + 1)} />
        <${NotesPanel} entity=${entity} id=${rec.id} onChange=${() => setNotesRev((n) => n + 1)} />
        <${Timeline} entity=${entity} id=${rec.id} version=${rec.version} refresh=${notesRev + taskTick} pipeline=${pipeline} rec=${rec} users=${users} />
      </div>
    </div>
  </div>`;
}

// Under a deal's amount while it has lines: where the amount comes from, and a way there.
function AmountFromLines({ editable }) {
  function go() {
    const block = document.querySelector('[data-testid="line-items"]');
    if (!block) return;
    block.scrollIntoView({ block: 'start', behavior: 'smooth' });
    const search = block.querySelector('[data-testid="li-search"]');
    if (search) search.focus({ preventScroll: true });
  }
  return html`${t('core.amount_from_lines')}${editable ? html` <button type="button" class="link-btn accent-link" onClick=${go}
    data-testid="amount-edit-lines">${t('core.edit_lines')}</button>` : null}`;
}

// The record's name as the page heading, edited in place like any field.
function TitleField({ rec, field, label, error, onSave, readOnly }) {
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const ref = useRef(null);
  useEffect(() => { if (editing && ref.current) { ref.current.focus(); ref.current.select(); } }, [editing]);
  useEffect(() => { if (error) setEditing(true); }, [error]);
  async function commit(v) {
    if (busy) return;
    if (v.trim() === rec[field]) { setEditing(false); return; }
    setBusy(true);
    const ok = await onSave({ [field]: v.trim() }, field);
    setBusy(false);
    if (ok) setEditing(false);
  }
  if (editing) {
    return html`<div class="title-edit">
      <input ref=${ref} class="input title-input" value=${rec[field]} disabled=${busy} aria-label=${label}
        aria-invalid=${error ? 'true' : undefined} data-testid="input-title"
        onKeyDown=${(e) => { if (e.key === 'Enter') { e.preventDefault(); commit(e.currentTarget.value); } else if (e.key === 'Escape') { e.preventDefault(); setEditing(false); } }}
        onBlur=${(e) => { if (!error) commit(e.currentTarget.value); }} />
      ${error ? html`<div class="field-error" role="alert" data-testid="error-title">${fieldError(error)}</div>` : null}
    </div>`;
  }
  return html`<h1 tabindex="-1" data-testid="page-title" class=${readOnly ? '' : 'editable-title'}
    title=${readOnly ? undefined : t('record.click_to_edit')}
    onClick=${() => { if (!readOnly) setEditing(true); }}
    onKeyDown=${(e) => { if (!readOnly && (e.key === 'Enter' || e.key === 'F2')) setEditing(true); }}>${rec[field]}</h1>`;
}

// Stages in order; the current one filled; the ones this user may move to are buttons.
function StageBar({ pipeline, rec, onMove, attempt, readOnly }) {
  const [busy, setBusy] = useState(false);
  const cur = pipeline.stages.findIndex((s) => s.key === rec.stage);
  async function go(key) {
    setBusy(true);
    await onMove(key);
    setBusy(false);
  }
  return html`<div class="stage-bar" role="group" aria-label=${t('record.stage_bar', { pipeline: pipeline.name })} data-testid="stage-bar">
    ${pipeline.stages.map((s, i) => {
      const current = s.key === rec.stage;
      const ok = !readOnly && canMove(pipeline, rec.stage, s.key);
      const cls = 'stage-step' + (current ? ' current' : '') + (i < cur ? ' past' : '') + (ok ? ' allowed' : '') +
        (attempt && attempt.to === s.key ? ' attempted' : '') + ' kind-' + s.kind;
      return html`<button type="button" key=${s.key} class=${cls} style=${'--stage:' + s.color}
          disabled=${current || !ok || busy} aria-current=${current ? 'step' : undefined}
          title=${current ? t('record.stage_current') : ok ? t('record.stage_move_to', { stage: s.name }) : t('record.stage_not_allowed')}
          onClick=${() => go(s.key)} data-testid=${'stage-' + s.key}>
        <span class="stage-name">${s.name}</span>
      </button>`;
    })}
  </div>`;
}

function Checklists({ rec, pipeline, onMark, attempt, error, readOnly }) {
  const [pending, setPending] = useState({});        // ticks shown at once, before the server answers
  const mark = async (stage, item, done) => {
    setPending((p) => ({ ...p, [stage + '.' + item]: done }));
    await onMark(stage, item, done);
    setPending((p) => { const n = { ...p }; delete n[stage + '.' + item]; return n; });
  };
  const order = pipeline ? pipeline.stages.map((s) => s.key) : Object.keys(rec.checklists);
  const keys = Object.keys(rec.checklists).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return html`${keys.map((stage) => {
    const list = rec.checklists[stage];
    const done = list.filter((x) => pending[stage + '.' + x.key] ?? x.done).length;
    const hot = attempt && attempt.to === stage && attempt.need === 'checklist';
    return html`<section key=${stage} class=${'card checklist' + (hot ? ' attention' : '')} id=${'checklist-' + stage} data-testid=${'checklist-' + stage}>
      <h2 class="card-title">${t('record.checklist', { stage: stageName(pipeline, stage) })}
        <span class="muted small"> ${done}/${list.length}</span></h2>
      ${hot ? html`<p class="checklist-note" role="alert" data-testid="checklist-note">${t('record.checklist_needed', { stage: stageName(pipeline, stage) })}</p>` : null}
      <ul class="check-list">
        ${list.map((it) => html`<li key=${it.key}>
          <label class="check-row">
            <input type="checkbox" checked=${pending[stage + '.' + it.key] ?? it.done} disabled=${readOnly} data-testid=${'check-' + stage + '-' + it.key}
              onChange=${(e) => mark(stage, it.key, e.currentTarget.checked)} />
            <span class=${(pending[stage + '.' + it.key] ?? it.done) ? 'done' : ''}>${it.label}</span>
          </label>
        </li>`)}
      </ul>
      ${error && error.stage === stage ? html`<div class="field-error" role="alert">${error.text}</div>` : null}
    </section>`;
  })}`;
}

// A company's contacts and deals; a contact's deals: the first few, and a link to the full list.
function Related({ entity, rec }) {
  const app = useApp();
  const dealPipelines = pipelinesFor(app.pipelines, 'deal').length > 0;
  const blocks = entity === 'company'
    ? [{ of: 'contact', filter: 'company_id' }, dealPipelines ? { of: 'deal', filter: 'company_id' } : null]
    : [dealPipelines ? { of: 'deal', filter: 'contact_id' } : null];
  return html`${blocks.filter(Boolean).map((b) => html`<${RelatedBlock} key=${b.of} of=${b.of} filter=${b.filter} rec=${rec} />`)}`;
}

function RelatedBlock({ of, filter, rec }) {
  const app = useApp();
  const meta = ENTITIES[of];
  const [data, setData] = useState(null);
  useEffect(() => {
    api.get('/api/' + meta.plural, { [filter]: rec.id, limit: 10, count: 'true', sort: '-updated_at' })
      .then(setData).catch(() => setData({ items: [], total: 0 }));
  }, [rec.id, rec.version]);
  const pl = (r) => pipelineByKey(app.pipelines, r.pipeline);
  return html`<section class="card related" data-testid=${'related-' + meta.plural}>
    <div class="row-between">
      <h2 class="card-title">${t(`crm.${meta.plural}`)} ${data && data.total != null ? html`<span class="muted small">${data.total}</span>` : null}</h2>
      ${mayDo(app.user, of, 'create') ? html`<${Link} class="btn small" href=${meta.path + '/new?' + filter + '=' + rec.id} data-testid=${'related-new-' + of}>
        + ${t(`crm.new_${of}`)}<//>` : null}
    </div>
    ${!data ? html`<${Spinner} />` : data.items.length === 0 ? html`<p class="muted">${t(`record.no_${meta.plural}`)}</p>` : html`<ul class="related-list">
      ${data.items.map((r) => html`<li key=${r.id}>
        <${Link} href=${recordPath(of, r.id)} class="strong">${r[meta.title]}<//>
        <span class="muted small">
          ${of === 'deal' ? html`${r.stage ? html`<${StageBadge} stage=${stageByKey(pl(r), r.stage)} name=${stageName(pl(r), r.stage)} />` : null}
            ${r.amount != null ? ' ' + formatMoney(r.amount, r.currency) : ''}` : null}
          ${of === 'contact' ? [r.position, r.phones && r.phones[0] ? html`<${PhoneLink} phone=${r.phones[0]} />` : null].filter(Boolean).map((x, i) => html`${i ? ' · ' : ''}${x}`) : null}
        </span>
      </li>`)}
    </ul>`}
    ${data && data.total > data.items.length ? html`<${Link} href=${meta.path + '/list?' + filter + '=' + rec.id} data-testid=${'related-all-' + of}>
      ${t('record.show_all', { count: data.total })}<//>` : null}
  </section>`;
}

// A deal's client at hand: name, phones and e-mails of its contact, to call or write at once.
function ClientCard({ id }) {
  const [c, setC] = useState(null);
  useEffect(() => { api.get('/api/contacts/' + id).then(setC).catch(() => setC(null)); }, [id]);
  if (!c) return null;
  return html`<section class="card client-card" data-testid="client-card">
    <h2 class="card-title">${t('record.client')}</h2>
    <div><${Link} href=${recordPath('contact', c.id)} class="strong">${c.name}<//>
      ${c.position ? html` <span class="muted">· ${c.position}</span>` : null}</div>
    ${c.company_name ? html`<div><${Link} href=${recordPath('company', c.company_id)}>${c.company_name}<//></div>` : null}
    <div class="value-list">
      ${(c.phones || []).map((p) => html`<${PhoneLink} key=${p} phone=${p} />`)}
      ${(c.emails || []).map((m) => html`<a key=${m} href=${'mailto:' + m}>${m}</a>`)}
    </div>
  </section>`;
}

// ---- create forms ----

export function CreatePage({ entity }) {
  const app = useApp();
  const meta = ENTITIES[entity];
  const users = useUsers(app.user);
  const p0 = queryParams();
  const pls = pipelinesFor(app.pipelines, entity);
  const [v, setV] = useState({
    title: '', name: '', amount: '', position: '', city: '', domain: '', notes: '',
    pipeline: (pls.find((p) => p.key === p0.pipeline) || pls[0] || {}).key || '', stage: '',
    owner_id: '', phones: [''], emails: [''],
    company: null, contact: null, custom: {},
  });
  const customDefs = customFieldsFor(entity);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const set = (k, val) => { setV((o) => ({ ...o, [k]: val, ...(k === 'pipeline' ? { stage: '' } : {}) })); setErrors((e) => ({ ...e, [k]: null })); };

  // Prefill the company/contact a "new" link came from (/contacts/new?company_id=7).
  useEffect(() => {
    for (const [param, ent] of [['company_id', 'company'], ['contact_id', 'contact']]) {
      if (!p0[param]) continue;
      api.get(`/api/${ENTITIES[ent].plural}/${p0[param]}`)
        .then((r) => setV((o) => ({ ...o, [ent]: { id: r.id, name: r[ENTITIES[ent].title] },
          ...(ent === 'contact' && r.company_id && !o.company ? { company: { id: r.company_id, name: r.company_name } } : {}) })))
        .catch(() => {});
    }
  }, []);

  const pipeline = pipelineByKey(pls, v.pipeline);
  async function submit(e, allowDuplicate = false) {
    e.preventDefault();
    if (busy) return;
    const body = {};
    const title = (v[meta.title] || '').trim();
    if (!title) { setErrors({ [meta.title]: { key: 'crm.err_empty', params: { field: fieldLabel(meta.title, entity) } } }); document.getElementById('new-' + meta.title)?.focus(); return; }
    body[meta.title] = title;
    if (meta.pipeline && v.pipeline) body.pipeline = v.pipeline;
    if (meta.pipeline && v.stage) body.stage = v.stage;
    if (entity === 'deal' && v.amount.trim()) {
      const a = parseMoney(v.amount);
      if (Number.isNaN(a)) { setErrors({ amount: { key: 'crm.err_money' } }); return; }
      body.amount = a;
    }
    if (v.company && entity !== 'company') body.company_id = v.company.id;
    if (v.contact && entity === 'deal') body.contact_id = v.contact.id;
    if (v.owner_id) body.owner_id = Number(v.owner_id);
    if (meta.phones) {
      const phones = v.phones.map((x) => x.trim()).filter(Boolean);
      const emails = v.emails.map((x) => x.trim()).filter(Boolean);
      if (phones.length) body.phones = phones;
      if (emails.length) body.emails = emails;
    }
    for (const k of ['position', 'city', 'domain', 'notes']) if (v[k].trim() && (k !== 'position' || entity === 'contact') && (k !== 'domain' || entity === 'company')) body[k] = v[k].trim();
    // custom fields: typed as on the card; a required one left empty stops here, next to its input
    const custom = {}, bad = {};
    for (const d of customDefs) {
      const x = parseCustom(d, v.custom[d.key]);
      if (x && x.error) bad['custom.' + d.key] = { key: x.error };
      else if (x === null || x === false && d.type !== 'bool') { if (d.required) bad['custom.' + d.key] = { key: 'crm.err_empty', params: { field: d.label } }; }
      else custom[d.key] = x;
    }
    if (Object.keys(bad).length) { setErrors(bad); document.getElementById('new-' + Object.keys(bad)[0].replace('.', '-'))?.focus(); return; }
    if (Object.keys(custom).length) body.custom = custom;
    if (allowDuplicate) body.allow_duplicate = true;
    setBusy(true);
    setErrors({});
    try {
      const r = await api.post('/api/' + meta.plural, body);
      app.notify('record.created_ok', { name: r[meta.title] });
      navigate(recordPath(entity, r.id), { replace: true });
    } catch (err) {
      const key = err instanceof ApiError && err.field ? (err.field === 'company_id' ? 'company' : err.field === 'contact_id' ? 'contact' : err.field) : null;
      // an error about a field this form shows goes next to it; any other (a required custom field…) on top
      const shown = [meta.title, 'pipeline', 'stage', 'amount', 'company', 'contact', 'position', 'phones', 'emails', 'domain', 'city', 'owner_id',
        ...customDefs.map((d) => 'custom.' + d.key)];
      if (isDuplicate(err)) setErrors({ _form: err });
      else if (key && shown.includes(key)) setErrors({ [key]: err });
      else setErrors({ _form: err });
    } finally {
      setBusy(false);
    }
  }

  const errText = (k) => (errors[k] ? fieldError(errors[k]) : null);
  return html`<div class="page narrow" data-testid="create-page">
    <nav class="crumbs"><${Link} href=${meta.path}>${t(`crm.${meta.plural}`)}<//><span aria-hidden="true">›</span></nav>
    <${PageHeader} title=${t(`crm.new_${entity}`)} />
    <form class="card form-card" onSubmit=${submit} novalidate data-testid="create-form">
      ${isDuplicate(errors._form) ? html`<${DuplicateRefusal} err=${errors._form} user=${app.user} busy=${busy}
          onSaveAnyway=${(e) => submit(e, true)} />`
        : errors._form ? html`<div class="form-error" role="alert" data-testid="form-error">${recordError(errors._form)}</div>` : null}
      <${TextRow} id=${'new-' + meta.title} label=${fieldLabel(meta.title, entity)} value=${v[meta.title]} error=${errText(meta.title)}
        onInput=${(x) => set(meta.title, x)} autofocus />
      ${meta.pipeline && pls.length ? html`<div class="grid-2">
        ${pls.length > 1 || entity === 'company' ? html`<div class="field">
          <label for="new-pipeline">${t('board.pipeline')}</label>
          <select id="new-pipeline" class="input select" value=${v.pipeline} onChange=${(e) => set('pipeline', e.currentTarget.value)} data-testid="new-pipeline">
            ${entity === 'company' ? html`<option value="">${t('record.no_pipeline')}</option>` : null}
            ${pls.map((p) => html`<option key=${p.key} value=${p.key}>${p.name}</option>`)}
          </select>
          ${errText('pipeline') ? html`<div class="field-error" role="alert">${errText('pipeline')}</div>` : null}
        </div>` : null}
        ${pipeline ? html`<div class="field">
          <label for="new-stage">${t('fields.stage')}</label>
          <select id="new-stage" class="input select" value=${v.stage} onChange=${(e) => set('stage', e.currentTarget.value)} data-testid="new-stage">
            ${pipeline.stages.map((s, i) => html`<option key=${s.key} value=${i === 0 ? '' : s.key}>${s.name}</option>`)}
          </select>
          ${errText('stage') ? html`<div class="field-error" role="alert">${errText('stage')}</div>` : null}
        </div>` : null}
      </div>` : null}
      ${entity === 'deal' ? html`<${TextRow} id="new-amount" label=${fieldLabel('amount')} value=${v.amount} error=${errText('amount')}
        inputmode="decimal" onInput=${(x) => set('amount', x)} />` : null}
      ${entity === 'deal' ? html`<div class="field">
        <label for="new-contact">${fieldLabel('contact_id')}</label>
        <${RecordPicker} entity="contact" id="new-contact" testid="new-contact" value=${v.contact} invalid=${!!errors.contact}
          onChange=${(x) => set('contact', x)} />
        ${errText('contact') ? html`<div class="field-error" role="alert">${errText('contact')}</div>` : null}
      </div>` : null}
      ${entity !== 'company' ? html`<div class="field">
        <label for="new-company">${fieldLabel('company_id')}</label>
        <${RecordPicker} entity="company" id="new-company" testid="new-company" value=${v.company} invalid=${!!errors.company}
          onChange=${(x) => set('company', x)} />
        ${errText('company') ? html`<div class="field-error" role="alert">${errText('company')}</div>` : null}
      </div>` : null}
      ${entity === 'contact' ? html`<${TextRow} id="new-position" label=${fieldLabel('position')} value=${v.position} error=${errText('position')}
        onInput=${(x) => set('position', x)} />` : null}
      ${meta.phones ? html`<div class="grid-2">
        <div class="field">
          <label for="new-phones">${fieldLabel('phones')}</label>
          <${ListInputs} kind="phones" values=${v.phones} onChange=${(x) => set('phones', x)} idPrefix="new-phones" invalid=${!!errors.phones} />
          ${errText('phones') ? html`<div class="field-error" role="alert" data-testid="error-phones">${errText('phones')}</div>` : null}
        </div>
        <div class="field">
          <label for="new-emails">${fieldLabel('emails')}</label>
          <${ListInputs} kind="emails" values=${v.emails} onChange=${(x) => set('emails', x)} idPrefix="new-emails" invalid=${!!errors.emails} />
          ${errText('emails') ? html`<div class="field-error" role="alert" data-testid="error-emails">${errText('emails')}</div>` : null}
        </div>
      </div>` : null}
      <div class="grid-2">
        ${entity === 'company' ? html`<${TextRow} id="new-domain" label=${fieldLabel('domain')} value=${v.domain} error=${errText('domain')}
          inputmode="url" onInput=${(x) => set('domain', x)} />` : null}
        <${TextRow} id="new-city" label=${fieldLabel('city')} value=${v.city} error=${errText('city')} onInput=${(x) => set('city', x)} />
        ${users ? html`<div class="field">
          <label for="new-owner">${fieldLabel('owner_id')}</label>
          <select id="new-owner" class="input select" value=${v.owner_id} onChange=${(e) => set('owner_id', e.currentTarget.value)} data-testid="new-owner">
            <option value="">${t('record.owner_me')}</option>
            ${users.filter((u) => u.active && u.id !== app.user.id).map((u) => html`<option key=${u.id} value=${String(u.id)}>${u.name || u.login}</option>`)}
          </select>
          ${errText('owner_id') ? html`<div class="field-error" role="alert">${errText('owner_id')}</div>` : null}
        </div>` : null}
      </div>
      ${customDefs.length ? html`<div class="grid-2 custom-inputs" data-testid="new-custom-fields">
        ${customDefs.map((d) => html`<div key=${d.key} class=${'field' + (d.type === 'longtext' || d.type === 'multiselect' ? ' span-2' : '') + (errors['custom.' + d.key] ? ' has-error' : '')}>
          <label for=${'new-custom-' + d.key}>${d.label}${d.required ? html` <span class="req" aria-hidden="true">*</span>` : null}</label>
          <${CustomInput} def=${d} id=${'new-custom-' + d.key} value=${v.custom[d.key]} users=${users} invalid=${!!errors['custom.' + d.key]}
            describedBy=${errors['custom.' + d.key] ? 'new-custom-' + d.key + '-error' : undefined}
            onChange=${(x) => { setV((o) => ({ ...o, custom: { ...o.custom, [d.key]: x } })); setErrors((e) => ({ ...e, ['custom.' + d.key]: null })); }} />
          ${errText('custom.' + d.key) ? html`<div class="field-error" role="alert" id=${'new-custom-' + d.key + '-error'} data-testid=${'error-custom-' + d.key}>${errText('custom.' + d.key)}</div>` : null}
        </div>`)}
      </div>` : null}
      <div class="field">
        <label for="new-notes">${fieldLabel('notes')}</label>
        <textarea id="new-notes" class="input textarea" rows="3" value=${v.notes} onInput=${(e) => set('notes', e.currentTarget.value)}></textarea>
      </div>
      <div class="form-actions">
        <${Link} class="btn" href=${meta.path}>${t('common.cancel')}<//>
        <button type="submit" class="btn primary" disabled=${busy} data-testid="create-submit">${t('record.create')}</button>
      </div>
    </form>
  </div>`;
}

function TextRow({ id, label, value, error, onInput, autofocus, inputmode }) {
  const ref = useRef(null);
  useEffect(() => { if (autofocus && ref.current) ref.current.focus(); }, []);
  return html`<div class=${'field' + (error ? ' has-error' : '')}>
    <label for=${id}>${label}</label>
    <input id=${id} ref=${ref} class="input" value=${value} inputmode=${inputmode} data-testid=${id}
      aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? id + '-error' : undefined}
      onInput=${(e) => onInput(e.currentTarget.value)} />
    ${error ? html`<div class="field-error" id=${id + '-error'} role="alert" data-testid=${'error-' + id}>${error}</div>` : null}
  </div>`;
}

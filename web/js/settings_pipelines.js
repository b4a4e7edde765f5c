// Settings → Pipelines: the pipelines of deals and companies, a new one, and the editor of one:
// its stages (name, colour, kind, order by drag or keyboard, required fields, checklists),
// automatic moves, who sees it, and the transition matrix per role. The whole pipeline is one
// document (GET/PUT /api/pipelines/KEY/config); the API's refusals name the input at fault and
// are shown next to it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t, roleName } from './i18n.js';
import { api, ApiError } from './api.js';
import { useApp, can } from './context.js';
import { Link, navigate, usePath } from './router.js';
import { Dialog, Field, FormError, Spinner } from './ui.js';
import { ENTITIES } from './crm.js';
import { SettingsFrame, sectionById } from './settings_nav.js';
import { slugKey, freeKey, moveItem, moveById, useReorder, DragHandle, UpDown, RemoveButton, SaveBar, useLeaveGuard, ConfirmDialog,
  entityFieldChoices, configErrorText } from './settings_kit.js';
import { TransitionMatrix } from './settings_matrix.js';

const KINDS = ['open', 'won', 'lost', 'dead_end'];
const PALETTE = ['#8a94a6', '#3b82f6', '#a855f7', '#f59e0b', '#06b6d4', '#14b8a6', '#6366f1', '#ec4899', '#22c55e', '#ef4444'];
const KIND_COLOR = { won: '#22c55e', lost: '#ef4444', dead_end: '#9ca3af' };

export function PipelinesSettings() {
  const path = usePath();
  const m = path.match(/^\/settings\/pipelines\/([^/]+)$/);
  return m ? html`<${PipelineEditor} key=${m[1]} pkey=${decodeURIComponent(m[1])} />` : html`<${PipelineList} />`;
}

// ---- the list ----

function PipelineList() {
  const app = useApp();
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    api.get('/api/pipelines').then((r) => setItems(r.items || [])).catch(setError);
  }, []);
  const section = sectionById('pipelines');
  return html`<${SettingsFrame} user=${app.user} section=${section} subtitle=${t('config.pipelines_sub')}
      actions=${html`<button type="button" class="btn primary" onClick=${() => setCreating(true)} data-testid="pipeline-new">
        <span aria-hidden="true">+</span> ${t('config.pipeline_new')}</button>`}>
    <${FormError} error=${error} testid="pipelines-error" />
    ${!items && !error ? html`<div class="empty"><${Spinner} /></div>` : null}
    ${items ? ['deal', 'company'].map((entity) => {
      const list = items.filter((p) => p.entity === entity);
      return html`<section class="cfg-group" key=${entity} data-testid=${'pipelines-' + entity}>
        <h2 class="cfg-group-title">${t(entity === 'deal' ? 'config.pipelines_of_deals' : 'config.pipelines_of_companies')}</h2>
        ${list.length ? html`<ul class="cfg-cards">
          ${list.map((p) => html`<li key=${p.key} class="card cfg-card" data-testid=${'pipeline-' + p.key}>
            <div class="cfg-card-head">
              <${Link} class="strong cfg-card-title" href=${'/settings/pipelines/' + encodeURIComponent(p.key)}
                data-testid=${'pipeline-open-' + p.key}>${p.name}<//>
              <span class="mono muted small">${p.key}</span>
            </div>
            <div class="stage-strip" aria-label=${t('config.stages')}>
              ${p.stages.map((s) => html`<span key=${s.key} class="stage-chip" style=${'--stage:' + s.color}>
                <span class="dot" aria-hidden="true"></span>${s.name}</span>`)}
            </div>
          </li>`)}
        </ul>` : html`<p class="muted">${t('config.no_pipelines')}</p>`}
      </section>`;
    }) : null}
    ${creating ? html`<${NewPipelineDialog} taken=${(items || []).map((p) => p.key)} onClose=${() => setCreating(false)}
      onCreated=${async (p) => { setCreating(false); await app.reloadPipelines(); navigate('/settings/pipelines/' + p.key); }} />` : null}
  <//>`;
}

function defaultStages(entity) {
  const first = entity === 'company' ? { key: 'lead', name: t('config.default_lead') } : { key: 'new', name: t('config.default_new') };
  return [
    { ...first, kind: 'open', color: PALETTE[0] },
    { key: 'won', name: t('config.default_won'), kind: 'won', color: KIND_COLOR.won },
    { key: 'lost', name: t('config.default_lost'), kind: 'lost', color: KIND_COLOR.lost },
  ];
}

function NewPipelineDialog({ taken, onClose, onCreated }) {
  const [name, setName] = useState('');
  const [entity, setEntity] = useState('deal');
  const [key, setKey] = useState('');
  const [keyEdited, setKeyEdited] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const effectiveKey = keyEdited ? key : freeKey(slugKey(name), taken, 'pipeline');
  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    if (!name.trim()) { setError({ field: 'name', text: t('config.err_name') }); return; }
    if (taken.includes(effectiveKey)) { setError({ field: 'key', text: t('config.err_key_taken') }); return; }
    setBusy(true);
    setError(null);
    try {
      const r = await api.put('/api/pipelines/' + encodeURIComponent(effectiveKey) + '/config',
        { entity, name: name.trim(), stages: defaultStages(entity) });
      onCreated(r);
    } catch (err) {
      setError({ field: err instanceof ApiError ? err.field : null, text: configErrorText(err) });
      setBusy(false);
    }
  }
  const errFor = (f) => (error && error.field === f ? error.text : null);
  return html`<${Dialog} title=${t('config.pipeline_new')} onClose=${onClose} testid="pipeline-new-dialog">
    <form onSubmit=${submit} novalidate>
      ${error && !['name', 'key', 'entity'].includes(error.field) ? html`<div class="form-error" role="alert">${error.text}</div>` : null}
      <${Field} id="np-name" label=${t('config.pipeline_name')} value=${name} onInput=${(e) => setName(e.currentTarget.value)}
        autocomplete="off" autofocus aria-invalid=${errFor('name') ? 'true' : undefined} />
      ${errFor('name') ? html`<div class="field-error field-error-after" role="alert" data-testid="error-np-name">${errFor('name')}</div>` : null}
      <${Field} id="np-entity" label=${t('config.pipeline_entity')} hint=${t('config.pipeline_entity_hint')}>
        <select id="np-entity" class="input select" value=${entity} onChange=${(e) => setEntity(e.currentTarget.value)} data-testid="np-entity">
          <option value="deal">${t('crm.deals')}</option>
          <option value="company">${t('crm.companies')}</option>
        </select>
      <//>
      <${Field} id="np-key" label=${t('config.key')} hint=${t('config.key_hint')} value=${effectiveKey} class="mono-field"
        spellcheck="false" autocapitalize="none" autocomplete="off"
        onInput=${(e) => { setKeyEdited(true); setKey(e.currentTarget.value.trim()); }} />
      ${errFor('key') ? html`<div class="field-error field-error-after" role="alert" data-testid="error-np-key">${errFor('key')}</div>` : null}
      <p class="field-hint">${t('config.pipeline_new_note')}</p>
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn primary" disabled=${busy} data-testid="np-submit">${t('config.create')}</button>
      </div>
    </form>
  <//>`;
}

// ---- the editor ----

let uidSeq = 0;
const uid = () => 'u' + (++uidSeq);

// The server's document as the editor holds it: stages get a stable uid (for keys while they
// move) and remember whether they exist on the server (only new ones may change key).
function toDraft(cfg) {
  return {
    name: cfg.name,
    entity: cfg.entity,
    stages: cfg.stages.map((s) => ({ uid: uid(), saved: true, key: s.key, name: s.name, kind: s.kind, color: s.color,
      required_fields: s.required_fields || [], checklist: (s.checklist || []).map((c) => ({ ...c, saved: true })) })),
    transitions: JSON.parse(JSON.stringify(cfg.transitions || {})),
    auto_moves: (cfg.auto_moves || []).map((m) => ({ ...m })),
    visible_to: (cfg.visible_to || []).slice(),
  };
}

function toDoc(d) {
  const transitions = {};
  for (const [role, moves] of Object.entries(d.transitions)) if (moves.length) transitions[role] = moves;
  return {
    entity: d.entity,
    name: d.name.trim(),
    stages: d.stages.map((s) => ({ key: s.key, name: s.name.trim(), kind: s.kind, color: s.color,
      required_fields: s.required_fields, checklist: s.checklist.map((c) => ({ key: c.key, label: c.label.trim() })) })),
    transitions,
    auto_moves: d.auto_moves,
    visible_to: d.visible_to,
  };
}

function PipelineEditor({ pkey }) {
  const app = useApp();
  const [saved, setSaved] = useState(null);
  const [draft, setDraft] = useState(null);
  const [roles, setRoles] = useState([]);
  const [fields, setFields] = useState([]);
  const [counts, setCounts] = useState({});
  const [loadError, setLoadError] = useState(null);
  const [error, setError] = useState(null);          // the last refused save: ApiError
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState({});              // stage uid → details shown
  const [stageNote, setStageNote] = useState(null);  // {uid, text}: a stage that cannot be removed
  const [matrixRole, setMatrixRole] = useState(null);
  const [deleting, setDeleting] = useState(false);
  const errorRef = useRef(null);

  async function load() {
    setLoadError(null);
    try {
      const cfg = await api.get('/api/pipelines/' + encodeURIComponent(pkey) + '/config');
      const [r, f] = await Promise.all([
        can(app.user, 'roles.read') ? api.get('/api/roles').catch(() => ({ items: [] })) : { items: [] },
        api.get('/api/fields', { entity: cfg.entity }).catch(() => ({ items: [] })),
      ]);
      setSaved(cfg);
      setDraft(toDraft(cfg));
      setRoles(r.items || []);
      setFields(f.items || []);
      loadCounts(cfg);
    } catch (e) { setLoadError(e); }
  }
  // how many live records stand in each stage: a stage with records cannot be removed
  async function loadCounts(cfg) {
    const plural = ENTITIES[cfg.entity].plural;
    const out = {};
    await Promise.all(cfg.stages.map(async (s) => {
      try {
        const r = await api.get('/api/' + plural, { pipeline: cfg.key, stage: s.key, limit: 1, count: 'true' });
        out[s.key] = r.total ?? 0;
      } catch { /* unknown: the server still refuses */ }
    }));
    setCounts(out);
  }
  useEffect(() => { load(); }, [pkey]);

  const dirty = !!(draft && saved && JSON.stringify(toDoc(draft)) !== JSON.stringify(toDoc(toDraft(saved))));
  useLeaveGuard(dirty);
  const update = (f) => { setDraft((d) => f(JSON.parse(JSON.stringify(d)))); };
  const stagesNow = draft ? draft.stages : [];
  const stageBy = (uid) => stagesNow.find((s) => s.uid === uid) || {};
  const reorder = useReorder({ ids: stagesNow.map((s) => s.uid), name: (uid) => stageBy(uid).name,
    testid: (uid) => 'stage-handle-' + stageBy(uid).key,
    onMove: (uid, target) => update((d) => { d.stages = moveById(d.stages, (s) => s.uid, uid, target); return d; }) });
  const section = sectionById('pipelines');
  const frame = (children) => html`<${SettingsFrame} user=${app.user} section=${section} testid="pipeline-editor">${children}<//>`;
  if (loadError) {
    return frame(html`<${Link} href="/settings/pipelines" class="back-link">← ${t('config.all_pipelines')}<//>
      <${FormError} error=${loadError} testid="pipeline-load-error" />`);
  }
  if (!draft) return frame(html`<div class="empty"><${Spinner} /></div>`);

  const stageKeys = draft.stages.map((s) => s.key);
  const restricted = roles.filter((r) => !(r.capabilities || []).includes('*'));
  const roleKeys = Array.from(new Set(restricted.map((r) => r.key).concat(Object.keys(draft.transitions))));

  // an error names an input: "stages[2].name" → that stage (opened), "transitions.agent[0]" → the matrix
  const fieldOf = error instanceof ApiError ? error.field || '' : '';
  const stageErr = (i, sub) => {
    if (!fieldOf.startsWith(`stages[${i}]`)) return null;
    const rest = fieldOf.slice(`stages[${i}]`.length);
    if (sub === null) return ['.name', '.key', '.kind', '.color'].includes(rest) ? null : configErrorText(error);
    return rest === sub ? configErrorText(error) : null;
  };

  async function save() {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api.put('/api/pipelines/' + encodeURIComponent(pkey) + '/config', toDoc(draft));
      setSaved(r);
      setDraft(toDraft(r));
      setStageNote(null);
      loadCounts(r);
      app.notify('config.pipeline_saved', { name: r.name });
      app.reloadPipelines();
    } catch (e) {
      setError(e);
      const m = e instanceof ApiError && (e.field || '').match(/^stages\[(\d+)\]\.(required_fields|checklist)/);
      if (m && draft.stages[Number(m[1])]) setOpen((o) => ({ ...o, [draft.stages[Number(m[1])].uid]: true }));
      const role = e instanceof ApiError && (e.field || '').match(/^transitions\.([a-z_]+)/);
      if (role) setMatrixRole(role[1]);
      setTimeout(() => errorRef.current && errorRef.current.focus());
    } finally {
      setBusy(false);
    }
  }

  function addStage() {
    const name = t('config.new_stage');
    const s = { uid: uid(), saved: false, key: freeKey(slugKey(name) || 'stage', stageKeys, 'stage'), name, kind: 'open',
      color: PALETTE[draft.stages.length % PALETTE.length], required_fields: [], checklist: [] };
    update((d) => { d.stages.push(s); return d; });
    setTimeout(() => { const el = document.getElementById('stage-name-' + s.uid); if (el) { el.focus(); el.select(); } });
  }

  function removeStage(i) {
    const s = draft.stages[i];
    if (s.saved && counts[s.key] > 0) {
      setStageNote({ uid: s.uid, text: t('config.stage_has_records', { count: counts[s.key] }) });
      return;
    }
    if (draft.stages.length === 1) { setStageNote({ uid: s.uid, text: t('config.last_stage') }); return; }
    setStageNote(null);
    update((d) => {
      d.stages.splice(i, 1);
      for (const role of Object.keys(d.transitions)) d.transitions[role] = d.transitions[role].filter(([f, to]) => f !== s.key && to !== s.key);
      d.auto_moves = d.auto_moves.filter((m) => m.from !== s.key && m.to !== s.key);
      return d;
    });
  }

  // a new stage's key follows its name; renaming a saved key would be a different stage
  function setStage(i, patch) {
    update((d) => {
      const s = d.stages[i];
      const oldKey = s.key;
      Object.assign(s, patch);
      if (!s.saved && 'name' in patch && !s.keyEdited) {
        s.key = freeKey(slugKey(patch.name) || 'stage', d.stages.filter((x, k) => k !== i).map((x) => x.key), 'stage');
      }
      if (s.key !== oldKey) {
        for (const role of Object.keys(d.transitions)) d.transitions[role] = d.transitions[role].map(([f, to]) => [f === oldKey ? s.key : f, to === oldKey ? s.key : to]);
        d.auto_moves = d.auto_moves.map((m) => ({ ...m, from: m.from === oldKey ? s.key : m.from, to: m.to === oldKey ? s.key : m.to }));
      }
      return d;
    });
  }

  const choices = entityFieldChoices(draft.entity, fields);

  return frame(html`
    <div class="editor-head row-between">
      <${Link} href="/settings/pipelines" class="back-link" data-testid="pipelines-back">← ${t('config.all_pipelines')}<//>
      <button type="button" class="btn small danger-ghost" onClick=${() => setDeleting(true)} data-testid="pipeline-delete">${t('core.pipeline_delete')}</button>
    </div>
    ${deleting ? html`<${PipelineDeleteDialog} pipeline=${saved} records=${Object.values(counts).reduce((a, n) => a + (n || 0), 0)}
      onClose=${() => setDeleting(false)} onDeleted=${async () => {
        setDeleting(false);
        app.notify('core.pipeline_deleted', { name: saved.name });
        await app.reloadPipelines();
        navigate('/settings/pipelines', { force: true });     // its unsaved edits went with it
      }} />` : null}
    ${error ? html`<div class="form-error" role="alert" tabindex="-1" ref=${errorRef} data-testid="pipeline-error">${configErrorText(error)}</div>` : null}

    <section class="card form-card cfg-section">
      <div class="grid-2">
        <${Field} id="pl-name" testid="pipeline-name" label=${t('config.pipeline_name')} value=${draft.name}
          error=${fieldOf === 'name' ? { key: 'config.err_name' } : null}
          onInput=${(e) => { const v = e.currentTarget.value; update((d) => { d.name = v; return d; }); }} />
        <div class="field">
          <label>${t('config.pipeline_entity')}</label>
          <div class="static-value">${t(draft.entity === 'deal' ? 'crm.deals' : 'crm.companies')} · <span class="mono">${pkey}</span></div>
        </div>
      </div>
    </section>

    <section class="card form-card cfg-section" data-testid="stages-card" aria-labelledby="stages-title">
      <div class="row-between cfg-section-head">
        <h2 class="card-title" id="stages-title">${t('config.stages')}</h2>
        <span class="muted small">${t('config.stages_hint')}</span>
      </div>
      ${fieldOf === 'stages' ? html`<div class="form-error" role="alert" data-testid="stages-error">${configErrorText(error)}</div>` : null}
      <ol class="stage-list" data-testid="stage-list">
        ${draft.stages.map((s, i) => html`<li key=${s.uid} ...${reorder.row(s.uid)} class=${'stage-row ' + reorder.row(s.uid).class}
            data-testid=${'stage-' + s.key} data-key=${s.key}>
          <div class="stage-line">
            <${DragHandle} label=${t('config.drag_stage', { name: s.name })} testid=${'stage-handle-' + s.key} ...${reorder.handle(s.uid)} />
            <input type="color" class="color-input" value=${s.color.toLowerCase()} aria-label=${t('config.stage_color', { name: s.name })}
              data-testid=${'stage-color-' + s.key} aria-invalid=${stageErr(i, '.color') ? 'true' : undefined}
              onInput=${(e) => setStage(i, { color: e.currentTarget.value })} />
            <input id=${'stage-name-' + s.uid} class="input stage-name" value=${s.name} aria-label=${t('config.stage_name')}
              data-testid=${'stage-name-' + s.key} aria-invalid=${stageErr(i, '.name') ? 'true' : undefined}
              onInput=${(e) => setStage(i, { name: e.currentTarget.value })} />
            <select class="input select stage-kind" value=${s.kind} aria-label=${t('config.stage_kind')}
              data-testid=${'stage-kind-' + s.key} onChange=${(e) => setStage(i, { kind: e.currentTarget.value })}>
              ${KINDS.map((k) => html`<option key=${k} value=${k}>${t(`config.kind_${k}`)}</option>`)}
            </select>
            <div class="stage-tools">
              <button type="button" class=${'btn small ghost details-btn' + (open[s.uid] ? ' on' : '')} aria-expanded=${open[s.uid] ? 'true' : 'false'}
                aria-controls=${'stage-details-' + s.uid} data-testid=${'stage-details-' + s.key}
                onClick=${() => setOpen((o) => ({ ...o, [s.uid]: !o[s.uid] }))}>
                ${t('config.stage_rules')}${s.required_fields.length + s.checklist.length ? html` <span class="count-pill">${s.required_fields.length + s.checklist.length}</span>` : null}
              </button>
              <${UpDown} index=${i} count=${draft.stages.length} onStep=${(delta) => reorder.move(s.uid, { delta })} label=${s.name} testid=${'stage-' + s.key} />
              <${RemoveButton} label=${t('config.remove_stage', { name: s.name })} testid=${'stage-remove-' + s.key} onClick=${() => removeStage(i)} />
            </div>
          </div>
          <div class="stage-sub">
            ${s.saved
              ? html`<span class="mono muted small" title=${t('config.key')}>${s.key}</span>`
              : html`<label class="small muted stage-key-edit">${t('config.key')}
                  <input class="input mono small-input" value=${s.key} data-testid=${'stage-key-' + s.key}
                    aria-invalid=${stageErr(i, '.key') ? 'true' : undefined} spellcheck="false" autocapitalize="none"
                    onInput=${(e) => setStage(i, { key: e.currentTarget.value.trim(), keyEdited: true })} /></label>`}
            ${s.saved && counts[s.key] !== undefined ? html`<span class="muted small" data-testid=${'stage-count-' + s.key}>${t('config.records_in_stage', { count: counts[s.key] })}</span>` : null}
            ${!s.saved ? html`<span class="tag">${t('config.new_tag')}</span>` : null}
          </div>
          ${['.name', '.key', '.kind', '.color'].map((sub) => stageErr(i, sub)
            ? html`<div key=${sub} class="field-error" role="alert" data-testid=${'stage-error-' + s.key}>${stageErr(i, sub)}</div>` : null)}
          ${stageNote && stageNote.uid === s.uid ? html`<div class="field-error" role="alert" data-testid=${'stage-note-' + s.key}>${stageNote.text}</div>` : null}
          ${open[s.uid] ? html`<${StageDetails} stage=${s} choices=${choices} error=${stageErr(i, null)}
              onChange=${(patch) => setStage(i, patch)} />` : null}
        </li>`)}
      </ol>
      ${reorder.live}
      <button type="button" class="btn" onClick=${addStage} data-testid="stage-add" disabled=${draft.stages.length >= 50}>
        <span aria-hidden="true">+</span> ${t('config.add_stage')}</button>
    </section>

    ${draft.entity === 'company' ? html`<${AutoMoves} draft=${draft} update=${update} fieldOf=${fieldOf} error=${error} />` : null}

    <section class="card form-card cfg-section" data-testid="visibility-card">
      <h2 class="card-title">${t('config.visibility')}</h2>
      ${fieldOf.startsWith('visible_to') ? html`<div class="form-error" role="alert">${configErrorText(error)}</div>` : null}
      <label class="check-row"><input type="radio" name="vis" checked=${draft.visible_to.length === 0} data-testid="visible-all"
        onChange=${() => update((d) => { d.visible_to = []; return d; })} /> ${t('config.visible_all')}</label>
      <label class="check-row"><input type="radio" name="vis" checked=${draft.visible_to.length > 0} data-testid="visible-some"
        onChange=${() => update((d) => { d.visible_to = roles.filter((r) => (r.capabilities || []).includes('*')).map((r) => r.key); if (!d.visible_to.length && roles[0]) d.visible_to = [roles[0].key]; return d; })} />
        ${t('config.visible_some')}</label>
      ${draft.visible_to.length ? html`<div class="check-grid" role="group" aria-label=${t('config.visible_some')}>
        ${roles.map((r) => html`<label key=${r.key} class="check-row"><input type="checkbox" checked=${draft.visible_to.includes(r.key)}
            data-testid=${'visible-' + r.key}
            onChange=${(e) => { const on = e.currentTarget.checked; update((d) => { d.visible_to = on ? d.visible_to.concat(r.key) : d.visible_to.filter((k) => k !== r.key); return d; }); }} />
          ${roleName(r.key, r.name)}</label>`)}
      </div>` : null}
      <p class="field-hint">${t('config.visibility_hint')}</p>
    </section>

    <${TransitionMatrix} stages=${draft.stages} roles=${roles} roleKeys=${roleKeys} transitions=${draft.transitions}
      role=${matrixRole} onRole=${setMatrixRole}
      error=${fieldOf.startsWith('transitions') ? configErrorText(error) : null}
      onChange=${(role, moves) => update((d) => { d.transitions[role] = moves; return d; })} />

    <${SaveBar} dirty=${dirty} busy=${busy} onSave=${save}
      onDiscard=${() => { setDraft(toDraft(saved)); setError(null); setStageNote(null); }} testid="pipeline-save" />
  `);
}

// Required fields and the checklist of one stage.
function StageDetails({ stage, choices, error, onChange }) {
  const id = 'stage-details-' + stage.uid;
  const known = new Set(choices.map((c) => c.key));
  const extra = stage.required_fields.filter((k) => !known.has(k)).map((k) => ({ key: k, label: k }));
  function setItem(k, patch) {
    const list = stage.checklist.map((c, j) => {
      if (j !== k) return c;
      const next = { ...c, ...patch };
      if (!c.saved && 'label' in patch) {
        next.key = freeKey(slugKey(patch.label) || 'item', stage.checklist.filter((x, m) => m !== k).map((x) => x.key), 'item');
      }
      return next;
    });
    onChange({ checklist: list });
  }
  function addItem() {
    const label = t('config.new_item');
    const key = freeKey(slugKey(label) || 'item', stage.checklist.map((c) => c.key), 'item');
    onChange({ checklist: stage.checklist.concat({ key, label, saved: false }) });
    setTimeout(() => { const el = document.querySelector(`#${id} [data-item="${stage.checklist.length}"]`); if (el) { el.focus(); el.select(); } });
  }
  return html`<div class="stage-details" id=${id} data-testid=${'stage-rules-' + stage.key}>
    ${error ? html`<div class="field-error" role="alert" data-testid=${'stage-rules-error-' + stage.key}>${error}</div>` : null}
    <fieldset class="cfg-fieldset">
      <legend>${t('config.required_fields')}</legend>
      <p class="field-hint">${t('config.required_fields_hint')}</p>
      <div class="check-grid">
        ${choices.concat(extra).map((c) => html`<label key=${c.key} class="check-row">
          <input type="checkbox" checked=${stage.required_fields.includes(c.key)} data-testid=${`req-${stage.key}-${c.key}`}
            onChange=${(e) => {
              const on = e.currentTarget.checked;
              onChange({ required_fields: on ? stage.required_fields.concat(c.key) : stage.required_fields.filter((k) => k !== c.key) });
            }} />
          <span>${c.label}${c.custom ? html` <span class="tag">${t('config.custom_tag')}</span>` : null}</span></label>`)}
      </div>
    </fieldset>
    <fieldset class="cfg-fieldset">
      <legend>${t('config.checklist')}</legend>
      <p class="field-hint">${t('config.checklist_hint')}</p>
      ${stage.checklist.length ? html`<ol class="item-list">
        ${stage.checklist.map((c, k) => html`<li key=${k} class="item-row">
          <input class="input" value=${c.label} data-item=${k} aria-label=${t('config.item_label', { n: k + 1 })}
            data-testid=${`check-${stage.key}-${k}`} onInput=${(e) => setItem(k, { label: e.currentTarget.value })} />
          <${UpDown} index=${k} count=${stage.checklist.length} label=${c.label} testid=${`check-${stage.key}-${k}`}
            onStep=${(delta) => onChange({ checklist: moveItem(stage.checklist, k, k + delta) })} />
          <${RemoveButton} label=${t('config.remove_item', { name: c.label })} testid=${`check-remove-${stage.key}-${k}`}
            onClick=${() => onChange({ checklist: stage.checklist.filter((x, m) => m !== k) })} />
        </li>`)}
      </ol>` : html`<p class="muted small">${t('config.no_checklist')}</p>`}
      <button type="button" class="btn small" onClick=${addItem} data-testid=${'check-add-' + stage.key}
        disabled=${stage.checklist.length >= 50}><span aria-hidden="true">+</span> ${t('config.add_item')}</button>
    </fieldset>
  </div>`;
}

// Automatic moves: "when a contact is linked, a company in LEAD moves to FIRM".
function AutoMoves({ draft, update, fieldOf, error }) {
  const stages = draft.stages;
  const add = () => update((d) => {
    const used = new Set(d.auto_moves.map((m) => m.from));
    const from = (d.stages.find((s) => !used.has(s.key)) || d.stages[0]).key;
    const to = (d.stages.find((s) => s.key !== from) || d.stages[0]).key;
    d.auto_moves.push({ from, to, condition: 'contact_linked' });
    return d;
  });
  const set = (i, patch) => update((d) => { Object.assign(d.auto_moves[i], patch); return d; });
  return html`<section class="card form-card cfg-section" data-testid="auto-moves-card">
    <h2 class="card-title">${t('config.auto_moves')}</h2>
    <p class="field-hint">${t('config.auto_moves_hint')}</p>
    ${fieldOf.startsWith('auto_moves') ? html`<div class="form-error" role="alert" data-testid="auto-moves-error">${configErrorText(error)}</div>` : null}
    ${draft.auto_moves.map((m, i) => html`<div key=${i} class="auto-move" data-testid=${'auto-move-' + i}>
      <span>${t('config.auto_when')}</span>
      <select class="input select" value=${m.condition} aria-label=${t('config.auto_condition')} onChange=${(e) => set(i, { condition: e.currentTarget.value })}>
        <option value="contact_linked">${t('config.cond_contact_linked')}</option>
      </select>
      <span>${t('config.auto_from')}</span>
      <select class="input select" value=${m.from} aria-label=${t('config.auto_from_label')} data-testid=${'auto-from-' + i}
        onChange=${(e) => set(i, { from: e.currentTarget.value })}>
        ${stages.map((s) => html`<option key=${s.key} value=${s.key}>${s.name}</option>`)}
      </select>
      <span>${t('config.auto_to')}</span>
      <select class="input select" value=${m.to} aria-label=${t('config.auto_to_label')} data-testid=${'auto-to-' + i}
        onChange=${(e) => set(i, { to: e.currentTarget.value })}>
        ${stages.map((s) => html`<option key=${s.key} value=${s.key}>${s.name}</option>`)}
      </select>
      <${RemoveButton} label=${t('config.remove_auto')} testid=${'auto-remove-' + i}
        onClick=${() => update((d) => { d.auto_moves.splice(i, 1); return d; })} />
    </div>`)}
    <button type="button" class="btn small" onClick=${add} data-testid="auto-add"><span aria-hidden="true">+</span> ${t('config.add_auto')}</button>
  </section>`;
}

// Deleting asks first and says what goes with the pipeline; the server refuses a pipeline that
// still holds records (the count on screen may be a moment old) and says so in the dialog.
function PipelineDeleteDialog({ pipeline, records, onClose, onDeleted }) {
  const text = t('core.pipeline_delete_text') + (records > 0 ? ' ' + t('core.pipeline_delete_has', { count: records }) : '');
  return html`<${ConfirmDialog} title=${t('core.pipeline_delete_title', { name: pipeline.name })} text=${text}
    confirmLabel=${t('core.pipeline_delete')} onClose=${onClose} testid="pipeline-delete-dialog"
    onConfirm=${async () => { await api.del('/api/pipelines/' + encodeURIComponent(pipeline.key)); onDeleted(); }} />`;
}

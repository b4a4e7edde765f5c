// Settings → Roles: what each role may do. Capabilities (manage users, settings…), and per
// record type the scope of reading, creating, editing, deleting and exporting (none, own
// records, the team's, all), plus fields the role does not see at all (a purchase price).
// Saved with PUT /api/roles/KEY; nobody can grant more than they have, and the administrator
// role (all permissions) is not edited here.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { t, roleName } from './i18n.js';
import { api, ApiError } from './api.js';
import { useApp, can } from './context.js';
import { queryParams, setQuery, confirmLeave } from './router.js';
import { Dialog, Spinner, FormError } from './ui.js';
import { SettingsFrame, sectionById } from './settings_nav.js';
import { slugKey, freeKey, SaveBar, useLeaveGuard, entityFieldChoices, configErrorText, ConfirmDialog } from './settings_kit.js';

export const CAPABILITIES = ['users.read', 'users.manage', 'roles.read', 'settings.manage', 'tokens.manage', 'timeline.read', 'records.merge', 'records.allow_duplicate'];
const ENTITIES = ['contact', 'company', 'deal'];
const ACTIONS = ['read', 'create', 'edit', 'delete', 'export'];
const SCOPES = ['none', 'own', 'team', 'all'];
const TITLES = { contact: 'name', company: 'name', deal: 'title' };

export function RolesSettings() {
  const app = useApp();
  const [roles, setRoles] = useState(null);
  const [fields, setFields] = useState([]);
  const [error, setError] = useState(null);
  const [current, setCurrent] = useState(() => queryParams().role || null);
  const [creating, setCreating] = useState(false);

  async function load(select) {
    setError(null);
    try {
      const [r, f] = await Promise.all([api.get('/api/roles'), api.get('/api/fields').catch(() => ({ items: [] }))]);
      const items = r.items || [];
      setRoles(items);
      setFields(f.items || []);
      const want = select !== undefined ? select : current;
      const first = items.find((x) => !x.capabilities.includes('*')) || items[0];
      setCurrent(items.some((x) => x.key === want) ? want : first ? first.key : null);
    } catch (e) { setError(e); }
  }
  useEffect(() => { load(); }, []);
  useEffect(() => { if (current) setQuery({ role: current }); }, [current]);
  const role = roles && roles.find((r) => r.key === current);

  return html`<${SettingsFrame} user=${app.user} section=${sectionById('roles')} subtitle=${t('config.roles_sub')}
      actions=${html`<button type="button" class="btn primary" onClick=${() => setCreating(true)} data-testid="role-new">
        <span aria-hidden="true">+</span> ${t('config.role_new')}</button>`}>
    <${FormError} error=${error} testid="roles-error" />
    ${!roles ? html`<div class="empty"><${Spinner} /></div>` : html`<div class="split">
      <nav class="split-nav card" aria-label=${t('config.tab_roles')} data-testid="roles-nav">
        ${roles.map((r) => html`<button key=${r.key} type="button" class=${'split-item' + (r.key === current ? ' active' : '')}
            aria-current=${r.key === current ? 'true' : undefined} onClick=${() => { if (r.key !== current && confirmLeave()) setCurrent(r.key); }} data-testid=${'role-' + r.key}>
          <span class="strong">${roleName(r.key, r.name)}</span>
          <span class="muted small mono">${r.key}</span>
        </button>`)}
      </nav>
      ${role ? html`<${RoleEditor} key=${role.key} role=${role} me=${app.user} fields=${fields}
        onSaved=${(r) => { app.notify('config.role_saved', { name: roleName(r.key, r.name) }); load(r.key); }}
        onDeleted=${(r) => { app.notify('core.role_deleted', { name: roleName(r.key, r.name) }); load(null); }} />` : null}
    </div>`}
    ${creating ? html`<${NewRoleDialog} taken=${(roles || []).map((r) => r.key)} onClose=${() => setCreating(false)}
      onCreated=${(r) => { setCreating(false); app.notify('config.role_created', { name: r.name }); load(r.key); }} />` : null}
  <//>`;
}

const docOf = (name, caps, scopes, hidden) => JSON.stringify({ name: name.trim(), capabilities: caps.slice().sort(), scopes,
  hidden_fields: Object.fromEntries(ENTITIES.map((e) => [e, (hidden[e] || []).slice().sort()])) });

function RoleEditor({ role, me, fields, onSaved, onDeleted }) {
  const all = role.capabilities.includes('*');
  const [name, setName] = useState(role.name);
  const [caps, setCaps] = useState(role.capabilities);
  const [scopes, setScopes] = useState(() => JSON.parse(JSON.stringify(role.scopes || {})));
  const [hidden, setHidden] = useState(() => JSON.parse(JSON.stringify(role.hidden_fields || {})));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const dirty = !all && docOf(name, caps, scopes, hidden) !== docOf(role.name, role.capabilities, role.scopes || {}, role.hidden_fields || {});
  useLeaveGuard(dirty);
  const known = CAPABILITIES.concat(role.capabilities.filter((c) => c !== '*' && !CAPABILITIES.includes(c)));
  const scope = (e, a) => (scopes[e] && scopes[e][a]) || 'none';
  const setScope = (e, a, v) => setScopes((s) => ({ ...s, [e]: { ...(s[e] || {}), [a]: v } }));
  const errField = error instanceof ApiError ? error.field || '' : '';

  async function save() {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const body = JSON.parse(docOf(name, caps, scopes, hidden));
      onSaved(await api.put('/api/roles/' + encodeURIComponent(role.key), body));
    } catch (e) { setError(e); }
    setBusy(false);
  }
  if (all) {
    return html`<section class="card form-card" data-testid="role-editor">
      <h2 class="card-title">${roleName(role.key, role.name)}</h2>
      <div class="notice" data-testid="role-all">${t('config.role_all')}</div>
    </section>`;
  }
  return html`<section class="card form-card role-editor" data-testid="role-editor" aria-label=${roleName(role.key, role.name)}>
    <div class="row-between">
      <h2 class="card-title">${roleName(role.key, role.name)} <span class="mono muted small">${role.key}</span></h2>
      <button type="button" class="btn small danger-ghost" onClick=${() => setDeleting(true)} data-testid="role-delete">${t('core.role_delete')}</button>
    </div>
    ${deleting ? html`<${ConfirmDialog} title=${t('core.role_delete_title', { name: roleName(role.key, role.name) })}
      text=${t('core.role_delete_text')} confirmLabel=${t('core.role_delete')} onClose=${() => setDeleting(false)} testid="role-delete-dialog"
      onConfirm=${async () => { await api.del('/api/roles/' + encodeURIComponent(role.key)); setDeleting(false); onDeleted(role); }} />` : null}
    ${error ? html`<div class="form-error" role="alert" data-testid="role-error">${configErrorText(error)}</div>` : null}
    <div class="field">
      <label for="role-name">${t('config.role_name')}</label>
      <input id="role-name" class="input" value=${name} onInput=${(e) => setName(e.currentTarget.value)} data-testid="role-name"
        aria-invalid=${errField === 'name' ? 'true' : undefined} />
      <div class="field-hint">${t('config.role_name_hint', { key: role.key })}</div>
    </div>

    <fieldset class="cfg-fieldset" data-testid="role-caps">
      <legend>${t('config.capabilities')}</legend>
      <div class="cap-list">
        ${known.map((c) => {
          const mayGrant = can(me, c);
          return html`<label key=${c} class="check-row cap-row" title=${mayGrant ? '' : t('config.cap_cannot_grant')}>
            <input type="checkbox" checked=${caps.includes(c)} disabled=${!mayGrant} data-testid=${'cap-' + c}
              onChange=${(e) => { const on = e.currentTarget.checked; setCaps((x) => (on ? x.concat(c) : x.filter((y) => y !== c))); }} />
            <span><span class="strong">${t(`config.cap_${c.replace('.', '_')}`)}</span>
              <span class="muted small cap-desc">${t(`config.cap_${c.replace('.', '_')}_hint`)}</span></span>
          </label>`;
        })}
      </div>
    </fieldset>

    <fieldset class="cfg-fieldset" data-testid="role-scopes">
      <legend>${t('config.record_access')}</legend>
      <p class="field-hint">${t('config.record_access_hint')}</p>
      ${errField.startsWith('scopes') ? html`<div class="field-error" role="alert">${configErrorText(error)}</div>` : null}
      <div class="scope-grid" role="table" aria-label=${t('config.record_access')}>
        <div class="scope-head" role="row">
          <span role="columnheader"></span>
          ${ACTIONS.map((a) => html`<span key=${a} role="columnheader">${t(`config.action_${a}`)}</span>`)}
        </div>
        ${ENTITIES.map((e) => html`<div key=${e} class="scope-row" role="row" data-testid=${'scope-row-' + e}>
          <span class="strong scope-entity" role="rowheader">${t(e === 'deal' ? 'crm.deals' : e === 'company' ? 'crm.companies' : 'crm.contacts')}</span>
          ${ACTIONS.map((a) => html`<label key=${a} class="scope-cell" role="cell">
            <span class="scope-action">${t(`config.action_${a}`)}</span>
            <select class=${'input select scope-select scope-' + scope(e, a)} value=${scope(e, a)} data-testid=${`scope-${e}-${a}`}
              aria-label=${t('config.scope_of', { entity: t(e === 'deal' ? 'crm.deals' : e === 'company' ? 'crm.companies' : 'crm.contacts'), action: t(`config.action_${a}`) })}
              onChange=${(ev) => setScope(e, a, ev.currentTarget.value)}>
              ${SCOPES.map((s) => html`<option key=${s} value=${s}>${t(`config.scope_${s}`)}</option>`)}
            </select>
          </label>`)}
        </div>`)}
      </div>
      <p class="field-hint">${t('config.scope_team_hint')}</p>
    </fieldset>

    <fieldset class="cfg-fieldset" data-testid="role-hidden">
      <legend>${t('config.hidden_fields')}</legend>
      <p class="field-hint">${t('config.hidden_fields_hint')}</p>
      ${errField.startsWith('hidden_fields') ? html`<div class="field-error" role="alert">${configErrorText(error)}</div>` : null}
      ${ENTITIES.map((e) => html`<details key=${e} class="hidden-group" open=${(hidden[e] || []).length > 0}>
        <summary>${t(e === 'deal' ? 'crm.deals' : e === 'company' ? 'crm.companies' : 'crm.contacts')}
          ${(hidden[e] || []).length ? html` <span class="count-pill">${hidden[e].length}</span>` : null}</summary>
        <div class="check-grid">
          ${entityFieldChoices(e, fields).filter((c) => c.key !== TITLES[e]).map((c) => html`<label key=${c.key} class="check-row">
            <input type="checkbox" checked=${(hidden[e] || []).includes(c.key)} data-testid=${`hide-${e}-${c.key}`}
              onChange=${(ev) => { const on = ev.currentTarget.checked; setHidden((h) => ({ ...h, [e]: on ? (h[e] || []).concat(c.key) : (h[e] || []).filter((k) => k !== c.key) })); }} />
            ${c.label}</label>`)}
        </div>
      </details>`)}
    </fieldset>
    <${SaveBar} dirty=${dirty} busy=${busy} onSave=${save} testid="role-save"
      onDiscard=${() => { setName(role.name); setCaps(role.capabilities); setScopes(JSON.parse(JSON.stringify(role.scopes || {}))); setHidden(JSON.parse(JSON.stringify(role.hidden_fields || {}))); setError(null); }} />
  </section>`;
}

function NewRoleDialog({ taken, onClose, onCreated }) {
  const [name, setName] = useState('');
  const [key, setKey] = useState('');
  const [keyEdited, setKeyEdited] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  // role keys are a-z and _ only
  const effectiveKey = keyEdited ? key : freeKey(slugKey(name, 32).replace(/[0-9]/g, '').replace(/^_+|_+$/g, ''), taken, 'role').replace(/[0-9]/g, 'x');
  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    if (taken.includes(effectiveKey)) { setError({ local: t('config.err_key_taken') }); return; }
    setBusy(true);
    setError(null);
    try {
      onCreated(await api.put('/api/roles/' + encodeURIComponent(effectiveKey), { name: name.trim(), capabilities: [] }));
    } catch (err) { setError(err); setBusy(false); }
  }
  const text = error ? (error.local || configErrorText(error)) : null;
  return html`<${Dialog} title=${t('config.role_new')} onClose=${onClose} testid="role-new-dialog">
    <form onSubmit=${submit} novalidate>
      ${text ? html`<div class="form-error" role="alert" data-testid="role-new-error">${text}</div>` : null}
      <div class="field">
        <label for="nr-name">${t('config.role_name')}</label>
        <input id="nr-name" class="input" value=${name} onInput=${(e) => setName(e.currentTarget.value)} autofocus data-testid="nr-name" autocomplete="off" />
      </div>
      <div class="field">
        <label for="nr-key">${t('config.key')}</label>
        <input id="nr-key" class="input mono" value=${effectiveKey} spellcheck="false" autocapitalize="none" autocomplete="off" data-testid="nr-key"
          onInput=${(e) => { setKeyEdited(true); setKey(e.currentTarget.value.trim()); }} />
        <div class="field-hint">${t('config.role_key_hint')}</div>
      </div>
      <p class="field-hint">${t('config.role_new_note')}</p>
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn primary" disabled=${busy} data-testid="nr-submit">${t('config.create')}</button>
      </div>
    </form>
  <//>`;
}

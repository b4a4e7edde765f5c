// Users: the list (users.read), and for users.manage: create, rename, change role,
// deactivate/activate, reset password. Server validation errors appear next to their field.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t, roleName } from './i18n.js';
import { api } from './api.js';
import { useApp, can } from './context.js';
import { PageHeader, Field, FormError, Dialog, Spinner, useForm, initials } from './ui.js';
import { HandOverDialog, mayReassign } from './bulk.js';
import { useUsers } from './crm.js';

export function UsersPage() {
  const app = useApp();
  const { user: me } = app;
  const manage = can(me, 'users.manage');

  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');          // '', 'true', 'false' → active=
  const [items, setItems] = useState([]);
  const [next, setNext] = useState(null);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState(null);
  const [roles, setRoles] = useState(null);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState(null);
  const [handing, setHanding] = useState(null);       // a deactivated user whose records go to a colleague
  const everyone = useUsers(me);
  const handOver = ['company', 'contact', 'deal'].some((e) => mayReassign(me, e));
  const seq = useRef(0);

  async function load({ more = false } = {}) {
    const n = ++seq.current;
    setLoading(true);
    setLoadError(null);
    try {
      const res = await api.get('/api/users', { q: q.trim(), active: status, cursor: more ? next : undefined });
      if (n !== seq.current) return;
      setItems((old) => (more ? old.concat(res.items || []) : res.items || []));
      setNext(res.next || null);
    } catch (e) {
      if (n === seq.current) setLoadError(e);
    } finally {
      if (n === seq.current) setLoading(false);
    }
  }

  // Reload as the search changes, a moment after the last keystroke.
  useEffect(() => {
    const timer = setTimeout(() => load(), q ? 200 : 0);
    return () => clearTimeout(timer);
  }, [q, status]);

  // Roles for the select. Without roles.read, offer the roles seen on the users we can see.
  useEffect(() => {
    if (!manage) return;
    if (can(me, 'roles.read')) {
      api.get('/api/roles').then((r) => setRoles(r.items || [])).catch(() => setRoles(null));
    }
  }, [manage]);
  const roleOptions = roles || Object.values(items.reduce((acc, u) => {
    acc[u.role] = { key: u.role, name: roleName(u.role, u.role_name) };
    return acc;
  }, {}));

  function saved(u) {
    setItems((list) => list.map((x) => (x.id === u.id ? u : x)));
    setEditing(u);
  }

  return html`<div class="page" data-testid="users-page">
    <${PageHeader} title=${t('users.title')}>
      ${manage ? html`<button type="button" class="btn primary" onClick=${() => setCreating(true)} data-testid="user-new">
        <span aria-hidden="true">+</span> ${t('users.new')}</button>` : null}
    <//>
    <div class="toolbar">
      <input type="search" class="input search" placeholder=${t('users.search')} aria-label=${t('users.search')}
        value=${q} onInput=${(e) => setQ(e.currentTarget.value)} data-testid="users-search" />
      <select class="input select" aria-label=${t('users.filter_status')} value=${status}
        onChange=${(e) => setStatus(e.currentTarget.value)} data-testid="users-status">
        <option value="">${t('users.status_all')}</option>
        <option value="true">${t('users.status_active')}</option>
        <option value="false">${t('users.status_inactive')}</option>
      </select>
    </div>
    ${loadError ? html`<${FormError} error=${loadError} testid="users-error" />` : null}
    <div class="table-wrap">
      <table class="table" data-testid="users-table">
        <thead><tr>
          <th>${t('users.col_name')}</th>
          <th class="col-login">${t('users.col_login')}</th>
          <th class="col-role">${t('users.col_role')}</th>
          <th class="col-role">${t('config.col_team')}</th>
          <th>${t('users.col_status')}</th>
          ${manage ? html`<th class="col-actions"><span class="sr-only">${t('common.actions')}</span></th>` : null}
        </tr></thead>
        <tbody>
          ${items.map((u) => html`<tr key=${u.id} class=${(u.active ? '' : 'inactive') + (manage ? ' clickable' : '')} data-testid=${'user-row-' + u.login}
              onClick=${manage ? (e) => { if (!e.target.closest('button')) setEditing(u); } : undefined}>
            <td>
              <div class="user-cell">
                <span class="avatar" aria-hidden="true">${initials(u.name || u.login)}</span>
                <span>
                  ${manage
                    ? html`<button type="button" class="link-btn strong" onClick=${() => setEditing(u)}
                        data-testid=${'user-open-' + u.login}>${u.name || u.login}</button>`
                    : html`<span class="strong">${u.name || u.login}</span>`}
                  ${u.id === me.id ? html` <span class="tag">${t('users.you')}</span>` : null}
                  <span class="login-under muted">${u.login} · ${roleName(u.role, u.role_name)}</span>
                  ${manage && !u.active && handOver ? html`<button type="button" class="btn small handover-phone" onClick=${() => setHanding(u)}
                    data-testid=${'user-handover-phone-' + u.login}>${t('data.handover')}</button>` : null}
                </span>
              </div>
            </td>
            <td class="col-login mono">${u.login}</td>
            <td class="col-role">${roleName(u.role, u.role_name)}</td>
            <td class="col-role" data-testid="user-team">${u.team_name || html`<span class="muted">—</span>`}</td>
            <td><span class=${'badge ' + (u.active ? 'ok' : 'off')} data-testid="user-status">
              ${u.active ? t('users.active') : t('users.inactive')}</span></td>
            ${manage ? html`<td class="col-actions">
              ${!u.active && handOver ? html`<button type="button" class="btn small" onClick=${() => setHanding(u)}
                data-testid=${'user-handover-' + u.login}>${t('data.handover')}</button>` : null}
              <button type="button" class="btn small ghost" onClick=${() => setEditing(u)}
                data-testid=${'user-edit-' + u.login} aria-label=${t('users.edit_named', { name: u.name || u.login })}>${t('common.edit')}</button>
            </td>` : null}
          </tr>`)}
        </tbody>
      </table>
      ${!loading && !loadError && items.length === 0 ? html`<div class="empty" data-testid="users-empty">
        ${q.trim() ? t('users.none_match', { q: q.trim() }) : t('users.none')}</div>` : null}
      ${loading && items.length === 0 ? html`<div class="empty"><${Spinner} /></div>` : null}
    </div>
    ${next ? html`<div class="more"><button type="button" class="btn" disabled=${loading} onClick=${() => load({ more: true })}
      data-testid="users-more">${t('common.load_more')}</button></div>` : null}

    ${creating ? html`<${CreateUserDialog} roles=${roleOptions} onClose=${() => setCreating(false)}
      onCreated=${(u) => { setCreating(false); app.notify('users.created', { login: u.login }); load(); }} />` : null}
    ${editing ? html`<${EditUserDialog} user=${editing} me=${me} roles=${roleOptions}
      onClose=${() => setEditing(null)} onSaved=${saved} />` : null}
    ${handing ? html`<${HandOverDialog} user=${handing} me=${me} users=${everyone} onClose=${() => setHanding(null)}
      onDone=${(n) => { setHanding(null); app.notify('data.handed_over', { count: n, name: handing.name || handing.login }); }} />` : null}
  </div>`;
}

function RoleSelect({ id, roles, value, onChange, disabled, error, label }) {
  const known = roles.some((r) => r.key === value);
  return html`<${Field} id=${id} label=${label} error=${error}>
    <select id=${id} class="input select" value=${value} disabled=${disabled} data-testid=${id}
      aria-invalid=${error ? 'true' : undefined} onChange=${(e) => onChange(e.currentTarget.value)}>
      ${!value ? html`<option value="" disabled>${t('users.choose_role')}</option>` : null}
      ${!known && value ? html`<option value=${value}>${value}</option>` : null}
      ${roles.map((r) => html`<option key=${r.key} value=${r.key}>${roleName(r.key, r.name)}</option>`)}
    </select>
  <//>`;
}

function CreateUserDialog({ roles, onClose, onCreated }) {
  const fields = ['login', 'name', 'role', 'password'];
  const first = roles.find((r) => r.key !== 'admin') || roles[0];
  const form = useForm({ login: '', name: '', role: first ? first.key : '', password: '' });
  useEffect(() => { document.getElementById('new-login')?.focus(); }, []);

  async function submit(e) {
    e.preventDefault();
    if (form.busy) return;
    const res = await form.submit((v) => api.post('/api/users', {
      login: v.login.trim(), name: v.name.trim(), role: v.role, password: v.password,
    }), fields);
    if (res) onCreated(res);
  }

  return html`<${Dialog} title=${t('users.new_title')} onClose=${onClose} testid="user-create-dialog">
    <form onSubmit=${submit} novalidate data-testid="user-create-form">
      <${FormError} error=${form.errors._form} />
      <${Field} id="new-login" label=${t('users.login')} hint=${t('users.login_hint')} error=${form.errors.login}
        autocomplete="off" autocapitalize="none" spellcheck="false" ...${form.bind('login')} />
      <${Field} id="new-name" label=${t('users.name')} error=${form.errors.name} autocomplete="off" ...${form.bind('name')} />
      <${RoleSelect} id="new-role" label=${t('users.role')} roles=${roles} value=${form.values.role}
        error=${form.errors.role} onChange=${(v) => form.set('role', v)} />
      <${Field} id="new-password" type="password" label=${t('users.password')} hint=${t('users.password_hint')}
        error=${form.errors.password} autocomplete="new-password" ...${form.bind('password')} />
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn primary" disabled=${form.busy} data-testid="user-create-submit">${t('users.create')}</button>
      </div>
    </form>
  <//>`;
}

function EditUserDialog({ user, me, roles, onClose, onSaved }) {
  const self = user.id === me.id;
  const details = useForm({ name: user.name || '', role: user.role });
  const password = useForm({ password: '' });
  const access = useForm({});
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState(null);       // {key} of the last success, shown inline

  async function patch(form, body, fields, okKey) {
    setDone(null);
    const res = await form.submit(() => api.patch('/api/users/' + user.id, body), fields);
    if (res) { onSaved(res); setDone({ key: okKey }); }
    return res;
  }

  async function saveDetails(e) {
    e.preventDefault();
    if (details.busy) return;
    const body = {};
    if (details.values.name.trim() !== (user.name || '')) body.name = details.values.name.trim();
    if (details.values.role !== user.role) body.role = details.values.role;
    if (!Object.keys(body).length) { setDone({ key: 'users.nothing_changed' }); return; }
    await patch(details, body, ['name', 'role'], 'users.saved');
  }

  async function resetPassword(e) {
    e.preventDefault();
    if (password.busy) return;
    const res = await patch(password, { password: password.values.password }, ['password'], 'users.password_set');
    if (res) password.set('password', '');
  }

  async function setActive(active) {
    const res = await patch(access, { active }, [], active ? 'users.activated' : 'users.deactivated');
    if (res) setConfirming(false);
  }

  return html`<${Dialog} title=${user.name || user.login} onClose=${onClose} testid="user-edit-dialog">
    <p class="muted dialog-sub"><span class="mono">${user.login}</span> · ${roleName(user.role, user.role_name)} ·
      <span class=${'badge ' + (user.active ? 'ok' : 'off')} data-testid="user-edit-status">${user.active ? t('users.active') : t('users.inactive')}</span></p>
    ${done ? html`<div class="success" role="status" data-testid="user-edit-done">${t(done.key)}</div>` : null}

    <form onSubmit=${saveDetails} novalidate data-testid="user-edit-form">
      <${FormError} error=${details.errors._form} />
      <${Field} id="edit-name" label=${t('users.name')} error=${details.errors.name} autocomplete="off" ...${details.bind('name')} />
      <${RoleSelect} id="edit-role" label=${t('users.role')} roles=${roles} value=${details.values.role} disabled=${self}
        error=${details.errors.role} onChange=${(v) => details.set('role', v)} />
      ${self ? html`<p class="field-hint">${t('users.self_note')}</p>` : null}
      <div class="form-actions">
        <button type="submit" class="btn primary" disabled=${details.busy} data-testid="user-edit-save">${t('common.save')}</button>
      </div>
    </form>

    <form class="dialog-section" onSubmit=${resetPassword} novalidate data-testid="user-password-form">
      <h3>${t('users.reset_password')}</h3>
      <${FormError} error=${password.errors._form} />
      <div class="inline-form">
        <${Field} id="edit-password" type="password" label=${t('users.new_password')} hint=${t('users.reset_hint')}
          error=${password.errors.password} autocomplete="new-password" ...${password.bind('password')} />
        <button type="submit" class="btn" disabled=${password.busy || !password.values.password} data-testid="user-password-submit">
          ${t('users.set_password')}</button>
      </div>
    </form>

    ${self ? null : html`<div class="dialog-section" data-testid="user-access">
      <h3>${t('users.access')}</h3>
      <${FormError} error=${access.errors._form} />
      ${user.active
        ? confirming
          ? html`<div class="confirm" role="alert">
              <p>${t('users.deactivate_confirm', { name: user.name || user.login })}</p>
              <div class="form-actions">
                <button type="button" class="btn" onClick=${() => setConfirming(false)}>${t('common.cancel')}</button>
                <button type="button" class="btn danger" disabled=${access.busy} onClick=${() => setActive(false)}
                  data-testid="user-deactivate-confirm">${t('users.deactivate')}</button>
              </div>
            </div>`
          : html`<div class="row-between">
              <span class="muted">${t('users.active_note')}</span>
              <button type="button" class="btn danger-ghost" onClick=${() => setConfirming(true)} data-testid="user-deactivate">${t('users.deactivate')}</button>
            </div>`
        : html`<div class="row-between">
            <span class="muted">${t('users.inactive_note')}</span>
            <button type="button" class="btn" disabled=${access.busy} onClick=${() => setActive(true)} data-testid="user-activate">${t('users.activate')}</button>
          </div>`}
    </div>`}
  <//>`;
}

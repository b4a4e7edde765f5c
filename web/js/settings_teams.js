// Settings → Teams: who works together. A role whose scope is "team" sees and edits the records
// of everyone in the same team, so putting a person into a team changes what their teammates
// see at once. A person is in at most one team; adding them here takes them out of another.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { t, roleName } from './i18n.js';
import { api, ApiError } from './api.js';
import { useApp } from './context.js';
import { Dialog, Spinner, FormError, initials } from './ui.js';
import { forgetUsers } from './crm.js';
import { SettingsFrame, sectionById } from './settings_nav.js';
import { ConfirmDialog, configErrorText } from './settings_kit.js';

async function allUsers() {
  const out = [];
  let cursor;
  for (let i = 0; i < 50; i++) {
    const r = await api.get('/api/users', { limit: 200, cursor });
    out.push(...(r.items || []));
    if (!r.next) break;
    cursor = r.next;
  }
  return out;
}

export function TeamsSettings() {
  const app = useApp();
  const [teams, setTeams] = useState(null);
  const [users, setUsers] = useState([]);
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(null);      // a team, or {} for a new one
  const [deleting, setDeleting] = useState(null);

  async function load() {
    setError(null);
    try {
      const [tm, us] = await Promise.all([api.get('/api/teams'), allUsers()]);
      setTeams(tm.items || []);
      setUsers(us);
    } catch (e) { setError(e); }
  }
  useEffect(() => { load(); }, []);
  const changed = async (key, params) => { app.notify(key, params); forgetUsers(); await load(); };
  const loose = users.filter((u) => u.active && !u.team_id);

  return html`<${SettingsFrame} user=${app.user} section=${sectionById('teams')} subtitle=${t('config.teams_sub')}
      actions=${html`<button type="button" class="btn primary" onClick=${() => setEditing({})} data-testid="team-new">
        <span aria-hidden="true">+</span> ${t('config.team_new')}</button>`}>
    <${FormError} error=${error} testid="teams-error" />
    ${!teams ? html`<div class="empty"><${Spinner} /></div>` : html`
      ${!teams.length ? html`<div class="card empty" data-testid="teams-empty">${t('config.no_teams')}</div>` : html`<ul class="cfg-cards team-cards">
        ${teams.map((tm) => html`<li key=${tm.id} class="card cfg-card" data-testid=${'team-' + tm.id}>
          <div class="cfg-card-head">
            <span class="strong cfg-card-title" data-testid="team-name">${tm.name}</span>
            <span class="muted small">${t('config.members_count', { count: tm.members.length })}</span>
          </div>
          <div class="muted small" data-testid="team-lead">${tm.lead_name ? t('config.team_lead_is', { name: tm.lead_name }) : t('config.team_no_lead')}</div>
          <div class="member-chips" data-testid="team-members">
            ${tm.members.map((m) => html`<span key=${m.id} class=${'member-chip' + (m.active ? '' : ' inactive') + (m.id === tm.lead_id ? ' lead' : '')}>
              <span class="avatar small" aria-hidden="true">${initials(m.name || m.login)}</span>${m.name || m.login}</span>`)}
          </div>
          <div class="cfg-card-actions">
            <button type="button" class="btn small" onClick=${() => setEditing(tm)} data-testid=${'team-edit-' + tm.id}
              aria-label=${t('config.edit_named', { name: tm.name })}>${t('common.edit')}</button>
            <button type="button" class="btn small danger-ghost" onClick=${() => setDeleting(tm)} data-testid=${'team-delete-' + tm.id}
              aria-label=${t('config.delete_named', { name: tm.name })}>${t('config.delete')}</button>
          </div>
        </li>`)}
      </ul>`}
      ${loose.length ? html`<p class="muted small" data-testid="teams-loose">${t('config.without_team', { count: loose.length }) + ': ' +
        loose.map((u) => u.name || u.login).join(', ')}</p>` : null}
      <p class="field-hint">${t('config.teams_hint')}</p>
    `}
    ${editing ? html`<${TeamDialog} team=${editing.id ? editing : null} teams=${teams || []} users=${users} onClose=${() => setEditing(null)}
      onSaved=${(tm, created) => { setEditing(null); changed(created ? 'config.team_created' : 'config.team_saved', { name: tm.name }); }} />` : null}
    ${deleting ? html`<${ConfirmDialog} title=${t('config.team_delete_title', { name: deleting.name })}
      text=${t('config.team_delete_text', { name: deleting.name, count: deleting.members.length })} confirmLabel=${t('config.delete')}
      onClose=${() => setDeleting(null)} testid="team-delete-dialog"
      onConfirm=${async () => { await api.del('/api/teams/' + deleting.id); const n = deleting.name; setDeleting(null); changed('config.team_deleted', { name: n }); }} />` : null}
  <//>`;
}

function TeamDialog({ team, teams, users, onClose, onSaved }) {
  const creating = !team;
  const [name, setName] = useState(team ? team.name : '');
  const [members, setMembers] = useState(team ? team.members.map((m) => m.id) : []);
  const [lead, setLead] = useState(team && team.lead_id ? team.lead_id : 0);
  const [q, setQ] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const teamName = (id) => (teams.find((x) => x.id === id) || {}).name;
  const shown = users.filter((u) => (u.active || members.includes(u.id)) &&
    (!q.trim() || (u.name + ' ' + u.login).toLowerCase().includes(q.trim().toLowerCase())));
  const moving = users.filter((u) => members.includes(u.id) && u.team_id && (!team || u.team_id !== team.id));

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    const body = { name: name.trim(), members, lead_id: lead && members.includes(lead) ? lead : null };
    setBusy(true);
    setError(null);
    try {
      const r = creating ? await api.post('/api/teams', body) : await api.patch('/api/teams/' + team.id, body);
      onSaved(r, creating);
    } catch (err) { setError(err); setBusy(false); }
  }
  const errField = error instanceof ApiError ? error.field : null;
  const toggle = (id, on) => setMembers((m) => (on ? m.concat(id) : m.filter((x) => x !== id)));
  return html`<${Dialog} title=${creating ? t('config.team_new') : t('config.team_edit', { name: team.name })} onClose=${onClose} testid="team-dialog">
    <form onSubmit=${submit} novalidate data-testid="team-form">
      ${error && errField !== 'name' ? html`<div class="form-error" role="alert" data-testid="team-error">${configErrorText(error)}</div>` : null}
      <div class="field">
        <label for="team-name">${t('config.team_name')}</label>
        <input id="team-name" class="input" value=${name} onInput=${(ev) => setName(ev.currentTarget.value)} autofocus autocomplete="off"
          data-testid="team-name-input" aria-invalid=${errField === 'name' ? 'true' : undefined} />
        ${errField === 'name' ? html`<div class="field-error" role="alert" data-testid="error-team-name">${configErrorText(error)}</div>` : null}
      </div>
      <fieldset class="cfg-fieldset">
        <legend>${t('config.team_members')} <span class="count-pill">${members.length}</span></legend>
        <input type="search" class="input" placeholder=${t('config.find_person')} aria-label=${t('config.find_person')} value=${q}
          onInput=${(ev) => setQ(ev.currentTarget.value)} data-testid="team-search" />
        <div class="member-pick" data-testid="team-pick">
          ${shown.map((u) => html`<label key=${u.id} class="check-row member-row">
            <input type="checkbox" checked=${members.includes(u.id)} data-testid=${'member-' + u.login}
              onChange=${(ev) => toggle(u.id, ev.currentTarget.checked)} />
            <span class="member-who"><span>${u.name || u.login}</span>
              <span class="muted small">${roleName(u.role, u.role_name)}${u.team_id && (!team || u.team_id !== team.id) ? ' · ' + t('config.in_team', { name: u.team_name || teamName(u.team_id) }) : ''}${u.active ? '' : ' · ' + t('users.inactive')}</span></span>
          </label>`)}
          ${!shown.length ? html`<p class="muted small">${t('config.nobody_found')}</p>` : null}
        </div>
        ${moving.length ? html`<p class="notice small" data-testid="team-moving">${t('config.team_moving', { names: moving.map((u) => u.name || u.login).join(', ') })}</p>` : null}
      </fieldset>
      <div class="field">
        <label for="team-lead">${t('config.team_lead')}</label>
        <select id="team-lead" class="input select" value=${String(members.includes(lead) ? lead : 0)} data-testid="team-lead-select"
          onChange=${(ev) => setLead(Number(ev.currentTarget.value))}>
          <option value="0">${t('config.team_no_lead')}</option>
          ${users.filter((u) => members.includes(u.id)).map((u) => html`<option key=${u.id} value=${String(u.id)}>${u.name || u.login}</option>`)}
        </select>
        <div class="field-hint">${t('config.team_lead_hint')}</div>
      </div>
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('common.cancel')}</button>
        <button type="submit" class="btn primary" disabled=${busy} data-testid="team-submit">${creating ? t('config.create') : t('common.save')}</button>
      </div>
    </form>
  <//>`;
}

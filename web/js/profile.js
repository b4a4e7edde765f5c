// The signed-in user's own account: who they are, and changing their password.
import { useState } from 'preact/hooks';
import { html } from './html.js';
import { t, roleName } from './i18n.js';
import { api } from './api.js';
import { useApp } from './context.js';
import { PageHeader, Field, FormError, useForm, initials } from './ui.js';
import { LanguageSwitch } from './langswitch.js';

export function ProfilePage() {
  const app = useApp();
  const { user } = app;
  const form = useForm({ current_password: '', new_password: '', repeat: '' });
  const [done, setDone] = useState(false);

  async function submit(e) {
    e.preventDefault();
    if (form.busy) return;
    setDone(false);
    const v = form.values;
    if (!v.current_password) { form.setErrors({ current_password: { key: 'profile.need_current' } }); return; }
    if (v.new_password.length < 8) { form.setErrors({ new_password: { key: 'errors.field.new_password.invalid' } }); return; }
    if (v.new_password !== v.repeat) { form.setErrors({ repeat: { key: 'profile.mismatch' } }); return; }
    const ok = await form.submit(() => api.post('/api/me/password', {
      current_password: v.current_password, new_password: v.new_password,
    }).then(() => true), ['current_password', 'new_password']);
    if (ok) {
      form.setValues({ current_password: '', new_password: '', repeat: '' });
      setDone(true);
      app.notify('profile.changed');
    }
  }

  return html`<div class="page narrow" data-testid="profile-page">
    <${PageHeader} title=${t('profile.title')} />
    <section class="card profile-card">
      <div class="avatar large" aria-hidden="true">${initials(user.name || user.login)}</div>
      <div>
        <div class="strong" data-testid="profile-name">${user.name || user.login}</div>
        <div class="muted">${t('home.signed_in_as', { login: user.login, role: roleName(user.role, user.role_name) })}</div>
      </div>
      <${LanguageSwitch} />
    </section>
    <form class="card form-card" onSubmit=${submit} novalidate data-testid="password-form">
      <h2 class="card-title">${t('profile.change_password')}</h2>
      <p class="muted small">${t('profile.note')}</p>
      ${done ? html`<div class="success" role="status" data-testid="password-done">${t('profile.changed')}</div>` : null}
      <${FormError} error=${form.errors._form} />
      <input type="text" name="username" autocomplete="username" value=${user.login} hidden readonly />
      <${Field} id="pw-current" type="password" label=${t('profile.current')} autocomplete="current-password"
        error=${form.errors.current_password} ...${form.bind('current_password')} />
      <${Field} id="pw-new" type="password" label=${t('profile.new')} autocomplete="new-password"
        hint=${t('users.password_hint')} error=${form.errors.new_password} ...${form.bind('new_password')} />
      <${Field} id="pw-repeat" type="password" label=${t('profile.repeat')} autocomplete="new-password"
        error=${form.errors.repeat} ...${form.bind('repeat')} />
      <div class="form-actions">
        <button type="submit" class="btn primary" disabled=${form.busy} data-testid="password-submit">${t('profile.submit')}</button>
      </div>
    </form>
  </div>`;
}

// The sign-in page: login + password. Errors come from the server: bad_credentials, and
// rate_limited with the wait from Retry-After.
import { useEffect, useRef } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { api } from './api.js';
import { useForm, FormError } from './ui.js';
import { LanguageSwitch } from './langswitch.js';

export function LoginPage({ onSignedIn, notice }) {
  const form = useForm({ login: '', password: '' });
  const loginRef = useRef(null);
  const passwordRef = useRef(null);

  useEffect(() => { loginRef.current && loginRef.current.focus(); }, []);

  async function submit(e) {
    e.preventDefault();
    if (form.busy) return;
    const { login, password } = form.values;
    if (!login.trim()) { form.setErrors({ _form: { key: 'login.need_login' } }); loginRef.current.focus(); return; }
    if (!password) { form.setErrors({ _form: { key: 'login.need_password' } }); passwordRef.current.focus(); return; }
    const res = await form.submit((v) => api.post('/api/login', { login: v.login.trim(), password: v.password }, { quiet401: true }));
    if (res) { onSignedIn(res); return; }
    form.setValues((v) => ({ ...v, password: '' }));
    passwordRef.current && passwordRef.current.focus();
  }

  const error = form.errors._form;
  return html`<div class="login-screen">
    <main class="login-card" data-testid="login-page">
      <div class="login-brand">
        <svg viewBox="0 0 16 16" width="28" height="28" aria-hidden="true"><path d="M1 2h14l-5 6v5l-4 2V8z" fill="currentColor"/></svg>
        <span>voronka</span>
      </div>
      <h1>${t('login.title')}</h1>
      ${notice && !error ? html`<div class="notice" role="status" data-testid="login-notice">${t(notice)}</div>` : null}
      <${FormError} error=${error} testid="login-error" />
      <form onSubmit=${submit} novalidate data-testid="login-form">
        <div class="field">
          <label for="login-login">${t('login.login')}</label>
          <input id="login-login" class="input" ref=${loginRef} autocomplete="username" autocapitalize="none"
            spellcheck="false" data-testid="login-login" aria-invalid=${error ? 'true' : undefined} ...${form.bind('login')} />
        </div>
        <div class="field">
          <label for="login-password">${t('login.password')}</label>
          <input id="login-password" class="input" ref=${passwordRef} type="password" autocomplete="current-password"
            data-testid="login-password" aria-invalid=${error ? 'true' : undefined} ...${form.bind('password')} />
        </div>
        <button type="submit" class="btn primary block" disabled=${form.busy} data-testid="login-submit">
          ${form.busy ? t('login.signing_in') : t('login.submit')}
        </button>
      </form>
    </main>
    <footer class="login-foot"><${LanguageSwitch} /></footer>
  </div>`;
}

// Home: who you are, where you are, and where you can go from here.
import { html } from './html.js';
import { t, roleName } from './i18n.js';
import { Link } from './router.js';
import { useApp } from './context.js';
import { PageHeader, initials } from './ui.js';

export function HomePage() {
  const { user, settings, modules } = useApp();
  const sections = modules.filter((m) => m.path !== '/');
  return html`<div class="page narrow" data-testid="home-page">
    <${PageHeader} title=${t('home.welcome', { name: user.name || user.login })}
      subtitle=${settings && settings.company_name ? t('home.company', { company: settings.company_name }) : null} />
    <section class="card profile-card" data-testid="home-user">
      <div class="avatar large" aria-hidden="true">${initials(user.name || user.login)}</div>
      <div>
        <div class="strong">${user.name || user.login}</div>
        <div class="muted">${t('home.signed_in_as', { login: user.login, role: roleName(user.role, user.role_name) })}</div>
      </div>
      <${Link} class="btn" href="/profile" data-testid="home-profile">${t('menu.change_password')}<//>
    </section>
    ${sections.length ? html`<section class="card">
      <h2 class="card-title">${t('home.sections')}</h2>
      <ul class="section-list">
        ${sections.map((m) => html`<li key=${m.path}>
          <${Link} href=${m.path} data-testid=${'home-link-' + m.id}>${t(m.key)}<//>
          ${m.shortcut ? html`<span class="muted small shortcut-hint">${t('home.shortcut')} <kbd>g</kbd> <kbd>${m.shortcut}</kbd></span>` : null}
        </li>`)}
      </ul>
    </section>` : null}
  </div>`;
}

// Home: who you are, your work at a glance (open deals, companies, contacts; your funnel by
// stage), quick actions, and where you can go from here.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { t, roleName } from './i18n.js';
import { api } from './api.js';
import { Link } from './router.js';
import { useApp } from './context.js';
import { PageHeader, initials } from './ui.js';
import { pipelinesFor, mayDo } from './crm.js';

// One count per tile (limit=1&count=true): cheap on the server.
function useCount(path, params, enabled) {
  const [n, setN] = useState(null);
  useEffect(() => {
    if (!enabled) return;
    api.get(path, { ...params, limit: 1, count: 'true' }).then((r) => setN(r.total ?? null)).catch(() => setN(null));
  }, [enabled]);
  return n;
}

function Tiles() {
  const { user, pipelines } = useApp();
  const deals = pipelinesFor(pipelines, 'deal').length > 0 && mayDo(user, 'deal', 'read');
  const companies = mayDo(user, 'company', 'read');
  const contacts = mayDo(user, 'contact', 'read');
  const nDeals = useCount('/api/deals', { owner: 'me', 'closed_at.empty': 'true' }, deals);
  const nCompanies = useCount('/api/companies', { owner: 'me' }, companies);
  const nContacts = useCount('/api/contacts', { owner: 'me' }, contacts);
  const tile = (show, n, key, href, id) => (show ? html`<${Link} class="tile" href=${href} data-testid=${'tile-' + id}>
    <span class="tile-n" data-testid="tile-count">${n ?? '…'}</span>
    <span class="tile-label">${t(key, { count: n ?? 0 })}</span>
  <//>` : null);
  if (!deals && !companies && !contacts) return null;
  return html`<div class="tiles" data-testid="home-tiles">
    ${tile(deals, nDeals, 'home.my_open_deals', '/deals/list?owner=me&status=open', 'deals')}
    ${tile(companies, nCompanies, 'home.my_companies', '/companies/list?owner=me', 'companies')}
    ${tile(contacts, nContacts, 'home.my_contacts', '/contacts/list?owner=me', 'contacts')}
  </div>`;
}

// My records per stage of the first deal pipeline (or company pipeline when there is no deal one).
function Funnel() {
  const { user, pipelines } = useApp();
  const deal = pipelinesFor(pipelines, 'deal')[0];
  const p = deal || pipelinesFor(pipelines, 'company')[0];
  const entity = deal ? 'deal' : 'company';
  const [counts, setCounts] = useState(null);
  useEffect(() => {
    if (!p || !mayDo(user, entity, 'read') || p.stages.length > 10) return;
    Promise.all(p.stages.map((s) => api.get(entity === 'deal' ? '/api/deals' : '/api/companies',
      { owner: 'me', pipeline: p.key, stage: s.key, limit: 1, count: 'true' }).then((r) => r.total ?? 0).catch(() => 0)))
      .then(setCounts);
  }, [p && p.key]);
  if (!p || !counts) return null;
  const max = Math.max(1, ...counts);
  const base = entity === 'deal' ? '/deals/list' : '/companies/list';
  return html`<section class="card" data-testid="home-funnel">
    <h2 class="card-title">${t('home.my_funnel', { pipeline: p.name })}</h2>
    <ul class="funnel">
      ${p.stages.map((s, i) => html`<li key=${s.key}>
        <${Link} href=${`${base}?owner=me&pipeline=${p.key}&stage=${s.key}`} class="funnel-name">${s.name}<//>
        <span class="funnel-bar"><span style=${`width:${Math.round((counts[i] / max) * 100)}%;background:${s.color}`}></span></span>
        <span class="funnel-n">${counts[i]}</span>
      </li>`)}
    </ul>
  </section>`;
}

export function HomePage() {
  const { user, settings, modules } = useApp();
  const sections = modules.filter((m) => m.path !== '/');
  const leads = modules.some((m) => m.id === 'leads');
  const deals = modules.some((m) => m.id === 'deals');
  return html`<div class="page narrow" data-testid="home-page">
    <${PageHeader} title=${t('home.welcome', { name: user.name || user.login })}
      subtitle=${settings && settings.company_name ? t('home.company', { company: settings.company_name }) : null}>
      ${leads ? html`<${Link} class="btn primary" href="/leads" data-testid="home-new-lead">+ ${t('home.new_lead')}<//>` : null}
      ${deals && mayDo(user, 'deal', 'create') ? html`<${Link} class="btn" href="/deals/new" data-testid="home-new-deal">+ ${t('crm.new_deal')}<//>` : null}
    <//>
    <${Tiles} />
    <${Funnel} />
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

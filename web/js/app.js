// Entry point: start-up (who is signed in?), the login/shell switch, the top bar with the
// navigation built from the module registry, the user menu, toasts and keyboard shortcuts.
import { render } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t, onLanguageChange, setCompanyLanguage, roleName } from './i18n.js';
import { api, setCsrf, onUnauthorized } from './api.js';
import { navigate, usePath, Link, confirmLeave } from './router.js';
import { AppContext, useApp, can } from './context.js';
import { visibleModules, moduleFor } from './modules.js';
import { LoginPage } from './login.js';
import { ProfilePage } from './profile.js';
import { LanguageSwitch } from './langswitch.js';
import { NotificationBell } from './bell.js';
import { PageHeader, Spinner, initials, useDismiss } from './ui.js';
import { useCrmSettings, forgetUsers, setCustomFields } from './crm.js';

// Pipelines with their stages and the moves this user may make (GET /api/pipelines): the
// navigation, boards, lists and cards all need them, so they are loaded once at sign-in.
async function loadPipelines() {
  try {
    const r = await api.get('/api/pipelines');
    return (r && r.items) || [];
  } catch {
    return [];
  }
}

// Custom field definitions of every entity (GET /api/fields).
async function loadFields() {
  try {
    const r = await api.get('/api/fields');
    setCustomFields((r && r.items) || []);
  } catch {
    setCustomFields([]);
  }
}

async function loadSettings() {
  try {
    const s = await api.get('/api/settings');
    if (s && s.language) setCompanyLanguage(s.language);
    return s;
  } catch {
    return null;
  }
}

function App() {
  const [, setLangTick] = useState(0);
  useEffect(() => onLanguageChange(() => setLangTick((n) => n + 1)), []);

  const path = usePath();
  const [phase, setPhase] = useState('boot');            // boot → ready
  const [user, setUser] = useState(null);
  const [settings, setSettings] = useState(null);
  const [pipelines, setPipelines] = useState([]);
  const [notice, setNotice] = useState(null);            // i18n key shown on the login page
  const [toasts, setToasts] = useState([]);
  const returnTo = useRef(null);

  function signedOut(noticeKey) {
    setCsrf(null);
    setUser(null);
    setSettings(null);
    setPipelines([]);
    forgetUsers();
    setNotice(noticeKey || null);
  }

  useEffect(() => {
    onUnauthorized(() => signedOut('login.expired'));
    (async () => {
      try {
        const me = await api.get('/api/me', null, { quiet401: true });
        setCsrf(me.csrf);
        const [s, p] = await Promise.all([loadSettings(), loadPipelines(), loadFields()]);
        setSettings(s);
        setPipelines(p);
        setUser(me.user);
      } catch { /* not signed in */ }
      setPhase('ready');
    })();
  }, []);

  // Keep the URL honest: /login when signed out (remembering where the user was going), and
  // away from /login once signed in. Before paint, so the address matches the screen.
  useLayoutEffect(() => {
    if (phase !== 'ready') return;
    if (!user && path !== '/login') {
      returnTo.current = path + location.search;
      navigate('/login', { replace: true, force: true });   // signed out: what was unsaved cannot be saved
    } else if (user && path === '/login') {
      navigate(returnTo.current || '/', { replace: true });
      returnTo.current = null;
    }
  }, [phase, user, path]);

  async function signedIn(res) {
    setCsrf(res.csrf);
    const [s, p] = await Promise.all([loadSettings(), loadPipelines(), loadFields()]);
    setSettings(s);
    setPipelines(p);
    setNotice(null);
    setUser(res.user);
  }

  async function logout() {
    if (!confirmLeave()) return;
    try { await api.post('/api/logout', undefined, { quiet401: true }); } catch { /* gone already */ }
    returnTo.current = null;
    signedOut('login.signed_out');
    navigate('/login', { force: true });
  }

  // notify('users.created', {login}) or, for text already translated, notify(null, null, kind, text).
  function notify(key, params, kind = 'ok', text) {
    const id = Math.random().toString(36).slice(2);
    setToasts((list) => list.concat({ id, key, params, kind, text }));
    setTimeout(() => setToasts((list) => list.filter((x) => x.id !== id)), kind === 'error' ? 7000 : 4000);
  }

  if (phase === 'boot') return html`<div class="boot"><${Spinner} /></div>`;
  if (!user) {
    document.title = t('login.title') + ' · voronka';
    return html`<${LoginPage} onSignedIn=${signedIn} notice=${notice} />`;
  }

  useCrmSettings(settings);
  const ctx = { user, settings, setSettings: (s) => { setSettings(s); if (s.language) setCompanyLanguage(s.language); },
    pipelines, reloadPipelines: async () => setPipelines(await loadPipelines()),
    modules: visibleModules(user, { pipelines }), notify, logout };
  return html`<${AppContext.Provider} value=${ctx}>
    <${Shell} path=${path} />
    <div class="toasts" aria-live="polite">
      ${toasts.map((x) => html`<div key=${x.id} class=${'toast ' + x.kind} role="status" data-testid="toast">${x.text || t(x.key, x.params)}</div>`)}
    </div>
  <//>`;
}

function UserMenu({ user, onLogout }) {
  const [open, setOpen] = useState(false);
  const box = useRef(null);
  const button = useRef(null);
  useDismiss(open, setOpen, box, button);
  const name = user.name || user.login;
  return html`<div class="user-menu" ref=${box}>
    <button type="button" class="user-button" ref=${button} aria-haspopup="true" aria-expanded=${open ? 'true' : 'false'}
      aria-controls="user-menu-panel" onClick=${() => setOpen(!open)} data-testid="user-menu-button"
      title=${t('menu.account')}>
      <span class="avatar" aria-hidden="true">${initials(name)}</span>
      <span class="user-button-name" data-testid="user-name">${name}</span>
      <svg class="chevron" viewBox="0 0 12 12" width="12" height="12" aria-hidden="true"><path d="M3 4.5l3 3 3-3" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>
    </button>
    ${open ? html`<div class="menu-panel" id="user-menu-panel" data-testid="user-menu">
      <div class="menu-head">
        <div class="strong">${name}</div>
        <div class="muted small" data-testid="user-role">${roleName(user.role, user.role_name)} · ${user.login}</div>
      </div>
      <${Link} class="menu-item" href="/profile" onClick=${() => setOpen(false)} data-testid="menu-profile">${t('menu.change_password')}<//>
      <div class="menu-item static">
        <span>${t('menu.language')}</span>
        <${LanguageSwitch} compact />
      </div>
      <button type="button" class="menu-item" onClick=${() => { setOpen(false); onLogout(); }} data-testid="logout">${t('menu.logout')}</button>
    </div>` : null}
  </div>`;
}

function Shell({ path }) {
  const ctx = useApp();
  const { user, settings, modules: visible } = ctx;
  const [navOpen, setNavOpen] = useState(false);
  const navBox = useRef(null);
  const navButton = useRef(null);
  useDismiss(navOpen, setNavOpen, navBox, navButton);
  useEffect(() => setNavOpen(false), [path]);

  // g h / g u / g s …: the shortcut letters come from the registry.
  const shortcuts = useRef(visible);
  shortcuts.current = visible;
  useEffect(() => {
    let pendingAt = 0;
    const onKey = (e) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      const el = e.target;
      if (el && el.closest && el.closest('input, textarea, select, [contenteditable]')) return;
      if (document.querySelector('dialog[open]')) return;
      const key = (e.key || '').toLowerCase();
      if (pendingAt && Date.now() - pendingAt < 1500) {
        pendingAt = 0;
        const m = shortcuts.current.find((x) => x.shortcut === key);
        if (m) { e.preventDefault(); navigate(m.path); }
        return;
      }
      if (key === 'g') pendingAt = Date.now();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  // Which page: /profile, a module the user may see, or an honest "no access" / "not found".
  const mod = moduleFor(path);
  let Page; let title;
  if (path === '/profile') { Page = ProfilePage; title = t('profile.title'); }
  else if (mod && (visible.includes(mod) || (mod.card && /^\/[a-z]+\/\d+$/.test(path) && mod.card(user)))) { Page = mod.component; title = t(mod.key); }
  else if (mod) { Page = NoAccess; title = t('errors.no_access_title'); }
  else { Page = NotFound; title = t('errors.not_found_title'); }

  const company = (settings && settings.company_name) || 'voronka';
  document.title = title + ' · ' + company;

  // After navigation, move focus to the new page's heading (screen readers announce it).
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    // unless the user is already typing in the new page (its "/" search key came first)
    const a = document.activeElement;
    if (a && a.closest('main') && a.matches('input, textarea, select, [contenteditable]')) return;
    const h = document.querySelector('main h1');
    if (h) h.focus({ preventScroll: true });
  }, [path]);

  const active = (m) => (m.path === '/' ? path === '/' : path === m.path || path.startsWith(m.path + '/'));
  return html`<div class="shell">
    <a class="skip-link" href="#main">${t('nav.skip')}</a>
    <header class="topbar" data-testid="topbar">
      <div class="nav-wrap" ref=${navBox}>
        <button type="button" class="icon-btn nav-toggle" ref=${navButton} aria-expanded=${navOpen ? 'true' : 'false'}
          aria-controls="main-nav" aria-label=${t('nav.menu')} title=${t('nav.menu')}
          onClick=${() => setNavOpen(!navOpen)} data-testid="nav-toggle">
          <svg viewBox="0 0 20 20" width="20" height="20" aria-hidden="true"><path d="M3 5h14M3 10h14M3 15h14" stroke="currentColor" stroke-width="1.7" stroke-linecap="round"/></svg>
        </button>
        <${Link} class="brand" href="/" data-testid="company-name-link">
          <svg class="brand-mark" viewBox="0 0 16 16" width="18" height="18" aria-hidden="true"><path d="M1 2h14l-5 6v5l-4 2V8z" fill="currentColor"/></svg>
          <span class="brand-name" data-testid="company-name">${company}</span>
        <//>
        <nav id="main-nav" class=${'main-nav' + (navOpen ? ' open' : '')} aria-label=${t('nav.label')} data-testid="nav">
          ${visible.map((m) => html`<${Link} key=${m.id} href=${m.path} class=${'nav-link' + (active(m) ? ' active' : '')}
              aria-current=${active(m) ? 'page' : undefined} data-testid=${'nav-' + m.id}
              onClick=${() => setNavOpen(false)}>${t(m.key)}<//>`)}
        </nav>
      </div>
      <div class="topbar-right">
        <${NotificationBell} />
        <${UserMenu} user=${user} onLogout=${ctx.logout} />
      </div>
    </header>
    <main id="main" class="main" tabindex="-1">
      <${Page} key=${mod ? mod.id : path} />
    </main>
  </div>`;
}

function NoAccess() {
  return html`<div class="page narrow" data-testid="no-access">
    <${PageHeader} title=${t('errors.no_access_title')} subtitle=${t('errors.no_access')} />
    <${Link} class="btn" href="/">${t('errors.go_home')}<//>
  </div>`;
}

function NotFound() {
  return html`<div class="page narrow" data-testid="not-found">
    <${PageHeader} title=${t('errors.not_found_title')} subtitle=${t('errors.not_found')} />
    <${Link} class="btn" href="/">${t('errors.go_home')}<//>
  </div>`;
}

render(html`<${App} />`, document.getElementById('app'));

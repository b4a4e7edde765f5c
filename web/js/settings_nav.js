// The sections of Settings: the company settings (/settings) and, for those allowed to change
// them, the CRM configuration screens. A later section adds one entry here. Entries:
//   id, path, key (i18n of the tab), may(user) → bool, component.
import { useEffect, useRef } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { can } from './context.js';
import { Link } from './router.js';
import { PageHeader } from './ui.js';
import { PipelinesSettings } from './settings_pipelines.js';
import { FieldsSettings } from './settings_fields.js';
import { ListsSettings } from './settings_lists.js';
import { RolesSettings } from './settings_roles.js';
import { TeamsSettings } from './settings_teams.js';
import { ProductsSettings } from './settings_products.js';

export const SECTIONS = [
  { id: 'general', path: '/settings', key: 'config.tab_general', may: () => true, component: null },
  { id: 'pipelines', path: '/settings/pipelines', key: 'config.tab_pipelines', may: (u) => can(u, 'settings.manage'), component: PipelinesSettings },
  { id: 'fields', path: '/settings/fields', key: 'config.tab_fields', may: (u) => can(u, 'settings.manage'), component: FieldsSettings },
  { id: 'lists', path: '/settings/lists', key: 'config.tab_lists', may: (u) => can(u, 'settings.manage'), component: ListsSettings },
  { id: 'products', path: '/settings/products', key: 'items.tab_products', may: (u) => can(u, 'settings.manage'), component: ProductsSettings },
  // changing a role needs users.manage (PUT /api/roles), reading them roles.read
  { id: 'roles', path: '/settings/roles', key: 'config.tab_roles', may: (u) => can(u, 'users.manage') && can(u, 'roles.read'), component: RolesSettings },
  { id: 'teams', path: '/settings/teams', key: 'config.tab_teams', may: (u) => can(u, 'users.manage') && can(u, 'users.read'), component: TeamsSettings },
];

// The section that owns a path below /settings (/settings/pipelines/orders → pipelines), or null.
export function settingsSection(path) {
  return SECTIONS.find((s) => s.component && (path === s.path || path.startsWith(s.path + '/'))) || null;
}

export function SettingsTabs({ user, active }) {
  const shown = SECTIONS.filter((s) => s.may(user));
  const nav = useRef(null);
  // on a phone the tabs scroll sideways: keep the current one in sight
  useEffect(() => {
    const el = nav.current && nav.current.querySelector('.settings-tab.active');
    if (el) nav.current.scrollLeft = Math.max(0, el.offsetLeft - nav.current.offsetLeft - 16);
  }, [active]);
  if (shown.length < 2) return null;
  return html`<nav class="settings-tabs" ref=${nav} aria-label=${t('config.sections')} data-testid="settings-tabs">
    ${shown.map((s) => html`<${Link} key=${s.id} href=${s.path} class=${'settings-tab' + (s.id === active ? ' active' : '')}
        aria-current=${s.id === active ? 'page' : undefined} data-testid=${'settings-tab-' + s.id}>${t(s.key)}<//>`)}
  </nav>`;
}

// Heading, tabs and the section's content; a section the user may not open says so.
export function SettingsFrame({ user, section, subtitle, actions, children, testid }) {
  const allowed = section.may(user);
  return html`<div class="page settings-page" data-testid=${testid || 'settings-' + section.id}>
    <${PageHeader} title=${t('settings.title')} subtitle=${subtitle}>${actions}<//>
    <${SettingsTabs} user=${user} active=${section.id} />
    ${allowed ? children : html`<div class="notice" data-testid="settings-no-access">${t('errors.no_access')}</div>`}
  </div>`;
}

export function sectionById(id) { return SECTIONS.find((s) => s.id === id); }

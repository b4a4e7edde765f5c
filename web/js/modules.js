// The module registry: every screen reachable from the navigation. A later module (deals,
// contacts, calendar, reports…) adds one entry here and appears in the navigation of the users
// whose role has its capability. Entries:
//   id          stable name (data-testid "nav-<id>")
//   path        URL; the module also owns every path below it (/deals/42)
//   key         i18n key of its navigation label
//   capability  needed to see it (null: every signed-in user)
//   component   the page
//   shortcut    optional: "g <letter>" jumps here
import { can } from './context.js';
import { HomePage } from './home.js';
import { UsersPage } from './users.js';
import { SettingsPage } from './settings.js';

export const modules = [
  { id: 'home', path: '/', key: 'nav.home', capability: null, component: HomePage, shortcut: 'h' },
  { id: 'users', path: '/users', key: 'nav.users', capability: 'users.read', component: UsersPage, shortcut: 'u' },
  { id: 'settings', path: '/settings', key: 'nav.settings', capability: null, component: SettingsPage, shortcut: 's' },
];

export function visibleModules(user) {
  return modules.filter((m) => can(user, m.capability));
}

// The module that owns a path, whether or not the user may see it.
export function moduleFor(path) {
  if (path === '/') return modules.find((m) => m.path === '/');
  return modules.find((m) => m.path !== '/' && (path === m.path || path.startsWith(m.path + '/')));
}

// The module registry: every screen reachable from the navigation. A later module (calendar,
// reports…) adds one entry here and appears in the navigation of the users whose role has its
// capability. Entries:
//   id          stable name (data-testid "nav-<id>")
//   path        URL; the module also owns every path below it (/deals/42)
//   key         i18n key of its navigation label
//   capability  needed to see it (null: every signed-in user)
//   visible     optional (user, {pipelines}) → bool, checked after the capability
//   card        optional (user) → bool: its record cards (/contacts/42) open even when the
//               module is not visible (a field worker opens the client of an order)
//   component   the page
//   shortcut    optional: "g <letter>" jumps here
import { can } from './context.js';
import { HomePage } from './home.js';
import { UsersPage } from './users.js';
import { SettingsPage } from './settings.js';
import { DealsPage, CompaniesPage, ContactsPage } from './crmpages.js';
import { LeadsPage } from './leads.js';
import { mayDo, mayOpen, pipelinesFor } from './crm.js';
import { TasksPage } from './taskspage.js';
import { hasTasks } from './tasks.js';

export const modules = [
  { id: 'home', path: '/', key: 'nav.home', capability: null, component: HomePage, shortcut: 'h' },
  // a deal always sits in a pipeline: without one there is nothing to show or create
  { id: 'deals', path: '/deals', key: 'nav.deals', capability: null, component: DealsPage, shortcut: 'd',
    visible: (u, c) => mayDo(u, 'deal', 'read') && pipelinesFor(c.pipelines, 'deal').length > 0 },
  { id: 'companies', path: '/companies', key: 'nav.companies', capability: null, component: CompaniesPage, shortcut: 'c',
    visible: (u) => mayDo(u, 'company', 'read'), card: (u) => mayOpen(u, 'company') },
  { id: 'contacts', path: '/contacts', key: 'nav.contacts', capability: null, component: ContactsPage, shortcut: 'k',
    visible: (u) => mayDo(u, 'contact', 'read'), card: (u) => mayOpen(u, 'contact') },
  { id: 'leads', path: '/leads', key: 'nav.leads', capability: null, component: LeadsPage, shortcut: 'l',
    visible: (u, c) => mayDo(u, 'company', 'create') && pipelinesFor(c.pipelines, 'company').length > 0 },
  { id: 'tasks', path: '/tasks', key: 'tasks.nav', capability: null, component: TasksPage, shortcut: 't',
    visible: (u) => hasTasks(u) },
  { id: 'users', path: '/users', key: 'nav.users', capability: 'users.read', component: UsersPage, shortcut: 'u' },
  { id: 'settings', path: '/settings', key: 'nav.settings', capability: null, component: SettingsPage, shortcut: 's' },
];

export function visibleModules(user, crm = {}) {
  return modules.filter((m) => can(user, m.capability) && (!m.visible || m.visible(user, crm)));
}

// The module that owns a path, whether or not the user may see it.
export function moduleFor(path) {
  if (path === '/') return modules.find((m) => m.path === '/');
  return modules.find((m) => m.path !== '/' && (path === m.path || path.startsWith(m.path + '/')));
}

// History API routing. The server answers any unknown non-/api GET with index.html, so every
// screen has a real URL that survives reload and can be bookmarked.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';

const listeners = new Set();
const guards = new Set();
let here = location.pathname + location.search;   // where the app is: Back is undone to it when refused

function notify() { for (const f of listeners) f(); }

// Unsaved-changes guards. An editor with unsaved edits adds one (useLeaveGuard in
// settings_kit.js) and removes it once saved or gone; while any is held, leaving the screen by a
// link, the navigation or the browser's Back asks first. Returns the function that removes it.
export function addLeaveGuard() {
  const g = {};
  guards.add(g);
  return () => guards.delete(g);
}

// True when the screen may be left: nothing is unsaved, or the user agrees to lose it. Screens
// that switch what they edit without a new path (a list, a role) ask this too.
export function confirmLeave() {
  return !guards.size || window.confirm(t('core.leave_confirm'));
}

window.addEventListener('popstate', () => {
  const to = location.pathname + location.search;
  if (to.split('?')[0] !== here.split('?')[0] && !confirmLeave()) {
    history.pushState(null, '', here);              // stay: the address goes back to this screen
    return;
  }
  here = to;
  notify();
});

// Go to another screen; false when the user chose to stay with unsaved changes.
export function navigate(to, { replace = false, force = false } = {}) {
  if (to === location.pathname + location.search + location.hash) return true;
  const samePath = to.split(/[?#]/)[0] === location.pathname;
  if (!samePath && !force && !confirmLeave()) return false;
  history[replace ? 'replaceState' : 'pushState'](null, '', to);
  here = location.pathname + location.search;
  if (!samePath) window.scrollTo(0, 0);
  notify();
  return true;
}

// Change the query string in place (filters, sort): no history entry, no re-render.
export function setQuery(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  const url = location.pathname + (s ? '?' + s : '');
  if (url !== location.pathname + location.search) history.replaceState(null, '', url);
  here = url;
}

export function queryParams() {
  return Object.fromEntries(new URLSearchParams(location.search));
}

// The current path; re-renders the caller when it changes.
export function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const f = () => setPath(location.pathname);
    listeners.add(f);
    return () => listeners.delete(f);
  }, []);
  return path;
}

// Path and query string: re-renders the caller when either changes through navigate().
export function useLocation() {
  const [loc, setLoc] = useState(location.pathname + location.search);
  useEffect(() => {
    const f = () => setLoc(location.pathname + location.search);
    listeners.add(f);
    return () => listeners.delete(f);
  }, []);
  return loc;
}

// An <a> that navigates without a reload; modified clicks (new tab…) behave as usual.
export function Link({ href, onClick, children, ...rest }) {
  const click = (e) => {
    if (onClick) onClick(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${click} ...${rest}>${children}</a>`;
}

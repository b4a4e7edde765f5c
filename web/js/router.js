// History API routing. The server answers any unknown non-/api GET with index.html, so every
// screen has a real URL that survives reload and can be bookmarked.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';

const listeners = new Set();

function notify() { for (const f of listeners) f(); }
window.addEventListener('popstate', notify);

export function navigate(to, { replace = false } = {}) {
  if (to === location.pathname + location.search + location.hash) return;
  const samePath = to.split(/[?#]/)[0] === location.pathname;
  history[replace ? 'replaceState' : 'pushState'](null, '', to);
  if (!samePath) window.scrollTo(0, 0);
  notify();
}

// Change the query string in place (filters, sort): no history entry, no re-render.
export function setQuery(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  const url = location.pathname + (s ? '?' + s : '');
  if (url !== location.pathname + location.search) history.replaceState(null, '', url);
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

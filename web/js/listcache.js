// Value lists (GET /api/lists/KEY) as cards, forms and filters show them. A list is read once
// and shared while it is fresh, so a board of fifty cards asks once. Saving or deleting a list
// in Settings drops it at once — here, and in this browser's other tabs through a
// BroadcastChannel — and every screen showing it reads it again; a list older than FRESH_MS is
// re-read in the background when a screen opens, so a colleague's edit shows without a reload.
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';

const FRESH_MS = 30000;
const cache = new Map();         // key → {items, at}
const loading = new Map();       // key → promise of items
const subscribers = new Set();   // f(key or null for all)
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('voronka-lists') : null;
if (channel) channel.onmessage = (e) => { if (e.data && e.data.type === 'list-changed') drop(e.data.key || null); };

function drop(key) {
  if (key) cache.delete(key); else cache.clear();
  for (const f of [...subscribers]) f(key);
}

// A list was saved or deleted (null: any list): every screen reads it again, in every tab.
export function listChanged(key = null) {
  drop(key);
  if (channel) channel.postMessage({ type: 'list-changed', key });
}

function load(key) {
  if (loading.has(key)) return loading.get(key);
  const p = api.get('/api/lists/' + encodeURIComponent(key))
    .then((r) => { const items = r.items || []; cache.set(key, { items, at: Date.now() }); return items; })
    .finally(() => loading.delete(key));
  loading.set(key, p);
  return p;
}

// The items of list KEY ([{value, label}]), null until read; [] for a list that is gone.
export function useListItems(key) {
  const [items, setItems] = useState(() => (key && cache.has(key) ? cache.get(key).items : null));
  const [gen, setGen] = useState(0);
  useEffect(() => {
    const f = (k) => { if (!k || k === key) setGen((g) => g + 1); };
    subscribers.add(f);
    return () => subscribers.delete(f);
  }, [key]);
  useEffect(() => {
    if (!key) { setItems(null); return undefined; }
    let live = true;
    const hit = cache.get(key);
    if (hit) setItems(hit.items);
    if (!hit || Date.now() - hit.at > FRESH_MS)
      load(key).then((x) => { if (live) setItems(x); }, () => { if (live && !hit) setItems([]); });
    return () => { live = false; };
  }, [key, gen]);
  return items;
}

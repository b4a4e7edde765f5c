// List views of contacts, companies and deals: search, filters (owner, pipeline and stage,
// city, company, open/closed), sortable columns, a column chooser remembered on this browser,
// a total count and keyset "show more". Filters and sort live in the URL, so a reload or a
// shared link shows the same list. Custom fields add columns and filters (customlist.js); the
// export buttons download exactly this list; a selection column feeds bulk reassignment.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { api } from './api.js';
import { Link, navigate, queryParams, setQuery } from './router.js';
import { useApp } from './context.js';
import { PageHeader, Spinner, useDismiss } from './ui.js';
import { ENTITIES, pipelinesFor, pipelineByKey, stageByKey, recordError, formatValue, formatMoney, formatWhen,
  formatDate, recordPath, useUsers, stored, store, fieldLabel, mayDo, rememberBack } from './crm.js';
import { ViewSwitch, SearchBox, OwnerSelect, StageBadge, PhoneLink, Avatar, Banner } from './widgets.js';
import { customColumns, customParams, CustomCell, CustomFilters, CustomFilterChips } from './customlist.js';
import { ExportButtons } from './transfer.js';
import { useSelection, mayReassign, BulkBar } from './bulk.js';

const PAGE = 50;

// Columns: key, sort (server field) when sortable, the default set, and how a cell looks.
const COLUMNS = {
  contact: [
    { key: 'name', sort: 'name', fixed: true },
    { key: 'company_id', def: true },
    { key: 'phones', def: true },
    { key: 'emails', def: true },
    { key: 'position' },
    { key: 'owner_id', def: true },
    { key: 'city', sort: 'city', def: true },
    { key: 'category', sort: 'category' },
    { key: 'source', sort: 'source' },
    { key: 'birthday', sort: 'birthday' },
    { key: 'created_at', sort: 'created_at' },
    { key: 'updated_at', sort: 'updated_at' },
  ],
  company: [
    { key: 'name', sort: 'name', fixed: true },
    { key: 'stage', sort: 'stage_id', def: true },
    { key: 'phones', def: true },
    { key: 'emails' },
    { key: 'city', sort: 'city', def: true },
    { key: 'owner_id', def: true },
    { key: 'domain' },
    { key: 'inn' },
    { key: 'category', sort: 'category' },
    { key: 'source', sort: 'source' },
    { key: 'created_at', sort: 'created_at' },
    { key: 'updated_at', sort: 'updated_at', def: true },
    { key: 'stage_changed_at', sort: 'stage_changed_at' },
  ],
  deal: [
    { key: 'title', sort: 'title', fixed: true },
    { key: 'stage', sort: 'stage_id', def: true },
    { key: 'amount', sort: 'amount', def: true, num: true },
    { key: 'company_id', def: true },
    { key: 'contact_id', def: true },
    { key: 'owner_id', def: true },
    { key: 'city', sort: 'city' },
    { key: 'source', sort: 'source' },
    { key: 'created_at', sort: 'created_at' },
    { key: 'closed_at', sort: 'closed_at' },
    { key: 'updated_at', sort: 'updated_at', def: true },
  ],
};

function defaultColumns(entity) { return COLUMNS[entity].filter((c) => c.fixed || c.def).map((c) => c.key); }
function allColumns(entity) { return COLUMNS[entity].concat(customColumns(entity)); }

export function ListPage({ entity }) {
  const app = useApp();
  const meta = ENTITIES[entity];
  const pls = pipelinesFor(app.pipelines, entity);
  const users = useUsers(app.user);
  const p0 = queryParams();
  const [f, setF] = useState({
    q: p0.q || '', owner: p0.owner ?? stored('list_owner.' + entity, ''), pipeline: p0.pipeline || '', stage: p0.stage || '',
    city: p0.city || '', company_id: p0.company_id || '', contact_id: p0.contact_id || '', status: p0.status || '',
    sort: p0.sort || '-updated_at', cf: customParams(p0),
  });
  const [cols, setCols] = useState(() => {
    const saved = stored('columns.' + entity, null);
    const known = allColumns(entity).map((c) => c.key);
    return Array.isArray(saved) ? saved.filter((k) => known.includes(k)) : defaultColumns(entity);
  });
  const [items, setItems] = useState([]);
  const [next, setNext] = useState(null);
  const [total, setTotal] = useState(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(null);
  const [link, setLink] = useState(null);          // the company/contact a list is narrowed to
  const [done, setDone] = useState(null);          // the result of a bulk action
  const sel = useSelection();
  const selectable = mayReassign(app.user, entity);
  const seq = useRef(0);
  const set = (k, v) => setF((old) => ({ ...old, [k]: v, ...(k === 'pipeline' ? { stage: '' } : {}) }));

  function args(cursor) {
    const a = { q: f.q.trim() || undefined, owner: f.owner || undefined, pipeline: f.pipeline || undefined,
      stage: f.stage || undefined, city: f.city.trim() || undefined, company_id: f.company_id || undefined,
      contact_id: f.contact_id || undefined, ...f.cf, sort: f.sort, limit: PAGE };
    if (f.status === 'open') a['closed_at.empty'] = 'true';
    if (f.status === 'closed') a['closed_at.empty'] = 'false';
    if (cursor) a.cursor = cursor; else a.count = 'true';
    return a;
  }

  async function load(more) {
    const n = ++seq.current;
    setLoading(true);
    setError(null);
    try {
      const r = await api.get('/api/' + meta.plural, args(more ? next : undefined));
      if (n !== seq.current) return;
      setItems((old) => (more ? old.concat(r.items || []) : r.items || []));
      setNext(r.next || null);
      if (!more) setTotal(r.total ?? null);
    } catch (e) {
      if (n === seq.current) setError(e);
    } finally {
      if (n === seq.current) setLoading(false);
    }
  }

  useEffect(() => {
    const { q, owner, pipeline, stage, city, company_id, contact_id, status, sort, cf } = f;
    setQuery({ q: q.trim(), owner, pipeline, stage, city: city.trim(), company_id, contact_id, status, ...cf, sort: sort === '-updated_at' ? '' : sort });
    sel.clear();
    rememberBack(entity);
    const timer = setTimeout(() => load(false), f.q || f.city ? 250 : 0);
    return () => clearTimeout(timer);
  }, [f]);

  // The name of the company/contact the list is narrowed to, for the filter chip.
  useEffect(() => {
    const which = f.company_id ? ['company', f.company_id] : f.contact_id ? ['contact', f.contact_id] : null;
    if (!which) { setLink(null); return; }
    api.get(`/api/${ENTITIES[which[0]].plural}/${which[1]}`).then((r) => setLink({ entity: which[0], id: r.id, name: r[ENTITIES[which[0]].title] }))
      .catch(() => setLink({ entity: which[0], id: which[1], name: '#' + which[1] }));
  }, [f.company_id, f.contact_id]);

  function toggleSort(col) {
    if (!col.sort) return;
    const cur = f.sort.replace(/^-/, '');
    const desc = f.sort.startsWith('-');
    set('sort', cur === col.sort ? (desc ? col.sort : '-' + col.sort) : (col.num || col.sort.endsWith('_at') ? '-' : '') + col.sort);
  }
  function chooseColumns(list) { setCols(list); store('columns.' + entity, list); }

  // Up/Down walk the rows (the name links), Enter opens: a list usable without a mouse.
  function tableKey(e) {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const links = [...e.currentTarget.querySelectorAll('a.row-link')];
    const i = links.indexOf(document.activeElement);
    if (i < 0) return;
    e.preventDefault();
    const nx = links[i + (e.key === 'ArrowDown' ? 1 : -1)];
    if (nx) nx.focus();
  }

  const shown = allColumns(entity).filter((c) => c.fixed || cols.includes(c.key));
  const pipeline = pipelineByKey(pls, f.pipeline) || (pls.length === 1 ? pls[0] : null);
  const stages = pipeline ? pipeline.stages : pls.flatMap((p) => p.stages.map((s) => ({ ...s, name: pls.length > 1 ? p.name + ': ' + s.name : s.name })));
  const filtered = f.q || f.owner || f.pipeline || f.stage || f.city || f.company_id || f.contact_id || f.status || Object.keys(f.cf).length;
  const listQuery = args();
  const pageAll = items.length > 0 && items.every((r) => sel.has(r.id));
  const newHref = meta.path + '/new' + (f.company_id ? '?company_id=' + f.company_id : f.contact_id ? '?contact_id=' + f.contact_id : '');

  return html`<div class="page wide" data-testid="list-page">
    <${PageHeader} title=${t(`crm.${meta.plural}`)}
      subtitle=${total != null ? html`<span data-testid="list-total">${t(`lists.total_${entity}`, { count: total })}</span>` : null}>
      ${meta.pipeline && pls.length ? html`<${ViewSwitch} entity=${entity} view="list" />` : null}
      <${ExportButtons} entity=${entity} query=${listQuery} />
      ${entity !== 'deal' && mayDo(app.user, entity, 'create') ? html`<${Link} class="btn" href=${meta.path + '/import'} data-testid="list-import">
        ${t('data.import')}<//>` : null}
      ${mayDo(app.user, entity, 'create') && (entity !== 'deal' || pls.length) ? html`<${Link} class="btn primary" href=${newHref} data-testid="list-new">
        <span aria-hidden="true">+</span> ${t(`crm.new_${entity}`)}<//>` : null}
    <//>
    <div class="toolbar wrap">
      <${SearchBox} value=${f.q} onInput=${(v) => set('q', v)} placeholder=${t(`lists.search_${entity}`)} testid="list-search" />
      <${OwnerSelect} value=${f.owner} users=${users} onChange=${(v) => { store('list_owner.' + entity, v); set('owner', v); }} />
      ${meta.pipeline && pls.length > 1 ? html`<select class="input select" value=${f.pipeline} aria-label=${t('board.pipeline')}
          onChange=${(e) => set('pipeline', e.currentTarget.value)} data-testid="filter-pipeline">
        <option value="">${t('lists.all_pipelines')}</option>
        ${pls.map((p) => html`<option key=${p.key} value=${p.key}>${p.name}</option>`)}
      </select>` : null}
      ${meta.pipeline && stages.length ? html`<select class="input select" value=${f.stage} aria-label=${t('fields.stage')}
          onChange=${(e) => set('stage', e.currentTarget.value)} data-testid="filter-stage">
        <option value="">${t('lists.all_stages')}</option>
        ${stages.map((s) => html`<option key=${s.id} value=${s.key}>${s.name}</option>`)}
      </select>` : null}
      ${entity === 'deal' ? html`<select class="input select" value=${f.status} aria-label=${t('lists.status')}
          onChange=${(e) => set('status', e.currentTarget.value)} data-testid="filter-status">
        <option value="">${t('lists.status_all')}</option>
        <option value="open">${t('lists.status_open')}</option>
        <option value="closed">${t('lists.status_closed')}</option>
      </select>` : null}
      <input class="input city-filter" value=${f.city} placeholder=${t('fields.city')} aria-label=${t('fields.city')}
        onInput=${(e) => set('city', e.currentTarget.value)} data-testid="filter-city" />
      <${CustomFilters} entity=${entity} value=${f.cf} onChange=${(cf) => set('cf', cf)} zone=${(app.settings && app.settings.timezone) || 'Europe/Moscow'} users=${users} />
      <${ColumnChooser} entity=${entity} cols=${cols} onChange=${chooseColumns} />
    </div>
    ${Object.keys(f.cf).length ? html`<div class="chips" data-testid="custom-chips">
      <${CustomFilterChips} entity=${entity} value=${f.cf} onChange=${(cf) => set('cf', cf)} zone=${(app.settings && app.settings.timezone) || 'Europe/Moscow'} users=${users} />
    </div>` : null}
    ${done !== null ? html`<${Banner} kind="info" testid="bulk-result" onClose=${() => setDone(null)}>${t('data.reassigned', { count: done })}<//>` : null}
    ${selectable ? html`<${BulkBar} entity=${entity} sel=${sel} items=${items} total=${total ?? items.length} query=${listQuery} users=${users}
      onDone=${(n) => { setDone(n); load(false); }} />` : null}
    ${link ? html`<div class="chips" data-testid="filter-chips">
      <span class="chip" data-testid="chip-link">${t(`lists.of_${link.entity}`)}: <${Link} href=${recordPath(link.entity, link.id)}>${link.name}<//>
        <button type="button" class="chip-x" aria-label=${t('lists.remove_filter')} title=${t('lists.remove_filter')}
          onClick=${() => setF((o) => ({ ...o, company_id: '', contact_id: '' }))}>×</button></span>
    </div>` : null}
    ${error ? html`<div class="form-error" role="alert" data-testid="list-error">${recordError(error)}</div>` : null}
    ${selectable && items.length ? html`<label class="check-row select-page-phone">
      <input type="checkbox" checked=${pageAll} onChange=${(e) => sel.page(items, e.currentTarget.checked)} data-testid="select-page-phone" />
      ${t('data.select_page')}</label>` : null}
    <div class="table-wrap">
      <table class=${'table rtable' + (selectable ? ' selectable' : '')} data-testid="list-table" onKeyDown=${tableKey}>
        <thead><tr>
          ${selectable ? html`<th class="col-select"><input type="checkbox" checked=${pageAll} aria-label=${t('data.select_page')}
            title=${t('data.select_page')} onChange=${(e) => sel.page(items, e.currentTarget.checked)} data-testid="select-page" /></th>` : null}
          ${shown.map((c) => {
            const active = f.sort.replace(/^-/, '') === c.sort;
            const dir = active ? (f.sort.startsWith('-') ? 'descending' : 'ascending') : undefined;
            return html`<th key=${c.key} class=${c.num ? 'num' : ''} aria-sort=${c.sort ? dir || 'none' : undefined}>
              ${c.sort ? html`<button type="button" class="th-sort" onClick=${() => toggleSort(c)} data-testid=${'sort-' + c.key}>
                ${fieldLabel(c.key, entity)}<span class="sort-mark" aria-hidden="true">${active ? (dir === 'descending' ? '↓' : '↑') : ''}</span>
              </button>` : fieldLabel(c.key, entity)}
            </th>`;
          })}
        </tr></thead>
        <tbody>
          ${items.map((r, i) => html`<tr key=${r.id} class=${'clickable' + (selectable && sel.has(r.id) ? ' selected' : '')} data-testid=${'row-' + r.id}
              onClick=${(e) => { if (!e.target.closest('a, button, .col-select')) navigate(recordPath(entity, r.id)); }}>
            ${selectable ? html`<td class="col-select"><input type="checkbox" checked=${sel.has(r.id)} aria-label=${t('data.select_row', { name: r[meta.title] || '#' + r.id })}
              onClick=${(e) => { e.preventDefault(); sel.toggle(r.id, i, e.shiftKey, items); }} data-testid=${'select-' + r.id} /></td>` : null}
            ${shown.map((c) => html`<td key=${c.key} class=${(c.num ? 'num ' : '') + 'col-' + c.key} data-label=${fieldLabel(c.key, entity)}>
              ${c.custom ? html`<${CustomCell} def=${c.custom} value=${(r.custom || {})[c.custom.key]} users=${users} />` : cell(entity, c.key, r, pls)}</td>`)}
          </tr>`)}
        </tbody>
      </table>
      ${!loading && !error && items.length === 0 ? html`<div class="empty" data-testid="list-empty">
        ${filtered ? t('lists.none_match') : t(`lists.none_${entity}`)}</div>` : null}
      ${loading && items.length === 0 ? html`<div class="empty"><${Spinner} /></div>` : null}
    </div>
    ${next ? html`<div class="more"><button type="button" class="btn" disabled=${loading} onClick=${() => load(true)} data-testid="list-more">
      ${t('common.load_more')}${total != null ? ' · ' + t('lists.shown_of', { shown: items.length, total }) : ''}</button></div>` : null}
  </div>`;
}

function cell(entity, key, r, pls) {
  const meta = ENTITIES[entity];
  switch (key) {
    case 'name': case 'title':
      return html`<${Link} class="row-link strong" href=${recordPath(entity, r.id)}>${r[meta.title] || '#' + r.id}<//>`;
    case 'stage': {
      const p = pipelineByKey(pls, r.pipeline);
      const s = stageByKey(p, r.stage);
      return r.stage ? html`<${StageBadge} stage=${s} name=${s ? s.name : r.stage} />` : null;
    }
    case 'company_id':
      return r.company_id ? html`<${Link} href=${recordPath('company', r.company_id)}>${r.company_name || '#' + r.company_id}<//>` : null;
    case 'contact_id':
      return r.contact_id ? html`<${Link} href=${recordPath('contact', r.contact_id)}>${r.contact_name || '#' + r.contact_id}<//>` : null;
    case 'owner_id':
      return r.owner_name ? html`<span class="owner-cell"><${Avatar} name=${r.owner_name} />${r.owner_name}</span>` : null;
    case 'phones':
      return (r.phones || []).length ? html`<${PhoneLink} phone=${r.phones[0]} />${r.phones.length > 1 ? html` <span class="muted small">+${r.phones.length - 1}</span>` : null}` : null;
    case 'emails':
      return (r.emails || []).length ? html`<a href=${'mailto:' + r.emails[0]} onClick=${(e) => e.stopPropagation()}>${r.emails[0]}</a>` : null;
    case 'amount': return r.amount != null ? formatMoney(r.amount, r.currency) : null;
    case 'birthday': return formatDate(r.birthday);
    case 'created_at': case 'updated_at': case 'closed_at': case 'stage_changed_at':
      return html`<span title=${formatValue(key, r[key])}>${formatWhen(r[key])}</span>`;
    default: return formatValue(key, r[key], r);
  }
}

// "Columns" popover: checkboxes for every optional column; the choice is kept in localStorage.
function ColumnChooser({ entity, cols, onChange }) {
  const [open, setOpen] = useState(false);
  const box = useRef(null);
  useDismiss(open, setOpen, box);
  const toggle = (k) => onChange(cols.includes(k) ? cols.filter((x) => x !== k) : allColumns(entity).map((c) => c.key).filter((x) => x === k || cols.includes(x)));
  return html`<div class="popover-wrap" ref=${box}>
    <button type="button" class="btn" aria-expanded=${open ? 'true' : 'false'} onClick=${() => setOpen(!open)} data-testid="columns-button">
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M2 3h3v10H2zM6.5 3h3v10h-3zM11 3h3v10h-3z" fill="none" stroke="currentColor" stroke-width="1.3"/></svg>
      ${t('lists.columns')}</button>
    ${open ? html`<div class="menu-panel columns-panel" data-testid="columns-panel">
      ${allColumns(entity).filter((c) => !c.fixed).map((c) => html`<label key=${c.key} class=${'check-row' + (c.custom ? ' custom-col' : '')}>
        <input type="checkbox" checked=${cols.includes(c.key)} onChange=${() => toggle(c.key)} data-testid=${'column-toggle-' + c.key} />
        ${fieldLabel(c.key, entity)}</label>`)}
      <button type="button" class="btn small ghost" onClick=${() => onChange(defaultColumns(entity))}>${t('lists.columns_reset')}</button>
    </div>` : null}
  </div>`;
}

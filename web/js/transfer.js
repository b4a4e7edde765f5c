// Import of contacts and companies from a CSV file, and the export buttons of the list views
// (docs/import-export.md). The import screen: pick or drop a file; the server's preview says
// how it read it (delimiter, encoding) and suggests a mapping; the user adjusts the mapping and
// the defaults for empty cells, sees the first rows as they will be written, checks them with a
// dry run (counts and per-row errors), then imports. The file goes as it is (the server detects
// Windows-1251), cut at line ends outside quotes into chunks that each repeat the header row and
// carry `row_offset`: the answers add up to a progress bar, and a cancel stops between chunks.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t, lang } from './i18n.js';
import { api, errorMessage } from './api.js';
import { Link } from './router.js';
import { useApp } from './context.js';
import { PageHeader, Spinner } from './ui.js';
import { ENTITIES, pipelinesFor, fieldLabel, mayDo, recordError, useUsers, customDef, customFieldsFor } from './crm.js';
import { useListItems, customOptions } from './fields.js';
import { importErrorText } from './importerrors.js';

const CHUNK_BYTES = 512 * 1024;    // well under the server's 1 MiB body limit
const PREVIEW_ROWS = 10;
const SHOWN_ERRORS = 100;
const DELIMITER_NAMES = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };
// fields whose several columns the server joins (names from Фамилия + Имя + Отчество…)
const JOINED = { name: ' ', address: ', ', notes: '\n', phones: ', ', emails: ', ' };

// ---- export ----

// "CSV" and "XLSX" links for exactly the list on screen: its query with /export added.
export function ExportButtons({ entity, query }) {
  const app = useApp();
  const [busy, setBusy] = useState(false);
  if (!mayDo(app.user, entity, 'export')) return null;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '' && !['limit', 'cursor', 'count'].includes(k)) q.set(k, String(v));
  const base = `/api/${ENTITIES[entity].plural}/export?`;
  // a Russian Excel splits CSV columns by ';'
  const csv = new URLSearchParams(q); csv.set('format', 'csv'); if (lang() === 'ru') csv.set('delimiter', 'semicolon');
  const xlsx = new URLSearchParams(q); xlsx.set('format', 'xlsx');
  // Fetched rather than followed: a refusal (too many rows, a filter the server rejects, an
  // ended session) is shown as a message instead of being saved as a file named like an export.
  async function save(e) {
    e.preventDefault();
    const href = e.currentTarget.getAttribute('href');
    if (busy) return;
    setBusy(true);
    try {
      const { blob, filename } = await api.download(href);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url; a.download = filename;
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (err) {
      app.notify(null, null, 'error', errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return html`<div class="segmented export-links" role="group" aria-label=${t('data.export')} aria-busy=${busy ? 'true' : 'false'}>
    <a class="seg" href=${base + csv} download onClick=${save} data-testid="export-csv" title=${t('data.export_hint')}>
      <svg viewBox="0 0 16 16" width="13" height="13" aria-hidden="true"><path d="M8 2v8M4.5 6.5L8 10l3.5-3.5M3 13h10" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round"/></svg>
      CSV</a>
    <a class="seg" href=${base + xlsx} download onClick=${save} data-testid="export-xlsx" title=${t('data.export_hint')}>XLSX</a>
  </div>`;
}

// ---- splitting a file into chunks of whole rows ----

// Byte offsets where records end (just past the '\n'), outside quotes. '"' and '\n' are one
// byte in both UTF-8 and Windows-1251, so this works on the raw file.
export function splitRows(bytes) {
  const ends = [];
  let quoted = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x22) quoted = !quoted;
    else if (b === 0x0a && !quoted) ends.push(i + 1);
  }
  if (!ends.length || ends[ends.length - 1] < bytes.length) {
    // a last line without a line end counts when it holds anything but blanks
    const tail = bytes.subarray(ends.length ? ends[ends.length - 1] : 0);
    if (tail.some((b) => b !== 0x0d && b !== 0x20)) ends.push(bytes.length);
  }
  return ends;
}

// {header, chunks: [{bytes, rows}], rows}: the header row and the data rows in chunks.
// 16 random bytes as hex (crypto.randomUUID needs https; this works on a plain-http LAN too).
function runId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function chunkFile(bytes, maxBytes = CHUNK_BYTES) {
  const ends = splitRows(bytes);
  if (!ends.length) return { header: bytes, chunks: [], rows: 0 };
  const header = bytes.subarray(0, ends[0]);
  const chunks = [];
  let start = ends[0], rows = 0;
  for (let i = 1; i < ends.length; i++) {
    if (ends[i] - start + header.length > maxBytes && ends[i - 1] > start) {
      chunks.push({ bytes: bytes.subarray(start, ends[i - 1]), rows });
      start = ends[i - 1];
      rows = 0;
    }
    rows++;
  }
  if (ends[ends.length - 1] > start) chunks.push({ bytes: bytes.subarray(start, ends[ends.length - 1]), rows });
  return { header, chunks, rows: ends.length - 1 };
}

function withHeader(header, body) {
  // a header without a line end (a one-line file) still needs one before the rows
  const nl = header.length && header[header.length - 1] !== 0x0a ? new Uint8Array([0x0d, 0x0a]) : new Uint8Array(0);
  return new Blob([header, nl, body], { type: 'text/csv' });
}

// ---- labels ----

function targetLabel(key, entity) {
  if (key === 'pipeline') return t('board.pipeline');
  if (key === 'company') return fieldLabel('company_id', entity);
  if (key === 'owner') return fieldLabel('owner_id', entity);
  if (key.startsWith('messengers.')) return t('record.messenger') + ': ' + key.slice(11);
  if (key.startsWith('custom.')) { const d = customDef(entity, key); return d ? d.label : key.slice(7); }
  return fieldLabel(key, entity);
}

function delimiterLabel(d) { return d === '\t' ? t('data.delimiter_tab') : `"${d}"`; }

function errorsCsv(errors, entity) {
  const q = (s) => '"' + String(s ?? '').replace(/"/g, '""') + '"';
  const lines = [['row', 'field', 'message'].join(',')].concat(errors.map((e) => [e.row, q(e.field ? targetLabel(e.field, entity) : ''), q(importErrorText(e, (k) => targetLabel(k, entity)))].join(',')));
  return URL.createObjectURL(new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv' }));
}

// ---- the import screen ----

export function ImportPage({ entity }) {
  const app = useApp();
  const meta = ENTITIES[entity];
  const users = useUsers(app.user);
  const [file, setFile] = useState(null);          // {name, size, bytes, split}
  const [preview, setPreview] = useState(null);
  const [mapping, setMapping] = useState([]);
  const [defaults, setDefaults] = useState({});
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(false);
  const [over, setOver] = useState(false);          // a file dragged over the drop zone
  const [run, setRun] = useState(null);             // {dry, done, total, created, failed, skipped, errors, rate, state}
  const cancel = useRef(false);
  const input = useRef(null);
  const allowed = mayDo(app.user, entity, 'create') && (entity === 'contact' || entity === 'company');

  async function pick(f) {
    if (!f) return;
    setError(null);
    setRun(null);
    setPreview(null);
    setLoading(true);
    try {
      const bytes = new Uint8Array(await f.arrayBuffer());
      const split = chunkFile(bytes);
      setFile({ name: f.name, size: f.size, bytes, split });
      const first = split.chunks.length ? withHeader(split.header, split.chunks[0].bytes) : new Blob([bytes], { type: 'text/csv' });
      const p = await api.postRaw(`/api/${meta.plural}/import/preview`, {}, first, 'text/csv');
      setPreview(p);
      setMapping(p.mapping.slice());
      setDefaults({});
    } catch (err) {
      setFile(null);
      setError(err);
    } finally {
      setLoading(false);
    }
  }

  const total = file ? (file.split.chunks.length <= 1 && preview ? preview.total_rows : file.split.rows) : 0;

  async function start(dry) {
    if (!file || !preview) return;
    cancel.current = false;
    const defs = Object.fromEntries(Object.entries(defaults).filter(([, v]) => String(v).trim() !== ''));
    const params = {
      delimiter: DELIMITER_NAMES[preview.delimiter], encoding: preview.encoding,
      mapping: JSON.stringify(mapping), defaults: Object.keys(defs).length ? JSON.stringify(defs) : undefined,
      dry_run: dry ? 'true' : undefined,
      // one name for all the chunks of a dry run, so each sees the rows of those before it
      dry_run_id: dry ? runId() : undefined,
    };
    const began = performance.now();
    let state = { dry, done: 0, total, created: 0, failed: 0, skipped: 0, errors: [], truncated: false, rate: 0, status: 'running' };
    setRun(state);
    setError(null);
    let offset = 0;
    for (const chunk of file.split.chunks) {
      if (cancel.current) { state = { ...state, status: 'cancelled' }; break; }
      let r;
      try {
        r = await api.postRaw(`/api/${meta.plural}/import`, { ...params, row_offset: offset }, withHeader(file.split.header, chunk.bytes), 'text/csv');
      } catch (err) {
        state = { ...state, status: 'failed' };
        setRun(state);
        setError(err);
        return;
      }
      offset = r.next_offset;
      const secs = Math.max(0.001, (performance.now() - began) / 1000);
      state = { ...state, done: Math.min(offset, total) || offset, created: state.created + r.created, failed: state.failed + r.failed,
        skipped: state.skipped + r.skipped, errors: state.errors.concat(r.errors || []), truncated: state.truncated || r.errors_truncated,
        rate: Math.round(offset / secs) };
      setRun(state);
    }
    if (state.status === 'running') state = { ...state, done: total, status: 'done' };
    setRun(state);
  }

  if (!allowed) {
    return html`<div class="page narrow" data-testid="import-page">
      <${PageHeader} title=${t(`data.import_${entity}`)} subtitle=${t('data.import_forbidden')} />
    </div>`;
  }

  const busy = run && run.status === 'running';
  const targets = preview ? [...new Set([...preview.fields, ...mapping.filter(Boolean)])] : [];
  const dup = duplicateTargets(mapping);
  const noName = preview && !mapping.includes(meta.title);

  return html`<div class="page wide" data-testid="import-page">
    <nav class="crumbs"><${Link} href=${meta.path + '/list'}>${t(`crm.${meta.plural}`)}<//><span aria-hidden="true">›</span></nav>
    <${PageHeader} title=${t(`data.import_${entity}`)} subtitle=${t('data.import_sub')} />
    ${error ? html`<div class="form-error" role="alert" data-testid="import-error">${recordError(error)}</div>` : null}

    <section class="card">
      <h2 class="card-title">${t('data.step_file')}</h2>
      <label class=${'drop-zone' + (over ? ' over' : '')} data-testid="import-drop"
        onDragOver=${(e) => { e.preventDefault(); setOver(true); }} onDragLeave=${() => setOver(false)}
        onDrop=${(e) => { e.preventDefault(); setOver(false); if (!busy) pick(e.dataTransfer.files[0]); }}>
        <input ref=${input} type="file" accept=".csv,.txt,text/csv" class="sr-only" disabled=${busy} data-testid="import-file"
          onChange=${(e) => pick(e.currentTarget.files[0])} />
        <svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true"><path d="M12 16V4M7 9l5-5 5 5M4 20h16" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/></svg>
        <span class="strong">${file ? file.name : t('data.drop_here')}</span>
        <span class="muted small">${file ? t('data.file_info', { size: formatSize(file.size), rows: total }) : t('data.drop_hint')}</span>
      </label>
      ${loading ? html`<${Spinner} />` : null}
      ${preview ? html`<p class="muted small detected" data-testid="import-detected">
        ${t('data.detected', { delimiter: delimiterLabel(preview.delimiter), encoding: preview.encoding === 'windows-1251' ? 'Windows-1251' : 'UTF-8' })}</p>` : null}
    </section>

    ${preview ? html`<section class="card">
      <h2 class="card-title">${t('data.step_mapping')}</h2>
      <div class="table-wrap"><table class="table map-table" data-testid="import-mapping">
        <thead><tr><th>${t('data.col_column')}</th><th>${t('data.col_sample')}</th><th>${t('data.col_field')}</th></tr></thead>
        <tbody>${preview.headers.map((h, i) => html`<tr key=${i}>
          <td class="strong">${h || html`<span class="muted">${t('data.column_n', { n: i + 1 })}</span>`}</td>
          <td class="muted sample">${(preview.rows.find((r) => r[i]) || [])[i] || ''}</td>
          <td><select class=${'input select' + (dup.has(mapping[i]) ? ' invalid' : '')} value=${mapping[i] || ''} disabled=${busy}
              aria-label=${t('data.field_for', { column: h || i + 1 })} data-testid=${'map-' + i}
              onChange=${(e) => { const m = mapping.slice(); m[i] = e.currentTarget.value || null; setMapping(m); setRun(null); }}>
            <option value="">${t('data.skip')}</option>
            ${targets.map((k) => html`<option key=${k} value=${k}>${targetLabel(k, entity)}</option>`)}
          </select></td>
        </tr>`)}</tbody>
      </table></div>
      ${dup.size ? html`<p class="field-error" role="alert" data-testid="import-dup">${t('data.dup_mapping', { fields: [...dup].map((k) => targetLabel(k, entity)).join(', ') })}</p>` : null}
      ${noName ? html`<p class="field-error" role="alert" data-testid="import-noname">${t('data.need_name', { field: fieldLabel(meta.title, entity) })}</p>` : null}
    </section>

    <section class="card">
      <h2 class="card-title">${t('data.step_defaults')}</h2>
      <p class="muted small">${t('data.defaults_hint')}</p>
      <${Defaults} entity=${entity} fields=${preview.fields} value=${defaults} users=${users} disabled=${busy}
        onChange=${(d) => { setDefaults(d); setRun(null); }} />
    </section>

    <section class="card">
      <h2 class="card-title">${t('data.step_preview', { count: Math.min(PREVIEW_ROWS, preview.rows.length) })}</h2>
      <${PreviewTable} entity=${entity} preview=${preview} mapping=${mapping} defaults=${defaults} users=${users} />
    </section>

    <section class="card import-actions">
      <div class="form-actions start">
        <button type="button" class="btn" disabled=${busy || dup.size || noName} onClick=${() => start(true)} data-testid="import-dry">${t('data.dry_run')}</button>
        <button type="button" class="btn primary" disabled=${busy || dup.size || noName} onClick=${() => start(false)} data-testid="import-run">
          ${t('data.import_n', { count: total })}</button>
        ${busy ? html`<button type="button" class="btn danger-ghost" onClick=${() => { cancel.current = true; }} data-testid="import-cancel">${t('data.cancel')}</button>` : null}
      </div>
      ${run ? html`<${Progress} run=${run} />` : null}
      ${run && run.status !== 'running' ? html`<${Report} run=${run} entity=${entity} />` : null}
    </section>` : null}
  </div>`;
}

function duplicateTargets(mapping) {
  const seen = new Set(), dup = new Set();
  for (const k of mapping) {
    if (!k || JOINED[k]) continue;
    if (seen.has(k)) dup.add(k);
    seen.add(k);
  }
  return dup;
}

function formatSize(n) {
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KiB';
  return (n / 1024 / 1024).toFixed(1) + ' MiB';
}

// Values for empty cells: the fields a business usually fills for a whole file.
function Defaults({ entity, fields, value, onChange, users, disabled }) {
  const app = useApp();
  const set = (k, v) => onChange({ ...value, [k]: v });
  const pls = pipelinesFor(app.pipelines, 'company');
  const owner = fields.includes('owner_id') ? 'owner_id' : fields.includes('owner') ? 'owner' : null;
  return html`<div class="grid-3 defaults">
    ${owner && users ? html`<div class="field"><label for="def-owner">${fieldLabel('owner_id', entity)}</label>
      <select id="def-owner" class="input select" value=${value[owner] || ''} disabled=${disabled} onChange=${(e) => set(owner, e.currentTarget.value)} data-testid="default-owner">
        <option value="">${t('data.default_me')}</option>
        ${users.filter((u) => u.active).map((u) => html`<option key=${u.id} value=${String(u.id)}>${u.name || u.login}</option>`)}
      </select></div>` : null}
    ${entity === 'company' && fields.includes('pipeline') && pls.length ? html`<div class="field"><label for="def-pipeline">${t('board.pipeline')}</label>
      <select id="def-pipeline" class="input select" value=${value.pipeline || ''} disabled=${disabled} onChange=${(e) => set('pipeline', e.currentTarget.value)} data-testid="default-pipeline">
        <option value="">${t('record.no_pipeline')}</option>
        ${pls.map((p) => html`<option key=${p.key} value=${p.key}>${p.name}</option>`)}
      </select></div>` : null}
    ${['source', 'city', 'category'].filter((k) => fields.includes(k)).map((k) => html`<div class="field" key=${k}>
      <label for=${'def-' + k}>${fieldLabel(k, entity)}</label>
      <input id=${'def-' + k} class="input" value=${value[k] || ''} disabled=${disabled} onInput=${(e) => set(k, e.currentTarget.value)} data-testid=${'default-' + k} />
    </div>`)}
    ${customFieldsFor(entity).filter((d) => fields.includes('custom.' + d.key) && (d.type === 'select' || d.required)).map((d) => html`<${CustomDefault}
      key=${d.key} def=${d} value=${value['custom.' + d.key] || ''} disabled=${disabled} onChange=${(v) => set('custom.' + d.key, v)} />`)}
  </div>`;
}

// A default for a custom field: its options when it has them, else the text as a cell would hold it.
function CustomDefault({ def, value, onChange, disabled }) {
  const opts = customOptions(def, useListItems(def.list));
  const id = 'def-custom-' + def.key;
  return html`<div class="field"><label for=${id}>${def.label}${def.required ? ' *' : ''}</label>
    ${def.type === 'select' ? html`<select id=${id} class="input select" value=${value} disabled=${disabled} onChange=${(e) => onChange(e.currentTarget.value)} data-testid=${'default-custom-' + def.key}>
        <option value="">—</option>
        ${opts.map((o) => html`<option key=${o.value} value=${o.value}>${o.label}</option>`)}
      </select>`
      : html`<input id=${id} class="input" value=${value} disabled=${disabled} onInput=${(e) => onChange(e.currentTarget.value)} data-testid=${'default-custom-' + def.key} />`}
  </div>`;
}

// The first rows as records: one column per mapped field, several columns joined, defaults
// (in italics) where the cells are empty.
function PreviewTable({ entity, preview, mapping, defaults, users }) {
  const order = [];
  mapping.forEach((k) => { if (k && !order.includes(k)) order.push(k); });
  for (const k of Object.keys(defaults)) if (String(defaults[k]).trim() && !order.includes(k)) order.push(k);
  const shownDefault = (k) => {
    const v = defaults[k];
    if ((k === 'owner_id' || k === 'owner') && users) { const u = users.find((x) => String(x.id) === v); return u ? u.name || u.login : v; }
    return v;
  };
  const rows = preview.rows.slice(0, PREVIEW_ROWS);
  return html`<div class="table-wrap"><table class="table preview-table" data-testid="import-preview">
    <thead><tr><th class="num">#</th>${order.map((k) => html`<th key=${k}>${targetLabel(k, entity)}</th>`)}</tr></thead>
    <tbody>${rows.map((r, i) => html`<tr key=${i}>
      <td class="num muted">${i + 2}</td>
      ${r.every((c) => !String(c || '').trim()) ? html`<td colspan=${order.length} class="muted">${t('data.empty_row')}</td>` : order.map((k) => {
        const v = mapping.map((m, c) => (m === k ? (r[c] || '').trim() : '')).filter(Boolean).join(JOINED[k] || ' ');
        const d = !v && defaults[k] && String(defaults[k]).trim() ? shownDefault(k) : null;
        return html`<td key=${k} data-label=${targetLabel(k, entity)}>${v || (d ? html`<em class="muted">${d}</em>` : '')}</td>`;
      })}
    </tr>`)}</tbody>
  </table></div>`;
}

function Progress({ run }) {
  const pct = run.total ? Math.min(100, Math.round((run.done / run.total) * 100)) : 100;
  return html`<div class="progress-block" data-testid="import-progress" data-status=${run.status}>
    <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=${run.total} aria-valuenow=${run.done}
      aria-label=${run.dry ? t('data.dry_run') : t('data.importing')}>
      <div class="progress-fill" style=${'width:' + pct + '%'}></div>
    </div>
    <div class="muted small" data-testid="import-progress-text">
      ${t('data.progress', { done: run.done, total: run.total })}${run.rate ? ' · ' + t('data.rate', { rate: run.rate }) : ''}
      ${run.status === 'running' ? html` · <span class="spinner inline" aria-hidden="true"></span>` : null}
    </div>
  </div>`;
}

function Report({ run, entity }) {
  const meta = ENTITIES[entity];
  const [url, setUrl] = useState(null);
  useEffect(() => {
    if (!run.errors.length) return undefined;
    const u = errorsCsv(run.errors, entity);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [run]);
  const title = run.status === 'cancelled' ? t('data.report_cancelled', { done: run.done, total: run.total })
    : run.status === 'failed' ? t('data.report_failed', { done: run.done })
    : run.dry ? t('data.report_dry') : t('data.report_done');
  return html`<div class="import-report" data-testid=${run.dry ? 'dry-report' : 'import-report'} role="status">
    <p class="strong">${title}</p>
    <ul class="report-counts">
      <li data-testid="report-created"><span class="big">${run.created}</span> ${run.dry ? t('data.would_create') : t('data.created')}</li>
      <li data-testid="report-failed" class=${run.failed ? 'bad' : ''}><span class="big">${run.failed}</span> ${t('data.with_errors')}</li>
      <li data-testid="report-skipped"><span class="big">${run.skipped}</span> ${t('data.skipped')}</li>
    </ul>
    ${run.errors.length ? html`<div class="table-wrap"><table class="table errors-table" data-testid="import-errors">
      <thead><tr><th class="num">${t('data.col_row')}</th><th>${t('data.col_field')}</th><th>${t('data.col_message')}</th></tr></thead>
      <tbody>${run.errors.slice(0, SHOWN_ERRORS).map((e, i) => html`<tr key=${i}>
        <td class="num">${e.row}</td><td>${e.field ? targetLabel(e.field, entity) : ''}</td><td>${importErrorText(e, (k) => targetLabel(k, entity))}</td></tr>`)}</tbody>
    </table></div>
    ${run.errors.length > SHOWN_ERRORS || run.truncated ? html`<p class="muted small">${t('data.errors_more', { shown: Math.min(SHOWN_ERRORS, run.errors.length), total: run.failed })}</p>` : null}
    ${url ? html`<a class="btn small" href=${url} download=${meta.plural + '-import-errors.csv'} data-testid="import-errors-csv">${t('data.errors_csv')}</a>` : null}` : null}
    ${!run.dry && run.created ? html`<p><${Link} class="btn small" href=${meta.path + '/list?sort=-created_at'} data-testid="import-open-list">${t('data.open_list')}<//></p>` : null}
  </div>`;
}

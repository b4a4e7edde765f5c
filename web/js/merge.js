// Merging two contacts or two companies (POST /api/{contacts,companies}/merge; administrators,
// capability records.merge). /companies/merge?keep=5&merge=12: the kept record on the left, the
// other on the right (picked by search, or among the kept record's likely duplicates), a radio
// per differing field for the value that survives, phones and e-mails united, a warning that the
// right-hand record goes away; the merge lands on the kept record, whose timeline shows it.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { api, ApiError } from './api.js';
import { Link, navigate, queryParams, setQuery } from './router.js';
import { useApp, can } from './context.js';
import { PageHeader, Spinner } from './ui.js';
import { ENTITIES, CARD_FIELDS, fieldLabel, formatValue, formatPhone, recordError, recordPath, useUsers, customFieldsFor,
  pipelineByKey, stageName } from './crm.js';
import { formatCustom } from './fields.js';
import { RecordPicker, Banner } from './widgets.js';

export function mayMerge(user, entity) {
  return (entity === 'contact' || entity === 'company') && can(user, 'records.merge');
}

// The fields compared, in card order; stage first for companies in a pipeline.
function fieldsOf(entity) {
  const f = CARD_FIELDS[entity];
  const keys = [ENTITIES[entity].title, ...(entity === 'company' ? ['stage'] : []), ...f.main, ...f.more]
    .filter((k) => k !== 'phones' && k !== 'emails');
  return keys.concat(customFieldsFor(entity).map((d) => 'custom.' + d.key));
}

function rawValue(rec, key) {
  if (key === 'stage') return rec.pipeline ? rec.pipeline + '/' + (rec.stage || '') : null;
  if (key.startsWith('custom.')) return rec.custom ? rec.custom[key.slice(7)] ?? null : null;
  const v = rec[key];
  if (v && typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length) return null;
  return v ?? null;
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const empty = (v) => v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length);

export function MergePage({ entity }) {
  const app = useApp();
  const meta = ENTITIES[entity];
  const users = useUsers(app.user);
  const p0 = queryParams();
  const [ids, setIds] = useState({ keep: Number(p0.keep) || null, merge: Number(p0.merge) || null });
  const [keep, setKeep] = useState(null);
  const [other, setOther] = useState(null);
  const [choice, setChoice] = useState({});
  const [dups, setDups] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [gen, setGen] = useState(0);

  useEffect(() => { setQuery({ keep: ids.keep || '', merge: ids.merge || '' }); }, [ids]);
  useEffect(() => {
    setKeep(null); setError(null);
    if (ids.keep) api.get(`/api/${meta.plural}/${ids.keep}`).then(setKeep).catch((e) => setError(e));
  }, [ids.keep, gen]);
  useEffect(() => {
    setOther(null);
    if (ids.merge) api.get(`/api/${meta.plural}/${ids.merge}`).then(setOther).catch((e) => setError(e));
  }, [ids.merge, gen]);

  // likely duplicates of the kept record: same phone, e-mail, domain or a similar name
  useEffect(() => {
    if (!keep) return;
    const qs = [{ name: keep.name }];
    if (keep.phones && keep.phones[0]) qs.push({ phone: keep.phones[0] });
    if (keep.emails && keep.emails[0]) qs.push({ email: keep.emails[0] });
    if (keep.domain) qs.push({ domain: keep.domain });
    Promise.all(qs.map((q) => api.get('/api/duplicates', q).then((r) => r.items || []).catch(() => []))).then((lists) => {
      const seen = new Map();
      for (const d of lists.flat()) if (d.entity === entity && d.visible && d.id !== keep.id && !seen.has(d.id)) seen.set(d.id, d);
      setDups([...seen.values()]);
    });
  }, [keep && keep.id]);

  // the default the API applies: the kept value, or the other one where the kept record has none
  useEffect(() => {
    if (!keep || !other) return;
    const c = {};
    for (const k of fieldsOf(entity)) c[k] = empty(rawValue(keep, k)) && !empty(rawValue(other, k)) ? 'merge' : 'keep';
    setChoice(c);
  }, [keep && keep.id, other && other.id]);

  if (!mayMerge(app.user, entity)) {
    return html`<div class="page narrow" data-testid="merge-page"><${PageHeader} title=${t('data.merge_title')} subtitle=${t('data.merge_forbidden')} /></div>`;
  }

  async function submit() {
    setBusy(true);
    setError(null);
    const fields = {};
    for (const k of rows) if (!same(rawValue(keep, k), rawValue(other, k))) fields[k] = choice[k] || 'keep';
    try {
      await api.post(`/api/${meta.plural}/merge`, { keep: keep.id, merge: other.id, fields, keep_version: keep.version, merge_version: other.version });
      app.notify('data.merged_ok', { name: other[meta.title] });
      navigate(recordPath(entity, keep.id));
    } catch (err) {
      setError(err);
      setBusy(false);
      if (err instanceof ApiError && err.code === 'stale') setGen((g) => g + 1);
    }
  }

  const pipeline = (rec) => pipelineByKey(app.pipelines, rec.pipeline);
  function shown(rec, k) {
    const v = rawValue(rec, k);
    if (empty(v)) return html`<span class="muted">—</span>`;
    if (k === 'stage') { const p = pipeline(rec); return (p ? p.name + ': ' : '') + stageName(p, rec.stage); }
    if (k === 'owner_id') return rec.owner_name || '#' + v;
    if (k === 'company_id') return rec.company_name || '#' + v;
    if (k.startsWith('custom.')) { const d = customFieldsFor(entity).find((x) => 'custom.' + x.key === k); return d ? formatCustom(d, v, users) : String(v); }
    return formatValue(k, v, rec);
  }
  const rows = keep && other ? fieldsOf(entity).filter((k) => !empty(rawValue(keep, k)) || !empty(rawValue(other, k))) : [];
  const united = (k) => [...new Set([...(keep[k] || []), ...(other[k] || [])])];

  return html`<div class="page wide" data-testid="merge-page">
    <nav class="crumbs">
      <${Link} href=${meta.path + '/list'}>${t(`crm.${meta.plural}`)}<//><span aria-hidden="true">›</span>
      ${keep ? html`<${Link} href=${recordPath(entity, keep.id)}>${keep[meta.title]}<//><span aria-hidden="true">›</span>` : null}
    </nav>
    <${PageHeader} title=${t('data.merge_title')} subtitle=${t(`data.merge_sub_${entity}`)} />
    ${error ? html`<div class="form-error" role="alert" data-testid="merge-error">${recordError(error)}</div>` : null}

    <section class="card merge-pick">
      <div class="grid-2">
        <div class="field">
          <label for="merge-keep">${t('data.merge_keep')}</label>
          <${RecordPicker} entity=${entity} id="merge-keep" testid="merge-keep" value=${keep ? { id: keep.id, name: keep[meta.title] } : null}
            onChange=${(v) => setIds((o) => ({ ...o, keep: v ? v.id : null }))} />
        </div>
        <div class="field">
          <label for="merge-other">${t('data.merge_other')}</label>
          <${RecordPicker} entity=${entity} id="merge-other" testid="merge-other" value=${other ? { id: other.id, name: other[meta.title] } : null}
            onChange=${(v) => setIds((o) => ({ ...o, merge: v ? v.id : null }))} />
        </div>
      </div>
      ${keep && !other && dups ? html`<div class="merge-dups" data-testid="merge-dups">
        <h3 class="sub-title">${t('data.merge_candidates')}</h3>
        ${dups.length ? html`<ul class="related-list">${dups.map((d) => html`<li key=${d.id}>
          <button type="button" class="link-btn strong" onClick=${() => setIds((o) => ({ ...o, merge: d.id }))} data-testid=${'merge-dup-' + d.id}>${d.name}</button>
          <span class="muted small">${t(`leads.match_${d.match}`)}${d.owner_name ? ' · ' + d.owner_name : ''}</span></li>`)}</ul>`
          : html`<p class="muted">${t('data.merge_no_candidates')}</p>`}
      </div>` : null}
      ${keep && other ? html`<button type="button" class="btn small ghost" onClick=${() => setIds({ keep: other.id, merge: keep.id })} data-testid="merge-swap">
        ⇄ ${t('data.merge_swap')}</button>` : null}
    </section>

    ${ids.keep && !keep && !error ? html`<${Spinner} />` : null}
    ${keep && other && keep.id === other.id ? html`<${Banner} kind="warn">${t('data.merge_same')}<//>` : null}
    ${keep && other && keep.id !== other.id ? html`<section class="card">
      <div class="table-wrap"><table class="table merge-table" data-testid="merge-table">
        <thead><tr><th>${t('data.col_field')}</th>
          <th><span class="merge-tag keep">${t('data.merge_stays')}</span> <${Link} href=${recordPath(entity, keep.id)}>${keep[meta.title]}<//> <span class="muted">#${keep.id}</span></th>
          <th><span class="merge-tag gone">${t('data.merge_goes')}</span> <${Link} href=${recordPath(entity, other.id)}>${other[meta.title]}<//> <span class="muted">#${other.id}</span></th></tr></thead>
        <tbody>
          ${rows.map((k) => {
            const differs = !same(rawValue(keep, k), rawValue(other, k));
            const radio = (side, rec) => html`<td data-label=${side === 'keep' ? t('data.merge_stays') : t('data.merge_goes')}
                class=${differs && choice[k] === side ? 'chosen' : ''}>
              ${differs ? html`<label class="merge-choice"><input type="radio" name=${'m-' + k} checked=${choice[k] === side}
                onChange=${() => setChoice((c) => ({ ...c, [k]: side }))} data-testid=${'merge-' + side + '-' + k} /> ${shown(rec, k)}</label>` : shown(rec, k)}
            </td>`;
            return html`<tr key=${k} data-testid=${'merge-row-' + k}>
              <th scope="row">${k === 'stage' ? fieldLabel('stage', entity) : fieldLabel(k, entity)}</th>
              ${radio('keep', keep)}${radio('merge', other)}
            </tr>`;
          })}
          ${['phones', 'emails'].filter((k) => united(k).length).map((k) => html`<tr key=${k} data-testid=${'merge-row-' + k}>
            <th scope="row">${fieldLabel(k, entity)}</th>
            <td colspan="2" class="united">${united(k).map((v) => (k === 'phones' ? formatPhone(v) : v)).join(', ')}
              <span class="muted small"> · ${t('data.merge_united')}</span></td>
          </tr>`)}
        </tbody>
      </table></div>
      <div class="banner warn merge-warning" role="note" data-testid="merge-warning">
        <span class="banner-text">${t(`data.merge_warning_${entity}`, { gone: other[meta.title], kept: keep[meta.title] })}</span>
      </div>
      <div class="form-actions">
        <${Link} class="btn" href=${recordPath(entity, keep.id)}>${t('common.cancel')}<//>
        <button type="button" class="btn danger" disabled=${busy} onClick=${submit} data-testid="merge-submit">${busy ? t('data.working') : t('data.merge_do')}</button>
      </div>
    </section>` : null}
  </div>`;
}

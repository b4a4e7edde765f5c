// The lead-creator screen (/leads): a company worth approaching, its phones, e-mails, site and
// optionally its first contact. While the user types, GET /api/duplicates looks for the same
// phone, e-mail, domain or name among companies and contacts. A record the user may open is a
// link; one they may not shows its name and owner only. An exact match blocks saving; a
// similar name is a warning. The lead is saved into the `dealers` company pipeline (or the
// first company pipeline), at its first stage.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { api, ApiError } from './api.js';
import { Link } from './router.js';
import { useApp } from './context.js';
import { PageHeader } from './ui.js';
import { pipelinesFor, stageName, pipelineByKey, recordPath, fieldLabel, fieldError, recordError, formatWhen } from './crm.js';
import { ListInputs } from './fields.js';
import { StageBadge } from './widgets.js';

const EXACT = ['phone', 'email', 'domain', 'name'];

const blank = () => ({ name: '', phones: [''], emails: [''], site: '', city: '', notes: '',
  c_name: '', c_position: '', c_phone: '', c_email: '' });

function phoneOk(s) { return String(s || '').replace(/\D/g, '').length >= 10; }
function emailOk(s) { return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(s || '').trim()); }
function domainOk(s) {
  const d = String(s || '').trim().replace(/^[a-z]+:\/\//i, '').replace(/^www\./i, '').split(/[/?#:]/)[0];
  return d.length >= 3 && d.includes('.') && !d.startsWith('.');
}

export function LeadsPage() {
  const app = useApp();
  const pls = pipelinesFor(app.pipelines, 'company');
  const pipeline = pipelineByKey(pls, 'dealers') || pls[0] || null;
  const [v, setV] = useState(blank);
  const [withContact, setWithContact] = useState(false);
  const [dups, setDups] = useState(null);             // null: nothing checked yet
  const [checking, setChecking] = useState(false);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(null);           // {id, name, contactError}
  const [recent, setRecent] = useState(null);
  const seq = useRef(0);
  const nameRef = useRef(null);
  const narrow = useNarrow();
  const set = (k, val) => { setV((o) => ({ ...o, [k]: val })); setErrors((e) => ({ ...e, [k]: null, _form: null })); };

  useEffect(() => { nameRef.current && nameRef.current.focus(); }, []);

  // The queries for what is on screen: one with everything about the company, one more per
  // extra phone or e-mail (the API takes one of each).
  function queries(x) {
    const phones = x.phones.filter(phoneOk).concat(phoneOk(x.c_phone) ? [x.c_phone] : []);
    const emails = x.emails.filter(emailOk).concat(emailOk(x.c_email) ? [x.c_email] : []);
    const first = {};
    if (x.name.trim().length >= 3) first.name = x.name.trim();
    if (phones[0]) first.phone = phones[0];
    if (emails[0]) first.email = emails[0].trim();
    if (domainOk(x.site)) first.domain = x.site.trim();
    const out = Object.keys(first).length ? [first] : [];
    for (const p of phones.slice(1)) out.push({ phone: p });
    for (const m of emails.slice(1)) out.push({ email: m.trim() });
    return out;
  }

  async function check(x) {
    const qs = queries(x);
    const n = ++seq.current;
    if (!qs.length) { setDups(null); setChecking(false); return []; }
    setChecking(true);
    const results = await Promise.all(qs.map((q) => api.get('/api/duplicates', q).then((r) => r.items || []).catch(() => [])));
    if (n !== seq.current) return null;
    // one row per record, with every way it matched
    const byKey = new Map();
    for (const d of results.flat()) {
      const key = d.entity + ':' + (d.id ?? 'x' + d.name + '|' + (d.owner_name || ''));
      const row = byKey.get(key) || { ...d, matches: [] };
      if (!row.matches.includes(d.match)) row.matches.push(d.match);
      byKey.set(key, row);
    }
    const list = [...byKey.values()];
    setDups(list);
    setChecking(false);
    return list;
  }

  useEffect(() => {
    const timer = setTimeout(() => check(v), 350);
    return () => clearTimeout(timer);
  }, [v.name, v.phones.join('\n'), v.emails.join('\n'), v.site, v.c_phone, v.c_email]);

  async function loadRecent() {
    if (!pipeline) return;
    try {
      const r = await api.get('/api/companies', { owner: 'me', pipeline: pipeline.key, sort: '-created_at', limit: 8 });
      setRecent(r.items || []);
    } catch { setRecent([]); }
  }
  useEffect(() => { loadRecent(); }, []);

  const exact = (dups || []).filter((d) => d.matches.some((m) => EXACT.includes(m)));
  const similar = (dups || []).filter((d) => !d.matches.some((m) => EXACT.includes(m)));

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    setSaved(null);
    if (!v.name.trim()) { setErrors({ name: { key: 'crm.err_empty', params: { field: t('leads.company_name') } } }); nameRef.current.focus(); return; }
    if (withContact && !v.c_name.trim() && (v.c_phone.trim() || v.c_email.trim() || v.c_position.trim())) {
      setErrors({ c_name: { key: 'crm.err_empty', params: { field: t('leads.contact_name') } } }); return;
    }
    setBusy(true);
    try {
      const found = await check(v);               // the last keystroke may not have been checked yet
      if (found && found.some((d) => d.matches.some((m) => EXACT.includes(m)))) {
        setErrors({ _form: { key: 'leads.blocked' } });
        return;
      }
      const body = { name: v.name.trim() };
      if (pipeline) body.pipeline = pipeline.key;
      const phones = v.phones.map((x) => x.trim()).filter(Boolean);
      const emails = v.emails.map((x) => x.trim()).filter(Boolean);
      if (phones.length) body.phones = phones;
      if (emails.length) body.emails = emails;
      if (v.site.trim()) {
        if (domainOk(v.site)) body.domain = v.site.trim();
        if (/[/:]/.test(v.site.trim()) || !domainOk(v.site)) body.website = v.site.trim();
      }
      if (v.city.trim()) body.city = v.city.trim();
      if (v.notes.trim()) body.notes = v.notes.trim();
      let company;
      try {
        company = await api.post('/api/companies', body);
      } catch (err) {
        const map = { domain: 'site', website: 'site', name: 'name', phones: 'phones', emails: 'emails' };
        if (err instanceof ApiError && map[err.field]) setErrors({ [map[err.field]]: err });
        else setErrors({ _form: err });
        return;
      }
      let contactError = null;
      if (withContact && v.c_name.trim()) {
        const cb = { name: v.c_name.trim(), company_id: company.id };
        if (v.c_position.trim()) cb.position = v.c_position.trim();
        if (v.c_phone.trim()) cb.phones = [v.c_phone.trim()];
        if (v.c_email.trim()) cb.emails = [v.c_email.trim()];
        try { await api.post('/api/contacts', cb); } catch (err) { contactError = err; }
      }
      setSaved({ id: company.id, name: company.name, contactError });
      setV(blank());
      setWithContact(false);
      setDups(null);
      loadRecent();
      setTimeout(() => nameRef.current && nameRef.current.focus());
    } finally {
      setBusy(false);
    }
  }

  const err = (k) => (errors[k] ? fieldError(errors[k]) : null);
  const panel = html`<${DuplicatePanel} dups=${dups} exact=${exact} similar=${similar} checking=${checking} />`;
  return html`<div class="page" data-testid="leads-page">
    <${PageHeader} title=${t('leads.title')} subtitle=${pipeline ? t('leads.subtitle', { pipeline: pipeline.name, stage: pipeline.stages[0] ? pipeline.stages[0].name : '' }) : null} />
    ${!pipeline ? html`<div class="notice">${t('leads.no_pipeline')}</div>` : null}
    ${saved ? html`<div class="success" role="status" data-testid="lead-saved">
      ${t('leads.saved', { name: saved.name })} <${Link} href=${recordPath('company', saved.id)} data-testid="lead-saved-open">${t('leads.open')}<//>
      ${saved.contactError ? html`<div class="form-error" role="alert">${t('leads.contact_failed', { error: recordError(saved.contactError) })}</div>` : null}
    </div>` : null}
    <div class="lead-grid">
      <form class="card form-card lead-form" onSubmit=${submit} novalidate data-testid="lead-form">
        ${errors._form ? html`<div class="form-error" role="alert" data-testid="lead-error">${errors._form instanceof ApiError ? recordError(errors._form) : t(errors._form.key)}</div>` : null}
        <div class=${'field' + (err('name') ? ' has-error' : '')}>
          <label for="lead-name">${t('leads.company_name')}</label>
          <input id="lead-name" ref=${nameRef} class="input" value=${v.name} autocomplete="off" data-testid="lead-name"
            aria-invalid=${err('name') ? 'true' : undefined} onInput=${(e) => set('name', e.currentTarget.value)} />
          ${err('name') ? html`<div class="field-error" role="alert">${err('name')}</div>` : html`<div class="field-hint">${t('leads.name_hint')}</div>`}
          <${DupNote} dups=${dups} kinds=${['name', 'similar_name']} />
        </div>
        <div class="grid-2">
          <div class="field">
            <label for="lead-phone">${fieldLabel('phones')}</label>
            <${ListInputs} kind="phones" values=${v.phones} onChange=${(x) => set('phones', x)} idPrefix="lead-phone" invalid=${!!errors.phones} />
            ${err('phones') ? html`<div class="field-error" role="alert" data-testid="error-lead-phones">${err('phones')}</div>` : null}
            <${DupNote} dups=${dups} kinds=${['phone']} />
          </div>
          <div class="field">
            <label for="lead-email">${fieldLabel('emails')}</label>
            <${ListInputs} kind="emails" values=${v.emails} onChange=${(x) => set('emails', x)} idPrefix="lead-email" invalid=${!!errors.emails} />
            ${err('emails') ? html`<div class="field-error" role="alert">${err('emails')}</div>` : null}
            <${DupNote} dups=${dups} kinds=${['email']} />
          </div>
        </div>
        <div class="grid-2">
          <div class=${'field' + (err('site') ? ' has-error' : '')}>
            <label for="lead-site">${t('leads.site')}</label>
            <input id="lead-site" class="input" value=${v.site} inputmode="url" autocomplete="off" placeholder="example.ru" data-testid="lead-site"
              aria-invalid=${err('site') ? 'true' : undefined} onInput=${(e) => set('site', e.currentTarget.value)} />
            ${err('site') ? html`<div class="field-error" role="alert">${t('crm.err_domain')}</div>` : null}
            <${DupNote} dups=${dups} kinds=${['domain']} />
          </div>
          <div class="field">
            <label for="lead-city">${fieldLabel('city')}</label>
            <input id="lead-city" class="input" value=${v.city} data-testid="lead-city" onInput=${(e) => set('city', e.currentTarget.value)} />
          </div>
        </div>
        <div class="field">
          <label for="lead-notes">${t('leads.notes')}</label>
          <textarea id="lead-notes" class="input textarea" rows="2" value=${v.notes} onInput=${(e) => set('notes', e.currentTarget.value)}></textarea>
        </div>
        <fieldset class=${'lead-contact' + (withContact ? ' open' : '')}>
          <legend>
            <label class="check-row"><input type="checkbox" checked=${withContact} onChange=${(e) => setWithContact(e.currentTarget.checked)}
              data-testid="lead-with-contact" /> ${t('leads.with_contact')}</label>
          </legend>
          ${withContact ? html`<div>
            <p class="muted small">${t('leads.contact_note')}</p>
            <div class="grid-2">
              <div class=${'field' + (err('c_name') ? ' has-error' : '')}>
                <label for="lead-c-name">${t('leads.contact_name')}</label>
                <input id="lead-c-name" class="input" value=${v.c_name} data-testid="lead-contact-name" onInput=${(e) => set('c_name', e.currentTarget.value)} />
                ${err('c_name') ? html`<div class="field-error" role="alert">${err('c_name')}</div>` : null}
              </div>
              <div class="field">
                <label for="lead-c-position">${fieldLabel('position')}</label>
                <input id="lead-c-position" class="input" value=${v.c_position} onInput=${(e) => set('c_position', e.currentTarget.value)} />
              </div>
              <div class="field">
                <label for="lead-c-phone">${t('leads.contact_phone')}</label>
                <input id="lead-c-phone" class="input" type="tel" value=${v.c_phone} data-testid="lead-contact-phone" onInput=${(e) => set('c_phone', e.currentTarget.value)} />
              </div>
              <div class="field">
                <label for="lead-c-email">${t('leads.contact_email')}</label>
                <input id="lead-c-email" class="input" type="email" value=${v.c_email} data-testid="lead-contact-email" onInput=${(e) => set('c_email', e.currentTarget.value)} />
              </div>
            </div>
          </div>` : null}
        </fieldset>
        ${narrow ? panel : null}
        <div class="form-actions">
          ${exact.length ? html`<span class="blocked-text" data-testid="lead-blocked">${t('leads.blocked_short')}</span>` : null}
          <button type="button" class="btn" onClick=${() => { setV(blank()); setDups(null); setErrors({}); nameRef.current.focus(); }}>${t('leads.clear')}</button>
          <button type="submit" class="btn primary" disabled=${busy || exact.length > 0 || !pipeline} data-testid="lead-save">${t('leads.save')}</button>
        </div>
      </form>
      <aside class="lead-side">
        ${narrow ? null : panel}
        ${recent && recent.length ? html`<section class="card" data-testid="lead-recent">
          <h2 class="card-title">${t('leads.recent')}</h2>
          <ul class="related-list">
            ${recent.map((r) => html`<li key=${r.id}>
              ${r.id ? html`<${Link} href=${recordPath('company', r.id)} class="strong">${r.name}<//>` : r.name}
              <span class="muted small">${r.stage ? html`<${StageBadge} stage=${pipeline && pipeline.stages.find((s) => s.key === r.stage)} name=${stageName(pipeline, r.stage)} />` : null} ${formatWhen(r.created_at)}</span>
            </li>`)}
          </ul>
        </section>` : null}
      </aside>
    </div>
  </div>`;
}

// Right under a field: "already in the CRM: …" for what that field matched.
function DupNote({ dups, kinds }) {
  const hits = (dups || []).filter((d) => d.matches.some((m) => kinds.includes(m)));
  if (!hits.length) return null;
  const exact = hits.some((d) => d.matches.some((m) => m !== 'similar_name' && kinds.includes(m)));
  return html`<div class=${'dup-note ' + (exact ? 'exact' : 'similar')} data-testid="dup-note">
    ${exact ? t('leads.note_exact') : t('leads.note_similar')} ${hits.slice(0, 2).map((d) => d.name).join(', ')}${hits.length > 2 ? ' …' : ''}
  </div>`;
}

// Phones get the duplicate panel right above the Save button, desktops beside the form.
function useNarrow() {
  const mq = window.matchMedia('(max-width: 760px)');
  const [narrow, setNarrow] = useState(mq.matches);
  useEffect(() => {
    const f = () => setNarrow(mq.matches);
    mq.addEventListener('change', f);
    return () => mq.removeEventListener('change', f);
  }, []);
  return narrow;
}

function DuplicatePanel({ dups, exact, similar, checking }) {
  const matchText = (m) => t(`leads.match_${m}`);
  const row = (d, kind) => html`<li key=${d.entity + ':' + (d.id ?? d.name)} class=${'dup ' + kind} data-testid="dup-item" data-match=${d.matches.join(',')}>
    <span class="dup-entity">${t(`crm.one_${d.entity}`)}</span>
    ${d.visible && d.id ? html`<a href=${recordPath(d.entity, d.id)} class="strong" data-testid="dup-link" target="_blank" rel="noopener">${d.name}</a>`
      : html`<span class="strong" data-testid="dup-hidden">${d.name}</span>`}
    <span class="dup-meta muted small">
      ${d.matches.map((m) => (m === 'similar_name' ? matchText(m) : t('leads.matched_by', { what: matchText(m) }))).join(', ')}
      ${d.owner_name ? ' · ' + t('leads.owner', { name: d.owner_name }) : ''}
      ${!d.visible ? ' · ' + t('leads.not_yours') : ''}
    </span>
  </li>`;
  return html`<section class="card dup-panel" aria-live="polite" data-testid="dup-panel">
    <h2 class="card-title">${t('leads.duplicates')} ${checking ? html`<span class="spinner inline" aria-hidden="true"></span>` : null}</h2>
    ${dups === null ? html`<p class="muted small">${t('leads.dup_hint')}</p>` : null}
    ${dups && !dups.length ? html`<p class="dup-none" data-testid="dup-none">${t('leads.no_dups')}</p>` : null}
    ${exact.length ? html`<div class="dup-block exact" role="alert" data-testid="dup-exact">
      <p class="strong">${t('leads.exact_title')}</p>
      <ul class="dup-list">${exact.map((d) => row(d, 'exact'))}</ul>
    </div>` : null}
    ${similar.length ? html`<div class="dup-block similar" data-testid="dup-similar">
      <p class="strong">${t('leads.similar_title')}</p>
      <ul class="dup-list">${similar.map((d) => row(d, 'similar'))}</ul>
    </div>` : null}
  </section>`;
}


// The transition matrix of a pipeline, one role at a time: rows are the stage a record is in,
// columns the stage it may be moved to. Helpers allow or forbid everything from a stage, fill
// or clear the whole grid, or copy another role's moves. Arrow keys walk the grid; Space ticks.
// The API's rule: a pipeline with no moves for any role is unrestricted; once any role has
// moves, a role without any may not move records at all; roles with "*" are never restricted.
import { useState } from 'preact/hooks';
import { html } from './html.js';
import { t, roleName } from './i18n.js';

const has = (moves, f, to) => moves.some(([a, b]) => a === f && b === to);

export function TransitionMatrix({ stages, roles, roleKeys, transitions, onChange, role: wanted, onRole, error }) {
  const [copyFrom, setCopyFrom] = useState('');
  const unrestricted = roles.filter((r) => (r.capabilities || []).includes('*'));
  // at first the role whose moves are set up, not one that has none
  const role = roleKeys.includes(wanted) ? wanted : roleKeys.find((k) => (transitions[k] || []).length) || roleKeys[0];
  const moves = (role && transitions[role]) || [];
  const anyMoves = Object.values(transitions).some((m) => m.length);
  const keys = stages.map((s) => s.key);
  const nameOf = (key) => { const r = roles.find((x) => x.key === key); return roleName(key, r ? r.name : key); };
  const set = (next) => onChange(role, next.filter(([f, to]) => keys.includes(f) && keys.includes(to) && f !== to));
  const toggle = (f, to, on) => set(on ? moves.concat([[f, to]]) : moves.filter(([a, b]) => !(a === f && b === to)));
  const rowAll = (f, on) => set(on ? moves.filter(([a]) => a !== f).concat(keys.filter((k) => k !== f).map((k) => [f, k]))
    : moves.filter(([a]) => a !== f));
  const all = (on) => set(on ? keys.flatMap((f) => keys.filter((k) => k !== f).map((k) => [f, k])) : []);

  // arrow keys move between the checkboxes of the grid
  function onKey(e) {
    const el = e.target;
    if (!el.dataset || el.dataset.r === undefined) return;
    const d = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[e.key];
    if (!d) return;
    e.preventDefault();
    let r = Number(el.dataset.r) + d[0], c = Number(el.dataset.c) + d[1];
    if (r === c) { r += d[0]; c += d[1]; }          // the diagonal has no box
    const next = e.currentTarget.querySelector(`input[data-r="${r}"][data-c="${c}"]`);
    if (next) next.focus();
  }

  return html`<section class="card form-card cfg-section" data-testid="matrix-card" aria-labelledby="matrix-title">
    <h2 class="card-title" id="matrix-title">${t('config.matrix')}</h2>
    <p class="field-hint">${t('config.matrix_hint')}</p>
    ${error ? html`<div class="form-error" role="alert" data-testid="matrix-error">${error}</div>` : null}
    ${unrestricted.length ? html`<p class="muted small" data-testid="matrix-unrestricted">${t('config.matrix_unrestricted',
      { roles: unrestricted.map((r) => roleName(r.key, r.name)).join(', ') })}</p>` : null}
    ${!roleKeys.length ? html`<p class="muted">${t('config.matrix_no_roles')}</p>` : html`
      <div class="role-tabs" role="tablist" aria-label=${t('config.matrix_role')}>
        ${roleKeys.map((k) => {
          const n = (transitions[k] || []).length;
          return html`<button key=${k} type="button" role="tab" aria-selected=${k === role ? 'true' : 'false'}
              class=${'role-tab' + (k === role ? ' active' : '')} onClick=${() => onRole(k)} data-testid=${'matrix-role-' + k}>
            ${nameOf(k)} <span class="count-pill">${n}</span></button>`;
        })}
      </div>
      ${!anyMoves
        ? html`<div class="banner warn" data-testid="matrix-open"><span class="banner-text">${t('config.matrix_empty')}</span></div>`
        : !moves.length ? html`<div class="banner warn" data-testid="matrix-none"><span class="banner-text">${t('config.matrix_role_none', { role: nameOf(role) })}</span></div>` : null}
      <div class="matrix-tools">
        <button type="button" class="btn small" onClick=${() => all(true)} data-testid="matrix-all">${t('config.matrix_allow_all')}</button>
        <button type="button" class="btn small" onClick=${() => all(false)} data-testid="matrix-clear">${t('config.matrix_clear')}</button>
        ${roleKeys.length > 1 ? html`<span class="matrix-copy">
          <select class="input select small-select" value=${copyFrom} aria-label=${t('config.matrix_copy_from')}
            onChange=${(e) => setCopyFrom(e.currentTarget.value)} data-testid="matrix-copy-from">
            <option value="">${t('config.matrix_copy_from')}</option>
            ${roleKeys.filter((k) => k !== role).map((k) => html`<option key=${k} value=${k}>${nameOf(k)}</option>`)}
          </select>
          <button type="button" class="btn small" disabled=${!copyFrom} data-testid="matrix-copy"
            onClick=${() => { set((transitions[copyFrom] || []).map((m) => m.slice())); setCopyFrom(''); }}>${t('config.matrix_copy')}</button>
        </span>` : null}
      </div>
      <div class="matrix-wrap" onKeyDown=${onKey}>
        <table class="matrix" data-testid="matrix" data-role=${role}>
          <caption class="sr-only">${t('config.matrix_caption', { role: nameOf(role) })}</caption>
          <thead><tr>
            <th scope="col" class="matrix-corner"><span>${t('config.matrix_from')}</span> <span aria-hidden="true">→</span> <span>${t('config.matrix_to')}</span></th>
            ${stages.map((s) => html`<th key=${s.key} scope="col" class="matrix-col" title=${s.name}>
              <span class="matrix-col-name" style=${'--stage:' + s.color}><span class="dot" aria-hidden="true"></span>${s.name}</span></th>`)}
            <th scope="col" class="matrix-rowtools"><span class="sr-only">${t('common.actions')}</span></th>
          </tr></thead>
          <tbody>
            ${stages.map((from, r) => {
              const rowCount = moves.filter(([a]) => a === from.key).length;
              return html`<tr key=${from.key} data-testid=${'matrix-row-' + from.key}>
                <th scope="row" class="matrix-row" style=${'--stage:' + from.color}><span class="dot" aria-hidden="true"></span>${from.name}</th>
                ${stages.map((to, c) => html`<td key=${to.key} class=${'matrix-cell' + (r === c ? ' diag' : '')}>
                  ${r === c ? html`<span aria-hidden="true">—</span>` : html`<input type="checkbox" data-r=${r} data-c=${c}
                    checked=${has(moves, from.key, to.key)} aria-label=${t('config.matrix_cell', { from: from.name, to: to.name })}
                    data-testid=${`mx-${from.key}-${to.key}`} onChange=${(e) => toggle(from.key, to.key, e.currentTarget.checked)} />`}
                </td>`)}
                <td class="matrix-rowtools">
                  <button type="button" class="btn small ghost" data-testid=${'matrix-row-all-' + from.key}
                    aria-label=${t('config.matrix_row_all_named', { stage: from.name })} onClick=${() => rowAll(from.key, true)}
                    disabled=${rowCount === stages.length - 1}>${t('config.matrix_row_all')}</button>
                  <button type="button" class="btn small ghost" data-testid=${'matrix-row-none-' + from.key}
                    aria-label=${t('config.matrix_row_none_named', { stage: from.name })} onClick=${() => rowAll(from.key, false)}
                    disabled=${rowCount === 0}>${t('config.matrix_row_none')}</button>
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      <p class="muted small matrix-summary" data-testid="matrix-count">${t('config.matrix_count', { count: moves.length, role: nameOf(role) })}</p>
    `}
  </section>`;
}

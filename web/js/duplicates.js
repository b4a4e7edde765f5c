// A new contact or company the server refused as a duplicate (409 "duplicate": the same phone,
// e-mail or web site is on a record already): links to the matches the user may open, a plain
// sentence for those they may not, and — for roles with records.allow_duplicate — "save anyway".
import { html } from './html.js';
import { t } from './i18n.js';
import { Link } from './router.js';
import { can } from './context.js';
import { recordPath } from './crm.js';

const ENTITY = { contact: 'dups.entity_contact', company: 'dups.entity_company' };
const MATCH = { phone: 'dups.match_phone', email: 'dups.match_email', domain: 'dups.match_domain' };

export const isDuplicate = (err) => !!(err && err.code === 'duplicate');

export function DuplicateRefusal({ err, user, busy, onSaveAnyway }) {
  const list = (err.details && err.details.duplicates) || [];
  return html`<div class="form-error" role="alert" data-testid="duplicate-refusal">
    <p>${t('dups.exists')}</p>
    <ul class="dup-list">
      ${list.map((d, i) => html`<li key=${i}>${d.visible
        ? html`<${Link} href=${recordPath(d.entity, d.id)} data-testid="duplicate-link">${t('dups.open', { name: d.name })}<//>`
        : t('dups.exists_hidden', { entity: t(ENTITY[d.entity] || ENTITY.contact), match: t(MATCH[d.match] || MATCH.phone) })}</li>`)}
    </ul>
    ${can(user, 'records.allow_duplicate') ? html`<button type="button" class="btn small" disabled=${busy}
      onClick=${onSaveAnyway} data-testid="save-anyway">${t('dups.save_anyway')}</button>` : null}
  </div>`;
}

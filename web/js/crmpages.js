// The Deals, Companies and Contacts modules: one URL scheme for each entity.
//   /deals          the view last used here (board when the entity has pipelines, else list)
//   /deals/board    kanban board of a pipeline
//   /deals/list     list with search, filters, sorting and columns
//   /deals/new      create form
//   /deals/42       the record card
//   /companies/import, /contacts/import    CSV import; /companies/merge, /contacts/merge   merge two records
import { html } from './html.js';
import { useLocation } from './router.js';
import { useApp } from './context.js';
import { t } from './i18n.js';
import { ENTITIES, lastView } from './crm.js';
import { BoardPage } from './board.js';
import { ListPage } from './records.js';
import { RecordPage, CreatePage } from './record.js';
import { ImportPage } from './transfer.js';
import { MergePage } from './merge.js';

function EntityModule({ entity }) {
  const loc = useLocation();
  const { pipelines } = useApp();
  const path = loc.split('?')[0];
  const rest = path.slice(ENTITIES[entity].path.length).replace(/^\/+|\/+$/g, '');
  if (rest === 'new') return html`<${CreatePage} key=${loc} entity=${entity} />`;
  if (rest === 'import' && entity !== 'deal') return html`<${ImportPage} entity=${entity} />`;
  if (rest === 'merge' && entity !== 'deal') return html`<${MergePage} entity=${entity} />`;
  if (/^\d+$/.test(rest)) return html`<${RecordPage} key=${rest} entity=${entity} id=${Number(rest)} />`;
  const view = rest === 'board' || rest === 'list' ? rest : rest === '' ? lastView(entity, pipelines) : null;
  if (view === 'board' && ENTITIES[entity].pipeline) return html`<${BoardPage} key=${loc} entity=${entity} />`;
  if (view === 'list' || view === 'board') return html`<${ListPage} key=${loc} entity=${entity} />`;
  return html`<div class="page narrow" data-testid="not-found">
    <div class="page-head"><div><h1 tabindex="-1" data-testid="page-title">${t('errors.not_found_title')}</h1>
    <p class="page-sub">${t('errors.not_found')}</p></div></div>
  </div>`;
}

export function DealsPage() { return html`<${EntityModule} entity="deal" />`; }
export function CompaniesPage() { return html`<${EntityModule} entity="company" />`; }
export function ContactsPage() { return html`<${EntityModule} entity="contact" />`; }

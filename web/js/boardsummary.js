// The board's true column totals: one GET /api/pipelines/KEY/summary with the board's filters
// gives every stage's count and its amounts per currency, whatever the columns have loaded.
// A move shifts the moved card between the totals at once and the server's figures follow.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { api } from './api.js';
import { formatMoney } from './crm.js';

// summary: {amounts, stages: {KEY: {count, sums: {CUR: minor} | null}}} or null until loaded.
export function useBoardSummary(pipelineKey, filters) {
  const [summary, setSummary] = useState(null);
  const seq = useRef(0);
  async function reload() {
    if (!pipelineKey) return;
    const n = ++seq.current;
    try {
      const r = await api.get(`/api/pipelines/${encodeURIComponent(pipelineKey)}/summary`, filters());
      if (n !== seq.current) return;
      setSummary({ amounts: r.amounts, stages: Object.fromEntries(r.stages.map((s) => [s.stage, s])) });
    } catch {
      if (n === seq.current) setSummary(null); // the columns still show what they loaded
    }
  }
  // the card left `from` for `to`: move its count and amount until the server's figures arrive
  function shift(card, from, to) {
    setSummary((cur) => {
      if (!cur || !cur.stages[from] || !cur.stages[to]) return cur;
      const one = (st, sign) => {
        const sums = st.sums && card.amount != null && card.currency
          ? { ...st.sums, [card.currency]: (st.sums[card.currency] || 0) + sign * card.amount } : st.sums;
        return { ...st, count: Math.max(0, st.count + sign), sums };
      };
      return { ...cur, stages: { ...cur.stages, [from]: one(cur.stages[from], -1), [to]: one(cur.stages[to], +1) } };
    });
  }
  useEffect(() => { setSummary(null); }, [pipelineKey]);
  return { summary, reload, shift };
}

// A column head's count and sums: the server's totals when known, else what is loaded.
export function ColumnTotals({ summary, stageKey, loaded, money }) {
  const st = summary && summary.stages[stageKey];
  const count = st ? st.count : loaded;
  const sums = st && money && summary.amounts ? Object.entries(st.sums || {}).filter(([, v]) => v) : [];
  return html`
    <span class="column-count" data-testid="column-count" title=${t('board.count')}>${count}</span>
    ${sums.length ? html`<span class="column-sum" data-testid="column-sum" title=${t('board.sum')}>
      ${sums.map(([cur, v], i) => html`${i ? html`<br />` : null}<span data-currency=${cur}>${formatMoney(v, cur)}</span>`)}</span>` : null}`;
}

// EN | RU switch: the choice is kept on this browser and applied at once.
import { html } from './html.js';
import { t, lang, chooseLanguage, LANGUAGES } from './i18n.js';

export function LanguageSwitch({ compact }) {
  const current = lang();
  return html`<div class=${'lang-switch' + (compact ? ' compact' : '')} role="group" aria-label=${t('menu.language')}>
    ${LANGUAGES.map((code) => html`<button type="button" key=${code}
        class=${code === current ? 'active' : ''} aria-pressed=${code === current ? 'true' : 'false'}
        lang=${code} data-testid=${'lang-' + code}
        onClick=${() => chooseLanguage(code)}>${t('languages.' + code)}</button>`)}
  </div>`;
}

// Company settings. Everyone may read them; settings.manage may change them. The CRM
// configuration sections below /settings (pipelines, fields…) live in settings_nav.js.
import { useState } from 'preact/hooks';
import { html } from './html.js';
import { t, regionName, currencyName } from './i18n.js';
import { api } from './api.js';
import { useApp, can } from './context.js';
import { PageHeader, Field, FormError, useForm, errorText } from './ui.js';
import { usePath } from './router.js';
import { settingsSection, SettingsTabs } from './settings_nav.js';

// Common zones for the businesses voronka serves; any other IANA name can be typed in.
const ZONES = [
  'Europe/Kaliningrad', 'Europe/Moscow', 'Europe/Samara', 'Asia/Yekaterinburg', 'Asia/Omsk',
  'Asia/Novosibirsk', 'Asia/Krasnoyarsk', 'Asia/Irkutsk', 'Asia/Yakutsk', 'Asia/Vladivostok',
  'Asia/Magadan', 'Asia/Kamchatka', 'Europe/Minsk', 'Europe/Kyiv', 'Asia/Almaty', 'Asia/Tashkent',
  'Asia/Bishkek', 'Asia/Tbilisi', 'Asia/Yerevan', 'Asia/Baku', 'Europe/Istanbul', 'Asia/Dubai',
  'Europe/London', 'Europe/Berlin', 'Europe/Paris', 'America/New_York', 'America/Chicago',
  'America/Los_Angeles', 'Asia/Shanghai', 'Asia/Tokyo', 'UTC',
];
const COUNTRIES = ['RU', 'BY', 'KZ', 'UZ', 'KG', 'AM', 'GE', 'AZ', 'TR', 'AE', 'DE', 'GB', 'US'];
const CURRENCIES = ['RUB', 'BYN', 'KZT', 'UZS', 'KGS', 'AMD', 'GEL', 'AZN', 'TRY', 'AED', 'EUR', 'GBP', 'USD', 'CNY'];
const OTHER = '__other__';

function utcOffset(zone) {
  try {
    const part = new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'shortOffset' })
      .formatToParts(new Date()).find((p) => p.type === 'timeZoneName');
    return part ? part.value.replace('GMT', 'UTC') : '';
  } catch { return ''; }
}

function TimeZoneField({ value, onChange, error, disabled }) {
  const [other, setOther] = useState(() => !!value && !ZONES.includes(value));
  const selectValue = other ? OTHER : value;
  return html`<div class=${'field' + (error ? ' has-error' : '')}>
    <label for="set-timezone">${t('settings.timezone')}</label>
    <div class="tz-row">
      <select id="set-timezone" class="input select" value=${selectValue} disabled=${disabled} data-testid="set-timezone"
        aria-invalid=${error ? 'true' : undefined}
        onChange=${(e) => {
          const v = e.currentTarget.value;
          if (v === OTHER) { setOther(true); setTimeout(() => document.getElementById('set-timezone-other')?.focus()); }
          else { setOther(false); onChange(v); }
        }}>
        ${ZONES.map((z) => html`<option key=${z} value=${z}>${z.replace(/_/g, ' ')} (${utcOffset(z)})</option>`)}
        <option value=${OTHER}>${t('settings.timezone_other')}</option>
      </select>
      ${other ? html`<input id="set-timezone-other" class="input" value=${value} disabled=${disabled}
        placeholder=${t('settings.timezone_placeholder')} aria-label=${t('settings.timezone_custom')} spellcheck="false" autocapitalize="none"
        data-testid="set-timezone-other" aria-invalid=${error ? 'true' : undefined}
        onInput=${(e) => onChange(e.currentTarget.value.trim())} />` : null}
    </div>
    ${error
      ? html`<div class="field-error" role="alert" data-testid="error-set-timezone">${error}</div>`
      : html`<div class="field-hint">${t('settings.timezone_hint')}</div>`}
  </div>`;
}

export function SettingsPage() {
  const section = settingsSection(usePath());
  return section ? html`<${section.component} key=${section.id} />` : html`<${CompanySettings} />`;
}

function CompanySettings() {
  const app = useApp();
  const editable = can(app.user, 'settings.manage');
  const s = app.settings || {};
  const form = useForm({
    company_name: s.company_name || '',
    timezone: s.timezone || 'Europe/Moscow',
    default_country: s.default_country || 'RU',
    currency: s.currency || 'RUB',
    language: s.language || 'ru',
  });
  const [saved, setSaved] = useState(false);
  const fields = ['company_name', 'timezone', 'default_country', 'currency', 'language'];
  const v = form.values;
  const err = (name) => form.errors[name];

  async function submit(e) {
    e.preventDefault();
    if (!editable || form.busy) return;
    setSaved(false);
    const body = {};
    for (const f of fields) {
      const value = typeof v[f] === 'string' ? v[f].trim() : v[f];
      if (value !== (s[f] ?? '')) body[f] = value;
    }
    if (!Object.keys(body).length) { setSaved(true); return; }
    const res = await form.submit(() => api.patch('/api/settings', body), fields);
    if (res) {
      app.setSettings(res);
      setSaved(true);
      app.notify('settings.saved');
    }
  }

  const country = regionName(v.default_country);
  const currency = currencyName(v.currency);
  return html`<div class="page settings-page" data-testid="settings-page">
    <${PageHeader} title=${t('settings.title')} subtitle=${t('settings.subtitle')} />
    <${SettingsTabs} user=${app.user} active="general" />
    ${editable ? null : html`<div class="notice" data-testid="settings-readonly">${t('settings.read_only')}</div>`}
    <form class="card form-card settings-form" onSubmit=${submit} novalidate data-testid="settings-form"
      onInput=${() => setSaved(false)}>
      <${FormError} error=${form.errors._form} testid="settings-error" />
      <fieldset disabled=${!editable}>
        <${Field} id="set-company" testid="set-company_name" label=${t('settings.company_name')} error=${err('company_name')}
          autocomplete="organization" ...${form.bind('company_name')} />
        <${TimeZoneField} value=${v.timezone} error=${err('timezone') ? errorText(err('timezone')) : null}
          disabled=${!editable} onChange=${(z) => form.set('timezone', z)} />
        <div class="grid-2">
          <${Field} id="set-country" testid="set-default_country" label=${t('settings.default_country')}
            error=${err('default_country')} maxlength="2" list="countries" spellcheck="false" autocapitalize="characters"
            hint=${country && country !== v.default_country ? country : t('settings.country_hint')}
            value=${v.default_country} onInput=${(e) => form.set('default_country', e.currentTarget.value.toUpperCase())} />
          <${Field} id="set-currency" testid="set-currency" label=${t('settings.currency')}
            error=${err('currency')} maxlength="3" list="currencies" spellcheck="false" autocapitalize="characters"
            hint=${currency && currency !== v.currency ? currency : t('settings.currency_hint')}
            value=${v.currency} onInput=${(e) => form.set('currency', e.currentTarget.value.toUpperCase())} />
        </div>
        <${Field} id="set-language" label=${t('settings.language')} error=${err('language')} hint=${t('settings.language_hint')}>
          <select id="set-language" class="input select" value=${v.language} data-testid="set-language"
            onChange=${(e) => form.set('language', e.currentTarget.value)}>
            <option value="en">${t('languages.en')}</option>
            <option value="ru">${t('languages.ru')}</option>
          </select>
        <//>
        <datalist id="countries">${COUNTRIES.map((c) => html`<option key=${c} value=${c}>${regionName(c)}</option>`)}</datalist>
        <datalist id="currencies">${CURRENCIES.map((c) => html`<option key=${c} value=${c}>${currencyName(c)}</option>`)}</datalist>
      </fieldset>
      ${editable ? html`<div class="form-actions">
        ${saved ? html`<span class="success-text" role="status" data-testid="settings-saved">${t('settings.saved')}</span>` : null}
        <button type="submit" class="btn primary" disabled=${form.busy} data-testid="settings-save">${t('common.save')}</button>
      </div>` : null}
    </form>
  </div>`;
}

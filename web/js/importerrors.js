// A per-row import error in the user's language. The server gives each error a code, the field
// and the value at fault besides its English message; import.err_CODE_FIELD (the duplicate's
// wording depends on what matched) or import.err_CODE words it, and a code with no string, or a
// string that quotes a value the server did not give, falls back to the English message.
import { t, has } from './i18n.js';

export function importErrorText(e, fieldName) {
  if (!e.code) return e.message;
  const keys = e.value == null ? [`import.err_${e.code}_hidden`] : [];
  if (e.field) keys.push(`import.err_${e.code}_${e.field}`);
  keys.push(`import.err_${e.code}`);
  for (const key of keys) {
    if (!has(key)) continue;
    if (e.value == null && t(key).includes('{value}')) continue;
    return t(key, { value: e.value ?? '', field: e.field ? fieldName(e.field) : '' });
  }
  return e.message;
}

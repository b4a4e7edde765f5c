// Small shared building blocks: form fields with inline errors, dialogs, page headers.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';
import { ApiError, errorMessage } from './api.js';

// An error to show: an ApiError from the server or a local {key, params}. Kept as an object,
// not text, so switching the language re-translates what is already on screen.
export function errorText(e) {
  if (!e) return '';
  if (e instanceof ApiError) return errorMessage(e);
  if (e.key) return t(e.key, e.params);
  return t('errors.generic');
}

// Form state: values, per-field errors, busy flag. submit(fn, fields) runs fn(values) and puts a
// server error next to its field when the field is one of `fields`, otherwise on the form.
export function useForm(initial) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);

  const set = (name, value) => {
    setValues((v) => ({ ...v, [name]: value }));
    setErrors((e) => (e[name] ? { ...e, [name]: null } : e));
  };
  const bind = (name) => ({
    name,
    value: values[name] ?? '',
    onInput: (e) => set(name, e.currentTarget.value),
  });
  async function submit(fn, fields = []) {
    setBusy(true);
    setErrors({});
    try {
      return await fn(values);
    } catch (err) {
      if (err instanceof ApiError && err.field && fields.includes(err.field)) setErrors({ [err.field]: err });
      else setErrors({ _form: err });
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { values, setValues, set, bind, errors, setErrors, busy, submit };
}

// A labelled control with its hint or error below. Without children it renders an <input>
// with the remaining props; with children (a <select>…) it wraps them.
export function Field({ id, label, error, hint, children, class: cls, testid, ...input }) {
  const describedBy = error ? id + '-error' : hint ? id + '-hint' : undefined;
  const control = children || html`<input id=${id} class="input"
      aria-invalid=${error ? 'true' : undefined} aria-describedby=${describedBy}
      data-testid=${testid || id} ...${input} />`;
  return html`<div class=${'field' + (error ? ' has-error' : '') + (cls ? ' ' + cls : '')}>
    <label for=${id}>${label}</label>
    ${control}
    ${error
      ? html`<div class="field-error" id=${id + '-error'} role="alert" data-testid=${'error-' + (testid || id)}>${errorText(error)}</div>`
      : hint ? html`<div class="field-hint" id=${id + '-hint'}>${hint}</div>` : null}
  </div>`;
}

export function FormError({ error, testid = 'form-error' }) {
  if (!error) return null;
  return html`<div class="form-error" role="alert" data-testid=${testid}>${errorText(error)}</div>`;
}

// A modal <dialog>: focus is kept inside, Escape and the close button call onClose.
export function Dialog({ title, onClose, children, testid, wide }) {
  const ref = useRef(null);
  const close = useRef(onClose);
  close.current = onClose;                           // Escape calls the latest (it may ask about unsaved edits)
  useEffect(() => {
    const d = ref.current;
    const opener = document.activeElement;
    if (!d.open) d.showModal();
    const cancel = (e) => { e.preventDefault(); close.current(); };
    d.addEventListener('cancel', cancel);
    return () => {
      d.removeEventListener('cancel', cancel);
      if (opener && opener.isConnected) opener.focus();
    };
  }, []);
  const id = (testid || 'dialog') + '-title';
  return html`<dialog ref=${ref} class=${'dialog' + (wide ? ' wide' : '')} aria-labelledby=${id} data-testid=${testid}>
    <div class="dialog-head">
      <h2 id=${id}>${title}</h2>
      <button type="button" class="icon-btn" onClick=${onClose} aria-label=${t('common.close')} title=${t('common.close')} data-testid="dialog-close">
        <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>
      </button>
    </div>
    <div class="dialog-body">${children}</div>
  </dialog>`;
}

export function PageHeader({ title, subtitle, children }) {
  return html`<div class="page-head">
    <div>
      <h1 tabindex="-1" data-testid="page-title">${title}</h1>
      ${subtitle ? html`<p class="page-sub">${subtitle}</p>` : null}
    </div>
    ${children ? html`<div class="page-actions">${children}</div>` : null}
  </div>`;
}

export function Spinner() {
  return html`<div class="spinner" role="status" aria-label=${t('common.loading')}></div>`;
}

// Initials for an avatar: "Ivan Petrov" → "IP".
export function initials(name) {
  const parts = String(name || '').trim().split(/\s+/).filter(Boolean);
  return ((parts[0] || '?')[0] + (parts[1] ? parts[1][0] : '')).toUpperCase();
}

// Close a popup on Escape or on a click outside it. Escape returns the focus to the popup's
// button: buttonRef, or without one the first button in the box.
export function useDismiss(open, setOpen, boxRef, buttonRef) {
  useEffect(() => {
    if (!open) return undefined;
    const onDown = (e) => { if (boxRef.current && !boxRef.current.contains(e.target)) setOpen(false); };
    const onKey = (e) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      const button = buttonRef ? buttonRef.current : boxRef.current && boxRef.current.querySelector('button');
      button && button.focus();
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
}

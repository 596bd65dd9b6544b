import { CSRF_FIELD } from '@opcommerce/shared/forms'
import { html, type SafeHtml } from '@opcommerce/shared/html'
import { PASSWORD_RULES } from '@opcommerce/shared/password-policy'

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`
}

export interface FieldOptions {
  name: string
  label: string
  type?: 'text' | 'email' | 'password'
  value?: string
  errors?: string[]
  hint?: string | SafeHtml
  autocomplete?: string
  required?: boolean
  maxLength?: number
  /** Extra markup under the input (password checklist, strength meter). */
  after?: SafeHtml
  autofocus?: boolean
  /** Shown but not editable (an address proven by an invitation). */
  readonly?: boolean
}

/** A labelled input; its errors are listed under it and announced with it (aria-describedby). */
export function field(options: FieldOptions): SafeHtml {
  const { name, label, type = 'text', value = '', errors = [], hint, autocomplete, required = true, maxLength, after, autofocus, readonly } = options
  const id = `champ-${name}`
  const describedBy = [hint ? `${id}-aide` : '', errors.length ? `${id}-erreurs` : ''].filter(Boolean).join(' ')
  return html`<div class="field">
  <label for="${id}">${label}</label>
  ${hint ? html`<span class="hint" id="${id}-aide">${hint}</span>` : ''}
  <input id="${id}" name="${name}" type="${type}" value="${type === 'password' ? '' : value}"${autocomplete ? html` autocomplete="${autocomplete}"` : ''}${required ? html` required` : ''}${maxLength ? html` maxlength="${maxLength}"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}${errors.length ? html` aria-invalid="true"` : ''}${autofocus ? html` autofocus` : ''}${readonly ? html` readonly` : ''}>
  ${errors.length ? html`<ul class="field-error" id="${id}-erreurs">${errors.map((error) => html`<li>${error}</li>`)}</ul>` : ''}
  ${after ?? ''}
</div>`
}

export function alert(kind: 'error' | 'success' | 'info' | 'warning', content: SafeHtml | string, title?: string): SafeHtml {
  return html`<div class="alert alert--${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${title ? html`<p class="alert__title">${title}</p>` : ''}${typeof content === 'string' ? html`<p>${content}</p>` : content}</div>`
}

/** Rules ticked while the user types (password-helpers.js), and the strength meter it fills. */
export function passwordHelpers(): SafeHtml {
  return html`<ul class="checklist" data-password-rules aria-label="Règles du mot de passe">${PASSWORD_RULES.map(
    (rule) => html`<li data-pattern="${rule.pattern.source}" data-met="false">${rule.label}</li>`,
  )}</ul>
<div class="meter" data-strength-meter hidden>
  <div class="meter__bar" aria-hidden="true"><div class="meter__fill"></div></div>
  <p class="meter__label" aria-live="polite"></p>
</div>`
}

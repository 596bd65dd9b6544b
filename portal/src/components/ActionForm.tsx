'use client'

import { useRouter } from 'next/navigation'
import { createContext, useContext, useRef, useState, type FormEvent, type ReactNode } from 'react'
import type { ActionResult } from '@/handlers/http'
import type { Flash } from '@/lib/flash'
import { messages } from '@/lib/messages'

interface FormState {
  pending: boolean
  ok?: boolean
  result?: ActionResult
  /** What was typed in a form refused without JavaScript, shown again. */
  values?: Record<string, string>
}

const FormStateContext = createContext<FormState>({ pending: false })
const FlashContext = createContext<{ show?: (message: { ok: boolean; text: string }) => void; posted?: Flash }>({})

/**
 * The message area at the top of every signed-in page: the outcome of a form posted without
 * JavaScript (`posted`, from the server), and of forms whose row disappears once they succeed.
 */
export function FlashArea({ posted, children }: { posted?: Flash; children: ReactNode }) {
  const [flash, setFlash] = useState<{ ok: boolean; text: string } | undefined>(posted && { ok: posted.ok, text: posted.message })
  return (
    <FlashContext.Provider value={{ show: setFlash, posted }}>
      <div aria-live="polite">{flash && <Alert ok={flash.ok} text={flash.text} />}</div>
      {children}
    </FlashContext.Provider>
  )
}

function Alert({ ok, text, link }: { ok: boolean; text: string; link?: string }) {
  return (
    <div className={`alert alert--${ok ? 'success' : 'error'}`} role={ok ? 'status' : 'alert'}>
      <p>{text}</p>
      {link && (
        <p>
          <a href={link}>Accéder maintenant</a>
        </p>
      )}
    </div>
  )
}

/**
 * A form posted to one of the portal's route handlers. Without JavaScript, the browser posts it
 * and the handler answers with this page again (or the next one) and its message. With
 * JavaScript, it is posted with fetch: the statuses (400, 403, 409, 429…) and French messages
 * are shown in place, field errors next to their fields, without leaving the page.
 */
export function ActionForm(props: {
  action: string
  csrf: string
  children: ReactNode
  className?: string
  /** Shows the outcome in the page's FlashArea rather than in the form. */
  flash?: boolean
  resetOnSuccess?: boolean
  /** Asked before sending (destructive actions). */
  confirmation?: string
  label?: string
}) {
  const router = useRouter()
  const { show, posted } = useContext(FlashContext)
  // The field errors and typed values of this form, when it was just refused without JavaScript.
  const [state, setState] = useState<FormState>(() =>
    posted && !posted.ok && posted.form === props.action ? { pending: false, ok: false, result: { fieldErrors: posted.fieldErrors }, values: posted.values } : { pending: false },
  )
  const messageRef = useRef<HTMLDivElement>(null)

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    if (state.pending) return
    if (props.confirmation && !window.confirm(props.confirmation)) return
    const form = event.currentTarget
    setState({ pending: true, values: state.values })
    let ok = false
    let result: ActionResult
    try {
      const response = await fetch(props.action, { method: 'POST', body: new FormData(form), headers: { accept: 'application/json' } })
      ok = response.ok
      result = (await response.json()) as ActionResult
    } catch {
      result = { message: messages.network.unreachable }
    }
    // A success that leads straight to another page says its message there (the flash cookie).
    const leaving = ok && result.redirect !== undefined && result.redirectDelay === undefined
    if (props.flash && show && result.message && !leaving) show({ ok, text: result.message })
    setState({ pending: false, ok, result: leaving ? { ...result, message: undefined } : result })
    if (!ok) {
      queueMicrotask(() => messageRef.current?.focus())
      if (result.redirect) router.push(result.redirect)
      return
    }
    if (props.resetOnSuccess) form.reset()
    if (result.redirect) {
      const target = result.redirect
      setTimeout(() => router.push(target), result.redirectDelay ?? 0)
    } else router.refresh()
  }

  const showHere = state.result?.message && !(props.flash && show)
  return (
    <FormStateContext.Provider value={state}>
      <form method="post" action={props.action} onSubmit={submit} noValidate className={props.className} aria-label={props.label}>
        {/* CSRF_FIELD of shared/src/forms.ts, written out: client code cannot import that server module. */}
        <input type="hidden" name="_csrf" value={props.csrf} />
        <div ref={messageRef} tabIndex={-1}>
          {showHere && <Alert ok={Boolean(state.ok)} text={state.result!.message!} link={state.ok ? state.result!.redirect : undefined} />}
        </div>
        {props.children}
      </form>
    </FormStateContext.Provider>
  )
}

/** The errors of a field, and the ids that describe it (hint, errors) for aria-describedby. */
function useFieldErrors(name: string, id: string, hint: string | undefined) {
  const { pending, result, values } = useContext(FormStateContext)
  const errors = result?.fieldErrors?.[name] ?? []
  const describedBy = [hint && `${id}-aide`, errors.length > 0 && `${id}-erreurs`].filter(Boolean).join(' ') || undefined
  return { pending, errors, describedBy, typed: values?.[name] }
}

function FieldErrors({ id, errors }: { id: string; errors: string[] }) {
  if (errors.length === 0) return null
  return (
    <ul className="field-error" id={`${id}-erreurs`}>
      {errors.map((error) => (
        <li key={error}>{error}</li>
      ))}
    </ul>
  )
}

export function TextField(props: {
  name: string
  label: string
  /** Defaults to champ-<name>; needed when one page repeats a form. */
  id?: string
  /** Laid out within a row of actions. */
  inline?: boolean
  hint?: string
  type?: 'text' | 'email'
  autoComplete?: string
  inputMode?: 'numeric' | 'text' | 'email'
  maxLength?: number
  required?: boolean
}) {
  const id = props.id ?? `champ-${props.name}`
  const { pending, errors, describedBy, typed } = useFieldErrors(props.name, id, props.hint)
  return (
    <div className={props.inline ? 'field inline-field' : 'field'}>
      <label htmlFor={id}>{props.label}</label>
      {props.hint && (
        <span className="hint" id={`${id}-aide`}>
          {props.hint}
        </span>
      )}
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        autoComplete={props.autoComplete ?? 'off'}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        required={props.required ?? true}
        aria-describedby={describedBy}
        aria-invalid={errors.length > 0 ? true : undefined}
        readOnly={pending}
        defaultValue={typed}
      />
      <FieldErrors id={id} errors={errors} />
    </div>
  )
}

/** A choice among a few options, as radio buttons in a fieldset whose legend is the question. */
export function ChoiceField(props: { name: string; legend: string; options: { value: string; label: string }[]; defaultValue: string }) {
  const id = `champ-${props.name}`
  const { errors, describedBy, typed } = useFieldErrors(props.name, id, undefined)
  const checked = typed ?? props.defaultValue
  return (
    <fieldset className="field choice" aria-describedby={describedBy}>
      <legend className="label">{props.legend}</legend>
      {props.options.map((option) => (
        <label key={option.value} className="choice__option">
          <input type="radio" name={props.name} value={option.value} defaultChecked={option.value === checked} /> {option.label}
        </label>
      ))}
      <FieldErrors id={id} errors={errors} />
    </fieldset>
  )
}

export function SubmitButton({ children, modifiers = [] }: { children: ReactNode; modifiers?: ('secondary' | 'danger' | 'small' | 'block')[] }) {
  const { pending } = useContext(FormStateContext)
  const classes = ['button', ...modifiers.map((modifier) => `button--${modifier}`)].join(' ')
  return (
    <button className={classes} type="submit" disabled={pending} aria-busy={pending || undefined}>
      {children}
    </button>
  )
}

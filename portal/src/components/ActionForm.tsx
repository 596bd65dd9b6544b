'use client'

import { useRouter } from 'next/navigation'
import { createContext, useContext, useRef, useState, type FormEvent, type ReactNode } from 'react'
import type { ActionResult } from '@/handlers/http'
import { messages } from '@/lib/messages'

interface FormState {
  pending: boolean
  ok?: boolean
  result?: ActionResult
}

const FormStateContext = createContext<FormState>({ pending: false })
const FlashContext = createContext<((message: { ok: boolean; text: string }) => void) | undefined>(undefined)

/** A message area at the top of a page, for forms whose row disappears once they succeed. */
export function FlashArea({ children }: { children: ReactNode }) {
  const [flash, setFlash] = useState<{ ok: boolean; text: string }>()
  return (
    <FlashContext.Provider value={setFlash}>
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
 * A form posted with fetch to one of the portal's route handlers: their status codes (400, 403,
 * 409, 429…) and French messages are shown in place, field errors next to their fields.
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
  const [state, setState] = useState<FormState>({ pending: false })
  const setFlash = useContext(FlashContext)
  const messageRef = useRef<HTMLDivElement>(null)

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    if (state.pending) return
    if (props.confirmation && !window.confirm(props.confirmation)) return
    const form = event.currentTarget
    setState({ pending: true })
    let ok = false
    let result: ActionResult
    try {
      const response = await fetch(props.action, { method: 'POST', body: new FormData(form), headers: { accept: 'application/json' } })
      ok = response.ok
      result = (await response.json()) as ActionResult
    } catch {
      result = { message: messages.network.unreachable }
    }
    if (props.flash && setFlash && result.message) setFlash({ ok, text: result.message })
    setState({ pending: false, ok, result })
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

  const showHere = state.result?.message && !(props.flash && setFlash)
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

export function TextField(props: {
  name: string
  label: string
  /** Defaults to champ-<name>; needed when one page repeats a form. */
  id?: string
  /** Laid out within a row of actions. */
  inline?: boolean
  hint?: string
  autoComplete?: string
  inputMode?: 'numeric' | 'text'
  maxLength?: number
  required?: boolean
}) {
  const { pending, result } = useContext(FormStateContext)
  const errors = result?.fieldErrors?.[props.name] ?? []
  const id = props.id ?? `champ-${props.name}`
  const describedBy = [props.hint && `${id}-aide`, errors.length > 0 && `${id}-erreurs`].filter(Boolean).join(' ') || undefined
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
        type="text"
        autoComplete={props.autoComplete ?? 'off'}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        required={props.required ?? true}
        aria-describedby={describedBy}
        aria-invalid={errors.length > 0 ? true : undefined}
        readOnly={pending}
      />
      {errors.length > 0 && (
        <ul className="field-error" id={`${id}-erreurs`}>
          {errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      )}
    </div>
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

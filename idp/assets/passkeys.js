// Passkey forms (views/second-factor.ts, passkeyButton): shown only where the browser has
// WebAuthn. Submitting one fetches its options (posted with the form's CSRF field), runs the
// browser's ceremony with @simplewebauthn/browser, then posts the answer with the form.
const { browserSupportsWebAuthn, startAuthentication, startRegistration } = window.SimpleWebAuthnBrowser

for (const form of document.querySelectorAll('form[data-passkey-form]')) {
  if (!browserSupportsWebAuthn()) continue
  form.hidden = false
  const error = form.querySelector('[data-passkey-error]')
  form.addEventListener('submit', async (event) => {
    if (form.elements.response.value) return
    event.preventDefault()
    error.hidden = true
    const body = new URLSearchParams(new FormData(form))
    body.delete('response')
    try {
      const answer = await fetch(form.dataset.options, { method: 'POST', body, headers: { accept: 'application/json' } })
      if (!answer.ok) throw new Error(`options: ${answer.status}`)
      const options = await answer.json()
      const credential = options.user ? await startRegistration({ optionsJSON: options }) : await startAuthentication({ optionsJSON: options })
      form.elements.response.value = JSON.stringify(credential)
      form.submit()
    } catch {
      error.hidden = false
    }
  })
}

// Ticks the password rules while the user types and asks the server how strong the password is.
(() => {
  const input = document.querySelector('input[name="password"]')
  const rules = document.querySelectorAll('[data-password-rules] li')
  const meter = document.querySelector('[data-strength-meter]')
  if (!input || !meter) return
  const fill = meter.querySelector('.meter__fill')
  const label = meter.querySelector('.meter__label')
  const levels = ['très faible', 'faible', 'moyenne', 'bonne', 'excellente']
  const otherInputs = () =>
    ['email', 'given_name', 'family_name'].map((name) => document.querySelector(`input[name="${name}"]`)?.value ?? '')
  let timer
  let latest = 0

  input.addEventListener('input', () => {
    for (const rule of rules) rule.dataset.met = String(new RegExp(rule.dataset.pattern, 'u').test(input.value))
    clearTimeout(timer)
    if (input.value === '') {
      meter.hidden = true
      return
    }
    timer = setTimeout(async () => {
      const request = ++latest
      const response = await fetch('/inscription/force-mot-de-passe', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ password: input.value, inputs: otherInputs() }),
      }).catch(() => undefined)
      if (!response?.ok || request !== latest) return
      const { score, advice } = await response.json()
      meter.hidden = false
      meter.dataset.score = String(score)
      fill.style.width = `${(score + 1) * 20}%`
      const hint = score < 3 ? ` ${advice[0] ?? 'Allongez-le ou ajoutez des mots moins courants.'}` : ''
      label.textContent = `Robustesse du mot de passe : ${levels[score]}.${hint}`
    }, 250)
  })
})()

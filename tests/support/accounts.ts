import { randomBytes } from 'node:crypto'
import { Browser, linkInMail, type Page } from './browser'
import type { SmtpCapture } from './smtp'

export const STRONG_PASSWORD = 'Quatre-Chevaux-Bleus-42!'

export interface Person {
  email: string
  password: string
  givenName: string
  familyName: string
}

export function newPerson(givenName = 'Alice', familyName = 'Martin'): Person {
  const localPart = givenName.normalize('NFD').replace(/[^a-z]/giu, '').toLowerCase()
  const email = `${localPart}.${randomBytes(4).toString('hex')}@exemple.fr`
  return { email, password: STRONG_PASSWORD, givenName, familyName }
}

export function registrationFields(person: Person): Record<string, string> {
  return {
    email: person.email,
    email_confirmation: person.email,
    password: person.password,
    password_confirmation: person.password,
    given_name: person.givenName,
    family_name: person.familyName,
  }
}

/** Fills "Créer un compte" on the idp; returns the page the browser lands on. */
export async function register(browser: Browser, issuer: string, person: Person): Promise<Page> {
  const form = await browser.get(`${issuer}/inscription`)
  return browser.submit(form, '/inscription', registrationFields(person))
}

/** The validation link of the newest "Validation de création de compte" mail sent to `email`. */
export async function validationLink(smtp: SmtpCapture, email: string, after = 0): Promise<string> {
  const mail = await smtp.waitForMail(
    (received) =>
      received.subject === 'Validation de création de compte' &&
      received.to !== undefined &&
      JSON.stringify(received.to).includes(email) &&
      smtp.mails.indexOf(received) >= after,
  )
  return linkInMail(mail.html, 'Valider la création de mon compte.')
}

/** Registers and validates an account, as its owner would with the mail. */
export async function registerValidated(browser: Browser, issuer: string, smtp: SmtpCapture, person: Person): Promise<void> {
  const page = await register(browser, issuer, person)
  if (!page.text.includes('Un message de validation a été envoyé')) throw new Error(`Registration failed:\n${page.text}`)
  const validated = await browser.get(await validationLink(smtp, person.email))
  if (!validated.text.includes('Félicitations, votre compte a bien été validé.')) throw new Error(validated.text)
}

import { expect } from '@playwright/test'
import { parse } from 'node-html-parser'
import { urls } from './stack'

/** A mail as MailDev's REST API returns it (the fields we read). */
export interface Mail {
  id: string
  subject: string
  to: { address: string }[]
  html: string
}

/** Every mail MailDev received for `address`, oldest first. */
export async function mailsTo(address: string): Promise<Mail[]> {
  const response = await fetch(`${urls.maildev}/api/email`)
  if (!response.ok) throw new Error(`MailDev answered ${response.status}`)
  const mails = (await response.json()) as Mail[]
  return mails.filter((mail) => mail.to.some((recipient) => recipient.address.toLowerCase() === address.toLowerCase()))
}

/**
 * Waits for a mail to `address` whose subject matches, other than the mails of `seen` (what the
 * inbox held before the action that should send a new one).
 */
export async function waitForMail(address: string, subject: string | RegExp, seen: Mail[] = []): Promise<Mail> {
  const known = new Set(seen.map((mail) => mail.id))
  const matches = (mail: Mail) => !known.has(mail.id) && (typeof subject === 'string' ? mail.subject === subject : subject.test(mail.subject))
  let found: Mail | undefined
  await expect
    .poll(async () => (found = (await mailsTo(address)).find(matches)) !== undefined, {
      message: `a mail to ${address} with subject ${String(subject)}`,
      timeout: 15_000,
    })
    .toBe(true)
  return found!
}

/** The address of the mail's link whose text is `label`, as a person would click it. */
export function linkInMail(mail: Mail, label: string): string {
  const link = parse(mail.html)
    .querySelectorAll('a')
    .find((anchor) => anchor.textContent.trim() === label)
  if (!link) throw new Error(`No link "${label}" in the mail "${mail.subject}":\n${mail.html}`)
  return link.getAttribute('href')!
}

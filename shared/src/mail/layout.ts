import { html, type SafeHtml } from '../html'

export interface RenderedMail {
  subject: string
  text: string
  html: string
}

interface Paragraph {
  text: string
  link?: { label: string; href: string }
}

/** One layout for every mail: a greeting, paragraphs, an optional link per paragraph. */
export function mail(subject: string, paragraphs: Paragraph[]): RenderedMail {
  const greeting = 'Madame, Monsieur,'
  const signature = "L'équipe Web Services Entreprise de l'Opcommerce"
  const textParagraphs = paragraphs.map(({ text, link }) => (link ? `${text} ${link.label}\n${link.href}` : text))
  const htmlParagraphs: SafeHtml[] = paragraphs.map(({ text, link }) =>
    link
      ? html`<p style="margin:0 0 16px">${text} <a href="${link.href}" style="color:#0b4f8a;font-weight:600">${link.label}</a></p>`
      : html`<p style="margin:0 0 16px">${text}</p>`,
  )
  return {
    subject,
    text: [greeting, ...textParagraphs, signature].join('\n\n'),
    html: html`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="margin:0;padding:24px;background:#f4f6f9;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1b2430">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px">
<p style="margin:0 0 16px">${greeting}</p>
${htmlParagraphs}
<p style="margin:24px 0 0;color:#5a6473">${signature}</p>
</div></body></html>`.value,
  }
}


import { mail, type RenderedMail } from './layout'

/** The mails of « Mon compte » (idp): each tells what happened and what to do when it was not the person. */
export const accountMailTemplates = {
  password_changed: ({ resetUrl }: { resetUrl: string }) =>
    mail('Votre mot de passe a été modifié', [
      { text: 'Le mot de passe de votre compte Web services vient d’être modifié depuis « Mon compte ». Par sécurité, vos autres sessions ouvertes ont été fermées.' },
      {
        text: 'Si vous n’êtes pas à l’origine de ce changement, quelqu’un connaît votre mot de passe : choisissez-en un nouveau tout de suite, puis prévenez l’Opcommerce.',
        link: { label: 'Réinitialiser mon mot de passe.', href: resetUrl },
      },
    ]),

  email_change_validation: ({ link }: { link: string }) =>
    mail('Validation de votre nouvelle adresse email', [
      {
        text: 'Vous avez demandé à utiliser cette adresse pour votre compte Web services. Merci de cliquer sur ce lien pour la valider :',
        link: { label: 'Valider ma nouvelle adresse email.', href: link },
      },
      { text: "Ce lien est valable 24 heures et ne peut servir qu'une fois. Tant qu'elle n'est pas validée, votre adresse actuelle reste celle de votre compte." },
      { text: "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message." },
    ]),

  email_change_requested: ({ newEmail, cancelLink }: { newEmail: string; cancelLink: string }) =>
    mail('Changement de l’adresse email de votre compte', [
      { text: `Un changement de l’adresse email de votre compte Web services vers ${newEmail} a été demandé. Il prendra effet quand la nouvelle adresse sera validée.` },
      {
        text: 'Si vous n’êtes pas à l’origine de cette demande, annulez-la (même après sa validation, dans les 7 jours) et choisissez un nouveau mot de passe :',
        link: { label: 'Annuler ce changement.', href: cancelLink },
      },
    ]),

  email_change_address_taken: ({ resetUrl }: { resetUrl: string }) =>
    mail('Votre adresse email a été proposée pour un autre compte', [
      { text: 'Quelqu’un a demandé à utiliser votre adresse email pour un autre compte Web services. Elle est déjà celle de votre compte : rien n’a été changé.' },
      { text: "Si vous n'êtes pas à l'origine de cette demande, vous pouvez ignorer ce message. Mot de passe oublié ?", link: { label: 'Réinitialiser mon mot de passe.', href: resetUrl } },
    ]),

  account_closed: ({ contactEmail }: { contactEmail: string }) =>
    mail('Votre compte Web Services Entreprise a été fermé', [
      { text: 'Votre compte Web services a été fermé à votre demande : vos accès aux entreprises et vos sessions ont pris fin, et vos données personnelles ont été supprimées.' },
      { text: `Si vous n'êtes pas à l'origine de cette fermeture, contactez l'Opcommerce : ${contactEmail}.` },
    ]),
} satisfies Record<string, (data: never) => RenderedMail>

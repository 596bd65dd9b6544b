/**
 * Every sentence the portal's handlers and forms answer, in the guide's French; page labels and
 * headings stay in the pages. FORM_REFUSED and UNEXPECTED_ERROR, the same in both services, live
 * in shared/src/errors.ts; the mails' sentences in shared/src/mail/templates.ts. No imports: the
 * forms' client code reads it too.
 */
export const messages = {
  link: {
    becameAdmin: 'Votre compte est activé. Vous allez être redirigé.',
    requestSent: "Une demande d'accès a été envoyée à/aux l'administrateur(s) de cette entreprise.",
    alreadyActive: 'Vous avez déjà accès à cette entreprise. Vous allez être redirigé.',
    alreadyPending: "Votre demande d'accès à cette entreprise est déjà en attente de validation par son administrateur.",
    codeRequired: 'Veuillez renseigner le code adhérent.',
    codeTooLong: 'Le code adhérent ne doit pas dépasser 64 caractères.',
    sirenTooLong: 'Le Siren doit comporter exactement 9 chiffres.',
    held:
      "Votre demande est en attente de vérification par l'Opcommerce : cette entreprise a fait l'objet de nombreuses tentatives d'ajout aujourd'hui. Vous recevrez un email dès qu'elle aura été vérifiée.",
    noMatch: "Siren ou code adhérent incorrect : vérifiez les informations de votre entreprise (le code adhérent figure sur vos documents de l'Opcommerce).",
    tooManyForUser: "Trop de tentatives d'ajout d'entreprise.",
  },
  reminder: {
    sent: "Votre demande a été relancée : le ou les administrateurs de l'entreprise ont reçu un nouvel email.",
    tooSoon: 'Vous avez déjà relancé cette demande il y a moins de 24 heures.',
    notPending: "Aucune demande d'accès en attente pour cette entreprise.",
  },
  members: {
    approved: (name: string) => `L'accès de ${name} est autorisé.`,
    refused: (name: string) => `La demande de ${name} est refusée.`,
    promoted: (name: string) => `${name} est maintenant administrateur.`,
    demoted: (name: string) => `${name} n'est plus administrateur.`,
    removed: (name: string) => `L'accès de ${name} est retiré.`,
    left: "Vous n'avez plus accès à cette entreprise.",
    notPending: "Cette demande d'accès n'est plus en attente : elle a déjà été traitée.",
    notActive: "Cette personne n'a pas d'accès actif à cette entreprise.",
    lastAdmin: "Impossible : l'entreprise doit garder au moins un administrateur. Nommez d'abord un autre administrateur.",
    reasonTooLong: 'Le motif ne doit pas dépasser 500 caractères.',
    forbidden: "Seuls les administrateurs de l'entreprise peuvent gérer ses utilisateurs.",
  },
  session: {
    required: 'Votre session a expiré : veuillez vous reconnecter.',
    crossSite: "Cette demande ne vient pas d'une page du portail : elle a été refusée. Veuillez recommencer depuis la page.",
    csrf: 'Cette page a expiré. Veuillez la recharger puis recommencer.',
    loginFailed: "La connexion n'a pas pu aboutir. Veuillez réessayer.",
  },
  network: {
    unreachable: 'Le service ne répond pas. Vérifiez votre connexion puis réessayez.',
  },
  errors: {
    notFound: "Cette page n'existe pas.",
    badRequest: 'La requête envoyée est incorrecte.',
    tooLarge: 'Les données envoyées sont trop volumineuses.',
  },
} as const

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
    joinedByDomain: "Votre accès est activé : votre adresse email est sur un domaine déclaré par l'entreprise. Vous allez être redirigé.",
    refusedRecently: (refusedOn: string, againOn: string) =>
      `Votre demande d'accès à cette entreprise a été refusée le ${refusedOn}. Vous pourrez faire une nouvelle demande à partir du ${againOn}.`,
  },
  reminder: {
    sent: "Votre demande a été relancée : le ou les administrateurs de l'entreprise ont reçu un nouvel email.",
    tooSoon: 'Vous avez déjà relancé cette demande il y a moins de 24 heures.',
    notPending: "Aucune demande d'accès en attente pour cette entreprise.",
  },
  request: {
    cancelled: "Votre demande d'accès est annulée.",
    escalated: "Votre demande a été transmise à l'Opcommerce, qui va contacter l'entreprise. Vous recevrez un email dès que votre accès sera activé.",
    alreadyEscalated: (on: string) => `Votre demande a déjà été transmise à l'Opcommerce le ${on}.`,
    escalationTooSoon: (from: string) => `Vous pourrez contacter l'Opcommerce à partir du ${from}, si l'administrateur n'a pas répondu d'ici là.`,
  },
  invitations: {
    sent: (email: string) => `Une invitation a été envoyée à ${email}.`,
    resent: (email: string) => `L'invitation a été renvoyée à ${email}.`,
    cancelled: (email: string) => `L'invitation de ${email} est annulée.`,
    emailInvalid: 'Saisissez une adresse email valide, par exemple prenom.nom@entreprise.fr.',
    roleInvalid: 'Choisissez le rôle de la personne invitée.',
    alreadyMember: "Cette personne a déjà accès à l'entreprise.",
    notOpen: "Cette invitation n'est plus en attente : elle a été acceptée ou annulée.",
    tooManyForAdmin: "Vous avez envoyé trop d'invitations.",
    tooManyForCompany: "Trop d'invitations ont été envoyées pour cette entreprise.",
    /** Why an invitation link cannot be used. */
    link: {
      unknown: "Ce lien d'invitation n'est pas valide. Vérifiez que vous avez copié l'adresse complète du mail.",
      expired: "Cette invitation a expiré : elle était valable 7 jours. Demandez à l'administrateur de l'entreprise de vous l'envoyer à nouveau.",
      used: "Cette invitation a déjà été utilisée. Connectez-vous pour accéder à l'entreprise.",
      cancelled: "Cette invitation a été annulée par l'administrateur de l'entreprise.",
      otherUser:
        "Cette invitation est adressée à une autre adresse email que celle de votre compte. Déconnectez-vous, puis ouvrez à nouveau le lien de l'invitation pour vous connecter avec l'adresse invitée.",
    },
  },
  twoFactor: {
    required: (company: string) => `La double authentification est désormais demandée aux membres de ${company}.`,
    notRequired: (company: string) => `La double authentification n'est plus demandée aux membres de ${company}.`,
    unchanged: 'Ce réglage était déjà celui-ci.',
    adminFirst:
      "Configurez d'abord la double authentification de votre propre compte (Mon compte › Double authentification) : sans elle, vous perdriez vous-même l'accès à l'entreprise dans les applications.",
  },
  domains: {
    added: (domain: string) => `Le domaine ${domain} est déclaré : les personnes dont l'adresse validée est sur ce domaine et qui ajoutent l'entreprise avec son code adhérent auront accès sans attendre.`,
    removed: (domain: string) => `Le domaine ${domain} n'est plus déclaré.`,
    notYours: "Vous ne pouvez déclarer que le domaine de votre propre adresse email.",
    publicProvider: (domain: string) =>
      `Le domaine ${domain} est celui d'une messagerie gratuite ou jetable : n'importe qui peut y obtenir une adresse, il ne peut donc pas être déclaré.`,
    alreadyDeclared: (domain: string) => `Le domaine ${domain} est déjà déclaré.`,
    notDeclared: (domain: string) => `Le domaine ${domain} n'est pas déclaré.`,
  },
  members: {
    approved: (name: string) => `L'accès de ${name} est autorisé.`,
    refused: (name: string) => `La demande de ${name} est refusée.`,
    promoted: (name: string) => `${name} est maintenant administrateur.`,
    demoted: (name: string) => `${name} n'est plus administrateur.`,
    removed: (name: string) => `L'accès de ${name} est retiré.`,
    left: "Vous n'avez plus accès à cette entreprise.",
    lastAdminLeaving: "Vous êtes le seul administrateur de cette entreprise : nommez d'abord un autre administrateur dans « Gérer les utilisateurs », puis vous pourrez la quitter.",
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
    loggingOut: 'Déconnexion de votre espace Web Services Entreprise en cours…',
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

/**
 * Every sentence the idp shows besides page labels and headings (which stay in views/), in the
 * guide's French. Two sentences both services show live in shared/src/errors.ts (FORM_REFUSED,
 * UNEXPECTED_ERROR); the mails' sentences live in shared/src/mail/templates.ts.
 */
export const messages = {
  form: {
    csrf: 'Cette page a expiré. Veuillez recommencer.',
    tooLong: 'Ce champ est trop long.',
    tooManyChecks: 'Trop de vérifications de mot de passe.',
    badRequest: 'La requête envoyée est incorrecte.',
  },
  email: {
    invalid: 'Saisissez une adresse email valide, par exemple prenom.nom@entreprise.fr.',
    mismatch: 'Les deux adresses email ne correspondent pas.',
  },
  password: {
    mismatch: 'Les deux mots de passe ne correspondent pas.',
    tooCommon:
      'Ce mot de passe est trop courant ou trop facile à deviner (mots de passe connus ou divulgués, mots du dictionnaire, prénoms, suites de caractères) : choisissez-en un autre, par exemple plusieurs mots séparés par des caractères spéciaux.',
  },
  names: {
    givenNameRequired: 'Veuillez renseigner votre prénom.',
    familyNameRequired: 'Veuillez renseigner votre nom.',
    givenNameLetters: 'Le prénom ne peut contenir que des lettres, des espaces, des apostrophes et des tirets.',
    familyNameLetters: 'Le nom ne peut contenir que des lettres, des espaces, des apostrophes et des tirets.',
  },
  registration: {
    tooMany: 'Trop de créations de compte depuis votre connexion.',
    tooManyMails: "Trop d'emails de validation ont été envoyés à cette adresse aujourd'hui.",
  },
  validation: {
    sent: 'Un message de validation a été envoyé sur votre email :',
    instructions:
      "Veuillez cliquer sur le lien d'activation contenu par ce mail pour vous connecter à votre espace Web services Entreprises.",
    resendHelp: 'Si nécessaire, pour obtenir à nouveau le mail de validation de création de compte :',
    resent: 'Un nouvel email de validation vient de vous être envoyé.',
    resendTooSoon: 'Un email de validation vient de vous être envoyé.',
    nothingPending: "Aucune création de compte n'est en cours dans ce navigateur : connectez-vous pour recevoir un nouveau lien.",
    done: 'Félicitations, votre compte a bien été validé.',
    /** The link opened in another browser than the one that registered: a button, so that a mail scanner validates nothing. */
    confirm: (email: string) => `Vous êtes sur le point de valider la création du compte Web services de ${email}.`,
    confirmRequestedBy: (name: string, date: string) => `Demande faite au nom de ${name}, le ${date}.`,
    confirmWarning:
      "Si vous n'êtes pas à l'origine de cette demande, ne validez pas : fermez simplement cette page, aucun compte ne sera créé.",
    doneNext: 'Vous pouvez maintenant vous connecter à votre espace Web services Entreprises :',
    /** Why a validation link cannot be used (LinkProblem, and used_validated). */
    link: {
      unknown: "Ce lien de validation n'est pas valide. Vérifiez que vous avez copié l'adresse complète du mail.",
      expired:
        "Ce lien de validation a expiré : il est valable 24 heures, et seul le dernier lien envoyé fonctionne. Utilisez le dernier email reçu, ou connectez-vous avec votre email et votre mot de passe pour recevoir un nouveau lien.",
      used: 'Ce lien de validation a déjà été utilisé.',
      used_validated: 'Ce lien de validation a déjà été utilisé : votre compte est validé, vous pouvez vous connecter.',
    },
  },
  invitation: {
    intro: (companyName: string) =>
      `Vous êtes invité à rejoindre ${companyName} sur le Web Services Entreprise : créez votre compte, votre accès sera activé dès votre connexion.`,
    emailProven: "L'adresse de l'invitation : elle est vérifiée par le lien que vous avez reçu, aucun email de validation ne vous sera envoyé.",
  },
  login: {
    invalid: 'Email ou mot de passe incorrect.',
    unvalidated: "Votre compte n'est pas encore validé : cliquez sur le lien d'activation reçu par email.",
    tooMany: 'Trop de tentatives de connexion.',
    disabled: "Ce compte a été désactivé par l'Opcommerce. Contactez l'Opcommerce si vous pensez qu'il s'agit d'une erreur.",
    expired: 'Votre demande de connexion a expiré. Veuillez recommencer depuis le portail.',
  },
  twoFactor: {
    invalidCode: 'Code incorrect ou déjà utilisé. Saisissez le code à 6 chiffres affiché en ce moment par votre application.',
    invalidRecoveryCode: 'Code de récupération incorrect ou déjà utilisé.',
    tooMany: 'Trop de codes incorrects.',
    alreadyEnrolled: 'Une application d’authentification est déjà configurée pour votre compte.',
    required: (companies: string) =>
      `${companies} demande une double authentification à ses membres : configurez-la pour retrouver l'accès à cette entreprise dans les applications.`,
    requiredByApplication: "Cette application demande une double authentification : configurez-la pour continuer.",
    unmet: "L'application demande une double authentification, qui n'a pas été configurée.",
    passkeyFailed: "La clé d'accès n'a pas pu être vérifiée. Réessayez, ou utilisez un autre moyen de connexion.",
    passkeyUnknown: "Cette clé d'accès n'est pas enregistrée pour un compte Web Services Entreprise.",
  },
  reset: {
    requested:
      'Si un compte Web Services Entreprise existe pour cette adresse, vous allez recevoir un email contenant un lien pour choisir un nouveau mot de passe. Ce lien est valable 1 heure.',
    tooMany: 'Trop de demandes de réinitialisation.',
    /** Why a reset link cannot be used (LinkProblem). */
    link: {
      unknown: "Ce lien de réinitialisation n'est pas valide. Vérifiez que vous avez copié l'adresse complète du mail.",
      expired: "Ce lien de réinitialisation a expiré : il est valable 1 heure, et seul le dernier lien envoyé fonctionne. Faites une nouvelle demande si nécessaire.",
      used: 'Ce lien de réinitialisation a déjà été utilisé. Faites une nouvelle demande si nécessaire.',
    },
    done: 'Votre mot de passe a été modifié. Par sécurité, toutes vos sessions ouvertes ont été fermées.',
  },
  account: {
    signInExpired: 'Votre connexion à « Mon compte » a expiré. Veuillez recommencer.',
    loginAgain: 'Pour votre sécurité, reconnectez-vous avant cette action.',
    wrongPassword: 'Le mot de passe saisi est incorrect.',
    tooManyChanges: 'Trop de modifications de votre compte.',
    tooManyEmailChanges: "Trop de demandes de changement d'adresse email.",
    namesChanged: 'Votre prénom et votre nom ont été enregistrés.',
    passwordChanged: 'Votre mot de passe a été modifié. Vos autres sessions ont été fermées.',
    sameEmail: "C'est déjà l'adresse email de votre compte.",
    emailChangeRequested: (email: string) =>
      `Un lien de validation a été envoyé à ${email}. Il est valable 24 heures ; d'ici là, votre adresse actuelle reste celle de votre compte.`,
    emailChangePending: (email: string, until: string) => `Un changement vers ${email} attend sa validation (lien valable jusqu'au ${until}).`,
    emailChanged: (email: string) => `Votre adresse email est maintenant ${email}. Utilisez-la pour vous connecter.`,
    emailTaken: "Cette adresse email est déjà celle d'un autre compte : le changement n'a pas été fait.",
    emailChangeCancelled: (email: string) => `Le changement d'adresse a été annulé : l'adresse du compte reste ${email}.`,
    emailChangeUndone: (email: string) =>
      `Le changement d'adresse a été annulé : le compte a retrouvé l'adresse ${email}. Par sécurité, toutes ses sessions ont été fermées : choisissez un nouveau mot de passe.`,
    /** Why a link of an email change cannot be used (LinkProblem). */
    emailLink: {
      unknown: "Ce lien n'est pas valide. Vérifiez que vous avez copié l'adresse complète du mail.",
      expired: "Ce lien a expiré. Faites une nouvelle demande depuis « Mon compte » si nécessaire.",
      used: 'Ce lien a déjà été utilisé, ou la demande a été remplacée par une plus récente.',
    },
    sessionEnded: 'La session a été déconnectée.',
    sessionGone: 'Cette session est déjà terminée.',
    loggedOutEverywhere: 'Vous avez été déconnecté de toutes vos sessions, y compris celle-ci.',
    soleAdministrator: (company: string, siren: string) =>
      `Vous êtes le seul administrateur de ${company} (Siren ${siren}), qui a d'autres utilisateurs. Nommez d'abord un autre administrateur dans « Gérer les utilisateurs » du portail (ou retirez ses utilisateurs), puis vous pourrez fermer votre compte.`,
    closed: 'Votre compte a été fermé et vos données personnelles supprimées. Un dernier email vous le confirme.',
  },
  consent: {
    denied: "Vous avez refusé l'accès à l'application.",
  },
  /** Pages oidc-provider renders instead of going back to the application, by OAuth error code (oidc/errors.ts). */
  oidc: {
    invalid_client: "Cette application n'est pas reconnue par le service d'authentification de l'Opcommerce.",
    invalid_redirect_uri: "L'adresse de retour demandée par l'application n'est pas autorisée. Contactez l'équipe qui gère cette application.",
    invalid_scope: "L'application demande des autorisations qui n'existent pas ou qui ne lui sont pas accordées.",
    unsupported_response_type: "Cette application n'est pas autorisée à se connecter de cette façon.",
    unauthorized_client: "Cette application n'est pas autorisée à se connecter de cette façon.",
    access_denied: "L'accès à l'application a été refusé.",
    invalid_request: "La demande de connexion envoyée par l'application est incorrecte.",
    other: "La demande de connexion envoyée par l'application n'a pas pu aboutir.",
  } as Record<string, string> & { other: string },
  /** Koa's and its body parser's own errors (English http-errors), by status. */
  http: {
    400: 'La requête envoyée est mal formée.',
    405: "Cette action n'est pas possible sur cette page.",
    413: 'Les données envoyées sont trop volumineuses.',
    414: "L'adresse demandée est trop longue.",
    415: "Ce format de données n'est pas accepté.",
    other: 'Cette demande ne peut pas être traitée.',
  } as Record<number, string> & { other: string },
  errors: {
    notFound: "La page demandée n'existe pas.",
    crossSite: "Cette demande ne vient pas d'une page du service : elle a été refusée. Veuillez recommencer depuis la page.",
  },
} as const

import { formatDay } from '../dates'
import { accountMailTemplates } from './account-templates'
import { mail, type RenderedMail } from './layout'

/** A date of a mail (the outbox keeps it as an ISO string). */
const dayOf = (iso: string) => formatDay(new Date(iso))

const roleName = (role: 'admin' | 'member') => (role === 'admin' ? 'administrateur' : 'utilisateur')

export type { RenderedMail } from './layout'

export const mailTemplates = {
  ...accountMailTemplates,
  verify_email: ({ link }: { link: string }) =>
    mail('Validation de création de compte', [
      {
        text: 'Merci de cliquer sur ce lien pour valider la création votre compte Web services :',
        link: { label: 'Valider la création de mon compte.', href: link },
      },
      { text: "Ce lien est valable 24 heures et ne peut servir qu'une fois." },
      { text: "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : sans validation, aucun compte ne sera créé avec votre adresse." },
    ]),

  account_exists: ({ loginUrl, resetUrl }: { loginUrl: string; resetUrl: string }) =>
    mail('Votre compte Web Services Entreprise existe déjà', [
      {
        text: 'Une demande de création de compte Web services a été faite avec votre adresse email, qui possède déjà un compte. Vous pouvez vous connecter :',
        link: { label: 'Se connecter', href: loginUrl },
      },
      { text: 'Mot de passe oublié ?', link: { label: 'Réinitialiser mon mot de passe.', href: resetUrl } },
      { text: "Si vous n'êtes pas à l'origine de cette demande, vous pouvez ignorer ce message." },
    ]),

  reset_password: ({ link }: { link: string }) =>
    mail('Réinitialisation de votre mot de passe', [
      {
        text: 'Vous avez demandé à réinitialiser le mot de passe de votre compte Web services :',
        link: { label: 'Choisir un nouveau mot de passe.', href: link },
      },
      {
        text: "Ce lien est valable 1 heure et ne peut servir qu'une fois. Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.",
      },
    ]),

  two_factor_reset: ({ accountUrl }: { accountUrl: string }) =>
    mail('Double authentification de votre compte réinitialisée', [
      {
        text: "À votre demande, l'équipe Web Services Entreprise a retiré la double authentification de votre compte : vos clés d'accès, votre application d'authentification et vos codes de récupération ne fonctionnent plus. Votre mot de passe reste inchangé.",
      },
      { text: 'Configurez à nouveau la double authentification dès que possible :', link: { label: 'Double authentification', href: accountUrl } },
      { text: "Si vous n'êtes pas à l'origine de cette demande, contactez l'Opcommerce sans attendre." },
    ]),

  access_request: (data: {
    requesterName: string
    requesterEmail: string
    companyName: string
    siren: string
    manageUrl: string
    reminder: boolean
  }) =>
    mail(`${data.reminder ? 'Relance : demande' : 'Demande'} d'accès à ${data.companyName}`, [
      {
        text: `${data.requesterName} (${data.requesterEmail}) demande l'accès au Web Services Entreprise de ${data.companyName} (Siren ${data.siren}).${data.reminder ? ' Cette demande est toujours en attente de votre validation.' : ''}`,
      },
      {
        text: "En tant qu'administrateur, vous pouvez autoriser ou refuser cet accès depuis",
        link: { label: 'Gérer les utilisateurs', href: data.manageUrl },
      },
    ]),

  access_approved: ({ companyName, siren, portalUrl }: { companyName: string; siren: string; portalUrl: string }) =>
    mail(`Votre accès à ${companyName} est activé`, [
      {
        text: `L'administrateur a activé votre accès au Web Services Entreprise de ${companyName} (Siren ${siren}). Vous pouvez accéder au portail !`,
        link: { label: 'Accéder au portail', href: portalUrl },
      },
    ]),

  access_refused: ({ companyName, siren, reason }: { companyName: string; siren: string; reason: string | null }) =>
    mail(`Votre demande d'accès à ${companyName}`, [
      {
        text: `L'administrateur a refusé votre demande d'accès au Web Services Entreprise de ${companyName} (Siren ${siren}).`,
      },
      ...(reason ? [{ text: `Motif indiqué : « ${reason} »` }] : []),
    ]),

  invitation: (data: { inviterName: string; companyName: string; siren: string; role: 'admin' | 'member'; link: string; expiresAt: string }) =>
    mail(`Invitation au Web Services Entreprise de ${data.companyName}`, [
      {
        text: `${data.inviterName} vous invite à accéder au Web Services Entreprise de ${data.companyName} (Siren ${data.siren}) en tant qu'${roleName(data.role)}. Votre accès sera activé dès votre connexion, sans autre demande :`,
        link: { label: "Accepter l'invitation", href: data.link },
      },
      { text: `Si vous n'avez pas encore de compte Web services, ce lien vous permet de le créer avec cette adresse email. Il est valable jusqu'au ${dayOf(data.expiresAt)} et ne peut servir qu'une fois.` },
      { text: "Si vous ne connaissez pas l'expéditeur, vous pouvez ignorer ce message." },
    ]),

  access_removed: ({ companyName, siren }: { companyName: string; siren: string }) =>
    mail(`Votre accès à ${companyName} a été retiré`, [
      { text: `Un administrateur a retiré votre accès au Web Services Entreprise de ${companyName} (Siren ${siren}).` },
      { text: "Si vous pensez qu'il s'agit d'une erreur, contactez l'administrateur de votre entreprise." },
    ]),

  role_changed: ({ companyName, siren, role, portalUrl }: { companyName: string; siren: string; role: 'admin' | 'member'; portalUrl: string }) =>
    mail(`Votre rôle dans ${companyName} a changé`, [
      {
        text:
          role === 'admin'
            ? `Un administrateur vous a nommé administrateur du Web Services Entreprise de ${companyName} (Siren ${siren}) : vous pouvez désormais gérer ses utilisateurs.`
            : `Un administrateur vous a retiré le rôle d'administrateur du Web Services Entreprise de ${companyName} (Siren ${siren}) : vous gardez votre accès en tant qu'utilisateur.`,
        link: { label: 'Accéder au portail', href: portalUrl },
      },
    ]),

  member_joined_by_domain: (data: { memberName: string; memberEmail: string; domain: string; companyName: string; siren: string; manageUrl: string }) =>
    mail(`${data.memberName} a rejoint ${data.companyName}`, [
      {
        text: `${data.memberName} (${data.memberEmail}) a ajouté l'entreprise ${data.companyName} (Siren ${data.siren}) à son compte : son adresse est sur le domaine ${data.domain}, déclaré par l'entreprise, et son accès d'utilisateur est donc activé sans attendre.`,
      },
      {
        text: "En tant qu'administrateur, vous pouvez retirer cet accès ou les domaines déclarés depuis",
        link: { label: 'Gérer les utilisateurs', href: data.manageUrl },
      },
    ]),

  access_escalated: (data: { requesterName: string; requesterEmail: string; companyName: string; siren: string; requestedAt: string; adminEmails: string[] }) =>
    mail(`Demande d'accès sans réponse : ${data.companyName}`, [
      {
        text: `${data.requesterName} (${data.requesterEmail}) demande l'accès au Web Services Entreprise de ${data.companyName} (Siren ${data.siren}) depuis le ${dayOf(data.requestedAt)}, sans réponse de ses administrateurs (${data.adminEmails.join(', ') || 'aucun'}).`,
      },
      { text: "Pour la traiter : npm run cli -- memberships escalated, puis les commandes memberships de l'exploitation." },
    ]),
  held_request_confirmed: ({ companyName, siren, portalUrl, outcome }: { companyName: string; siren: string; portalUrl: string; outcome: string }) =>
    mail(`Votre demande d'ajout de ${companyName} a été vérifiée`, [
      {
        text: `L'Opcommerce a vérifié votre demande d'ajout de l'entreprise ${companyName} (Siren ${siren}) à votre compte Web services.${
          outcome === 'admin'
            ? " Vous êtes l'administrateur de son accès : vous pouvez accéder au portail !"
            : outcome === 'member_by_domain'
              ? " Votre adresse est sur un domaine déclaré par l'entreprise : votre accès est activé."
              : outcome === 'pending'
                ? " Une demande d'accès a été envoyée à/aux l'administrateur(s) de cette entreprise."
                : ''
        }`,
        link: { label: 'Accéder au portail', href: portalUrl },
      },
    ]),

  held_request_rejected: ({ siren }: { siren: string }) =>
    mail("Votre demande d'ajout d'entreprise n'a pas été acceptée", [
      {
        text: `L'Opcommerce n'a pas pu vérifier votre demande d'ajout de l'entreprise de Siren ${siren} à votre compte Web services : elle n'a pas été acceptée. Vérifiez le Siren et le code adhérent auprès de votre entreprise avant de refaire une demande.`,
      },
    ]),
} satisfies Record<string, (data: never) => RenderedMail>

export type MailTemplate = keyof typeof mailTemplates
export type MailData<T extends MailTemplate> = Parameters<(typeof mailTemplates)[T]>[0]

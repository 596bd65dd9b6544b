import type { CompanyDomain } from '@opcommerce/shared/queries/company-domains'
import { domainOf, isPublicMailDomain } from '@opcommerce/shared/email-domains'
import { ActionForm, SubmitButton } from './ActionForm'

/**
 * « Domaines de messagerie de l'entreprise » of "Gérer les utilisateurs": the declared domains,
 * each withdrawable, and the administrator's own domain to declare, unless it is a public one.
 */
export function DomainsSection({ siren, domains, adminEmail, csrf }: { siren: string; domains: CompanyDomain[]; adminEmail: string; csrf: string }) {
  const api = `/api/entreprises/${siren}/domaines`
  const own = domainOf(adminEmail)
  const declared = domains.some((domain) => domain.domain === own)
  return (
    <section className="card" aria-labelledby="domaines">
      <h2 id="domaines">Domaines de messagerie de l&apos;entreprise</h2>
      <p>
        Une personne dont l&apos;adresse email validée est sur un domaine déclaré, et qui ajoute l&apos;entreprise avec son Siren et son code
        adhérent, a accès aussitôt en tant qu&apos;utilisateur, sans demande à valider. Les administrateurs en sont informés par email et peuvent
        retirer cet accès.
      </p>
      {domains.length === 0 ? (
        <p className="muted">Aucun domaine déclaré.</p>
      ) : (
        <ul className="list">
          {domains.map((domain) => (
            <li key={domain.domain} className="row-actions">
              <strong>{domain.domain}</strong>
              <ActionForm action={api} csrf={csrf} flash label={`Retirer le domaine ${domain.domain}`} confirmation={`Ne plus déclarer le domaine ${domain.domain} ?`}>
                <input type="hidden" name="action" value="withdraw" />
                <input type="hidden" name="domain" value={domain.domain} />
                <SubmitButton modifiers={['danger', 'small']}>Retirer ce domaine</SubmitButton>
              </ActionForm>
            </li>
          ))}
        </ul>
      )}
      {!declared &&
        (isPublicMailDomain(own) ? (
          <p className="muted">
            Votre adresse est sur {own}, une messagerie gratuite ou jetable : ce domaine ne peut pas être déclaré. Seul le domaine de l&apos;adresse
            d&apos;un administrateur peut l&apos;être.
          </p>
        ) : (
          <ActionForm action={api} csrf={csrf} flash label={`Déclarer le domaine ${own}`}>
            <input type="hidden" name="action" value="declare" />
            <input type="hidden" name="domain" value={own} />
            <p className="muted">Vous pouvez déclarer le domaine de votre propre adresse email.</p>
            <SubmitButton modifiers={['secondary']}>Déclarer le domaine {own}</SubmitButton>
          </ActionForm>
        ))}
    </section>
  )
}

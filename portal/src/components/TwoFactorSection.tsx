import { ActionForm, SubmitButton } from './ActionForm'

/**
 * « Double authentification » of "Gérer les utilisateurs": whether the company requires a second
 * factor of its members, how many have none yet, and the switch.
 */
export function TwoFactorSection({ siren, required, membersWithout, csrf }: { siren: string; required: boolean; membersWithout: number; csrf: string }) {
  return (
    <section className="card" aria-labelledby="double-authentification">
      <h2 id="double-authentification">Double authentification</h2>
      <p>
        Exiger la double authentification : chaque membre confirme sa connexion par une clé d&apos;accès ou une application d&apos;authentification.
        Un membre qui ne l&apos;a pas configurée est invité à le faire à sa prochaine connexion ; d&apos;ici là, l&apos;entreprise n&apos;est pas
        transmise aux applications pour lui.
      </p>
      <p>
        <strong>{required ? 'Exigée pour les membres de l’entreprise.' : 'Non exigée.'}</strong>{' '}
        {membersWithout > 0
          ? `${membersWithout} membre${membersWithout > 1 ? 's n’ont' : ' n’a'} pas encore configuré la double authentification.`
          : 'Tous les membres ont configuré la double authentification.'}
      </p>
      <ActionForm action={`/api/entreprises/${siren}/double-authentification`} csrf={csrf} flash label={required ? 'Ne plus exiger la double authentification' : 'Exiger la double authentification'}>
        <input type="hidden" name="action" value={required ? 'release' : 'require'} />
        <SubmitButton modifiers={required ? ['secondary'] : []}>{required ? 'Ne plus exiger la double authentification' : 'Exiger la double authentification'}</SubmitButton>
      </ActionForm>
    </section>
  )
}

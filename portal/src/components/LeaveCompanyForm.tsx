import { ActionForm, SubmitButton } from './ActionForm'

/** « Quitter l'entreprise »: the signed-in user removes their own membership (asked first, with JavaScript). */
export function LeaveCompanyForm({ siren, companyName, userId, csrf, flash }: { siren: string; companyName: string; userId: string; csrf: string; flash?: boolean }) {
  return (
    <ActionForm
      action={`/api/entreprises/${siren}/membres/${userId}`}
      csrf={csrf}
      flash={flash}
      label={`Quitter ${companyName}`}
      confirmation={`Quitter ${companyName} ? Vous n'y aurez plus accès.`}
    >
      <input type="hidden" name="action" value="remove" />
      <SubmitButton modifiers={['danger', 'small']}>Quitter l&apos;entreprise</SubmitButton>
    </ActionForm>
  )
}

/** What other people, pages and mails see of a user: never the password hash. */
export interface UserProfile {
  id: string
  email: string
  givenName: string
  familyName: string
}

/** "Prénom Nom", as pages, mails and the `name` claim write it. */
export const fullName = (user: Pick<UserProfile, 'givenName' | 'familyName'>) => `${user.givenName} ${user.familyName}`

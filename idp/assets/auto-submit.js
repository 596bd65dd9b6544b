// Confirms a logout the relying party asked for with a valid id_token_hint; on the portal's
// logout page, sends the ID token on to the idp.
document.querySelector('[data-auto-submit]')?.click()

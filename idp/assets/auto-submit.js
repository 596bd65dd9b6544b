// Confirms a logout the relying party asked for with a valid id_token_hint.
document.querySelector('[data-auto-submit]')?.click()
